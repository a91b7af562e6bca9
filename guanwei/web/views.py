"""The shell's pages: the dashboard (login and layout are the rest of the shell). The pages
of each room live in that room (orgs, channels, audit, packs, content, workflow, …)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from guanwei.audit.models import AuditRecord
from guanwei.audit.views import audit_verify_status
from guanwei.channels.models import Channel, ChannelStatus, RequiredFollow
from guanwei.content import queries as content_queries
from guanwei.orgs import queries as org_queries
from guanwei.orgs.models import Membership, Organisation, PackApplication, User
from guanwei.orgs.pages import actor as _actor
from guanwei.orgs.pages import current_org as _current_org
from guanwei.orgs.pages import page_context as _ctx
from guanwei.orgs.permissions import can
from guanwei.orgs.rules import rules_for
from guanwei.oversight.queries import deadlines_for
from guanwei.publishing.queries import failed_sends
from guanwei.workflow.queries import review_queue


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
    needs = _needs(_actor(request), org)
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
            needs=needs,
            principles=rules.principles,
            recent=recent,
            my_roles=[(m, rules.role_name(m.role)) for m in my_roles],
            packs=PackApplication.objects.filter(organisation=org, in_force_until__isnull=True),
            can_audit=can_audit,
            audit_verify=audit_verify_status(request) if can_audit else None,
        ),
    )


REVIEW_SHOWN = 99  # the count is exact up to here, then "99+" (the queue pages by 50)


def _needs(user: User, org: Organisation) -> dict[str, Any]:
    """What needs the person now, each from its room's queries, each only what they may act
    on: review items (the count the review queue shows), their deadlines with time left,
    new material in the drop boxes they run, failed sends they may retry."""
    queue = review_queue(user, limit=REVIEW_SHOWN + 1)
    boxes = content_queries.units_where(user, org, "dropbox.manage")
    new_material = content_queries.new_material(boxes)
    deadlines = deadlines_for(user, org)  # the list 我的时限 links to (the same query)
    return {
        "review_count": len(queue),
        "review_more": len(queue) > REVIEW_SHOWN,
        "review_items": queue[:5],
        "deadline_count": len(deadlines),
        "deadlines": deadlines[:10],
        "has_dropbox": bool(boxes),
        "dropbox_count": new_material.count() if boxes else 0,
        "dropbox_items": list(new_material[:5]) if boxes else [],
        "failed": failed_sends(user, org, limit=10),
        "material_posts": content_queries.material_posts(user, org, limit=10),
    }
