"""The upload attack of issue #9 §2 replayed in Chromium (E-02, T-04: nobody approves
their own work).

An editor writes a post and submits it. Then she uploads ``helper.js`` — a script that
fetches the post page with the visitor's session, takes the approve form's action and CSRF
token and approves — and ``map.html`` sent as ``image/png`` containing
``<script src="/content/assets/N/file">``, and a GIF89a/HTML polyglot carrying the same tag.
The leader opens the "pictures". No script runs, the post stays 审核中, and the editor was
told in Chinese why her files were refused, with what she typed kept."""

from __future__ import annotations

import io
import re
from typing import Any

from PIL import Image

from tests.browser.conftest import Server, login

HELPER = """
document.title = "SCRIPT-RAN";
(async () => {
  const page = await (await fetch("POST_URL")).text();
  const action = page.match(/action="([^"]*\\/approve\\/)"/)[1];
  const token = page.match(/name="csrfmiddlewaretoken" value="([^"]+)"/)[1];
  const body = new URLSearchParams({csrfmiddlewaretoken: token, comment: "ok"});
  await fetch(action, {method: "POST", body, credentials: "same-origin"});
  document.title = "APPROVED-BY-SCRIPT";
})();
"""


def _as(page: Any, server: Server, username: str) -> None:
    page.context.clear_cookies()
    login(page, server, username)


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(out, format="GIF")
    return out.getvalue()


def _upload(page: Any, server: Server, name: str, mime: str, data: bytes, title: str) -> str:
    """Upload through the library page; returns the page's message (error or success)."""
    page.goto(server.url + "/content/assets/")
    page.fill("#id_title", title)
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.click("#asset-form button[type=submit]")
    page.wait_for_load_state()
    return str(page.locator("main").inner_text())


def _asset_url(page: Any, server: Server, title: str) -> str | None:
    page.goto(server.url + "/content/assets/")
    link = page.locator("table a", has_text=title)
    return str(link.first.get_attribute("href")) if link.count() else None


def test_e02_an_uploaded_script_never_runs_for_the_leader(page: Any, server: Server) -> None:
    """Issue #9 §2: the editor's script does not run when the leader opens her "picture";
    her post is not approved through it."""
    _as(page, server, "kj_editor")
    page.goto(server.url + "/content/posts/new/")
    page.fill("#id_title", "上传攻击测试稿（浏览器测试）")
    page.fill("#id_body", "明天多云转晴，气温12到20摄氏度。")
    page.fill("#id_source", "市气象台")
    page.select_option("#id_category", label="预报类")
    page.locator("#post-form label", has_text="市气象局官方微博").locator("input").check()
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    post_url = page.url
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "审核中"

    helper = HELPER.replace("POST_URL", post_url.removeprefix(server.url)).encode()
    said = _upload(page, server, "helper.js", "text/javascript", helper, "辅助脚本")
    assert "不支持" in said  # refused, in Chinese
    assert page.input_value("#id_title") == "辅助脚本"  # what she typed is still there
    helper_url = _asset_url(page, server, "辅助脚本") or "/content/assets/999999/file"
    tag = f'<script src="{helper_url}"></script>'.encode()
    page_html = b"<!DOCTYPE html><html><body><h1>map</h1>" + tag + b"</body></html>"
    said = _upload(page, server, "map.html", "image/png", page_html, "全市降水分布图")
    assert "不支持" in said and page.input_value("#id_title") == "全市降水分布图"
    polyglot = _gif() + b"<html><body>" + tag + b"</body></html>"
    _upload(page, server, "poly.html", "text/html", polyglot, "雷达拼图")
    urls = {t: _asset_url(page, server, t) for t in ("全市降水分布图", "雷达拼图", "辅助脚本")}
    assert urls["雷达拼图"]  # the polyglot is taken as the picture it also is

    _as(page, server, "kj_leader")  # the leader opens the links the editor sends her
    for title, url in urls.items():
        if url is None:
            continue
        response = page.goto(server.url + url)
        assert response.headers.get("content-security-policy") == "sandbox"
        assert response.headers.get("x-content-type-options") == "nosniff"
        assert not response.headers.get("content-type", "").startswith("text/html")
        page.wait_for_timeout(1500)  # time for a script to do its work
        assert page.title() not in ("SCRIPT-RAN", "APPROVED-BY-SCRIPT"), title
    page.goto(post_url)
    assert page.locator("#post-status").inner_text() == "审核中"
    assert page.locator("#approve-form").count() == 1  # still waiting for the leader


def test_e02_a_file_over_20_mb_is_refused_before_the_form_is_sent(
    page: Any, server: Server
) -> None:
    """Issue #9 §15: the browser refuses a 21 MB file with a Chinese message; the page is
    not left and the title typed is still there."""
    _as(page, server, "kj_editor")
    page.goto(server.url + "/content/assets/")
    page.fill("#id_title", "大文件")
    big = b"%PDF-1.7\n" + b"0" * (21 * 1024 * 1024)
    page.set_input_files(
        "#id_file", files=[{"name": "big.pdf", "mimeType": "application/pdf", "buffer": big}]
    )
    page.click("#asset-form button[type=submit]")
    message = page.eval_on_selector("#id_file", "el => el.validationMessage")
    assert "20 MB" in message
    assert page.url.endswith("/content/assets/") and page.input_value("#id_title") == "大文件"
    assert "已加入素材库" not in page.locator("main").inner_text()
