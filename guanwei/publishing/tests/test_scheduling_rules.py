"""Scheduling rules of the edu-software and real-estate packs (issue 10 §5: E-04 limits,
windows and time-machine rest days; the default that follows the pack; holidays)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from guanwei.content import actions as content
from guanwei.content.models import Post
from guanwei.orgs.errors import InvalidChange
from guanwei.oversight.models import Deadline
from guanwei.oversight.scheduler import tick
from guanwei.publishing import actions
from guanwei.publishing.calendar import is_workday, year_known
from guanwei.publishing.models import IntentStatus, PublishIntent
from guanwei.testing.personas import channel, org, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
E = "demo_edu_software"
R = "demo_real_estate"
WEDNESDAY = datetime(2026, 12, 2, 7, 0, tzinfo=TZ)  # a work day


def _edu_approved(n: int = 0) -> Post:
    post = content.create_post(
        unit(E, "operations"),
        actor=person("edu_yy_editor"),
        title=f"家校共育小贴士 {n}",
        body=f"孩子放学回家后，家长可以先听孩子讲讲今天学到了什么（第{n}条）。",
        category="education",
        subtype="home_school",
        channels=[channel(E, "official_weibo")],
    )
    wf.submit_for_review(post, actor=person("edu_yy_editor"))
    wf.approve_step(
        StepRun.objects.get(run__post=post, status="pending"),
        actor=person("edu_yy_lead"),
        acknowledge_hits=True,  # no picture: a review hint (E-01)
    )
    post.refresh_from_db()
    return post


def _re_approved() -> Post:
    post = content.create_post(
        unit(R, "admin_commerce"),
        actor=person("re_zz_member2"),
        title="行业资讯",
        body="#行业资讯# 本月全市新建商品住宅成交面积环比上升。",
        category="column",
        column="industry_news",
        channels=[channel(R, "company_weibo")],
    )
    wf.submit_for_review(post, actor=person("re_zz_member2"))
    wf.approve_step(
        StepRun.objects.get(run__post=post, status="pending"), actor=person("re_zz_leader")
    )
    post.refresh_from_db()
    return post


def test_e04_the_maximum_of_ten_refuses_the_eleventh_post_of_a_work_day() -> None:
    """E-04: at most 10 posts on a work day; the 11th is refused with the count shown."""
    with time_machine.travel(WEDNESDAY, tick=False):
        for i in range(10):
            actions.schedule_post(
                _edu_approved(i),
                actor=person("edu_yy_operator"),
                at=WEDNESDAY.replace(hour=9) + timedelta(minutes=20 * i),
            )
        with pytest.raises(InvalidChange, match="已安排 10 条"):
            actions.schedule_post(
                _edu_approved(11),
                actor=person("edu_yy_operator"),
                at=WEDNESDAY.replace(hour=21),
            )
    assert PublishIntent.objects.filter(channel=channel(E, "official_weibo")).count() == 10


def test_e04_the_soft_maximum_of_five_warns_at_scheduling_with_the_count() -> None:
    """E-04: the 6th post of a work day is scheduled, with a warning that shows the count."""
    operator = Client()
    with time_machine.travel(WEDNESDAY, tick=False):
        operator.force_login(person("edu_yy_operator"))
        for i in range(5):
            actions.schedule_post(
                _edu_approved(i),
                actor=person("edu_yy_operator"),
                at=WEDNESDAY.replace(hour=9) + timedelta(minutes=10 * i),
            )
        sixth = _edu_approved(6)
        response = operator.post(
            f"/publishing/posts/{sixth.pk}/schedule/",
            {
                "when": "at",
                "at": "2026-12-02T20:30",
                "channels": [channel(E, "official_weibo").pk],
            },
        )
        assert response.status_code == 302
        page = operator.get(response["Location"]).content.decode()
    said = page.split('class="messages"')[1].split("</ul>")[0]
    assert "第 6 条" in said and "建议的每日 5 条" in said, said
    assert PublishIntent.objects.filter(post=sixth).count() == 1


def test_e04_the_evening_window_runs_to_23_59() -> None:
    """E-04: after 21:00 the next free time is still in the evening window (20:00-23:59),
    not 09:00 the next morning."""
    with time_machine.travel(WEDNESDAY.replace(hour=21, minute=5), tick=False):
        [intent] = actions.schedule_post(
            _edu_approved(), actor=person("edu_yy_operator"), next_slot=True
        )
    local = intent.due_at.astimezone(TZ)
    assert local.date() == WEDNESDAY.date() and local.hour >= 21, local
    assert intent.slot == "evening_window"


def test_e04_windows_in_the_packs_words_and_peaks_as_hints_on_the_schedule_panel() -> None:
    """E-04: the schedule panel names the pack's windows with their span and the Weibo
    peaks as hints; the choice is the next free time in a preferred window."""
    with time_machine.travel(WEDNESDAY, tick=False):
        post = _edu_approved()
        c = Client()
        c.force_login(person("edu_yy_operator"))
        page = c.get(f"/content/posts/{post.pk}/").content.decode()
    assert "晚间发送时段 20:00–23:59" in page
    assert "上午高峰 09:00–10:00" in page and "下午高峰 16:00–18:00" in page
    assert "下一个空闲时段" not in page


def test_e04_the_daily_quota_shows_progress_n_of_3() -> None:
    """E-04: the deadlines page shows how far the day's quota is (1/3)."""
    with time_machine.travel(WEDNESDAY, tick=False):
        tick()
        [intent] = actions.schedule_post(
            _edu_approved(), actor=person("edu_yy_operator"), at=WEDNESDAY.replace(hour=9)
        )
        PublishIntent.objects.filter(pk=intent.pk).update(
            status=IntentStatus.PUBLISHED, published_at=WEDNESDAY.replace(hour=9)
        )
        c = Client()
        c.force_login(person("edu_yy_lead"))
        page = c.get("/oversight/deadlines/").content.decode()
    row = page.split("工作日每日3-10条")[1].split("</tr>")[0]
    assert "1/3" in row, row


