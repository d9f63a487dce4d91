"""A campaign written as data: its definition, checked, and loaded into the campaign's rows.

A definition (format: schema/README.md; JSON Schema: schema/campaign-definition.schema.json)
says everything a ministry's letter asks for: the letter, its outline, its appendix with the
measure of every leaf column and the rules across columns, the structured facts, the units,
the process, the schedule and the deadline.

``validate`` checks it against the JSON Schema, then checks what a schema cannot say (unique
keys, references between parts, the order of the process, dates that agree). Every error
names its place in the file (``appendix.columns[3].children[1].measure.kind``) and says what
is wrong in the user's language. ``parse`` reads an uploaded file, ``load`` writes a valid
definition into a campaign's rows, ``copy_of`` starts a new definition from an earlier one.

The unit sets a definition names are those the database holds (units.json, loaded by
campaigns.reference), named by the years of their validity: "2008-2025", "2025".
"""

from __future__ import annotations

import copy
import datetime
import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, ValidationError

from .measures import SLOTS, TOTALS, assign_slots, stored_measures
from .models import (
    AdministrativeUnit,
    Campaign,
    Footnote,
    OutlinePoint,
    OutlineSection,
    ProblemKind,
    TemplateColumn,
    TemplateRow,
)

SCHEMA_FILE = Path(__file__).resolve().parent / "schema" / "campaign-definition.schema.json"
FORMAT = "campaign-definition/1"
# A definition is some tens of kilobytes (the first campaign's, with its 32 columns, is about
# 25 kB).
MAX_BYTES = 1024 * 1024
ROOT = "$"

PathPart = str | int

NUMERIC = ("amount", "percent", "integer")
# How the national report may put together each kind of measure.
AGGREGATES = {
    "amount": ("sum", "none"),
    "integer": ("sum", "none"),
    "percent": ("weighted_mean", "none"),
    "flag": ("count", "none"),
    "choice": ("count", "none"),
    "text": ("list", "none"),
}
BOUNDS = {
    "amount": ("min", "max"),
    "integer": ("min", "max"),
    "percent": ("min", "max"),
    "text": ("max_length",),
    "choice": ("choices",),
    "flag": (),
}
# The engine's kinds of stage, by where they happen.
UNIT_STAGES = ("unit_review", "unit_signoff")
MINISTRY_STAGES = ("ministry_check",)


@dataclass(frozen=True)
class DefinitionError:
    """One thing wrong with a definition: where (a path into the file) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class DefinitionRefused(Exception):
    """A definition cannot be loaded; nothing was changed."""

    def __init__(self, errors: list[DefinitionError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def format_path(parts: Iterable[PathPart]) -> str:
    """``appendix.columns[3].children[1].measure.kind``; the whole file is ``$``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or ROOT


@functools.cache
def schema() -> dict[str, Any]:
    with SCHEMA_FILE.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


# Checking -----------------------------------------------------------------------------------


def validate(data: object) -> list[DefinitionError]:
    """Every error of a definition, each once: the schema's first, then the semantic ones."""
    found: list[DefinitionError] = []
    for error in _validator().iter_errors(data):
        found += _translated(error)
    found += _Checker(data).run()
    return list(dict.fromkeys(found))


def _quoted(values: Iterable[object]) -> str:
    return ", ".join(f"“{v}”" for v in values)


def _type_name(name: str) -> str:
    names = {
        "object": _("an object ({…})"),
        "array": _("a list ([…])"),
        "string": _("a text in double quotes"),
        "integer": _("a whole number"),
        "number": _("a number"),
        "boolean": _("true or false"),
        "null": "null",
    }
    return names.get(name, name)


def _pattern_hint(error: ValidationError) -> str:
    """What a pattern asks for, in words: the patterns are named by their $defs entry."""
    hints = {
        "slug": _("lowercase letters without diacritics, digits and dashes, e.g. “123-btc-xyz”"),
        "key": _("lowercase letters without diacritics, digits, dashes or underscores"),
        "measure_key": _(
            "lowercase letters without diacritics, digits and underscores, starting with a "
            "letter, e.g. “spent”"
        ),
        "code": _("digits or letters separated by dots or dashes, e.g. “1.2”"),
    }
    for name, sub in schema()["$defs"].items():
        if error.schema is sub and name in hints:
            return _("Write %(hint)s.") % {"hint": hints[name]}
        if error.schema is sub and name == "text":
            return _("This may not be empty.")
    if error.validator_value == "^[0-9]{4}(-[0-9]{4})?$":
        return _("Write a unit set by its years, e.g. “2008-2025” or “2025”.")
    if error.validator_value == "^[0-9]{2,3}$":
        return _("Write a unit's administrative code, e.g. “01”.")
    return _("This is not written in the form expected.")


