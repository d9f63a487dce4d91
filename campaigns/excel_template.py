"""An appendix template read from the letter's own table in Excel (what a ministry has).

``read_appendix`` finds the table on a sheet (its header starts at the row whose cell says
"STT", else at the first row with two labelled cells), reads the header tree from the merged
cells (a cell spanning several columns is a header over the cells under it), the rows from
the STT and task columns, and the footnotes written under the table. It returns a skeleton of
a definition's ``appendix`` (campaigns/schema/README.md): keys made from the labels, every
leaf a text measure for the author to set, the STT column and the task column marked as such.

The file is bounded before anything parses its XML: its size, its ZIP directory (members and
how far they unpack), then a streaming read-only pass counts every sheet's rows and columns.
Only then is the workbook opened in full, which merged cells need, and a clock stops work
that would take too long.
"""

from __future__ import annotations

import io
import re
import time
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .definition import ROOT, DefinitionError

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 20 * 1024 * 1024
MAX_MEMBERS = 500
MAX_SHEETS = 10
# A letter's appendix has some tens of rows and columns (the first campaign's: 15 rows, 25
# columns).
MAX_ROWS = 500
MAX_COLUMNS = 100
MAX_HEADER_ROWS = 8
HEADER_SEARCH_ROWS = 30  # title lines above the table
NOTE_SEARCH_ROWS = 20  # footnotes under it
MAX_SECONDS = 10.0

ROW_NUMBER_WORDS = {"stt", "tt", "số tt", "số thứ tự", "no", "no."}
TOTAL_WORDS = ("tổng cộng", "tổng số", "cộng", "grand total", "total")
GROUP_NUMBER = re.compile(r"^([0-9]+|[IVXLC]+|[A-Z])\.?$")
CODE = re.compile(r"^[0-9A-Za-z]+([.-][0-9A-Za-z]+)*$")
NUMBERING = re.compile(r"^\(?[0-9]{1,3}\)?$")
MARKER = re.compile(r"\((\*+)\)\s*$")
NOTE = re.compile(r"^(\(\*+\))\s*:?\s*(.+)$", re.DOTALL)


