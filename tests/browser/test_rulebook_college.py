"""The college's rule book (第二篇), walked in Chromium as its roles (issue 10 acceptance):
a college's new-media manager drafts a post for the school's main Weibo → its responsible
person signs the application → the Opinion Office reviews it → it is filed → the
Propaganda Department's new-media manager, who runs the main accounts, publishes it → the
fake Weibo and the calendar (C-09); a post in 重大、突发及敏感信息 goes through the
Opinion Office's prior approval, is filed, and is published on the college's own account
by its manager (C-07, C-08). Every page a person passes is in Chinese."""

from __future__ import annotations

import re
from typing import Any

from guanwei.publishing.fakes import FakePlatforms
from tests.browser.conftest import Server
from tests.browser.walk import as_, chinese_only, message, on_the_fake, wait_published

PACK = "college"
MAIN_TITLE = "信息工程学院学生获全国职业院校技能大赛一等奖（制度走查）"
MAIN_TEXT = "近日，我校信息工程学院学生在全国职业院校技能大赛中荣获一等奖（学院制度走查）。"


def _draft(
    page: Any,
    server: Server,
    *,
    title: str,
    text: str,
    source: str,
    category: str,
    account: str,
    subtype: str = "",
) -> str:
    """Write, save and send a post for review. Returns its URL."""
    page.goto(server.url + "/content/posts/")
    chinese_only(page, server, PACK)
    page.goto(server.url + "/content/posts/new/")
    chinese_only(page, server, PACK)
    page.fill("#id_title", title)
    page.fill("#id_body", text)
    page.fill("#id_source", source)
    page.select_option("#id_category", label=category)
    if subtype:
        page.select_option("#id_subtype", label=subtype)
    page.locator("#post-form label", has_text=account).locator("input").check()
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    post_url = str(page.url)
    chinese_only(page, server, PACK)
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "审核中", message(page)
    chinese_only(page, server, PACK)
    return post_url


