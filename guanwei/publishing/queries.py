"""Read-only views of publishing state for pages: the post page's publishing panel, the
dashboard's failed sends."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from guanwei.channels import scope
from guanwei.channels.models import Channel, ChannelStatus
from guanwei.content.models import Post, PostRevision, PostStatus
from guanwei.orgs.models import Organisation, User
from guanwei.orgs.permissions import Actor, can
from guanwei.publishing.models import OPEN_STATUSES, IntentStatus, PublishIntent
from guanwei.workflow.queries import publishable_revision


def may_publish_on(user: Actor | None, channel: Channel) -> bool:
    """Whether ``user`` may publish on ``channel`` — schedule, publish now, cancel, send
    again: a publisher of the account's unit, or of a unit the pack names for it
    (``channels.scope.may_publish_on``: 发布 and 安排发布 through a role held there). The
    post's unit does not decide it: a city publisher does not publish on the province's or
    a county's account (W-05), a department's manager not on the school's main accounts
    (C-09), a county officer not on the city tourism account (T-01); the account's own
    publishers do, whichever unit wrote the post. The scheduler asks as ``SYSTEM``."""
    return scope.may_publish_on(user, channel)


def _publishable_on(user: User | None) -> Any:
    """``may_publish_on`` for ``user``, asked once per account."""
    seen: dict[int, bool] = {}

    def check(channel: Channel) -> bool:
        if channel.pk not in seen:
            seen[channel.pk] = may_publish_on(user, channel)
        return seen[channel.pk]

    return check


def post_intents(post: Post) -> list[PublishIntent]:
    return list(
        PublishIntent.objects.filter(post=post)
        .select_related("channel__unit", "revision")
        .prefetch_related("log")
        .order_by("channel__name", "due_at")
    )


SETTLING = (
    IntentStatus.CLAIMED,
    IntentStatus.SENDING,
    IntentStatus.REMOTE_PENDING,
    IntentStatus.RETRY,
    IntentStatus.UNKNOWN,
    IntentStatus.RETRACTING,  # W-11: the original being deleted on the platform
)
# Out on the platform, or was, and deleted there since (W-11): never offered again.
WENT_OUT = (IntentStatus.PUBLISHED, IntentStatus.RETRACTING, IntentStatus.RETRACTED)
SOON = timedelta(minutes=2)  # a scheduled send this close is watched as it goes out


def post_progress(post: Post, *, may_schedule: bool, user: User | None) -> dict[str, Any]:
    """The post's intents as the live fragment shows them: ``live`` while a send is under
    way (or due within two minutes), so the page keeps polling; ``retryable``: failed sends
    of the approved version not sent again since (重新发布), ``cancellable``: waiting sends
    (取消) — both only on accounts ``user`` may publish on, for those who may schedule."""
    intents = post_intents(post)
    allowed = _publishable_on(user)
    soon = timezone.now() + SOON
    live = any(
        i.status in SETTLING or (i.status == IntentStatus.SCHEDULED and i.due_at <= soon)
        for i in intents
    )
    again = {i.channel_id for i in intents if i.status in (*WENT_OUT, *OPEN_STATUSES)}
    retryable = {
        i.pk
        for i in intents
        if may_schedule
        and i.status == IntentStatus.FAILED
        and i.revision_id == post.approved_revision_id
        and i.channel_id not in again
        and allowed(i.channel)
    }
    cancellable = {
        i.pk
        for i in intents
        if may_schedule
        and i.status in (IntentStatus.SCHEDULED, IntentStatus.RETRY)
        and allowed(i.channel)
    }
    return {
        "intents": intents,
        "live": live,
        "retryable": retryable,
        "cancellable": cancellable,
    }


def post_publishing_panel(post: Post, user: User, shared: Mapping[str, Any]) -> dict[str, Any]:
    """Data of the publishing panel on the post page (registered by ``PublishingConfig.ready``):
    the intents with their attempts, and whether ``user`` may schedule or reschedule. The
    publishable revision comes from the review panel when it ran first (computed once)."""
    revision = shared["publishable"] if "publishable" in shared else publishable_revision(post)
    # whoever schedules anywhere; each account is then asked (may_publish_on, issue 10)
    may_schedule = can(user, "post.schedule")
    progress = post_progress(post, may_schedule=may_schedule, user=user)
    open_send = any(i.status in OPEN_STATUSES for i in progress["intents"])
    expired = (
        post.status == PostStatus.EXPIRED
        and post.approved_revision_id == post.current_revision_id
        and not open_send
    )
    # Only what the person can do now: no schedule form beside a send that is under way or
    # waiting (its row offers 立即发布 / 取消); it returns once the send failed or was
    # cancelled, for the accounts with nothing open or published — and only the accounts
    # the person may publish on (W-05).
    busy = {
        i.channel_id
        for i in progress["intents"]
        if i.status in OPEN_STATUSES
        or (i.status in WENT_OUT and revision is not None and i.revision_id == revision.pk)
    }
    base = revision or (post.approved_revision if expired else None)
    channels = (
        schedule_channels(base, user, exclude=busy)
        if may_schedule and not open_send
        else Channel.objects.none()
    )
    offered = channels.exists()
    return {
        **progress,
        "may_schedule": may_schedule,
        "schedule_channels": channels,
        "can_schedule": offered and revision is not None,
        "can_reschedule": offered and expired,
        "expired_reason": expired_reason(post) if post.status == PostStatus.EXPIRED else "",
    }


def expired_reason(post: Post) -> str:
    """Why the post expired, as recorded when it did (the latest 稿件过期 audit record):
    too late an approval, or the scheduler refused (E-04 daily maximum)."""
    from guanwei.audit.events import AuditAction
    from guanwei.audit.models import AuditRecord

    found = (
        AuditRecord.objects.filter(
            action=AuditAction.POST_EXPIRED, object_type="post", object_id=str(post.pk)
        )
        .order_by("-seq")
        .values_list("after", flat=True)
        .first()
    )
    return str((found or {}).get("reason") or "")


def schedule_channels(revision: Any, user: User | None, exclude: Any = ()) -> Any:
    """The active accounts of ``revision`` that ``user`` may publish on (less ``exclude``):
    what the schedule form offers (none → no form, no button)."""
    if revision is None:
        return Channel.objects.none()
    active = list(
        revision.channels.filter(status=ChannelStatus.ACTIVE)
        .exclude(pk__in=list(exclude))
        .select_related("unit")
    )
    allowed = _publishable_on(user)
    return Channel.objects.filter(pk__in=[c.pk for c in active if allowed(c)]).order_by("pk")


RECENT = timedelta(days=7)


def failed_sends(user: User, organisation: Organisation, *, limit: int = 20) -> list[PublishIntent]:
    """Sends of the last week that failed for good and were not sent again since, on
    accounts the person may publish on (and so retry, whichever unit wrote the post): the
    dashboard's list."""
    later = PublishIntent.objects.filter(
        post=OuterRef("post"),
        channel=OuterRef("channel"),
        created__gt=OuterRef("created"),
        status__in=[IntentStatus.PUBLISHED, *OPEN_STATUSES],
    )
    rows = (
        PublishIntent.objects.filter(
            organisation=organisation,
            status=IntentStatus.FAILED,
            created__gte=timezone.now() - RECENT,
        )
        .exclude(Exists(later))
        .select_related("post", "channel__unit", "unit")
        .order_by("-created", "-id")[: limit * 5]
    )
    on_channel = _publishable_on(user)
    out = []
    for intent in rows:
        if on_channel(intent.channel):
            out.append(intent)
        if len(out) == limit:
            break
    return out


