"""W-11 in a real browser, end to end: the Observatory's officer issues a correction notice
on the published forecast made from its material → the publisher sees the task with a live
countdown → makes the correction (做订正) → the leader approves it in the fast correction
chain → the dispatcher publishes it to the fake Weibo (real HTTP) → the deadline is met."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from guanwei.publishing.fakes import FakePlatforms, start_fakes
from tests.browser.conftest import SCREENSHOTS, Server, login

TEXT = "今天夜里到明天多云转晴，气温12到20摄氏度，偏北风3级（订正浏览器测试）。"
FIXED = "今天夜里到明天多云转阴有小雨，气温10到16摄氏度，偏北风4级（订正浏览器测试）。"
TITLE = "明日城市天气预报（订正浏览器测试）"


def _as(page: Any, server: Server, username: str) -> None:
    page.context.clear_cookies()
    login(page, server, username)


def _message(page: Any) -> str:
    messages = page.locator(".messages")
    return str(messages.inner_text().strip()) if messages.count() else ""


@pytest.fixture
def platform(server: Server) -> Iterator[FakePlatforms]:
    """The fake Weibo in this process; the demo's city Weibo pointed at it; a dispatcher
    (with the scheduler) running against the server's database."""
    fakes = start_fakes(publish_delay_s=0.2)
    server.manage(
        "shell",
        "-c",
        "from guanwei.publishing.models import ChannelSettings as S; "
        "s = S.objects.get(channel__key='city_weibo', channel__organisation__key='demo_weather'); "
        f"s.values = {{**s.values, 'base_url': {fakes.weibo_url!r}, "
        f"'web_url': {fakes.weibo_url!r}, 'settle_seconds': '0'}}; "
        "s.save()",
    )
    dispatcher = subprocess.Popen(
        [sys.executable, "-m", "guanwei", "dispatcher", "--threads", "2", "--idle-sleep", "0.3"],
        env=server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield fakes
    finally:
        dispatcher.terminate()
        dispatcher.wait(timeout=15)
        fakes.stop()


def _wait_status(page: Any, url: str, wanted: str, seconds: float = 45) -> None:
    end = time.monotonic() + seconds
    while True:
        page.goto(url)
        status = page.locator("#post-status").inner_text()
        if status == wanted or time.monotonic() > end:
            break
        time.sleep(1)
    assert status == wanted, page.locator("#publish-panel").inner_text()


def test_w11_a_correction_from_the_observatory_to_weibo_within_ten_minutes(
    page: Any, server: Server, platform: FakePlatforms
) -> None:
    """W-11 (and W-12 style fast path): notice → task with countdown → 做订正 → fast chain
    → published once on the fake Weibo → deadline met with the minutes taken."""
    # The original: the Observatory's material, approved by its leader, made into a post by
    # the tech centre, approved, published now on the city Weibo.
    _as(page, server, "qxt_officer")
    page.goto(server.url + "/content/materials/new/")
    page.select_option("#id_provider_unit", label="气象台")
    page.select_option("#id_drop_box", label="气象科技服务中心")
    page.fill("#id_title", TITLE)
    page.fill("#id_body", TEXT)
    page.fill("#id_source", "市气象台")
    page.click("#material-form button.primary")
    page.wait_for_url(re.compile(r"/content/materials/\d+/$"))
    material_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    _as(page, server, "qxt_leader")
    page.goto(server.url + "/review/queue/")
    page.locator("#queue a", has_text=TITLE).click()
    page.locator("form[action$='/approve/'] button[type=submit]").click()
    assert page.locator(".messages .success").count() == 1, _message(page)
    _as(page, server, "kj_editor")
    page.goto(f"{server.url}/content/posts/new/?material={material_id}")
    page.select_option("#id_category", label="预报类")
    page.locator("#post-form label", has_text="市气象局官方微博").locator("input").check()
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    post_url = page.url
    page.click("#submit-form button[type=submit]")
    _as(page, server, "kj_leader")
    page.goto(post_url)
    page.click("#approve-form button[type=submit]")
    assert page.locator("#post-status").inner_text() == "已通过", _message(page)
    _as(page, server, "kj_publisher")
    page.goto(post_url)
    assert page.locator("#correction-form").count() == 0  # the publisher may not issue one
    page.check("#schedule-form input[name=when][value=now]")
    page.click("#schedule-form button[type=submit]")
    assert page.locator(".messages .success").count() == 1, _message(page)
    # The send's progress shows without a reload (htmx polls the intents fragment).
    expect(page.locator("#post-status")).to_have_text("已发布", timeout=45000)
    assert "已发布" in page.locator("#intents").inner_text()
    assert page.locator("#intents-live[hx-trigger]").count() == 0  # settled: polling stopped

    # 1. The Observatory's officer opens the published post (read-only) and issues the notice.
    _as(page, server, "qxt_officer")
    page.goto(post_url)
    assert page.locator("#post-status").inner_text() == "已发布"
    assert page.locator("a.button", has_text="修改").count() == 0
    page.fill("#correction-text", FIXED)
    page.click("#correction-form button[type=submit]")
    assert "订正通知已发布" in _message(page)
    assert FIXED in page.locator("#corrections").inner_text()

    # 2. The publisher has the task: the deadline with a live countdown.
    _as(page, server, "kj_publisher")
    page.goto(server.url + "/oversight/deadlines/")
    row = page.locator("#deadlines tbody tr", has_text=f"订正《{TITLE}》")
    countdown = row.locator(".countdown")
    first = countdown.inner_text()
    assert first.startswith("还剩 9 分") or first.startswith("还剩 10 分"), first
    page.wait_for_timeout(2100)
    assert countdown.inner_text() != first  # it counts down without a reload
    page.screenshot(path=str(SCREENSHOTS / "correction-task.png"), full_page=True)
    row.locator("a", has_text="打开").click()
    page.wait_for_url(re.compile(r"/content/posts/\d+/#corrections$"))

    # 3. 做订正: a correction post prefilled from the original and the notice.
    page.click("#make-correction")
    page.wait_for_url(re.compile(r"/oversight/corrections/\d+/$"))
    assert page.input_value("#id_title") == f"【订正】{TITLE}"
    assert page.input_value("#id_body") == FIXED
    assert page.locator("#correction-notice .countdown").count() == 1
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    fix_url = page.url
    assert fix_url != post_url
    assert page.locator("#post-status").inner_text() == "审核中", _message(page)
    assert TITLE in page.locator("#corrects").inner_text()

    # 4. The leader approves it in the fast correction chain.
    _as(page, server, "kj_leader")
    page.goto(server.url + "/review/queue/")
    queued = page.locator("#queue tbody tr", has_text=f"【订正】{TITLE}")
    assert "值班领导审定订正" in queued.inner_text()
    queued.locator("a").first.click()
    page.wait_for_url(fix_url)
    page.click("#approve-form button[type=submit]")
    assert page.locator(".messages .success").count() == 1, _message(page)

    # 5. The dispatcher publishes it at once (no scheduling by hand) to the fake Weibo.
    _wait_status(page, fix_url, "已发布")
    texts = [s.text for s in platform.weibo_server.platform.data.statuses.values()]
    assert sum(FIXED in t for t in texts) == 1 and sum(TEXT in t for t in texts) == 1

    # 6. The deadline is met, with the minutes taken.
    page.goto(server.url + "/oversight/deadlines/?status=met")
    done = page.locator("#deadlines tbody tr", has_text=f"订正《{TITLE}》")
    assert "按时完成" in done.inner_text() and "用时" in done.inner_text()
    page.goto(post_url + "#corrections")
    assert "按时完成" in page.locator("#corrections").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "correction-met.png"), full_page=True)
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]
