"""Experts and replies (W-19, W-20; 第四条(四), 第十四条, 第十六条): a question in scope goes to
the expert its topic names with the pack's reply deadline; out of scope it is offered the
routing text; a reply is screened and flagged, approved by the account unit's leader, sent
once through the adapter (a claimed 发送中 before the call; an unknown outcome checked on
the platform, never resent blind), the first response recorded and the deadline met."""

from __future__ import annotations

import itertools
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.core.errors import InvalidChange, PermissionDenied
from guanwei.interaction import experts, queries, replies
from guanwei.interaction.models import Comment, ItemStatus, Reply, ReplyStatus, Scope
from guanwei.oversight import scheduler
from guanwei.oversight.models import Deadline, DeadlineKind, DeadlineStatus
from guanwei.publishing.adapters.base import AdapterError
from guanwei.testing.personas import channel, person

pytestmark = pytest.mark.django_db
W = "demo_weather"
ROOT = Path(__file__).resolve().parents[3]
_ids = itertools.count(1)


def _question(
    text: str = "请问明天会下雨吗？",
    *,
    scope: str = Scope.IN,
    topic: str = "forecast",
    account: str = "city_weibo",
    org: str = W,
) -> Comment:
    ch = channel(org, account)
    n = next(_ids)
    c = Comment.objects.create(
        organisation_id=ch.organisation_id,
        unit_id=ch.unit_id,
        channel=ch,
        remote_id=f"{4000000000000000 + n}",
        remote_post_id="5000000000000001",
        author_name=f"网友{n}",
        text=text,
        created_at=timezone.now(),
        fetched_at=timezone.now(),
        is_question=True,
        scope=scope,
        topic=topic,
    )
    experts.route_new([c])
    c.refresh_from_db()
    return c


class StubAdapter:
    """What the platform does, scripted: ``outcomes`` in order, each a remote id or an
    AdapterError to raise; ``found`` answers find_reply."""

    def __init__(self, *outcomes: Any, found: str | None = None) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[tuple[str, str, str]] = []
        self.found = found

    def reply_comment(self, remote_id: str, comment_id: str, text: str) -> str:
        self.calls.append((remote_id, comment_id, text))
        out = self.outcomes.pop(0)
        if isinstance(out, Exception):
            raise out
        return str(out)

    def find_reply(self, remote_id: str, comment_id: str, text: str) -> str | None:
        return self.found


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> dict[str, StubAdapter]:
    holder = {"adapter": StubAdapter("4999")}
    monkeypatch.setattr(replies, "_adapter", lambda comment: holder["adapter"])
    return holder


def _submitted(c: Comment, text: str = "您好，明天多云转小雨，出门请带伞。") -> Reply:
    return replies.write_reply(c, actor=person("qxt_expert"), text=text, submit=True)


# ------------------------------------------------------------------ routing


def test_w20_an_in_scope_question_goes_to_the_observatorys_forecaster_with_its_deadline() -> None:
    """W-20, 第四条(三)(四): a forecast question is assigned to the Observatory's expert (朱琳),
    due 24 hours after it arrived; its reply deadline is a row (kind 网友提问答复) owned by her,
    escalated to the tech centre's leader; the routing is audited."""
    c = _question()
    assert c.assignee == person("qxt_expert")
    assert c.created_at is not None and c.reply_due_at == c.created_at + timedelta(hours=24)
    d = Deadline.objects.get(key=f"reply:{c.pk}")
    assert d.kind == DeadlineKind.REPLY and d.status == DeadlineStatus.OPEN
    assert d.owner_ids == [person("qxt_expert").pk]
    assert d.escalate_ids == [person("kj_leader").pk] and d.due_at == c.reply_due_at
    rec = AuditRecord.objects.get(action=AuditAction.QUESTION_ROUTED, object_id=str(c.pk))
    assert rec.after is not None and rec.after["rule"] == "forecast"


def test_w19_a_law_question_goes_to_the_legal_section() -> None:
    """第四条(六): a question naming the law (法规、处罚) goes to 法规科's expert (郭婷)."""
    c = _question("防雷装置不检测会被处罚吗？有什么法规规定？", topic="science")
    assert c.assignee == person("fgk_expert")


