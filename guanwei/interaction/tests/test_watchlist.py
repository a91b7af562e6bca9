"""舆情关注 (REQ E-06, 第五篇 四 推广方案: 热门话题, 转发和评论, 目标客户和意见领袖, 微博加V):
topics added and removed by who handles comments (audited, object level); the refresh
reads the fake platforms over real HTTP through the adapters and records through the
actions — the account's 加V and followers, post figures, the most active commenters' 加V
— from the scheduler pass and ``guanwei interaction watch --once``; the page shows the
volume as an inline SVG chart with the same figures as a table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.content import actions as content
from guanwei.core.errors import InvalidChange, PermissionDenied
from guanwei.interaction import actions, fetch, watchlist
from guanwei.interaction.models import AccountCheck, AuthorCheck, Comment, PostMetrics, WatchTopic
from guanwei.interaction.watch_views import verification_label
from guanwei.publishing import actions as publishing
from guanwei.publishing import dispatch
from guanwei.publishing.fakes import FakePlatforms, demo_settings, start_fakes
from guanwei.publishing.models import ChannelSettings, IntentStatus, PublishIntent
from guanwei.testing.personas import channel, org, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
E, W = "demo_edu_software", "demo_weather"


@pytest.fixture
def fakes() -> Iterator[FakePlatforms]:
    platforms = start_fakes(publish_delay_s=0.2)
    try:
        yield platforms
    finally:
        platforms.stop()


def _client(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def _published(fakes: FakePlatforms, text: str) -> PublishIntent:
    """A post published on the weather city's Weibo (the fake's 示例气象局, 蓝V)."""
    ChannelSettings.objects.update_or_create(
        channel=channel(W, "city_weibo"),
        defaults={"values": {**demo_settings(fakes)["weibo"], "settle_seconds": "0"}},
    )
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="暴雨预警",
        body=text,
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
    )
    wf.submit_for_review(post, actor=post.created_by)
    wf.approve_step(
        StepRun.objects.get(run__post=post, status="pending"), actor=person("kj_leader")
    )
    publishing.schedule_post(post, actor=person("kj_publisher"))
    claim = dispatch.claim_due("test")
    for intent_id in claim.ids:
        dispatch.deliver(intent_id, claim.token)
    intent = PublishIntent.objects.get(post=post)
    assert intent.status == IntentStatus.PUBLISHED
    return intent


def test_e06_topics_are_added_and_removed_by_who_handles_comments() -> None:
    """E-06: 运营主管 李娜 watches #优趣之熊孩子# (with a keyword), then stops; a contributor
    may not; another organisation's publisher neither adds here nor removes it (404)."""
    lead = person("edu_yy_lead")
    topic = actions.add_watch_topic(org(E), actor=lead, name="#优趣之熊孩子#", keywords=["熊孩子"])
    assert topic.keywords == ["优趣之熊孩子", "熊孩子"]
    added = AuditRecord.objects.get(action=AuditAction.WATCH_TOPIC_ADDED, object_id=str(topic.pk))
    assert (added.after or {})["name"] == "#优趣之熊孩子#"
    with pytest.raises(InvalidChange, match="已经在关注"):
        actions.add_watch_topic(org(E), actor=lead, name="#优趣之熊孩子#")
    with pytest.raises(PermissionDenied):
        actions.add_watch_topic(org(E), actor=person("edu_cp_contributor"), name="#优信足迹#")
    with pytest.raises(PermissionDenied):
        actions.remove_watch_topic(topic, actor=person("kj_publisher"))
    assert (
        _client("kj_publisher").post(reverse("watch_topic_remove", args=[topic.pk])).status_code
        == 404
    )
    r = _client("edu_yy_lead").post(
        reverse("watch_topic_add"), {"name": "#下课十分钟#", "keywords": "课间，阅读"}
    )
    assert r.status_code == 302
    assert WatchTopic.objects.get(organisation=org(E), name="#下课十分钟#").keywords == [
        "下课十分钟",
        "课间",
        "阅读",
    ]
    _client("edu_yy_lead").post(reverse("watch_topic_remove", args=[topic.pk]))
    assert not WatchTopic.objects.filter(pk=topic.pk).exists()
    assert AuditRecord.objects.filter(
        action=AuditAction.WATCH_TOPIC_REMOVED, object_id=str(topic.pk)
    ).exists()


