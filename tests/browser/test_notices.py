"""Notices in a real browser (REQ X-04): a rejection lights the editor's bell, the notices
page opens the post, marking it read brings the count down; the API docs render under the
site's CSP from same-origin files."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import SCREENSHOTS, Server, login

TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"


def _as(page: Any, server: Server, username: str) -> None:
    page.context.clear_cookies()
    login(page, server, username)


def _bell(page: Any) -> int:
    count = page.locator("#bell .bell-count")
    return int(count.inner_text()) if count.count() else 0


def test_x04_a_rejection_lights_the_bell_and_the_notice_opens_the_post(
    page: Any, server: Server
) -> None:
    title = "明日天气（通知测试）"
    _as(page, server, "kj_editor")
    before = _bell(page)
    page.goto(server.url + "/content/posts/new/")
    page.fill("#id_title", title)
    page.fill("#id_body", TEXT)
    page.fill("#id_source", "市气象台")
    page.select_option("#id_category", label="预报类")
    page.locator("#post-form label", has_text="市气象局官方微博").locator("input").check()
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    post_url = page.url
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(post_url)

    # 陈静 returns it with a reason.
    _as(page, server, "kj_leader")
    page.goto(post_url)
    page.fill("#reject-form textarea[name=reason]", "气温数据待核实")
    page.click("#reject-form button[type=submit]")
    page.wait_for_url(post_url)

    # 黄丽's bell shows one more, on every page.
    _as(page, server, "kj_editor")
    assert _bell(page) == before + 1
    page.goto(server.url + "/content/posts/")
    assert _bell(page) == before + 1
    page.click("#bell")
    page.wait_for_url(server.url + "/notices/")
    row = page.locator("#notices tr.notice-unread", has_text=title)
    assert "气温数据待核实" in row.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "notices.png"), full_page=True)

    # The notice opens the post and is read by opening it: the count drops.
    row.locator("a.notice-link").click()
    page.wait_for_url(post_url)
    assert title in page.locator("h1").inner_text()
    assert _bell(page) == before
    page.goto(server.url + "/notices/")
    assert page.locator("#notices tr.notice-read", has_text=title).count() == 1
    assert page.locator("#notices tr", has_text=title).locator("button.mark-read").count() == 0
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors


def test_x01_the_api_docs_render_under_the_csp(page: Any, server: Server) -> None:
    """X-01: Swagger UI loads from this site's static files and draws the API."""
    _as(page, server, "kj_editor")
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(server.url) else None,
    )
    page.goto(server.url + "/api/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "guanwei API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock-summary-path", has_text="/api/v1/notices").count() >= 1
    assert not outside, outside
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
