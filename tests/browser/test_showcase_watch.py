"""精选问答 (E-05) and 舆情关注 (E-06) walked in Chromium as the edu-software company's roles
(第五篇 三(三)6, 四): a parent's question on the official Weibo and the account's answer
come in from the fake Weibo; 运营专员 张敏 picks it on 互动台, finds it on 精选问答 and
turns it into a draft post, submits it; 运营主管 李娜 approves it. 李娜 opens 舆情关注 from
互动台, watches a hashtag; the refresh (``guanwei interaction watch --once``) reads the
account's 加V and the post's figures from the fake over HTTP; the page shows them, the
chart and the commenters; the administrator reads it from 意见反馈 without the topic form."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from typing import Any

import pytest

from guanwei.publishing.fakes import FakePlatforms
from tests.browser.conftest import SCREENSHOTS, Server
from tests.browser.walk import as_, chinese_only, message

PACK = "edu-software"
ACCOUNT = "优课优信官方微博"
QUESTION = "请问优信客户端在哪里查看孩子的课堂表现？（精选走查）"
ANSWER = "您好！在客户端首页点“课堂表现”，即可看到老师每天的点评。（精选走查）"
TITLE = "本周精选问答（走查）"

# a published post on the edu account, made through the actions (the set-up, not the walk)
_PUBLISH = """
import json
from guanwei.content import actions as content
from guanwei.publishing import actions as publishing
from guanwei.publishing.models import ChannelSettings
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun
ch = channel("demo_edu_software", "official_weibo")
post = content.create_post(
    unit("demo_edu_software", "operations"), actor=person("edu_yy_editor"),
    title="家长答疑时间（精选走查）", body="#优信广播站# 家长朋友们有问题欢迎在评论区留言。",
    category="product", channels=[ch], source="运营组",
)
wf.submit_for_review(post, actor=person("edu_yy_editor"))
wf.approve_step(StepRun.objects.get(run__post=post, status="pending"),
                actor=person("edu_yy_lead"), acknowledge_hits=True)
