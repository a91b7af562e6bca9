"""What every page needs from orgs: the acting person, the organisations they may see, the
current one, page context. The pages of every room import these from here."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from guanwei.orgs import queries as org_queries
from guanwei.orgs.models import Organisation, User


def actor(request: HttpRequest) -> User:
    """The logged-in person (every view here is behind login_required)."""
    user = request.user
    assert isinstance(user, User)
    return user


def organisations(request: HttpRequest) -> list[Organisation]:
    """The organisations the person may see, computed once per request."""
    cached: list[Organisation] | None = getattr(request, "_guanwei_orgs", None)
    if cached is None:
        cached = list(org_queries.organisations_for(actor(request)))
        request._guanwei_orgs = cached  # type: ignore[attr-defined]
    return cached


def current_org(request: HttpRequest) -> Organisation | None:
    orgs = organisations(request)
    if not orgs:
        return None
    wanted = request.GET.get("org") or request.session.get("org")
    for org in orgs:
        if str(org.pk) == str(wanted):
            request.session["org"] = org.pk
            return org
    return orgs[0]


def visible(request: HttpRequest, organisation_id: int) -> None:
    if not any(o.pk == organisation_id for o in organisations(request)):
        raise Http404


def org_people(org: Organisation) -> Any:
    return (
        User.objects.filter(is_active=True, memberships__unit__organisation=org)
        .distinct()
        .order_by("username")
    )


def page_context(request: HttpRequest, org: Organisation | None, **extra: Any) -> dict[str, Any]:
    return {"org": org, "organisations": organisations(request), **extra}
