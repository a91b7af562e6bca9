"""Issue #9 §18: deleting the newest audit records is detected. The chain alone cannot
tell a truncated tail from a short log; an anchor written outside the database can
(REQ X-02, W-21)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from guanwei.audit.models import AuditRecord
from guanwei.cli import main

pytestmark = pytest.mark.django_db


def _drop_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_record_no_update")
            cursor.execute("DROP TRIGGER audit_record_no_delete")
        else:
            cursor.execute("DROP TRIGGER audit_record_no_change ON audit_auditrecord")


@pytest.fixture
def anchor_file(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "anchors" / "audit-anchors.jsonl"
    settings.GUANWEI_AUDIT_ANCHOR_FILE = str(path)
    settings.GUANWEI_AUDIT_ANCHOR_WEBHOOK = ""
    return path


def test_x02_deleting_the_tail_is_reported_against_the_last_anchor(
    anchor_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """X-02 (#9 §18): anchor the head, delete the three newest records bypassing the
    trigger: the chain that is left is intact, but `guanwei audit verify` fails."""
    assert main(["audit", "anchor"]) == 0
    head = AuditRecord.objects.order_by("-seq").first()
    assert head is not None
    line = json.loads(anchor_file.read_text(encoding="utf-8").splitlines()[-1])
    assert line["seq"] == head.seq and line["hash"] == head.hash and line["created"]
    assert main(["audit", "verify"]) == 0
    capsys.readouterr()
    _drop_triggers()
    newest = list(AuditRecord.objects.order_by("-seq").values_list("pk", flat=True)[:3])
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM audit_auditrecord WHERE id IN ({','.join(['%s'] * len(newest))})",
            newest,
        )
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "anchor" in out and str(head.seq) in out


def test_x02_a_replaced_anchored_record_is_reported(
    anchor_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """X-02 (#9 §18): the tail deleted and rewritten with a consistent chain still fails:
    the anchored record's hash is not the one anchored."""
    from guanwei.audit.anchor import Anchor, check_anchor, write_anchor

    anchor = write_anchor()
    assert anchor is not None
    forged = Anchor(anchor.seq, "f" * 64, anchor.created, anchor.anchored_at)
    assert "rewritten" in check_anchor(forged)
    assert check_anchor() == ""


def test_x02_the_scheduler_anchors_every_hour(
    anchor_file: Path, monkeypatch: Any, settings: Any
) -> None:
    """X-02 (#9 §18): the scheduler pass anchors when the last anchor is an hour old and
    the chain grew; the webhook gets a copy."""
    import time_machine
    from django.db import transaction
    from django.utils import timezone

    from guanwei.audit import anchor as anchor_mod
    from guanwei.audit.actions import record
    from guanwei.audit.events import AuditAction
    from guanwei.orgs.permissions import SYSTEM
    from guanwei.publishing.worker import scheduler_pass

    posted: list[dict[str, Any]] = []
    monkeypatch.setattr(anchor_mod, "_post_webhook", lambda url, a: posted.append(a.__dict__))
    settings.GUANWEI_AUDIT_ANCHOR_WEBHOOK = "http://127.0.0.1:9/anchors"
    scheduler_pass()
    assert len(anchor_file.read_text().splitlines()) == 1 and len(posted) == 1
    scheduler_pass()  # within the hour: nothing new
    assert len(anchor_file.read_text().splitlines()) == 1
    with transaction.atomic():
        record(AuditAction.UNIT_CHANGED, actor=SYSTEM, object_type="unit", object_id=1)
    with time_machine.travel(timezone.now() + anchor_mod.ANCHOR_EVERY, tick=False):
        scheduler_pass()
    lines = anchor_file.read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[-1])["seq"] == AuditRecord.objects.count()
    assert anchor_file.stat().st_mode & 0o077 == 0
