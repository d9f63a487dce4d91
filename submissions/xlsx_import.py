"""Reading back a filled appendix workbook: first the file, then every cell.

The file is checked before any XML parser sees it: its size, what its content
is (libmagic, not the name), whether it is a readable ZIP package, how far it
would expand (a zip bomb is refused on the sizes its directory declares, which
``zipfile`` then enforces while reading), and whether it carries macros.

The cells are then read with the layout that wrote them (``xlsx.layout_for``)
and checked by the very form the appendix page uses (``LineItemForm``), each
error named by sheet and cell. The rules live in the form and the models; this
module only turns cells into the form's input and its errors into cell names.
"""

from __future__ import annotations

import datetime
import io
import re
import time
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import magic
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from campaigns.measures import Appendix, appendix_of
from campaigns.models import TemplateColumn
from core import spreadsheet

from . import selectors
from . import values as line_values
from .attachments import package_has_macros
from .forms import LineItemForm
from .models import LineItem, Submission
from .services import stale_import_message
from .xlsx import FORMAT, MARGIN_ROWS, META_SHEET, SheetLayout, layout_for, sheet_extents

XLSX = spreadsheet.CONTENT_TYPE
MACRO_TYPES = {
    "application/vnd.ms-excel.sheet.macroenabled.12",
    "application/vnd.ms-excel.sheet.binary.macroenabled.12",
    "application/vnd.ms-excel.template.macroenabled.12",
    "application/vnd.ms-excel.addin.macroenabled.12",
}
# A province's appendix is some tens of kilobytes unpacked; these leave room for
# hundreds of sub-items and stop a few kilobytes that would unpack to gigabytes.
MAX_MEMBERS = 500
MAX_RATIO = 100
RATIO_APPLIES_FROM = 1024 * 1024

YES = {"có", "co", "yes", "y", "x", "true", "1", "đã", "rồi"}
NO = {"không", "khong", "no", "n", "false", "0", "chưa"}
KEY = re.compile(r"^(line:(?P<line>\d+)|group:(?P<group>[\w.]+)|(?P<total>total))$")


class ImportRefused(Exception):
    """The file, or some of its cells, cannot be imported; nothing was changed."""

    def __init__(self, messages: list[str], *, code: str) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages
        self.code = code


@dataclass
class ImportedAppendix:
    """What a workbook holds, checked: every line's entries as the form cleaned them."""

    fingerprint: str
    values: dict[int, dict[str, Any]]


def max_bytes() -> int:
    return int(settings.APPENDIX_IMPORT_MAX_BYTES)


def check_package(upload: UploadedFile) -> bytes:
    """The upload's bytes if it is a plain XLSX package of sane size; ImportRefused otherwise."""
    limit = max_bytes()
    too_large = ImportRefused(
        [
            _("The file is larger than the %(limit)s allowed for the appendix.")
            % {"limit": filesizeformat(limit)}
        ],
        code="too_large",
    )
    if upload.size is None or upload.size > limit:
        raise too_large
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise too_large
    detected = magic.from_buffer(content, mime=True)
    not_xlsx = ImportRefused(
        [
            _(
                "This file is not an Excel workbook (.xlsx): its content is %(type)s. "
                "Upload the appendix file downloaded from this page."
            )
            % {"type": detected}
        ],
        code="not_xlsx",
    )
    if detected != "application/zip" and detected.lower() not in {XLSX, *MACRO_TYPES}:
        raise not_xlsx
    # A ZIP of some kind: how far it unpacks and what it holds, before anything parses it.
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            _check_members(package, len(content))
            names = set(package.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, KeyError):
        raise ImportRefused([_damaged_message()], code="damaged") from None
    # libmagic names some workbooks a plain ZIP (it reads only the first members): the
    # package's own parts decide; a ZIP without them is not a workbook at all.
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        if detected == "application/zip":
            raise not_xlsx
        raise ImportRefused([_damaged_message()], code="damaged")
    return content


