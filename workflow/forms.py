"""Forms of the coordinator's schedule page: stage due days and the calendar's swapped days."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from submissions.inputs import NFCInputMixin, WholeNumberField, text_field

from .deadlines import date_range, ladder_of, out_of_range_message
from .models import CalendarException

DATE_ERRORS = {"invalid": _("Enter a date as dd/mm/yyyy.")}


def bound_dates(form: forms.BaseForm, campaign: Campaign) -> None:
    """Every date field of ``form`` takes only days within the campaign's range."""
    first, last = date_range(campaign)

    def within(day: datetime.date) -> None:
        if not first <= day <= last:
            raise ValidationError(out_of_range_message(campaign), code="out_of_range")

    for field in form.fields.values():
        if isinstance(field, forms.DateField):
            field.validators.append(within)


class StageScheduleForm(NFCInputMixin, forms.Form):
    """One offset and one optional fixed day per stage, named offset-<stage> and fixed-<stage>."""

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for stage in ladder_of(campaign):
            self.fields[f"offset-{stage}"] = WholeNumberField(
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
        bound_dates(self, campaign)


class CalendarDayForm(NFCInputMixin, forms.Form):
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
    note = text_field(
        label=_("Note"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_dates(self, campaign)
