"""The publishing panel shows only what the person can do now (W-10, X-03, issue #8 §3):
no schedule form beside a send that is under way or waiting; it returns once the send is
cancelled or has failed. A waiting send offers 立即发布 and 取消 on its own row."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from guanwei.content import actions as content
from guanwei.content.models import Post
from guanwei.publishing import actions
from guanwei.publishing.models import IntentStatus, PublishIntent
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
TZ = ZoneInfo("Asia/Shanghai")
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"


def _approved() -> Post:
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="天气预报",
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


def _page(post: Post) -> str:
    c = Client()
    c.force_login(person("kj_publisher"))
    return c.get(f"/content/posts/{post.pk}/").content.decode()


def test_w10_no_schedule_form_beside_a_send_under_way() -> None:
    """X-03: after 立即发布 the live progress shows (htmx polling) and the schedule form does
    not; when the send fails the form (and 重新发布) come back."""
    post = _approved()
    assert 'id="schedule-form"' in _page(post)
    (intent,) = actions.schedule_post(post, actor=person("kj_publisher"))  # now
    page = _page(post)
    assert 'hx-trigger="every 2s"' in page
    assert 'id="schedule-form"' not in page
    PublishIntent.objects.filter(pk=intent.pk).update(status=IntentStatus.SENDING)
    assert 'id="schedule-form"' not in _page(post)
    PublishIntent.objects.filter(pk=intent.pk).update(
        status=IntentStatus.FAILED, error_message="访问令牌已失效"
    )
    page = _page(post)
    assert 'id="schedule-form"' in page and "重新发布" in page
    assert 'hx-trigger="every 2s"' not in page


def test_w10_a_waiting_send_offers_publish_now_and_cancel_not_the_form() -> None:
    """W-10, X-03: a send planned for later shows 立即发布 and 取消 on its row and no
    schedule form; cancelled, the form returns."""
    post = _approved()
    (intent,) = actions.schedule_post(
        post, actor=person("kj_publisher"), at=datetime.now(TZ) + timedelta(hours=3)
    )
    page = _page(post)
    assert 'id="schedule-form"' not in page
    row = re.search(r'<tr class="intent intent-scheduled">.*?</tr>', page, re.S)
    assert row and "立即发布" in row.group(0) and "取消" in row.group(0)
    c = Client()
    c.force_login(person("kj_publisher"))
    now = re.search(r'<form method="post" action="([^"]+)" class="inline now-form">', row.group(0))
    assert now
    response = c.post(now.group(1), {"when": "now", "channels": [channel(W, "city_weibo").pk]})
    assert response.status_code == 302
    intent.refresh_from_db()
    assert intent.due_at <= datetime.now(TZ) + timedelta(seconds=5)
    actions.cancel_intent(intent, actor=person("kj_publisher"))
    assert 'id="schedule-form"' in _page(post)


def test_w10_who_may_not_schedule_sees_no_buttons() -> None:
    """Only the buttons a person may use: the leader sees the send, not 立即发布."""
    post = _approved()
    actions.schedule_post(
        post, actor=person("kj_publisher"), at=datetime.now(TZ) + timedelta(hours=3)
    )
    editor = Client()
    editor.force_login(person("kj_leader"))
    page = editor.get(f"/content/posts/{post.pk}/").content.decode()
    assert "立即发布" not in page and 'id="schedule-form"' not in page


def test_w10_the_live_panel_reloads_the_page_once_the_send_settles() -> None:
    """X-03: while polling, a settled send answers HX-Refresh, so the page shows the panel
    as it is now (the schedule form back after a failure); a live one does not."""
    post = _approved()
    (intent,) = actions.schedule_post(post, actor=person("kj_publisher"))
    c = Client()
    c.force_login(person("kj_publisher"))
    url = f"/publishing/posts/{post.pk}/progress/"
    assert "HX-Refresh" not in c.get(url, headers={"HX-Request": "true"})
    PublishIntent.objects.filter(pk=intent.pk).update(status=IntentStatus.FAILED)
    assert c.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
