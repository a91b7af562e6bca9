"""Who may see an official account (issue #9 §3): ``channel.view`` on its unit — or a
permission that works on the account (change, approve, publish, keep its password). The
account's page and its printed forms (the application carries the managers' phones)."""

from __future__ import annotations

from guanwei.channels.models import Channel, ChannelStatus, RequiredFollow, UnregisteredReport
from guanwei.orgs.access import may_anywhere, register
from guanwei.orgs.models import Membership, Organisation, User
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
    register(
        UnregisteredReport,
        lambda user, r: r.reporter_id == user.pk or may_handle_unregistered(user, r.organisation),
        name="channels",
    )


# ------------------------------------------------------------------ who opens which page
# Called by the pages and by the menu (guanwei.web.menu), issue #10 §6.


def may_open_channel_list(user: User, organisation: Organisation) -> bool:
    """账号 and 必须关注: who sees some account of the organisation."""
    return any(may_anywhere(user, organisation, p) for p in SEES_CHANNEL)


def status_choices(user: User, channel: Channel) -> list[tuple[str, str]]:
    """The account statuses ``user`` may set on ``channel``: every status with the
    approval right (W-04, C-12), else only the one it has (the form offers nothing the
    action would refuse)."""
    if can(user, "channel.approve", channel):
        return list(ChannelStatus.choices)
    return [(v, label) for v, label in ChannelStatus.choices if v == channel.status]


# ------------------------------------------------------------------ C-04: the register
# Decision 0034: the register of approved accounts is open to everyone in the organisation;
# anyone in it reports an account in its name that is not on it; who registers the
# accounts (``channel.change`` over the whole organisation: the college's 党委宣传部, whose
# duty 账号审批、变更备案与登记 cites C-04) or approves them (``channel.approve`` over the
# whole organisation: the leading group, the weather bureau's 业务科) checks the report.


def may_open_register(user: User, organisation: Organisation) -> bool:
    """官方账号名录: every active member of the organisation."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return Membership.objects.filter(
        user=user, unit__organisation=organisation, revoked_at__isnull=True
    ).exists()


def may_handle_unregistered(user: User | None, organisation: Organisation) -> bool:
    return can(user, "channel.change", organisation) or can(user, "channel.approve", organisation)
