"""The editorial API calls the same actions as the pages (issue 4 §7; REQ W-03, W-14, T-04)."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.testing.personas import unit

pytestmark = pytest.mark.django_db
W = "demo_weather"
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"


def _client(username: str) -> Client:
    from guanwei.testing.personas import person

    c = Client()
    c.force_login(person(username))
    return c


def test_material_post_review_and_approval_through_the_api() -> None:
    """W-03, W-14, T-04: submit material, create a post, submit, read the queue, approve."""
    officer = _client("qxt_officer")
    r = officer.post(
        "/api/v1/content/materials",
        {
            "provider_unit_id": unit(W, "city_observatory").pk,
            "drop_box_id": unit(W, "city_tech_centre").pk,
            "title": "素材",
            "body": TEXT,
            "source": "市气象台",
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "awaiting_leader"
    editor = _client("kj_editor")
    r = editor.post(
        "/api/v1/content/posts",
        {
            "unit_id": unit(W, "city_tech_centre").pk,
            "title": "明日天气",
            "body": TEXT,
            "category": "forecast",
            "channel_keys": ["city_weibo"],
            "source": "市气象台",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    post_id = r.json()["id"]
    assert editor.post(f"/api/v1/content/posts/{post_id}/submit").json()["status"] == "in_review"
    leader = _client("kj_leader")
    queue = leader.get("/api/v1/workflow/queue").json()
    step_id = next(q["step_id"] for q in queue if q["post_id"] == post_id)
    refused = editor.post(
        f"/api/v1/workflow/steps/{step_id}/approve", {}, content_type="application/json"
    )
    assert refused.status_code == 403
    ok = leader.post(
        f"/api/v1/workflow/steps/{step_id}/approve",
        {"comment": "同意"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "approved"


def test_a_revision_through_the_api_reopens_review() -> None:
    """DESIGN invariant 1 via the API."""
    editor = _client("kj_editor")
    post_id = editor.post(
        "/api/v1/content/posts",
        {
            "unit_id": unit(W, "city_tech_centre").pk,
            "title": "明日天气",
            "body": TEXT,
            "category": "forecast",
            "channel_keys": ["city_weibo"],
        },
        content_type="application/json",
    ).json()["id"]
    editor.post(f"/api/v1/content/posts/{post_id}/submit")
    r = editor.post(
        f"/api/v1/content/posts/{post_id}/revisions",
        {
            "title": "明日天气（更新）",
            "body": TEXT,
            "category": "forecast",
            "channel_keys": ["city_weibo"],
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "draft" and r.json()["revision"] == 2
    assert _client("kj_leader").get("/api/v1/workflow/queue").json() == []
