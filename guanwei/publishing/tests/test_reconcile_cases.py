"""Reconciliation and polling never send an approved post twice (REQ X-03; issue #8 §2).
Each case reproduces a break a security review found after the gate landed: Weibo's
20053 held past the settle time, a WeChat job past its maximum age, a failed query
taken for a failed job, an earlier attempt that landed, a heartbeat that gave up."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from guanwei.publishing import actions, dispatch, reconcile
from guanwei.publishing.adapters.base import PublishRequest, PublishResult, RemotePost
from guanwei.publishing.adapters.wechat import WeChatAdapter, wechat_error
from guanwei.publishing.adapters.weibo import WeiboAdapter
from guanwei.publishing.fakes import FakePlatforms, demo_settings
from guanwei.publishing.models import ChannelSettings, IntentStatus, PublishAttempt, PublishIntent
from guanwei.publishing.tests.test_publish_gate import (  # noqa: F401 — the fixture
    C,
    W,
    _weather_post,
    college_wechat_pending,
    fakes,
)
from guanwei.testing.personas import channel, person

pytestmark = pytest.mark.django_db


def _college_wechat_pending(fakes: FakePlatforms) -> PublishIntent:  # noqa: F811
    return college_wechat_pending(fakes, settle_seconds="0")


def test_x03_weibo_20053_held_past_the_settle_time_is_never_sent_again(
    fakes: FakePlatforms,  # noqa: F811
) -> None:
    """20053: out, held for manual review and not listed yet; the settle time passes —
    the intent stays unknown (looked at again), never retried."""
    values = {**demo_settings(fakes)["weibo"], "settle_seconds": "1"}
    ChannelSettings.objects.update_or_create(
        channel=channel(W, "city_weibo"), defaults={"values": values}
    )
    fakes.control(
        "weibo", review_next=1, review_visible=False, review_seconds=4, duplicate_window_s=0
    )
    post = _weather_post()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    claim = dispatch.claim_due("t")
    assert dispatch.deliver(claim.ids[0], claim.token) == IntentStatus.UNKNOWN
    time.sleep(1.3)
    PublishIntent.objects.filter(pk=intent.pk).update(lease_until=None)
    reconcile.reconcile_unknown("t")
    intent.refresh_from_db()
    assert intent.status == IntentStatus.UNKNOWN
    assert dispatch.claim_due("t").ids == []
    time.sleep(3.5)  # the review ends: the post is listed
    PublishIntent.objects.filter(pk=intent.pk).update(lease_until=None)
    reconcile.reconcile_unknown("t")
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PUBLISHED and intent.remote_id
    assert fakes.stats("weibo")["posts"] == 1


def test_x03_a_wechat_job_past_its_maximum_age_is_asked_not_sent_again(
    fakes: FakePlatforms,  # noqa: F811
) -> None:
    """The job is still running at WeChat when it is too old: unknown, reconciled by
    asking the job (not the article list), so no second draft is submitted; when the job
    finishes, the intent is published."""
    intent = _college_wechat_pending(fakes)
    PublishIntent.objects.filter(pk=intent.pk).update(
        sent_at=timezone.now() - timedelta(minutes=31), lease_until=None
    )
    reconcile.poll_remote_pending("t")
    intent.refresh_from_db()
    assert intent.status == IntentStatus.UNKNOWN
    reconcile.reconcile_unknown("t")
    intent.refresh_from_db()
    assert intent.status == IntentStatus.UNKNOWN
    assert dispatch.claim_due("t").ids == []
    ours = [j for j in fakes.wechat.data.jobs.values() if j.draft_id != "SEED_DRAFT"]
    assert len(ours) == 1
    for job in ours:
        job.ready = 0
    PublishIntent.objects.filter(pk=intent.pk).update(lease_until=None)
    reconcile.reconcile_unknown("t")
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PUBLISHED


def test_x03_a_failed_query_is_not_a_failed_job(
    fakes: FakePlatforms,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An error asking for the job (IP not whitelisted) keeps the job pending with the
    cause shown; it is never FAILED, so nobody is offered 重新发布."""
    intent = _college_wechat_pending(fakes)

    def ip_not_whitelisted(self: Any, remote_id: str) -> Any:
        raise wechat_error({"errcode": 40164, "errmsg": "invalid ip"}, what="freepublish/get")

    monkeypatch.setattr(WeChatAdapter, "publish_status", ip_not_whitelisted)
    PublishIntent.objects.filter(pk=intent.pk).update(lease_until=None)
    reconcile.poll_remote_pending("t")
    intent.refresh_from_db()
    assert intent.status == IntentStatus.REMOTE_PENDING
    assert intent.error_message