def _decide(page: Any, server: Server, title: str, post_url: str, step: str) -> None:
    """The reviewer finds the post in the queue at ``step`` and approves it."""
    page.goto(server.url + "/review/queue/")
    chinese_only(page, server, PACK)
    row = page.locator("#queue tbody tr", has_text=title)
    assert step in row.inner_text(), page.locator("#queue").inner_text()
    row.locator("a", has_text=title).first.click()
    page.wait_for_url(post_url)
    chinese_only(page, server, PACK)
    ack = page.locator("#approve-form input[name=acknowledge_hits]")
    if ack.count():
        ack.check()
    page.click("#approve-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator(".messages .success").count() == 1, message(page)
    chinese_only(page, server, PACK)


def _publish_now(
    page: Any, server: Server, post_url: str, account: str, others: tuple[str, ...] = ()
) -> None:
    page.goto(post_url)
    form = page.locator("#schedule-form")
    assert account in form.inner_text()
    for other in others:
        assert other not in form.inner_text()
    form.locator("input[name=when][value=now]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(post_url)
    assert page.locator(".messages .success").count() == 1, message(page)
    wait_published(page, post_url)
    chinese_only(page, server, PACK)


def _filed(page: Any, server: Server, title: str) -> None:
    page.goto(server.url + "/review/filings/")
    chinese_only(page, server, PACK)
    assert title in page.locator("main").inner_text()


def _on_the_calendar(page: Any, server: Server, account: str, title: str) -> None:
    page.goto(server.url + "/publishing/calendar/?view=month")
    chinese_only(page, server, PACK)
    row = page.locator("#calendar tbody tr", has_text=account)
    assert "已发布" in row.locator(".cal-entry", has_text=title).inner_text()


def test_c09_a_college_post_on_the_main_weibo_is_published_by_the_propaganda_department(
    page: Any, server: Server, platforms: FakePlatforms
) -> None:
    """C-09 (第十二条), C-08, C-01: 信息工程学院's manager (吴芳) drafts a post for the
    school's official Weibo; it takes 学校主账号发布申请: the college's responsible person
    (周杰) signs, the Opinion Office (杨帆) reviews; the approved content is filed; the
    college's manager may not publish on the main account; the Propaganda Department's
    new-media manager (陈静) finds it waiting for her accounts and publishes it: on the fake
    Weibo, on the calendar."""
    main = "示范职业学院官方微博"
    as_(page, server, "col_xx_manager")
    post_url = _draft(
        page,
        server,
        title=MAIN_TITLE,
        text=MAIN_TEXT,
        source="信息工程学院",
        category="工作动态",
        account=main,
    )
    assert "学校主账号发布申请" in page.locator("#review-panel").inner_text()

    as_(page, server, "col_xx_secretary")
    _decide(page, server, MAIN_TITLE, post_url, "本部门主管领导签字盖章")
    as_(page, server, "col_yq_reviewer")
    _decide(page, server, MAIN_TITLE, post_url, "舆情办审核")
    assert page.locator("#post-status").inner_text() == "已通过", message(page)
    _filed(page, server, MAIN_TITLE)

    # the college's manager may not publish on the school's main account (C-09)
    as_(page, server, "col_xx_manager")
    page.goto(post_url)
    form = page.locator("#schedule-form")
    assert form.count() == 0 or main not in form.inner_text()

    as_(page, server, "col_xcb_manager")
    page.goto(server.url + "/content/posts/")
    waiting = page.locator("#waiting-for-my-accounts")
    assert MAIN_TITLE in waiting.inner_text() and main in waiting.inner_text()
    chinese_only(page, server, PACK)
    waiting.locator("a", has_text=MAIN_TITLE).click()
    page.wait_for_url(post_url)
    _publish_now(page, server, post_url, main, others=("信息工程学院微信公众号",))
    on_the_fake(page, main, MAIN_TEXT)
    _on_the_calendar(page, server, main, MAIN_TITLE)


EVENT_TITLE = "经济管理学院举办校企合作签约仪式（制度走查）"
EVENT_TEXT = "经济管理学院与本市多家企业签订校企合作协议，共建实训基地（学院制度走查）。"


def test_c07_a_major_event_post_takes_prior_approval_is_filed_and_published(
    page: Any, server: Server, platforms: FakePlatforms
) -> None:
    """C-07 (第十条), C-08, C-09: 经济管理学院's manager (孙悦) drafts a post in
    重大、突发及敏感信息 · 学校重大事件 for the college's Weibo; it takes 重大敏感信息发布审批,
    and the page says why; the college's responsible person (徐强) approves, then the
    Opinion Office (杨帆) gives the prior approval; it is filed (备案); the manager
    publishes it on the college's own account: on the fake Weibo, on the calendar."""
    account = "经济管理学院官方微博"
    as_(page, server, "col_jg_manager")
    post_url = _draft(
        page,
        server,
        title=EVENT_TITLE,
        text=EVENT_TEXT,
        source="经济管理学院",
        category="重大、突发及敏感信息",
        subtype="重大、突发及敏感信息 · 学校重大事件",
        account=account,
    )
    panel = page.locator("#review-panel").inner_text()
    assert "重大敏感信息发布审批" in panel and "第十条" in panel, panel

    as_(page, server, "col_jg_secretary")
    _decide(page, server, EVENT_TITLE, post_url, "直接责任人审核")
    assert page.locator("#post-status").inner_text() == "审核中"  # not yet: prior approval
    as_(page, server, "col_yq_reviewer")
    _decide(page, server, EVENT_TITLE, post_url, "舆情办批准")
    assert page.locator("#post-status").inner_text() == "已通过", message(page)
    _filed(page, server, EVENT_TITLE)

    as_(page, server, "col_jg_manager")
    _publish_now(page, server, post_url, account)
    on_the_fake(page, account, EVENT_TEXT)
    _on_the_calendar(page, server, account, EVENT_TITLE)
