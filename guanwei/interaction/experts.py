"""Who answers a question, by when, and who approves the answer (W-19, W-20; 第四条(四),
第十四条, 第十六条 of the weather bureau's rule book).

The pack says it (docs/interaction.md, "Experts and replies"):

- ``[[experts]]``: ``topics`` (the triage topics of ``interaction.triage``), optional
  ``keywords`` (at least one must be in the comment), ``unit`` (a unit key, or
  ``account_unit``: the unit of the account the comment is on) and ``roles``. A question
  in scope goes to the first entry that fits, to the holder of one of its roles there with
  the fewest open questions.
- ``[[answering]]``: ``hours`` (the reply deadline, from the comment's arrival),
  ``approve_unit`` / ``approve_roles`` (who approves a reply before it is sent) and
  ``route_text`` (the polite routing offered as the draft for questions out of scope).

:func:`route_new` runs in the ingest transaction, as the system: it assigns, sets
``reply_due_at`` and opens the reply deadline through ``oversight.actions`` (the deadline
room's action; this room never writes its rows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import CharField, Count, DateTimeField, ExpressionWrapper, F, OuterRef, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from guanwei.audit.actions import record_many
from guanwei.audit.events import AuditAction
from guanwei.channels.models import Channel
from guanwei.interaction.models import Comment, ItemStatus, Reply, Scope, Source, Visibility
from guanwei.orgs.models import Membership, Unit
from guanwei.orgs.permissions import SYSTEM
from guanwei.orgs.rules import rules_for

ACCOUNT_UNIT = "account_unit"
OWN_REPLY = "本账号回复"


def expert_rules(organisation_id: int) -> list[dict[str, Any]]:
    """The organisation's ``[[experts]]`` entries, in pack order."""
    return [e for e in rules_for(organisation_id).extra("experts") if e.get("key")]


def answering_rule(organisation_id: int) -> dict[str, Any] | None:
    """The organisation's ``[[answering]]`` rule (the first one), or None."""
    return next((e for e in rules_for(organisation_id).extra("answering") if e.get("key")), None)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value or [] if str(v)]


def resolve_unit(selector: str, comment: Comment) -> Unit | None:
    if not selector or selector == ACCOUNT_UNIT:
        return comment.unit
    return Unit.objects.filter(organisation_id=comment.organisation_id, key=selector).first()


