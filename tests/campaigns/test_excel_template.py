"""An appendix template read from a table in Excel: the header tree from the merged cells, the
rows from the STT and task columns; the file bounded before it is read."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook

from campaigns.definition import DefinitionError, validate
from campaigns.excel_template import MAX_BYTES, MAX_ROWS, read_appendix
from campaigns.models import Campaign
from core.spreadsheet import Header
from submissions.models import Submission
from submissions.selectors import column_tree
from submissions.xlsx import header_tree, submission_workbook

from .test_definition import definition_5137


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _shape(nodes: list[dict[str, Any]]) -> list[Any]:
    """Labels and nesting of a definition's header tree."""
    return [(n["label"], _shape(n.get("children", []))) for n in nodes]


def _header_shape(nodes: tuple[Header, ...] | list[Header]) -> list[Any]:
    return [(str(h.label), _header_shape(h.children)) for h in nodes]


def test_the_appendix_our_app_writes_for_5137_reads_back(
    campaign: Campaign, submission_of: Callable[[str], Submission]
) -> None:
    raw = submission_workbook(submission_of("01"), editable=True)
    appendix, errors = read_appendix(raw)
    assert errors == []
    assert appendix is not None
    # The header exactly as the download draws it: the letter's tree, the footnote's detail,
    # and a share with its reason as two columns ("Tỷ lệ (%)", "Lý do").
    expected = _header_shape(header_tree(column_tree(campaign), reasons=True))
    assert _shape(appendix["columns"]) == expected
    assert len(expected) == 9
    leaves = []

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            walk(node.get("children", []))
            if "children" not in node:
                leaves.append(node)

    walk(appendix["columns"])
    # The letter's 17, with "Kinh phí đã bố trí" as its 7 columns and 3 shares beside a reason.
    assert len(leaves) == 17 - 1 + 7 + 3
    assert leaves[0] == {"key": "stt", "label": "STT", "row": "number"}
    assert leaves[1] == {"key": "nhiem-vu", "label": "Nhiệm vụ", "row": "label"}
    assert leaves[2]["measure"] == {
        "key": "can_cu_xac_dinh_nhiem_vu",
        "kind": "text",
        "required": "never",
        "aggregate": {"method": "list"},
    }
    allocated = appendix["columns"][3]["children"][1]
    assert (allocated["label"], allocated["footnote"]) == ("Kinh phí đã bố trí (*)", "(*)")
    use = appendix["columns"][7]
    assert [c.get("level") for c in use["children"]] == [3, 3, 3]  # under a two-row header
    # The rows: groups with their sub-items, the grand total left out.
    rows = [(g["code"], g["stt"], g["label"]) for g in appendix["groups"]]
    rows += [(r["code"], r["stt"], r["label"]) for g in appendix["groups"] for r in g["rows"]]
    assert sorted(rows) == sorted((r.code, r.stt, r.label) for r in campaign.rows.all())
    assert appendix["footnotes"] == [
        {"marker": f.marker, "text": f.text} for f in campaign.footnotes.all()
    ]
    # The skeleton is an appendix a definition takes as it is.
    data = definition_5137()
    data["appendix"] = appendix
    assert validate(data) == []


