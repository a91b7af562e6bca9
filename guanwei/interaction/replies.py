"""Replies to comments (W-19, W-20): drafted on 互动台 by the expert a question went to (or
who handles the account's comments), screened and flagged (argues, answers government
affairs), approved by who the pack's ``[[answering]]`` names, then sent once through the
platform adapter as a reply to that comment.

States (``ReplyStatus``): 草稿 → 待审核 → 已批准 → 发送中 → 已回复; 待审核 → 已退回 (with a
reason; a new draft may follow); 发送中 → 回复失败 (the platform refused), → 已批准 (the
platform said it did nothing: may be sent again), → 发送结果待核实 (timeout after sending:
checked on the platform, never resent blind). Each move is a conditional UPDATE from the
states it allows, with its audit record, in one transaction; the platform call happens
between two transactions (decision 0026)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.core.errors import InvalidChange, PermissionDenied
from guanwei.interaction import experts
from guanwei.interaction.models import Comment, ItemStatus, Reply, ReplyStatus, Scope, Source
from guanwei.orgs.models import Membership, User

OPEN = (
    ReplyStatus.DRAFT,
    ReplyStatus.IN_REVIEW,
    ReplyStatus.APPROVED,
    ReplyStatus.SENDING,
    ReplyStatus.UNKNOWN,
)
# A reply left SENDING this long (the process died mid-call) may be checked on the platform.
log = logging.getLogger(__name__)
STALE_SENDING = timedelta(minutes=2)
CALL_SECONDS = 45.0  # one reply call, in total (publishing.adapters.http.call_deadline)
WEIBO_MAX = 140
WECHAT_MAX = 600  # UNCONFIRMED: the reference documents no limit for comment/reply/add

ARGUE_WORDS = (
    "你错了",
    "胡说",
    "胡扯",
    "瞎说",
    "懂不懂",
    "你懂什么",
    "无知",
    "可笑",
    "荒谬",
    "少来",
    "爱信不信",
    "不信拉倒",
    "闭嘴",
    "你根本",
    "搞清楚",
    "不可理喻",
    "无理取闹",
    "抬杠",
    "你们这些",
)
GOVERNMENT_WORDS = (
    "拆迁",
    "征地",
    "补偿款",
    "编制",
    "招录",
    "公务员",
    "工资",
    "社保",
    "医保",
    "低保",
    "落户",
    "户口",
    "信访",
    "上访",
    "罚款",
    "人事任免",
    "政府会",
    "政府将",
    "政策规定",
)
ROUTING_MARKERS = ("12345", "相关部门", "主管部门", "咨询")


@dataclass(frozen=True)
class Flag:
    kind: str  # screening | argue | government | scope
    label: str  # Chinese, shown as is

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "label": self.label}


@dataclass(frozen=True)
class SendOutcome:
    reply: Reply
    sent: bool
    message: str


# ------------------------------------------------------------------ who may


def may_draft(user: User | None, comment: Comment) -> bool:
    """Who handles the account's comments or answers its questions, and the person the
    question was assigned or escalated to (the expert); only comments (not messages) on
    an account whose platform takes replies."""
    from guanwei.interaction.actions import _may_work_on

    if user is None or not user.is_authenticated:
        return False
    if comment.source != Source.COMMENT or comment.channel.platform not in ("weibo", "wechat"):
        return False
    return _may_work_on(user, comment)


def approvers(reply: Reply) -> list[int]:
    """Who may approve ``reply``: the holders of its approval roles in its approval unit,
    never its drafter (decision 0010: no one approves his own text)."""
    if reply.approval_unit_id is None:
        return []
    ids = Membership.objects.filter(
        unit_id=reply.approval_unit_id,
        role__in=list(reply.approval_roles or []),
        revoked_at__isnull=True,
        user__is_active=True,
    ).values_list("user_id", flat=True)
    wrote = drafters([reply.pk]).get(reply.pk, set()) | {reply.drafted_by_id}
    return sorted({i for i in ids if i not in wrote})


def drafters(reply_ids: list[int]) -> dict[int, set[int | None]]:
    """Everyone who saved each reply's text (its REPLY_DRAFTED records): a text the leader
    wrote and the expert then submitted is still partly the leader's, so he does not
    approve it either."""
    out: dict[int, set[int | None]] = {}
    for object_id, actor_id in AuditRecord.objects.filter(
        action=AuditAction.REPLY_DRAFTED, object_type="reply", object_id__in=reply_ids
    ).values_list("object_id", "actor_id"):
        out.setdefault(int(object_id), set()).add(actor_id)
    return out


def may_approve(user: User | None, reply: Reply) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return reply.status == ReplyStatus.IN_REVIEW and user.pk in approvers(reply)


def may_send(user: User | None, reply: Reply) -> bool:
    """Send an approved reply again (the platform refused for a passing cause) or check a
    reply whose outcome is unknown: its approver, or who handles the account's comments."""
    from guanwei.interaction.actions import may_handle

    if user is None or not user.is_authenticated:
        return False
    if reply.decided_by_id == user.pk or user.pk in approvers(reply):
        return True
    return may_handle(user, reply.comment)


