"""The real-estate company's Weibo plan (第四篇) walked in Chromium as its roles (issue 10
acceptance): a department drafts for another's column in the column's #topic# form (R-01),
the owning department vouches for it (R-02), the management group reviews it (R-04), a
group member publishes it on the company account, on the fake Weibo; the post's 附一 审批表
prints the group's opinion (R-06); the Friday week plan of #创意建筑# goes in as one batch
and is on the calendar (R-03); the 附二 authorisation goes 执行组长审核 → 组长批准 and then
prints both opinions (R-06). Every page is in Chinese."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from guanwei.publishing.fakes import FakePlatforms
from tests.browser.conftest import Server
from tests.browser.walk import as_, chinese_only, message, on_the_fake, wait_published

PACK = "real-estate"
ACCOUNT = "XX房地产"
TITLE = "文化小镇一期开工（规则走查）"
STORY = "文化小镇项目一期今日开工，预计明年秋季交付首批住宅（规则走查）。"
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


@pytest.fixture(scope="module")
def fakes(platforms: FakePlatforms) -> FakePlatforms:
    """The session's fake platforms and dispatcher (conftest): a second fake would number
    its statuses from the start again, and the ids would clash on an account the session
    already published on (UNIQUE account + remote id)."""
    return platforms


def _look(page: Any, server: Server) -> None:
    chinese_only(page, server, PACK)


def _pdf_text(page: Any, url: str) -> str:
    answer = page.request.get(url)
    assert answer.ok and answer.headers["content-type"] == "application/pdf", answer.status
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.body())).pages)


def test_r02_r04_a_column_post_vouched_by_its_department_reviewed_and_published_by_the_group(
    page: Any, server: Server, fakes: FakePlatforms
) -> None:
    """R-01, R-02, R-04, R-06 附一: 投资策划部's editor 黄丽 drafts for #XX新闻# (项目部's
    column, offered marked 须经项目部审核) as the pack writes a column, #XX新闻# first; 项目部's
    专栏负责人 陈静 vouches for it first, then 执行组长 张敏 approves (微博管理领导小组审核);
    组员 杨帆 finds it waiting for the account he runs and publishes it now; it is on the fake
    Weibo (the topic written 【XX新闻】, share.json refuses #话题#) and on the calendar; 附一
    prints 张敏's opinion."""
    as_(page, server, "re_ch_editor")
    page.goto(server.url + "/content/posts/new/")
    _look(page, server)
    columns = page.locator("#id_column").inner_text()
    assert "#XX新闻# 内部新闻专栏（须经项目部审核）" in columns, columns
    page.fill("#id_title", TITLE)
    page.fill("#id_body", f"#XX新闻# {STORY}")
    page.fill("#id_source", "投资策划部")
    page.select_option("#id_category", label="专栏信息")
    page.select_option("#id_column", label="#XX新闻# 内部新闻专栏（须经项目部审核）")
    page.locator("#post-form label", has_text=ACCOUNT).locator("input").check()
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    post_url = page.url
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "审核中", message(page)
    panel = page.locator("#review-panel").inner_text()
    assert "项目部" in panel and "微博管理领导小组审核" in panel, panel
    _look(page, server)

    # 项目部's 专栏负责人 vouches for its column first (R-02 "or approved by")
    as_(page, server, "re_zz_deputy2")
    page.goto(server.url + "/review/queue/")
    _look(page, server)
    page.locator("#queue a", has_text=TITLE).click()
    page.wait_for_url(post_url)
    _look(page, server)
    page.click("#approve-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "审核中", message(page)

    as_(page, server, "re_zz_executive")
    page.goto(server.url + "/review/queue/")
    _look(page, server)
    page.locator("#queue a", has_text=TITLE).click()
    page.wait_for_url(post_url)
    _look(page, server)
    page.fill("#approve-form textarea[name=comment]", "同意发布")
    page.click("#approve-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "已通过", message(page)

    as_(page, server, "re_zz_member1")
    page.goto(server.url + "/content/posts/")
    _look(page, server)
    waiting = page.locator("#waiting-for-my-accounts")
    assert TITLE in waiting.inner_text()
    waiting.locator("a", has_text=TITLE).click()
    page.wait_for_url(post_url)
    form = page.locator("#schedule-form")
    form.locator("input[name=when][value=now]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(post_url)
    assert "已安排发布" in message(page)
    wait_published(page, post_url)
    _look(page, server)
    on_the_fake(page, ACCOUNT, f"【XX新闻】 {STORY}")

    page.goto(server.url + "/publishing/calendar/")
    row = page.locator("#calendar tr", has_text=ACCOUNT)
    assert TITLE in row.inner_text() and "已发布" in row.inner_text(), row.inner_text()
    _look(page, server)

    # 附一: the content approval form prints the group's opinion
    page.goto(post_url)
    href = page.locator("a", has_text="审批表（PDF）").get_attribute("href")
    printed = _pdf_text(page, server.url + href)
    assert "张敏" in printed and "同意发布" in printed, printed


def test_r03_the_friday_week_plan_goes_in_as_one_batch_and_is_on_the_calendar(
    page: Any, server: Server, fakes: FakePlatforms
) -> None:
    """R-03, R-02: 投资策划部's editor 黄丽 fills next week of #创意建筑# on the week-plan
    grid (Mon–Sun, text and time) and submits it at once; 组长 李娜 approves the whole week;
    the calendar shows the seven days as the batch."""
    today = date.today()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=14)
    week = monday.strftime("%G-W%V")
    as_(page, server, "re_ch_editor")
    page.goto(server.url + "/content/posts/")
    page.click("#week-plan-new")
    page.wait_for_url(re.compile(r"/content/weekplans/new/$"))
    _look(page, server)
    page.select_option("#id_column", label="#创意建筑# 创意建筑精品专栏")
    page.fill("#id_week", week)
    page.locator("#week-plan-form label", has_text=ACCOUNT).locator("input").check()
    for i, name in enumerate(WEEKDAYS):
        page.fill(f"#id_body_{i}", f"#创意建筑# {name}：一座与山水相融的获奖建筑（规则走查）。")
        page.fill(f"#id_at_{i}", "10:00")
    page.click("#week-plan-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/weekplans/\d+/$"))
    plan_url = page.url
    assert "周计划已提交审核" in message(page) or "已提交周计划中的 7 天" in message(page)
    assert page.locator("#week-plan tbody tr").count() == 7
    _look(page, server)

    as_(page, server, "re_zz_leader")
    page.goto(server.url + "/review/queue/")
    _look(page, server)
    page.goto(plan_url)
    _look(page, server)
    page.click("#week-plan-review button[name=all]")
    page.wait_for_url(plan_url)
    assert "已同意周计划中的 7 天" in message(page)
    statuses = page.locator("#week-plan tbody tr td:last-child").all_inner_texts()
    assert set(statuses) <= {"已通过", "已排期"} and len(statuses) == 7, statuses

    page.goto(server.url + f"/publishing/calendar/?week={week}")
    calendar = page.locator("#calendar")
    assert calendar.locator("a.batch").count() == 7
    assert calendar.locator("a", has_text=f"#创意建筑# {monday:%m-%d}（周一）").count() == 1
    _look(page, server)


def test_r06_the_authorisation_form_executive_then_leader_then_printed(
    page: Any, server: Server
) -> None:
    """R-06 附二, R-05: the account's custodian 杨帆 asks, on the account page, for an
    authorisation for 赵磊; 执行组长 张敏 reviews it, 组长 李娜 approves it, each from their
    queue; the 官方微博授权审批表 then prints with both opinions."""
    as_(page, server, "re_zz_member1")
    page.goto(server.url + "/channels/")
    _look(page, server)
    page.locator("main a", has_text=ACCOUNT).first.click()
    page.wait_for_url(re.compile(r"/channels/\d+/$"))
    assert "杨帆（账号保管人）" in page.locator("main").inner_text()  # R-05 custody
    _look(page, server)
    page.click("a:has-text('官方微博授权审批表')")
    page.wait_for_url(re.compile(r"/channels/\d+/authorisation/$"))
    assert "执行组长审核 → 组长批准" in page.locator("main").inner_text()
    _look(page, server)
    page.fill("#id_grantee", "赵磊")
    page.fill("#id_grantee_title", "组员")
    page.fill("#id_scope", "官方微博日常发布与评论管理（规则走查）")
    page.fill("#id_reason", "杨帆休假期间由赵磊代为运营")
    page.click("main form button.primary")
    page.wait_for_url(re.compile(r"/review/authorisations/\d+/$"))
    request_url = page.url
    assert "执行组长审核" in message(page)
    assert page.locator("a", has_text="打印").count() == 0  # not before both approve
    _look(page, server)

    for who, step, opinion in (
        ("re_zz_executive", "执行组长审核", "情况属实，同意授权"),
        ("re_zz_leader", "组长批准", "同意"),
    ):
        as_(page, server, who)
        page.goto(server.url + "/review/queue/")
        row = page.locator("#queue tr", has_text="授权审批 · XX房地产 · 赵磊")
        assert step in row.inner_text(), page.locator("#queue").inner_text()
        row.locator("a").first.click()
        page.wait_for_url(request_url)
        _look(page, server)
        page.fill("#review-panel textarea[name=comment]", opinion)
        page.locator("#review-panel button.primary").click()
        page.wait_for_url(request_url)
        assert "已同意" in message(page)

    assert "已批准" in page.locator("h1").inner_text()
    _look(page, server)
    href = page.locator("a", has_text="打印").get_attribute("href")
    printed = _pdf_text(page, server.url + href)
    assert "官方微博授权审批表" in printed and "赵磊" in printed
    assert "情况属实，同意授权" in printed and "张敏" in printed and "李娜" in printed, printed
