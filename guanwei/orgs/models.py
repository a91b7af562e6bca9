"""Organisations, the unit tree, people and their roles per unit (REQ X-01, W-02, W-14)."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class User(AbstractUser):
    """A person who logs in: editor, reviewer, officer, leader, custodian …"""

    display_name = models.CharField("姓名", max_length=64, blank=True)
    title = models.CharField("职务", max_length=64, blank=True)
    phone = models.CharField("联系电话", max_length=32, blank=True)
    # issue 9 §12: a password someone else set (the pack loader's generated one, an
    # administrator's) is changed by its owner at the first login where
    # GUANWEI_PASSWORD_CHANGE_AT_FIRST_LOGIN is on (the production profile).
    password_change_required = models.BooleanField("须修改密码", default=False)
    # C-08 (第十一条 "严禁交与学生管理"): a student may help but never manage an account or
    # keep its password; orgs.actions.grant_role and channels.actions refuse them.
    is_student = models.BooleanField("学生", default=False)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"

    def __str__(self) -> str:
        return self.display_name or self.get_username()


class Organisation(models.Model):
    """The body that owns accounts and lives by one base policy pack (单位/机构)."""

    key = models.SlugField("标识", max_length=64, unique=True)
    name = models.CharField("名称", max_length=128)
    base_pack = models.CharField("基础制度包", max_length=64)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A node of the organisation tree: bureau, section, department, county bureau.

    ``path`` is a materialised path of zero-padded ids (``"000001.000004."``) so a
    whole subtree is one indexed prefix query; ``move_unit`` keeps it right.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="units")
    key = models.SlugField("标识", max_length=64)
    name = models.CharField("名称", max_length=128)
    unit_type = models.CharField("部门类型", max_length=64)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=1024, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="unit_key_unique"),
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(parent__isnull=True), name="one_root_unit"
            ),
        ]
        verbose_name = "部门"
        verbose_name_plural = "部门"

    def __str__(self) -> str:
        return self.name

    def permission_unit(self) -> Unit:
        return self

    def is_within(self, other: Unit) -> bool:
        """True when self is other or lies below it."""
        return self.organisation_id == other.organisation_id and self.path.startswith(other.path)

    def ancestors(self) -> models.QuerySet[Unit]:
        ids = [int(part) for part in self.path.split(".") if part]
        return Unit.objects.filter(pk__in=ids).order_by("depth")

    def subtree(self) -> models.QuerySet[Unit]:
        return Unit.objects.filter(organisation_id=self.organisation_id, path__startswith=self.path)


def unit_path(parent: Unit | None, pk: int) -> str:
    return f"{parent.path if parent else ''}{pk:06d}."


class Membership(models.Model):
    """A person holds a role in a unit. Revoking keeps the row (history) with
    ``revoked_at`` set; at most one active grant per (person, unit, role)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("角色", max_length=64)
    granted_at = models.DateTimeField()
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_grant",
            )
        ]
        verbose_name = "角色任职"
        verbose_name_plural = "角色任职"

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.role}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def permission_unit(self) -> Unit:
        return self.unit


class PendingGrant(models.Model):
    """A grant of a sensitive role waiting for a second person (issue #9 §9, 三员分立): it
    becomes a Membership only when someone other than the requester and the grantee, holding
    ``role.confirm``, confirms it."""

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        REFUSED = "refused", "已拒绝"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="pending_grants")
    role = models.CharField("角色", max_length=64)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    membership = models.OneToOneField(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=Q(status="pending"),
                name="one_pending_grant",
            ),
            models.CheckConstraint(
                condition=~Q(user=models.F("requested_by")), name="grant_not_for_requester"
            ),
        ]
        verbose_name = "待确认的授权"
        verbose_name_plural = "待确认的授权"

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.role}"

    def permission_unit(self) -> Unit:
        return self.unit


class PackApplication(models.Model):
    """Which pack version is in force for an organisation, from when to when.

    ``rules`` is the parsed pack as loaded (roles, unit types and duties,
    categories, columns, channel kinds, reserved sections), so every past
    decision can be explained by the rules of its day even after the TOML file
    changed.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="pack_applications"
    )
    pack_name = models.CharField("制度包", max_length=64)
    version = models.CharField("版本", max_length=32)
    kind = models.CharField(max_length=16)  # base | overlay
    sha256 = models.CharField(max_length=64)
    rules = models.JSONField()
    in_force_from = models.DateTimeField()
    in_force_until = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-in_force_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "pack_name"],
                condition=Q(in_force_until__isnull=True),
                name="one_pack_version_in_force",
            )
        ]
        verbose_name = "制度包实施记录"
        verbose_name_plural = "制度包实施记录"

    def __str__(self) -> str:
        return f"{self.pack_name} {self.version}"


def default_token_expiry() -> datetime.datetime:
    """Now + GUANWEI_API_TOKEN_DAYS (90): the expiry of a token made without one."""
    from django.conf import settings
    from django.utils import timezone

    return timezone.now() + datetime.timedelta(days=getattr(settings, "GUANWEI_API_TOKEN_DAYS", 90))


class ApiToken(models.Model):
    """A bearer token for scripts using /api/v1/ (issue #9 §14). Only the SHA-256 of the
    token is stored; the plaintext is shown once when created. A token expires (default 90
    days), has a scope (``read``: refused on every write operation; ``write``) and is
    revoked by its owner on 我的 API 令牌. Created, revoked and used (at most one audit record
    per token per hour, ``use_recorded_at``; ``last_used`` is updated on every call) only
    through ``orgs.actions``."""

    SCOPE_READ = "read"
    SCOPE_WRITE = "write"
    SCOPES = [(SCOPE_READ, "只读"), (SCOPE_WRITE, "读写")]

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=64)
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField("权限范围", max_length=8, choices=SCOPES, default=SCOPE_READ)
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField("有效期至", default=default_token_expiry)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    last_used = models.DateTimeField("最近使用", null=True, blank=True)
    use_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    def is_live(self, now: datetime.datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
