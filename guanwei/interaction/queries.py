"""Read-only questions about the interaction desk (no state changes here)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.db.models import (
    Aggregate,
    DurationField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from guanwei.channels.models import Channel
from guanwei.interaction.models import (
    Activity,
    ActivityStatus,
    Comment,
    CommentNote,
    Feedback,
    ItemStatus,
    Scope,
    Visibility,
)
from guanwei.orgs.models import Organisation, Unit, User
from guanwei.orgs.permissions import can, holds_anywhere

# ===================================================================== activities


def activity_for(channel_id: int, moment: datetime) -> Activity | None:
    """The activity that ran on the account at ``moment`` (started, and not finished
    before it): what the ingest pipeline tags a comment fetched then with (W-08)."""
    return (
        Activity.objects.filter(
            channel_id=channel_id,
            status__in=(ActivityStatus.RUNNING, ActivityStatus.FINISHED),
            started_at__lte=moment,
        )
        .filter(Q(finished_at__isnull=True) | Q(finished_at__gte=moment))
        .order_by("-started_at", "-id")
        .first()
    )


def activity_rule_name(a: Activity) -> str:
    """The pack rule the activity's page names (制度：…), only where it asks something of
    this activity beyond the readiness checklist: an approval chain (T-06), or the consent
    of ``consent_from`` in a major weather event (W-08). Outside a major weather event a
    consent-only rule (the weather bureau's 重大天气过程微博活动) does not apply: not named."""
    from guanwei.interaction import actions

    rule = actions.activity_rule(a.organisation_id, a.rule_key)
    if rule is None:
        return ""
    applies = actions.activity_chain(a.organisation_id, rule) is not None or (
        a.major_weather and bool(rule.get("consent_from"))
    )
    return str(rule.get("name") or "") if applies else ""


def planned_step_names(a: Activity) -> list[str]:
    """A draft's approval steps as submitting it will make them (the consent step only in
    a major weather event): what the page tells its planner before he submits."""
    from guanwei.core.errors import DomainError
    from guanwei.interaction import actions

    rule = actions.activity_rule(a.organisation_id, a.rule_key)
    if rule is None:
        return []
    try:
        steps = actions.planned_steps(
            a.organisation_id, rule, a.unit, major_weather=a.major_weather
        )
    except DomainError:
        return []  # submitting says why (the rule names a unit that is not there)
    return [f"{s.name}（{s.unit.name}）" for s in steps]


def may_open_activities(user: User, organisation: Organisation) -> bool:
    """The activities page: who plans them (writes posts) or approves them — where the
    rule book provides for activities (the college's does not: no page that can only say
    there is nothing to do), or some were planned before."""
    from guanwei.interaction import actions

    if not (
        holds_anywhere(user, "post.create", organisation)
        or holds_anywhere(user, "activity.approve", organisation)
    ):
        return False
    return (
        bool(actions.activity_rules(organisation.pk))
        or Activity.objects.filter(organisation=organisation).exists()
    )


def activities_for(user: User, organisation: Organisation) -> QuerySet[Activity]:
    """The organisation's activities ``user`` may see (the access rule, row by row)."""
    from guanwei.orgs.access import may_see

    rows = Activity.objects.filter(organisation=organisation).select_related("channel", "unit")
    ids = [a.pk for a in rows if may_see(user, a)]
    return rows.filter(pk__in=ids).prefetch_related("steps")


# ===================================================================== harm reports


def may_open_reports(user: User, organisation: Organisation) -> bool:
    """The reports page (C-10): who may report there, and the opinion office."""
    from guanwei.interaction import actions

    return actions.may_report_harm(user, organisation) or actions.may_handle_reports(
        user, organisation
    )


def may_read_all_reports(user: User, organisation: Organisation) -> bool:
    """Every report of the organisation, read only (C-10's 总体监管: the Propaganda
    Department's head, ``report.view`` over the organisation), or to handle them (the
    opinion office)."""
    from guanwei.interaction import actions

    return actions.may_handle_reports(user, organisation) or can(user, "report.view", organisation)


def may_open_rules(user: User, organisation: Organisation) -> bool:
    """评论处理规则 (W-18): who edits the organisation's moderation rules."""
    from guanwei.interaction import actions

    return actions.may_edit_rules(user, organisation)


# ===================================================================== feedback


def may_open_feedback(user: User, organisation: Organisation) -> bool:
    """The feedback page: who records it (comment.moderate) or reads statistics."""
    return holds_anywhere(user, "comment.moderate", organisation) or holds_anywhere(
        user, "report.view", organisation
    )


def feedback_units(user: User, organisation: Organisation) -> list[int]:
    """The units whose feedback ``user`` reads: where he handles comments or reads
    statistics."""
    from guanwei.orgs.models import Unit
    from guanwei.orgs.permissions import can

    return [
        u.pk
        for u in Unit.objects.filter(organisation=organisation)
        if can(user, "comment.moderate", u) or can(user, "report.view", u)
    ]


def feedback_for(user: User, organisation: Organisation) -> QuerySet[Feedback]:
    return Feedback.objects.filter(
        organisation=organisation, unit_id__in=feedback_units(user, organisation)
    ).select_related("channel", "unit", "created_by")


@dataclass(frozen=True)
class TallyRow:
    month: str  # 2026-12
    account: str
    topic: str
    count: int
    satisfaction: float | None  # the mean of the stated ones


def feedback_tally(rows: QuerySet[Feedback]) -> list[TallyRow]:
    """Per month (local time), account and topic: how many, and the mean satisfaction."""
    from django.db.models import Avg, Count
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    grouped = (
        rows.annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "channel__name", "unit__name", "topic")
        .annotate(n=Count("id"), mean=Avg("satisfaction"))
        .order_by("-month", "channel__name", "topic")
    )
    return [
        TallyRow(
            month=f"{g['month']:%Y-%m}",
            account=g["channel__name"] or g["unit__name"],
            topic=g["topic"] or "未分类",
            count=g["n"],
            satisfaction=round(float(g["mean"]), 2) if g["mean"] is not None else None,
        )
        for g in grouped
    ]


