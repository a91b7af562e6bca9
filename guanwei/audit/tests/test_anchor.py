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
