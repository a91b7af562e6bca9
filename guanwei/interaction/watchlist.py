"""The watchlist (舆情关注, REQ E-06): topics and hashtags with the comment and repost
volume on the organisation's posts per day, the most active commenters and the opinion
leaders among them, each account's verification (加V) and followers, and the interactions
chosen as representative (E-05).

Two halves. ``refresh`` runs in the scheduler pass (``publishing.events.scheduler_pass``,
connected in ``apps.py``; one active scheduler at a time, outside any transaction): it
reads through the adapters what the platforms say — each account's verification (at most
every ``ACCOUNT_EVERY``), the figures of every post published in the last ``WATCH_DAYS``
(at most every ``METRICS_EVERY``, many posts a call where the platform allows) and the
verification of the most active commenters — and stores them through the actions. The
rest are read-only queries for the page (docs/decisions/ "watchlist volume and opinion
leaders" defines the figures)."""

from __future__ import annotations

import logging
import time as clock
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from guanwei.channels.models import Channel
from guanwei.interaction import actions
from guanwei.interaction.models import (
    AccountCheck,
    AuthorCheck,
    Comment,
    PostMetrics,
    Source,
    WatchTopic,
)
from guanwei.orgs.models import Organisation, Unit, User
from guanwei.orgs.permissions import can, holds_anywhere
from guanwei.publishing.adapters import Adapter, AdapterError, adapter_class, get_adapter
from guanwei.publishing.credentials import settings_for
from guanwei.publishing.models import IntentStatus, PublishIntent

log = logging.getLogger("guanwei.interaction.watch")

WATCH_DAYS = 30
ACCOUNT_EVERY = timedelta(hours=6)
METRICS_EVERY = timedelta(hours=1)
AUTHOR_EVERY = timedelta(hours=24)
AUTHORS_CHECKED = 10  # the most active commenters per account whose 加V is read
LEADER_REPLIES = 2  # replies a commenter's comments must draw to lead opinion
TOP = 10

# ===================================================================== refresh


@dataclass
class Refreshed:
    accounts: int = 0
    snapshots: int = 0
    authors: int = 0
    errors: list[str] = field(default_factory=list)


AdapterFor = Callable[[Channel], Adapter]


def _adapter(channel: Channel) -> Adapter:
    return get_adapter(channel.platform, settings_for(channel))


def _features(platform: str) -> frozenset[str]:
    try:
        return adapter_class(platform).features
    except AdapterError:
        return frozenset()


def refresh(
    now: datetime | None = None, *, adapter_for: AdapterFor = _adapter, force: bool = False
) -> Refreshed:
    """Read what is due from the platforms and store it (``force``: everything, however
    recently it was read). A platform that fails is logged and skipped (tried again next
    pass); nothing raises."""
    now = now or timezone.now()
    if force:  # as if nothing had been read yet
        now_for_due = now + max(ACCOUNT_EVERY, METRICS_EVERY, AUTHOR_EVERY)
    else:
        now_for_due = now
    done = Refreshed()
    since = now - timedelta(days=WATCH_DAYS)
    channels = (  # an account not connected to its platform (no settings) is not read
        Channel.objects.filter(platform__in=["weibo", "wechat"], settings__isnull=False)
        .select_related("settings")
        .order_by("pk")
    )
    checked = dict(AccountCheck.objects.values_list("channel_id", "checked_at"))
    due_intents = _intents_due(now_for_due, since)
    by_channel: dict[int, list[PublishIntent]] = defaultdict(list)
    for intent in due_intents:
        by_channel[intent.channel_id].append(intent)
    for channel in channels:
        features = _features(channel.platform)
        wants_account = "account" in features and (
            channel.pk not in checked or checked[channel.pk] <= now_for_due - ACCOUNT_EVERY
        )
        intents = by_channel.get(channel.pk, []) if "metrics" in features else []
        authors = _authors_due(channel, now_for_due, since) if "account" in features else []
        if not (wants_account or intents or authors):
            continue
        try:
            adapter = adapter_for(channel)
            if wants_account:
                info = adapter.account_info(channel.account_id.strip())
                actions.record_account_check(
                    channel,
                    verified=bool(info.verified),
                    verified_type=info.verified_type,
                    verified_reason=info.verified_reason,
                    followers=info.followers,
                    at=now,
                )
                done.accounts += 1
            if intents:
                figures = adapter.metrics_many([i.remote_id for i in intents])
                done.snapshots += actions.record_post_metrics(
                    ((i, figures[i.remote_id]) for i in intents if i.remote_id in figures),
                    at=now,
                )
            for author_id in authors:
                who = adapter.account_info(author_id)
                actions.record_author_check(
                    channel,
                    author_id,
                    name=who.name,
                    verified=bool(who.verified),
                    verified_type=who.verified_type,
                    verified_reason=who.verified_reason,
                    followers=who.followers,
                    at=now,
                )
                done.authors += 1
        except AdapterError as e:
            log.warning("watchlist: %s (channel %s): %s", channel.platform, channel.pk, e)
            done.errors.append(f"{channel.name}: {e.user_message}")
    return done