def _translated(error: ValidationError) -> Iterator[DefinitionError]:
    """The schema's error in our own words (never jsonschema's English)."""
    path = list(error.absolute_path)
    keyword, value, instance = error.validator, error.validator_value, error.instance
    if keyword == "required":
        for name in value:
            if isinstance(instance, dict) and name not in instance:
                yield DefinitionError(format_path([*path, name]), _("This is required."))
        return
    if keyword == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        for name in instance if isinstance(instance, dict) else ():
            if name not in known:
                yield DefinitionError(
                    format_path([*path, name]),
                    _("The format has no “%(name)s” here (a misspelt name?).") % {"name": name},
                )
        return
    message = _message(error)
    yield DefinitionError(format_path(path), message)


def _message(error: ValidationError) -> str:
    keyword, value, instance = error.validator, error.validator_value, error.instance
    if keyword == "type":
        types = value if isinstance(value, list) else [value]
        return _("This must be %(type)s.") % {"type": _(" or ").join(_type_name(t) for t in types)}
    if keyword == "enum":
        return _("This must be one of: %(values)s.") % {"values": _quoted(value)}
    if keyword == "const":
        return _("This must be “%(value)s”.") % {"value": value}
    if keyword == "minimum":
        return _("This must be at least %(limit)s.") % {"limit": value}
    if keyword == "maximum":
        return _("This must be at most %(limit)s.") % {"limit": value}
    if keyword == "exclusiveMinimum":
        return _("This must be more than %(limit)s.") % {"limit": value}
    if keyword == "exclusiveMaximum":
        return _("This must be less than %(limit)s.") % {"limit": value}
    if keyword == "minLength":
        return _("This may not be empty.")
    if keyword == "maxLength":
        return _("This may have at most %(limit)s characters (it has %(length)s).") % {
            "limit": value,
            "length": len(instance),
        }
    if keyword == "pattern":
        return _pattern_hint(error)
    if keyword == "format":
        return _("Write a real day as YYYY-MM-DD, e.g. 2020-04-27.")
    if keyword == "minItems":
        if value == 1:
            return _("This list may not be empty.")
        return _("This list needs at least %(limit)s items.") % {"limit": value}
    if keyword == "maxItems":
        return _("This list may have at most %(limit)s items.") % {"limit": value}
    if keyword == "uniqueItems":
        return _("This list names the same item twice.")
    if keyword in ("oneOf", "anyOf") and all(
        isinstance(branch, dict) and set(branch) == {"required"} for branch in value
    ):
        names = [name for branch in value for name in branch["required"]]
        return _("Give exactly one of: %(names)s.") % {"names": _quoted(names)}
    return _("This value is not valid here.")


