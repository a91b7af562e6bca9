"""W-11 corrections end to end through HTTP and the dispatcher: the Observatory (its
information officer or leader) sees the published posts made from its material and issues
a correction notice there; the publishing unit gets a task with a 10-minute deadline;
"make the correction" opens a correction post linked to the original, reviewed by the
pack's correction chain and published at once; publishing it closes the deadline as met
with the minutes taken (oversight reacts to publishing's ``post_published`` signal)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.content import actions as content
from guanwei.content.models import Post, PostStatus, Submission
from guanwei.notify.models import Notice
from guanwei.oversight.models import Deadline, DeadlineKind, DeadlineStatus
from guanwei.oversight.scheduler import tick
from guanwei.publishing import actions as publishing
from guanwei.publishing import dispatch
from guanwei.publishing.fakes import FakePlatforms, demo_settings, start_fakes
from guanwei.publishing.models import ChannelSettings, IntentStatus, PublishIntent
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun, WorkflowRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
TZ = ZoneInfo("Asia/Shanghai")
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"
FIXED = "明天多云转阴，有小雨，气温10到16摄氏度，偏北风4级。"


def _as(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def _published_from_observatory(
    at: datetime, title: str = "明日天气预报", account: str = "city_weibo"
) -> Post:
    """The observatory's material → the tech centre's post → approved → published."""
    item = content.submit_material(
        unit(W, "city_observatory"),
        actor=person("qxt_officer"),
        drop_box=unit(W, "city_tech_centre"),
        title=title,
        body=TEXT,
        source="市气象台",
    )
    wf.approve_step(
        StepRun.objects.get(run__submission=item, status="pending"), actor=person("qxt_leader")
    )
    item = Submission.objects.get(pk=item.pk)
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        materials=[item],
        title=title,
        body=TEXT,
        category="forecast",
        subtype="city_forecast",
        channels=[channel(W, account)],
        source="市气象台",
    )
    wf.submit_for_review(post, actor=person("kj_editor"))
    wf.approve_step(
        StepRun.objects.get(run__post=post, status="pending"), actor=person("kj_leader")
    )
    intents = publishing.schedule_post(post, actor=person("kj_publisher"))
    PublishIntent.objects.filter(pk__in=[i.pk for i in intents]).update(
        status=IntentStatus.PUBLISHED, due_at=at, published_at=at
    )
    content.mark_published(post, revision=post.current_revision)  # type: ignore[arg-type]
    post.refresh_from_db()
    return post


def _issue(post: Post, who: str = "qxt_officer", text: str = FIXED) -> Any:
    return _as(who).post(f"/oversight/posts/{post.pk}/correction/", {"text": text})


def test_w11_the_observatory_sees_its_published_post_and_only_it_gets_the_button() -> None:
    """W-11: the observatory's officer and leader see the published post made from their
    material (read-only) with the correction form; the publishing unit does not get the
    button (it may not issue corrections)."""
    post = _published_from_observatory(datetime(2026, 11, 26, 7, 30, tzinfo=TZ))
    for who in ("qxt_officer", "qxt_leader"):
        page = _as(who).get(f"/content/posts/{post.pk}/")
        assert page.status_code == 200, who
        html = page.content.decode()
        assert 'id="correction-form"' in html, who
        assert 'id="schedule-form"' not in html
        assert f"/content/posts/{post.pk}/edit/" not in html  # read-only
    for who in ("kj_publisher", "kj_leader", "kj_editor"):
        html = _as(who).get(f"/content/posts/{post.pk}/").content.decode()
        assert 'id="correction-form"' not in html, who
    # Another unit's information officer sees nothing.
    assert _as("bgs_officer").get(f"/content/posts/{post.pk}/").status_code == 404
    # The observatory finds it in 稿件 under "published from our material".
    listed = _as("qxt_officer").get("/content/posts/").content.decode()
    assert 'id="from-material"' in listed and f"/content/posts/{post.pk}/" in listed
    assert 'id="from-material"' not in _as("bgs_officer").get("/content/posts/").content.decode()


def test_w11_only_the_observatory_officer_or_leader_may_issue_a_correction() -> None:
    """W-11: the publisher and the publishing leader are refused; so is the observatory's
    expert (the pack names the officer and the leader)."""
    post = _published_from_observatory(datetime(2026, 11, 26, 7, 30, tzinfo=TZ))
    for who in ("kj_publisher", "kj_leader", "qxt_expert"):
        _issue(post, who)
        assert not Deadline.objects.filter(kind=DeadlineKind.CORRECTION).exists(), who
    _issue(post, "qxt_leader")
    assert Deadline.objects.filter(kind=DeadlineKind.CORRECTION, post=post).count() == 1


def test_w11_the_notice_names_the_post_and_the_corrected_text() -> None:
    """W-11: the publishing unit gets a task: an in-app notice naming the post, with the
    corrected text, and a 10-minute deadline (escalation at 5)."""
    issued = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
    with time_machine.travel(issued, tick=False):
        post = _published_from_observatory(datetime(2026, 11, 26, 7, 30, tzinfo=TZ))
        response = _issue(post)
    assert response.status_code == 302
    deadline = Deadline.objects.get(kind=DeadlineKind.CORRECTION, post=post)
    assert deadline.due_at == issued + timedelta(minutes=10)
    assert deadline.escalate_at == issued + timedelta(minutes=5)
    assert deadline.detail == FIXED
    notice = Notice.objects.get(user=person("kj_publisher"), title__contains="订正")
    assert post.title in notice.title and FIXED in notice.body
    # Empty text is refused with a message, and nothing is created.
    _issue(post, text="  ")
    assert Deadline.objects.filter(kind=DeadlineKind.CORRECTION).count() == 1


def test_w11_make_the_correction_opens_a_linked_post_reviewed_by_the_correction_chain() -> None:
    """W-11 (W-12 style): 做订正 opens a form prefilled from the original and the notice;
    saving makes a post that corrects the original, submitted at once to the pack's fast
    correction chain (still screened, still approved)."""
    post = _published_from_observatory(datetime(2026, 11, 26, 7, 30, tzinfo=TZ))
    _issue(post)
    deadline = Deadline.objects.get(kind=DeadlineKind.CORRECTION, post=post)
    publisher = _as("kj_publisher")
    html = publisher.get(f"/content/posts/{post.pk}/").content.decode()
    assert f"/oversight/corrections/{deadline.pk}/" in html  # the 做订正 button
    assert 'data-countdown="' in html  # the live countdown
    form = publisher.get(f"/oversight/corrections/{deadline.pk}/").content.decode()
    assert f"【订正】{post.title}" in form and FIXED in form
    # Someone outside the publishing unit may not make it.
    assert _as("qxt_officer").get(f"/oversight/corrections/{deadline.pk}/").status_code == 404
    response = publisher.post(
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
    assert response.status_code == 302, response.content.decode()[:2000]
    fix = Post.objects.get(corrects=post)
    assert response["Location"] == f"/content/posts/{fix.pk}/"
    assert fix.status == PostStatus.IN_REVIEW
    run = WorkflowRun.objects.get(post=fix)
    assert run.chain_key == "forecast_correction"
    # The original stays as it was: a published post is never revised.
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED and post.current_revision is not None
    assert post.current_revision.body == TEXT


@pytest.fixture
def fakes() -> Iterator[FakePlatforms]:
    platforms = start_fakes(publish_delay_s=0.2)
    try:
        yield platforms
    finally:
        platforms.stop()


def test_w11_the_published_correction_closes_the_deadline_as_met_with_the_minutes(
    fakes: FakePlatforms,
) -> None:
    """W-11: approved → published at once to the fake Weibo (real HTTP) → the deadline is
    met at that moment (no scheduler pass needed), with the minutes taken on record; the
    escalation at 5 minutes reached the leader's notices before."""
    ChannelSettings.objects.update_or_create(
        channel=channel(W, "city_weibo"),
        defaults={"values": {**demo_settings(fakes)["weibo"], "settle_seconds": "0"}},
    )
    issued = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
    with time_machine.travel(issued, tick=False) as clock:
        post = _published_from_observatory(datetime(2026, 11, 26, 7, 30, tzinfo=TZ))
        _issue(post)
        deadline = Deadline.objects.get(kind=DeadlineKind.CORRECTION, post=post)
        clock.move_to(issued + timedelta(minutes=5, seconds=10))
        tick()
        assert Notice.objects.filter(user=person("kj_leader"), title__contains="督办").exists()
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
        clock.move_to(issued + timedelta(minutes=7))
        wf.approve_step(
            StepRun.objects.get(run__post=fix, status="pending"), actor=person("kj_leader")
        )
        publishing.auto_schedule_due()  # W-12 style: an approved correction goes out now
        intent = PublishIntent.objects.get(post=fix)
        assert intent.due_at == issued + timedelta(minutes=7)
        claim = dispatch.claim_due("test", limit=10)
        for intent_id in claim.ids:
            dispatch.deliver(intent_id, claim.token)
        intent.refresh_from_db()
        assert intent.status == IntentStatus.PUBLISHED, intent.error_message
        deadline.refresh_from_db()
        assert deadline.status == DeadlineStatus.MET  # closed by the hook, not by tick()
        assert "7 分钟" in deadline.evidence
    met = AuditRecord.objects.get(action=AuditAction.DEADLINE_MET, object_id=str(deadline.pk))
    assert met.after is not None
    assert met.after["minutes_taken"] == 7
    assert met.after["correction"] == fix.pk