publishing.schedule_post(post, actor=person("edu_yy_operator"))
print(json.dumps({"post": post.pk, "uid": ChannelSettings.objects.get(channel=ch).values["uid"]}))
"""
_DUE = """
from django.utils import timezone
from guanwei.interaction.models import FetchCursor
FetchCursor.objects.filter(remote_post_id="{remote}").update(next_fetch_at=timezone.now())
"""
_COUNT = """
from guanwei.interaction.models import Comment
print(Comment.objects.filter(remote_post_id="{remote}").count())
"""
_REMOTE = """
from guanwei.publishing.models import PublishIntent
i = PublishIntent.objects.get(post_id={post})
print(i.status, i.remote_id)
"""


def _guanwei(server: Server, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "guanwei", *args],
        env=server.env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout


def _look(page: Any, server: Server) -> None:
    chinese_only(page, server, PACK)
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors


@pytest.fixture(scope="module")
def answered(server: Server, platforms: FakePlatforms) -> dict[str, str]:
    """A post published on the fake Weibo with a parent's question and the account's answer
    under it, fetched into 互动台."""
    made = json.loads(server.manage("shell", "-c", _PUBLISH).strip().splitlines()[-1])
    end = time.monotonic() + 30
    while True:
        said = server.manage("shell", "-c", _REMOTE.format(**made)).strip().splitlines()
        status, _, remote = said[-1].partition(" ")
        if status == "published" or time.monotonic() > end:
            break
        time.sleep(0.5)
    assert status == "published", status
    platforms.control(
        "weibo", add_comment={"status_id": remote, "uid": "1000002", "text": QUESTION}
    )
    question = max(
        c.id for c in platforms.weibo.data.comments.values() if str(c.status_id) == remote
    )
    platforms.control(
        "weibo",
        add_comment={"status_id": remote, "uid": made["uid"], "text": ANSWER, "reply_to": question},
    )
    # fetched into 互动台: by the dispatcher's housekeeping, or here (made due first)
    end = time.monotonic() + 60
    while True:
        server.manage("shell", "-c", _DUE.format(remote=remote))
        _guanwei(server, "interaction", "fetch", "--once")
        said = server.manage("shell", "-c", _COUNT.format(remote=remote)).strip()
        if said.splitlines()[-1] == "2" or time.monotonic() > end:
            break
        time.sleep(1)
    assert said.splitlines()[-1] == "2", said
    return {"remote": remote, "uid": made["uid"]}


def test_e05_the_operator_picks_a_qa_and_makes_a_post_the_lead_approves_it(
    page: Any, server: Server, answered: dict[str, str]
) -> None:
    """E-05: 张敏 sees the parent's question with the account's answer on 互动台, picks it
    (选为精选问答), finds it on 精选问答 under 优课优信官方微博, ticks it and 生成帖子: a draft
    post with the question and answer; she submits it (审核中, 运营主管审核); 李娜 approves."""
    as_(page, server, "edu_yy_operator")
    page.goto(server.url + "/interaction/")
    item = page.locator("article.inbox-item", has_text=QUESTION)
    assert ANSWER in item.inner_text()
    _look(page, server)
    item.locator("button", has_text="选为精选问答").click()
    assert "已选为精选问答" in message(page)
    item = page.locator("article.inbox-item", has_text=QUESTION)
    assert "精选问答" in item.locator("header").inner_text()
    assert item.locator("button", has_text="取消精选").count() == 1

    page.click("#showcase-link")
    page.wait_for_url(re.compile(r"/interaction/showcase/$"))
    _look(page, server)
    section = page.locator("section.showcase", has_text=ACCOUNT)
    row = section.locator("li", has_text=QUESTION)
    assert ANSWER in row.inner_text()
    row.locator("input[type=checkbox]").check()
    section.locator("input[name=title]").fill(TITLE)
    assert section.locator("select[name=category] option:checked").inner_text() == (
        "与合作学校、机构及用户的互动"
    )
    section.locator("button", has_text="生成帖子").click()
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    post_url = page.url
    assert "已生成稿件草稿" in message(page)
    assert page.locator("#post-status").inner_text() == "草稿"
    main = page.locator("main").inner_text()
    assert f"网友问：{QUESTION}" in main and f"{ACCOUNT}答：{ANSWER}" in main
    _look(page, server)
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "审核中", message(page)
    assert "运营主管审核" in page.locator("#review-panel").inner_text()

    as_(page, server, "edu_yy_lead")
    page.goto(server.url + "/review/queue/")
    page.locator("#queue a", has_text=TITLE).click()
    page.wait_for_url(post_url)
    _look(page, server)
    ack = page.locator("#approve-form input[name=acknowledge_hits]")
    if ack.count():  # 图文相符 (E-01): no picture — the lead has looked and accepts it
        ack.check()
    page.click("#approve-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "已通过", message(page)
    page.goto(server.url + "/interaction/showcase/")
    page.screenshot(path=str(SCREENSHOTS / "e05-showcase.png"), full_page=True)


def test_e06_the_lead_watches_a_topic_and_reads_the_figures_the_refresh_brought(
    page: Any, server: Server, platforms: FakePlatforms, answered: dict[str, str]
) -> None:
    """E-06: 李娜 opens 舆情关注 from 互动台 and watches #优信广播站#; the refresh reads the
    fake Weibo (users/show, statuses/count) through the adapter; the page shows the
    account 未认证 (the rule book: 微博加V 目前未做) with its followers, the hashtag's
    reposts and comments in the chart and the table, and the parent among the commenters.
    The administrator reads it from 意见反馈, without the topic form; a contributor has no
    way in."""
    platforms.control("weibo", set_reposts={answered["remote"]: 4})
    platforms.control(
        "weibo", set_user={"uid": answered["uid"], "verified": False, "followers_count": 860}
    )
    as_(page, server, "edu_yy_lead")
    page.goto(server.url + "/interaction/")
    page.click("#watch-link")
    page.wait_for_url(re.compile(r"/interaction/watch/$"))
    _look(page, server)
    page.fill("#id_name", "#优信广播站#")
    page.fill("#id_keywords", "家长答疑")
    page.click("#topic-form button[type=submit]")
    page.wait_for_url(re.compile(r"/interaction/watch/$"))
    assert "已关注“#优信广播站#”" in message(page)
    assert "#优信广播站#" in page.locator("#topic-list").inner_text()

    # --all: the dispatcher's own pass may have read the account a moment ago
    said = _guanwei(server, "interaction", "watch", "--once", "--all")
    assert "errors 0" in said, said
    page.reload()
    row = page.locator("#accounts tr", has_text=ACCOUNT)
    assert "未认证" in row.inner_text() and "860" in row.inner_text(), row.inner_text()
    page.locator("#watch-topics nav a", has_text="#优信广播站#").click()
    page.wait_for_url(re.compile(r"/interaction/watch/\?topic=\d+$"))
    _look(page, server)
    assert page.locator("#volume-chart rect.bar-reposts").count() >= 1
    assert int(page.locator("#total-reposts").inner_text()) >= 4
    assert int(page.locator("#total-comments").inner_text()) >= 1
    assert "热心市民小王" in page.locator("#commenters").inner_text()
    assert ACCOUNT not in page.locator("#commenters").inner_text()  # its own answers aside
    page.screenshot(path=str(SCREENSHOTS / "e06-watchlist.png"), full_page=True)
    topic = page.locator("#topic-list li", has_text="#优信广播站#")
    page.once("dialog", lambda d: d.accept())
    topic.locator("button", has_text="取消关注").click()
    page.wait_for_url(re.compile(r"/interaction/watch/$"))
    assert "#优信广播站#" not in page.locator("#topic-list").inner_text()

    as_(page, server, "edu_admin")
    page.goto(server.url + "/interaction/feedback/")
    page.click("#watch-link")
    page.wait_for_url(re.compile(r"/interaction/watch/$"))
    _look(page, server)
    assert page.locator("#topic-form").count() == 0
    assert "未认证" in page.locator("#accounts").inner_text()

    as_(page, server, "edu_cp_contributor")
    assert page.goto(server.url + "/interaction/watch/").status == 404
