"""The national report: numbered consolidation versions, each frozen with its own rows.

A version is cumulative (every province consolidated so far) and never changes
once written: it names the SubmissionVersion of each province it includes, keeps a
copy of that content's figures (``VersionLine``, ``VersionProblem``, the refusal
facts on ``VersionProvince``), copied inside the database when the version is made,
and the report's figures aggregated from them in SQL at that moment
(``VersionFigures``). So version 1 still shows what it showed after Hà Nội was
reopened and version 2 was made without it, whatever changes later.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from campaigns.measures import RATIOS, TOTALS
from campaigns.models import AdministrativeUnit, Campaign, ProblemKind, TemplateRow
from core.enums import Stage
from core.enums import Status as Standing
from signatures.models import SignedDocument
from submissions.models import SLOT_FIELDS, SLOT_NAMES, LineItem, Submission, amount_field
from workflow.models import AppendOnly, AuditRecord, SubmissionVersion


class NationalVersion(AppendOnly):
    """One consolidation run's result: version 1, 2, ... of a campaign's national report."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="national_versions",
        verbose_name=_("campaign"),
    )
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("consolidated at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("consolidated by"),
    )

    class Meta:
        ordering = ["campaign_id", "number"]
        verbose_name = _("national report version")
        verbose_name_plural = _("national report versions")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "number"], name="national_version_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse(
            "national:version", kwargs={"code": self.campaign.code, "number": self.number}
        )


