"""Reads: the national report of one version, every figure a SQL aggregate over its frozen rows.

The appendix summed row by row is three GROUP BY queries over the version's lines (by
line, by group, all); sums that add up are taken per line, and rates and totals computed
once per result row from them. Each province's totals and rates were aggregated the same
way when the version was made (ProvinceFigures): their spread is MIN/MAX/COUNT over those
rows. Shortcomings are a COUNT per kind, refusals one aggregate. Python only arranges the
results in the letter's order. Rates are weighted by funds spent (RATE_METHOD).
"""

from __future__ import annotations

import functools
import operator
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Expression,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, Round
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from submissions import selectors as content
from submissions.models import (
    ALLOCATION_FIELDS,
    AMOUNT_FIELDS,
    PERCENT_FIELDS,
    Campaign,
    OutlineSection,
    ProblemKind,
    Submission,
    TemplateColumn,
    TemplateRow,
)
from submissions.selectors import ColumnTree, HeaderCell
from workflow.deadlines import Status as Standing
from workflow.models import AuditRecord, Receipt, SubmissionVersion
from workflow.stages import Stage
from workflow.transitions import Action

from .models import NationalVersion, ProvinceFigures, VersionLine, VersionProvince

INVEST = ALLOCATION_FIELDS[:3]
RECURRENT = ALLOCATION_FIELDS[3:]
# Funds allocated by source: (investment part, recurrent part).
SOURCES = {
    "source_ctmt": ("alloc_invest_ctmt", "alloc_recurrent_ctmt"),
    "source_self": ("alloc_invest_self", "alloc_recurrent_self"),
    "source_separate": ("alloc_invest_separate", "alloc_recurrent_separate"),
}
SOURCE_LABELS: dict[str, Promise] = {
    "source_ctmt": _("IT target programme (CTMT CNTT)"),
    "source_self": _("Self-balanced within the assigned estimate"),
    "source_separate": _("Separately allocated budget"),
}
FLAG_FIELDS = ("accepted_internal", "accepted_by_authority")
RATE_METHOD = _(
    "National and provincial rates are averages weighted by funds spent: every appendix "
    "line that gives the rate and has funds spent above zero counts with its funds spent "
    "as its weight; lines without the rate or without spending are left out. Funds spent "
    "against funds allocated is the total spent divided by the total allocated."
)


@dataclass(frozen=True)
class Rate:
    key: str
    label: Promise


RATES = (
    Rate("vs_demand_pct", _("Achievement vs demand")),
    Rate("vs_resolution17_pct", _("Achievement vs the goals of Resolution 17")),
    Rate("use_as_designed_pct", _("Equipment used as designed")),
    Rate("use_not_as_designed_pct", _("Equipment used, not as designed")),
    Rate("unused_pct", _("Equipment not used")),
    Rate("not_completed_pct", _("Planned products not completed")),
    Rate("spent_vs_allocated", _("Funds spent against funds allocated")),
)


# Every aggregate is named with this prefix: an annotation named like a field would shadow
# it (and annotate() refuses the clash). _plain() takes it off again.
P = "agg_"


def _sums(prefix: str) -> dict[str, Any]:
    """What adds up line by line: the amounts, each rate's weighted sum and its weight, counts.

    Lines without the rate drop out of both (a NULL product is not summed); a line with
    nothing spent weighs nothing. ``prefix`` reaches the lines from another model
    (``"lines__"`` from VersionProvince).
    """
    sums: dict[str, Any] = {P + f: Sum(prefix + f) for f in AMOUNT_FIELDS}
    for pct in PERCENT_FIELDS:
        sums[f"{P}{pct}_weighted"] = Sum(F(prefix + pct) * F(prefix + "spent"))
        sums[f"{P}{pct}_weight"] = Sum(
            prefix + "spent", filter=Q(**{f"{prefix}{pct}__isnull": False})
        )
    for flag in FLAG_FIELDS:
        sums[P + flag] = Count(prefix + "pk", filter=Q(**{prefix + flag: True}))
    sums[P + "lines"] = Count(prefix + "pk")
    return sums


