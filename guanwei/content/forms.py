from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanwei.channels import scope
from guanwei.channels.models import Channel, ChannelStatus
from guanwei.content.models import Asset, ExternalVia
from guanwei.orgs.models import Organisation, Unit
from guanwei.orgs.permissions import can
from guanwei.orgs.rules import OrgRules
from guanwei.widgets import LocalDateTimeInput


class MaterialForm(forms.Form):
    provider_unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Provider unit"))
    drop_box = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Drop box"))
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 8}))
    source = forms.CharField(label=_("Source"), max_length=200)
    assets = forms.ModelMultipleChoiceField(
        queryset=Asset.objects.none(), label=_("Pictures and attachments"), required=False
    )

    def __init__(self, *args: Any, units: Any, drop_boxes: Any, assets: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["provider_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["drop_box"].queryset = drop_boxes  # type: ignore[attr-defined]
        self.fields["assets"].queryset = assets  # type: ignore[attr-defined]
        _only_choice(self, "provider_unit", "drop_box")
        _library_hint(self)


def _only_choice(form: forms.Form, *names: str) -> None:
    """A list with one choice starts on it (no "— 请选择 —" to pick past)."""
    for name in names:
        field = form.fields[name]
        only = list(field.queryset[:2])  # type: ignore[attr-defined]
        if len(only) == 1:
            field.empty_label = None  # type: ignore[attr-defined]
            field.initial = only[0].pk


def _library_hint(form: forms.Form) -> None:
    """An empty picture list says where pictures come from, not a bare box."""
    field = form.fields["assets"]
    if not field.queryset.exists():  # type: ignore[attr-defined]
        field.help_text = _(
            "Nothing in the library yet: upload pictures and attachments there first."
        )


class ExternalForm(forms.Form):
    """E-07: a contribution from outside (the pack names whose), recorded by who runs the box."""

    drop_box = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Drop box"))
    name = forms.CharField(
        label=_("Sent by"),
        max_length=100,
        help_text=_("Who sent it, with their name."),
    )
    via = forms.ChoiceField(label=_("Received by"), choices=ExternalVia.choices)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 8}))
    assets = forms.ModelMultipleChoiceField(
        queryset=Asset.objects.none(), label=_("Pictures and attachments"), required=False
    )

    def __init__(self, *args: Any, drop_boxes: Any, assets: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["drop_box"].queryset = drop_boxes  # type: ignore[attr-defined]
        self.fields["assets"].queryset = assets  # type: ignore[attr-defined]
        _only_choice(self, "drop_box")
        _library_hint(self)


class ResubmitForm(forms.Form):
    """修改后重新报送: the returned material's text (its drop box and unit stay)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 8}))
    source = forms.CharField(label=_("Source"), max_length=200)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class PostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))
    category = forms.ChoiceField(label=_("Category"), choices=())
    subtype = forms.ChoiceField(label=_("Sub-type"), choices=(), required=False)
    column = forms.ChoiceField(label=_("Column"), choices=(), required=False)
    channels = forms.ModelMultipleChoiceField(
        queryset=Channel.objects.none(),
        label=_("Publish to"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one account to publish to.")},
    )
    assets = forms.ModelMultipleChoiceField(
        queryset=Asset.objects.none(), label=_("Pictures from the library"), required=False
    )
    source = forms.CharField(label=_("Source"), max_length=200, required=False)
    planned_at = forms.DateTimeField(
        label=_("Planned time"),
        required=False,
        widget=LocalDateTimeInput(),
    )
    # labelled from the pack's chain (OrgRules.flag_label), removed where the pack has none
    sensitive = forms.BooleanField(required=False)
    emergency = forms.BooleanField(required=False)

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        rules: OrgRules,
        units: Any = None,
        providers: Any = (),
        materials: Any = (),
        user: Any = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        # issue #10 §2: the flags are boxes only where the pack has their chain, in its words
        for flag in ("sensitive", "emergency"):
            label = rules.flag_label(flag)
            if not label:
                del self.fields[flag]
                continue
            self.fields[flag].label = label
            # W-12: where the chain names a permission (post.emergency), the box is only
            # for who holds it in one of the units; for the others the flag rides along
            # hidden (an edit keeps it as it was; a crafted tick is refused by the action)
            permission = rules.flag_permission(flag)
            if permission and not any(can(user, permission, u) for u in (units or [])):
                self.fields[flag].widget = forms.HiddenInput()
        from guanwei.content.actions import column_writers

        writers = [*(units or []), *(p for p in providers if p is not None)]
        kept = (self.initial or {}).get("column") or ""
        self.fields["category"].choices = [(c["key"], c["name"]) for c in rules.categories]  # type: ignore[attr-defined]
        self.fields["subtype"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (s["key"], f"{c['name']} · {s['name']}")
            for c in rules.categories
            for s in c.get("subtypes", [])
        ]
        owners = {
            u.key: u.name
            for u in Unit.objects.filter(
                organisation=organisation, key__in=[c.get("owner_unit") for c in rules.columns]
            )
        }
        self.fields["column"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (
                c["key"],
                f"{c['hashtag']} {c['name']}"
                if any(column_writers(u, c) for u in writers)
                # another department's column, approved by it (须经…审核)
                else f"{c['hashtag']} {c['name']}（"
                + _("approved by %(unit)s") % {"unit": owners.get(c["owner_unit"], "")}
                + "）",
            )
            for c in rules.columns
            # the columns these units may draft in, those another department
            # approves (owner_review), and the one the post has
            if c["key"] == kept
            or c.get("owner_review")
            or any(column_writers(u, c) for u in writers)
        ]
        # a pack without columns (or sub-types) shows no empty list (issue 10 §2: 专栏 is the
        # real-estate company's word); the field stays, hidden, so the value is "".
        for name in ("column", "subtype"):
            if len(self.fields[name].choices) == 1:  # type: ignore[attr-defined]
                self.fields[name].widget = forms.HiddenInput()
        # Only the accounts the units one writes for may address (issue 10: C-09, T-01,
        # T-02, W-05 — ``channels.scope``); the action refuses any other.
        ids = {c.pk for u in (units or []) for c in scope.addressable(u)}
        self.fields["channels"].queryset = Channel.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation, status=ChannelStatus.ACTIVE, pk__in=ids
        ).order_by("unit__path", "key")
        # the library of the units one writes for (issue #9 §3), not every unit's files
        # and the pictures of the material the post is written from (T-05 图文并茂, E-01:
        # the post's reviewers see what the provider sent)
        assets = Asset.objects.filter(organisation=organisation)
        sent = {a.pk for m in materials for a in m.assets.all()}
        self.fields["assets"].queryset = assets.filter(  # type: ignore[attr-defined]
            Q(unit__in=units or []) | Q(pk__in=sent)
        )


class TextForm(forms.Form):
    """A text for the content library (E-02)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    source = forms.CharField(label=_("Source"), max_length=200, required=False)


class AssetForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        # issue #9 §15: site.js refuses a larger file before the form is sent
        widget=forms.ClearableFileInput(attrs={"data-max-bytes": str(20 * 1024 * 1024)}),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)


