"""Printable forms of an official account (REQ C-02, R-05, R-06): filled from the account's
data, with the signature rows left for the paper (the opinions are signed by hand)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanwei.channels.models import Channel
from guanwei.documents.account_application import AccountApplicationData, account_application_pdf
from guanwei.documents.authorisation import AuthorisationFormData, authorisation_pdf
from guanwei.web.helpers import page_context, visible


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def application_form(request: HttpRequest, pk: int) -> HttpResponse:
    """C-02: 官方微信、微博、二级网站申请审批表, filled from the account record."""
    channel = get_object_or_404(
        Channel.objects.select_related("unit", "organisation", "manager", "responsible"), pk=pk
    )
    visible(request, channel.organisation_id)
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
    )
    return _pdf(account_application_pdf(data), f"application-{channel.key}.pdf")


class AuthorisationForm(forms.Form):
    grantee = forms.CharField(label=_("Authorised person"), max_length=64)
    grantee_title = forms.CharField(label=_("Title"), max_length=64, required=False)
    scope = forms.CharField(label=_("Scope of the authorisation"), max_length=200)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    valid_from = forms.DateTimeField(
        label=_("Valid from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    valid_until = forms.DateTimeField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


@login_required
def authorisation_form(request: HttpRequest, pk: int) -> HttpResponse:
    """R-06 附二: 官方微博授权审批表 for this account, to print and sign."""
    channel = get_object_or_404(Channel.objects.select_related("organisation"), pk=pk)
    visible(request, channel.organisation_id)
    form = AuthorisationForm(request.POST or None)
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
        )
        return _pdf(authorisation_pdf(data), f"authorisation-{channel.key}.pdf")
    return render(
        request,
        "web/authorisation_form.html",
        page_context(request, channel.organisation, channel=channel, form=form),
        status=400 if request.method == "POST" else 200,
    )
