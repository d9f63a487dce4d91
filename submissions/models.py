"""A province's report for a campaign: the submission and its content (appendix lines,
narrative answers, attachments).

What is code is the vocabulary of measures a line of the appendix can carry (the fields
of ``LineItem``): a template column (campaigns.TemplateColumn) names the measure it shows.
That keeps amounts and percentages in typed, constrained columns that SQL can sum, at the
price that a campaign asking for a measure nobody asked for before needs a migration.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
# What the appendix cell on the state of infrastructure holds: a few sentences, which still
# fit the narrow column of the landscape PDF (section 2.4 (i) of the narrative takes the
# long form).
INFRASTRUCTURE_STATUS_MAX_LENGTH = 500
# The longest texts a province types. A cell of the appendix is a few sentences. An answer
# to one outline point is an assessment, not a document: 8,000 characters are about three
# printed pages, so the twelve points of letter 5137 stay within some 35 pages, and the
# report's PDF renders in seconds (a 1 MB answer took 55 s).
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


ALLOCATION_FIELDS = (
    "alloc_invest_ctmt",
    "alloc_invest_self",
    "alloc_invest_separate",
    "alloc_recurrent_ctmt",
    "alloc_recurrent_self",
    "alloc_recurrent_separate",
)
AMOUNT_FIELDS = ("demand", *ALLOCATION_FIELDS, "spent")
PERCENT_FIELDS = (
    "not_completed_pct",
    "vs_demand_pct",
    "vs_resolution17_pct",
    "use_as_designed_pct",
    "use_not_as_designed_pct",
    "unused_pct",
)
USE_FIELDS = ("use_as_designed_pct", "use_not_as_designed_pct", "unused_pct")
# A share given here needs the reason next to it.
REASON_FOR = {
    "not_completed_pct": "not_completed_reason",
    "use_not_as_designed_pct": "use_not_as_designed_reason",
    "unused_pct": "unused_reason",
}


def _amount_constraints() -> list[models.BaseConstraint]:
    constraints: list[models.BaseConstraint] = [
        models.CheckConstraint(condition=Q(**{f"{f}__gte": 0}), name=f"line_{f}_non_negative")
        for f in AMOUNT_FIELDS
    ]
    constraints += [
        models.CheckConstraint(
            condition=Q(**{f"{f}__gte": 0, f"{f}__lte": 100}), name=f"line_{f}_0_100"
        )
        for f in PERCENT_FIELDS
    ]
    use_total = sum(
        (Coalesce(F(f), Decimal(0)) for f in USE_FIELDS[1:]), Coalesce(F(USE_FIELDS[0]), Decimal(0))
    )
    constraints.append(
        models.CheckConstraint(
            condition=models.lookups.LessThanOrEqual(use_total, Decimal(100)),
            name="line_use_shares_at_most_100",
        )
    )
    return constraints


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

    basis = models.TextField(_("basis for the task"), max_length=LINE_TEXT_MAX, blank=True)
    demand = amount_field(_("demand"))
    alloc_invest_ctmt = amount_field(_("allocated, investment, IT target programme"))
    alloc_invest_self = amount_field(_("allocated, investment, self-balanced"))
    alloc_invest_separate = amount_field(_("allocated, investment, separate budget"))
    alloc_recurrent_ctmt = amount_field(_("allocated, recurrent, IT target programme"))
    alloc_recurrent_self = amount_field(_("allocated, recurrent, self-balanced"))
    alloc_recurrent_separate = amount_field(_("allocated, recurrent, separate budget"))
    spent = amount_field(_("funds spent"))
    completed_products = models.TextField(
        _("products completed"), max_length=LINE_TEXT_MAX, blank=True
    )
    not_completed_pct = percent_field(_("not completed (%)"))
    not_completed_reason = models.TextField(
        _("not completed: reason"), max_length=LINE_TEXT_MAX, blank=True
    )
    accepted_internal = models.BooleanField(_("accepted internally"), null=True, blank=True)
    accepted_by_authority = models.BooleanField(
        _("accepted by the state management agency"), null=True, blank=True
    )
    vs_demand_pct = percent_field(_("achievement vs demand (%)"))
    vs_resolution17_pct = percent_field(_("achievement vs Resolution 17 goals (%)"))
    infrastructure_status = models.CharField(
        _("state of the infrastructure against the goals and policies"),
        max_length=INFRASTRUCTURE_STATUS_MAX_LENGTH,
        blank=True,
    )
    use_as_designed_pct = percent_field(_("used as designed (%)"))
    use_not_as_designed_pct = percent_field(_("used not as designed (%)"))
    use_not_as_designed_reason = models.TextField(
        _("not as designed: reason"), max_length=LINE_TEXT_MAX, blank=True
    )
    unused_pct = percent_field(_("not used (%)"))
    unused_reason = models.TextField(_("not used: reason"), max_length=LINE_TEXT_MAX, blank=True)
    difficulties = models.TextField(
        _("difficulties / proposals"), max_length=LINE_TEXT_MAX, blank=True
    )

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
            *_amount_constraints(),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def is_custom(self) -> bool:
        return self.row_id is None

    @property
    def display_label(self) -> str:
        return self.label if self.row is None else self.row.label

    @property
    def allocated(self) -> Decimal | None:
        parts = [getattr(self, f) for f in ALLOCATION_FIELDS]
        if all(p is None for p in parts):
            return None
        return sum((p for p in parts if p is not None), Decimal(0))


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