def _total(fields: tuple[str, ...]) -> Expression:
    """Amounts of one result row added up (a part no line gives counts as 0); NULL for a row
    without lines."""
    added = functools.reduce(operator.add, [Coalesce(F(P + f), Decimal(0)) for f in fields])
    return Case(
        When(**{f"{P}lines": 0}, then=Value(None)),
        default=added,
        output_field=DecimalField(max_digits=20, decimal_places=3),
    )


def _ratio(numerator: Expression | F, denominator: Expression | F) -> Expression:
    """numerator / denominator as a percentage with two decimals, NULL when nothing to divide."""
    return Round(
        numerator / NullIf(denominator, Decimal(0)),
        2,
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )


def _derived() -> dict[str, Any]:
    """Figures computed from a result row's sums: once per row of the result, not per line."""
    derived: dict[str, Any] = {
        P + "allocated": _total(ALLOCATION_FIELDS),
        P + "invest": _total(INVEST),
        P + "recurrent": _total(RECURRENT),
    }
    for source, parts in SOURCES.items():
        derived[P + source] = _total(parts)
    for pct in PERCENT_FIELDS:
        derived[P + pct] = _ratio(F(f"{P}{pct}_weighted"), F(f"{P}{pct}_weight"))
    derived[P + "spent_vs_allocated"] = _ratio(
        F(P + "spent") * Decimal(100), _total(ALLOCATION_FIELDS)
    )
    return derived


def _figures(queryset: QuerySet[Any, Any], prefix: str = "") -> QuerySet[Any, Any]:
    """The queryset (grouped by its values(), or by its model's rows) with every figure."""
    return queryset.annotate(**_sums(prefix)).annotate(**_derived())


def _plain(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k.removeprefix(P): v for k, v in row.items() if k.startswith(P)}


def summed_columns(campaign: Campaign) -> ColumnTree:
    """The letter's column tree without its text columns (basis, products, difficulties),
    which a sum leaves empty; the spans of the headers above them shrink accordingly."""
    tree = content.column_tree(campaign)
    parent = {cell.column.pk: cell.column.parent_id for row in tree.header_rows for cell in row}
    kept = [leaf for leaf in tree.leaves if leaf.kind != TemplateColumn.Kind.TEXT]
    spans: Counter[int] = Counter()
    for leaf in kept:
        node: int | None = leaf.pk
        while node is not None:
            spans[node] += 1
            node = parent.get(node)
    rows = [
        [HeaderCell(c.column, spans[c.column.pk], c.rowspan) for c in row if spans[c.column.pk]]
        for row in tree.header_rows
    ]
    return ColumnTree(header_rows=rows, leaves=kept)


# --- The appendix summed across provinces ----------------------------------------------------


@dataclass
class NationalRow:
    """A row of the national appendix: a group, a template sub-item, the sub-items provinces
    added under a group, a group's own entries, or the grand total."""

    kind: str  # "group", "line", "own", "direct" or "total"
    stt: str
    label: str
    figures: dict[str, Any] = field(default_factory=dict)
    template_row: TemplateRow | None = None


