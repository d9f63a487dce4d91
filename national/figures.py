"""The national aggregation: every figure of a version as a SQL aggregate over its frozen lines,
each measure put together as the campaign's definition says.

A campaign's definition gives each measure of its appendix an aggregate (campaigns.measures):
amounts and whole numbers are summed, percentages are means weighted by a named amount (over
the lines it names: those giving the rate, all, or those giving any share of one whole),
yes/no columns count their "yes". Sums of the header add up their parts; ratios divide two
totals. Texts are listed province by province, not aggregated (national.selectors.listings).

The run (national.services) copies these queries' results into VersionFigures with
INSERT ... SELECT, once per scope: GROUP BY appendix line (group, row), GROUP BY group,
the whole country, GROUP BY province. Each scan takes only what adds up line by line
(sums, each rate's weighted sum and its weight, counts); rates, sums of the header and
ratios are then computed once per result row from those. Nothing is summed in Python.

Each figure sits in VersionFigures in the slot of its measure's kind and number (the same
slot as on the line), the sums of the header in total_1 ..., the ratios in ratio_1 ...;
``plan_for`` is the one place that maps a campaign's keys to those fields.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Expression,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, Round
from django.utils.translation import gettext as _

from campaigns.measures import Appendix, Measure, appendix_of, headline_totals
from campaigns.models import Campaign
from submissions import values as line_values

from .models import LINE_SLOTS, RATIO_FIELDS, TOTAL_FIELDS, NationalVersion, VersionFigures

# Aggregates are named with this prefix: an annotation named like a field of VersionLine
# would shadow it (and annotate() refuses the clash).
P = "agg_"
COUNTS = ("lines", "provinces")


@dataclass(frozen=True)
class Figure:
    """One figure of a result row: a measure's aggregate, a sum of the header or a ratio."""

    key: str  # the definition's key
    field: str  # the VersionFigures field that keeps it
    kind: str  # amount | integer | percent | flag | total | ratio: how it reads
    label: str  # how the report names it outside the table


@dataclass(frozen=True)
class Plan:
    """What a campaign's national report aggregates, read from its definition once."""

    appendix: Appendix
    slots: dict[str, str]  # measure key -> slot of the line (and of VersionFigures)
    figures: tuple[Figure, ...]  # measures in the header's order, then sums, then ratios

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    @property
    def fields(self) -> list[str]:
        return [f.field for f in self.figures]

    @property
    def line_slots(self) -> list[str]:
        """The line slots a version freezes: the numeric measures (texts stay in the
        SubmissionVersion)."""
        numeric = {s for slots in LINE_SLOTS.values() for s in slots}
        return [slot for slot in self.slots.values() if slot in numeric]

    @property
    def rates(self) -> tuple[Figure, ...]:
        """The weighted means and the ratios: what the report compares across provinces."""
        return tuple(f for f in self.figures if f.kind in ("percent", "ratio"))

    @property
    def headline(self) -> tuple[Figure, ...]:
        """A province's figures in the annex: the report's overview totals (each amount that is
        no part of a sum, and the sums: campaigns.measures.headline_totals), the whole numbers
        that are no part of a sum, then the ratios (for the first campaign: demand, allocated,
        spent, spent against allocated)."""
        by_key = {f.key: f for f in self.figures}
        totals = [by_key[key] for key, _label in headline_totals(self.appendix) if key in by_key]
        return (
            *totals,
            *(f for f in self.figures if f.kind == "integer"),
            *(f for f in self.figures if f.kind == "ratio"),
        )

    def values(self, row: VersionFigures | None) -> Figures:
        """A stored result row by the definition's keys (empty for no row)."""
        if row is None:
            return Figures()
        found = Figures({f.key: getattr(row, f.field) for f in self.figures})
        found.update({name: getattr(row, name) for name in COUNTS})
        return found


