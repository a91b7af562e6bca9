"""Writing the audit log. Every action of every room calls ``record`` inside its
own transaction, so the change and its record commit or roll back together
(DESIGN invariant 3, REQ X-02)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from guanwei.audit.chain import GENESIS_HASH, chain_hash, record_fields
from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.bulk import insert_many

if TYPE_CHECKING:
    from guanwei.orgs.models import User
    from guanwei.orgs.permissions import Actor

# Any 64-bit number of our own: the PostgreSQL advisory lock serialising appends.
_CHAIN_LOCK_KEY = 0x6775616E776569  # "guanwei"


class AuditOutsideTransaction(RuntimeError):
    """record() was called outside a transaction: the audit record could commit
    without the change it describes, or the other way round."""


def _plain(value: Any) -> Any:
    """JSON-normalise before/after so the stored JSON and the hashed JSON agree."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite: settings open every atomic block with BEGIN IMMEDIATE, which
    # already holds the single write lock for the whole transaction.


def record(
    action: AuditAction,
    *,
    actor: Actor | None,
    object_type: str,
    object_id: object,
    object_repr: str = "",
    organisation_id: int | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditRecord:
    """Append one record to the chain. ``actor=SYSTEM`` (``orgs.permissions``) is the
    system itself (a command run by the operator, a scheduled job), written as "system";
    ``None`` is recorded the same way but permits nothing (issue #9 §7)."""
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction(f"audit.record({action.name}) needs a transaction")
    return record_many(
        [
            {
                "action": action,
                "actor": actor,
                "object_type": object_type,
                "object_id": object_id,
                "object_repr": object_repr,
                "organisation_id": organisation_id,
                "before": before,
                "after": after,
            }
        ]
    )[0]


def record_many(entries: list[dict[str, Any]]) -> list[AuditRecord]:
    """Append several records at once: one chain lock, one read of the chain's end, one
    INSERT. Each entry holds ``record``'s keyword arguments. Same rules as ``record``."""
    if not entries:
        return []
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction("audit.record_many needs a transaction")
    _lock_chain()
    last = AuditRecord.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    now = timezone.now()
    records = []
    for entry in entries:
        actor = entry.get("actor")
        fields = record_fields(
            seq=seq,
            created=now,
            actor_id=actor.pk if actor is not None else None,
            actor_name=actor.get_username() if actor is not None else "system",
            organisation_id=entry.get("organisation_id"),
            action=entry["action"],
            object_type=entry["object_type"],
            object_id=str(entry["object_id"]),
            object_repr=entry.get("object_repr", "")[:255],
            before=_plain(entry.get("before")),
            after=_plain(entry.get("after")),
        )
        digest = chain_hash(prev_hash, fields)
        records.append(
            AuditRecord(
                **{k: v for k, v in fields.items() if k != "created"},
                created=now,
                prev_hash=prev_hash,
                hash=digest,
            )
        )
        seq, prev_hash = seq + 1, digest
    return insert_many(AuditRecord, records)  # COPY for a big batch (guanwei.bulk)


# Reads that leave a record (issue #9 §19): who printed, exported or looked at what.
READ_ACTIONS = frozenset(
    {
        AuditAction.FORM_PRINTED,
        AuditAction.DATA_EXPORTED,
        AuditAction.CALENDAR_FEED_READ,
        AuditAction.AUDIT_LOG_READ,
    }
)


def record_read(
    action: AuditAction,
    *,
    actor: User,
    object_type: str,
    object_id: object,
    object_repr: str = "",
    organisation_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditRecord:
    """One record for one read of something that matters (a printed form, an export, the
    calendar feed, the audit log page), in its own transaction: the view calls it once the
    person was found allowed to read, before the response is sent."""
    if action not in READ_ACTIONS:
        raise ValueError(f"{action.name} is not a read")
    with transaction.atomic():
        return record(
            action,
            actor=actor,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            organisation_id=organisation_id,
            after=details,
        )
