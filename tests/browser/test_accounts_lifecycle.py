"""Accounts' lifecycle in a real browser (issue 12 §4, §5): a college person reports an
account in the college's name that is not on the register, the Propaganda Department's
head orders it closed and the reporter reads the result (C-04)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Server, login, open_menu


def _as(page: Any, server: Server, username: str) -> None:
    page.context.clear_cookies()
    login(page, server, username)


def _message(page: Any) -> str:
    return str(page.locator(".messages").inner_text().strip())


def test_c04_a_college_person_reports_an_unregistered_account_and_it_is_closed(
    page: Any, server: Server
) -> None:
    # 1. 信息工程学院's manager opens 官方账号名录 from the menu and reports an account
    _as(page, server, "col_xx_manager")
    open_menu(page, "官方账号名录")
    assert page.url.endswith("/channels/register/")
    register = page.locator("#register").inner_text()
    assert "示范职业学院官方微信" in register and "经济管理学院学生工作QQ群" not in register
    page.select_option("#id_platform", "wechat")
    page.fill("#id_name", "<b>示范职业学院</b>新生群（非官方）")
    page.fill("#id_seen_where", "新生家长群转发")
    page.fill("#id_note", "公众号自称学校官方，发布招生信息。")
    page.click("#unregistered-form button[type=submit]")
    assert "已举报" in _message(page)
    assert page.locator("#report-status").inner_text() == "待核查"
    assert page.locator("#report-name").inner_text() == "<b>示范职业学院</b>新生群（非官方）"
    assert page.locator("#decide-form").count() == 0
    report_url = page.url

    # 2. the Propaganda Department's head is told, opens it from 全部举报 and closes it
    _as(page, server, "col_xcb_head")
    page.goto(server.url + "/channels/register/")
    page.locator("#unregistered a", has_text="新生群").first.click()
    assert page.url == report_url
    page.select_option("#id_status", "ordered_closed")
    page.fill("#id_outcome", "已联系开设人，责令关闭并删除自称“官方”的内容。")
    page.click("#decide-form button[type=submit]")
    assert "已处理" in _message(page)
    assert page.locator("#report-status").inner_text() == "已责令关闭"

    # 3. the reporter reads the outcome
    _as(page, server, "col_xx_manager")
    page.goto(report_url)
    assert page.locator("#report-status").inner_text() == "已责令关闭"
    assert "责令关闭" in page.locator("#report-outcome").inner_text()
