"""Pages of the official accounts (REQ C-01, C-08, W-07): the list, one account, the required
follows, and the printable forms (C-02, R-05, R-06) filled from the account's data, with the
signature rows left for the paper (the opinions are signed by hand)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from guanwei.audit.actions import record_read
from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.channels import actions as channel_actions
from guanwei.channels import queries as channel_queries
from guanwei.channels import scope
from guanwei.channels.access import may_open_channel_list, status_choices
from guanwei.channels.forms import (
    AccountApplyForm,
    ApplicationForm,
    AuthorisationForm,
    ChannelForm,
    PeopleChangeForm,
)
from guanwei.channels.models import Channel, RequiredFollow
from guanwei.core.errors import DomainError, PermissionDenied
from guanwei.documents.account_application import AccountApplicationData, account_application_pdf
from guanwei.documents.authorisation import AuthorisationFormData, authorisation_pdf
from guanwei.orgs.access import get_for, may_see
from guanwei.orgs.models import User
from guanwei.orgs.pages import actor as _actor
from guanwei.orgs.pages import current_org as _current_org
from guanwei.orgs.pages import org_people as _org_people
from guanwei.orgs.pages import page_context
from guanwei.orgs.permissions import can
from guanwei.orgs.rules import rules_for


def _printed(request: HttpRequest, channel: Channel, form: str) -> None:
    """One audit record per printed form (issue #9 §19)."""
    record_read(
        AuditAction.FORM_PRINTED,
        actor=_actor(request),
        object_type="channel",
        object_id=channel.pk,
        object_repr=channel.name,
        organisation_id=channel.organisation_id,
        details={"form": form},
    )


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _form_chain(channel: Channel, form: str) -> dict[str, Any]:
    """The pack's printed form ``form`` (issue #10 §2: its title, opinion rows and note
    come from the chain with ``form = ...``); 404 where the pack has no such form."""
    chain = rules_for(channel.organisation_id).form_chain(form)
    if chain is None:
        raise Http404
    return {
        "title": chain.get("form_title") or chain["name"],
        "steps": tuple((s["name"], s.get("sign") or "签字：") for s in chain["steps"]),
        "note": chain.get("form_note") or "",
    }


@login_required
def application_page(request: HttpRequest, pk: int) -> HttpResponse:
    """C-02, C-03 (college 第四条): the account's 审批表 — fill one in (its manager, its
    responsible person, or who may change the account), it goes through the pack's chain;
    the applications so far, each printable once approved with its opinions."""
    from guanwei.workflow.actions.application import application_chain, may_request_application
    from guanwei.workflow.models import AccountApplication

    user = _actor(request)
    channel = get_for(user, Channel.objects.select_related("organisation", "unit"), pk)
    chain = application_chain(channel.organisation_id)
    if chain is None:
        raise Http404
    may_request = may_request_application(user, channel)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST":
        if not may_request:
            from django.core.exceptions import PermissionDenied as Forbidden

            raise Forbidden
        if form.is_valid():
            from guanwei.workflow.actions import request_application

            try:
                item = request_application(channel, actor=user, **form.cleaned_data)
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                messages.success(
                    request,
                    _("Application recorded: it now waits for %(step)s.")
                    % {"step": chain["steps"][0]["name"]},
                )
                return redirect("application_detail", pk=item.pk)
    applications = [
        a
        for a in AccountApplication.objects.filter(channel=channel).select_related("requested_by")[
            :50
        ]
        if may_see(user, a)
    ]
    return render(
        request,
        "channels/application_page.html",
        page_context(
            request,
            channel.organisation,
            channel=channel,
            chain=chain,
            title=chain.get("form_title") or chain["name"],
            form=form if may_request else None,
            applications=applications,
        ),
        status=400 if request.method == "POST" else 200,
    )


@login_required
def application_form(request: HttpRequest, pk: int) -> HttpResponse:
    """C-02: 官方微信、微博、二级网站申请审批表, filled from the account record: the latest
    approved application's, with its opinions from the run (its own PDF); the form with
    empty opinion rows only while the account has none."""
    channel = get_for(
        _actor(request),
        Channel.objects.select_related("unit", "organisation", "manager", "responsible"),
        pk,
    )
    form = _form_chain(channel, "application")
    from guanwei.workflow.models import AccountApplication, AuthorisationStatus

    approved = (
        AccountApplication.objects.filter(channel=channel, status=AuthorisationStatus.APPROVED)
        .order_by("-decided_at", "-id")
        .first()
    )
    if approved is not None:
        return redirect("application_pdf", pk=approved.pk)
    manager, responsible = channel.manager, channel.responsible
    data = AccountApplicationData(
        organisation=channel.organisation.name,
        department=channel.unit.name,
        applied_on=timezone.localdate(channel.created),
        account_number=channel.account_id,
        account_name=channel.name,
        account_id=channel.account_id,
        other_media="",
        purpose=channel.purpose,
        manager_name=str(manager or ""),
        manager_title=manager.title if manager else "",
        manager_phone=manager.phone if manager else "",
        manager_qq="",
        responsible_name=str(responsible or ""),
        responsible_title=responsible.title if responsible else "",
        responsible_phone=responsible.phone if responsible else "",
        decisions=(),
        generated_at=timezone.now(),
        **form,
    )
    _printed(request, channel, "account_application")
    return _pdf(account_application_pdf(data), f"application-{channel.key}.pdf")


@login_required
def authorisation_form(request: HttpRequest, pk: int) -> HttpResponse:
    """R-06 附二: 官方微博授权审批表 for this account, to print and sign."""
    channel = get_for(_actor(request), Channel.objects.select_related("organisation", "unit"), pk)
    printed = _form_chain(channel, "authorisation")
    printed.pop("note")
    form = AuthorisationForm(request.POST or None)
    from guanwei.workflow.actions.authorisation import (
        authorisation_chain,
        may_request_authorisation,
    )
    from guanwei.workflow.models import AuthorisationRequest

    chain = authorisation_chain(channel.organisation_id)
    if chain is not None:
        # where the pack has an authorisation chain the form is a request that goes
        # through it (recorded, decided step by step), printed only once approved.
        may_request = may_request_authorisation(_actor(request), channel)
        if request.method == "POST" and may_request and form.is_valid():
            from guanwei.workflow.actions import request_authorisation

            try:
                item = request_authorisation(channel, actor=_actor(request), **form.cleaned_data)
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                messages.success(
                    request,
                    _("Authorisation request recorded: it now waits for %(step)s.")
                    % {"step": chain["steps"][0]["name"]},
                )
                return redirect("authorisation_detail", pk=item.pk)
        requests = [
            r
            for r in AuthorisationRequest.objects.filter(channel=channel).select_related(
                "requested_by"
            )[:50]
            if may_see(_actor(request), r)
        ]
        return render(
            request,
            "channels/authorisation_form.html",
            page_context(
                request,
                channel.organisation,
                channel=channel,
                form=form if may_request else None,
                chain=chain,
                requests=requests,
            ),
            status=400 if request.method == "POST" else 200,
        )
    if request.method == "POST" and form.is_valid():
        d: dict[str, Any] = form.cleaned_data
        valid_from: datetime | None = d["valid_from"]
        data = AuthorisationFormData(
            organisation=channel.organisation.name,
            account=channel.name,
            platform=channel.get_platform_display(),
            grantee=d["grantee"],
            grantee_title=d["grantee_title"],
            scope=d["scope"],
            reason=d["reason"],
            valid_from=valid_from,
            valid_until=d["valid_until"],
            decisions=(),
            generated_at=timezone.now(),
            **printed,
        )
        _printed(request, channel, "authorisation")
        return _pdf(authorisation_pdf(data), f"authorisation-{channel.key}.pdf")
    return render(
        request,
        "channels/authorisation_form.html",
        page_context(request, channel.organisation, channel=channel, form=form),
        status=400 if request.method == "POST" else 200,
    )


@login_required
def channel_list(request: HttpRequest) -> HttpResponse:
    org = _current_org(request)
    if org is None:
        return redirect("dashboard")
    rules = rules_for(org.pk)
    user = _actor(request)
    if not may_open_channel_list(user, org):
        raise Http404
    channels = [
        c
        for c in Channel.objects.filter(organisation=org).select_related(
            "unit", "manager", "responsible"
        )
        if may_see(user, c)
    ]
    rows = [(c, rules.channel_kinds.get(c.kind, {}).get("name", c.kind)) for c in channels]
    from guanwei.workflow.actions.application import may_apply_for_account

    return render(
        request,
        "channels/channel_list.html",
        page_context(request, org, rows=rows, may_apply=may_apply_for_account(user, org)),
    )


def _unit_people(organisation: Any, units: Any) -> Any:
    """The eligible people of ``units``: active, holding a role there (C-03, 谁主办谁负责)."""
    return (
        _org_people(organisation)
        .filter(
            pk__in=User.objects.filter(
                is_active=True,
                memberships__unit__in=units,
                memberships__revoked_at__isnull=True,
            ).values("pk")
        )
        .order_by("username")
    )


@login_required
def channel_apply(request: HttpRequest) -> HttpResponse:
    """C-02, W-04: 申请开通官方账号 — the 审批表's fields; the account is registered 待开通 and
    the form goes through the pack's chain (college: five opinions; weather bureau: the
    Business Section). Only those the pack lets apply (``channel.apply``) reach it."""
    from guanwei.orgs.models import Unit
    from guanwei.workflow.actions.application import (
        application_chain,
        apply_for_account,
        apply_units,
    )

    org = _current_org(request)
    if org is None:
        return redirect("dashboard")
    user = _actor(request)
    units = apply_units(user, org)
    if not units:
        raise Http404
    chain = application_chain(org.pk)
    assert chain is not None
    rules = rules_for(org.pk)
    kinds = [(k, v.get("name", k)) for k, v in rules.channel_kinds.items()]
    unit_qs = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("path")
    form = AccountApplyForm(
        request.POST or None,
        units=unit_qs,
        kinds=kinds,
        people=_unit_people(org, unit_qs),
        initial={"applied_on": timezone.localdate(), "unit": units[0].pk},
    )
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        unit = d.pop("unit")
        try:
            item = apply_for_account(unit, actor=user, **d)
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(
                request,
                f"申请已提交：账号“{item.channel.name}”待开通，现等待{chain['steps'][0]['name']}。",
            )
            return redirect("application_detail", pk=item.pk)
    return render(
        request,
        "channels/channel_apply.html",
        page_context(
            request,
            org,
            form=form,
            chain=chain,
            title=chain.get("form_title") or chain["name"],
        ),
        status=400 if request.method == "POST" else 200,
    )


def may_change_people(user: User, channel: Channel) -> bool:
    """The 申请变更负责人/管理员 button (C-03): the pack has the chain, the account is open,
    the person may fill in its 审批表."""
    from guanwei.channels.models import ChannelStatus
    from guanwei.workflow.actions.application import application_chain, may_request_application

    return (
        channel.status in (ChannelStatus.ACTIVE, ChannelStatus.SUSPENDED)
        and application_chain(channel.organisation_id) is not None
        and may_request_application(user, channel)
    )


@login_required
def channel_change_people(request: HttpRequest, pk: int) -> HttpResponse:
    """C-03, W-16: 申请变更负责人/管理员 — the new people on a new 审批表 through the chain;
    on approval they take over and the password is due for a change at once."""
    from guanwei.workflow.actions.application import application_chain, request_people_change

    user = _actor(request)
    channel = get_for(
        user, Channel.objects.select_related("organisation", "unit", "manager", "responsible"), pk
    )
    if not may_change_people(user, channel):
        from django.core.exceptions import PermissionDenied as Forbidden

        raise Forbidden  # the account is visible: 403, not 404
    chain = application_chain(channel.organisation_id)
    assert chain is not None
    form = PeopleChangeForm(
        request.POST or None,
        people=_staff_people(channel),
        initial={
            "applied_on": timezone.localdate(),
            "manager": channel.manager,
            "responsible": channel.responsible,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = request_people_change(channel, actor=user, **form.cleaned_data)
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, f"变更申请已提交，现等待{chain['steps'][0]['name']}。")
            return redirect("application_detail", pk=item.pk)
    return render(
        request,
        "channels/channel_change_people.html",
        page_context(
            request,
            channel.organisation,
            channel=channel,
            form=form,
            chain=chain,
            title=chain.get("form_title") or chain["name"],
        ),
        status=400 if request.method == "POST" else 200,
    )


def people_history(channel: Channel, limit: int = 20) -> list[dict[str, Any]]:
    """C-03: each change of the manager or the responsible person, old → new, by name
    (the audit snapshot keeps the username)."""
    rows = AuditRecord.objects.filter(
        object_type="channel", object_id=str(channel.pk), action=AuditAction.CHANNEL_CHANGED
    ).order_by("-id")[:200]
    names: dict[str, str] = {}

    def name(username: str | None) -> str:
        if not username:
            return "—"
        if username not in names:
            person = User.objects.filter(username=username).first()
            names[username] = str(person) if person else username
        return names[username]

    out: list[dict[str, Any]] = []
    for r in rows:
        before, after = r.before or {}, r.after or {}
        for field, label in (("manager", _("Manager")), ("responsible", _("Responsible person"))):
            if field in after and before.get(field) != after.get(field):
                out.append(
                    {
                        "at": r.created,
                        "label": label,
                        "old": name(before.get(field)),
                        "new": name(after.get(field)),
                        "by": name(r.actor_name)
                        if r.actor_name and r.actor_name != "system"
                        else _("System"),
                    }
                )
    return out[:limit]


def _staff_people(channel: Channel) -> Any:
    """Whom the form offers as manager and responsible person: the people of the account's
    own unit and of the units the pack names to run it (C-03, the same test as
    ``change_channel``), and whoever holds the post today."""
    staff = Q(
        is_active=True,
        memberships__unit__in=scope.staff_units(channel),
        memberships__revoked_at__isnull=True,
    )
    current = Q(pk__in=[pk for pk in (channel.manager_id, channel.responsible_id) if pk])
    return (
        _org_people(channel.organisation)
        .filter(pk__in=User.objects.filter(staff | current).values("pk"))
        .order_by("username")
    )


def _channel_page(
    request: HttpRequest, channel: Channel, form: ChannelForm | None = None, status: int = 200
) -> HttpResponse:
    org = channel.organisation
    people = _staff_people(channel)
    if form is None:
        form = ChannelForm(
            people=people,
            statuses=status_choices(_actor(request), channel),
            initial={
                "name": channel.name,
                "account_id": channel.account_id,
                "purpose": channel.purpose,
                "manager": channel.manager,
                "responsible": channel.responsible,
                "status": channel.status,
                "verified": channel.verified,
                "mailbox": channel.mailbox,
            },
        )
    history = AuditRecord.objects.filter(object_type="channel", object_id=str(channel.pk))[:20]
    user = _actor(request)
    rules = rules_for(org.pk)
    ctx = page_context(
        request,
        org,
        channel=channel,
        kind_name=rules.channel_kinds.get(channel.kind, {}).get("name", channel.kind),
        # issue #10 §2: the printed forms the pack has (C-02 / W-04, R-06), no others
        application_form=rules.form_chain("application"),
        authorisation_form=rules.form_chain("authorisation"),
        must_follow=channel.must_follow.select_related("followee"),
        followed_by=channel.must_be_followed_by.select_related("follower"),
        can_change=can(_actor(request), "channel.change", channel),
        may_change_people=may_change_people(user, channel),
        form=form,
        history=history if can(_actor(request), "audit.view", channel) else [],
        custodians=channel_queries.custodians(channel),
        people_history=people_history(channel)
        if can(user, "channel.change", channel) or can(user, "audit.view", channel)
        else [],
        staff_units=scope.staff_units(channel),
    )
    return render(request, "channels/channel_detail.html", ctx, status=status)


@login_required
def channel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_for(_actor(request), Channel.objects.select_related("organisation", "unit"), pk)
    if request.method == "POST":
        form = ChannelForm(
            request.POST,
            people=_staff_people(channel),
            statuses=status_choices(_actor(request), channel),
        )
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
    user = _actor(request)
    if not may_open_channel_list(user, org):
        raise Http404
    follows = [
        f
        for f in RequiredFollow.objects.filter(follower__organisation=org).select_related(
            "follower", "followee", "follower__unit", "followee__unit"
        )
        if may_see(user, f)
    ]
    return render(request, "channels/follow_list.html", page_context(request, org, follows=follows))