class Figures(dict[str, Any]):
    """A result row's figures by key; read as attributes too (``figures.spent``)."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


def _aggregated(measure: Measure) -> bool:
    return measure.kind in LINE_SLOTS and measure.aggregate.method in (
        "sum",
        "count",
        "weighted_mean",
    )


def plan_for(campaign: Campaign) -> Plan:
    """The campaign's figures and their fields (no query; kept on the campaign object)."""
    cached: Plan | None = getattr(campaign, "_national_plan", None)
    if cached is not None:
        return cached
    appendix = appendix_of(campaign)
    slots = line_values.for_campaign(campaign).slots  # the lines' own map, frozen slot for slot
    # In the header's order: a sum stands before its parts, as its column does.
    total_fields = dict(zip(appendix.totals, TOTAL_FIELDS, strict=False))
    figures: list[Figure] = []
    for key, measure in appendix.measures.items():
        total = appendix.totals.get(measure.within)
        if total is not None and total.key in total_fields:
            label = appendix.title(total.key)
            figures.append(Figure(total.key, total_fields.pop(total.key), "total", label))
        if key in slots and _aggregated(measure):
            figures.append(Figure(key, slots[key], measure.kind, measure.title))
    figures += [
        Figure(key, field, "total", appendix.title(key)) for key, field in total_fields.items()
    ]
    figures += [
        Figure(ratio.key, field, "ratio", ratio.label)
        for ratio, field in zip(appendix.ratios, RATIO_FIELDS, strict=False)
    ]
    plan = Plan(appendix, slots, tuple(figures))
    campaign._national_plan = plan  # type: ignore[attr-defined]
    return plan


# --- SQL -------------------------------------------------------------------------------------


def _on_line(plan: Plan, key: str) -> Expression | F:
    """A measure or a sum of the header as one line holds it (a sum's blank parts as 0)."""
    total = plan.appendix.totals.get(key)
    if total is None:
        return F(plan.slots[key])
    return functools.reduce(
        operator.add, [Coalesce(F(plan.slots[part]), Decimal(0)) for part in total.of]
    )


def _given(plan: Plan, measure: Measure) -> Q | None:
    """The lines a weighted mean counts (None: every line)."""
    lines = measure.aggregate.lines
    if lines == "all":
        return None
    keys = plan.appendix.shares_of(measure.key) if lines == "with_any_share" else ()
    keys = keys or (measure.key,)
    return functools.reduce(operator.or_, [Q(**{f"{plan.slots[k]}__isnull": False}) for k in keys])


def _weight(plan: Plan, measure: Measure) -> str:
    """The name of the aggregate a weighted mean divides by: one per weight and set of lines."""
    aggregate = measure.aggregate
    lines = {
        "all": "all",
        "with_any_share": "_".join(plan.slots[k] for k in plan.appendix.shares_of(measure.key)),
    }.get(aggregate.lines, plan.slots[measure.key])
    return f"{P}weight_{aggregate.by}_{lines}"


def _sums(plan: Plan) -> dict[str, Any]:
    """What adds up line by line: sums, counts, each rate's weighted sum and its weight."""
    sums: dict[str, Any] = {}
    for figure in plan.figures:
        if figure.kind in ("total", "ratio"):
            continue
        measure = plan.appendix.measures[figure.key]
        slot, method = figure.field, measure.aggregate.method
        if method == "weighted_mean":
            by = _on_line(plan, measure.aggregate.by)
            sums[f"{P}{slot}_weighted"] = Sum(F(slot) * by)
            # Rates counting the same lines share one weight (the shares of one whole).
            sums.setdefault(_weight(plan, measure), Sum(by, filter=_given(plan, measure)))
        elif method == "count" and figure.kind == "flag":
            sums[P + slot] = Count("pk", filter=Q(**{slot: True}))
        elif method == "count":
            sums[P + slot] = Count(slot)
        else:
            sums[P + slot] = Sum(slot)
    for total in plan.appendix.totals.values():  # the parts of a sum, summed
        for part in total.of:
            sums.setdefault(P + plan.slots[part], Sum(plan.slots[part]))
    sums[P + "lines"] = Count("pk")
    sums[P + "provinces"] = Count("province", distinct=True)
    return sums


def _total(plan: Plan, key: str) -> Expression:
    """Amounts of one result row added up (a part no line gives counts as 0); NULL for a row
    without lines."""
    parts = plan.appendix.totals[key].of
    added = functools.reduce(
        operator.add, [Coalesce(F(P + plan.slots[part]), Decimal(0)) for part in parts]
    )
    return Case(
        When(**{f"{P}lines": 0}, then=Value(None)),
        default=added,
        output_field=DecimalField(max_digits=20, decimal_places=3),
    )


def _summed(plan: Plan, key: str) -> Expression | F:
    """A measure's or a sum's total over the result row."""
    return _total(plan, key) if key in plan.appendix.totals else F(P + plan.slots[key])


def _ratio(numerator: Expression | F, denominator: Expression | F) -> Expression:
    """numerator / denominator as a percentage with two decimals, NULL when nothing to divide."""
    return Round(
        numerator / NullIf(denominator, Decimal(0)),
        2,
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )


