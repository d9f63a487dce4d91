"""The shared spreadsheet writer on its own: header trees, number formats, panes, protection,
titles and notes, and the streamed sheet of long lists. Each workbook is saved and reopened,
so what is asserted is what Excel reads."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from core import spreadsheet as sheet
from core.spreadsheet import Header


def _reopen(book: openpyxl.Workbook) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(sheet.save(book)))


def _new() -> tuple[openpyxl.Workbook, Worksheet]:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    return book, ws


# A three-level tree: a leaf that reaches the bottom, a group over a group, a node held to
# two rows over its one child, and a node that stretches so its children end on the last row.
TREE = [
    Header("STT"),
    Header(
        "Resources",
        (
            Header("Demand"),
            Header("Allocated", (Header("Investment"), Header("Recurrent")), tag="alloc"),
        ),
    ),
    Header("Equipment", (Header("Used"),), rows=2),
    Header("Not done", (Header("%"), Header("Reason"))),
]


def test_a_header_tree_of_depth_3_places_its_boxes() -> None:
    placed = sheet.place(TREE)
    assert (placed.height, placed.width) == (3, 7)
    boxes = {b.label: (b.row, b.column, b.rows, b.columns) for b in placed.boxes}
    assert boxes == {
        "STT": (1, 1, 3, 1),
        "Resources": (1, 2, 1, 3),
        "Demand": (2, 2, 2, 1),
        "Allocated": (2, 3, 1, 2),
        "Investment": (3, 3, 1, 1),
        "Recurrent": (3, 4, 1, 1),
        "Equipment": (1, 5, 2, 1),
        "Used": (3, 5, 1, 1),
        "Not done": (1, 6, 2, 2),
        "%": (3, 6, 1, 1),
        "Reason": (3, 7, 1, 1),
    }
    # Row by row, left to right: the order a reader (and the import's check) meets them.
    assert [(b.row, b.column) for b in placed.boxes] == sorted(
        (b.row, b.column) for b in placed.boxes
    )
    assert next(b for b in placed.boxes if b.label == "Allocated").tag == "alloc"


def test_a_header_tree_of_depth_3_merges_as_expected() -> None:
    book, ws = _new()
    tree = [*TREE, Header("Note column", note=True)]
    below = sheet.write_header(ws, sheet.place(tree), top=4, left=2)
    assert below == 7
    ws = _reopen(book).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert merged == {
        "B4:B6",  # STT down to the last row
        "C4:E4",  # Resources over its three leaves
        "C5:C6",  # Demand, a leaf, reaches the bottom
        "D5:E5",  # Allocated over Investment and Recurrent
        "F4:F5",  # Equipment held to two rows
        "G4:H5",  # Not done stretches so "%" and "Reason" end on the last row
        "I4:I6",
    }
    assert ws["B4"].value == "STT" and ws["C4"].value == "Resources"
    assert ws["D6"].value == "Investment" and ws["E6"].value == "Recurrent"
    assert ws["F6"].value == "Used" and ws["G6"].value == "%" and ws["H6"].value == "Reason"
    assert ws["C4"].font.b and ws["C4"].fill.fgColor.rgb == "00E9ECEF"
    assert ws["C4"].alignment.horizontal == "center" and ws["C4"].alignment.wrap_text
    assert ws["I4"].font.i and not ws["I4"].font.b  # a column a footnote asks for
    assert ws["I4"].fill.fgColor.rgb == "00F4F6F8"
    assert ws["A4"].value is None and ws["J4"].value is None  # nothing outside the tree


def test_header_rows_grow_to_show_a_long_label() -> None:
    _book, ws = _new()
    sheet.set_widths(ws, [10, 10])
    tree = [Header("A label far too long for ten characters of width"), Header("B")]
    sheet.write_header(ws, sheet.place(tree), top=1, fit_rows=True)
    assert ws.row_dimensions[1].height == 6 * sheet.LINE_HEIGHT + 4


def test_number_formats_reopen_as_written() -> None:
    book, ws = _new()
    sheet.put(ws, 1, 1, Decimal("1234.5"), sheet.AMOUNT_FIXED)
    sheet.put(ws, 1, 2, sheet.fraction(Decimal("45.20")), sheet.PERCENT)
    sheet.put(ws, 1, 3, 12, sheet.INTEGER)
    sheet.put(ws, 1, 4, datetime.date(2020, 5, 5), sheet.date_format(datetime.date(2020, 5, 5)))
    moment = datetime.datetime(2020, 5, 5, 9, 30)
    sheet.put(ws, 1, 5, moment, sheet.date_format(moment))
    sheet.put(ws, 1, 6, "text")
    for row in (2, 3, 4):
        ws.cell(row, 1).value = sheet.number(Decimal(row * 1000) + Decimal("0.5") * (row % 2))
    sheet.number_style(ws, 1, 2, 4, sheet.AMOUNTS)
    ws = _reopen(book).active
    assert [ws.cell(1, c).number_format for c in range(1, 6)] == [
        "#,##0.000",
        "0.00%",
        "#,##0",
        "dd/mm/yyyy",
        "dd/mm/yyyy hh:mm",
    ]
    assert ws["B1"].value == 0.452
    assert ws["E1"].value == moment
    assert ws["F1"].alignment.wrap_text and ws["F1"].border.left.style == "thin"
    # Amounts as entered, up to three decimals; a whole one drops the decimal mark.
    assert [ws.cell(r, 1).number_format for r in (2, 3, 4)] == ["#,##0.###"] * 3
    assert [ws.cell(r, 1).value for r in (2, 3, 4)] == [2000, 3000.5, 4000]
    (rules,) = ws.conditional_formatting
    assert str(rules.sqref) == "A2:A4"
    (rule,) = rules.rules
    assert rule.formula == ["AND(ISNUMBER(A2),MOD(A2,1)=0)"]
    assert rule.dxf.numFmt.formatCode == "#,##0"


def test_values_for_excel() -> None:
    assert sheet.number(Decimal("12.000")) == 12 and isinstance(sheet.number(Decimal(12)), int)
    assert sheet.number(Decimal("12.5")) == 12.5 and sheet.number(None) is None
    assert sheet.fraction(Decimal("60")) == Decimal("0.6") and sheet.fraction(None) is None
    assert sheet.date_format("05/05/2020") == "" and sheet.date_format(5) == ""


def test_frozen_panes_widths_titles_and_notes() -> None:
    book, ws = _new()
    sheet.title(ws, 1, "=A title, not a formula", width=4, height=40)
    sheet.set_widths(ws, {2: 30, 3: 12})
    sheet.freeze(ws, 4, 3)
    after = sheet.notes(ws, 10, ["(*) merged\r\nnote", "second"], across=4)
    assert after == 12
    sheet.notes(ws, 13, ["on its own"])
    ws = _reopen(book).active
    assert ws.freeze_panes == "C4"
    assert ws["A1"].value == "=A title, not a formula" and ws["A1"].data_type == "s"
    assert ws.row_dimensions[1].height == 40
    assert (ws.column_dimensions["B"].width, ws.column_dimensions["C"].width) == (30, 12)
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert merged == {"A1:D1", "A10:D10", "A11:D11"}
    assert ws["A10"].value == "(*) merged\nnote" and ws["A10"].font.i
    assert ws["A13"].value == "on its own" and not ws["A13"].alignment.wrap_text


def test_protection_locks_all_but_the_unlocked_cells() -> None:
    book, ws = _new()
    ws["A1"] = 1
    ws["B1"] = 2
    ws["B1"].protection = sheet.UNLOCKED
    sheet.protect(ws)
    ws = _reopen(book).active
    assert ws.protection.sheet
    assert not ws.protection.formatColumns and not ws.protection.formatRows
    assert ws["A1"].protection.locked and not ws["B1"].protection.locked


def test_text_stays_text() -> None:
    book, ws = _new()
    sheet.put_text(ws["A1"], '=HYPERLINK("http://example.vn")')
    sheet.put_text(ws["A2"], "bell\x07 and\r\nbreak")
    ws = _reopen(book).active
    assert ws["A1"].data_type == "s" and ws["A1"].value.startswith("=HYPERLINK")
    assert ws["A2"].value == "bell and\nbreak"


def test_a_streamed_sheet_formats_dates_and_keeps_the_rest_plain() -> None:
    book = sheet.streamed_workbook()
    streamed = sheet.StreamedSheet(book, "list", widths=[8, 20], frozen=(3, 3))
    streamed.append([streamed.cell("Title", font=sheet.BOLD), None, "stamp"])
    streamed.append([streamed.cell(label, font=sheet.BOLD) for label in ("A", "B", "C", "D")])
    moment = datetime.datetime(2020, 5, 5, 9, 30)
    streamed.append(["01", datetime.date(2020, 5, 8), moment, 4])
    ws = openpyxl.load_workbook(io.BytesIO(sheet.save(book)))["list"]
    assert ws.freeze_panes == "C3"
    assert ws.column_dimensions["B"].width == 20
    assert ws["A1"].font.b and ws["C1"].value == "stamp" and not ws["C1"].font.b
    assert [c.value for c in ws[2]] == ["A", "B", "C", "D"] and ws["D2"].font.b
    assert [c.value for c in ws[3]] == ["01", datetime.datetime(2020, 5, 8), moment, 4]
    assert [c.number_format for c in ws[3]] == [
        "General",
        "dd/mm/yyyy",
        "dd/mm/yyyy hh:mm",
        "General",
    ]
