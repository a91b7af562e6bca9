"""State changes of the organisation tree, people and roles (REQ X-01, X-02).

Each function checks permission, enforces the invariants, writes one audit
record, all in one transaction. Views, API, CLI and the pack loader call these.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.core.errors import InvalidChange, PermissionDenied
from guanwei.orgs.models import (
    Membership,
    Organisation,
    PackApplication,
    PendingGrant,
    Unit,
    User,
    unit_path,
)
from guanwei.orgs.permissions import can, forget_grants, require
from guanwei.orgs.rules import rules_for


def unit_snapshot(unit: Unit) -> dict[str, Any]:
    return {
        "key": unit.key,
        "name": unit.name,
        "unit_type": unit.unit_type,
        "parent": unit.parent.key if unit.parent else None,
    }


@transaction.atomic
def create_organisation(*, actor: User | None, key: str, name: str, base_pack: str) -> Organisation:
    if actor is not None and not actor.is_superuser:
        # Creating a whole organisation is set-up work: a superuser or the operator.
        raise PermissionDenied("只有系统管理员可以新建单位。")
    if Organisation.objects.filter(key=key).exists():
        raise InvalidChange(f"单位标识“{key}”已存在。")
    org = Organisation.objects.create(key=key, name=name, base_pack=base_pack)
    record(
        AuditAction.ORGANISATION_CREATED,
        actor=actor,
        object_type="organisation",
        object_id=org.pk,
        object_repr=org.name,
        organisation_id=org.pk,
        after={"key": key, "name": name, "base_pack": base_pack},
    )
    return org


def _check_unit_type(organisation: Organisation, unit_type: str) -> None:
    known = rules_for(organisation.pk).unit_types
    if known and unit_type not in known:
        raise InvalidChange(f"部门类型“{unit_type}”不在本单位的制度包中。")


@transaction.atomic
def create_unit(
    organisation: Organisation,
    *,
    actor: User | None,
    key: str,
    name: str,
    unit_type: str,
    parent: Unit | None,
) -> Unit:
    """Add a unit under ``parent`` (REQ X-01). Only the root has no parent."""
    if parent is None:
        require(actor, "unit.create", organisation)
        if organisation.units.filter(parent__isnull=True).exists():
            raise InvalidChange("每个单位只能有一个最上级部门，请选择上级部门。")
    else:
        require(actor, "unit.create", parent)
        if parent.organisation_id != organisation.pk:
            raise InvalidChange("上级部门不属于本单位。")
    if not name.strip():
        raise InvalidChange("部门名称不能为空。")
    if organisation.units.filter(key=key).exists():
        raise InvalidChange(f"部门标识“{key}”已被使用。")
    _check_unit_type(organisation, unit_type)
    unit = Unit(
        organisation=organisation,
        key=key,
        name=name.strip(),
        unit_type=unit_type,
        parent=parent,
        path="",
        depth=parent.depth + 1 if parent else 0,
    )
    unit.save()
    unit.path = unit_path(parent, unit.pk)
    unit.save(update_fields=["path"])
    record(
        AuditAction.UNIT_CREATED,
        actor=actor,
        object_type="unit",
        object_id=unit.pk,
        object_repr=unit.name,
        organisation_id=organisation.pk,
        after=unit_snapshot(unit),
    )
    return unit


@transaction.atomic
def move_unit(unit: Unit, *, actor: User | None, new_parent: Unit) -> Unit:
    """Move a unit (and everything below it) under ``new_parent`` (REQ X-01)."""
    require(actor, "unit.move", unit)
    require(actor, "unit.move", new_parent)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.parent_id is None:
        raise InvalidChange("最上级部门不能移动。")
    if new_parent.organisation_id != unit.organisation_id:
        raise InvalidChange("不能移动到其他单位。")
    if new_parent.path.startswith(unit.path):
        raise InvalidChange("不能把部门移动到它自己或它的下级部门之下。")
    if new_parent.pk == unit.parent_id:
        return unit
    before = unit_snapshot(unit)
    old_path, old_depth = unit.path, unit.depth
    new_path = unit_path(new_parent, unit.pk)
    depth_shift = new_parent.depth + 1 - old_depth
    descendants = list(
        Unit.objects.filter(organisation_id=unit.organisation_id, path__startswith=old_path)
    )
    for node in descendants:
        node.path = new_path + node.path[len(old_path) :]
        node.depth = node.depth + depth_shift
        if node.pk == unit.pk:
            node.parent = new_parent
    Unit.objects.bulk_update(descendants, ["path", "depth", "parent"])
    unit.refresh_from_db()
    record(
        AuditAction.UNIT_MOVED,
        actor=actor,
        object_type="unit",
        object_id=unit.pk,
        object_repr=unit.name,
        organisation_id=unit.organisation_id,
        before=before,
        after=unit_snapshot(unit),
    )
    return unit


@transaction.atomic
def change_unit(
    unit: Unit, *, actor: User | None, name: str | None = None, unit_type: str | None = None
) -> Unit:
    require(actor, "unit.change", unit)
    before = unit_snapshot(unit)
    changed: list[str] = []
    if name is not None and name.strip() and name.strip() != unit.name:
        unit.name = name.strip()
        changed.append("name")
    if unit_type is not None and unit_type != unit.unit_type:
        _check_unit_type(unit.organisation, unit_type)
        unit.unit_type = unit_type
        changed.append("unit_type")
    if not changed:
        return unit
    unit.save(update_fields=changed)
    record(
        AuditAction.UNIT_CHANGED,
        actor=actor,
        object_type="unit",
        object_id=unit.pk,
        object_repr=unit.name,
        organisation_id=unit.organisation_id,
        before=before,
        after=unit_snapshot(unit),
    )
    return unit


@transaction.atomic
def create_person(
    organisation: Organisation,
    *,
    actor: User | None,
    username: str,
    display_name: str,
    title: str = "",
    password: str | None = None,
) -> User:
    """Register a person who will hold roles in ``organisation``'s units (the system
    administrator's work, issue #9 §9; roles are the security administrator's)."""
    require(actor, "person.create", organisation)
    if User.objects.filter(username=username).exists():
        raise InvalidChange(f"登录名“{username}”已被使用。")
    user = User(username=username, display_name=display_name, title=title)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(
        AuditAction.PERSON_CREATED,
        actor=actor,
        object_type="user",
        object_id=user.pk,
        object_repr=str(user),
        organisation_id=organisation.pk,
        after={"username": username, "display_name": display_name, "title": title},
    )
    return user


def _membership_snapshot(m: Membership) -> dict[str, Any]:
    return {"user": m.user.username, "unit": m.unit.key, "role": m.role}


def _needs_second_person(actor: User | None) -> bool:
    """A person's grant of a sensitive role waits for a second person. The system (the pack
    loader at set-up, ``actor=None``) and the installation's superuser grant directly."""
    return actor is not None and not actor.is_superuser and not getattr(actor, "is_system", False)


