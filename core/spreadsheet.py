"""The one spreadsheet writer: how every workbook of the system looks and is laid out.

The province's appendix download, the national report and the dashboard's export all draw
with what is here: the styles (fonts, fills, borders, alignment), merged header trees of any
depth, the number formats, titles and notes rows, column widths, frozen panes and sheet
protection. What goes in the cells (a province's entries and their formulas, sums over
provinces, the dashboard's rows) is each caller's business.

A header tree is a list of ``Header`` nodes; ``place`` turns it into boxes of merged cells:
a node spans its leaves' columns, its children sit below it, a leaf reaches down to the
header's last row, and an inner node without a fixed number of rows stretches so that its
children end on that last row too.

Imports no app of ours (openpyxl and Django only): every layer may use it.
"""

from __future__ import annotations

import datetime
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.styles.numbers import NumberFormat
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Number formats. Excel shows the separators of the reader's locale: 1.234,5 in a
# Vietnamese Excel, as the pages write amounts.
AMOUNT = "#,##0.###"  # million VND, as many decimals as entered (up to three)
AMOUNT_WHOLE = "#,##0"  # a whole amount: no decimal mark left dangling
AMOUNT_FIXED = "#,##0.000"  # sums over provinces: always three decimals
PERCENT = "0.00%"
PERCENT_WHOLE = "0%"
INTEGER = "#,##0"
DATE = "dd/mm/yyyy"
DATETIME = "dd/mm/yyyy hh:mm"

# Styles.
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E9ECEF")
NOTE_HEADER_FILL = PatternFill("solid", fgColor="F4F6F8")  # a column a footnote asks for
COMPUTED_FILL = PatternFill("solid", fgColor="F1F3F5")  # formulas and sums
GROUP_FILL = PatternFill("solid", fgColor="E7F1FF")
TOTAL_FILL = PatternFill("solid", fgColor="FFF3CD")
BOLD = Font(bold=True)
ITALIC = Font(italic=True)
TITLE_FONT = Font(bold=True, size=12)
NOTE_FONT = Font(italic=True, size=9)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
LABEL = Alignment(vertical="center", wrap_text=True)  # a plain list's column names
UNLOCKED = Protection(locked=False)

LINE_HEIGHT = 15  # points per line of 11-point text
DEFAULT_WIDTH = 13  # characters, of a column whose width was not set


# Values ------------------------------------------------------------------------------------


def safe_text(value: Any) -> str:
    """Text as a cell can hold it: no control characters, one kind of line break."""
    text = "" if value is None else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", text.replace("\r\n", "\n"))


def put_text(cell: Cell, value: Any) -> None:
    """Text stays text: "=HYPERLINK(...)" typed by a province must not become a formula in
    the ministry's Excel."""
    cell.value = safe_text(value)
    cell.data_type = "s"


