from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanwei.channels.models import Channel
from guanwei.widgets import LocalDateTimeInput


class ScheduleForm(forms.Form):
    """When and where an approved post goes out. The choices follow the pack: its W-10
    slots ("next free slot", the default), its E-04 preferred windows ("next free time in
    a preferred window", named and spanned in the pack's words, the platform's peaks as
    hints), or neither — then a time is the default and no slot is offered (a pack without
    slots would refuse it every time)."""

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

    def __init__(
        self, *args: Any, channels: Any, organisation_id: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channels"].queryset = channels  # type: ignore[attr-defined]
        self.fields["channels"].initial = list(channels)
        if organisation_id is not None:
            self._follow_pack(organisation_id)

    def _follow_pack(self, organisation_id: int) -> None:
        from guanwei.publishing.slots import has_windows, peaks_for, slots_for

        when = self.fields["when"]
        slots = slots_for(organisation_id)
        if not slots:
            when.choices = [c for c in self.WHEN if c[0] != "next_slot"]  # type: ignore[attr-defined]
            when.initial = "at"
            return
        if not has_windows(organisation_id):
            return
        when.choices = [  # type: ignore[attr-defined]
            ("next_slot", _("Next free time in a preferred window")),
            *[c for c in self.WHEN if c[0] != "next_slot"],
        ]
        hints = [
            _("Preferred windows: %(windows)s.")
            % {"windows": "、".join(f"{s.name} {s.span}" for s in slots)}
        ]
        peaks = peaks_for(organisation_id)
        if peaks:
            hints.append(
                _("Peak hours (advice): %(peaks)s.")
                % {"peaks": "、".join(f"{p.name} {p.span}" for p in peaks)}
            )
        when.help_text = " ".join(str(h) for h in hints)

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
    return {
        "schedule_form": ScheduleForm(
            channels=data["schedule_channels"],
            organisation_id=getattr(post, "organisation_id", None),
        )
    }
