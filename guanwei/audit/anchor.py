"""Anchors of the audit chain outside the database (REQ X-02, issue #9 §18).

The hash chain shows an edited or removed record *inside* the log, but someone who can
bypass the trigger can also delete the newest records and leave a shorter chain that
verifies. An anchor — the head's sequence number, hash and time — written to an
append-only file outside the database (``GUANWEI_AUDIT_ANCHOR_FILE``, default
``VAR_DIR/audit-anchors.jsonl``) and optionally posted to a webhook
(``GUANWEI_AUDIT_ANCHOR_WEBHOOK``) closes that gap: ``verify`` checks that the anchored
record is still there with the anchored hash. ``guanwei audit anchor`` writes one; the
scheduler pass writes one every hour.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from guanwei.audit.models import AuditRecord

log = logging.getLogger(__name__)

ANCHOR_EVERY = timedelta(hours=1)


def anchor_path() -> Path:
    configured = getattr(settings, "GUANWEI_AUDIT_ANCHOR_FILE", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "audit-anchors.jsonl"


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    created: str  # the head record's time
    anchored_at: str

    def line(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, sort_keys=True)


def _append(path: Path, line: str) -> None:
    """Append one line: O_APPEND, created 0600, flushed to disk. Earlier lines are never
    rewritten (the file may also sit on append-only or remote storage)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _post_webhook(url: str, anchor: Anchor) -> None:
    import httpx

    try:
        httpx.post(url, json=anchor.__dict__, timeout=10).raise_for_status()
    except httpx.HTTPError as exc:  # the file is the anchor; the webhook is a copy
        log.warning("audit anchor webhook %s failed: %s", url, exc)


def write_anchor() -> Anchor | None:
    """Anchor the chain's current head; None when the log is empty."""
    head = AuditRecord.objects.order_by("-seq").values("seq", "hash", "created").first()
    if head is None:
        return None
    anchor = Anchor(
        seq=head["seq"],
        hash=head["hash"],
        created=head["created"].isoformat(timespec="microseconds"),
        anchored_at=timezone.now().isoformat(timespec="seconds"),
    )
    _append(anchor_path(), anchor.line())
    webhook = getattr(settings, "GUANWEI_AUDIT_ANCHOR_WEBHOOK", "")
    if webhook:
        _post_webhook(webhook, anchor)
    return anchor


def last_anchor(path: Path | None = None) -> Anchor | None:
    """The newest well-formed line of the anchor file (a torn last line is skipped)."""
    path = path or anchor_path()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    for raw in reversed(lines):
        try:
            data: dict[str, Any] = json.loads(raw)
            return Anchor(
                seq=int(data["seq"]),
                hash=str(data["hash"]),
                created=str(data["created"]),
                anchored_at=str(data["anchored_at"]),
            )
        except (ValueError, KeyError, TypeError):
            continue
    return None


def anchor_if_due(now: datetime | None = None) -> Anchor | None:
    """The scheduler pass: a new anchor when the last one is an hour old (or none yet)
    and the chain has grown since."""
    now = now or timezone.now()
    last = last_anchor()
    if last is not None:
        if datetime.fromisoformat(last.anchored_at) > now - ANCHOR_EVERY:
            return None
        if not AuditRecord.objects.filter(seq__gt=last.seq).exists():
            return None
    return write_anchor()


def check_anchor(anchor: Anchor | None = None) -> str:
    """'' when the anchored record is still in the log with the anchored hash; otherwise
    what is wrong (the tail was deleted, or the record replaced)."""
    anchor = anchor or last_anchor()
    if anchor is None:
        return ""
    found = AuditRecord.objects.filter(seq=anchor.seq).values_list("hash", flat=True).first()
    if found is None:
        head = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first()
        return (
            f"the anchor of {anchor.anchored_at} names record seq={anchor.seq}, but the log "
            f"ends at seq={head or 0}: the newest records were deleted"
        )
    if found != anchor.hash:
        return (
            f"record seq={anchor.seq} does not have the hash its anchor of "
            f"{anchor.anchored_at} recorded: the log was rewritten"
        )
    return ""
