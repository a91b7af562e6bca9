"""Verifying the audit chain end to end (REQ X-02): recompute every hash from the
stored fields and check each record links to the one before it."""

from __future__ import annotations

from dataclasses import dataclass

from guanwei.audit.chain import GENESIS_HASH, chain_hash, record_fields
from guanwei.audit.models import AuditRecord


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"OK {self.count} records"
        return f"BROKEN at record seq={self.broken_seq} (id={self.broken_id}): {self.reason}"


OUTSIDE = "the chain is broken at a record of another organisation; ask the operator"


def verify_chain(batch_size: int = 2000, organisation_id: int | None = None) -> VerifyResult:
    """Walk the whole chain (a gap or an edit anywhere breaks everything after it).

    With ``organisation_id`` the answer is that organisation's (issue #9 §6): ``count``
    counts its own records only, and a break at another organisation's record is reported
    without its position or content."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    count = 0
    records = AuditRecord.objects.order_by("seq")

    def broken(rec: AuditRecord, reason: str) -> VerifyResult:
        if organisation_id is not None and rec.organisation_id != organisation_id:
            return VerifyResult(False, count, None, None, OUTSIDE)
        return VerifyResult(False, count, rec.seq, rec.pk, reason)

    for rec in records.iterator(chunk_size=batch_size):
        if rec.seq != expected_seq:
            return broken(rec, f"expected seq {expected_seq}, a record is missing")
        if rec.prev_hash != prev_hash:
            return broken(rec, "prev_hash does not match the previous record")
        fields = record_fields(
            seq=rec.seq,
            created=rec.created,
            actor_id=rec.actor_id,
            actor_name=rec.actor_name,
            organisation_id=rec.organisation_id,
            action=rec.action,
            object_type=rec.object_type,
            object_id=rec.object_id,
            object_repr=rec.object_repr,
            before=rec.before,
            after=rec.after,
        )
        if chain_hash(prev_hash, fields) != rec.hash:
            return broken(rec, "content does not match its hash (edited)")
        prev_hash = rec.hash
        expected_seq += 1
        if organisation_id is None or rec.organisation_id == organisation_id:
            count += 1
    return VerifyResult(True, count)
