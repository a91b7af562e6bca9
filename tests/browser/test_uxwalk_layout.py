"""Layout findings of the new-user walk (issue #10 §6, "everywhere"): what the college's
教务处 manager saw in Chromium at 1280 px."""

from __future__ import annotations

from typing import Any

import pytest

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


@pytest.mark.xfail(
    strict=True,
    reason="repro: the real-estate executive leader's menu breaks over two lines at 1280 px since "
    "issue 11's entries (互动台, 互动活动, 有害信息报告, 意见反馈); the menu needs grouping",
)
def test_x06_the_menu_stays_on_one_line_at_1280_px(page: Any, server: Server) -> None:
    """X-06 / issue 10 §6: the real-estate executive leader's and the tourism centre's
    contact's menus (the longest of the demo) stay on one line at 1280 px; 制度 did not."""
    for username in ("re_zz_executive", "ly_zx_contact"):
        page.context.clear_cookies()
        login(page, server, username)
        tops = page.evaluate(
            "() => [...document.querySelectorAll('.main-nav a')].map(a => a.offsetTop)"
        )
        assert len(set(tops)) == 1, (username, tops)
