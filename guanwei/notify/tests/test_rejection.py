"""A rejection reaches the people it sends work back to (X-04, W-14)."""

from __future__ import annotations

import pytest

from guanwei.content import actions as content
from guanwei.notify.models import Notice
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"


def test_x04_a_rejected_post_tells_its_author() -> None:
    """X-04: the leader's 不同意 with a reason lands in the editor's notices, linked to the post."""
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="明日天气",
        body=TEXT,
        category="forecast",
        channels=[channel(W, "city_weibo")],
    )
    wf.submit_for_review(post, actor=person("kj_editor"))
    step = StepRun.objects.get(run__post=post, status="pending")
    wf.reject_step(step, actor=person("kj_leader"), reason="气温数据待核实")
    told = Notice.objects.filter(user=person("kj_editor"), link=f"/content/posts/{post.pk}/")
    assert told.count() == 1
    notice = told.get()
    assert "明日天气" in notice.title and "气温数据待核实" in notice.body
    assert not Notice.objects.filter(user=person("kj_leader")).exists()  # not the decider


def test_x04_returned_material_tells_the_officer_who_sent_it() -> None:
    """X-04, W-15: the provider's leader returns material; the officer is told why."""
    material = content.submit_material(
        unit(W, "city_observatory"),
        actor=person("qxt_officer"),
        drop_box=unit(W, "city_tech_centre"),
        title="明日天气材料",
        body=TEXT,
        source="市气象台",
    )
    step = StepRun.objects.get(run__submission=material, status="pending")
    wf.reject_step(step, actor=person("qxt_leader"), reason="数据待核实")
    notice = Notice.objects.get(user=person("qxt_officer"))
    assert "明日天气材料" in notice.title and "数据待核实" in notice.body
    assert notice.link == f"/content/materials/{material.pk}/"


def test_x04_declined_material_tells_the_officer_who_sent_it() -> None:
    """X-04, W-03: the publishing unit declines material from its drop box; the officer is
    told why, in their notices (not only in a status they must go and look for)."""
    material = content.submit_material(
        unit(W, "city_observatory"),
        actor=person("qxt_officer"),
        drop_box=unit(W, "city_tech_centre"),
        title="午后雷阵雨材料",
        body=TEXT,
        source="市气象台",
    )
    wf.approve_step(
        StepRun.objects.get(run__submission=material, status="pending"),
        actor=person("qxt_leader"),
    )
    material.refresh_from_db()
    content.decline_submission(material, actor=person("kj_editor"), reason="与已发布内容重复")
    notice = Notice.objects.get(user=person("qxt_officer"))
    assert "午后雷阵雨材料" in notice.title and "与已发布内容重复" in notice.body
    assert notice.link == f"/content/materials/{material.pk}/"
