"""What an attacker did to replies (the review of W-19/W-20): each test failed on 49469e2."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanwei.core.errors import InvalidChange
from guanwei.interaction import experts, replies
from guanwei.interaction.models import Reply, ReplyStatus
from guanwei.interaction.tests.test_replies import StubAdapter, _question, _submitted
from guanwei.oversight.models import Deadline, DeadlineStatus
from guanwei.testing.personas import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> dict[str, StubAdapter]:
    holder = {"adapter": StubAdapter("4999", "5000")}
    monkeypatch.setattr(replies, "_adapter", lambda comment: holder["adapter"])
    return holder


def test_w20_an_answered_comment_takes_no_second_reply(platform: dict[str, StubAdapter]) -> None:
    """W-20: once a reply is sent, drafting another (a forged POST: the form is hidden) is
    refused, and a second approved reply is never sent (it went out, then a 500)."""
    c = _question()
    assert replies.approve_reply(_submitted(c), actor=person("kj_leader")).sent
    with pytest.raises(InvalidChange, match="已回复过"):
        replies.write_reply(c, actor=person("qxt_expert"), text="再补充一句：请带伞。")
    # A second reply row approved by any route is still not sent.
    extra = Reply.objects.create(
        comment=c, text="补充", drafted_by=person("qxt_expert"), status=ReplyStatus.APPROVED
    )
    with pytest.raises(InvalidChange, match="不会再发送"):
        replies.send_reply(extra, actor=person("kj_leader"))
    assert len(platform["adapter"].calls) == 1


def test_w20_a_check_does_not_reset_a_send_claimed_meanwhile(
    platform: dict[str, StubAdapter],
) -> None:
    """W-20 (decision 0026): a 核实 that read 发送结果待核实 and found nothing does not put back
    a reply another send has claimed since (it then went out and stayed 已批准: sendable)."""
    c = _question()
    reply = _submitted(c)
    Reply.objects.filter(pk=reply.pk).update(
        status=ReplyStatus.APPROVED, decided_by=person("kj_leader")
    )
    Reply.objects.filter(pk=reply.pk).update(
        status=ReplyStatus.UNKNOWN, claimed_at=timezone.now() - timedelta(minutes=5)
    )
    seen = Reply.objects.get(pk=reply.pk)  # what the check read
    Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.SENDING, claimed_at=timezone.now())
    monkey = replies._fresh
    try:
        replies._fresh = lambda r: seen  # type: ignore[assignment]
        with pytest.raises(InvalidChange, match="状态已改变"):
            replies.check_reply(seen, actor=person("kj_leader"))
    finally:
        replies._fresh = monkey  # type: ignore[assignment]
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.SENDING


def test_w20_who_wrote_any_of_the_text_does_not_approve_it() -> None:
    """Decision 0010: the leader drafts, the expert saves and submits it — the leader is not
    its approver (he was: only the last saver was left out), and as the tech centre has no
    other, the submission says so and the draft stays."""
    c = _question()
    replies.draft_reply(c, actor=person("kj_leader"), text="您好，明天有小雨。")
    with pytest.raises(InvalidChange, match="不能审定自己起草的回复"):
        replies.write_reply(c, actor=person("qxt_expert"), text="您好，明天有小雨。", submit=True)
    reply = Reply.objects.get(comment=c)
    assert reply.status == ReplyStatus.DRAFT
    assert person("kj_leader").pk not in replies.approvers(reply)


def test_w20_a_late_reply_breaches_its_deadline(platform: dict[str, StubAdapter]) -> None:
    """W-20: a reply sent after the deadline closes it as 超时, even if the scheduler had
    not run (it was recorded 按时完成)."""
    c = _question()
    Deadline.objects.filter(key=experts.deadline_key(c)).update(
        due_at=timezone.now() - timedelta(hours=3)
    )
    assert replies.approve_reply(_submitted(c), actor=person("kj_leader")).sent
    assert Deadline.objects.get(key=experts.deadline_key(c)).status == DeadlineStatus.BREACHED


def test_w20_forged_reply_ids_are_messages_not_500s() -> None:
    c = _question()
    client = Client()
    client.force_login(person("kj_leader"))
    for bad in ("abc", "²", "1e3"):
        r = client.post(reverse("comment_reply", args=[c.pk]), {"op": "approve", "reply": bad})
        assert r.status_code == 302, bad


def test_e05_a_pick_hidden_later_is_neither_listed_nor_posted() -> None:
    """E-05: a representative Q&A later hidden as harmful leaves the 精选问答 list and cannot
    go into a draft post (it did both)."""
    from guanwei.interaction import actions
    from guanwei.interaction.models import Visibility
    from guanwei.interaction.tests.test_representative import _client as edu_client
    from guanwei.interaction.tests.test_representative import _comment

    q = _comment("优信App怎么查看孩子的作业？", answer="在“家校通”里点“作业”即可查看。")
    operator = person("edu_yy_operator")
    actions.mark_representative(q, actor=operator)
    type(q).objects.filter(pk=q.pk).update(visibility=Visibility.HIDDEN)
    page = edu_client("edu_yy_operator").get(reverse("showcase")).content.decode()
    assert "优信App怎么查看孩子的作业" not in page
    q.refresh_from_db()
    with pytest.raises(InvalidChange):
        actions.draft_post_from_representative([q], actor=operator, title="精选")


def test_w20_the_expert_is_told_of_the_question_routed_to_her() -> None:
    """W-20: the forecaster gets a notice (bell, 通知) linking to the question routed to her
    (she had none: the walk found an empty notice page)."""
    from guanwei.notify.models import Notice

    c = _question()
    n = Notice.objects.get(user=person("qxt_expert"), link__endswith=f"#comment-{c.pk}")
    assert "待答复网友提问" in n.title


def test_w18_no_platform_delete_offered_for_a_strangers_weibo_comment() -> None:
    """W-18 (decision 0023): Weibo deletes only the account's own comments, so 在平台删除 is
    not offered for a netizen's comment there (it always came back refused); 隐藏 is."""
    from guanwei.interaction.tests.test_inbox import _client as inbox_client
    from guanwei.interaction.tests.test_inbox import _comment

    c = _comment(text="网友的评论")
    page = inbox_client("kj_publisher").get(reverse("inbox")).content.decode()
    card = page.split(f'id="comment-{c.pk}"')[1].split('id="comment-')[0]
    assert 'value="hide"' in card and 'value="delete"' not in card
