"""Reads: the appendix of a submission as a table, its header tree, and campaign templates.

Everything a page shows about one submission is fetched here with a fixed number
of queries; group rows and the grand total are computed from the lines, never
stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from campaigns.models import (
    Campaign,
    Footnote,
    OutlinePoint,
    OutlineSection,
    TemplateColumn,
    TemplateRow,
)

from . import values as line_values
from .models import LineItem, NarrativeAnswer, Submission


@dataclass
class HeaderCell:
    column: TemplateColumn
    colspan: int
    rowspan: int


@dataclass
class ColumnTree:
    """The appendix columns as header rows (with spans), as the list of leaves, and each
    column's path of headers from the root of the tree down to it.

    The path is how a cell is named wherever one column must be told from another with the
    same label ("Nguồn từ CTMT CNTT" stands under "Chi đầu tư" and "Chi thường xuyên"): the
    appendix grid names its inputs for a screen reader by the header cells of the path, and
    the review's diff names a changed cell by ``name``."""

    # Between the parts of a name as the page writes it (the grid's error list reads it from
    # the table, the diff from here).
    SEPARATOR = " \u203a "  # a single right-pointing angle quotation mark between spaces

    header_rows: list[list[HeaderCell]]
    leaves: list[TemplateColumn]
    paths: dict[int, list[TemplateColumn]] = field(default_factory=dict)  # by column pk

    def path(self, column: TemplateColumn) -> list[TemplateColumn]:
        return self.paths[column.pk]

    def name(self, column: TemplateColumn) -> str:
        """The column's labels from the root to it, joined by SEPARATOR: Nguồn lực, Kinh phí
        đã bố trí (*), Chi đầu tư, Nguồn từ CTMT CNTT."""
        return self.SEPARATOR.join(" ".join(c.label.split()) for c in self.path(column))


def column_tree(campaign: Campaign, *, letter_only: bool = False) -> ColumnTree:
    """Header rows with colspan/rowspan for the campaign's columns.

    ``letter_only`` drops the detail footnote (*) asks for, giving the letter's
    own three-level header.
    """
    columns = list(campaign.columns.order_by("order"))
    if letter_only:
        columns = [c for c in columns if c.origin == TemplateColumn.Origin.LETTER]
    children: dict[int | None, list[TemplateColumn]] = {}
    for column in columns:
        children.setdefault(column.parent_id, []).append(column)
    depth = max(c.level for c in columns)

    def leaves_of(column: TemplateColumn) -> list[TemplateColumn]:
        kids = children.get(column.pk, [])
        if not kids:
            return [column]
        return [leaf for kid in kids for leaf in leaves_of(kid)]

    rows: list[list[HeaderCell]] = [[] for _ in range(depth)]
    for column in columns:
        kids = children.get(column.pk, [])
        rowspan = (min(k.level for k in kids) - column.level) if kids else depth - column.level + 1
        rows[column.level - 1].append(HeaderCell(column, len(leaves_of(column)), rowspan))
    leaves = [leaf for root in children.get(None, []) for leaf in leaves_of(root)]
    by_pk = {column.pk: column for column in columns}
    paths: dict[int, list[TemplateColumn]] = {}
    for column in columns:  # in order: a parent's path is known before its children's
        parent = by_pk.get(column.parent_id) if column.parent_id else None
        paths[column.pk] = [*(paths[parent.pk] if parent else []), column]
    return ColumnTree(header_rows=rows, leaves=leaves, paths=paths)


def footnotes(campaign: Campaign, tree: ColumnTree) -> list[Footnote]:
    """The campaign's footnotes that a column of ``tree`` refers to, in order: a table that
    leaves a column out (the summed appendix drops "Đã hoàn thành (**)") leaves its note out."""
    shown = {cell.column.footnote_id for row in tree.header_rows for cell in row}
    return [note for note in campaign.footnotes.all() if note.pk in shown]


@dataclass
class TableRow:
    """One row of the rendered appendix: a group, an entry line, or the grand total."""

    kind: str  # "group", "line" or "total"
    stt: str
    label: str
    template_row: TemplateRow | None = None
    line: LineItem | None = None
    totals: dict[str, Decimal | None] = field(default_factory=dict)
    computed: bool = True
    values: dict[str, Any] = field(default_factory=dict)  # a line's measures by key