class VersionProvince(AppendOnly):
    """Where one reporting unit stood in a version: included (at which content) or not."""

    class Status(models.TextChoices):
        INCLUDED = "included", _("Included")
        MISSING = "missing", _("Not included")

    version = models.ForeignKey(NationalVersion, on_delete=models.PROTECT, related_name="provinces")
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    submission = models.ForeignKey(
        Submission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="national_rows",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    # True when the province entered (or re-entered, with new content) in this version.
    entered = models.BooleanField(_("new in this version"), default=False)
    stage = models.CharField(_("stage"), max_length=32, choices=Stage.choices, blank=True)
    standing = models.CharField(_("deadline"), max_length=16, choices=Standing.choices)
    due = models.DateField(_("due"))
    reached_ministry_at = models.DateTimeField(_("reached the ministry"), null=True, blank=True)
    submission_version = models.ForeignKey(
        SubmissionVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("content version"),
    )
    # The CONSOLIDATE transition that put the province in the report (its receipt proves it).
    consolidation = models.ForeignKey(
        AuditRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    treasury_refusal_count = models.PositiveIntegerField(_("refusals (cases)"), null=True)
    treasury_refusal_amount = amount_field(_("refusals (million VND)"))

    class Meta:
        ordering = ["version_id", "unit__code"]
        verbose_name = _("province in a version")
        verbose_name_plural = _("provinces in a version")
        constraints = [
            models.UniqueConstraint(fields=["version", "unit"], name="version_province_unique"),
            models.CheckConstraint(
                condition=Q(status="missing")
                | Q(submission_version__isnull=False, consolidation__isnull=False),
                name="included_province_names_its_content",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.unit}"

    @property
    def is_included(self) -> bool:
        return self.status == self.Status.INCLUDED

    @property
    def is_late(self) -> bool:
        return self.standing in (Standing.DONE_LATE, Standing.OVERDUE)

    @property
    def figures(self) -> VersionFigures | None:
        """The province's figures in this version (none when it is not included)."""
        try:
            return self.figures_row
        except VersionFigures.DoesNotExist:
            return None


class VersionLine(AppendOnly):
    """The figures of one appendix line of an included province, as that version froze them.

    Text (basis, reasons, difficulties) stays in the SubmissionVersion the province row names.
    """

    version = models.ForeignKey(NationalVersion, on_delete=models.PROTECT, related_name="lines")
    province = models.ForeignKey(VersionProvince, on_delete=models.PROTECT, related_name="lines")
    group = models.ForeignKey(TemplateRow, on_delete=models.PROTECT, related_name="+")
    # Empty for a sub-item the province added itself.
    row = models.ForeignKey(
        TemplateRow, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    label = models.CharField(_("sub-item"), max_length=500, blank=True)
    # The figures: the numeric slots of submissions.LineItem (amount_1 ...), added below,
    # copied slot for slot, so the campaign's definition reads them as it reads its lines.

    class Meta:
        ordering = ["version_id", "province_id", "pk"]
        verbose_name = _("frozen appendix line")
        verbose_name_plural = _("frozen appendix lines")
        indexes = [models.Index(fields=["version", "group", "row"])]

    def __str__(self) -> str:
        return f"{self.province} · {self.row_id or self.label}"


FIGURE_NAMES = {"total": _("sum"), "ratio": _("ratio")}


def _total_field(verbose_name: Any) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=20, decimal_places=3, null=True)


def _rate_field(verbose_name: Any) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, null=True)


class VersionFigures(AppendOnly):
    """The figures of a version, aggregated in SQL from its frozen lines when it is made: one
    row per line of the appendix (the sub-items provinces added under a group in one),
    per group, for the whole country, and per included province. Reading a version never
    sums again, so it shows what it showed, whatever later versions or methods do."""

    class Scope(models.TextChoices):
        ROW = "row", _("Appendix line")
        GROUP = "group", _("Task group")
        TOTAL = "total", _("National total")
        PROVINCE = "province", _("Province")

    version = models.ForeignKey(NationalVersion, on_delete=models.PROTECT, related_name="figures")
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    group = models.ForeignKey(
        TemplateRow, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Empty in a ROW scope: the sub-items the provinces added under the group.
    row = models.ForeignKey(
        TemplateRow, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    province = models.OneToOneField(
        VersionProvince,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="figures_row",
    )
    # The figures, added below: per measure of the campaign, the aggregate its definition
    # asks for in the slot of the measure's kind and number (amount_3: the sum of the lines'
    # amount_3; percent_2: a weighted mean; flag_1: how many lines say yes), then the sums of
    # the header (total_1 ...) and the ratios (ratio_1 ...). national.figures reads them.
    lines = models.PositiveIntegerField(_("lines"))
    provinces = models.PositiveIntegerField(_("provinces"))

    class Meta:
        verbose_name = _("figures of a version")
        verbose_name_plural = _("figures of a version")
        indexes = [models.Index(fields=["version", "scope"])]

    def __str__(self) -> str:
        return f"{self.version} · {self.scope}"


# The numeric slots of a line (texts stay in the SubmissionVersion the province row names).
LINE_SLOTS = {kind: SLOT_FIELDS[kind] for kind in ("amount", "percent", "integer", "flag")}
TOTAL_FIELDS = tuple(f"total_{n}" for n in range(1, TOTALS + 1))
RATIO_FIELDS = tuple(f"ratio_{n}" for n in range(1, RATIOS + 1))


def _figure_field(kind: str, name: Any) -> models.Field[Any, Any]:
    if kind in ("amount", "total"):
        return _total_field(name)
    if kind in ("percent", "ratio"):
        return _rate_field(name)
    if kind == "integer":
        return models.BigIntegerField(name, null=True)
    return models.PositiveIntegerField(name, null=True)  # flag: how many lines say yes


for _kind, _names in LINE_SLOTS.items():
    for _number, _name in enumerate(_names, start=1):
        VersionLine.add_to_class(_name, cast(models.Field, LineItem._meta.get_field(_name)).clone())
        _label = format_lazy("{kind} {number}", kind=SLOT_NAMES[_kind], number=_number)
        VersionFigures.add_to_class(_name, _figure_field(_kind, _label))
for _kind, _names in (("total", TOTAL_FIELDS), ("ratio", RATIO_FIELDS)):
    for _number, _name in enumerate(_names, start=1):
        _label = format_lazy("{kind} {number}", kind=FIGURE_NAMES[_kind], number=_number)
        VersionFigures.add_to_class(_name, _figure_field(_kind, _label))


class VersionProblem(AppendOnly):
    """A kind of shortcoming (2.5 (i)) an included province reported, as frozen."""

    version = models.ForeignKey(NationalVersion, on_delete=models.PROTECT, related_name="problems")
    province = models.ForeignKey(VersionProvince, on_delete=models.PROTECT, related_name="problems")
    kind = models.ForeignKey(ProblemKind, on_delete=models.PROTECT, related_name="version_problems")

    class Meta:
        verbose_name = _("reported shortcoming")
        verbose_name_plural = _("reported shortcomings")
        constraints = [
            models.UniqueConstraint(fields=["province", "kind"], name="version_problem_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.province} · {self.kind_id}"


class VersionDocument(AppendOnly):
    """A version's PDF, rendered once after the version is made and kept: the version never
    changes, so neither does its document. Written once (national.tasks), never updated."""

    version = models.OneToOneField(
        NationalVersion, on_delete=models.PROTECT, related_name="document"
    )
    pdf = models.FileField(_("PDF"), upload_to="national/", max_length=300)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    rendered_at = models.DateTimeField(_("rendered at"))

    class Meta:
        verbose_name = _("PDF of a version")
        verbose_name_plural = _("PDFs of versions")

    def __str__(self) -> str:
        return f"{self.version} · PDF"


class VersionSignature(AppendOnly):
    """The ministry's signer's signature on a version: from then on its signed PDF (an
    incremental update of the version's rendered document) is the version's document."""

    version = models.OneToOneField(
        NationalVersion, on_delete=models.PROTECT, related_name="signature"
    )
    signed = models.OneToOneField(
        SignedDocument, on_delete=models.PROTECT, related_name="national_version"
    )
    at = models.DateTimeField(_("signed at"))

    class Meta:
        verbose_name = _("signature of a version")
        verbose_name_plural = _("signatures of versions")

    def __str__(self) -> str:
        return f"{self.version} · {self.signed.signer_subject}"