def number(value: Decimal | None) -> int | float | None:
    """A decimal as Excel stores it: whole numbers as integers."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def fraction(percent: Decimal | None) -> Decimal | None:
    """Shares are kept as percentages (45.20); Excel wants the fraction (0.452)."""
    return None if percent is None else Decimal(percent) / 100


def date_format(value: Any) -> str:
    """The dd/mm/yyyy format a date or a moment takes; "" for anything else."""
    if isinstance(value, datetime.datetime):
        return DATETIME
    if isinstance(value, datetime.date):
        return DATE
    return ""


# Header trees ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """A labelled node of a header tree.

    ``rows``: the header rows the node takes; by default a leaf reaches the header's last
    row and an inner node stretches so that its children end there. ``note`` draws it as a
    column a footnote asks for (italic, lighter). ``tag`` is the caller's, handed back on
    the node's box.
    """

    label: str
    children: tuple[Header, ...] = ()
    rows: int | None = None
    note: bool = False
    tag: Any = None

    @property
    def width(self) -> int:
        return sum(child.width for child in self.children) if self.children else 1

    @property
    def depth(self) -> int:
        """The fewest header rows the node and its descendants need."""
        below = max((child.depth for child in self.children), default=0)
        return (self.rows or 1) + below


@dataclass(frozen=True)
class Box:
    """Where a header node lands: 1-based row and column counted from the header's top
    left, and the block of cells merged for it."""

    header: Header
    row: int
    column: int
    rows: int
    columns: int

    @property
    def label(self) -> str:
        return self.header.label

    @property
    def tag(self) -> Any:
        return self.header.tag


@dataclass
class HeaderLayout:
    """A placed header tree: its boxes (row by row, left to right), height and width."""

    boxes: list[Box]
    height: int
    width: int


def place(roots: Sequence[Header]) -> HeaderLayout:
    """The boxes of a header tree, row by row and left to right within a row."""
    height = max((root.depth for root in roots), default=0)
    boxes: list[Box] = []
    column = 1
    for root in roots:
        _place(root, 1, column, height, boxes)
        column += root.width
    boxes.sort(key=lambda box: (box.row, box.column))
    return HeaderLayout(boxes, height, column - 1)


def _place(node: Header, row: int, column: int, height: int, boxes: list[Box]) -> None:
    below = max((child.depth for child in node.children), default=0)
    rows = node.rows or (height - row + 1 - below)
    boxes.append(Box(node, row, column, rows, node.width))
    for child in node.children:
        _place(child, row + rows, column, height, boxes)
        column += child.width


def lines_needed(text: Any, width: float) -> int:
    """How many lines wrapped text takes in a column ``width`` characters wide (an estimate:
    spreadsheets do not size rows that a program wrote, and LibreOffice overlaps them)."""
    if text is None or text == "":
        return 1
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(len(part) * 1.1 / usable)) for part in str(text).split("\n"))


def columns_width(ws: Worksheet, first: int, count: int) -> float:
    """The width in characters of ``count`` columns from ``first``."""
    return sum(
        ws.column_dimensions[get_column_letter(c)].width or DEFAULT_WIDTH
        for c in range(first, first + count)
    )


def write_header(
    ws: Worksheet, layout: HeaderLayout, *, top: int, left: int = 1, fit_rows: bool = False
) -> int:
    """Draw a placed header tree from row ``top``, column ``left``; return the first row below.

    ``fit_rows`` sizes the header rows so every label shows whole at the columns' widths
    (set them first).
    """
    if fit_rows:
        _fit_rows(ws, layout, top=top, left=left)
    for box in layout.boxes:
        row, column = top + box.row - 1, left + box.column - 1
        note = box.header.note
        fill = NOTE_HEADER_FILL if note else HEADER_FILL
        font = Font(bold=not note, italic=note)
        for r in range(row, row + box.rows):
            for c in range(column, column + box.columns):
                cell = ws.cell(row=r, column=c)
                cell.border, cell.fill, cell.font, cell.alignment = BORDER, fill, font, CENTER
        ws.cell(row=row, column=column).value = box.label
        if box.rows > 1 or box.columns > 1:
            ws.merge_cells(
                start_row=row,
                start_column=column,
                end_row=row + box.rows - 1,
                end_column=column + box.columns - 1,
            )
    return top + layout.height


def _fit_rows(ws: Worksheet, layout: HeaderLayout, *, top: int, left: int) -> None:
    """The shorter boxes first; a box short of room grows its last row."""
    heights = [LINE_HEIGHT] * layout.height
    for box in sorted(layout.boxes, key=lambda b: b.rows):
        width = columns_width(ws, left + box.column - 1, box.columns)
        need = lines_needed(box.label, width) * LINE_HEIGHT + 4
        rows = range(box.row - 1, box.row - 1 + box.rows)
        short = need - sum(heights[r] for r in rows)
        if short > 0:
            heights[rows[-1]] += short
    for offset, height in enumerate(heights):
        ws.row_dimensions[top + offset].height = height


def header_row(ws: Worksheet, row: int, labels: Sequence[str], *, left: int = 1) -> None:
    """A one-row header of a plain table."""
    for column, label in enumerate(labels, start=left):
        cell = ws.cell(row, column, label)
        cell.font, cell.alignment, cell.fill, cell.border = BOLD, CENTER, HEADER_FILL, BORDER


# Cells, titles, notes ----------------------------------------------------------------------


def put(ws: Worksheet, row: int, column: int, value: Any, number_format: str = "") -> Cell:
    """A bordered table cell: a number in its format, text wrapped at the top."""
    cell = ws.cell(row, column, value)
    cell.border = BORDER
    if number_format:
        cell.number_format = number_format
    elif isinstance(value, str):
        cell.alignment = WRAP
    return cell


def title(
    ws: Worksheet,
    row: int,
    text: Any,
    *,
    width: int,
    font: Font = TITLE_FONT,
    height: float | None = None,
) -> None:
    """A title line centred over the first ``width`` columns."""
    cell = ws.cell(row=row, column=1)
    put_text(cell, text)
    cell.font, cell.alignment = font, CENTER
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    if height is not None:
        ws.row_dimensions[row].height = height


def notes(ws: Worksheet, first: int, texts: Iterable[str], *, across: int | None = None) -> int:
    """Notes under a table, one a row from ``first``; return the row after the last.

    ``across`` merges each over that many columns and wraps it there; without it a note is
    one cell whose text runs on to the right.
    """
    row = first
    for text in texts:
        cell = ws.cell(row=row, column=1)
        put_text(cell, text)
        cell.font = NOTE_FONT
        if across:
            cell.alignment = WRAP
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=across)
            ws.row_dimensions[row].height = 2 * LINE_HEIGHT
        row += 1
    return row


# Sheet settings ----------------------------------------------------------------------------


def set_widths(ws: Worksheet, widths: Mapping[int, float] | Sequence[float]) -> None:
    """Column widths in characters: by 1-based column, or a sequence from column A."""
    pairs = widths.items() if isinstance(widths, Mapping) else enumerate(widths, start=1)
    for column, width in pairs:
        ws.column_dimensions[get_column_letter(column)].width = width


def freeze(ws: Worksheet, row: int, column: int) -> None:
    """Keep the rows above ``row`` and the columns left of ``column`` in view."""
    ws.freeze_panes = f"{get_column_letter(column)}{row}"


def protect(ws: Worksheet) -> None:
    """Locked cells cannot be overwritten by accident (no password: this is no security);
    formatting stays free, so columns can still be widened and rows tidied."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.formatCells = False


