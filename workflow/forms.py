"""Forms of the coordinator's schedule page: stage due days and the calendar's swapped days."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .deadlines import LADDER
from .models import CalendarException

DATE_ERRORS = {"invalid": _("Enter a date as dd/mm/yyyy.")}


class StageScheduleForm(forms.Form):
    """One offset and one optional fixed day per stage, named offset-<stage> and fixed-<stage>."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for stage in LADDER:
            self.fields[f"offset-{stage}"] = forms.IntegerField(
                label=stage.label,
                min_value=-30,
                max_value=60,
                error_messages={
                    "invalid": _("Enter a whole number of working days."),
                    "required": _("Enter a whole number of working days."),
                },
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
            )
            self.fields[f"fixed-{stage}"] = forms.DateField(
                required=False,
                error_messages=DATE_ERRORS,
                widget=forms.DateInput(
                    attrs={"class": "form-control form-control-sm", "placeholder": "dd/mm/yyyy"}
                ),
            )


class CalendarDayForm(forms.Form):
    day = forms.DateField(
        label=_("Day (dd/mm/yyyy)"),
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"class": "form-control", "placeholder": "dd/mm/yyyy"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=CalendarException.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
