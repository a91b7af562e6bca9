"""The weather bureau's rule book (第一篇), walked in Chromium as its roles (issue 10
acceptance): material → the provider's leader → the tech centre's drop box → a post → the
publishing unit's leader → the publisher → the 07:30/10:30/17:00 forecast slot → the fake
Weibo and the calendar; a county publishes on its own account; a county without one is
served by the city account. Every page a person passes is in Chinese."""

from __future__ import annotations

import re
from typing import Any

from guanwei.publishing.fakes import FakePlatforms
from tests.browser.conftest import Server
from tests.browser.walk import as_, chinese_only, message, on_the_fake, wait_published

PACK = "weather-bureau"
TITLE = "明日城市天气预报（制度走查）"
TEXT = "明天晴转多云，气温9到19摄氏度，东南风2级，空气质量良（气象制度走查）。"
SLOTS = ("07:30", "10:30", "17:00")


def _send_material(page: Any, server: Server, *, unit: str, title: str, text: str) -> str:
    page.goto(server.url + "/content/dropbox/")
    chinese_only(page, server, PACK)
    page.locator("a", has_text="报送素材").click()
    page.wait_for_url(server.url + "/content/materials/new/")
    chinese_only(page, server, PACK)
    page.select_option("#id_provider_unit", label=unit)
    page.select_option("#id_drop_box", label="气象科技服务中心")
    page.fill("#id_title", title)
    page.fill("#id_body", text)
    page.fill("#id_source", unit)
    page.click("#material-form button.primary")
    page.wait_for_load_state()
    assert re.search(r"/content/materials/\d+/$", page.url), page.locator("main").inner_text()
    chinese_only(page, server, PACK)
    return str(page.url)


def _approve_from_queue(page: Any, server: Server, title: str) -> None:
    page.goto(server.url + "/review/queue/")
    chinese_only(page, server, PACK)
    page.locator("#queue a", has_text=title).first.click()
    page.wait_for_load_state()
    chinese_only(page, server, PACK)
    form = page.locator("#approve-form, form[action$='/approve/']").first
    ack = form.locator("input[name=acknowledge_hits]")
    if ack.count():
        ack.check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".messages .success").count() == 1, message(page)
    chinese_only(page, server, PACK)


def _post_from_material(page: Any, server: Server, material_url: str, account: str) -> str:
    """The tech centre's editor opens the material from the drop box, takes it and makes a
    forecast post of it on ``account``; saved and sent for review. Returns the post's URL."""
    page.goto(server.url + "/content/dropbox/")
    chinese_only(page, server, PACK)
    page.locator("#inbox a", has_text=TITLE).click()
    page.wait_for_url(material_url)
    chinese_only(page, server, PACK)
    page.locator("button", has_text="受理").click()
    page.wait_for_load_state()
    assert "已受理" in page.locator("h1").inner_text(), message(page)
    page.locator("a", has_text="据此撰写稿件").click()
    page.wait_for_url(re.compile(r"/content/posts/new/\?material=\d+$"))
    chinese_only(page, server, PACK)
    page.select_option("#id_category", label="预报类")
    page.select_option("#id_subtype", label="预报类 · 最新城市预报")
    page.locator("#post-form label", has_text=account).locator("input").check()
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    post_url = str(page.url)
    chinese_only(page, server, PACK)
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "审核中", message(page)
    assert "发布单位主管领导审定" in page.locator("#review-panel").inner_text()
    return post_url


