"""The interaction desk in a real browser: an activity refused to start until its checklist
and the provincial consent are complete (W-08, acceptance), the tourism bureau leader's
approval (T-06), and a report of harmful content from a college department to the opinion
office and back to its reporter (C-10)."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image

from tests.browser.conftest import Server, login, open_menu

TZ = ZoneInfo("Asia/Shanghai")


def _as(page: Any, server: Server, username: str) -> None:
    page.context.clear_cookies()
    login(page, server, username)


def _window() -> tuple[str, str]:
    now = datetime.now(TZ)
    return (
        f"{now - timedelta(minutes=10):%Y-%m-%dT%H:%M}",
        f"{now + timedelta(hours=3):%Y-%m-%dT%H:%M}",
    )


def _plan(page: Any, server: Server, account: str, title: str, *, major: bool) -> str:
    page.goto(server.url + "/interaction/activities/")
    page.click("text=策划互动活动")
    page.select_option("#id_channel", label=account)
    page.select_option("#id_kind", label="微访谈")
    page.fill("#id_title", title)
    starts, ends = _window()
    page.fill("#id_starts_at", starts)
    page.fill("#id_ends_at", ends)
    if major:
        page.check("#id_major_weather")
    page.click("#activity-form button[type=submit]")
    page.wait_for_url(re.compile(r"/interaction/activities/\d+/$"))
    url: str = page.url
    page.click("#activity-actions button:has-text('提交审批')")
    page.wait_for_url(url)
    return url


def test_w08_a_county_activity_in_a_major_weather_event_waits_for_the_province_and_staff(
    page: Any, server: Server
) -> None:
    """W-08 (acceptance): 甲县's publisher plans a 微访谈 during a major weather event; it may
    not start — no 开始活动 button, the page names the provincial consent, the staff and
    the prepared answers still missing; the province's publisher (李娜) consents; the staff
    and answers are filled in; 开始活动 appears and it starts."""
    _as(page, server, "xa_publisher")
    url = _plan(page, server, "甲县气象局官方微博", "寒潮天气专家微访谈", major=True)
    assert "省气象局发布员同意" in page.locator("#steps").inner_text()
    start = page.locator("#activity-actions button:has-text('开始活动')")
    assert start.count() == 0
    refusal = page.locator("#missing").inner_text()
    for missing in ("省气象局发布员同意：尚未批准", "值班人员：尚未指定", "预备答复口径：尚未填写"):
        assert missing in refusal, refusal
    assert page.locator("#activity-status").inner_text() == "审批中"

    _as(page, server, "sj_publisher")
    page.goto(url)
    assert page.locator("#activity-actions").count() == 0  # the province consents only
    page.click("#steps button[value=approve]")
    page.wait_for_url(url)
    assert "已批准" in page.locator("#step-consent").inner_text()

    _as(page, server, "xa_publisher")
    page.goto(url)
    assert start.count() == 0
    assert "省气象局" not in page.locator("#missing").inner_text()
    assert "值班人员：尚未指定" in page.locator("#missing").inner_text()
    page.select_option("#id_staff", label=["宋佳", "罗平"])
    page.fill("#id_prepared_answers", "寒潮防御要点；道路结冰提示；不答复政务问题。")
    page.click("#readiness-form button[type=submit]")
    page.wait_for_url(url)
    assert "值班人员：宋佳、罗平" in page.locator("#readiness").inner_text() or (
        "值班人员：罗平、宋佳" in page.locator("#readiness").inner_text()
    )
    page.click("#activity-actions button:has-text('开始活动')")
    page.wait_for_url(url)
    assert page.locator("#activity-status").inner_text() == "进行中"
    page.click("#activity-actions button:has-text('结束活动')")
    page.wait_for_url(url)
    assert page.locator("#activity-status").inner_text() == "已结束"


def test_t06_a_tourism_activity_starts_after_the_bureau_leaders_approval(
    page: Any, server: Server
) -> None:
    """T-06: 甲县旅游局's officer plans an online interview; it needs 本单位局领导批准 (陈静)."""
    _as(page, server, "ly_xa_officer")
    url = _plan(page, server, "甲县旅游官方微博", "乡村旅游线上访谈", major=False)
    page.select_option("#id_staff", label=["赵磊"])
    page.fill("#id_prepared_answers", "线路、门票与交通答复口径。")
    page.click("#readiness-form button[type=submit]")
    page.wait_for_url(url)
    assert page.locator("#activity-actions button:has-text('开始活动')").count() == 0
    assert "本单位局领导批准：尚未批准" in page.locator("#missing").inner_text()

    _as(page, server, "ly_xa_leader")
    page.goto(url)
    page.click("#steps button[value=approve]")
    page.wait_for_url(url)
    assert page.locator("#activity-status").inner_text() == "已批准"

    _as(page, server, "ly_xa_officer")
    page.goto(url)
    page.click("#activity-actions button:has-text('开始活动')")
    page.wait_for_url(url)
    assert page.locator("#activity-status").inner_text() == "进行中"


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 20), (220, 40, 40)).save(buf, "PNG")
    return buf.getvalue()


