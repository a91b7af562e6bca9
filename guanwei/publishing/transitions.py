"""Every change of a publish intent's status, from one table (REQ X-03; issue #8 §2).

``move`` is the only code that writes ``PublishIntent.status``. Each move is a conditional
UPDATE per intent (``WHERE status IN (<from>) [AND lease_owner = <token>] [AND <gate>]``)
and one audit record per intent that moved, in one transaction; a (from, to) pair that is
not in :data:`TRANSITIONS` is refused before anything is written.

The publish gate (:func:`gate`, asked of locked rows by :func:`passing`) decides every move
to "sending", in the transaction that makes it, on the rows locked until COMMIT:
the intent's revision is the post's current and approved revision, with the content hash
the approval covered, an approved run with every step approved, and the account active.
Whatever happened since the dispatcher looked — an edit, a withdrawn approval, a
suspended account — the platform call cannot start (DESIGN invariants 1 and 2).
See docs/decisions/0004-publish-gate.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import F, OuterRef, Q
from django.db.models.expressions import RawSQL

from guanwei.audit.actions import record_many
from guanwei.audit.events import AuditAction
from guanwei.channels.models import ChannelStatus
from guanwei.content.models import PostStatus
from guanwei.orgs.errors import InvalidChange
from guanwei.orgs.permissions import Actor
from guanwei.publishing.events import intents_released, post_published
from guanwei.publishing.models import IntentStatus, PublishIntent
from guanwei.publishing.rows import update_rows
from guanwei.workflow.queries import approved_in_full

S = IntentStatus

# (from, to) → the audit action that records it. Nothing else may happen to an intent.
TRANSITIONS: Mapping[tuple[str, str], AuditAction] = {
    # claiming, and giving a claim back (its lease ran out before anything was sent)
    (S.SCHEDULED, S.CLAIMED): AuditAction.PUBLISH_CLAIMED,
    (S.RETRY, S.CLAIMED): AuditAction.PUBLISH_CLAIMED,
    (S.CLAIMED, S.SCHEDULED): AuditAction.PUBLISH_RELEASED,
    # before the call: the gate, or why nothing is sent
    (S.CLAIMED, S.SENDING): AuditAction.PUBLISH_SENDING,
    # the dispatcher takes a due intent straight to "sending" (dispatch.deliver_due)
    (S.SCHEDULED, S.SENDING): AuditAction.PUBLISH_SENDING,
    (S.RETRY, S.SENDING): AuditAction.PUBLISH_SENDING,
    (S.CLAIMED, S.CANCELLED): AuditAction.PUBLISH_CANCELLED,
    (S.CLAIMED, S.RETRY): AuditAction.PUBLISH_RETRY,
    (S.CLAIMED, S.FAILED): AuditAction.PUBLISH_FAILED,
    # the platform's answer
    (S.SENDING, S.PUBLISHED): AuditAction.PUBLISHED,
    (S.SENDING, S.REMOTE_PENDING): AuditAction.PUBLISH_REMOTE_PENDING,
    (S.SENDING, S.RETRY): AuditAction.PUBLISH_RETRY,
    (S.SENDING, S.FAILED): AuditAction.PUBLISH_FAILED,
    (S.SENDING, S.UNKNOWN): AuditAction.PUBLISH_UNKNOWN,
    # asynchronous publishing (WeChat)
    (S.REMOTE_PENDING, S.PUBLISHED): AuditAction.PUBLISHED,
    (S.REMOTE_PENDING, S.FAILED): AuditAction.PUBLISH_FAILED,
    (S.REMOTE_PENDING, S.UNKNOWN): AuditAction.PUBLISH_UNKNOWN,
    # reconciliation of an unknown outcome
    (S.UNKNOWN, S.PUBLISHED): AuditAction.PUBLISH_RECONCILED,
    (S.UNKNOWN, S.RETRY): AuditAction.PUBLISH_RECONCILED,
    (S.UNKNOWN, S.FAILED): AuditAction.PUBLISH_FAILED,
    # a late answer of a dispatcher whose lease was taken over: its remote id wins over a
    # second send that has not started yet
    (S.RETRY, S.PUBLISHED): AuditAction.PUBLISHED,
    (S.CLAIMED, S.PUBLISHED): AuditAction.PUBLISHED,
    (S.UNKNOWN, S.REMOTE_PENDING): AuditAction.PUBLISH_REMOTE_PENDING,
    (S.RETRY, S.REMOTE_PENDING): AuditAction.PUBLISH_REMOTE_PENDING,
    (S.CLAIMED, S.REMOTE_PENDING): AuditAction.PUBLISH_REMOTE_PENDING,
    # a person cancels, or an edit / a suspended account cancels
    (S.SCHEDULED, S.CANCELLED): AuditAction.PUBLISH_CANCELLED,
    (S.RETRY, S.CANCELLED): AuditAction.PUBLISH_CANCELLED,
    # W-11: the original of a correction deleted on the platform where the pack says so
    # (``actions.retract_original`` queues it, ``retract.retract_due`` makes the call):
    # deleted, or back to published with the platform's cause when it refuses
    (S.PUBLISHED, S.RETRACTING): AuditAction.PUBLISH_RETRACTING,
    (S.RETRACTING, S.RETRACTED): AuditAction.PUBLISH_RETRACTED,
    (S.RETRACTING, S.PUBLISHED): AuditAction.PUBLISH_RETRACT_REFUSED,
}

# The fields that give a lease back (a move out of a leased status writes them).
RELEASED: Mapping[str, Any] = {"lease_owner": "", "lease_until": None}

# Statuses in which the call may be under way or may have reached the platform.
IN_FLIGHT = (S.SENDING,)
# Statuses nobody has started to send from: an edit or a closed account cancels them.
NOT_STARTED = (S.SCHEDULED, S.RETRY, S.CLAIMED)


def gate() -> Q:
    """The publish gate as one SQL condition on PublishIntent (see the module text)."""
    return Q(
        post__current_revision_id=F("revision_id"),
        post__approved_revision_id=F("revision_id"),
        # PUBLISHED too: a post already out on one account may still go out on another
        # (T-01, C-09: the centre publishes a county's post on the city account); the
        # revision and approval conditions above and below decide.
        post__status__in=[PostStatus.APPROVED, PostStatus.SCHEDULED, PostStatus.PUBLISHED],
        revision__content_hash=F("content_hash"),
        channel__status=ChannelStatus.ACTIVE,
    ) & Q(approved_in_full(OuterRef("post_id"), OuterRef("revision_id"), OuterRef("content_hash")))


# The gate over a list of ids, compiled once per process and database (``passing``).
_IDS_MARK = "__guanwei_gate_ids__"
_GATE_SQL: dict[tuple[str, str], tuple[str, tuple[Any, ...], int]] = {}


def passing(ids: Iterable[int]) -> set[int]:
    """Of these intents, those the publish gate lets through now (:func:`gate`), in one
    statement. The gate's other parameters are constants (statuses), so its SQL is
    compiled once per process (compiling it cost more than running it, on every batch of
    the dispatcher) and the ids are one parameter: an array on PostgreSQL, a JSON list
    on SQLite. Each statement reads the committed state at its start, so run it after locking the
    intents' rows: the gate then holds for the rows that move."""
    ids = list(ids)
    if not ids:
        return set()
    key = (connection.alias, connection.vendor)
    cached = _GATE_SQL.get(key)
    if cached is None:
        if connection.vendor == "postgresql":
            listed = RawSQL("SELECT unnest(%s::bigint[])", (_IDS_MARK,))
        else:
            listed = RawSQL("SELECT value FROM json_each(%s)", (_IDS_MARK,))
        query = PublishIntent.objects.filter(pk__in=listed).filter(gate()).values_list("pk")
        sql, params = query.order_by().query.get_compiler(using=connection.alias).as_sql()
        marks = [i for i, p in enumerate(params) if p == _IDS_MARK]
        if len(marks) != 1:
            raise RuntimeError("the gate's statement must take the ids exactly once")
        cached = _GATE_SQL[key] = (sql, tuple(params), marks[0])
    sql, params, at = cached
    value: Any = ids if connection.vendor == "postgresql" else json.dumps(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params[:at], value, *params[at + 1 :]))
        return {int(row[0]) for row in cursor.fetchall()}


