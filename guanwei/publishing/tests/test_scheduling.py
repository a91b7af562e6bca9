"""Scheduling approved posts into slots (REQ W-10, W-12, E-04, R-03, X-03; invariant 1)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from guanwei.content import actions as content
from guanwei.content.models import Post, PostStatus
from guanwei.notify.models import Notice
from guanwei.orgs.errors import InvalidChange
from guanwei.publishing import actions
from guanwei.publishing.calendar import is_workday, year_known
from guanwei.publishing.models import CalendarDay, IntentStatus, PublishIntent
from guanwei.testing.personas import channel, org, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
TZ = ZoneInfo("Asia/Shanghai")
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"


def _approved(planned_at: datetime | None = None, **extra: Any) -> Post:
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="天气预报",
        body=TEXT,
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
        planned_at=planned_at,
        **extra,
    )
    wf.submit_for_review(post, actor=person("kj_editor"))
    wf.approve_step(
        StepRun.objects.get(run__post=post, status="pending"), actor=person("kj_leader")
    )
    post.refresh_from_db()
    return post


def test_it_refuses_to_schedule_an_unapproved_post() -> None:
    """Invariant 1: only the approved current revision may be scheduled."""
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="草稿",
        body=TEXT,
        category="forecast",
        channels=[channel(W, "city_weibo")],
    )
    with pytest.raises(InvalidChange, match="审核通过"):
        actions.schedule_post(post, actor=person("kj_publisher"), next_slot=True)


def test_it_puts_a_forecast_into_the_next_free_slot() -> None:
    """W-10: forecasts at 07:30 and 17:00; two posts take the next two free slots."""
    with time_machine.travel(datetime(2026, 11, 26, 6, 0, tzinfo=TZ), tick=False):
        first = actions.schedule_post(_approved(), actor=person("kj_publisher"), next_slot=True)
        second = actions.schedule_post(_approved(), actor=person("kj_publisher"), next_slot=True)
    assert first[0].due_at == datetime(2026, 11, 26, 7, 30, tzinfo=TZ)
    assert first[0].slot == "morning"
    assert second[0].due_at == datetime(2026, 11, 26, 10, 30, tzinfo=TZ)  # optional 10:30


def test_it_schedules_each_revision_and_channel_once() -> None:
    """X-03: one intent per (revision, channel): scheduling again moves the waiting one;
    once it is under way or out, it is refused."""
    post = _approved()
    [first] = actions.schedule_post(post, actor=person("kj_publisher"))
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    [again] = actions.schedule_post(post, actor=person("kj_publisher"))
    assert again.pk == first.pk
    PublishIntent.objects.filter(pk=first.pk).update(status=IntentStatus.PUBLISHED)
    with pytest.raises(InvalidChange, match="不会重复发布"):
        actions.schedule_post(post, actor=person("kj_publisher"))
    assert PublishIntent.objects.filter(post=post).count() == 1


def test_an_approved_post_with_a_planned_time_is_scheduled_by_the_scheduler() -> None:
    """W-10: approved at 07:25 for 07:30 → an intent due at 07:30:00."""
    with time_machine.travel(datetime(2026, 11, 26, 7, 25, tzinfo=TZ), tick=False):
        post = _approved(planned_at=datetime(2026, 11, 26, 7, 30, tzinfo=TZ))
        assert actions.auto_schedule_due() == 1
    intent = PublishIntent.objects.get(post=post)
    assert intent.due_at == datetime(2026, 11, 26, 7, 30, tzinfo=TZ)
    assert intent.status == IntentStatus.SCHEDULED


def test_a_late_approval_expires_the_post_and_tells_people() -> None:
    """X-04, issue 5 §3: approval after the slot → expired, editor and reviewer told, one click
    to reschedule keeps the approval."""
    with time_machine.travel(datetime(2026, 11, 26, 7, 0, tzinfo=TZ), tick=False) as clock:
        post = content.create_post(
            unit(W, "city_tech_centre"),
            actor=person("kj_editor"),
            title="天气预报",
            body=TEXT,
            category="forecast",
            channels=[channel(W, "city_weibo")],
            source="市气象台",
            planned_at=datetime(2026, 11, 26, 7, 30, tzinfo=TZ),  # written in time
        )
        wf.submit_for_review(post, actor=person("kj_editor"))
        clock.move_to(datetime(2026, 11, 26, 8, 0, tzinfo=TZ))  # approved too late
        wf.approve_step(
            StepRun.objects.get(run__post=post, status="pending"), actor=person("kj_leader")
        )
        actions.auto_schedule_due()
        post.refresh_from_db()
        assert post.status == PostStatus.EXPIRED
        assert not PublishIntent.objects.filter(post=post).exists()
        told = set(
            Notice.objects.filter(title__contains="已过期").values_list("user__username", flat=True)
        )
        assert {"kj_editor", "kj_leader"} <= told
        intents = actions.reschedule_expired(post, actor=person("kj_publisher"), next_slot=True)
    assert intents[0].due_at == datetime(2026, 11, 26, 10, 30, tzinfo=TZ)


def test_an_edit_after_scheduling_cancels_at_delivery_time() -> None:
    """Invariant 1: an edit after scheduling reopens review; even an intent the edit could
    not cancel (claimed behind its back) is refused by the dispatcher at the last moment,
    and nothing is sent."""
    from guanwei.publishing import dispatch
    from guanwei.workflow.queries import publishable_revision

    post = _approved()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    content.revise_post(post, actor=person("kj_editor"), body=TEXT + "更新")
    assert publishable_revision(post) is None
    # As if the edit had raced a dispatcher's claim: the intent is claimed again.
    PublishIntent.objects.filter(pk=intent.pk).update(
        status=IntentStatus.CLAIMED, lease_owner="t:1"
    )
    sent: list[object] = []

    def send(jobs: list[Any]) -> list[Any]:
        sent.extend(jobs)
        return []

    result = dispatch.deliver_batch([intent.pk], "t:1", send=send)
    assert sent == []
    assert result == {intent.pk: IntentStatus.CANCELLED}
    intent.refresh_from_db()
    assert intent.error_code == "not_approved"


def test_rest_days_follow_the_official_calendar_with_overrides() -> None:
    """E-04: 2026-10-10 (Saturday) was an adjusted working day; 2027 is unknown to the
    library and falls back to Mon-Fri until an administrator has entered it in full and
    said so (one entered day does not complete the year, issue 10 §5)."""
    w = {"organisation_id": org(W).pk}
    assert is_workday(date(2026, 10, 10), **w) and not is_workday(date(2026, 10, 1), **w)
    assert not year_known(2027, **w)
    assert not is_workday(date(2027, 1, 2), **w)  # a Saturday by the fallback
    CalendarDay.objects.create(**w, day=date(2027, 1, 1), workday=False, note="元旦")
    assert not is_workday(date(2027, 1, 1), **w) and not year_known(2027, **w)
    actions.complete_calendar_year(actor=person("gw_admin"), year=2027, **w)
    assert year_known(2027, **w)


def test_the_calendar_page_and_ical_export() -> None:
    """W-10, R-03: the week shows slots and scheduled posts; the iCalendar file lists them."""
    post = _approved()
    actions.schedule_post(post, actor=person("kj_publisher"), next_slot=True)
    c = Client()
    c.force_login(person("kj_publisher"))
    body = c.get("/publishing/calendar/").content.decode()
    by_unit = c.get(f"/publishing/calendar/?unit={unit(W, 'city_tech_centre').pk}").content
    rows = by_unit.decode().split('id="calendar"')[1]
    assert "<th>市气象局官方微博</th>" in rows and "<th>甲县气象局官方微博</th>" not in rows
    assert "早间预报" in body or "傍晚预报" in body
    assert "天气预报" in body
    month = c.get("/publishing/calendar/?view=month").content.decode()
    assert 'id="calendar"' in month
    ics = c.get("/publishing/calendar.ics").content.decode()
    assert "BEGIN:VCALENDAR" in ics and "市气象局官方微博：天气预报" in ics


def test_the_schedule_form_on_the_post_page() -> None:
    """W-10: a publisher schedules from the post page."""
    post = _approved()
    c = Client()
    c.force_login(person("kj_publisher"))
    page = c.get(f"/content/posts/{post.pk}/").content.decode()
    assert 'id="schedule-form"' in page
    response = c.post(
        f"/publishing/posts/{post.pk}/schedule/",
        {
            "when": "at",
            "at": (datetime.now(TZ) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "channels": [channel(W, "city_weibo").pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert PublishIntent.objects.filter(post=post).count() == 1


def test_special_weather_is_published_at_once_after_its_emergency_approval() -> None:
    """W-12: the fast path is still screened and approved, then goes out immediately."""
    post = _approved(emergency=True)
    assert post.runs.get().chain_key == "special_weather"
    assert actions.auto_schedule_due() == 1
    intent = PublishIntent.objects.get(post=post)
    assert intent.status == IntentStatus.SCHEDULED
    assert (intent.due_at - datetime.now(TZ)).total_seconds() < 5


def test_only_rule_keepers_enter_holidays() -> None:
    """E-04: the holiday calendar is set-up data; an editor cannot change it."""
    editor, admin = Client(), Client()
    editor.force_login(person("kj_editor"))
    admin.force_login(person("gw_admin"))
    editor.post("/publishing/holidays/", {"day": "2027-02-08", "workday": "0", "note": "春节"})
    assert not CalendarDay.objects.filter(day=date(2027, 2, 8)).exists()
    admin.post("/publishing/holidays/", {"day": "2027-02-08", "workday": "0", "note": "春节"})
    assert not is_workday(date(2027, 2, 8), organisation_id=org(W).pk)