# ===================================================================== inbox (互动台)
# W-18, W-19: one inbox per publishing unit — every comment and message of the accounts of
# the units on whose staff the person is (interaction.access.on_account_staff: handles
# their comments, or answers their questions through a role held there), and whatever is
# assigned or escalated to them personally (W-20: an organisation's expert sees the
# questions given to her, nothing else), or whose reply waits for their approval.

INBOX_PAGE = 50
INBOX_FILTERS: dict[str, str] = {
    "": "全部",
    "open": "未处理",
    "questions": "网友提问",
    "escalated": "已上报领导",
    "mine": "分给我的",
    "done": "已处理",
    "approve": "待我审定回复",  # W-20
}


def inbox_units(user: User, organisation: Organisation) -> list[Unit]:
    """The units on whose staff ``user`` is: all their accounts' comments are in his inbox
    (a few dozen units at most)."""
    from guanwei.interaction.access import on_account_staff

    if not (
        holds_anywhere(user, "comment.moderate", organisation)
        or holds_anywhere(user, "question.answer", organisation)
    ):
        return []
    return [
        u
        for u in Unit.objects.filter(organisation=organisation).order_by("path")
        if on_account_staff(user, u)
    ]


def may_open_inbox(user: User, organisation: Organisation) -> bool:
    """互动台: who handles comments or answers questions somewhere in the organisation, or
    has an item assigned or escalated to them."""
    if holds_anywhere(user, "comment.moderate", organisation) or holds_anywhere(
        user, "question.answer", organisation
    ):
        return True
    if Comment.objects.filter(
        Q(assignee=user) | Q(escalated_to=user), organisation=organisation
    ).exists():
        return True
    from guanwei.interaction.replies import awaiting_comment_ids

    return bool(awaiting_comment_ids(user, organisation.pk))  # W-20: a reply's approver


def _visible(user: User, organisation: Organisation) -> QuerySet[Comment]:
    from guanwei.interaction.replies import awaiting_comment_ids

    units = inbox_units(user, organisation)
    awaiting = awaiting_comment_ids(user, organisation.pk)  # W-20: replies to approve
    return Comment.objects.filter(organisation=organisation).filter(
        Q(unit__in=units) | Q(assignee=user) | Q(escalated_to=user) | Q(pk__in=awaiting)
    )


