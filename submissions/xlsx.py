"""The appendix as an Excel worksheet, in the letter's layout.

``write_appendix`` draws the header tree and the rows of any appendix into a
worksheet: the multi-level merged header exactly as the appendix page shows
it, group rows and the grand total as Excel formulas, amounts in million VND,
percentages as Excel percentages, frozen header rows; the province's download
(``submission_workbook``) calls it. The drawing itself (styles, merged boxes,
number formats, panes, protection) is core/spreadsheet.py's; ``header_tree``
turns the campaign's columns into its header tree, which the national report's
summed appendix draws too, without the reason columns.

A cell of Excel holds one value, so a column that carries a share and its
reason on the page ("Chưa hoàn thành /Lý do") takes two columns here, under
its own header, with a last header row naming them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from campaigns.models import Campaign, TemplateColumn
from core import clock
from core import spreadsheet as sheet
from core.spreadsheet import (
    BORDER,
    COMPUTED_FILL,
    GROUP_FILL,
    LINE_HEIGHT,
    UNLOCKED,
    Box,
    Header,
    put_text,
)

from . import selectors
from . import values as line_values
from .models import Submission
from .selectors import ColumnTree, TableRow

# What the hidden sheet of a province's download says; the import reads it back.
META_SHEET = "meta"
FORMAT = "appendix-xlsx/1"
# Room beside and below what the download writes (a drafter's note next to the table):
# a sheet reaching further was not filled from it, and is refused before it is read.
MARGIN_ROWS, MARGIN_COLUMNS = 50, 10
META_ROWS = 8  # key / value pairs on the hidden sheet

WIDTHS: dict[str, int] = {
    TemplateColumn.Kind.ROW_NUMBER: 6,
    TemplateColumn.Kind.ROW_LABEL: 46,
    TemplateColumn.Kind.TEXT: 30,
    TemplateColumn.Kind.AMOUNT: 15,
    TemplateColumn.Kind.SUM: 15,
    TemplateColumn.Kind.PERCENT: 11,
    TemplateColumn.Kind.FLAG: 12,
}
REASON_WIDTH = 26


@dataclass(frozen=True)
class SheetColumn:
    """One column of the sheet: a leaf of the header tree, or the reason beside a share."""

    index: int  # 1-based
    leaf: TemplateColumn
    name: str  # the key of the measure it holds ("" for STT and the label)
    is_reason: bool = False

    @property
    def letter(self) -> str:
        return get_column_letter(self.index)

    @property
    def kind(self) -> str:
        return TemplateColumn.Kind.TEXT if self.is_reason else self.leaf.kind


@dataclass
class SheetLayout:
    """Where things are: the import reads a file back with the layout that wrote it.

    ``header`` holds the merged header boxes; a box's ``tag`` is its template column, or
    None for the "%" / "Reason" names this module adds under a share with its reason.
    """

    tree: ColumnTree
    columns: list[SheetColumn]
    header: list[Box]
    header_height: int
    header_top: int = 1
    row_numbers: dict[str, int] = field(default_factory=dict)  # row key -> sheet row

    @property
    def first_data_row(self) -> int:
        return self.header_top + self.header_height

    @property
    def key_column(self) -> int:
        """The hidden column naming each row, right of the table."""
        return len(self.columns) + 1

    def column_of(self, name: str) -> SheetColumn:
        return next(c for c in self.columns if c.name == name)


@dataclass
class SheetRow:
    """A row to write: a task group, a line, or the grand total.

    ``values`` maps measure names to what the row holds. A ``computed`` group
    row sums the lines below it up to the next group, and the grand total sums
    the group rows, both by formula. ``key`` names the row in the hidden column
    so that a round trip finds it again; ``custom`` marks the province's own
    sub-items, whose name the drafter may edit.
    """

    kind: str  # "group", "line" or "total"
    stt: str
    label: str
    values: Mapping[str, Any] = field(default_factory=dict)
    computed: bool = False
    key: str = ""
    custom: bool = False


def header_tree(tree: ColumnTree, *, reasons: bool) -> list[Header]:
    """The appendix's column tree as a header tree, each node tagged with its column.

    With ``reasons`` a share that carries its reason ("Chưa hoàn thành /Lý do") takes two
    columns, named "%" and "Reason" on a last row: a cell of Excel holds one value.
    """
    cells = {cell.column.pk: cell for row in tree.header_rows for cell in row}
    children: dict[int | None, list[TemplateColumn]] = {}
    for cell in cells.values():
        children.setdefault(cell.column.parent_id, []).append(cell.column)

    def node(column: TemplateColumn) -> Header:
        note = column.origin == TemplateColumn.Origin.FOOTNOTE
        kids = tuple(node(kid) for kid in children.get(column.pk, []))
        if kids:
            return Header(column.label, kids, cells[column.pk].rowspan, note, column)
        if reasons and column.reason_field:
            share = Header(_("Share (%)"), note=note)
            reason = Header(_("Reason"), note=note)
            return Header(column.label, (share, reason), None, note, column)
        return Header(column.label, note=note, tag=column)

    return [node(column) for column in children.get(None, [])]


def layout_for(tree: ColumnTree, *, header_top: int = 1) -> SheetLayout:
    """The sheet's columns and merged header boxes for a column tree."""
    columns: list[SheetColumn] = []
    for leaf in tree.leaves:
        columns.append(SheetColumn(len(columns) + 1, leaf, leaf.field))
        if leaf.reason_field:
            columns.append(SheetColumn(len(columns) + 1, leaf, leaf.reason_field, is_reason=True))
    placed = sheet.place(header_tree(tree, reasons=True))
    return SheetLayout(tree, columns, placed.boxes, placed.height, header_top)


