"""What the rule-book walks (issue 10 acceptance: one Playwright test per organisation
walks its rule book's main path as its roles) share: logging in as a role through the login
page, the fake platforms with a dispatcher for one organisation's accounts, and the check
that a page shows the person only Chinese words (no untranslated msgid, no code where a
name belongs, no other organisation's term)."""

from __future__ import annotations

import io
import re
import time
from typing import Any

from PIL import Image

from tests.browser.conftest import Server, login
from tests.words.test_own_words import findings, visible_text

# each seed organisation's requirement IDs (REQUIREMENTS.md); X-nn belong to all of them
OWN_IDS = {
    "weather-bureau": "W",
    "college": "C",
    "tourism-bureau": "T",
    "real-estate": "R",
    "edu-software": "E",
}
REQ_ID = re.compile(r"(?<![A-Za-z])([WCTRE])-\d\d")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def as_(page: Any, server: Server, username: str) -> None:
    """Log out whoever was in, and log in as ``username`` through the login page."""
    page.context.clear_cookies()
    login(page, server, username)


def message(page: Any) -> str:
    messages = page.locator(".messages")
    return str(messages.inner_text().strip()) if messages.count() else ""


def chinese_only(page: Any, server: Server, pack: str) -> None:
    """The page the person sees is in the organisation's own Chinese words: no English
    msgid, no code such as ``info_officer``, no term of another organisation's pack, and
    no requirement of another organisation's rule book (a W-11 on the tourism bureau's
    dashboard)."""
    allowed = set(server.logins)
    text = EMAIL.sub(" ", visible_text(page.content()))  # an address is data (R-05 mailbox)
    found = findings(text, pack, allowed)
    found += [
        (m.group(0), f"another rule book's requirement {m.group(0)!r}")
        for m in REQ_ID.finditer(text)
        if m.group(1) != OWN_IDS[pack]
    ]
    assert not found, f"{page.url}: {found}"


def picture(title: str) -> dict[str, Any]:
    """A small JPEG to upload, as a file chooser takes it."""
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (60, 140, 200)).save(out, format="JPEG")
    return {"name": f"{title}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def upload_picture(page: Any, server: Server, title: str) -> None:
    """Put a picture in the 素材库 (图片与附件素材库) of the person's unit; wait until its
    text is read (a post with a picture still being read cannot be submitted)."""
    page.goto(server.url + "/content/assets/")
    page.set_input_files("#id_file", files=[picture(title)])
    page.fill("#id_title", title)
    page.click("main form button.primary")
    page.wait_for_url(server.url + "/content/assets/")
    assert "已加入素材库" in message(page)
    # its text is read first (the task worker's OCR): a post with it is submitted after
    end = time.monotonic() + 60
    while "文字识别中" in page.locator("main tr", has_text=title).inner_text():
        assert time.monotonic() < end, "the picture's text was not read within 60 s"
        time.sleep(1)
        page.goto(server.url + "/content/assets/")


def wait_published(page: Any, url: str, seconds: float = 30) -> None:
    """Reload the post page until its status is 已发布 (the dispatcher sends it)."""
    end = time.monotonic() + seconds
    while True:
        page.goto(url)
        status = page.locator("#post-status").inner_text()
        failed = "发布失败" in page.locator("#publish-panel").inner_text()
        if status == "已发布" or failed or time.monotonic() > end:
            break
        time.sleep(0.5)
    assert status == "已发布", page.locator("#publish-panel").inner_text()


def on_the_fake(page: Any, account: str, text: str, *, picture: bool = False) -> None:
    """Follow the post page's 查看 link for ``account`` to the fake platform's status page:
    it shows the text (and, with ``picture``, the picture), on that account."""
    row = page.locator("#intents tr", has_text=account)
    href = row.locator("a", has_text="查看").get_attribute("href")
    assert href, row.inner_text()
    post_page = page.url
    page.goto(href)
    shown = page.locator("body").inner_text()
    assert account in page.locator("h1").inner_text() and text in shown, shown
    if picture:
        assert page.locator("article img").count() == 1, page.content()
    page.goto(post_page)