def _filtered(
    rows: QuerySet[Comment], user: User, show: str, channel_id: int | None
) -> QuerySet[Comment]:
    if show == "open":
        rows = rows.exclude(status=ItemStatus.DONE)
    elif show == "questions":
        rows = rows.filter(is_question=True)
    elif show == "escalated":
        rows = rows.filter(status=ItemStatus.ESCALATED)
    elif show == "mine":
        rows = rows.filter(assignee=user)
    elif show == "done":
        rows = rows.filter(status=ItemStatus.DONE)
    elif show == "approve":
        from guanwei.interaction.replies import awaiting_comment_ids

        rows = rows.filter(pk__in=awaiting_comment_ids(user, None))
    if channel_id:
        rows = rows.filter(channel_id=channel_id)
    return rows


def inbox_count_since(
    user: User,
    organisation: Organisation,
    *,
    show: str = "",
    channel_id: int | None = None,
    since_id: int = 0,
) -> int:
    """How many items arrived after ``since_id`` (the newest one the page shows): the
    banner the page polls, so a refresh never wipes what someone is typing."""
    rows = _filtered(_visible(user, organisation), user, show, channel_id)
    return rows.filter(pk__gt=since_id).count()


def inbox(
    user: User,
    organisation: Organisation,
    *,
    show: str = "",
    channel_id: int | None = None,
    label: str = "",
    order: str = "new",
    after: tuple[datetime, int] | None = None,
) -> list[Comment]:
    """One page of the inbox, newest first (by arrival: the platform's own times can be
    missing or skewed) or by reply deadline (``order="sla"``: the soonest due first, open
    items only). The query count does not depend on the number of items."""
    rows = _filtered(_visible(user, organisation), user, show, channel_id)
    if label and _json_contains():
        rows = rows.filter(labels__contains=[label])
    elif label:
        # SQLite has no JSON containment: narrow in SQL on the text (the exact label is
        # checked below), so older labelled items are reached, not only this page's.
        rows = rows.filter(labels__icontains=json.dumps(label)[1:-1])
    rows = rows.select_related(
        "unit", "channel", "post", "assignee", "escalated_to", "activity"
    ).prefetch_related(Prefetch("notes", queryset=CommentNote.objects.select_related("author")))
    if order == "sla":
        rows = rows.exclude(status=ItemStatus.DONE).filter(reply_due_at__isnull=False)
        return list(rows.order_by("reply_due_at", "id")[:INBOX_PAGE])
    if after is not None:
        at, pk = after
        rows = rows.filter(Q(fetched_at__lt=at) | Q(fetched_at=at, pk__lt=pk))
    items = list(rows.order_by("-fetched_at", "-id")[:INBOX_PAGE])
    if label and not _json_contains():  # SQLite without JSON containment: filter here
        items = [c for c in items if label in (c.labels or [])]
    return items


def _json_contains() -> bool:
    from django.db import connection

    return bool(connection.features.supports_json_field_contains)


def segments(comment: Comment) -> list[tuple[str, str]]:
    """The comment's text cut at its screening hits: (text, "" or the hit's category
    label). The template escapes every piece; nothing of the text is ever marked safe."""
    from guanwei.screening.labels import category_label

    text = comment.text or ""
    spans = sorted(
        (int(h.get("start", 0)), int(h.get("end", 0)), str(h.get("category", "")))
        for h in (comment.hits or [])
        if isinstance(h, dict) and 0 <= int(h.get("start", 0)) < int(h.get("end", 0)) <= len(text)
    )
    out: list[tuple[str, str]] = []
    at = 0
    for start, end, category in spans:
        if start < at:  # overlapping hits: the first one marks the span
            continue
        if start > at:
            out.append((text[at:start], ""))
        out.append((text[start:end], category_label(category) or "筛查提示"))
        at = end
    if at < len(text):
        out.append((text[at:], ""))
    return out


