"""State changes of the organisation tree, people and roles (REQ X-01, X-02).

Each function checks permission, enforces the invariants, writes one audit
record, all in one transaction. Views, API, CLI and the pack loader call these.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.core.actors import is_system
from guanwei.core.errors import InvalidChange, PermissionDenied
from guanwei.orgs.models import (
    ApiToken,
    Membership,
    Organisation,
    PackApplication,
    PendingGrant,
    Unit,
    User,
    unit_path,
)
from guanwei.orgs.permissions import Actor, as_user, can, forget_grants, require
from guanwei.orgs.rules import rules_for


def unit_snapshot(unit: Unit) -> dict[str, Any]:
    return {
        "key": unit.key,
        "name": unit.name,
        "unit_type": unit.unit_type,
        "parent": unit.parent.key if unit.parent else None,
    }


@transaction.atomic
def create_organisation(
    *, actor: Actor | None, key: str, name: str, base_pack: str
) -> Organisation:
    if not (is_system(actor) or (actor is not None and actor.is_superuser)):
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
    actor: Actor | None,
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
def move_unit(unit: Unit, *, actor: Actor | None, new_parent: Unit) -> Unit:
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
    unit: Unit, *, actor: Actor | None, name: str | None = None, unit_type: str | None = None
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


class _DemoArgon2(Argon2PasswordHasher):
    """Light Argon2id parameters for a demo person's generated password, whose plaintext is
    kept beside the database in var/demo-logins.txt anyway (issue #10 §1: five organisations
    on the first `make run` without a minute of hashing). Django rehashes it with the full
    parameters at the person's first login (``must_update``), as it does a PBKDF2 hash."""

    time_cost = 1
    memory_cost = 4096
    parallelism = 1


def _set_password(user: User, password: str, *, demo: bool) -> None:
    if demo and not settings.GUANWEI_PRODUCTION and isinstance(get_hasher(), Argon2PasswordHasher):
        user.password = make_password(password, hasher=_DemoArgon2())
        return
    user.set_password(password)


@transaction.atomic
def create_person(
    organisation: Organisation,
    *,
    actor: Actor | None,
    username: str,
    display_name: str,
    title: str = "",
    password: str | None = None,
    demo: bool = False,
    student: bool = False,
) -> User:
    """Register a person who will hold roles in ``organisation``'s units (the system
    administrator's work, issue #9 §9; roles are the security administrator's). ``demo``: a
    demo person whose generated password is listed in var/demo-logins.txt (light hash, see
    ``_DemoArgon2``; outside the production profile only)."""
    require(actor, "person.create", organisation)
    if User.objects.filter(username=username).exists():
        raise InvalidChange(f"登录名“{username}”已被使用。")
    user = User(username=username, display_name=display_name, title=title, is_student=student)
    if password:
        _set_password(user, password, demo=demo)
        user.password_change_required = True  # set by someone else: changed at first login
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
        after={
            "username": username,
            "display_name": display_name,
            "title": title,
            **({"student": True} if student else {}),
        },
    )
    return user


def refuse_student_custody(user: User, role: str, organisation_id: int) -> None:
    """C-08 (第十一条 严禁交与学生管理): a person marked as a student never holds a role that
    keeps an account's password (the pack's custody roles: 账号保管人, 管理员 …)."""
    rules = rules_for(organisation_id)
    if user.is_student and role in rules.custody_roles:
        raise InvalidChange(
            f"{user} 是学生，不能担任{rules.role_name(role)}：账号不得交与学生管理，"
            "密码只能由本单位指定的工作人员保管（C-08）。"
        )


# ---------------------------------------------------------------- logins (issue 9 §10, §12)

LOGIN_EVENTS = frozenset(
    {
        AuditAction.LOGIN_SUCCEEDED,
        AuditAction.LOGIN_FAILED,
        AuditAction.LOGIN_LOCKED,
        AuditAction.LOGIN_REFUSED_LOCKED,
        AuditAction.LOGGED_OUT,
        AuditAction.SESSION_EXPIRED,
    }
)
UNKNOWN_LOGIN_NAME = "（未登记的登录名）"


def _home_organisation_id(user: User) -> int | None:
    """The organisation of the person's first role still held (None: no role anywhere)."""
    return (
        Membership.objects.filter(user=user, revoked_at__isnull=True)
        .order_by("pk")
        .values_list("unit__organisation_id", flat=True)
        .first()
    )


