"""The account application form (审批表) through its chain (REQ C-02, C-03, W-04): the
college's 第四条 — an account opened, or its responsible person or manager changed, is
asked on the 审批表 and decided by its five opinions in order (申请部门 → 党委宣传部 →
申请部门主管领导 → 主管领导 → 党委书记), each in the UI by its own role, distinct deciders
unless the pack allows a step to a previous decider; the form then prints each step's
decider, opinion and date from the run."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.channels import actions as channel_actions
from guanwei.channels.models import Channel, ChannelStatus
from guanwei.core.errors import InvalidChange, PermissionDenied
from guanwei.orgs.models import Organisation, Unit, User
from guanwei.orgs.permissions import can, holds_anywhere
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


APPLY = "channel.apply"  # 第四条 / W-04: who fills in the 审批表 (decision 0033)


def may_request_application(user: User, channel: Channel) -> bool:
    """Who fills in the 审批表 for an account: its manager, its responsible person, those
    who may change the account, and those the pack lets apply for its unit."""
    return (
        user.pk in (channel.manager_id, channel.responsible_id)
        or can(user, "channel.change", channel)
        or can(user, APPLY, channel)
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
        manager=manager,
        responsible=responsible,
        manager_name=str(manager or "")[:64],
        manager_title=(manager.title if manager else "")[:64],
        manager_phone=(manager.phone if manager else "")[:32],
        responsible_name=str(responsible or "")[:64],
        responsible_title=(responsible.title if responsible else "")[:64],
        responsible_phone=(responsible.phone if responsible else "")[:32],
        account_number=channel.account_id[:128],
        applied_on=timezone.localdate(),
        requested_by=actor,
        created=timezone.now(),
    )
    _start(application, chain, actor)
    return application


def _start(application: AccountApplication, chain: dict[str, Any], actor: User) -> WorkflowRun:
    """Start the pack's chain for ``application`` (the applicant is its author: he never
    decides a step of it) and audit it."""
    channel = application.channel
    title = chain.get("form_title") or chain["name"]
    req = (
        "、".join(chain.get("req") or [])
        if isinstance(chain.get("req"), list)
        else chain.get("req", "")
    )
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
            "kind": application.kind,
            "purpose": application.purpose,
        },
    )
    return run


def _chain_or_refuse(organisation_id: int) -> dict[str, Any]:
    chain = application_chain(organisation_id)
    if chain is None or not chain["steps"]:
        raise ReviewError("制度包没有账号申请审批流程。")
    return chain


def apply_units(user: User, organisation: Organisation) -> list[Unit]:
    """The units ``user`` may ask an account for (``channel.apply`` there, C-02 / W-04);
    none where the pack has no application chain."""
    if application_chain(organisation.pk) is None or not holds_anywhere(user, APPLY, organisation):
        return []
    return [u for u in organisation.units.order_by("path", "id") if can(user, APPLY, u)]


def may_apply_for_account(user: User, organisation: Organisation) -> bool:
    """The 申请开通官方账号 button: the pack has the chain and the person may apply somewhere."""
    return application_chain(organisation.pk) is not None and holds_anywhere(
        user, APPLY, organisation
    )


def _person_fields(
    prefix: str, person: User | None, title: str, phone: str, qq: str = ""
) -> dict[str, str]:
    """The form's name/title/phone of a person, the person's own title and phone where the
    form leaves them empty (prefilled when known)."""
    fields = {
        f"{prefix}_name": str(person or "")[:64],
        f"{prefix}_title": ((title or "").strip() or (person.title if person else ""))[:64],
        f"{prefix}_phone": ((phone or "").strip() or (person.phone if person else ""))[:32],
    }
    if prefix == "manager":
        fields["manager_qq"] = (qq or "").strip()[:32]
    return fields


@transaction.atomic
def apply_for_account(
    unit: Unit,
    *,
    actor: User,
    kind: str,
    name: str,
    purpose: str,
    manager: User | None,
    responsible: User | None,
    account_number: str = "",
    account_id: str = "",
    other_media: str = "",
    manager_title: str = "",
    manager_phone: str = "",
    manager_qq: str = "",
    responsible_title: str = "",
    responsible_phone: str = "",
    applied_on: date | None = None,
) -> AccountApplication:
    """C-02, W-04: the 申请开通官方账号 form — the account is registered 待开通 and its
    审批表 goes through the pack's chain; the last approval opens it."""
    chain = _chain_or_refuse(unit.organisation_id)
    if not can(actor, APPLY, unit):
        raise PermissionDenied(f"您不能为“{unit.name}”申请开通官方账号。")
    purpose = (purpose or "").strip()
    if not purpose:
        raise InvalidChange("请填写申请说明（用途、信息发布范围等）。")
    if manager is None or responsible is None:
        raise InvalidChange("请选择管理人和责任人。")
    channel = channel_actions.create_applied_channel(
        unit,
        actor=actor,
        name=name,
        kind=kind,
        account_id=account_id,
        purpose=purpose,
        manager=manager,
        responsible=responsible,
    )
    application = AccountApplication.objects.create(
        organisation_id=unit.organisation_id,
        channel=channel,
        kind=ApplicationKind.OPEN,
        purpose=purpose,
        other_media=(other_media or "").strip()[:128],
        manager=manager,
        responsible=responsible,
        account_number=(account_number or "").strip()[:128],
        applied_on=applied_on or timezone.localdate(),
        **_person_fields("manager", manager, manager_title, manager_phone, manager_qq),
        **_person_fields("responsible", responsible, responsible_title, responsible_phone),
        requested_by=actor,
        created=timezone.now(),
    )
    _start(application, chain, actor)
    return application


