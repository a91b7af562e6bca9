"""The audit log's pages: the keyset-paged list and the chain verification (REQ X-02)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanwei.audit.access import may_open_audit_log
from guanwei.audit.actions import record_read
from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.audit.tasks import verify_audit_chain
from guanwei.orgs.pages import actor as _actor
from guanwei.orgs.pages import current_org as _current_org
from guanwei.orgs.pages import page_context as _ctx

AUDIT_PAGE = 50


@login_required
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Enqueue a chain verification for the task worker; the dashboard polls the result."""
    org = _current_org(request)
    if org is None or not may_open_audit_log(_actor(request), org):
        raise Http404
    result = verify_audit_chain.enqueue(organisation_id=org.pk)
    request.session["audit_verify_task"] = str(result.id)
    messages.info(request, _("Audit chain verification queued."))
    return redirect("dashboard")


def audit_verify_status(request: HttpRequest) -> dict[str, Any] | None:
    task_id = request.session.get("audit_verify_task")
    if not task_id:
        return None
    try:
        result = verify_audit_chain.get_result(task_id)
    except Exception:  # the result was pruned or the backend changed
        return None
    status = str(result.status)
    return {"status": status, "value": result.return_value if status == "SUCCESSFUL" else None}


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """Keyset pagination on seq: no COUNT(*) over the whole table."""
    org = _current_org(request)
    if org is None or not may_open_audit_log(_actor(request), org):
        raise Http404
    qs = AuditRecord.objects.filter(organisation_id=org.pk).order_by("-seq")
    before = request.GET.get("before", "")
    if before.isdigit():
        qs = qs.filter(seq__lt=int(before))
    records = list(qs[: AUDIT_PAGE + 1])
    more = len(records) > AUDIT_PAGE
    records = records[:AUDIT_PAGE]
    # Reading the log is itself recorded (issue #9 §19), after this page's rows were read.
    record_read(
        AuditAction.AUDIT_LOG_READ,
        actor=_actor(request),
        object_type="audit_log",
        object_id=org.pk,
        object_repr=f"{org.name} 审计日志",
        organisation_id=org.pk,
        details={"before": int(before) if before.isdigit() else None},
    )
    return render(
        request,
        "audit/audit_list.html",
        _ctx(request, org, records=records, next_before=records[-1].seq if more else None),
    )
