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
