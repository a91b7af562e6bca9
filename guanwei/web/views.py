"""Pages. Thin: parse, authorise (through the actions), call one action, respond."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanwei.audit.models import AuditRecord
from guanwei.audit.tasks import verify_audit_chain
from guanwei.channels import actions as channel_actions
from guanwei.channels.models import Channel, ChannelStatus, RequiredFollow
from guanwei.orgs import actions as org_actions
from guanwei.orgs import queries as org_queries
from guanwei.orgs.errors import DomainError, PermissionDenied
from guanwei.orgs.models import Membership, PackApplication, Unit
from guanwei.orgs.permissions import can
from guanwei.orgs.rules import rules_for
from guanwei.web.forms import ChannelForm, CreateUnitForm, GrantRoleForm, MoveUnitForm
from guanwei.web.helpers import actor as _actor
from guanwei.web.helpers import current_org as _current_org
from guanwei.web.helpers import org_people as _org_people
from guanwei.web.helpers import page_context as _ctx
from guanwei.web.helpers import visible as _visible

AUDIT_PAGE = 50


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    org = _current_org(request)
    if org is None:
        return render(request, "web/no_org.html", _ctx(request, None))
    channels = Channel.objects.filter(organisation=org)
    status_counts = dict(
        channels.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    rules = rules_for(org.pk)
    recent = []
    can_audit = can(_actor(request), "audit.view", org)
    if can_audit:
        recent = list(AuditRecord.objects.filter(organisation_id=org.pk)[:8])
    stats = {
        "units": org.units.count(),
        "people": org_queries.people_count(org),
        "channels": channels.count(),
        "active_channels": status_counts.get(ChannelStatus.ACTIVE, 0),
        "pending_channels": status_counts.get(ChannelStatus.PENDING, 0),
        "verified_channels": channels.filter(verified=True).count(),
        "follows": RequiredFollow.objects.filter(follower__organisation=org).count(),
        "audit_records": AuditRecord.objects.filter(organisation_id=org.pk).count(),
    }
    my_roles = Membership.objects.filter(
        user=_actor(request), revoked_at__isnull=True, unit__organisation=org
    ).select_related("unit")
    return render(
        request,
        "web/dashboard.html",
        _ctx(
            request,
            org,
            stats=stats,
            principles=rules.principles,
            recent=recent,
            my_roles=[(m, rules.role_name(m.role)) for m in my_roles],
            packs=PackApplication.objects.filter(organisation=org, in_force_until__isnull=True),
            can_audit=can_audit,
            audit_verify=_audit_verify_status(request) if can_audit else None,
        ),
    )


@login_required
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Enqueue a chain verification for the task worker; the dashboard polls the result."""
    org = _current_org(request)
    if org is None or not can(_actor(request), "audit.view", org):
        raise Http404
    result = verify_audit_chain.enqueue()
    request.session["audit_verify_task"] = str(result.id)
    messages.info(request, _("Audit chain verification queued."))
    return redirect("dashboard")


def _audit_verify_status(request: HttpRequest) -> dict[str, Any] | None:
    task_id = request.session.get("audit_verify_task")
    if not task_id:
        return None
    try:
        result = verify_audit_chain.get_result(task_id)
    except Exception:  # the result was pruned or the backend changed
        return None
    status = str(result.status)
    return {"status": status, "value": result.return_value if status == "SUCCESSFUL" else None}


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    org = _current_org(request)
    if org is None:
        return redirect("dashboard")
    rules = rules_for(org.pk)
    units = org_queries.unit_tree(org)
    rows = [(u, rules.unit_type_name(u.unit_type)) for u in units]
    return render(request, "web/unit_list.html", _ctx(request, org, rows=rows))


def _unit_page(request: HttpRequest, unit: Unit, **forms: Any) -> HttpResponse:
    org = unit.organisation
    rules = rules_for(org.pk)
    people = _org_people(org)
    ctx = _ctx(
        request,
        org,
        unit=unit,
        unit_type_name=rules.unit_type_name(unit.unit_type),
        ancestors=list(unit.ancestors()),
        children=list(unit.children.order_by("path")),
        memberships=[(m, rules.role_name(m.role)) for m in org_queries.active_memberships(unit)],
        channels=list(unit.channels.all()),
        duties=(rules.unit_types.get(unit.unit_type) or {}).get("duties", []),
        can_grant=can(_actor(request), "role.grant", unit),
        can_revoke=can(_actor(request), "role.revoke", unit),
        can_move=unit.parent_id is not None and can(_actor(request), "unit.move", unit),
        can_create=can(_actor(request), "unit.create", unit),
        grant_form=forms.get("grant_form") or GrantRoleForm(people=people, roles=rules.roles),
        move_form=forms.get("move_form")
        or MoveUnitForm(units=org.units.exclude(path__startswith=unit.path)),
        create_form=forms.get("create_form") or CreateUnitForm(unit_types=rules.unit_types),
    )
    return render(request, "web/unit_detail.html", ctx, status=forms.get("status", 200))


