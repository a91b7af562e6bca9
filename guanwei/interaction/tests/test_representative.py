"""精选问答 (REQ E-05, 第五篇 三(三)6 "回答用户答疑并互动(明文互动,选取有代表性有趣的互动)"):
who handles the account's comments marks an answered public comment as representative and
unmarks it (audited); the page lists them per account; 生成帖子 makes a draft post through
the content room's own ``create_post``, which then goes the normal editorial way."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.content.models import Post, PostStatus
from guanwei.core.errors import InvalidChange, PermissionDenied
from guanwei.interaction import actions, queries
from guanwei.interaction.models import Comment, Reply, ReplyStatus
from guanwei.testing.personas import channel, person
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
E, W = "demo_edu_software", "demo_weather"
OWN_UID = "3000001"
_ids = itertools.count(1)


def _account() -> object:
    ch = channel(E, "official_weibo")
    ch.account_id = OWN_UID
    ch.save(update_fields=["account_id"])
    return ch


def _comment(
    text: str, *, answer: str = "", org: str = E, key: str = "official_weibo", **kw: object
) -> Comment:
    ch = channel(org, key)
    if org == E:
        ch = _account()  # type: ignore[assignment]
    n = next(_ids)
    now = timezone.now()
    fields: dict[str, object] = {
        "organisation_id": ch.organisation_id,
        "unit_id": ch.unit_id,
        "channel": ch,
        "remote_id": f"q{n}",
        "remote_post_id": "9300000000000001",
        "author_id": f"40000{n}",
        "author_name": f"家长{n}",
        "text": text,
        "is_question": True,
        "scope": "in",
        "created_at": now - timedelta(minutes=30),
        "fetched_at": now - timedelta(minutes=29),
    }
    fields.update(kw)
    asked = Comment.objects.create(**fields)
    if answer:  # the account's own reply, as fetched from the platform
        Comment.objects.create(
            organisation_id=ch.organisation_id,
            unit_id=ch.unit_id,
            channel=ch,
            remote_id=f"a{n}",
            remote_post_id=asked.remote_post_id,
            reply_to=asked.remote_id,
            author_id=ch.account_id or OWN_UID,
            author_name=ch.name,
            text=answer,
            created_at=now - timedelta(minutes=10),
            fetched_at=now - timedelta(minutes=9),
        )
    return asked


def _client(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def _audit(action: AuditAction, object_id: int) -> AuditRecord | None:
    return AuditRecord.objects.filter(action=action, object_id=str(object_id)).first()


def test_e05_the_operator_marks_an_answered_question_and_unmarks_it() -> None:
    """E-05: 运营专员 张敏 picks a question the account answered (选为精选问答), it is listed
    under its account with its answer; she takes it back (取消精选). Each step audited."""
    q = _comment("优信App怎么查看孩子的作业？", answer="在“家校通”里点“作业”即可查看。")
    operator = person("edu_yy_operator")
    actions.mark_representative(q, actor=operator)
    q.refresh_from_db()
    assert q.is_representative
    marked = _audit(AuditAction.REPRESENTATIVE_MARKED, q.pk)
    assert marked is not None and (marked.after or {})["answer"] == "在“家校通”里点“作业”即可查看。"
    page = _client("edu_yy_operator").get(reverse("showcase")).content.decode()
    assert "优课优信官方微博" in page and "优信App怎么查看孩子的作业？" in page
    assert "在“家校通”里点“作业”即可查看。" in page and "生成帖子" in page

    actions.unmark_representative(q, actor=operator)
    q.refresh_from_db()
    assert not q.is_representative
    assert _audit(AuditAction.REPRESENTATIVE_UNMARKED, q.pk) is not None
    assert "优信App怎么查看孩子的作业？" not in (
        _client("edu_yy_operator").get(reverse("showcase")).content.decode()
    )


def test_e05_a_reply_sent_through_the_product_is_the_answer() -> None:
    """E-05: a reply sent from 互动台 (W-20) is the answer, before the platform's own."""
    q = _comment("周末有线下活动吗？", answer="平台上的答复")
    Reply.objects.create(
        comment=q,
        text="本周六在市图书馆有亲子阅读活动。",
        drafted_by=person("edu_yy_operator"),
        status=ReplyStatus.SENT,
        sent_at=timezone.now(),
    )
    assert queries.answers_for([q]) == {q.pk: "本周六在市图书馆有亲子阅读活动。"}


def test_e05_only_an_answered_visible_public_comment_may_be_picked() -> None:
    """E-05: unanswered, a private message, hidden, or screened 不宜公开: refused, with why."""
    operator = person("edu_yy_operator")
    cases = {
        "答复后才能": _comment("没人回答的问题？"),
        "私信和提及不公开": _comment("私信提问？", answer="答复", source="message"),
        "已隐藏或已删除": _comment("被隐藏的提问？", answer="答复", visibility="hidden"),
        "不宜公开": _comment("不宜公开的提问？", answer="答复", verdict="block"),
    }
    for why, c in cases.items():
        with pytest.raises(InvalidChange, match=why):
            actions.mark_representative(c, actor=operator)
        c.refresh_from_db()
        assert not c.is_representative
    assert not AuditRecord.objects.filter(action=AuditAction.REPRESENTATIVE_MARKED).exists()


