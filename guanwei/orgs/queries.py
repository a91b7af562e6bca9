"""Read-only queries about organisations, units and people."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, QuerySet

from guanwei.orgs.models import Membership, Organisation, PendingGrant, Unit, User
from guanwei.orgs.permissions import visible_organisation_ids


def organisations_for(user: User) -> QuerySet[Organisation]:
    ids = visible_organisation_ids(user)
    qs = Organisation.objects.order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


def unit_tree(organisation: Organisation) -> list[Unit]:
    """All units of the organisation in tree order (path), annotated with counts."""
    return list(
        organisation.units.annotate(
            people_count=Count(
                "memberships__user",
                filter=Q(memberships__revoked_at__isnull=True),
                distinct=True,
            ),
            channel_count=Count("channels", distinct=True),
        ).order_by("path")
    )


def active_memberships(unit: Unit) -> QuerySet[Membership]:
    return (
        unit.memberships.filter(revoked_at__isnull=True)
        .select_related("user")
        .order_by("role", "user__username")
    )


def role_changes(unit: Unit, roles: list[str], limit: int = 20) -> list[Membership]:
    """T-03: the grants and revocations of ``roles`` in ``unit``, latest change first."""
    if not roles:
        return []
    rows = list(
        unit.memberships.filter(role__in=roles).select_related("user", "granted_by", "revoked_by")
    )
    rows.sort(key=lambda m: m.revoked_at or m.granted_at, reverse=True)
    return rows[:limit]


def people_of(organisation: Organisation) -> list[tuple[User, list[Membership]]]:
    memberships = (
        Membership.objects.filter(unit__organisation=organisation, revoked_at__isnull=True)
        .select_related("user", "unit")
        .order_by("user__username", "unit__path")
    )
    grouped: dict[int, list[Membership]] = defaultdict(list)
    users: dict[int, User] = {}
    for m in memberships:
        grouped[m.user_id].append(m)
        users[m.user_id] = m.user
    return [(users[uid], grouped[uid]) for uid in users]


def pending_grants(organisation: Organisation) -> list[PendingGrant]:
    """Sensitive grants waiting for a second person (issue #9 §9), oldest first."""
    return list(
        PendingGrant.objects.filter(
            unit__organisation=organisation, status=PendingGrant.Status.PENDING
        ).select_related("user", "unit", "requested_by")
    )


def people_count(organisation: Organisation) -> int:
    return (
        Membership.objects.filter(unit__organisation=organisation, revoked_at__isnull=True)
        .values("user_id")
        .distinct()
        .count()
    )


def person_in(organisation: Organisation, username: str) -> User | None:
    """The active person called ``username`` who holds or held a role in ``organisation``;
    None for anyone else — unknown, of another organisation, or the installation's
    superuser — so a caller cannot tell those apart (issue #9 §5)."""
    return (
        User.objects.filter(
            username=username,
            is_active=True,
            is_superuser=False,
            memberships__unit__organisation=organisation,
        )
        .distinct()
        .first()
    )