def _ancestors(tree: ColumnTree, column: TemplateColumn) -> list[int]:
    """The pks of the header nodes above a column, nearest first (without queries)."""
    return [node.pk for node in reversed(tree.path(column)[:-1])]


def write_appendix(
    ws: Worksheet,
    *,
    tree: ColumnTree,
    rows: Sequence[SheetRow],
    top: int = 1,
    editable: bool = False,
) -> SheetLayout:
    """Write the header tree from row ``top`` and the rows under it; return where all went.

    ``editable`` unlocks the cells a drafter fills (the sheet is protected without
    a password, so the header, labels and formulas are not overwritten by
    accident) and adds Excel's own input checks to them; the server checks
    everything again on import.
    """
    layout = layout_for(tree, header_top=top)
    sheet.set_widths(
        ws,
        {
            c.index: REASON_WIDTH if c.is_reason else WIDTHS.get(c.leaf.kind, 14)
            for c in layout.columns
        },
    )
    placed = sheet.HeaderLayout(layout.header, layout.header_height, len(layout.columns))
    sheet.write_header(ws, placed, top=top, fit_rows=True)
    row_number = layout.first_data_row
    for row in rows:
        if row.key:
            layout.row_numbers[row.key] = row_number
        row_number += 1
    group_rows = _group_members(rows, layout.first_data_row)
    for offset, row in enumerate(rows):
        number = layout.first_data_row + offset
        _write_row(ws, layout, row, number, group_rows, editable)
    last = layout.first_data_row + len(rows) - 1
    ws.column_dimensions[get_column_letter(layout.key_column)].hidden = True
    label_column = next(
        (c for c in layout.columns if c.leaf.kind == TemplateColumn.Kind.ROW_LABEL), None
    )
    sheet.freeze(ws, layout.first_data_row, (label_column.index + 1) if label_column else 1)
    if rows:
        _number_formats(ws, layout, last)
        if editable:
            _validations(ws, layout, rows)
    if editable:
        sheet.protect(ws)
    sheet.print_across(ws, title_rows=(top, top + layout.header_height - 1))
    return layout