def _intents_due(now: datetime, since: datetime) -> list[PublishIntent]:
    """Published in the window, on the platform, not read within ``METRICS_EVERY``."""
    recent = set(
        PostMetrics.objects.filter(taken_at__gt=now - METRICS_EVERY).values_list(
            "intent_id", flat=True
        )
    )
    rows = PublishIntent.objects.filter(
        status=IntentStatus.PUBLISHED,
        published_at__gte=since,
        channel__platform__in=["weibo", "wechat"],
    ).exclude(remote_id="")
    return [
        i
        for i in rows.only("pk", "channel_id", "organisation_id", "remote_id")
        if i.pk not in recent
    ]


def _authors_due(channel: Channel, now: datetime, since: datetime) -> list[str]:
    """The account's most active commenters of the window, not read within a day."""
    top = (
        Comment.objects.filter(channel=channel, source=Source.COMMENT, created_at__gte=since)
        .exclude(author_id="")
        .exclude(author_id__in=_own_ids([channel]))
        .values("author_id")
        .annotate(n=Count("id"))
        .order_by("-n", "author_id")[:AUTHORS_CHECKED]
    )
    wanted = [row["author_id"] for row in top]
    fresh = set(
        AuthorCheck.objects.filter(
            channel=channel, author_id__in=wanted, checked_at__gt=now - AUTHOR_EVERY
        ).values_list("author_id", flat=True)
    )
    return [a for a in wanted if a not in fresh]


REFRESH_EVERY_S = 300.0  # how often the scheduler pass looks for what is due
_last_pass = {"at": float("-inf")}


def on_scheduler_pass(**_: Any) -> None:
    """The scheduler pass's receiver (``apps.py``; one active scheduler, so one process
    asks the platforms): at most every ``REFRESH_EVERY_S``, what is due is read; never
    raises into the pass."""
    started = clock.monotonic()
    if started - _last_pass["at"] < REFRESH_EVERY_S:
        return
    _last_pass["at"] = started
    try:
        done = refresh()
        if done.accounts or done.snapshots or done.authors or done.errors:
            log.info(
                "watchlist: %d accounts, %d post readings, %d commenters, %d errors",
                done.accounts,
                done.snapshots,
                done.authors,
                len(done.errors),
            )
    except Exception:
        log.exception("watchlist refresh failed")


def main(argv: list[str]) -> int:
    """``guanwei interaction watch [--once]``: read what is due now (or every minute)."""
    import argparse

    parser = argparse.ArgumentParser(prog="guanwei interaction watch")
    parser.add_argument("--once", action="store_true", help="one pass, then exit")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between passes")
    parser.add_argument(
        "--all", action="store_true", help="read everything now, however recently read"
    )
    args = parser.parse_args(argv)
    while True:
        done = refresh(force=args.all)
        print(
            f"accounts {done.accounts}, post readings {done.snapshots}, "
            f"commenters {done.authors}, errors {len(done.errors)}",
            flush=True,
        )
        for error in done.errors:
            print(f"  {error}", flush=True)
        if args.once:
            return 1 if done.errors else 0
        clock.sleep(max(1.0, args.every))


# ===================================================================== who sees what


WATCH_PERMISSIONS = ("report.view", "comment.moderate")  # who reads the watchlist (E-06)


def may_open_watch(user: User, organisation: Organisation) -> bool:
    return any(holds_anywhere(user, p, organisation) for p in WATCH_PERMISSIONS)


def watch_channels(user: User, organisation: Organisation) -> list[Channel]:
    """The organisation's accounts whose figures ``user`` reads: those of the units where
    he reads statistics or handles comments (object level: only his organisation's)."""
    units = {
        u.pk
        for u in Unit.objects.filter(organisation=organisation)
        if any(can(user, p, u) for p in WATCH_PERMISSIONS)
    }
    return list(
        Channel.objects.filter(organisation=organisation, unit_id__in=units)
        .select_related("unit", "settings")
        .order_by("unit__path", "pk")
    )


# ===================================================================== the figures


@dataclass(frozen=True)
class DayVolume:
    day: date
    comments: int
    reposts: int


