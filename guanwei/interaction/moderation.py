"""Moderation actions (W-18): hide, delete on the platform, escalate to the leader, label,
assign, mark reviewed, and undo where the platform allows. Each checks
``comment.moderate`` on the comment's unit (a rule acting is ``SYSTEM``), writes its audit
record with the reason, in one transaction; a platform call happens outside it and its
outcome is recorded after.

Hide: WeChat takes the comment out of 精选 (``comment/unmarkelect``; undone by
``markelect``); Weibo's API has no hide, so there it is hidden in this product only, and
the action says so (docs/decisions). Delete on Weibo or WeChat cannot be undone."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.core.errors import InvalidChange, PermissionDenied
from guanwei.interaction.models import Comment, ItemStatus, ModerationRule, Visibility
from guanwei.orgs.models import Membership, User
from guanwei.orgs.permissions import SYSTEM, Actor, can

if TYPE_CHECKING:
    from guanwei.publishing.adapters.base import AdapterError

log = logging.getLogger(__name__)
REVIEWED = "已审阅"


@dataclass(frozen=True)
class Outcome:
    """What an action did: ``on_platform`` whether the platform itself changed;
    ``message`` in Chinese for the person (or the audit's reason)."""

    comment: Comment
    on_platform: bool
    message: str


def _require(actor: Actor, comment: Comment) -> None:
    if not can(actor, "comment.moderate", comment.unit):
        raise PermissionDenied("您没有处理该账号评论的权限。")


def _lock(comment: Comment) -> Comment:
    return (
        Comment.objects.select_for_update(of=("self",))
        .select_related("unit", "channel", "intent")
        .get(pk=comment.pk)
    )


def _audit(action: AuditAction, comment: Comment, actor: Actor, reason: str, **after: Any) -> None:
    record(
        action,
        actor=actor,
        object_type="comment",
        object_id=comment.pk,
        object_repr=comment.text[:60],
        organisation_id=comment.organisation_id,
        after={"reason": reason, **after},
    )


def _adapter(comment: Comment) -> Any:
    from guanwei.publishing.adapters import get_adapter
    from guanwei.publishing.credentials import settings_for

    return get_adapter(comment.channel.platform, settings_for(comment.channel))


def _post_ref(comment: Comment) -> str:
    if comment.intent_id and comment.intent and comment.intent.remote_id:
        return comment.intent.remote_id
    return comment.remote_post_id


def _fresh(comment: Comment) -> Comment:
    return Comment.objects.select_related("unit", "channel", "intent").get(pk=comment.pk)


# ------------------------------------------------------------------ platform actions


def _call_hide(comment: Comment) -> AdapterError | None:
    """The platform's hide (WeChat: out of 精选); None when it did it."""
    from guanwei.publishing.adapters.base import AdapterError

    try:
        _adapter(comment).hide_comment(_post_ref(comment), comment.remote_id)
    except AdapterError as e:
        return e
    return None


def _call_delete(comment: Comment) -> AdapterError | None:
    from guanwei.publishing.adapters.base import AdapterError

    try:
        _adapter(comment).delete_comment(_post_ref(comment), comment.remote_id)
    except AdapterError as e:
        return e
    return None


def _settle_hide(
    comment: Comment,
    *,
    actor: Actor,
    reason: str,
    error: AdapterError | None,
    called: bool,
    queued: bool = False,
) -> Outcome | None:
    """After the platform's answer (``called``: there was a call to make), in one
    transaction: hidden here, the queued call cleared, the audit record. None when a
    concurrent action settled it first (a queued hide: nothing is left to do)."""
    with transaction.atomic():
        comment = _lock(comment)
        if queued and comment.platform_todo != CALLING["hide"]:
            return None
        if not queued and comment.visibility != Visibility.VISIBLE:  # a concurrent one won
            raise InvalidChange("该评论已隐藏或已删除。")
        on_platform = called and error is None
        if comment.visibility != Visibility.DELETED:
            comment.visibility = Visibility.HIDDEN
        comment.platform_todo, comment.platform_reason = "", ""
        comment.save(update_fields=["visibility", "platform_todo", "platform_reason"])
        _responded(comment, actor)
        _audit(AuditAction.COMMENT_HIDDEN, comment, actor, reason, on_platform=on_platform)
    if on_platform:
        note = "已在平台取消精选，读者不再看到该评论。"
    elif error is not None:
        note = f"平台未能隐藏（{error.user_message}），仅在本系统中隐藏。"
    else:
        note = "该平台接口不支持隐藏评论，仅在本系统中隐藏，平台上仍可见。"
    return Outcome(comment, on_platform, note)


def _settle_delete(
    comment: Comment,
    *,
    actor: Actor,
    reason: str,
    error: AdapterError | None,
    queued: bool = False,
) -> Outcome | None:
    """After the platform's answer to a delete, in one transaction. A refusal (Weibo lets
    an account delete only its own comments through the API: 20203) is recorded and the
    comment hidden in this product instead. None: a queued delete settled already."""
    with transaction.atomic():
        comment = _lock(comment)
        if queued and comment.platform_todo != CALLING["delete"]:
            return None
        if comment.visibility == Visibility.DELETED:
            # A concurrent delete (a double click) already removed it: the platform's
            # "not found" is that delete, not a refusal; nothing is downgraded.
            return Outcome(comment, True, "该评论已在平台删除。")
        comment.visibility = Visibility.HIDDEN if error is not None else Visibility.DELETED
        comment.platform_todo, comment.platform_reason = "", ""
        comment.save(update_fields=["visibility", "platform_todo", "platform_reason"])
        _responded(comment, actor)
        if error is not None:
            _audit(
                AuditAction.COMMENT_DELETE_REFUSED,
                comment,
                actor,
                reason,
                code=error.code,
                platform_code=getattr(error, "platform_code", ""),
            )
        else:
            _audit(AuditAction.COMMENT_DELETED, comment, actor, reason)
    if error is not None:
        return Outcome(
            comment,
            False,
            f"平台拒绝删除（{error.user_message}），已在本系统中隐藏，请到平台上手动处理。",
        )
    return Outcome(comment, True, "已在平台删除（不可撤销）。")


def hide_comment(comment: Comment, *, actor: Actor, reason: str) -> Outcome:
    """Out of public view: on WeChat out of 精选; on a platform without a hide call (Weibo)
    in this product only, and the outcome says so. The platform is called outside any
    transaction; its answer is recorded after."""
    comment = _fresh(comment)
    _require(actor, comment)
    if comment.visibility != Visibility.VISIBLE:
        raise InvalidChange("该评论已隐藏或已删除。")
    called = bool(_adapter(comment).can_hide_comments)
    error = _call_hide(comment) if called else None
    out = _settle_hide(comment, actor=actor, reason=reason, error=error, called=called)
    assert out is not None
    return out


def unhide_comment(comment: Comment, *, actor: Actor, reason: str) -> Outcome:
    """Undo a hide (WeChat: back into 精选) — also a rule's hide or delete still queued
    for the platform: it is not made."""
    comment = _fresh(comment)
    _require(actor, comment)
    _refuse_while_calling(comment)
    if comment.visibility == Visibility.DELETED:
        raise InvalidChange("已在平台删除的评论无法恢复（微博、微信的删除均不可撤销）。")
    if comment.visibility != Visibility.HIDDEN:
        raise InvalidChange("该评论未被隐藏。")
    adapter = _adapter(comment)
    on_platform, note = False, "已在本系统中取消隐藏。"
    if adapter.can_hide_comments:
        from guanwei.publishing.adapters.base import AdapterError

        try:
            adapter.unhide_comment(_post_ref(comment), comment.remote_id)
            on_platform, note = True, "已在平台恢复精选。"
        except AdapterError as e:
            raise InvalidChange(f"平台未能恢复该评论：{e.user_message}") from e
    with transaction.atomic():
        comment = _lock(comment)
        _refuse_while_calling(comment)  # claimed since the read above
        comment.visibility = Visibility.VISIBLE
        comment.platform_todo, comment.platform_reason = "", ""  # a rule's call not made yet
        comment.save(update_fields=["visibility", "platform_todo", "platform_reason"])
        _audit(AuditAction.COMMENT_UNHIDDEN, comment, actor, reason, on_platform=on_platform)
    return Outcome(comment, on_platform, note)


def delete_comment(comment: Comment, *, actor: Actor, reason: str) -> Outcome:
    """Delete on the platform through the adapter (not undoable on Weibo or WeChat),
    called outside any transaction, its answer recorded after (``_settle_delete``)."""
    comment = _fresh(comment)
    _require(actor, comment)
    _refuse_while_calling(comment)
    if comment.visibility == Visibility.DELETED:
        raise InvalidChange("该评论已在平台删除。")
    out = _settle_delete(comment, actor=actor, reason=reason, error=_call_delete(comment))
    assert out is not None
    return out


# ------------------------------------------------------------------ a rule's platform calls

RETRY_AFTER = timedelta(minutes=2)


# A queued call (``platform_todo``) and the same call claimed, on the wire.
CALLING = {"delete": "deleting", "hide": "hiding"}
QUEUED = {v: k for k, v in CALLING.items()}


def carry_out(
    pks: Sequence[int] | None = None, *, now: datetime | None = None, limit: int | None = None
) -> int:
    """The platform calls rules queued (``platform_todo``), each outside any transaction,
    settled as a person's hide or delete is (the same ``_settle_*``). ``pks``: the batch
    just committed (the fetcher calls this right after ``store_fetched_page``); without
    it, the sweep: those queued, or claimed, over ``RETRY_AFTER`` ago (more than the
    adapter's time bound) — a fetcher killed after its commit or during a call, a platform
    that was down. Each is claimed first by a conditional UPDATE to its calling state
    (deleting / hiding) stamped with the clock at the claim: the fetcher and a sweep never
    both call, and while it is on the wire a person can neither undo nor repeat it. A
    transient failure (rate limit, 5xx) goes back to the queue for the next sweep; a
    refusal settles. Returns how many settled."""
    now = now or timezone.now()
    queued = Comment.objects.exclude(platform_todo="")
    if pks is not None:
        queued = queued.filter(pk__in=list(pks), platform_todo__in=list(CALLING))
    else:
        queued = queued.filter(platform_todo_at__lte=now - RETRY_AFTER)
    settled = 0
    rows = list(
        queued.order_by("platform_todo_at", "pk").values_list(
            "pk", "platform_todo", "platform_todo_at"
        )[: limit or (len(pks) if pks is not None else 100)]
    )
    for pk, todo, at in rows:
        what = QUEUED.get(todo, todo)
        if what not in CALLING:
            continue
        won = Comment.objects.filter(pk=pk, platform_todo=todo, platform_todo_at=at).update(
            platform_todo=CALLING[what], platform_todo_at=timezone.now()
        )
        if won != 1:
            continue  # the other one has it
        try:
            settled += _carry_out_one(pk, what)
        except Exception:  # one comment's failure does not stop the batch's other calls
            log.exception("comment %s: carrying out the rule's platform %s failed", pk, what)
    return settled


def _carry_out_one(pk: int, what: str) -> int:
    c = _fresh(Comment(pk=pk))
    error = _call_delete(c) if what == "delete" else _call_hide(c)
    if error is not None and error.transient:
        log.warning("comment %s: platform %s failed, retried later: %s", pk, what, error)
        Comment.objects.filter(pk=pk, platform_todo=CALLING[what]).update(
            platform_todo=what, platform_todo_at=timezone.now()
        )
        return 0
    if what == "delete":
        out = _settle_delete(c, actor=SYSTEM, reason=c.platform_reason, error=error, queued=True)
    else:
        out = _settle_hide(
            c, actor=SYSTEM, reason=c.platform_reason, error=error, called=True, queued=True
        )
    return int(out is not None)


def _refuse_while_calling(comment: Comment) -> None:
    if comment.platform_todo in QUEUED:
        raise InvalidChange("规则正在平台上执行删除或隐藏，请稍等片刻再操作。")


def _queue(b: RuleBatch, comments: list[Comment], what: str, reason: str, now: datetime) -> None:
    """In the batch's transaction: hidden here at once, the platform call queued for
    ``carry_out`` after the commit, audited (the outcome is audited when it settles)."""
    for c in comments:
        if c.visibility == Visibility.VISIBLE:
            c.visibility = Visibility.HIDDEN
        c.platform_todo, c.platform_reason, c.platform_todo_at = what, reason[:200], now
    _update_by_value(comments, "visibility", "platform_todo", "platform_reason", "platform_todo_at")
    b.record(
        AuditAction.COMMENT_PLATFORM_QUEUED, comments, lambda c: {"reason": reason, "todo": what}
    )


# ------------------------------------------------------------------ in-product actions


def _responded(comment: Comment, actor: Actor) -> None:
    """A person's hide, delete or escalation is the item's first response (a rule's is
    not: nobody has looked at it yet)."""
    if isinstance(actor, User):
        from guanwei.interaction.actions import mark_first_response

        mark_first_response(comment)


def _leaders(comment: Comment, roles: list[str]) -> list[int]:
    """Whom to report to: the holder of the first of ``roles`` found in the nearest unit up
    from the comment's; where no unit up the tree has one (the college's opinion office is
    a unit beside the departments, not above them), the organisation's holder of it.
    One person: the escalated item is theirs, and only they are told (a notice to people
    who then could not open the item helped nobody)."""
    held = list(
        Membership.objects.filter(
            unit__organisation_id=comment.organisation_id,
            role__in=roles,
            revoked_at__isnull=True,
            user__is_active=True,
        )
        .order_by("id")
        .values_list("unit_id", "role", "user_id")
    )
    for unit in reversed(list(comment.unit.ancestors())):
        for role in roles:
            for unit_id, r, user_id in held:
                if unit_id == unit.pk and r == role:
                    return [user_id]
    for role in roles:
        for _unit_id, r, user_id in held:
            if r == role:
                return [user_id]
    return []


def escalation_target(comment: Comment, roles: list[str]) -> int | None:
    """The one person 上报领导 on ``comment`` with ``roles`` would go to (None: nobody)."""
    ids = _leaders(comment, roles)
    return ids[0] if ids else None


def may_escalate(user: Actor, comment: Comment, target: int | None) -> bool:
    """Whether ``user`` is offered 上报领导 on ``comment`` whose escalation goes to
    ``target``: who handles the account's comments, while the item is open, and there is a
    leader to go to who is not ``user`` himself (W-18: nobody reports to himself)."""
    return (
        can(user, "comment.moderate", comment.unit)
        and comment.status not in (ItemStatus.ESCALATED, ItemStatus.DONE)
        and target is not None
        and not (isinstance(user, User) and user.pk == target)
    )


SELF_ESCALATION = "这条评论上报的领导就是您本人，不能上报给自己，请直接处理。"


@transaction.atomic
def escalate_comment(
    comment: Comment,
    *,
    actor: Actor,
    reason: str,
    roles: list[str] | None = None,
    to: User | None = None,
) -> Outcome:
    """Report to the leader (W-18): a notice to ``to`` or to the people holding ``roles``
    nearest up the tree; the item becomes 已上报领导."""
    comment = _lock(comment)
    _require(actor, comment)
    ids = [to.pk] if to is not None else _leaders(comment, roles or [])
    if not ids:
        raise InvalidChange("没有找到可以上报的领导，请检查规则中的角色。")
    if isinstance(actor, User) and actor.pk == ids[0]:
        raise InvalidChange(SELF_ESCALATION)
    from guanwei.notify.actions import notify

    comment.status = ItemStatus.ESCALATED
    comment.escalated_to_id = ids[0]
    comment.save(update_fields=["status", "escalated_to"])
    _responded(comment, actor)
    notify(
        ids,
        organisation_id=comment.organisation_id,
        title=f"评论上报：{comment.channel.name}",
        body=f"{reason}：{comment.text[:80]}",
        link="/interaction/?show=escalated",
    )
    _audit(AuditAction.COMMENT_ESCALATED, comment, actor, reason, to=ids)
    return Outcome(comment, False, "已上报领导。")


@transaction.atomic
def label_comment(comment: Comment, *, actor: Actor, reason: str, label: str) -> Outcome:
    comment = _lock(comment)
    _require(actor, comment)
    label = (label or "").strip()[:32]
    if not label:
        raise InvalidChange("请填写标签。")
    if label not in comment.labels:
        comment.labels = [*comment.labels, label]
        comment.save(update_fields=["labels"])
        _audit(AuditAction.COMMENT_LABELLED, comment, actor, reason, label=label)
    return Outcome(comment, False, f"已加标签“{label}”。")


@transaction.atomic
def mark_reviewed(comment: Comment, *, actor: Actor, reason: str) -> Outcome:
    """Reviewed (已审阅): a label every moderator sees; the item stays open."""
    comment = _lock(comment)
    _require(actor, comment)
    if REVIEWED not in comment.labels:
        comment.labels = [*comment.labels, REVIEWED]
        comment.save(update_fields=["labels"])
        _audit(AuditAction.COMMENT_REVIEWED, comment, actor, reason)
    return Outcome(comment, False, "已标记为已审阅。")


@transaction.atomic
def assign_by_rule(comment: Comment, *, username: str, reason: str) -> Outcome:
    """A rule gives the item to a person who handles the account's comments."""
    comment = _lock(comment)
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or not can(user, "comment.moderate", comment.unit):
        return Outcome(comment, False, f"规则指定的“{username}”不处理该账号评论，未分派。")
    if comment.assignee_id != user.pk:
        before = comment.assignee_id
        comment.assignee = user
        comment.save(update_fields=["assignee"])
        record(
            AuditAction.COMMENT_ASSIGNED,
            actor=SYSTEM,
            object_type="comment",
            object_id=comment.pk,
            object_repr=comment.text[:60],
            organisation_id=comment.organisation_id,
            before={"assignee": before},
            after={"assignee": user.pk, "reason": reason},
        )
    return Outcome(comment, False, "已分派。")


# ------------------------------------------------------------------ rules acting


def apply_rule(comment: Comment, rule: ModerationRule) -> list[Outcome]:
    """Carry out ``rule``'s actions on ``comment`` as the system (W-18)."""
    reason = f"规则“{rule.name}”" + (f"（{rule.req}）" if rule.req else "")
    Comment.objects.filter(pk=comment.pk).update(rule_key=rule.key)
    comment.rule_key = rule.key
    out: list[Outcome] = []
    for step in rule.actions or []:
        do = str(step.get("do", ""))
        try:
            if do == "hide":
                out.append(hide_comment(comment, actor=SYSTEM, reason=reason))
            elif do == "delete":
                out.append(delete_comment(comment, actor=SYSTEM, reason=reason))
            elif do == "escalate":
                roles = [str(r) for r in step.get("roles") or []]
                out.append(escalate_comment(comment, actor=SYSTEM, reason=reason, roles=roles))
            elif do == "label":
                label = str(step.get("label", ""))
                out.append(label_comment(comment, actor=SYSTEM, reason=reason, label=label))
            elif do == "assign":
                out.append(assign_by_rule(comment, username=str(step.get("to", "")), reason=reason))
            elif do == "review":
                out.append(mark_reviewed(comment, actor=SYSTEM, reason=reason))
        except InvalidChange as e:
            out.append(Outcome(comment, False, str(e)))
    return out


# ------------------------------------------------------------------ rules acting on a batch


class RuleBatch:
    """What one batch's actions share: the audit records to write (one INSERT at the end,
    or the caller's list), and the leaders and platforms looked up once."""

    def __init__(self, audit: list[dict[str, Any]] | None) -> None:
        self.own = audit is None
        self.audit: list[dict[str, Any]] = [] if audit is None else audit
        self.leaders: dict[tuple[int, tuple[str, ...]], list[int]] = {}
        self.can_hide: dict[str, bool] = {}

    def record(
        self,
        action: AuditAction,
        comments: list[Comment],
        after: Callable[[Comment], dict[str, Any]],
        before: Callable[[Comment], Any] | None = None,
    ) -> None:
        """One audit record per comment, as the one-at-a-time actions write them."""
        self.audit.extend(
            {
                "action": action,
                "actor": SYSTEM,
                "object_type": "comment",
                "object_id": c.pk,
                "object_repr": c.text[:60],
                "organisation_id": c.organisation_id,
                "before": before(c) if before else None,
                "after": after(c),
            }
            for c in comments
        )

    def leaders_of(self, comment: Comment, roles: list[str]) -> list[int]:
        key = (comment.unit_id, tuple(roles))
        if key not in self.leaders:
            self.leaders[key] = _leaders(comment, roles)
        return self.leaders[key]

    def hides_on_platform(self, comment: Comment) -> bool:
        from guanwei.publishing.adapters import adapter_class

        platform = comment.channel.platform
        if platform not in self.can_hide:
            self.can_hide[platform] = bool(adapter_class(platform).can_hide_comments)
        return self.can_hide[platform]


def _update_by_value(comments: list[Comment], *fields: str) -> None:
    """Save ``fields`` of ``comments``: one UPDATE per distinct set of values (a batch's
    comments mostly end alike: the same label, the same leader)."""
    groups: dict[str, tuple[dict[str, Any], list[int]]] = {}
    for c in comments:
        values = {f: getattr(c, f) for f in fields}
        key = repr(sorted(values.items()))
        groups.setdefault(key, (values, []))[1].append(c.pk)
    for values, pks in groups.values():
        Comment.objects.filter(pk__in=pks).update(**values)


def _hide_many(b: RuleBatch, batch: list[Comment], reason: str) -> None:
    """As ``hide_comment``: where the platform has no hide call (Weibo) hidden in this
    product only, at once; elsewhere hidden here and the platform's hide queued."""
    todo = [c for c in batch if c.visibility == Visibility.VISIBLE and not c.platform_todo]
    local = [c for c in todo if not b.hides_on_platform(c)]
    if local:
        for c in local:
            c.visibility = Visibility.HIDDEN
        Comment.objects.filter(pk__in=[c.pk for c in local]).update(visibility=Visibility.HIDDEN)
        b.record(
            AuditAction.COMMENT_HIDDEN, local, lambda c: {"reason": reason, "on_platform": False}
        )
    remote = [c for c in todo if b.hides_on_platform(c)]
    if remote:
        _queue(b, remote, "hide", reason, timezone.now())


def _delete_many(b: RuleBatch, batch: list[Comment], reason: str) -> None:
    """As ``delete_comment``: hidden here at once, the platform's delete queued (it
    replaces a hide queued by an earlier step of the rule)."""
    todo = [c for c in batch if c.visibility != Visibility.DELETED]
    if todo:
        _queue(b, todo, "delete", reason, timezone.now())


def _label_many(
    b: RuleBatch, batch: list[Comment], label: str, action: AuditAction, reason: str
) -> None:
    """``label`` on each comment lacking it (as ``label_comment`` / ``mark_reviewed``)."""
    todo = [c for c in batch if label not in c.labels]
    if not todo:
        return
    for c in todo:
        c.labels = [*c.labels, label]
    _update_by_value(todo, "labels")
    if action == AuditAction.COMMENT_LABELLED:
        b.record(action, todo, lambda c: {"reason": reason, "label": label})
    else:
        b.record(action, todo, lambda c: {"reason": reason})


def _escalate_many(b: RuleBatch, batch: list[Comment], roles: list[str], reason: str) -> None:
    """As ``escalate_comment``; the notices in one INSERT. A unit without such leaders:
    nothing changes (the single action refuses)."""
    from guanwei.notify.actions import notify_many

    done = [c for c in batch if b.leaders_of(c, roles)]
    if not done:
        return
    for c in done:
        c.status, c.escalated_to_id = ItemStatus.ESCALATED, b.leaders_of(c, roles)[0]
    _update_by_value(done, "status", "escalated_to_id")
    notify_many(
        {
            "user_ids": b.leaders_of(c, roles),
            "organisation_id": c.organisation_id,
            "title": f"评论上报：{c.channel.name}",
            "body": f"{reason}：{c.text[:80]}",
            "link": "/interaction/?show=escalated",
        }
        for c in done
    )
    b.record(
        AuditAction.COMMENT_ESCALATED,
        done,
        lambda c: {"reason": reason, "to": b.leaders_of(c, roles)},
    )


def _assign_many(b: RuleBatch, batch: list[Comment], username: str, reason: str) -> None:
    """As ``assign_by_rule``: to a person who handles the account's comments."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        return
    allowed: dict[int, bool] = {}
    for c in batch:
        if c.unit_id not in allowed:
            allowed[c.unit_id] = can(user, "comment.moderate", c.unit)
    todo = [c for c in batch if allowed[c.unit_id] and c.assignee_id != user.pk]
    if not todo:
        return
    before = {c.pk: c.assignee_id for c in todo}
    for c in todo:
        c.assignee = user
    _update_by_value(todo, "assignee_id")
    b.record(
        AuditAction.COMMENT_ASSIGNED,
        todo,
        lambda c: {"assignee": user.pk, "reason": reason},
        lambda c: {"assignee": before[c.pk]},
    )


def apply_rule_many(
    rule: ModerationRule,
    comments: list[Comment],
    *,
    fresh: bool = False,
    audit: list[dict[str, Any]] | None = None,
    shared: RuleBatch | None = None,
) -> None:
    """``apply_rule`` for a batch of comments that ``rule`` matched, as the system (W-18):
    the same changes and audit records, set-based — one UPDATE per action for the batch,
    escalation notices in one INSERT, leaders looked up once per unit, the audit records
    in one INSERT at the end (or appended to ``audit`` for the caller to write). Platform
    calls (delete; hide where the platform can) stay one per comment, through the
    one-at-a-time actions. ``fresh``: the caller inserted these rows in its transaction
    (nobody else sees them), so they are not locked and read again."""
    if not comments:
        return
    b = shared or RuleBatch(audit)
    reason = f"规则“{rule.name}”" + (f"（{rule.req}）" if rule.req else "")
    pks = [c.pk for c in comments]
    with transaction.atomic(savepoint=False):
        if fresh:
            batch = list(comments)
        else:
            locked = {
                c.pk: c
                for c in Comment.objects.select_for_update(of=("self",))
                .select_related("unit", "channel", "intent")
                .filter(pk__in=pks)
            }
            batch = [locked[pk] for pk in pks if pk in locked]
        Comment.objects.filter(pk__in=pks).update(rule_key=rule.key)
        for c in [*batch, *comments]:
            c.rule_key = rule.key
        for step in rule.actions or []:
            do = str(step.get("do", ""))
            if do == "hide":
                _hide_many(b, batch, reason)
            elif do == "delete":
                _delete_many(b, batch, reason)
            elif do == "escalate":
                _escalate_many(b, batch, [str(r) for r in step.get("roles") or []], reason)
            elif do == "label":
                label = str(step.get("label", "")).strip()[:32]
                if label:
                    _label_many(b, batch, label, AuditAction.COMMENT_LABELLED, reason)
            elif do == "review":
                _label_many(b, batch, REVIEWED, AuditAction.COMMENT_REVIEWED, reason)
            elif do == "assign":
                _assign_many(b, batch, str(step.get("to", "")), reason)
        if b.own and shared is None and b.audit:
            from guanwei.audit.actions import record_many

            record_many(b.audit)
