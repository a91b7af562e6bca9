"""W-11 in a real browser, end to end: the Observatory's officer issues a correction notice
on the published forecast made from its material → the publisher sees the task with a live
countdown → makes the correction (做订正) → the leader approves it in the fast correction
chain → the dispatcher publishes it to the fake Weibo (real HTTP) → the deadline is met."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from guanwei.publishing.fakes import FakePlatforms
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
def platform(platforms: FakePlatforms) -> FakePlatforms:
    """The session's fakes and dispatcher (conftest): every demo account on them."""
    return platforms


def _wait_status(page: Any, url: str, wanted: str, seconds: float = 45) -> None:
    end = time.monotonic() + seconds
    while True:
        page.goto(url)
        status = page.locator("#post-status").inner_text()
        if status == wanted or time.monotonic() > end:
            break
        time.sleep(1)
    assert status == wanted, page.locator("#publish-panel").inner_text()


def _published_original(page: Any, server: Server, title: str, text: str) -> str:
    """The original: the Observatory's material, approved by its leader, made into a post by
    the tech centre, approved, published now on the city Weibo. Returns the post's URL."""
    _as(page, server, "qxt_officer")
    page.goto(server.url + "/content/materials/new/")
    page.select_option("#id_provider_unit", label="气象台")
    page.select_option("#id_drop_box", label="气象科技服务中心")
    page.fill("#id_title", title)
    page.fill("#id_body", text)
    page.fill("#id_source", "市气象台")
    page.click("#material-form button.primary")
    page.wait_for_url(re.compile(r"/content/materials/\d+/$"))
    material_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    _as(page, server, "qxt_leader")
    page.goto(server.url + "/review/queue/")
    page.locator("#queue a", has_text=title).click()
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
    return str(post_url)


def test_w11_a_correction_from_the_observatory_to_weibo_within_ten_minutes(
    page: Any, server: Server, platform: FakePlatforms
) -> None:
    """W-11 (and W-12 style fast path): notice → task with countdown → 做订正 → fast chain
    → published once on the fake Weibo → deadline met with the minutes taken."""
    post_url = _published_original(page, server, TITLE, TEXT)

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

    # 7. The Observatory is told, in its notices, that its correction is out.
    _as(page, server, "qxt_officer")
    page.goto(server.url + "/notices/")
    told = page.locator("#notices tr", has_text=f"订正已发布：订正《{TITLE}》")
    assert "按时完成" in told.inner_text(), page.locator("#notices").inner_text()
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]


LATE_TITLE = "明日城市天气预报（超时订正浏览器测试）"
LATE_TEXT = "明天晴，气温8到18摄氏度（超时订正浏览器测试）。"
LATE_FIXED = "明天晴转多云，气温6到15摄氏度（超时订正浏览器测试）。"


def _time_passes(server: Server, minutes: int) -> None:
    """The notice was issued ``minutes`` earlier than it was (the test cannot wait ten
    minutes), then the scheduler's pass runs, as the dispatcher's does every 15 s."""
    server.manage(
        "shell",
        "-c",
        "from datetime import timedelta\n"
        "from django.db.models import F\n"
        "from guanwei.oversight.models import Deadline\n"
        "from guanwei.oversight.scheduler import tick\n"
        f"m = timedelta(minutes={minutes})\n"
        f"Deadline.objects.filter(kind='correction', title='订正《{LATE_TITLE}》').update("
        "starts_at=F('starts_at') - m, due_at=F('due_at') - m, escalate_at=F('escalate_at') - m)\n"
        "tick()\n",
    )


def _notices(page: Any, server: Server, username: str) -> str:
    _as(page, server, username)
    page.goto(server.url + "/notices/")
    return str(page.locator("#notices").inner_text())


def test_w11_a_late_correction_stays_visible_and_the_observatory_is_told(
    page: Any, server: Server, platform: FakePlatforms
) -> None:
    """W-11: the Observatory finds the post on its dashboard (本单位素材的发布情况) and
    issues the notice; at 5 minutes the escalation reaches the tech centre's leader and the
    Observatory; at 10 the notice breaches but stays on the publisher's task list, dashboard
    and post page marked 已超时 N 分钟, and the Observatory is told; once the correction is
    published it shows closed, breached, with the minutes taken, and the Observatory is
    told."""
    post_url = _published_original(page, server, LATE_TITLE, LATE_TEXT)
    path = post_url.removeprefix(server.url)

    # The Observatory's entry: the dashboard lists the posts made from its material.
    _as(page, server, "qxt_officer")
    panel = page.locator("#material-posts")
    assert "本单位素材的发布情况" in panel.inner_text()
    row = panel.locator("tr", has_text=LATE_TITLE)
    assert "已发布" in row.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "correction-material-posts.png"), full_page=True)
    row.locator("a").click()
    page.wait_for_url(post_url)
    page.fill("#correction-text", LATE_FIXED)
    page.click("#correction-form button[type=submit]")
    assert "订正通知已发布" in _message(page)

    # 5 minutes: escalation to the publishing unit's leader, and the Observatory hears it.
    _time_passes(server, 6)
    assert f"督办：订正《{LATE_TITLE}》" in _notices(page, server, "kj_leader")
    assert f"督办：订正《{LATE_TITLE}》" in _notices(page, server, "qxt_officer")

    # 10 minutes: breached, still owed — on the task list, the dashboard and the post page.
    _time_passes(server, 6)
    assert f"订正超时：订正《{LATE_TITLE}》" in _notices(page, server, "qxt_officer")
    _as(page, server, "kj_publisher")
    late = re.compile(r"已超时 \d+ 分钟")
    board = page.locator("#needs-deadlines li", has_text=f"订正《{LATE_TITLE}》")
    expect(board).to_contain_text(late)
    page.goto(server.url + "/oversight/deadlines/")
    task = page.locator("#deadlines tbody tr", has_text=f"订正《{LATE_TITLE}》")
    expect(task).to_contain_text(late)
    page.wait_for_timeout(1200)  # the live badge keeps the minutes form
    expect(task.locator(".countdown")).to_have_text(late)
    page.screenshot(path=str(SCREENSHOTS / "correction-overdue.png"), full_page=True)
    task.locator("a", has_text="打开").click()
    expect(page.locator("#corrections")).to_contain_text(late)
    page.click("#make-correction")
    page.wait_for_url(re.compile(r"/oversight/corrections/\d+/$"))
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    fix_url = page.url
    _as(page, server, "kj_leader")
    page.goto(fix_url)
    page.click("#approve-form button[type=submit]")
    assert page.locator(".messages .success").count() == 1, _message(page)
    _wait_status(page, fix_url, "已发布")

    # Closed: breached, with the minutes taken; no longer a task.
    page.goto(server.url + path + "#corrections")
    panel_text = page.locator("#corrections").inner_text()
    assert "超时" in panel_text and "已关闭" in panel_text and "用时" in panel_text, panel_text
    assert not late.search(panel_text)
    assert page.locator("#make-correction").count() == 0
    _as(page, server, "kj_publisher")
    page.goto(server.url + "/oversight/deadlines/")
    assert page.locator("#deadlines tbody tr", has_text=f"订正《{LATE_TITLE}》").count() == 0
    page.goto(server.url + "/oversight/deadlines/?status=breached")
    closed = page.locator("#deadlines tbody tr", has_text=f"订正《{LATE_TITLE}》")
    assert "已关闭" in closed.inner_text() and "用时" in closed.inner_text()
    told = _notices(page, server, "qxt_officer")
    assert f"订正已发布：订正《{LATE_TITLE}》" in told and "超时完成" in told, told
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]
