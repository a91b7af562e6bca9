"""Who may see which object: the one lookup every page and API operation fetches with
(issue #9 §3, X-06).

``get_for(user, Model, pk)`` returns the object or raises ``Http404`` — the same answer
for an id that does not exist, an object of another organisation and an object of the
same organisation the person may not see (ids are sequential: a 403 would tell them
apart). ``may_see(user, obj)`` is the same rule as a boolean, for the links and buttons
a page shows (show only what a person may open).

The rule of a model is registered by the room that owns it (``register``, at import of its
``access`` module or in ``AppConfig.ready``); a room above may add a rule under its own
name (workflow lets the deciders of an open step see the post). Any registered rule that
says yes lets the person in. A model without a rule is refused: a new model is invisible
until its room says who sees it. ``orgs`` registers its own models here: a unit needs
``unit.view`` on it (or a role in it), a person ``person.view`` on a unit of theirs.

``get_for(user, Model, pk, "channel.change")`` asks for a permission of the catalogue on
top of seeing it (what a change page needs); refused is still 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

from guanwei.orgs.models import ApiToken, Membership, Organisation, PendingGrant, Unit, User
from guanwei.orgs.permissions import can, holds_anywhere, visible_organisation_ids

Rule = Callable[[User, Any], bool]

_rules: dict[type[Model], dict[str, Rule]] = {}


def register(model: type[Model], rule: Rule, *, name: str = "") -> None:
    """Add ``rule(user, obj) -> bool`` for ``model`` under ``name`` (idempotent: a second
    registration with the same name replaces it). ``name`` defaults to the model's app."""
    _rules.setdefault(model, {})[name or model._meta.app_label] = rule


def registered() -> dict[type[Model], list[str]]:
    """Which models have which rules (for the access-matrix test and the docs)."""
    return {m: sorted(r) for m, r in _rules.items()}


def organisation_id_of(obj: Any) -> int | None:
    """The organisation an object belongs to, or None if it belongs to no organisation
    (a person, a notice: their rule decides alone)."""
    if isinstance(obj, Organisation):
        return int(obj.pk)
    org_id = getattr(obj, "organisation_id", None)
    if org_id is None and hasattr(obj, "permission_unit"):
        org_id = obj.permission_unit().organisation_id
    elif org_id is None and isinstance(obj, Membership):
        org_id = obj.unit.organisation_id
    return int(org_id) if org_id is not None else None


def _active(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def may_see(user: User | None, obj: Any, permission: str | None = None) -> bool:
    """Whether ``user`` may see ``obj`` (and, with ``permission``, also hold that
    permission on it). Never True for None or an anonymous or inactive user."""
    if not _active(user):
        return False
    assert user is not None
    org_id = organisation_id_of(obj)
    if org_id is not None:
        ids = visible_organisation_ids(user)
        if ids is not None and org_id not in ids:
            return False
    rules = _rules.get(type(obj))
    if not rules:
        return False
    if not any(rule(user, obj) for rule in rules.values()):
        return False
    return permission is None or can(user, permission, obj)


def get_for[M: Model](
    user: User | None,
    model: type[M] | QuerySet[M],
    pk: Any,
    permission: str | None = None,
) -> M:
    """The object ``pk`` of ``model`` (a model or a queryset, e.g. with
    ``select_related``) if ``user`` may see it, else ``Http404``."""
    qs: QuerySet[M] = model if isinstance(model, QuerySet) else model._default_manager.all()
    try:
        obj = qs.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as e:
        raise Http404 from e
    if not may_see(user, obj, permission):
        raise Http404
    return obj


def may_anywhere(user: User | None, organisation: Organisation, permission: str) -> bool:
    """Whether ``user`` holds ``permission`` on some unit of ``organisation`` (a menu entry,
    a list page: the list then shows only what the rule lets through)."""
    if not _active(user):
        return False
    # the same answer as any(can(user, permission, u) for u in organisation.units.all()),
    # from the person's grants (every page's menu asks it, issue #10 §6)
    return holds_anywhere(user, permission, organisation)


def may_open_people_list(user: User, organisation: Organisation) -> bool:
    """人员: ``person.view`` on some unit (the list shows the units it covers). Called by
    the page and by the menu (guanwei.web.menu), issue #10 §6."""
    return may_anywhere(user, organisation, "person.view")


def may_open_member_page(user: User, organisation: Organisation) -> bool:
    """The pages every member of the organisation opens (home, units, calendar, deadlines,
    screening, the rule book): their only gate is being in the organisation, which
    ``orgs.pages.current_org`` already decided."""
    return _active(user)


# ------------------------------------------------------------------ orgs' own models


def _member_of(user: User, unit: Unit) -> bool:
    return Membership.objects.filter(user=user, unit=unit, revoked_at__isnull=True).exists()


def may_see_unit(user: User, unit: Unit) -> bool:
    """unit.view on the unit (the pack's scope: own unit, subtree, organisation), or a role
    held in it: everybody sees the page of their own unit."""
    return can(user, "unit.view", unit) or _member_of(user, unit)


def may_see_people_of(user: User, unit: Unit) -> bool:
    """person.view on the unit: who works there, their roles (who keeps a password)."""
    return can(user, "person.view", unit)


def _membership(user: User, m: Membership) -> bool:
    return m.user_id == user.pk or (may_see_unit(user, m.unit) and may_see_people_of(user, m.unit))


def _person(user: User, person: User) -> bool:
    if person.pk == user.pk:
        return True
    units = Unit.objects.filter(memberships__user=person, memberships__revoked_at__isnull=True)
    return any(can(user, "person.view", u) for u in units)


register(Unit, may_see_unit, name="orgs")
register(Membership, _membership, name="orgs")


def _pending_grant(user: User, g: PendingGrant) -> bool:
    """A sensitive grant awaiting a second person (issue #9 §9): seen by those who may grant
    or confirm roles in its unit."""
    return can(user, "role.grant", g.unit) or can(user, "role.confirm", g.unit)


register(PendingGrant, _pending_grant, name="orgs")
register(User, _person, name="orgs")
register(Organisation, lambda user, org: True, name="orgs")  # membership checked above
register(ApiToken, lambda user, token: token.user_id == user.pk, name="orgs")  # its owner