def test_w03_w14_w10_forecast_from_the_observatory_to_the_morning_slot_and_weibo(
    page: Any, server: Server, platforms: FakePlatforms
) -> None:
    """W-03, W-14, W-15, W-09, W-10: the Observatory's officer (马骏) sends forecast
    material to the tech centre's drop box; the Observatory's leader (孙悦) approves it; the
    tech centre's editor (黄丽) takes it and makes a 预报类 · 最新城市预报 post for the city
    Weibo; the centre's leader (陈静) approves it; the publisher (赵磊) schedules it into
    the next free forecast slot (07:30, 10:30 or 17:00) — on the calendar in its slot —
    then publishes it at once: it is on the fake Weibo and on the calendar as published."""
    as_(page, server, "qxt_officer")
    material_url = _send_material(page, server, unit="气象台", title=TITLE, text=TEXT)
    assert "待分管领导审定" in page.locator("h1").inner_text(), message(page)

    as_(page, server, "qxt_leader")
    _approve_from_queue(page, server, TITLE)

    as_(page, server, "kj_editor")
    post_url = _post_from_material(page, server, material_url, "市气象局官方微博")

    as_(page, server, "kj_leader")
    _approve_from_queue(page, server, TITLE)
    page.goto(post_url)
    assert page.locator("#post-status").inner_text() == "已通过", message(page)

    # the publisher: the next free forecast slot (W-10) …
    as_(page, server, "kj_publisher")
    page.goto(post_url)
    chinese_only(page, server, PACK)
    form = page.locator("#schedule-form")
    assert form.locator("input[name=when][value=next_slot]").is_checked()
    form.locator("button[type=submit]").click()
    page.wait_for_url(post_url)
    assert page.locator(".messages .success").count() == 1, message(page)
    assert page.locator("#post-status").inner_text() == "已排期", message(page)
    row = page.locator("#intents tbody tr", has_text="市气象局官方微博")
    due = row.locator("td").nth(1).inner_text()
    assert due[-8:-3] in SLOTS, due  # "mm-dd HH:MM:SS"
    chinese_only(page, server, PACK)

    # … on the calendar in that slot …
    page.goto(server.url + "/publishing/calendar/?view=month")
    chinese_only(page, server, PACK)
    entry = page.locator("#calendar .cal-entry", has_text=TITLE)
    assert entry.count() == 1 and due[-8:-3] in entry.inner_text(), entry.all_inner_texts()

    # … then 立即发布: out on the fake Weibo, published on the calendar.
    page.goto(post_url)
    row.locator("button", has_text="立即发布").click()
    page.wait_for_url(post_url)
    assert page.locator(".messages .success").count() == 1, message(page)
    wait_published(page, post_url)
    chinese_only(page, server, PACK)
    on_the_fake(page, "市气象局官方微博", TEXT)
    page.goto(server.url + "/publishing/calendar/?view=month")
    assert "已发布" in page.locator("#calendar .cal-entry", has_text=TITLE).inner_text()

    # The Observatory sees where its material went (本单位素材的发布情况).
    as_(page, server, "qxt_officer")
    panel = page.locator("#material-posts")
    assert "已发布" in panel.locator("tr", has_text=TITLE).inner_text()
    chinese_only(page, server, PACK)


COUNTY_TITLE = "甲县明日天气（制度走查）"
COUNTY_TEXT = "甲县明天多云，气温8到17摄氏度，北风2级（甲县制度走查）。"


def test_w05_a_county_publishes_on_its_own_account_only(
    page: Any, server: Server, platforms: FakePlatforms
) -> None:
    """W-05 (分级负责), W-15: 甲县's publisher (宋佳) drafts a forecast for 甲县's Weibo —
    the city's and 乙县's accounts are not offered; 甲县's leader (罗平) approves; she
    publishes it at once; it is on the fake Weibo under 甲县's account, and on the city
    calendar's 甲县 row."""
    as_(page, server, "xa_publisher")
    page.goto(server.url + "/content/posts/new/")
    chinese_only(page, server, PACK)
    offered = page.locator("#post-form").inner_text()
    assert "甲县气象局官方微博" in offered
    assert "乙县气象局官方微博" not in offered and "市气象局官方微博" not in offered
    page.fill("#id_title", COUNTY_TITLE)
    page.fill("#id_body", COUNTY_TEXT)
    page.fill("#id_source", "甲县气象局")
    page.select_option("#id_category", label="预报类")
    page.locator("#post-form label", has_text="甲县气象局官方微博").locator("input").check()
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    post_url = str(page.url)
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "审核中", message(page)

    as_(page, server, "xa_leader")
    _approve_from_queue(page, server, COUNTY_TITLE)

    as_(page, server, "xa_publisher")
    page.goto(post_url)
    form = page.locator("#schedule-form")
    assert "甲县气象局官方微博" in form.inner_text()
    form.locator("input[name=when][value=now]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(post_url)
    assert page.locator(".messages .success").count() == 1, message(page)
    wait_published(page, post_url)
    chinese_only(page, server, PACK)
    on_the_fake(page, "甲县气象局官方微博", COUNTY_TEXT)
    page.goto(server.url + "/publishing/calendar/?view=month")
    chinese_only(page, server, PACK)
    county_row = page.locator("#calendar tbody tr", has_text="甲县气象局官方微博")
    assert COUNTY_TITLE in county_row.inner_text()


C_TITLE = "丙县雷电预警素材（制度走查）"


def test_w05_w03_a_county_without_an_account_sends_material_for_the_city_account(
    page: Any, server: Server
) -> None:
    """W-05, W-03, W-14: 丙县 has no account of its own and is served by the city account:
    its officer (韩冬) sends material to the tech centre's drop box, 丙县's leader approves
    it, and the tech centre's editor finds it in the drop box."""
    as_(page, server, "xc_officer")
    _send_material(
        page,
        server,
        unit="丙县气象局",
        title=C_TITLE,
        text="丙县今天午后有雷阵雨，局地伴有短时强降水（丙县制度走查）。",
    )
    assert "待分管领导审定" in page.locator("h1").inner_text(), message(page)

    as_(page, server, "xc_leader")
    _approve_from_queue(page, server, C_TITLE)

    as_(page, server, "kj_editor")
    page.goto(server.url + "/content/dropbox/")
    row = page.locator("#inbox tr", has_text=C_TITLE)
    assert "丙县气象局" in row.inner_text() and "待处理" in row.inner_text()
