"""Layout findings of the new-user walk (issue #10 §6, "everywhere"): what the college's
教务处 manager saw in Chromium at 1280 px."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Server, login


def test_c04_the_post_page_keeps_the_content_hash_inside_its_card(
    page: Any, server: Server
) -> None:
    """C-04 / X-06: the post page's 内容指纹 (64 hex digits) wraps inside the card instead of
    running over the next card."""
    login(page, server, "col_jwc_manager")
    page.goto(server.url + "/content/posts/new/")
    page.fill("#id_title", "期末考试安排通知")
    page.fill(
        "#id_body", "各位同学：本学期期末考试将于1月10日开始，请按教务处网站公布的安排参加考试。"
    )
    page.check("text=教务处二级网站")
    page.click("main button[type=submit]")
    page.wait_for_url("**/content/posts/*/")
    over = page.evaluate(
        """() => [...document.querySelectorAll('main .card')].filter(
            c => c.scrollWidth > c.clientWidth + 1).map(c => c.innerText.slice(0, 40))"""
    )
    assert over == []


def test_x06_the_menu_stays_on_one_line_at_1280_px(page: Any, server: Server) -> None:
    """X-06 / issue 10 §6: the longest menus of the demo (the real-estate executive leader's,
    the tourism centre's contact's, each organisation's administrator's) stay on one line at
    1280 px. Issue 11's entries (互动台, 互动活动, 有害信息报告, 意见反馈) broke the flat bar over
    two lines; its sections (内容, 发布, 互动, 管理) keep it on one, and an open section's list
    stays inside the window."""
    for username in ("re_zz_executive", "ly_zx_contact", "gw_admin", "col_xcb_head", "re_admin"):
        page.context.clear_cookies()
        login(page, server, username)
        tops = page.evaluate(
            """() => [...document.querySelectorAll('.main-nav > *')].map(
                e => Math.round(e.getBoundingClientRect().top))"""
        )
        assert len(tops) > 1 and len(set(tops)) == 1, (username, tops)
        for summary in page.locator(".main-nav summary").all():
            summary.click()
            box = summary.locator("xpath=../ul").bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1280
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= 1280, (username, summary.inner_text(), wide)


# Items with many and long labels on the city's Weibo (W-18 rules label them; a pack's label
# may be long), an activity's tag, a question out of scope and a screening verdict.
_LABELLED = """
from datetime import timedelta
from django.utils import timezone
from guanwei.interaction.models import Comment
from guanwei.testing.personas import channel
ch = channel("demo_weather", "city_weibo")
labels = [
    ["重大天气过程直播互动暴雨红色预警专题答疑活动标签", "待研判", "恶意言论"],
    ["ThisIsAVeryLongEnglishLabelWithoutAnySpaces", "广告", "待研判", "天气咨询", "恶意言论"],
]
for i, ls in enumerate(labels):
    Comment.objects.get_or_create(
        channel=ch,
        remote_id=f"layout390-{i}",
        defaults=dict(
            organisation_id=ch.organisation_id, unit_id=ch.unit_id, remote_post_id="390",
            author_name="一位名字很长的热心网友气象爱好者" * (i + 1), text="窄屏标签走查",
            created_at=timezone.now(), fetched_at=timezone.now() + timedelta(seconds=i),
            is_question=True, scope="out", verdict="block", labels=ls,
        ),
    )
"""

# Each chip of an item's head: its box, its line boxes and its line height, and the item's
# right edge; a chip split over two lines has two line boxes (or twice the height).
_CHIPS = """() => [...document.querySelectorAll(
        '#inbox-items .inbox-head .tag, #inbox-items .inbox-head .status')].map(e => {
        const box = e.getBoundingClientRect();
        const item = e.closest('.inbox-item').getBoundingClientRect();
        const line = parseFloat(getComputedStyle(e).lineHeight);
        return {text: e.textContent, lines: e.getClientRects().length, height: box.height,
                line: line, right: box.right, left: box.left, edge: item.right};
    })"""


def test_w18_the_inbox_labels_stay_whole_chips_at_390_px(browser: Any, server: Server) -> None:
    """W-18 / X-06: at 390 px (a phone) 互动台's label chips wrap as whole chips — none is
    split over two lines or runs past its item — and the page is no wider than the window;
    a label too long for the line is cut with … (its whole text in the chip's title)."""
    server.manage("shell", "-c", _LABELLED)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        login(page, server, "kj_publisher")
        page.goto(server.url + "/interaction/?label=待研判")
        assert page.locator("#inbox-items .inbox-item").count() >= 2
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        chips = page.evaluate(_CHIPS)
        assert len(chips) >= 12
        split = [c for c in chips if c["lines"] != 1 or c["height"] > 1.5 * c["line"]]
        assert split == [], split
        over = [c for c in chips if c["right"] > c["edge"] + 0.5 or c["left"] < 0]
        assert over == [], over
        long = page.locator(".inbox-head .tag.label", has_text="重大天气过程直播互动").first
        assert long.get_attribute("title") == "重大天气过程直播互动暴雨红色预警专题答疑活动标签"
        filters = page.evaluate(
            """() => [...document.querySelectorAll('#inbox-filters a')]
                .filter(a => a.getClientRects().length > 1).map(a => a.textContent)"""
        )
        assert filters == [], filters  # 已处理 is not cut into 已 / 处理 either
    finally:
        context.close()


def test_x06_the_top_bar_and_the_rules_table_keep_whole_words_at_390_px(
    browser: Any, server: Server
) -> None:
    """X-06, W-18: at 390 px the top bar's 通知, the person's name, 修改密码 and 退出 wrap as
    whole words (the college walk found 通/知, 吴/芳, 退/出), and the rules page's table
    scrolls inside its card instead of widening the page."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        login(page, server, "col_yq_reviewer")
        page.goto(server.url + "/interaction/rules/")
        broken = page.evaluate(
            """() => [...document.querySelectorAll(
                    '.top .who > *, .top .main-nav > a, .top .menu-group > summary')]
                .filter(e => e.getClientRects().length > 1 || e.getBoundingClientRect().height
                    > 2 * parseFloat(getComputedStyle(e).fontSize))
                .map(e => e.textContent.trim())"""
        )
        assert broken == [], broken
        squeezed = page.evaluate(
            """() => [...document.querySelectorAll('.table th, .table button')]
                .filter(e => e.getBoundingClientRect().height
                    > 3 * parseFloat(getComputedStyle(e).fontSize))
                .map(e => e.textContent.trim())"""
        )
        assert squeezed == [], squeezed  # 停用 and 顺序 stay whole: the table scrolls instead
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
