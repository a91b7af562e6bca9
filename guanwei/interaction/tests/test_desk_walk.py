"""What the walk of 互动台 as each role of the weather bureau found (issue 11): the Observatory's
forecaster saw and could act on every comment of the city's accounts (W-20); the leader an
escalation goes to was offered 上报领导 to himself (W-18); the activity form offered the
website (W-08, T-06); a refused reply lost its text (W-19, W-20); an activity outside a
major weather event named the major-weather consent rule (W-08)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guanwei.core.errors import InvalidChange
from guanwei.interaction import actions, moderation, queries, replies
from guanwei.interaction.models import (
    Activity,
    Comment,
    CommentNote,
    Feedback,
    ItemStatus,
    Reply,
    Visibility,
)
from guanwei.interaction.tests.test_inbox import _client, _comment  # noqa: E402
from guanwei.testing.personas import channel, org, person

pytestmark = pytest.mark.django_db
W = "demo_weather"
_ids = itertools.count(1)


def _item(page: str, c: Comment) -> str:
    """The one inbox item's HTML."""
    start = page.index(f'id="comment-{c.pk}"')
    return page[start : page.index("</article>", start)]


# ------------------------------------------------ 1. the forecaster


def test_it_shows_the_forecaster_only_the_questions_given_to_her() -> None:
    """W-20: the Observatory's forecaster (朱琳, question.answer over the whole organisation,
    not on the tech centre's staff) sees on 互动台 only the questions assigned to her — not
    the city account's other comments, not a county's — in the list, the filters and the
    new-items banner; the centre's publisher, editor and leader still see them all."""
    mine = _comment(text="请问明天城区会下雨吗？", is_question=True, assignee=person("qxt_expert"))
    other = _comment(text="你们这预报不准（别人的评论）")
    county = _comment("county_a_weibo", text="县里明天降温吗？（县局的）")
    expert = person("qxt_expert")
    page = _client("qxt_expert").get(reverse("inbox")).content.decode()
    assert mine.text in page
    assert other.text not in page and county.text not in page
    assert [c.pk for c in queries.inbox(expert, org(W))] == [mine.pk]
    assert [c.pk for c in queries.inbox(expert, org(W), show="open")] == [mine.pk]
    banner = _client("qxt_expert").get(reverse("inbox") + "?fragment=count&since=0")
    assert "有 1 条新的评论留言" in banner.content.decode()
    for who in ("kj_publisher", "kj_editor", "kj_leader", "bgs_leader"):
        shown = {c.pk for c in queries.inbox(person(who), org(W))}
        assert {mine.pk, other.pk} <= shown, who


def test_it_offers_the_forecaster_only_the_reply_and_the_note() -> None:
    """W-20: on her own question the forecaster is offered 起草回复 and 备注 (and 标记已处理,
    which the action lets the assignee do) — no 分派, 隐藏, 删除, 上报领导, 记为反馈 or 精选."""
    mine = _comment(text="请问周末会降温吗？", is_question=True, assignee=person("qxt_expert"))
    item = _item(_client("qxt_expert").get(reverse("inbox")).content.decode(), mine)
    assert f'id="reply-text-{mine.pk}"' in item and reverse("comment_note", args=[mine.pk]) in item
    for forbidden in (
        reverse("comment_assign", args=[mine.pk]),
        reverse("comment_moderate", args=[mine.pk]),
        reverse("feedback_capture", args=[mine.pk]),
        reverse("comment_representative", args=[mine.pk]),
    ):
        assert forbidden not in item, forbidden
    publisher = _item(_client("kj_publisher").get(reverse("inbox")).content.decode(), mine)
    assert reverse("comment_assign", args=[mine.pk]) in publisher
    assert 'value="hide"' in publisher


