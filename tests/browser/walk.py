"""Helpers for the rule-book walks (issue 10 acceptance): log in as a role through the login
page, read the flash messages, wait for a post's status, and check that what the person
sees is Chinese — no English msgid, no code where a name belongs."""

from __future__ import annotations

import re
import time
from typing import Any

from tests.browser.conftest import Server, login

# Latin words a Chinese page may show: the language switch, file kinds, short names.
ALLOWED_LATIN = {"English", "PDF", "iCalendar", "QQ", "ID", "URL", "HTTP", "HTTPS", "CSV"}
LATIN = re.compile(r"[A-Za-z][A-Za-z_]+")
DIGEST = re.compile(r"\b[0-9a-f]{16,}\b")  # a content fingerprint (内容指纹) is hex


def as_role(page: Any, server: Server, username: str) -> None:
    """A fresh session, logged in through the login page as ``username``."""
    page.context.clear_cookies()
    page.set_default_timeout(20000)
    login(page, server, username)


def message(page: Any) -> str:
    messages = page.locator(".messages")
    return str(messages.inner_text().strip()) if messages.count() else ""


def assert_chinese(page: Any, *, allow: tuple[str, ...] = ()) -> None:
    """The page the person sees has no Latin word but the allowed few (and ``allow``):
    an English word is an untranslated msgid, a snake_case word a code."""
    text = DIGEST.sub(" ", page.locator("body").inner_text())
    found = [
        (m.group(), text[max(0, m.start() - 30) : m.end() + 30])
        for m in LATIN.finditer(text)
        if m.group() not in ALLOWED_LATIN and m.group() not in allow
    ]
    assert not found, f"{page.url}: {found}"


def wait_status(page: Any, url: str, wanted: str, seconds: float = 30) -> None:
    """Reload ``url`` until the post's status reads ``wanted``."""
    end = time.monotonic() + seconds
    while True:
        page.goto(url)
        status = page.locator("#post-status").inner_text()
        if status == wanted or time.monotonic() > end:
            break
        time.sleep(0.5)
    assert status == wanted, page.locator("#publish-panel").inner_text()
