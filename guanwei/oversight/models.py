"""Deadlines as rows (DESIGN invariant 5): slots, corrections, syndication duties —
checked by the scheduler, so they survive restarts (REQ W-06, W-10, W-11, C-05)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from guanwei.channels.models import Channel
from guanwei.content.models import Post
from guanwei.orgs.models import Organisation, Unit, User


class DeadlineKind(models.TextChoices):
    SLOT = "slot", "发布时段"
    CORRECTION = "correction", "预报订正"
    SYNDICATION = "syndication", "转发义务"
    QUOTA = "quota", "更新频次"
    BATCH = "batch", "批量报送"
    REPLY = "reply", "网友提问答复"  # W-20: a question answered by the pack's hours
    UNREGISTERED = "unregistered", "未备案账号核查"  # C-04: a report checked and closed
    FILING = "filing", "注销备案"  # C-12: a closed account filed within 5 working days
    PROFILE = "profile", "账号资料修改"  # T-07: an approved profile changed by hand


class DeadlineStatus(models.TextChoices):
    OPEN = "open", "进行中"
    MET = "met", "按时完成"
    BREACHED = "breached", "超时"
    CANCELLED = "cancelled", "已取消"


class Deadline(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=DeadlineKind.choices)
    key = models.CharField(max_length=128)  # idempotency: the same deadline is created once
    title = models.CharField(max_length=200)
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, null=True, blank=True, related_name="deadlines"
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, blank=True, related_name="deadlines"
    )
    source_intent_id = models.BigIntegerField(null=True, blank=True)
    category = models.CharField(max_length=64, blank=True)
    rule = models.CharField(max_length=64, blank=True)  # the pack rule (quota key) it enforces
    starts_at = models.DateTimeField()
    due_at = models.DateTimeField()
    remind_at = models.DateTimeField(null=True, blank=True)
    escalate_at = models.DateTimeField(null=True, blank=True)
    owner_ids = models.JSONField(default=list)
    escalate_ids = models.JSONField(default=list)
    status = models.CharField(
        max_length=16, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    evidence = models.CharField(max_length=300, blank=True)
    req = models.CharField(max_length=32, blank=True)
    # A correction notice (W-11): the corrected text the Observatory gave, and who issued it.
    detail = models.TextField("订正内容", blank=True)
    issued_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["key"], name="deadline_once")]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="open"), name="deadline_open"),
            models.Index(fields=["organisation", "kind", "due_at"]),
        ]
        verbose_name = "时限"
        verbose_name_plural = "时限"

    def __str__(self) -> str:
        return self.title

    def permission_unit(self) -> Unit:
        return self.unit

    @property
    def owed(self) -> bool:
        """Still to be done: open, or a correction past its time whose correction is not
        out yet (W-11: breached, but not closed until the correction is published)."""
        return self.status == DeadlineStatus.OPEN or (
            self.kind == DeadlineKind.CORRECTION
            and self.status == DeadlineStatus.BREACHED
            and self.closed_at is None
        )


def owed_q() -> Q:
    """The rows of :attr:`Deadline.owed` as a filter."""
    return Q(status=DeadlineStatus.OPEN) | Q(
        kind=DeadlineKind.CORRECTION, status=DeadlineStatus.BREACHED, closed_at__isnull=True
    )
