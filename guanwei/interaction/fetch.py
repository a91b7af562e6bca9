"""Fetching comments (W-18, E-06): a cursor row per published post and account, fetched
incrementally through the adapters, each page stored with the cursor that moves past it
in one transaction (``actions.store_fetched_page``): a restart (even SIGKILL) misses none
and stores none twice (the unique comment row is the backstop).

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


def _fetch_weibo(cursor: FetchCursor, adapter: Any, max_pages: int) -> int:
    parts = cursor.cursor.split(":") if cursor.cursor else ["0"]
    floor = _int(parts[0])
    top, resume = (_int(parts[1]), _int(parts[2])) if len(parts) == 3 else (0, 0)
    stored = 0
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
            state = str(max(floor, top))
        else:
            resume = min(_int(c.remote_id) for c in fresh)
            state = f"{floor}:{top}:{resume}"
        stored += _store(cursor, adapter, fresh, state)
        if done:
            return stored
    return stored


def _fetch_wechat(cursor: FetchCursor, adapter: Any, max_pages: int) -> int:
    msg, _, index = cursor.remote_post_id.partition(":")
    parts = cursor.cursor.split(":") if cursor.cursor else []
    begin, last = (_int(parts[0]), _int(parts[1])) if len(parts) == 2 else (0, 0)
    start = max(0, begin - WECHAT_COUNT)
    stored = 0
    checked = start == 0
    for _ in range(max_pages):
        page, total = adapter.comments_page(msg, index=_int(index), begin=start, count=WECHAT_COUNT)
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
        stored += _store(cursor, adapter, fresh, f"{start}:{last}")
        if not page or start >= total:
            return stored
    return stored


def _store(cursor: FetchCursor, adapter: Any, fresh: list[RemoteComment], state: str) -> int:
    prepared = ingest.prepare(cursor.channel, cursor.intent, cursor.source, fresh)
    stored = actions.store_fetched_page(cursor.pk, prepared, new_cursor=state)
    cursor.cursor = state
    setattr(cursor, "stored_now", getattr(cursor, "stored_now", 0) + len(stored))  # noqa: B010
    _pause_point("fetch_stored")
    return len(stored)


def fetch_cursor(cursor_id: int, *, max_pages: int = 40, now: datetime | None = None) -> int:
    """Fetch one stream (a claimed cursor); returns how many comments were stored."""
    from guanwei.publishing.dispatch import adapter_for

    cursor = FetchCursor.objects.select_related(
        "channel", "channel__organisation", "intent", "intent__channel"
    ).get(pk=cursor_id)
    try:
        if cursor.intent is None:
            return 0
        adapter = adapter_for(cursor.intent)
        if cursor.channel.platform == "weibo":
            stored = _fetch_weibo(cursor, adapter, max_pages)
        else:
            stored = _fetch_wechat(cursor, adapter, max_pages)
    except AdapterError as e:
        log.warning("fetching %s paused: %s", cursor, e)
        actions.pause_fetching(cursor_id, code=e.code or "error", message=e.user_message)
        return int(getattr(cursor, "stored_now", 0))  # what was stored before stays
    FetchCursor.objects.filter(pk=cursor_id).update(
        next_fetch_at=(now or timezone.now()) + interval()
    )
    return stored


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
    return stored


def on_housekeeping(**_: Any) -> int:
    return fetch_due(limit=5, max_pages=10)


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="guanwei interaction fetch")
    parser.add_argument("--once", action="store_true", help="one pass, then exit")
    args = parser.parse_args(argv)
    while True:
        stored = fetch_due()
        print(f"stored {stored} comments", flush=True)
        if args.once:
            return 0
        time.sleep(5)
