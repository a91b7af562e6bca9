"""Feedback (W-09 chat category 满意度反馈, W-20 / 第四条(四) 收集反馈意见): captured from a
comment or entered by hand, tagged, tallied per month, account and topic; the CSV export
is escaped against formula injection."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanwei.core.errors import DomainError, PermissionDenied
from guanwei.interaction import actions, queries
from guanwei.interaction.feedback_views import csv_cell
from guanwei.interaction.models import Comment, Feedback
from guanwei.testing.personas import channel, org, person

pytestmark = pytest.mark.django_db
W = "demo_weather"
TZ = ZoneInfo("Asia/Shanghai")


def _comment(text: str, remote_id: str, account: str = "city_weibo") -> Comment:
    ch = channel(W, account)
    return Comment.objects.create(
        organisation_id=ch.organisation_id,
        unit=ch.unit,
        channel=ch,
        remote_id=remote_id,
        author_name="网友甲",
        text=text,
        fetched_at=timezone.now(),
    )


def test_w20_w09_feedback_is_captured_tagged_and_tallied_per_month_account_and_topic() -> None:
    """W-20, W-09: two feedback items in November on 市气象局官方微博 (one from a comment,
    one by hand), one in December; the tally counts them per month, account and topic with
    the mean stated satisfaction."""
    publisher = person("kj_publisher")
    with time_machine.travel(datetime(2026, 11, 10, 9, 0, tzinfo=TZ), tick=False):
        c = _comment("预报很准，点赞！", "fb-1")
        f = actions.capture_feedback(
            c, actor=publisher, topic="预报准确", tags=["满意", "#表扬"], satisfaction=5
        )
        assert f.text == "预报很准，点赞！" and f.tags == ["满意", "表扬"]
        with pytest.raises(DomainError, match="已记为"):
            actions.capture_feedback(c, actor=publisher)
        actions.record_feedback(
            channel(W, "city_weibo"),
            actor=publisher,
            text="电话反映：预报基本准确。",
            topic="预报准确",
            satisfaction=4,
        )
    with time_machine.travel(datetime(2026, 12, 1, 0, 30, tzinfo=TZ), tick=False):
        actions.record_feedback(
            channel(W, "city_weibo"), actor=publisher, text="希望增加空气质量预报。"
        )
    tally = queries.feedback_tally(queries.feedback_for(publisher, org(W)))
    got = [(r.month, r.account, r.topic, r.count, r.satisfaction) for r in tally]
    assert got == [
        ("2026-12", "市气象局官方微博", "未分类", 1, None),
        ("2026-11", "市气象局官方微博", "预报准确", 2, 4.5),
    ]
    with pytest.raises(PermissionDenied):  # the Observatory's officer handles no comments
        actions.capture_feedback(_comment("x", "fb-2"), actor=person("qxt_officer"))
    with pytest.raises(DomainError, match="满意度"):
        actions.record_feedback(channel(W, "city_weibo"), actor=publisher, text="x", satisfaction=9)


def test_w20_the_feedback_page_shows_the_tally_and_the_comment_button_captures() -> None:
    c = Client()
    c.force_login(person("kj_publisher"))
    comment = _comment("服务很周到", "fb-3")
    r = c.post(
        reverse("feedback_capture", args=[comment.pk]),
        {"topic": "服务态度", "tags": "满意，表扬", "next": "https://evil.example/"},
    )
    assert r.status_code == 302 and r["Location"] == reverse("feedback_page")
    f = Feedback.objects.get(comment=comment)
    assert f.tags == ["满意", "表扬"] and f.created_by == person("kj_publisher")
    page = c.get(reverse("feedback_page")).content.decode()
    assert "服务态度" in page and "市气象局官方微博" in page
    c.force_login(person("qxt_officer"))
    assert c.get(reverse("feedback_page")).status_code == 404
    assert c.post(reverse("feedback_capture", args=[comment.pk])).status_code == 404


def test_w20_the_csv_export_is_escaped_against_formula_injection() -> None:
    for bad in ('=HYPERLINK("http://x")', "+1", "-1+1", "@SUM(A1)", "\tx"):
        assert csv_cell(bad) == "'" + bad
    assert csv_cell("天气预报") == "天气预报"
    actions.record_feedback(
        channel(W, "city_weibo"),
        actor=person("kj_publisher"),
        text="x",
        topic='=cmd|" /C calc"!A0',
    )
    c = Client()
    c.force_login(person("kj_publisher"))
    r = c.get(reverse("feedback_csv"))
    assert r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["月份", "账号", "主题", "条数", "平均满意度"]
    assert any(row[2] == '\'=cmd|" /C calc"!A0' for row in rows[1:])
