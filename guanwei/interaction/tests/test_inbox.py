"""The inbox (互动台, W-18, W-19): one per publishing unit, filters, assignment, notes, done,
first-response time, hostile text shown inert, a query count that does not grow."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.core.errors import InvalidChange, PermissionDenied
from guanwei.interaction import actions, queries
from guanwei.interaction.models import Comment, ItemStatus
from guanwei.testing.personas import channel, org, person

pytestmark = pytest.mark.django_db
W = "demo_weather"
_ids = itertools.count(1)
LAST: list = []


def _comment(account: str = "city_weibo", text: str = "明天会下雨吗？", **kw: object) -> Comment:
    ch = channel(W, account)
    n = next(_ids)
    fields: dict[str, object] = {
        "organisation_id": ch.organisation_id,
        "unit_id": ch.unit_id,
        "channel": ch,
        "remote_id": f"t{n}",
        "remote_post_id": "9100000000000001",
        "author_name": f"网友{n}",
        "text": text,
        "created_at": timezone.now(),
        "fetched_at": timezone.now() + timedelta(microseconds=n),
    }
    fields.update(kw)
    return Comment.objects.create(**fields)


def _client(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def test_w18_the_city_publisher_sees_the_city_accounts_comments_not_a_countys() -> None:
    """W-18: 互动台 shows the comments of the accounts of the units where the person handles
    comments; another unit's are neither listed nor reachable."""
    own = _comment(text="城区今天有雾吗？")
    other = _comment("county_a_weibo", text="县里明天降温吗？")
    page = _client("kj_publisher").get(reverse("inbox")).content.decode()
    assert "城区今天有雾吗？" in page and "县里明天降温吗？" not in page
    county = _client("xa_publisher").get(reverse("inbox")).content.decode()
    assert "县里明天降温吗？" in county and "城区今天有雾吗？" not in county
    r = _client("xa_publisher").post(reverse("comment_done", args=[own.pk]))
    assert r.status_code == 404
    own.refresh_from_db()
    assert own.status == ItemStatus.OPEN and other.status == ItemStatus.OPEN


def test_w18_who_handles_no_comments_has_no_inbox_and_no_menu_entry() -> None:
    c = _client("qxt_officer")
    assert c.get(reverse("inbox")).status_code == 404
    assert 'href="/interaction/"' not in c.get(reverse("dashboard")).content.decode()
    assert (
        'href="/interaction/"' in _client("kj_publisher").get(reverse("dashboard")).content.decode()
    )


def test_w19_filters_questions_open_done_mine() -> None:
    q = _comment(text="请问周末会降温吗？", is_question=True)
    done = _comment(text="谢谢提醒", status=ItemStatus.DONE)
    mine = _comment(text="预报很准", assignee=person("kj_publisher"))
    user, o = person("kj_publisher"), org(W)

    def shown(show: str) -> set[int]:
        return {c.pk for c in queries.inbox(user, o, show=show)}

    assert q.pk in shown("questions") and done.pk not in shown("questions")
    assert done.pk in shown("done") and done.pk not in shown("open")
    assert shown("mine") == {mine.pk}


def test_w18_assign_note_done_are_audited_and_done_is_the_first_response() -> None:
    c = _comment(reply_due_at=timezone.now() + timedelta(hours=4))
    publisher = person("kj_publisher")
    people = queries.assignable_people(c)
    assert publisher in people and person("xa_publisher") not in people
    actions.assign_comment(c, assignee=publisher, actor=publisher)
    actions.note_comment(c, text="已请气象台核实", actor=publisher)
    with pytest.raises(InvalidChange):
        actions.note_comment(c, text="   ", actor=publisher)
    with pytest.raises(InvalidChange):
        actions.assign_comment(c, assignee=person("xa_publisher"), actor=publisher)
    with pytest.raises(PermissionDenied):
        actions.mark_comment_done(c, actor=person("xa_publisher"))
    actions.mark_comment_done(c, actor=publisher)
    c.refresh_from_db()
    assert c.status == ItemStatus.DONE and c.assignee == publisher
    assert c.first_response_at is not None and c.done_at is not None
    assert queries.response_minutes(c) == 0
    done = {
        r.action for r in AuditRecord.objects.filter(object_type="comment", object_id=str(c.pk))
    }
    assert {
        AuditAction.COMMENT_ASSIGNED,
        AuditAction.COMMENT_NOTED,
        AuditAction.COMMENT_DONE,
    } <= done
    actions.reopen_comment(c, actor=publisher)
    c.refresh_from_db()
    assert c.status == ItemStatus.OPEN and c.first_response_at is not None


