"""A line's figures by measure key: the one place that knows which slot of ``LineItem`` holds
which measure of a campaign.

A campaign's definition names its measures (``spent``, ``unused_pct``); ``load`` gives each a
typed slot of the line (``amount_8``, ``percent_6``: campaigns.measures.assign_slots) and
keeps it on the column (campaigns.TemplateColumn.slot, .reason_slot). Everything that reads
or writes a line's figures asks here, by measure key, so pages, rules, files and frozen
versions keep speaking in the definition's terms whatever slot a measure lives in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy

from campaigns.measures import appendix_of, assign_slots
from campaigns.models import Campaign

from .models import LineItem

TEXT_KINDS = ("text", "choice")
# A reason's own name, under its column's (the share it explains): on the page, in the diff.
REASON_LABEL = gettext_lazy("Reason")


@dataclass(frozen=True)
class LineMeasures:
    """A campaign's measures as stored on its lines, in the header's order."""

    slots: dict[str, str] = field(default_factory=dict)  # measure key -> LineItem slot
    kinds: dict[str, str] = field(default_factory=dict)  # measure key -> kind
    sums: dict[str, tuple[str, ...]] = field(default_factory=dict)  # sum key -> its parts

    def slot(self, key: str) -> str:
        return self.slots[key]

    def of_kind(self, *kinds: str) -> tuple[str, ...]:
        return tuple(key for key in self.slots if self.kinds[key] in kinds)

    def blank(self, key: str) -> Any:
        """What a line holds for a measure nobody gave: "" for texts, None otherwise."""
        return "" if self.kinds.get(key) in TEXT_KINDS else None

    def get(self, line: LineItem, key: str) -> Any:
        """A measure of ``line``; a sum adds up its parts (None when none is given)."""
        if key in self.sums:
            parts = [self.get(line, part) for part in self.sums[key]]
            if all(p is None for p in parts):
                return None
            return sum((p for p in parts if p is not None), Decimal(0))
        return getattr(line, self.slots[key])

    def set(self, line: LineItem, key: str, value: Any) -> None:
        """Write a measure; ``label`` (the name of a province's own sub-item) passes through."""
        setattr(line, "label" if key == "label" else self.slots[key], value)

    def stored(self, line: LineItem) -> dict[str, Any]:
        """Every stored measure of a line, by key."""
        return {key: getattr(line, slot) for key, slot in self.slots.items()}

    def values(self, line: LineItem) -> dict[str, Any]:
        """Every measure of a line by key, the sums included."""
        return self.stored(line) | {key: self.get(line, key) for key in self.sums}

    def totals(self) -> tuple[str, ...]:
        """What adds up across rows: the amounts and the sums of amounts."""
        return (*self.of_kind("amount"), *self.sums)


def for_campaign(campaign: Campaign) -> LineMeasures:
    """The campaign's measures and their slots, from its definition (no query; kept on the
    campaign object). ``load`` wrote the same assignment on the columns
    (TemplateColumn.slot) and refuses to move a running campaign's measures."""
    cached: LineMeasures | None = getattr(campaign, "_line_measures", None)
    if cached is not None:
        return cached
    appendix = appendix_of(campaign)
    spec = (campaign.definition or {}).get("appendix") or {}
    slots = assign_slots(spec.get("columns"))
    kinds = {key: appendix.measures[key].kind for key in slots}
    sums = {t.key: t.of for t in appendix.totals.values() if set(t.of) <= set(slots)}
    measures = LineMeasures(slots, kinds, sums)
    campaign._line_measures = measures  # type: ignore[attr-defined]
    return measures


def for_line(line: LineItem) -> LineMeasures:
    return for_campaign(line.submission.campaign)
