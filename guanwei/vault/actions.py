"""The vault's actions (decision 0031): store an account's secrets sealed, record that its
password is due for change and that it was changed, re-wrap every data key under a new
master key. Each is one transaction with its audit record; an audit record names secrets
and key ids, never a value."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from guanwei.audit.actions import record
from guanwei.audit.events import AuditAction
from guanwei.channels.models import Channel
from guanwei.orgs.errors import InvalidChange
from guanwei.orgs.permissions import Actor, as_user
from guanwei.vault import crypto, sealing
from guanwei.vault.keys import MasterKey, master_key
from guanwei.vault.models import PasswordRotation, Secret


class VaultKeyMismatch(Exception):
    """rotate-key: a secret's data key does not unwrap with the key said to be current;
    nothing was written."""


def _audit(action: AuditAction, channel: Channel, *, actor: Actor | None, **after: object) -> None:
    record(
        action,
        actor=actor,
        object_type="channel",
        object_id=channel.pk,
        object_repr=channel.name,
        organisation_id=channel.organisation_id,
        after=after,
    )


@transaction.atomic
def store_secrets(
    channel: Channel,
    values: Mapping[str, str | None],
    *,
    actor: Actor | None,
    replace: bool = False,
) -> list[str]:
    """Seal each value under a fresh data key (a value of ``None`` or "" deletes that
    secret); ``replace=True`` also deletes the account's secrets not named. The caller has
    checked the actor may set the account's settings. Returns the names changed."""
    cipher = crypto.cipher_for(settings.GUANWEI_VAULT_CIPHER)
    master = master_key()
    existing = {s.name: s for s in Secret.objects.select_for_update().filter(channel=channel)}
    stored: list[str] = []
    deleted: list[str] = []
    for name, value in sorted(values.items()):
        row = existing.get(name)
        if not value:
            if row is not None:
                row.delete()
                deleted.append(name)
            continue
        if row is not None and _holds(row, master, value):
            continue
        ref = uuid.uuid4()
        fields = sealing.sealed_fields(
            master, ref=ref, channel_id=channel.pk, name=name, value=value, cipher=cipher
        )
        if row is None:
            Secret.objects.create(ref=ref, channel=channel, name=name, **fields)
        else:
            row.ref = ref
            for field, v in fields.items():
                setattr(row, field, v)
            row.save(update_fields=["ref", *fields, "updated"])
        stored.append(name)
    if replace:
        for name, row in sorted(existing.items()):
            if name not in values:
                row.delete()
                deleted.append(name)
    if stored:
        _audit(
            AuditAction.SECRET_STORED,
            channel,
            actor=actor,
            names=stored,
            cipher=cipher,
            key_id=master.id,
        )
    if deleted:
        _audit(AuditAction.SECRET_DELETED, channel, actor=actor, names=sorted(deleted))
    return sorted(stored + deleted)


def _holds(row: Secret, master: MasterKey, value: str) -> bool:
    try:
        return sealing.open_row(row, master) == value
    except crypto.VaultCryptoError:
        return False


@transaction.atomic
def delete_secrets(channel: Channel, *, actor: Actor | None) -> list[str]:
    names = sorted(Secret.objects.filter(channel=channel).values_list("name", flat=True))
    if names:
        Secret.objects.filter(channel=channel).delete()
        _audit(AuditAction.SECRET_DELETED, channel, actor=actor, names=names)
    return names


@transaction.atomic
def require_rotation(channel: Channel, *, reason: str, actor: Actor | None) -> PasswordRotation:
    """W-16, T-08: the account's password is due for change now (the people who know it
    changed). Called by the actions that decided it (the 审批表 approval), which checked
    the actor; an open requirement is kept and its reason updated."""
    now = timezone.now()
    row = PasswordRotation.objects.select_for_update().filter(channel=channel).first()
    if row is None:
        row = PasswordRotation(channel=channel)
    row.reason = reason[:200]
    row.due_at = now
    row.required_by = as_user(actor)
    row.rotated_at = None
    row.rotated_by = None
    row.save()
    _audit(AuditAction.SECRET_ROTATION_DUE, channel, actor=actor, reason=row.reason)
    return row


@transaction.atomic
def mark_rotated(channel: Channel, *, actor: Actor | None) -> PasswordRotation:
    """W-16: the account's password was changed; the requirement is met."""
    row = PasswordRotation.objects.select_for_update().filter(channel=channel).first()
    if row is None or row.rotated_at is not None:
        raise InvalidChange(f"账号“{channel.name}”没有待修改的密码。")
    row.rotated_at = timezone.now()
    row.rotated_by = as_user(actor)
    row.save(update_fields=["rotated_at", "rotated_by"])
    _audit(AuditAction.SECRET_ROTATED, channel, actor=actor, reason=row.reason)
    return row


@transaction.atomic
def rotate_master_key(
    new: MasterKey, *, actor: Actor | None, current: MasterKey | None = None
) -> int:
    """Re-wrap every data key under ``new`` in one transaction; the values are not
    re-encrypted. Every data key is unwrapped with the current key first: if one does not
    open, ``VaultKeyMismatch`` is raised before anything is written. Returns the count."""
    old = current or master_key()
    rows = list(Secret.objects.select_for_update().order_by("pk"))
    rewrapped: list[Secret] = []
    for row in rows:
        try:
            row.key_id, row.wrapped_key = sealing.rewrap(row, old, new)
        except crypto.VaultCryptoError as e:
            raise VaultKeyMismatch(
                f"凭据 #{row.pk}（账号 #{row.channel_id}，{row.name}）无法用当前主密钥 "
                f"{old.id} 解开，未做任何修改。 / Secret {row.pk} (channel {row.channel_id}, "
                f"{row.name}) does not open with the current key {old.id}: {e}; nothing "
                "was written."
            ) from e
        rewrapped.append(row)
    Secret.objects.bulk_update(rewrapped, ["key_id", "wrapped_key"], batch_size=1000)
    record(
        AuditAction.VAULT_KEY_ROTATED,
        actor=actor,
        object_type="vault",
        object_id="master-key",
        object_repr="保险库主密钥",
        before={"key_id": old.id},
        after={"key_id": new.id, "secrets": len(rewrapped)},
    )
    return len(rewrapped)
