"""A submission's content as one canonical JSON document, and its SHA-256.

A line's figures are frozen by measure key (``spent``), as the campaign's definition names
them, never by the slot that stores them."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from submissions import values
from submissions.models import LineItem, Submission

from .canonical import canonical


def line_value(line: dict[str, Any], name: str, measures: values.LineMeasures) -> Any:
    """A measure of a frozen line (by its key, as the definition names it). Content frozen
    before the measure existed holds the blank every line had then (not a change the
    province made)."""
    if name in line:
        return line[name]
    return measures.blank(name)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return canonical(value)
    return value


def line_key(line: LineItem) -> str:
    """Stable across versions: the template row's code, or the own sub-item's id."""
    return line.row.code if line.row is not None else f"own-{line.pk}"


def build(submission: Submission) -> dict[str, Any]:
    lines = submission.lines.select_related("row", "group").order_by("group__order", "order", "pk")
    measures = values.for_campaign(submission.campaign)
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
                # By measure key, whatever slot holds it: versions frozen before figures
                # were in slots read the same.
                **{name: _plain(value) for name, value in measures.stored(line).items()},
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
