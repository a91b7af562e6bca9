"""The append-only, hash-chained audit log (REQ X-02, W-21).

Rows are written only by ``guanwei.audit.actions.record`` inside the caller's
transaction. The database refuses UPDATE and DELETE on this table (triggers in
migration 0002), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from django.db import models

from guanwei.audit.events import AuditAction


class AuditRecord(models.Model):
    # seq is the chain position: 1, 2, 3 … without gaps.
    seq = models.BigIntegerField(unique=True)
    created = models.DateTimeField()
    # Plain ids, not foreign keys: the log outlives the rows it talks about,
    # and an ON DELETE SET NULL would be an UPDATE the trigger refuses.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # The number of an AuditAction (no DB choices: the catalogue grows without migrations).
    action = models.PositiveIntegerField()
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action_label} {self.object_repr}"

    @property
    def actor_label(self) -> str:
        """Who, for a person to read: the system (stored as "system") is 系统."""
        if self.actor_id is None and self.actor_name == "system":
            return "系统"
        return self.actor_name

    @property
    def action_label(self) -> str:
        try:
            return AuditAction(self.action).label
        except ValueError:
            return str(self.action)
