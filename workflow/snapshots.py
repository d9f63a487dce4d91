"""A submission's content as one canonical JSON document, and its SHA-256."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from submissions.models import LineItem, Submission

from .canonical import canonical

LINE_FIELDS = [
    f.name
    for f in LineItem._meta.get_fields()
    if f.concrete and f.name not in {"id", "submission", "row", "group", "label", "order"}
]


_DEFAULTS = {f.name: f.get_default() for f in LineItem._meta.concrete_fields}


def line_value(line: dict[str, Any], name: str) -> Any:
    """A measure of a frozen line. Content frozen before the measure existed holds the blank
    the migration gave every line (not a change the province made)."""
    if name in line:
        return line[name]
    return _DEFAULTS[name]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return canonical(value)
    return value


def line_key(line: LineItem) -> str:
    """Stable across versions: the template row's code, or the own sub-item's id."""
    return line.row.code if line.row is not None else f"own-{line.pk}"


def build(submission: Submission) -> dict[str, Any]:
    lines = submission.lines.select_related("row", "group").order_by("group__order", "order", "pk")
    answers = submission.answers.select_related("point").order_by(
        "point__section__order", "point__order"
    )
    return {
        "campaign": submission.campaign.number,
        "unit": submission.unit.code,
        "lines": [
            {
                "key": line_key(line),
                "group": line.group.code,
                "label": line.display_label,
                **{name: _plain(getattr(line, name)) for name in LINE_FIELDS},
            }
            for line in lines
        ],
        "answers": {a.point.code: a.text for a in answers},
        "facts": {
            "treasury_refusal_count": submission.treasury_refusal_count,
            "treasury_refusal_amount": _plain(submission.treasury_refusal_amount),
            "treasury_refusal_note": submission.treasury_refusal_note,
            "problem_kinds": sorted(submission.problem_kinds.values_list("code", flat=True)),
        },
        "attachments": [
            {"name": a.original_name, "sha256": a.sha256, "size": a.size, "type": a.content_type}
            for a in submission.attachments.order_by("pk")
        ],
    }


def digest(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
