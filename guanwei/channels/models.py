"""Official accounts (channels) and the follows they owe each other (REQ C-01, C-08, W-07)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from guanwei.core.catalog import CHANNEL_STATUSES, PLATFORMS
from guanwei.orgs.models import Organisation, Unit, User


class Platform(models.TextChoices):
    WEIBO = "weibo", PLATFORMS["weibo"]
    WECHAT = "wechat", PLATFORMS["wechat"]
    WEBSITE = "website", PLATFORMS["website"]
    OUTBOX = "outbox", PLATFORMS["outbox"]
    OTHER = "other", PLATFORMS["other"]


class ChannelStatus(models.TextChoices):
    PENDING = "pending", CHANNEL_STATUSES["pending"]
    ACTIVE = "active", CHANNEL_STATUSES["active"]
    SUSPENDED = "suspended", CHANNEL_STATUSES["suspended"]
    CLOSED = "closed", CHANNEL_STATUSES["closed"]


class Channel(models.Model):
    """One official presence on one platform, run by a unit (官方账号)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="channels"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="channels")
    key = models.SlugField("标识", max_length=64)
    name = models.CharField("账号名称", max_length=128)
    kind = models.CharField("账号类型", max_length=64)
    platform = models.CharField("平台", max_length=16, choices=Platform.choices)
    account_id = models.CharField("账号ID", max_length=128, blank=True)
    purpose = models.TextField("用途和发布范围", blank=True)
    manager = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_channels",
        verbose_name="管理员",
    )
    responsible = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_channels",
        verbose_name="直接责任人",
    )
    status = models.CharField(
        "状态", max_length=16, choices=ChannelStatus.choices, default=ChannelStatus.PENDING
    )
    verified = models.BooleanField("实名认证", default=False)
    # the mailbox the account is registered with (the company's, kept by its custodian)
    mailbox = models.CharField("注册邮箱", max_length=200, blank=True, default="")
    # W-05: units without an account of their own whose information this account publishes.
    serves = models.ManyToManyField(
        Unit, blank=True, related_name="served_by", verbose_name="代为发布的单位"
    )
    # Issue 10 (C-09, T-01, T-02): other units whose posts may address this account (they
    # go through this unit's review); every unit of the organisation when ``open_to_all``.
    open_to_all = models.BooleanField("对全部单位开放投稿", default=False)
    open_to = models.ManyToManyField(
        Unit, blank=True, related_name="may_address", verbose_name="可投稿的单位"
    )
    # Units besides the owning one whose publishers publish on it, and whose people may be
    # its manager or responsible person (C-03, C-09: "or a unit the pack names").
    publishers = models.ManyToManyField(
        Unit, blank=True, related_name="publishes_for", verbose_name="代为运营的单位"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation_id", "unit__path", "key"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="channel_key_unique"),
        ]
        verbose_name = "官方账号"
        verbose_name_plural = "官方账号"

    def __str__(self) -> str:
        return self.name

    def permission_unit(self) -> Unit:
        return self.unit


class RequiredFollow(models.Model):
    """``follower`` must follow ``followee`` on the platform (REQ W-07).

    Stored now; checked against the platform by the publishing issue's adapters
    (``last_checked_at`` / ``satisfied`` are filled by that check).
    """

    follower = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="must_follow")
    followee = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="must_be_followed_by"
    )
    req = models.CharField(max_length=64, default="W-07")
    created = models.DateTimeField(auto_now_add=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    satisfied = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_once"),
            models.CheckConstraint(condition=~Q(follower=F("followee")), name="no_self_follow"),
        ]
        verbose_name = "必须关注"
        verbose_name_plural = "必须关注"

    def __str__(self) -> str:
        return f"{self.follower} → {self.followee}"

    def permission_unit(self) -> Unit:
        return self.follower.unit


class UnregisteredStatus(models.TextChoices):
    PENDING = "pending", "待核查"
    ORDERED_CLOSED = "ordered_closed", "已责令关闭"
    REGISTERED = "registered", "已纳入管理"
    UNFOUNDED = "unfounded", "不属实"


class UnregisteredReport(models.Model):
    """C-04 (college 第五、六条): an account found in the organisation's name that is not
    on its register (举报未备案账号). Anyone in the organisation reports it; who registers
    the accounts checks it by a deadline and closes it with an outcome the reporter reads."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reporter = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reporter_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    platform = models.CharField("平台", max_length=16, choices=Platform.choices)
    name = models.CharField("账号名称或网址", max_length=300)
    seen_where = models.CharField("在何处发现", max_length=300, blank=True)
    note = models.TextField("情况说明", blank=True)
    status = models.CharField(
        "状态",
        max_length=16,
        choices=UnregisteredStatus.choices,
        default=UnregisteredStatus.PENDING,
    )
    due_at = models.DateTimeField("核查时限")
    handler = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField("处理结果", blank=True)
    channel = models.ForeignKey(
        Channel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="纳入管理的账号",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "未备案账号举报"
        verbose_name_plural = "未备案账号举报"

    def __str__(self) -> str:
        return str(self.name[:60])

    def permission_unit(self) -> Unit:
        return self.reporter_unit

    @property
    def web_address(self) -> str:
        """The reported name as a link only when it is an http(s) address."""
        text = self.name.strip()
        return text if text.lower().startswith(("http://", "https://")) else ""
