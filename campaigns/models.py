"""The foundation of every campaign: the reporting units, the campaign (an official letter
and its deadline), the letter's outline and the header tree and rows of its appendix.

A campaign's outline, appendix rows and column header tree are rows of these tables,
loaded from ``campaigns/data`` (campaigns.reference). A template column names the
measure it shows: a field of ``submissions.LineItem``.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A socio-economic region (vùng kinh tế - xã hội), used for regional desks and filters."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        # Made in the submissions app; the table kept its name when the model moved here.
        db_table = "submissions_region"
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
        # Made in the submissions app; the table kept its name when the model moved here.
        db_table = "submissions_administrativeunit"
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


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def started(self) -> CampaignQuerySet:
        """The campaigns units have been asked in (every state but a draft): what the inbox,
        the dashboard and the national report show."""
        return self.exclude(state=Campaign.State.DRAFT)


class Campaign(models.Model):
    """One call for reports (đợt báo cáo): an official letter, its template and its units.

    A campaign is written as a definition (campaigns.definition), validated and loaded into
    these rows while it is a draft; opening it starts its units' submissions. Its states and
    what each allows are ``State`` below; the moves between them are workflow.lifecycle.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        ARCHIVED = "archived", _("Archived")

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
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.DRAFT, editable=False
    )
    # The definition the rows were loaded from, as validated (campaigns.definition).
    definition = models.JSONField(_("definition"), default=dict, blank=True, editable=False)
    # The last receipt number given in this campaign (receipts.services numbers them).
    receipts_issued = models.PositiveIntegerField(_("receipts issued"), default=0, editable=False)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        # Made in the submissions app; the table kept its name when the model moved here.
        db_table = "submissions_campaign"
        ordering = ["-issued_on"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        permissions = [
            ("administer_campaigns", _("Can write, open, close and archive campaigns")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="campaign_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    # What each state allows: the one home of these rules (queries filter on the tuples).
    # Provinces write, submit and get reminders only while the campaign is open; reports
    # already sent are reviewed and consolidated until it is archived; only a draft's
    # definition may change.
    DRAFTING_STATES = (State.OPEN,)
    REVIEW_STATES = (State.OPEN, State.CLOSED)

    @property
    def is_editable(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def accepts_drafting(self) -> bool:
        return self.state in self.DRAFTING_STATES

    @property
    def accepts_review(self) -> bool:
        return self.state in self.REVIEW_STATES


class Footnote(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="footnotes")
    marker = models.CharField(_("marker"), max_length=8)
    text = models.TextField(_("text"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        # Made in the submissions app; the table kept its name when the model moved here.
        db_table = "submissions_footnote"
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
        # Made in the submissions app; the table kept its name when the model moved here.
        db_table = "submissions_outlinesection"
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
        # Made in the submissions app; the table kept its name when the model moved here.
        db_table = "submissions_outlinepoint"
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
        # Made in the submissions app; the table kept its name when the model moved here.
        db_table = "submissions_problemkind"
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
        # Made in the submissions app; the table kept its name when the model moved here.
        db_table = "submissions_templaterow"
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
    measure a leaf shows (its key in the definition) and ``slot`` the LineItem column that
    stores it; a ``sum`` column adds up its leaves.
    """

    class Kind(models.TextChoices):
        HEADER = "header", _("Header")
        ROW_NUMBER = "row_number", _("Row number")
        ROW_LABEL = "row_label", _("Row label")
        TEXT = "text", _("Text")
        AMOUNT = "amount", _("Amount")
        SUM = "sum", _("Sum of the columns below")
        PERCENT = "percent", _("Percentage")
        INTEGER = "integer", _("Whole number")
        FLAG = "flag", _("Yes / no")
        CHOICE = "choice", _("Choice")

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
    # Where an appendix line stores the measure and its reason (submissions.LineItem's typed
    # slots, "amount_3"), set by campaigns.definition.load.
    slot = models.CharField(_("slot"), max_length=16, blank=True)
    reason_slot = models.CharField(_("reason slot"), max_length=16, blank=True)
    footnote = models.ForeignKey(
        Footnote, on_delete=models.SET_NULL, null=True, blank=True, related_name="columns"
    )

    class Meta:
        # Made in the submissions app; the table kept its name when the model moved here.
        db_table = "submissions_templatecolumn"
        ordering = ["order"]
        verbose_name = _("appendix column")
        verbose_name_plural = _("appendix columns")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="column_key_unique"),
        ]

    def __str__(self) -> str:
        return self.label
