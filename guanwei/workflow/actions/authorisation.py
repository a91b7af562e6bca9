"""附二 官方微博授权审批表 through its chain (REQ R-05, R-06): a request to authorise a
person on an official account is recorded, goes through the pack's ``authorisation`` chain
(real estate: 执行组长审核 → 组长批准) and, once approved, prints with both opinions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.channels.models import Channel
from guanwei.core.errors import InvalidChange, PermissionDenied
from guanwei.orgs.models import User
from guanwei.orgs.permissions import can
from guanwei.orgs.rules import rules_for
from guanwei.workflow.actions.runs import _create_run
from guanwei.workflow.errors import ReviewError
from guanwei.workflow.models import AuthorisationRequest, AuthorisationStatus


def authorisation_chain(organisation_id: int) -> dict[str, Any] | None:
    """The pack's chain for the 附二 form: ``applies_to = "credential"``, ``form =
    "authorisation"`` (None when the pack has none: the form then prints blank for hand
    signatures, as before)."""
    return next(
        (
            c
            for c in rules_for(organisation_id).chains
            if c["applies_to"] == "credential" and c.get("form") == "authorisation"
        ),
        None,
    )


def may_request_authorisation(user: User, channel: Channel) -> bool:
    """Who may ask for an authorisation on an account: its manager, its responsible person,
    and those who may change the account."""
    return user.pk in (channel.manager_id, channel.responsible_id) or can(
        user, "channel.change", channel
    )


@transaction.atomic
def request_authorisation(
    channel: Channel,
    *,
    actor: User,
    grantee: str,
    scope: str,
    reason: str,
    grantee_title: str = "",
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> AuthorisationRequest:
    """Record the request and start the pack's ``authorisation`` chain for it (R-06)."""
    chain = authorisation_chain(channel.organisation_id)
    if chain is None or not chain["steps"]:
        raise ReviewError("制度包没有授权审批流程。")
    if not may_request_authorisation(actor, channel):
        raise PermissionDenied("只有该账号的管理员、责任人或账号管理人员可以申请授权。")
    grantee, scope, reason = grantee.strip(), scope.strip(), reason.strip()
    if not grantee or not scope or not reason:
        raise InvalidChange("请填写被授权人、授权范围和授权事由。")
    if valid_from and valid_until and valid_until <= valid_from:
        raise InvalidChange("有效期的结束时间须晚于开始时间。")
    request = AuthorisationRequest.objects.create(
        organisation_id=channel.organisation_id,
        channel=channel,
        grantee=grantee[:64],
        grantee_title=grantee_title.strip()[:64],
        scope=scope[:200],
        reason=reason,
        valid_from=valid_from,
        valid_until=valid_until,
        requested_by=actor,
        created=timezone.now(),
    )
    run = _create_run(
        organisation_id=channel.organisation_id,
        subject="credential",
        chain=chain,
        actor=actor,
        post_unit=channel.unit,
        provider_unit=channel.unit,
        author_id=actor.pk,
        authorisation=request,
        chain_reason=f"按制度“附二 {chain['name']}”（{'、'.join(chain.get('req') or [])}）审批。",
    )
    record(
        AuditAction.REVIEW_STARTED,
        actor=actor,
        object_type="authorisation",
        object_id=request.pk,
        object_repr=f"{channel.name} 授权 {request.grantee}",
        organisation_id=channel.organisation_id,
        after={
            "chain": chain["key"],
            "run": run.pk,
            "channel": channel.key,
            "grantee": request.grantee,
            "scope": request.scope,
            "reason": request.reason,
            "valid_from": valid_from.isoformat() if valid_from else None,
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
    )
    return request


def mark_authorisation_decided(request: AuthorisationRequest, *, approved: bool) -> None:
    """The run's end sets the request's status (called by ``decisions._finish``)."""
    AuthorisationRequest.objects.filter(pk=request.pk, status=AuthorisationStatus.IN_REVIEW).update(
        status=AuthorisationStatus.APPROVED if approved else AuthorisationStatus.REJECTED,
        decided_at=timezone.now(),
    )