@transaction.atomic
def grant_role(
    user: User, unit: Unit, role: str, *, actor: User | None
) -> Membership | PendingGrant:
    """Give ``user`` the pack role ``role`` in ``unit`` (REQ X-01, W-14, T-03).

    Issue #9 §9 (三员分立): nobody grants a role to himself; a sensitive role (the pack's
    ``[security] sensitive_roles`` and any role carrying a sensitive permission) granted by a
    person becomes a :class:`PendingGrant` that a second person confirms
    (:func:`confirm_grant`); it is returned instead of a membership."""
    require(actor, "role.grant", unit)
    rules = rules_for(unit.organisation_id)
    if role not in rules.roles:
        raise InvalidChange(f"角色“{role}”不在本单位的制度包中。")
    if actor is not None and user.pk == actor.pk and not actor.is_superuser:
        raise InvalidChange("不能给自己授予角色，请由其他安全管理员操作。")
    if Membership.objects.filter(user=user, unit=unit, role=role, revoked_at__isnull=True).exists():
        raise InvalidChange(f"{user} 已在{unit}担任{rules.role_name(role)}。")
    label = f"{user} · {unit} · {rules.role_name(role)}"
    if role in rules.sensitive_roles and _needs_second_person(actor):
        assert actor is not None
        if PendingGrant.objects.filter(
            user=user, unit=unit, role=role, status=PendingGrant.Status.PENDING
        ).exists():
            raise InvalidChange(f"{label} 的授予已在等待确认。")
        pending = PendingGrant.objects.create(
            user=user, unit=unit, role=role, requested_by=actor, requested_at=timezone.now()
        )
        record(
            AuditAction.ROLE_GRANT_REQUESTED,
            actor=actor,
            object_type="pending_grant",
            object_id=pending.pk,
            object_repr=label,
            organisation_id=unit.organisation_id,
            after={"user": user.username, "unit": unit.key, "role": role, "status": "pending"},
        )
        return pending
    membership = _create_membership(user, unit, role, granted_by=actor)
    record(
        AuditAction.ROLE_GRANTED,
        actor=actor,
        object_type="membership",
        object_id=membership.pk,
        object_repr=label,
        organisation_id=unit.organisation_id,
        after=_membership_snapshot(membership),
    )
    return membership


def _create_membership(user: User, unit: Unit, role: str, *, granted_by: User | None) -> Membership:
    membership = Membership.objects.create(
        user=user, unit=unit, role=role, granted_at=timezone.now(), granted_by=granted_by
    )
    forget_grants(user)
    return membership


def may_decide_grant(pending: PendingGrant, actor: User | None) -> bool:
    """Whether ``actor`` may confirm or refuse ``pending``: a holder of ``role.confirm`` over
    its unit who neither asked for it nor receives it (issue #9 §9)."""
    return (
        actor is not None
        and pending.status == PendingGrant.Status.PENDING
        and actor.pk not in (pending.requested_by_id, pending.user_id)
        and can(actor, "role.confirm", pending.unit)
    )


