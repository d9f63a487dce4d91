"""Reads: a version of the national report, from the rows the run froze.

Every figure was aggregated in SQL when the version was made (national.figures into
VersionFigures): reading a version only fetches those rows, MIN/MAX/COUNT over the
provinces' rows for the spread of rates, a COUNT per kind of shortcoming and one
aggregate of the refusals. Python arranges the results in the letter's order.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils.translation import gettext_lazy as _

from campaigns.measures import appendix_of
from campaigns.models import (
    AdministrativeUnit,
    Campaign,
    OutlineSection,
    ProblemKind,
    TemplateColumn,
    TemplateRow,
)
from core.enums import Action, Stage, Status
from receipts.models import Receipt
from submissions import selectors as content
from submissions.models import Submission
from submissions.selectors import ColumnTree, HeaderCell
from workflow import deadlines
from workflow.models import AuditRecord, SubmissionVersion

from .figures import COUNTS, Figure, Figures, Plan, method, plan_for
from .models import NationalVersion, VersionFigures, VersionProvince, VersionSignature


def summed_columns(campaign: Campaign) -> ColumnTree:
    """The letter's column tree without its text columns (basis, products, difficulties),
    which a sum leaves empty; the spans of the headers above them shrink accordingly."""
    tree = content.column_tree(campaign)
    kept = [leaf for leaf in tree.leaves if leaf.kind != TemplateColumn.Kind.TEXT]
    spans: Counter[int] = Counter(node.pk for leaf in kept for node in tree.path(leaf))
    rows = [
        [HeaderCell(c.column, spans[c.column.pk], c.rowspan) for c in row if spans[c.column.pk]]
        for row in tree.header_rows
    ]
    return ColumnTree(header_rows=rows, leaves=kept, paths=tree.paths)


# --- The appendix summed across provinces ----------------------------------------------------


@dataclass
class NationalRow:
    """A row of the national appendix: a group, a template sub-item, the sub-items provinces
    added under a group, a group's own entries, or the grand total."""

    kind: str  # "group", "line", "own", "direct" or "total"
    stt: str
    label: str
    figures: Figures = field(default_factory=Figures)
    template_row: TemplateRow | None = None


def national_table(version: NationalVersion) -> list[NationalRow]:
    """The appendix summed row by row, group by group and in all, in the letter's order."""
    scope = VersionFigures.Scope
    values = plan_for(version.campaign).values
    stored = list(version.figures.exclude(scope=scope.PROVINCE))
    by_row = {(f.group_id, f.row_id): values(f) for f in stored if f.scope == scope.ROW}
    by_group = {f.group_id: values(f) for f in stored if f.scope == scope.GROUP}
    grand = next((values(f) for f in stored if f.scope == scope.TOTAL), Figures())
    rows = content.template_rows(version.campaign)
    children: dict[int, list[TemplateRow]] = {}
    for row in rows:
        if row.parent_id is not None:
            children.setdefault(row.parent_id, []).append(row)
    table: list[NationalRow] = []
    for group in (r for r in rows if r.parent_id is None):
        table.append(
            NationalRow("group", group.stt, group.label, by_group.get(group.pk, Figures()), group)
        )
        for child in children.get(group.pk, []):
            table.append(
                NationalRow(
                    "line",
                    child.stt,
                    child.label,
                    by_row.get((group.pk, child.pk), Figures()),
                    child,
                )
            )
        own = by_row.get((group.pk, None))
        direct = by_row.get((group.pk, group.pk))
        if own and direct:  # some provinces entered the group itself, others added sub-items
            table.append(
                NationalRow("direct", "", str(_("Entered for the group as a whole")), direct)
            )
        if own:
            table.append(
                NationalRow(
                    "own",
                    "",
                    str(
                        _("Sub-items added by provinces (%(lines)s, from %(provinces)s provinces)")
                        % {"lines": own["lines"], "provinces": own["provinces"]}
                    ),
                    own,
                )
            )
    table.append(NationalRow("total", "", str(_("National total")), grand))
    return table


