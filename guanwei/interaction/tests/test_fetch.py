"""Comments fetched incrementally over real HTTP from the fakes (W-18, E-06): paging
across pages, ids above 2**53 kept as idstr, nothing fetched twice, and a platform that
fails pausing the account with backoff and one notice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from guanwei.content import actions as content
from guanwei.interaction import fetch
from guanwei.interaction.models import Comment, FetchCursor
from guanwei.notify.models import Notice
from guanwei.publishing import actions, dispatch
from guanwei.publishing.fakes import FakePlatforms, demo_settings, start_fakes
from guanwei.publishing.models import ChannelSettings, IntentStatus, PublishIntent
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"


@pytest.fixture
def fakes() -> Iterator[FakePlatforms]:
    platforms = start_fakes(publish_delay_s=0.2)
    try:
        yield platforms
    finally:
        platforms.stop()


def _published_weibo(fakes: FakePlatforms) -> PublishIntent:
    ChannelSettings.objects.update_or_create(
        channel=channel(W, "city_weibo"),
        defaults={"values": {**demo_settings(fakes)["weibo"], "settle_seconds": "0"}},
    )
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="早间预报",
        body="明天多云转晴，气温12到20摄氏度，偏北风3级，早晚注意添衣。",
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
    )
    wf.submit_for_review(post, actor=post.created_by)
    wf.approve_step(
        StepRun.objects.get(run__post=post, status="pending"), actor=person("kj_leader")
    )
    actions.schedule_post(post, actor=person("kj_publisher"))
    claim = dispatch.claim_due("test")
    for intent_id in claim.ids:
        dispatch.deliver(intent_id, claim.token)
    intent = PublishIntent.objects.get(post=post)
    assert intent.status == IntentStatus.PUBLISHED
    return intent


def _add(fakes: FakePlatforms, status_id: str, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        fakes.control(
            "weibo", add_comment={"status_id": status_id, "text": f"请问第{i}天会下雨吗？"}
        )


def _later() -> datetime:
    return timezone.now() + timedelta(hours=2)


def test_w18_weibo_comments_fetched_incrementally_across_pages_never_twice(
    fakes: FakePlatforms,
) -> None:
    """W-18, E-06: 120 comments (3 pages of 50) fetched; ids above 2**53 as idstr; a
    second pass fetches only the 7 new ones; a third none."""
    intent = _published_weibo(fakes)
    _add(fakes, intent.remote_id, 120)
    assert fetch.fetch_due() == 120
    ids = set(Comment.objects.filter(intent=intent).values_list("remote_id", flat=True))
    want = {
        str(c.id)
        for c in fakes.weibo.data.comments.values()
        if str(c.status_id) == intent.remote_id
    }
    assert ids == want and len(ids) == 120
    assert all(int(i) > 2**53 for i in ids)
    _add(fakes, intent.remote_id, 7, start=120)
    assert fetch.fetch_due(now=_later()) == 7
    assert fetch.fetch_due(now=_later() + timedelta(hours=1)) == 0
    assert Comment.objects.filter(intent=intent).count() == 127
    c = Comment.objects.filter(intent=intent).first()
    assert c is not None and c.is_question and c.verdict


def test_w18_a_rate_limited_account_backs_off_tells_its_publisher_once_and_loses_nothing(
    fakes: FakePlatforms,
) -> None:
    """W-18 (§Security): 429 on the second page — the first page's comments stay, the
    cursor pauses with backoff, one notice; after the pause the rest arrives once."""
    intent = _published_weibo(fakes)
    _add(fakes, intent.remote_id, 80)
    fakes.control("weibo", path="/2/comments/show.json", fail_next=0)
    before = Notice.objects.filter(title__contains="评论抓取已暂停").count()
    # The first page answers, the second is refused.
    from guanwei.publishing.adapters import get_adapter
    from guanwei.publishing.dispatch import settings_for

    adapter: Any = get_adapter("weibo", settings_for(intent.channel))
    real = adapter.comments_page
    calls = {"n": 0}

    def flaky(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            fakes.control("weibo", fail_next=1, status=429, error_code=10023)
        return real(*args, **kwargs)

    adapter.comments_page = flaky
    original = dispatch.adapter_for
    dispatch.adapter_for = lambda _i: adapter  # type: ignore[assignment]
    try:
        assert fetch.fetch_due() == 50
        cursor = FetchCursor.objects.get(intent=intent)
        assert cursor.failures == 1 and cursor.error_code == "rate_limited"
        assert cursor.next_fetch_at and cursor.next_fetch_at > timezone.now()
        assert Notice.objects.filter(title__contains="评论抓取已暂停").count() == before + 1
        assert fetch.fetch_due() == 0  # paused
    finally:
        dispatch.adapter_for = original  # type: ignore[assignment]
    assert fetch.fetch_due(now=_later()) == 30
    assert Comment.objects.filter(intent=intent).count() == 80
    cursor = FetchCursor.objects.get(intent=intent)
    assert cursor.failures == 0
