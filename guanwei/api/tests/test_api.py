"""REST API under /api/v1/, OpenAPI at /api/openapi.json, token auth (REQ X-01, C-01)."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.cli import main
from guanwei.orgs.models import Membership
from guanwei.testing.personas import person, unit

pytestmark = pytest.mark.django_db


def _token(username: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["token", "create", username]) == 0
    return capsys.readouterr().out.strip()


def test_it_publishes_an_openapi_schema(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/orgs/organisations/{key}/units" in schema["paths"]


def test_it_refuses_anonymous_callers(client: Client) -> None:
    assert client.get("/api/v1/orgs/organisations/demo_weather/units").status_code == 401


def test_a_token_lists_the_units_of_its_own_organisation_only(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """X-01: scripts see their organisation's tree and nothing else."""
    headers = {"authorization": f"Bearer {_token('kj_editor', capsys)}"}
    units = client.get("/api/v1/orgs/organisations/demo_weather/units", headers=headers).json()
    assert {u["key"] for u in units} >= {"province", "city", "county_a"}
    other = client.get("/api/v1/orgs/organisations/demo_college/units", headers=headers)
    assert other.status_code == 404


def test_grant_goes_through_the_same_action(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """X-01: the API grant is permission-checked like the page."""
    county = unit("demo_weather", "county_c")
    admin = {"authorization": f"Bearer {_token('gw_security', capsys)}"}  # 安全管理员
    ok = client.post(
        f"/api/v1/orgs/units/{county.pk}/memberships",
        {"username": "xb_publisher", "role": "info_officer"},
        content_type="application/json",
        headers=admin,
    )
    assert ok.status_code == 201
    officer = {"authorization": f"Bearer {_token('qxt_officer', capsys)}"}
    own = unit("demo_weather", "city_observatory")  # a unit the officer sees (issue #9 §3)
    refused = client.post(
        f"/api/v1/orgs/units/{own.pk}/memberships",
        {"username": "qxt_officer", "role": "administrator"},
        content_type="application/json",
        headers=officer,
    )
    assert refused.status_code == 403 and "授予角色" in refused.json()["detail"]
    assert not Membership.objects.filter(user=person("qxt_officer"), role="administrator").exists()


def test_channels_list_shows_people_by_username(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """C-01, C-08."""
    headers = {"authorization": f"Bearer {_token('kj_editor', capsys)}"}
    rows = client.get(
        "/api/v1/channels/organisations/demo_weather/channels", headers=headers
    ).json()
    city = next(r for r in rows if r["key"] == "city_weibo")
    assert city["manager"] == "kj_publisher" and city["verified"] is True