@dataclass
class AllocationCell:
    amount: Decimal | None
    share: Decimal | None  # of the whole sum, %


@dataclass
class Allocation:
    """A sum of the header broken down nationally (campaigns.measures.Breakdown): for the
    first campaign, funds allocated by kind of spending (rows) and by source (columns)."""

    title: str  # the sum's header
    sources: list[tuple[str, str]]  # the columns: (key, label), the last the rows' total
    rows: list[tuple[str, list[AllocationCell]]]  # the last the columns' total


def _added(values: list[Decimal | None], total: Figures) -> Decimal | None:
    """Parts added up as the aggregation adds them: a blank part counts as 0, and a row
    without lines has no total."""
    if not total.get("lines"):
        return None
    return sum((Decimal(v) for v in values if v is not None), Decimal(0))


def allocation(plan: Plan, total: Figures) -> Allocation | None:
    """The grand total's breakdown of the definition's sum, if it has one."""
    breakdown = next(iter(plan.appendix.breakdowns), None)
    if breakdown is None:
        return None
    whole = total.get(breakdown.total)

    def cell(value: Decimal | None) -> AllocationCell:
        share = None
        if value is not None and whole:
            share = (Decimal(value) * 100 / Decimal(whole)).quantize(Decimal("0.01"))
        return AllocationCell(value, share)

    rows = []
    for label, parts in breakdown.rows:
        amounts = [total.get(part) for part in parts]
        rows.append((label, [*amounts, _added(amounts, total)]))
    columns = [
        _added([total.get(parts[i]) for _label, parts in breakdown.rows], total)
        for i in range(len(breakdown.columns))
    ]
    rows.append((str(_("Total")), [*columns, whole]))
    return Allocation(
        title=plan.figure(breakdown.total).label,
        sources=[
            *((str(i), c) for i, c in enumerate(breakdown.columns)),
            ("total", str(_("Total"))),
        ],
        rows=[(label, [cell(v) for v in values]) for label, values in rows],
    )


# --- Provinces: the annex, and the spread of their rates ---------------------------------------


@dataclass
class Extreme:
    value: Decimal
    provinces: list[str]


@dataclass
class Spread:
    rate: Figure
    national: Decimal | None
    provinces: int  # how many included provinces give the rate
    low: Extreme | None
    high: Extreme | None


@dataclass(frozen=True)
class ProvinceRow:
    """A reporting unit in a version, as the version froze it, with the number of the content
    version it includes and of the receipt that consolidated it (0007/BN-123 for letter
    123/BTC-XYZ)."""

    unit: AdministrativeUnit
    submission_id: int | None
    is_included: bool
    entered: bool
    stage: str  # "" for a unit that never opened its report
    standing: Status
    is_late: bool
    due: datetime.date
    reached_ministry_at: datetime.datetime | None
    figures: Figures | None
    treasury_refusal_count: int | None
    treasury_refusal_amount: Decimal | None
    submission_version_id: int | None
    content_version: int | None
    receipt: str

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label) if self.stage else ""

    @property
    def standing_label(self) -> str:
        return str(self.standing.label)


def province_rows(version: NationalVersion) -> list[ProvinceRow]:
    """Every reporting unit of the version with its frozen figures (none if not included)."""
    campaign = version.campaign
    plan = plan_for(campaign)
    values = plan.values
    unused = {f.name for f in VersionFigures._meta.concrete_fields} - {
        *plan.fields,
        *COUNTS,
        "id",
        "province",
    }
    rows = []
    for p in (
        version.provinces.select_related("unit", "figures_row")
        .defer(*(f"figures_row__{name}" for name in unused))
        .annotate(
            content_version=F("submission_version__number"),
            receipt_number=F("consolidation__receipt__number"),
        )
        .order_by("unit__code")
    ):
        number = p.receipt_number
        rows.append(
            ProvinceRow(
                unit=p.unit,
                submission_id=p.submission_id,
                is_included=p.is_included,
                entered=p.entered,
                stage=p.stage,
                standing=Status(p.standing),
                is_late=p.is_late,
                due=p.due,
                reached_ministry_at=p.reached_ministry_at,
                figures=values(p.figures) if p.figures is not None else None,
                treasury_refusal_count=p.treasury_refusal_count,
                treasury_refusal_amount=p.treasury_refusal_amount,
                submission_version_id=p.submission_version_id,
                content_version=p.content_version,
                receipt=Receipt(campaign=campaign, number=number).display_number if number else "",
            )
        )
    return rows