def response_minutes(comment: Comment) -> int | None:
    """Minutes from arrival to the first response (a reply sent, hidden, deleted, escalated
    or marked done by a person): what the reply deadline is measured against."""
    if comment.first_response_at is None:
        return None
    return max(int((comment.first_response_at - comment.fetched_at).total_seconds() // 60), 0)


def assignable_people(comment: Comment) -> list[User]:
    """Whom an item may be given to: people who handle comments or answer questions on its
    account's unit (its staff, and the organisation's experts: W-20)."""
    from guanwei.interaction.access import may_be_given
    from guanwei.orgs.models import Membership

    ids = set(
        Membership.objects.filter(
            unit__organisation_id=comment.organisation_id, revoked_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    people = User.objects.filter(pk__in=ids, is_active=True).order_by("username")
    return [p for p in people if may_be_given(p, comment.unit)]


def escalation_roles(organisation_id: int) -> list[str]:
    """Whom 上报领导 on 互动台 tells: the roles the organisation's moderation rules escalate
    to (the pack's words for its leaders), else the supervising leader."""
    from guanwei.interaction.models import ModerationRule

    roles: list[str] = []
    for actions_ in ModerationRule.objects.filter(organisation_id=organisation_id).values_list(
        "actions", flat=True
    ):
        for a in actions_ or []:
            if isinstance(a, dict) and a.get("do") == "escalate":
                roles += [r for r in a.get("roles") or [] if r not in roles]
    return roles or ["supervising_leader"]


def escalation_targets(comments: list[Comment]) -> dict[int, int | None]:
    """Per comment, whom 上报领导 would tell (``moderation.escalation_target`` with the
    organisation's ``escalation_roles``): looked up once per account unit, so the inbox's
    query count does not grow with its items."""
    from guanwei.interaction.moderation import escalation_target

    roles: dict[int, list[str]] = {}
    by_unit: dict[int, int | None] = {}
    out: dict[int, int | None] = {}
    for c in comments:
        if c.unit_id not in by_unit:
            if c.organisation_id not in roles:
                roles[c.organisation_id] = escalation_roles(c.organisation_id)
            by_unit[c.unit_id] = escalation_target(c, roles[c.organisation_id])
        out[c.pk] = by_unit[c.unit_id]
    return out


def escalation_target(comment: Comment) -> int | None:
    """Whom 上报领导 on ``comment`` would tell."""
    return escalation_targets([comment])[comment.pk]


# ===================================================================== replies (W-19, W-20)


def reply_panels(
    user: User, comments: list[Comment], kept: dict[int, tuple[str, str]] | None = None
) -> dict[int, dict[str, object]]:
    """Per inbox item: its latest reply and what ``user`` may do with it (only the buttons
    the person may use are shown), and the text the draft box starts with (the draft, a
    returned reply, or the pack's routing text for a question out of scope). ``kept``: per
    comment, the text the person typed and why it was refused (W-19, W-20: a refused reply
    comes back in the box as typed, with the reason beside it)."""
    from guanwei.interaction import experts, replies
    from guanwei.interaction.models import Reply, ReplyStatus, Scope

    latest: dict[int, Reply] = {}
    for one in Reply.objects.filter(comment__in=comments).select_related(
        "drafted_by", "decided_by", "approval_unit"
    ):
        if one.comment_id not in latest or one.pk > latest[one.comment_id].pk:
            latest[one.comment_id] = one
    routes: dict[int, str] = {}
    deciders: dict[int, list[int] | None] = {}
    out: dict[int, dict[str, object]] = {}
    for c in comments:
        r = latest.get(c.pk)
        if r is not None:
            r.comment = c
        drafts = replies.may_draft(user, c) and (
            r is None or r.status in (ReplyStatus.DRAFT, ReplyStatus.REJECTED, ReplyStatus.FAILED)
        )
        blocked = ""
        if drafts:
            # Nobody but the person could approve it (decision 0010: not his own text): no
            # box that 提交审定 would refuse — say who writes instead.
            if c.unit_id not in deciders:
                approval = experts.approval_for(c)
                deciders[c.unit_id] = (
                    experts.holders(approval.unit, approval.roles) if approval else None
                )
            found = deciders[c.unit_id]
            if found is not None and not set(found) - {user.pk}:
                drafts = False
                blocked = (
                    "您是这条回复的审定人：请由经办人或专家起草后提交给您审定。"
                    if user.pk in found
                    else "本单位尚无回复审定人，暂不能在系统中回复，请联系管理员。"
                )
        start = ""
        if drafts:
            if r is not None and r.status in (ReplyStatus.DRAFT, ReplyStatus.REJECTED):
                start = r.text
            elif c.is_question and c.scope == Scope.OUT:
                if c.organisation_id not in routes:
                    routes[c.organisation_id] = experts.route_text(c.organisation_id)
                start = routes[c.organisation_id]
        refused = ""
        if drafts and kept and c.pk in kept:
            start, refused = kept[c.pk]
        sends = r is not None and replies.may_send(user, r)
        out[c.pk] = {
            "reply": r,
            "may_draft": drafts,
            "blocked": blocked,
            "start": start,
            "refused": refused,
            "routed": c.is_question and c.scope == Scope.OUT,
            "may_approve": r is not None and replies.may_approve(user, r),
            "may_send": sends and r is not None and r.status == ReplyStatus.APPROVED,
            "may_check": sends and r is not None and replies.may_check(r),
            "approvers": (
                list(User.objects.filter(pk__in=replies.approvers(r)).order_by("pk"))
                if r is not None and r.status == ReplyStatus.IN_REVIEW
                else []
            ),
        }
    return out


# ===================================================================== representative Q&A


def own_account_id(channel: Channel) -> str:
    """The account's own id on its platform: the registry's ``account_id``, else the
    ``uid`` of its connection settings (the demo's accounts on the fakes)."""
    from guanwei.publishing.credentials import public_settings_for

    uid = public_settings_for(channel).get("uid", "")
    return channel.account_id.strip() or str(uid).strip()


def answers_for(comments: list[Comment]) -> dict[int, str]:
    """The answer on record for each comment (E-05): the last reply sent through the
    product (W-20), else the account's own reply fetched from the platform (a comment by
    the account whose ``reply_to`` is this one). Two queries, whatever the count."""
    from guanwei.interaction.models import Reply, ReplyStatus, Source

    found: dict[int, str] = {}
    public = [c for c in comments if c.source == Source.COMMENT]
    if not public:
        return found
    by_remote = {(c.channel_id, c.remote_id): c for c in public}
    own: dict[int, str] = {}
    for c in public:  # one settings read per account, not per comment
        if c.channel_id not in own:
            own[c.channel_id] = own_account_id(c.channel)
    for channel_id, reply_to, author_id, text in (
        Comment.objects.filter(channel_id__in=set(own), reply_to__in={c.remote_id for c in public})
        .order_by("created_at", "id")
        .values_list("channel_id", "reply_to", "author_id", "text")
    ):
        asked = by_remote.get((channel_id, reply_to))
        if asked is not None and own.get(channel_id) and author_id == own[channel_id]:
            found[asked.pk] = text
    for comment_id, text in (
        Reply.objects.filter(comment__in=[c.pk for c in public], status=ReplyStatus.SENT)
        .order_by("sent_at", "id")
        .values_list("comment_id", "text")
    ):
        found[comment_id] = text  # a reply sent through the product wins
    return found


def showcase_units(user: User, organisation: Organisation) -> list[Unit]:
    """Whose accounts' representative Q&A ``user`` reads and picks: the inbox's units."""
    return inbox_units(user, organisation)


def representative_for(user: User, organisation: Organisation) -> list[Comment]:
    """The representative Q&A of the accounts ``user`` handles, per account then newest
    first (E-05)."""
    units = showcase_units(user, organisation)
    return list(
        Comment.objects.filter(
            organisation=organisation,
            unit__in=units,
            is_representative=True,
            visibility=Visibility.VISIBLE,  # hidden or deleted later: no longer shown
        )
        .exclude(verdict="block")
        .select_related("channel", "unit", "post")
        .order_by("channel__name", "channel_id", "-created_at", "-id")
    )


# ===================================================================== statistics (互动统计)
# W-20, 第四条(四) of the weather bureau's rule book: 汇总需要回复的问题, 组织专家解答, 收集反馈,
# 微博气象服务统计分析和效果评价. Per account and month: what came in, what the rules and people
# took down, the questions and how they were answered (on time or late by the reply
# deadlines the oversight room holds), per expert and topic, and the feedback. Everything is
# counted in the database: the number of queries does not depend on the number of comments
# (decision 0028 defines each figure).

STATISTICS_PLATFORMS = ("weibo", "wechat")  # the accounts that receive comments (the inbox's)
QUESTION = Q(is_question=True, scope__in=(Scope.IN, Scope.OUT))


def may_open_statistics(user: User, organisation: Organisation) -> bool:
    """互动统计 (W-20): the publishing unit's staff and leaders — who handles comments
    (``comment.moderate``) or reads statistics (``report.view``, the rule book's 统计分析
    duty) somewhere in the organisation; the same people as 意见反馈 and 舆情关注."""
    return may_open_feedback(user, organisation)


def statistics_channels(user: User, organisation: Organisation) -> list[Channel]:
    """The accounts whose figures ``user`` reads (object level): those of the units where he
    handles comments or reads statistics (:func:`feedback_units`)."""
    return list(
        Channel.objects.filter(
            organisation=organisation,
            unit_id__in=feedback_units(user, organisation),
            platform__in=STATISTICS_PLATFORMS,
        )
        .select_related("unit", "settings")
        .order_by("unit__path", "pk")
    )


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    def start(self) -> datetime:
        """Its first moment in the product's time zone (Asia/Shanghai)."""
        from django.utils import timezone

        return datetime(self.year, self.month, 1, tzinfo=timezone.get_current_timezone())

    def end(self) -> datetime:
        return self.following().start()

    def following(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)


def this_month() -> Month:
    from django.utils import timezone

    today = timezone.localdate()
    return Month(today.year, today.month)


def month_of(text: str) -> Month | None:
    """``2026-11`` → that month; anything else (or a month before 2000 or after next
    year) → None."""
    import re

    m = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip())
    if m is None:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or not 2000 <= year <= this_month().year + 1:
        return None
    return Month(year, month)


def recent_months(count: int = 24) -> list[Month]:
    """This month and the ``count - 1`` before it, newest first (the month selector)."""
    months = [this_month()]
    while len(months) < count:
        months.append(months[-1].previous())
    return months


@dataclass
class AccountFigures:
    """One account's month (or the total of the accounts shown, ``channel`` None)."""

    name: str
    channel: Channel | None = None
    received: int = 0
    hidden_by_rule: int = 0
    hidden_by_people: int = 0
    deleted_by_rule: int = 0
    deleted_by_people: int = 0
    questions_in: int = 0
    questions_out: int = 0
    answered: int = 0
    on_time: int = 0
    late: int = 0
    median_minutes: int | None = None
    p90_minutes: int | None = None
    open_now: int = 0

    @property
    def questions(self) -> int:
        return self.questions_in + self.questions_out

    COUNTS = (
        "received",
        "hidden_by_rule",
        "hidden_by_people",
        "deleted_by_rule",
        "deleted_by_people",
        "questions_in",
        "questions_out",
        "answered",
        "on_time",
        "late",
        "open_now",
    )


@dataclass(frozen=True)
class ExpertFigures:
    name: str
    assigned: int
    answered: int
    late: int


@dataclass(frozen=True)
class TopicFigures:
    topic: str  # its name (triage.topic_label)
    questions: int


@dataclass(frozen=True)
class TagCount:
    tag: str
    count: int


@dataclass(frozen=True)
class Statistics:
    month: Month
    accounts: list[AccountFigures]
    total: AccountFigures
    experts: list[ExpertFigures]
    topics: list[TopicFigures]
    feedback_topics: list[TallyRow]
    feedback_tags: list[TagCount]


def _labelled(label: str) -> Q:
    if _json_contains():
        return Q(labels__contains=[label])
    return Q(labels__icontains=json.dumps(label)[1:-1])  # SQLite: on the JSON text


def _month_comments(channels: list[Channel], month: Month) -> QuerySet[Comment]:
    """The comments, messages and mentions that reached the accounts in the month (by
    arrival: ``fetched_at``), the accounts' own replies left out."""
    from guanwei.interaction.experts import OWN_REPLY

    rows = Comment.objects.filter(
        channel_id__in=[c.pk for c in channels],
        fetched_at__gte=month.start(),
        fetched_at__lt=month.end(),
    )
    own = {o for o in map(own_account_id, channels) if o}
    if own:
        rows = rows.exclude(author_id__in=own)
    return rows.exclude(_labelled(OWN_REPLY)).order_by()


def _answered() -> Exists:
    """A reply to the comment went out (W-20: sent through the product, once)."""
    from guanwei.interaction.models import Reply, ReplyStatus

    return Exists(Reply.objects.filter(comment_id=OuterRef("pk"), status=ReplyStatus.SENT))


def _deadline(*statuses: str) -> Exists:
    """The comment's reply deadline (the oversight room's row) is in ``statuses``."""
    from guanwei.interaction.experts import deadline_key_of_row
    from guanwei.oversight.queries import deadline_in

    return deadline_in(deadline_key_of_row(), statuses)


def _moderated_by_person() -> Subquery:
    """Who took the comment down last (its latest hide / delete audit record, or a rule's
    platform call queued): a person's id, or None for a moderation rule (the system)."""
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from guanwei.audit.events import AuditAction
    from guanwei.audit.models import AuditRecord

    return Subquery(
        AuditRecord.objects.filter(
            object_type="comment",
            object_id=Cast(OuterRef("pk"), CharField()),
            action__in=[
                AuditAction.COMMENT_HIDDEN,
                AuditAction.COMMENT_DELETED,
                AuditAction.COMMENT_DELETE_REFUSED,
                AuditAction.COMMENT_PLATFORM_QUEUED,  # a rule's, hidden until the call is made
            ],
        )
        .order_by("-seq")
        .values("actor_id")[:1]
    )


class _Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont``: the continuous percentile of an interval."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = DurationField()


def _percentile(values: list[timedelta], fraction: float) -> timedelta | None:
    """``percentile_cont`` in Python (SQLite has none): linear between the two nearest."""
    if not values:
        return None
    ordered = sorted(values)
    at = fraction * (len(ordered) - 1)
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def _minutes(d: timedelta | None) -> int | None:
    """Whole minutes, as :func:`response_minutes` counts them."""
    return None if d is None else max(int(d.total_seconds() // 60), 0)


def interaction_statistics(
    user: User, organisation: Organisation, month: Month, channels: list[Channel]
) -> Statistics:
    """W-20: the month's figures of ``channels`` (the caller passes only accounts of
    :func:`statistics_channels`). Ten queries, however many comments, replies,
    deadlines or feedback (on PostgreSQL the percentiles are ``percentile_cont``; SQLite
    has none: the month's response times are read in one query and interpolated alike)."""
    from django.db import connection
    from django.db.models import Count, ExpressionWrapper, F

    from guanwei.interaction.triage import topic_label
    from guanwei.oversight.models import DeadlineStatus

    base = _month_comments(channels, month)
    answered, met = _answered(), _deadline(DeadlineStatus.MET)
    late = _deadline(DeadlineStatus.BREACHED)
    responded = QUESTION & Q(first_response_at__isnull=False)
    waited = ExpressionWrapper(F("first_response_at") - F("fetched_at"), DurationField())
    in_db = connection.vendor == "postgresql"
    figures = {c.pk: AccountFigures(c.name, c) for c in channels}
    total = AccountFigures("合计")

    counts: dict[str, Any] = {
        "received": Count("id"),
        "questions_in": Count("id", filter=Q(is_question=True, scope=Scope.IN)),
        "questions_out": Count("id", filter=Q(is_question=True, scope=Scope.OUT)),
        "answered": Count("id", filter=QUESTION & Q(answered)),
        "on_time": Count("id", filter=QUESTION & Q(met)),
        "late": Count("id", filter=QUESTION & Q(late)),
    }
    if in_db:
        counts["median"] = _Percentile(waited, fraction=0.5, filter=responded)
        counts["p90"] = _Percentile(waited, fraction=0.9, filter=responded)
    per_account = cast(Iterable[Mapping[str, Any]], base.values("channel_id").annotate(**counts))
    for one in per_account:  # 1
        f = figures[one["channel_id"]]
        for name in ("received", "questions_in", "questions_out", "answered", "on_time", "late"):
            setattr(f, name, one[name])
        if in_db:
            f.median_minutes, f.p90_minutes = _minutes(one["median"]), _minutes(one["p90"])
    if in_db:
        overall = base.filter(responded).aggregate(  # 2
            median=_Percentile(waited, fraction=0.5), p90=_Percentile(waited, fraction=0.9)
        )
        total.median_minutes = _minutes(overall["median"])
        total.p90_minutes = _minutes(overall["p90"])
    else:
        waits: dict[int | None, list[timedelta]] = {None: []}
        for channel_id, fetched, first in base.filter(responded).values_list(  # 2
            "channel_id", "fetched_at", "first_response_at"
        ):
            assert first is not None  # responded
            waits.setdefault(channel_id, []).append(first - fetched)
            waits[None].append(first - fetched)
        for key, values in waits.items():
            f = total if key is None else figures[key]
            f.median_minutes = _minutes(_percentile(values, 0.5))
            f.p90_minutes = _minutes(_percentile(values, 0.9))

    down = (  # 3: hidden or deleted, by a rule or by a person
        base.exclude(visibility=Visibility.VISIBLE)
        .annotate(by=_moderated_by_person())
        .values("channel_id", "visibility")
        .annotate(n=Count("id"), people=Count("id", filter=Q(by__isnull=False)))
    )
    for row in down:
        f = figures[row["channel_id"]]
        kind = "hidden" if row["visibility"] == Visibility.HIDDEN else "deleted"
        setattr(f, f"{kind}_by_people", getattr(f, f"{kind}_by_people") + row["people"])
        setattr(f, f"{kind}_by_rule", getattr(f, f"{kind}_by_rule") + row["n"] - row["people"])

    still_open = (  # 4: questions waiting now, whatever month they came in
        Comment.objects.filter(
            QUESTION, channel_id__in=list(figures), visibility=Visibility.VISIBLE
        )
        .exclude(status=ItemStatus.DONE)
        .order_by()
        .values("channel_id")
        .annotate(n=Count("id"))
    )
    for waiting in still_open:
        figures[waiting["channel_id"]].open_now = waiting["n"]
    for f in figures.values():
        for name in AccountFigures.COUNTS:
            setattr(total, name, getattr(total, name) + getattr(f, name))

    per_expert = list(  # 5
        base.filter(QUESTION, assignee__isnull=False)
        .values("assignee_id")
        .annotate(
            assigned=Count("id"),
            answered=Count("id", filter=Q(answered)),
            late=Count("id", filter=Q(late)),
        )
    )
    ids = [r["assignee_id"] for r in per_expert]
    people = {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}  # 6
    experts = sorted(
        (
            ExpertFigures(people.get(r["assignee_id"], ""), r["assigned"], r["answered"], r["late"])
            for r in per_expert
        ),
        key=lambda e: (-e.assigned, e.name),
    )

    by_topic: dict[str, int] = {}
    for topic, n in (
        base.filter(QUESTION).values("topic").annotate(n=Count("id")).values_list("topic", "n")
    ):  # 7
        label = topic_label(topic)
        by_topic[label] = by_topic.get(label, 0) + n
    topics = [TopicFigures(t, n) for t, n in sorted(by_topic.items(), key=lambda i: (-i[1], i[0]))]

    feedback_topics, feedback_tags = _month_feedback(user, organisation, month, channels)  # 8, 9
    return Statistics(
        month=month,
        accounts=list(figures.values()),
        total=total,
        experts=experts,
        topics=topics,
        feedback_topics=feedback_topics,
        feedback_tags=feedback_tags,
    )


def _month_feedback(
    user: User, organisation: Organisation, month: Month, channels: list[Channel]
) -> tuple[list[TallyRow], list[TagCount]]:
    """The month's feedback of the accounts (W-20 收集网友直接反馈的意见和建议): the feedback
    page's own tally (:func:`feedback_tally`: per account and topic), and how many items
    carry each tag (counted over the month's items: one query, the tags being a list)."""
    rows = feedback_for(user, organisation).filter(
        channel_id__in=[c.pk for c in channels],
        created_at__gte=month.start(),
        created_at__lt=month.end(),
    )
    tally = feedback_tally(rows)
    tags: dict[str, int] = {}
    for item_tags in rows.values_list("tags", flat=True):
        for tag in set(item_tags or []):
            tags[str(tag)] = tags.get(str(tag), 0) + 1
    counted = [TagCount(t, n) for t, n in sorted(tags.items(), key=lambda i: (-i[1], i[0]))]
    return tally, counted