def audit_entry(
    intent: PublishIntent, action: AuditAction, after: Mapping[str, Any], actor: Actor | None = None
) -> dict[str, Any]:
    return {
        "action": action,
        "actor": actor,
        "object_type": "publish_intent",
        "object_id": intent.pk,
        "object_repr": f"稿件 {intent.post_id} → 账号 {intent.channel_id}",
        "organisation_id": intent.organisation_id,
        "after": {
            "post": intent.post_id,
            "channel": intent.channel_id,
            "content_hash": intent.content_hash,
            **after,
        },
    }


def move(
    intents: Iterable[PublishIntent],
    frm: str | Iterable[str],
    to: str,
    *,
    token: str | None = None,
    gated: bool = False,
    actor: Actor | None = None,
    fields: Mapping[str, Any] | None = None,
    per_intent: Mapping[int, Mapping[str, Any]] | None = None,
    after: Mapping[str, Any] | None = None,
    where: Q | None = None,
    audit_into: list[dict[str, Any]] | None = None,
    locked: bool = False,
) -> list[PublishIntent]:
    """Move each intent that is still in ``frm`` (and leased by ``token``, and through the
    gate when ``gated``, and matching ``where``) to ``to``; audit each one that moved.
    Returns those that moved, with ``status`` and the written fields set on the objects.

    Set-based: one SELECT … FOR UPDATE reads (and on PostgreSQL locks) the rows that
    qualify — the condition, gate included, is evaluated on the locked rows — then one
    UPDATE per set of written fields (``bulk_update``), one ``record_many``. SQLite runs
    every transaction IMMEDIATE, so the read and the write are one writer's.

    ``audit_into``: append the audit entries there instead of writing them, for a caller
    that moves several groups in one transaction and writes every record at its end (the
    chain's lock is one for the whole system: taken last, held shortest).

    ``locked``: the caller read ``intents`` in this transaction with the same conditions
    and ``FOR UPDATE`` (the claim); their ``status`` is current, the SELECT is skipped."""
    sources = [frm] if isinstance(frm, str) else list(frm)
    actions = {}
    for name in sources:
        action = TRANSITIONS.get((name, to))
        if action is None:
            raise InvalidChange(f"发布任务不能从“{S(name).label}”变为“{S(to).label}”。")
        actions[name] = action
    by_pk = {i.pk: i for i in intents}
    if not by_pk:
        return []
    # Inside the caller's transaction, no savepoint of its own (two round trips each):
    # whatever fails here fails the caller's transaction as a whole.
    with transaction.atomic(savepoint=False):
        if locked:
            found = {pk: i.status for pk, i in by_pk.items() if i.status in sources}
        else:
            query = PublishIntent.objects.filter(pk__in=list(by_pk), status__in=sources)
            if token is not None:
                query = query.filter(lease_owner=token)
            if where is not None:
                query = query.filter(where)
            if connection.vendor == "postgresql":
                query = query.select_for_update(of=("self",))
            found = dict(query.order_by("pk").values_list("pk", "status"))
            if gated:  # asked of the rows just locked
                through = passing(found)
                found = {pk: status for pk, status in found.items() if pk in through}
        if not found:
            return []
        moved: list[PublishIntent] = []
        entries: list[dict[str, Any]] = []
        groups: dict[tuple[str, ...], list[PublishIntent]] = {}
        for pk, source in found.items():
            intent = by_pk[pk]
            own = dict((per_intent or {}).get(pk) or {})
            values = {**(fields or {}), **own}
            for name, value in values.items():
                setattr(intent, name, value)
            intent.status = to
            if own:
                groups.setdefault(tuple(sorted(own)), []).append(intent)
            moved.append(intent)
            entries.append(
                audit_entry(
                    intent,
                    actions[source],
                    {"from": str(source), "to": str(to), **(after or {}), **_shown(values)},
                    actor,
                )
            )
        # What every moved row gets alike and what differs per row (a remote id, an
        # error): one VALUES-joined UPDATE per set of field names (``rows.update_rows``).
        shared = {"status": to, **(fields or {})}
        if groups and not any(hasattr(v, "resolve_expression") for v in shared.values()):
            update_rows(  # one statement per set of field names, no CASE to build
                PublishIntent,
                {
                    i.pk: {**shared, **{n: getattr(i, n) for n in (per_intent or {}).get(i.pk, {})}}
                    for i in moved
                },
            )
        else:
            PublishIntent.objects.filter(pk__in=list(found)).update(**shared)
            update_rows(
                PublishIntent,
                {
                    i.pk: {n: getattr(i, n) for n in names}
                    for names, ms in groups.items()
                    for i in ms
                },
            )
        computed = sorted(
            {n for n, v in (fields or {}).items() if hasattr(v, "resolve_expression")}
        )
        if computed:  # an expression (attempts + 1): read back what it wrote
            rows = PublishIntent.objects.filter(pk__in=[i.pk for i in moved]).values(
                "pk", *computed
            )
            for row in rows:
                for name in computed:
                    setattr(by_pk[row["pk"]], name, row[name])
        if to == S.PUBLISHED:
            for intent in moved:
                if found[intent.pk] != S.RETRACTING:  # a refused deletion publishes nothing
                    post_published.send(sender=PublishIntent, intent=intent)
        if to == S.FAILED:
            _tell_failed(moved)
        if to == S.CANCELLED:  # what they counted (a quota met ahead, E-04) is released
            intents_released.send(
                sender=PublishIntent, intents=moved, before=[i.due_at for i in moved]
            )
        if audit_into is not None:
            audit_into.extend(entries)
        else:
            record_many(entries)  # last before COMMIT: the chain's lock is one for the system
    return moved


def _tell_failed(intents: list[PublishIntent]) -> None:
    """A publication that failed for good is a notice for the person who scheduled it and
    the post's author, with the platform's cause (X-04)."""
    from guanwei.content.models import Post
    from guanwei.notify.actions import notify

    posts = {
        p.pk: p
        for p in Post.objects.filter(pk__in={i.post_id for i in intents}).only(
            "pk", "title", "created_by_id"
        )
    }
    for intent in intents:
        post = posts.get(intent.post_id)
        if post is None:
            continue
        notify(
            [p for p in {intent.scheduled_by_id, post.created_by_id} if p],
            organisation_id=intent.organisation_id,
            title=f"《{post.title}》发布失败",
            body=intent.error_message or "平台未能发布该稿件。",
            link=f"/content/posts/{post.pk}/",
        )


def _shown(values: Mapping[str, Any]) -> dict[str, Any]:
    """What of the written fields the audit record keeps."""
    keep = ("remote_id", "error_code", "error_message", "attempts", "due_at")
    out: dict[str, Any] = {}
    for name in keep:
        if name in values and not hasattr(values[name], "resolve_expression"):
            value = values[name]
            out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out
