"""The account application form (审批表) through its chain (REQ C-02, C-03, W-04): the
college's 第四条 — an account opened, or its responsible person or manager changed, is
asked on the 审批表 and decided by its five opinions in order (申请部门 → 党委宣传部 →
申请部门主管领导 → 主管领导 → 党委书记), each in the UI by its own role, distinct deciders
unless the pack allows a step to a previous decider; the form then prints each step's
decider, opinion and date from the run."""

from __future__ import annotations

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
from guanwei.workflow.models import (
    AccountApplication,
    ApplicationKind,
    AuthorisationStatus,
    RunStatus,
    WorkflowRun,
)


def application_chain(organisation_id: int) -> dict[str, Any] | None:
    """The pack's chain for the 审批表: ``applies_to = "channel"``, ``form = "application"``
    (None when the pack has none)."""
    return next(
        (
            c
            for c in rules_for(organisation_id).chains
            if c.get("applies_to") == "channel" and c.get("form") == "application"
        ),
        None,
    )


def may_request_application(user: User, channel: Channel) -> bool:
    """Who fills in the 审批表 for an account: its manager, its responsible person, and
    those who may change the account."""
    return user.pk in (channel.manager_id, channel.responsible_id) or can(
        user, "channel.change", channel
    )


@transaction.atomic
def request_application(
    channel: Channel,
    *,
    actor: User,
    purpose: str,
    kind: str = ApplicationKind.OPEN,
    other_media: str = "",
) -> AccountApplication:
    """Record the 审批表 (with the account's manager and responsible person as they stand)
    and start the pack's application chain for it (C-02, C-03)."""
    chain = application_chain(channel.organisation_id)
    if chain is None or not chain["steps"]:
        raise ReviewError("制度包没有账号申请审批流程。")
    if not may_request_application(actor, channel):
        raise PermissionDenied("只有该账号的管理员、责任人或账号管理人员可以填写审批表。")
    if kind not in ApplicationKind.values:
        raise InvalidChange("请选择申请事项。")
    purpose = (purpose or "").strip()
    if not purpose:
        raise InvalidChange("请填写申请说明（用途、信息发布范围等）。")
    if WorkflowRun.objects.filter(
        application__channel=channel, status=RunStatus.IN_PROGRESS
    ).exists():
        raise InvalidChange("该账号已有一份审批表正在审批，请等待审批结束。")
    manager, responsible = channel.manager, channel.responsible
    application = AccountApplication.objects.create(
        organisation_id=channel.organisation_id,
        channel=channel,
        kind=kind,
        purpose=purpose,
        other_media=(other_media or "").strip()[:128],
        manager_name=str(manager or "")[:64],
        manager_title=(manager.title if manager else "")[:64],
        manager_phone=(manager.phone if manager else "")[:32],
        responsible_name=str(responsible or "")[:64],
        responsible_title=(responsible.title if responsible else "")[:64],
        responsible_phone=(responsible.phone if responsible else "")[:32],
        requested_by=actor,
        created=timezone.now(),
    )
    title = chain.get("form_title") or chain["name"]
    req = "、".join(chain.get("req") or [])
    run = _create_run(
        organisation_id=channel.organisation_id,
        subject="application",
        chain=chain,
        actor=actor,
        post_unit=channel.unit,
        provider_unit=channel.unit,
        author_id=actor.pk,
        application=application,
        chain_reason=f"按制度“{title}”（{req}）审批，各环节依次签署意见。",
    )
    record(
        AuditAction.REVIEW_STARTED,
        actor=actor,
        object_type="application",
        object_id=application.pk,
        object_repr=f"{channel.name} 审批表（{application.get_kind_display()}）",
        organisation_id=channel.organisation_id,
        after={
            "chain": chain["key"],
            "run": run.pk,
            "channel": channel.key,
            "kind": kind,
            "purpose": purpose,
        },
    )
    return application


def mark_application_decided(application: AccountApplication, *, approved: bool) -> None:
    """The run's end sets the application's status (called by ``decisions._finish``)."""
    AccountApplication.objects.filter(
        pk=application.pk, status=AuthorisationStatus.IN_REVIEW
    ).update(
        status=AuthorisationStatus.APPROVED if approved else AuthorisationStatus.REJECTED,
        decided_at=timezone.now(),
    )