@transaction.atomic
def request_people_change(
    channel: Channel,
    *,
    actor: User,
    purpose: str,
    manager: User | None,
    responsible: User | None,
    manager_title: str = "",
    manager_phone: str = "",
    manager_qq: str = "",
    responsible_title: str = "",
    responsible_phone: str = "",
    other_media: str = "",
    applied_on: date | None = None,
) -> AccountApplication:
    """C-03 (第四条 "主要负责人、管理人员变更的，应重新填写审批表"): the new manager and
    responsible person on a new 审批表 through the chain; on approval they take over and
    the password is due for a change at once (W-16)."""
    chain = _chain_or_refuse(channel.organisation_id)
    if not may_request_application(actor, channel):
        raise PermissionDenied("只有该账号的管理员、责任人或账号管理人员可以申请变更。")
    if channel.status not in (ChannelStatus.ACTIVE, ChannelStatus.SUSPENDED):
        raise InvalidChange("只有已开通的账号可以申请变更管理员、责任人。")
    purpose = (purpose or "").strip()
    if not purpose:
        raise InvalidChange("请填写变更说明。")
    manager = manager or channel.manager
    responsible = responsible or channel.responsible
    if manager == channel.manager and responsible == channel.responsible:
        raise InvalidChange("新的管理人和责任人与现在的相同：请至少变更一人。")
    channel_actions._check_people(channel.unit, manager, responsible, channel)
    if WorkflowRun.objects.filter(
        application__channel=channel, status=RunStatus.IN_PROGRESS
    ).exists():
        raise InvalidChange("该账号已有一份审批表正在审批，请等待审批结束。")
    application = AccountApplication.objects.create(
        organisation_id=channel.organisation_id,
        channel=channel,
        kind=ApplicationKind.CHANGE,
        purpose=purpose,
        other_media=(other_media or "").strip()[:128],
        manager=manager,
        responsible=responsible,
        account_number=channel.account_id[:128],
        applied_on=applied_on or timezone.localdate(),
        **_person_fields("manager", manager, manager_title, manager_phone, manager_qq),
        **_person_fields("responsible", responsible, responsible_title, responsible_phone),
        requested_by=actor,
        created=timezone.now(),
    )
    _start(application, chain, actor)
    return application


def _require_rotation(channel: Channel, *, actor: User, application: AccountApplication) -> bool:
    """W-16: a change of the people in charge makes the password due for a change at once.
    The one call site of the vault (branch ``custody``); until the vault is on main the
    change is recorded without it (decision 0033). Returns whether the vault was told."""
    try:
        from guanwei.vault.actions import (  # type: ignore[import-not-found,unused-ignore]
            require_rotation,
        )
    except ImportError:  # VAULT-PENDING: the vault has not landed yet
        return False
    require_rotation(
        channel,
        reason=f"管理员、责任人变更（审批表 #{application.pk}）",
        actor=actor,
    )
    return True


def _on_approved(application: AccountApplication, *, actor: User) -> None:
    """The chain approved the 审批表: open the account, or hand it to its new people (the
    channels actions), then the password is due (W-16)."""
    channel = application.channel
    if application.kind == ApplicationKind.OPEN:
        # an account already open whose form was filed again: nothing to open
        if channel.status == ChannelStatus.PENDING:
            channel_actions.open_by_application(channel, actor=actor, application=application)
    elif application.kind == ApplicationKind.CHANGE:
        if channel_actions.change_people_by_application(
            channel, actor=actor, application=application
        ):
            _require_rotation(channel, actor=actor, application=application)


ARCHIVE_COPIES = 2  # 此表一式两份


@transaction.atomic
def record_archived_copies(application: AccountApplication, *, actor: User) -> None:
    """此表一式两份 (decision 0033): the approved form was printed and its two copies filed
    (one with the managing department, one with the applicant); who did it and when."""
    application = AccountApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != AuthorisationStatus.APPROVED:
        raise InvalidChange("审批表通过后才能存档。")
    if application.archived_copies:
        raise InvalidChange("该审批表已登记存档。")
    if not may_archive(actor, application):
        raise PermissionDenied("只有申请人、账号管理人员或审批人可以登记存档。")
    application.archived_copies = ARCHIVE_COPIES
    application.archived_by = actor
    application.archived_at = timezone.now()
    application.save(update_fields=["archived_copies", "archived_by", "archived_at"])
    record(
        AuditAction.APPLICATION_ARCHIVED,
        actor=actor,
        object_type="application",
        object_id=application.pk,
        object_repr=f"{application.channel} 审批表",
        organisation_id=application.organisation_id,
        after={"copies": ARCHIVE_COPIES},
    )


def may_archive(user: User, application: AccountApplication) -> bool:
    """Who files the printed copies: the applicant, those who may change or approve the
    account, or a decider of the run."""
    from guanwei.workflow.models import Decision

    channel = application.channel
    return (
        user.pk == application.requested_by_id
        or can(user, "channel.change", channel)
        or can(user, "channel.approve", channel)
        or Decision.objects.filter(step__run__application=application, actor=user).exists()
    )


def mark_application_decided(
    application: AccountApplication, *, approved: bool, actor: User | None = None
) -> None:
    """The run's end sets the application's status (called by ``decisions._finish``); an
    approved one opens the account or changes its people (C-02, C-03)."""
    won = AccountApplication.objects.filter(
        pk=application.pk, status=AuthorisationStatus.IN_REVIEW
    ).update(
        status=AuthorisationStatus.APPROVED if approved else AuthorisationStatus.REJECTED,
        decided_at=timezone.now(),
    )
    if won and approved and actor is not None:
        application.refresh_from_db()
        _on_approved(application, actor=actor)
