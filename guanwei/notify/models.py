"""In-app notices (REQ X-04); robots (WeCom, DingTalk, Feishu, email) go through apprise."""

from __future__ import annotations

from django.db import models

from guanwei.orgs.models import User


class Notice(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notices")
    organisation_id = models.BigIntegerField(null=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "created"])]
        verbose_name = "通知"
        verbose_name_plural = "通知"

    def __str__(self) -> str:
        return self.title