def _check_members(package: zipfile.ZipFile, size: int) -> None:
    """Refuse a zip bomb on the sizes the directory declares (zipfile reads no more than
    those), and a package with macros."""
    members = package.infolist()
    unpacked = sum(member.file_size for member in members)
    if (
        len(members) > MAX_MEMBERS
        or unpacked > int(settings.APPENDIX_IMPORT_MAX_UNPACKED_BYTES)
        or (unpacked > RATIO_APPLIES_FROM and unpacked > MAX_RATIO * size)
    ):
        raise ImportRefused(
            [
                _(
                    "The file would expand to %(size)s when opened, far more than an "
                    "appendix holds; it was not opened."
                )
                % {"size": filesizeformat(unpacked)}
            ],
            code="zip_bomb",
        )
    if package_has_macros(package):
        raise _macros()


def _damaged_message() -> str:
    return _(
        "The file is damaged and cannot be read as an Excel workbook. Save it again "
        "in Excel, or download the appendix again."
    )


def _macros() -> ImportRefused:
    return ImportRefused(
        [
            _(
                "The file contains macros (a macro-enabled workbook). Save it as "
                "“Excel Workbook (.xlsx)” and upload that file."
            )
        ],
        code="macros",
    )


def _open(content: bytes, *, data_only: bool) -> Workbook:
    """The workbook in read-only mode: sheets are parsed as a stream when read, so memory
    does not grow with the cells a file holds, and nothing is read beyond what is asked."""
    try:
        # openpyxl warns about features it drops (extensions, slicers): none matter here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(
                io.BytesIO(content), read_only=True, data_only=data_only, rich_text=False
            )
    except Exception:  # openpyxl raises many kinds on malformed parts
        raise ImportRefused([_damaged_message()], code="damaged") from None


@dataclass
class Grid:
    """The cells of one sheet within the range the download can fill, read once."""

    title: str
    values: dict[tuple[int, int], Any]
    formulas: set[tuple[int, int]]
    max_row: int

    def value(self, row: int, column: int) -> Any:
        return self.values.get((row, column))


def _too_large(title: str) -> ImportRefused:
    return ImportRefused(
        [
            _(
                "Sheet '%(sheet)s' reaches far beyond the appendix's table (cells were typed "
                "far below or to the right of it): the file was not read. Clear those cells, "
                "or download the appendix again and fill the new file."
            )
            % {"sheet": title}
        ],
        code="too_large_sheet",
    )


def _grid(ws: Any, extent: tuple[int, int], *, deadline: float, formulas: bool = False) -> Grid:
    """The sheet's cells up to ``extent`` (last row, last column), refused if the sheet says
    it is larger; the iteration itself stops there too, as the size a file declares can lie."""
    max_row, max_column = extent
    if (ws.max_row or 0) > max_row or (ws.max_column or 0) > max_column:
        raise _too_large(ws.title)
    values: dict[tuple[int, int], Any] = {}
    marked: set[tuple[int, int]] = set()
    last = 0
    try:
        for row in ws.iter_rows(min_row=1, max_row=max_row, min_col=1, max_col=max_column):
            if time.monotonic() > deadline:
                raise ImportRefused([_slow_message()], code="too_slow")
            for cell in row:
                if getattr(cell, "value", None) is None:
                    continue
                values[(cell.row, cell.column)] = cell.value
                last = max(last, cell.row)
                if formulas and cell.data_type == "f":
                    marked.add((cell.row, cell.column))
    except ImportRefused:
        raise
    except Exception:  # a malformed sheet part
        raise ImportRefused([_damaged_message()], code="damaged") from None
    return Grid(ws.title, values, marked, last)


def _slow_message() -> str:
    return _(
        "Reading the file took too long, far longer than an appendix needs; it was not "
        "imported. Download the appendix again and fill the new file."
    )


def _cell_error(sheet: str, cell: str, message: Any) -> str:
    return _("Sheet '%(sheet)s', cell %(cell)s: %(message)s") % {
        "sheet": sheet,
        "cell": cell,
        "message": message,
    }


def _row_error(sheet: str, row: int, message: Any) -> str:
    return _("Sheet '%(sheet)s', row %(row)s: %(message)s") % {
        "sheet": sheet,
        "row": row,
        "message": message,
    }


def _meta(book: Workbook, extent: tuple[int, int], *, deadline: float) -> dict[str, str]:
    if META_SHEET not in book.sheetnames:
        return {}
    grid = _grid(book[META_SHEET], extent, deadline=deadline)
    return {
        str(key): _text(grid.value(row, 2))
        for row in range(1, grid.max_row + 1)
        if (key := grid.value(row, 1))
    }


