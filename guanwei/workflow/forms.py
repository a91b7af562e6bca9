from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanwei.orgs.models import User
from guanwei.widgets import LocalDateTimeInput


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label=_("Opinion"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    acknowledge_hits = forms.BooleanField(
        label=_("I have checked the highlighted terms"), required=False
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (returned to the editor)"), widget=forms.Textarea(attrs={"rows": 2})
    )


class RefuseRequestForm(forms.Form):
    """R-06 附二: refusing an authorisation request sends it back to the person who asked
    (there is no editor and no post to revise)."""

    reason = forms.CharField(
        label=_("Reason (the request goes back to the requester)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DelegationForm(forms.Form):
    chain_key = forms.ChoiceField(label=_("Approval chain"), choices=())
    delegate = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Deputy"))
    absent = forms.ModelChoiceField(queryset=User.objects.none(), label=_("On behalf of"))
    ends_at = forms.DateTimeField(label=_("Until"), widget=LocalDateTimeInput())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(
        self,
        *args: Any,
        chains: list[tuple[str, str]],
        people: Any,
        absent: Any = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["chain_key"].choices = chains  # type: ignore[attr-defined]
        self.fields["delegate"].queryset = people  # type: ignore[attr-defined]
        self.fields["absent"].queryset = people if absent is None else absent  # type: ignore[attr-defined]


def post_panel_forms(post: object, data: object) -> dict[str, forms.Form]:
    """The review panel's empty forms (the step views pass bound ones back on a refusal)."""
    return {"approve_form": ApproveForm(), "reject_form": RejectForm()}
