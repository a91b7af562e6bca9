"""Logins in a real browser (issue 9 §10, §12; X-02, X-06): five wrong passwords lock the
login with a Chinese message and the minutes left, even the right password is refused;
a person changes their own password and logs in with the new one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, Server, login

LOCKED_USER = "ldz_officer"
CHANGING_USER = "fl_officer"
NEW_PASSWORD = "Lanzhou-xiaoxue-2026"


@pytest.fixture
def no_lockout(server: Server) -> Iterator[None]:
    """Every browser test logs in from 127.0.0.1: a lock left behind would lock them all."""
    server.manage("axes_reset")
    yield
    server.manage("axes_reset")


def _try(page: Any, server: Server, username: str, password: str) -> None:
    page.goto(server.url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")


def test_x06_five_wrong_passwords_lock_the_login_with_a_chinese_message(
    page: Any, server: Server, no_lockout: None
) -> None:
    for _ in range(4):
        _try(page, server, LOCKED_USER, "wrong-password-123")
        assert "用户名或密码错误" in page.content() or page.locator("p.error").count() == 1
    _try(page, server, LOCKED_USER, "wrong-password-123")  # the fifth
    assert page.locator("h1").inner_text() == "登录已暂停"
    text = page.locator("#login-locked").inner_text()
    assert "连续 5 次登录失败" in text
    assert re.search(r"请在 1[45] 分钟后", text), text
    page.screenshot(path=str(SCREENSHOTS / "login-locked.png"))
    _try(page, server, LOCKED_USER, server.logins[LOCKED_USER])  # the right one: refused
    assert page.locator("h1").inner_text() == "登录已暂停"
    assert page.url.endswith("/login/")


def test_x02_a_person_changes_their_own_password(
    page: Any, server: Server, no_lockout: None
) -> None:
    login(page, server, CHANGING_USER)
    page.click("a.password-link")
    assert page.locator("h1").inner_text() == "修改密码"
    page.fill("input[name=old_password]", server.logins[CHANGING_USER])
    page.fill("input[name=new_password1]", "short1")
    page.fill("input[name=new_password2]", "short1")
    page.click("#password-change button[type=submit]")
    assert "12" in page.locator("#password-change").inner_text()  # too short, in Chinese
    page.screenshot(path=str(SCREENSHOTS / "password-change.png"))
    page.fill("input[name=old_password]", server.logins[CHANGING_USER])
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("#password-change button[type=submit]")
    page.wait_for_url(server.url + "/")
    assert "密码已修改" in page.locator(".messages").inner_text()
    server.logins[CHANGING_USER] = NEW_PASSWORD  # later tests log in with the new one
    page.click("header .who button:has-text('退出')")
    login(page, server, CHANGING_USER)
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]