def national_table(version: NationalVersion) -> list[NationalRow]:
    """The appendix summed row by row, group by group and in all: three GROUP BY queries."""
    lines = VersionLine.objects.filter(version=version).order_by()
    provinces = {P + "provinces": Count("province", distinct=True)}
    by_row: dict[tuple[int, int | None], dict[str, Any]] = {
        (r["group_id"], r["row_id"]): _plain(r)
        for r in _figures(lines.values("group_id", "row_id")).annotate(**provinces)
    }
    by_group = {
        r["group_id"]: _plain(r) for r in _figures(lines.values("group_id")).annotate(**provinces)
    }
    grand = _plain(lines.aggregate(**_sums(""), **_derived(), **provinces))
    rows = content.template_rows(version.campaign)
    children: dict[int, list[TemplateRow]] = {}
    for row in rows:
        if row.parent_id is not None:
            children.setdefault(row.parent_id, []).append(row)
    table: list[NationalRow] = []
    for group in (r for r in rows if r.parent_id is None):
        table.append(
            NationalRow("group", group.stt, group.label, by_group.get(group.pk, {}), group)
        )
        for child in children.get(group.pk, []):
            table.append(
                NationalRow(
                    "line", child.stt, child.label, by_row.get((group.pk, child.pk), {}), child
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
    share: Decimal | None  # of all funds allocated, %


@dataclass
class Allocation:
    """Funds allocated nationally, by kind of spending (rows) and by source (columns)."""

    sources: list[tuple[str, Promise]]
    rows: list[tuple[Promise, list[AllocationCell]]]


def allocation(total: dict[str, Any]) -> Allocation:
    """The grand total's allocation as footnote (*) asks: investment or recurrent, by source."""
    whole = total.get("allocated")

    def cell(value: Decimal | None) -> AllocationCell:
        share = None
        if value is not None and whole:
            share = (Decimal(value) * 100 / Decimal(whole)).quantize(Decimal("0.01"))
        return AllocationCell(value, share)

    by_kind = [
        (_("Investment"), [*(total.get(f) for f in INVEST), total.get("invest")]),
        (_("Recurrent"), [*(total.get(f) for f in RECURRENT), total.get("recurrent")]),
        (_("Total"), [*(total.get(s) for s in SOURCES), whole]),
    ]
    return Allocation(
        sources=[*SOURCE_LABELS.items(), ("total", _("Total"))],
        rows=[(label, [cell(v) for v in values]) for label, values in by_kind],
    )


# --- Provinces: the annex, and the spread of their rates ---------------------------------------


@dataclass
class Extreme:
    value: Decimal
    provinces: list[str]


@dataclass
class Spread:
    rate: Rate
    national: Decimal | None
    provinces: int  # how many included provinces give the rate
    low: Extreme | None
    high: Extreme | None


# What a version keeps of each included province (ProvinceFigures), in that model's order.
PROVINCE_FIGURES = [
    f.name
    for f in ProvinceFigures._meta.concrete_fields
    if f.name not in {"id", "version", "province"}
]


def province_figures_source(version: NationalVersion) -> QuerySet[Any, Any]:
    """Each included province's figures from the version's frozen lines (GROUP BY province),
    as (version, province, *PROVINCE_FIGURES): what the run copies into ProvinceFigures."""
    return _figures(
        VersionLine.objects.filter(version=version).order_by().values("province_id")
    ).values_list(Value(version.pk), "province_id", *(P + f for f in PROVINCE_FIGURES))


def province_rows(version: NationalVersion) -> list[VersionProvince]:
    """Every reporting unit of the version with its frozen figures (none if not included) and
    the number of the receipt that consolidated it (``receipt``, e.g. 0007/BN-5137)."""
    rows: list[VersionProvince] = list(
        version.provinces.select_related("unit", "figures_row")
        .annotate(
            content_version=F("submission_version__number"),
            receipt_number=F("consolidation__receipt__number"),
        )
        .order_by("unit__code")
    )
    campaign = version.campaign
    for row in rows:
        number = getattr(row, "receipt_number", None)
        label = Receipt(campaign=campaign, number=number).display_number if number else ""
        row.receipt = label  # type: ignore[attr-defined]
    return rows


def spreads(version: NationalVersion, national: dict[str, Any]) -> list[Spread]:
    """Each rate nationally, with its lowest and highest province (ties named together).

    Two queries over the provinces' frozen figures: MIN, MAX and COUNT of every rate, then
    the provinces at either end.
    """
    figures = ProvinceFigures.objects.filter(version=version)
    ends = figures.aggregate(
        **{f"{r.key}_low": Min(r.key) for r in RATES},
        **{f"{r.key}_high": Max(r.key) for r in RATES},
        **{f"{r.key}_count": Count(r.key) for r in RATES},
    )
    at_either_end = [
        Q(**{r.key: ends[f"{r.key}_{end}"]})
        for r in RATES
        for end in ("low", "high")
        if ends[f"{r.key}_{end}"] is not None
    ]
    extremes = (
        list(
            figures.filter(functools.reduce(operator.or_, at_either_end))
            .values("province__unit__name", *(r.key for r in RATES))
            .order_by("province__unit__code")
        )
        if at_either_end
        else []
    )

    def end(rate: Rate, which: str) -> Extreme | None:
        value = ends[f"{rate.key}_{which}"]
        if value is None:
            return None
        names = [e["province__unit__name"] for e in extremes if e[rate.key] == value]
        return Extreme(value, names)

    return [
        Spread(
            rate,
            national.get(rate.key),
            ends[f"{rate.key}_count"],
            end(rate, "low"),
            end(rate, "high"),
        )
        for rate in RATES
    ]


def problem_counts(version: NationalVersion) -> QuerySet[ProblemKind]:
    """Every kind of shortcoming of 2.5 (i), with how many included provinces reported it."""
    return (
        ProblemKind.objects.filter(campaign=version.campaign)
        .annotate(
            provinces=Count(
                "version_problems__province",
                filter=Q(version_problems__version=version),
                distinct=True,
            )
        )
        .order_by("order")
    )


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


def narrative(version: NationalVersion, included: list[VersionProvince]) -> list[CompiledSection]:
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


# --- The whole report ------------------------------------------------------------------------


@dataclass
class NationalReport:
    version: NationalVersion
    campaign: Campaign
    previous: NationalVersion | None
    table: list[NationalRow]
    total: dict[str, Any]
    allocation: Allocation
    provinces: list[VersionProvince]
    included: list[VersionProvince]
    missing: list[VersionProvince]
    late: list[VersionProvince]
    entered: list[VersionProvince]
    left: list[str]  # included in the previous version, not in this one
    spreads: list[Spread]
    problems: list[ProblemKind]
    treasury: dict[str, Any]
    narrative: list[CompiledSection]
    rate_method: Promise = RATE_METHOD


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
        now_in = {p.unit_id for p in included}
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
        allocation=allocation(total),
        provinces=provinces,
        included=included,
        missing=[p for p in provinces if not p.is_included],
        late=[p for p in provinces if p.standing in (Standing.DONE_LATE, Standing.OVERDUE)],
        entered=[p for p in included if p.entered],
        left=left,
        spreads=spreads(version, total),
        problems=list(problem_counts(version)),
        treasury=treasury(version),
        narrative=narrative(version, included),
    )


def versions(campaign: Campaign) -> QuerySet[NationalVersion]:
    """The campaign's national versions, newest first, with how many provinces each includes."""
    return (
        campaign.national_versions.select_related("created_by")
        .annotate(
            included=Count(
                "provinces", filter=Q(provinces__status=VersionProvince.Status.INCLUDED)
            ),
            included_new=Count("provinces", filter=Q(provinces__entered=True)),
            units=Count("provinces"),
        )
        .order_by("-number")
    )


def _latest(action: Action, field: str) -> Subquery:
    """The ``field`` of the submission's latest audit record of ``action``."""
    return Subquery(
        AuditRecord.objects.filter(submission=OuterRef("pk"), action=action)
        .order_by("-at", "-pk")
        .values(field)[:1]
    )


def consolidated(campaign: Campaign) -> QuerySet[Submission]:
    """The campaign's consolidated submissions, each with its accepted content version
    (``accepted_version``), its latest one and its consolidation record."""
    return (
        Submission.objects.filter(campaign=campaign, stage=Stage.CONSOLIDATED)
        .annotate(
            accepted_version=_latest(Action.ACCEPT, "version_id"),
            consolidation_id=_latest(Action.CONSOLIDATE, "pk"),
            latest_version=Subquery(
                SubmissionVersion.objects.filter(submission=OuterRef("pk"))
                .order_by("-number")
                .values("pk")[:1]
            ),
        )
        .select_related("unit", "campaign")
        .order_by("unit__code")
    )


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
            s
            for s in consolidated(campaign)
            if (s.pk, s.accepted_version) not in frozen  # type: ignore[attr-defined]
        ],
    )


def campaigns_with_report() -> QuerySet[Campaign]:
    return Campaign.objects.order_by("-issued_on")