def _three_level_table() -> Workbook:
    """A ministry's table: a title, a three-level header, a numbering row, groups and items,
    a total, a footnote."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Biểu 01"
    ws["A1"] = "BIỂU TỔNG HỢP KINH PHÍ CHUYỂN ĐỔI SỐ"
    ws.merge_cells("A1:G1")
    ws["A3"], ws["B3"], ws["C3"], ws["G3"] = "STT", "Nội dung", "Kinh phí", "Ghi chú"
    for merged in ("A3:A5", "B3:B5", "C3:F3", "G3:G5"):
        ws.merge_cells(merged)
    ws["C4"], ws["E4"] = "Năm 2024", "Năm 2025 (*)"
    ws.merge_cells("C4:D4")
    ws.merge_cells("E4:F4")
    ws["C5"], ws["D5"], ws["E5"], ws["F5"] = "Kế hoạch", "Thực hiện", "Kế hoạch", "Thực hiện"
    ws.append([f"({n})" for n in range(1, 8)])  # row 6
    ws.append(["1", "Hạ tầng số"])
    ws.append(["1.1", "Trung tâm dữ liệu", 100, 90])
    ws.append(["1.2", "Mạng diện rộng", 50, 50])
    ws.append(["2", "Nhân lực số"])
    ws.append([None, "+ Đào tạo, bồi dưỡng", 10, 8])
    ws.append([None, "Tổng cộng", 160, 148])
    ws.append([])
    ws.append(["(*) Ước thực hiện đến 31/12/2025."])
    return book


def _measure(key: str) -> dict[str, Any]:
    return {"key": key, "kind": "text", "required": "never", "aggregate": {"method": "list"}}


def test_a_three_level_header_from_merged_cells(db: None) -> None:
    appendix, errors = read_appendix(_saved(_three_level_table()))
    assert errors == []
    assert appendix == {
        "columns": [
            {"key": "stt", "label": "STT", "row": "number"},
            {"key": "noi-dung", "label": "Nội dung", "row": "label"},
            {
                "key": "kinh-phi",
                "label": "Kinh phí",
                "children": [
                    {
                        "key": "nam-2024",
                        "label": "Năm 2024",
                        "children": [
                            {
                                "key": "ke-hoach",
                                "label": "Kế hoạch",
                                "measure": _measure("ke_hoach"),
                            },
                            {
                                "key": "thuc-hien",
                                "label": "Thực hiện",
                                "measure": _measure("thuc_hien"),
                            },
                        ],
                    },
                    {
                        "key": "nam-2025",
                        "label": "Năm 2025 (*)",
                        "footnote": "(*)",
                        "children": [
                            {
                                "key": "ke-hoach-2",
                                "label": "Kế hoạch",
                                "measure": _measure("ke_hoach_2"),
                            },
                            {
                                "key": "thuc-hien-2",
                                "label": "Thực hiện",
                                "measure": _measure("thuc_hien_2"),
                            },
                        ],
                    },
                ],
            },
            {"key": "ghi-chu", "label": "Ghi chú", "measure": _measure("ghi_chu")},
        ],
        "groups": [
            {
                "code": "1",
                "stt": "1",
                "label": "Hạ tầng số",
                "rows": [
                    {"code": "1.1", "stt": "1.1", "label": "Trung tâm dữ liệu"},
                    {"code": "1.2", "stt": "1.2", "label": "Mạng diện rộng"},
                ],
            },
            {
                "code": "2",
                "stt": "2",
                "label": "Nhân lực số",
                "rows": [{"code": "2.1", "stt": "", "label": "+ Đào tạo, bồi dưỡng"}],
            },
        ],
        "footnotes": [{"marker": "(*)", "text": "Ước thực hiện đến 31/12/2025."}],
    }


def test_a_file_that_is_not_a_workbook_is_refused(db: None) -> None:
    assert read_appendix(b"STT;Nhiem vu\n1;Ha tang\n") == (
        None,
        [DefinitionError("$", "Tệp này không phải sổ tính Excel (.xlsx).")],
    )
    appendix, errors = read_appendix(b"\0" * (MAX_BYTES + 1))
    assert appendix is None
    assert "Tệp lớn hơn mức 5,0\xa0MB cho phép đối với một bảng" in errors[0].message


def test_a_zip_that_would_expand_too_far_is_not_opened(db: None) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/workbook.xml", "<workbook/>")
        package.writestr("xl/worksheets/sheet1.xml", " " * (30 * 1024 * 1024))
    appendix, errors = read_appendix(out.getvalue())
    assert appendix is None
    assert errors[0].path == "$" and "khi mở; tệp không được mở" in errors[0].message


def test_a_sheet_longer_than_a_table_is_refused_before_it_is_loaded(db: None) -> None:
    book = _three_level_table()
    ws = book.active
    assert ws is not None
    for n in range(MAX_ROWS):
        ws.append([None, f"Dòng {n}"])
    appendix, errors = read_appendix(_saved(book))
    assert appendix is None
    assert errors[0].path == "Biểu 01"
    assert "Trang tính lớn hơn một bảng 500 dòng và 100 cột" in errors[0].message


def test_a_sheet_without_a_table_header_is_named(db: None) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Trống"
    ws["A1"] = "Chỉ một dòng chữ"
    appendix, errors = read_appendix(_saved(book))
    assert appendix is None
    assert [(e.path, e.message) for e in errors] == [
        ("Trống", "Không tìm thấy tiêu đề bảng (dòng có ô đầu tiên ghi “STT”).")
    ]


def test_a_row_without_a_task_name_is_named_by_its_cell(db: None) -> None:
    book = _three_level_table()
    ws = book.active
    assert ws is not None
    ws["B9"] = None
    appendix, errors = read_appendix(_saved(book))
    assert appendix is not None
    assert [(e.path, e.message) for e in errors] == [
        ("Biểu 01!B9", "Dòng này không có tên nhiệm vụ.")
    ]