def spreads(version: NationalVersion, national: Figures) -> list[Spread]:
    """Each rate nationally, with its lowest and highest province (ties named together).

    Two queries over the provinces' frozen figures: MIN, MAX and COUNT of every rate, then
    the provinces at either end.
    """
    rates = plan_for(version.campaign).rates
    if not rates:
        return []
    figures = version.figures.filter(scope=VersionFigures.Scope.PROVINCE)
    ends = figures.aggregate(
        **{f"{r.field}_low": Min(r.field) for r in rates},
        **{f"{r.field}_high": Max(r.field) for r in rates},
        **{f"{r.field}_count": Count(r.field) for r in rates},
    )
    at_either_end = [
        Q(**{r.field: ends[f"{r.field}_{end}"]})
        for r in rates
        for end in ("low", "high")
        if ends[f"{r.field}_{end}"] is not None
    ]
    extremes = (
        list(
            figures.filter(functools.reduce(operator.or_, at_either_end))
            .values("province__unit__name", *(r.field for r in rates))
            .order_by("province__unit__code")
        )
        if at_either_end
        else []
    )

    def end(rate: Figure, which: str) -> Extreme | None:
        value = ends[f"{rate.field}_{which}"]
        if value is None:
            return None
        names = [e["province__unit__name"] for e in extremes if e[rate.field] == value]
        return Extreme(value, names)

    return [
        Spread(
            rate,
            national.get(rate.key),
            ends[f"{rate.field}_count"],
            end(rate, "low"),
            end(rate, "high"),
        )
        for rate in rates
    ]


@dataclass(frozen=True)
class ProblemCount:
    code: str
    label: str
    provinces: int  # how many included provinces reported it


def problem_counts(version: NationalVersion) -> list[ProblemCount]:
    """Every kind of shortcoming of 2.5 (i), with how many included provinces reported it."""
    return [
        ProblemCount(kind.code, kind.label, kind.provinces)
        for kind in ProblemKind.objects.filter(campaign=version.campaign)
        .annotate(
            provinces=Count(
                "version_problems__province",
                filter=Q(version_problems__version=version),
                distinct=True,
            )
        )
        .order_by("order")
    ]


def treasury(version: NationalVersion) -> dict[str, Any]:
    """Payments the State Treasury refused: cases and amount, and how many provinces had any."""
    return version.provinces.filter(status=VersionProvince.Status.INCLUDED).aggregate(
        cases=Sum("treasury_refusal_count"),
        amount=Sum("treasury_refusal_amount"),
        provinces=Count("pk", filter=Q(treasury_refusal_count__gt=0)),
    )


# --- The narrative, point by point -------------------------------------------------------------


@dataclass
class CompiledPoint:
    point: Any
    answers: list[tuple[str, str]]  # (province, its answer)


@dataclass
class CompiledSection:
    section: OutlineSection
    points: list[CompiledPoint]


def narrative(version: NationalVersion, included: list[ProvinceRow]) -> list[CompiledSection]:
    """Each outline point with every included province's answer, from the frozen content."""
    texts = dict(
        SubmissionVersion.objects.filter(
            pk__in=[p.submission_version_id for p in included]
        ).values_list("pk", "content__answers")
    )
    answers = [(p.unit.full_name, texts.get(p.submission_version_id or 0) or {}) for p in included]
    return [
        CompiledSection(
            section,
            [
                CompiledPoint(
                    point, [(unit, by_code.get(point.code, "")) for unit, by_code in answers]
                )
                for point in section.points.all()
            ],
        )
        for section in content.outline(version.campaign)
    ]


