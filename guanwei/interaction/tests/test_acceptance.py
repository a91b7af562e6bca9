"""Issue 11's acceptance, end to end over real HTTP to the local fakes, with the packs' own
rules and people (no hand-made rule rows): for Weibo (the weather bureau) and WeChat (the
college) the comments of a published post are fetched; the prohibited one is deleted on
the platform by the pack's first rule where the platform allows it (W-18; WeChat. Weibo's
comments/destroy deletes only the account's own comments: there it is hidden in the
product, the refusal recorded and the leader told, decision 0023); the malicious one is
escalated to the leader (W-18); a question goes to the pack's expert, whose reply, once
approved, is on the fake (W-19, W-20); a comment written while an activity runs is tagged
with it (W-08)."""

from __future__ import annotations

import httpx
import pytest

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.interaction import replies
from guanwei.interaction.models import Comment, ItemStatus, Visibility
from guanwei.interaction.tests.test_fetch_to_inbox import _fetch, _wechat, _weibo
from guanwei.notify.models import Notice
from guanwei.publishing.adapters import get_adapter
from guanwei.publishing.credentials import settings_for
from guanwei.publishing.fakes import FakePlatforms
from guanwei.publishing.models import PublishIntent
from guanwei.testing.personas import person

pytestmark = pytest.mark.django_db

PROHIBITED = "法轮功大法好"
MALICIOUS = "气象局都是一群蠢货，去死吧"  # the weather bureau's 疑似恶意 (review)
DAMAGING = "听说学校食堂食物中毒，还有伤亡，学校瞒着不说"  # the college's 损害声誉 (review)


def _by_text(intent: PublishIntent) -> dict[str, Comment]:
    return {c.text: c for c in Comment.objects.filter(intent=intent)}


def test_w18_w19_w20_acceptance_on_weibo(fakes: FakePlatforms) -> None:
    """Weibo, the weather bureau: fetched, one caught by 反动、极端言论 (Weibo refuses to
    delete a stranger's comment: hidden in the product, the refusal audited, the leader told),
    one escalated by 疑似恶意评论, one question answered by the Observatory's forecaster
    after the tech centre's leader approved it, on the fake's status page."""
    intent = _weibo(fakes)
    question = "请问明天会下雨吗？"
    for text in (PROHIBITED, MALICIOUS, question):
        fakes.control("weibo", add_comment={"status_id": int(intent.remote_id), "text": text})
    assert _fetch() == 3
    got = _by_text(intent)

    caught = got[PROHIBITED]
    assert caught.rule_key == "w18-reactionary-delete"
    assert caught.visibility == Visibility.HIDDEN  # Weibo: own comments only (20203)
    assert AuditRecord.objects.filter(
        action=AuditAction.COMMENT_DELETE_REFUSED, object_id=caught.pk
    ).exists()
    assert caught.status == ItemStatus.ESCALATED and "恶意言论" in caught.labels
    adapter = get_adapter("weibo", settings_for(intent.channel))
    left = {c.remote_id for c in adapter.fetch_comments(intent.remote_id)}

    escalated = got[MALICIOUS]
    assert escalated.rule_key == "w18-malicious-escalate", escalated.verdict
    assert escalated.status == ItemStatus.ESCALATED and escalated.remote_id in left
    assert escalated.escalated_to_id is not None
    assert Notice.objects.filter(user_id=escalated.escalated_to_id).exists()

    asked = got[question]
    assert asked.is_question and asked.assignee == person("qxt_expert")
    assert asked.reply_due_at is not None
    answer = "您好，明天多云转小雨，出门请带伞。"
    reply = replies.write_reply(asked, actor=person("qxt_expert"), text=answer, submit=True)
    assert not replies.may_approve(person("qxt_expert"), reply)  # not her own
    assert replies.approve_reply(reply, actor=person("kj_leader")).sent
    page = httpx.get(intent.remote_url, timeout=5).text
    assert answer in page


