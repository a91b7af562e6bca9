"""Reads of the vault. ``secrets_for`` returns plaintext: only for the adapter call
(``publishing.credentials.settings_for``) — never log, render or audit what it returns."""

from __future__ import annotations

from dataclasses import dataclass

from guanwei.channels.models import Channel
from guanwei.vault import crypto, sealing
from guanwei.vault.keys import MasterKey, master_key
from guanwei.vault.models import PasswordRotation, Secret


class SecretUnreadable(Exception):
    """A secret did not open under the current master key (bilingual, no value)."""


def _open(rows: list[Secret]) -> dict[str, str]:
    if not rows:
        return {}
    master = master_key()
    out = {}
    for row in rows:
        try:
            out[row.name] = sealing.open_row(row, master)
        except crypto.VaultCryptoError as e:
            raise SecretUnreadable(
                f"账号 #{row.channel_id} 的凭据“{row.name}”无法用当前主密钥解密。 / "
                f"Secret {row.name!r} of channel {row.channel_id} does not open: {e}."
            ) from e
    return out


def secrets_for(channel: Channel | int) -> dict[str, str]:
    channel_id = channel if isinstance(channel, int) else channel.pk
    return _open(list(Secret.objects.filter(channel_id=channel_id)))


def secrets_for_many(channel_ids: list[int]) -> dict[int, dict[str, str]]:
    """Every listed account's secrets in one query (a dispatcher's batch): channel id →
    name → plaintext; an account without secrets maps to ``{}``. An account whose secret
    does not open is left out: ``secrets_for`` raises for it alone, at its own call."""
    by_channel: dict[int, list[Secret]] = {pk: [] for pk in channel_ids}
    for row in Secret.objects.filter(channel_id__in=channel_ids):
        by_channel[row.channel_id].append(row)
    out = {}
    for pk, rows in by_channel.items():
        try:
            out[pk] = _open(rows)
        except SecretUnreadable:
            continue
    return out


def secret_names(channel: Channel) -> list[str]:
    return sorted(Secret.objects.filter(channel=channel).values_list("name", flat=True))


@dataclass(frozen=True)
class CheckFailure:
    secret_id: int
    channel_id: int
    name: str
    key_id: str
    reason: str


def check_secrets(master: MasterKey | None = None) -> tuple[int, list[CheckFailure]]:
    """Every secret's data key unwrapped, and its value opened, with ``master`` (default
    the current key): how many were checked and those that failed."""
    master = master or master_key()
    failures = []
    count = 0
    for row in Secret.objects.order_by("pk").iterator(chunk_size=500):
        count += 1
        try:
            sealing.open_row(row, master)
        except crypto.VaultCryptoError as e:
            failures.append(CheckFailure(row.pk, row.channel_id, row.name, row.key_id, str(e)))
    return count, failures


def rotation_due(channel: Channel) -> PasswordRotation | None:
    """W-16: the open password-change requirement of the account, if any."""
    return PasswordRotation.objects.filter(channel=channel, rotated_at__isnull=True).first()
