"""Which accounts a unit's post may address, who publishes on an account, who may run it
(issue 10: C-03, C-09, T-01, T-02, W-05). Read-only; the one place these rules live —
the post form and ``content.actions`` ask ``addressable``/``may_address``, publishing asks
``may_publish_on``, the post's visibility and lists ask ``accounts_seen_by``, the account
form asks ``staff_units``.

- A unit's post may address its own accounts, those that serve it (W-05: the city's for a
  county without one) and those the pack opens to it (``open_to``; ``"*"``: every unit —
  the school's main accounts, C-09; the city tourism account, T-01).
- Only a publisher of the account's unit, or of a unit the pack names for it
  (``publishers``), schedules or publishes on it: 发布 and 安排发布 held through a role in
  that unit. A wider scope held elsewhere (a province's subtree, an organisation-wide
  role) does not reach another unit's account.
- The manager and the responsible person of an account are people of those same units
  (C-03).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from guanwei.channels.models import Channel, ChannelStatus
from guanwei.orgs.models import Membership, Organisation, Unit, User
from guanwei.orgs.permissions import Actor, can, holds_in


def staff_unit_ids(channel: Channel) -> set[int]:
    """The account's own unit and the units the pack names to publish on it."""
    return {channel.unit_id, *channel.publishers.values_list("pk", flat=True)}


def staff_units(channel: Channel) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=staff_unit_ids(channel)).order_by("path"))


def _addressable_q(unit: Unit) -> Q:
    return Q(unit=unit) | Q(serves=unit) | Q(open_to_all=True) | Q(open_to=unit)


def addressable(unit: Unit) -> QuerySet[Channel]:
    """The running accounts a post of ``unit`` may address (the post form's choices)."""
    ids = (
        Channel.objects.filter(organisation_id=unit.organisation_id)
        .filter(_addressable_q(unit))
        .values_list("pk", flat=True)
    )
    return Channel.objects.filter(pk__in=list(ids), status=ChannelStatus.ACTIVE).order_by(
        "unit__path", "key"
    )


def may_address(unit: Unit, channel: Channel) -> bool:
    return (
        channel.organisation_id == unit.organisation_id
        and Channel.objects.filter(pk=channel.pk).filter(_addressable_q(unit)).exists()
    )


def may_publish_on(user: Actor | None, channel: Channel) -> bool:
    """Whether ``user`` schedules and publishes on ``channel``: 发布 and 安排发布 held
    through a role in the account's unit or a unit the pack names for it (C-09, T-01,
    W-05). The scheduler (``SYSTEM``) may."""
    units = Unit.objects.filter(pk__in=staff_unit_ids(channel))
    return any(
        holds_in(user, "post.publish", u) and holds_in(user, "post.schedule", u) for u in units
    )


def accounts_seen_by(user: User, organisation: Organisation) -> list[Channel]:
    """The accounts whose posts ``user`` sees as their unit's (T-01: "the account's unit
    sees every post on its accounts"): those they publish on, and those of a unit where
    they review posts (post.review through a role held there)."""
    if not user.is_active:
        return []
    mine = set(
        Membership.objects.filter(
            user=user, revoked_at__isnull=True, unit__organisation=organisation
        ).values_list("unit_id", flat=True)
    )
    if not mine and not user.is_superuser:
        return []
    out = []
    for ch in Channel.objects.filter(organisation=organisation).prefetch_related("publishers"):
        staff = {ch.unit_id, *(u.pk for u in ch.publishers.all())}
        if not user.is_superuser and not staff & mine:
            continue
        if may_publish_on(user, ch) or can_review_in(user, ch.unit):
            out.append(ch)
    return out


def can_review_in(user: User, unit: Unit) -> bool:
    return holds_in(user, "post.review", unit) or (user.is_superuser and can(user, "post.review"))
