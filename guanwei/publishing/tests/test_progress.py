"""After "publish now" (立即发布) the post page shows the send's progress without a reload
(htmx polls a small fragment until the intent settles); a failure shows the platform's
cause in Chinese with a retry (重新发布) button that schedules the post again
(issue 8 §3; X-03, over real HTTP to the fake Weibo)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client

from guanwei.content import actions as content
from guanwei.content.models import Post, PostStatus
from guanwei.publishing import dispatch
from guanwei.publishing.fakes import FakePlatforms, demo_settings, start_fakes
from guanwei.publishing.fakes.weibo import DEMO_TOKEN
from guanwei.publishing.models import ChannelSettings, IntentStatus, PublishIntent
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级（进度测试）。"


@pytest.fixture
def fakes() -> Iterator[FakePlatforms]:
    platforms = start_fakes(publish_delay_s=0.2)
    ChannelSettings.objects.update_or_create(
        channel=channel(W, "city_weibo"),
        defaults={"values": {**demo_settings(platforms)["weibo"], "settle_seconds": "0"}},
    )
    try:
        yield platforms
    finally:
        platforms.stop()


def _approved() -> Post:
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="进度测试预报",
        body=TEXT,
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
    )
    wf.submit_for_review(post, actor=person("kj_editor"))
    wf.approve_step(
        StepRun.objects.get(run__post=post, status="pending"), actor=person("kj_leader")
    )
    post.refresh_from_db()
    return post


def _deliver() -> None:
    claim = dispatch.claim_due("test", limit=10)
    for intent_id in claim.ids:
        dispatch.deliver(intent_id, claim.token)


def _publish_now(c: Client, post: Post) -> None:
    response = c.post(
        f"/publishing/posts/{post.pk}/schedule/",
        {"when": "now", "channels": [channel(W, "city_weibo").pk]},
    )
    assert response.status_code == 302, response.content.decode()[:1000]


def test_publish_now_shows_the_progress_until_the_intent_settles(fakes: FakePlatforms) -> None:
    """The page polls a fragment while the send is under way; once published the fragment
    stops polling and updates the post's status badge (out of band)."""
    post = _approved()
    c = Client()
    c.force_login(person("kj_publisher"))
    _publish_now(c, post)
    progress = f"/publishing/posts/{post.pk}/progress/"
    page = c.get(f"/content/posts/{post.pk}/").content.decode()
    assert f'hx-get="{progress}"' in page and 'hx-trigger="every 2s"' in page
    fragment = c.get(progress, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "待发布" in fragment
    assert 'hx-trigger="every 2s"' in fragment  # still polling
    _deliver()
    fragment = c.get(progress, headers={"HX-Request": "true"}).content.decode()
    assert "已发布" in fragment
    assert "hx-trigger" not in fragment  # settled: polling stops
    assert re.search(r'id="post-status"[^>]*hx-swap-oob="true"[^>]*>已发布<', fragment)
    # Someone who may not see the post does not get its progress either.
    other = Client()
    other.force_login(person("bgs_officer"))
    assert other.get(progress).status_code == 404


def test_a_failure_shows_the_platforms_cause_in_chinese_with_a_retry_button(
    fakes: FakePlatforms,
) -> None:
    """A permanent failure (the token revoked, Weibo 21332) shows its cause in Chinese and
    重新发布, only to those who may schedule."""
    post = _approved()
    c = Client()
    c.force_login(person("kj_publisher"))
    _publish_now(c, post)
    fakes.control("weibo", revoke_token=DEMO_TOKEN)
    _deliver()
    intent = PublishIntent.objects.get(post=post)
    assert intent.status == IntentStatus.FAILED
    fragment = c.get(f"/publishing/posts/{post.pk}/progress/").content.decode()
    assert "发布失败" in fragment and "微博访问令牌无效或已被撤销" in fragment
    assert f"({intent.error_code})" not in fragment  # the cause in words, not a code
    assert "hx-trigger" not in fragment
    assert f'action="/publishing/intents/{intent.pk}/retry/"' in fragment
    assert "重新发布" in fragment
    editor = Client()
    editor.force_login(person("kj_leader"))  # reviews, may not schedule
    assert "重新发布" not in editor.get(f"/content/posts/{post.pk}/").content.decode()
    editor.post(f"/publishing/intents/{intent.pk}/retry/")
    assert PublishIntent.objects.filter(post=post).count() == 1


def test_retry_schedules_the_failed_send_again_and_it_goes_out(fakes: FakePlatforms) -> None:
    """重新发布 calls ``publishing.actions.schedule_post`` for the failed account: a new
    intent, sent once the cause is fixed; the post becomes published."""
    post = _approved()
    c = Client()
    c.force_login(person("kj_publisher"))
    _publish_now(c, post)
    fakes.control("weibo", revoke_token=DEMO_TOKEN)
    _deliver()
    failed = PublishIntent.objects.get(post=post)
    assert failed.status == IntentStatus.FAILED
    fakes.reset()  # the account reconnected: the token works again
    response = c.post(f"/publishing/intents/{failed.pk}/retry/")
    assert response.status_code == 302
    _deliver()
    assert PublishIntent.objects.filter(post=post, status=IntentStatus.PUBLISHED).count() == 1
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