def _make_and_publish(post: Post, deadline: Deadline, at: datetime) -> Post:
    """做订正 → the fast chain's leader approves → out now on the fake Weibo at ``at``."""
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
    claim = dispatch.claim_due("test", limit=10)
    for intent_id in claim.ids:
        dispatch.deliver(intent_id, claim.token)
    assert PublishIntent.objects.get(post=fix).status == IntentStatus.PUBLISHED
    return fix


def test_w11_a_breached_correction_stays_on_the_task_list_until_it_is_published(
    fakes: FakePlatforms,
) -> None:
    """W-11: past 10 minutes and not yet corrected, the notice stays on the publishing
    unit's task list, the dashboard and the post page, marked 已超时 with the minutes
    overdue, and 做订正 is still offered; once the correction is published it shows as
    closed, breached, with the minutes taken."""
    ChannelSettings.objects.update_or_create(
        channel=channel(W, "city_weibo"),
        defaults={"values": {**demo_settings(fakes)["weibo"], "settle_seconds": "0"}},
    )
    issued = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
    with time_machine.travel(issued, tick=False) as clock:
        post = _published_from_observatory(datetime(2026, 11, 26, 7, 30, tzinfo=TZ))
        _issue(post)
        deadline = Deadline.objects.get(kind=DeadlineKind.CORRECTION, post=post)
        clock.move_to(issued + timedelta(minutes=13, seconds=5))
        tick()
        deadline.refresh_from_db()
        assert deadline.status == DeadlineStatus.BREACHED and deadline.closed_at is None
        publisher = _as("kj_publisher")
        tasks = publisher.get("/oversight/deadlines/").content.decode()
        assert f"订正《{post.title}》" in tasks, "the breached notice left the task list"
        assert "已超时 3 分钟" in tasks
        page = publisher.get(f"/content/posts/{post.pk}/").content.decode()
        assert "已超时 3 分钟" in page
        assert f"/oversight/corrections/{deadline.pk}/" in page  # 做订正 still offered
        board = publisher.get("/").content.decode()
        assert f"?d={deadline.pk}" in board and "已超时 3 分钟" in board
        clock.move_to(issued + timedelta(minutes=14))
        _make_and_publish(post, deadline, issued + timedelta(minutes=14))
        deadline.refresh_from_db()
        assert deadline.status == DeadlineStatus.BREACHED and deadline.closed_at is not None
        assert "用时 14 分钟" in deadline.evidence
        tasks = publisher.get("/oversight/deadlines/").content.decode()
        assert f"订正《{post.title}》" not in tasks  # closed: no longer a task
        page = publisher.get(f"/content/posts/{post.pk}/").content.decode()
        assert "已关闭" in page and "用时 14 分钟" in page and "已超时 3 分钟" not in page
        assert f"/oversight/corrections/{deadline.pk}/" not in page
    closed = AuditRecord.objects.filter(
        action=AuditAction.DEADLINE_BREACHED, object_id=str(deadline.pk)
    ).order_by("pk")
    assert closed.count() == 2 and closed.last().after["minutes_taken"] == 14  # type: ignore[union-attr, index]