def test_e05_who_does_not_handle_the_accounts_comments_may_not_pick() -> None:
    """E-05 (object level): the content editor and a contributor of the company, and another
    organisation's publisher, are refused; the page and the button 404 for them."""
    q = _comment("孩子成绩怎么导出？", answer="在成绩单页点击导出。")
    for who in ("edu_yy_editor", "edu_cp_contributor", "kj_publisher"):
        with pytest.raises(PermissionDenied):
            actions.mark_representative(q, actor=person(who))
        r = _client(who).post(reverse("comment_representative", args=[q.pk]), {"op": "mark"})
        assert r.status_code == 404, who
    assert _client("edu_cp_contributor").get(reverse("showcase")).status_code == 404
    q.refresh_from_db()
    assert not q.is_representative
    weather = _comment("明天会下雨吗？", answer="多云。", org=W, key="city_weibo")
    with pytest.raises(PermissionDenied):
        actions.mark_representative(weather, actor=person("edu_yy_operator"))


def test_e05_the_inbox_offers_the_button_on_answered_comments_only() -> None:
    """E-05: 互动台 shows the account's answer and 选为精选问答 beside an answered comment,
    not beside an unanswered one; a picked one carries the tag 精选问答 and 取消精选."""
    answered = _comment("如何绑定孩子账号？", answer="在“我的”里点“绑定孩子”。")
    bare = _comment("还没答复的问题？")
    client = _client("edu_yy_operator")
    page = client.get(reverse("inbox")).content.decode()
    block = page.split(f'id="comment-{answered.pk}"')[1].split("</article>")[0]
    assert "账号答复" in block and "选为精选问答" in block
    bare_block = page.split(f'id="comment-{bare.pk}"')[1].split("</article>")[0]
    assert "选为精选问答" not in bare_block
    r = client.post(
        reverse("comment_representative", args=[answered.pk]),
        {"op": "mark", "next": reverse("inbox")},
    )
    assert r.status_code == 302
    page = client.get(reverse("inbox")).content.decode()
    block = page.split(f'id="comment-{answered.pk}"')[1].split("</article>")[0]
    assert "精选问答" in block and "取消精选" in block
    assert 'id="showcase-link"' in page and 'id="watch-link"' in page


def test_e05_generate_post_makes_a_draft_through_content_and_it_goes_to_review() -> None:
    """E-05: two picked Q&A of the account become one draft post (category 与合作学校、机构
    及用户的互动, the account as its channel, no asker named) made by content's
    create_post; submitted, it waits for 运营主管审核 like any post. Audited."""
    a = _comment("孩子用平板学习多久合适？", answer="建议每次不超过20分钟。", author_name="王女士")
    b = _comment("作业提醒能关掉吗？", answer="在设置里关闭“作业提醒”。")
    operator = person("edu_yy_operator")
    for c in (a, b):
        actions.mark_representative(c, actor=operator)
    r = _client("edu_yy_operator").post(
        reverse("showcase_post"),
        {"comment": [str(a.pk), str(b.pk)], "title": "本周精选问答", "category": "interaction"},
    )
    assert r.status_code == 302
    post = Post.objects.get(title="本周精选问答")
    assert r["Location"] == reverse("post_detail", args=[post.pk])
    rev = post.current_revision
    assert post.status == PostStatus.DRAFT and rev is not None
    assert rev.category == "interaction" and rev.source == actions.SHOWCASE_SOURCE
    assert rev.body == (
        "网友问：孩子用平板学习多久合适？\n优课优信官方微博答：建议每次不超过20分钟。\n\n"
        "网友问：作业提醒能关掉吗？\n优课优信官方微博答：在设置里关闭“作业提醒”。"
    )
    assert "王女士" not in rev.body
    assert [c.key for c in rev.channels.all()] == ["official_weibo"]
    assert _audit(AuditAction.POST_CREATED, post.pk) is not None
    drafted = _audit(AuditAction.REPRESENTATIVE_POST_DRAFTED, post.pk)
    assert drafted is not None and (drafted.after or {})["comments"] == sorted([a.pk, b.pk])

    wf.submit_for_review(post, actor=operator)
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW
    step = StepRun.objects.get(run__post=post, status="pending")
    assert step.name == "运营主管审核"


def test_e05_generating_is_refused_where_it_must_be() -> None:
    """E-05: who may not write posts for the account (the ops lead reviews, does not write),
    nothing ticked, an unpicked comment, two accounts' items: refused, no post made."""
    a = _comment("问题一？", answer="答复一。")
    b = _comment("问题二？", answer="答复二。")
    actions.mark_representative(a, actor=person("edu_yy_operator"))
    before = Post.objects.count()
    with pytest.raises(PermissionDenied):
        actions.draft_post_from_representative([a], actor=person("edu_yy_lead"), title="x")
    with pytest.raises(InvalidChange, match="至少勾选"):
        actions.draft_post_from_representative([], actor=person("edu_yy_operator"), title="x")
    with pytest.raises(InvalidChange, match="已选为精选问答"):
        actions.draft_post_from_representative([a, b], actor=person("edu_yy_operator"), title="x")
    weather = _comment("明天会下雨吗？", answer="多云。", org=W, key="city_weibo")
    with pytest.raises(InvalidChange, match="同一个账号"):
        actions.draft_post_from_representative(
            [a, weather], actor=person("edu_yy_operator"), title="x"
        )
    # another organisation's comment id posted to the page: not found
    r = _client("edu_yy_operator").post(reverse("showcase_post"), {"comment": [str(weather.pk)]})
    assert r.status_code == 404
    assert Post.objects.count() == before


def test_e05_hostile_text_is_shown_inert_on_the_showcase_page() -> None:
    """E-05: a question and answer carrying markup are escaped, never run."""
    q = _comment('<script>alert("q")</script>问？', answer='<img src=x onerror="alert(1)">答')
    actions.mark_representative(q, actor=person("edu_yy_operator"))
    page = _client("edu_yy_operator").get(reverse("showcase")).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x" in page
