"""The editorial path in a real browser: material → provider's leader → drop box → post →
publishing leader → PDF approval form (REQ W-03, W-14, W-15, R-06, C-09)."""

from __future__ import annotations

import io
import re
import sqlite3
from typing import Any

from pypdf import PdfReader

from tests.browser.conftest import SCREENSHOTS, Server, login

TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"


def _as(page: Any, server: Server, username: str) -> None:
    """Switch the browser to another person: drop the session cookie, log in again."""
    page.context.clear_cookies()
    login(page, server, username)


def _message(page: Any) -> str:
    return str(page.locator(".messages").inner_text().strip())


def _write_post(page: Any, server: Server, title: str) -> int:
    """kj_editor writes a forecast post for the city Weibo account; returns its id."""
    page.goto(server.url + "/content/posts/new/")
    page.fill("#id_title", title)
    page.fill("#id_body", TEXT)
    page.fill("#id_source", "市气象台")
    page.select_option("#id_category", label="预报类")
    page.locator("#post-form label", has_text="市气象局官方微博").locator("input").check()
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def test_material_becomes_a_post_approved_twice_with_a_pdf_form(page: Any, server: Server) -> None:
    """W-15, W-03, W-14, R-06: officer → provider's leader → editor → publishing leader."""
    title = "明日城市天气预报（浏览器测试）"

    # 1. 气象台 信息员 马骏 sends material to the tech centre's drop box.
    _as(page, server, "qxt_officer")
    page.goto(server.url + "/content/materials/new/")
    page.select_option("#id_provider_unit", label="气象台")
    page.select_option("#id_drop_box", label="气象科技服务中心")
    page.fill("#id_title", title)
    page.fill("#id_body", TEXT)
    page.fill("#id_source", "市气象台")
    page.click("#material-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/materials/\d+/$"))
    material_url = page.url
    material_id = int(material_url.rstrip("/").rsplit("/", 1)[1])
    assert "待分管领导审定" in page.locator("h1 .status").inner_text()

    # 2. 气象台台长 孙悦 finds it in the queue and approves it (first reviewer).
    _as(page, server, "qxt_leader")
    page.goto(server.url + "/review/queue/")
    page.locator("#queue a", has_text=title).click()
    page.wait_for_url(material_url)
    page.locator("form[action$='/approve/'] button[type=submit]").click()
    page.wait_for_url(material_url)
    assert page.locator(".messages .success").count() == 1, _message(page)
    assert "待处理" in page.locator("h1 .status").inner_text()
    facts = page.locator("dl.facts").inner_text()
    assert "孙悦" in facts
    assert "孙悦" in page.locator(".card").nth(1).inner_text()
    page.screenshot(path=str(SCREENSHOTS / "editorial-material.png"), full_page=True)

    # 3. The editor 黄丽 opens the drop box, makes a post from the item and submits it.
    _as(page, server, "kj_editor")
    page.goto(server.url + "/content/dropbox/")
    page.locator("#inbox a", has_text=title).click()
    page.wait_for_url(material_url)
    page.locator(f"a[href$='/content/posts/new/?material={material_id}']").click()
    page.wait_for_url(re.compile(r"/content/posts/new/\?material=\d+$"))
    assert page.input_value("#id_title") == title  # prefilled from the material
    assert page.input_value("#id_body") == TEXT
    assert page.input_value("#id_source") == "市气象台"
    page.select_option("#id_category", label="预报类")
    page.locator("#post-form label", has_text="市气象局官方微博").locator("input").check()
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    post_url = page.url
    assert page.locator("#post-status").inner_text() == "草稿"
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "审核中", _message(page)
    page.goto(material_url)
    assert "已采用" in page.locator("h1 .status").inner_text()

    # 4. 气象科技服务中心主任 陈静 approves the post from her queue (second reviewer).
    _as(page, server, "kj_leader")
    page.goto(server.url + "/review/queue/")
    row = page.locator("#queue tbody tr", has_text=title)
    assert "发布单位主管领导审定" in row.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "editorial-queue.png"), full_page=True)
    row.locator("a").click()
    page.wait_for_url(post_url)
    page.fill("#approve-form textarea[name=comment]", "同意发布")
    page.click("#approve-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "已通过", _message(page)
    panel = page.locator("#review-panel").inner_text()
    assert "陈静" in panel and "同意发布" in panel
    page.screenshot(path=str(SCREENSHOTS / "editorial-post.png"), full_page=True)

    # 5. The approval form (附一) downloads as a PDF carrying the decision.
    with page.expect_download() as info:
        page.click("#pdf-link")
    download = info.value
    assert re.fullmatch(r"post-\d+-v1\.pdf", download.suggested_filename)
    with open(download.path(), "rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    flat = re.sub(r"\s+", "", text)
    assert title in flat
    assert "陈静" in flat and "同意发布" in flat
    assert "发布单位主管领导审定" in flat
    assert "孙悦" in flat  # the provider leader's approval of the source material
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]


def test_an_editor_cannot_approve_their_own_post(page: Any, server: Server) -> None:
    """T-04 / W-14: no self-approval; the refusal is shown and the post stays in review."""
    _as(page, server, "kj_editor")
    post_id = _write_post(page, server, "自审测试稿（浏览器测试）")
    post_url = f"{server.url}/content/posts/{post_id}/"
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "审核中"
    assert page.locator("#approve-form").count() == 0  # no button for the author
    # A forged POST (what the button would send) is refused by the action itself.
    with sqlite3.connect(server.var / "guanwei.sqlite3") as db:
        (step_id,) = db.execute(
            "SELECT s.id FROM workflow_steprun s JOIN workflow_workflowrun r ON r.id = s.run_id"
            " WHERE r.post_id = ? AND s.status = 'pending'",
            (int(post_id),),
        ).fetchone()
    page.evaluate(
        """async (stepId) => {
            const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
            const body = new URLSearchParams({csrfmiddlewaretoken: token, comment: '自己同意'});
            const url = `/review/steps/${stepId}/approve/`;
            await fetch(url, {method: 'POST', body, redirect: 'manual'});
        }""",
        step_id,
    )
    page.goto(post_url)
    assert "不能审核自己撰写或报送的内容" in page.locator(".messages .error").inner_text()
    assert page.locator("#post-status").inner_text() == "审核中"
    assert "自己同意" not in page.locator("#review-panel").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "editorial-self-approval.png"), full_page=True)