@transaction.atomic
def record_login_event(
    action: AuditAction,
    *,
    username: str,
    authenticated: User | None = None,
    address: str | None = None,
    path: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """One login event in the audit log (MLPS 2.0 level 3 §8.1.4.3: every login, failed or
    not). The actor is the person only once they have proved who they are (``authenticated``:
    a login, a logout, a session's end); a failure or a lockout is the system's, naming the
    account tried. A login name that belongs to nobody is not kept (it may be a password typed
    into the wrong field): only the first 12 hex digits of its SHA-256, to tell repeats."""
    if action not in LOGIN_EVENTS:
        raise InvalidChange(f"{action.name} is not a login event")
    user = authenticated or User.objects.filter(username=username).first()
    after: dict[str, Any] = {"address": address or "", "path": path, **(detail or {})}
    if user is None:
        after["name_sha256"] = hashlib.sha256(username.encode()).hexdigest()[:12]
    record(
        action,
        actor=authenticated,
        object_type="user" if user is not None else "login",
        object_id=user.pk if user is not None else "",
        object_repr=user.get_username() if user is not None else UNKNOWN_LOGIN_NAME,
        organisation_id=_home_organisation_id(user) if user is not None else None,
        after=after,
    )


@transaction.atomic
def change_own_password(user: User, new_password: str, *, actor: User) -> None:
    """The person sets their own password (issue 9 §12): Django's validators, the forced
    change (if any) is done; the audit says that it changed, never what to."""
    if actor.pk != user.pk:
        raise PermissionDenied("只能修改本人的密码。")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise InvalidChange("；".join(exc.messages)) from exc
    was_required = user.password_change_required
    user.set_password(new_password)
    user.password_change_required = False
    user.save(update_fields=["password", "password_change_required"])
    record(
        AuditAction.PASSWORD_CHANGED,
        actor=actor,
        object_type="user",
        object_id=user.pk,
        object_repr=user.get_username(),
        organisation_id=_home_organisation_id(user),
        after={"required_at_first_login": was_required},
    )


def _membership_snapshot(m: Membership) -> dict[str, Any]:
    return {"user": m.user.username, "unit": m.unit.key, "role": m.role}


def _belongs_elsewhere(user: User, organisation_id: int) -> bool:
    """Holds or held roles in other organisations and never in this one (a person just
    registered for this organisation holds none yet)."""
    memberships = Membership.objects.filter(user=user)
    return (
        memberships.exists()
        and not memberships.filter(unit__organisation_id=organisation_id).exists()
    )


def _needs_second_person(actor: Actor | None) -> bool:
    """A person's grant of a sensitive role waits for a second person. The system (the pack
    loader at set-up, ``SYSTEM``) and the installation's superuser grant directly."""
    return actor is not None and not is_system(actor) and not actor.is_superuser


@transaction.atomic
def grant_role(
    user: User, unit: Unit, role: str, *, actor: Actor | None
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
    if user.is_superuser or _belongs_elsewhere(user, unit.organisation_id):
        # Roles go to the organisation's own people only (issue #9 §5).
        raise InvalidChange("只能给本单位的人员授予角色。")
    if actor is not None and not is_system(actor) and user.pk == actor.pk:
        raise InvalidChange("不能给自己授予角色，请由其他安全管理员操作。")
    refuse_student_custody(user, role, unit.organisation_id)
    if Membership.objects.filter(user=user, unit=unit, role=role, revoked_at__isnull=True).exists():
        raise InvalidChange(f"{user} 已在{unit}担任{rules.role_name(role)}。")
    label = f"{user} · {unit} · {rules.role_name(role)}"
    if role in rules.sensitive_roles and _needs_second_person(actor):
        requester = as_user(actor)
        assert requester is not None
        if PendingGrant.objects.filter(
            user=user, unit=unit, role=role, status=PendingGrant.Status.PENDING
        ).exists():
            raise InvalidChange(f"{label} 的授予已在等待确认。")
        pending = PendingGrant.objects.create(
            user=user, unit=unit, role=role, requested_by=requester, requested_at=timezone.now()
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
    membership = _create_membership(user, unit, role, granted_by=as_user(actor))
    record(
        AuditAction.ROLE_GRANTED,
        actor=actor,
        object_type="membership",
        object_id=membership.pk,
        object_repr=label,
        organisation_id=unit.organisation_id,
        after=_membership_snapshot(membership),
    )
    _tell_role_change(membership, granted=True, actor=actor)
    return membership


def _tell_role_change(membership: Membership, *, granted: bool, actor: Actor | None) -> None:
    """T-03: a change of a role the pack announces (``[[role_changes]]``, the tourism
    bureau's 信息员) tells the holders of the duty it names (the centre that keeps the
    officer register), in the change's transaction. Loading a pack (the system) tells
    nobody: that is set-up, not a change."""
    if actor is None or is_system(actor):
        return
    from guanwei.notify.actions import notify

    unit = membership.unit
    rules = rules_for(unit.organisation_id)
    told = rules.told_of_role_change(membership.role)
    if not told:
        return
    people: set[int] = set()
    for unit_type, roles in told:
        people |= set(
            Membership.objects.filter(
                unit__organisation_id=unit.organisation_id,
                unit__unit_type=unit_type,
                role__in=roles,
                revoked_at__isnull=True,
            ).values_list("user_id", flat=True)
        )
    people.discard(membership.user_id)
    role = rules.role_name(membership.role)
    who = membership.user
    by = as_user(actor)
    when = timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M")
    if granted:
        title = f"{role}变动：{unit.name} {who} 被授予{role}"
        body = f"{by} 于 {when} 授予 {who}（{unit.name}）{role}角色。"
    else:
        title = f"{role}变动：{unit.name} {who} 的{role}角色已撤销"
        body = f"{by} 于 {when} 撤销了 {who}（{unit.name}）的{role}角色。"
    notify(
        sorted(people),
        organisation_id=unit.organisation_id,
        title=title,
        body=body,
        link=f"/units/{unit.pk}/",
    )


def _create_membership(user: User, unit: Unit, role: str, *, granted_by: User | None) -> Membership:
    membership = Membership.objects.create(
        user=user, unit=unit, role=role, granted_at=timezone.now(), granted_by=granted_by
    )
    forget_grants(user)
    return membership


def may_decide_grant(pending: PendingGrant, actor: Actor | None) -> bool:
    """Whether ``actor`` may confirm or refuse ``pending``: a holder of ``role.confirm`` over
    its unit who neither asked for it nor receives it (issue #9 §9)."""
    return (
        actor is not None
        and pending.status == PendingGrant.Status.PENDING
        and actor.pk not in (pending.requested_by_id, pending.user_id)
        and can(actor, "role.confirm", pending.unit)
    )


def _decide_grant(pending: PendingGrant, actor: Actor | None, status: str) -> PendingGrant:
    require(actor, "role.confirm", pending.unit)
    assert actor is not None
    if actor.pk == pending.requested_by_id:
        raise PermissionDenied("敏感角色的授予须由提请人以外的第二人确认。")
    if actor.pk == pending.user_id:
        raise PermissionDenied("不能确认或拒绝授予自己的角色。")
    won = PendingGrant.objects.filter(pk=pending.pk, status=PendingGrant.Status.PENDING).update(
        status=status, decided_by=as_user(actor), decided_at=timezone.now()
    )
    if won != 1:
        raise InvalidChange("该授权已处理。")
    pending.refresh_from_db()
    return pending


@transaction.atomic
def confirm_grant(pending: PendingGrant, *, actor: Actor | None) -> Membership:
    """The second person confirms a sensitive grant; only now does the role take effect."""
    pending = _decide_grant(pending, actor, PendingGrant.Status.CONFIRMED)
    rules = rules_for(pending.unit.organisation_id)
    if pending.role not in rules.roles:
        raise InvalidChange(f"角色“{pending.role}”已不在本单位的制度包中。")
    name = rules.role_name(pending.role)
    refuse_student_custody(pending.user, pending.role, pending.unit.organisation_id)
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
    _tell_role_change(membership, granted=True, actor=actor)
    return membership


@transaction.atomic
def refuse_grant(pending: PendingGrant, *, actor: Actor | None) -> PendingGrant:
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
def revoke_role(membership: Membership, *, actor: Actor | None) -> Membership:
    require(actor, "role.revoke", membership.unit)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.revoked_at is not None:
        raise InvalidChange("该角色已被撤销。")
    if actor is not None and membership.user_id == actor.pk:
        raise InvalidChange("不能撤销自己的角色，请由其他管理员操作。")
    membership.revoked_at = timezone.now()
    membership.revoked_by = as_user(actor)
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
    _tell_role_change(membership, granted=False, actor=actor)
    return membership


@transaction.atomic
def put_rules_in_force(
    org: Organisation,
    *,
    actor: Actor | None,
    pack_name: str,
    version: str,
    kind: str,
    sha256: str,
    rules: dict[str, Any],
) -> bool:
    """A pack version comes into force for ``org`` (the previous one of the same pack ends
    now, kept so past decisions can be explained by the rules of their day). False when
    exactly this version is already in force."""
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
        applied_by=as_user(actor),
    )
    record(
        AuditAction.PACK_LOADED,
        actor=actor,
        object_type="pack_application",
        object_id=application.pk,
        # the rule book's title, not the pack's file name (issue #10 §2: no codes as names)
        object_repr=f"{rules.get('title') or pack_name} {version}",
        organisation_id=org.pk,
        before=before,
        after={"pack": pack_name, "version": version, "sha256": sha256},
    )
    return True


# ---------------------------------------------------------------- two factors (issue #9 §11)
# django-otp's devices (TOTPDevice: the authenticator app; StaticDevice: the ten one-time
# recovery codes) are the person's own: only these functions change them.


def _own_or_superuser(user: User, actor: Actor | None, what: str) -> None:
    """The person himself, a superuser, or the operator's command (``SYSTEM``: ``guanwei
    token create``, ``guanwei mfa reset``); never nobody (issue #9 §7)."""
    if is_system(actor):
        return
    if actor is None or (actor.pk != user.pk and not actor.is_superuser):
        raise PermissionDenied(f"只能为自己{what}。")


def begin_totp_enrolment(user: User) -> Any:
    """A new, unconfirmed authenticator for ``user`` (its secret is shown on the enrolment
    page). Nothing is in force until ``confirm_totp_enrolment``: no audit record yet;
    an earlier unconfirmed one is replaced."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


def _new_recovery_codes(user: User) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from guanwei.orgs.second_factor import RECOVERY_CODE_COUNT

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="备用验证码", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def confirm_totp_enrolment(user: User, *, actor: Actor | None, device_id: int, code: str) -> Any:
    """The person typed a code from the app: the authenticator is in force (any earlier one
    is replaced) and ten new recovery codes are made. Returns ``(device, codes)``; the
    codes are shown once and stored only by django-otp's static device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from guanwei.orgs.second_factor import home_organisation_id

    _own_or_superuser(user, actor, "启用两步验证")
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device_id, user=user, confirmed=False)
        .first()
    )
    if device is None:
        raise InvalidChange("请重新扫描二维码后再试。")
    if not device.verify_token(code.strip().replace(" ", "")):
        raise InvalidChange("验证码不正确，请核对手机上显示的六位数字后重新输入。")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    record(
        AuditAction.MFA_ENROLLED,
        actor=actor,
        object_type="user",
        object_id=user.pk,
        object_repr=str(user),
        organisation_id=home_organisation_id(user),
        after={"device": "totp", "recovery_codes": len(codes)},
    )
    return device, codes


