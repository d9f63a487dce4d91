"""What a campaign's appendix asks for on each line, read from its definition (the format of
campaigns/schema): each measure with its kind, when it is required and its bounds, the sums
of the header, and the rules across columns.

This is the one reading of a definition's appendix that the drafting rules use
(submissions.readiness); the definition itself is validated by campaigns.definition.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from .models import Campaign

# How many values of each kind one appendix line holds: submissions.LineItem's typed slots
# (amount_1 .. amount_16, ...). A campaign's measures are put in them by its definition;
# more slots of a kind are one migration for every later campaign, not one per campaign.
# Texts are 24, not fewer: the skeleton campaigns.excel_template reads from a letter's table
# makes every leaf a text for the author to set, and the first campaign's own table has 24
# leaves.
SLOTS = {"amount": 16, "percent": 12, "integer": 8, "flag": 8, "text": 24, "choice": 4}
# What the national report keeps beside them per result row: the sums of the header ("sum"
# leaves) and the ratios (appendix.ratios), in the definition's order.
TOTALS = 8
RATIOS = 4

PathPart = str | int


def slot_name(kind: str, number: int) -> str:
    return f"{kind}_{number}"


def stored_measures(
    columns: object, path: tuple[PathPart, ...] = ()
) -> Iterator[tuple[tuple[PathPart, ...], dict[str, Any]]]:
    """Every measure an appendix line stores (a leaf's measure, then its reason), in the
    header's order, with its path below ``path``; what is malformed is skipped (the
    definition's validation names it)."""
    if not isinstance(columns, list):
        return
    for i, column in enumerate(columns):
        if not isinstance(column, dict):
            continue
        for part in ("measure", "reason"):
            spec = column.get(part)
            if (
                isinstance(spec, dict)
                and spec.get("kind") in SLOTS
                and isinstance(spec.get("key"), str)
            ):
                yield (*path, i, part), spec
        yield from stored_measures(column.get("children"), (*path, i, "children"))


def assign_slots(columns: object) -> dict[str, str]:
    """Measure key -> slot: each kind's measures take that kind's slots in the header's order
    (the first amount amount_1, ...), so the same definition always gets the same slots. A
    measure beyond the slots of its kind gets none (the validation refuses such a definition)."""
    used = dict.fromkeys(SLOTS, 0)
    slots: dict[str, str] = {}
    for _path, spec in stored_measures(columns):
        kind, key = spec["kind"], spec["key"]
        if key in slots:
            continue
        used[kind] += 1
        if used[kind] <= SLOTS[kind]:
            slots[key] = slot_name(kind, used[kind])
    return slots


@dataclass(frozen=True)
class Aggregate:
    """How the national report puts a measure together across lines (its definition's
    "aggregate"): sum, weighted_mean by a measure or sum, count, list."""

    method: str = "list"
    by: str = ""
    # Which lines a weighted mean counts: given (those giving it), all (a blank is 0), or
    # with_any_share (those giving any share of its at_most_total rule, a blank is 0).
    lines: str = "given"


@dataclass(frozen=True)
class Measure:
    key: str
    kind: str  # amount | percent | integer | text | flag | choice
    label: str  # the header of its column
    name: str = ""  # how it is named outside the table (the measure's own "label")
    required: str = "never"  # always | never | when
    when_measure: str = ""  # required when this measure ...
    when_above: Decimal = Decimal(0)  # ... is above this
    within: str = ""  # the key of the sum this measure is a part of, if any
    low: Decimal | None = None  # bounds.min
    high: Decimal | None = None  # bounds.max
    max_length: int | None = None  # bounds.max_length (texts)
    choices: tuple[tuple[str, str], ...] = ()  # bounds.choices: (code, label)
    plain: str = ""  # the label without its footnote's marker ("Kinh phí đã bố trí")
    aggregate: Aggregate = Aggregate()

    @property
    def title(self) -> str:
        return self.name or self.plain or self.label


@dataclass(frozen=True)
class Total:
    """A header column that adds up measures (e.g. the first campaign's "Kinh phí đã bố trí")."""

    key: str
    label: str
    of: tuple[str, ...]
    plain: str = ""  # the label without its footnote's marker


@dataclass(frozen=True)
class Ratio:
    """A rate of two totals across lines: 100 x sum(of) / sum(to) (appendix.ratios)."""

    key: str
    label: str
    of: str
    to: str


@dataclass(frozen=True)
class Breakdown:
    """A sum whose parts sit under headers of the same columns (the first campaign's
    allocation: investment and recurrent, each by the same three sources): the parts as a
    table, a row per header, a column per position under it."""

    total: str  # the sum's key
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (header label, its parts in order)
    columns: tuple[str, ...]  # the labels of the first row's parts


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
    ratios: tuple[Ratio, ...] = ()
    breakdowns: tuple[Breakdown, ...] = ()

    def shares_of(self, key: str) -> tuple[str, ...]:
        """The measures of the at_most_total rule naming ``key`` (none if no rule does)."""
        return next((r.measures for r in self.at_most if key in r.measures), ())

    def title(self, key: str) -> str:
        """How a measure, sum or ratio is named on its own, outside the table (without the
        header's footnote marker: "Kinh phí đã bố trí", not "Kinh phí đã bố trí (*)")."""
        if key in self.measures:
            return self.measures[key].title
        ratio = next((r for r in self.ratios if r.key == key), None)
        if ratio is not None:
            return ratio.label
        total = self.totals.get(key)
        return (total.plain or total.label) if total is not None else key

    def label(self, key: str) -> str:
        """How the letter's header names a measure; a part of a sum goes by the sum."""
        measure = self.measures.get(key)
        if measure is None:
            total = self.totals.get(key)
            return total.label if total else key
        if measure.within and measure.within in self.totals:
            return self.totals[measure.within].label
        return measure.label


def _bound(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _measure(spec: dict[str, Any], label: str) -> Measure:
    when = spec.get("when") or {}
    bounds = spec.get("bounds") or {}
    aggregate = spec.get("aggregate") or {}
    return Measure(
        key=spec["key"],
        kind=spec["kind"],
        label=label,
        name=spec.get("label", ""),
        aggregate=Aggregate(
            method=aggregate.get("method", "list"),
            by=aggregate.get("by", ""),
            lines=aggregate.get("lines", "given"),
        ),
        required=spec.get("required", "never"),
        when_measure=when.get("measure", ""),
        when_above=Decimal(str(when.get("above", 0))),
        low=_bound(bounds.get("min")),
        high=_bound(bounds.get("max")),
        max_length=bounds.get("max_length"),
        choices=tuple((c["code"], c["label"]) for c in bounds.get("choices", [])),
    )


def _plain(column: dict[str, Any]) -> str:
    label: str = column.get("label", "")
    marker = column.get("footnote", "")
    return label.removesuffix(marker).rstrip() if marker else label


def _walk(
    columns: list[dict[str, Any]], found: dict[str, Any], total: dict[str, Any] | None = None
) -> None:
    for column in columns:
        label = column.get("label", "")
        if "measure" in column:
            measure = _measure(column["measure"], label)
            found["measures"].append(replace(measure, plain=_plain(column)))
        if "reason" in column:
            found["measures"].append(_measure(column["reason"], label))
        if "sum" in column:
            spec = column["sum"]
            named = total or column
            found["totals"].append(
                Total(
                    key=spec["key"],
                    label=named.get("label", ""),
                    of=tuple(spec["of"]),
                    plain=_plain(named),
                )
            )
        if column.get("total"):
            breakdown = _breakdown(column)
            if breakdown is not None:
                found["breakdowns"].append(breakdown)
        # A header column that carries a total ("total": key) names the sum its children add.
        _walk(column.get("children", []), found, column if column.get("total") else total)


def _breakdown(column: dict[str, Any]) -> Breakdown | None:
    """The parts of the header's total as a table, when two or more headers under it hold the
    same number of measure leaves (each leaf a part at its position)."""
    rows = []
    for child in column.get("children", []):
        leaves = child.get("children", [])
        parts = tuple(leaf["measure"]["key"] for leaf in leaves if "measure" in leaf)
        if parts and len(parts) == len(leaves):
            rows.append((child.get("label", ""), parts, tuple(leaf["label"] for leaf in leaves)))
    if len(rows) < 2 or len({len(parts) for _l, parts, _c in rows}) != 1:
        return None
    return Breakdown(
        total=column["total"],
        rows=tuple((label, parts) for label, parts, _c in rows),
        columns=rows[0][2],
    )


def appendix_of(campaign: Campaign) -> Appendix:
    """The campaign's appendix measures and rules, in the header's order."""
    spec = (campaign.definition or {}).get("appendix") or {}
    found: dict[str, Any] = {"measures": [], "totals": [], "breakdowns": []}
    _walk(spec.get("columns", []), found)
    totals = {t.key: t for t in found["totals"]}
    parts = {part: total.key for total in totals.values() for part in total.of}
    measures = {m.key: replace(m, within=parts.get(m.key, "")) for m in found["measures"]}
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
        ratios=tuple(Ratio(r["key"], r["label"], r["of"], r["to"]) for r in spec.get("ratios", [])),
        breakdowns=tuple(b for b in found["breakdowns"] if b.total in totals),
    )
    return appendix


@dataclass(frozen=True)
class Facts:
    """The structured facts a campaign asks each unit once (its definition's ``facts``):
    the keys of its figures (the first campaign's Treasury refusals:
    ``treasury_refusal_count``, ...) and whether it asks a multiple choice (its options are
    the campaign's ProblemKind rows). A campaign that asks none shows, requires and prints none."""

    figures: frozenset[str] = frozenset()
    choices: bool = False

    def asks(self, key: str) -> bool:
        return key in self.figures


def facts_of(campaign: Campaign) -> Facts:
    facts = [f for f in (campaign.definition or {}).get("facts", []) if isinstance(f, dict)]
    return Facts(
        figures=frozenset(
            field["key"]
            for fact in facts
            if fact.get("kind") == "figures"
            for field in fact.get("fields", [])
        ),
        choices=any(fact.get("kind") == "multiple_choice" for fact in facts),
    )


def headline_totals(appendix: Appendix) -> list[tuple[str, str]]:
    """What a report's overview totals, in the header's order, as (key, label): each amount
    on its own, and a sum of amounts in the place of its parts (the first campaign: demand, funds
    allocated, funds spent)."""
    shown: dict[str, str] = {}
    for measure in appendix.measures.values():
        if measure.kind != "amount":
            continue
        if measure.within in appendix.totals:
            total = appendix.totals[measure.within]
            shown.setdefault(total.key, total.plain or total.label)
        else:
            shown.setdefault(measure.key, measure.plain or measure.label)
    return list(shown.items())


def above(value: Decimal | None, threshold: Decimal) -> bool:
    """A number given and above the threshold (a blank is not above anything)."""
    return value is not None and value > threshold


def labels_joined(appendix: Appendix, keys: tuple[str, ...]) -> str:
    return ", ".join(f"“{appendix.label(k)}”" for k in keys)
