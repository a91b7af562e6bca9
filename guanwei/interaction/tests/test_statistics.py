"""互动统计 (W-20; 第四条(四) of the weather bureau's rule book: 汇总需要回复的问题, 组织气象专家
解答, 收集网友反馈, 微博气象服务统计分析和效果评价). A November on the city Weibo built through
the real actions — comments ingested (screening, triage, the pack's moderation rules,
routing to the experts with their reply deadlines), replies drafted by the forecaster and
approved by the centre's leader, a question marked done, comments hidden and deleted by
people, the scheduler breaching what was not answered in time, feedback captured — and
the month's figures per account, expert, topic and feedback tag counted from it."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.interaction import actions, ingest, moderation, queries, replies
from guanwei.interaction.models import Comment, Visibility
from guanwei.interaction.statistics_views import duration
from guanwei.oversight import scheduler
from guanwei.publishing.adapters.base import RemoteComment
from guanwei.testing.personas import channel, org, person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("november")]
W = "demo_weather"
TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 10, 9, 0, tzinfo=TZ)
NOVEMBER = queries.Month(2026, 11)
_ids = itertools.count(1)

FORECAST = "想问一下，明天乙县会下雨吗"  # in scope, forecast → the Observatory's 朱琳
SCIENCE = "请问为什么会出现龙卷风？急"  # in scope, science
WARNING = "小编，发布冰雹预警后要注意什么？急"  # in scope, warning
GOVERNMENT = "结婚登记要多久才能办好呀？"  # out of scope, government affairs
SPAM = "免费领取红包 https://t.example.cn/xyz 点击就送"  # the pack's link rule hides it
BANNED = "法轮功大法好"  # screened block: the pack's rule deletes it on the platform
ANSWER = "您好，明天多云转小雨，出门请带伞。"


class Platform:
    """The platform's side of a reply and of a delete, recorded (Weibo: no hide call)."""

    can_hide_comments = False

    def __init__(self) -> None:
        self.deleted: list[str] = []
        self.replies = itertools.count(7001)

    def reply_comment(self, remote_post: str, comment_id: str, text: str) -> str:
        return str(next(self.replies))

    def delete_comment(self, remote_post: str, comment_id: str) -> None:
        self.deleted.append(comment_id)


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> Platform:
    fake = Platform()
    monkeypatch.setattr(replies, "_adapter", lambda comment: fake)
    monkeypatch.setattr(moderation, "_adapter", lambda comment: fake)
    return fake


def _remote(text: str, *, remote_id: str = "", author_id: str = "") -> RemoteComment:
    n = next(_ids)
    return RemoteComment(
        remote_id=remote_id or str(4_100_000_000_000_000 + n),
        post_id="5100000000000001",
        text=text,
        author=f"网友{n}",
        created_at=None,  # arrived when fetched
        author_id=author_id or str(3_000_000 + n),
    )


def _ingest(account: str, *texts: str, at: datetime) -> list[Comment]:
    """Fetched at ``at`` through the ingest pipeline (screening, triage, rules, routing)."""
    with time_machine.travel(at, tick=False):
        stored = ingest.ingest(channel(W, account), None, "comment", [_remote(t) for t in texts])
    return [Comment.objects.get(pk=c.pk) for c in stored]


def _answer(c: Comment, at: datetime) -> None:
    """The expert drafts and submits, the tech centre's leader approves: sent at ``at``."""
    with time_machine.travel(at, tick=False):
        reply = replies.write_reply(c, actor=person("qxt_expert"), text=ANSWER, submit=True)
        assert replies.approve_reply(reply, actor=person("kj_leader")).sent


