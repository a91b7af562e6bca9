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
from guanwei.oversight.queries import correction_rule, deadlines_for
from guanwei.publishing.queries import failed_sends, waiting_for_accounts
from guanwei.web.menu import menu_for
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
            offer_second_factor=_offer_second_factor(_actor(request)),
            # a tile links only to a page the person may open (the menu's own gates)
            opens={link.url_name for link in menu_for(_actor(request), org)},
        ),
    )


def _offer_second_factor(user: User) -> bool:
    """GUANWEI_MFA=optional (the demo): a person whose work would need a second factor and
    who has none is invited (issue #9 §11: offered, not forced)."""
    from guanwei.orgs import second_factor

    return (
        second_factor.mode() == "optional"
        and second_factor.role_needs_second_factor(user)
        and not second_factor.has_second_factor(user)
    )


REVIEW_SHOWN = 99  # the count is exact up to here, then "99+" (the queue pages by 50)


def _needs(user: User, org: Organisation) -> dict[str, Any]:
    """What needs the person now, each from its room's queries, each only what they may act
    on: review items (the count the review queue shows), their deadlines with time left,
    new material in the drop boxes they run, failed sends they may retry, approved posts of
    other units waiting for an account they publish on (C-09, T-01: the post list's panel)."""
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
        "waiting": waiting_for_accounts(user, org, limit=10),
        "material_posts": content_queries.material_posts(user, org, limit=10),
        # W-11's correction notice only where the pack has its correction rule (issue #10 §2)
        "corrections": bool(correction_rule(org.pk)),
    }


# ---------------------------------------------------------------- two factors (issue #9 §11)


def _axes_failure(request: HttpRequest, username: str) -> bool:
    """A wrong code counts as a failed login for django-axes when it is installed (same
    lockout as wrong passwords). True when the person is now locked out."""
    from django.apps import apps

    if not apps.is_installed("axes"):
        return False
    from django.contrib.auth.signals import user_login_failed

    credentials = {"username": username}
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    from axes.handlers.proxy import AxesProxyHandler

    return bool(AxesProxyHandler.is_locked(request, credentials))


@login_required
def login_code(request: HttpRequest) -> HttpResponse:
    """Password → this page (a code from the authenticator, or a recovery code) → in."""
    from django.contrib import messages
    from django.contrib.auth import logout
    from django.shortcuts import redirect
    from django_otp import login as otp_login

    from guanwei.orgs import actions as org_actions
    from guanwei.orgs import second_factor
    from guanwei.orgs.account_views import safe_next

    person = _actor(request)
    if not second_factor.has_second_factor(person) or person.is_verified():  # type: ignore[attr-defined]
        return redirect(safe_next(request))
    error = ""
    if request.method == "POST":
        device = org_actions.verify_second_factor(person, request.POST.get("code", ""))
        if device is not None:
            otp_login(request, device)
            if device.__class__.__name__ == "StaticDevice":
                left = second_factor.recovery_codes_left(person)
                messages.warning(
                    request, f"您使用了一个备用验证码，还剩 {left} 个。用完前请重新生成。"
                )
            return redirect(safe_next(request))
        if _axes_failure(request, person.get_username()):
            logout(request)
            messages.error(request, "验证码错误次数过多，账号已暂时锁定，请稍后再试。")
            return redirect("login")
        totp = second_factor.authenticator(person)
        throttled = totp is not None and not totp.verify_is_allowed()[0]
        error = (
            "错误次数较多，请稍等片刻再输入新的验证码。"
            if throttled
            else "验证码不正确，请输入手机上当前显示的六位数字，或一个备用验证码。"
        )
    return render(
        request,
        "registration/login_code.html",
        {"error": error, "next": safe_next(request), "second_step": True},
        status=400 if error else 200,
    )
