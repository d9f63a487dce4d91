"""The report: reporting units, campaigns and their templates, submissions and their content.

A campaign is data: its outline (narrative sections), its appendix rows and the
header tree of its appendix columns are rows of the tables below, loaded from
``submissions/data``. What is code is the vocabulary of measures a line of the
appendix can carry (the fields of ``LineItem``): a template column names the
measure it shows. That keeps amounts and percentages in typed, constrained
columns that SQL can sum, at the price that a campaign asking for a measure
nobody asked for before needs a migration.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from config import clock
from workflow.stages import Stage

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


class Region(models.Model):
    """A socio-economic region (vùng kinh tế - xã hội), used for regional desks and filters."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class AdministrativeUnitQuerySet(models.QuerySet["AdministrativeUnit"]):
    def valid_on(self, day: datetime.date) -> AdministrativeUnitQuerySet:
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


class AdministrativeUnit(models.Model):
    """A province or centrally-run city, as it stood during a validity period.

    The list changes (63 units from 01/8/2008; 34 after the 2025 reorganisation):
    a change is new rows with their own validity, never an edit of old ones, so
    that a campaign keeps pointing at the units it was sent to.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("Centrally-run city")

    code = models.CharField(_("administrative code"), max_length=8)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="units", verbose_name=_("region")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to (last day)"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        ordering = ["code", "valid_from"]
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="unit_code_period_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="unit_validity_ordered",
            ),
        ]
        # Per-unit roles, granted on the unit with django-guardian (workflow.roles).
        permissions = [
            ("draft_unit", _("Can draft the unit's submissions")),
            ("review_unit", _("Can review the unit's submissions for the department")),
            ("signoff_unit", _("Can sign off the unit's submissions for the province")),
            ("check_unit", _("Can check the unit's submissions for the ministry")),
            ("coordinate_campaign", _("Can monitor and consolidate every unit")),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.kind == self.Kind.CITY:
            return _("%(name)s City") % {"name": self.name}
        return _("%(name)s Province") % {"name": self.name}


class Campaign(models.Model):
    """One call for reports (đợt báo cáo): an official letter, its template and its units."""

    class Cutoff(models.TextChoices):
        # When a day's report becomes late: workflow.deadlines.cutoff.
        # "trước ngày 05/5/2020" is read as "by the end of 05/5/2020": the letter gave the
        # provinces five working days counting 05/5, which the ministry clearly meant.
        END_OF_DAY = "end_of_day", _("End of the deadline day")
        START_OF_DAY = "start_of_day", _("Start of the deadline day")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    number = models.CharField(_("letter number"), max_length=64)
    issuer = models.CharField(_("issuing body"), max_length=200)
    issuer_department = models.CharField(_("issuing department"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"))
    place = models.CharField(_("place of issue"), max_length=100)
    signer_title = models.CharField(_("signer's title"), max_length=200, blank=True)
    signer_name = models.CharField(_("signer"), max_length=200, blank=True)
    subject = models.TextField(_("subject"))
    report_title = models.TextField(_("appendix title"))
    period_start = models.PositiveSmallIntegerField(_("period from (year)"))
    period_end = models.PositiveSmallIntegerField(_("period to (year)"))
    addressees = models.TextField(_("addressees"))
    deadline = models.DateField(_("deadline"))
    deadline_cutoff = models.CharField(
        _("deadline cut-off"), max_length=16, choices=Cutoff.choices, default=Cutoff.END_OF_DAY
    )
    amount_unit = models.CharField(_("unit of amounts"), max_length=50)
    units = models.ManyToManyField(
        AdministrativeUnit, related_name="campaigns", verbose_name=_("reporting units")
    )
    # The last receipt number given in this campaign (workflow.receipts numbers them).
    receipts_issued = models.PositiveIntegerField(_("receipts issued"), default=0, editable=False)

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="campaign_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Footnote(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="footnotes")
    marker = models.CharField(_("marker"), max_length=8)
    text = models.TextField(_("text"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("footnote")
        verbose_name_plural = _("footnotes")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "marker"], name="footnote_marker_unique"),
        ]

    def __str__(self) -> str:
        return self.marker


class OutlineSection(models.Model):
    """A numbered section of the letter's outline (2.1 ... 2.5)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sections")
    number = models.CharField(_("number"), max_length=16)
    title = models.TextField(_("title"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("outline section")
        verbose_name_plural = _("outline sections")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="section_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class OutlinePoint(models.Model):
    """A point of a section that the province answers in prose (a dash or (i), (ii), ...)."""

    section = models.ForeignKey(OutlineSection, on_delete=models.CASCADE, related_name="points")
    code = models.CharField(_("code"), max_length=16)
    marker = models.CharField(_("marker"), max_length=8, blank=True)
    text = models.TextField(_("text"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["section__order", "order"]
        verbose_name = _("outline point")
        verbose_name_plural = _("outline points")
        constraints = [
            models.UniqueConstraint(fields=["section", "code"], name="point_code_unique"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def display_code(self) -> str:
        """How a reader names the point: "2.4 (iii)", or "2.2, point 1" for a dash."""
        if self.marker.startswith("("):
            return f"{self.section.number} {self.marker}"
        if self.marker:
            return _("%(section)s, point %(n)s") % {"section": self.section.number, "n": self.order}
        return self.section.number


class ProblemKind(models.Model):
    """A kind of shortcoming the letter asks about in 2.5(i); provinces tick those that apply."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="problem_kinds")
    code = models.SlugField(_("code"), max_length=64)
    label = models.CharField(_("label"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("problem kind")
        verbose_name_plural = _("problem kinds")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="problem_kind_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class TemplateRow(models.Model):
    """A row of the appendix: a task group (1 ... 6) or one of its sub-items."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rows")
    code = models.CharField(_("code"), max_length=16)
    stt = models.CharField(_("number shown (STT)"), max_length=8, blank=True)
    label = models.TextField(_("label"))
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("appendix row")
        verbose_name_plural = _("appendix rows")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="row_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def is_group(self) -> bool:
        return self.parent_id is None


class TemplateColumn(models.Model):
    """A node of the appendix's column header tree.

    ``origin`` tells the letter's own three header levels from the detail that
    footnote (*) asks for under "Kinh phí đã bố trí (*)". ``field`` names the
    LineItem measure a leaf shows; a ``sum`` column adds up its leaves.
    """

    class Kind(models.TextChoices):
        HEADER = "header", _("Header")
        ROW_NUMBER = "row_number", _("Row number")
        ROW_LABEL = "row_label", _("Row label")
        TEXT = "text", _("Text")
        AMOUNT = "amount", _("Amount")
        SUM = "sum", _("Sum of the columns below")
        PERCENT = "percent", _("Percentage")
        FLAG = "flag", _("Yes / no")

    class Origin(models.TextChoices):
        LETTER = "letter", _("The letter's header")
        FOOTNOTE = "footnote", _("Detail asked for by a footnote")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="columns")
    key = models.SlugField(_("key"), max_length=64)
    label = models.TextField(_("label"))
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("header level"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)
    field = models.CharField(_("measure"), max_length=64, blank=True)
    reason_field = models.CharField(_("reason measure"), max_length=64, blank=True)
    footnote = models.ForeignKey(
        Footnote, on_delete=models.SET_NULL, null=True, blank=True, related_name="columns"
    )

    class Meta:
        ordering = ["order"]
        verbose_name = _("appendix column")
        verbose_name_plural = _("appendix columns")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="column_key_unique"),
        ]

    def __str__(self) -> str:
        return self.label


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