@pytest.fixture
def november(platform: Platform) -> dict[str, Comment]:
    """The city Weibo's November (and county A's one question, and two comments either side
    of the month's end)."""
    city = _ingest(
        "city_weibo",
        FORECAST,
        SCIENCE,
        WARNING,
        GOVERNMENT,
        "转发微博👍",
        SPAM,
        "谢谢提醒！",
        "太好了",
        BANNED,
        at=T0,
    )
    forecast, science, warning, government, thanks, spam, hide, delete, banned = city
    with time_machine.travel(T0, tick=False):  # the fetcher, after the batch's commit
        assert moderation.carry_out([banned.pk]) == 1
    banned.refresh_from_db()
    assert [c.scope for c in city[:4]] == ["in", "in", "in", "out"]
    assert {c.assignee_id for c in city[:3]} == {person("qxt_expert").pk}
    assert spam.visibility == Visibility.HIDDEN and spam.rule_key == "w18-link-spam-hide"
    assert banned.visibility == Visibility.DELETED and platform.deleted == [banned.remote_id]
    (county,) = _ingest("county_a_weibo", "想问一下，为什么会出现雾霾呀？", at=T0)

    _answer(forecast, T0 + timedelta(hours=2))  # on time: 120 minutes
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):  # on time, not answered
        actions.mark_comment_done(government, actor=person("kj_publisher"))
        moderation.hide_comment(hide, actor=person("kj_publisher"), reason="无关内容")
        moderation.delete_comment(delete, actor=person("kj_publisher"), reason="无关内容")
        actions.capture_feedback(
            thanks, actor=person("kj_publisher"), topic="预报准确", tags=["满意", "表扬"]
        )
        actions.record_feedback(
            channel(W, "city_weibo"),
            actor=person("kj_publisher"),
            text="电话反映：预报很准。",
            topic="预报准确",
            tags=["满意"],
            satisfaction=5,
        )
    with time_machine.travel(T0 + timedelta(hours=25), tick=False):
        # the science, warning and county questions: past their 24 hours
        scheduler.evaluate(T0 + timedelta(hours=25))
    _answer(science, T0 + timedelta(hours=30))  # late: 1,800 minutes

    # the reply to the forecast question comes back from the platform: not "received"
    own = queries.own_account_id(channel(W, "city_weibo"))
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        sent = forecast.replies.get().remote_id
        echo = ingest.ingest(
            channel(W, "city_weibo"),
            None,
            "comment",
            [_remote(ANSWER, remote_id=sent, author_id=own)],
        )
    assert len(echo) == 1
    # the month's edges in Beijing time
    _ingest("city_weibo", "谢谢小编", at=datetime(2026, 11, 30, 23, 59, tzinfo=TZ))
    _ingest("city_weibo", "谢谢小编", at=datetime(2026, 12, 1, 0, 0, tzinfo=TZ))
    return {"warning": warning, "county": county}


def _account(stats: queries.Statistics, key: str) -> queries.AccountFigures:
    return next(f for f in stats.accounts if f.channel == channel(W, key))


def test_w20_the_months_figures_per_account_come_from_what_was_done() -> None:
    """W-20: per account for November — received (not the account's own reply, the last
    minute of the month in, the first of December out), hidden and deleted by the rules
    and by people, questions in and out of scope, answered, on time and late by the reply
    deadlines, the median and 90th percentile of the first-response times, and the
    questions open now."""
    leader = person("kj_leader")
    stats = queries.interaction_statistics(
        leader, org(W), NOVEMBER, queries.statistics_channels(leader, org(W))
    )
    city = _account(stats, "city_weibo")
    assert (city.received, city.questions_in, city.questions_out) == (10, 3, 1)
    assert (city.hidden_by_rule, city.hidden_by_people) == (1, 1)
    assert (city.deleted_by_rule, city.deleted_by_people) == (1, 1)
    # answered: forecast (on time) and science (late); government done in an hour (on
    # time, no reply); warning never answered (late, open now)
    assert (city.answered, city.on_time, city.late, city.open_now) == (2, 2, 2, 1)
    # first responses: 60, 120 and 1,800 minutes → the median 120, the 90th percentile
    # 120 + 0.8 × 1,680 (percentile_cont)
    assert (city.median_minutes, city.p90_minutes) == (120, 1464)
    county = _account(stats, "county_a_weibo")
    assert (county.received, county.questions_in, county.late, county.open_now) == (1, 1, 1, 1)
    assert county.median_minutes is None
    assert stats.total.received == 11 and stats.total.late == 3 and stats.total.open_now == 2
    assert (stats.total.median_minutes, stats.total.p90_minutes) == (120, 1464)


