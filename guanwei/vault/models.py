"""The vault's rows: sealed secrets (one per account and setting name) and password
rotations due. No plaintext and no master key is ever stored here (decision 0031)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from guanwei.channels.models import Channel


class Secret(models.Model):
    """One secret of one account (``access_token``, ``secret``, ``password`` …): its value
    sealed under its own data key, the data key wrapped by the master key ``key_id``. The
    associated data of both names ``ref``, the account and the name (``sealing.aad``)."""

    ref = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="secrets")
    name = models.CharField(max_length=60)
    cipher = models.CharField(max_length=20)
    key_id = models.CharField(max_length=32)
    wrapped_key = models.BinaryField()
    ciphertext = models.BinaryField()
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "密文凭据"
        verbose_name_plural = "密文凭据"
        constraints = [
            models.UniqueConstraint(fields=["channel", "name"], name="vault_one_secret_per_name")
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.name} ({self.cipher}, key {self.key_id})"


class PasswordRotation(models.Model):
    """W-16: the account's password is due for change (``due_at``) until ``rotated_at``."""

    channel = models.OneToOneField(
        Channel, on_delete=models.CASCADE, related_name="password_rotation"
    )
    reason = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    required_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rotated_at = models.DateTimeField(null=True, blank=True)
    rotated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "改密要求"
        verbose_name_plural = "改密要求"

    def __str__(self) -> str:
        return f"{self.channel_id} due {self.due_at:%Y-%m-%d}"

    @property
    def is_due(self) -> bool:
        return self.rotated_at is None
