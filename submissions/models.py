"""A province's report for a campaign: the submission and its content (appendix lines,
narrative answers, attachments).

A line of the appendix stores its figures in generic typed slots (amount_1 .., percent_1 ..,
integer_, flag_, text_, choice_), and a campaign's definition maps each of its measures to
one (campaigns.measures.assign_slots; submissions.values reads a line by measure key). That
keeps figures in typed, constrained columns that SQL can sum, and a new campaign needs no
migration; only a campaign needing more slots of a kind than there are would.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from campaigns.measures import SLOTS, slot_name
from campaigns.models import (
    AdministrativeUnit,
    Campaign,
    OutlinePoint,
    ProblemKind,
    TemplateRow,
)
from core import clock
from core.enums import Stage

# Amounts are million VND to the thousand đồng; percentages have two decimals.
AMOUNT_DIGITS, AMOUNT_PLACES = 15, 3
PERCENT_DIGITS, PERCENT_PLACES = 5, 2
# The longest texts a province types. A cell of the appendix is a few sentences. An answer
# to one outline point is an assessment, not a document: 8,000 characters are about three
# printed pages, so a letter's dozen points (the first campaign's has twelve) stay within
# some 35 pages, and the report's PDF renders in seconds (a 1 MB answer took 55 s).
LINE_TEXT_MAX = 2000
ANSWER_MAX = 8000
NOTE_MAX = 4000
REFUSAL_COUNT_MAX = 100_000  # payments refused by the State Treasury: cases, realistically


def amount_field(verbose_name: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        null=True,
        blank=True,
    )


def percent_field(verbose_name: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=PERCENT_DIGITS,
        decimal_places=PERCENT_PLACES,
        null=True,
        blank=True,
    )


class Submission(models.Model):
    """One unit's report for one campaign."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("unit"),
    )
    # A read-only copy of the workflow's position; only workflow services write it.
    stage = models.CharField(
        _("stage"), max_length=32, choices=Stage.choices, default=Stage.DRAFTING, editable=False
    )
    # Bumped by every save: a form carries the revision it was drawn from, so a
    # form posted twice, or over someone else's newer save, changes nothing.
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    treasury_refusal_count = models.PositiveIntegerField(
        _("payments refused by the State Treasury (cases)"), null=True, blank=True
    )
    treasury_refusal_amount = amount_field(
        _("payments refused by the State Treasury (million VND)")
    )
    treasury_refusal_note = models.TextField(
        _("refusals: details"), max_length=NOTE_MAX, blank=True
    )
    problem_kinds = models.ManyToManyField(
        ProblemKind, blank=True, related_name="submissions", verbose_name=_("problems that apply")
    )
    # From the application's clock, as every time of ours (auto_now would read the real one);
    # the drafting services set updated_at on each save.
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["campaign", "unit__code"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="one_submission_per_unit"),
            models.CheckConstraint(
                condition=Q(treasury_refusal_amount__gte=0),
                name="treasury_refusal_amount_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "stage"])]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("submissions:detail", kwargs={"pk": self.pk})


def _slot_field(kind: str, number: int) -> models.Field[Any, Any]:
    name = format_lazy("{kind} {number}", kind=SLOT_NAMES[kind], number=number)
    if kind == "amount":
        return amount_field(name)
    if kind == "percent":
        return percent_field(name)
    if kind == "integer":
        return models.BigIntegerField(name, null=True, blank=True)
    if kind == "flag":
        return models.BooleanField(name, null=True, blank=True)
    if kind == "choice":
        return models.CharField(name, max_length=CHOICE_MAX, blank=True)
    return models.TextField(name, max_length=LINE_TEXT_MAX, blank=True)


SLOT_NAMES = {
    "amount": _("amount"),
    "percent": _("percentage"),
    "integer": _("whole number"),
    "flag": _("yes / no"),
    "text": _("text"),
    "choice": _("choice"),
}
CHOICE_MAX = 64
# Every slot of a line, by kind: amount_1 .. amount_16, percent_1 .. percent_12, ...
SLOT_FIELDS = {
    kind: tuple(slot_name(kind, n) for n in range(1, count + 1)) for kind, count in SLOTS.items()
}


def _slot_constraints() -> list[models.BaseConstraint]:
    """What the database enforces per kind, whatever campaign a slot serves: amounts and whole
    numbers not negative, percentages 0..100. Rules across columns (e.g. "use shares at most
    100") are the definition's, checked by the form and the readiness."""
    return [
        *(
            models.CheckConstraint(condition=Q(**{f"{f}__gte": 0}), name=f"line_{f}_non_negative")
            for f in (*SLOT_FIELDS["amount"], *SLOT_FIELDS["integer"])
        ),
        *(
            models.CheckConstraint(
                condition=Q(**{f"{f}__gte": 0, f"{f}__lte": 100}), name=f"line_{f}_0_100"
            )
            for f in SLOT_FIELDS["percent"]
        ),
    ]


class LineItem(models.Model):
    """A row of one submission's appendix that takes entries.

    Template sub-items, the province's own sub-items (``row`` empty, ``label``
    given) and a group that has no sub-items (groups 5 and 6 as the letter
    prints them) take entries; every other group row and the grand total are
    computed from these.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="lines")
    row = models.ForeignKey(
        TemplateRow, on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    group = models.ForeignKey(TemplateRow, on_delete=models.PROTECT, related_name="group_lines")
    label = models.CharField(_("sub-item"), max_length=500, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    # The measures: typed slots (amount_1 ..., text_24), added below; a campaign's columns
    # (campaigns.TemplateColumn.slot) say which measure each slot holds, submissions.values
    # reads and writes them by measure key.

    class Meta:
        ordering = ["group__order", "order", "pk"]
        verbose_name = _("appendix line")
        verbose_name_plural = _("appendix lines")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "row"],
                condition=Q(row__isnull=False),
                name="one_line_per_template_row",
            ),
            models.CheckConstraint(
                condition=Q(row__isnull=False) | ~Q(label=""), name="own_sub_item_has_label"
            ),
            *_slot_constraints(),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def is_custom(self) -> bool:
        return self.row_id is None

    @property
    def display_label(self) -> str:
        return self.label if self.row is None else self.row.label


for _kind, _names in SLOT_FIELDS.items():
    for _number, _name in enumerate(_names, start=1):
        LineItem.add_to_class(_name, _slot_field(_kind, _number))


class NarrativeAnswer(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    point = models.ForeignKey(OutlinePoint, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(_("answer"), max_length=ANSWER_MAX, blank=True)

    class Meta:
        verbose_name = _("narrative answer")
        verbose_name_plural = _("narrative answers")
        constraints = [
            models.UniqueConstraint(fields=["submission", "point"], name="one_answer_per_point"),
        ]

    def __str__(self) -> str:
        return f"{self.submission} · {self.point}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is the content hash: no user text reaches the file system.
    return f"attachments/{instance.submission_id}/{instance.sha256}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PDF = "application/pdf", "PDF"
        DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"
        XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=120, choices=Kind.choices)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=clock.now, editable=False)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "sha256"], name="attachment_once_per_submission"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def kind_label(self) -> str:
        return self.Kind(self.content_type).label