def test_w20_per_expert_per_topic_and_the_feedback_per_topic_and_tag() -> None:
    """W-20, 第四条(四): the Observatory's forecaster was given the four in-scope questions
    (three on the city Weibo, one on county A's) and answered two, three late; the
    questions per topic by name; the month's feedback through the feedback page's own
    tally (per account and topic), and per tag."""
    leader = person("kj_leader")
    stats = queries.interaction_statistics(
        leader, org(W), NOVEMBER, queries.statistics_channels(leader, org(W))
    )
    assert [(e.name, e.assigned, e.answered, e.late) for e in stats.experts] == [
        (str(person("qxt_expert")), 4, 2, 3)
    ]
    assert {(t.topic, t.questions) for t in stats.topics} == {
        ("气象科普", 2),
        ("天气预报", 1),
        ("预警信息", 1),
        ("政务事项", 1),
    }
    assert [(r.account, r.topic, r.count, r.satisfaction) for r in stats.feedback_topics] == [
        ("市气象局官方微博", "预报准确", 2, 5.0)
    ]
    assert [(t.tag, t.count) for t in stats.feedback_tags] == [("满意", 2), ("表扬", 1)]
    # one account: the other account's question and its expert's share are not in it
    alone = queries.interaction_statistics(leader, org(W), NOVEMBER, [channel(W, "city_weibo")])
    assert [(e.assigned, e.late) for e in alone.experts] == [(3, 2)]
    assert alone.total.received == 10
    # December: the comment of its first minute only
    december = queries.interaction_statistics(
        leader, org(W), queries.Month(2026, 12), [channel(W, "city_weibo")]
    )
    assert december.total.received == 1 and december.feedback_topics == []


def _more(n: int) -> None:
    """``n`` more questions marked done and ``n`` comments hidden and fed back, on both
    accounts."""
    for i in range(n):
        account, who = ("city_weibo", "kj_leader") if i % 2 else ("county_a_weibo", "xa_publisher")
        q, c = _ingest(account, FORECAST, "谢谢提醒！", at=T0 + timedelta(minutes=i))
        with time_machine.travel(T0 + timedelta(hours=1), tick=False):
            actions.mark_comment_done(q, actor=person(who))
            moderation.hide_comment(c, actor=person(who), reason="测试")
            actions.capture_feedback(c, actor=person(who), tags=[f"标签{i}"])


def test_w20_the_figures_take_the_same_queries_however_many_comments() -> None:
    """W-20: counted in the database — the number of queries does not grow with the
    comments, replies, deadlines or feedback (issue 11: thousands of comments a month)."""
    leader = person("kj_leader")
    channels = queries.statistics_channels(leader, org(W))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            queries.interaction_statistics(leader, org(W), NOVEMBER, channels)
        return len(ctx.captured_queries)

    before = count()
    _more(12)
    assert count() == before <= 12


def test_w20_the_page_shows_the_month_and_the_account_chosen() -> None:
    """W-20: the publisher opens 互动统计 from the 互动 menu: the month selector (this month by
    default), the account filter, the figures of the month chosen."""
    c = Client()
    c.force_login(person("kj_publisher"))
    menu = c.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("interaction_statistics")}"' in menu and "互动统计" in menu
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=TZ), tick=True):
        page = c.get(reverse("interaction_statistics")).content.decode()
    assert '<option value="2026-12" selected>2026年12月</option>' in page
    city = channel(W, "city_weibo")
    r = c.get(reverse("interaction_statistics"), {"month": "2026-11", "account": str(city.pk)})
    html = r.content.decode()
    assert r.status_code == 200 and '<option value="2026-11" selected>' in html
    assert f'<tr data-account="{city.pk}"><th scope="row">市气象局官方微博</th>' in html
    assert '<td class="count" data-figure="received">10</td>' in html
    assert '<td data-figure="median">2 小时</td>' in html
    assert '<td data-figure="p90">24 小时 24 分钟</td>' in html
    assert "朱琳" in html and "气象科普" in html and "满意" in html
    assert "forecast" not in html and "science" not in html  # names, never codes
    assert duration(None) == "—" and duration(59) == "59 分钟" and duration(61) == "1 小时 1 分钟"
    assert queries.Month(2026, 1).previous() == queries.Month(2025, 12)
    assert queries.Month(2026, 12).following() == queries.Month(2027, 1)
    assert queries.Month(2026, 12).start().isoformat() == "2026-12-01T00:00:00+08:00"
    assert queries.month_of("2026-13") is None and queries.month_of("x") is None
    bogus = c.get(reverse("interaction_statistics"), {"month": "1999-01"}).content.decode()
    assert f'<option value="{queries.this_month().key}" selected>' in bogus