def may_check(reply: Reply, now: Any = None) -> bool:
    """Whether the reply's outcome is to be checked on the platform."""
    now = now or timezone.now()
    if reply.status == ReplyStatus.UNKNOWN:
        return True
    return (
        reply.status == ReplyStatus.SENDING
        and reply.claimed_at is not None
        and now - reply.claimed_at >= STALE_SENDING
    )


def open_reply(comment: Comment) -> Reply | None:
    return comment.replies.filter(status__in=OPEN).order_by("-id").first()


# ------------------------------------------------------------------ screening and flags


def flags_for(comment: Comment, text: str) -> tuple[str, list[Flag]]:
    """Screening (the organisation's engine, kind=comment: a reply is a comment the account
    writes) and the W-19 checks: a reply that argues with the commenter, one that answers
    government affairs, one that answers a question out of scope instead of routing it."""
    from guanwei.screening.labels import category_label
    from guanwei.screening.service import engine_for

    result = engine_for(comment.channel.organisation).screen(text, kind="comment")
    flags: list[Flag] = []
    if result.verdict == "block":
        flags.append(Flag("screening", "筛查：含不宜公开的内容，不能发出"))
    elif result.verdict == "review":
        flags.append(Flag("screening", "筛查：需人工核查"))
    for hit in result.hits:
        flags.append(Flag("screening", f"筛查命中“{hit.term}”（{category_label(hit.category)}）"))
    rule = experts.answering_rule(comment.organisation_id) or {}
    route = str(rule.get("route_text") or "")
    argue = [*ARGUE_WORDS, *[str(w) for w in rule.get("argue_words") or []]]
    for w in argue:
        if w in text:
            flags.append(Flag("argue", f"语气像在与网友争辩（“{w}”）：不得与网友争执、辩论"))
            break
    if text.strip() != route.strip():
        government = [*GOVERNMENT_WORDS, *[str(w) for w in rule.get("government_words") or []]]
        for w in government:
            if w in text:
                flags.append(Flag("government", f"涉及政务事项（“{w}”）：政务问题不作答复，请转介"))
                break
        if comment.scope == Scope.OUT and not any(m in text for m in ROUTING_MARKERS):
            flags.append(
                Flag(
                    "scope",
                    "该提问不在本账号答复范围：回复应婉转转介（如12345热线），不作具体答复",
                )
            )
    return result.verdict, flags


def _check_text(comment: Comment, text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidChange("请填写回复内容。")
    limit = WEIBO_MAX if comment.channel.platform == "weibo" else WECHAT_MAX
    if len(text) > limit:
        raise InvalidChange(f"回复最多 {limit} 字（现 {len(text)} 字）。")
    return text


# ------------------------------------------------------------------ audit


def _audit(action: AuditAction, reply: Reply, actor: Any, **after: Any) -> None:
    record(
        action,
        actor=actor,
        object_type="reply",
        object_id=reply.pk,
        object_repr=reply.text[:60],
        organisation_id=reply.comment.organisation_id,
        after={"comment": reply.comment_id, "status": reply.status, **after},
    )


def _lock(reply: Reply) -> Reply:
    return (
        Reply.objects.select_for_update(of=("self",))
        .select_related("comment", "comment__unit", "comment__channel")
        .get(pk=reply.pk)
    )


def _move(reply: Reply, from_states: tuple[str, ...], **fields: Any) -> bool:
    """One conditional UPDATE: the move happens only from ``from_states``."""
    won = Reply.objects.filter(pk=reply.pk, status__in=from_states).update(**fields)
    if won:
        for k, v in fields.items():
            setattr(reply, k, v)
    return bool(won)


# ------------------------------------------------------------------ drafting and review


@transaction.atomic
def draft_reply(comment: Comment, *, actor: User, text: str) -> Reply:
    """Write (or rewrite) the comment's draft reply, screened and flagged."""
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("unit", "channel", "channel__organisation")
        .get(pk=comment.pk)
    )
    if not may_draft(actor, comment):
        raise PermissionDenied("您不能回复这条评论。")
    if comment.replies.filter(status=ReplyStatus.SENT).exists():
        raise InvalidChange("这条评论已回复过，平台上每条评论只回复一次。")
    text = _check_text(comment, text)
    verdict, flags = flags_for(comment, text)
    reply = open_reply(comment)
    if reply is not None and reply.status != ReplyStatus.DRAFT:
        raise InvalidChange(f"这条评论已有回复{reply.get_status_display()}，不能再起草。")
    if reply is None:
        reply = Reply.objects.create(
            comment=comment,
            text=text,
            drafted_by=actor,
            verdict=verdict,
            flags=[f.to_json() for f in flags],
        )
    else:
        reply.text, reply.verdict, reply.flags = text, verdict, [f.to_json() for f in flags]
        reply.drafted_by = actor
        reply.save(update_fields=["text", "verdict", "flags", "drafted_by"])
    _audit(AuditAction.REPLY_DRAFTED, reply, actor, verdict=verdict, flags=reply.flags)
    return reply


