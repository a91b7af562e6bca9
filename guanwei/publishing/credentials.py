"""The one accessor for a channel's platform settings (tokens, secrets, endpoints).

The non-secret values (base URL, app id, uid …) are a plain JSON record,
``ChannelSettings.values``; the secrets (``SECRET_SETTINGS``: tokens, app secrets,
passwords) live sealed in the vault (decision 0031) and are decrypted here, for the adapter
call only (DESIGN invariant 4). Nothing else reads them."""

from __future__ import annotations

from collections.abc import Mapping

from guanwei.channels.models import Channel
from guanwei.publishing.models import ChannelSettings

# The setting names that are secrets: stored in the vault, never in the JSON record, never
# shown or audited (``***``).
SECRET_SETTINGS = frozenset({"access_token", "secret", "appsecret", "password", "refresh_token"})


def split_secrets(values: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(the non-secret values, the secrets) of a settings mapping."""
    public = {k: v for k, v in values.items() if k not in SECRET_SETTINGS}
    secret = {k: v for k, v in values.items() if k in SECRET_SETTINGS}
    return public, secret


# Where ``preload_secrets`` leaves an account's opened secrets for this request or batch.
_PRELOADED = "_guanwei_secrets"


def preload_secrets(channels: list[Channel]) -> None:
    """A batch's secrets in one query (the dispatcher builds many requests at once): each
    channel object carries its own until it is dropped, and ``settings_for`` reads them
    from there instead of asking the vault once per call."""
    from guanwei.vault.queries import secrets_for_many

    wanted = {c.pk: c for c in channels if not hasattr(c, _PRELOADED)}
    if not wanted:
        return
    for pk, secrets in secrets_for_many(list(wanted)).items():
        setattr(wanted[pk], _PRELOADED, secrets)


def public_settings_for(channel: Channel) -> Mapping[str, str]:
    """The non-secret settings only (uid, base URL …): no vault query, nothing decrypted —
    for pages and statistics that need an account's id, not its keys."""
    try:
        row = channel.settings
    except ChannelSettings.DoesNotExist:
        return {}
    return {k: v for k, v in row.values.items() if k not in SECRET_SETTINGS}


def settings_for(channel: Channel) -> Mapping[str, str]:
    """Reads the row loaded with ``select_related("channel__settings")`` when there is one,
    merged with the account's secrets from the vault. A secret still written in the JSON
    record (a row made around the actions, e.g. by a test fixture or an old dump restored
    after the move) is read as before unless the vault holds one of that name."""
    from guanwei.vault.queries import secrets_for

    secrets = getattr(channel, _PRELOADED, None)
    if secrets is None:
        secrets = secrets_for(channel)
    try:
        row = channel.settings
    except ChannelSettings.DoesNotExist:
        return dict(secrets)
    return {**row.values, **secrets}
