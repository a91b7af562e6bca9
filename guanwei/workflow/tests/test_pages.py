"""Review pages end to end through HTTP: drop box, post form, queue, approve, PDF, filings
(REQ W-03, W-14, C-07, C-09, R-06)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from guanwei.content import actions as content
from guanwei.content.models import Post, PostStatus
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


def test_an_editor_writes_submits_and_a_leader_approves_over_http() -> None:
    """W-14: the whole path through the pages, with the PDF form at the end (R-06)."""
    editor = _as("kj_editor")
    page = editor.get("/content/posts/new/")
    assert page.status_code == 200 and "post-form" in page.content.decode()
    response = editor.post(
        "/content/posts/new/",
        {
            "unit": unit(W, "city_tech_centre").pk,
            "title": "明日天气",
            "body": TEXT,
            "category": "forecast",
            "channels": [channel(W, "city_weibo").pk],
            "source": "市气象台",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(title="明日天气")
    editor.post(f"/review/posts/{post.pk}/submit/")
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW
    leader = _as("kj_leader")
    queue = leader.get("/review/queue/").content.decode()
    assert "明日天气" in queue and "发布单位主管领导审定" in queue
    step = StepRun.objects.get(run__post=post, status="pending")
    assert editor.post(f"/review/steps/{step.pk}/approve/").status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW  # the editor's attempt was refused
    leader.post(f"/review/steps/{step.pk}/approve/", {"comment": "同意"})
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    pdf = leader.get(f"/review/posts/{post.pk}/form.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_bad_post_form_keeps_what_was_typed() -> None:
    """Bad input gets a clear message and loses nothing."""
    editor = _as("kj_editor")
    response = editor.post(
        "/content/posts/new/",
        {
            "unit": unit(W, "city_tech_centre").pk,
            "title": "保留我",
            "body": "正文保留",
            "category": "forecast",
            "source": "台",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400 and "保留我" in body and "正文保留" in body


def test_the_drop_box_lists_material_and_declines_with_a_reason() -> None:
    """W-03: every item has a status; a decline carries its reason."""
    item = content.submit_material(
        unit(W, "county_a"),
        actor=person("xa_publisher"),
        drop_box=unit(W, "city_tech_centre"),
        title="县局素材",
        body=TEXT,
        source="甲县气象局",
    )
    step = StepRun.objects.get(run__submission=item, status="pending")
    wf.approve_step(step, actor=person("xa_leader"))
    publisher = _as("kj_publisher")
    assert "县局素材" in publisher.get("/content/dropbox/").content.decode()
    publisher.post(f"/content/materials/{item.pk}/decline/", {"reason": "与今日预报重复"})
    item.refresh_from_db()
    assert item.status == "declined" and item.status_reason == "与今日预报重复"
    mine = _as("xa_publisher").get("/content/dropbox/").content.decode()
    assert "与今日预报重复" in mine


def test_filings_are_searchable_and_exportable() -> None:
    """C-07: the college's filed approvals, found and exported."""
    post = content.create_post(
        unit("demo_college", "info_college"),
        actor=person("col_xx_manager"),
        title="情况说明",
        body="关于今日校园停电的情况说明。",
        category="news",
        channels=[channel("demo_college", "info_wechat")],
        sensitive=True,
    )
    wf.submit_for_review(post, actor=person("col_xx_manager"))
    for who in ["col_xx_secretary", "col_yq_reviewer"]:
        wf.approve_step(StepRun.objects.get(run__post=post, status="pending"), actor=person(who))
    reviewer = _as("col_yq_reviewer")
    assert "情况说明" in reviewer.get("/review/filings/?q=情况").content.decode()
    csv = reviewer.get("/review/filings/?format=csv")
    text = b"".join(csv.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert "情况说明" in text and "舆情办批准" in text


def test_the_queue_pages_by_keyset_without_repeats() -> None:
    """W-14: 120 waiting posts page 50 + 50 + 20 by the "More" link, oldest first."""
    from guanwei.workflow.queries import QUEUE_PAGE

    for i in range(QUEUE_PAGE * 2 + 20):
        post = content.create_post(
            unit(W, "city_tech_centre"),
            actor=person("kj_editor"),
            title=f"稿件{i:03d}",
            body=TEXT,
            category="forecast",
            channels=[channel(W, "city_weibo")],
        )
        wf.submit_for_review(post, actor=person("kj_editor"))
    leader = _as("kj_leader")
    seen: list[str] = []
    url = "/review/queue/"
    for _ in range(5):
        body = leader.get(url).content.decode()
        seen += re.findall(r"稿件\d{3}", body)
        more = re.search(r'href="\?scope=mine&(?:amp;)?after=([^"]+)"', body)
        if not more:
            break
        url = f"/review/queue/?scope=mine&after={more.group(1)}"
    assert seen == [f"稿件{i:03d}" for i in range(QUEUE_PAGE * 2 + 20)]