@transaction.atomic
def verify_second_factor(user: User, code: str) -> Any:
    """The code page: a code from the app, or one of the recovery codes (used up).
    Returns the device that accepted it, or None; either way one audit record (a success,
    a recovery code used — with how many are left — or a failure). django-otp throttles
    each device after failures (growing wait)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from guanwei.orgs.second_factor import home_organisation_id

    code = code.strip().replace(" ", "").lower()
    accepted: Any = None
    action = AuditAction.MFA_FAILED
    after: dict[str, Any] = {}
    totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if totp is not None and code.isdigit() and totp.verify_token(code):
        accepted, action = totp, AuditAction.MFA_VERIFIED
    elif not code.isdigit():
        static = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if static is not None and static.verify_token(code):
            accepted, action = static, AuditAction.MFA_RECOVERY_USED
            after["recovery_codes_left"] = static.token_set.count()
    if accepted is None and totp is not None:
        allowed, _ = totp.verify_is_allowed()
        after["throttled"] = not allowed
    record(
        action,
        actor=user,
        object_type="user",
        object_id=user.pk,
        object_repr=str(user),
        organisation_id=home_organisation_id(user),
        after=after or None,
    )
    return accepted


@transaction.atomic
def regenerate_recovery_codes(user: User, *, actor: Actor | None) -> list[str]:
    """Ten new recovery codes; the old ones stop working. Shown once."""
    from guanwei.orgs.second_factor import has_second_factor, home_organisation_id

    _own_or_superuser(user, actor, "生成备用验证码")
    if not has_second_factor(user):
        raise InvalidChange("请先启用两步验证。")
    codes = _new_recovery_codes(user)
    record(
        AuditAction.MFA_RECOVERY_CODES_REGENERATED,
        actor=actor,
        object_type="user",
        object_id=user.pk,
        object_repr=str(user),
        organisation_id=home_organisation_id(user),
        after={"recovery_codes": len(codes)},
    )
    return codes


@transaction.atomic
def remove_second_factor(user: User, *, actor: Actor | None) -> None:
    """Stop using two factors: only where they are not required for this person (the
    operator — ``actor=SYSTEM`` — or a superuser may reset a lost phone; the person then
    enrols again at the next login)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from guanwei.orgs.second_factor import home_organisation_id, must_enrol

    _own_or_superuser(user, actor, "停用两步验证")
    if actor is not None and actor.pk == user.pk and must_enrol(user):
        raise PermissionDenied("您的岗位必须使用两步验证，不能停用。")
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    if not removed:
        raise InvalidChange("尚未启用两步验证。")
    record(
        AuditAction.MFA_REMOVED,
        actor=actor,
        object_type="user",
        object_id=user.pk,
        object_repr=str(user),
        organisation_id=home_organisation_id(user),
    )