class _Refused(Exception):
    def __init__(self, error: DefinitionError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass(frozen=True)
class _Box:
    """A header cell: one cell, or a merged range named by its top-left cell."""

    top: int
    left: int
    bottom: int
    right: int

    @property
    def wide(self) -> bool:
        return self.right > self.left


def _text(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def _plain(text: str) -> str:
    """Lowercase without diacritics, đ as d: what a key is made of."""
    text = re.sub(r"[^\w\s-]|_", " ", text.replace("đ", "d").replace("Đ", "D"))
    return slugify(unicodedata.normalize("NFKD", text))


def _refuse(path: str, message: str) -> _Refused:
    return _Refused(DefinitionError(path, message))


def _check_package(raw: bytes) -> None:
    if len(raw) > MAX_BYTES:
        raise _refuse(
            ROOT,
            _("The file is larger than the %(limit)s a table may be; it was not opened.")
            % {"limit": filesizeformat(MAX_BYTES)},
        )
    not_xlsx = _refuse(ROOT, _("This file is not an Excel workbook (.xlsx)."))
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as package:
            members = package.infolist()
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError):
        raise not_xlsx from None
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise not_xlsx
    unpacked = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED:
        raise _refuse(
            ROOT,
            _("The workbook would expand to %(size)s when opened; it was not opened.")
            % {"size": filesizeformat(unpacked)},
        )


def _open(raw: bytes, *, read_only: bool) -> Any:
    try:
        # openpyxl warns about features it drops (extensions, slicers): none matter here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(raw), read_only=read_only, data_only=True)
    except Exception:  # openpyxl raises many kinds on malformed parts
        raise _refuse(ROOT, _("The workbook is damaged and cannot be read.")) from None


class _Clock:
    def __init__(self) -> None:
        self.end = time.monotonic() + MAX_SECONDS

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise _refuse(ROOT, _("Reading the table took too long; it was stopped."))


def _check_extent(raw: bytes, clock: _Clock) -> None:
    """Count every sheet's rows and columns in a streaming pass, before the full load."""
    book = _open(raw, read_only=True)
    try:
        if len(book.worksheets) > MAX_SHEETS:
            raise _refuse(
                ROOT,
                _("The workbook has %(count)s sheets; keep the table's sheet only.")
                % {"count": len(book.worksheets)},
            )
        for ws in book.worksheets:
            ws.reset_dimensions()  # a declared size can be anything: count what is there
            for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
                clock.check()
                if number > MAX_ROWS or len(row) > MAX_COLUMNS:
                    raise _refuse(
                        ws.title,
                        _(
                            "The sheet is larger than a table of %(rows)s rows and "
                            "%(columns)s columns; keep the table only."
                        )
                        % {"rows": MAX_ROWS, "columns": MAX_COLUMNS},
                    )
    finally:
        book.close()


class _Sheet:
    """The cells of the table's sheet, and its merged ranges by the cells they cover."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.title = ws.title
        self.covering: dict[tuple[int, int], _Box] = {}
        for merged in ws.merged_cells.ranges:
            box = _Box(merged.min_row, merged.min_col, merged.max_row, merged.max_col)
            for row in range(box.top, box.bottom + 1):
                for column in range(box.left, box.right + 1):
                    self.covering[(row, column)] = box

    def box(self, row: int, column: int) -> _Box:
        return self.covering.get((row, column), _Box(row, column, row, column))

    def text(self, row: int, column: int) -> str:
        box = self.box(row, column)
        return _text(self.ws.cell(row=box.top, column=box.left).value)

    def where(self, row: int, column: int) -> str:
        return f"{self.title}!{get_column_letter(column)}{row}"


class _Reader:
    def __init__(self, sheet: _Sheet, clock: _Clock) -> None:
        self.sheet = sheet
        self.clock = clock
        self.errors: list[DefinitionError] = []
        self.keys: set[str] = set()
        self.measure_keys: set[str] = set()

    # The header -----------------------------------------------------------------------

    def header_top(self) -> int:
        sheet = self.sheet
        last = min(HEADER_SEARCH_ROWS, sheet.ws.max_row)
        for row in range(1, last + 1):
            for column in range(1, min(sheet.ws.max_column, MAX_COLUMNS) + 1):
                if sheet.text(row, column).lower() in ROW_NUMBER_WORDS:
                    return row
        for row in range(1, last + 1):
            anchored = {
                sheet.box(row, c)
                for c in range(1, min(sheet.ws.max_column, MAX_COLUMNS) + 1)
                if sheet.box(row, c).top == row and sheet.text(row, c)
            }
            if len(anchored) >= 2:
                return row
        raise _refuse(
            sheet.title, _("No table header was found (a row whose first cell says “STT”).")
        )

    def header(self, top: int) -> tuple[list[_Box], int]:
        """The boxes of the top header row, left to right, and the header's last row."""
        sheet = self.sheet
        start = next(
            (c for c in range(1, MAX_COLUMNS + 1) if sheet.text(top, c)),
            None,
        )
        assert start is not None  # header_top found a labelled cell on this row
        roots, column = [], start
        while column <= MAX_COLUMNS and sheet.text(top, column):
            box = sheet.box(top, column)
            roots.append(box)
            column = box.right + 1
        bottom = max(self._bottom(box) for box in roots)
        return roots, bottom

    def _bottom(self, box: _Box) -> int:
        self.clock.check()
        children = self._children(box)
        if not children:
            return box.bottom
        return max(self._bottom(child) for child in children)

    def _children(self, box: _Box) -> list[_Box]:
        """The boxes right under a header spanning several columns."""
        if not box.wide:
            return []
        row = box.bottom + 1
        if row - box.top >= MAX_HEADER_ROWS:
            return []
        found, column = [], box.left
        while column <= box.right:
            child = self.sheet.box(row, column)
            if child.top != row or child.left < box.left or child.right > box.right:
                return []
            found.append(child)
            column = child.right + 1
        return found if any(self.sheet.text(c.top, c.left) for c in found) else []

    def column(self, box: _Box, top: int, parent_level: int) -> dict[str, Any]:
        """A node of the definition's header tree, with its children; ``top`` is the header's
        first row, ``parent_level`` the header row of the parent's label (0 for none)."""
        sheet = self.sheet
        label = sheet.text(box.top, box.left)
        if not label:
            self.errors.append(
                DefinitionError(sheet.where(box.top, box.left), _("This header cell has no label."))
            )
            label = "?"
        node: dict[str, Any] = {"key": self._key(label, self.keys, "-"), "label": label}
        level = box.top - top + 1
        if level != parent_level + 1:
            node["level"] = level  # under a parent spanning several header rows
        children = self._children(box)
        if box.wide and not children:
            self.errors.append(
                DefinitionError(
                    sheet.where(box.top, box.left),
                    _("This header spans %(count)s columns but no cell under it names them.")
                    % {"count": box.right - box.left + 1},
                )
            )
        if children:
            node["children"] = [self.column(child, top, level) for child in children]
        return node

    def measure_key(self, label: str) -> str:
        return self._key(label, self.measure_keys, "_")

    def _key(self, label: str, taken: set[str], dash: str) -> str:
        base = _plain(MARKER.sub("", label)).replace("-", dash)[:56].strip(dash) or "column"
        if dash == "_" and not base[0].isalpha():
            base = f"m_{base}"
        key, n = base, 1
        while key in taken:
            n += 1
            key = f"{base}{dash}{n}"
        taken.add(key)
        return key

    # The leaves and rows --------------------------------------------------------------

    def leaves(self, nodes: list[dict[str, Any]], boxes: list[_Box]) -> list[tuple[dict, int]]:
        """Every leaf with the sheet column it starts at."""
        found: list[tuple[dict[str, Any], int]] = []
        for node, box in zip(nodes, boxes, strict=True):
            if "children" in node:
                found += self.leaves(node["children"], self._children(box))
            else:
                found.append((node, box.left))
        return found

    def rows(self, first: int, number: int | None, label: int) -> tuple[list[dict], int]:
        """The groups and their rows from ``first`` down to the first empty row; and the row
        after the table."""
        sheet = self.sheet
        groups: list[dict[str, Any]] = []
        codes: set[str] = set()
        row = first
        last = min(sheet.ws.max_row, MAX_ROWS)
        while row <= last:
            self.clock.check()
            stt = sheet.text(row, number) if number else ""
            name = sheet.text(row, label)
            if not stt and not name:
                break
            if not name:
                self.errors.append(
                    DefinitionError(sheet.where(row, label), _("This row has no task name."))
                )
            elif not stt and name.lower().startswith(TOTAL_WORDS):
                pass  # the table's total is computed, not a row of the template
            elif GROUP_NUMBER.match(stt) or not groups:
                code = self._code(stt.rstrip("."), codes, str(len(groups) + 1))
                groups.append({"code": code, "stt": stt, "label": name, "rows": []})
            else:
                group = groups[-1]
                fallback = f"{group['code']}.{len(group['rows']) + 1}"
                child = {"code": self._code(stt.rstrip("."), codes, fallback), "stt": stt}
                group["rows"].append(child | {"label": name})
            row += 1
        return groups, row

    @staticmethod
    def _code(stt: str, taken: set[str], fallback: str) -> str:
        code = stt if CODE.match(stt) and len(stt) <= 16 and stt not in taken else fallback
        n = 1
        while code in taken:
            n += 1
            code = f"{fallback}-{n}"
        taken.add(code)
        return code

    def footnotes(self, first: int) -> list[dict[str, str]]:
        notes: list[dict[str, str]] = []
        last = min(first + NOTE_SEARCH_ROWS, self.sheet.ws.max_row)
        for row in range(first, last + 1):
            found = NOTE.match(self.sheet.text(row, 1))
            if found and found.group(1) not in {n["marker"] for n in notes}:
                notes.append({"marker": found.group(1), "text": found.group(2)})
        return notes


def _pick_sheet(book: Any, name: str | None) -> Worksheet:
    if name is not None:
        if name not in book.sheetnames:
            raise _refuse(ROOT, _("The workbook has no sheet “%(name)s”.") % {"name": name})
        ws = book[name]
    else:
        visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
        ws = book.active if book.active in visible else (visible or [None])[0]
    if not isinstance(ws, Worksheet):
        raise _refuse(ROOT, _("The workbook has no sheet to read."))
    return ws


def read_appendix(
    raw: bytes, *, sheet: str | None = None
) -> tuple[dict[str, Any] | None, list[DefinitionError]]:
    """The appendix skeleton of a definition read from a table in Excel, and what was wrong.

    The skeleton is None when the file or its table cannot be read at all.
    """
    clock = _Clock()
    try:
        _check_package(raw)
        _check_extent(raw, clock)
        book = _open(raw, read_only=False)
        clock.check()
        reader = _Reader(_Sheet(_pick_sheet(book, sheet)), clock)
        top = reader.header_top()
        roots, bottom = reader.header(top)
        tree = [reader.column(box, top, 0) for box in roots]
        leaves = reader.leaves(tree, roots)
        number, label = _row_columns(reader.sheet, leaves, top)
        first = bottom + 1
        if _is_numbering(reader.sheet, first, label):
            first += 1
        groups, after = reader.rows(first, number, label)
        notes = reader.footnotes(after)
    except _Refused as refused:
        return None, [refused.error]
    markers = {note["marker"] for note in notes}
    for node, column in leaves:
        if column == number:
            node["row"] = "number"
        elif column == label:
            node["row"] = "label"
        else:
            node["measure"] = {
                "key": reader.measure_key(node["label"]),
                "kind": "text",
                "required": "never",
                "aggregate": {"method": "list"},
            }
    _attach_footnotes(tree, markers)
    appendix: dict[str, Any] = {"groups": groups, "columns": tree}
    if notes:
        appendix["footnotes"] = notes
    return appendix, reader.errors


def _attach_footnotes(nodes: list[dict[str, Any]], markers: set[str]) -> None:
    """A label ending in a marker the notes under the table explain ("... (*)") has its note."""
    for node in nodes:
        found = MARKER.search(node["label"])
        if found and f"({found.group(1)})" in markers:
            node["footnote"] = f"({found.group(1)})"
        _attach_footnotes(node.get("children", []), markers)


def _row_columns(
    sheet: _Sheet, leaves: list[tuple[dict[str, Any], int]], top: int
) -> tuple[int | None, int]:
    """The sheet columns of the STT and of the task names (the column after STT)."""
    number = next(
        (column for node, column in leaves if node["label"].lower() in ROW_NUMBER_WORDS), None
    )
    if number is None:
        return None, leaves[0][1]
    after = [column for _node, column in leaves if column > number]
    if not after:
        raise _refuse(sheet.where(top, number), _("No column of task names follows “STT”."))
    return number, after[0]


def _is_numbering(sheet: _Sheet, row: int, label: int) -> bool:
    """A row numbering the columns ("1 2 3 ..." or "(1) (2) ...") under the header."""
    return bool(NUMBERING.match(sheet.text(row, label)))
