"""The national report as an Excel workbook: the summed appendix under the letter's merged
multi-level header, then one sheet each for the allocation, the rates, the shortcomings, the
provinces, the narrative and the appendix's text columns (province by province). Numbers are
numbers (Excel shows them with the reader's separators), amounts with three decimals, rates
as percentages; header rows stay frozen.

``write_header_tree`` is the one piece that knows the appendix's column tree; when the
shared writer of submissions/xlsx.py lands it can take its place unchanged in meaning.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from submissions import selectors as content
from submissions.selectors import ColumnTree
from workflow.pdf import VN

from . import selectors
from .models import NationalVersion

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AMOUNT = "#,##0.000"
PERCENT = "0.00%"
COUNT = "#,##0"
DATETIME = "dd/mm/yyyy hh:mm"
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E9EEF6")
GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
TOTAL_FILL = PatternFill("solid", fgColor="FFF3CD")
BOLD = Font(bold=True)
WRAP_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
# Column width (characters) by kind of leaf column.
WIDTHS = {"row_number": 6, "row_label": 48, "text": 14, "amount": 16, "sum": 17, "percent": 11}


def _percent(value: Decimal | None) -> Decimal | None:
    """Rates are kept as percentages (45.20); Excel wants the fraction (0.452)."""
    return None if value is None else Decimal(value) / 100


def write_header_tree(ws: Worksheet, tree: ColumnTree, *, top: int, left: int = 1) -> int:
    """The header rows with their merged cells; returns the first row below the header."""
    taken: set[tuple[int, int]] = set()
    for depth, cells in enumerate(tree.header_rows):
        row = top + depth
        column = left
        for cell in cells:
            while (row, column) in taken:
                column += 1
            bottom, right = row + cell.rowspan - 1, column + cell.colspan - 1
            for r in range(row, bottom + 1):
                for c in range(column, right + 1):
                    taken.add((r, c))
                    ws.cell(r, c).border = BORDER
                    ws.cell(r, c).fill = HEADER_FILL
            target = ws.cell(row, column, cell.column.label)
            target.font = BOLD
            target.alignment = WRAP_CENTER
            if (bottom, right) != (row, column):
                ws.merge_cells(start_row=row, start_column=column, end_row=bottom, end_column=right)
            column = right + 1
    return top + len(tree.header_rows)


def _title(ws: Worksheet, text: str, width: int, row: int = 1) -> None:
    ws.cell(row, 1, text).font = Font(bold=True, size=12)
    ws.cell(row, 1).alignment = Alignment(horizontal="center", wrap_text=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _header_row(ws: Worksheet, row: int, labels: list[str]) -> None:
    for column, label in enumerate(labels, start=1):
        cell = ws.cell(row, column, label)
        cell.font = BOLD
        cell.alignment = WRAP_CENTER
        cell.fill = HEADER_FILL
        cell.border = BORDER


def _put(ws: Worksheet, row: int, column: int, value: Any, number_format: str = "") -> None:
    cell = ws.cell(row, column, value)
    cell.border = BORDER
    if number_format:
        cell.number_format = number_format
    elif isinstance(value, str):
        cell.alignment = WRAP


def _appendix(ws: Worksheet, report: selectors.NationalReport, tree: ColumnTree) -> None:
    leaves = tree.leaves
    version = report.version
    _title(ws, report.campaign.report_title, len(leaves))
    ws.row_dimensions[1].height = 45
    _title(
        ws,
        _("Summed across provinces: version %(n)s, %(included)s of %(units)s provinces")
        % {
            "n": version.number,
            "included": len(report.included),
            "units": len(report.provinces),
        },
        len(leaves),
        row=2,
    )
    ws.cell(3, len(leaves), _("Unit: %(unit)s") % {"unit": report.campaign.amount_unit})
    ws.cell(3, len(leaves)).alignment = Alignment(horizontal="right")
    first = write_header_tree(ws, tree, top=4)
    for offset, row in enumerate(report.table):
        r = first + offset
        for c, col in enumerate(leaves, start=1):
            value: Any = None
            number_format = ""
            if col.kind == "row_number":
                value = row.stt
            elif col.kind == "row_label":
                value = row.label
            elif col.kind in ("amount", "sum"):
                value, number_format = row.figures.get(col.field), AMOUNT
            elif col.kind == "percent":
                value, number_format = _percent(row.figures.get(col.field)), PERCENT
            elif col.kind == "flag":
                value, number_format = row.figures.get(col.field), COUNT
            _put(ws, r, c, value, number_format)
            if row.kind in ("group", "total"):
                ws.cell(r, c).font = BOLD
                ws.cell(r, c).fill = TOTAL_FILL if row.kind == "total" else GROUP_FILL
            elif row.kind in ("own", "direct"):
                ws.cell(r, c).font = Font(italic=True)
    notes = [
        str(report.rate_method),
        _("Acceptance columns: the number of appendix lines (tasks) accepted that way."),
        *(f"{n.marker}: {n.text}" for n in content.footnotes(report.campaign, tree)),
    ]
    for offset, note in enumerate(notes, start=first + len(report.table) + 1):
        ws.cell(offset, 1, note)
    for c, col in enumerate(leaves, start=1):
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS.get(col.kind, 10)
    # The header and the task column stay in view.
    ws.freeze_panes = ws.cell(first, 3)


def _allocation(ws: Worksheet, report: selectors.NationalReport) -> None:
    allocation = report.allocation
    _title(ws, _("Funds allocated by source and kind of spending"), 1 + 2 * len(allocation.sources))
    labels = [_("Kind of spending")]
    for _key, label in allocation.sources:
        labels += [f"{label} ({report.campaign.amount_unit})", _("Share")]
    _header_row(ws, 3, labels)
    for r, (label, cells) in enumerate(allocation.rows, start=4):
        _put(ws, r, 1, str(label))
        for i, cell in enumerate(cells):
            _put(ws, r, 2 + 2 * i, cell.amount, AMOUNT)
            _put(ws, r, 3 + 2 * i, _percent(cell.share), PERCENT)
    ws.column_dimensions["A"].width = 22
    for i in range(2, 2 + 2 * len(allocation.sources)):
        ws.column_dimensions[get_column_letter(i)].width = 22 if i % 2 == 0 else 10
    ws.freeze_panes = "B4"


def _rates(ws: Worksheet, report: selectors.NationalReport) -> None:
    _title(ws, _("Shares and rates, and their spread across provinces"), 7)
    _header_row(
        ws,
        3,
        [
            _("Rate"),
            _("National"),
            _("Provinces giving it"),
            _("Lowest"),
            _("Lowest: provinces"),
            _("Highest"),
            _("Highest: provinces"),
        ],
    )
    for r, spread in enumerate(report.spreads, start=4):
        _put(ws, r, 1, str(spread.rate.label))
        _put(ws, r, 2, _percent(spread.national), PERCENT)
        _put(ws, r, 3, spread.provinces, COUNT)
        _put(ws, r, 4, _percent(spread.low.value) if spread.low else None, PERCENT)
        _put(ws, r, 5, ", ".join(spread.low.provinces) if spread.low else "")
        _put(ws, r, 6, _percent(spread.high.value) if spread.high else None, PERCENT)
        _put(ws, r, 7, ", ".join(spread.high.provinces) if spread.high else "")
    ws.cell(5 + len(report.spreads), 1, str(report.rate_method))
    for column, width in zip("ABCDEFG", (42, 12, 12, 12, 30, 12, 30), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "B4"


def _problems(ws: Worksheet, report: selectors.NationalReport) -> None:
    _title(ws, _("Shortcomings reported (section 2.5 (i)) and State Treasury refusals"), 2)
    _header_row(ws, 3, [_("Shortcoming"), _("Provinces reporting it")])
    r = 4
    for kind in report.problems:
        _put(ws, r, 1, kind.label)
        _put(ws, r, 2, kind.provinces, COUNT)
        r += 1
    r += 1
    _header_row(ws, r, [_("State Treasury refusals"), ""])
    treasury = report.treasury
    for label, value, number_format in (
        (_("Cases"), treasury["cases"], COUNT),
        (_("Amount (million VND)"), treasury["amount"], AMOUNT),
        (_("Provinces with refusals"), treasury["provinces"], COUNT),
    ):
        r += 1
        _put(ws, r, 1, label)
        _put(ws, r, 2, value, number_format)
    ws.column_dimensions["A"].width = 60
    ws.column_dimensions["B"].width = 18
    ws.freeze_panes = "A4"


def _annex(ws: Worksheet, report: selectors.NationalReport) -> None:
    labels = [
        _("Code"),
        _("Province"),
        _("In this version"),
        _("Content version"),
        _("New in this version"),
        _("Stage"),
        _("Deadline"),
        _("Reached the ministry"),
        _("Demand"),
        _("Funds allocated"),
        _("Funds spent"),
        _("Spent / allocated"),
        _("Refusals (cases)"),
        _("Refusals (million VND)"),
        _("Receipt"),
    ]
    _title(ws, _("The provinces and centrally-run cities"), len(labels))
    _header_row(ws, 3, labels)
    r = 3
    for r, p in enumerate(report.provinces, start=4):
        reached = p.reached_ministry_at
        figures = p.figures
        values: list[tuple[Any, str]] = [
            (p.unit.code, ""),
            (p.unit.full_name, ""),
            (_("yes") if p.is_included else _("no"), ""),
            (p.content_version, COUNT),
            (_("yes") if p.entered else "", ""),
            (p.stage_label, ""),
            (p.standing_label, ""),
            (timezone.localtime(reached, VN).replace(tzinfo=None) if reached else None, DATETIME),
            (figures.demand if figures else None, AMOUNT),
            (figures.allocated if figures else None, AMOUNT),
            (figures.spent if figures else None, AMOUNT),
            (_percent(figures.spent_vs_allocated) if figures else None, PERCENT),
            (p.treasury_refusal_count, COUNT),
            (p.treasury_refusal_amount, AMOUNT),
            (p.receipt, ""),
        ]
        for c, (value, number_format) in enumerate(values, start=1):
            _put(ws, r, c, value, number_format)
    total = report.total
    r += 1
    _put(ws, r, 2, _("National total"))
    for c, value in (
        (9, total.get("demand")),
        (10, total.get("allocated")),
        (11, total.get("spent")),
    ):
        _put(ws, r, c, value, AMOUNT)
    _put(ws, r, 12, _percent(total.get("spent_vs_allocated")), PERCENT)
    _put(ws, r, 13, report.treasury["cases"], COUNT)
    _put(ws, r, 14, report.treasury["amount"], AMOUNT)
    for c in range(1, len(labels) + 1):
        ws.cell(r, c).font = BOLD
    for column, width in zip(
        "ABCDEFGHIJKLMNO", (6, 28, 10, 10, 10, 22, 16, 17, 17, 17, 17, 11, 10, 14, 14), strict=True
    ):
        ws.column_dimensions[column].width = width
    ws.auto_filter.ref = f"A3:{get_column_letter(len(labels))}{r - 1}"
    ws.freeze_panes = "C4"


def _narrative(ws: Worksheet, report: selectors.NationalReport) -> None:
    _title(ws, _("The provinces' assessments, point by point"), 4)
    _header_row(ws, 3, [_("Point"), _("Outline"), _("Province"), _("Assessment")])
    r = 3
    for compiled in report.narrative:
        for cp in compiled.points:
            for province, text in cp.answers:
                r += 1
                _put(ws, r, 1, cp.point.display_code)
                _put(ws, r, 2, cp.point.text)
                _put(ws, r, 3, province)
                _put(ws, r, 4, text)
    for column, width in zip("ABCD", (12, 50, 24, 90), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A4"


def _listings(ws: Worksheet, report: selectors.NationalReport) -> None:
    """The appendix's text columns, one row per province and line (a text is not summed)."""
    _title(ws, _("The appendix's text columns, province by province"), 4)
    _header_row(ws, 3, [_("Column"), _("Province"), _("Appendix line"), _("Text")])
    r = 3
    for listing in report.listings:
        for province in listing.provinces:
            for label, text in province.lines or [("", "—")]:
                r += 1
                _put(ws, r, 1, listing.label)
                _put(ws, r, 2, province.province)
                _put(ws, r, 3, label)
                _put(ws, r, 4, text)
    for column, width in zip("ABCD", (30, 24, 40, 80), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A4"


def national_workbook(version: NationalVersion) -> bytes:
    """The workbook, in Vietnamese like every official document of the system."""
    with translation.override("vi"):
        report = selectors.national_report(version)
        tree = content.column_tree(version.campaign)
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = _("Appendix summed")[:31]
        _appendix(sheet, report, tree)
        _allocation(book.create_sheet(_("Allocation")[:31]), report)
        _rates(book.create_sheet(_("Rates")[:31]), report)
        _problems(book.create_sheet(_("Shortcomings")[:31]), report)
        _annex(book.create_sheet(_("Provinces")[:31]), report)
        _narrative(book.create_sheet(_("Assessments")[:31]), report)
        _listings(book.create_sheet(_("Text columns")[:31]), report)
        book.properties.title = _("National report %(number)s, version %(n)s") % {
            "number": version.campaign.number,
            "n": version.number,
        }
        book.properties.creator = version.campaign.issuer_department or version.campaign.issuer
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
