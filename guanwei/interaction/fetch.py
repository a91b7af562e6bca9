"""Fetching comments (W-18, E-06): a cursor row per published post and account, fetched
incrementally through the adapters, each batch of pages (up to ``BATCH`` comments)
stored with the cursor that moves past it in one transaction
(``actions.store_fetched_page``): a restart (even SIGKILL) misses none and stores none
twice (the unique comment row is the backstop).

Weibo ``comments/show`` lists newest first: the cursor is ``floor`` (every comment with an
id ≤ floor is stored) or, while walking down a backlog, ``floor:top:resume`` (everything
in [resume, top] stored; pages continue with ``max_id`` below ``resume``; at the bottom
floor becomes top). Ids are compared as integers of ``idstr`` (above 2**53).

WeChat ``comment/list`` (0-based article ``index``, ``count`` ≤ 49) lists in order of
arrival: the cursor is ``begin:last_id``; the next pass re-reads from one page before
``begin`` and keeps only ids above ``last_id`` (comments deleted meanwhile shift the list
down); if that page holds no known id, it reads from 0.

Runs from every dispatcher's housekeeping (``publishing.events.housekeeping_pass``) and
``guanwei interaction fetch [--once]``. A cursor is claimed by a conditional UPDATE of
``next_fetch_at`` (a lease), so two processes never fetch the same stream at once."""

from __future__ import annotations

import logging
import os
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from guanwei.interaction import actions, ingest
from guanwei.interaction.models import FetchCursor, Source
from guanwei.publishing.adapters.base import AdapterError, RemoteComment
from guanwei.publishing.models import IntentStatus, PublishIntent

log = logging.getLogger("guanwei.interaction.fetch")
LEASE = timedelta(seconds=120)
WEIBO_COUNT = 50  # comments/show's documented default page size
WECHAT_COUNT = 49  # comment/list refuses 50
# Comments stored per transaction: the pages of a backlog are screened, triaged and
# inserted together (one screen_many, one model call, one INSERT, one audit INSERT), the
# cursor moved past all of them. A SIGKILL loses at most this batch, fetched again.
BATCH = 500


def interval() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "GUANWEI_COMMENT_FETCH_SECONDS", 60)))


def _pause_point(name: str) -> None:
    """Fault-test seam (as publishing.dispatch): stop here for a SIGKILL."""
    if os.environ.get("GUANWEI_TEST_PAUSE_AT") != name:
        return
    marker = os.environ.get("GUANWEI_TEST_PAUSE_MARKER", "")
    if marker:
        with open(marker, "w") as fh:
            fh.write(name)
    while True:
        time.sleep(1)


# ---------------------------------------------------------------- cursors


def stream_of(intent: PublishIntent) -> str:
    """The remote post id a cursor follows ("" when comments cannot be fetched)."""
    platform = intent.channel.platform
    if platform == "weibo":
        return intent.remote_id
    if platform == "wechat":
        from guanwei.publishing.adapters.wechat import msg_data_id_of

        msg = msg_data_id_of(intent.remote_id)
        return f"{msg}:0" if msg else ""  # we publish one article: index 0
    return ""


def sync_cursors() -> int:
    """A cursor for every published Weibo / WeChat post that has none."""
    have = FetchCursor.objects.filter(intent__isnull=False).values("intent_id")
    intents = (
        PublishIntent.objects.filter(
            status=IntentStatus.PUBLISHED, channel__platform__in=["weibo", "wechat"]
        )
        .exclude(remote_id="")
        .exclude(pk__in=have)
        .select_related("channel")
    )
    rows = []
    for intent in intents[:500]:
        stream = stream_of(intent)
        if stream:
            rows.append(
                FetchCursor(
                    organisation_id=intent.organisation_id,
                    channel_id=intent.channel_id,
                    intent=intent,
                    source=Source.COMMENT,
                    remote_post_id=stream,
                )
            )
    FetchCursor.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _claim(now: datetime, limit: int) -> list[int]:
    due = (
        FetchCursor.objects.filter(Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now))
        .filter(Q(watch_until__isnull=True) | Q(watch_until__gt=now))
        .order_by("next_fetch_at", "id")
        .values_list("id", "next_fetch_at")[:limit]
    )
    won = []
    for pk, was in due:
        same = Q(next_fetch_at__isnull=True) if was is None else Q(next_fetch_at=was)
        if FetchCursor.objects.filter(same, pk=pk).update(next_fetch_at=now + LEASE):
            won.append(pk)
    return won


