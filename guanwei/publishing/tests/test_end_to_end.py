"""Approved posts reach the platforms at the right time, exactly once, over real HTTP to
the local fakes (REQ W-10, X-03, C-01; DESIGN invariant 2)."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import httpx
import pytest
import time_machine
from django.utils import timezone

from guanwei.content import actions as content
from guanwei.content.models import Post, PostStatus
from guanwei.publishing import actions, dispatch, reconcile
from guanwei.publishing.fakes import FakePlatforms, demo_settings, start_fakes
from guanwei.publishing.models import ChannelSettings, IntentStatus, PublishIntent
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
W = "demo_weather"
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级，早晚注意添衣。"


@pytest.fixture
def fakes() -> Iterator[FakePlatforms]:
    platforms = start_fakes(publish_delay_s=0.2)
    try:
        yield platforms
    finally:
        platforms.stop()


def _connect(key: str, org: str, values: dict[str, Any]) -> None:
    ChannelSettings.objects.update_or_create(channel=channel(org, key), defaults={"values": values})


def _approve(post: Post, reviewers: list[str]) -> None:
    wf.submit_for_review(post, actor=post.created_by)
    for who in reviewers:
        wf.approve_step(StepRun.objects.get(run__post=post, status="pending"), actor=person(who))


def _drain(rounds: int = 50) -> None:
    """What a dispatcher loop does, in this thread (the test's transaction is not visible
    to other connections): claim and deliver, poll asynchronous jobs, reconcile."""
    for _ in range(rounds):
        claim = dispatch.claim_due("test", limit=10)
        for intent_id in claim.ids:
            dispatch.deliver(intent_id, claim.token)
        busy = (
            claim.ids
            or reconcile.poll_remote_pending("test")
            or reconcile.reconcile_unknown("test")
        )
        if (
            not busy
            and not PublishIntent.objects.filter(
                status__in=[IntentStatus.REMOTE_PENDING, IntentStatus.UNKNOWN]
            ).exists()
        ):
            return


def _stats(url: str) -> dict[str, Any]:
    return httpx.get(f"{url}/__stats__").json()


def test_a_forecast_approved_at_0725_is_on_weibo_at_0730(fakes: FakePlatforms) -> None:
    """W-10, X-03: planned for 07:30, approved at 07:25, received by Weibo at 07:30:00 ± 1 s,
    once."""
    _connect("city_weibo", W, {**demo_settings(fakes)["weibo"], "settle_seconds": "0"})
    slot = datetime(2026, 11, 26, 7, 30, tzinfo=TZ)
    with time_machine.travel(datetime(2026, 11, 26, 7, 20, tzinfo=TZ), tick=False) as clock:
        post = content.create_post(
            unit(W, "city_tech_centre"),
            actor=person("kj_editor"),
            title="早间预报",
            body=TEXT,
            category="forecast",
            subtype="city_forecast",
            channels=[channel(W, "city_weibo")],
            source="市气象台",
            planned_at=slot,
        )
        clock.move_to(datetime(2026, 11, 26, 7, 25, tzinfo=TZ))
        _approve(post, ["kj_leader"])
        actions.auto_schedule_due()
        intent = PublishIntent.objects.get(post=post)
        assert intent.due_at == slot
        clock.move_to(slot - timedelta(seconds=1))
        assert dispatch.claim_due("test").ids == []  # not due yet
        clock.move_to(slot + timedelta(milliseconds=300))
        _drain()
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PUBLISHED and intent.remote_id
    assert intent.published_at is not None
    assert abs((intent.published_at - slot).total_seconds()) <= 1
    stats = _stats(fakes.weibo_url)
    assert stats["posts"] == 1 and list(stats["by_text_hash"].values()) == [1]
    timeline = fakes.weibo.data.statuses
    assert any(
        "早晚注意添衣" in s.text and abs(s.created - slot.timestamp()) <= 1
        for s in timeline.values()
    )
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED


def test_wechat_completes_through_the_asynchronous_publish_result(fakes: FakePlatforms) -> None:
    """C-01, X-03: draft/add → freepublish/submit → pending → freepublish/get → published."""
    C = "demo_college"
    _connect("info_wechat", C, demo_settings(fakes)["wechat"])
    post = content.create_post(
        unit(C, "info_college"),
        actor=person("col_xx_manager"),
        title="学院新闻",
        body="我院学生在全省职业技能大赛中获得一等奖。",
        category="news",
        channels=[channel(C, "info_wechat")],
    )
    _approve(post, ["col_xx_secretary"])
    actions.schedule_post(post, actor=person("col_xx_manager"))
    claim = dispatch.claim_due("test")
    assert dispatch.deliver(claim.ids[0], claim.token) == IntentStatus.REMOTE_PENDING
    intent = PublishIntent.objects.get(post=post)
    assert intent.remote_id
    deadline = timezone.now() + timedelta(seconds=10)
    while intent.status == IntentStatus.REMOTE_PENDING and timezone.now() < deadline:
        PublishIntent.objects.filter(pk=intent.pk).update(lease_until=None)
        reconcile.poll_remote_pending("test")
        intent.refresh_from_db()
    assert intent.status == IntentStatus.PUBLISHED and intent.remote_url
    assert _stats(fakes.wechat_url)["posts"] == 1


def test_the_website_feed_validates(tmp_path: Path) -> None:
    """C-01: static pages plus RSS and Atom feeds that feedparser reads without complaint."""
    site = tmp_path / "site"
    _connect(
        "city_website",
        W,
        {"site_dir": str(site), "base_url": "https://qx.example.gov.cn/", "title": "市气象局"},
    )
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="科普：什么是寒潮",
        body="寒潮是冬季的一种灾害性天气，气温在24小时内下降8摄氏度以上。",
        category="science",
        channels=[channel(W, "city_website")],
        source="市气象学会",
    )
    _approve(post, ["kj_leader"])
    actions.schedule_post(post, actor=person("kj_publisher"))
    _drain()
    intent = PublishIntent.objects.get(post=post)
    assert intent.status == IntentStatus.PUBLISHED
    for name in ("feed.rss", "feed.atom"):
        parsed = feedparser.parse((site / name).read_bytes())
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.entries[0].title == "科普：什么是寒潮"
    ET.parse(site / "feed.rss")
    page = next((site / "posts").glob("*.html")).read_text(encoding="utf-8")
    assert "寒潮是冬季" in page


def test_a_timeout_after_the_platform_got_it_is_reconciled_not_resent(
    fakes: FakePlatforms,
) -> None:
    """X-03: the platform recorded the post but we never heard back: unknown → reconciled
    by reading the account's recent posts → published, and never sent twice."""
    _connect(
        "city_weibo",
        W,
        {**demo_settings(fakes)["weibo"], "settle_seconds": "0", "timeout_read": "1"},
    )
    httpx.post(
        f"{fakes.weibo_url}/__control__",
        json={"hang_next": 1, "hang_after_commit": True, "hang_seconds": 3},
    )
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="午间预报",
        body=TEXT,
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
    )
    _approve(post, ["kj_leader"])
    actions.schedule_post(post, actor=person("kj_publisher"))
    claim = dispatch.claim_due("test")
    assert dispatch.deliver(claim.ids[0], claim.token) == IntentStatus.UNKNOWN
    assert reconcile.reconcile_unknown("test") == 1
    intent = PublishIntent.objects.get(post=post)
    assert intent.status == IntentStatus.PUBLISHED
    assert [a.outcome for a in intent.log.all()] == ["unknown", "reconciled"]
    assert _stats(fakes.weibo_url)["posts"] == 1


