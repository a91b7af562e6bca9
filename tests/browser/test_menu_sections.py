"""The menu's sections in Chromium (X-06, issue 10 §6; grouped for issue 11's entries): 内容,
发布, 互动 and 管理 are <details> dropdowns of the menu bar — opened and left with the
keyboard alone, one open at a time, closed by Esc or a click elsewhere, without any inline
script (the strict CSP reports none) — and the page shown is marked in its section."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import SCREENSHOTS, Server, login


def _open(page: Any) -> list[str]:
    return list(
        page.evaluate(
            "() => [...document.querySelectorAll('.menu-group[open]')]"
            ".map(d => d.dataset.menuGroup)"
        )
    )


def test_x06_the_sections_open_and_close_with_the_keyboard(page: Any, server: Server) -> None:
    login(page, server, "re_zz_executive")
    nav = page.locator("nav.main-nav")
    assert nav.get_attribute("aria-label") == "主菜单"
    headings = [s.inner_text() for s in nav.locator("summary").all()]
    assert headings == ["内容", "发布", "互动", "管理"]
    # a closed section's entries are not shown (nor reachable by Tab)
    assert not nav.get_by_role("link", name="人员", exact=True).is_visible()

    management = nav.locator('summary:text-is("管理")')
    management.focus()
    page.keyboard.press("Enter")
    assert _open(page) == ["management"]
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent")
    assert focused == "官方账号名录"  # C-04: the register, open to every member
    page.keyboard.press("Escape")  # closes, back on the heading
    assert _open(page) == []
    assert page.evaluate("() => document.activeElement.textContent") == "管理"

    page.keyboard.press("Space")
    assert _open(page) == ["management"]
    # Shift+Tab back to the previous heading leaves the section: it closes
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "互动"
    assert _open(page) == []
    page.keyboard.press("Enter")
    assert _open(page) == ["interaction"]
    nav.locator('summary:text-is("发布")').click()  # one open at a time
    assert _open(page) == ["publishing"]
    page.locator("main h1").click()  # a click elsewhere closes it
    assert _open(page) == []

    # to 人员 by keyboard alone: its link and its section are marked current
    management.focus()
    page.keyboard.press("Enter")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent") == "人员":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    current = nav.locator('[aria-current="page"]')
    assert current.count() == 1 and current.get_attribute("data-menu") == "people_list"
    assert nav.locator("details[data-current]").get_attribute("data-menu-group") == "management"
    assert _open(page) == []  # a new page starts with every section closed
    management.click()
    page.screenshot(path=str(SCREENSHOTS / "menu.png"))
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]


def test_x06_a_person_sees_no_section_without_entries(page: Any, server: Server) -> None:
    """The weather office's information officer may open no page of 互动: no 互动 heading."""
    login(page, server, "bgs_officer")
    headings = [s.inner_text() for s in page.locator("nav.main-nav summary").all()]
    assert headings == ["内容", "发布", "管理"]