# ---------------------------------------------------------------- one stream


def _int(value: str) -> int:
    return int(value) if value.isascii() and value.isdigit() else 0


def _fetch_weibo(cursor: FetchCursor, adapter: Any, max_pages: int) -> bool:
    """Walk the stream from the cursor; True when it is exhausted (False: pages left)."""
    parts = cursor.cursor.split(":") if cursor.cursor else ["0"]
    floor = _int(parts[0])
    top, resume = (_int(parts[1]), _int(parts[2])) if len(parts) == 3 else (0, 0)
    batch = _Batch(cursor)
    with batch:
        for _ in range(max_pages):
            page, held = adapter.comments_page(
                cursor.remote_post_id,
                since_id=str(floor) if floor else "",
                max_id=str(resume) if resume else "",
                count=WEIBO_COUNT,
            )
            _pause_point("fetch_page")
            fresh = [
                c
                for c in page
                if floor < _int(c.remote_id) and (not resume or _int(c.remote_id) < resume)
            ]
            if not top and fresh:
                top = max(_int(c.remote_id) for c in fresh)
            done = held < WEIBO_COUNT or not fresh
            if done:
                batch.add(fresh, str(max(floor, top)))
                return True
            resume = min(_int(c.remote_id) for c in fresh)
            batch.add(fresh, f"{floor}:{top}:{resume}")
    return False


def _fetch_wechat(cursor: FetchCursor, adapter: Any, max_pages: int) -> bool:
    """As ``_fetch_weibo``, for one article's comment list."""
    msg, _, index = cursor.remote_post_id.partition(":")
    parts = cursor.cursor.split(":") if cursor.cursor else []
    begin, last = (_int(parts[0]), _int(parts[1])) if len(parts) == 2 else (0, 0)
    start = max(0, begin - WECHAT_COUNT)
    checked = start == 0
    batch = _Batch(cursor)
    with batch:
        for _ in range(max_pages):
            page, total = adapter.comments_page(
                msg, index=_int(index), begin=start, count=WECHAT_COUNT
            )
            _pause_point("fetch_page")
            if not checked:
                checked = True
                if page and all(_int(c.remote_id) > last for c in page):
                    start = 0  # more deleted than one page: read from the start
                    continue
            fresh = [c for c in page if _int(c.remote_id) > last]
            start += len(page)
            if fresh:
                last = max(_int(c.remote_id) for c in fresh)
            batch.add(fresh, f"{start}:{last}")
            if not page or start >= total:
                return True
    return False


class _Batch:
    """Pages fetched but not stored yet, and the cursor state after the last of them.
    Stored (``_store``) once they hold ``BATCH`` comments, and on leaving the ``with``
    block — also when the platform failed: what was fetched before is kept."""

    def __init__(self, cursor: FetchCursor) -> None:
        self.cursor = cursor
        self.comments: list[RemoteComment] = []
        self.state = cursor.cursor

    def add(self, fresh: list[RemoteComment], state: str) -> None:
        self.comments.extend(fresh)
        self.state = state
        if len(self.comments) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.comments or self.state != self.cursor.cursor:
            _store(self.cursor, self.comments, self.state)
        self.comments = []

    def __enter__(self) -> _Batch:
        return self

    def __exit__(self, kind: object, error: object, tb: object) -> None:
        if error is None or isinstance(error, AdapterError):
            self.flush()


