"""Replies over real HTTP (W-19, W-20): a question fetched from the local fake Weibo goes to
the Observatory's forecaster, her reply approved by the tech centre's leader is on the
fake's status page under the question (comments/reply.json, without_mention), and comes
back on the next fetch as the account's own reply, not a new question; on the fake WeChat
a college question's reply (comment/reply/add) is on the article's comment list."""

from __future__ import annotations

import httpx
import pytest

from guanwei.interaction import replies
from guanwei.interaction.models import Comment, ItemStatus, Reply, ReplyStatus
from guanwei.interaction.tests.test_fetch_to_inbox import _fetch, _say, _wechat, _weibo
from guanwei.publishing.adapters import get_adapter
from guanwei.publishing.credentials import settings_for
from guanwei.publishing.fakes import FakePlatforms
from guanwei.testing.personas import person

pytestmark = pytest.mark.django_db


def test_w19_w20_a_weibo_question_answered_by_the_forecaster_is_on_the_fake_weibo(
    fakes: FakePlatforms,
) -> None:
    intent = _weibo(fakes)
    _say(fakes, intent, "请问明天会下雨吗？")
    assert _fetch() == 1
    question = Comment.objects.get(intent=intent)
    assert question.is_question and question.assignee == person("qxt_expert")
    text = "您好，明天多云转小雨，降水概率70%，出门请带伞。"
    reply = replies.write_reply(question, actor=person("qxt_expert"), text=text, submit=True)
    outcome = replies.approve_reply(reply, actor=person("kj_leader"))
    assert outcome.sent, outcome.message
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT and reply.remote_id.isdigit()

    page = httpx.get(intent.remote_url, timeout=5).text  # the status as weibo.com shows it
    assert text in page and "请问明天会下雨吗？" in page
    assert page.index("请问明天会下雨吗？") < page.index(text)
    adapter = get_adapter("weibo", settings_for(intent.channel))
    assert adapter.find_reply(intent.remote_id, question.remote_id, text) == reply.remote_id

    assert _fetch() == 1  # our reply comes back from the platform …
    echo = Comment.objects.get(intent=intent, remote_id=reply.remote_id)
    assert echo.reply_to == question.remote_id
    assert not echo.is_question and echo.status == ItemStatus.DONE  # … as our own
    assert "本账号回复" in echo.labels
    with pytest.raises(Exception, match="不会重复发送"):
        replies.send_reply(reply, actor=person("kj_leader"))


def test_w20_a_wechat_question_answered_is_on_the_fake_wechat_comment_list(
    fakes: FakePlatforms,
) -> None:
    intent = _wechat(fakes)
    msg = int(intent.remote_id.split(":")[-1])
    fakes.control("wechat", add_comment={"msg_data_id": msg, "content": "学院图书馆周末开放吗？"})
    assert _fetch() == 1
    question = Comment.objects.get(intent=intent)
    assert question.is_question and question.assignee == person("col_xx_manager")
    text = "您好，图书馆周六、周日9:00至17:00开放，欢迎同学们前往。"
    reply = replies.write_reply(question, actor=person("col_xx_manager"), text=text, submit=True)
    assert replies.approvers(reply) == [person("col_xx_secretary").pk]
    assert replies.approve_reply(reply, actor=person("col_xx_secretary")).sent
    assert Reply.objects.get(pk=reply.pk).remote_id == question.remote_id  # WeChat: no id

    adapter = get_adapter("wechat", settings_for(intent.channel))
    token = httpx.post(  # comment/list as the platform answers it
        f"{fakes.wechat_url}/cgi-bin/stable_token",
        json={"grant_type": "client_credential", **_app(intent)},
        timeout=5,
    ).json()["access_token"]
    listed = httpx.post(
        f"{fakes.wechat_url}/cgi-bin/comment/list?access_token={token}",
        json={"msg_data_id": msg, "index": 0, "begin": 0, "count": 49, "type": 0},
        timeout=5,
    ).json()["comment"]
    (entry,) = [c for c in listed if str(c["user_comment_id"]) == question.remote_id]
    assert entry["reply"]["content"] == text and entry["reply"]["create_time"] > 0
    assert adapter.find_reply(intent.remote_id, question.remote_id, text) == question.remote_id
    page = httpx.get(intent.remote_url, timeout=5).text  # the article page lists it too
    assert f"作者回复：{text}" in page


def _app(intent: object) -> dict[str, str]:
    values = settings_for(intent.channel)  # type: ignore[attr-defined]
    return {"appid": values["appid"], "secret": values["secret"]}