def test_w11_the_observatory_is_told_of_escalation_breach_and_closure(
    fakes: FakePlatforms,
) -> None:
    """W-11: the unit that issued the correction hears, in its notices and in Chinese
    naming the post, when the notice escalates (5 min), breaches (10 min) and is closed;
    the escalation reaches the pack's escalate_to people (the tech centre's leader)."""
    ChannelSettings.objects.update_or_create(
        channel=channel(W, "city_weibo"),
        defaults={"values": {**demo_settings(fakes)["weibo"], "settle_seconds": "0"}},
    )
    issued = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
    officer = person("qxt_officer")
    with time_machine.travel(issued, tick=False) as clock:
        post = _published_from_observatory(datetime(2026, 11, 26, 7, 30, tzinfo=TZ))
        _issue(post)
        deadline = Deadline.objects.get(kind=DeadlineKind.CORRECTION, post=post)
        assert deadline.escalate_ids, "no one named to escalate to"
        clock.move_to(issued + timedelta(minutes=5, seconds=10))
        tick()
        for who in deadline.escalate_ids:
            assert Notice.objects.filter(user_id=who, title__contains="督办").exists()
        told = Notice.objects.filter(user=officer, title__contains=post.title)
        assert told.filter(title__contains="督办").exists(), list(told.values_list("title"))
        clock.move_to(issued + timedelta(minutes=10, seconds=30))
        tick()
        assert told.filter(title__contains="超时").exists(), list(told.values_list("title"))
        assert f"/content/posts/{post.pk}/" in told.filter(title__contains="超时").get().link
        clock.move_to(issued + timedelta(minutes=12))
        _make_and_publish(post, deadline, issued + timedelta(minutes=12))
        done = told.filter(title__contains="已发布")
        assert done.count() == 1, list(told.values_list("title"))
        assert "12 分钟" in done.get().body


