"""The one place that decides who may do what (``can``); every action calls it.

Rights come from the pack: a role grants permissions with a scope (its own
unit, the unit and everything below it, or the whole organisation), and the
duties of a unit's type add permissions to the roles that carry them (W-02,
W-14). A superuser (set-up by Django admin) may do everything. System work (the
operator's commands, the scheduler, the task worker) names ``SYSTEM`` and may do only
what ``SYSTEM_ACTIONS`` lists; ``None`` may do nothing (issue #9 §7).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from guanwei.core.actors import SYSTEM, SystemActor, is_system
from guanwei.core.catalog import PERMISSIONS
from guanwei.core.errors import PermissionDenied
from guanwei.orgs.models import Membership, Organisation, Unit
from guanwei.orgs.rules import Grant, rules_for

if TYPE_CHECKING:
    from guanwei.orgs.models import User

# Who performs an action: a person, or the system (never None).
type Actor = User | SystemActor

_CACHE_ATTR = "_guanwei_grants"

__all__ = ["SYSTEM", "SYSTEM_ACTIONS", "Actor", "as_user", "can", "holds_in", "require"]

# What the system actor may do, and why (issue #9 §7). Anything else needs a person.
SYSTEM_ACTIONS: dict[str, str] = {
    # the operator's `guanwei packs load` / `guanwei demo`: the pack loader builds the
    # organisation's tree, people, roles, accounts and follows through the actions
    "pack.load": "operator CLI: put a pack in force",
    "unit.create": "operator CLI: pack loading",
    "unit.move": "operator CLI: pack loading",
    "unit.change": "operator CLI: pack loading",
    "person.create": "operator CLI: pack loading (the pack's people)",
    "role.grant": "operator CLI: pack loading (the pack's people and their roles)",
    "channel.create": "operator CLI: pack loading (the pack's accounts)",
    "channel.change": "operator CLI: pack loading (the pack's accounts)",
    "channel.approve": "operator CLI: pack loading (accounts the pack lists as open)",
    "follow.manage": "operator CLI: pack loading (W-07 required follows)",
    # the scheduler pass: an approved post with a planned time, a W-12 special-weather
    # post or a W-11 correction is put into its slot without a person
    "post.schedule": "scheduler: approved posts into their slots",
    "post.publish": "scheduler: on the post's accounts (the publish gate still checks approval)",
    # the ingest pipeline: the organisation's moderation rules act on new comments (W-18)
    "comment.moderate": "ingest: moderation rules on fetched comments",
}


class UnitScoped(Protocol):
    def permission_unit(self) -> Unit: ...


def _grants(user: User) -> list[tuple[Grant, Unit]]:
    cached: list[tuple[Grant, Unit]] | None = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    memberships = Membership.objects.filter(user=user, revoked_at__isnull=True).select_related(
        "unit"
    )
    rules_by_org: dict[int, Any] = {}
    grants: list[tuple[Grant, Unit]] = []
    for m in memberships:
        org_id = m.unit.organisation_id
        if org_id not in rules_by_org:
            rules_by_org[org_id] = rules_for(org_id)
        grants.extend(
            (g, m.unit) for g in rules_by_org[org_id].grants_for(m.role, m.unit.unit_type)
        )
    setattr(user, _CACHE_ATTR, grants)
    return grants


def forget_grants(user: User) -> None:
    """Drop the per-request cache after a grant or revoke."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _target_unit(obj: object) -> Unit | Organisation | None:
    if obj is None:
        return None
    if isinstance(obj, Organisation):
        return obj
    permission_unit = getattr(obj, "permission_unit", None)
    if permission_unit is None:
        raise TypeError(f"can(): {type(obj).__name__} has no permission_unit()")
    unit: Unit = permission_unit()
    return unit


def _covers(grant: Grant, held_in: Unit, target: Unit | Organisation) -> bool:
    if isinstance(target, Organisation):
        return grant.scope == "organisation" and held_in.organisation_id == target.pk
    if held_in.organisation_id != target.organisation_id:
        return False
    if grant.scope == "organisation":
        return True
    if grant.scope == "subtree":
        return target.path.startswith(held_in.path)
    return target.pk == held_in.pk


def as_user(actor: User | SystemActor | None) -> User | None:
    """The person to store in a ``…_by`` column: None for the system."""
    return None if actor is None or is_system(actor) else actor  # type: ignore[return-value]


def can(user: User | SystemActor | None, action: str, obj: object = None) -> bool:
    """May ``user`` perform ``action`` (a name from the pack catalogue) on ``obj``?

    ``obj`` is a Unit, an Organisation, anything with ``permission_unit()``, or
    None for "anywhere" (e.g. whether to show a menu entry at all). ``SYSTEM`` may do
    what ``SYSTEM_ACTIONS`` lists, anywhere; ``None`` nothing.
    """
    if action not in PERMISSIONS:
        raise ValueError(f"unknown permission {action!r}")
    if user is None:
        return False
    if isinstance(user, SystemActor):
        return action in SYSTEM_ACTIONS
    if not user.is_active or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    target = _target_unit(obj)
    for grant, held_in in _grants(user):
        if grant.permission != action:
            continue
        if target is None or _covers(grant, held_in, target):
            return True
    return False


def holds_anywhere(user: User | None, action: str, organisation: Organisation) -> bool:
    """Whether ``can(user, action, u)`` holds for some unit ``u`` of ``organisation``, from
    the person's grants alone (no query of the organisation's units): a grant of
    ``action`` held in a unit of the organisation covers at least that unit, whatever its
    scope. A superuser: whether the organisation has a unit."""
    if action not in PERMISSIONS:
        raise ValueError(f"unknown permission {action!r}")
    if user is None or isinstance(user, SystemActor):
        return False
    if not user.is_active or not user.is_authenticated:
        return False
    if user.is_superuser:
        return organisation.units.exists()
    return any(
        grant.permission == action and held_in.organisation_id == organisation.pk
        for grant, held_in in _grants(user)
    )


def holds_in(user: User | SystemActor | None, action: str, unit: Unit) -> bool:
    """Whether ``user`` holds ``action`` through a role held in ``unit`` itself (not a
    wider scope held elsewhere): who is a publisher *of* an account's unit (issue 10,
    C-09, T-01). ``SYSTEM`` as in :func:`can`, a superuser always."""
    if action not in PERMISSIONS:
        raise ValueError(f"unknown permission {action!r}")
    if user is None:
        return False
    if isinstance(user, SystemActor):
        return action in SYSTEM_ACTIONS
    if not user.is_active or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(
        grant.permission == action and held_in.pk == unit.pk for grant, held_in in _grants(user)
    )


def require(user: User | SystemActor | None, action: str, obj: object = None) -> None:
    if not can(user, action, obj):
        label = PERMISSIONS.get(action, action)
        raise PermissionDenied(f"您没有“{label}”的权限。")


def visible_organisation_ids(user: User) -> set[int] | None:
    """Organisations whose pages the user may see; None means all (superuser)."""
    if user.is_superuser:
        return None
    return set(
        Membership.objects.filter(user=user, revoked_at__isnull=True).values_list(
            "unit__organisation_id", flat=True
        )
    )


def held_permissions(user: User) -> set[str]:
    """Every permission name ``user`` holds anywhere, through any role or duty of the packs
    in force (the second-factor rule reads it: ``orgs.second_factor.must_enrol``)."""
    return {grant.permission for grant, _ in _grants(user)}
