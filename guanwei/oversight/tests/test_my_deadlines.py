"""我的时限 (W-10, X-04): the dashboard's count and the deadlines page list the same
deadlines for the same person (one query, ``oversight.queries.deadlines_for``), and time
left reads as days, hours and minutes in Chinese (one template filter, ``time_left``)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from guanwei.oversight.models import Deadline, DeadlineKind
from guanwei.testing.personas import org, person, unit

pytestmark = pytest.mark.django_db
W = "demo_weather"
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)


def _as(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def _deadline(
    n: int, due: timedelta, *, owners: list[str], escalate: tuple[str, ...] = ()
) -> Deadline:
    return Deadline.objects.create(
        organisation=org(W),
        unit=unit(W, "city_tech_centre"),
        kind=DeadlineKind.SLOT,
        key=f"test-{n}",
        title=f"时限{n}",
        starts_at=NOW - timedelta(hours=1),
        due_at=NOW + due,
        owner_ids=[person(u).pk for u in owners],
        escalate_ids=[person(u).pk for u in escalate],
    )


def _count(body: str) -> int:
    m = re.search(r'data-stat="deadlines">(\d+)<', body)
    assert m, "the dashboard shows 我的时限"
    return int(m.group(1))


def test_w10_the_dashboard_count_is_what_my_deadlines_page_lists() -> None:
    """W-10: twelve deadlines name the publisher (one as the one escalated to), two do
    not, one is due in three days; the dashboard's 我的时限 and the page it links to list
    the same ones."""
    for i in range(12):
        _deadline(i, timedelta(minutes=30 + i), owners=["kj_publisher"])
    _deadline(20, timedelta(hours=2), owners=["kj_editor"], escalate=("kj_publisher",))
    _deadline(21, timedelta(hours=3), owners=["kj_editor"])
    _deadline(22, timedelta(days=3), owners=["kj_publisher"])
    client = _as("kj_publisher")
    with time_machine.travel(NOW, tick=False):
        dash = client.get("/").content.decode()
        link = re.search(
            r'<a class="stat" href="([^"]+)"><span class="n" data-stat="deadlines"', dash
        )
        assert link, "the count links to my deadlines"
        page = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    listed = set(re.findall(r'<tr id="d(\d+)"', page))
    assert _count(dash) == len(listed) == 13
    assert "时限20" in page and "时限21" not in page


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (8 * 60 + 30, "还剩 8 分钟"),
        (26 * 3600 + 5 * 60, "还剩 1 天 2 小时"),
        (24 * 3600, "还剩 1 天"),
        (3 * 3600 + 15 * 60, "还剩 3 小时 15 分钟"),
        (20, "还剩不到 1 分钟"),
        (-3 * 60 - 10, "已超时 3 分钟"),
        (-(2 * 86400 + 3600), "已超时 2 天 1 小时"),
    ],
)
def test_x06_time_left_reads_in_chinese(seconds: int, text: str) -> None:
    """X-06: time left in days, hours and minutes, never raw minutes."""
    from guanwei.web.templatetags.time_left import time_left

    assert time_left(seconds) == text
    with time_machine.travel(NOW, tick=False):
        assert time_left(NOW + timedelta(seconds=seconds)) == text


def test_x06_the_dashboard_says_a_day_and_hours_not_1500_minutes() -> None:
    """X-06: a deadline due in 25 hours reads 还剩 1 天 1 小时 on the dashboard and on the
    deadlines page; an overdue one 已超时 …, never 1500 分钟."""
    _deadline(1, timedelta(hours=23, minutes=5), owners=["kj_publisher"])
    _deadline(2, timedelta(minutes=-3), owners=["kj_publisher"])
    client = _as("kj_publisher")
    with time_machine.travel(NOW, tick=False):
        dash = client.get("/").content.decode()
        page = client.get("/oversight/deadlines/").content.decode()
    assert "还剩 23 小时 5 分钟" in dash and "1385 分钟" not in dash
    assert "已超时 3 分钟" in dash
    assert "还剩 23 小时 5 分钟" in page and "已超时 3 分钟" in page