@transaction.atomic
def submit_reply(reply: Reply, *, actor: User) -> Reply:
    """To the approval step the pack names; its approvers are told."""
    reply = _lock(reply)
    comment = reply.comment
    if not may_draft(actor, comment):
        raise PermissionDenied("您不能回复这条评论。")
    if reply.status != ReplyStatus.DRAFT:
        raise InvalidChange(f"该回复{reply.get_status_display()}，不能再提交。")
    if reply.verdict == "block":
        raise InvalidChange("回复含不宜公开的内容（见筛查提示），请修改后再提交。")
    approval = experts.approval_for(comment)
    if approval is None:
        raise InvalidChange("本单位制度包未规定回复由谁审定，不能在系统中回复。")
    reply.approval_unit, reply.approval_roles = approval.unit, approval.roles
    if not approvers(reply):
        raise InvalidChange(
            f"{approval.unit.name}没有可以审定这条回复的人（不能审定自己起草的回复）。"
        )
    now = timezone.now()
    if not _move(
        reply,
        (ReplyStatus.DRAFT,),
        status=ReplyStatus.IN_REVIEW,
        approval_unit=approval.unit,
        approval_roles=approval.roles,
        submitted_at=now,
    ):
        raise InvalidChange("该回复已被提交。")
    _audit(
        AuditAction.REPLY_SUBMITTED,
        reply,
        actor,
        approval_unit=approval.unit.pk,
        approval_roles=approval.roles,
    )
    from guanwei.notify.actions import notify

    notify(
        approvers(reply),
        organisation_id=comment.organisation_id,
        title=f"待审定回复：{comment.channel.name}",
        body=f"{reply.text[:80]}",
        link=f"/interaction/?show=approve#comment-{comment.pk}",
    )
    return reply


def write_reply(comment: Comment, *, actor: User, text: str, submit: bool = False) -> Reply:
    """保存草稿 / 提交审定 from the inbox: the draft is saved in its own transaction first,
    so a refused submission (screening blocked it, nobody to approve) keeps the text."""
    reply = draft_reply(comment, actor=actor, text=text)
    return submit_reply(reply, actor=actor) if submit else reply


def awaiting_comment_ids(user: User, organisation_id: int | None) -> list[int]:
    """The comments whose reply waits for ``user``'s approval (in one organisation)."""
    memberships = Membership.objects.filter(user=user, revoked_at__isnull=True)
    if organisation_id is not None:
        memberships = memberships.filter(unit__organisation_id=organisation_id)
    mine = set(memberships.values_list("unit_id", "role"))
    if not mine:
        return []
    rows = list(
        Reply.objects.filter(
            status=ReplyStatus.IN_REVIEW, approval_unit_id__in={u for u, _ in mine}
        )
        .exclude(drafted_by=user)
        .values_list("pk", "comment_id", "approval_unit_id", "approval_roles")
    )
    wrote = drafters([pk for pk, *_ in rows])
    return [
        cid
        for pk, cid, unit_id, roles in rows
        if any((unit_id, r) in mine for r in roles or []) and user.pk not in wrote.get(pk, ())
    ]