def test_e04_time_machine_posts_for_a_rest_day_are_counted_ahead_of_the_day() -> None:
    """E-04: on Friday the operator schedules Saturday's three posts (时光机); Saturday's
    quota shows 3/3 and is met before Saturday comes."""
    friday = datetime(2026, 12, 4, 10, 0, tzinfo=TZ)
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=TZ)
    assert not is_workday(saturday.date(), organisation_id=org(E).pk)
    with time_machine.travel(friday, tick=False):
        for i in range(3):
            actions.schedule_post(
                _edu_approved(i),
                actor=person("edu_yy_operator"),
                at=saturday + timedelta(hours=i),
            )
        tick()
        rest = Deadline.objects.get(
            channel=channel(E, "official_weibo"), rule="rest_day", key__endswith="2026-12-05"
        )
    assert rest.status == "met" and "3/3" in rest.evidence


def test_e04_a_pack_without_slots_does_not_default_to_the_next_free_slot() -> None:
    """The real-estate pack has no slots: the form offers a time (and now), never the
    next free slot that would always be refused; the default follows the pack."""
    post = _re_approved()
    c = Client()
    c.force_login(person("re_zz_member1"))
    page = c.get(f"/content/posts/{post.pk}/").content.decode()
    form = page.split('id="schedule-form"')[1].split("</form>")[0]
    assert 'value="next_slot"' not in form
    assert 'value="at" checked' in form or 'value="at"\n' in form or "checked" in form
    refused = c.post(
        f"/publishing/posts/{post.pk}/schedule/",
        {"when": "next_slot", "channels": [channel(R, "company_weibo").pk]},
    )
    assert refused.status_code == 400
    assert "未来两周没有空闲的发布时段" not in refused.content.decode()


