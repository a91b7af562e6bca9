"""The audit log is append-only and hash-chained (REQ X-02, W-21)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from guanwei.audit.actions import AuditOutsideTransaction, record
from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.audit.verify import verify_chain
from guanwei.cli import main
from guanwei.orgs import actions as org_actions
from guanwei.orgs.permissions import SYSTEM
from guanwei.testing.personas import org, person, unit

pytestmark = pytest.mark.django_db


def _drop_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_record_no_update")
            cursor.execute("DROP TRIGGER audit_record_no_delete")
        else:
            cursor.execute("DROP TRIGGER audit_record_no_change ON audit_auditrecord")


def test_it_writes_one_record_per_action_in_the_same_transaction() -> None:
    """X-02: a unit created by an action leaves exactly one audit record."""
    before = AuditRecord.objects.count()
    u = org_actions.create_unit(
        org("demo_weather"),
        actor=person("gw_admin"),
        key="new_station",
        name="新观测站",
        unit_type="radar_station",
        parent=unit("demo_weather", "city"),
    )
    assert AuditRecord.objects.count() == before + 1
    rec = AuditRecord.objects.order_by("-seq").first()
    assert rec is not None
    assert rec.action == AuditAction.UNIT_CREATED
    assert rec.object_id == str(u.pk)
    assert rec.actor_name == "gw_admin"
    assert rec.after is not None and rec.after["name"] == "新观测站"


def test_it_rolls_back_the_record_with_a_failed_change() -> None:
    """X-02: change and record commit or roll back together."""
    before = AuditRecord.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        org_actions.create_unit(
            org("demo_weather"),
            actor=SYSTEM,
            key="doomed",
            name="临时",
            unit_type="radar_station",
            parent=unit("demo_weather", "city"),
        )
        raise RuntimeError("boom")
    assert AuditRecord.objects.count() == before


def test_it_refuses_to_record_outside_a_transaction() -> None:
    """X-02: record() must share the caller's transaction."""
    # pytest-django wraps the test in atomic; leave it to simulate autocommit.
    connection.in_atomic_block, saved = False, connection.in_atomic_block
    try:
        with pytest.raises(AuditOutsideTransaction):
            record(AuditAction.UNIT_CHANGED, actor=SYSTEM, object_type="unit", object_id=1)
    finally:
        connection.in_atomic_block = saved


def test_it_verifies_the_chain_of_the_loaded_packs() -> None:
    """X-02: the chain written by loading five packs verifies end to end."""
    result = verify_chain()
    assert result.ok, str(result)
    assert result.count == AuditRecord.objects.count() > 50


def test_it_refuses_update_in_the_database() -> None:
    """X-02: the trigger refuses UPDATE, even through raw SQL."""
    rec = AuditRecord.objects.order_by("seq").first()
    assert rec is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=rec.pk).update(object_repr="篡改")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET actor_name = 'x' WHERE id = %s", [rec.pk])


def test_it_refuses_delete_in_the_database() -> None:
    """X-02: the trigger refuses DELETE."""
    rec = AuditRecord.objects.order_by("seq").first()
    assert rec is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(pk=rec.pk).delete()
    assert AuditRecord.objects.filter(pk=rec.pk).exists()


def test_it_names_the_first_edited_record(capsys: pytest.CaptureFixture[str]) -> None:
    """X-02: after a raw edit (trigger dropped) verify exits 1 naming that record."""
    assert main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.startswith("OK ")
    target = AuditRecord.objects.order_by("seq")[5]
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditrecord SET object_repr = %s WHERE id = %s", ["篡改", target.pk]
        )
    result = verify_chain()
    assert not result.ok
    assert result.broken_seq == target.seq
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"seq={target.seq}" in out and "edited" in out


def test_it_detects_a_removed_record() -> None:
    """X-02: deleting a record (trigger dropped) breaks the chain at the gap."""
    target = AuditRecord.objects.order_by("seq")[3]
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [target.pk])
    result = verify_chain()
    assert not result.ok
    assert result.broken_seq == target.seq + 1
