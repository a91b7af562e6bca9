"""Who may open a post while it is under review (W-14, W-15, R-04, X-06): its unit's
editors and reviewers, the person a step of its review waits for (a named reviewer or a
consented deputy), who decided a step, and — once published — its material's provider.
Not everyone of the organisation: an open review step is not an invitation to all. The
material a post was made from follows the post's rule, so it is closed to them too."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from guanwei.content import actions as content
from guanwei.content.models import Post, Submission
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"


def _as(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def _material() -> Submission:
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
    material.refresh_from_db()
    return material


def _in_review(**extra: Any) -> Post:
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="内部待审稿件",
        body=TEXT,
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
        **extra,
    )
    wf.submit_for_review(post, actor=person("kj_editor"))
    assert StepRun.objects.filter(run__post=post, status="pending").exists()
    return post


def test_w14_a_post_under_review_is_not_open_to_everyone_of_the_organisation() -> None:
    """W-14, X-06: the lightning company's officer (no role in the publishing unit, no step
    of the review) gets the Chinese 404 for the post page and its printed form; the
    publishing unit's leader, whose step waits, and its editor still open it."""
    post = _in_review()
    outsider = _as("fl_officer")
    for path in (
        f"/content/posts/{post.pk}/",
        f"/publishing/posts/{post.pk}/progress/",
        f"/review/posts/{post.pk}/form.pdf",
    ):
        response = outsider.get(path)
        assert response.status_code == 404, path
    assert _as("kj_leader").get(f"/content/posts/{post.pk}/").status_code == 200
    assert _as("kj_editor").get(f"/content/posts/{post.pk}/").status_code == 200


def test_w15_material_of_a_post_under_review_is_not_open_to_everyone() -> None:
    """W-15: material opens for whoever may open a post made from it — which must not make
    it readable by the whole organisation while the post waits for review."""
    material = _material()
    post = _in_review(materials=[material])
    material.refresh_from_db()
    assert material.post_id == post.pk
    assert _as("fl_officer").get(f"/content/materials/{material.pk}/").status_code == 404
    assert _as("kj_leader").get(f"/content/materials/{material.pk}/").status_code == 200
