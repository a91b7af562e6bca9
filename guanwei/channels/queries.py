"""Read-only questions about accounts that pages ask."""

from __future__ import annotations

from guanwei.channels.models import Channel
from guanwei.orgs.models import Membership, User
from guanwei.orgs.permissions import can
from guanwei.orgs.rules import rules_for

CUSTODY = "credential.manage"


def custodians(channel: Channel) -> list[tuple[User, str]]:
    """R-05: who keeps this account's mailbox and credentials: the holders of a pack role
    that carries ``credential.manage`` (账号保管人, 密码管理人 …) and reaches the account's
    unit, each with the role's name."""
    rules = rules_for(channel.organisation_id)
    roles = [k for k, r in rules.roles.items() if CUSTODY in (r.get("permissions") or [])]
    out: list[tuple[User, str]] = []
    seen: set[int] = set()
    for m in (
        Membership.objects.filter(
            unit__organisation_id=channel.organisation_id,
            role__in=roles,
            revoked_at__isnull=True,
        )
        .select_related("user")
        .order_by("role", "user__username")
    ):
        if m.user_id not in seen and can(m.user, CUSTODY, channel.unit):
            seen.add(m.user_id)
            out.append((m.user, rules.role_name(m.role)))
    return out
