"""From the platform to 互动台 (W-18, W-19, issue 11 §1 and §3): a published post's comments
fetched over real HTTP from the local fakes are on the publisher's inbox, script payloads
inert; a college WeChat article's comments arrive across pages of 49 (0-based)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanwei.content import actions as content
from guanwei.interaction import fetch
from guanwei.interaction.models import Comment, FetchCursor
from guanwei.publishing import actions, dispatch, reconcile
from guanwei.publishing.fakes import FakePlatforms, demo_settings
from guanwei.publishing.models import ChannelSettings, IntentStatus, PublishIntent
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W, C = "demo_weather", "demo_college"


def _published(
    fakes: FakePlatforms,
    org: str,
    account: str,
    unit_key: str,
    editor: str,
    reviewer: str,
    publisher: str,
    category: str,
    platform: str,
) -> PublishIntent:
    ch = channel(org, account)
    ChannelSettings.objects.update_or_create(
        channel=ch, defaults={"values": {**demo_settings(fakes)[platform], "settle_seconds": "0"}}
    )
    post = content.create_post(
        unit(org, unit_key),
        actor=person(editor),
        title="互动测试",
        body="明天多云转晴，气温12到20摄氏度，欢迎留言提问。",
        category=category,
        channels=[ch],
        source="市气象台",
    )
    wf.submit_for_review(post, actor=post.created_by)
    wf.approve_step(StepRun.objects.get(run__post=post, status="pending"), actor=person(reviewer))
    actions.schedule_post(post, actor=person(publisher))
    claim = dispatch.claim_due("test")
    for pk in claim.ids:
        dispatch.deliver(pk, claim.token)
    intent = PublishIntent.objects.get(post=post)
    deadline = timezone.now() + timedelta(seconds=10)
    while intent.status == IntentStatus.REMOTE_PENDING and timezone.now() < deadline:
        PublishIntent.objects.filter(pk=intent.pk).update(lease_until=None)
        reconcile.poll_remote_pending("test")
        intent.refresh_from_db()
    assert intent.status == IntentStatus.PUBLISHED and intent.remote_id
    return intent


def _weibo(fakes: FakePlatforms) -> PublishIntent:
    return _published(
        fakes,
        W,
        "city_weibo",
        "city_tech_centre",
        "kj_editor",
        "kj_leader",
        "kj_publisher",
        "forecast",
        "weibo",
    )


def _wechat(fakes: FakePlatforms) -> PublishIntent:
    """A college 信息学院 news article, published on its WeChat account."""
    return _published(
        fakes,
        C,
        "info_wechat",
        "info_college",
        "col_xx_manager",
        "col_xx_secretary",
        "col_xx_manager",
        "news",
        "wechat",
    )


def _fetch() -> int:
    """What the dispatcher's housekeeping does, with every stream due now."""
    FetchCursor.objects.update(next_fetch_at=None)
    return fetch.fetch_due(limit=50)


def _say(fakes: FakePlatforms, intent: PublishIntent, text: str) -> None:
    fakes.control("weibo", add_comment={"status_id": int(intent.remote_id), "text": text})


def test_w18_weibo_comments_arrive_once_across_pages_and_show_on_the_inbox(
    fakes: FakePlatforms,
) -> None:
    """W-18: 60 comments (two pages of 50), fetched once each; a second pass brings only
    what is new; ids beyond 2**53 keep every digit; the publisher sees them on 互动台, the
    script payload inert."""
    intent = _weibo(fakes)
    for i in range(58):
        _say(fakes, intent, f"第{i}条：请问明天会下雨吗？")
    _say(fakes, intent, "<script>alert('x')</script>谢谢提醒")
    _say(fakes, intent, "预报很准")
    assert _fetch() == 60
    stored = Comment.objects.filter(intent=intent)
    assert stored.count() == 60
    ids = sorted(int(c.remote_id) for c in stored)
    assert ids[-1] > 2**53 and len(set(ids)) == 60
    cursor = FetchCursor.objects.get(intent=intent)
    assert cursor.cursor == str(ids[-1]) and cursor.failures == 0
    assert stored.filter(is_question=True).count() >= 58

    assert _fetch() == 0  # nothing new: nothing stored twice
    _say(fakes, intent, "周末适合出游吗？")
    assert _fetch() == 1
    assert Comment.objects.filter(intent=intent).count() == 61

    c = Client()
    c.force_login(person("kj_publisher"))
    page, url = "", reverse("inbox")
    while url:  # every page of the inbox, by its 更早的评论留言 link
        html = c.get(url).content.decode()
        page += html
        more = re.search(r'href="(\?after=[^"]+)" id="inbox-more"', html)
        url = reverse("inbox") + more.group(1).replace("&amp;", "&") if more else ""
    assert "周末适合出游吗？" in page and "互动测试" in page
    assert "<script>alert('x')" not in page and "&lt;script&gt;" in page


def test_w18_wechat_comments_arrive_by_msg_data_id(fakes: FakePlatforms) -> None:
    """W-18: a college WeChat article's comments (comment/list, 0-based, count ≤ 49)."""
    intent = _wechat(fakes)
    msg = int(intent.remote_id.split(":")[-1])  # the adapter's ref ends with msg_data_id
    for i in range(55):  # two pages of 49
        fakes.control(
            "wechat", add_comment={"msg_data_id": msg, "content": f"留言{i}：学院地址在哪里？"}
        )
    assert _fetch() == 55
    assert FetchCursor.objects.filter(intent=intent).count() == 1
    stored = Comment.objects.filter(intent=intent)
    assert stored.count() == 55 and stored.filter(unit=intent.channel.unit).count() == 55
    fakes.control("wechat", add_comment={"msg_data_id": msg, "content": "谢谢老师"})
    assert _fetch() == 1