def test_x03_weibo_20053_pending_review_ends_published_once(fakes: FakePlatforms) -> None:
    """X-03: Weibo answers 20053 (published, held for manual review): through the real
    dispatcher the intent ends PUBLISHED with the post's remote id, sent exactly once."""
    _connect("city_weibo", W, {**demo_settings(fakes)["weibo"], "settle_seconds": "0"})
    httpx.post(f"{fakes.weibo_url}/__control__", json={"review_next": 1})
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="寒潮预警",
        body="寒潮蓝色预警：预计明天起全市气温下降8℃以上，请注意防寒保暖。",
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
    )
    _approve(post, ["kj_leader"])
    actions.schedule_post(post, actor=person("kj_publisher"))
    _drain()
    intent = PublishIntent.objects.get(post=post)
    assert intent.status == IntentStatus.PUBLISHED, intent.error_message
    stats = _stats(fakes.weibo_url)
    assert stats["posts"] == 1 and stats["pending_review"] == 1
    (status,) = [s for s in fakes.weibo.data.statuses.values() if "寒潮蓝色预警" in s.text]
    assert intent.remote_id == str(status.id) and intent.remote_url.endswith(str(status.id))
    opened = httpx.get(intent.remote_url)  # the post page's 查看 link
    assert opened.status_code == 200 and "寒潮蓝色预警" in opened.text
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED


def test_x03_weibo_20053_not_yet_listed_is_reconciled_to_its_id(fakes: FakePlatforms) -> None:
    """X-03: a post under review that the timeline does not show yet: UNKNOWN, then
    reconciled to its id once listed — never failed, never sent again."""
    _connect("city_weibo", W, {**demo_settings(fakes)["weibo"], "settle_seconds": "20"})
    httpx.post(
        f"{fakes.weibo_url}/__control__",
        json={"review_next": 1, "review_visible": False, "review_seconds": 1},
    )
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="寒潮预警",
        body="寒潮黄色预警：预计明天起全市气温下降10℃以上，请注意防寒保暖。",
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
    )
    _approve(post, ["kj_leader"])
    actions.schedule_post(post, actor=person("kj_publisher"))
    claim = dispatch.claim_due("test")
    assert dispatch.deliver(claim.ids[0], claim.token) == IntentStatus.UNKNOWN
    intent = PublishIntent.objects.get(post=post)
    assert intent.error_code == "pending_review" and "审核" in intent.error_message
    deadline = timezone.now() + timedelta(seconds=10)
    while intent.status == IntentStatus.UNKNOWN and timezone.now() < deadline:
        PublishIntent.objects.filter(pk=intent.pk).update(lease_until=None)
        reconcile.reconcile_unknown("test")
        intent.refresh_from_db()
        time.sleep(0.1)
    assert intent.status == IntentStatus.PUBLISHED
    (status,) = [s for s in fakes.weibo.data.statuses.values() if "寒潮黄色预警" in s.text]
    assert intent.remote_id == str(status.id)
    assert _stats(fakes.weibo_url)["posts"] == 1


def test_a_permanent_error_shows_a_cause_a_person_can_act_on(fakes: FakePlatforms) -> None:
    """X-03: an expired token fails with the platform's code and "reconnect the account"."""
    _connect("city_weibo", W, demo_settings(fakes)["weibo"])
    httpx.post(f"{fakes.weibo_url}/__control__", json={"expire_tokens": True})
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="傍晚预报",
        body=TEXT,
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
    )
    _approve(post, ["kj_leader"])
    actions.schedule_post(post, actor=person("kj_publisher"))
    _drain()
    intent = PublishIntent.objects.get(post=post)
    assert intent.status == IntentStatus.FAILED
    assert intent.error_code == "auth" and "重新连接" in intent.error_message