def _obj(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: object) -> list[tuple[int, dict[str, Any]]]:
    """The objects of a list with their indexes; anything else the schema reports."""
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _day(value: object) -> datetime.date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _shown(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass
class _Measure:
    key: str
    kind: str
    path: list[PathPart]
    scope: str  # "appendix", or the key of the fact it belongs to


def unit_sets() -> dict[str, tuple[datetime.date, datetime.date | None]]:
    """The unit sets the database holds, named by their years: "2008-2025", "2025"."""
    periods = AdministrativeUnit.objects.values_list("valid_from", "valid_to").distinct()
    sets = {}
    for valid_from, valid_to in periods:
        name = f"{valid_from.year}-{valid_to.year}" if valid_to else str(valid_from.year)
        sets[name] = (valid_from, valid_to)
    return sets


def _units_of(spec: dict[str, Any]) -> Any:
    """The units a definition's ``units`` names (a queryset; empty for an unknown set)."""
    units = AdministrativeUnit.objects.all()
    if "set" in spec:
        period = unit_sets().get(spec["set"])
        if period is None:
            return units.none()
        units = units.filter(valid_from=period[0], valid_to=period[1])
    else:
        units = units.valid_on(datetime.date.fromisoformat(spec["valid_on"]))
    if "only" in spec:
        units = units.filter(code__in=spec["only"])
    return units


class _Checker:
    """What the schema cannot say. The data may also have failed the schema: every step reads
    defensively and leaves a malformed part to the schema's own error."""

    def __init__(self, data: object) -> None:
        self.data = _obj(data)
        self.errors: list[DefinitionError] = []
        self.measures: dict[str, _Measure] = {}
        self.column_keys: dict[str, list[PathPart]] = {}
        self.sums: dict[str, list[PathPart]] = {}
        self.markers: set[str] = set()

    def add(self, path: list[PathPart], message: str) -> None:
        self.errors.append(DefinitionError(format_path(path), message))

    def run(self) -> list[DefinitionError]:
        self.letter_and_report()
        points = self.outline()
        self.appendix()
        self.facts(points)
        self.units()
        self.process_and_schedule()
        self.signatures()
        return self.errors

    # The letter, the report, the outline -----------------------------------------------

    def letter_and_report(self) -> None:
        issued = _day(_obj(self.data.get("letter")).get("issued_on"))
        deadline = _day(_obj(self.data.get("deadline")).get("date"))
        if issued and deadline and deadline <= issued:
            self.add(
                ["deadline", "date"],
                _("The deadline (%(deadline)s) must come after the letter's date (%(issued)s).")
                % {"deadline": _shown(deadline), "issued": _shown(issued)},
            )
        period = _obj(_obj(self.data.get("report")).get("period"))
        start, end = period.get("from"), period.get("to")
        if isinstance(start, int) and isinstance(end, int) and end < start:
            self.add(
                ["report", "period", "to"],
                _("The period ends (%(end)s) before it starts (%(start)s).")
                % {"end": end, "start": start},
            )

    def outline(self) -> set[str]:
        numbers: dict[str, int] = {}
        codes: set[str] = set()
        for s, section in _items(_obj(self.data.get("outline")).get("sections")):
            path: list[PathPart] = ["outline", "sections", s]
            number = section.get("number")
            if isinstance(number, str):
                if number in numbers:
                    self.add([*path, "number"], self._twice(number))
                numbers[number] = s
            for p, point in _items(section.get("points")):
                code = point.get("code")
                if isinstance(code, str):
                    if code in codes:
                        self.add([*path, "points", p, "code"], self._twice(code))
                    codes.add(code)
        return codes

    @staticmethod
    def _twice(value: str) -> str:
        return _("“%(value)s” is used twice; each must be unique.") % {"value": value}

    # The appendix -------------------------------------------------------------------------

    def appendix(self) -> None:
        appendix = _obj(self.data.get("appendix"))
        base: list[PathPart] = ["appendix"]
        codes: set[str] = set()
        for g, group in _items(appendix.get("groups")):
            rows: list[tuple[list[PathPart], dict[str, Any]]] = [(["groups", g], group)]
            rows += [(["groups", g, "rows", r], row) for r, row in _items(group.get("rows"))]
            for where, row in rows:
                code = row.get("code")
                if isinstance(code, str):
                    if code in codes:
                        self.add([*base, *where, "code"], self._twice(code))
                    codes.add(code)
        for f, note in _items(appendix.get("footnotes")):
            marker = note.get("marker")
            if isinstance(marker, str):
                if marker in self.markers:
                    self.add([*base, "footnotes", f, "marker"], self._twice(marker))
                self.markers.add(marker)
        columns = appendix.get("columns")
        roles: dict[str, list[list[PathPart]]] = {"number": [], "label": []}
        leaves: list[dict[str, Any]] = []
        for c, column in _items(columns):
            self.column([*base, "columns", c], column, None, roles, leaves)
        if isinstance(columns, list) and columns:
            if len(roles["label"]) != 1:
                self.add(
                    [*base, "columns"],
                    _("The appendix needs exactly one column of task names (“row”: “label”)."),
                )
            for extra in roles["number"][1:]:
                self.add([*extra, "row"], _("The appendix has one row number column only."))
            if not any("measure" in leaf for leaf in leaves):
                self.add([*base, "columns"], _("No column of the appendix takes entries."))
            self.slots(columns, [*base, "columns"])
        # The measures are all known now: check what refers to them.
        for c, column in _items(columns):
            self.references([*base, "columns", c], column)
        for r, rule in _items(appendix.get("rules")):
            self.rule([*base, "rules", r], rule)
        self.shares(columns, appendix.get("rules"), base)
        if len(self.sums) > TOTALS:
            self.add(
                [*base, "columns"],
                _("The appendix has at most %(limit)s sum columns; this definition has %(count)s.")
                % {"limit": TOTALS, "count": len(self.sums)},
            )
        for r, ratio in _items(appendix.get("ratios")):
            at: list[PathPart] = [*base, "ratios", r]
            if isinstance(ratio.get("key"), str):
                self.declare(ratio["key"], "ratio", at, "ratios")
            for end in ("of", "to"):
                if isinstance(ratio.get(end), str):
                    self.refer([*at, end], ratio[end], "appendix", ("amount",))

    def shares(self, columns: Any, rules: Any, base: list[PathPart]) -> None:
        """A weighted mean counting "with_any_share" needs the shares its at_most_total rule
        names (the lines giving any of them)."""
        in_a_rule = {
            key
            for _r, rule in _items(rules)
            if rule.get("rule") == "at_most_total"
            for key in rule.get("measures") or []
            if isinstance(key, str)
        }
        for path, spec in stored_measures(columns):
            aggregate = _obj(spec.get("aggregate"))
            if aggregate.get("lines") == "with_any_share" and spec.get("key") not in in_a_rule:
                self.add(
                    [*base, "columns", *path, "aggregate", "lines"],
                    _(
                        "“with_any_share” counts the lines giving any share of an "
                        "“at_most_total” rule; no such rule names “%(key)s”."
                    )
                    % {"key": spec.get("key")},
                )

    def column(
        self,
        path: list[PathPart],
        column: dict[str, Any],
        parent_level: int | None,
        roles: dict[str, list[list[PathPart]]],
        leaves: list[dict[str, Any]],
    ) -> None:
        key = column.get("key")
        if isinstance(key, str):
            if key in self.column_keys:
                self.add(
                    [*path, "key"],
                    _("The column key “%(key)s” is used already at %(where)s.")
                    % {"key": key, "where": format_path(self.column_keys[key])},
                )
            else:
                self.column_keys[key] = path
        marker = column.get("footnote")
        if isinstance(marker, str) and marker not in self.markers:
            self.add(
                [*path, "footnote"],
                _("No footnote has the marker “%(marker)s” (appendix.footnotes).")
                % {"marker": marker},
            )
        level = column.get("level")
        default = parent_level + 1 if parent_level is not None else 1
        if isinstance(level, int) and level < default:
            self.add(
                [*path, "level"],
                _("This column's label cannot sit higher than header row %(level)s.")
                % {"level": default},
            )
        own_level = level if isinstance(level, int) else default
        children = column.get("children")
        if "total" in column and not isinstance(children, list):
            self.add([*path, "total"], _("Only a header over other columns shows a total."))
        if "reason" in column and "measure" not in column:
            self.add([*path, "reason"], _("A reason goes with a measure in the same column."))
        if isinstance(column.get("row"), str) and column["row"] in roles:
            roles[column["row"]].append(path)
        if isinstance(children, list):
            for c, child in _items(children):
                self.column([*path, "children", c], child, own_level, roles, leaves)
            return
        leaves.append(column)
        if isinstance(column.get("measure"), dict):
            self.measure([*path, "measure"], column["measure"], "appendix")
        if isinstance(column.get("reason"), dict):
            self.measure([*path, "reason"], column["reason"], "appendix")
            kind = column["reason"].get("kind")
            if isinstance(kind, str) and kind != "text":
                self.add([*path, "reason", "kind"], _("A reason is a measure of kind “text”."))
        total = _obj(column.get("sum"))
        if isinstance(total.get("key"), str):
            self.declare(total["key"], "sum", [*path, "sum"], "appendix")
            self.sums[total["key"]] = path

    def slots(self, columns: list[Any], base: list[PathPart]) -> None:
        """A line holds so many measures of each kind (campaigns.measures.SLOTS): the first
        measure of a kind beyond them is named."""
        counts = dict.fromkeys(SLOTS, 0)
        for path, spec in stored_measures(columns):
            kind = spec["kind"]
            counts[kind] += 1
            if counts[kind] == SLOTS[kind] + 1:
                needed = sum(1 for _p, s in stored_measures(columns) if s["kind"] == kind)
                self.add(
                    [*base, *path],
                    _(
                        "An appendix line holds at most %(limit)s measures of kind "
                        "“%(kind)s”; this definition has %(count)s."
                    )
                    % {"limit": SLOTS[kind], "kind": kind, "count": needed},
                )

    def declare(self, key: str, kind: str, path: list[PathPart], scope: str) -> None:
        if key in self.measures:
            self.add(
                [*path, "key"],
                _("The measure key “%(key)s” is used already at %(where)s.")
                % {"key": key, "where": format_path(self.measures[key].path)},
            )
            return
        self.measures[key] = _Measure(key, kind, path, scope)

    def measure(self, path: list[PathPart], measure: dict[str, Any], scope: str) -> None:
        key, kind = measure.get("key"), measure.get("kind")
        if not isinstance(kind, str) or kind not in BOUNDS:
            kind = None
        if isinstance(key, str):
            self.declare(key, kind or "", path, scope)
        if kind is None:
            return
        bounds = _obj(measure.get("bounds"))
        for name in bounds:
            if name in ("min", "max", "max_length", "choices") and name not in BOUNDS[kind]:
                self.add(
                    [*path, "bounds", name],
                    _("“%(bound)s” does not apply to a measure of kind “%(kind)s”.")
                    % {"bound": name, "kind": kind},
                )
        low, high = bounds.get("min"), bounds.get("max")
        numbers = (int, float)
        if isinstance(low, numbers) and isinstance(high, numbers) and low > high:
            self.add(
                [*path, "bounds"],
                _("The lower bound (min %(min)s) is above the upper bound (max %(max)s).")
                % {"min": low, "max": high},
            )
        if kind == "percent":
            for name in ("min", "max"):
                value = bounds.get(name)
                if isinstance(value, numbers) and not 0 <= value <= 100:
                    self.add([*path, "bounds", name], _("A percentage lies between 0 and 100."))
        if kind == "choice":
            if "choices" not in bounds:
                self.add([*path, "bounds"], _("A choice needs its list of choices (“choices”)."))
            seen: set[str] = set()
            for o, option in _items(bounds.get("choices")):
                code = option.get("code")
                if isinstance(code, str):
                    if code in seen:
                        self.add([*path, "bounds", "choices", o, "code"], self._twice(code))
                    seen.add(code)
        method = _obj(measure.get("aggregate")).get("method")
        if isinstance(method, str) and method in ("sum", "weighted_mean", "count", "list", "none"):
            if method not in AGGREGATES[kind]:
                self.add(
                    [*path, "aggregate", "method"],
                    _(
                        "“%(method)s” cannot put together a measure of kind “%(kind)s”: "
                        "use %(allowed)s."
                    )
                    % {"method": method, "kind": kind, "allowed": _quoted(AGGREGATES[kind])},
                )
            if method != "weighted_mean" and "by" in _obj(measure.get("aggregate")):
                self.add(
                    [*path, "aggregate", "by"],
                    _("Only a weighted mean is weighted by a measure."),
                )
            if method != "weighted_mean" and "lines" in _obj(measure.get("aggregate")):
                self.add(
                    [*path, "aggregate", "lines"],
                    _("Only a weighted mean says which lines it counts."),
                )
        if measure.get("required") in ("always", "never") and "when" in measure:
            self.add([*path, "when"], _("A condition goes with “required”: “when” only."))

    def references(self, path: list[PathPart], column: dict[str, Any]) -> None:
        """A column's references to measures, checked once every measure is declared."""
        for c, child in _items(column.get("children")):
            self.references([*path, "children", c], child)
        if isinstance(column.get("measure"), dict):
            self.measure_references([*path, "measure"], column["measure"], "appendix")
        if isinstance(column.get("reason"), dict):
            self.measure_references([*path, "reason"], column["reason"], "appendix")
        total = _obj(column.get("sum"))
        for i, part in enumerate(total.get("of") or []):
            if isinstance(part, str):
                self.refer([*path, "sum", "of", i], part, "appendix", ("amount",))
                if part == total.get("key"):
                    self.add([*path, "sum", "of", i], _("A sum cannot add up itself."))
        name = column.get("total")
        if isinstance(name, str) and isinstance(column.get("children"), list):
            below = self.sums.get(name)
            if below is None or below[: len(path)] != path:
                self.add(
                    [*path, "total"],
                    _("No sum column under this header has the key “%(key)s”.") % {"key": name},
                )

    def measure_references(self, path: list[PathPart], measure: dict[str, Any], scope: str) -> None:
        aggregate = _obj(measure.get("aggregate"))
        if aggregate.get("method") == "weighted_mean" and isinstance(aggregate.get("by"), str):
            self.refer([*path, "aggregate", "by"], aggregate["by"], scope, ("amount",))
        condition = _obj(measure.get("when"))
        if measure.get("required") == "when" and isinstance(condition.get("measure"), str):
            if condition["measure"] == measure.get("key"):
                self.add([*path, "when", "measure"], _("A measure cannot depend on itself."))
            else:
                self.refer([*path, "when", "measure"], condition["measure"], scope, NUMERIC)

    def refer(self, path: list[PathPart], key: str, scope: str, kinds: tuple[str, ...]) -> None:
        """``key`` must name a measure of one of ``kinds`` in the same scope."""
        found = self.measures.get(key)
        if found is None or found.scope != scope:
            self.add(path, _("No measure has the key “%(key)s” here.") % {"key": key})
            return
        kind = "amount" if found.kind == "sum" else found.kind
        if found.kind and kind not in kinds:
            self.add(
                path,
                _("“%(key)s” is a measure of kind “%(kind)s”; this needs %(kinds)s.")
                % {"key": key, "kind": found.kind, "kinds": _quoted(kinds)},
            )

    def rule(self, path: list[PathPart], rule: dict[str, Any]) -> None:
        if rule.get("rule") == "at_most_total":
            for i, key in enumerate(rule.get("measures") or []):
                if isinstance(key, str):
                    self.refer([*path, "measures", i], key, "appendix", NUMERIC)
        elif rule.get("rule") == "reason_when_above":
            if isinstance(rule.get("measure"), str):
                self.refer([*path, "measure"], rule["measure"], "appendix", NUMERIC)
            if isinstance(rule.get("reason"), str):
                self.refer([*path, "reason"], rule["reason"], "appendix", ("text",))

    # Facts, units, process --------------------------------------------------------------

    def facts(self, points: set[str]) -> None:
        keys: set[str] = set()
        options: set[str] = set()
        for f, fact in _items(self.data.get("facts")):
            path: list[PathPart] = ["facts", f]
            key = fact.get("key")
            if isinstance(key, str):
                if key in keys:
                    self.add([*path, "key"], self._twice(key))
                keys.add(key)
            point = fact.get("point")
            if isinstance(point, str) and point not in points:
                self.add(
                    [*path, "point"],
                    _("No point of the outline has the code “%(code)s”.") % {"code": point},
                )
            if fact.get("kind") == "multiple_choice":
                for o, option in _items(fact.get("options")):
                    code = option.get("code")
                    if isinstance(code, str):
                        if code in options:
                            self.add([*path, "options", o, "code"], self._twice(code))
                        options.add(code)
            scope = f"fact:{f}"
            fields = _items(fact.get("fields")) if fact.get("kind") == "figures" else []
            for i, field in fields:
                self.measure([*path, "fields", i], field, scope)
            for i, field in fields:
                self.measure_references([*path, "fields", i], field, scope)

    def units(self) -> None:
        spec = _obj(self.data.get("units"))
        name, day = spec.get("set"), _day(spec.get("valid_on"))
        if isinstance(name, str) and re.fullmatch(r"[0-9]{4}(-[0-9]{4})?", name):
            sets = unit_sets()
            if name not in sets:
                self.add(
                    ["units", "set"],
                    _("There is no unit set “%(set)s”; the sets are: %(sets)s.")
                    % {"set": name, "sets": _quoted(sorted(sets))},
                )
                return
        elif day is not None:
            if not AdministrativeUnit.objects.valid_on(day).exists():
                self.add(["units", "valid_on"], _("No unit was valid on that day."))
                return
        else:
            return
        only = spec.get("only")
        if isinstance(only, list):
            known = set(
                _units_of({k: v for k, v in spec.items() if k != "only"}).values_list(
                    "code", flat=True
                )
            )
            for i, code in enumerate(only):
                if isinstance(code, str) and code not in known:
                    self.add(
                        ["units", "only", i],
                        _("No unit of the set has the code “%(code)s”.") % {"code": code},
                    )

    def process_and_schedule(self) -> None:
        stages = _items(self.data.get("process"))
        keys: set[str] = set()
        kinds = [(i, stage.get("kind")) for i, stage in stages]
        for i, stage in stages:
            key = stage.get("key")
            if isinstance(key, str):
                if key in keys:
                    self.add(["process", i, "key"], self._twice(key))
                keys.add(key)
        if kinds and isinstance(self.data.get("process"), list):
            first, last = kinds[0], kinds[-1]
            if first[1] != "drafting":
                self.add(["process", first[0], "kind"], _("The process starts with drafting."))
            if last[1] != "consolidation":
                self.add(["process", last[0], "kind"], _("The process ends with consolidation."))
            ministry_seen = signed = False
            for position, (i, kind) in enumerate(kinds):
                where: list[PathPart] = ["process", i, "kind"]
                if kind == "drafting" and position > 0:
                    self.add(where, _("Drafting comes once, first."))
                elif kind == "consolidation" and position < len(kinds) - 1:
                    self.add(where, _("Consolidation comes once, last."))
                elif kind in UNIT_STAGES and ministry_seen:
                    self.add(where, _("The unit's own stages come before the ministry's."))
                elif kind == "unit_signoff" and signed:
                    self.add(where, _("The unit signs off once."))
                elif kind == "unit_review" and signed:
                    self.add(where, _("A review inside the unit comes before its sign-off."))
                ministry_seen = ministry_seen or kind in MINISTRY_STAGES
                signed = signed or kind == "unit_signoff"
        issued = _day(_obj(self.data.get("letter")).get("issued_on"))
        scheduled: dict[str, int] = {}
        for i, entry in _items(self.data.get("schedule")):
            name = entry.get("stage")
            if isinstance(name, str):
                if name not in keys:
                    self.add(
                        ["schedule", i, "stage"],
                        _("The process has no stage “%(stage)s”.") % {"stage": name},
                    )
                elif name in scheduled:
                    self.add(
                        ["schedule", i, "stage"],
                        _("This stage has its due day already at schedule[%(n)s].")
                        % {"n": scheduled[name]},
                    )
                scheduled.setdefault(name, i)
            day = _day(entry.get("on"))
            if day and issued and day < issued:
                self.add(
                    ["schedule", i, "on"],
                    _("The due day is before the letter's date (%(issued)s).")
                    % {"issued": _shown(issued)},
                )

    def signatures(self) -> None:
        """A personal signature at sign-off needs a sign-off stage; the issuing body's
        signature rides on the signatory's signed report, so it cannot be required without."""
        wanted = _obj(self.data.get("signatures"))
        kinds = {stage.get("kind") for _i, stage in _items(self.data.get("process"))}
        if wanted.get("signoff") == "personal" and kinds and "unit_signoff" not in kinds:
            self.add(
                ["signatures", "signoff"],
                _("A personal signature at sign-off needs a “unit_signoff” stage in the process."),
            )
        if wanted.get("signoff") == "none" and wanted.get("organisation") == "required":
            self.add(
                ["signatures", "organisation"],
                _(
                    "The issuing body's signature goes on the signatory's signed report: it "
                    "cannot be required when the sign-off is not signed (“signoff”: “none”)."
                ),
            )


# Reading an upload --------------------------------------------------------------------------

_SYNTAX_HINTS = {
    "Expecting ',' delimiter": lambda: _("a comma is missing"),
    "Expecting ':' delimiter": lambda: _("a colon is missing"),
    "Expecting value": lambda: _("a value is missing (or a comma too many)"),
    "Expecting property name enclosed in double quotes": lambda: _(
        "a name in double quotes is expected (a comma too many?)"
    ),
    "Unterminated string starting at": lambda: _("a text is not closed by its double quote"),
    "Invalid control character at": lambda: _("a text runs over a line break"),
    "Extra data": lambda: _("something follows the end of the definition"),
}


class _DuplicateName(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object of the file; a name given twice would silently lose one of its values."""
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise _DuplicateName(name)
        result[name] = value
    return result


def _constant(name: str) -> Any:
    raise ValueError(name)


def parse(raw: bytes) -> tuple[dict[str, Any] | None, list[DefinitionError]]:
    """An uploaded definition read and checked: (the definition, its errors).

    The size is checked before anything is parsed; the text must be UTF-8 JSON. The
    definition is None when the file cannot be read as one.
    """
    if len(raw) > MAX_BYTES:
        return None, [
            DefinitionError(
                ROOT,
                _("The file is larger than the %(limit)s a definition may be; it was not read.")
                % {"limit": filesizeformat(MAX_BYTES)},
            )
        ]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [
            DefinitionError(
                ROOT,
                _("The file is not UTF-8 text (byte %(position)s cannot be read).")
                % {"position": exc.start + 1},
            )
        ]
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        hint = next((f() for msg, f in _SYNTAX_HINTS.items() if exc.msg.startswith(msg)), None)
        where = {"line": exc.lineno, "column": exc.colno}
        message = (
            _("The file is not valid JSON at line %(line)s, column %(column)s: %(hint)s.")
            % (where | {"hint": hint})
            if hint
            else _("The file is not valid JSON at line %(line)s, column %(column)s.") % where
        )
        return None, [DefinitionError(ROOT, message)]
    except _DuplicateName as exc:
        return None, [
            DefinitionError(
                ROOT,
                _("The name “%(name)s” is given twice in the same object.") % {"name": exc.name},
            )
        ]
    except ValueError as exc:  # NaN, Infinity
        return None, [
            DefinitionError(
                ROOT, _("“%(value)s” is not a number JSON allows.") % {"value": exc.args[0]}
            )
        ]
    except RecursionError:
        return None, [DefinitionError(ROOT, _("The file is nested too deeply to be read."))]
    errors = validate(data)
    return (data if isinstance(data, dict) else None), errors


# Loading ------------------------------------------------------------------------------------


def _kind(column: dict[str, Any]) -> str:
    if "row" in column:
        return {"number": TemplateColumn.Kind.ROW_NUMBER, "label": TemplateColumn.Kind.ROW_LABEL}[
            column["row"]
        ]
    if "sum" in column:
        return TemplateColumn.Kind.SUM
    if "children" in column:
        return TemplateColumn.Kind.SUM if "total" in column else TemplateColumn.Kind.HEADER
    kind: str = column["measure"]["kind"]
    return kind


def _field(column: dict[str, Any]) -> str:
    if "measure" in column:
        return str(column["measure"]["key"])
    if "sum" in column:
        return str(column["sum"]["key"])
    return str(column.get("total", ""))


def _load_columns(
    campaign: Campaign,
    items: list[dict[str, Any]],
    footnotes: dict[str, Footnote],
    reasons: dict[str, str],
    slots: dict[str, str],
    parent: TemplateColumn | None,
    counter: list[int],
    keys: set[str],
) -> None:
    for item in items:
        keys.add(item["key"])
        counter[0] += 1
        field = _field(item)
        reason = reasons.get(field, "") if "measure" in item else ""
        column, _created = TemplateColumn.objects.update_or_create(
            campaign=campaign,
            key=item["key"],
            defaults={
                "label": item["label"],
                "parent": parent,
                "level": item.get("level", parent.level + 1 if parent else 1),
                "order": counter[0],
                "kind": _kind(item),
                "origin": item.get("origin", TemplateColumn.Origin.LETTER),
                "field": field,
                "reason_field": reason,
                "slot": slots.get(field, "") if "measure" in item else "",
                "reason_slot": slots.get(reason, ""),
                "footnote": footnotes.get(item.get("footnote", "")),
            },
        )
        children = item.get("children", [])
        _load_columns(campaign, children, footnotes, reasons, slots, column, counter, keys)


def _keep_slots(campaign: Campaign, slots: dict[str, str]) -> None:
    """A running campaign's lines hold its measures in their slots: a definition that would
    move one (its measures of a kind reordered) would have them read from the wrong place."""
    held = {c.field: c.slot for c in campaign.columns.exclude(slot="")}
    held |= {c.reason_field: c.reason_slot for c in campaign.columns.exclude(reason_slot="")}
    moved = [key for key, slot in held.items() if key in slots and slots[key] != slot]
    if moved:
        raise DefinitionRefused(
            [
                DefinitionError(
                    "appendix.columns",
                    _(
                        "The campaign is running: its measures %(keys)s would move to other "
                        "slots of its lines. Keep the order of the measures of each kind."
                    )
                    % {"keys": _quoted(moved)},
                )
            ]
        )


@transaction.atomic
def load(data: dict[str, Any], *, shipped: bool = False) -> Campaign:
    """Write a definition into its campaign's rows; DefinitionRefused if it cannot be.

    A new campaign is created as a draft, and only a draft is rewritten. ``shipped`` is the
    reference data's own load (campaigns.reference): the campaigns the application ships with
    are created open and updated in place whatever their state, every node found by its
    natural key (the columns a file no longer has are deleted, nothing else: the rows, points
    and problem kinds of a running campaign are what its reports point at).
    """
    errors = validate(data)
    if errors:
        raise DefinitionRefused(errors)
    existing = Campaign.objects.select_for_update().filter(code=data["code"]).first()
    if existing is not None and not existing.is_editable and not shipped:
        raise DefinitionRefused(
            [
                DefinitionError(
                    "code",
                    _(
                        "Campaign “%(code)s” is no longer a draft: its definition cannot be "
                        "changed. Start a new campaign from a copy of it."
                    )
                    % {"code": data["code"]},
                )
            ]
        )
    units = list(_units_of(data["units"]))
    if not units:
        raise DefinitionRefused(
            [DefinitionError("units", _("These units are not in the database."))]
        )

    letter, report = data["letter"], data["report"]
    fields = {
        "number": letter["number"],
        "issuer": letter["issuer"],
        "issuer_department": letter.get("issuer_department", ""),
        "place": letter["place"],
        "signer_title": letter["signer"]["title"],
        "signer_name": letter["signer"]["name"],
        "subject": letter["subject"],
        "report_title": report["title"],
        "period_start": report["period"]["from"],
        "period_end": report["period"]["to"],
        "addressees": "; ".join(letter["addressees"]),
        "amount_unit": report["amount_unit"],
        "issued_on": datetime.date.fromisoformat(letter["issued_on"]),
        "deadline": datetime.date.fromisoformat(data["deadline"]["date"]),
        "deadline_cutoff": data["deadline"].get("cutoff", Campaign.Cutoff.END_OF_DAY),
        "definition": data,
    }
    campaign, _created = Campaign.objects.update_or_create(
        code=data["code"],
        defaults=fields,
        create_defaults=fields
        | {"state": Campaign.State.OPEN if shipped else Campaign.State.DRAFT},
    )
    campaign.units.set(units)
    prune = campaign.is_editable

    appendix = data["appendix"]
    footnotes = {}
    for order, item in enumerate(appendix.get("footnotes", []), start=1):
        footnotes[item["marker"]], _created = Footnote.objects.update_or_create(
            campaign=campaign,
            marker=item["marker"],
            defaults={"text": item["text"], "order": order},
        )
    sections = []
    for s_order, section_data in enumerate(data["outline"]["sections"], start=1):
        section, _created = OutlineSection.objects.update_or_create(
            campaign=campaign,
            number=section_data["number"],
            defaults={"title": section_data["title"], "order": s_order},
        )
        sections.append(section.pk)
        codes = []
        for p_order, point in enumerate(section_data["points"], start=1):
            OutlinePoint.objects.update_or_create(
                section=section,
                code=point["code"],
                defaults={
                    "marker": point.get("marker", ""),
                    "text": point["text"],
                    "order": p_order,
                    "required": point.get("required", True),
                },
            )
            codes.append(point["code"])
        if prune:
            section.points.exclude(code__in=codes).delete()
    options = [
        option
        for fact in data.get("facts", [])
        if fact["kind"] == "multiple_choice"
        for option in fact["options"]
    ]
    for order, item in enumerate(options, start=1):
        ProblemKind.objects.update_or_create(
            campaign=campaign, code=item["code"], defaults={"label": item["label"], "order": order}
        )
    order = 0
    row_codes = []
    for group_data in appendix["groups"]:
        order += 1
        group, _created = TemplateRow.objects.update_or_create(
            campaign=campaign,
            code=group_data["code"],
            defaults={
                "stt": group_data.get("stt", ""),
                "label": group_data["label"],
                "parent": None,
                "order": order,
            },
        )
        row_codes.append(group.code)
        for child in group_data.get("rows", []):
            order += 1
            TemplateRow.objects.update_or_create(
                campaign=campaign,
                code=child["code"],
                defaults={
                    "stt": child.get("stt", ""),
                    "label": child["label"],
                    "parent": group,
                    "order": order,
                },
            )
            row_codes.append(child["code"])
    # A share's reason is written beside it: the column of the measure a rule asks a reason
    # for carries the reason's measure.
    reasons = {
        rule["measure"]: rule["reason"]
        for rule in appendix.get("rules", [])
        if rule["rule"] == "reason_when_above"
    }
    # Every node is found by its key and put where the definition says, so a corrected header
    # tree replaces the one a database already holds; a node the definition no longer has goes.
    keys: set[str] = set()
    # Each measure's slot on an appendix line (submissions.LineItem), by kind in header order.
    slots = assign_slots(appendix["columns"])
    if not prune:
        _keep_slots(campaign, slots)
    _load_columns(campaign, appendix["columns"], footnotes, reasons, slots, None, [0], keys)
    campaign.columns.exclude(key__in=keys).delete()
    if prune:
        campaign.rows.exclude(code__in=row_codes).delete()
        campaign.sections.exclude(pk__in=sections).delete()
        campaign.footnotes.exclude(marker__in=footnotes).delete()
        campaign.problem_kinds.exclude(code__in=[o["code"] for o in options]).delete()
    return campaign


def copy_of(campaign: Campaign) -> dict[str, Any]:
    """A new definition to start from: the campaign's own, under a new code and marked as a
    copy in its number, for the author to edit before loading it as a draft."""
    if not campaign.definition:
        raise DefinitionRefused(
            [DefinitionError(ROOT, _("This campaign was not loaded from a definition."))]
        )
    data: dict[str, Any] = copy.deepcopy(campaign.definition)
    base = f"{campaign.code[:50]}-copy"
    taken = set(Campaign.objects.filter(code__startswith=base).values_list("code", flat=True))
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    data["code"] = code
    data["copied_from"] = campaign.code
    data["letter"]["number"] = (_("Copy of %(number)s") % {"number": campaign.number})[:64]
    data.pop("_comment", None)
    return data
