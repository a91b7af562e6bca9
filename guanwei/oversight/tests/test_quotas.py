"""Update quotas and the weekly batch (REQ W-13, R-03, E-04, T-01, T-02)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from guanwei.content import actions as content
from guanwei.notify.models import Notice
from guanwei.oversight.models import Deadline, DeadlineKind, DeadlineStatus
from guanwei.oversight.scheduler import tick
from guanwei.publishing import actions as publishing
from guanwei.publishing.models import IntentStatus, PublishIntent
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
R = "demo_real_estate"
THURSDAY = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)


# each column is written by its owning department
WRITERS = {"industry_news": ("admin_commerce", "re_zz_member2")}


def _column_post(column: str, due: datetime, *, publish: bool) -> None:
    unit_key, author = WRITERS.get(column, ("investment_planning", "re_ch_editor"))
    post = content.create_post(
        unit(R, unit_key),
        actor=person(author),
        title=f"{column} {due:%m%d}",
        body=f"介绍一座获奖的创意建筑（{due:%m月%d日}）。",
        category="column",
        column=column,
        channels=[channel(R, "company_weibo")],
    )
    wf.submit_for_review(post, actor=person(author))
    wf.approve_step(
        StepRun.objects.get(run__post=post, status="pending"), actor=person("re_zz_leader")
    )
    intents = publishing.schedule_post(post, actor=person("re_zz_member1"), at=due)
    if publish:
        PublishIntent.objects.filter(pk__in=[i.pk for i in intents]).update(
            status=IntentStatus.PUBLISHED, published_at=due
        )


def _deadline(**kw: Any) -> Deadline:
    return Deadline.objects.get(channel=channel(R, "company_weibo"), **kw)


def test_a_daily_column_quota_is_met_by_a_published_post() -> None:
    """R-03: #行业资讯# at least one a day."""
    with time_machine.travel(THURSDAY, tick=False):
        tick()
        _column_post("industry_news", THURSDAY + timedelta(hours=1), publish=True)
    with time_machine.travel(THURSDAY + timedelta(hours=2), tick=False):
        tick()
    assert _deadline(rule="industry_news_daily").status == DeadlineStatus.MET


def test_a_missed_daily_quota_is_warned_then_breached() -> None:
    """R-03: a warning in the afternoon, a breach after midnight."""
    with time_machine.travel(THURSDAY, tick=False):
        tick()
    with time_machine.travel(THURSDAY.replace(hour=17), tick=False):
        tick()
    assert Notice.objects.filter(title__contains="#行业资讯#").exists()
    with time_machine.travel(THURSDAY + timedelta(days=1), tick=False):
        tick()
    assert _deadline(rule="industry_news_daily", key__endswith="2026-11-26").status == (
        DeadlineStatus.BREACHED
    )


def test_the_friday_batch_covers_every_day_of_next_week() -> None:
    """R-03: #创意建筑# — by Friday, next week's posts (Mon-Sun), one a day."""
    with time_machine.travel(THURSDAY, tick=False):
        tick()
        monday = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)
        for day in range(6):  # Sunday missing
            _column_post("creative_architecture", monday + timedelta(days=day), publish=False)
        tick()
    batch = _deadline(kind=DeadlineKind.BATCH)
    assert batch.status == DeadlineStatus.OPEN
    with time_machine.travel(datetime(2026, 11, 28, 0, 1, tzinfo=TZ), tick=False):
        tick()
    batch.refresh_from_db()
    assert batch.status == DeadlineStatus.BREACHED and "12-06" in batch.evidence


def test_edu_work_day_quota_follows_the_official_calendar() -> None:
    """E-04: three posts on a work day; 2026-10-10 was an adjusted working Saturday (the
    rest-day quotas opened ahead are for the rest days after it, not for the 10th)."""
    with time_machine.travel(datetime(2026, 10, 10, 9, 0, tzinfo=TZ), tick=False):
        tick()
    keys = set(
        Deadline.objects.filter(
            channel__organisation__key="demo_edu_software",
            kind=DeadlineKind.QUOTA,
            key__endswith="2026-10-10",
        ).values_list("rule", flat=True)
    )
    assert "work_day" in keys and "rest_day" not in keys


def test_weather_other_categories_weekly_quota() -> None:
    """W-13: at least 6 posts a week in the other categories, warned on Friday."""
    with time_machine.travel(THURSDAY, tick=False):
        tick()
    weekly = Deadline.objects.get(
        channel=channel("demo_weather", "city_weibo"), rule="other_categories_weekly"
    )
    assert weekly.due_at.date() == datetime(2026, 11, 29).date()
    with time_machine.travel(datetime(2026, 11, 27, 9, 30, tzinfo=TZ), tick=False):
        tick()
    weekly.refresh_from_db()
    assert weekly.reminded_at is not None