def test_x03_reconciliation_looks_after_the_first_attempt_not_the_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Attempt 1 (5xx) landed; attempt 2 was refused as a duplicate: the post created
    after attempt 1 is ours."""
    post = _weather_post()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    intent = PublishIntent.objects.select_related("revision", "channel").get(pk=intent.pk)
    now = timezone.now()
    t1, t2 = now - timedelta(minutes=3), now - timedelta(minutes=1)
    for at in (t1, t2):
        PublishAttempt.objects.create(
            intent=intent, worker="w", started_at=at, finished_at=at, outcome="unknown"
        )
    stub_settings = {"access_token": "x", "safe_domain": "https://weather.example.gov.cn"}
    expected = WeiboAdapter({**stub_settings, "uid": "1"}).expected_text(
        dispatch.build_request(intent)
    )

    class Stub(WeiboAdapter):
        def recent_posts(self, limit: int = 50) -> list[RemotePost]:
            return [
                RemotePost(
                    remote_id="555", text=expected, created_at=t1 + timedelta(seconds=1), url=""
                )
            ]

    monkeypatch.setattr(reconcile, "adapter_for", lambda i: Stub({**stub_settings, "uid": "1"}))
    PublishIntent.objects.filter(pk=intent.pk).update(
        status=IntentStatus.UNKNOWN, attempts=2, sent_at=t2, next_attempt_at=t2
    )
    reconcile.reconcile_unknown("qa")
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PUBLISHED and intent.remote_id == "555"


def test_x03_a_failed_heartbeat_is_tried_again(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One beat that fails (SQLite busy) does not end the heartbeat: the next beat comes
    sooner and the lease of the live call is renewed."""
    settings.GUANWEI_DISPATCH_LEASE_SECONDS = 0.6
    calls: list[str] = []

    def renew(ids: list[int], token: str) -> int:
        calls.append("fail" if not calls else "ok")
        if len(calls) == 1:
            raise RuntimeError("database is locked")
        return 1

    monkeypatch.setattr(dispatch, "_renew", renew)
    with dispatch._heartbeat([1], "t"):
        time.sleep(0.9)
    assert calls[0] == "fail" and calls.count("ok") >= 2, calls


def test_x03_a_late_pending_answer_keeps_its_job_id() -> None:
    """The answer of an asynchronous publish that came after a takeover: pending, with
    its job id to poll — not "lost"."""
    post = _weather_post()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    claim = dispatch.claim_due("t")

    def send(jobs: list[tuple[Any, PublishRequest]]) -> list[Any]:
        PublishIntent.objects.filter(pk=intent.pk).update(
            status=IntentStatus.UNKNOWN, lease_owner="", lease_until=None
        )
        return [PublishResult(remote_id="job-7", url="", state="pending", raw={})]

    assert dispatch.deliver_batch(claim.ids, claim.token, send=send) == {
        intent.pk: IntentStatus.REMOTE_PENDING
    }
    intent.refresh_from_db()
    assert intent.status == IntentStatus.REMOTE_PENDING and intent.remote_id == "job-7"


def test_x03_a_reconciliation_whose_answer_trickles_is_cut_at_the_call_limit(
    fakes: FakePlatforms,  # noqa: F811
    settings: Any,
) -> None:
    """Reconciliation asks the platform from the dispatcher's own loop: a timeline that
    trickles a byte at a time is cut at GUANWEI_DISPATCH_MAX_CALL_SECONDS like a publish
    (the loop, and so every claim, is not held); the intent stays unknown and is asked
    again later — never sent again."""
    settings.GUANWEI_DISPATCH_MAX_CALL_SECONDS = 1
    ChannelSettings.objects.update_or_create(
        channel=channel(W, "city_weibo"), defaults={"values": demo_settings(fakes)["weibo"]}
    )
    post = _weather_post()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    # As a lost answer leaves it: sent, outcome unknown (nothing reached the platform).
    PublishIntent.objects.filter(pk=intent.pk).update(
        status=IntentStatus.UNKNOWN, attempts=1, sent_at=timezone.now(), lease_until=None
    )
    fakes.control("weibo", trickle_next=1, trickle_ms=50, path="user_timeline")
    started = time.monotonic()
    reconcile.reconcile_unknown("t")
    assert time.monotonic() - started < 6
    assert fakes.stats("weibo")["by_path"].get("/2/statuses/user_timeline.json") == 1
    intent.refresh_from_db()
    assert intent.status == IntentStatus.UNKNOWN
    assert fakes.stats("weibo")["posts"] == 0
