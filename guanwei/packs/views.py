"""The rule book page: the packs in force and their history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from guanwei.orgs.models import PackApplication
from guanwei.orgs.pages import current_org as _current_org
from guanwei.orgs.pages import page_context as _ctx
from guanwei.orgs.rules import rules_for
from guanwei.packs.enforcement import SECTIONS, document, not_enforced_part, rules_of


@login_required
def pack_page(request: HttpRequest) -> HttpResponse:
    org = _current_org(request)
    if org is None:
        return redirect("dashboard")
    rules = rules_for(org.pk)
    applications = PackApplication.objects.filter(organisation=org)
    # Rule by rule, whether the product enforces it today (issue #10 §6).
    order = {s.path: i for i, s in enumerate(SECTIONS)}
    found = [r for pack in rules.packs for r in rules_of(document(pack)) if r.shown]
    found.sort(key=lambda r: order.get(r.section, len(order)))  # stable: pack order within
    rows = [(r, not_enforced_part(r.enforcement)) for r in found]
    return render(
        request,
        "packs/packs.html",
        _ctx(request, org, rules=rules, applications=applications, rule_rows=rows),
    )
