"""Forms of the organisation pages: grant a role, move a unit, create a child unit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guanwei.orgs.models import Unit, User


class GrantRoleForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Person"), empty_label=_("— choose —")
    )
    role = forms.ChoiceField(choices=(), label=_("Role"))

    def __init__(self, *args: object, people: object, roles: dict[str, dict], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["user"].queryset = people  # type: ignore[attr-defined]
        self.fields["role"].choices = [(k, r["name"]) for k, r in roles.items()]  # type: ignore[attr-defined]


class MoveUnitForm(forms.Form):
    new_parent = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=_("New parent unit"), empty_label=_("— choose —")
    )

    def __init__(self, *args: object, units: object, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["new_parent"].queryset = units  # type: ignore[attr-defined]


class CreateUnitForm(forms.Form):
    key = forms.SlugField(label=_("Identifier"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=128)
    unit_type = forms.ChoiceField(choices=(), label=_("Unit type"))

    def __init__(self, *args: object, unit_types: dict[str, dict], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit_type"].choices = [(k, t["name"]) for k, t in unit_types.items()]  # type: ignore[attr-defined]
