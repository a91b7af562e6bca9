"""The interaction desk's pages (互动台, W-18, W-19). Views parse, fetch through the access
rule, call one action and answer; the inbox list refreshes itself (htmx polling)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from guanwei.channels.models import Channel
from guanwei.core.errors import DomainError
from guanwei.interaction import actions, moderation, queries, watchlist
from guanwei.interaction.models import Comment, Feedback
from guanwei.keyset import cursor_text, parse_cursor
from guanwei.orgs.access import get_for, may_see
from guanwei.orgs.models import Organisation, User
from guanwei.orgs.pages import actor, current_org, page_context
from guanwei.orgs.permissions import can


def _org(request: HttpRequest) -> Organisation:
    org = current_org(request)
    if org is None or not queries.may_open_inbox(actor(request), org):
        raise Http404
    return org


def _person(u: User | None) -> str:
    return "" if u is None else str(u)  # 姓名 (display_name), else the login name


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    user = actor(request)
    show = request.GET.get("show", "")
    show = show if show in queries.INBOX_FILTERS else ""
    order = "sla" if request.GET.get("order") == "sla" else "new"
    label = request.GET.get("label", "").strip()[:64]
    units = queries.inbox_units(user, org)
    channels = list(
        Channel.objects.filter(unit__in=units, platform__in=("weibo", "wechat")).order_by("pk")
    )
    try:
        channel_id = int(request.GET.get("account") or 0)
    except ValueError:
        channel_id = 0
    if channel_id not in {c.pk for c in channels}:
        channel_id = 0
    params = {
        k: v
        for k, v in (
            ("show", show),
            ("order", "sla" if order == "sla" else ""),
            ("account", str(channel_id or "")),
            ("label", label),
        )
        if v
    }
    if request.GET.get("fragment") == "count":  # the banner htmx polls: new items since
        # Only the count: every open tab asks every 10 s, so none of the page's rows, notes
        # or assignable people are built for it.
        since = request.GET.get("since") or "0"
        since_id = int(since) if since.isascii() and since.isdigit() else 0
        fresh = queries.inbox_count_since(
            user, org, show=show, channel_id=channel_id or None, since_id=since_id
        )
        return render(
            request,
            "interaction/_inbox_new.html",
            {"fresh": fresh, "since": since_id, "params": params},
        )
    items = queries.inbox(
        user,
        org,
        show=show,
        channel_id=channel_id or None,
        label=label,
        order=order,
        after=parse_cursor(request.GET.get("after", "")),
    )
    people_by_unit: dict[int, list[User]] = {}
    rows: list[dict[str, Any]] = []
    now = timezone.now()
    answers = queries.answers_for(items)  # E-05: what was answered, for 精选问答
    captured = set(  # 第四条(四): already recorded as feedback
        Feedback.objects.filter(comment_id__in=[c.pk for c in items]).values_list(
            "comment_id", flat=True
        )
    )
    targets = queries.escalation_targets(  # W-18: nobody is offered to report to himself
        [c for c in items if can(user, "comment.moderate", c.unit)]
    )
    for c in items:
        handles = actions.may_handle(user, c)
        if handles and c.unit_id not in people_by_unit:
            people_by_unit[c.unit_id] = queries.assignable_people(c)
        rows.append(
            {
                "c": c,
                "segments": queries.segments(c),
                "handles": handles,
                "moderates": can(user, "comment.moderate", c.unit),
                "may_escalate": c.pk in targets and moderation.may_escalate(user, c, targets[c.pk]),
                "works_on": handles or user.pk in (c.assignee_id, c.escalated_to_id),
                "people": people_by_unit.get(c.unit_id, []),
                "assignee": _person(c.assignee),
                "escalated_to": _person(c.escalated_to),
                "response_minutes": queries.response_minutes(c),
                "overdue": c.reply_due_at is not None
                and c.first_response_at is None
                and c.reply_due_at < now,
                "long": len(c.text) > 500,
                "post_visible": c.post is not None and may_see(user, c.post),
                "answer": answers.get(c.pk, ""),
                "may_pick": handles and actions.may_pick(c, answers.get(c.pk)),
                "feedback": c.pk in captured,
            }
        )
    panels = queries.reply_panels(user, items, _kept_replies(request))  # W-19, W-20
    for row in rows:
        row["reply"] = panels[row["c"].pk]
    more = ""
    if order == "new" and len(items) == queries.INBOX_PAGE:
        last = items[-1]
        more = cursor_text(last.fetched_at, last.pk)
    context = page_context(
        request,
        org,
        rows=rows,
        filters=queries.INBOX_FILTERS,
        show=show,
        order=order,
        label=label,
        channels=channels,
        channel_id=channel_id,
        params=params,
        more=more,
        here=request.get_full_path(),
        newest=max((c.pk for c in items), default=0),
        may_edit_rules=actions.may_edit_rules(user, org),
        may_watch=watchlist.may_open_watch(user, org),
        may_showcase=bool(units),
    )
    return render(request, "interaction/inbox.html", context)


def next_url(request: HttpRequest) -> str:
    """Where a form of 互动台 returns to: its ``next`` when it is on this site, else the inbox."""
    target = request.POST.get("next", "")
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = reverse("inbox")
    return target


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(next_url(request))


# W-19, W-20: a reply refused when saved or submitted comes back in its box as typed (the
# session carries it over the redirect to the page, once).
KEPT_REPLIES = "interaction_kept_replies"


def keep_reply(request: HttpRequest, comment_id: int, text: str, reason: str) -> None:
    kept = dict(request.session.get(KEPT_REPLIES) or {})
    kept[str(comment_id)] = [text[:2000], reason]
    request.session[KEPT_REPLIES] = kept


def _kept_replies(request: HttpRequest) -> dict[int, tuple[str, str]]:
    raw = request.session.pop(KEPT_REPLIES, None) or {}
    return {
        int(k): (str(v[0]), str(v[1]))
        for k, v in raw.items()
        if k.isascii() and k.isdigit() and isinstance(v, list) and len(v) == 2
    }


def _comment(request: HttpRequest, pk: int) -> Comment:
    return get_for(actor(request), Comment.objects.select_related("unit", "channel"), pk)


@login_required
@require_POST
def comment_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    comment = _comment(request, pk)
    raw = request.POST.get("assignee", "")
    assignee = None
    if raw:
        assignee = next((p for p in queries.assignable_people(comment) if str(p.pk) == raw), None)
        if assignee is None:
            messages.error(request, "请从列表中选择处理人。")
            return _back(request)
    try:
        actions.assign_comment(comment, assignee=assignee, actor=user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已分派给{_person(assignee)}。" if assignee else "已取消分派。")
    return _back(request)


@login_required
@require_POST
def comment_note(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    try:
        actions.note_comment(comment, text=request.POST.get("text", ""), actor=actor(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "备注已保存。")
    return _back(request)


@login_required
@require_POST
def comment_done(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    try:
        if request.POST.get("reopen"):
            actions.reopen_comment(comment, actor=actor(request))
        else:
            actions.mark_comment_done(comment, actor=actor(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request, "已重新打开。" if request.POST.get("reopen") else "已标记为已处理。"
        )
    return _back(request)


MODERATION_DONE = {"hide": "隐藏", "unhide": "取消隐藏", "delete": "删除", "escalate": "上报领导"}


@login_required
@require_POST
def comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    """隐藏 / 取消隐藏 / 在平台删除 / 上报领导 from the inbox (W-18), through the moderation
    actions (the platform is called by them, outside the transaction)."""
    user = actor(request)
    comment = _comment(request, pk)
    op = request.POST.get("op", "")
    reason = request.POST.get("reason", "").strip()[:200] or "互动台人工处理"
    try:
        if op == "hide":
            outcome = moderation.hide_comment(comment, actor=user, reason=reason)
        elif op == "unhide":
            outcome = moderation.unhide_comment(comment, actor=user, reason=reason)
        elif op == "delete":
            outcome = moderation.delete_comment(comment, actor=user, reason=reason)
        elif op == "escalate":
            outcome = moderation.escalate_comment(
                comment,
                actor=user,
                reason=reason,
                roles=queries.escalation_roles(comment.organisation_id),
            )
        else:
            messages.error(request, "请选择要执行的操作。")
            return _back(request)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, outcome.message)
    return _back(request)