def test_w20_someone_of_another_unit_sees_only_his_accounts_and_others_not_at_all() -> None:
    """W-20, object level: county A's publisher reads county A's account only — the city's
    account is not there for him (404, page and export); the Observatory's information
    officer (no comments, no statistics) gets 404; the college's administrator reads his
    own accounts, none of the weather bureau's (404 for one named); the technology
    centre's section head (the rule book's 统计分析 duty, organisation-wide)
    reads both accounts."""
    city, county = channel(W, "city_weibo"), channel(W, "county_a_weibo")
    c = Client()
    c.force_login(person("xa_publisher"))
    page = c.get(reverse("interaction_statistics"), {"month": "2026-11"}).content.decode()
    assert county.name in page and city.name not in page
    assert '<td class="count" data-figure="received">1</td>' in page
    assert "朱琳" in page  # the expert of county A's own question
    for name in ("interaction_statistics", "interaction_statistics_csv"):
        r = c.get(reverse(name), {"month": "2026-11", "account": str(city.pk)})
        assert r.status_code == 404, name
    csv_text = c.get(reverse("interaction_statistics_csv"), {"month": "2026-11"}).content
    assert city.name.encode() not in csv_text and county.name.encode() in csv_text
    c.force_login(person("qxt_officer"))
    assert c.get(reverse("interaction_statistics")).status_code == 404
    assert c.get(reverse("interaction_statistics_csv")).status_code == 404
    c.force_login(person("col_admin"))
    page = c.get(reverse("interaction_statistics"), {"month": "2026-11"}).content.decode()
    assert city.name not in page and county.name not in page and "朱琳" not in page
    for name in ("interaction_statistics", "interaction_statistics_csv"):
        assert c.get(reverse(name), {"account": str(city.pk)}).status_code == 404, name
    c.force_login(person("kj_section_head"))
    page = c.get(reverse("interaction_statistics"), {"month": "2026-11"}).content.decode()
    assert city.name in page and county.name in page
    assert c.get(reverse("interaction_statistics"), {"account": "x"}).status_code == 404


def _rows(r: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


def test_w20_the_csv_has_a_bom_neutralised_formulas_and_is_audited_as_a_read() -> None:
    """W-20: the export opens in Excel with its Chinese (UTF-8 with a BOM); a cell typed by a
    person that starts with = + - @ is text, never a formula; the download is an audited
    read (导出数据) naming the month."""
    with time_machine.travel(T0, tick=False):
        actions.record_feedback(
            channel(W, "city_weibo"),
            actor=person("kj_publisher"),
            text="x",
            topic='=HYPERLINK("http://x")',
            tags=["@SUM(A1)", "-1+1", "+86"],
        )
    c = Client()
    c.force_login(person("kj_publisher"))
    before = AuditRecord.objects.filter(action=AuditAction.DATA_EXPORTED).count()
    with time_machine.travel(T0 + timedelta(days=1), tick=True):
        r = c.get(reverse("interaction_statistics_csv"), {"month": "2026-11"})
    assert r.status_code == 200 and r["Content-Type"] == "text/csv; charset=utf-8"
    assert r.content.startswith(b"\xef\xbb\xbf")
    assert "interaction-statistics-2026-11.csv" in r["Content-Disposition"]
    rows = _rows(r)
    assert rows[0] == ["互动统计 2026年11月"]
    header = rows.index(["按账号"]) + 1
    assert rows[header][:3] == ["账号", "收到评论留言", "规则隐藏"]
    city = next(row for row in rows if row and row[0] == "市气象局官方微博")
    assert city[1] == "10" and city[11:13] == ["120", "1464"]
    # the publisher reads the tech centre's accounts only: county A is not in his total
    assert next(row for row in rows if row and row[0] == "合计")[1] == "10"
    assert not any(row and row[0] == channel(W, "county_a_weibo").name for row in rows)
    cells = {cell for row in rows for cell in row}
    assert '\'=HYPERLINK("http://x")' in cells and "'@SUM(A1)" in cells
    assert "'-1+1" in cells and "'+86" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    rec = AuditRecord.objects.filter(action=AuditAction.DATA_EXPORTED).order_by("-seq").first()
    assert AuditRecord.objects.filter(action=AuditAction.DATA_EXPORTED).count() == before + 1
    assert rec is not None and rec.object_type == "interaction_statistics"
    assert rec.actor_id == person("kj_publisher").pk and rec.after is not None
    assert rec.after["month"] == "2026-11" and "2026年11月" in rec.object_repr
