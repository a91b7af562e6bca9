"""Feedback (意见反馈, W-09 chat, 第四条(四)): entered by hand or captured from a comment,
tagged, tallied per month, account and topic; exported as CSV (escaped against formula
injection)."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from guanwei.audit.actions import record_read
from guanwei.audit.events import AuditAction
from guanwei.channels.models import Channel
from guanwei.core.errors import DomainError
from guanwei.interaction import actions, queries
from guanwei.interaction.models import Comment, Feedback
from guanwei.orgs.access import get_for
from guanwei.orgs.models import Organisation
from guanwei.orgs.pages import actor, current_org, page_context

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs: one that starts like a formula
    (= + - @, tab, carriage return) gets a leading apostrophe (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _org(request: HttpRequest) -> Organisation:
    org = current_org(request)
    if org is None or not queries.may_open_feedback(actor(request), org):
        raise Http404
    return org


def _tags(raw: str) -> list[str]:
    return [t for t in raw.replace("，", ",").replace("、", ",").split(",") if t.strip()]


def _satisfaction(raw: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return 0  # refused by the action with its message


@login_required
def feedback_page(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    user = actor(request)
    channels = [
        c
        for c in Channel.objects.filter(organisation=org).select_related("unit").order_by("pk")
        if actions.may_record_feedback(user, c.unit)
    ]
    typed = {"text": "", "topic": "", "tags": "", "satisfaction": "", "channel": ""}
    if request.method == "POST":
        typed = {k: request.POST.get(k, "") for k in typed}
        chosen = next((c for c in channels if str(c.pk) == typed["channel"]), None)
        try:
            if chosen is None:
                raise DomainError("请选择账号。")
            actions.record_feedback(
                chosen,
                actor=user,
                text=typed["text"],
                topic=typed["topic"],
                tags=_tags(typed["tags"]),
                satisfaction=_satisfaction(typed["satisfaction"]),
            )
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已记录意见反馈。")
            return redirect("feedback_page")
    rows = queries.feedback_for(user, org)
    return render(
        request,
        "interaction/feedback.html",
        page_context(
            request,
            org,
            tally=queries.feedback_tally(rows),
            items=rows.order_by("-created_at", "-id")[:50],
            channels=channels,
            typed=typed,
            topics=sorted({t for t in rows.values_list("topic", flat=True) if t}),
        ),
    )


@login_required
def feedback_csv(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    user = actor(request)
    tally = queries.feedback_tally(queries.feedback_for(user, org))
    record_read(
        AuditAction.DATA_EXPORTED,
        actor=user,
        object_type="feedback_tally",
        object_id=org.pk,
        object_repr="意见反馈统计",
        organisation_id=org.pk,
        details={"rows": len(tally)},
    )
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["月份", "账号", "主题", "条数", "平均满意度"])
    for row in tally:
        w.writerow(
            [
                csv_cell(row.month),
                csv_cell(row.account),
                csv_cell(row.topic),
                row.count,
                "" if row.satisfaction is None else row.satisfaction,
            ]
        )
    response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = f"{timezone.localdate():%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="feedback-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def feedback_capture(request: HttpRequest, pk: int) -> HttpResponse:
    """记为反馈 on a comment (the inbox links this): POST topic, tags, satisfaction,
    next (a path on this site to return to)."""
    user = actor(request)
    comment = get_for(user, Comment.objects.select_related("unit", "channel"), pk)
    try:
        actions.capture_feedback(
            comment,
            actor=user,
            topic=request.POST.get("topic", ""),
            tags=_tags(request.POST.get("tags", "")),
            satisfaction=_satisfaction(request.POST.get("satisfaction", "")),
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已记为意见反馈。")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "feedback_page")


@login_required
@require_POST
def feedback_tag(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    f = get_for(user, Feedback.objects.select_related("unit"), pk)
    try:
        actions.tag_feedback(
            f,
            actor=user,
            topic=request.POST.get("topic", ""),
            tags=_tags(request.POST.get("tags", "")),
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已更新主题和标签。")
    return redirect("feedback_page")