def _derived(plan: Plan) -> dict[str, Any]:
    """Figures computed from a result row's sums: once per row of the result, not per line."""
    derived: dict[str, Any] = {}
    for figure in plan.figures:
        if figure.kind == "total":
            derived[P + figure.field] = _total(plan, figure.key)
        elif figure.kind == "ratio":
            ratio = next(r for r in plan.appendix.ratios if r.key == figure.key)
            derived[P + figure.field] = _ratio(
                _summed(plan, ratio.of) * Decimal(100), _summed(plan, ratio.to)
            )
        elif plan.appendix.measures[figure.key].aggregate.method == "weighted_mean":
            measure = plan.appendix.measures[figure.key]
            weighted: Expression | F = F(f"{P}{figure.field}_weighted")
            if measure.aggregate.lines != "given":  # a blank counts as 0, even when all are
                weighted = Coalesce(weighted, Decimal(0))
            derived[P + figure.field] = _ratio(weighted, F(_weight(plan, measure)))
    return derived


def sources(version: NationalVersion) -> list[tuple[list[str], QuerySet[Any, Any]]]:
    """For each scope, the VersionFigures fields and the SELECT that fills them (one scan of
    the version's lines each): what the run copies with INSERT ... SELECT."""
    from .models import VersionLine

    plan = plan_for(version.campaign)
    lines = VersionLine.objects.filter(version=version).order_by()
    scope = VersionFigures.Scope
    by = {
        scope.ROW: ["group", "row"],
        scope.GROUP: ["group"],
        scope.TOTAL: [],
        scope.PROVINCE: ["province"],
    }
    stored = [*plan.fields, *COUNTS]
    out = []
    for name, keys in by.items():
        # A constant grouping key is no key: the whole country is one result row.
        grouped = lines.values(*(f"{k}_id" for k in keys)) if keys else lines.values(one=Value(1))
        select = (
            grouped.annotate(**_sums(plan))
            .annotate(**_derived(plan))
            .values_list(
                Value(version.pk),
                Value(str(name)),
                *(f"{k}_id" for k in keys),
                *(P + f for f in stored),
            )
        )
        out.append((["version", "scope", *keys, *stored], select))
    return out


# --- How the rates were computed, in words -----------------------------------------------


def _listed(titles: list[str]) -> str:
    if len(titles) == 1:
        return titles[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(titles[:-1]), "last": titles[-1]}


def method(campaign: Campaign) -> str:
    """How the report's rates were computed, as the definition says, printed on the report."""
    plan = plan_for(campaign)
    appendix = plan.appendix
    sentences = []
    weighted = [
        appendix.measures[f.key]
        for f in plan.figures
        if f.kind == "percent" and appendix.measures[f.key].aggregate.method == "weighted_mean"
    ]
    by_weight: dict[str, list[Measure]] = {}
    for measure in weighted:
        by_weight.setdefault(measure.aggregate.by, []).append(measure)
    for by, measures in by_weight.items():
        weight = appendix.title(by).lower()
        sentences.append(
            _(
                "National and provincial rates are averages weighted by %(weight)s: each "
                "appendix line counts with its %(weight)s as its weight."
            )
            % {"weight": weight}
        )
        given = [m.title for m in measures if m.aggregate.lines == "given"]
        if given:
            sentences.append(_("%(rates)s: the lines that give it.") % {"rates": _listed(given)})
        groups: dict[tuple[str, ...], list[str]] = {}
        for m in measures:
            if m.aggregate.lines == "with_any_share":
                groups.setdefault(appendix.shares_of(m.key), []).append(m.title)
        for shares, titles in groups.items():
            limit = next(r.limit for r in appendix.at_most if r.measures == shares)
            sentences.append(
                _(
                    "%(rates)s: the lines that give any of these shares, a share left blank "
                    "there counting as 0%%, so that they add up to %(limit)s%% at most."
                )
                % {"rates": _listed(titles), "limit": f"{limit:g}"}
            )
        every = [m.title for m in measures if m.aggregate.lines == "all"]
        if every:
            sentences.append(
                _("%(rates)s: every line, a blank counting as 0%%.") % {"rates": _listed(every)}
            )
    for ratio in appendix.ratios:
        sentences.append(
            _("%(ratio)s is the total of %(of)s divided by the total of %(to)s.")
            % {
                "ratio": ratio.label,
                "of": appendix.title(ratio.of).lower(),
                "to": appendix.title(ratio.to).lower(),
            }
        )
    return " ".join(sentences)