def _group_members(rows: Sequence[SheetRow], first: int) -> dict[int, list[int]]:
    """For each computed group row, the sheet rows it sums; for the total, the group rows."""
    members: dict[int, list[int]] = {}
    current: int | None = None
    groups: list[int] = []
    total: int | None = None
    for offset, row in enumerate(rows):
        number = first + offset
        if row.kind == "group":
            groups.append(number)
            current = number if row.computed else None
            if current is not None:
                members[current] = []
        elif row.kind == "total":
            total, current = number, None
        elif current is not None:
            members[current].append(number)
    if total is not None:
        members[total] = groups
    return members


def _total(refs: str) -> str:
    """A sum that stays blank when nothing below it is filled, as on the page: there a blank
    means "not answered" and 0 is an answer."""
    return f'=IF(COUNT({refs})=0,"",SUM({refs}))'


def _sum_formula(letter: str, numbers: list[int]) -> str | None:
    """The sum of one column over the given rows: D8:D11 when contiguous, D7,D12,... if not."""
    if not numbers:
        return None
    if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 1:
        return _total(f"{letter}{numbers[0]}:{letter}{numbers[-1]}")
    return _total(",".join(f"{letter}{n}" for n in numbers))


def _sum_parts(layout: SheetLayout, column: SheetColumn) -> list[SheetColumn]:
    """The amount columns a 'sum' column adds up within a row.

    They are the amount leaves under the nearest header carrying the same
    measure ("Kinh phí đã bố trí (*)" for its "Tổng số"), else under its parent.
    """
    nodes = {cell.column.pk: cell.column for row in layout.tree.header_rows for cell in row}
    chain = _ancestors(layout.tree, column.leaf)
    anchor = next((pk for pk in chain if nodes[pk].field == column.leaf.field), None)
    if anchor is None:
        anchor = chain[0] if chain else None
    return [
        other
        for other in layout.columns
        if not other.is_reason
        and other.leaf.kind == TemplateColumn.Kind.AMOUNT
        and (anchor is None or anchor in _ancestors(layout.tree, other.leaf))
    ]


def _ranges(letters: list[SheetColumn], row: int) -> str:
    """D8:I8 for adjacent columns, D8,F8 otherwise."""
    indexes = [c.index for c in letters]
    if indexes and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{letters[0].letter}{row}:{letters[-1].letter}{row}"
    return ",".join(f"{c.letter}{row}" for c in letters)


def _write_row(
    ws: Worksheet,
    layout: SheetLayout,
    row: SheetRow,
    number: int,
    members: dict[int, list[int]],
    editable: bool,
) -> None:
    bold = row.kind in ("group", "total")
    fill = GROUP_FILL if row.kind == "group" else (COMPUTED_FILL if row.kind == "total" else None)
    entries = not row.computed and row.kind != "total"
    for column in layout.columns:
        cell = ws.cell(row=number, column=column.index)
        cell.border = BORDER
        cell.font = Font(bold=bold, italic=row.custom)
        cell.alignment = sheet.WRAP
        if fill is not None:
            cell.fill = fill
        kind = column.kind
        if kind == TemplateColumn.Kind.ROW_NUMBER:
            put_text(cell, row.stt)
            cell.alignment = Alignment(horizontal="center", vertical="top")
        elif kind == TemplateColumn.Kind.ROW_LABEL:
            label = row.label if row.kind != "total" else _("Grand total")
            put_text(cell, label)
            if row.custom and editable:
                cell.protection = UNLOCKED
        elif kind in (TemplateColumn.Kind.AMOUNT, TemplateColumn.Kind.SUM):
            cell.alignment = Alignment(horizontal="right", vertical="top")
            if not entries:
                cell.value = _sum_formula(column.letter, members.get(number, []))
                cell.fill = fill or COMPUTED_FILL
            elif kind == TemplateColumn.Kind.SUM:
                cell.value = _total(_ranges(_sum_parts(layout, column), number))
                cell.fill = COMPUTED_FILL
            else:
                cell.value = sheet.number(row.values.get(column.name))
                if editable:
                    cell.protection = UNLOCKED
        elif not entries:
            continue  # percentages and text do not add up
        elif kind == TemplateColumn.Kind.PERCENT:
            value = row.values.get(column.name)
            cell.value = sheet.number(sheet.fraction(value))
            cell.alignment = Alignment(horizontal="right", vertical="top")
            if editable:
                cell.protection = UNLOCKED
        elif kind == TemplateColumn.Kind.INTEGER:
            cell.value = row.values.get(column.name)
            cell.alignment = Alignment(horizontal="right", vertical="top")
            if editable:
                cell.protection = UNLOCKED
        elif kind == TemplateColumn.Kind.FLAG:
            value = row.values.get(column.name)
            cell.value = _("Yes") if value is True else (_("No") if value is False else None)
            cell.alignment = Alignment(horizontal="center", vertical="top")
            if editable:
                cell.protection = UNLOCKED
        else:
            put_text(cell, row.values.get(column.name))
            if editable:
                cell.protection = UNLOCKED
    if row.key:
        put_text(ws.cell(row=number, column=layout.key_column), row.key)
    lines = max(
        sheet.lines_needed(
            ws.cell(row=number, column=c.index).value, sheet.columns_width(ws, c.index, 1) / 1.1
        )
        if c.kind in (TemplateColumn.Kind.ROW_LABEL, TemplateColumn.Kind.TEXT)
        else 1
        for c in layout.columns
    )
    ws.row_dimensions[number].height = lines * LINE_HEIGHT + 3


