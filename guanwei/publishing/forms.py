from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanwei.channels.models import Channel
from guanwei.widgets import LocalDateTimeInput


class ScheduleForm(forms.Form):
    WHEN = [("next_slot", _("Next free slot")), ("at", _("At a time")), ("now", _("Now"))]
    when = forms.ChoiceField(
        label=_("When"), choices=WHEN, initial="next_slot", widget=forms.RadioSelect
    )
    at = forms.DateTimeField(
        label=_("Time"),
        required=False,
        widget=LocalDateTimeInput(),
    )
    channels = forms.ModelMultipleChoiceField(
        queryset=Channel.objects.none(), label=_("Accounts"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, channels: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channels"].queryset = channels  # type: ignore[attr-defined]
        self.fields["channels"].initial = list(channels)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("when") == "at" and not data.get("at"):
            self.add_error("at", _("Give the time."))
        return data


class CalendarDayForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    workday = forms.TypedChoiceField(
        label=_("Kind"),
        coerce=lambda v: v == "1",
        choices=[("0", _("Holiday (rest day)")), ("1", _("Adjusted working day"))],
    )
    note = forms.CharField(label=_("Note"), max_length=64, required=False)


def post_panel_forms(post: object, data: Any) -> dict[str, forms.Form]:
    """The publishing panel's empty schedule form (the schedule view passes a bound one)."""
    return {"schedule_form": ScheduleForm(channels=data["schedule_channels"])}