def _decide_grant(pending: PendingGrant, actor: User | None, status: str) -> PendingGrant:
    require(actor, "role.confirm", pending.unit)
    assert actor is not None
    if actor.pk == pending.requested_by_id:
        raise PermissionDenied("敏感角色的授予须由提请人以外的第二人确认。")
    if actor.pk == pending.user_id:
        raise PermissionDenied("不能确认或拒绝授予自己的角色。")
    won = PendingGrant.objects.filter(pk=pending.pk, status=PendingGrant.Status.PENDING).update(
        status=status, decided_by=actor, decided_at=timezone.now()
    )
    if won != 1:
        raise InvalidChange("该授权已处理。")
    pending.refresh_from_db()
    return pending


@transaction.atomic
def confirm_grant(pending: PendingGrant, *, actor: User | None) -> Membership:
    """The second person confirms a sensitive grant; only now does the role take effect."""
    pending = _decide_grant(pending, actor, PendingGrant.Status.CONFIRMED)
    rules = rules_for(pending.unit.organisation_id)
    if pending.role not in rules.roles:
        raise InvalidChange(f"角色“{pending.role}”已不在本单位的制度包中。")
    name = rules.role_name(pending.role)
    if Membership.objects.filter(
        user=pending.user, unit=pending.unit, role=pending.role, revoked_at__isnull=True
    ).exists():
        raise InvalidChange(
            f"{pending.user} 已在{pending.unit}担任{rules.role_name(pending.role)}。"
        )
    membership = _create_membership(
        pending.user, pending.unit, pending.role, granted_by=pending.requested_by
    )
    PendingGrant.objects.filter(pk=pending.pk).update(membership=membership)
    record(
        AuditAction.ROLE_GRANT_CONFIRMED,
        actor=actor,
        object_type="membership",
        object_id=membership.pk,
        object_repr=f"{pending.user} · {pending.unit} · {name}",
        organisation_id=pending.unit.organisation_id,
        after={
            **_membership_snapshot(membership),
            "requested_by": pending.requested_by.username,
            "pending_grant": pending.pk,
        },
    )
    return membership


@transaction.atomic
def refuse_grant(pending: PendingGrant, *, actor: User | None) -> PendingGrant:
    """The second person refuses a sensitive grant; nothing is granted."""
    pending = _decide_grant(pending, actor, PendingGrant.Status.REFUSED)
    rules = rules_for(pending.unit.organisation_id)
    record(
        AuditAction.ROLE_GRANT_REFUSED,
        actor=actor,
        object_type="pending_grant",
        object_id=pending.pk,
        object_repr=f"{pending.user} · {pending.unit} · {rules.role_name(pending.role)}",
        organisation_id=pending.unit.organisation_id,
        after={"user": pending.user.username, "unit": pending.unit.key, "role": pending.role},
    )
    return pending


@transaction.atomic
def revoke_role(membership: Membership, *, actor: User | None) -> Membership:
    require(actor, "role.revoke", membership.unit)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.revoked_at is not None:
        raise InvalidChange("该角色已被撤销。")
    if actor is not None and membership.user_id == actor.pk:
        raise InvalidChange("不能撤销自己的角色，请由其他管理员操作。")
    membership.revoked_at = timezone.now()
    membership.revoked_by = actor
    membership.save(update_fields=["revoked_at", "revoked_by"])
    record(
        AuditAction.ROLE_REVOKED,
        actor=actor,
        object_type="membership",
        object_id=membership.pk,
        object_repr=str(membership),
        organisation_id=membership.unit.organisation_id,
        before=_membership_snapshot(membership),
    )
    forget_grants(membership.user)
    return membership


@transaction.atomic
def put_rules_in_force(
    org: Organisation,
    *,
    actor: User | None,
    pack_name: str,
    version: str,
    kind: str,
    sha256: str,
    rules: dict[str, Any],
) -> bool:
    """A pack version comes into force for ``org`` (the previous one of the same pack ends
    now, kept so past decisions can be explained by the rules of their day). False when
    exactly this version is already in force."""
    if actor is not None:
        require(actor, "pack.load", org)
    current = (
        PackApplication.objects.select_for_update()
        .filter(organisation=org, pack_name=pack_name, in_force_until__isnull=True)
        .first()
    )
    if current is not None and current.sha256 == sha256:
        return False
    now = timezone.now()
    before = None
    if current is not None:
        before = {"pack": current.pack_name, "version": current.version, "sha256": current.sha256}
        PackApplication.objects.filter(pk=current.pk).update(in_force_until=now)
    application = PackApplication.objects.create(
        organisation=org,
        pack_name=pack_name,
        version=version,
        kind=kind,
        sha256=sha256,
        rules=rules,
        in_force_from=now,
        applied_by=actor,
    )
    record(
        AuditAction.PACK_LOADED,
        actor=actor,
        object_type="pack_application",
        object_id=application.pk,
        object_repr=f"{pack_name} {version}",
        organisation_id=org.pk,
        before=before,
        after={"pack": pack_name, "version": version, "sha256": sha256},
    )
    return True
