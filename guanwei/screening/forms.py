from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guanwei.screening.models import SEVERITY_CHOICES

MAX_TEXT = 20_000


class ScreenForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 8})
    )
    channel_kind = forms.ChoiceField(label=_("Account kind"), required=False, choices=())
    title = forms.CharField(label=_("Title (WeChat)"), required=False, max_length=200)
    source = forms.CharField(label=_("Source"), required=False, max_length=200)
    has_picture = forms.BooleanField(label=_("Has a picture"), required=False)

    def __init__(self, *args: object, kinds: dict[str, dict], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [("", _("— any —"))] + [(k, v["name"]) for k, v in kinds.items()]
        self.fields["channel_kind"].choices = choices  # type: ignore[attr-defined]


class TermForm(forms.Form):
    term = forms.CharField(label=_("Term"), max_length=64)
    category = forms.CharField(label=_("Category"), max_length=32, initial="custom")
    severity = forms.ChoiceField(label=_("Handling"), choices=SEVERITY_CHOICES)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    pinyin = forms.BooleanField(label=_("Also match pinyin"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Word list (one term per line, UTF-8)"))
    category = forms.CharField(label=_("Category"), max_length=32, initial="custom")
    severity = forms.ChoiceField(label=_("Handling"), choices=SEVERITY_CHOICES)


class AllowPhraseForm(forms.Form):
    phrase = forms.CharField(label=_("Allow-phrase"), max_length=64)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