def _get_unit(request: HttpRequest, pk: int) -> Unit:
    unit = get_object_or_404(Unit.objects.select_related("organisation", "parent"), pk=pk)
    _visible(request, unit.organisation_id)
    return unit


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
            org_actions.grant_role(
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
            messages.success(request, _("Role granted."))
            return redirect("unit_detail", pk=unit.pk)
    return _unit_page(request, unit, grant_form=form, status=status)


@login_required
@require_POST
def membership_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("unit", "user"), pk=pk)
    _visible(request, membership.unit.organisation_id)
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
    rules = rules_for(org.pk)
    rows = [
        (person, [(m, rules.role_name(m.role)) for m in ms])
        for person, ms in org_queries.people_of(org)
    ]
    return render(request, "web/people_list.html", _ctx(request, org, rows=rows))


@login_required
def channel_list(request: HttpRequest) -> HttpResponse:
    org = _current_org(request)
    if org is None:
        return redirect("dashboard")
    rules = rules_for(org.pk)
    channels = Channel.objects.filter(organisation=org).select_related(
        "unit", "manager", "responsible"
    )
    rows = [(c, rules.channel_kinds.get(c.kind, {}).get("name", c.kind)) for c in channels]
    return render(request, "web/channel_list.html", _ctx(request, org, rows=rows))


def _channel_page(
    request: HttpRequest, channel: Channel, form: ChannelForm | None = None, status: int = 200
) -> HttpResponse:
    org = channel.organisation
    people = _org_people(org)
    if form is None:
        form = ChannelForm(
            people=people,
            initial={
                "name": channel.name,
                "account_id": channel.account_id,
                "purpose": channel.purpose,
                "manager": channel.manager,
                "responsible": channel.responsible,
                "status": channel.status,
                "verified": channel.verified,
            },
        )
    history = AuditRecord.objects.filter(object_type="channel", object_id=str(channel.pk))[:20]
    ctx = _ctx(
        request,
        org,
        channel=channel,
        kind_name=rules_for(org.pk).channel_kinds.get(channel.kind, {}).get("name", channel.kind),
        must_follow=channel.must_follow.select_related("followee"),
        followed_by=channel.must_be_followed_by.select_related("follower"),
        can_change=can(_actor(request), "channel.change", channel),
        form=form,
        history=history if can(_actor(request), "audit.view", channel) else [],
    )
    return render(request, "web/channel_detail.html", ctx, status=status)


@login_required
def channel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.select_related("organisation", "unit"), pk=pk)
    _visible(request, channel.organisation_id)
    if request.method == "POST":
        form = ChannelForm(request.POST, people=_org_people(channel.organisation))
        status = 400
        if form.is_valid():
            try:
                channel_actions.change_channel(channel, actor=_actor(request), **form.cleaned_data)
            except PermissionDenied as e:
                messages.error(request, e.message)
                status = 403
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, _("Account saved."))
                return redirect("channel_detail", pk=channel.pk)
        return _channel_page(request, channel, form, status=status)
    return _channel_page(request, channel)


@login_required
def follow_list(request: HttpRequest) -> HttpResponse:
    org = _current_org(request)
    if org is None:
        return redirect("dashboard")
    follows = RequiredFollow.objects.filter(follower__organisation=org).select_related(
        "follower", "followee", "follower__unit", "followee__unit"
    )
    return render(request, "web/follow_list.html", _ctx(request, org, follows=follows))


@login_required
def pack_page(request: HttpRequest) -> HttpResponse:
    org = _current_org(request)
    if org is None:
        return redirect("dashboard")
    rules = rules_for(org.pk)
    applications = PackApplication.objects.filter(organisation=org)
    return render(
        request, "web/packs.html", _ctx(request, org, rules=rules, applications=applications)
    )


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """Keyset pagination on seq: no COUNT(*) over the whole table."""
    org = _current_org(request)
    if org is None or not can(_actor(request), "audit.view", org):
        raise Http404
    qs = AuditRecord.objects.filter(organisation_id=org.pk).order_by("-seq")
    before = request.GET.get("before", "")
    if before.isdigit():
        qs = qs.filter(seq__lt=int(before))
    records = list(qs[: AUDIT_PAGE + 1])
    more = len(records) > AUDIT_PAGE
    records = records[:AUDIT_PAGE]
    return render(
        request,
        "web/audit_list.html",
        _ctx(request, org, records=records, next_before=records[-1].seq if more else None),
    )