def test_w20_questions_spread_over_the_forecasters_by_open_load() -> None:
    """Of several holders of the role, the one with the fewest open questions answers."""
    from guanwei.orgs.models import Membership, User

    first = _question()
    second_expert = User.objects.create(username="qxt_expert2", first_name="王二")
    Membership.objects.create(
        user=second_expert,
        unit=first.unit.__class__.objects.get(
            key="city_observatory", organisation=first.unit.organisation
        ),
        role="expert",
        granted_at=timezone.now(),
    )
    second, third = _question("周末会降温吗？"), _question("下周呢？")
    assert first.assignee == person("qxt_expert") and second.assignee == second_expert
    assert third.assignee == person("qxt_expert")


def _unrouted(n: int) -> list[Comment]:
    ch = channel(W, "city_weibo")
    now = timezone.now()
    return Comment.objects.bulk_create(
        Comment(
            organisation_id=ch.organisation_id,
            unit_id=ch.unit_id,
            channel=ch,
            remote_id=f"{4100000000000000 + next(_ids)}",
            remote_post_id="5000000000000001",
            author_name="网友",
            text=f"请问明天会下雨吗？第{i}问",
            created_at=now,
            fetched_at=now,
            is_question=True,
            scope=Scope.IN,
            topic="forecast",
        )
        for i in range(n)
    )


def test_w20_a_batch_is_routed_in_a_fixed_number_of_statements_and_spread_within_it() -> None:
    """W-20: ingest routes a fetched page (up to 500) at once: the statements do not grow
    with the batch (one UPDATE, one INSERT of deadlines, one audit append, one INSERT of
    notices); within the batch the questions alternate between two forecasters; every
    question has its deadline and its audit record; each expert gets one notice for the
    batch, with the count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guanwei.notify.models import Notice
    from guanwei.orgs.models import Membership, Unit, User

    other = User.objects.create(username="qxt_expert2", first_name="王二")
    Membership.objects.create(
        user=other,
        unit=Unit.objects.get(key="city_observatory", organisation__key=W),
        role="expert",
        granted_at=timezone.now(),
    )
    small, big = _unrouted(3), _unrouted(40)
    with CaptureQueriesContext(connection) as few:
        assert experts.route_new(small) == 3
    with CaptureQueriesContext(connection) as many:
        assert experts.route_new(big) == 40
    assert len(many.captured_queries) <= len(few.captured_queries) + 2
    got = list(Comment.objects.filter(pk__in=[c.pk for c in big]).order_by("pk"))
    load = {person("qxt_expert").pk: 0, other.pk: 0}
    for c in got:
        assert c.assignee_id is not None
        load[c.assignee_id] += 1
    assert abs(load[other.pk] - load[person("qxt_expert").pk]) <= 3  # 3 from the small batch
    keys = [f"reply:{c.pk}" for c in got]
    assert Deadline.objects.filter(key__in=keys, kind=DeadlineKind.REPLY).count() == 40
    assert (
        AuditRecord.objects.filter(
            action=AuditAction.QUESTION_ROUTED, object_id__in=[str(c.pk) for c in got]
        ).count()
        == 40
    )
    assert AuditRecord.objects.filter(action=AuditAction.DEADLINE_CREATED).count() == 43
    # one notice per expert per batch, not one per question
    told = Notice.objects.filter(title__startswith="待答复网友提问").order_by("pk")
    assert told.count() == 4
    last = list(told)[-2:]
    assert {n.user_id for n in last} == set(load)
    assert (
        sorted(n.title for n in last)
        == ["待答复网友提问：{}（20 条）".format(channel(W, "city_weibo").name)] * 2
    )
    assert all(n.link == "/interaction/?show=mine" for n in last)
    assert experts.route_new(big) == 40  # again: no second deadline
    assert Deadline.objects.filter(key__in=keys).count() == 40


def test_w19_out_of_scope_is_not_assigned_and_the_routing_text_is_offered_as_draft() -> None:
    """W-19, 第十六条: a government-affairs question gets no expert; its deadline stands;
    the draft box starts with the pack's routing text (12345), never an argument."""
    c = _question("请问低保申请网上能办吗？", scope=Scope.OUT, topic="government")
    assert c.assignee is None and c.reply_due_at is not None
    panel = queries.reply_panels(person("kj_publisher"), [c])[c.pk]
    assert panel["may_draft"] and panel["routed"]
    assert "12345" in str(panel["start"]) and panel["start"] == experts.route_text(
        c.organisation_id
    )
    verdict, flags = replies.flags_for(c, str(panel["start"]))
    assert verdict == "pass" and flags == []


