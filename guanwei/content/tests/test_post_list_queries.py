"""The post list answers in a number of queries that does not grow with its rows (strict
review of issue 10, T-01/C-09): the panel 审核通过，待本单位账号发布 and the posts on the
accounts one runs are read in bulk, not two queries a post."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guanwei.content import actions as content
from guanwei.content.models import Post
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun
from guanwei.workflow.queries import may_decide

pytestmark = pytest.mark.django_db
T = "demo_tourism"


def _approved_county_post(n: int) -> Post:
    post = content.create_post(
        unit(T, "county_a"),
        actor=person("ly_xa_officer"),
        title=f"甲县油菜花节开幕 {n}",
        body="甲县油菜花节本周六开幕，欢迎游客前来观赏。来源：甲县旅游局",
        category="announcement",
        channels=[channel(T, "city_weibo")],
        source="甲县旅游局",
    )
    wf.submit_for_review(post, actor=person("ly_xa_officer"))
    while step := StepRun.objects.filter(run__post=post, status="pending").first():
        who = next(p for p in (person("ly_xa_head"), person("ly_zx_head")) if may_decide(step, p))
        wf.approve_step(step, actor=who, acknowledge_hits=True)
    return post


def _queries(c: Client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        page = c.get("/content/posts/")
    assert page.status_code == 200
    return len(ctx.captured_queries), page.content.decode()


def test_t01_the_post_list_of_the_centre_does_not_query_per_waiting_post() -> None:
    c = Client()
    c.force_login(person("ly_zx_contact"))
    _approved_county_post(0)
    one, page = _queries(c)
    assert 'id="waiting-for-my-accounts"' in page
    for n in range(1, 7):
        _approved_county_post(n)
    seven, page = _queries(c)
    assert page.count("甲县油菜花节开幕") >= 7
    assert seven - one <= 2, (one, seven)