WEEKDAYS_ZH = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


class WeekPlanForm(forms.Form):
    """R-03 周计划: a column's week, Monday to Sunday, one row a day (text, picture, time)."""

    column = forms.ChoiceField(label=_("Column"), choices=())
    week = forms.CharField(
        label=_("Week"), widget=forms.TextInput(attrs={"type": "week"}), max_length=10
    )
    channels = forms.ModelMultipleChoiceField(
        queryset=Channel.objects.none(),
        label=_("Publish to"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one account to publish to.")},
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        rules: OrgRules,
        units: Any = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["column"].choices = [  # type: ignore[attr-defined]
            (c["key"], f"{c['hashtag']} {c['name']}") for c in rules.columns
        ]
        # the accounts the units one writes for may address, as the post form (C-09, T-01)
        ids = {c.pk for u in (units or []) for c in scope.addressable(u)}
        self.fields["channels"].queryset = Channel.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation, status=ChannelStatus.ACTIVE, pk__in=ids
        ).order_by("unit__path", "key")
        for i in range(7):
            self.fields[f"body_{i}"] = forms.CharField(
                label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), required=False
            )
            self.fields[f"at_{i}"] = forms.TimeField(
                label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}), required=False
            )
            self.fields[f"picture_{i}"] = forms.FileField(label=_("Picture"), required=False)

    def clean_week(self) -> date:
        raw = self.cleaned_data["week"]
        try:
            return datetime.strptime(raw + "-1", "%G-W%V-%u").date()
        except ValueError:
            raise forms.ValidationError(_("Choose a week.")) from None

    def rows(self) -> list[dict[str, Any]]:
        """The seven day rows of the form, for the template (Monday first)."""
        monday = self.cleaned_data.get("week") if hasattr(self, "cleaned_data") else None
        return [
            {
                "name": WEEKDAYS_ZH[i],
                "day": monday + timedelta(days=i) if isinstance(monday, date) else None,
                "body": self[f"body_{i}"],
                "at": self[f"at_{i}"],
                "picture": self[f"picture_{i}"],
            }
            for i in range(7)
        ]