def test_e04_one_entered_rest_day_does_not_complete_the_year() -> None:
    """Holidays: entering 2027-01-01 leaves 2027 incomplete (the banner stays, the page
    tells entered days from built-in years) until the administrator says it is complete."""
    admin = Client()
    admin.force_login(person("edu_admin"))
    admin.post("/publishing/holidays/", {"day": "2027-01-01", "workday": "0", "note": "元旦"})
    o = {"organisation_id": org(E).pk}
    assert not year_known(2027, **o)
    page = admin.get("/publishing/holidays/").content.decode()
    assert "已内置" in page.split("2026")[1].split("</li>")[0]
    row2027 = page.split("2027：")[1].split("</li>")[0]
    assert "已内置" not in row2027 and "已录入 1 天" in row2027
    week = admin.get("/publishing/calendar/?week=2027-W06").content.decode()
    assert "2027" in week.split('class="error"')[1].split("</p>")[0]
    admin.post("/publishing/holidays/complete/", {"year": "2027"})
    assert year_known(2027, **o)
    page = admin.get("/publishing/holidays/").content.decode()
    assert "本单位录入" in page.split("2027：")[1].split("</li>")[0]


def test_e04_preferred_windows_are_not_w10_slot_deadlines() -> None:
    """E-04: the edu pack's windows are preferred times, not mandatory slots: no "slot"
    deadline (W-10, the weather bureau's forecasts) is opened for them."""
    with time_machine.travel(WEDNESDAY, tick=False):
        tick()
    assert not Deadline.objects.filter(channel=channel(E, "official_weibo"), kind="slot").exists()
    assert Deadline.objects.filter(channel__organisation__key="demo_weather", kind="slot").exists()


FRIDAY = datetime(2026, 12, 4, 10, 0, tzinfo=TZ)
SATURDAY = datetime(2026, 12, 5, 10, 0, tzinfo=TZ)  # a rest day


def _rest_day_row(c: Client) -> str:
    """Saturday's rest-day quota on the deadlines page (every status)."""
    page = c.get("/oversight/deadlines/?status=all").content.decode()
    rows = [r for r in page.split("<tr ")[1:] if "休息日每日3条" in r and "12-05" in r]
    assert len(rows) == 1, rows
    return rows[0].split("</tr>")[0]


def test_e04_cancelling_a_time_machine_post_releases_its_count() -> None:
    """E-04 (issue 10 §5): on Friday the operator schedules Saturday's three posts; the
    rest-day quota is met ahead (3/3). He cancels one on the post page: Saturday's quota is
    open again and shows 2/3 on the deadlines page, and a new third post may be scheduled
    (the rest-day maximum of 3 counts two)."""
    operator, lead = Client(), Client()
    with time_machine.travel(FRIDAY, tick=False):
        operator.force_login(person("edu_yy_operator"))
        lead.force_login(person("edu_yy_lead"))
        intents = [
            actions.schedule_post(
                _edu_approved(i), actor=person("edu_yy_operator"), at=SATURDAY + timedelta(hours=i)
            )[0]
            for i in range(3)
        ]
        tick()
        row = _rest_day_row(lead)
        assert "已安排 3/3 条" in row and "status-met" in row, row
        fourth = _edu_approved(4)
        refused = operator.post(
            f"/publishing/posts/{fourth.pk}/schedule/",
            {"when": "at", "at": "2026-12-05T20:30", "channels": [channel(E, "official_weibo").pk]},
        )
        assert "已安排 3 条" in refused.content.decode()
        cancelled = operator.post(f"/publishing/intents/{intents[1].pk}/cancel/")
        assert cancelled.status_code == 302
        row = _rest_day_row(lead)
        assert "2/3" in row and "status-open" in row, row
        tick()
        row = _rest_day_row(lead)
        assert "2/3" in row and "status-open" in row, row
        again = operator.post(
            f"/publishing/posts/{fourth.pk}/schedule/",
            {"when": "at", "at": "2026-12-05T20:30", "channels": [channel(E, "official_weibo").pk]},
        )
        assert again.status_code == 302, again.content.decode()[:2000]
        tick()
        row = _rest_day_row(lead)
        assert "已安排 3/3 条" in row and "status-met" in row, row