def awaits(user: User, comment: Comment) -> bool:
    """Whether a reply to ``comment`` waits for ``user``'s approval."""
    reply = comment.replies.filter(status=ReplyStatus.IN_REVIEW).first()
    return reply is not None and user.pk in approvers(reply)


def approve_reply(reply: Reply, *, actor: User) -> SendOutcome:
    """Approve, then send once through the adapter (the send is its own step: a refused
    or unknown outcome leaves the approval standing)."""
    with transaction.atomic():
        reply = _lock(reply)
        if reply.status != ReplyStatus.IN_REVIEW:
            raise InvalidChange(f"该回复{reply.get_status_display()}，不能再审定。")
        if not may_approve(actor, reply):
            raise PermissionDenied("您不能审定这条回复。")
        if not _move(
            reply,
            (ReplyStatus.IN_REVIEW,),
            status=ReplyStatus.APPROVED,
            decided_by=actor,
            decided_at=timezone.now(),
        ):
            raise InvalidChange("该回复已被审定。")
        _audit(AuditAction.REPLY_APPROVED, reply, actor)
    return send_reply(reply, actor=actor)


@transaction.atomic
def reject_reply(reply: Reply, *, actor: User, reason: str) -> Reply:
    reply = _lock(reply)
    if reply.status != ReplyStatus.IN_REVIEW:
        raise InvalidChange(f"该回复{reply.get_status_display()}，不能再审定。")
    if not may_approve(actor, reply):
        raise PermissionDenied("您不能审定这条回复。")
    reason = (reason or "").strip()[:500]
    if not reason:
        raise InvalidChange("退回须写明理由。")
    if not _move(
        reply,
        (ReplyStatus.IN_REVIEW,),
        status=ReplyStatus.REJECTED,
        decided_by=actor,
        decided_at=timezone.now(),
        reason=reason,
    ):
        raise InvalidChange("该回复已被审定。")
    _audit(AuditAction.REPLY_REJECTED, reply, actor, reason=reason)
    from guanwei.notify.actions import notify

    notify(
        [reply.drafted_by_id],
        organisation_id=reply.comment.organisation_id,
        title=f"回复被退回：{reply.comment.channel.name}",
        body=reason,
        link=f"/interaction/#comment-{reply.comment_id}",
    )
    return reply


# ------------------------------------------------------------------ sending once


def _adapter(comment: Comment) -> Any:
    from guanwei.interaction.moderation import _adapter

    return _adapter(comment)


def _post_ref(comment: Comment) -> str:
    from guanwei.interaction.moderation import _post_ref

    return _post_ref(comment)


def _fresh(reply: Reply) -> Reply:
    return Reply.objects.select_related(
        "comment",
        "comment__unit",
        "comment__channel",
        "comment__channel__organisation",
        "comment__intent",
    ).get(pk=reply.pk)


def send_reply(reply: Reply, *, actor: Any) -> SendOutcome:
    """Claim (已批准 → 发送中, in its own transaction, audited), call the platform once,
    record what it said. Only an approved reply is sent; a second call finds it claimed."""
    from guanwei.publishing.adapters.base import AdapterError

    reply = _fresh(reply)
    if isinstance(actor, User) and not may_send(actor, reply):
        raise PermissionDenied("您不能发送这条回复。")
    with transaction.atomic():
        Comment.objects.select_for_update(of=("self",)).get(pk=reply.comment_id)
        if reply.comment.replies.filter(status=ReplyStatus.SENT).exclude(pk=reply.pk).exists():
            raise InvalidChange("这条评论已回复过，不会再发送第二条回复。")
        if not _move(
            reply, (ReplyStatus.APPROVED,), status=ReplyStatus.SENDING, claimed_at=timezone.now()
        ):
            raise InvalidChange("该回复不是待发送状态（已发送或正在发送），不会重复发送。")
        _audit(AuditAction.REPLY_SENDING, reply, actor)
    comment = reply.comment
    from guanwei.publishing.adapters.http import call_deadline

    try:
        # Bounded well inside STALE_SENDING: a check never finds a live call "stale".
        with call_deadline(CALL_SECONDS):
            remote_id = _adapter(comment).reply_comment(
                _post_ref(comment), comment.remote_id, reply.text
            )
    except AdapterError as e:
        return _not_sent(reply, actor, e.unknown_outcome, e.permanent, e.user_message, e.code)
    except Exception as e:  # noqa: BLE001 — the call may have reached the platform
        log.exception("reply %s: the platform call failed", reply.pk)
        return _not_sent(reply, actor, True, False, "系统发送时出错", f"error:{type(e).__name__}")
    return _record_sent(reply, actor, str(remote_id or comment.remote_id), checked=False)


