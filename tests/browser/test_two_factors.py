"""Two factors in a real browser (issue #9 §11; X-06 Chinese pages): enrol an authenticator
by QR code on 账号安全 (the secret is also shown as text), keep the recovery codes, log out,
log in again with the password and then the code. The code is computed here from the secret
the page shows, as the phone would."""

from __future__ import annotations

import time
from base64 import b32decode
from typing import Any

from django_otp.oath import totp

from tests.browser.conftest import SCREENSHOTS, Server

USER = "city_leader"  # 市局分管领导 (post.review): used by no other browser test


def _code(secret_text: str, steps_ahead: int = 0) -> str:
    key = b32decode(secret_text.replace(" ", "") + "=" * (-len(secret_text.replace(" ", "")) % 8))
    return f"{totp(key, step=30, t0=-30 * steps_ahead, digits=6):06d}"


def _same_step(page: Any) -> None:
    """Wait out the last seconds of a 30-second step: a code typed across a step boundary is
    accepted by django-otp at offset -1 and moves the device's drift to -1, so the next
    login's code one step ahead falls outside the tolerance (a flake seen on CI)."""
    left = 30 - time.time() % 30
    if left < 4:
        page.wait_for_timeout(int(left * 1000) + 200)


def _password(page: Any, server: Server) -> None:
    page.goto(server.url + "/login/")
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", server.logins[USER])
    page.click("button[type=submit].primary")


def test_enrol_by_qr_code_then_log_in_with_a_code(page: Any, server: Server) -> None:
    """§11: password → (no device: in; offered on 账号安全) → enrol → password → code → in."""
    _password(page, server)
    page.wait_for_url(server.url + "/")
    page.click(".who a.user")
    assert page.locator("h1").inner_text() == "账号安全"
    page.click("text=启用两步验证")
    assert page.locator("#totp-qr svg").count() == 1
    assert "微信" in page.content() and "企业微信" in page.content()
    secret = page.locator("#totp-secret").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "two-factor-setup.png"), full_page=True)
    page.fill("input[name=code]", "123456" if _code(secret) != "123456" else "654321")
    page.click("button[type=submit].primary")
    assert "验证码不正确" in page.locator(".error").inner_text()
    secret = page.locator("#totp-secret").inner_text()  # the same pending authenticator
    page.wait_for_timeout(1100)  # django-otp's wait after a wrong code
    _same_step(page)
    page.fill("input[name=code]", _code(secret))
    page.click("button[type=submit].primary")
    assert page.locator("h1").inner_text() == "两步验证已启用"
    assert page.locator("#recovery-codes li").count() == 10
    page.click("text=我已保存，继续")
    page.wait_for_url(server.url + "/")

    page.click("text=退出")
    _password(page, server)
    page.wait_for_url("**/login/code/**")
    assert page.locator("h1").inner_text() == "两步验证"
    page.goto(server.url + "/units/")  # nothing else before the code
    page.wait_for_url("**/login/code/**")
    page.fill("input[name=code]", _code(secret, steps_ahead=1))
    page.click("button[type=submit].primary")
    page.wait_for_url(server.url + "/units/")
    page.click(".who a.user")
    assert page.locator("[data-codes-left]").inner_text() == "10"
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]