def window(today: date, days: int = WATCH_DAYS) -> list[date]:
    return [today - timedelta(days=days - 1 - i) for i in range(days)]


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def topic_intents(topic: WatchTopic | None, channel_ids: Iterable[int]) -> QuerySet[PublishIntent]:
    """The topic's posts: published on the accounts, whose hashtag, title or text names
    one of its keywords (``topic`` None: every post published on them)."""
    rows = PublishIntent.objects.filter(
        channel_id__in=list(channel_ids), status=IntentStatus.PUBLISHED
    )
    if topic is None:
        return rows
    match = Q()
    for word in topic.keywords or [topic.name]:
        match |= (
            Q(revision__hashtag__icontains=word)
            | Q(revision__title__icontains=word)
            | Q(revision__body__icontains=word)
        )
    return rows.filter(organisation_id=topic.organisation_id).filter(match)


def topic_comments(
    topic: WatchTopic | None, channel_ids: Iterable[int], since: datetime
) -> QuerySet[Comment]:
    """Comments on the accounts since ``since``: all of them (``topic`` None), or those on
    the topic's posts or naming one of its keywords."""
    ids = list(channel_ids)
    rows = Comment.objects.filter(channel_id__in=ids, source=Source.COMMENT, created_at__gte=since)
    if topic is None:
        return rows
    about = Q(intent__in=topic_intents(topic, ids).values("pk"))
    for word in topic.keywords or [topic.name]:
        about |= Q(text__icontains=word)
    return rows.filter(about)


