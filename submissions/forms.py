"""Forms check the shape of input; stage and permission rules live in services and access."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from campaigns.definition import NUMERIC
from campaigns.measures import Appendix, Facts, Measure, above, appendix_of, labels_joined
from campaigns.models import OutlineSection, ProblemKind

from . import values as line_values
from .inputs import (
    INT_MAX,
    LocalDecimalField,
    NFCInputMixin,
    WholeNumberField,
    text_field,
)
from .models import (
    AMOUNT_DIGITS,
    AMOUNT_PLACES,
    ANSWER_MAX,
    LINE_TEXT_MAX,
    NOTE_MAX,
    REFUSAL_COUNT_MAX,
    LineItem,
)

# The fields of the first campaign's figures fact, the Treasury's refusals (2.2.b), stored on
# the submission.
TREASURY_FIELDS = ("treasury_refusal_count", "treasury_refusal_amount", "treasury_refusal_note")


class AmountField(LocalDecimalField):
    default_error_messages = {
        "invalid": _("Enter an amount in million VND, for example 1.234,5."),
        "min_value": _("An amount cannot be negative."),
        "max_digits": _("This amount is too large."),
        "max_decimal_places": _("Use at most 3 decimal places (thousands of đồng)."),
        "max_whole_digits": _("This amount is too large."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(
            min_value=Decimal(0),
            max_digits=AMOUNT_DIGITS,
            decimal_places=AMOUNT_PLACES,
        )
        super().__init__(**kwargs)


class PercentField(LocalDecimalField):
    default_error_messages = {
        "invalid": _("Enter a percentage between 0 and 100."),
        "min_value": _("A percentage cannot be negative."),
        "max_value": _("A percentage cannot be over 100."),
        "max_decimal_places": _("Use at most 2 decimal places."),
        "max_digits": _("A percentage cannot be over 100."),
        "max_whole_digits": _("A percentage cannot be over 100."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(min_value=Decimal(0), max_value=Decimal(100), max_digits=5, decimal_places=2)
        super().__init__(**kwargs)


SMALL_TEXT = forms.Textarea(attrs={"rows": 2})
# A text cell the definition keeps this short is one line; longer ones a small box.
SHORT_TEXT = 500
CELL_LENGTH_MESSAGE = _(
    "Keep this cell to %(limit_value)s characters (it has %(show_value)s); "
    "the narrative takes the details."
)

AT_LEAST = _("This must be at least %(limit_value)s.")
AT_MOST = _("This must be at most %(limit_value)s.")


def measure_field(measure: Measure, *, reason: bool = False) -> forms.Field:
    """The input of one measure of a line, from its kind and the definition's bounds."""
    label = line_values.REASON_LABEL if reason else (measure.label or measure.key)
    kwargs: dict[str, Any] = {"label": label, "required": False}
    if measure.kind == "amount":
        field: forms.Field = AmountField(**kwargs)
    elif measure.kind == "percent":
        field = PercentField(**kwargs)
    elif measure.kind == "integer":
        field = WholeNumberField(max_value=INT_MAX, **kwargs)
    elif measure.kind == "flag":
        field = forms.NullBooleanField(**kwargs)
    elif measure.kind == "choice":
        field = forms.ChoiceField(choices=[("", "—"), *measure.choices], **kwargs)
    else:
        limit = min(measure.max_length or LINE_TEXT_MAX, LINE_TEXT_MAX)
        field = text_field(
            max_length=limit,
            widget=forms.TextInput() if limit <= SHORT_TEXT else SMALL_TEXT,
            **kwargs,
        )
        if limit < LINE_TEXT_MAX:
            field.error_messages["max_length"] = CELL_LENGTH_MESSAGE
    if measure.kind in NUMERIC:
        # Narrower bounds a definition gives than the kind's own.
        if measure.low is not None and measure.low > 0:
            field.validators.append(MinValueValidator(measure.low, message=AT_LEAST))
        if measure.high is not None and (measure.kind != "percent" or measure.high < 100):
            field.validators.append(MaxValueValidator(measure.high, message=AT_MOST))
    return field


class LineItemForm(NFCInputMixin, forms.Form):
    """The entries of one appendix line, one field per measure of the campaign named by its
    key (the label too for the province's own sub-items); ``cleaned_data`` is by measure key,
    for submissions.values to store in the line's slots."""

    label = text_field(
        label=_("sub-item"),
        max_length=LineItem._meta.get_field("label").max_length or 0,
        required=False,
    )

    def __init__(
        self,
        data: Any = None,
        *args: Any,
        instance: LineItem,
        appendix: Appendix | None = None,
        measures: line_values.LineMeasures | None = None,
        **kwargs: Any,
    ) -> None:
        self.instance = instance
        # The campaign's measures and rules (its definition), read once by the caller for a
        # whole table, or here from the line's campaign.
        campaign = instance.submission.campaign if appendix is None or measures is None else None
        self.measures = measures or line_values.for_campaign(campaign)  # type: ignore[arg-type]
        self.appendix = appendix or appendix_of(campaign)  # type: ignore[arg-type]
        initial = self.measures.stored(instance) | {"label": instance.label}
        super().__init__(data, *args, initial=initial, **kwargs)
        reasons = {r.reason for r in self.appendix.reasons}
        for key in self.measures.slots:
            measure = self.appendix.measures.get(key) or Measure(key, self.measures.kinds[key], key)
            self.fields[key] = measure_field(measure, reason=key in reasons)
        if not self.instance.is_custom:
            del self.fields["label"]
        else:
            self.fields["label"].required = True
            self.fields["label"].error_messages["required"] = _("Give the sub-item a name.")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for key in self.measures.of_kind(*line_values.TEXT_KINDS):
            if data.get(key) is None and key in self.fields:
                data[key] = ""
        for rule in self.appendix.reasons:
            if (
                above(data.get(rule.measure), rule.threshold)
                and not (data.get(rule.reason) or "").strip()
            ):
                self.add_error(
                    rule.reason, _("Give the reason: a share is entered in this column.")
                )
        for limit in self.appendix.at_most:
            shares = [data.get(n) for n in limit.measures]
            if sum((s or Decimal(0) for s in shares), Decimal(0)) > limit.limit:
                for name in limit.measures:
                    if data.get(name) and name not in self.errors:
                        self.add_error(
                            name,
                            _("%(fields)s together must not exceed %(limit)s%%.")
                            % {
                                "fields": labels_joined(self.appendix, limit.measures),
                                "limit": f"{limit.limit:g}",
                            },
                        )
        return data


