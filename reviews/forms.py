"""The decision form: an action, the stage the user saw, a reason, and notes on rows or points."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from core.enums import Action, Stage
from submissions.inputs import NFCInputMixin, text_field
from workflow.forms import DATE_ERRORS, bound_dates
from workflow.models import REASON_MAX, REVIEW_NOTE_MAX
from workflow.services import NoteInput


class DecisionForm(NFCInputMixin, forms.Form):
    action = forms.ChoiceField(choices=Action.choices)
    expected_stage = forms.ChoiceField(choices=Stage.choices)
    reason = text_field(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(len(note.text) > REVIEW_NOTE_MAX for note in self.notes()):
            self.add_error(
                None,
                _("A note on a row or point has at most %(limit)s characters.")
                % {"limit": REVIEW_NOTE_MAX},
            )
        return data

    def notes(self) -> list[NoteInput]:
        """Notes come as note-line-<id> and note-point-<id> fields, next to what they are about."""
        notes = []
        data: QueryDict | dict[str, Any] = self.data
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


class ExtensionForm(NFCInputMixin, forms.Form):
    due = forms.DateField(
        label=_("New deadline (dd/mm/yyyy)"),
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"class": "form-control", "placeholder": "dd/mm/yyyy"}),
    )
    reason = text_field(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={"required": _("Give the reason for the extension.")},
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_dates(self, campaign)