def test_e04_moving_a_time_machine_post_to_another_day_releases_its_count() -> None:
    """E-04: one of Saturday's three posts is rescheduled to Monday on its post page
    (its waiting intent is moved): Saturday's quota is open again at 2/3."""
    operator, lead = Client(), Client()
    with time_machine.travel(FRIDAY, tick=False):
        operator.force_login(person("edu_yy_operator"))
        lead.force_login(person("edu_yy_lead"))
        posts = [_edu_approved(i) for i in range(3)]
        for i, post in enumerate(posts):
            actions.schedule_post(
                post, actor=person("edu_yy_operator"), at=SATURDAY + timedelta(hours=i)
            )
        tick()
        assert "status-met" in _rest_day_row(lead)
        moved = operator.post(
            f"/publishing/posts/{posts[0].pk}/schedule/",
            {"when": "at", "at": "2026-12-07T09:10", "channels": [channel(E, "official_weibo").pk]},
        )
        assert moved.status_code == 302, moved.content.decode()[:2000]
        tick()
        row = _rest_day_row(lead)
        assert "2/3" in row and "status-open" in row, row


def test_e04_the_schedule_form_refuses_the_eleventh_and_counts_again_after_a_cancel() -> None:
    """E-04 on the post page: the 11th post of a work day is refused once, with the count;
    the operator cancels one of the ten, and the same post is then scheduled with the
    soft-maximum warning counting ten (the cancelled one is no longer counted)."""
    operator = Client()
    with time_machine.travel(WEDNESDAY, tick=False):
        operator.force_login(person("edu_yy_operator"))
        intents = [
            actions.schedule_post(
                _edu_approved(i),
                actor=person("edu_yy_operator"),
                at=WEDNESDAY.replace(hour=9) + timedelta(minutes=20 * i),
            )[0]
            for i in range(10)
        ]
        eleventh = _edu_approved(11)
        form = {
            "when": "at",
            "at": "2026-12-02T21:00",
            "channels": [channel(E, "official_weibo").pk],
        }
        refused = operator.post(f"/publishing/posts/{eleventh.pk}/schedule/", form)
        assert refused.status_code == 400
        page = refused.content.decode()
        assert page.count("已安排 10 条") == 1 and "上限 10 条" in page
        assert operator.post(f"/publishing/intents/{intents[3].pk}/cancel/").status_code == 302
        done = operator.post(f"/publishing/posts/{eleventh.pk}/schedule/", form)
        assert done.status_code == 302
        said = operator.get(done["Location"]).content.decode()
    said = said.split('class="messages"')[1].split("</ul>")[0]
    assert "第 10 条" in said and "建议的每日 5 条" in said, said
    assert PublishIntent.objects.filter(post=eleventh).count() == 1


def test_e04_a_time_machine_post_that_fails_reopens_the_rest_days_quota_at_the_next_pass() -> None:
    """E-04: one of Saturday's three scheduled posts fails for good on Saturday morning; the
    quota met ahead is open again at the scheduler's next pass (2/3), so it can still be
    made up that day and is breached at midnight if not."""
    lead = Client()
    with time_machine.travel(FRIDAY, tick=False):
        lead.force_login(person("edu_yy_lead"))
        intents = [
            actions.schedule_post(
                _edu_approved(i), actor=person("edu_yy_operator"), at=SATURDAY + timedelta(hours=i)
            )[0]
            for i in range(3)
        ]
        tick()
        assert "status-met" in _rest_day_row(lead)
    with time_machine.travel(SATURDAY + timedelta(minutes=5), tick=False):
        PublishIntent.objects.filter(pk=intents[0].pk).update(status=IntentStatus.FAILED)
        tick()
        lead.force_login(person("edu_yy_lead"))  # a new day, a new session
        row = _rest_day_row(lead)
    assert "2/3" in row and "status-open" in row, row