class AddSubItemForm(NFCInputMixin, forms.Form):
    label = text_field(
        label=_("Name of the new sub-item"),
        max_length=LineItem._meta.get_field("label").max_length or 0,
        error_messages={"required": _("Give the new sub-item a name.")},
    )


class NarrativeForm(NFCInputMixin, forms.Form):
    """One text per outline point, plus the structured facts the letter asks for."""

    treasury_refusal_count = WholeNumberField(
        label=_("Payments refused by the State Treasury (number of cases)"),
        required=False,
        max_value=REFUSAL_COUNT_MAX,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "form-control"}),
        error_messages={
            "invalid": _("Enter a whole number of cases."),
            "min_value": _("The number of cases cannot be negative."),
            "max_value": _("At most %(limit_value)s cases."),
        },
    )
    treasury_refusal_amount = AmountField(
        label=_("Amount refused (million VND)"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control"}),
    )
    treasury_refusal_note = text_field(
        label=_("Details of the refusals"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    problem_kinds = forms.ModelMultipleChoiceField(
        label=_("Shortcomings that apply (section 2.5 (i))"),
        queryset=ProblemKind.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        sections: list[OutlineSection],
        facts: Facts,
        read_only: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sections = sections
        self.point_fields: list[tuple[Any, str]] = []
        for section in sections:
            for point in section.points.all():
                name = f"point_{point.pk}"
                self.fields[name] = text_field(
                    label=point.text,
                    required=False,
                    max_length=ANSWER_MAX,
                    help_text=_("At most %(limit)s characters.")
                    % {"limit": number_format(ANSWER_MAX, force_grouping=True)},
                    widget=forms.Textarea(attrs={"rows": 6, "id": f"point-{point.pk}"}),
                )
                self.point_fields.append((point, name))
        kinds = ProblemKind.objects.filter(campaign_id=sections[0].campaign_id if sections else 0)
        self.fields["problem_kinds"].queryset = kinds  # type: ignore[attr-defined]
        # Only the facts the campaign's letter asks are fields (the first campaign asks both).
        self.facts = facts
        if not facts.asks("treasury_refusal_count"):
            for name in TREASURY_FIELDS:
                del self.fields[name]
        if not facts.choices:
            del self.fields["problem_kinds"]
        for field in self.fields.values():
            field.disabled = read_only

    @property
    def asks_treasury(self) -> bool:
        return "treasury_refusal_count" in self.fields

    def facts_data(self) -> dict[str, Any]:
        """narrative_save's facts: what the form asks, blank for what it does not."""
        data = self.cleaned_data
        return {
            "treasury_refusal_count": data.get("treasury_refusal_count"),
            "treasury_refusal_amount": data.get("treasury_refusal_amount"),
            "treasury_refusal_note": data.get("treasury_refusal_note", ""),
            "problem_kinds": list(data.get("problem_kinds", [])),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        count = data.get("treasury_refusal_count")
        amount = data.get("treasury_refusal_amount")
        if count == 0 and amount:
            self.add_error(
                "treasury_refusal_amount",
                _("An amount is given but the number of refused cases is 0."),
            )
        return data

    def outline_fields(self) -> list[tuple[OutlineSection, list[tuple[Any, Any]]]]:
        """Each section with its points and their bound fields, for the template."""
        return [
            (section, [(p, self[f"point_{p.pk}"]) for p in section.points.all()])
            for section in self.sections
        ]

    def answers(self) -> dict[int, str]:
        return {point.pk: self.cleaned_data[name].strip() for point, name in self.point_fields}


class AttachmentForm(NFCInputMixin, forms.Form):
    file = forms.FileField(
        label=_("File (PDF, DOCX or XLSX)"),
        error_messages={
            "required": _("Choose a file to attach."),
            "empty": _("The file is empty."),
        },
    )
    description = text_field(label=_("Description"), max_length=300, required=False)


class AppendixImportForm(NFCInputMixin, forms.Form):
    file = forms.FileField(
        label=_("Filled appendix (.xlsx)"),
        error_messages={
            "required": _("Choose the Excel file to upload."),
            "empty": _("The file is empty."),
        },
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "class": "form-control form-control-sm",
            }
        ),
    )