# ---------------------------------------------------------------- API tokens (issue #9 §14)

API_TOKEN_MAX_DAYS = 365


def _token_repr(token: ApiToken) -> str:
    return f"{token.user} · {token.name}"


@transaction.atomic
def create_api_token(
    user: User, *, actor: Actor | None, name: str, scope: str = "read", days: int | None = None
) -> tuple[ApiToken, str]:
    """A new bearer token for ``user`` (the person for himself on 我的 API 令牌; the
    operator — ``actor=SYSTEM``, ``guanwei token create`` — for anyone). Returns the row and
    the plaintext, which is shown once: only its SHA-256 is stored. Expires after ``days``
    (default ``GUANWEI_API_TOKEN_DAYS``, 90; at most 365)."""
    import hashlib
    import secrets

    from django.conf import settings

    from guanwei.orgs.second_factor import home_organisation_id

    _own_or_superuser(user, actor, "创建 API 令牌")
    if not user.is_active:
        raise InvalidChange("该人员已停用，不能创建 API 令牌。")
    name = name.strip()
    if not name:
        raise InvalidChange("请填写令牌的用途。")
    if scope not in {ApiToken.SCOPE_READ, ApiToken.SCOPE_WRITE}:
        raise InvalidChange("权限范围只能是“只读”或“读写”。")
    if days is None:
        days = int(getattr(settings, "GUANWEI_API_TOKEN_DAYS", 90))
    if not 1 <= days <= API_TOKEN_MAX_DAYS:
        raise InvalidChange(f"有效期须在 1 到 {API_TOKEN_MAX_DAYS} 天之间。")
    plaintext = "gw_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:64],
        scope=scope,
        digest=hashlib.sha256(plaintext.encode()).hexdigest(),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    record(
        AuditAction.API_TOKEN_CREATED,
        actor=actor,
        object_type="api_token",
        object_id=token.pk,
        object_repr=_token_repr(token),
        organisation_id=home_organisation_id(user),
        after={"name": token.name, "scope": scope, "expires_at": token.expires_at},
    )
    return token, plaintext


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: Actor | None) -> None:
    """The owner (or the operator, a superuser) revokes a token: it stops working at once."""
    from guanwei.orgs.second_factor import home_organisation_id

    _own_or_superuser(token.user, actor, "撤销 API 令牌")
    now = timezone.now()
    if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        raise InvalidChange("该令牌已撤销。")
    token.revoked_at = now
    record(
        AuditAction.API_TOKEN_REVOKED,
        actor=actor,
        object_type="api_token",
        object_id=token.pk,
        object_repr=_token_repr(token),
        organisation_id=home_organisation_id(token.user),
        before={"revoked_at": None},
        after={"revoked_at": now},
    )


API_TOKEN_USE_RECORD_EVERY = datetime.timedelta(hours=1)


def note_api_token_use(token: ApiToken) -> None:
    """A script called the API with ``token``: ``last_used`` on every call; an audit record
    at most once per token per hour (a conditional UPDATE of ``use_recorded_at`` decides,
    so two parallel calls write one record)."""
    from django.db.models import Q

    from guanwei.orgs.second_factor import home_organisation_id

    now = timezone.now()
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        due = Q(use_recorded_at__isnull=True) | Q(
            use_recorded_at__lt=now - API_TOKEN_USE_RECORD_EVERY
        )
        if ApiToken.objects.filter(due, pk=token.pk).update(use_recorded_at=now):
            record(
                AuditAction.API_TOKEN_USED,
                actor=token.user,
                object_type="api_token",
                object_id=token.pk,
                object_repr=_token_repr(token),
                organisation_id=home_organisation_id(token.user),
                after={"scope": token.scope},
            )
