"""Publishing: per-channel settings, publish intents (exactly once, X-03) and attempts."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from guanwei.channels.models import Channel
from guanwei.content.models import Post, PostRevision
from guanwei.orgs.models import Organisation, Unit, User


class ChannelSettings(models.Model):
    """The per-channel settings record adapters read (tokens, app id/secret, base URL,
    safe domain, site directory). One accessor reads it: ``credentials.settings_for``; the
    vault issue will encrypt it behind that accessor."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="settings")
    values = models.JSONField(default=dict)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "账号接入设置"
        verbose_name_plural = "账号接入设置"

    def __str__(self) -> str:
        return f"{self.channel} settings"


class IntentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "待发布"
    CLAIMED = "claimed", "处理中"
    SENDING = "sending", "发送中"
    REMOTE_PENDING = "remote_pending", "平台处理中"
    RETRY = "retry", "等待重试"
    UNKNOWN = "unknown", "结果待核实"
    PUBLISHED = "published", "已发布"
    FAILED = "failed", "发布失败"
    CANCELLED = "cancelled", "已取消"
    # W-11: a published original the pack has deleted once its correction is out
    RETRACTING = "retracting", "撤回中"
    RETRACTED = "retracted", "已删除原稿"


OPEN_STATUSES = (
    IntentStatus.SCHEDULED,
    IntentStatus.CLAIMED,
    IntentStatus.SENDING,
    IntentStatus.REMOTE_PENDING,
    IntentStatus.RETRY,
    IntentStatus.UNKNOWN,
)


class PublishIntent(models.Model):
    """One (revision, channel) to publish, at most once (DESIGN invariant 2). ``sending`` is
    committed before the remote call; a crash leaves it for reconciliation, never for a
    blind retry."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="intents")
    revision = models.ForeignKey(PostRevision, on_delete=models.PROTECT, related_name="intents")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="intents")
    content_hash = models.CharField(max_length=64)
    due_at = models.DateTimeField(db_index=True)
    slot = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=16, choices=IntentStatus.choices, default=IntentStatus.SCHEDULED
    )
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    remote_id = models.CharField(max_length=128, blank=True)
    remote_url = models.CharField(max_length=500, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    scheduled_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            # one live or published intent per (revision, account); a cancelled or
            # failed one may be followed by a new one (issue #8 §3).
            models.UniqueConstraint(
                fields=["revision", "channel"],
                condition=~Q(status__in=["cancelled", "failed"]),
                name="publish_once",
            ),
            # A remote post is attributed to one intent at most (reconciliation).
            models.UniqueConstraint(
                fields=["channel", "remote_id"], condition=~Q(remote_id=""), name="remote_id_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at", "id"],
                condition=Q(status__in=["scheduled", "retry"]),
                name="intent_due",
            ),
            models.Index(fields=["channel", "due_at"]),
            models.Index(fields=["status", "lease_until"]),
        ]
        verbose_name = "发布任务"
        verbose_name_plural = "发布任务"

    def __str__(self) -> str:
        return f"稿件 {self.post_id} → 账号 {self.channel_id}（{self.get_status_display()}）"

    def permission_unit(self) -> Unit:
        return self.unit

    @property
    def key(self) -> str:
        return f"rev{self.revision_id}-ch{self.channel_id}"


# What the post page calls an attempt's outcome.
ATTEMPT_OUTCOMES = {
    "sending": "发送中",
    "ok": "成功",
    "pending": "平台处理中",
    "transient": "暂时失败，将重试",
    "permanent": "失败",
    "unknown": "结果待核实",
    "reconciled": "已核实",
    "retracting": "删除原稿中",
    "retracted": "已删除原稿",
    "retract-refused": "平台拒绝删除",
    "retract-unknown": "删除结果待核实",
    "retract-failed": "删除失败，将重试",
}


class PublishAttempt(models.Model):
    """Every attempt, visible on the post page (X-03)."""

    intent = models.ForeignKey(PublishIntent, on_delete=models.CASCADE, related_name="log")
    worker = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=16
    )  # ok | pending | transient | permanent | unknown | reconciled (| *-late)
    code = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)
    # The id the platform answered with, kept even when the answer came too late to
    # settle the intent (a lease taken over): it is never lost.
    remote_id = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = "发布尝试"
        verbose_name_plural = "发布尝试"

    def __str__(self) -> str:
        return f"{self.intent_id} {self.outcome_label}"

    @property
    def outcome_label(self) -> str:
        """The outcome's Chinese name (the post page's attempt log shows names, not codes)."""
        return ATTEMPT_OUTCOMES.get(self.outcome, self.outcome)


class CalendarDay(models.Model):
    """An organisation's own entry over the State Council calendar (the chinese-calendar
    library's data, shared and read-only): a rest day (workday=False) or an adjusted
    working day (workday=True) — for that organisation only (issue #9 §4)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="calendar_days"
    )
    day = models.DateField()
    workday = models.BooleanField()
    note = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day"], name="calendar_day_per_org")
        ]
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"

    def __str__(self) -> str:
        return f"{self.day} {'上班' if self.workday else '休息'}"


class SchedulerLease(models.Model):
    """Exactly one active scheduler: a lease row taken and renewed by conditional UPDATE
    (works alike on SQLite and PostgreSQL); a dead scheduler's lease expires."""

    name = models.CharField(max_length=32, unique=True)
    owner = models.CharField(max_length=64, blank=True)
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "调度锁"
        verbose_name_plural = "调度锁"

    def __str__(self) -> str:
        return f"{self.name}: {self.owner}"


class CalendarYear(models.Model):
    """A year the shared calendar does not know, which the organisation's set-up staff
    entered in full (every holiday and adjusted working day of the State Council's notice)
    and then said so. Until then the year is not known: the banner stays and Saturday and
    Sunday stand in for the days not entered — one entered day never completes a year."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="calendar_years"
    )
    year = models.PositiveSmallIntegerField()
    completed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField()

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="calendar_year_per_org")
        ]
        verbose_name = "已录入完整的年份"
        verbose_name_plural = "已录入完整的年份"

    def __str__(self) -> str:
        return f"{self.year} 已录入完整"