def test_it_refuses_the_forecasters_posts_on_a_comment_not_hers() -> None:
    """W-20 (object level): every POST of 互动台 on a comment not given to the forecaster is
    404 and changes nothing; on her own question she may note and draft, but not hide,
    delete, escalate, assign, record feedback or pick it (refused, nothing changes)."""
    mine = _comment(text="请问下周天气？", is_question=True, assignee=person("qxt_expert"))
    other = _comment(text="别人的评论，不是她的")
    client = _client("qxt_expert")
    posts = [
        ("comment_assign", {"assignee": str(person("qxt_expert").pk)}),
        ("comment_note", {"text": "我来看看"}),
        ("comment_done", {}),
        ("comment_moderate", {"op": "hide"}),
        ("comment_moderate", {"op": "delete"}),
        ("comment_moderate", {"op": "escalate"}),
        ("comment_reply", {"op": "save", "text": "您好"}),
        ("feedback_capture", {"topic": "x"}),
        ("comment_representative", {"op": "mark"}),
    ]
    for name, body in posts:
        r = client.post(reverse(name, args=[other.pk]), body)
        assert r.status_code == 404, (name, body, r.status_code)
    other.refresh_from_db()
    assert other.status == ItemStatus.OPEN and other.visibility == Visibility.VISIBLE
    assert other.assignee_id is None and other.escalated_to_id is None
    assert not CommentNote.objects.filter(comment=other).exists()
    assert not Reply.objects.filter(comment=other).exists()
    assert not Feedback.objects.filter(comment=other).exists()

    for name, body in posts[3:6] + [
        ("comment_assign", {"assignee": str(person("kj_publisher").pk)}),
        ("feedback_capture", {"topic": "x"}),
    ]:
        client.post(reverse(name, args=[mine.pk]), body)
    mine.refresh_from_db()
    assert mine.visibility == Visibility.VISIBLE and mine.status == ItemStatus.OPEN
    assert mine.assignee == person("qxt_expert") and mine.escalated_to_id is None
    assert not Feedback.objects.filter(comment=mine).exists()
    client.post(reverse("comment_note", args=[mine.pk]), {"text": "已核实雷达资料"})
    client.post(reverse("comment_reply", args=[mine.pk]), {"op": "save", "text": "您好，下周晴。"})
    assert CommentNote.objects.filter(comment=mine, author=person("qxt_expert")).exists()
    assert Reply.objects.get(comment=mine).text == "您好，下周晴。"


def test_it_still_lets_the_publisher_give_a_question_to_the_forecaster() -> None:
    """W-20: 分派 still lists the forecaster (she answers the account's questions); the
    assignment makes the question hers; she does not hand it on."""
    c = _comment(text="请问今年的梅雨期什么时候开始？", is_question=True)
    expert, publisher = person("qxt_expert"), person("kj_publisher")
    assert expert in queries.assignable_people(c)
    assert not actions.may_handle(expert, c)
    actions.assign_comment(c, assignee=expert, actor=publisher)
    c.refresh_from_db()
    assert c.assignee == expert
    assert [x.pk for x in queries.inbox(expert, org(W))] == [c.pk]
    with pytest.raises(Exception, match="权限"):
        actions.assign_comment(c, assignee=publisher, actor=expert)


# ------------------------------------------------ 2. escalating to oneself


def test_it_does_not_offer_the_leader_to_escalate_to_himself() -> None:
    """W-18: 上报领导 on the city Weibo goes to the tech centre's leader (陈静); she is not
    offered it (the publisher is), and the action refuses her in Chinese."""
    c = _comment(text="疑似恶意的评论（上报走查）")
    leader = person("kj_leader")
    assert queries.escalation_target(c) == leader.pk
    own = _item(_client("kj_leader").get(reverse("inbox")).content.decode(), c)
    assert 'value="hide"' in own and 'value="escalate"' not in own
    theirs = _item(_client("kj_publisher").get(reverse("inbox")).content.decode(), c)
    assert 'value="escalate"' in theirs
    with pytest.raises(InvalidChange, match="上报给自己"):
        moderation.escalate_comment(
            c, actor=leader, reason="x", roles=queries.escalation_roles(c.organisation_id)
        )
    r = _client("kj_leader").post(
        reverse("comment_moderate", args=[c.pk]), {"op": "escalate"}, follow=True
    )
    assert "上报给自己" in r.content.decode()
    c.refresh_from_db()
    assert c.status == ItemStatus.OPEN and c.escalated_to_id is None
    _client("kj_publisher").post(reverse("comment_moderate", args=[c.pk]), {"op": "escalate"})
    c.refresh_from_db()
    assert c.status == ItemStatus.ESCALATED and c.escalated_to == leader


# ------------------------------------------------ 3. activities on social accounts


def test_it_offers_activities_only_on_the_weibo_and_wechat_accounts() -> None:
    """W-08, T-06: a poll, topic or interview runs on a social account; the form of the
    centre's publisher lists the city Weibo, not the city website, and the action refuses
    the website."""
    publisher = person("kj_publisher")
    page = _client("kj_publisher").get(reverse("activity_new")).content.decode()
    start = page.index('<select name="channel"')
    accounts = page[start : page.index("</select>", start)]
    weibo, website = channel(W, "city_weibo"), channel(W, "city_website")
    assert weibo.name in accounts and website.name not in accounts
    assert not actions.may_plan_activity(publisher, website)
    now = timezone.now()
    body = {
        "channel": str(website.pk),
        "rule_key": "major_weather_activity",
        "kind": "topic",
        "title": "网站上的话题",
        "starts_at": f"{timezone.localtime(now):%Y-%m-%dT%H:%M}",
        "ends_at": f"{timezone.localtime(now + timedelta(hours=2)):%Y-%m-%dT%H:%M}",
    }
    r = _client("kj_publisher").post(reverse("activity_new"), body)
    assert r.status_code == 200 and not Activity.objects.filter(title="网站上的话题").exists()
    with pytest.raises(Exception, match="微博或微信"):
        actions.plan_activity(
            website,
            actor=publisher,
            rule_key="major_weather_activity",
            kind="topic",
            title="网站上的话题",
            starts_at=now,
            ends_at=now + timedelta(hours=2),
        )


