"""W-12: the special-weather fast path (特殊天气（随时发布）) is for who holds ``post.emergency``.

The weather pack's chain 特殊天气快速发布 names the permission ``post.emergency``; the
provincial publisher (sj_publisher) writes posts but does not hold it. The box is shown only
to who holds it, and the action refuses the flag otherwise, in Chinese, keeping the input.
The tourism pack's fast chain names no permission: its box stays for every writer.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from guanwei.content import actions as content
from guanwei.content.models import Post
from guanwei.orgs.errors import PermissionDenied
from guanwei.testing.personas import channel, person, unit

pytestmark = pytest.mark.django_db
W = "demo_weather"
TEXT = "明天有暴雨，气温12到20摄氏度，请注意防范。"


def _box(html: str) -> bool:
    return re.search(r'<input type="checkbox" name="emergency"', html) is not None


def test_w12_the_special_weather_box_is_shown_only_to_who_holds_post_emergency() -> None:
    for username, shown in (("sj_publisher", False), ("kj_publisher", True)):
        c = Client()
        c.force_login(person(username))
        assert _box(c.get("/content/posts/new/").content.decode()) is shown, username


def test_w12_a_crafted_special_weather_post_is_refused_in_chinese_keeping_the_input() -> None:
    c = Client()
    c.force_login(person("sj_publisher"))
    before = Post.objects.count()
    response = c.post(
        "/content/posts/new/",
        {
            "unit": unit(W, "province").pk,
            "title": "暴雨预警快讯",
            "body": TEXT,
            "category": "forecast",
            "channels": [channel(W, "province_weibo").pk],
            "source": "省气象台",
            "emergency": "on",
        },
    )
    assert response.status_code == 400
    assert Post.objects.count() == before
    html = response.content.decode()
    assert "特殊天气（随时发布）" in html and "不能勾选" in html
    assert "暴雨预警快讯" in html and TEXT in html  # the input is kept


def test_w12_the_action_refuses_the_fast_path_flag_without_post_emergency() -> None:
    with pytest.raises(PermissionDenied, match="特殊天气（随时发布）"):
        content.create_post(
            unit(W, "province"),
            actor=person("sj_publisher"),
            title="暴雨预警快讯",
            body=TEXT,
            category="forecast",
            channels=[channel(W, "province_weibo")],
            source="省气象台",
            emergency=True,
        )


def test_w12_t10_the_tourism_fast_path_box_names_no_permission_and_stays() -> None:
    c = Client()
    c.force_login(person("ly_xa_officer"))
    html = c.get("/content/posts/new/").content.decode()
    assert _box(html) and "突发事件（第一时间发布）" in html
