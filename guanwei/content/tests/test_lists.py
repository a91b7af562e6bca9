"""The drop box and the post list page by keyset through their "older" links (W-03, W-14):
every row once, newest first, whatever the cursor's timestamp looks like in a URL."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from guanwei.content import actions as content
from guanwei.content.queries import PAGE
from guanwei.testing.personas import channel, person, unit

pytestmark = pytest.mark.django_db
W = "demo_weather"
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"
OLDER = re.compile(r'<a href="(\?[^"]*before=[^"]+)">')


def _as(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def _walk(client: Client, path: str, pattern: str) -> list[str]:
    """Follow the "older" link as a browser would (the href as written, unencoded)."""
    seen: list[str] = []
    url = path
    for _ in range(5):
        body = client.get(url).content.decode()
        seen += re.findall(pattern, body)
        older = OLDER.search(body)
        if not older:
            break
        url = path + older.group(1).replace("&amp;", "&")
    return seen


def test_w03_the_drop_box_older_link_opens_the_next_page() -> None:
    """W-03: 60 pieces of material page 50 + 10; today the second page is page 1 again."""
    total = PAGE + 10
    for i in range(total):
        content.submit_material(
            unit(W, "city_observatory"),
            actor=person("qxt_officer"),
            drop_box=unit(W, "city_tech_centre"),
            title=f"材料{i:03d}",
            body=TEXT,
            source="市气象台",
        )
    seen = _walk(_as("kj_editor"), "/content/dropbox/", r"材料\d{3}")
    assert seen == [f"材料{i:03d}" for i in reversed(range(total))]


def test_w14_the_post_list_older_link_opens_the_next_page() -> None:
    """W-14: 60 posts page 50 + 10; today the second page is page 1 again."""
    total = PAGE + 10
    for i in range(total):
        content.create_post(
            unit(W, "city_tech_centre"),
            actor=person("kj_editor"),
            title=f"稿件{i:03d}",
            body=TEXT,
            category="forecast",
            channels=[channel(W, "city_weibo")],
        )
    seen = _walk(_as("kj_editor"), "/content/posts/", r"稿件\d{3}")
    assert seen == [f"稿件{i:03d}" for i in reversed(range(total))]


def test_one_cursor_reads_what_it_writes_and_what_links_mangled() -> None:
    """The shared keyset cursor: no "+" in what it writes; an offset or its space-mangled
    form is read; garbage is the first page, not an error."""
    from datetime import UTC, datetime, timedelta, timezone

    from guanwei.keyset import cursor_text, parse_cursor

    shanghai = datetime(2026, 12, 1, 16, 0, 0, 123456, tzinfo=timezone(timedelta(hours=8)))
    text = cursor_text(shanghai, 42)
    assert "+" not in text and text == "2026-12-01T08:00:00.123456Z_42"
    assert parse_cursor(text) == (shanghai, 42)
    assert parse_cursor("2026-12-01T16:00:00.123456+08:00_42") == (shanghai, 42)
    assert parse_cursor("2026-12-01T16:00:00.123456 08:00_42") == (shanghai, 42)
    assert parse_cursor("2026-12-01T08:00:00_7") == (datetime(2026, 12, 1, 8, tzinfo=UTC), 7)
    for bad in ["", "x", "_1", "2026-13-01_1", "2026-12-01T08:00:00_x", "<script>_1"]:
        assert parse_cursor(bad) is None