# --- The appendix's text columns, province by province ---------------------------------------


def listed_measures(campaign: Campaign) -> list[str]:
    """The text measures the report lists province by province (aggregate "list"): a text is
    not summed, so the summed appendix leaves its column out (summed_columns) and this lists
    it."""
    return [
        key
        for key, measure in appendix_of(campaign).measures.items()
        if measure.kind == "text" and measure.aggregate.method == "list"
    ]


@dataclass
class ListedProvince:
    province: str
    lines: list[tuple[str, str]]  # (appendix line, what the province wrote there)


@dataclass
class Listing:
    label: str  # the column's label in the letter
    provinces: list[ListedProvince]


def listings(version: NationalVersion, included: list[ProvinceRow]) -> list[Listing]:
    """Each listed text column with every included province's entries, line by line, from the
    content the ministry accepted (content frozen before a column existed lists nothing)."""
    frozen = dict(
        SubmissionVersion.objects.filter(
            pk__in=[p.submission_version_id for p in included]
        ).values_list("pk", "content__lines")
    )
    labels = content.measure_labels(version.campaign)
    return [
        Listing(
            labels.get(name, name),
            [
                ListedProvince(
                    p.unit.full_name,
                    [
                        (line["label"].rstrip(". "), text)  # "label: text" reads well
                        for line in frozen.get(p.submission_version_id or 0) or []
                        if (text := (line.get(name) or "").strip())
                    ],
                )
                for p in included
            ],
        )
        for name in listed_measures(version.campaign)
    ]


ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


# --- The whole report ------------------------------------------------------------------------


@dataclass
class NationalReport:
    version: NationalVersion
    campaign: Campaign
    previous: NationalVersion | None
    table: list[NationalRow]
    total: dict[str, Any]
    allocation: Allocation | None
    provinces: list[ProvinceRow]
    included: list[ProvinceRow]
    missing: list[ProvinceRow]
    late: list[ProvinceRow]
    entered: list[ProvinceRow]
    left: list[str]  # included in the previous version, not in this one
    spreads: list[Spread]
    problems: list[ProblemCount]
    treasury: dict[str, Any]
    narrative: list[CompiledSection]
    listings: list[Listing]
    rate_method: str = ""
    # The campaign's facts of kind "figures" are the State Treasury's refusals (VersionProvince
    # keeps them); a campaign without them has no such section.
    has_treasury: bool = False

    @property
    def headline(self) -> tuple[Figure, ...]:
        return plan_for(self.campaign).headline

    @property
    def counts_note(self) -> str:
        """What a yes / no column's figure is: the lines answering yes."""
        counted = [f.label for f in plan_for(self.campaign).figures if f.kind == "flag"]
        if not counted:
            return ""
        return _("%(columns)s: the number of appendix lines answering yes.") % {
            "columns": ", ".join(f"“{label}”" for label in counted)
        }

    @property
    def has_facts(self) -> bool:
        return bool(self.problems) or self.has_treasury

    def _numbered(self, sections: list[tuple[str, bool]]) -> dict[str, str]:
        shown = [name for name, present in sections if present]
        return {name: ROMAN[i] for i, name in enumerate(shown)}

    @property
    def page_numbers(self) -> dict[str, str]:
        """The page's sections, numbered I, II, ... in order, those it has only."""
        return self._numbered(
            [
                ("table", True),
                ("allocation", self.allocation is not None),
                ("facts", self.has_facts),
                ("rates", bool(self.spreads)),
                ("narrative", True),
                ("listings", bool(self.listings)),
            ]
        )

    @property
    def pdf_numbers(self) -> dict[str, str]:
        """The document's sections, numbered I, II, ... in order, those it has only."""
        return self._numbered(
            [
                ("consolidated", True),
                ("funds", bool(self.headline) or self.allocation is not None),
                ("rates", bool(self.spreads)),
                ("facts", self.has_facts),
                ("narrative", True),
                ("listings", bool(self.listings)),
            ]
        )

    @property
    def words(self) -> dict[str, str]:
        """The national report's words that depend on the letter (its definition's
        report.national), each with a general default."""
        given = (self.campaign.definition.get("report") or {}).get("national") or {}
        return {
            "addressee": given.get("addressee") or str(_("the Prime Minister")),
            "rates_title": given.get("rates_title")
            or str(_("Shares and rates, and their spread across provinces")),
            "facts_title": given.get("facts_title") or str(_("Other facts reported")),
        }

    @property
    def funds_summary(self) -> str:
        """The headline's national totals in a sentence: each amount with its unit, each whole
        number, then each ratio ("...; kinh phí đã thực hiện bằng 85,00% kinh phí đã bố
        trí.")."""
        from national.templatetags.national import rate
        from submissions.templatetags.appendix import amount

        unit = self.campaign.amount_unit
        appendix = plan_for(self.campaign).appendix
        parts = []
        for f in self.headline:
            value = self.total.get(f.key)
            if f.kind in ("amount", "total"):
                parts.append(f"{f.label.lower()}: {amount(value) or '0'} {unit}")
            elif f.kind == "integer":
                parts.append(f"{f.label.lower()}: {value if value is not None else 0}")
        for ratio in appendix.ratios:
            parts.append(
                _("%(of)s is %(rate)s of %(to)s")
                % {
                    "of": appendix.title(ratio.of).lower(),
                    "rate": rate(self.total.get(ratio.key)) or "—",
                    "to": appendix.title(ratio.to).lower(),
                }
            )
        sentence = "; ".join(str(p) for p in parts)
        return f"{sentence[:1].upper()}{sentence[1:]}." if sentence else ""


