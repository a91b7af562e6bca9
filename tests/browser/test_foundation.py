"""The foundation in a real browser (REQ X-01, X-06, C-01, W-01, W-07)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import SCREENSHOTS, Server, login, open_menu


def test_it_logs_in_and_shows_the_dashboard(page: Any, server: Server) -> None:
    """X-06: Chinese login; W-01: principles on the dashboard; counts are real."""
    page.goto(server.url + "/login/")
    assert page.locator("h1").inner_text() == "登录官微"
    page.screenshot(path=str(SCREENSHOTS / "login.png"))
    login(page, server, "gw_admin")
    assert (
        page.locator("h1").inner_text() == "市气象局" or "气象局" in page.locator("h1").inner_text()
    )
    assert page.locator('[data-stat="units"]').inner_text() == "14"
    assert page.locator('[data-stat="channels"]').inner_text() == "5"
    assert "贴近民生" in page.content()
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]


def test_an_administrator_grants_a_role_in_the_tree(page: Any, server: Server) -> None:
    """X-01, T-03: the security administrator opens the tree, picks a county, grants a role;
    the audit administrator's log shows it (三员分立, issue #9 §9)."""
    login(page, server, "gw_security")
    open_menu(page, "部门")
    page.click("text=丙县气象局")
    page.select_option("#grant-form select[name=user]", label="谢琴")
    page.select_option("#grant-form select[name=role]", label="信息员")
    page.click("#grant-form button[type=submit]")
    assert page.locator(".messages").inner_text().strip() == "已授予角色。"
    assert "谢琴" in page.locator("table").first.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "unit.png"), full_page=True)
    page.context.clear_cookies()
    login(page, server, "gw_auditor")
    open_menu(page, "审计日志")
    assert "授予角色" in page.locator("table").inner_text()


def test_the_accounts_and_required_follows_are_listed(page: Any, server: Server) -> None:
    """C-01, C-08, W-07."""
    login(page, server, "kj_editor")
    open_menu(page, "官方账号")
    table = page.locator("table").inner_text()
    assert "市气象局官方微博" in table and "新浪微博" in table and "运行中" in table
    open_menu(page, "必须关注")
    # issue #9 §3: only follows between accounts one may see (channel.view): the three that
    # involve the city's account, not the two between a county's and the province's
    assert page.locator("tbody tr").count() == 3
    page.screenshot(path=str(SCREENSHOTS / "follows.png"), full_page=True)
    page.context.clear_cookies()
    login(page, server, "gw_admin")  # the system administrator sees every account's
    open_menu(page, "必须关注")
    assert page.locator("tbody tr").count() == 5


def test_english_is_one_click_away(page: Any, server: Server) -> None:
    """X-06: English through Django's i18n."""
    login(page, server, "kj_editor")
    page.click("text=English")
    assert page.locator("nav").inner_text().startswith("Dashboard")
    page.click("text=中文")
    assert page.locator("nav").inner_text().startswith("工作台")


def test_the_worker_verifies_the_audit_chain(page: Any, server: Server) -> None:
    """X-02: the dashboard queues a verification; the task worker runs it (the audit
    administrator's, issue #9 §9)."""
    login(page, server, "gw_auditor")
    page.click("#audit-verify-form button")
    assert "已提交审计链校验" in page.locator(".messages").inner_text()
    for _ in range(40):
        status = page.locator(".audit-verify").get_attribute("data-status")
        if status == "SUCCESSFUL":
            break
        page.wait_for_timeout(250)
        page.reload()
    assert page.locator(".audit-verify").inner_text().strip().startswith("✔ OK ")


def test_a_sensitive_grant_waits_for_the_second_person(page: Any, server: Server) -> None:
    """X-01, W-16 (issue #9 §9): the security administrator grants a custodian; it waits on
    the people page; he sees no 确认 button; the system administrator confirms it."""
    login(page, server, "gw_security")
    open_menu(page, "部门")
    page.click("text=气象科技服务中心")
    page.select_option("#grant-form select[name=user]", label="谢琴")
    page.select_option("#grant-form select[name=role]", label="账号保管人")
    page.click("#grant-form button[type=submit]")
    assert "须由第二人确认" in page.locator(".messages").inner_text()
    open_menu(page, "人员")
    pending = page.locator("#pending-grants")
    assert "谢琴" in pending.inner_text() and "等待第二人确认" in pending.inner_text()
    assert pending.locator("button", has_text="确认").count() == 0
    page.context.clear_cookies()
    login(page, server, "gw_admin")
    open_menu(page, "人员")
    page.screenshot(path=str(SCREENSHOTS / "pending-grants.png"), full_page=True)
    page.locator("#pending-grants button", has_text="确认").first.click()
    assert "已确认授予" in page.locator(".messages").inner_text()
    assert page.locator("#pending-grants").count() == 0
