"""The three administrators and second-person confirmation of sensitive grants (issue #9
§9; MLPS 2.0 level 3 三员分立; REQ X-01, X-02, W-16, W-21): the system administrator keeps
units and people, the security administrator roles and permissions, the audit administrator
reads the audit log; a sensitive role (reviewer, publisher, custodian, approver, the
administrators themselves) takes effect only when a second person confirms it, and never for
the granter's own account."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.audit.models import AuditRecord
from guanwei.core.errors import DomainError
from guanwei.orgs import actions
from guanwei.orgs.models import Membership, PendingGrant
from guanwei.orgs.permissions import can
from guanwei.testing.personas import org, person, unit

pytestmark = pytest.mark.django_db

W = "demo_weather"


def _active(username: str, unit_key: str, role: str) -> bool:
    return Membership.objects.filter(
        user__username=username, unit=unit(W, unit_key), role=role, revoked_at__isnull=True
    ).exists()


def test_w21_the_administrator_cannot_grant_himself_a_sensitive_role() -> None:
    """W-16, W-21: the issue's attack — the administrator makes himself custodian, reviewer
    or account approver and uses it. Refused, for every administrator."""
    for admin in ("gw_admin", "gw_security"):
        for role, unit_key in (
            ("custodian", "city_tech_centre"),
            ("supervising_leader", "city_tech_centre"),
            ("section_head", "city_business"),
        ):
            with pytest.raises(DomainError):
                actions.grant_role(person(admin), unit(W, unit_key), role, actor=person(admin))
            assert not _active(admin, unit_key, role)


def test_x01_the_three_administrators_hold_separate_rights() -> None:
    """X-01, X-02 (三员分立): units and people; roles; the audit log, read-only."""
    weather, county = org(W), unit(W, "county_a")
    sysadmin, security, auditor = person("gw_admin"), person("gw_security"), person("gw_auditor")
    assert can(sysadmin, "unit.create", county) and not can(sysadmin, "role.grant", county)
    assert not can(sysadmin, "audit.view", weather)
    assert can(security, "role.grant", county) and not can(security, "unit.create", county)
    assert not can(security, "audit.view", weather)
    assert can(auditor, "audit.view", weather)
    for permission in ("role.grant", "unit.create", "pack.load", "channel.change"):
        assert not can(auditor, permission, county)


def test_x01_a_sensitive_grant_waits_for_a_second_person() -> None:
    """X-01: the security administrator proposes; he cannot confirm it himself; the system
    administrator confirms and only then the role works. Each step is audited."""
    before = AuditRecord.objects.count()
    pending = actions.grant_role(
        person("kj_editor"), unit(W, "city_tech_centre"), "custodian", actor=person("gw_security")
    )
    assert isinstance(pending, PendingGrant)
    assert not _active("kj_editor", "city_tech_centre", "custodian")
    assert not can(person("kj_editor"), "credential.reveal", unit(W, "city_tech_centre"))
    with pytest.raises(DomainError):
        actions.confirm_grant(pending, actor=person("gw_security"))
    with pytest.raises(DomainError):
        actions.confirm_grant(pending, actor=person("kj_editor"))
    with pytest.raises(DomainError):
        actions.confirm_grant(pending, actor=person("gw_auditor"))
    membership = actions.confirm_grant(pending, actor=person("gw_admin"))
    assert membership.active and _active("kj_editor", "city_tech_centre", "custodian")
    with pytest.raises(DomainError):
        actions.confirm_grant(pending, actor=person("gw_admin"))
    kinds = list(AuditRecord.objects.order_by("seq")[before:].values_list("action", flat=True))
    assert len(kinds) == 2


def test_x01_a_refused_grant_never_takes_effect() -> None:
    """X-01: 拒绝 closes the request; nothing is granted."""
    pending = actions.grant_role(
        person("kj_editor"), unit(W, "city"), "supervising_leader", actor=person("gw_security")
    )
    assert isinstance(pending, PendingGrant)
    actions.refuse_grant(pending, actor=person("gw_admin"))
    assert not _active("kj_editor", "city", "supervising_leader")
    with pytest.raises(DomainError):
        actions.confirm_grant(pending, actor=person("gw_admin"))


def test_x01_an_ordinary_role_is_granted_at_once() -> None:
    """X-01: an information officer is not a sensitive role: no confirmation needed."""
    m = actions.grant_role(
        person("xb_publisher"), unit(W, "county_c"), "info_officer", actor=person("gw_security")
    )
    assert isinstance(m, Membership) and m.active


def test_x01_the_people_page_shows_pending_grants_with_buttons_only_to_confirmers(
    client: Client,
) -> None:
    """X-01: 待确认的授权 with 确认/拒绝 for the system administrator; the requester sees it
    without the buttons; an editor sees no button."""
    pending = actions.grant_role(
        person("kj_editor"), unit(W, "city_tech_centre"), "custodian", actor=person("gw_security")
    )
    assert isinstance(pending, PendingGrant)
    confirm_url = f"/grants/{pending.pk}/confirm/"
    client.force_login(person("gw_admin"))
    page = client.get("/people/").content.decode()
    assert "待确认的授权" in page and confirm_url in page and "确认" in page and "拒绝" in page
    client.force_login(person("gw_security"))
    page = client.get("/people/").content.decode()
    assert "待确认的授权" in page and confirm_url not in page
    assert client.post(confirm_url).status_code in (302, 403)
    assert not _active("kj_editor", "city_tech_centre", "custodian")
    client.force_login(person("gw_admin"))
    assert client.post(confirm_url).status_code == 302
    assert _active("kj_editor", "city_tech_centre", "custodian")


def test_x01_the_api_grant_of_a_sensitive_role_is_pending(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """X-01: POST /api/v1/orgs/units/{id}/memberships goes through the same action: a
    sensitive role answers 202 (awaiting confirmation) and grants nothing yet."""
    from guanwei.cli import main

    assert main(["token", "create", "gw_security"]) == 0
    token = capsys.readouterr().out.strip()
    response = client.post(
        f"/api/v1/orgs/units/{unit(W, 'city_tech_centre').pk}/memberships",
        {"username": "kj_editor", "role": "custodian"},
        content_type="application/json",
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 202 and response.json()["status"] == "pending"
    assert not _active("kj_editor", "city_tech_centre", "custodian")


def test_x01_the_unit_page_lists_its_pending_grants_and_no_self_revoke(client: Client) -> None:
    """X-01 (issue #9 §9): the unit page says what waits for confirmation; the security
    administrator sees no 撤销 button on his own role (revoking oneself is refused)."""
    pending = actions.grant_role(
        person("kj_editor"), unit(W, "city_tech_centre"), "custodian", actor=person("gw_security")
    )
    assert isinstance(pending, PendingGrant)
    client.force_login(person("gw_security"))
    page = client.get(f"/units/{unit(W, 'city_tech_centre').pk}/").content.decode()
    assert 'id="unit-pending-grants"' in page and "黄丽" in page
    own = Membership.objects.get(user=person("gw_security"), role="security_admin")
    city = client.get(f"/units/{unit(W, 'city').pk}/").content.decode()
    assert f"/memberships/{own.pk}/revoke/" not in city
    other = Membership.objects.get(user=person("gw_admin"), role="administrator")
    assert f"/memberships/{other.pk}/revoke/" in city
    client.force_login(person("kj_editor"))
    page = client.get(f"/units/{unit(W, 'city_tech_centre').pk}/").content.decode()
    assert 'id="unit-pending-grants"' not in page
