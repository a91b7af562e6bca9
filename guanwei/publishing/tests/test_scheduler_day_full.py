"""E-04 and the scheduler (redfix review): a planned post the scheduler cannot put on its
day because the day's maximum is reached is not skipped silently; its editor and reviewer
are told the true reason, the post page shows it, and it never expires as "approved after
the planned time"."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from guanwei.content import actions as content
from guanwei.content.models import Post, PostStatus
from guanwei.notify.models import Notice
from guanwei.publishing import actions
from guanwei.publishing.models import PublishIntent
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
E = "demo_edu_software"
WEDNESDAY = datetime(2026, 12, 2, 7, 0, tzinfo=TZ)  # a work day: at most 10 posts


def _edu_approved(n: int, planned_at: datetime | None = None) -> Post:
    post = content.create_post(
        unit(E, "operations"),
        actor=person("edu_yy_editor"),
        title=f"家校共育小贴士 {n}",
        body=f"孩子放学回家后，家长可以先听孩子讲讲今天学到了什么（第{n}条）。",
        category="education",
        subtype="home_school",
        channels=[channel(E, "official_weibo")],
        planned_at=planned_at,
    )
    wf.submit_for_review(post, actor=person("edu_yy_editor"))
    wf.approve_step(
        StepRun.objects.get(run__post=post, status="pending"),
        actor=person("edu_yy_lead"),
        acknowledge_hits=True,
    )
    post.refresh_from_db()
    return post


def test_e04_the_scheduler_tells_why_a_planned_post_did_not_go_on_a_full_day() -> None:
    """E-04: ten posts fill the Wednesday; the 11th, planned for 21:00, is not scheduled;
    its editor is told the day's maximum is reached (with the count), the post page says so,
    and after 21:00 nothing claims it was approved too late."""
    with time_machine.travel(WEDNESDAY, tick=False) as clock:
        for i in range(10):
            actions.schedule_post(
                _edu_approved(i),
                actor=person("edu_yy_operator"),
                at=WEDNESDAY.replace(hour=9) + timedelta(minutes=20 * i),
            )
        post = _edu_approved(11, planned_at=WEDNESDAY.replace(hour=21))
        actions.auto_schedule_due()
        assert not PublishIntent.objects.filter(post=post).exists()
        told = Notice.objects.filter(user=person("edu_yy_editor"), link__contains=f"/{post.pk}/")
        assert any("已达" in n.body and "上限" in n.body for n in told), [n.body for n in told]
        c = Client()
        c.force_login(person("edu_yy_editor"))
        page = c.get(f"/content/posts/{post.pk}/").content.decode()
        assert "已安排 10 条" in page
        clock.move_to(WEDNESDAY.replace(hour=22))
        actions.auto_schedule_due()
        post.refresh_from_db()
        assert post.status == PostStatus.EXPIRED
        bodies = [n.body for n in Notice.objects.filter(link__contains=f"/{post.pk}/")]
        assert not any("审核通过时已超过" in b for b in bodies), bodies
        page = c.get(f"/content/posts/{post.pk}/").content.decode()
        assert "审核通过时已超过" not in page
        assert "The approval came after the planned time" not in page
        assert "审核通过时已过计划发布时间" not in page
