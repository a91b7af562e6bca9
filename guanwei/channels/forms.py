"""Forms of the account pages: change an account, fill the authorisation form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guanwei.channels.models import ChannelStatus
from guanwei.orgs.models import User


class AuthorisationForm(forms.Form):
    grantee = forms.CharField(label=_("Authorised person"), max_length=64)
    grantee_title = forms.CharField(label=_("Job title"), max_length=64, required=False)
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


class ApplicationForm(forms.Form):
    """The account application form (审批表, C-02): what is asked and why; the account's
    data and its people come from the account record."""

    kind = forms.ChoiceField(
        label=_("Application for"),
        choices=[
            ("open", _("Opening the account")),
            ("change", _("Change of responsible person or manager")),
        ],
    )
    purpose = forms.CharField(
        label=_("Purpose and publishing scope"), widget=forms.Textarea(attrs={"rows": 3})
    )
    other_media = forms.CharField(label=_("Other new media"), max_length=128, required=False)


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("Account name"), max_length=128)
    account_id = forms.CharField(label=_("Account ID"), max_length=128, required=False)
    purpose = forms.CharField(
        label=_("Purpose and publishing scope"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    manager = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Manager"), required=False, empty_label=_("— none —")
    )
    responsible = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Responsible person"),
        required=False,
        empty_label=_("— none —"),
    )
    status = forms.ChoiceField(choices=ChannelStatus.choices, label=_("Status"))
    verified = forms.BooleanField(label=_("Real-name verified"), required=False)
    mailbox = forms.EmailField(label=_("Registration mailbox"), max_length=200, required=False)

    def __init__(
        self,
        *args: object,
        people: object,
        statuses: list[tuple[str, str]] | None = None,
        **kwargs: object,
    ):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if statuses is not None:  # only the statuses this person may set (issue #10 §6)
            field = self.fields["status"]
            field.choices = statuses  # type: ignore[attr-defined]
            if len(statuses) == 1:
                field.disabled = True
                field.initial = statuses[0][0]
                field.help_text = _("Opening or closing the account needs the approval right.")
        self.fields["manager"].queryset = people  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = people  # type: ignore[attr-defined]