# ------------------------------------------------ 4. a refused reply keeps its text


LONG = "您好，" + "明天城区多云转小雨，" * 15  # over Weibo's 140


def test_it_keeps_the_typed_reply_when_the_submission_is_refused() -> None:
    """W-19, W-20: a reply refused at submission (too long for Weibo; blocked by screening)
    comes back in the box with the person's text and a Chinese message saying why."""
    c = _comment(text="请问明天要带伞吗？", is_question=True, assignee=person("qxt_expert"))
    client = _client("qxt_expert")
    r = client.post(
        reverse("comment_reply", args=[c.pk]),
        {"op": "submit", "text": LONG, "next": "/interaction/"},
        follow=True,
    )
    page = r.content.decode()
    item = _item(page, c)
    assert f">{LONG.strip()}</textarea>" in item
    assert "回复最多 140 字" in item
    assert not Reply.objects.filter(comment=c).exists()

    replies.write_reply(c, actor=person("qxt_expert"), text="您好，明天有雨。")  # a draft
    r = client.post(
        reverse("comment_reply", args=[c.pk]),
        {"op": "submit", "text": LONG, "next": "/interaction/"},
        follow=True,
    )
    assert f">{LONG.strip()}</textarea>" in _item(r.content.decode(), c)  # not the old draft
    r = client.post(
        reverse("comment_reply", args=[c.pk]),
        {"op": "submit", "text": "法轮功大法好", "next": "/interaction/"},
        follow=True,
    )
    item = _item(r.content.decode(), c)
    assert ">法轮功大法好</textarea>" in item and "不宜公开" in item
    # shown once: the next visit starts from the saved draft again
    page = client.get(reverse("inbox")).content.decode()
    assert "回复最多 140 字" not in page


def test_it_answers_an_htmx_submission_with_the_panel_keeping_the_text() -> None:
    """W-19, W-20 (htmx): the reply form submitted by htmx gets back its panel with the
    typed text and the message when refused, and is sent to the page when it went
    through."""
    c = _comment(text="请问后天会下雪吗？", is_question=True, assignee=person("qxt_expert"))
    client = _client("qxt_expert")
    htmx = {"HX-Request": "true"}
    r = client.post(
        reverse("comment_reply", args=[c.pk]),
        {"op": "submit", "text": LONG, "next": "/interaction/?show=mine"},
        headers=htmx,
    )
    body = r.content.decode()
    assert r.status_code == 200 and f'id="reply-{c.pk}"' in body
    assert f">{LONG.strip()}</textarea>" in body and "回复最多 140 字" in body
    assert "<html" not in body
    r = client.post(
        reverse("comment_reply", args=[c.pk]),
        {"op": "save", "text": "您好，后天有小雪。", "next": "/interaction/?show=mine"},
        headers=htmx,
    )
    assert r["HX-Redirect"].startswith("/interaction/?show=mine")
    assert Reply.objects.get(comment=c).text == "您好，后天有小雪。"


# ------------------------------------------------ 6. the consent step where it applies


def _plan(major: bool, title: str) -> Activity:
    now = timezone.now()
    return actions.plan_activity(
        channel(W, "county_a_weibo"),
        actor=person("xa_publisher"),
        rule_key="major_weather_activity",
        kind="topic",
        title=title,
        starts_at=now,
        ends_at=now + timedelta(hours=2),
        major_weather=major,
    )


def test_it_names_the_major_weather_consent_only_for_a_major_weather_activity() -> None:
    """W-08: an activity outside a major weather event shows neither the major-weather rule
    nor the provincial consent step, before or after it is submitted; one in a major
    weather event shows the consent step it will need from the draft on."""
    plain = _plan(False, "普通话题（走查）")
    client = _client("xa_publisher")
    for submit in (True, False):
        page = client.get(reverse("activity_detail", args=[plain.pk])).content.decode()
        main = page[page.index("<main") :]
        assert "重大天气过程" not in main and "同意" not in main, main
        if submit:
            actions.submit_activity(plain, actor=person("xa_publisher"))
    major = _plan(True, "寒潮话题（走查）")
    page = client.get(reverse("activity_detail", args=[major.pk])).content.decode()
    assert "重大天气过程" in page and "省气象局发布员同意" in page
