"""Comments into the room (W-18, W-19): screen a batch with the organisation's engine
(``kind=comment``, one ``screen_many`` call), triage it (``interaction.triage``, one model
call), store the new ones with one bulk INSERT (a comment already stored is skipped:
unique per account, source and remote id), then let the moderation rules act on what was
stored (``interaction.rules.apply_many``: the rules read once, each rule's actions carried
out on all its comments at once), then each question goes to its expert with its reply
deadline (``interaction.experts.route_new``).

:func:`prepare` does the work that needs no database lock (screening, triage) so that the
fetcher holds its transaction only for :func:`store`; :func:`ingest` does both."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q, signals
from django.db.models.base import ModelState
from django.utils import timezone

from guanwei.channels.models import Channel
from guanwei.interaction import experts, rules, triage
from guanwei.interaction.models import Activity, ActivityStatus, Comment
from guanwei.publishing.adapters.base import RemoteComment
from guanwei.publishing.models import PublishIntent
from guanwei.screening.service import engine_for


def prepare(
    channel: Channel,
    intent: PublishIntent | None,
    source: str,
    remote_comments: Sequence[RemoteComment],
    *,
    now: datetime | None = None,
) -> list[Comment]:
    """Unsaved comments, screened and triaged in one batch each (duplicates in the
    batch dropped, the first kept)."""
    seen: dict[str, RemoteComment] = {}
    for rc in remote_comments:
        if rc.remote_id and rc.remote_id not in seen:
            seen[rc.remote_id] = rc
    batch = list(seen.values())
    if not batch:
        return []
    texts = [rc.text for rc in batch]
    organisation = channel.organisation
    results = engine_for(organisation).screen_many(texts, kind="comment")
    triaged = triage.classify_many(organisation.pk, texts)
    fetched_at = now or timezone.now()
    unit = channel.unit  # the rules need it (leaders); one read per batch
    during = _activities(channel, [rc.created_at or fetched_at for rc in batch])
    make = _Maker(organisation_id=channel.organisation_id, unit_id=channel.unit_id)
    make.fixed.update(channel_id=channel.pk, source=source, fetched_at=fetched_at)
    make.fixed.update(intent_id=intent.pk if intent else None)
    make.fixed.update(post_id=intent.post_id if intent else None)
    out = []
    for rc, result, t in zip(batch, results, triaged, strict=True):
        c = make(
            remote_id=rc.remote_id,
            remote_post_id=rc.post_id,
            reply_to=rc.reply_to,
            author_id=rc.author_id[:128],
            author_name=rc.author[:200],
            text=rc.text,
            created_at=rc.created_at,
            verdict=result.verdict,
            hits=[hit.to_json() for hit in result.hits],
            is_question=t.question,
            scope=t.scope,
            topic=t.topic[:64],
            confidence=t.confidence,
            activity_id=during(rc.created_at or fetched_at),
        )
        _UNIT.set_cached_value(c, unit)
        _CHANNEL.set_cached_value(c, channel)
        _INTENT.set_cached_value(c, intent)
        out.append(c)
    return out


def _activities(channel: Channel, moments: list[datetime]) -> Callable[[datetime], int | None]:
    """W-08, T-06: the activity that ran on the account when a comment was written (the
    latest started, not finished before it), for a whole batch with one query."""
    ran = list(
        Activity.objects.filter(
            channel_id=channel.pk,
            status__in=(ActivityStatus.RUNNING, ActivityStatus.FINISHED),
            started_at__lte=max(moments),
        )
        .filter(Q(finished_at__isnull=True) | Q(finished_at__gte=min(moments)))
        .order_by("-started_at", "-id")
        .values_list("pk", "started_at", "finished_at")
    )

    def during(moment: datetime) -> int | None:
        for pk, started, finished in ran:
            if (
                started is not None
                and started <= moment
                and (finished is None or finished >= moment)
            ):
                return int(pk)
        return None

    return during


_UNIT, _CHANNEL, _INTENT = (
    cast(models.ForeignKey, Comment._meta.get_field(n)) for n in ("unit", "channel", "intent")
)


class _Maker:
    """Builds unsaved ``Comment`` rows fast, as Django's own ``Model.__init__`` leaves them
    (``_state`` and each field's attribute; every field not given at its default) without
    its per-field descriptor calls: a fifth of the cost of ``Comment(**kwargs)``, which was
    a sixth of the CPU of storing a fetched comment. Falls back to ``Comment(**values)``
    when something listens to the model's init signals."""

    def __init__(self, **fixed: Any) -> None:
        fields = Comment._meta.concrete_fields
        made = [f for f in fields if f.has_default() and callable(f.default)]  # list, dict
        self.callable = [(f.attname, f.get_default) for f in made]
        self.base = {f.attname: f.get_default() for f in fields if f not in made}
        self.base.update(fixed)
        self.fixed = self.base  # more fixed values may be added before the first call
        self.plain = not (
            signals.pre_init.has_listeners(Comment) or signals.post_init.has_listeners(Comment)
        )

    def __call__(self, **values: Any) -> Comment:
        row = dict(self.base)
        for name, default in self.callable:
            row[name] = default()
        row.update(values)
        if not self.plain:
            return Comment(**row)
        c = Comment.__new__(Comment)
        c._state = ModelState()
        c.__dict__.update(row)
        return c


def store(
    channel: Channel,
    source: str,
    prepared: Sequence[Comment],
    *,
    audit: list[dict[str, Any]] | None = None,
) -> list[Comment]:
    """Insert the comments not stored yet (in the caller's transaction) with one INSERT;
    returns the stored new ones with their ids, then the rules act on them (their audit
    records appended to ``audit`` when given, for the caller to write with its own)."""
    if not prepared:
        return []
    with transaction.atomic(savepoint=False):
        stored = _insert(channel, source, list(prepared))
        rules.apply_many(stored, audit=audit, fresh=True)
        experts.route_new(stored, audit=audit)  # W-19, W-20: the expert, the reply deadline
    return stored


def _insert(channel: Channel, source: str, new: list[Comment]) -> list[Comment]:
    """Insert those of ``new`` not stored yet; returns those this call inserted, ids set,
    in id order. The unique
    (channel, source, remote_id) is the backstop against a racing fetcher: its rows are
    skipped, not stored twice. PostgreSQL: COPY into a temporary table, then one
    ``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING`` (a sixth of the time of a bulk
    INSERT's bound parameters for a batch of 500). Elsewhere: a bulk INSERT in a savepoint,
    and on a conflict the missing ones inserted and read back."""
    first: dict[str, Comment] = {}
    for c in new:
        first.setdefault(c.remote_id, c)  # a duplicate in the batch: its first only
    new = list(first.values())
    if connection.vendor == "postgresql":
        return _copy_insert(new)  # rows stored before are the conflicts it skips
    have = set(
        Comment.objects.filter(
            channel_id=channel.pk, source=source, remote_id__in=[c.remote_id for c in new]
        ).values_list("remote_id", flat=True)
    )
    new = [c for c in new if c.remote_id not in have]
    if not new:
        return []
    try:
        with transaction.atomic():  # a savepoint: a racing fetcher's row fails only this
            stored = Comment.objects.bulk_create(new)
        if all(c.pk is not None for c in stored):
            return stored
    except IntegrityError:
        pass
    for c in new:
        c.pk = None
    Comment.objects.bulk_create(new, ignore_conflicts=True)
    mine = {c.remote_id: c for c in new}
    stored = []
    for pk, remote_id, fetched_at in Comment.objects.filter(
        channel_id=channel.pk, source=source, remote_id__in=list(mine)
    ).values_list("pk", "remote_id", "fetched_at"):
        c = mine[remote_id]
        if fetched_at == c.fetched_at:  # not the racing fetcher's row
            c.pk = pk
            stored.append(c)
    stored.sort(key=lambda c: c.pk)
    return stored


def _copy_insert(new: list[Comment]) -> list[Comment]:
    fields = [f for f in Comment._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    table = connection.ops.quote_name(Comment._meta.db_table)
    # Named after its columns: a connection that outlives a migration gets a new one.
    temp = "_guanwei_comment_in_" + hashlib.sha256(columns.encode()).hexdigest()[:10]
    import psycopg

    from guanwei.bulk import copy_rows

    rows = copy_rows(fields, new)

    raw = connection.connection
    assert raw is not None
    cur = psycopg.Cursor(raw)  # server-side binding; COPY
    try:
        cur.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {temp} ON COMMIT DELETE ROWS AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cur.copy(f"COPY {temp} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {temp} "
            "ON CONFLICT DO NOTHING RETURNING id, remote_id"
        )
        inserted = dict((remote_id, pk) for pk, remote_id in cur.fetchall())
        cur.execute(f"TRUNCATE {temp}")
    finally:
        cur.close()
    stored = []
    for c in new:
        if c.remote_id in inserted:
            c.pk = inserted.pop(c.remote_id)  # once: a duplicate in ``new`` is not stored
            c._state.adding = False
            stored.append(c)
    stored.sort(key=lambda c: c.pk)
    return stored


def ingest(
    channel: Channel,
    intent: PublishIntent | None,
    source: str,
    remote_comments: Sequence[RemoteComment],
) -> list[Comment]:
    return store(channel, source, prepare(channel, intent, source, remote_comments))
