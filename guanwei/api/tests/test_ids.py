"""Object ids the API takes are positive 64-bit integers (issue #9, found by schemathesis):
a larger one is refused as invalid input (422) instead of crashing the database driver
("Python int too large to convert to SQLite INTEGER", 500). REQ X-01."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.testing.personas import person, unit

pytestmark = pytest.mark.django_db
HUGE = 10**30


@pytest.fixture
def editor() -> Client:
    c = Client()
    c.force_login(person("kj_editor"))
    return c


def test_x01_a_huge_material_id_in_a_new_post_is_invalid_input(editor: Client) -> None:
    r = editor.post(
        "/api/v1/content/posts",
        {
            "unit_id": unit("demo_weather", "city_tech_centre").pk,
            "title": "明日天气",
            "body": "明天多云转晴。",
            "category": "forecast",
            "channel_keys": ["city_weibo"],
            "material_ids": [HUGE],
        },
        content_type="application/json",
    )
    assert r.status_code == 422, r.content


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (f"/api/v1/content/posts/{HUGE}/submit", None),
        (f"/api/v1/workflow/steps/{HUGE}/approve", {}),
        (f"/api/v1/workflow/steps/{HUGE}/reject", {"reason": "不行"}),
        (f"/api/v1/notices/{HUGE}/read", None),
        (f"/api/v1/orgs/units/{HUGE}/memberships", {"username": "kj_editor", "role": "editor"}),
        (
            "/api/v1/content/posts",
            {
                "unit_id": HUGE,
                "title": "t",
                "body": "b",
                "category": "forecast",
                "channel_keys": [],
            },
        ),
        (
            "/api/v1/content/materials",
            {
                "provider_unit_id": HUGE,
                "drop_box_id": HUGE,
                "title": "t",
                "body": "b",
                "source": "s",
            },
        ),
    ],
)
def test_x01_a_huge_id_anywhere_is_invalid_input(
    editor: Client, url: str, body: dict[str, object] | None
) -> None:
    r = editor.post(url, body or {}, content_type="application/json")
    assert r.status_code == 422, (r.status_code, r.content[:200])