def test_e06_the_page_opens_for_who_reads_statistics_or_handles_comments() -> None:
    """E-06: the ops lead and the operator read it; the administrator (统计 report.view) too,
    from 意见反馈; a contributor gets 404. Only who handles comments sees the topic form."""
    for who in ("edu_yy_lead", "edu_yy_operator", "edu_admin"):
        assert _client(who).get(reverse("watch")).status_code == 200, who
    assert 'id="topic-form"' not in _client("edu_admin").get(reverse("watch")).content.decode()
    assert 'id="topic-form"' in _client("edu_yy_lead").get(reverse("watch")).content.decode()
    assert 'id="watch-link"' in _client("edu_admin").get(reverse("feedback_page")).content.decode()
    assert _client("edu_cp_contributor").get(reverse("watch")).status_code == 404


def test_e06_refresh_over_http_records_verification_figures_and_commenters(
    fakes: FakePlatforms,
) -> None:
    """E-06 (real HTTP to the fake Weibo): users/show gives the account's 蓝V and followers,
    statuses/count the post's reposts, users/show again the most active commenters; a
    second pass within the hour reads nothing again; a commenter verified later (橙V) is an
    opinion leader after the daily re-read, as is one whose comment drew two replies."""
    intent = _published(fakes, "#暴雨预警# 今天夜间有暴雨，请注意防范。")
    sid = intent.remote_id
    for text in ("暴雨几点开始？", "路面会积水吗？", "谢谢提醒"):
        fakes.control("weibo", add_comment={"status_id": sid, "uid": "1000002", "text": text})
    fakes.control("weibo", add_comment={"status_id": sid, "uid": "1000003", "text": "收到"})
    assert fetch.fetch_due() == 4
    first = Comment.objects.filter(intent=intent, author_id="1000002").order_by("id").first()
    assert first is not None
    for uid in ("1000003", "1000009"):
        fakes.control(
            "weibo",
            add_comment={
                "status_id": sid,
                "uid": uid,
                "text": "同问",
                "reply_to": first.remote_id,
            },
        )
    fakes.control("weibo", set_reposts={sid: 7})
    now = timezone.now() + timedelta(minutes=5)
    assert fetch.fetch_due(now=now + timedelta(hours=1)) == 2

    done = watchlist.refresh(now)
    assert done.errors == [] and done.accounts == 1 and done.snapshots == 1
    check = AccountCheck.objects.get(channel=intent.channel)
    assert check.verified and check.verified_type == 1 and check.followers == 12800
    assert check.verified_reason == "示例气象局官方微博"
    assert PostMetrics.objects.get(intent=intent).reposts == 7
    citizen = AuthorCheck.objects.get(channel=intent.channel, author_id="1000002")
    assert citizen.name == "热心市民小王" and not citizen.verified and citizen.followers == 35

    again = watchlist.refresh(now + timedelta(minutes=10))
    assert (again.accounts, again.snapshots, again.authors) == (0, 0, 0)
    forced = watchlist.refresh(now + timedelta(minutes=11), force=True)  # --all
    assert (forced.accounts, forced.snapshots) == (1, 1) and forced.authors >= 2

    fakes.control(
        "weibo",
        set_user={
            "uid": "1000003",
            "verified": True,
            "verified_type": 0,
            "verified_reason": "知名气象博主",
            "followers_count": 52000,
        },
    )
    later = watchlist.refresh(now + timedelta(hours=25))
    assert later.authors >= 1
    channels = [intent.channel]
    since = now - timedelta(days=30)
    comments = watchlist.topic_comments(None, [intent.channel_id], since)
    leaders = {c.author_id: c for c in watchlist.opinion_leaders(comments, channels, since)}
    assert leaders["1000002"].replies == 2 and not leaders["1000002"].verified
    assert leaders["1000003"].verified and leaders["1000003"].followers == 52000
    active = watchlist.active_commenters(comments, channels)
    assert active[0].author_id == "1000002" and active[0].comments == 3

    page = _client("kj_publisher").get(reverse("watch")).content.decode()
    assert "已认证（蓝V）" in page and "12800" in page
    assert 'id="volume-chart"' in page and 'class="bar-reposts"' in page
    assert "热心市民小王" in page and "知名气象博主" in page
    assert '<td class="count">7</td>' in page  # the table's repost figure of the day


