"""Official accounts and required follows (REQ C-01, C-08, W-04, W-05, W-07)."""

from __future__ import annotations

import pytest

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.channels import actions
from guanwei.channels.models import Channel, ChannelStatus, RequiredFollow
from guanwei.orgs.errors import InvalidChange, PermissionDenied
from guanwei.orgs.permissions import SYSTEM
from guanwei.testing.personas import channel, person, unit

pytestmark = pytest.mark.django_db
W = "demo_weather"


def test_it_lists_the_demo_accounts_with_manager_and_responsible_person() -> None:
    """C-01, C-08: each account has platform, manager, responsible person, status, verification."""
    city = channel(W, "city_weibo")
    assert city.platform == "weibo"
    assert city.manager == person("kj_publisher")
    assert city.responsible == person("kj_leader")
    assert city.status == ChannelStatus.ACTIVE and city.verified


def test_it_serves_a_county_without_an_account_from_the_city() -> None:
    """W-05: the third county has no account of its own."""
    assert not Channel.objects.filter(unit=unit(W, "county_c")).exists()


def test_it_stores_the_required_follows_of_w07() -> None:
    """W-07: city → province; each county → province and city."""
    pairs = {
        (f.follower.key, f.followee.key)
        for f in RequiredFollow.objects.filter(follower__organisation__key=W).select_related(
            "follower", "followee"
        )
    }
    assert {
        ("city_weibo", "province_weibo"),
        ("county_a_weibo", "province_weibo"),
        ("county_a_weibo", "city_weibo"),
        ("county_b_weibo", "province_weibo"),
        ("county_b_weibo", "city_weibo"),
    } <= pairs


def test_it_refuses_a_self_follow_and_a_duplicate() -> None:
    """W-07: a follow is between two different accounts, recorded once."""
    city = channel(W, "city_weibo")
    with pytest.raises(InvalidChange):
        actions.add_required_follow(city, city, actor=SYSTEM)
    with pytest.raises(InvalidChange):
        actions.add_required_follow(city, channel(W, "province_weibo"), actor=SYSTEM)


def test_it_registers_a_new_account_as_pending() -> None:
    """C-01, W-04: a new account waits for approval."""
    admin = person("gw_admin")
    site = actions.create_channel(
        unit(W, "county_c"),
        actor=admin,
        key="county_c_site",
        name="丙县气象网",
        kind="website",
        manager=person("xc_officer"),
    )
    assert site.status == ChannelStatus.PENDING and site.platform == "website"
    rec = AuditRecord.objects.order_by("-seq").first()
    assert rec is not None and rec.action == AuditAction.CHANNEL_CREATED


def test_it_needs_the_business_section_to_open_or_close_an_account() -> None:
    """W-04: the administrator may edit an account but not open or close it."""
    admin = person("gw_admin")
    county = channel(W, "county_b_weibo")
    with pytest.raises(PermissionDenied):
        actions.change_channel(county, actor=admin, status=ChannelStatus.CLOSED)
    county.refresh_from_db()
    assert county.status == ChannelStatus.ACTIVE


def test_it_records_a_change_of_manager() -> None:
    """C-03: a change of manager is audited with before and after."""
    county = channel(W, "county_a_weibo")
    actions.change_channel(county, actor=person("gw_admin"), manager=person("xa_leader"))
    rec = AuditRecord.objects.order_by("-seq").first()
    assert rec is not None and rec.action == AuditAction.CHANNEL_CHANGED
    assert rec.before is not None and rec.after is not None
    assert rec.before["manager"] == "xa_publisher" and rec.after["manager"] == "xa_leader"


def test_it_refuses_an_account_kind_the_pack_does_not_know() -> None:
    with pytest.raises(InvalidChange):
        actions.create_channel(
            unit(W, "county_c"), actor=SYSTEM, key="tt", name="抖音", kind="douyin"
        )


def test_the_city_account_serves_the_county_without_one() -> None:
    """W-05: 丙县 has no account; the city account publishes for it."""
    assert list(unit(W, "county_c").served_by.all()) == [channel(W, "city_weibo")]


def test_the_printable_forms_of_an_account() -> None:
    """C-02, R-06: the application form from the account's data; the authorisation form."""
    import io

    from django.test import Client
    from pypdf import PdfReader

    c = Client()
    c.force_login(person("gw_admin"))
    city = channel(W, "city_weibo")
    pdf = c.get(f"/channels/{city.pk}/application.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    text = "".join(text.split())
    assert "市气象局官方微博" in text and "赵磊" in text and "陈静" in text
    # 附二 is the real-estate pack's form (R-06, issue #10 §2): the weather bureau has none
    assert c.post(f"/channels/{city.pk}/authorisation/", {"grantee": "赵磊"}).status_code == 404
    c.force_login(person("re_admin"))
    company = channel("demo_real_estate", "company_weibo")
    r = c.post(
        f"/channels/{company.pk}/authorisation/",
        {"grantee": "赵磊", "scope": "登录并发布", "reason": "日常运营"},
    )
    # R-06 (issue 10 §4): a request through the pack's chain, not a free-text print; it
    # prints from /review/authorisations/<id>/form.pdf once approved (test_chain_rules)
    assert r.status_code == 302 and "/review/authorisations/" in r["Location"]
    assert c.post(f"/channels/{company.pk}/authorisation/", {"grantee": ""}).status_code == 400