def read_appendix(content: bytes, submission: Submission) -> ImportedAppendix:
    """Every line's entries from a checked package, or ImportRefused listing each bad cell.

    Only the range the download can fill is read, in openpyxl's read-only (streaming)
    mode, within ``APPENDIX_IMPORT_SECONDS``: a few kilobytes that declare a cell in row
    1,048,576 are refused at once instead of being walked cell by cell.
    """
    deadline = time.monotonic() + float(settings.APPENDIX_IMPORT_SECONDS)
    values_book = _open(content, data_only=True)
    formulas_book = _open(content, data_only=False)
    try:
        return _read_books(values_book, formulas_book, submission, deadline=deadline)
    finally:
        values_book.close()
        formulas_book.close()


def _read_books(
    values_book: Workbook, formulas_book: Workbook, submission: Submission, *, deadline: float
) -> ImportedAppendix:
    campaign_tree = selectors.column_tree(submission.campaign)
    extents = sheet_extents(submission, layout_for(campaign_tree))
    meta = _meta(values_book, extents[META_SHEET], deadline=deadline)
    if meta.get("format") != FORMAT:
        raise ImportRefused(
            [
                _(
                    "This workbook is not an appendix downloaded from this site (or its hidden "
                    "information was removed). Download the appendix as Excel, fill that file "
                    "and upload it."
                )
            ],
            code="not_ours",
        )
    if meta.get("submission") != str(submission.pk):
        raise ImportRefused(
            [
                _(
                    "This workbook is the appendix of another report (unit code %(unit)s). "
                    "Download this report's appendix, fill it and upload that file."
                )
                % {"unit": meta.get("unit", "?")}
            ],
            code="other_submission",
        )
    lines = {line.pk: line for line in selectors.appendix_lines(submission)}
    fingerprint = meta.get("appendix", "")
    measures = line_values.for_campaign(submission.campaign)
    if selectors.appendix_fingerprint(lines.values(), measures) != fingerprint:
        raise ImportRefused([stale_import_message()], code="stale")
    sheets = [ws for ws in values_book.worksheets if ws.title != META_SHEET]
    if not sheets:
        raise ImportRefused([_("The workbook has no sheet to read.")], code="not_ours")
    try:
        top = int(meta.get("header_top", ""))
    except ValueError:
        top = 0
    # The download puts the header a few rows down; one moved further is not the download.
    layout = layout_for(campaign_tree, header_top=min(max(top, 1), MARGIN_ROWS))
    extent = sheet_extents(submission, layout)["appendix"]
    grid = _grid(sheets[0], extent, deadline=deadline)
    grid.formulas = _grid(
        formulas_book[grid.title], extent, deadline=deadline, formulas=True
    ).formulas
    header_errors = _check_header(grid, layout)
    if header_errors:
        raise ImportRefused(header_errors, code="layout")
    forms = FormsFor(appendix_of(submission.campaign), measures)
    return ImportedAppendix(fingerprint, _read_rows(grid, layout, lines, forms))


def _normal(text: Any) -> str:
    return " ".join(str(text or "").split())


def _coordinate(row: int, column: int) -> str:
    return f"{get_column_letter(column)}{row}"


def _check_header(grid: Grid, layout: SheetLayout) -> list[str]:
    """The template's own header labels where the layout put them: columns not moved."""
    for box in layout.header:
        if box.tag is None:  # a name the download adds, not the template's
            continue
        row, column = layout.header_top + box.row - 1, box.column
        if _normal(grid.value(row, column)) != _normal(box.label):
            return [
                _cell_error(
                    grid.title,
                    _coordinate(row, column),
                    _(
                        "this header should read “%(label)s”: columns or rows were moved, "
                        "added or removed. Download the appendix again and fill the new file."
                    )
                    % {"label": box.label},
                )
            ]
    return []


@dataclass(frozen=True)
class FormsFor:
    """What the appendix form of every line needs of the campaign, read once."""

    appendix: Appendix
    measures: line_values.LineMeasures