def holders(unit: Unit, roles: Sequence[str]) -> list[int]:
    return list(
        Membership.objects.filter(
            unit=unit, role__in=list(roles), revoked_at__isnull=True, user__is_active=True
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )


def expert_for(
    comment: Comment, rules: list[dict[str, Any]] | None = None
) -> dict[str, Any] | None:
    """The first ``[[experts]]`` entry that fits the comment's topic (and keywords)."""
    text = comment.text or ""
    for entry in expert_rules(comment.organisation_id) if rules is None else rules:
        topics = _strings(entry.get("topics"))
        if topics and comment.topic not in topics:
            continue
        words = _strings(entry.get("keywords"))
        if words and not any(w in text for w in words):
            continue
        return entry
    return None


@dataclass(frozen=True)
class Approval:
    unit: Unit
    roles: list[str]


def approval_for(comment: Comment) -> Approval | None:
    rule = answering_rule(comment.organisation_id)
    if rule is None:
        return None
    roles = _strings(rule.get("approve_roles"))
    unit = resolve_unit(str(rule.get("approve_unit") or ""), comment)
    if unit is None or not roles:
        return None
    return Approval(unit, roles)


def route_text(organisation_id: int) -> str:
    rule = answering_rule(organisation_id)
    return str(rule.get("route_text") or "") if rule else ""


def reply_hours(organisation_id: int) -> float | None:
    rule = answering_rule(organisation_id)
    if rule is None or not rule.get("hours"):
        return None
    return float(rule["hours"])


def _needs_answer(c: Comment) -> bool:
    return (
        c.is_question
        and c.scope in (Scope.IN, Scope.OUT)
        and c.source == Source.COMMENT
        and c.visibility == Visibility.VISIBLE
    )


def deadline_key(comment: Comment) -> str:
    return f"reply:{comment.pk}"


class _Router:
    """What routing a batch reads, read once per batch: each organisation's rules, each
    unit's id by key, each (unit, roles)'s holders, the open questions of each candidate
    expert (counted up as the batch assigns, so work spreads within the batch as across
    batches)."""

    def __init__(self) -> None:
        self._experts: dict[int, list[dict[str, Any]]] = {}
        self._answering: dict[int, dict[str, Any] | None] = {}
        self._units: dict[tuple[int, str], int | None] = {}
        self._holders: dict[tuple[int, tuple[str, ...]], list[int]] = {}
        self._open: dict[int, int] = {}

    def experts(self, org_id: int) -> list[dict[str, Any]]:
        if org_id not in self._experts:
            self._experts[org_id] = expert_rules(org_id)
        return self._experts[org_id]

    def answering(self, org_id: int) -> dict[str, Any] | None:
        if org_id not in self._answering:
            self._answering[org_id] = answering_rule(org_id)
        return self._answering[org_id]

    def unit_id(self, selector: str, c: Comment) -> int | None:
        if not selector or selector == ACCOUNT_UNIT:
            return c.unit_id
        key = (c.organisation_id, selector)
        if key not in self._units:
            self._units[key] = (
                Unit.objects.filter(organisation_id=c.organisation_id, key=selector)
                .values_list("pk", flat=True)
                .first()
            )
        return self._units[key]

    def holders(self, unit_id: int, roles: Sequence[str]) -> list[int]:
        key = (unit_id, tuple(roles))
        if key not in self._holders:
            ids = list(
                Membership.objects.filter(
                    unit_id=unit_id,
                    role__in=list(roles),
                    revoked_at__isnull=True,
                    user__is_active=True,
                )
                .order_by("user_id")
                .values_list("user_id", flat=True)
                .distinct()
            )
            fresh = [i for i in ids if i not in self._open]
            self._open.update(
                dict.fromkeys(fresh, 0)
                | dict(
                    Comment.objects.filter(assignee_id__in=fresh, is_question=True)
                    .exclude(status=ItemStatus.DONE)
                    .values("assignee_id")
                    .annotate(n=Count("id"))
                    .values_list("assignee_id", "n")
                )
            )
            self._holders[key] = ids
        return self._holders[key]

    def pick(self, c: Comment, entry: dict[str, Any]) -> int | None:
        """Of the people holding the entry's roles in its unit, the active one with the
        fewest open questions assigned (then the lowest id): work spreads over the
        forecasters."""
        unit_id = self.unit_id(str(entry.get("unit") or ""), c)
        if unit_id is None:
            return None
        ids = self.holders(unit_id, _strings(entry.get("roles")))
        if not ids:
            return None
        chosen = min(ids, key=lambda i: (self._open.get(i, 0), i))
        self._open[chosen] = self._open.get(chosen, 0) + 1
        return chosen

    def escalate_ids(self, c: Comment) -> list[int]:
        rule = self.answering(c.organisation_id)
        if rule is None:
            return []
        roles = _strings(rule.get("approve_roles"))
        unit_id = self.unit_id(str(rule.get("approve_unit") or ""), c)
        return self.holders(unit_id, roles) if unit_id is not None and roles else []

    def hours(self, org_id: int) -> float | None:
        rule = self.answering(org_id)
        return float(rule["hours"]) if rule and rule.get("hours") else None


# What the moderation rules may have changed on a stored comment before routing.
_AFTER_RULES = ("visibility", "assignee_id", "reply_due_at", "status", "is_question", "scope")


def deadline_key_of_row() -> Concat:
    """:func:`deadline_key` as an expression of the comment row of an outer query (W-20's
    statistics read each question's reply deadline in the database)."""
    return Concat(Value("reply:"), Cast(OuterRef("pk"), CharField()), output_field=CharField())


def route_new(stored: Sequence[Comment], *, audit: list[dict[str, Any]] | None = None) -> int:
    """In the ingest transaction, after the moderation rules: each new question in scope
    gets its expert (unless a rule assigned it), every question (in or out of scope) its
    reply deadline; the account's own replies coming back from the platform are marked
    done. A batch is routed with a fixed number of statements, whatever its size: an
    UPDATE per expert and per reply window, one INSERT of the deadlines
    (``oversight.create_deadlines``), one append to the audit chain (or the records
    appended to ``audit``, for the caller's), one INSERT of notices — one per expert per
    batch, not a bell ringing for each of fifty questions. Returns how many were routed."""
    if not stored:
        return 0
    by_pk = {c.pk: c for c in stored}
    for pk, *values in Comment.objects.filter(pk__in=list(by_pk)).values_list("pk", *_AFTER_RULES):
        c = by_pk[pk]
        for name, value in zip(_AFTER_RULES, values, strict=True):
            setattr(c, name, value)
    comments = sorted(by_pk.values(), key=lambda c: c.pk)
    own = set(
        Reply.objects.filter(
            comment__channel_id__in={c.channel_id for c in comments},
            remote_id__in=[c.remote_id for c in comments],
        ).values_list("comment__channel_id", "remote_id")
    )
    accounts = {
        pk: (name, owners)
        for pk, name, *owners in Channel.objects.filter(
            pk__in={c.channel_id for c in comments}
        ).values_list("pk", "name", "manager_id", "responsible_id")
    }
    router = _Router()
    changed: list[Comment] = []
    deadlines: list[dict[str, Any]] = []
    routed: list[dict[str, Any]] = []
    told: dict[tuple[int, int], list[Comment]] = {}
    for c in comments:
        if (c.channel_id, c.remote_id) in own:
            mark_own_reply(c)
            continue
        if not _needs_answer(c):
            continue
        rules = router.experts(c.organisation_id)
        entry = expert_for(c, rules) if c.scope == Scope.IN else None
        expert_id = router.pick(c, entry) if entry and c.assignee_id is None else None
        dirty = False
        if expert_id is not None:
            c.assignee_id = expert_id
            told.setdefault((expert_id, c.channel_id), []).append(c)
            dirty = True
        hours = router.hours(c.organisation_id)
        arrived = c.created_at or c.fetched_at
        if hours and c.reply_due_at is None:
            c.reply_due_at = arrived + timedelta(hours=hours)
            dirty = True
        if dirty:
            changed.append(c)
        name, owners = accounts[c.channel_id]
        if c.reply_due_at is not None:
            deadlines.append(_deadline_row(c, arrived, name, owners, router.escalate_ids(c)))
        routed.append(
            {
                "action": AuditAction.QUESTION_ROUTED,
                "actor": SYSTEM,
                "object_type": "comment",
                "object_id": c.pk,
                "object_repr": c.text[:60],
                "organisation_id": c.organisation_id,
                "after": {
                    "scope": c.scope,
                    "topic": c.topic,
                    "rule": entry.get("key") if entry else "",
                    "assignee": c.assignee_id,
                    "reply_due_at": c.reply_due_at.isoformat() if c.reply_due_at else None,
                },
            }
        )
    _save_routing(changed, router)
    if deadlines:
        from guanwei.oversight import actions as oversight

        oversight.create_deadlines(deadlines, audit=routed)
    if audit is None:
        record_many(routed)
    else:
        audit.extend(routed)
    if told:
        from guanwei.notify.actions import notify_many

        notify_many(_notice(expert_id, accounts[ch][0], qs) for (expert_id, ch), qs in told.items())
    return sum(1 for r in routed if r["action"] == AuditAction.QUESTION_ROUTED)


def _notice(expert_id: int, account: str, questions: list[Comment]) -> dict[str, Any]:
    """W-20: the expert learns of the questions routed to them (the bell, 通知)."""
    first = questions[0]
    due = min((c.reply_due_at for c in questions if c.reply_due_at), default=None)
    when = f"请于 {timezone.localtime(due):%m-%d %H:%M} 前答复" if due else "请答复"
    if len(questions) == 1:
        body, link = f"{when}：{first.text[:80]}", f"/interaction/?show=mine#comment-{first.pk}"
    else:
        body = f"共 {len(questions)} 条，最早一条{when}。第一条：{first.text[:60]}"
        link = "/interaction/?show=mine"
    return {
        "user_ids": [expert_id],
        "organisation_id": first.organisation_id,
        "title": f"待答复网友提问：{account}"
        + (f"（{len(questions)} 条）" if len(questions) > 1 else ""),
        "body": body,
        "link": link,
    }


def _save_routing(changed: list[Comment], router: _Router) -> None:
    """The routed comments' expert and reply deadline, in a few UPDATEs: one per expert,
    one per reply window (the deadline is arrival + the pack's hours, computed in the
    statement) — not a CASE per row, whose building cost more than the rest of routing."""
    by_expert: dict[int, list[int]] = {}
    by_hours: dict[float, list[int]] = {}
    for c in changed:
        if c.assignee_id is not None:
            by_expert.setdefault(c.assignee_id, []).append(c.pk)
        hours = router.hours(c.organisation_id)
        if hours and c.reply_due_at is not None:
            by_hours.setdefault(hours, []).append(c.pk)
    for expert_id, ids in by_expert.items():
        Comment.objects.filter(pk__in=ids, assignee__isnull=True).update(assignee_id=expert_id)
    arrival = Coalesce(F("created_at"), F("fetched_at"))
    for hours, ids in by_hours.items():
        Comment.objects.filter(pk__in=ids, reply_due_at__isnull=True).update(
            reply_due_at=ExpressionWrapper(
                arrival + timedelta(hours=hours), output_field=DateTimeField()
            )
        )


def _deadline_row(
    c: Comment, arrived: Any, account: str, owners: Sequence[int | None], escalate: list[int]
) -> dict[str, Any]:
    """The reply deadline's fields (W-20), for ``oversight.create_deadlines``: owned by
    the expert, else the account's manager and responsible person."""
    from guanwei.oversight.models import DeadlineKind

    assert c.reply_due_at is not None
    window = c.reply_due_at - arrived
    return {
        "organisation_id": c.organisation_id,
        "unit_id": c.unit_id,
        "kind": DeadlineKind.REPLY,
        "key": deadline_key(c),
        "title": f"{account} 答复网友提问：{c.text[:60]}",
        "channel_id": c.channel_id,
        "post_id": c.post_id,
        "starts_at": arrived,
        "due_at": c.reply_due_at,
        "remind_at": arrived + window * 3 / 4,
        "owner_ids": [c.assignee_id] if c.assignee_id else [i for i in owners if i],
        "escalate_ids": list(escalate),
        "req": "W-20",
    }


def settle_deadline(comment: Comment, *, evidence: str, actor: Any = None) -> None:
    """The question got its first response: its reply deadline closes (met, or breached
    when late — the scheduler breaches it at ``due_at`` if nothing came)."""
    from guanwei.oversight import actions as oversight
    from guanwei.oversight.models import Deadline, DeadlineStatus

    deadline = Deadline.objects.filter(
        key=deadline_key(comment), status=DeadlineStatus.OPEN
    ).first()
    if deadline is None:
        return
    # Late is late, whether or not the scheduler marked it first (after an outage it had not).
    late = deadline.due_at is not None and timezone.now() > deadline.due_at
    status = DeadlineStatus.BREACHED if late else DeadlineStatus.MET
    oversight.close_deadline(deadline, status, actor=actor, evidence=evidence)


def mark_own_reply(c: Comment) -> None:
    """A comment that is the account's own reply, fetched back from the platform."""
    labels = c.labels if OWN_REPLY in c.labels else [*c.labels, OWN_REPLY]
    Comment.objects.filter(pk=c.pk).update(
        is_question=False, scope=Scope.NONE, status=ItemStatus.DONE, labels=labels
    )