def print_across(ws: Worksheet, *, title_rows: tuple[int, int]) -> None:
    """Landscape, one page wide, the header rows repeated on every page."""
    ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


@dataclass(frozen=True)
class NumberStyle:
    """A column's number format, and the one a whole value takes instead (by a conditional
    format, so that "#,##0.###" does not show 1.234, for a whole number)."""

    base: str
    whole: str
    is_whole: str  # an Excel condition on {cell}


AMOUNTS = NumberStyle(AMOUNT, AMOUNT_WHOLE, "MOD({cell},1)=0")
PERCENTS = NumberStyle(PERCENT, PERCENT_WHOLE, "MOD(ROUND({cell}*100,6),1)=0")


def number_style(ws: Worksheet, column: int, first: int, last: int, style: NumberStyle) -> None:
    """Format rows ``first`` to ``last`` of a column with ``style``."""
    letter = get_column_letter(column)
    for row in range(first, last + 1):
        ws.cell(row=row, column=column).number_format = style.base
    cell = f"{letter}{first}"
    rule = Rule(
        type="expression",
        formula=[f"AND(ISNUMBER({cell}),{style.is_whole.format(cell=cell)})"],
        dxf=DifferentialStyle(numFmt=NumberFormat(numFmtId=200 + column, formatCode=style.whole)),
    )
    ws.conditional_formatting.add(f"{cell}:{letter}{last}", rule)


def save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Long lists --------------------------------------------------------------------------------


@dataclass
class StreamedSheet:
    """A sheet written row by row straight into the file (openpyxl's write-only mode), for
    lists of thousands of rows: memory stays flat, and only a value that needs a style
    (a date, a bold label) becomes a cell object; the rest go in as they are."""

    book: Workbook
    title: str
    widths: Sequence[float] = ()
    frozen: tuple[int, int] | None = None  # (row, column) of the first cell that scrolls
    ws: Any = field(init=False)

    def __post_init__(self) -> None:
        self.ws = self.book.create_sheet(title=self.title)
        if self.frozen:
            self.ws.freeze_panes = f"{get_column_letter(self.frozen[1])}{self.frozen[0]}"
        set_widths(self.ws, self.widths)

    def cell(
        self, value: Any, *, font: Font | None = None, alignment: Alignment | None = None
    ) -> WriteOnlyCell:
        """A styled cell to put in a row."""
        cell = WriteOnlyCell(self.ws)
        # The format before the value: a date keeps a date format it finds.
        if number_format := date_format(value):
            cell.number_format = number_format
        cell.value = value
        if font is not None:
            cell.font = font
        if alignment is not None:
            cell.alignment = alignment
        return cell

    def append(self, values: Iterable[Any]) -> None:
        """A row: dates and moments as dd/mm/yyyy (hh:mm), cells as made by ``cell``."""
        self.ws.append([self.cell(v) if date_format(v) else v for v in values])


def streamed_workbook() -> Workbook:
    return Workbook(write_only=True)