def national_report(version: NationalVersion) -> NationalReport:
    table = national_table(version)
    total = table[-1].figures
    provinces = province_rows(version)
    included = [p for p in provinces if p.is_included]
    previous = (
        version.campaign.national_versions.filter(number__lt=version.number)
        .order_by("-number")
        .first()
    )
    left: list[str] = []
    if previous is not None:
        now_in = {p.unit.pk for p in included}
        left = [
            p.unit.full_name
            for p in previous.provinces.filter(status=VersionProvince.Status.INCLUDED)
            .select_related("unit")
            .order_by("unit__code")
            if p.unit_id not in now_in
        ]
    return NationalReport(
        version=version,
        campaign=version.campaign,
        previous=previous,
        table=table,
        total=total,
        allocation=allocation(plan_for(version.campaign), total),
        provinces=provinces,
        included=included,
        missing=[p for p in provinces if not p.is_included],
        late=[p for p in provinces if p.is_late],
        entered=[p for p in included if p.entered],
        left=left,
        spreads=spreads(version, total),
        problems=problem_counts(version),
        treasury=treasury(version),
        narrative=narrative(version, included),
        listings=listings(version, included),
        rate_method=method(version.campaign),
        has_treasury=any(
            fact.get("kind") == "figures" for fact in version.campaign.definition.get("facts", [])
        ),
    )


@dataclass(frozen=True)
class VersionRow:
    version: NationalVersion
    included: int  # provinces it includes
    included_new: int  # of which entered (or re-entered) in it
    units: int  # reporting units in all


def versions(campaign: Campaign, *, only: NationalVersion | None = None) -> list[VersionRow]:
    """The campaign's national versions (or ``only`` one), newest first, with how many
    provinces each includes."""
    chosen = campaign.national_versions.all()
    if only is not None:
        chosen = chosen.filter(pk=only.pk)
    return [
        VersionRow(v, v.included, v.included_new, v.units)
        for v in chosen.select_related("created_by")
        .annotate(
            included=Count(
                "provinces", filter=Q(provinces__status=VersionProvince.Status.INCLUDED)
            ),
            included_new=Count("provinces", filter=Q(provinces__entered=True)),
            units=Count("provinces"),
        )
        .order_by("-number")
    ]