def _store(cursor: FetchCursor, fresh: list[RemoteComment], state: str) -> int:
    prepared = ingest.prepare(cursor.channel, cursor.intent, cursor.source, fresh)
    stored = actions.store_fetched_page(
        cursor.pk, prepared, new_cursor=state, lease_until=timezone.now() + LEASE
    )
    cursor.cursor = state
    setattr(cursor, "stored_now", getattr(cursor, "stored_now", 0) + len(stored))  # noqa: B010
    _pause_point("fetch_stored")
    return len(stored)


def fetch_cursor(cursor_id: int, *, max_pages: int = 40, now: datetime | None = None) -> int:
    """Fetch one stream (a claimed cursor); returns how many comments were stored. A
    stream with pages left after ``max_pages`` is due again at once (its backlog goes on
    in the next pass, after the other due streams); an exhausted one after ``interval()``."""
    from guanwei.publishing.dispatch import adapter_for

    cursor = FetchCursor.objects.select_related(
        "channel", "channel__organisation", "channel__unit", "intent", "intent__channel"
    ).get(pk=cursor_id)
    try:
        if cursor.intent is None:
            return 0
        adapter = adapter_for(cursor.intent)
        if cursor.channel.platform == "weibo":
            exhausted = _fetch_weibo(cursor, adapter, max_pages)
        else:
            exhausted = _fetch_wechat(cursor, adapter, max_pages)
    except AdapterError as e:
        log.warning("fetching %s paused: %s", cursor, e)
        actions.pause_fetching(cursor_id, code=e.code or "error", message=e.user_message)
        return int(getattr(cursor, "stored_now", 0))  # what was stored before stays
    now = now or timezone.now()
    FetchCursor.objects.filter(pk=cursor_id).update(
        next_fetch_at=now + interval() if exhausted else now
    )
    return int(getattr(cursor, "stored_now", 0))


def fetch_due(*, limit: int = 20, now: datetime | None = None, max_pages: int = 40) -> int:
    """Create missing cursors, then fetch the streams that are due. Returns comments
    stored."""
    sync_cursors()
    stored = 0
    for pk in _claim(now or timezone.now(), limit):
        try:
            stored += fetch_cursor(pk, max_pages=max_pages, now=now)
        except Exception:
            log.exception("fetching cursor %s failed", pk)
    from guanwei.interaction import moderation

    try:  # the rules' platform calls left over (a fetcher killed after its commit, a 5xx)
        moderation.carry_out(now=now)
    except Exception:
        log.exception("carrying out the rules' platform calls failed")
    return stored


def on_housekeeping(**_: Any) -> int:
    return fetch_due(limit=5, max_pages=10)


def warm() -> None:
    """Build what storing needs for every organisation with streams to fetch — its
    screening engine, its pack's triage model (both cached per process) — so that the
    first batch after a (re)start is not held up by them."""
    from guanwei.interaction import triage
    from guanwei.orgs.models import Organisation
    from guanwei.screening.service import engine_for

    ids = FetchCursor.objects.values_list("organisation_id", flat=True).distinct()
    for organisation in Organisation.objects.filter(pk__in=ids):
        engine_for(organisation)
        triage.classify_many(organisation.pk, [""])


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="guanwei interaction fetch")
    parser.add_argument("--once", action="store_true", help="one pass, then exit")
    parser.add_argument(
        "--streams", type=int, default=20, help="streams (cursors) taken per pass (default 20)"
    )
    parser.add_argument(
        "--idle-sleep",
        type=float,
        default=5.0,
        help="seconds to wait after a pass that stored nothing",
    )
    args = parser.parse_args(argv)
    warm()
    while True:
        stored = fetch_due(limit=max(args.streams, 1))
        print(f"stored {stored} comments", flush=True)
        if args.once:
            return 0
        if not stored:  # a pass that stored something goes on at once (a backlog)
            time.sleep(max(args.idle_sleep, 0.0))
