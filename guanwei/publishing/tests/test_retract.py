"""W-11: deleting a corrected original on WeChat over real HTTP to the fake
(``freepublish/delete``): deleted → 已删除原稿; refused (40097) → 已发布 with
删除失败（原因）, not tried again (docs/decisions/0008, item 7)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.content import actions as content
from guanwei.content.models import Post
from guanwei.orgs.errors import InvalidChange, PermissionDenied
from guanwei.orgs.permissions import SYSTEM
from guanwei.publishing import actions, dispatch, reconcile, worker
from guanwei.publishing.fakes import FakePlatforms, demo_settings, start_fakes
from guanwei.publishing.models import ChannelSettings, IntentStatus, PublishIntent
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
C = "demo_college"
DELETE = "/cgi-bin/freepublish/delete"


@pytest.fixture
def fakes() -> Iterator[FakePlatforms]:
    platforms = start_fakes(publish_delay_s=0.1)
    try:
        yield platforms
    finally:
        platforms.stop()


def _out_on_wechat(title: str, body: str, corrects: Post | None = None) -> Post:
    post = content.create_post(
        unit(C, "info_college"),
        actor=person("col_xx_manager"),
        title=title,
        body=body,
        category="news",
        channels=[channel(C, "info_wechat")],
        corrects=corrects,
    )
    wf.submit_for_review(post, actor=post.created_by)
    while run := StepRun.objects.filter(run__post=post, status="pending").first():
        wf.approve_step(run, actor=person("col_xx_secretary"))
    actions.schedule_post(post, actor=person("col_xx_manager"))
    claim = dispatch.claim_due("test")
    for intent_id in claim.ids:
        dispatch.deliver(intent_id, claim.token)
    intent = PublishIntent.objects.get(post=post)
    until = timezone.now() + timedelta(seconds=10)
    while intent.status == IntentStatus.REMOTE_PENDING and timezone.now() < until:
        PublishIntent.objects.filter(pk=intent.pk).update(lease_until=None)
        reconcile.poll_remote_pending("test")
        intent.refresh_from_db()
    assert intent.status == IntentStatus.PUBLISHED, intent.error_message
    post.refresh_from_db()
    return post


def _original_and_correction(fakes: FakePlatforms) -> tuple[PublishIntent, Post]:
    ChannelSettings.objects.update_or_create(
        channel=channel(C, "info_wechat"), defaults={"values": demo_settings(fakes)["wechat"]}
    )
    original = _out_on_wechat("学院新闻", "我院学生在全省职业技能大赛中获得二等奖。")
    fix = _out_on_wechat(
        "【订正】学院新闻", "订正：我院学生在全省职业技能大赛中获得一等奖。", corrects=original
    )
    return PublishIntent.objects.get(post=original), fix


def _deleted(fakes: FakePlatforms) -> int:
    """How many articles on the fake WeChat (a seeded one, ours) are deleted."""
    return sum(a.deleted for a in fakes.wechat.data.articles.values())


def _calls(fakes: FakePlatforms) -> int:
    return int(httpx.get(f"{fakes.wechat_url}/__stats__").json()["by_path"].get(DELETE, 0))


def test_w11_the_original_is_deleted_on_wechat(fakes: FakePlatforms) -> None:
    """W-11: queued by the action (SYSTEM, as oversight's hook does) → the housekeeping
    pass calls freepublish/delete → the original's article is gone, the correction's
    stays; 已删除原稿, audited."""
    original, fix = _original_and_correction(fakes)
    assert _deleted(fakes) == 0
    queued = actions.retract_original(fix, platforms=["wechat"], actor=SYSTEM)
    assert [i.pk for i in queued] == [original.pk]
    assert actions.retract_original(fix, platforms=["wechat"], actor=SYSTEM) == []  # once
    worker.housekeeping("test")
    original.refresh_from_db()
    assert original.status == IntentStatus.RETRACTED, original.error_message
    assert _deleted(fakes) == 1 and _calls(fakes) == 1
    assert AuditRecord.objects.filter(
        action=AuditAction.PUBLISH_RETRACTED, object_id=str(original.pk)
    ).exists()


def test_w11_wechat_refuses_the_deletion(fakes: FakePlatforms) -> None:
    """W-11: freepublish/delete answers 40097: the original is 已发布 again with
    删除失败（…）; the next pass does not call again."""
    original, fix = _original_and_correction(fakes)
    actions.retract_original(fix, platforms=["wechat"], actor=SYSTEM)
    httpx.post(
        f"{fakes.wechat_url}/__control__",
        json={"fail_next": 1, "status": 200, "errcode": 40097, "path": "freepublish/delete"},
    )
    worker.housekeeping("test")
    original.refresh_from_db()
    assert original.status == IntentStatus.PUBLISHED
    assert original.error_code == "retract_refused"
    assert original.error_message.startswith("删除失败（")
    assert _deleted(fakes) == 0
    worker.housekeeping("test")
    assert _calls(fakes) == 1


def test_w11_only_a_published_correction_deletes_and_only_by_who_may(
    fakes: FakePlatforms,
) -> None:
    """W-11: the action refuses a post that corrects nothing, and a person who may not
    publish on the account."""
    original, fix = _original_and_correction(fakes)
    with pytest.raises(InvalidChange):
        actions.retract_original(original.post, platforms=["wechat"], actor=SYSTEM)
    with pytest.raises(PermissionDenied):
        actions.retract_original(fix, platforms=["wechat"], actor=person("col_xx_secretary"))
    assert PublishIntent.objects.get(pk=original.pk).status == IntentStatus.PUBLISHED