def test_e06_a_failing_platform_is_logged_and_skipped(fakes: FakePlatforms) -> None:
    """E-06: an expired token: the refresh records nothing for the account, raises nothing,
    and says which account failed."""
    ChannelSettings.objects.update_or_create(
        channel=channel(W, "city_weibo"),
        defaults={"values": {**demo_settings(fakes)["weibo"], "settle_seconds": "0"}},
    )
    fakes.control("weibo", expire_tokens=True)
    done = watchlist.refresh()
    assert done.accounts == 0 and any("市" in e or "气象" in e for e in done.errors), done
    assert not AccountCheck.objects.filter(channel=channel(W, "city_weibo")).exists()


def test_e06_the_scheduler_pass_runs_the_refresh_at_most_every_five_minutes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """E-06: the refresh is connected to the one active scheduler's pass; throttled."""
    from guanwei.publishing.worker import scheduler_pass

    calls: list[Any] = []

    def counted(*_: Any, **__: Any) -> watchlist.Refreshed:
        calls.append(1)
        return watchlist.Refreshed()

    monkeypatch.setattr(watchlist, "refresh", counted)
    monkeypatch.setitem(watchlist._last_pass, "at", float("-inf"))
    scheduler_pass()
    scheduler_pass()
    assert calls == [1]
    monkeypatch.setitem(watchlist._last_pass, "at", float("-inf"))
    scheduler_pass()
    assert calls == [1, 1]


def test_e06_the_cli_reads_once_over_http(
    fakes: FakePlatforms, capsys: pytest.CaptureFixture[str]
) -> None:
    """E-06: ``guanwei interaction watch --once`` asks the adapters and records."""
    from guanwei.cli import main

    ChannelSettings.objects.update_or_create(
        channel=channel(W, "city_weibo"),
        defaults={"values": {**demo_settings(fakes)["weibo"], "settle_seconds": "0"}},
    )
    assert main(["interaction", "watch", "--once"]) == 0
    assert "accounts 1" in capsys.readouterr().out
    assert AccountCheck.objects.get(channel=channel(W, "city_weibo")).verified


def test_e06_verification_labels_and_hostile_names() -> None:
    """E-06: 加V in words (WeChat: 平台未提供); a commenter's name with markup is inert."""
    ch = channel(E, "official_weibo")
    assert verification_label(None, supported=False) == "平台未提供"
    assert verification_label(None, supported=True) == "尚未读取"
    check = actions.record_account_check(
        ch, verified=False, verified_type=-1, verified_reason="", followers=120
    )
    assert verification_label(check, supported=True) == "未认证"
    check = actions.record_account_check(
        ch, verified=True, verified_type=0, verified_reason="x", followers=120
    )
    assert verification_label(check, supported=True) == "已认证（个人认证（橙V））"
    Comment.objects.create(
        organisation_id=ch.organisation_id,
        unit_id=ch.unit_id,
        channel=ch,
        remote_id="hostile-1",
        author_id="666",
        author_name="<script>alert(1)</script>",
        text="<img src=x onerror=alert(2)>",
        created_at=timezone.now(),
        fetched_at=timezone.now(),
    )
    page = _client("edu_yy_lead").get(reverse("watch")).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "优课优信官方微博" in page and "未认证" not in page.split('id="accounts"')[0]


def test_e06_volume_counts_reposts_as_the_rise_per_day(fakes: FakePlatforms) -> None:
    """E-06: reposts per day = the day's last reading less the one before; comments by day."""
    intent = _published(fakes, "#暴雨预警# 明天白天雨势减弱。")
    ch = intent.channel
    today = timezone.localdate()
    at = timezone.now()
    for days_ago, n in ((2, 5), (1, 9), (1, 12), (0, 12)):
        PostMetrics.objects.create(
            organisation_id=ch.organisation_id,
            channel=ch,
            intent=intent,
            taken_at=at - timedelta(days=days_ago),
            reposts=n,
        )
    days = {d.day: d.reposts for d in watchlist.volume(None, [ch.pk], today=today)}
    assert days[today - timedelta(days=2)] == 5
    assert days[today - timedelta(days=1)] == 7
    assert days[today] == 0