def test_w19_w20_every_pack_names_existing_units_and_roles_for_experts_and_approval() -> None:
    for path in sorted((ROOT / "packs").glob("*.toml")):
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        if doc["pack"]["kind"] != "base":
            continue
        units = {u["key"] for u in doc["organisation"]["units"]}
        roles = {r["key"] for r in doc["roles"]}
        assert doc.get("experts"), path.stem
        for e in doc["experts"]:
            assert e["unit"] in units | {"account_unit"}, (path.stem, e)
            assert set(e["roles"]) <= roles and e["topics"], (path.stem, e)
        (answering,) = doc["answering"]
        assert answering["approve_unit"] in units | {"account_unit"}
        assert set(answering["approve_roles"]) <= roles
        assert answering["hours"] > 0 and "12345" in answering["route_text"]


# ------------------------------------------------------------------ screening and flags


def test_w19_a_reply_that_argues_or_answers_government_affairs_is_flagged_in_chinese() -> None:
    c = _question()
    reply = replies.write_reply(c, actor=person("qxt_expert"), text="你错了，别瞎说，明天不下雨。")
    assert [f["kind"] for f in reply.flags] == ["argue"]
    assert "争辩" in reply.flags[0]["label"] and "“你错了”" in reply.flags[0]["label"]
    reply = replies.write_reply(c, actor=person("qxt_expert"), text="拆迁补偿款下月发放。")
    assert [f["kind"] for f in reply.flags] == ["government"]
    assert "政务" in reply.flags[0]["label"]
    out = _question("请问低保申请网上能办吗？", scope=Scope.OUT, topic="government")
    reply = replies.write_reply(out, actor=person("kj_publisher"), text="可以在网上办理。")
    assert [f["kind"] for f in reply.flags] == ["scope"]
    assert Reply.objects.filter(comment=c).count() == 1  # one draft, rewritten


def test_w19_a_reply_screening_blocks_is_not_submitted_and_keeps_the_draft() -> None:
    c = _question()
    with pytest.raises(InvalidChange, match="不宜公开"):
        replies.write_reply(c, actor=person("qxt_expert"), text="法轮功大法好", submit=True)
    draft = Reply.objects.get(comment=c)
    assert draft.status == ReplyStatus.DRAFT and draft.verdict == "block"
    assert draft.text == "法轮功大法好"
    assert any(f["kind"] == "screening" for f in draft.flags)


# ------------------------------------------------------------------ permissions


def test_w20_who_may_draft_approve_and_send() -> None:
    """Refusals: a person without the account's comments drafts nothing; the drafter does
    not approve his own reply; a publisher of the centre is no approver (第十四条: the
    unit's leader); a return needs a reason."""
    c = _question()
    with pytest.raises(PermissionDenied):
        replies.write_reply(c, actor=person("qxt_officer"), text="您好")
    reply = _submitted(c)
    assert reply.status == ReplyStatus.IN_REVIEW
    assert reply.approval_unit is not None and reply.approval_unit.key == "city_tech_centre"
    assert replies.approvers(reply) == [person("kj_leader").pk]
    for who in ("qxt_expert", "kj_publisher"):
        with pytest.raises(PermissionDenied):
            replies.approve_reply(reply, actor=person(who))
    with pytest.raises(InvalidChange, match="理由"):
        replies.reject_reply(reply, actor=person("kj_leader"), reason=" ")
    with pytest.raises(InvalidChange):  # no second draft while one is in review
        replies.write_reply(c, actor=person("qxt_expert"), text="再写一条")