def test_w18_the_page_through_its_forms() -> None:
    c = _comment(text="能否发一下本周天气？")
    client = _client("kj_publisher")
    publisher = person("kj_publisher")
    r = client.post(
        reverse("comment_assign", args=[c.pk]),
        {"assignee": str(publisher.pk), "next": "/interaction/?show=open"},
    )
    assert r.status_code == 302 and r["Location"] == "/interaction/?show=open"
    r = client.post(
        reverse("comment_note", args=[c.pk]),
        {"text": "稍后统一答复", "next": "https://evil.example/"},
    )
    assert r["Location"] == reverse("inbox")  # never off the site
    client.post(reverse("comment_done", args=[c.pk]))
    c.refresh_from_db()
    assert c.assignee == publisher and c.status == ItemStatus.DONE
    page = client.get(reverse("inbox") + "?show=done").content.decode()
    assert "稍后统一答复" in page and "已处理" in page


def test_w18_hostile_text_is_escaped_and_hits_are_marked() -> None:
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>\u202e反动口号"
    _comment(
        text=evil,
        author_name="<svg onload=alert(3)>",
        hits=[{"start": 54, "end": 58, "category": "political"}],
    )
    page = _client("kj_publisher").get(reverse("inbox")).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<svg onload" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<mark class="hit"' in page


def test_w18_the_new_items_banner_counts_what_arrived_since() -> None:
    first = _comment(text="第一条")
    client = _client("kj_publisher")
    r = client.get(reverse("inbox") + f"?fragment=count&since={first.pk}")
    assert "新的评论留言" not in r.content.decode()
    _comment(text="第二条")
    r = client.get(reverse("inbox") + f"?fragment=count&since={first.pk}")
    assert "有 1 条新的评论留言" in r.content.decode()


def test_w18_the_inbox_query_count_does_not_grow_with_items(
    django_assert_max_num_queries: object,
) -> None:
    client = _client("kj_publisher")
    for i in range(3):
        _comment(text=f"少量{i}")
    client.get(reverse("inbox"))  # warm the per-process caches (rules, grants)
    import django.db

    def count() -> int:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(django.db.connection) as ctx:
            assert client.get(reverse("inbox")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(40):
        c = _comment(text=f"很多{i}", is_question=bool(i % 2))
        if i % 3 == 0:
            actions.note_comment(c, text="备注", actor=person("kj_publisher"))
    assert count() <= few + 2, "\n".join(q["sql"][:150] for q in LAST[0])


def test_w18_the_inbox_hides_and_escalates_for_who_moderates_only() -> None:
    """W-18: 隐藏 and 上报领导 from 互动台 through the moderation actions (Weibo: hidden in
    the product, said so); the buttons only for who holds comment.moderate."""
    c = _comment(text="这是一条恶意攻击的评论")
    client = _client("kj_publisher")
    page = client.get(reverse("inbox")).content.decode()
    assert 'value="hide"' in page and 'value="escalate"' in page
    client.post(reverse("comment_moderate", args=[c.pk]), {"op": "hide"})
    c.refresh_from_db()
    assert c.visibility == "hidden"
    client.post(reverse("comment_moderate", args=[c.pk]), {"op": "escalate"})
    c.refresh_from_db()
    assert c.status == ItemStatus.ESCALATED and c.escalated_to is not None
    leader = _client(c.escalated_to.username)
    assert (
        "这是一条恶意攻击的评论"
        in leader.get(reverse("inbox") + "?show=escalated").content.decode()
    )
    r = _client("xa_publisher").post(reverse("comment_moderate", args=[c.pk]), {"op": "unhide"})
    assert r.status_code == 404
