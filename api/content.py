"""A submission's appendix and narrative as JSON, and back: the one place that maps them.

The appendix is keyed by the campaign's own codes, the ones the Excel download uses: a row
by its template row code ("1.1"; a group that takes entries itself by the group's code,
"5"), a sub-item the province added by ``line:<id>`` (the key of the Excel's hidden
column), the grand total by ``total``; a cell by its column key ("demand",
"alloc-invest-ctmt"; the reason beside a share is "<key>-reason"). Amounts and shares are
decimal strings ("1234.5"), yes/no cells booleans, empty cells null.

A write names only the rows and cells it changes; every named line is checked, with what
is saved in the cells it does not name, by the appendix page's own form (LineItemForm),
then saved at once through ``submissions.services.appendix_save``: all or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from campaigns.measures import appendix_of, facts_of
from campaigns.models import TemplateColumn
from submissions import selectors
from submissions import values as line_values
from submissions.forms import LineItemForm, NarrativeForm
from submissions.models import LineItem, Submission

from .problems import Problem

REASON_SUFFIX = "-reason"
LABEL = "label"  # the name of a province's own sub-item, writable like a cell
NUMERIC = {
    TemplateColumn.Kind.AMOUNT,
    TemplateColumn.Kind.PERCENT,
    TemplateColumn.Kind.INTEGER,
    TemplateColumn.Kind.SUM,
}


@dataclass(frozen=True)
class Column:
    key: str  # the API's (and the template's) name of the column
    field: str  # the key of the measure it holds
    kind: str
    label: str
    computed: bool  # a sum: read, never written


def columns(submission: Submission) -> list[Column]:
    """The appendix's value columns in the letter's order (the reason beside its share)."""
    found = []
    for leaf in selectors.column_tree(submission.campaign).leaves:
        if not leaf.field:
            continue
        computed = leaf.kind == TemplateColumn.Kind.SUM
        found.append(Column(leaf.key, leaf.field, leaf.kind, leaf.label, computed))
        if leaf.reason_field:
            found.append(
                Column(
                    leaf.key + REASON_SUFFIX,
                    leaf.reason_field,
                    TemplateColumn.Kind.TEXT,
                    str(_("Reason")),
                    False,
                )
            )
    return found


def row_key(line: LineItem) -> str:
    return line.row.code if line.row is not None else f"line:{line.pk}"


def _out(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind in NUMERIC:
        return format(Decimal(value), "f")
    return value


def appendix_data(submission: Submission, *, editable: bool) -> dict[str, Any]:
    lines = selectors.appendix_lines(submission)
    table = selectors.appendix_table(submission, lines)
    cols = columns(submission)
    rows: list[dict[str, Any]] = []
    for row in table:
        line = row.line
        if row.kind == "total":
            key, code, group = "total", None, None
        elif line is not None:
            key, code = row_key(line), line.row.code if line.row is not None else None
            group = line.group.code if line.row_id != line.group_id else None
        else:
            assert row.template_row is not None
            key, code, group = row.template_row.code, row.template_row.code, None
        if line is not None:
            cells = {c.key: _out(c.kind, row.values.get(c.field)) for c in cols}
        else:
            cells = {
                c.key: _out(c.kind, row.totals[c.field]) for c in cols if c.field in row.totals
            }
        rows.append(
            {
                "key": key,
                "code": code,
                "group": group,
                "kind": row.kind,
                "stt": row.stt,
                "label": row.label,
                "custom": bool(line is not None and line.is_custom),
                "computed": line is None,
                "cells": cells,
            }
        )
    return {
        "submission": submission.pk,
        "campaign": submission.campaign.code,
        "unit": submission.unit.code,
        "stage": submission.stage,
        "revision": submission.revision,
        "editable": editable,
        "amount_unit": submission.campaign.amount_unit,
        "columns": [
            {"key": c.key, "label": c.label, "kind": c.kind, "computed": c.computed} for c in cols
        ],
        "rows": rows,
    }


def _error(row: str, column: str | None, message: Any) -> dict[str, Any]:
    return {"row": row, "column": column, "message": str(message)}


def _value(column: Column, value: Any) -> Any:
    """A JSON value as the form takes it; ValueError with the message when its type is wrong."""
    if column.kind in NUMERIC:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError(_('Give a number (or a decimal string such as "1234.5"), or null.'))
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(
                _('Give a number (or a decimal string such as "1234.5"), or null.')
            ) from None
        if not number.is_finite():
            raise ValueError(_('Give a number (or a decimal string such as "1234.5"), or null.'))
        return number
    if column.kind == TemplateColumn.Kind.FLAG:
        if value is None or isinstance(value, bool):
            return value
        raise ValueError(_("Give true, false or null."))
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(_("Give a text (a JSON string), or null."))
    return value


def _saved(form: LineItemForm) -> dict[str, Any]:
    """What is saved in every field of the line's form, as input to the form."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        flag = isinstance(field, forms.NullBooleanField)
        data[name] = "" if value is None and not flag else value
    return data