def _number_formats(ws: Worksheet, layout: SheetLayout, last: int) -> None:
    """Amounts show 1.234,5 (the page's way) and whole amounts no decimal mark."""
    for column in layout.columns:
        if column.kind in (TemplateColumn.Kind.AMOUNT, TemplateColumn.Kind.SUM):
            sheet.number_style(ws, column.index, layout.first_data_row, last, sheet.AMOUNTS)
        elif column.kind == TemplateColumn.Kind.PERCENT:
            sheet.number_style(ws, column.index, layout.first_data_row, last, sheet.PERCENTS)


def _validations(ws: Worksheet, layout: SheetLayout, rows: Sequence[SheetRow]) -> None:
    """Excel's own checks while typing; the import checks everything again."""
    first = layout.first_data_row
    entry_rows = [
        first + offset
        for offset, row in enumerate(rows)
        if not row.computed and row.kind != "total"
    ]
    if not entry_rows:
        return
    amount = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Amount"),
        error=_("Enter an amount in million VND, not negative."),
    )
    percent = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="1",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Percentage"),
        error=_("Enter a percentage between 0% and 100%."),
    )
    flag = DataValidation(
        type="list",
        formula1='"{yes},{no}"'.format(yes=_("Yes"), no=_("No")),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Yes / no"),
        error=_("Choose Yes or No, or leave the cell empty."),
    )
    for validation, kind in (
        (amount, TemplateColumn.Kind.AMOUNT),
        (percent, TemplateColumn.Kind.PERCENT),
        (flag, TemplateColumn.Kind.FLAG),
    ):
        for column in layout.columns:
            if column.kind == kind:
                for number in entry_rows:
                    validation.add(f"{column.letter}{number}")
        if validation.sqref:
            ws.add_data_validation(validation)


# The province's download --------------------------------------------------------------------


def sheet_rows(table: Sequence[TableRow]) -> list[SheetRow]:
    """A submission's appendix table as rows to write, each keyed for the round trip."""
    rows = []
    for row in table:
        values = dict(row.values)
        if row.kind == "total":
            rows.append(SheetRow("total", "", "", computed=True, key="total"))
        elif row.kind == "group":
            assert row.template_row is not None
            key = (
                f"line:{row.line.pk}" if row.line is not None else f"group:{row.template_row.code}"
            )
            rows.append(SheetRow("group", row.stt, row.label, values, row.computed, key))
        else:
            assert row.line is not None
            rows.append(
                SheetRow(
                    "line",
                    row.stt,
                    row.label,
                    values,
                    key=f"line:{row.line.pk}",
                    custom=row.line.is_custom,
                )
            )
    return rows


