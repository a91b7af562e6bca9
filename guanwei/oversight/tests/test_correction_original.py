"""W-11: the original on each platform once the correction is out. A pack whose correction
rule says ``original = { weibo = "delete" }`` has the dispatcher delete the original from
Weibo (over real HTTP to the fake) after the correction is published: the original's
intent goes published → 撤回中 → 已删除原稿, audited; a platform that refuses leaves it
published with the cause; a call that timed out is settled by reading the status back,
never by deleting twice (docs/decisions/0008, item 7)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import time_machine
from django.db import connection

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.content import actions as content
from guanwei.content.models import Post, Submission
from guanwei.oversight import queries as oversight_queries
from guanwei.oversight.models import Deadline, DeadlineKind, DeadlineStatus
from guanwei.oversight.tests.test_corrections import FIXED, TEXT, _as, _issue
from guanwei.publishing import actions as publishing
from guanwei.publishing import dispatch, worker
from guanwei.publishing.fakes import FakePlatforms, demo_settings, start_fakes
from guanwei.publishing.models import ChannelSettings, IntentStatus, PublishIntent
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
TZ = ZoneInfo("Asia/Shanghai")
DESTROY = "/2/statuses/destroy.json"


@pytest.fixture
def fakes() -> Iterator[FakePlatforms]:
    platforms = start_fakes(publish_delay_s=0.2)
    try:
        yield platforms
    finally:
        platforms.stop()


@pytest.fixture
def delete_on_weibo(monkeypatch: pytest.MonkeyPatch) -> None:
    """A weather-pack-like rule book whose correction rule deletes the Weibo original."""
    real = oversight_queries.correction_rule

    def rule(organisation_id: int) -> dict[str, Any]:
        found = dict(real(organisation_id))
        found["original"] = {"weibo": "delete", "wechat": "keep", "website": "keep"}
        return found

    monkeypatch.setattr(oversight_queries, "correction_rule", rule)


def _connect(fakes: FakePlatforms) -> None:
    ChannelSettings.objects.update_or_create(
        channel=channel(W, "city_weibo"),
        defaults={"values": {**demo_settings(fakes)["weibo"], "settle_seconds": "0"}},
    )


def _deliver() -> None:
    claim = dispatch.claim_due("test", limit=10)
    for intent_id in claim.ids:
        dispatch.deliver(intent_id, claim.token)


def _original_on_weibo() -> Post:
    """The observatory's material → the tech centre's post → approved → out on the fake
    Weibo for real (the dispatcher, over HTTP)."""
    item = content.submit_material(
        unit(W, "city_observatory"),
        actor=person("qxt_officer"),
        drop_box=unit(W, "city_tech_centre"),
        title="明日天气预报",
        body=TEXT,
        source="市气象台",
    )
    wf.approve_step(
        StepRun.objects.get(run__submission=item, status="pending"), actor=person("qxt_leader")
    )
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        materials=[Submission.objects.get(pk=item.pk)],
        title="明日天气预报",
        body=TEXT,
        category="forecast",
        subtype="city_forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
    )
    wf.submit_for_review(post, actor=person("kj_editor"))
    wf.approve_step(
        StepRun.objects.get(run__post=post, status="pending"), actor=person("kj_leader")
    )
    publishing.schedule_post(post, actor=person("kj_publisher"))
    _deliver()
    intent = PublishIntent.objects.get(post=post)
    assert intent.status == IntentStatus.PUBLISHED and intent.remote_id, intent.error_message
    post.refresh_from_db()
    return post


def _correct(post: Post) -> Post:
    """The observatory issues the correction; 做订正; the leader approves; out now."""
    _issue(post)
    deadline = Deadline.objects.get(kind=DeadlineKind.CORRECTION, post=post)
    _as("kj_publisher").post(
        f"/oversight/corrections/{deadline.pk}/",
        {
            "title": f"【订正】{post.title}",
            "body": FIXED,
            "category": "forecast",
            "subtype": "city_forecast",
            "channels": [channel(W, "city_weibo").pk],
            "source": "市气象台",
        },
    )
    fix = Post.objects.get(corrects=post)
    wf.approve_step(StepRun.objects.get(run__post=fix, status="pending"), actor=person("kj_leader"))
    publishing.auto_schedule_due()
    _deliver()
    assert PublishIntent.objects.get(post=fix).status == IntentStatus.PUBLISHED
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MET
    return fix


def _housekeeping() -> None:
    """One turn of the real dispatcher loop (its first turn runs the housekeeping pass), in
    this thread. On PostgreSQL ``run_once`` would close the test transaction's connection
    (``close_old_connections``): there, the pass it runs."""
    if connection.vendor == "postgresql":
        worker.housekeeping("test")
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        worker.Dispatcher(threads=1, scheduler=False).run_once(pool)


def _on_weibo(fakes: FakePlatforms, remote_id: str) -> bool:
    status = fakes.weibo.data.statuses.get(int(remote_id))
    return status is not None and not status.deleted


def _stats(fakes: FakePlatforms) -> dict[str, Any]:
    return httpx.get(f"{fakes.weibo_url}/__stats__").json()


def test_w11_a_pack_that_deletes_the_original_has_it_gone_from_weibo(
    fakes: FakePlatforms, delete_on_weibo: None
) -> None:
    """W-11: ``original = { weibo = "delete" }``: once the correction is out on Weibo, the
    dispatcher's housekeeping deletes the original there (statuses/destroy over HTTP); the
    correction stays."""
    _connect(fakes)
    issued = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
    with time_machine.travel(issued, tick=False) as clock:
        post = _original_on_weibo()
        original = PublishIntent.objects.get(post=post)
        clock.move_to(issued + timedelta(minutes=3))
        fix = _correct(post)
        _housekeeping()
    assert not _on_weibo(fakes, original.remote_id)
    assert _on_weibo(fakes, PublishIntent.objects.get(post=fix).remote_id)
    original.refresh_from_db()
    assert original.status == IntentStatus.RETRACTED
    assert _stats(fakes)["by_path"].get(DESTROY) == 1
    actions = list(
        AuditRecord.objects.filter(object_type="publish_intent", object_id=str(original.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == [AuditAction.PUBLISH_RETRACTING, AuditAction.PUBLISH_RETRACTED]
    page = _as("kj_publisher").get(f"/content/posts/{post.pk}/").content.decode()
    assert "已删除原稿" in page
    _housekeeping()  # nothing left to do: no second call
    assert _stats(fakes)["by_path"].get(DESTROY) == 1


def test_w11_a_pack_that_keeps_the_original_leaves_it_on_weibo(fakes: FakePlatforms) -> None:
    """W-11: the weather pack as shipped (``keep``): the original stays, nothing is
    deleted."""
    _connect(fakes)
    issued = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
    with time_machine.travel(issued, tick=False) as clock:
        post = _original_on_weibo()
        clock.move_to(issued + timedelta(minutes=3))
        _correct(post)
        _housekeeping()
    original = PublishIntent.objects.get(post=post)
    assert original.status == IntentStatus.PUBLISHED and _on_weibo(fakes, original.remote_id)
    assert not _stats(fakes)["by_path"].get(DESTROY)


def test_w11_weibo_refuses_the_deletion_the_original_stays_published_with_the_cause(
    fakes: FakePlatforms, delete_on_weibo: None
) -> None:
    """W-11: Weibo answers 20102 to statuses/destroy: the original is 已发布 again with
    删除失败（cause）on the post page, audited, the author told; not tried again."""
    _connect(fakes)
    issued = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
    with time_machine.travel(issued, tick=False) as clock:
        post = _original_on_weibo()
        clock.move_to(issued + timedelta(minutes=3))
        _correct(post)
        assert PublishIntent.objects.get(post=post).status == IntentStatus.RETRACTING
        httpx.post(
            f"{fakes.weibo_url}/__control__",
            json={"fail_next": 1, "status": 403, "error_code": 20102, "path": "destroy"},
        )
        _housekeeping()
        original = PublishIntent.objects.get(post=post)
        assert original.status == IntentStatus.PUBLISHED
        assert original.error_code == "retract_refused"
        assert original.error_message.startswith("删除失败（") and "别人" in original.error_message
        assert _on_weibo(fakes, original.remote_id)
        assert AuditRecord.objects.filter(
            action=AuditAction.PUBLISH_RETRACT_REFUSED, object_id=str(original.pk)
        ).exists()
        page = _as("kj_publisher").get(f"/content/posts/{post.pk}/").content.decode()
        assert "删除失败（" in page
        clock.move_to(issued + timedelta(minutes=30))
        _housekeeping()
    assert PublishIntent.objects.get(post=post).status == IntentStatus.PUBLISHED
    assert _stats(fakes)["by_path"].get(DESTROY) == 1
    # a refused deletion publishes nothing: the correction's deadline was closed once
    assert AuditRecord.objects.filter(action=AuditAction.DEADLINE_MET).count() == 1


def test_w11_a_deletion_whose_answer_is_lost_is_read_back_not_sent_twice(
    fakes: FakePlatforms, delete_on_weibo: None, settings: Any
) -> None:
    """W-11: Weibo deletes the original but the answer never comes (the call times out):
    the original stays 撤回中; the next pass reads the status back (statuses/show → does
    not exist) and records 已删除原稿 without a second statuses/destroy."""
    settings.GUANWEI_DISPATCH_LEASE_SECONDS = 3  # a call is bounded at half the lease
    _connect(fakes)
    issued = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
    with time_machine.travel(issued, tick=False) as clock:
        post = _original_on_weibo()
        clock.move_to(issued + timedelta(minutes=3))
        _correct(post)
    original = PublishIntent.objects.get(post=post)
    httpx.post(
        f"{fakes.weibo_url}/__control__",
        json={"hang_next": 1, "hang_after_commit": True, "hang_ms": 4000, "path": "destroy"},
    )
    _housekeeping()
    original.refresh_from_db()
    assert original.status == IntentStatus.RETRACTING, original.error_message
    assert not _on_weibo(fakes, original.remote_id)  # the platform did act
    assert original.lease_owner == "" and original.next_attempt_at is not None
    _housekeeping()  # not due yet (backoff): nothing happens
    assert _stats(fakes)["by_path"].get(DESTROY) == 1
    with time_machine.travel(original.next_attempt_at + timedelta(seconds=1), tick=False):
        _housekeeping()
    original.refresh_from_db()
    assert original.status == IntentStatus.RETRACTED
    stats = _stats(fakes)["by_path"]
    assert stats.get(DESTROY) == 1
    assert stats.get("/2/statuses/show.json", 0) >= 1
