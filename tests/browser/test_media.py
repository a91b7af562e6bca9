"""In Chromium: the reviewer sees the picture (E-01 图文相符, T-05 图文并茂) on the review
queue and on the post page, opens it full size, and sees the attachment as a download;
and the content library (E-02): a text saved ahead starts a new post draft."""

from __future__ import annotations

import io
import re
import time
from typing import Any

from PIL import Image

from tests.browser.conftest import SCREENSHOTS, Server, login

TEXT = "今天下午到夜间有雷阵雨，局地短时强降水，请注意防范。"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _as(page: Any, server: Server, username: str) -> None:
    page.context.clear_cookies()
    login(page, server, username)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def _upload(page: Any, server: Server, name: str, mime: str, data: bytes, title: str) -> None:
    page.goto(server.url + "/content/assets/")
    page.fill("#id_title", title)
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.click("#asset-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".messages .success").count() == 1, page.locator("main").inner_text()


def _opens_full_size(page: Any, thumbnail: Any) -> None:
    """Clicking the thumbnail opens the picture itself, full size, in its own tab."""
    with page.context.expect_page() as info:
        thumbnail.click()
    full = info.value
    full.wait_for_load_state()
    assert re.search(r"/content/assets/\d+/file$", full.url), full.url
    width = full.evaluate("() => document.images[0] && document.images[0].naturalWidth")
    assert width == 400, width
    full.close()


def _loaded(img: Any) -> bool:
    """The picture loaded (waits for its load or error event if it is still loading: read
    at once after a navigation on a loaded machine, it was not complete yet — CI 49469e2)."""
    return bool(
        img.evaluate(
            """el => el.complete ? el.naturalWidth > 0 : new Promise(done => {
                el.addEventListener("load", () => done(el.naturalWidth > 0));
                el.addEventListener("error", () => done(false));
            })"""
        )
    )


def test_e01_t05_the_reviewer_sees_the_picture_on_the_queue_and_post_page(
    page: Any, server: Server
) -> None:
    title = "午后雷阵雨（图文浏览器测试）"
    _as(page, server, "kj_editor")
    _upload(page, server, "radar.png", "image/png", _png(), "雷达回波图（浏览器测试）")
    _upload(page, server, "note.pdf", "application/pdf", PDF, "预报说明（浏览器测试）")
    page.goto(server.url + "/content/posts/new/")
    page.fill("#id_title", title)
    page.fill("#id_body", TEXT)
    page.fill("#id_source", "市气象台")
    page.select_option("#id_category", label="预报类")
    page.select_option("#id_assets", label=["雷达回波图（浏览器测试）", "预报说明（浏览器测试）"])
    page.locator("#post-form label", has_text="市气象局官方微博").locator("input").check()
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    post_url = page.url
    deadline = time.monotonic() + 60  # the picture's text is read by the task worker first
    while page.locator("#post-status").inner_text() != "审核中":
        assert time.monotonic() < deadline, page.locator(".messages").inner_text()
        page.goto(post_url)
        if page.locator("#submit-form button[type=submit]").count():
            page.click("#submit-form button[type=submit]")
            page.wait_for_url(post_url)
        time.sleep(1)

    # 陈静 finds it in her queue: the picture is there as a thumbnail, the note as a download
    _as(page, server, "kj_leader")
    page.goto(server.url + "/review/queue/")
    row = page.locator("#queue tbody tr", has_text=title)
    thumb = row.locator("img.thumb")
    assert thumb.count() == 1 and _loaded(thumb)
    assert thumb.get_attribute("alt") == "雷达回波图（浏览器测试）"
    note = row.locator("a.media-file", has_text="预报说明（浏览器测试）")
    assert note.get_attribute("download") is not None
    page.screenshot(path=str(SCREENSHOTS / "review-queue-pictures.png"), full_page=True)
    _opens_full_size(page, thumb)
    with page.expect_download() as got:
        note.click()
    assert got.value.suggested_filename.endswith(".pdf")

    # on the post page too, beside the text she approves
    row.locator("a", has_text=title).click()
    page.wait_for_url(post_url)
    picture = page.locator("#post-media img.thumb")
    assert picture.count() == 1 and _loaded(picture)
    assert page.locator("#post-media a.media-file", has_text="预报说明（浏览器测试）").count() == 1
    _opens_full_size(page, picture)
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]


def test_e02_a_text_saved_to_the_content_library_starts_a_post(page: Any, server: Server) -> None:
    title = "防雷小知识（内容库浏览器测试）"
    body = "雷雨天气不要在大树下避雨，远离电线杆和金属构件。"
    _as(page, server, "kj_editor")
    page.goto(server.url + "/content/posts/")
    page.click("#text-library-link")
    page.wait_for_url(server.url + "/content/texts/")
    page.fill("#text-form #id_title", title)
    page.fill("#text-form #id_body", body)
    page.fill("#text-form #id_source", "市气象台科普")
    page.click("#text-form button[type=submit]")
    page.wait_for_url(server.url + "/content/texts/")
    assert page.locator(".messages .success").count() == 1
    page.fill("#text-search input[name=q]", "大树下避雨")
    page.click("#text-search button[type=submit]")
    row = page.locator("#texts tbody tr", has_text=title)
    assert row.count() == 1
    page.screenshot(path=str(SCREENSHOTS / "content-library.png"), full_page=True)
    row.locator("a", has_text="用此文字写稿").click()
    page.wait_for_url(re.compile(r"/content/posts/new/\?text=\d+$"))
    assert page.input_value("#id_title") == title
    assert page.input_value("#id_body") == body
    assert page.input_value("#id_source") == "市气象台科普"
    page.select_option("#id_category", label="预报类")
    page.locator("#post-form label", has_text="市气象局官方微博").locator("input").check()
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    assert page.locator("#post-status").inner_text() == "草稿"
    assert body in page.locator("#post-body").inner_text()
