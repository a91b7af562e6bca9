"""Deadlines as rows (DESIGN invariant 5): empty slots alerted before and breached after
(W-10), corrections within 10 minutes with escalation at 5 (W-11), county accounts linking
the city's warning (W-05, W-06) and departments reposting (C-05)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.content import actions as content
from guanwei.content.models import Post
from guanwei.notify.models import Notice
from guanwei.orgs.errors import PermissionDenied
from guanwei.oversight import actions
from guanwei.oversight.models import Deadline, DeadlineKind, DeadlineStatus
from guanwei.oversight.scheduler import tick
from guanwei.oversight.tests.test_corrections import _published_from_observatory
from guanwei.publishing import actions as publishing
from guanwei.publishing.models import IntentStatus, PublishIntent
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
TZ = ZoneInfo("Asia/Shanghai")
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"


def _published(at: datetime, **extra: Any) -> Post:
    """A post approved, scheduled and marked published at ``at`` (as the dispatcher would)."""
    fields: dict[str, Any] = {
        "title": "天气预报",
        "body": TEXT,
        "category": "forecast",
        "channels": [channel(W, "city_weibo")],
        "source": "市气象台",
    }
    fields.update(extra)
    post = content.create_post(unit(W, "city_tech_centre"), actor=person("kj_editor"), **fields)
    wf.submit_for_review(post, actor=person("kj_editor"))
    wf.approve_step(
        StepRun.objects.get(run__post=post, status="pending"), actor=person("kj_leader")
    )
    intents = publishing.schedule_post(post, actor=person("kj_publisher"))
    PublishIntent.objects.filter(pk__in=[i.pk for i in intents]).update(
        status=IntentStatus.PUBLISHED, due_at=at, published_at=at
    )
    assert post.current_revision is not None
    content.mark_published(post, revision=post.current_revision)
    post.refresh_from_db()
    return post


def test_an_empty_slot_is_alerted_before_and_breached_after() -> None:
    """W-10, X-04: a reminder to the people responsible before the 07:30 slot, a breach after."""
    with time_machine.travel(datetime(2026, 11, 26, 6, 0, tzinfo=TZ), tick=False):
        tick()
    slot = Deadline.objects.get(
        kind=DeadlineKind.SLOT,
        channel=channel(W, "city_weibo"),
        due_at=datetime(2026, 11, 26, 8, 0, tzinfo=TZ),
    )
    with time_machine.travel(datetime(2026, 11, 26, 7, 19, tzinfo=TZ), tick=False):
        tick()
    slot.refresh_from_db()
    assert slot.reminded_at is None  # alerted 10 minutes before the slot, not earlier
    with time_machine.travel(datetime(2026, 11, 26, 7, 20, tzinfo=TZ), tick=False):
        tick()
    slot.refresh_from_db()
    assert slot.reminded_at is not None
    assert Notice.objects.filter(user=person("kj_publisher"), title__contains="提醒").exists()
    with time_machine.travel(datetime(2026, 11, 26, 8, 1, tzinfo=TZ), tick=False):
        tick()
    slot.refresh_from_db()
    assert slot.status == DeadlineStatus.BREACHED
    assert AuditRecord.objects.filter(
        action=AuditAction.DEADLINE_BREACHED, object_id=str(slot.pk)
    ).exists()


def test_a_filled_slot_is_met() -> None:
    """W-10: a forecast published at 07:30 meets the slot."""
    with time_machine.travel(datetime(2026, 11, 26, 6, 0, tzinfo=TZ), tick=False):
        tick()
        _published(datetime(2026, 11, 26, 7, 30, tzinfo=TZ))
    with time_machine.travel(datetime(2026, 11, 26, 7, 31, tzinfo=TZ), tick=False):
        tick()
    slot = Deadline.objects.get(
        kind=DeadlineKind.SLOT,
        channel=channel(W, "city_weibo"),
        due_at=datetime(2026, 11, 26, 8, 0, tzinfo=TZ),
    )
    assert slot.status == DeadlineStatus.MET


def test_a_correction_must_be_published_within_ten_minutes() -> None:
    """W-11: a 10-minute deadline from the Observatory's issue time, escalation at 5,
    and a met record when the corrected forecast goes out in time."""
    issued = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
    with time_machine.travel(issued, tick=False):
        original = _published_from_observatory(datetime(2026, 11, 26, 7, 30, tzinfo=TZ))
        with pytest.raises(PermissionDenied):
            actions.issue_correction(original, actor=person("kj_editor"), text="订正")
        deadline = actions.issue_correction(original, actor=person("qxt_officer"), text="订正")
    assert deadline.due_at == issued + timedelta(minutes=10)
    with time_machine.travel(issued + timedelta(minutes=6), tick=False):
        tick()
    deadline.refresh_from_db()
    assert deadline.escalated_at is not None
    assert Notice.objects.filter(user=person("kj_leader"), title__contains="督办").exists()
    with time_machine.travel(issued + timedelta(minutes=8), tick=False):
        _published(issued + timedelta(minutes=8), title="天气预报（订正）")
        Post.objects.filter(title="天气预报（订正）").update(corrects=original)
        tick()
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MET


def test_a_late_correction_is_a_breach() -> None:
    """W-11: no corrected forecast within 10 minutes → breach on record."""
    issued = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
    with time_machine.travel(issued, tick=False):
        original = _published_from_observatory(datetime(2026, 11, 26, 7, 30, tzinfo=TZ))
        deadline = actions.issue_correction(original, actor=person("qxt_officer"), text="订正")
    with time_machine.travel(issued + timedelta(minutes=11), tick=False):
        tick()
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.BREACHED


def test_a_city_warning_obliges_the_county_accounts() -> None:
    """W-05, W-06: each county account must point its followers to the city warning."""
    at = timezone.now()
    post = _published(at, subtype="warning", title="暴雨黄色预警")
    tick()
    duties = Deadline.objects.filter(kind=DeadlineKind.SYNDICATION, post=post)
    assert {d.channel.key for d in duties if d.channel} == {"county_a_weibo", "county_b_weibo"}
    duty = duties.get(channel__key="county_a_weibo")
    with pytest.raises(PermissionDenied):
        actions.mark_syndicated(duty, actor=person("xb_publisher"), link="https://x")
    actions.mark_syndicated(duty, actor=person("xa_publisher"), link="https://weibo.com/x/1")
    duty.refresh_from_db()
    assert duty.status == DeadlineStatus.MET
    with time_machine.travel(at + timedelta(minutes=31), tick=False):
        tick()
    other = duties.get(channel__key="county_b_weibo")
    assert other.status == DeadlineStatus.BREACHED


def test_an_ordinary_forecast_creates_no_county_duty() -> None:
    """W-06 applies to warnings only."""
    post = _published(timezone.now())
    tick()
    assert not Deadline.objects.filter(kind=DeadlineKind.SYNDICATION, post=post).exists()