def test_w11_the_observatory_is_told_when_its_correction_is_met(fakes: FakePlatforms) -> None:
    """W-11: a correction published in time tells the issuing unit, naming the post."""
    ChannelSettings.objects.update_or_create(
        channel=channel(W, "city_weibo"),
        defaults={"values": {**demo_settings(fakes)["weibo"], "settle_seconds": "0"}},
    )
    issued = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
    with time_machine.travel(issued, tick=False) as clock:
        post = _published_from_observatory(datetime(2026, 11, 26, 7, 30, tzinfo=TZ))
        _issue(post, who="qxt_leader")
        deadline = Deadline.objects.get(kind=DeadlineKind.CORRECTION, post=post)
        clock.move_to(issued + timedelta(minutes=4))
        _make_and_publish(post, deadline, issued + timedelta(minutes=4))
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MET
    notice = Notice.objects.get(user=person("qxt_leader"), title__contains="已发布")
    assert post.title in notice.title and "按时" in notice.body + notice.title


def test_w11_the_dashboard_shows_how_our_material_was_published() -> None:
    """W-11: the provider unit's officer / leader has a clear entry on the dashboard,
    本单位素材的发布情况: the posts made from their unit's material with the status in
    Chinese, a published one linked to its read-only page (where 发布订正通知 shows);
    only their own unit's material."""
    post = _published_from_observatory(datetime(2026, 11, 26, 7, 30, tzinfo=TZ))
    other = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="不是气象台素材的稿件",
        body="今天多云。",
        category="forecast",
        subtype="city_forecast",
        channels=[channel(W, "city_weibo")],
    )
    for who in ("qxt_officer", "qxt_leader"):
        html = _as(who).get("/").content.decode()
        assert 'id="material-posts"' in html and "本单位素材的发布情况" in html, who
        assert f'href="/content/posts/{post.pk}/"' in html and "已发布" in html, who
        assert other.title not in html, who
        page = _as(who).get(f"/content/posts/{post.pk}/").content.decode()
        assert 'id="correction-form"' in page, who
    html = _as("bgs_officer").get("/").content.decode()
    assert post.title not in html


def test_w11_a_correction_of_a_post_with_a_full_length_title_is_issued() -> None:
    """W-11: the deadline's title is 订正《…》 around the post's title; a post's title may
    take all its 200 characters, the deadline's title has 200 too — on PostgreSQL the
    notice was refused ("value too long") and no deadline ran."""
    title = ("明日天气预报" * 40)[:200]
    post = _published_from_observatory(
        datetime(2026, 11, 26, 7, 30, tzinfo=TZ), title=title, account="city_website"
    )
    assert len(post.title) == 200
    response = _issue(post)
    assert response.status_code == 302
    deadline = Deadline.objects.get(kind=DeadlineKind.CORRECTION, post=post)
    assert deadline.title.startswith("订正《明日天气预报")
    assert len(deadline.title) <= Deadline._meta.get_field("title").max_length  # type: ignore[operator]
