"""Who may open drop-box material (W-03, W-15, X-06): every link to a material page goes to
a page the person may see; a refusal is a Chinese page in the site's layout (issue #8 §3)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from guanwei.content import actions as content
from guanwei.content.models import Submission
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


def test_w03_the_reviewing_leader_opens_the_material_linked_from_the_post() -> None:
    """W-03, W-15: the publishing unit's leader reviews a post made from material; the
    post page and the review queue link to the material, and the link opens it."""
    material = _material()
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="午后雷阵雨",
        body=TEXT,
        category="forecast",
        channels=[channel(W, "city_weibo")],
        materials=[material],
    )
    wf.submit_for_review(post, actor=person("kj_editor"))
    leader = _as("kj_leader")
    page = leader.get(f"/content/posts/{post.pk}/").content.decode()
    link = f'href="/content/materials/{material.pk}/"'
    assert link in page
    opened = leader.get(f"/content/materials/{material.pk}/")
    assert opened.status_code == 200
    assert "午后雷阵雨" in opened.content.decode()


def test_w03_the_providers_leader_opens_material_from_the_queue() -> None:
    """W-15: the Observatory's leader has the material in the queue and opens it."""
    material = content.submit_material(
        unit(W, "city_observatory"),
        actor=person("qxt_officer"),
        drop_box=unit(W, "city_tech_centre"),
        title="午后雷阵雨",
        body=TEXT,
        source="市气象台",
    )
    leader = _as("qxt_leader")
    queue = leader.get("/review/queue/").content.decode()
    assert f'href="/content/materials/{material.pk}/"' in queue
    assert leader.get(f"/content/materials/{material.pk}/").status_code == 200


@override_settings(DEBUG=False)
def test_x06_a_page_not_found_is_chinese_in_the_site_layout() -> None:
    """X-06: a refused or missing page is said in Chinese inside the site's layout (the
    menu and the bell), never Django's English error page."""
    stranger = _as("qxt_officer")
    missing = stranger.get("/content/materials/999999/")
    assert missing.status_code == 404
    body = missing.content.decode()
    assert "Not Found" not in body and "页面不存在" in body
    assert 'id="bell"' in body
    assert "返回首页" in body


@override_settings(DEBUG=False)
def test_x06_an_expired_form_and_a_server_error_are_said_in_chinese() -> None:
    """X-06: a form sent without its CSRF token (an expired page) gets the site's Chinese
    page; 403, 400 and 500 pages are Chinese too (500 needs no database to render)."""
    from django.template.loader import render_to_string

    client = Client(enforce_csrf_checks=True)
    client.force_login(person("qxt_officer"))
    refused = client.post("/notices/read-all/")
    assert refused.status_code == 403
    body = refused.content.decode()
    assert "表单已过期" in body and 'id="bell"' in body and "Forbidden" not in body
    for name, words in (("403.html", "无权操作"), ("400.html", "请求无法识别")):
        assert words in render_to_string(name, {})
    server_error = render_to_string("500.html")
    assert "系统出错" in server_error and "Server Error" not in server_error
