"""Editing a post keeps its planned time; a planned time in the past is refused with a
clear message (issue 8 §3; W-10)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from guanwei.content import actions as content
from guanwei.content.models import Post
from guanwei.orgs.errors import InvalidChange
from guanwei.testing.personas import channel, person, unit

pytestmark = pytest.mark.django_db
W = "demo_weather"
TZ = ZoneInfo("Asia/Shanghai")
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
PLANNED = datetime(2026, 12, 3, 17, 0, tzinfo=TZ)


def _post(planned_at: datetime | None = PLANNED) -> Post:
    return content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="傍晚预报",
        body=TEXT,
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
        planned_at=planned_at,
    )


def _form_fields(html: str) -> dict[str, object]:
    """What a browser submits from the edit form as rendered: a datetime-local input
    only keeps a value written as YYYY-MM-DDTHH:MM (anything else is shown empty)."""
    value = re.search(r'<input type="datetime-local" name="planned_at" value="([^"]*)"', html)
    shown = value.group(1) if value else ""
    valid = re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", shown)
    return {"planned_at": shown if valid else ""}


def test_editing_a_post_keeps_its_planned_time() -> None:
    """W-10: the edit form shows 2026-12-03T17:00 (what datetime-local accepts), so saving
    an edit of the text keeps 17:00 on the new version."""
    with time_machine.travel(NOW, tick=False):
        post = _post()
        c = Client()
        c.force_login(person("kj_editor"))
        html = c.get(f"/content/posts/{post.pk}/edit/").content.decode()
        fields = _form_fields(html)
        assert fields["planned_at"] == "2026-12-03T17:00", html[html.find("planned_at") - 80 :][
            :300
        ]
        response = c.post(
            f"/content/posts/{post.pk}/edit/",
            {
                "title": "傍晚预报",
                "body": TEXT + "早晚注意添衣。",
                "category": "forecast",
                "channels": [channel(W, "city_weibo").pk],
                "source": "市气象台",
                **fields,
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    post.refresh_from_db()
    assert post.current_revision is not None
    assert post.current_revision.number == 2
    assert post.current_revision.planned_at == PLANNED


def test_a_planned_time_in_the_past_is_refused_with_a_clear_message() -> None:
    """A time already past is refused when writing or editing (instead of expiring later);
    nothing typed is lost: the form comes back with the text."""
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(InvalidChange, match="计划发布时间已过"):
            _post(planned_at=NOW - timedelta(minutes=5))
        post = _post()
        with pytest.raises(InvalidChange, match="计划发布时间已过"):
            content.revise_post(
                post, actor=person("kj_editor"), planned_at=NOW - timedelta(hours=1)
            )
        c = Client()
        c.force_login(person("kj_editor"))
        response = c.post(
            "/content/posts/new/",
            {
                "unit": unit(W, "city_tech_centre").pk,
                "title": "过时的预报",
                "body": TEXT,
                "category": "forecast",
                "channels": [channel(W, "city_weibo").pk],
                "source": "市气象台",
                "planned_at": "2026-12-01T08:00",
            },
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "计划发布时间已过" in html and TEXT in html
        assert not Post.objects.filter(title="过时的预报").exists()
    # Past its time, an edit must move the time or clear it (else it would expire unseen).
    with time_machine.travel(PLANNED + timedelta(hours=1), tick=False):
        with pytest.raises(InvalidChange, match="计划发布时间已过"):
            content.revise_post(post, actor=person("kj_editor"), body=TEXT + "有雾。")
        revised = content.revise_post(
            post, actor=person("kj_editor"), body=TEXT + "有雾。", planned_at=None
        )
        assert revised.planned_at is None