def limit_warnings(intents: list[PublishIntent]) -> list[str]:
    """What the scheduling just done goes beyond (E-04 ``soft_max``: 工作日建议不超过5条),
    with the count: shown to the publisher beside the confirmation; the ``max`` itself is
    refused by ``actions.schedule_post``."""
    from guanwei.publishing.slots import counts_towards, day_count, day_kind, day_limits

    out = []
    for intent in intents:
        day = timezone.localtime(intent.due_at).date()
        for limit in day_limits(intent.channel, day):
            if limit.soft_max is None or not counts_towards(intent.revision, limit):
                continue
            count = day_count(intent.channel, day, limit)
            if count > limit.soft_max:
                ceiling = f"，最多 {limit.max} 条" if limit.max else ""
                out.append(
                    f"这是“{intent.channel.name}”{day:%m-%d}"
                    f"（{day_kind(day, intent.organisation_id)}）的第 {count} 条，"
                    f"超过“{limit.name}”建议的每日 {limit.soft_max} 条{ceiling}。"
                )
    return out


def waiting_for_accounts(
    user: User, organisation: Organisation, *, limit: int = 20
) -> list[dict[str, Any]]:
    """Issue 10 (C-09, T-01): approved posts of other units waiting for an account
    ``user`` publishes on — its approved version is current and nothing is scheduled,
    under way or out on that account yet. Each row: the post and those accounts. The
    post list's panel "审核通过，待本单位账号发布"."""
    mine = [c for c in scope.accounts_seen_by(user, organisation) if may_publish_on(user, c)]
    if not mine:
        return []
    by_pk = {c.pk: c for c in mine}
    through = PostRevision.channels.through
    posts = list(
        Post.objects.filter(
            organisation=organisation,
            status__in=[PostStatus.APPROVED, PostStatus.SCHEDULED, PostStatus.PUBLISHED],
            approved_revision_id=F("current_revision_id"),
            approved_revision__isnull=False,
        )
        .filter(
            Exists(
                through.objects.filter(
                    postrevision_id=OuterRef("approved_revision_id"), channel_id__in=list(by_pk)
                )
            )
        )
        .select_related("unit")
        .order_by("-updated", "-id")[: limit * 3]
    )
    revision_ids = [p.approved_revision_id for p in posts if p.approved_revision_id is not None]
    # the accounts each approved version addresses, and those already taken, in two queries
    wanted: dict[int, set[int]] = {}
    for revision_id, channel_id in through.objects.filter(
        postrevision_id__in=revision_ids, channel_id__in=list(by_pk)
    ).values_list("postrevision_id", "channel_id"):
        wanted.setdefault(revision_id, set()).add(channel_id)
    taken: dict[int, set[int]] = {}
    for revision_id, channel_id in PublishIntent.objects.filter(
        revision_id__in=revision_ids,
        channel_id__in=list(by_pk),
        status__in=[IntentStatus.PUBLISHED, *OPEN_STATUSES],
    ).values_list("revision_id", "channel_id"):
        taken.setdefault(revision_id, set()).add(channel_id)
    out: list[dict[str, Any]] = []
    for post in posts:
        key = post.approved_revision_id
        assert key is not None
        left = [by_pk[pk] for pk in sorted(wanted.get(key, set()) - taken.get(key, set()))]
        if left and any(c.unit_id != post.unit_id for c in left):
            out.append({"post": post, "channels": left})
        if len(out) == limit:
            break
    return out