def appendix_values(submission: Submission, rows: Mapping[str, Any]) -> dict[int, dict[str, Any]]:
    """The lines' entries checked by the appendix form, by line id; a Problem naming every
    bad row and column otherwise."""
    lines = {row_key(line): line for line in selectors.appendix_lines(submission)}
    by_key = {c.key: c for c in columns(submission)}
    computed_rows = {r.code for r in submission.campaign.rows.all()} | {"total"}
    appendix = appendix_of(submission.campaign)
    measures = line_values.for_campaign(submission.campaign)
    errors: list[dict[str, Any]] = []
    values: dict[int, dict[str, Any]] = {}
    for key, cells in rows.items():
        line = lines.get(key)
        if line is None:
            message = (
                _("This row is computed from the lines below it; it cannot be written.")
                if key in computed_rows
                else _("This appendix has no row with this code.")
            )
            errors.append(_error(key, None, message))
            continue
        if not isinstance(cells, dict):
            errors.append(_error(key, None, _("Give the row's cells as an object.")))
            continue
        form = LineItemForm(instance=line, appendix=appendix, measures=measures)
        data = _saved(form)
        field_to_key: dict[str, str] = {}
        for column_key, value in cells.items():
            if column_key == LABEL and line.is_custom:
                if not isinstance(value, str):
                    errors.append(_error(key, LABEL, _("Give a text (a JSON string), or null.")))
                    continue
                data[LABEL], field_to_key[LABEL] = value, LABEL
                continue
            column = by_key.get(column_key)
            if column is None or column.computed:
                errors.append(
                    _error(
                        key,
                        column_key,
                        _("This column is computed; it cannot be written.")
                        if column is not None
                        else _("The appendix has no column with this key."),
                    )
                )
                continue
            try:
                data[column.field] = _value(column, value)
            except ValueError as exc:
                errors.append(_error(key, column_key, exc))
                continue
            field_to_key[column.field] = column_key
        bound = LineItemForm(data, instance=line, appendix=appendix, measures=measures)
        if not bound.is_valid():
            names = {c.field: c.key for c in by_key.values()} | {LABEL: LABEL}
            for name, messages in bound.errors.items():
                for text in messages:
                    errors.append(_error(key, names.get(name), text))
            continue
        values[line.pk] = bound.cleaned_data
    if errors:
        raise Problem(400, "validation", _("Nothing was saved: the appendix has errors."), errors)
    return values


# The narrative ---------------------------------------------------------------------------


def narrative_data(submission: Submission, *, editable: bool) -> dict[str, Any]:
    answers = selectors.answers_by_point(submission)
    sections = []
    for section in selectors.outline(submission.campaign):
        sections.append(
            {
                "number": section.number,
                "title": section.title,
                "points": [
                    {
                        "code": point.code,
                        "text": point.text,
                        "required": point.required,
                        "answer": answers[point.pk].text if point.pk in answers else "",
                    }
                    for point in section.points.all()
                ],
            }
        )
    return {
        "submission": submission.pk,
        "stage": submission.stage,
        "revision": submission.revision,
        "editable": editable,
        "sections": sections,
        "treasury_refusal_count": submission.treasury_refusal_count,
        "treasury_refusal_amount": _out(
            TemplateColumn.Kind.AMOUNT, submission.treasury_refusal_amount
        ),
        "treasury_refusal_note": submission.treasury_refusal_note,
        "problem_kinds": sorted(submission.problem_kinds.values_list("code", flat=True)),
    }


