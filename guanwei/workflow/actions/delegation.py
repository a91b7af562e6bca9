"""Delegation with consent (R-04): the executive leader lets a deputy review in the
leader's place for a while; the absent person or the consenting leader may revoke it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.core.errors import PermissionDenied
from guanwei.orgs.models import Membership, Organisation, Unit, User
from guanwei.orgs.rules import rules_for
from guanwei.workflow.errors import ReviewError
from guanwei.workflow.models import Delegation, StepRun


def active_delegation(step: StepRun, actor: User) -> Delegation | None:
    rule = step.run.chain.get("delegation")
    if not rule or rule["step"] != step.key:
        return None
    if not Membership.objects.filter(
        user=actor, unit=step.unit, role=rule["to_role"], revoked_at__isnull=True
    ).exists():
        return None
    now = timezone.now()
    return Delegation.objects.filter(
        organisation_id=step.run.organisation_id,
        chain_key=step.run.chain_key,
        step_key=step.key,
        unit=step.unit,
        delegate=actor,
        revoked_at__isnull=True,
        starts_at__lte=now,
        ends_at__gt=now,
    ).first()


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
    """The executive leader records consent for a deputy to review in the leader's place."""
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
    if not Membership.objects.filter(
        user=absent, unit=unit, role__in=step["roles"], revoked_at__isnull=True
    ).exists():
        raise ReviewError(f"{absent} 不是该环节的审核人。")
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("请填写代审原因（如组长出差）。")
    now = timezone.now()
    if ends_at <= now:
        raise ReviewError("代审截止时间必须晚于现在。")
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