def volume(
    topic: WatchTopic | None, channel_ids: Iterable[int], *, today: date | None = None
) -> list[DayVolume]:
    """Comments and reposts per day over the last ``WATCH_DAYS`` days (oldest first).
    Comments: the topic's comments by the platform's time of each, in local days.
    Reposts: per post, the rise of its repost count over the day — its last reading of
    the day less its last reading before it (0 before its publication)."""
    ids = list(channel_ids)
    today = today or timezone.localdate()
    days = window(today)
    start = _start_of(days[0])
    comments = dict(
        topic_comments(topic, ids, start)
        .filter(created_at__lt=_start_of(today + timedelta(days=1)))
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    reposts: dict[date, int] = defaultdict(int)
    readings: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for intent_id, taken_at, n in (
        PostMetrics.objects.filter(intent__in=topic_intents(topic, ids).values("pk"))
        .order_by("intent_id", "taken_at", "id")
        .values_list("intent_id", "taken_at", "reposts")
    ):
        readings[intent_id].append((taken_at, n))
    for series in readings.values():
        # the rise per day: last reading of the day less the last reading before the day
        by_day: dict[date, int] = {}
        for taken_at, n in series:
            by_day[timezone.localdate(taken_at)] = n  # the day's last reading wins
        previous = 0
        for day in sorted(by_day):
            if day >= days[0]:
                reposts[day] += max(0, by_day[day] - previous)
            previous = by_day[day]
    return [DayVolume(d, int(comments.get(d, 0)), reposts.get(d, 0)) for d in days]


@dataclass(frozen=True)
class Commenter:
    author_id: str
    name: str
    comments: int
    replies: int = 0  # replies their comments drew
    verified: bool = False
    verified_reason: str = ""
    followers: int | None = None


def _own_ids(channels: Iterable[Channel]) -> set[str]:
    from guanwei.interaction.queries import own_account_id

    return {own for own in map(own_account_id, channels) if own}


def _key(author_id: str, name: str) -> str:
    return author_id or f"name:{name}"


def active_commenters(
    comments: QuerySet[Comment], channels: list[Channel], limit: int = TOP
) -> list[Commenter]:
    """Who commented most (the accounts' own replies left out)."""
    own = _own_ids(channels)
    rows = (
        comments.exclude(author_id__in=own)
        .exclude(author_id="", author_name="")
        .values("author_id", "author_name")
        .annotate(n=Count("id"))
        .order_by("-n", "author_name", "author_id")[: limit * 3]
    )
    merged: dict[str, Commenter] = {}
    for row in rows:  # one person under one id, whatever names he used
        key = _key(row["author_id"], row["author_name"])
        had = merged.get(key)
        n = row["n"] + (had.comments if had else 0)
        merged[key] = Commenter(row["author_id"], (had.name if had else row["author_name"]), n)
    checks = _checks(channels, [c.author_id for c in merged.values() if c.author_id])
    found = [_with_check(c, checks) for c in merged.values()]
    found.sort(key=lambda c: (-c.comments, c.name, c.author_id))
    return found[:limit]


def _checks(channels: list[Channel], author_ids: list[str]) -> dict[str, AuthorCheck]:
    found: dict[str, AuthorCheck] = {}
    for check in AuthorCheck.objects.filter(
        channel__in=channels, author_id__in=author_ids
    ).order_by("checked_at"):
        found[check.author_id] = check  # the latest reading
    return found


def _with_check(c: Commenter, checks: Mapping[str, AuthorCheck], replies: int = 0) -> Commenter:
    check = checks.get(c.author_id)
    return Commenter(
        c.author_id,
        c.name,
        c.comments,
        replies or c.replies,
        verified=bool(check and check.verified),
        verified_reason=check.verified_reason if check else "",
        followers=check.followers if check else None,
    )


def opinion_leaders(
    comments: QuerySet[Comment], channels: list[Channel], since: datetime, limit: int = TOP
) -> list[Commenter]:
    """Commenters whose comments drew at least ``LEADER_REPLIES`` replies from others, or
    whom the platform verifies (加V): most replies first, then most followers."""
    own = _own_ids(channels)
    mine = comments.exclude(author_id__in=own).exclude(author_id="", author_name="")
    replies_to: dict[tuple[int, str], int] = defaultdict(int)
    for channel_id, target, author_id in (
        Comment.objects.filter(channel__in=channels)
        .exclude(reply_to="")
        .filter(created_at__gte=since)
        .values_list("channel_id", "reply_to", "author_id")
    ):
        if author_id not in own:  # the accounts' own answers draw no one's lead
            replies_to[(channel_id, target)] += 1
    counts: dict[str, int] = defaultdict(int)
    drawn: dict[str, int] = defaultdict(int)
    names: dict[str, tuple[str, str]] = {}
    for channel_id, remote_id, author_id, name in mine.values_list(
        "channel_id", "remote_id", "author_id", "author_name"
    ):
        key = _key(author_id, name)
        counts[key] += 1
        drawn[key] += replies_to.get((channel_id, remote_id), 0)
        names.setdefault(key, (author_id, name))
    checks = _checks(channels, [a for a, _ in names.values() if a])
    leaders = []
    for key, (author_id, name) in names.items():
        c = _with_check(Commenter(author_id, name, counts[key]), checks, drawn[key])
        if c.replies >= LEADER_REPLIES or c.verified:
            leaders.append(c)
    leaders.sort(key=lambda c: (-c.replies, -(c.followers or 0), -c.comments, c.name))
    return leaders[:limit]


@dataclass(frozen=True)
class AccountRow:
    channel: Channel
    check: AccountCheck | None
    supported: bool  # the platform tells verification through its API


def accounts(channels: list[Channel]) -> list[AccountRow]:
    checks = {a.channel_id: a for a in AccountCheck.objects.filter(channel__in=channels)}
    return [AccountRow(c, checks.get(c.pk), "account" in _features(c.platform)) for c in channels]


def representative(channels: list[Channel], limit: int = 50) -> QuerySet[Comment]:
    """The interactions chosen to show (E-05), newest first."""
    return (
        Comment.objects.filter(channel__in=channels, is_representative=True)
        .select_related("channel", "post")
        .order_by("-created_at", "-id")[:limit]
    )


# ===================================================================== the chart


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    value: int
    day: date


@dataclass(frozen=True)
class Chart:
    """A server-rendered SVG bar chart (no script, no CDN): comments and reposts side by
    side for each day; the page shows the same figures as a table."""

    width: int
    height: int
    comments: list[Bar]
    reposts: list[Bar]
    ticks: list[tuple[float, str]]  # x, label (every 5th day)
    top: int  # the value of the top line
    baseline: float
    bar_width: float = 0.0


CHART_W, CHART_H, PAD_L, PAD_B, PAD_T = 640, 180, 36, 22, 10


def chart(days: list[DayVolume]) -> Chart:
    top = max([1] + [max(d.comments, d.reposts) for d in days])
    inner_h = CHART_H - PAD_B - PAD_T
    slot = (CHART_W - PAD_L) / max(1, len(days))
    bar_w = slot * 0.4
    baseline = CHART_H - PAD_B

    def bar(i: int, value: int, offset: float, day: date) -> Bar:
        h = round(inner_h * value / top, 1)
        return Bar(round(PAD_L + i * slot + offset, 1), round(baseline - h, 1), h, value, day)

    comments = [bar(i, d.comments, slot * 0.1, d.day) for i, d in enumerate(days)]
    reposts = [bar(i, d.reposts, slot * 0.1 + bar_w, d.day) for i, d in enumerate(days)]
    ticks = [  # a label is about 30 wide: the last one kept inside the picture
        (round(min(PAD_L + i * slot + slot / 2, CHART_W - 16), 1), d.day.strftime("%m-%d"))
        for i, d in enumerate(days)
        if i % 5 == 0 or i == len(days) - 1
    ]
    return Chart(CHART_W, CHART_H, comments, reposts, ticks, top, baseline, round(bar_w, 1))
