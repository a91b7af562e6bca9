"""The Chinese pages: login, dashboard, tree, accounts, follows, audit (REQ X-06, X-01, C-01)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from guanwei.audit.models import AuditRecord
from guanwei.orgs.models import Membership
from guanwei.orgs.permissions import SYSTEM
from guanwei.testing.personas import channel, person, unit

pytestmark = pytest.mark.django_db
W = "demo_weather"


def _login(client: Client, username: str) -> Client:
    client.force_login(person(username))
    return client


def test_it_shows_a_chinese_login_page(client: Client) -> None:
    """X-06: Chinese first."""
    response = client.get("/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="zh-hans"' in body and "登录" in body


def test_it_sends_a_strict_content_security_policy(client: Client) -> None:
    response = client.get("/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp


def test_it_offers_english(client: Client) -> None:
    """X-06: English second, through Django's i18n."""
    english_browser = client.get("/login/", headers={"accept-language": "en"})
    assert "登录" in english_browser.content.decode()  # Chinese first, whatever the browser
    client.cookies["django_language"] = "en"
    assert "Log in" in client.get("/login/").content.decode()


def test_it_redirects_anonymous_people_to_login(client: Client) -> None:
    assert client.get("/").url.startswith("/login/")  # type: ignore[attr-defined]


def test_it_logs_in_with_a_password(client: Client) -> None:
    user = person("kj_editor")
    user.set_password("a-good-long-password")
    user.save()
    response = client.post(
        "/login/", {"username": "kj_editor", "password": "a-good-long-password"}, follow=True
    )
    assert response.status_code == 200 and "市气象局" in response.content.decode()
    bad = Client().post("/login/", {"username": "kj_editor", "password": "wrong"})
    assert "用户名或密码错误" in bad.content.decode()


def test_the_dashboard_shows_real_counts(client: Client) -> None:
    """X-01, C-01: counts come from the database."""
    body = _login(client, "gw_admin").get("/").content.decode()
    from guanwei.testing.personas import org

    o = org(W)
    assert f'data-stat="units">{o.units.count()}<' in body
    assert f'data-stat="channels">{o.channels.count()}<' in body
    assert "贴近民生" in body  # W-01: principles shown to editors
    assert (
        f'data-stat="audit_records">{AuditRecord.objects.filter(organisation_id=o.pk).count()}<'
        in body
    )


def test_the_unit_tree_lists_every_unit(client: Client) -> None:
    """X-01."""
    body = _login(client, "kj_editor").get("/units/").content.decode()
    for name in ["省气象局", "市气象局", "气象台", "甲县气象局", "丙县气象局"]:
        assert name in body


def test_the_channel_pages_show_manager_and_verification(client: Client) -> None:
    """C-01, C-08."""
    c = _login(client, "kj_editor")
    body = c.get("/channels/").content.decode()
    city = channel(W, "city_weibo")
    row = re.search(rf'<tr>\s*<td><a href="/channels/{city.pk}/">(.*?)</tr>', body, re.S)
    assert row is not None, "the city account has its own row"
    cells = re.findall(r"<td>(.*?)</td>", row.group(0), re.S)
    assert "市气象局官方微博" in cells[0]
    assert (cells[4], cells[5]) == (str(city.manager), str(city.responsible)) == ("赵磊", "陈静")
    assert "刘洋" not in body  # the city's leader holds no account: not listed as one's keeper
    # another unit's account: for channel.view on it (the administrator's, issue #9 §3)
    detail = (
        _login(client, "gw_admin")
        .get(f"/channels/{channel(W, 'county_a_weibo').pk}/")
        .content.decode()
    )
    assert "甲县气象局官方微博" in detail and "省气象局官方微博" in detail  # W-07 follows shown


def test_an_administrator_grants_a_role_from_the_unit_page(client: Client) -> None:
    """X-01, T-03: grant through the page; the action audits it (the security
    administrator's, issue #9 §9)."""
    c = _login(client, "gw_security")
    county_c = unit(W, "county_c")
    page = c.get(f"/units/{county_c.pk}/").content.decode()
    assert 'id="grant-form"' in page
    response = c.post(
        f"/units/{county_c.pk}/grant/",
        {"user": person("xb_publisher").pk, "role": "info_officer"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(
        user__username="xb_publisher", unit=county_c, role="info_officer", revoked_at__isnull=True
    ).exists()


def test_a_refused_grant_keeps_the_input_and_says_why(client: Client) -> None:
    """Bad input gets a clear Chinese message and loses nothing."""
    c = _login(client, "gw_security")
    county_a = unit(W, "county_a")
    response = c.post(
        f"/units/{county_a.pk}/grant/",
        {"user": person("xa_leader").pk, "role": "supervising_leader"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "已在甲县气象局担任分管领导" in body
    assert f'<option value="{person("xa_leader").pk}" selected>' in body


def test_an_information_officer_cannot_grant(client: Client) -> None:
    """W-02: no grant form, and a forged POST is refused without a change."""
    c = _login(client, "qxt_officer")
    observatory = unit(W, "city_observatory")
    assert 'id="grant-form"' not in c.get(f"/units/{observatory.pk}/").content.decode()
    before = Membership.objects.count()
    response = c.post(
        f"/units/{observatory.pk}/grant/",
        {"user": person("qxt_officer").pk, "role": "administrator"},
    )
    assert response.status_code == 403 and "您没有“授予角色”的权限" in response.content.decode()
    assert Membership.objects.count() == before


def test_people_of_another_organisation_get_404(client: Client) -> None:
    """X-01: a college person cannot open the weather bureau's pages."""
    college_person = Membership.objects.filter(unit__organisation__key="demo_college").first()
    if college_person is None:
        pytest.skip("college pack not loaded")
    c = Client()
    c.force_login(college_person.user)
    assert c.get(f"/units/{unit(W, 'county_a').pk}/").status_code == 404
    assert c.get(f"/channels/{channel(W, 'city_weibo').pk}/").status_code == 404


def test_it_escapes_user_text(client: Client) -> None:
    """User text is escaped: a unit named like a script renders as text."""
    from guanwei.orgs.actions import create_unit

    evil = create_unit(
        unit(W, "city").organisation,
        actor=SYSTEM,
        key="evil",
        name="<script>alert(1)</script>",
        unit_type="radar_station",
        parent=unit(W, "city"),
    )
    body = _login(client, "gw_admin").get(f"/units/{evil.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_audit_page_pages_by_keyset(client: Client) -> None:
    """X-02: newest first, an 'older' link by seq."""
    body = _login(client, "gw_auditor").get("/audit/").content.decode()  # 审计管理员
    assert "?before=" in body
    assert _login(Client(), "qxt_officer").get("/audit/").status_code == 404


def test_the_editor_sees_the_channel_edit_form_only_with_the_right(client: Client) -> None:
    c = _login(client, "kj_editor")
    page = c.get(f"/channels/{channel(W, 'city_weibo').pk}/").content.decode()
    assert 'id="channel-form"' not in page
