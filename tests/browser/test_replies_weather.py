"""Experts and replies in Chromium (W-19, W-20; 第四条(四), 第十四条, 第十六条): a question
arrives on the city Weibo (the fake) → 互动台 gives it to the Observatory's forecaster (朱琳),
who drafts the answer and sends it for approval → the tech centre's leader (陈静) approves
it → it is on the fake Weibo under the question. The forecaster never sees 批准并发送; the
leader's view of the panel is the screenshot in docs/interaction.md."""

from __future__ import annotations

import json
import time
from typing import Any

from guanwei.publishing.fakes import FakePlatforms
from tests.browser.conftest import SCREENSHOTS, Server
from tests.browser.walk import as_, chinese_only, message

PACK = "weather-bureau"
QUESTION = "请问明天城区会下雨吗？（答复走查）"
ANSWER = "您好，明天城区多云转小雨，降水概率70%，出门请带伞。（答复走查）"

_PUBLISH = """
from guanwei.content import actions as content
from guanwei.publishing import actions
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun
post = content.create_post(
    unit("demo_weather", "city_tech_centre"),
    actor=person("kj_editor"),
    title="答复走查",
    body="明天多云转小雨，气温12到18摄氏度，欢迎留言提问（答复走查）。",
    category="forecast",
    channels=[channel("demo_weather", "city_weibo")],
    source="市气象台",
)
wf.submit_for_review(post, actor=post.created_by)
wf.approve_step(StepRun.objects.get(run__post=post, status="pending"), actor=person("kj_leader"))
actions.schedule_post(post, actor=person("kj_publisher"))
print(post.pk)
"""

_INTENT = """
import json
from guanwei.publishing.models import PublishIntent
i = PublishIntent.objects.get(post_id={pk})
print(json.dumps([i.status, i.remote_id, i.remote_url]))
"""

_FETCHED = """
from guanwei.interaction.models import Comment, FetchCursor
FetchCursor.objects.update(next_fetch_at=None)
print(Comment.objects.filter(text={text!r}).count())
"""


def _wait(server: Server, script: str, done: Any, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while True:
        out = server.manage("shell", "-c", script).strip().splitlines()[-1]  # after the banner
        if done(out) or time.monotonic() > deadline:
            return out
        time.sleep(1)


def test_w19_w20_a_question_is_answered_by_the_forecaster_approved_and_on_the_fake_weibo(
    page: Any, server: Server, platforms: FakePlatforms
) -> None:
    pk = server.manage("shell", "-c", _PUBLISH).strip().splitlines()[-1]  # after the banner
    out = _wait(server, _INTENT.format(pk=pk), lambda o: json.loads(o)[0] == "published")
    status, remote_id, remote_url = json.loads(out)
    assert status == "published", out
    platforms.control("weibo", add_comment={"status_id": int(remote_id), "text": QUESTION})
    # the dispatcher's housekeeping fetches it (every stream made due here)
    assert _wait(server, _FETCHED.format(text=QUESTION), lambda o: o == "1") == "1"

    # The question is the forecaster's (第四条(三)(四)): she drafts and sends for approval.
    as_(page, server, "qxt_expert")
    page.goto(server.url + "/interaction/?show=mine")
    item = page.locator("article.inbox-item", has_text=QUESTION)
    assert "答复时限" in item.inner_text()
    assert item.locator("button", has_text="批准并发送").count() == 0
    item.locator("textarea[name=text]").fill(ANSWER)
    item.locator("button", has_text="提交审定").click()
    page.locator(".messages").wait_for()  # htmx sends the page back (HX-Redirect)
    assert "已提交审定" in message(page)
    item = page.locator("article.inbox-item", has_text=QUESTION)
    assert "回复·待审核" in item.inner_text()
    assert item.locator("button", has_text="批准并发送").count() == 0
    chinese_only(page, server, PACK)

    # The tech centre's leader approves it (第十四条): it goes out once.
    as_(page, server, "kj_leader")
    page.goto(server.url + "/interaction/?show=approve")
    item = page.locator("article.inbox-item", has_text=QUESTION)
    assert ANSWER in item.inner_text()
    chinese_only(page, server, PACK)
    item.scroll_into_view_if_needed()
    item.screenshot(path=str(SCREENSHOTS / "interaction-reply-approve.png"))
    item.locator("button", has_text="批准并发送").click()
    page.wait_for_load_state()
    assert "回复已发到平台。" in message(page)
    page.goto(server.url + "/interaction/?show=done")
    item = page.locator("article.inbox-item", has_text=QUESTION)
    assert "回复·已回复" in item.inner_text()
    assert item.locator("button", has_text="批准并发送").count() == 0

    # On the fake Weibo: the answer under the question.
    page.goto(remote_url)
    shown = page.locator("body").inner_text()
    assert QUESTION in shown and ANSWER in shown, shown
    assert shown.index(QUESTION) < shown.index(ANSWER)
