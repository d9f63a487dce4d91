"""The national report as an Excel workbook: the summed appendix under the letter's merged
multi-level header, then one sheet each for the allocation, the rates, the shortcomings, the
provinces, the narrative and the appendix's text columns (province by province). Numbers are
numbers (Excel shows them with the reader's separators), amounts with three decimals, rates
as percentages; header rows stay frozen.

The cells are drawn by core/spreadsheet.py, the writer every workbook of the system shares;
the summed appendix's header is the province's download's header tree
(``submissions.xlsx.header_tree``) without the reason columns: a sum has no reason.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core import spreadsheet as sheet
from core.spreadsheet import (
    AMOUNT_FIXED,
    BOLD,
    DATETIME,
    GROUP_FILL,
    INTEGER,
    ITALIC,
    PERCENT,
    TOTAL_FILL,
    fraction,
    header_row,
    put,
)
from receipts.pdf import VN
from submissions import selectors as content
from submissions.selectors import ColumnTree
from submissions.xlsx import header_tree

from . import selectors
from .models import NationalVersion

CONTENT_TYPE = sheet.CONTENT_TYPE
# Column width (characters) by kind of leaf column.
WIDTHS = {
    "row_number": 6,
    "row_label": 48,
    "text": 14,
    "amount": 16,
    "sum": 17,
    "percent": 11,
    "integer": 12,
}


def _appendix(ws: Worksheet, report: selectors.NationalReport, tree: ColumnTree) -> None:
    leaves = tree.leaves
    version = report.version
    sheet.title(ws, 1, report.campaign.report_title, width=len(leaves), height=45)
    sheet.title(
        ws,
        2,
        _("Summed across provinces: version %(n)s, %(included)s of %(units)s provinces")
        % {
            "n": version.number,
            "included": len(report.included),
            "units": len(report.provinces),
        },
        width=len(leaves),
    )
    ws.cell(3, len(leaves), _("Unit: %(unit)s") % {"unit": report.campaign.amount_unit})
    ws.cell(3, len(leaves)).alignment = Alignment(horizontal="right")
    sheet.set_widths(ws, [WIDTHS.get(col.kind, 10) for col in leaves])
    first = sheet.write_header(ws, sheet.place(header_tree(tree, reasons=False)), top=4)
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
                value, number_format = row.figures.get(col.field), AMOUNT_FIXED
            elif col.kind == "percent":
                value, number_format = fraction(row.figures.get(col.field)), PERCENT
            elif col.kind in ("flag", "integer"):
                value, number_format = row.figures.get(col.field), INTEGER
            cell = put(ws, r, c, value, number_format)
            if row.kind in ("group", "total"):
                cell.font = BOLD
                cell.fill = TOTAL_FILL if row.kind == "total" else GROUP_FILL
            elif row.kind in ("own", "direct"):
                cell.font = ITALIC
    notes = [
        *([report.rate_method] if report.rate_method else []),
        *([report.counts_note] if report.counts_note else []),
        *(f"{n.marker}: {n.text}" for n in content.footnotes(report.campaign, tree)),
    ]
    sheet.notes(ws, first + len(report.table) + 1, notes)
    # The header and the task column stay in view.
    sheet.freeze(ws, first, 3)


def _allocation(ws: Worksheet, report: selectors.NationalReport) -> None:
    allocation = report.allocation
    assert allocation is not None
    sheet.title(ws, 1, allocation.title, width=1 + 2 * len(allocation.sources))
    labels = [""]
    for _key, label in allocation.sources:
        labels += [f"{label} ({report.campaign.amount_unit})", _("Share")]
    header_row(ws, 3, labels)
    for r, (label, cells) in enumerate(allocation.rows, start=4):
        put(ws, r, 1, str(label))
        for i, cell in enumerate(cells):
            put(ws, r, 2 + 2 * i, cell.amount, AMOUNT_FIXED)
            put(ws, r, 3 + 2 * i, fraction(cell.share), PERCENT)
    sheet.set_widths(ws, [22] + [22, 10] * len(allocation.sources))
    sheet.freeze(ws, 4, 2)


def _rates(ws: Worksheet, report: selectors.NationalReport) -> None:
    sheet.title(ws, 1, _("Shares and rates, and their spread across provinces"), width=7)
    header_row(
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
        put(ws, r, 1, str(spread.rate.label))
        put(ws, r, 2, fraction(spread.national), PERCENT)
        put(ws, r, 3, spread.provinces, INTEGER)
        put(ws, r, 4, fraction(spread.low.value) if spread.low else None, PERCENT)
        put(ws, r, 5, ", ".join(spread.low.provinces) if spread.low else "")
        put(ws, r, 6, fraction(spread.high.value) if spread.high else None, PERCENT)
        put(ws, r, 7, ", ".join(spread.high.provinces) if spread.high else "")
    sheet.notes(ws, 5 + len(report.spreads), [str(report.rate_method)])
    sheet.set_widths(ws, (42, 12, 12, 12, 30, 12, 30))
    sheet.freeze(ws, 4, 2)


def _problems(ws: Worksheet, report: selectors.NationalReport) -> None:
    sheet.title(
        ws, 1, _("Shortcomings reported (section 2.5 (i)) and State Treasury refusals"), width=2
    )
    header_row(ws, 3, [_("Shortcoming"), _("Provinces reporting it")])
    r = 4
    for kind in report.problems:
        put(ws, r, 1, kind.label)
        put(ws, r, 2, kind.provinces, INTEGER)
        r += 1
    r += 1
    header_row(ws, r, [_("State Treasury refusals"), ""])
    treasury = report.treasury
    for label, value, number_format in (
        (_("Cases"), treasury["cases"], INTEGER),
        (_("Amount (million VND)"), treasury["amount"], AMOUNT_FIXED),
        (_("Provinces with refusals"), treasury["provinces"], INTEGER),
    ):
        r += 1
        put(ws, r, 1, label)
        put(ws, r, 2, value, number_format)
    sheet.set_widths(ws, [60, 18])
    sheet.freeze(ws, 4, 1)


def _headline(value: Any, kind: str) -> tuple[Any, str]:
    """A figure of the annex with its cell format: a rate as a fraction, a count whole."""
    if kind in ("percent", "ratio"):
        return fraction(value), PERCENT
    if kind == "integer":
        return value, INTEGER
    return value, AMOUNT_FIXED


def _annex(ws: Worksheet, report: selectors.NationalReport) -> None:
    headline = report.headline
    treasury = [_("Refusals (cases)"), _("Refusals (million VND)")] if report.has_treasury else []
    labels = [
        _("Code"),
        _("Province"),
        _("In this version"),
        _("Content version"),
        _("New in this version"),
        _("Stage"),
        _("Deadline"),
        _("Reached the ministry"),
        *(f.label for f in headline),
        *treasury,
        _("Receipt"),
    ]
    sheet.title(ws, 1, _("The provinces and centrally-run cities"), width=len(labels))
    header_row(ws, 3, labels)
    first_figure = 9
    r = 3
    for r, p in enumerate(report.provinces, start=4):
        reached = p.reached_ministry_at
        figures: dict[str, Any] = p.figures or {}
        values: list[tuple[Any, str]] = [
            (p.unit.code, ""),
            (p.unit.full_name, ""),
            (_("yes") if p.is_included else _("no"), ""),
            (p.content_version, INTEGER),
            (_("yes") if p.entered else "", ""),
            (p.stage_label, ""),
            (p.standing_label, ""),
            (timezone.localtime(reached, VN).replace(tzinfo=None) if reached else None, DATETIME),
            *(_headline(figures.get(f.key), f.kind) for f in headline),
        ]
        if report.has_treasury:
            values += [
                (p.treasury_refusal_count, INTEGER),
                (p.treasury_refusal_amount, AMOUNT_FIXED),
            ]
        values.append((p.receipt, ""))
        for c, (value, number_format) in enumerate(values, start=1):
            put(ws, r, c, value, number_format)
    total = report.total
    r += 1
    put(ws, r, 2, _("National total"))
    for c, f in enumerate(headline, start=first_figure):
        put(ws, r, c, *_headline(total.get(f.key), f.kind))
    if report.has_treasury:
        c = first_figure + len(headline)
        put(ws, r, c, report.treasury["cases"], INTEGER)
        put(ws, r, c + 1, report.treasury["amount"], AMOUNT_FIXED)
    for c in range(1, len(labels) + 1):
        ws.cell(r, c).font = BOLD
    widths = [6, 28, 10, 10, 10, 22, 16, 17]
    widths += [11 if f.kind in ("percent", "ratio") else 17 for f in headline]
    widths += [10, 14] if report.has_treasury else []
    sheet.set_widths(ws, [*widths, 14])
    ws.auto_filter.ref = f"A3:{get_column_letter(len(labels))}{r - 1}"
    sheet.freeze(ws, 4, 3)


def _narrative(ws: Worksheet, report: selectors.NationalReport) -> None:
    sheet.title(ws, 1, _("The provinces' assessments, point by point"), width=4)
    header_row(ws, 3, [_("Point"), _("Outline"), _("Province"), _("Assessment")])
    r = 3
    for compiled in report.narrative:
        for cp in compiled.points:
            for province, text in cp.answers:
                r += 1
                put(ws, r, 1, cp.point.display_code)
                put(ws, r, 2, cp.point.text)
                put(ws, r, 3, province)
                put(ws, r, 4, text)
    sheet.set_widths(ws, (12, 50, 24, 90))
    sheet.freeze(ws, 4, 1)


def _listings(ws: Worksheet, report: selectors.NationalReport) -> None:
    """The appendix's text columns, one row per province and line (a text is not summed)."""
    sheet.title(ws, 1, _("The appendix's text columns, province by province"), width=4)
    header_row(ws, 3, [_("Column"), _("Province"), _("Appendix line"), _("Text")])
    r = 3
    for listing in report.listings:
        for province in listing.provinces:
            for label, text in province.lines or [("", "—")]:
                r += 1
                put(ws, r, 1, listing.label)
                put(ws, r, 2, province.province)
                put(ws, r, 3, label)
                put(ws, r, 4, text)
    sheet.set_widths(ws, (30, 24, 40, 80))
    sheet.freeze(ws, 4, 1)


def national_workbook(version: NationalVersion) -> bytes:
    """The workbook, in Vietnamese like every official document of the system."""
    with translation.override("vi"):
        report = selectors.national_report(version)
        tree = content.column_tree(version.campaign)
        book = Workbook()
        first = book.active
        assert first is not None
        first.title = _("Appendix summed")[:31]
        _appendix(first, report, tree)
        if report.allocation is not None:
            _allocation(book.create_sheet(_("Allocation")[:31]), report)
        if report.spreads:
            _rates(book.create_sheet(_("Rates")[:31]), report)
        if report.problems or report.has_treasury:
            _problems(book.create_sheet(_("Shortcomings")[:31]), report)
        _annex(book.create_sheet(_("Provinces")[:31]), report)
        _narrative(book.create_sheet(_("Assessments")[:31]), report)
        _listings(book.create_sheet(_("Text columns")[:31]), report)
        book.properties.title = _("National report %(number)s, version %(n)s") % {
            "number": version.campaign.number,
            "n": version.number,
        }
        book.properties.creator = version.campaign.issuer_department or version.campaign.issuer
    return sheet.save(book)
