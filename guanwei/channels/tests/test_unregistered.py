"""C-04 (college 第五、六条; decision 0034): the register of approved accounts is open to
everyone in the organisation; anyone reports an account in its name that is not on it;
who registers the accounts (the college's 党委宣传部; the weather bureau's 业务科) checks it
within 5 working days (an oversight deadline) and closes it; the reporter is told."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.channels.models import Channel, ChannelStatus, UnregisteredReport
from guanwei.notify.models import Notice
from guanwei.oversight.models import Deadline, DeadlineKind, DeadlineStatus
from guanwei.testing.personas import channel, org, person

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>示范职业学院招生办'


def _client(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def _report(c: Client, **fields: str):
    data = {"platform": "wechat", "name": "示范学院招生咨询", "seen_where": "", "note": ""}
    data.update(fields)
    return c.post("/channels/register/", data)


def test_c04_everyone_in_the_college_sees_the_register_of_active_accounts() -> None:
    """A college manager with no account right sees every approved account (name,
    platform, account ID, unit, manager, status), not the pending one, and no secret."""
    c = _client("col_jg_manager")
    page = c.get("/channels/register/").content.decode()
    assert "官方账号名录" in page
    for key in ("school_wechat", "info_wechat", "academic_site", "business_weibo"):
        assert channel("demo_college", key).name in page
    assert "经济管理学院学生工作QQ群" not in page  # pending: not approved
    assert "陈静" in page and "党委宣传部" in page and "运行中" in page
    assert "AppSecret" not in page and "access_token" not in page
    # the register is linked from the menu for this person
    assert 'href="/channels/register/"' in c.get("/").content.decode()


def test_c04_a_college_person_reports_and_the_propaganda_head_orders_it_closed() -> None:
    """The whole path: report (hostile text escaped, a non-http address not a link),
    the handlers told, a deadline of 5 working days; the propaganda head orders it closed,
    the deadline is met and the reporter is told."""
    reporter = _client("col_xx_manager")
    r = _report(reporter, name=HOSTILE, seen_where="朋友圈转发", note="javascript:alert(1)")
    assert r.status_code == 302
    report = UnregisteredReport.objects.get(reporter=person("col_xx_manager"))
    assert r["Location"] == f"/channels/unregistered/{report.pk}/"
    page = reporter.get(r["Location"]).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert 'href="javascript' not in page and "待核查" in page
    head = person("col_xcb_head")
    assert Notice.objects.filter(user=head, title="未备案账号举报待核查").exists()
    deadline = Deadline.objects.get(key=f"unregistered:{report.pk}")
    assert deadline.kind == DeadlineKind.UNREGISTERED and deadline.req == "C-04"
    assert head.pk in deadline.owner_ids
    assert (deadline.due_at - report.created_at).days >= 5  # five working days, at least a week
    # the reporter may not decide (no form shown; a forged POST refused)
    assert 'id="decide-form"' not in page
    reporter.post(
        f"/channels/unregistered/{report.pk}/decide/",
        {"status": "unfounded", "outcome": "自己结案"},
    )
    report.refresh_from_db()
    assert report.status == "pending"
    # the propaganda head sees it in 全部举报 and closes it
    handler = _client("col_xcb_head")
    listing = handler.get("/channels/register/").content.decode()
    assert "全部举报" in listing and f'id="u{report.pk}"' in listing
    detail = handler.get(f"/channels/unregistered/{report.pk}/").content.decode()
    assert 'id="decide-form"' in detail
    # without an outcome: refused with a message
    handler.post(
        f"/channels/unregistered/{report.pk}/decide/", {"status": "ordered_closed", "outcome": ""}
    )
    report.refresh_from_db()
    assert report.status == "pending"
    handler.post(
        f"/channels/unregistered/{report.pk}/decide/",
        {"status": "ordered_closed", "outcome": "已联系开设人，责令三日内关闭。"},
    )
    report.refresh_from_db()
    assert report.status == "ordered_closed" and report.handler == head
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MET
    notice = Notice.objects.get(user=person("col_xx_manager"))
    assert notice.title == "您举报的未备案账号：已责令关闭"
    assert "已责令关闭" in reporter.get(f"/channels/unregistered/{report.pk}/").content.decode()
    # decided once: a second decision is refused
    handler.post(
        f"/channels/unregistered/{report.pk}/decide/", {"status": "unfounded", "outcome": "x"}
    )
    report.refresh_from_db()
    assert report.status == "ordered_closed"


def test_c04_an_http_address_is_a_link_and_bad_input_keeps_what_was_typed() -> None:
    c = _client("col_jg_manager")
    r = _report(c, platform="", name="https://weibo.com/u/123", note="在微博搜索到")
    assert r.status_code == 400
    page = r.content.decode()
    assert "请选择发现账号的平台" in page and "https://weibo.com/u/123" in page
    assert "在微博搜索到" in page
    r = _report(c, platform="weibo", name="https://weibo.com/u/123")
    page = c.get(r["Location"]).content.decode()
    assert 'href="https://weibo.com/u/123"' in page and 'rel="noopener' in page


def test_c04_brought_under_management_links_the_register_account() -> None:
    c = _client("col_jg_manager")
    r = _report(c, platform="weibo", name="经管学院团委微博")
    report = UnregisteredReport.objects.get(pk=int(r["Location"].rstrip("/").rsplit("/", 1)[1]))
    qq = Channel.objects.get(organisation=org("demo_college"), key="business_qq")
    _client("col_xcb_head").post(
        f"/channels/unregistered/{report.pk}/decide/",
        {"status": "registered", "outcome": "已补办审批。", "channel": str(qq.pk)},
    )
    report.refresh_from_db()
    assert report.status == "registered" and report.channel == qq


def test_c04_other_organisations_reports_are_404_and_others_reports_hidden() -> None:
    c = _client("col_jg_manager")
    r = _report(c, platform="weibo", name="某某")
    url = r["Location"]
    assert _client("ywk_head").get(url).status_code == 404  # the weather bureau
    assert _client("col_jwc_manager").get(url).status_code == 404  # another reporter
    forged = _client("col_jwc_manager").post(url + "decide/", {"status": "unfounded"})
    assert forged.status_code == 404
    assert _client("col_xcb_head").get(url).status_code == 200


def test_c04_w04_the_weather_bureaus_business_section_handles_its_reports() -> None:
    """In the weather bureau the 业务科 (W-04: approves opening and closing) checks them."""
    c = _client("kj_publisher")
    r = _report(c, platform="weibo", name="XX市气象局天气预报（非官方）")
    report = UnregisteredReport.objects.get(pk=int(r["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert Notice.objects.filter(user=person("ywk_head"), link__contains=str(report.pk)).exists()
    _client("ywk_head").post(
        f"/channels/unregistered/{report.pk}/decide/",
        {"status": "unfounded", "outcome": "系个人账号，未使用本局名义。"},
    )
    report.refresh_from_db()
    assert report.status == "unfounded"


def test_c04_a_late_check_breaches_the_deadline() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from guanwei.oversight.scheduler import evaluate

    c = _client("col_jg_manager")
    _report(c, platform="weibo", name="迟到")
    d = Deadline.objects.get(kind=DeadlineKind.UNREGISTERED)
    evaluate(d.due_at + timedelta(minutes=1))
    d.refresh_from_db()
    assert d.status == DeadlineStatus.BREACHED
    assert ChannelStatus.ACTIVE  # the register is unchanged by a report
    assert timezone.now() < d.due_at
