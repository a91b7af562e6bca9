"""The post page has one owner, the content room (issue 8 §7): its URL, view and template
are the content room's; review and publishing contribute panels through their queries."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import resolve

from guanwei.content import actions as content
from guanwei.testing.personas import channel, person, unit

pytestmark = pytest.mark.django_db
W = "demo_weather"


def test_the_post_page_is_the_content_rooms_page_with_the_other_rooms_panels() -> None:
    editor = person("kj_editor")
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=editor,
        title="明日天气",
        body="明天多云转晴，气温12到20摄氏度。",
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
    )
    match = resolve(f"/content/posts/{post.pk}/")
    assert match.func.__module__ == "guanwei.content.views"
    assert match.url_name == "post_detail"
    c = Client()
    c.force_login(editor)
    response = c.get(f"/content/posts/{post.pk}/")
    assert response.status_code == 200
    used = [t.name for t in response.templates]
    assert used[0] == "content/post_detail.html"
    assert "workflow/_review_panel.html" in used and "publishing/_panel.html" in used
    html = response.content.decode()
    assert 'id="review-panel"' in html and 'id="publish-panel"' in html
    assert 'id="submit-form"' in html  # the review panel's button, for the author