def _add(
    totals: dict[str, Decimal | None], line: LineItem, measures: line_values.LineMeasures
) -> None:
    """Add a line's amounts and sums of amounts (what adds up across rows) to ``totals``."""
    for name in measures.totals():
        value = measures.get(line, name)
        if value is not None:
            totals[name] = (totals.get(name) or Decimal(0)) + value


def template_rows(campaign: Campaign) -> list[TemplateRow]:
    return list(campaign.rows.order_by("order"))


def appendix_lines(submission: Submission) -> list[LineItem]:
    return list(
        submission.lines.select_related("row", "group").order_by("group__order", "order", "pk")
    )


def appendix_table(submission: Submission, lines: list[LineItem] | None = None) -> list[TableRow]:
    """The appendix in the letter's order, with group subtotals and the grand total."""
    if lines is None:
        lines = appendix_lines(submission)
    rows = template_rows(submission.campaign)
    measures = line_values.for_campaign(submission.campaign)
    by_group: dict[int, list[LineItem]] = {}
    for line in lines:
        by_group.setdefault(line.group_id, []).append(line)
    table: list[TableRow] = []
    grand: dict[str, Decimal | None] = {}
    for group in (r for r in rows if r.parent_id is None):
        group_lines = by_group.get(group.pk, [])
        own = [ln for ln in group_lines if ln.row_id == group.pk]
        if own:  # a group without sub-items takes entries itself
            line = own[0]
            totals: dict[str, Decimal | None] = {}
            _add(totals, line, measures)
            table.append(
                TableRow(
                    "group",
                    group.stt,
                    group.label,
                    group,
                    line,
                    totals,
                    computed=False,
                    values=measures.values(line),
                )
            )
            _add(grand, line, measures)
            continue
        totals = {}
        for line in group_lines:
            _add(totals, line, measures)
            _add(grand, line, measures)
        table.append(TableRow("group", group.stt, group.label, group, None, totals))
        for line in group_lines:
            table.append(
                TableRow(
                    "line",
                    line.row.stt if line.row else "",
                    line.display_label,
                    line.row,
                    line,
                    computed=False,
                    values=measures.values(line),
                )
            )
    table.append(TableRow("total", "", "", None, None, grand))
    return table


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal | float):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    return value


LINE_PLACE = ("id", "row_id", "group_id", "label", "order")


def appendix_fingerprint(
    lines: Iterable[LineItem], measures: line_values.LineMeasures | None = None
) -> str:
    """A digest of the appendix's lines and entries, and nothing else of the submission.

    A downloaded workbook carries it: the upload is refused when the appendix
    changed since, and accepted when only the narrative or the attachments did
    (they bump the revision too). A line's place, then its measures in the header's order
    (for the first campaign, the very list of values its digest was made of before figures
    were in slots).
    """
    lines = sorted(lines, key=lambda line: line.pk)
    if measures is None:
        measures = line_values.for_line(lines[0]) if lines else line_values.LineMeasures()
    content = [
        [_canonical(getattr(line, name)) for name in LINE_PLACE]
        + [_canonical(value) for value in measures.stored(line).values()]
        for line in lines
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def measure_labels(campaign: Campaign) -> dict[str, str]:
    """Each measure (by key) by the label of its column in the letter (its own header first)."""
    labels: dict[str, str] = {}
    for column in campaign.columns.exclude(field="").order_by("-origin", "order"):
        # Descending, "letter" comes before "footnote": the letter's own label wins.
        labels.setdefault(column.field, column.label)
        if column.reason_field:
            labels.setdefault(column.reason_field, column.label)
    return labels


def measure_names(campaign: Campaign) -> dict[str, str]:
    """Each measure (by key) by the whole path of the column that shows it (ColumnTree.name),
    as the appendix grid names its cells; a reason by its column's path and then its own
    label, as the grid names the reason's box."""
    tree = column_tree(campaign)
    names: dict[str, str] = {}
    for leaf in tree.leaves:
        if leaf.field:
            names.setdefault(leaf.field, tree.name(leaf))
        if leaf.reason_field:
            own = line_values.REASON_LABEL
            names.setdefault(leaf.reason_field, f"{tree.name(leaf)}{tree.SEPARATOR}{own}")
    return names


def outline(campaign: Campaign) -> QuerySet[OutlineSection]:
    return campaign.sections.order_by("order").prefetch_related(
        Prefetch(
            "points", queryset=OutlinePoint.objects.select_related("section").order_by("order")
        )
    )


def answers_by_point(submission: Submission) -> dict[int, NarrativeAnswer]:
    return {a.point_id: a for a in submission.answers.all()}