def _read_rows(
    grid: Grid,
    layout: SheetLayout,
    lines: Mapping[int, LineItem],
    forms: FormsFor,
) -> dict[int, dict[str, Any]]:
    sheet = grid.title
    errors: list[str] = []
    values: dict[int, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    line_rows: dict[int, int] = {}
    # What the drafter types; "Tổng số" of the allocation is a formula, recomputed.
    input_columns = [c for c in layout.columns if c.name and c.kind != TemplateColumn.Kind.SUM]
    label_column = next(
        (c for c in layout.columns if c.leaf.kind == TemplateColumn.Kind.ROW_LABEL), None
    )
    for number in range(layout.first_data_row, grid.max_row + 1):
        key = _normal(grid.value(number, layout.key_column))
        match = KEY.match(key)
        if match and match["total"]:
            break
        if not key or not match:
            if any(
                _normal(grid.value(number, c.index))
                for c in layout.columns
                if c.leaf.kind != TemplateColumn.Kind.ROW_NUMBER
            ):
                errors.append(
                    _row_error(
                        sheet,
                        number,
                        _(
                            "this row is not part of the downloaded appendix: rows cannot be "
                            "added in Excel. Add sub-items on the appendix page, then download "
                            "the file again."
                        ),
                    )
                )
            continue
        if key in seen:
            errors.append(
                _row_error(sheet, number, _("this row repeats row %(row)s.") % {"row": seen[key]})
            )
            continue
        seen[key] = number
        if not match["line"]:
            continue  # a group row made of formulas: recomputed, never read
        pk = int(match["line"])
        if pk not in lines:
            errors.append(
                _row_error(sheet, number, _("this row is not a line of this report's appendix."))
            )
            continue
        line = lines[pk]
        line_rows[pk] = number
        data: dict[str, Any] = {}
        cells: dict[str, str] = {}
        for column in input_columns:
            value = grid.value(number, column.index)
            coordinate = cells[column.name] = _coordinate(number, column.index)
            if (number, column.index) in grid.formulas and value is None:
                errors.append(
                    _cell_error(
                        sheet,
                        coordinate,
                        _(
                            "this formula has no computed value in the file: type the value, "
                            "or open and save the file in Excel first."
                        ),
                    )
                )
                continue
            try:
                data[column.name] = _form_input(column.kind, value)
            except ValueError as exc:
                errors.append(_cell_error(sheet, coordinate, exc))
        if line.is_custom and label_column is not None:
            data["label"] = _text(grid.value(number, label_column.index))
            cells["label"] = _coordinate(number, label_column.index)
        form = LineItemForm(data, instance=line, appendix=forms.appendix, measures=forms.measures)
        if form.is_valid():
            values[pk] = form.cleaned_data
            continue
        for name, messages in form.errors.items():
            for message in messages:
                if name in cells:
                    errors.append(_cell_error(sheet, cells[name], message))
                else:
                    errors.append(_row_error(sheet, number, message))
    for pk, line in lines.items():
        if pk not in line_rows:
            errors.append(
                _(
                    "Sheet '%(sheet)s': the row of “%(label)s” is missing. Rows cannot be "
                    "removed in Excel; remove a sub-item on the appendix page."
                )
                % {"sheet": sheet, "label": line.display_label}
            )
    if errors:
        raise ImportRefused(errors, code="cells")
    return values


def _decimal(number: float | int) -> Decimal:
    """What Excel shows for the number (15 significant digits), not the binary float's tail."""
    if isinstance(number, int):
        return Decimal(number)
    return Decimal(format(number, ".15g"))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(_decimal(value).normalize(), "f")
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value).replace("\r\n", "\n")


def _form_input(kind: str, value: Any) -> Any:
    """A cell's value as the form takes it: numbers as Decimal, text as typed."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        return None if kind == TemplateColumn.Kind.FLAG else ""
    if kind == TemplateColumn.Kind.FLAG:
        if isinstance(value, bool):
            return value
        word = _normal(value).lower()
        if word in YES or word == _("Yes").lower():
            return True
        if word in NO or word == _("No").lower():
            return False
        raise ValueError(_("choose Yes or No, or leave the cell empty."))
    if kind in (TemplateColumn.Kind.AMOUNT, TemplateColumn.Kind.INTEGER):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _decimal(value)
        return _text(value)  # the form says what is wrong with it
    if kind == TemplateColumn.Kind.PERCENT:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return (_decimal(value) * 100).normalize()  # Excel keeps 60% as 0.6
        # "60%" typed as text means 60; "60,5%" too, in Vietnamese.
        return _text(value).removesuffix("%").strip()
    return _text(value)
