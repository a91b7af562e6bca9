"""The one accessor for a channel's platform settings (tokens, secrets, endpoints).

Today the values are a plain JSON record; the vault issue will store them encrypted and
decrypt here, for the adapter call only (DESIGN invariant 4). Nothing else reads them."""

from __future__ import annotations

from collections.abc import Mapping

from guanwei.channels.models import Channel
from guanwei.publishing.models import ChannelSettings


def settings_for(channel: Channel) -> Mapping[str, str]:
    """Reads the row loaded with ``select_related("channel__settings")`` when there is one."""
    try:
        row = channel.settings
    except ChannelSettings.DoesNotExist:
        return {}
    return dict(row.values)
