"""The national aggregation: every figure of a version as a SQL aggregate over its frozen lines.

The run (national.services) copies these queries' results into VersionFigures with
INSERT ... SELECT, once per scope: GROUP BY appendix line (group, row), GROUP BY group,
the whole country, GROUP BY province. Each scan takes only what adds up line by line
(amounts, each rate's weighted sum and its weight, counts); totals and rates are then
computed once per result row from those sums. Nothing is summed in Python.

Rates are averages weighted by funds spent (METHOD, printed on the report).
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
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import NationalVersion, VersionFigures, VersionLine

# The measures of 5137 the national report puts together, by their keys in its definition
# (the columns of the frozen VersionLine): the report is 5137's until it reads the definition.
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

INVEST = ALLOCATION_FIELDS[:3]
RECURRENT = ALLOCATION_FIELDS[3:]
# Funds allocated by source: (investment part, recurrent part).
SOURCES = {
    "source_ctmt": ("alloc_invest_ctmt", "alloc_recurrent_ctmt"),
    "source_self": ("alloc_invest_self", "alloc_recurrent_self"),
    "source_separate": ("alloc_invest_separate", "alloc_recurrent_separate"),
}
FLAG_FIELDS = ("accepted_internal", "accepted_by_authority")
ACHIEVEMENT_FIELDS = ("vs_demand_pct", "vs_resolution17_pct")
METHOD = _(
    "National and provincial rates are averages weighted by funds spent: each appendix line "
    "counts with its funds spent as its weight. The two achievement rates count the lines "
    "that give them. The three shares of equipment use count the lines that give any of "
    "them, a share left blank there counting as 0%, so that the three add up to 100% at "
    "most. Products not completed count every line, a blank counting as 0%. Funds spent "
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
# The figures a VersionFigures row keeps, in the model's order.
FIGURES = [
    f.name
    for f in VersionFigures._meta.concrete_fields
    if f.name not in {"id", "version", "scope", "group", "row", "province"}
]
# Aggregates are named with this prefix: an annotation named like a field of VersionLine
# would shadow it (and annotate() refuses the clash).
P = "agg_"


def _sums() -> dict[str, Any]:
    """What adds up line by line: the amounts, each rate's weighted sum and its weight, counts.

    A rate's weighted sum is the sum of rate x funds spent (a blank rate adds nothing);
    its weight is the funds spent of the lines the rate counts (METHOD): those that give it
    (achievement), those that give any share of equipment use, or all (not completed).
    """
    given = {pct: Q(**{f"{pct}__isnull": False}) for pct in PERCENT_FIELDS}
    any_use = functools.reduce(operator.or_, [given[pct] for pct in USE_FIELDS])
    sums: dict[str, Any] = {P + f: Sum(f) for f in AMOUNT_FIELDS}
    for pct in PERCENT_FIELDS:
        sums[f"{P}{pct}_weighted"] = Sum(F(pct) * F("spent"))
    for pct in ACHIEVEMENT_FIELDS:
        sums[f"{P}{pct}_weight"] = Sum("spent", filter=given[pct])
    sums[f"{P}use_weight"] = Sum("spent", filter=any_use)
    for flag in FLAG_FIELDS:
        sums[P + flag] = Count("pk", filter=Q(**{flag: True}))
    sums[P + "lines"] = Count("pk")
    sums[P + "provinces"] = Count("province", distinct=True)
    return sums


def _weight(pct: str) -> F:
    """The aggregate a rate's weighted sum is divided by (see _sums)."""
    if pct in ACHIEVEMENT_FIELDS:
        return F(f"{P}{pct}_weight")
    if pct in USE_FIELDS:
        return F(f"{P}use_weight")
    return F(P + "spent")


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
        weighted: Expression | F = F(f"{P}{pct}_weighted")
        if pct not in ACHIEVEMENT_FIELDS:  # a blank counts as 0%, even when all are blank
            weighted = Coalesce(weighted, Decimal(0))
        derived[P + pct] = _ratio(weighted, _weight(pct))
    derived[P + "spent_vs_allocated"] = _ratio(
        F(P + "spent") * Decimal(100), _total(ALLOCATION_FIELDS)
    )
    return derived


def sources(version: NationalVersion) -> list[tuple[list[str], QuerySet[Any, Any]]]:
    """For each scope, the VersionFigures fields and the SELECT that fills them (one scan of
    the version's lines each): what the run copies with INSERT ... SELECT."""
    lines = VersionLine.objects.filter(version=version).order_by()
    scope = VersionFigures.Scope
    by = {
        scope.ROW: ["group", "row"],
        scope.GROUP: ["group"],
        scope.TOTAL: [],
        scope.PROVINCE: ["province"],
    }
    out = []
    for name, keys in by.items():
        # A constant grouping key is no key: the whole country is one result row.
        grouped = lines.values(*(f"{k}_id" for k in keys)) if keys else lines.values(one=Value(1))
        select = (
            grouped.annotate(**_sums())
            .annotate(**_derived())
            .values_list(
                Value(version.pk),
                Value(str(name)),
                *(f"{k}_id" for k in keys),
                *(P + f for f in FIGURES),
            )
        )
        out.append((["version", "scope", *keys, *FIGURES], select))
    return out
