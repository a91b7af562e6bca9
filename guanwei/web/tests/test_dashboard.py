"""The dashboard shows the person what needs them now (X-04, W-14, W-10, W-03, X-03)."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.content import actions as content
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.queries import review_queue

pytestmark = pytest.mark.django_db
W = "demo_weather"
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
    body = _as("kj_leader").get("/").content.decode()
    assert f'data-stat="review">{waiting}<' in body
    assert 'data-stat="review">0<' in _as("kj_editor").get("/").content.decode()
