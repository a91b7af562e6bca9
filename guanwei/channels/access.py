"""Who may see an official account (issue #9 §3): ``channel.view`` on its unit — or a
permission that works on the account (change, approve, publish, keep its password). The
account's page and its printed forms (the application carries the managers' phones)."""

from __future__ import annotations

from guanwei.channels.models import Channel, RequiredFollow
from guanwei.orgs.access import register
from guanwei.orgs.models import User
from guanwei.orgs.permissions import can

SEES_CHANNEL = ("channel.view", "channel.change", "channel.approve")


def may_see_channel(user: User, channel: Channel) -> bool:
    return any(can(user, p, channel) for p in SEES_CHANNEL)


def register_rules() -> None:
    register(Channel, may_see_channel, name="channels")
    register(
        RequiredFollow,
        lambda user, f: may_see_channel(user, f.follower) or may_see_channel(user, f.followee),
        name="channels",
    )
