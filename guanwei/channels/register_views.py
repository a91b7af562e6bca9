"""C-04 (college 第五、六条; decision 0034): 官方账号名录 — the organisation's approved
accounts, open to everyone in it — and 举报未备案账号: anyone reports an account in the
organisation's name that is not on it; who registers the accounts checks and closes it.
Views parse, fetch through the access rule, call one action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from guanwei.channels import actions
from guanwei.channels.access import may_handle_unregistered, may_open_register
from guanwei.channels.models import (
    Channel,
    ChannelStatus,
    Platform,
    UnregisteredReport,
    UnregisteredStatus,
)
from guanwei.core.errors import DomainError
from guanwei.orgs.access import get_for
from guanwei.orgs.pages import actor, current_org, page_context
from guanwei.orgs.rules import rules_for

FIELDS = ("platform", "name", "seen_where", "note")


def _late(r: UnregisteredReport) -> bool:
    return (r.closed_at or timezone.now()) > r.due_at


@login_required
def register_page(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    org = current_org(request)
    if org is None or not may_open_register(user, org):
        raise Http404
    typed = dict.fromkeys(FIELDS, "")
    status = 200
    if request.method == "POST":
        typed = {f: request.POST.get(f, "") for f in FIELDS}
        try:
            r = actions.report_unregistered(org, actor=user, **typed)
        except DomainError as e:
            messages.error(request, e.message)
            status = 400
        else:
            messages.success(request, "已举报，负责账号备案的部门会核查，结果会通知您。")
            return redirect("unregistered_detail", pk=r.pk)
    kinds = rules_for(org.pk).channel_kinds
    channels = (
        Channel.objects.filter(organisation=org, status=ChannelStatus.ACTIVE)
        .select_related("unit", "manager")
        .order_by("unit__path", "name")
    )
    rows = [(c, kinds.get(c.kind, {}).get("name", c.kind)) for c in channels]
    handles = may_handle_unregistered(user, org)
    reports = UnregisteredReport.objects.filter(organisation=org).select_related(
        "reporter", "reporter_unit"
    )
    if not handles:
        reports = reports.filter(reporter=user)
    listed = [(r, _late(r) and r.status == UnregisteredStatus.PENDING) for r in reports[:100]]
    platforms = [(v, label) for v, label in Platform.choices if v in actions.REPORT_PLATFORMS]
    return render(
        request,
        "channels/register.html",
        page_context(
            request,
            org,
            rows=rows,
            reports=listed,
            handles=handles,
            typed=typed,
            platforms=platforms,
        ),
        status=status,
    )


@login_required
def unregistered_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    r = get_for(
        user,
        UnregisteredReport.objects.select_related(
            "organisation", "reporter", "reporter_unit", "handler", "channel"
        ),
        pk,
    )
    handles = may_handle_unregistered(user, r.organisation)
    return render(
        request,
        "channels/unregistered_detail.html",
        page_context(
            request,
            r.organisation,
            r=r,
            late=_late(r),
            decide=handles and r.status == UnregisteredStatus.PENDING,
            decisions=list(actions.DECISIONS.items()),
            channels=Channel.objects.filter(organisation=r.organisation).order_by("name")
            if handles
            else [],
        ),
    )


@login_required
@require_POST
def unregistered_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    r = get_for(user, UnregisteredReport.objects.select_related("organisation"), pk)
    channel = None
    picked = request.POST.get("channel", "")
    if picked.isascii() and picked.isdigit():
        channel = Channel.objects.filter(organisation=r.organisation, pk=int(picked)).first()
    try:
        actions.decide_unregistered(
            r,
            actor=user,
            status=request.POST.get("status", ""),
            outcome=request.POST.get("outcome", ""),
            channel=channel,
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已处理，举报人会收到通知。")
    return redirect("unregistered_detail", pk=pk)