def _not_sent(
    reply: Reply, actor: Any, unknown: bool, permanent: bool, message: str, code: str
) -> SendOutcome:
    with transaction.atomic():
        if unknown:
            if _move(
                reply, (ReplyStatus.SENDING,), status=ReplyStatus.UNKNOWN, error_message=message
            ):
                _audit(AuditAction.REPLY_UNKNOWN, reply, actor, code=code)
            text = f"平台没有确认是否收到（{message}）。请先点“核实发送结果”，不要重新起草。"
        elif permanent:
            if _move(
                reply, (ReplyStatus.SENDING,), status=ReplyStatus.FAILED, error_message=message
            ):
                _audit(AuditAction.REPLY_FAILED, reply, actor, code=code)
            text = f"平台拒绝了这条回复：{message}"
        else:
            if _move(
                reply,
                (ReplyStatus.SENDING,),
                status=ReplyStatus.APPROVED,
                claimed_at=None,
                error_message=message,
            ):
                _audit(AuditAction.REPLY_FAILED, reply, actor, code=code, retry=True)
            text = f"平台暂时无法接收（{message}），回复未发出，可稍后再发送。"
    return SendOutcome(reply, False, text)


def _record_sent(reply: Reply, actor: Any, remote_id: str, *, checked: bool) -> SendOutcome:
    from guanwei.interaction.actions import mark_first_response

    now = timezone.now()
    with transaction.atomic():
        comment = Comment.objects.select_for_update(of=("self",)).get(pk=reply.comment_id)
        if not _move(
            reply,
            (ReplyStatus.SENDING, ReplyStatus.UNKNOWN),
            status=ReplyStatus.SENT,
            sent_at=now,
            remote_id=remote_id[:128],
            error_message="",
        ):
            raise InvalidChange("该回复的状态已改变。")
        if comment.status != ItemStatus.DONE:
            comment.status, comment.done_at = ItemStatus.DONE, now
            comment.save(update_fields=["status", "done_at"])
        local = timezone.localtime(now)
        experts.settle_deadline(comment, evidence=f"{local:%m-%d %H:%M} 已回复", actor=actor)
        mark_first_response(comment, now)
        echo = Comment.objects.filter(
            channel_id=comment.channel_id, source=Source.COMMENT, remote_id=remote_id
        ).exclude(pk=comment.pk)
        for c in echo:  # fetched back before we knew its id
            experts.mark_own_reply(c)
        _audit(AuditAction.REPLY_SENT, reply, actor, remote_id=remote_id, checked=checked)
    return SendOutcome(reply, True, "回复已发到平台。")


def check_reply(reply: Reply, *, actor: User) -> SendOutcome:
    """An unknown outcome (or a send left hanging) is looked up on the platform: found,
    it is recorded as sent; not found, it is approved again and may be sent once more."""
    from guanwei.publishing.adapters.base import AdapterError

    reply = _fresh(reply)
    if not may_send(actor, reply):
        raise PermissionDenied("您不能处理这条回复。")
    if not may_check(reply):
        raise InvalidChange("该回复不需要核实。")
    comment = reply.comment
    try:
        found = _adapter(comment).find_reply(_post_ref(comment), comment.remote_id, reply.text)
    except AdapterError as e:
        return SendOutcome(reply, False, f"暂时无法核实：{e.user_message}")
    if found:
        return _record_sent(reply, actor, found, checked=True)
    with transaction.atomic():
        # Only the state this check read goes back to 已批准: a send claimed meanwhile (by a
        # person after another check, or still on the wire) keeps its claim.
        seen = Reply.objects.filter(pk=reply.pk, status=reply.status, claimed_at=reply.claimed_at)
        if reply.status == ReplyStatus.SENDING:
            seen = seen.filter(claimed_at__lte=timezone.now() - STALE_SENDING)
        if not seen.update(status=ReplyStatus.APPROVED, claimed_at=None):
            raise InvalidChange("该回复的状态已改变，请刷新页面。")
        reply.status, reply.claimed_at = ReplyStatus.APPROVED, None
        _audit(AuditAction.REPLY_CHECKED, reply, actor, found=False)
    return SendOutcome(reply, False, "平台上没有这条回复：它没有发出，可以再发送一次。")