def test_w18_w19_w20_acceptance_on_wechat(fakes: FakePlatforms) -> None:
    """WeChat, the college: the same three on an 信息学院 article — deleted on the platform,
    escalated to the opinion reviewer, a question answered after the secretary approved."""
    intent = _wechat(fakes)
    msg = int(intent.remote_id.split(":")[-1])
    question = "学院图书馆周末开放吗？"
    for text in (PROHIBITED, DAMAGING, question):
        fakes.control("wechat", add_comment={"msg_data_id": msg, "content": text})
    assert _fetch() == 3
    got = _by_text(intent)

    deleted = got[PROHIBITED]
    assert deleted.rule_key == "c06-prohibited-delete"
    assert deleted.visibility == Visibility.DELETED
    adapter = get_adapter("wechat", settings_for(intent.channel))
    left = {c.remote_id for c in adapter.fetch_comments(intent.remote_id)}
    assert deleted.remote_id not in left

    escalated = got[DAMAGING]
    assert escalated.rule_key == "c10-damaging-escalate", escalated.verdict
    assert escalated.status == ItemStatus.ESCALATED and escalated.remote_id in left
    assert escalated.escalated_to_id is not None
    assert Notice.objects.filter(user_id=escalated.escalated_to_id).exists()

    asked = got[question]
    assert asked.is_question and asked.assignee == person("col_xx_manager")
    answer = "您好，图书馆周六、周日9:00至17:00开放。"
    reply = replies.write_reply(asked, actor=person("col_xx_manager"), text=answer, submit=True)
    assert replies.approve_reply(reply, actor=person("col_xx_secretary")).sent
    page = httpx.get(intent.remote_url, timeout=5).text
    assert f"作者回复：{answer}" in page and PROHIBITED not in page


def test_w08_comments_written_during_a_running_activity_are_tagged_with_it(
    fakes: FakePlatforms,
) -> None:
    """W-08 (issue 11 §7): a comment fetched while the account's activity runs belongs to
    it (the activity page lists it); one written after it finished does not (was never
    tagged: queries.activity_for had no caller)."""
    from datetime import timedelta

    from django.utils import timezone

    from guanwei.interaction.models import Activity, ActivityStatus

    intent = _weibo(fakes)
    now = timezone.now()
    a = Activity.objects.create(
        organisation_id=intent.channel.organisation_id,
        unit_id=intent.channel.unit_id,
        channel=intent.channel,
        rule_key="x",
        kind="interview",
        title="微访谈",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
        status=ActivityStatus.RUNNING,
        started_at=now - timedelta(minutes=30),
        created_by=person("kj_publisher"),
    )
    fakes.control("weibo", add_comment={"status_id": int(intent.remote_id), "text": "专家好"})
    assert _fetch() == 1
    assert Comment.objects.get(intent=intent, text="专家好").activity_id == a.pk
    Activity.objects.filter(pk=a.pk).update(
        status=ActivityStatus.FINISHED, finished_at=timezone.now() - timedelta(seconds=1)
    )
    fakes.control("weibo", add_comment={"status_id": int(intent.remote_id), "text": "结束了"})
    assert _fetch() == 1
    assert Comment.objects.get(intent=intent, text="结束了").activity_id is None


def test_w18_a_double_click_on_delete_leaves_it_deleted_not_hidden(
    fakes: FakePlatforms, monkeypatch: pytest.MonkeyPatch
) -> None:
    """W-18: two 在平台删除 requests for one comment (the second after the first deleted it
    on the platform): the comment stays 已删除 with one deletion record — the second's
    "not found" from the platform is not a refusal that turns it back into 已隐藏."""
    from guanwei.interaction import moderation

    intent = _wechat(fakes)
    msg = int(intent.remote_id.split(":")[-1])
    fakes.control("wechat", add_comment={"msg_data_id": msg, "content": "一条普通评论"})
    assert _fetch() == 1
    c = Comment.objects.get(intent=intent)
    stale = Comment.objects.get(pk=c.pk)  # what the second request read before the first
    who = person("col_xx_manager")
    assert moderation.delete_comment(c, actor=who, reason="重复").on_platform
    monkeypatch.setattr(moderation, "_fresh", lambda comment: stale)
    moderation.delete_comment(stale, actor=who, reason="重复")
    c.refresh_from_db()
    assert c.visibility == Visibility.DELETED
    assert c.first_response_at is not None  # a person's delete is the first response
    assert not AuditRecord.objects.filter(
        action=AuditAction.COMMENT_DELETE_REFUSED, object_id=c.pk
    ).exists()
