"""API tokens (issue #9 §14): expiry, scope, revocation, audit; X-02."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from guanwei.cli import main
from guanwei.testing.personas import unit

pytestmark = pytest.mark.django_db

UNITS = "/api/v1/orgs/organisations/demo_weather/units"


def _token(capsys: pytest.CaptureFixture[str], username: str, *extra: str) -> str:
    assert main(["token", "create", username, *extra]) == 0
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_a_token_expires_after_90_days_by_default(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """§14: expiry, default 90 days."""
    bearer = {"authorization": f"Bearer {_token(capsys, 'kj_editor')}"}
    assert client.get(UNITS, headers=bearer).status_code == 200
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=91)):
        assert client.get(UNITS, headers=bearer).status_code == 401


def test_a_read_token_is_refused_on_a_write(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """§14: a read-scope token reads but is refused on any write operation."""
    bearer = {"authorization": f"Bearer {_token(capsys, 'gw_admin', '--scope', 'read')}"}
    assert client.get(UNITS, headers=bearer).status_code == 200
    county = unit("demo_weather", "county_c")
    refused = client.post(
        f"/api/v1/orgs/units/{county.pk}/memberships",
        {"username": "xb_publisher", "role": "info_officer"},
        content_type="application/json",
        headers=bearer,
    )
    assert refused.status_code == 403


def test_the_owner_lists_and_revokes_a_token_on_a_page(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """§14: 我的 API 令牌 lists the owner's tokens; a revoked token no longer works."""
    from guanwei.orgs.models import ApiToken, User

    bearer = {"authorization": f"Bearer {_token(capsys, 'kj_editor', '--name', '周报脚本')}"}
    client.force_login(User.objects.get(username="kj_editor"))
    page = client.get("/account/tokens/")
    assert page.status_code == 200 and "周报脚本" in page.content.decode()
    token = ApiToken.objects.get(user__username="kj_editor", name="周报脚本")
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    client.logout()
    assert client.get(UNITS, headers=bearer).status_code == 401