def test_w20_the_leader_returns_a_reply_with_a_reason_and_a_new_draft_follows() -> None:
    c = _question()
    reply = _submitted(c)
    replies.reject_reply(reply, actor=person("kj_leader"), reason="请补充降水概率")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.REJECTED and reply.reason == "请补充降水概率"
    panel = queries.reply_panels(person("qxt_expert"), [c])[c.pk]
    assert panel["may_draft"] and panel["start"] == reply.text
    again = _submitted(c, "您好，明天降水概率70%，出门请带伞。")
    assert again.pk != reply.pk and again.status == ReplyStatus.IN_REVIEW


# ------------------------------------------------------------------ sending once


def test_w20_approval_sends_once_records_the_first_response_and_meets_the_deadline(
    platform: dict[str, StubAdapter],
) -> None:
    c = _question()
    reply = _submitted(c)
    outcome = replies.approve_reply(reply, actor=person("kj_leader"))
    assert outcome.sent and outcome.message == "回复已发到平台。"
    reply.refresh_from_db()
    c.refresh_from_db()
    assert reply.status == ReplyStatus.SENT and reply.remote_id == "4999"
    assert reply.decided_by == person("kj_leader")
    assert platform["adapter"].calls == [(c.remote_post_id, c.remote_id, reply.text)]
    assert c.first_response_at is not None and c.status == ItemStatus.DONE
    d = Deadline.objects.get(key=f"reply:{c.pk}")
    assert d.status == DeadlineStatus.MET and "已回复" in d.evidence
    actions = list(
        AuditRecord.objects.filter(object_type="reply", object_id=str(reply.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.REPLY_DRAFTED,
        AuditAction.REPLY_SUBMITTED,
        AuditAction.REPLY_APPROVED,
        AuditAction.REPLY_SENDING,
        AuditAction.REPLY_SENT,
    ]
    with pytest.raises(InvalidChange):  # double approve
        replies.approve_reply(reply, actor=person("kj_leader"))
    with pytest.raises(InvalidChange, match="不会重复发送"):  # double send
        replies.send_reply(reply, actor=person("kj_leader"))
    assert len(platform["adapter"].calls) == 1


def test_w20_an_unknown_outcome_is_checked_on_the_platform_never_resent_blind(
    platform: dict[str, StubAdapter],
) -> None:
    """Decision 0026: a timeout after sending leaves 发送结果待核实; sending again is refused;
    核实 finds nothing → 已批准 again, sent once more; had it found the reply, it would be
    recorded as sent without a second call."""
    c = _question()
    reply = _submitted(c)
    platform["adapter"] = StubAdapter(
        AdapterError("timeout", permanent=False, unknown_outcome=True, code="timeout"), "5001"
    )
    outcome = replies.approve_reply(reply, actor=person("kj_leader"))
    reply.refresh_from_db()
    assert not outcome.sent and reply.status == ReplyStatus.UNKNOWN and "核实" in outcome.message
    with pytest.raises(InvalidChange):
        replies.send_reply(reply, actor=person("kj_leader"))
    outcome = replies.check_reply(reply, actor=person("kj_leader"))
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.APPROVED and "没有发出" in outcome.message
    assert replies.send_reply(reply, actor=person("kj_leader")).sent
    assert len(platform["adapter"].calls) == 2

    other = _question("后天呢？")
    r2 = _submitted(other)
    platform["adapter"] = StubAdapter(
        AdapterError("reset", permanent=False, unknown_outcome=True), found="5002"
    )
    replies.approve_reply(r2, actor=person("kj_leader"))
    assert replies.check_reply(r2, actor=person("kj_leader")).sent
    r2.refresh_from_db()
    assert r2.status == ReplyStatus.SENT and r2.remote_id == "5002"
    assert len(platform["adapter"].calls) == 1  # found: not sent twice


def test_w20_a_refusal_fails_and_a_passing_error_leaves_it_approved(
    platform: dict[str, StubAdapter],
) -> None:
    c = _question()
    platform["adapter"] = StubAdapter(
        AdapterError("gone", permanent=True, user_message="评论已不存在"),
    )
    outcome = replies.approve_reply(_submitted(c), actor=person("kj_leader"))
    assert not outcome.sent and "评论已不存在" in outcome.message
    assert Reply.objects.get(comment=c).status == ReplyStatus.FAILED
    other = _question("大后天呢？")
    platform["adapter"] = StubAdapter(AdapterError("rate", permanent=False), "6001")
    r = _submitted(other)
    replies.approve_reply(r, actor=person("kj_leader"))
    r.refresh_from_db()
    assert r.status == ReplyStatus.APPROVED and r.claimed_at is None
    assert replies.send_reply(r, actor=person("kj_publisher")).sent  # a handler sends it


def test_w20_an_unanswered_question_breaches_its_deadline() -> None:
    c = _question()
    assert c.reply_due_at is not None
    scheduler.evaluate(c.reply_due_at + timedelta(minutes=1))
    d = Deadline.objects.get(key=f"reply:{c.pk}")
    assert d.status == DeadlineStatus.BREACHED


# ------------------------------------------------------------------ the inbox


def _page(username: str) -> str:
    c = Client()
    c.force_login(person(username))
    return c.get(reverse("inbox")).content.decode()


def test_w20_the_inbox_shows_only_the_buttons_each_person_may_use(
    platform: dict[str, StubAdapter],
) -> None:
    c = _question()
    expert = _page("qxt_expert")
    assert f'id="reply-text-{c.pk}"' in expert and "提交审定" in expert
    assert "批准并发送" not in expert
    assert "提交审定" not in _page("qxt_officer")
    client = Client()
    client.force_login(person("qxt_expert"))
    r = client.post(
        reverse("comment_reply", args=[c.pk]),
        {"op": "submit", "text": "您好，明天有小雨，请带伞。", "next": "/interaction/"},
    )
    assert r.status_code == 302
    reply = Reply.objects.get(comment=c)
    assert "批准并发送" in _page("kj_leader") and "批准并发送" not in _page("kj_publisher")
    leader = person("kj_leader")
    assert f"审定人：{leader}" in _page("qxt_expert") and str(leader) == "陈静"
    publisher = Client()
    publisher.force_login(person("kj_publisher"))
    publisher.post(reverse("comment_reply", args=[c.pk]), {"op": "approve", "reply": reply.pk})
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.IN_REVIEW
    approver = Client()
    approver.force_login(leader)
    r = approver.post(
        reverse("comment_reply", args=[c.pk]), {"op": "approve", "reply": reply.pk}, follow=True
    )
    assert "回复已发到平台。" in r.content.decode()
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.SENT
    page = _page("kj_leader")
    assert "回复·已回复" in page and "批准并发送" not in page


def test_w19_every_packs_routing_text_is_written_with_chinese_punctuation() -> None:
    """W-19, 第十六条: the routing text goes out publicly as the account's reply; it reads
    as Chinese (，！ not ,!) in every pack."""
    for path in sorted((ROOT / "packs").glob("*.toml")):
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        for entry in doc.get("answering", []):
            text = entry.get("route_text", "")
            assert text and not any(ch in text for ch in ",!?;:"), (path.stem, text)


def test_w20_the_sole_approver_gets_no_reply_box_he_could_not_submit() -> None:
    """W-20, decision 0010: at the college's 信息学院 the secretary (周杰) is the only one who
    approves replies; a reply he wrote could never be approved, so 互动台 offers him no
    起草回复 / 提交审定 (on eb24e7f it did, then refused) but says who writes; the
    manager keeps her box."""
    c = _question("学院图书馆周末开放吗？", account="info_wechat", org="demo_college")
    secretary = _page("col_xx_secretary")
    assert f'id="reply-text-{c.pk}"' not in secretary
    assert "您是这条回复的审定人" in secretary
    assert f'id="reply-text-{c.pk}"' in _page("col_xx_manager")