def _latest(action: Action, field: str) -> Subquery:
    """The ``field`` of the submission's latest audit record of ``action``."""
    return Subquery(
        AuditRecord.objects.filter(submission=OuterRef("pk"), action=action)
        .order_by("-at", "-pk")
        .values(field)[:1]
    )


@dataclass(frozen=True)
class Consolidated:
    """A consolidated submission with the content the ministry accepted (a SubmissionVersion's
    id), its latest content, its consolidation record, and its deadline facts."""

    submission: Submission
    accepted_version: int | None
    latest_version: int | None
    consolidation_id: int | None
    province_due: datetime.date
    reached_ministry_at: datetime.datetime | None


def consolidated(campaign: Campaign) -> list[Consolidated]:
    """The campaign's consolidated submissions, in the order of their units' codes."""
    return [
        Consolidated(
            s,
            s.accepted_version,
            s.latest_version,
            s.consolidation_id,
            s.province_due,
            s.reached_ministry_at,
        )
        for s in Submission.objects.filter(campaign=campaign, stage=Stage.CONSOLIDATED)
        .annotate(
            accepted_version=_latest(Action.ACCEPT, "version_id"),
            consolidation_id=_latest(Action.CONSOLIDATE, "pk"),
            latest_version=Subquery(
                SubmissionVersion.objects.filter(submission=OuterRef("pk"))
                .order_by("-number")
                .values("pk")[:1]
            ),
            province_due=deadlines.province_due(),
            reached_ministry_at=deadlines.reached_ministry_at(),
        )
        .select_related("unit", "campaign")
        .order_by("unit__code")
    ]


def frozen_in(version: NationalVersion | None) -> set[tuple[int, int]]:
    """(submission, content version) of every province the version includes."""
    if version is None:
        return set()
    return set(
        version.provinces.filter(status=VersionProvince.Status.INCLUDED).values_list(
            "submission_id", "submission_version_id"
        )
    )


@dataclass
class Pending:
    """What a consolidation run would take in now."""

    latest: NationalVersion | None
    # Accepted by the ministry, waiting in "consolidation": the run consolidates them.
    waiting: list[Submission]
    # Consolidated one by one (the submission page's button) or before any national
    # version, and not in the latest one at this content: they enter as they are.
    unreported: list[Submission]

    # In the latest version but no longer consolidated (reopened): they leave the next one.
    leaving: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.waiting or self.unreported)

    @property
    def units(self) -> list[str]:
        return [s.unit.full_name for s in sorted(self.waiting + self.unreported, key=_code)]


def _code(submission: Submission) -> str:
    return submission.unit.code


def pending(campaign: Campaign) -> Pending:
    latest = campaign.national_versions.order_by("-number").first()
    frozen = frozen_in(latest)
    return Pending(
        latest=latest,
        waiting=list(
            Submission.objects.filter(campaign=campaign, stage=Stage.CONSOLIDATION)
            .select_related("unit", "campaign")
            .order_by("unit__code")
        ),
        unreported=[
            row.submission
            for row in consolidated(campaign)
            if (row.submission.pk, row.accepted_version) not in frozen
        ],
        leaving=[
            p.unit.full_name
            for p in (latest.provinces if latest else VersionProvince.objects.none())
            .filter(status=VersionProvince.Status.INCLUDED)
            .exclude(submission__stage=Stage.CONSOLIDATED)
            .select_related("unit")
            .order_by("unit__code")
        ],
    )


def campaigns_with_report() -> QuerySet[Campaign]:
    return Campaign.objects.started().order_by("-issued_on", "code")


def version_signature(version: NationalVersion) -> VersionSignature | None:
    """The version's signature, with its signed document and the signer, if it is signed."""
    return (
        VersionSignature.objects.select_related("signed__signer", "signed__prepared")
        .filter(version=version)
        .first()
    )