def test_c10_a_department_reports_the_office_closes_the_reporter_reads_the_outcome(
    page: Any, server: Server
) -> None:
    """C-10: 信息学院's manager reports an item with a screenshot (a text file first: refused,
    what was typed kept); the opinion office accepts and closes it; the reporter sees the
    outcome on the report and in his notices."""
    _as(page, server, "col_xx_manager")
    open_menu(page, "有害信息报告")
    page.fill("#id_link", "https://weibo.com/fake/123")
    page.fill("#id_description", "有账号冒用学院名义发布虚假招生信息。")
    page.set_input_files(
        "#id_screenshot",
        files=[{"name": "shot.png", "mimeType": "image/png", "buffer": b"<svg onload=alert(1)>"}],
    )
    page.click("#report-form button[type=submit]")
    assert "截图须是图片" in page.locator(".messages").inner_text()
    assert page.input_value("#id_description") == "有账号冒用学院名义发布虚假招生信息。"
    assert page.input_value("#id_link") == "https://weibo.com/fake/123"
    page.set_input_files(
        "#id_screenshot",
        files=[{"name": "shot.txt", "mimeType": "text/plain", "buffer": _png()}],
    )
    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(r"/interaction/reports/\d+/$"))
    url: str = page.url
    assert page.locator("#report-status").inner_text() == "待研判"
    assert page.locator("img.screenshot").evaluate("i => i.naturalWidth") == 40

    _as(page, server, "col_yq_reviewer")
    page.goto(url)
    page.click("#triage button:has-text('受理处置')")
    page.wait_for_url(url)
    assert page.locator("#report-status").inner_text() == "处置中"
    page.fill("#closing textarea[name=text]", "已向平台举报，冒用账号已被封禁。")
    page.click("#closing button[type=submit]")
    page.wait_for_url(url)
    assert page.locator("#report-status").inner_text() == "已办结"

    _as(page, server, "col_xx_manager")
    page.goto(server.url + "/notices/")
    page.locator("#notices tr", has_text="您报告的有害信息已办结").locator("a").first.click()
    page.wait_for_url(url)
    assert "已向平台举报，冒用账号已被封禁。" in page.locator("#outcome").inner_text()
    assert page.locator("#triage, #closing").count() == 0


# A question given to the Observatory's forecaster and a comment that is not hers, on the
# city's Weibo (the walk of 互动台 as each role of the weather bureau).
_DESK = """
from django.utils import timezone
from guanwei.interaction.models import Comment
from guanwei.testing.personas import channel, person
ch = channel("demo_weather", "city_weibo")
for rid, text, who in (
    ("desk-walk-1", "请问今晚城区有雷阵雨吗？（互动台走查）", "qxt_expert"),
    ("desk-walk-2", "你们的账号天天发广告（互动台走查）", None),
):
    Comment.objects.get_or_create(
        channel=ch, remote_id=rid,
        defaults=dict(
            organisation_id=ch.organisation_id, unit_id=ch.unit_id, remote_post_id="77",
            author_name="网友", text=text, created_at=timezone.now(), fetched_at=timezone.now(),
            is_question=who is not None, assignee=person(who) if who else None,
        ),
    )
"""
ASKED = "请问今晚城区有雷阵雨吗？（互动台走查）"
OTHER = "你们的账号天天发广告（互动台走查）"


def test_w20_the_forecaster_works_on_her_question_only_and_keeps_a_refused_reply(
    page: Any, server: Server
) -> None:
    """W-20, W-19, W-18: the forecaster (朱琳) sees on 互动台 only the question given to her,
    with 起草回复 and 备注 and none of 隐藏, 上报领导, 分派; a reply screening blocks comes back
    in its box as she typed it, with the reason, without the page reloading (htmx). The tech
    centre's leader (陈静) is not offered 上报领导 — it would go to her — the publisher is."""
    server.manage("shell", "-c", _DESK)
    _as(page, server, "qxt_expert")
    page.goto(server.url + "/interaction/")
    assert ASKED in page.locator("#inbox-items").inner_text()
    assert OTHER not in page.locator("#inbox-items").inner_text()
    item = page.locator("article.inbox-item", has_text=ASKED)
    for hidden in ("隐藏", "上报领导", "分派", "在平台删除"):
        assert item.locator("button", has_text=hidden).count() == 0, hidden
    assert item.locator("button", has_text="备注").count() == 1
    page.evaluate("() => { window.__same = 'page'; }")
    typed = "法轮功大法好，今晚有雷阵雨。"
    item.locator("textarea[name=text]").fill(typed)
    item.locator("button", has_text="提交审定").click()
    refused = item.locator(".reply-refused")
    refused.wait_for()
    assert "不宜公开" in refused.inner_text()
    assert item.locator("textarea[name=text]").input_value() == typed
    assert page.evaluate("() => window.__same") == "page"  # the panel, not a reload

    _as(page, server, "kj_leader")
    page.goto(server.url + "/interaction/")
    other = page.locator("article.inbox-item", has_text=OTHER)
    assert other.locator("button", has_text="隐藏").count() == 1
    assert other.locator("button", has_text="上报领导").count() == 0
    _as(page, server, "kj_publisher")
    page.goto(server.url + "/interaction/")
    other = page.locator("article.inbox-item", has_text=OTHER)
    assert other.locator("button", has_text="上报领导").count() == 1
