"""The dashboard shows the person what needs them now (X-04, W-14, W-10, W-03, X-03)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from guanwei.content import actions as content
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun
from guanwei.workflow.queries import review_queue

pytestmark = pytest.mark.django_db
W = "demo_weather"
TZ = ZoneInfo("Asia/Shanghai")
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"


def _as(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def test_w14_the_dashboard_counts_what_waits_in_the_review_queue() -> None:
    """W-14: three posts wait for the leader; the dashboard says 3, as the queue does (today
    it shows 待审批 0: the count of accounts awaiting approval)."""
    for i in range(3):
        post = content.create_post(
            unit(W, "city_tech_centre"),
            actor=person("kj_editor"),
            title=f"稿件{i}",
            body=TEXT,
            category="forecast",
            channels=[channel(W, "city_weibo")],
        )
        wf.submit_for_review(post, actor=person("kj_editor"))
    waiting = len(review_queue(person("kj_leader")))
    assert waiting == 3
    leader = _as("kj_leader")
    body = leader.get("/").content.decode()
    assert f'data-stat="review">{waiting}<' in body
    page = leader.get("/review/queue/").content.decode()
    rows = re.findall(r'href="/content/posts/\d+/">稿件\d<', page)
    assert len(rows) == waiting  # the same number the review queue page lists
    assert 'data-stat="review">0<' in _as("kj_editor").get("/").content.decode()


def _needs(body: str) -> str:
    start = body.index('id="needs"')
    return body[start : body.index("</section>", start)]


def test_w10_the_dashboard_shows_my_deadlines_with_time_left() -> None:
    """W-10, X-04: the empty 08:00 slot, at 07:40, says 20 minutes left to the people who
    must fill it, and nothing to a person it does not name."""
    import time_machine

    from guanwei.oversight.scheduler import tick

    with time_machine.travel(datetime(2026, 11, 26, 6, 0, tzinfo=TZ), tick=False):
        tick()
    with time_machine.travel(datetime(2026, 11, 26, 7, 40, tzinfo=TZ), tick=False):
        mine = _needs(_as("kj_publisher").get("/").content.decode())
        theirs = _needs(_as("qxt_officer").get("/").content.decode())
    assert 'id="needs-deadlines"' in mine and "还剩 20 分钟" in mine and "发布时段" in mine
    assert 'id="needs-deadlines"' not in theirs and 'data-stat="deadlines">0<' in theirs


def test_w03_the_dashboard_shows_new_material_to_who_runs_the_drop_box() -> None:
    """W-03: material that reached the drop box shows to its keepers, not to the sender."""
    material = content.submit_material(
        unit(W, "city_observatory"),
        actor=person("qxt_officer"),
        drop_box=unit(W, "city_tech_centre"),
        title="午后雷阵雨",
        body=TEXT,
        source="市气象台",
    )
    wf.approve_step(
        StepRun.objects.get(run__submission=material, status="pending"),
        actor=person("qxt_leader"),
    )
    keeper = _needs(_as("kj_editor").get("/").content.decode())
    assert 'data-stat="dropbox">1<' in keeper and "午后雷阵雨" in keeper
    assert f'href="/content/materials/{material.pk}/"' in keeper
    assert 'data-stat="dropbox"' not in _needs(_as("qxt_officer").get("/").content.decode())


def test_x03_the_dashboard_shows_failed_sends_to_who_may_retry() -> None:
    """X-03: a send that failed for good shows, with its cause, to the people who may
    schedule it again (the unit's publisher and editor), not to the observatory's officer."""
    from guanwei.publishing import actions as publishing
    from guanwei.publishing.models import IntentStatus, PublishIntent

    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="发不出去的预报",
        body=TEXT,
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
    )
    wf.submit_for_review(post, actor=person("kj_editor"))
    wf.approve_step(
        StepRun.objects.get(run__post=post, status="pending"), actor=person("kj_leader")
    )
    intents = publishing.schedule_post(post, actor=person("kj_publisher"))
    PublishIntent.objects.filter(pk__in=[i.pk for i in intents]).update(
        status=IntentStatus.FAILED, error_code="21332", error_message="访问令牌已失效，请重新授权"
    )
    publisher = _needs(_as("kj_publisher").get("/").content.decode())
    assert 'id="needs-failed"' in publisher and "发不出去的预报" in publisher
    assert "发布失败" in publisher and "访问令牌已失效" in publisher
    assert 'id="needs-failed"' in _needs(_as("kj_editor").get("/").content.decode())
    assert 'id="needs-failed"' not in _needs(_as("qxt_officer").get("/").content.decode())


@pytest.mark.parametrize("username", ["kj_leader", "kj_publisher", "kj_editor", "qxt_officer"])
def test_x06_what_needs_me_is_in_chinese_words(username: str) -> None:
    """X-06: names, never codes (info_officer, forecast, slot, pending)."""
    from guanwei.oversight.scheduler import tick

    tick()
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="预报",
        body=TEXT,
        category="forecast",
        channels=[channel(W, "city_weibo")],
    )
    wf.submit_for_review(post, actor=person("kj_editor"))
    text = re.sub(r"<[^>]+>", " ", _needs(_as(username).get("/").content.decode()))
    assert not re.search(r"[a-z]+_[a-z]+|\b(forecast|slot|pending|open|failed|new)\b", text), text


def test_c09_the_dashboard_shows_the_owning_units_publishers_the_posts_waiting() -> None:
    """C-09: the Propaganda Department's new-media manager, who publishes on the school's
    main accounts, sees on the home page the department's approved post waiting for the
    school's Weibo, with a link to it (as the post list shows it); the department's own
    manager, who may not publish there, does not."""
    from guanwei.publishing.tests.test_account_scope import _main_account_post

    post = _main_account_post()
    page = _as("col_xcb_manager").get("/").content.decode()
    assert 'id="needs-waiting"' in page
    waiting = page.split('id="needs-waiting"')[1].split("</div>")[0]
    assert f'href="/content/posts/{post.pk}/"' in waiting
    assert "示范职业学院官方微博" in waiting
    assert "Nothing needs you right now." not in page and "目前没有需要您处理的事项" not in page
    assert 'id="needs-waiting"' not in _as("col_jwc_manager").get("/").content.decode()
