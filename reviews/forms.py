"""The decision form: an action, the stage the user saw, a reason, and notes on rows or points."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from workflow.services import NoteInput
from workflow.stages import Stage
from workflow.transitions import Action


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=Action.choices)
    expected_stage = forms.ChoiceField(choices=Stage.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def notes(self, data: QueryDict | dict[str, Any]) -> list[NoteInput]:
        """Notes come as note-line-<id> and note-point-<id> fields, next to what they are about."""
        notes = []
        for key, value in data.items():
            text = str(value).strip()
            if not text:
                continue
            kind, _sep, ident = key.removeprefix("note-").partition("-")
            if not key.startswith("note-") or not ident.isdigit():
                continue
            if kind == "line":
                notes.append(NoteInput(text=text, line_id=int(ident)))
            elif kind == "point":
                notes.append(NoteInput(text=text, point_id=int(ident)))
        return notes


class ExtensionForm(forms.Form):
    due = forms.DateField(
        label=_("New deadline (dd/mm/yyyy)"),
        error_messages={"invalid": _("Enter a date as dd/mm/yyyy.")},
        widget=forms.DateInput(attrs={"class": "form-control", "placeholder": "dd/mm/yyyy"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={"required": _("Give the reason for the extension.")},
    )