NARRATIVE_FIELDS = ("treasury_refusal_count", "treasury_refusal_amount", "treasury_refusal_note")


def narrative_values(submission: Submission, body: Mapping[str, Any]) -> dict[str, Any]:
    """The narrative's answers and facts checked by the narrative page's form, as keyword
    arguments of ``narrative_save``; a Problem naming each bad field otherwise. Answers not
    named, and facts not given, keep what is saved."""
    sections = list(selectors.outline(submission.campaign))
    points = {p.code: p for s in sections for p in s.points.all()}
    answers = selectors.answers_by_point(submission)
    data: dict[str, Any] = {
        f"point_{p.pk}": answers[p.pk].text if p.pk in answers else "" for p in points.values()
    }
    data["treasury_refusal_count"] = submission.treasury_refusal_count
    data["treasury_refusal_amount"] = submission.treasury_refusal_amount
    data["treasury_refusal_note"] = submission.treasury_refusal_note
    kinds = {k.code: k.pk for k in submission.campaign.problem_kinds.all()}
    chosen = list(submission.problem_kinds.values_list("pk", flat=True))
    errors: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    given = body.get("answers") or {}
    if not isinstance(given, dict):
        errors.append({"field": "answers", "message": _("Give the answers as an object.")})
        given = {}
    for code, text in given.items():
        point = points.get(code)
        if point is None:
            errors.append(
                {
                    "field": f"answers.{code}",
                    "message": _("The outline has no point with this code."),
                }
            )
        elif not isinstance(text, str):
            errors.append(
                {"field": f"answers.{code}", "message": _("Give a text (a JSON string).")}
            )
        else:
            data[f"point_{point.pk}"] = text
            names[f"point_{point.pk}"] = f"answers.{code}"
    amount = Column("treasury_refusal_amount", "", TemplateColumn.Kind.AMOUNT, "", False)
    for name in NARRATIVE_FIELDS:
        if name not in body:
            continue
        value = body[name]
        if name == "treasury_refusal_count" and not (
            value is None or (isinstance(value, int) and not isinstance(value, bool))
        ):
            errors.append({"field": name, "message": _("Give a whole number, or null.")})
            continue
        if name == "treasury_refusal_amount":
            try:
                value = _value(amount, value)
            except ValueError as exc:
                errors.append({"field": name, "message": str(exc)})
                continue
        if name == "treasury_refusal_note" and not isinstance(value, str):
            errors.append({"field": name, "message": _("Give a text (a JSON string).")})
            continue
        data[name] = "" if value is None else value
    if "problem_kinds" in body:
        codes = body["problem_kinds"]
        if not isinstance(codes, list) or any(c not in kinds for c in codes):
            errors.append(
                {
                    "field": "problem_kinds",
                    "message": _("Give a list of the campaign's shortcoming codes."),
                }
            )
        else:
            chosen = [kinds[c] for c in codes]
    data["problem_kinds"] = chosen
    if errors:
        raise Problem(400, "validation", _("Nothing was saved: the narrative has errors."), errors)
    form = NarrativeForm(data, sections=sections, facts=facts_of(submission.campaign))
    if not form.is_valid():
        raise Problem(
            400,
            "validation",
            _("Nothing was saved: the narrative has errors."),
            [
                {"field": names.get(name, name if name != "__all__" else "body"), "message": str(m)}
                for name, messages in form.errors.items()
                for m in messages
            ],
        )
    return {"answers": form.answers(), **form.facts_data()}


def actor(user: Any) -> User:
    """The request's user, known to be signed in (every API view requires it)."""
    assert isinstance(user, User)
    return user
