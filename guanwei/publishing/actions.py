"""Scheduling actions (REQ W-10, W-12, E-04, X-03): what a person or the scheduler does to
put an approved revision into publishing slots. Only a revision that
``workflow.queries.publishable_revision`` returns may be scheduled (invariant 1)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.channels.models import Channel, ChannelStatus
from guanwei.content import actions as content_actions
from guanwei.content.models import Post, PostRevision, PostStatus
from guanwei.orgs.errors import InvalidChange, PermissionDenied
from guanwei.orgs.models import User
from guanwei.orgs.permissions import SYSTEM, Actor, as_user, require
from guanwei.publishing.credentials import SECRET_SETTINGS
from guanwei.publishing.events import intents_released
from guanwei.publishing.models import OPEN_STATUSES, IntentStatus, PublishIntent
from guanwei.publishing.queries import may_publish_on
from guanwei.publishing.slots import counts_towards, day_count, day_kind, day_limits, next_free_slot
from guanwei.publishing.transitions import IN_FLIGHT, NOT_STARTED, RELEASED, move
from guanwei.workflow.queries import publishable_revision

# How late an approval may arrive after its planned slot and still go out (W-10 "about").
DEFAULT_GRACE = timedelta(minutes=10)


def require_publish_on(actor: Actor | None, channel: Channel) -> None:
    if not may_publish_on(actor, channel):
        raise PermissionDenied(f"您没有在账号“{channel.name}”上发布的权限。")


def _taken(channel: Channel) -> set[datetime]:
    return set(
        PublishIntent.objects.filter(channel=channel, status__in=OPEN_STATUSES).values_list(
            "due_at", flat=True
        )
    )


def day_full(channel: Channel, day: date, revision: PostRevision) -> str:
    """Why one more post of ``revision`` on ``channel`` on ``day`` would break a daily
    maximum of the pack (E-04: 工作日最多10条, 休息日每日3条), with the count; or ""."""
    for limit in day_limits(channel, day):
        if limit.max is None or not counts_towards(revision, limit):
            continue
        count = day_count(channel, day, limit, besides=revision)
        if count >= limit.max:
            return (
                f"“{channel.name}”在 {day:%m-%d}（{day_kind(day, channel.organisation_id)}）"
                f"已安排 {count} 条，已达“{limit.name}”的上限 {limit.max} 条，不能再安排；"
                "请换一天或先取消一条。"
            )
    return ""


def lock_accounts(channels: Sequence[Channel]) -> list[Channel]:
    """Lock the accounts' rows in id order (the first step of the lock order, see
    :func:`schedule_post`); returns them as locked, in the order given."""
    locked = {
        c.pk: c
        for c in Channel.objects.select_for_update()
        .filter(pk__in=[c.pk for c in channels])
        .order_by("pk")
    }
    return [locked[c.pk] for c in channels if c.pk in locked]


@transaction.atomic
def schedule_post(
    post: Post,
    *,
    actor: Actor | None,
    at: datetime | None = None,
    next_slot: bool = False,
    channels: Sequence[Channel] | None = None,
) -> list[PublishIntent]:
    """Schedule the approved revision on its channels: at ``at``, in each channel's next
    free slot, or now. One live intent per (revision, channel) (X-03): one that is still
    waiting is moved to the new time ("publish now" on an auto-scheduled post); one that
    failed or was cancelled is followed by a new one; one that is under way or published
    is not sent again. The person must be allowed to publish on every account named
    (:func:`may_publish_on`: a publisher of the account's unit, whichever unit wrote the
    post — C-09, T-01)."""
    # LOCK ORDER (publishing and channels): account → post → publication, i.e.
    # channels_channel, then content_post, then publishing_publishintent, each in id order.
    # change_channel (suspending/closing: cancel_channel_intents) and reschedule_expired
    # take the same order; taking them the other way round could deadlock.
    first = publishable_revision(Post.objects.get(pk=post.pk))
    if first is None:
        raise InvalidChange("只有审核通过的当前版本才能安排发布（修改后须重新审核）。")
    targets = list(channels) if channels is not None else list(first.channels.all())
    if not targets:
        raise InvalidChange("请至少选择一个发布账号。")
    now = timezone.now()
    if at is not None and timezone.is_naive(at):
        raise InvalidChange("发布时间缺少时区。")
    if at is not None and at < now - timedelta(minutes=1):
        raise InvalidChange(
            f"发布时间 {timezone.localtime(at):%Y-%m-%d %H:%M} 已经过去，"
            "请选择将来的时间或立即发布。"
        )
    intents: list[PublishIntent] = []
    for channel in targets:
        require_publish_on(actor, channel)
    # E-04: the day's count and the new intent under a lock on each account (in id order):
    # two publishers at once cannot both take the last place of a day. The accounts as
    # locked (their status is current).
    targets = lock_accounts(targets)
    post = Post.objects.select_for_update().get(pk=post.pk)
    revision = publishable_revision(post)
    if revision is None:
        raise InvalidChange("只有审核通过的当前版本才能安排发布（修改后须重新审核）。")
    if revision.pk != first.pk:
        raise InvalidChange("稿件刚被修改或重新审核，请刷新页面后再安排发布。")
    allowed = set(revision.channel_keys)
    for channel in targets:
        if channel.key not in allowed:
            raise InvalidChange(f"账号“{channel.name}”不在审核通过的版本中，不能发布到该账号。")
        if channel.status != ChannelStatus.ACTIVE:
            raise InvalidChange(f"账号“{channel.name}”不在运行中。")
        slot_key = ""
        due = max(at, now) if at is not None else now
        if next_slot:
            found = next_free_slot(
                channel,
                now,
                _taken(channel),
                revision.category,
                full=lambda day, c=channel: bool(day_full(c, day, revision)),  # type: ignore[misc]
            )
            if found is None:
                raise InvalidChange(f"“{channel.name}”未来两周没有空闲的发布时段，请指定时间。")
            due, slot = found
            slot_key = slot.key
        refused = day_full(channel, timezone.localtime(due).date(), revision)
        if refused:
            raise InvalidChange(refused)
        live = (
            PublishIntent.objects.select_for_update()
            .filter(revision=revision, channel=channel)
            .exclude(status__in=[IntentStatus.CANCELLED, IntentStatus.FAILED])
            .first()
        )
        if live is not None:
            intents.append(_move_waiting(live, due=due, slot=slot_key, actor=actor))
            continue
        intent = PublishIntent.objects.create(
            organisation_id=post.organisation_id,
            unit=post.unit,
            post=post,
            revision=revision,
            channel=channel,
            content_hash=revision.content_hash,
            due_at=due,
            slot=slot_key,
            scheduled_by=as_user(actor),
        )
        intents.append(intent)
        record(
            AuditAction.PUBLISH_SCHEDULED,
            actor=actor,
            object_type="publish_intent",
            object_id=intent.pk,
            object_repr=f"{post.title} → {channel.name}",
            organisation_id=post.organisation_id,
            after={
                "post": post.pk,
                "revision": revision.number,
                "channel": channel.key,
                "due_at": due.isoformat(),
                "slot": slot_key,
                "content_hash": revision.content_hash,
            },
        )
    content_actions.mark_scheduled(post, revision=revision)
    return intents


def _move_waiting(
    intent: PublishIntent, *, due: datetime, slot: str, actor: Actor | None
) -> PublishIntent:
    """A live intent for the same revision and account: a waiting one takes the new time;
    one already under way or out is not sent twice."""
    if intent.status not in (IntentStatus.SCHEDULED, IntentStatus.RETRY):
        raise InvalidChange(
            f"该版本在“{intent.channel.name}”上{intent.get_status_display()}，不会重复发布。"
        )
    before = intent.due_at
    PublishIntent.objects.filter(pk=intent.pk).update(due_at=due, slot=slot, next_attempt_at=None)
    intent.due_at, intent.slot, intent.next_attempt_at = due, slot, None
    record(
        AuditAction.PUBLISH_MOVED,
        actor=actor,
        object_type="publish_intent",
        object_id=intent.pk,
        object_repr=str(intent),
        organisation_id=intent.organisation_id,
        before={"due_at": before.isoformat()},
        after={"due_at": due.isoformat(), "slot": slot},
    )
    if due != before:  # the old day's count is released (a quota met ahead, E-04)
        intents_released.send(sender=PublishIntent, intents=[intent], before=[before])
    return intent


@transaction.atomic
def cancel_intent(intent: PublishIntent, *, actor: User) -> PublishIntent:
    """Withdraw a scheduled publication that has not started sending (by a person who may
    publish on its account)."""
    require_publish_on(actor, intent.channel)
    moved = move(
        [intent],
        [IntentStatus.SCHEDULED, IntentStatus.RETRY],
        IntentStatus.CANCELLED,
        actor=actor,
        fields=RELEASED,
    )
    if not moved:
        intent.refresh_from_db()
        raise InvalidChange(
            f"该发布任务{intent.get_status_display()}，不能取消（只有等待发布的任务可以取消）。"
        )
    intent.refresh_from_db()
    _unschedule_if_nothing_left([intent])
    return intent


def _unschedule_if_nothing_left(cancelled: list[PublishIntent]) -> None:
    """A post whose revision has no live or published intent left is approved again,
    nothing planned (the content room's transition)."""
    for (post_id, revision_id), intent in {
        (i.post_id, i.revision_id): i for i in cancelled
    }.items():
        if not PublishIntent.objects.filter(
            post_id=post_id,
            revision_id=revision_id,
            status__in=[*OPEN_STATUSES, IntentStatus.PUBLISHED],
        ).exists():
            content_actions.mark_unscheduled(intent.post, revision=intent.revision)


def cancel_open_intents(post: Post, *, actor: Actor | None, reason: str) -> int:
    """An edit of the post (content's revise hook): what has not started sending is
    cancelled, audited; while a send is in flight the edit is refused, so the text cannot
    change under a platform call (issue #8 §1). Cancels first, then checks: on
    PostgreSQL the cancelling UPDATE waits for a dispatcher's concurrent move to
    "sending", so one of the two always sees the other."""
    waiting = list(PublishIntent.objects.filter(post=post, status__in=NOT_STARTED))
    cancelled = move(
        waiting,
        list(NOT_STARTED),
        IntentStatus.CANCELLED,
        actor=actor,
        fields={
            **RELEASED,
            "error_code": "revised",
            "error_message": reason,
        },
        after={"reason": reason},
    )
    sending = (
        PublishIntent.objects.filter(post=post, status__in=IN_FLIGHT)
        .select_related("channel")
        .first()
    )
    if sending is not None:
        raise InvalidChange(
            f"该稿件正在发送到“{sending.channel.name}”，发送结束前不能修改。"
            "请稍候片刻再保存（您的修改仍在表单中）。"
        )
    return len(cancelled)


def cancel_channel_intents(channel: Channel, *, actor: Actor | None, status: str) -> int:
    """An account that is suspended or closed gets nothing: what was waiting for it is
    cancelled (audited) in the same transaction as the change (C-12, issue #8 §1)."""
    # The lock order (see schedule_post): the account is locked by change_channel; its
    # waiting publications' posts next, in id order; then the publications.
    waiting = list(PublishIntent.objects.filter(channel=channel, status__in=NOT_STARTED))
    list(
        Post.objects.select_for_update()
        .filter(pk__in={i.post_id for i in waiting})
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    label = ChannelStatus(status).label
    cancelled = move(
        waiting,
        list(NOT_STARTED),
        IntentStatus.CANCELLED,
        actor=actor,
        fields={
            **RELEASED,
            "error_code": "channel_inactive",
            "error_message": f"账号“{channel.name}”已{label}，发布已取消。",
        },
        after={"reason": f"channel {status}"},
    )
    _unschedule_if_nothing_left(cancelled)
    return len(cancelled)


@transaction.atomic
def expire_post(post: Post, *, reason: str) -> None:
    """An approved post that cannot go at its planned time — the approval arrived after its
    slot, or the scheduler was refused (E-04 daily maximum, account out of service): it is
    not published silently; it becomes expired (the content room's transition) with
    ``reason`` (shown on the post page) and its people are told."""
    if not content_actions.mark_expired(post, reason=reason):
        return
    from guanwei.notify.actions import notify

    people = {post.created_by_id}
    run = post.runs.filter(status="approved").order_by("-finished_at").first()
    if run is not None:
        people |= set(run.steps.values_list("decisions__actor_id", flat=True))
    notify(
        [p for p in people if p],
        organisation_id=post.organisation_id,
        title=f"稿件《{post.title}》已过期",
        body=reason,
        link=f"/content/posts/{post.pk}/",
    )


def auto_schedule_due(now: datetime | None = None, grace: timedelta = DEFAULT_GRACE) -> int:
    """Scheduler pass: approved posts with a planned time go into their slot; an approval
    that came after its slot (plus grace) expires the post instead; special weather (W-12)
    and corrections (W-11) without a planned time go out at once. Only on the accounts of
    the post's own unit (W-05): another unit's account is that unit's publisher's to
    schedule. Returns how many posts were handled."""
    now = now or timezone.now()
    handled = 0
    candidates = (
        Post.objects.filter(status=PostStatus.APPROVED)
        # Nothing scheduled yet for the approved revision (a newer revision of a post that
        # had intents qualifies; one a person cancelled does not come back by itself).
        .exclude(
            Exists(
                PublishIntent.objects.filter(
                    post=OuterRef("pk"), revision=OuterRef("approved_revision")
                )
            )
        )
        .filter(
            Q(approved_revision__planned_at__isnull=False)
            | Q(approved_revision__emergency=True)
            | Q(corrects__isnull=False)
        )
        # The scheduler publishes only on the post's own unit's accounts (W-05): another
        # unit's account addressed waits for that unit's publisher (may_publish_on), so a
        # planned time is no way round it. A post with none of its own is not a candidate.
        .filter(
            Exists(
                PostRevision.channels.through.objects.filter(
                    postrevision_id=OuterRef("approved_revision_id"),
                    channel__unit_id=OuterRef("unit_id"),
                )
            )
        )
        .select_related("approved_revision", "unit")[:500]
    )
    for post in candidates:
        revision = post.approved_revision
        assert revision is not None
        own = [c for c in revision.channels.all() if c.unit_id == post.unit_id]
        if not own:
            continue
        if revision.planned_at is None:
            # W-12 special weather, W-11 a correction: approved by its fast chain → now.
            try:
                schedule_post(post, actor=SYSTEM, at=now, channels=own)
            except InvalidChange:
                continue
        elif revision.planned_at + grace < now:
            expire_post(
                post,
                reason=(
                    f"审核通过时已超过计划发布时间 "
                    f"{timezone.localtime(revision.planned_at):%m-%d %H:%M}，"
                    "未自动发布。请重新安排发布时间。"
                ),
            )
        else:
            try:
                schedule_post(post, actor=SYSTEM, at=max(revision.planned_at, now), channels=own)
            except InvalidChange as refused:
                # E-04 (the day's maximum reached) or an account out of service: the post
                # cannot go at its planned time. Not skipped silently (it would later expire
                # as "approved too late"): it expires now with the true reason, and its
                # people are told, while there is time to choose another slot.
                expire_post(
                    post,
                    reason=(
                        f"计划发布时间 {timezone.localtime(revision.planned_at):%m-%d %H:%M} "
                        f"未能自动安排：{refused.message}"
                    ),
                )
        handled += 1
    return handled


@transaction.atomic
def reschedule_expired(
    post: Post,
    *,
    actor: User,
    at: datetime | None = None,
    next_slot: bool = False,
    channels: Sequence[Channel] | None = None,
) -> list[PublishIntent]:
    """One click after an expiry: the approved content keeps its approval; only the time
    was missed, so it goes into a new slot (or the given time)."""
    revision = Post.objects.get(pk=post.pk).approved_revision
    targets = list(
        channels if channels is not None else (revision.channels.all() if revision else [])
    )
    for channel in targets:
        require_publish_on(actor, channel)
    lock_accounts(targets)  # the lock order: account → post → publication (schedule_post)
    post = Post.objects.select_for_update().get(pk=post.pk)
    if not content_actions.mark_reinstated(post):
        raise InvalidChange("只有已过期且内容未改动的稿件可以直接重新安排。")
    return schedule_post(post, actor=actor, at=at, next_slot=next_slot, channels=channels)


@transaction.atomic
def set_calendar_day(
    *, actor: User, organisation_id: int, day: Any, workday: bool, note: str = ""
) -> None:
    """Record a rest day or an adjusted working day of the organisation's own, over the
    shared State Council calendar (E-04; issue #9 §4: it changes this organisation's
    calendar only). Set-up staff only (``pack.load`` on the organisation)."""
    from guanwei.orgs.models import Organisation
    from guanwei.publishing.models import CalendarDay

    require(actor, "pack.load", Organisation.objects.get(pk=organisation_id))
    previous = (
        CalendarDay.objects.filter(organisation_id=organisation_id, day=day)
        .values("workday", "note")
        .first()
    )
    CalendarDay.objects.update_or_create(
        organisation_id=organisation_id, day=day, defaults={"workday": workday, "note": note}
    )
    record(
        AuditAction.CALENDAR_DAY_SET,
        actor=actor,
        object_type="calendar_day",
        object_id=str(day),
        object_repr=f"{day} {'上班' if workday else '休息'} {note}",
        organisation_id=organisation_id,
        before=previous,
        after={"day": str(day), "workday": workday, "note": note},
    )


@transaction.atomic
def complete_calendar_year(*, actor: User, organisation_id: int, year: int) -> None:
    """The set-up staff say ``year`` is entered in full (E-04): from now on it counts as
    known (the calendar's banner goes). Only a year the shared calendar does not have, and
    only with at least one entered day; set-up staff only (``pack.load``)."""
    from guanwei.orgs.models import Organisation
    from guanwei.publishing.calendar import built_in
    from guanwei.publishing.models import CalendarDay, CalendarYear

    require(actor, "pack.load", Organisation.objects.get(pk=organisation_id))
    if built_in(year):
        raise InvalidChange(f"{year} 年的节假日已内置，无需录入。")
    entered = CalendarDay.objects.filter(organisation_id=organisation_id, day__year=year).count()
    if not entered:
        raise InvalidChange(f"{year} 年还没有录入任何节假日或调休上班日。")
    _, created = CalendarYear.objects.get_or_create(
        organisation_id=organisation_id,
        year=year,
        defaults={"completed_by": actor, "completed_at": timezone.now()},
    )
    if not created:
        raise InvalidChange(f"{year} 年已确认录入完整。")
    record(
        AuditAction.CALENDAR_YEAR_COMPLETED,
        actor=actor,
        object_type="calendar_year",
        object_id=str(year),
        object_repr=f"{year} 年节假日已录入完整（{entered} 天）",
        organisation_id=organisation_id,
        after={"year": year, "entered": entered},
    )


def _shown_settings(values: dict[str, str] | None) -> dict[str, str] | None:
    """The settings as the audit log keeps them: secrets never, only that there is one."""
    if values is None:
        return None
    return {k: ("***" if k in SECRET_SETTINGS else v) for k, v in sorted(values.items())}


@transaction.atomic
def set_demo_channel_settings(
    channel: Channel, *, actor: Actor | None, values: dict[str, str] | None
) -> None:
    """Point a demo account at the demo's own platforms (issue #10 §1, §5): its own account
    on the local fake Weibo or WeChat, the site directory under var/ guanwei serves, or an
    outbox — at the address the demo is served on. ``None`` disconnects it (the fakes are
    not running). Only a settings record the demo made (``demo: "1"``) is ever changed:
    an account its custodian connected is left alone. Set-up staff only. The secrets among
    the values (``SECRET_SETTINGS``) go to the vault, sealed; the rest to the JSON record
    (decision 0031)."""
    from guanwei.publishing.credentials import settings_for, split_secrets
    from guanwei.publishing.models import ChannelSettings
    from guanwei.vault import actions as vault

    require(actor, "pack.load", channel.organisation)
    row = ChannelSettings.objects.select_for_update().filter(channel=channel).first()
    if row is not None and row.values.get("demo") != "1":
        raise InvalidChange(f"账号“{channel.name}”的接入设置不是演示环境生成的，未修改。")
    if row is not None:
        channel.settings = row
    before = dict(settings_for(channel)) if row is not None else None
    if values is not None:
        values = {**values, "demo": "1"}
    if before == values:
        return
    if values is None:
        if row is not None:
            row.delete()
        vault.delete_secrets(channel, actor=actor)
    else:
        public, secrets = split_secrets(values)
        if row is None:
            ChannelSettings.objects.create(channel=channel, values=public)
        else:
            row.values = public
            row.save(update_fields=["values", "updated"])
        vault.store_secrets(channel, secrets, actor=actor, replace=True)
    record(
        AuditAction.CHANNEL_SETTINGS_CHANGED,
        actor=actor,
        object_type="channel",
        object_id=channel.pk,
        object_repr=channel.name,
        organisation_id=channel.organisation_id,
        before=_shown_settings(before),
        after=_shown_settings(values),
    )


@transaction.atomic
def retract_original(
    correction: Post, *, platforms: Sequence[str], actor: Actor | None
) -> list[PublishIntent]:
    """W-11: the pack says ``delete`` for the original on these platforms
    (``original = { weibo = "delete" }``): once ``correction`` is out — published on an
    account and nothing of its revision still open — the published intents of the post it
    corrects on accounts of those platforms go to 撤回中 (audited, one transaction, by
    someone who may publish on each account; the scheduler's ``SYSTEM`` may). The
    dispatcher's housekeeping makes the platform call (``retract.retract_due``)."""
    if correction.corrects_id is None:
        raise InvalidChange("这不是订正稿，不能删除原稿。")
    wanted = sorted(set(platforms))
    if not wanted:
        return []
    sent = PublishIntent.objects.filter(post=correction)
    if (
        sent.filter(status__in=OPEN_STATUSES).exists()
        or not sent.filter(status=IntentStatus.PUBLISHED).exists()
    ):
        raise InvalidChange("订正稿尚未发布，原稿暂不删除。")
    originals = list(
        PublishIntent.objects.filter(
            post_id=correction.corrects_id,
            status=IntentStatus.PUBLISHED,
            channel__platform__in=wanted,
        )
        .exclude(remote_id="")
        .select_related("channel")
    )
    for intent in originals:
        require_publish_on(actor, intent.channel)
    return move(
        originals,
        IntentStatus.PUBLISHED,
        IntentStatus.RETRACTING,
        actor=actor,
        fields={**RELEASED, "next_attempt_at": None, "error_code": "", "error_message": ""},
        after={"correction": correction.pk, "reason": "W-11 pack: original deleted"},
    )
