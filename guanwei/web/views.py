"""The shell's pages: the dashboard (login and layout are the rest of the shell). The pages
of each room live in that room (orgs, channels, audit, packs, content, workflow, …)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from guanwei.audit.models import AuditRecord
from guanwei.audit.views import audit_verify_status
from guanwei.channels.models import Channel, ChannelStatus, RequiredFollow
from guanwei.orgs import queries as org_queries
from guanwei.orgs.models import Membership, PackApplication
from guanwei.orgs.pages import actor as _actor
from guanwei.orgs.pages import current_org as _current_org
from guanwei.orgs.pages import page_context as _ctx
from guanwei.orgs.permissions import can
from guanwei.orgs.rules import rules_for


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
            audit_verify=audit_verify_status(request) if can_audit else None,
        ),
    )
