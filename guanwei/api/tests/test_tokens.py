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


def test_creation_revocation_and_use_are_audited_use_once_an_hour(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """§14, X-02: created, revoked and used (one record per token per hour; last_used on
    every call)."""
    from guanwei.audit.events import AuditAction
    from guanwei.audit.models import AuditRecord
    from guanwei.orgs.actions import revoke_api_token
    from guanwei.orgs.models import ApiToken

    bearer = {"authorization": f"Bearer {_token(capsys, 'kj_editor', '--scope', 'read')}"}
    token = ApiToken.objects.get(user__username="kj_editor")
    assert len(token.digest) == 64 and token.scope == "read"

    def used() -> int:
        return AuditRecord.objects.filter(
            action=AuditAction.API_TOKEN_USED, object_id=str(token.pk)
        ).count()

    for _ in range(3):
        assert client.get(UNITS, headers=bearer).status_code == 200
    assert used() == 1
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=61)):
        assert client.get(UNITS, headers=bearer).status_code == 200
    assert used() == 2
    token.refresh_from_db()
    assert token.last_used is not None
    revoke_api_token(token, actor=token.user)
    assert client.get(UNITS, headers=bearer).status_code == 401
    kinds = set(
        AuditRecord.objects.filter(object_type="api_token", object_id=str(token.pk)).values_list(
            "action", flat=True
        )
    )
    assert kinds == {
        AuditAction.API_TOKEN_CREATED,
        AuditAction.API_TOKEN_USED,
        AuditAction.API_TOKEN_REVOKED,
    }


def test_the_page_shows_a_new_token_once_and_only_its_owner_revokes_it(client: Client) -> None:
    """§14: 我的 API 令牌 — created on the page (default read scope, 90 days), the plaintext
    only in that response; another person cannot revoke it."""
    from guanwei.orgs.models import ApiToken, User

    client.force_login(User.objects.get(username="kj_editor"))
    made = client.post("/account/tokens/", {"name": "统计", "scope": "read", "days": "90"})
    assert made.status_code == 200
    plaintext = made.context["plaintext"]
    assert plaintext in made.content.decode()
    assert plaintext not in client.get("/account/tokens/").content.decode()
    token = ApiToken.objects.get(user__username="kj_editor", name="统计")
    assert token.scope == "read" and 89 <= (token.expires_at - token.created).days <= 90
    client.force_login(User.objects.get(username="kj_leader"))
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    bearer = {"authorization": f"Bearer {plaintext}"}
    client.logout()
    assert client.get(UNITS, headers=bearer).status_code == 200


@pytest.mark.xfail(
    strict=True,
    reason="rev9 finding, left to the lead: a password change (own, or after a suspected "
    "theft) ends the person's other sessions but not their API tokens",
)
def test_x02_a_password_change_ends_the_persons_api_tokens_too(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """X-02 (issue #9 §12, §14): whoever learnt a password and made a token with it keeps
    the API after the person changes the password — the sessions end, the token does not."""
    from guanwei.orgs import actions as org_actions
    from guanwei.orgs.models import User

    bearer = {"authorization": f"Bearer {_token(capsys, 'kj_editor', '--scope', 'write')}"}
    assert client.get(UNITS, headers=bearer).status_code == 200
    editor = User.objects.get(username="kj_editor")
    org_actions.change_own_password(editor, "xiaoyu-zhuan-duoyun-17", actor=editor)
    assert client.get(UNITS, headers=bearer).status_code == 401
