"""Issue #9 §5, §6: the API grants roles only to people of the same organisation and
tells a tenant nothing about the others (REQ X-01, X-02)."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.cli import main
from guanwei.orgs.models import Membership, User
from guanwei.testing.personas import person, unit

pytestmark = pytest.mark.django_db


def _bearer(username: str, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    assert main(["token", "create", username]) == 0
    return {"authorization": f"Bearer {capsys.readouterr().out.strip()}"}


def _grant(client: Client, headers: dict[str, str], unit_id: int, username: str) -> object:
    return client.post(
        f"/api/v1/orgs/units/{unit_id}/memberships",
        {"username": username, "role": "info_officer"},
        content_type="application/json",
        headers=headers,
    )


def test_x01_a_grant_names_only_people_of_the_same_organisation(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """X-01 (#9 §5): the weather administrator cannot give a college person, nor the
    installation's superuser, a role in a weather unit."""
    User.objects.create_superuser("root_op", password="x" * 16)
    county = unit("demo_weather", "county_c")
    admin = _bearer("gw_security", capsys)  # roles: 安全管理员 (#9 §9)
    for foreign in ("col_admin", "root_op"):
        answer = _grant(client, admin, county.pk, foreign)
        assert answer.status_code == 404, foreign  # type: ignore[attr-defined]
        assert not Membership.objects.filter(user=person(foreign), unit=county).exists()


def test_x01_unknown_and_foreign_people_get_the_same_answer(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """X-01 (#9 §5): no enumeration of the installation's login names."""
    county = unit("demo_weather", "county_c")
    admin = _bearer("gw_security", capsys)
    unknown = _grant(client, admin, county.pk, "nobody_at_all")
    foreign = _grant(client, admin, county.pk, "col_admin")
    assert unknown.status_code == foreign.status_code  # type: ignore[attr-defined]
    assert unknown.json() == foreign.json()  # type: ignore[attr-defined]
    assert "col_admin" not in foreign.content.decode()  # type: ignore[attr-defined]


def _run_queued(task_id: str) -> None:
    """What the db_worker does for one task (its loop closes the test's connection)."""
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.get(id=task_id)
    row.claim("test-worker")
    row.set_successful(row.task.call(*row.task_result.args, **row.task_result.kwargs))


def test_x02_audit_verification_is_queued_and_counts_the_own_organisation_only(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """X-02 (#9 §6): the verification runs as a task, not in the request, and a tenant
    learns only its own organisation's record count; another tenant cannot read it."""
    from guanwei.audit.models import AuditRecord
    from guanwei.testing.personas import org

    weather = org("demo_weather")
    admin = _bearer("gw_auditor", capsys)  # the log: 审计管理员 (#9 §9)
    queued = client.post(f"/api/v1/audit/organisations/{weather.key}/verify", headers=admin)
    assert queued.status_code == 202, queued.content
    task_id = queued.json()["task"]
    pending = client.get(f"/api/v1/audit/verify/{task_id}", headers=admin).json()
    assert pending["status"] == "READY" and pending["count"] is None
    _run_queued(task_id)
    done = client.get(f"/api/v1/audit/verify/{task_id}", headers=admin).json()
    own = AuditRecord.objects.filter(organisation_id=weather.pk).count()
    assert done["status"] == "SUCCESSFUL" and done["ok"] is True
    assert done["count"] == own < AuditRecord.objects.count()
    college = _bearer("col_admin", capsys)
    assert client.get(f"/api/v1/audit/verify/{task_id}", headers=college).status_code == 404
    assert (
        client.post(
            f"/api/v1/audit/organisations/{weather.key}/verify", headers=college
        ).status_code
        == 404
    )
    # the old endpoint that verified the whole installation in the request is gone
    assert client.get("/api/v1/audit/verify", headers=admin).status_code in (404, 405)
