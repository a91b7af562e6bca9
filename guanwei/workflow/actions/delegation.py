"""Delegation with consent (R-04): the executive leader lets a deputy review in the
leader's place for a while; the absent person or the consenting leader may revoke it.

Separation of duties (issue #9 §8, docs/security.md): a delegation never covers content
written by the person who consented to it, the person it stands in for, or the deputy
(checked each time it is used, so consent given before the post was written does not help
either); the consent must come from the pack's ``consent_role`` for the absence of its
``for_role``, never from the absent person or the deputy; and it lasts at most the chain's
``max_days`` (30 by default) — a longer one already stored grants nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.content.models import PostRevision
from guanwei.core.errors import PermissionDenied
from guanwei.orgs.models import Membership, Organisation, Unit, User
from guanwei.orgs.rules import rules_for
from guanwei.workflow.errors import ReviewError
from guanwei.workflow.models import Delegation, RunStatus, StepRun, StepStatus, WorkflowRun
from guanwei.workflow.queries import delegation_max_days, delegation_within_limit


def authors(run: WorkflowRun) -> set[int]:
    """Everyone whose text this run reviews: the post's creator and the author of every
    revision of it, or the material's sender."""
    if run.post_id:
        ids = set(
            PostRevision.objects.filter(post_id=run.post_id).values_list("created_by_id", flat=True)
        )
        if run.post is not None:
            ids.add(run.post.created_by_id)
        return ids
    if run.submission is not None and run.submission.submitted_by_id:
        return {run.submission.submitted_by_id}
    return set()


def covers_own_content(delegation: Delegation, run: WorkflowRun) -> bool:
    """True when the delegation would let its consenting leader, the person it stands in for
    or the deputy have their own text approved (issue #9 §8)."""
    people = {delegation.consent_by_id, delegation.absent_id, delegation.delegate_id}
    return bool(people & authors(run))


def active_delegation(step: StepRun, actor: User) -> Delegation | None:
    rule = step.run.chain.get("delegation")
    if not rule or rule["step"] != step.key:
        return None
    if not Membership.objects.filter(
        user=actor, unit=step.unit, role=rule["to_role"], revoked_at__isnull=True
    ).exists():
        return None
    now = timezone.now()
    found = Delegation.objects.filter(
        organisation_id=step.run.organisation_id,
        chain_key=step.run.chain_key,
        step_key=step.key,
        unit=step.unit,
        delegate=actor,
        revoked_at__isnull=True,
        starts_at__lte=now,
        ends_at__gt=now,
    )
    return next((d for d in found if delegation_within_limit(d)), None)


@transaction.atomic
def grant_delegation(
    organisation: Organisation,
    *,
    actor: User,
    chain_key: str,
    delegate: User,
    absent: User,
    ends_at: Any,
    reason: str,
) -> Delegation:
    """The executive leader records consent for a deputy to review in the leader's place
    (R-04): only for the absence of the pack's ``for_role``, never for the consenting person's
    own absence, at most ``max_days``, and not while the consenting person's own text waits
    on that step."""
    chain = next((c for c in rules_for(organisation.pk).chains if c["key"] == chain_key), None)
    if chain is None or not chain.get("delegation"):
        raise ReviewError("该审核流程不允许代审。")
    rule = chain["delegation"]
    step = next(s for s in chain["steps"] if s["key"] == rule["step"])
    unit = (
        Unit.objects.get(organisation=organisation, key=step["unit"])
        if step["unit"] not in ("post_unit", "provider_unit", "parent_unit", "root_unit")
        else None
    )
    if unit is None:
        raise ReviewError("代审只适用于固定部门的审核环节。")
    if not Membership.objects.filter(
        user=actor, unit=unit, role=rule["consent_role"], revoked_at__isnull=True
    ).exists():
        raise PermissionDenied("只有执行组长可以同意代审。")
    if not Membership.objects.filter(
        user=delegate, unit=unit, role=rule["to_role"], revoked_at__isnull=True
    ).exists():
        raise ReviewError(f"{delegate} 不是可以代审的副组长。")
    absent_roles = [rule["for_role"]] if rule.get("for_role") else step["roles"]
    if not Membership.objects.filter(
        user=absent, unit=unit, role__in=absent_roles, revoked_at__isnull=True
    ).exists():
        names = "、".join(rules_for(organisation.pk).role_name(r) for r in absent_roles)
        raise ReviewError(f"代审只能代{names}审核，{absent} 不是{names}。")
    if actor.pk == absent.pk:
        raise ReviewError("不能同意由他人代替自己审核，须由执行组长为组长同意代审。")
    if delegate.pk in (absent.pk, actor.pk):
        raise ReviewError("代审人不能是被代审人或同意人本人。")
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("请填写代审原因（如组长出差）。")
    now = timezone.now()
    if ends_at <= now:
        raise ReviewError("代审截止时间必须晚于现在。")
    limit = delegation_max_days(chain)
    if ends_at - now > timedelta(days=limit):
        raise ReviewError(f"代审授权最长 {limit} 天，请缩短截止时间。")
    own_pending = StepRun.objects.filter(
        run__organisation=organisation,
        run__chain_key=chain_key,
        run__status=RunStatus.IN_PROGRESS,
        key=rule["step"],
        status=StepStatus.PENDING,
    ).filter(
        Q(run__post__created_by__in=[actor, absent, delegate])
        | Q(run__post__revisions__created_by__in=[actor, absent, delegate])
        | Q(run__submission__submitted_by__in=[actor, absent, delegate])
    )
    if own_pending.exists():
        raise ReviewError(
            "您（或被代审人、代审人）自己撰写的稿件正在该环节待审，不能安排代审；"
            "请由其他审核人审核。"
        )
    delegation = Delegation.objects.create(
        organisation=organisation,
        chain_key=chain_key,
        step_key=rule["step"],
        unit=unit,
        delegate=delegate,
        absent=absent,
        consent_by=actor,
        reason=reason,
        starts_at=now,
        ends_at=ends_at,
    )
    record(
        AuditAction.DELEGATION_GRANTED,
        actor=actor,
        object_type="delegation",
        object_id=delegation.pk,
        object_repr=str(delegation),
        organisation_id=organisation.pk,
        after={
            "chain": chain_key,
            "step": rule["step"],
            "delegate": delegate.username,
            "absent": absent.username,
            "until": ends_at.isoformat(),
            "reason": reason,
        },
    )
    return delegation


@transaction.atomic
def revoke_delegation(delegation: Delegation, *, actor: User) -> None:
    if actor.pk not in (delegation.consent_by_id, delegation.absent_id):
        raise PermissionDenied("只有同意代审的执行组长或被代审人可以撤销。")
    won = Delegation.objects.filter(pk=delegation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not won:
        raise ReviewError("该代审授权已撤销。")
    record(
        AuditAction.DELEGATION_REVOKED,
        actor=actor,
        object_type="delegation",
        object_id=delegation.pk,
        object_repr=str(delegation),
        organisation_id=delegation.organisation_id,
    )