def _notes(campaign: Campaign) -> list[str]:
    """The lines written under the table: the footnotes, then how to fill the file."""
    notes = [f"{note.marker}: {note.text}" for note in campaign.footnotes.all()]
    notes.append(
        _(
            "Fill the white cells: amounts in %(unit)s, percentages as 0%% to 100%%, "
            "Yes or No for acceptance. Group rows and the grand total are formulas. "
            "Add or remove sub-items on the appendix page, then download the file again."
        )
        % {"unit": campaign.amount_unit}
    )
    return notes


def sheet_extents(submission: Submission, layout: SheetLayout) -> dict[str, tuple[int, int]]:
    """The last row and column each sheet of the province's download may reach, margin
    included: what the importer reads at most, and the size beyond which it refuses a sheet."""
    table = selectors.appendix_table(submission)
    # The table, a blank row, the notes; the hidden key column right of the table.
    last_row = layout.first_data_row + len(table) + len(_notes(submission.campaign))
    return {
        "appendix": (last_row + MARGIN_ROWS, layout.key_column + MARGIN_COLUMNS),
        META_SHEET: (META_ROWS + MARGIN_ROWS, 2 + MARGIN_COLUMNS),
    }


def submission_workbook(submission: Submission, *, editable: bool) -> bytes:
    """The province's appendix as an XLSX file, with what is saved filled in."""
    campaign = submission.campaign
    lines = selectors.appendix_lines(submission)
    table = selectors.appendix_table(submission, lines)
    tree = selectors.column_tree(campaign)
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = _("Appendix")
    width = len(layout_for(tree).columns)
    now = timezone.localtime(clock.now())
    title_lines = [
        (campaign.report_title, Font(bold=True, size=13)),
        (submission.unit.full_name, sheet.TITLE_FONT),
        (
            _("(Attached to letter %(number)s of %(date)s of the %(issuer)s)")
            % {
                "number": campaign.number,
                "date": date_format(campaign.issued_on, "SHORT_DATE_FORMAT"),
                "issuer": campaign.issuer,
            },
            sheet.ITALIC,
        ),
        (
            _("Downloaded at %(when)s, revision %(revision)s. Unit: %(unit)s")
            % {
                "when": date_format(now, "SHORT_DATETIME_FORMAT"),
                "revision": submission.revision,
                "unit": campaign.amount_unit,
            },
            sheet.NOTE_FONT,
        ),
    ]
    for number, (text, font) in enumerate(title_lines, start=1):
        sheet.title(ws, number, text, width=width, font=font)
    ws.row_dimensions[1].height = 36
    top = len(title_lines) + 2
    layout = write_appendix(ws, tree=tree, rows=sheet_rows(table), top=top, editable=editable)
    sheet.notes(ws, layout.first_data_row + len(table) + 1, _notes(campaign), across=width)
    meta = book.create_sheet(META_SHEET)
    meta.sheet_state = "veryHidden"
    entries = {
        "format": FORMAT,
        "submission": str(submission.pk),
        "campaign": campaign.code,
        "unit": submission.unit.code,
        "revision": str(submission.revision),
        "appendix": selectors.appendix_fingerprint(lines, line_values.for_campaign(campaign)),
        "header_top": str(layout.header_top),
        "exported_at": now.isoformat(),
    }
    assert len(entries) == META_ROWS
    for number, (key, value) in enumerate(entries.items(), start=1):
        meta.cell(row=number, column=1).value = key
        put_text(meta.cell(row=number, column=2), value)
    book.properties.title = campaign.report_title[:250]
    book.properties.creator = submission.unit.full_name
    book.properties.created = now.astimezone(datetime.UTC).replace(tzinfo=None)
    return sheet.save(book)
