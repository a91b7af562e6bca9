"""Pages of the organisation tree: units, their people and roles (REQ X-01, T-03).
Thin: parse, call one action, respond."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanwei.core.errors import DomainError, PermissionDenied
from guanwei.orgs import actions as org_actions
from guanwei.orgs import queries as org_queries
from guanwei.orgs.access import get_for, may_anywhere, may_see, may_see_people_of
from guanwei.orgs.forms import CreateUnitForm, GrantRoleForm, MoveUnitForm
from guanwei.orgs.models import Membership, PendingGrant, Unit
from guanwei.orgs.pages import actor as _actor
from guanwei.orgs.pages import current_org as _current_org
from guanwei.orgs.pages import org_people as _org_people
from guanwei.orgs.pages import page_context as _ctx
from guanwei.orgs.permissions import can
from guanwei.orgs.rules import rules_for


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    org = _current_org(request)
    if org is None:
        return redirect("dashboard")
    rules = rules_for(org.pk)
    # The tree's names are for every member (where to send material); a unit's page (its
    # people, accounts, duties) only for unit.view on it: the tree links only those.
    units = org_queries.unit_tree(org)
    rows = [(u, rules.unit_type_name(u.unit_type)) for u in units]
    return render(request, "orgs/unit_list.html", _ctx(request, org, rows=rows))


def _unit_page(request: HttpRequest, unit: Unit, **forms: Any) -> HttpResponse:
    org = unit.organisation
    rules = rules_for(org.pk)
    people = _org_people(org)
    user = _actor(request)
    shows_people = (
        may_see_people_of(user, unit)
        or can(user, "role.grant", unit)
        or can(user, "role.revoke", unit)
    )
    ctx = _ctx(
        request,
        org,
        unit=unit,
        unit_type_name=rules.unit_type_name(unit.unit_type),
        ancestors=list(unit.ancestors()),
        children=[c for c in unit.children.order_by("path") if may_see(user, c)],
        # who holds which role (a custodian keeps a password): person.view, or who grants
        shows_people=shows_people,
        memberships=[(m, rules.role_name(m.role)) for m in org_queries.active_memberships(unit)]
        if shows_people
        else [],
        channels=[c for c in unit.channels.all() if may_see(user, c)],
        # T-03: grants and revocations of the roles the pack announces (信息员)
        announced="、".join(rules.role_name(r) for r in rules.announced_roles),
        role_changes=[
            (m, rules.role_name(m.role))
            for m in org_queries.role_changes(unit, rules.announced_roles)
        ]
        if shows_people
        else [],
        duties=(rules.unit_types.get(unit.unit_type) or {}).get("duties", []),
        # issue #9 §9: this unit's sensitive grants awaiting a second person (decided on 人员)
        pending=[
            (g, rules.role_name(g.role))
            for g in org_queries.pending_grants(org)
            if g.unit_id == unit.pk and may_see(user, g)
        ],
        can_grant=can(_actor(request), "role.grant", unit),
        can_revoke=can(_actor(request), "role.revoke", unit),
        can_move=unit.parent_id is not None and can(_actor(request), "unit.move", unit),
        can_create=can(_actor(request), "unit.create", unit),
        grant_form=forms.get("grant_form") or GrantRoleForm(people=people, roles=rules.roles),
        move_form=forms.get("move_form")
        or MoveUnitForm(units=org.units.exclude(path__startswith=unit.path)),
        create_form=forms.get("create_form") or CreateUnitForm(unit_types=rules.unit_types),
    )
    return render(request, "orgs/unit_detail.html", ctx, status=forms.get("status", 200))


def _get_unit(request: HttpRequest, pk: int) -> Unit:
    return get_for(_actor(request), Unit.objects.select_related("organisation", "parent"), pk)


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_page(request, _get_unit(request, pk))


@login_required
@require_POST
def unit_grant(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _get_unit(request, pk)
    rules = rules_for(unit.organisation_id)
    form = GrantRoleForm(request.POST, people=_org_people(unit.organisation), roles=rules.roles)
    status = 400
    if form.is_valid():
        try:
            granted = org_actions.grant_role(
                form.cleaned_data["user"],
                unit,
                form.cleaned_data["role"],
                actor=_actor(request),
            )
        except PermissionDenied as e:
            messages.error(request, e.message)
            status = 403
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            if isinstance(granted, PendingGrant):
                messages.success(
                    request, "该角色属于敏感角色，已提请授予，须由第二人确认后生效（见“人员”页）。"
                )
            else:
                messages.success(request, _("Role granted."))
            return redirect("unit_detail", pk=unit.pk)
    return _unit_page(request, unit, grant_form=form, status=status)


@login_required
@require_POST
def membership_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_for(_actor(request), Membership.objects.select_related("unit", "user"), pk)
    try:
        org_actions.revoke_role(membership, actor=_actor(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Role revoked."))
    return redirect("unit_detail", pk=membership.unit_id)


@login_required
@require_POST
def unit_move(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _get_unit(request, pk)
    form = MoveUnitForm(request.POST, units=unit.organisation.units.all())
    status = 400
    if form.is_valid():
        try:
            org_actions.move_unit(
                unit, actor=_actor(request), new_parent=form.cleaned_data["new_parent"]
            )
        except PermissionDenied as e:
            messages.error(request, e.message)
            status = 403
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("Unit moved."))
            return redirect("unit_detail", pk=unit.pk)
    return _unit_page(request, unit, move_form=form, status=status)


@login_required
@require_POST
def unit_create_child(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _get_unit(request, pk)
    form = CreateUnitForm(request.POST, unit_types=rules_for(parent.organisation_id).unit_types)
    status = 400
    if form.is_valid():
        try:
            child = org_actions.create_unit(
                parent.organisation,
                actor=_actor(request),
                parent=parent,
                **form.cleaned_data,
            )
        except PermissionDenied as e:
            messages.error(request, e.message)
            status = 403
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("Unit created."))
            return redirect("unit_detail", pk=child.pk)
    return _unit_page(request, parent, create_form=form, status=status)


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    org = _current_org(request)
    if org is None:
        return redirect("dashboard")
    user = _actor(request)
    # person.view (the pack's scope): the people of the units one may see, nobody else's.
    if not may_anywhere(user, org, "person.view"):
        raise Http404
    rules = rules_for(org.pk)
    seen: dict[int, bool] = {}

    def sees(m: Membership) -> bool:
        if m.unit_id not in seen:
            seen[m.unit_id] = may_see_people_of(user, m.unit)
        return seen[m.unit_id]

    rows = [
        (person, [(m, rules.role_name(m.role)) for m in ms if sees(m)])
        for person, ms in org_queries.people_of(org)
    ]
    rows = [(p, ms) for p, ms in rows if ms]
    me = _actor(request)
    pending = [
        (g, rules.role_name(g.role), org_actions.may_decide_grant(g, me))
        for g in org_queries.pending_grants(org)
        if can(me, "role.grant", g.unit) or can(me, "role.confirm", g.unit)
    ]
    return render(request, "orgs/people_list.html", _ctx(request, org, rows=rows, pending=pending))


def _decide_grant(request: HttpRequest, pk: int, confirm: bool) -> HttpResponse:
    pending = get_for(
        _actor(request), PendingGrant.objects.select_related("unit", "user", "requested_by"), pk
    )
    try:
        if confirm:
            org_actions.confirm_grant(pending, actor=_actor(request))
        else:
            org_actions.refuse_grant(pending, actor=_actor(request))
    except PermissionDenied as e:
        messages.error(request, e.message)
        return redirect("people_list")
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已确认授予，角色即时生效。" if confirm else "已拒绝该授权。")
    return redirect("people_list")


@login_required
@require_POST
def grant_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue #9 §9: the second person confirms a sensitive grant."""
    return _decide_grant(request, pk, confirm=True)


@login_required
@require_POST
def grant_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue #9 §9: the second person refuses a sensitive grant."""
    return _decide_grant(request, pk, confirm=False)
