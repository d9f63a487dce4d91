"""What a campaign's appendix asks for on each line, read from its definition (the format of
campaigns/schema): each measure with its kind, when it is required and its bounds, the sums
of the header, and the rules across columns.

This is the one reading of a definition's appendix that the drafting rules use
(submissions.readiness); the definition itself is validated by campaigns.definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .models import Campaign


@dataclass(frozen=True)
class Measure:
    key: str
    kind: str  # amount | percent | integer | text | flag | choice
    label: str  # the header of its column
    required: str = "never"  # always | never | when
    when_measure: str = ""  # required when this measure ...
    when_above: Decimal = Decimal(0)  # ... is above this
    within: str = ""  # the key of the sum this measure is a part of, if any


@dataclass(frozen=True)
class Total:
    """A header column that adds up measures (5137's "Kinh phí đã bố trí")."""

    key: str
    label: str
    of: tuple[str, ...]


@dataclass(frozen=True)
class AtMostTotal:
    measures: tuple[str, ...]
    limit: Decimal


@dataclass(frozen=True)
class ReasonWhenAbove:
    measure: str
    threshold: Decimal
    reason: str


@dataclass(frozen=True)
class Appendix:
    measures: dict[str, Measure] = field(default_factory=dict)
    totals: dict[str, Total] = field(default_factory=dict)
    at_most: tuple[AtMostTotal, ...] = ()
    reasons: tuple[ReasonWhenAbove, ...] = ()

    def label(self, key: str) -> str:
        """How the letter's header names a measure; a part of a sum goes by the sum."""
        measure = self.measures.get(key)
        if measure is None:
            total = self.totals.get(key)
            return total.label if total else key
        if measure.within and measure.within in self.totals:
            return self.totals[measure.within].label
        return measure.label


def _measure(spec: dict[str, Any], label: str) -> Measure:
    when = spec.get("when") or {}
    return Measure(
        key=spec["key"],
        kind=spec["kind"],
        label=label,
        required=spec.get("required", "never"),
        when_measure=when.get("measure", ""),
        when_above=Decimal(str(when.get("above", 0))),
    )


def _walk(columns: list[dict[str, Any]], found: dict[str, Any], total_label: str = "") -> None:
    for column in columns:
        label = column.get("label", "")
        if "measure" in column:
            found["measures"].append(_measure(column["measure"], label))
        if "reason" in column:
            found["measures"].append(_measure(column["reason"], label))
        if "sum" in column:
            spec = column["sum"]
            found["totals"].append(
                Total(key=spec["key"], label=total_label or label, of=tuple(spec["of"]))
            )
        # A header column that carries a total ("total": key) names the sum its children add.
        _walk(column.get("children", []), found, label if column.get("total") else total_label)


def appendix_of(campaign: Campaign) -> Appendix:
    """The campaign's appendix measures and rules, in the header's order."""
    spec = (campaign.definition or {}).get("appendix") or {}
    found: dict[str, Any] = {"measures": [], "totals": []}
    _walk(spec.get("columns", []), found)
    totals = {t.key: t for t in found["totals"]}
    parts = {part: total.key for total in totals.values() for part in total.of}
    measures = {}
    for m in found["measures"]:
        measures[m.key] = Measure(
            key=m.key,
            kind=m.kind,
            label=m.label,
            required=m.required,
            when_measure=m.when_measure,
            when_above=m.when_above,
            within=parts.get(m.key, ""),
        )
    rules = spec.get("rules", [])
    appendix = Appendix(
        measures=measures,
        totals=totals,
        at_most=tuple(
            AtMostTotal(tuple(r["measures"]), Decimal(str(r["limit"])))
            for r in rules
            if r.get("rule") == "at_most_total"
        ),
        reasons=tuple(
            ReasonWhenAbove(r["measure"], Decimal(str(r.get("threshold", 0))), r["reason"])
            for r in rules
            if r.get("rule") == "reason_when_above"
        ),
    )
    return appendix


def above(value: Decimal | None, threshold: Decimal) -> bool:
    """A number given and above the threshold (a blank is not above anything)."""
    return value is not None and value > threshold


def labels_joined(appendix: Appendix, keys: tuple[str, ...]) -> str:
    return ", ".join(f"“{appendix.label(k)}”" for k in keys)
