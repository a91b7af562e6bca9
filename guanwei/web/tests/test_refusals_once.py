"""Each refusal is said once (issue #10 §6, X-06), and a 404 or 403 page is the site's,
in Chinese, saying what the person can do instead.

A refusal is said once on the page the person lands on: as a message above the page, or on
the form it refused — never both, never twice. Walked over HTTP through the refusals of
the main paths (submit twice, decide a decided step, schedule in the past, a role one may
not grant, an account status one may not set, an empty lexicon entry, a blocked text, a
returned material's reason).
"""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from guanwei.content import actions as content
from guanwei.content.models import Post, Submission
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"
REASON = "气温数据待核实"


def _as(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def _text(response: object) -> str:
    page = response.content.decode()  # type: ignore[attr-defined]
    main = page.split("<main>", 1)[-1]
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def _once(response: object, message: str) -> None:
    count = _text(response).count(message)
    assert count == 1, f"{message!r} said {count} times"


def _post(body: str = TEXT) -> Post:
    return content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="天气预报",
        body=body,
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
    )


def test_x06_a_refused_submission_and_decision_are_said_once() -> None:
    post = _post()
    editor = _as("kj_editor")
    editor.post(reverse("post_submit", args=[post.pk]))
    _once(editor.post(reverse("post_submit", args=[post.pk]), follow=True), "不能提交审核")
    step = StepRun.objects.get(run__post=post, status="pending")
    leader = _as("kj_leader")
    leader.post(reverse("step_approve", args=[step.pk]))
    _once(leader.post(reverse("step_approve", args=[step.pk]), follow=True), "无需重复审核")
    blocked = _post("明天多云转晴，法轮功，气温12到20摄氏度。")
    r = editor.post(reverse("post_submit", args=[blocked.pk]), follow=True)
    _once(r, "内容筛查未通过")


def test_x06_a_refused_schedule_is_said_once_on_its_form() -> None:
    post = _post()
    wf.submit_for_review(post, actor=person("kj_editor"))
    wf.approve_step(
        StepRun.objects.get(run__post=post, status="pending"), actor=person("kj_leader")
    )
    r = _as("kj_publisher").post(
        reverse("post_schedule", args=[post.pk]),
        {"when": "at", "at": "2020-01-01T10:00", "channels": [channel(W, "city_weibo").pk]},
    )
    assert r.status_code == 400
    errors = re.findall(r'<ul class="errorlist[^"]*">(.*?)</ul>', r.content.decode(), re.S)
    assert errors
    for e in errors:
        _once(r, re.sub(r"<[^>]+>", "", e).strip())


def test_x06_a_role_one_may_not_grant_is_refused_once() -> None:
    u = unit(W, "city_tech_centre")
    r = _as("kj_editor").post(
        reverse("unit_grant", args=[u.pk]), {"user": person("kj_publisher").pk, "role": "editor"}
    )
    assert r.status_code == 403
    _once(r, "您没有“授予角色”的权限。")


def test_x06_an_empty_lexicon_entry_is_refused_once() -> None:
    r = _as("gw_admin").post(reverse("lexicon_add"), {}, follow=True)
    _once(r, "请填写词语和类别。")


def test_w15_a_returned_materials_reason_is_said_once_to_its_provider() -> None:
    material: Submission = content.submit_material(
        unit(W, "city_observatory"),
        actor=person("qxt_officer"),
        drop_box=unit(W, "city_tech_centre"),
        title="午后雷阵雨",
        body=TEXT,
        source="市气象台",
    )
    wf.reject_step(
        StepRun.objects.get(run__submission=material, status="pending"),
        actor=person("qxt_leader"),
        reason=REASON,
    )
    _once(_as("qxt_officer").get(reverse("material_detail", args=[material.pk])), REASON)


def test_x06_a_missing_page_is_the_sites_in_chinese_with_what_one_can_open() -> None:
    r = _as("kj_editor").get("/content/posts/999999/")
    assert r.status_code == 404
    page = r.content.decode()
    assert 'id="error-page"' in page and "site.css" in page  # the site's layout
    assert "页面不存在" in page and "Page not found" not in page
    instead = re.search(r'<ul class="error-instead" id="error-instead">(.*?)</ul>', page, re.S)
    assert instead is not None  # what the person can open instead: their menu
    assert f'href="{reverse("post_list")}"' in instead.group(1)
    assert f'href="{reverse("audit_list")}"' not in instead.group(1)
    r = Client().get("/no-such-page/")
    assert r.status_code == 404 and "页面不存在" in r.content.decode()
    assert f'href="{reverse("login")}"' in r.content.decode()


def test_x06_a_forbidden_page_is_the_sites_in_chinese() -> None:
    """The consent form posted by who may not consent (R-04): the 403 page."""
    r = _as("re_zz_deputy1").post(reverse("delegations"), {"chain": "review"})
    assert r.status_code == 403
    page = r.content.decode()
    assert 'id="error-page"' in page and "无权操作" in page and "Not allowed" not in page
    assert 'id="error-instead"' in page
