"""The appendix as Excel: download in the letter's layout, fill offline, upload back."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import time
import unicodedata
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl.worksheet.worksheet import Worksheet

from core.enums import Role, Stage
from submissions import services
from submissions.models import Submission
from submissions.selectors import appendix_fingerprint, appendix_lines, appendix_table

from ..cast import Cast, drive_to, fill_complete
from ..helpers import figures, line_by_code

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Where the letter's columns land: what a drafter sees in Excel, pinned on purpose.
COLUMN = {
    "basis": "C",
    "demand": "D",
    "allocated": "E",
    "alloc_invest_ctmt": "F",
    "alloc_invest_self": "G",
    "alloc_recurrent_separate": "K",
    "spent": "L",
    "completed_products": "M",
    "not_completed_pct": "N",
    "not_completed_reason": "O",
    "accepted_internal": "P",
    "accepted_by_authority": "Q",
    "vs_demand_pct": "R",
    "vs_resolution17_pct": "S",
    "infrastructure_status": "T",
    "use_as_designed_pct": "U",
    "use_not_as_designed_pct": "V",
    "use_not_as_designed_reason": "W",
    "unused_pct": "X",
    "unused_reason": "Y",
    "difficulties": "Z",
}
HEADER_TOP, FIRST_ROW = 6, 10


def _download(client: Any, submission: Submission) -> bytes:
    response = client.get(reverse("submissions:appendix-xlsx", kwargs={"pk": submission.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return bytes(response.content)


def _upload(client: Any, submission: Submission, content: bytes, name: str = "phu-luc.xlsx") -> Any:
    return client.post(
        reverse("submissions:appendix-import", kwargs={"pk": submission.pk}),
        {"file": SimpleUploadedFile(name, content, content_type=XLSX)},
        follow=True,
    )


def _sheet(content: bytes) -> tuple[openpyxl.Workbook, Worksheet]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    ws = book.worksheets[0]
    return book, ws


def _save(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(ws: Worksheet, label: str) -> int:
    """The sheet row whose task label is ``label``."""
    for number in range(FIRST_ROW, ws.max_row + 1):
        if ws[f"B{number}"].value == label:
            return number
    raise AssertionError(f"no row labelled {label!r}")


def _edit(content: bytes, edits: dict[tuple[str, str], Any]) -> bytes:
    """Type into the downloaded file as a drafter would: (row label, measure) -> value."""
    book, ws = _sheet(content)
    for (label, name), value in edits.items():
        ws[f"{COLUMN[name]}{_row(ws, label)}"] = value
    return _save(book)


def _state(submission: Submission) -> tuple[int, list[dict[str, Any]]]:
    """Everything an upload could change: the revision and every field of every line."""
    submission.refresh_from_db()
    lines = [dict(line) for line in submission.lines.order_by("pk").values()]
    return submission.revision, lines


def _page(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def filled(hanoi: Submission, drafter: Any) -> Submission:
    """Complete entries, one own sub-item, and text that tests the edges of a cell."""
    fill_complete(hanoi, drafter)
    hanoi.refresh_from_db()
    group3 = hanoi.campaign.rows.get(code="3")
    services.appendix_save(
        actor=drafter,
        submission=hanoi,
        revision=hanoi.revision,
        values={
            line_by_code(hanoi, "1.1").pk: {
                "demand": Decimal("1234.5"),
                "alloc_invest_self": Decimal("12345678.999"),
                "not_completed_pct": Decimal("12.34"),
                "not_completed_reason": "Chậm tiến độ\r\ndo thiếu vốn",
                "accepted_internal": True,
                "accepted_by_authority": False,
                "basis": '=HYPERLINK("http://example.vn")',
            },
        },
        add_to_group=group3,
        new_label="CSDL đất đai",
    )
    hanoi.refresh_from_db()
    return hanoi


def test_download_has_the_letters_header_formulas_formats_and_saved_values(
    drafter_client: Any, filled: Submission
) -> None:
    response = drafter_client.get(reverse("submissions:appendix-xlsx", kwargs={"pk": filled.pk}))
    assert response["Content-Disposition"] == (
        'attachment; filename="phu-luc-5137-btc-nsnn-01.xlsx"'
    )
    book, ws = _sheet(response.content)
    assert ws.title == "Phụ lục"
    assert ws["A1"].value.startswith("MẪU BIỂU BÁO CÁO ĐÁNH GIÁ HIỆU QUẢ SỬ DỤNG KINH PHÍ")
    assert ws["A2"].value == "Thành phố Hà Nội"
    assert "5137/BTC-NSNN" in ws["A3"].value and "27/04/2020" in ws["A3"].value
    assert "triệu đồng" in ws["A4"].value

    merged = {str(r) for r in ws.merged_cells.ranges}
    top = HEADER_TOP
    # The letter's three levels, and footnote (*)'s detail below "Kinh phí đã bố trí (*)".
    assert ws[f"A{top}"].value == "STT" and f"A{top}:A{top + 3}" in merged
    assert ws[f"B{top}"].value == "Nhiệm vụ" and f"B{top}:B{top + 3}" in merged
    assert ws[f"D{top}"].value == "Nguồn lực" and f"D{top}:K{top}" in merged
    assert ws[f"D{top + 1}"].value == "Nhu cầu" and f"D{top + 1}:D{top + 3}" in merged
    assert (
        ws[f"E{top + 1}"].value == "Kinh phí đã bố trí (*)" and f"E{top + 1}:K{top + 1}" in merged
    )
    assert ws[f"E{top + 2}"].value == "Tổng số"
    assert ws[f"F{top + 2}"].value == "Chi đầu tư" and f"F{top + 2}:H{top + 2}" in merged
    assert ws[f"F{top + 3}"].value == "Nguồn từ CTMT CNTT"
    assert ws[f"H{top + 3}"].value == (
        "Nguồn ngân sách được bố trí riêng cho nhiệm vụ/chương trình/đề án"
    )
    assert ws[f"L{top}"].value == "Kinh phí đã thực hiện"
    # "Nghiệm thu sản phẩm" over its three groups, "Tỷ lệ đạt" the last of them.
    assert ws[f"M{top}"].value == "Nghiệm thu sản phẩm" and f"M{top}:S{top}" in merged
    assert (
        ws[f"N{top + 2}"].value == "Chưa hoàn thành /Lý do" and f"N{top + 2}:O{top + 2}" in merged
    )
    assert (ws[f"N{top + 3}"].value, ws[f"O{top + 3}"].value) == ("Tỷ lệ (%)", "Lý do")
    assert ws[f"R{top + 1}"].value == "Tỷ lệ đạt so với mục tiêu/thiết kế"
    assert f"R{top + 1}:S{top + 1}" in merged
    assert ws[f"R{top + 2}"].value == "So với nhu cầu" and f"R{top + 2}:R{top + 3}" in merged
    # "Thực trạng cơ sở vật chất" is a column of its own, from the top of the header down.
    assert ws[f"T{top}"].value == (
        "Thực trạng cơ sở vật chất so với mục tiêu, chủ trương về ứng dụng CNTT, CPĐT"
    )
    assert f"T{top}:T{top + 3}" in merged
    assert ws[f"U{top}"].value == "Hiệu suất sử dụng trang thiết bị"
    assert f"U{top}:Y{top + 1}" in merged
    assert ws[f"Z{top}"].value == "Khó khăn/ Đề xuất" and f"Z{top}:Z{top + 3}" in merged
    assert ws.freeze_panes == f"C{FIRST_ROW}"

    # Rows in the letter's order with their codes, the province's own sub-item among them.
    assert [ws[f"A{n}"].value for n in (10, 15, 18, 21, 24, 25)] == ["1", "2", "3", "4", "5", "6"]
    assert ws["B11"].value.startswith("Hạ tầng cơ bản")
    assert ws["B20"].value == "CSDL đất đai"  # after 3.1, in group 3
    assert ws["B26"].value == "Tổng cộng"

    # Group rows and the grand total are formulas; so is "Tổng số" of the allocation.
    # Blank while nothing below is filled, as on the page (where 0 is an answer, blank is not).
    assert ws["D10"].value == '=IF(COUNT(D11:D14)=0,"",SUM(D11:D14))'
    assert ws["L18"].value == '=IF(COUNT(L19:L20)=0,"",SUM(L19:L20))'
    assert (
        ws["D26"].value == '=IF(COUNT(D10,D15,D18,D21,D24,D25)=0,"",SUM(D10,D15,D18,D21,D24,D25))'
    )
    assert ws["E11"].value == '=IF(COUNT(F11:K11)=0,"",SUM(F11:K11))'
    assert ws["E10"].value == '=IF(COUNT(E11:E14)=0,"",SUM(E11:E14))'
    # Saved values, as numbers Excel can add; percentages as Excel percentages.
    assert ws["D11"].value == 1234.5
    assert ws["G11"].value == 12345678.999
    assert ws["D12"].value == 100
    assert ws["N11"].value == pytest.approx(0.1234)
    assert ws["R12"].value == pytest.approx(0.6)
    assert ws["O11"].value == "Chậm tiến độ\ndo thiếu vốn"
    assert (ws["P11"].value, ws["Q11"].value, ws["P12"].value) == ("Có", "Không", None)
    # A province's text is never a formula in the ministry's Excel.
    assert ws["C11"].value == '=HYPERLINK("http://example.vn")'
    assert ws["C11"].data_type == "s"
    assert ws["D21"].value == '=IF(COUNT(D22:D23)=0,"",SUM(D22:D23))'
    assert ws["D24"].value == 100  # group 5 has no sub-items: it takes entries itself
    assert ws["D11"].number_format == "#,##0.###"
    assert ws["N11"].number_format == "0.00%"
    assert ws["D10"].number_format == "#,##0.###"
    # Input cells are open, the rest protected against accidents (no password).
    assert ws.protection.sheet
    assert not ws["D11"].protection.locked and ws["D10"].protection.locked
    assert not ws["B20"].protection.locked and ws["B19"].protection.locked
    assert ws["T11"].value == "Đáp ứng mục tiêu của nhiệm vụ và Nghị quyết 17/NQ-CP"
    assert not ws["T11"].protection.locked and ws["T10"].value is None
    assert ws.column_dimensions["AA"].hidden
    assert book["meta"].sheet_state == "veryHidden"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_spreadsheet_computes_the_totals_the_page_shows(
    drafter_client: Any, filled: Submission, tmp_path: Path
) -> None:
    """LibreOffice recalculates the downloaded formulas: they match the server's totals."""
    source = tmp_path / "phu-luc.xlsx"
    source.write_bytes(_download(drafter_client, filled))
    soffice = shutil.which("soffice") or "soffice"
    subprocess.run(  # noqa: S603 - our own arguments, no shell
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    computed = openpyxl.load_workbook(tmp_path / "out" / "phu-luc.xlsx", data_only=True)
    ws = computed.worksheets[0]
    table = appendix_table(filled)
    groups = [row for row in table if row.kind == "group"]
    for number, row in zip((10, 15, 18, 21, 24, 25, 26), [*groups, table[-1]], strict=True):
        for name in ("demand", "allocated", "alloc_invest_self", "spent"):
            expected = row.totals.get(name)
            value = ws[f"{COLUMN[name]}{number}"].value
            assert (None if value in (None, "") else Decimal(str(value))) == expected, (
                number,
                name,
            )
    assert ws["E20"].value in (None, "")  # the new sub-item has no allocation yet: blank, not 0


def test_export_then_import_changes_nothing(drafter_client: Any, filled: Submission) -> None:
    before = _state(filled)
    response = _upload(drafter_client, filled, _download(drafter_client, filled))
    assert "Tệp có cùng số liệu với phụ lục: không có gì thay đổi." in _page(response)
    assert _state(filled) == before


def test_cells_edited_offline_are_saved(drafter_client: Any, filled: Submission) -> None:
    l12, l31 = line_by_code(filled, "1.2"), line_by_code(filled, "3.1")
    own = filled.lines.get(row__isnull=True)
    revision = filled.revision
    content = _edit(
        _download(drafter_client, filled),
        {
            (l12.display_label, "demand"): 2500.75,
            (l12.display_label, "spent"): "1.234,5",  # typed as text, the Vietnamese way
            (l12.display_label, "vs_demand_pct"): 0.455,
            (l12.display_label, "accepted_internal"): "Không",
            (l31.display_label, "unused_pct"): "20%",
            (l31.display_label, "use_as_designed_pct"): 0.8,
            (l31.display_label, "unused_reason"): "Hệ thống cũ chưa tích hợp",
            (l31.display_label, "difficulties"): "Thiếu nhân lực vận hành",
            (l31.display_label, "infrastructure_status"): "CSDL chưa chia sẻ với CSDL quốc gia",
            (own.label, "demand"): 75,
        },
    )
    book, ws = _sheet(content)
    ws[f"B{_row(ws, own.label)}"] = "CSDL đất đai và nhà ở"
    response = _upload(drafter_client, filled, _save(book))
    assert "Đã nhập tệp Excel: 3 dòng thay đổi." in _page(response)
    l12.refresh_from_db()
    l31.refresh_from_db()
    own.refresh_from_db()
    assert (
        figures(l12).demand,
        figures(l12).spent,
        figures(l12).vs_demand_pct,
        figures(l12).accepted_internal,
    ) == (
        Decimal("2500.75"),
        Decimal("1234.5"),
        Decimal("45.5"),
        False,
    )
    assert (
        figures(l31).unused_pct,
        figures(l31).use_as_designed_pct,
        figures(l31).unused_reason,
        figures(l31).difficulties,
    ) == (
        Decimal("20"),
        Decimal("80"),
        "Hệ thống cũ chưa tích hợp",
        "Thiếu nhân lực vận hành",
    )
    assert figures(l31).infrastructure_status == "CSDL chưa chia sẻ với CSDL quốc gia"
    assert (own.label, figures(own).demand) == ("CSDL đất đai và nhà ở", Decimal("75"))
    filled.refresh_from_db()
    assert filled.revision == revision + 1
    # The page shows what the file said.
    page = _page(drafter_client.get(reverse("submissions:appendix", kwargs={"pk": filled.pk})))
    assert 'value="2.500,75"' in page and "CSDL đất đai và nhà ở" in page


def test_a_narrative_save_after_the_download_does_not_block_the_upload(
    drafter_client: Any, filled: Submission, drafter: Any
) -> None:
    """The file carries the state of the appendix, not of the whole submission."""
    content = _download(drafter_client, filled)
    services.narrative_save(
        actor=drafter,
        submission=filled,
        revision=filled.revision,
        answers={},
        treasury_refusal_count=2,
        treasury_refusal_amount=Decimal("3"),
        treasury_refusal_note="",
        problem_kinds=[],
    )
    line = line_by_code(filled, "2.1")
    response = _upload(drafter_client, filled, _edit(content, {(line.display_label, "spent"): 7}))
    assert "1 dòng thay đổi" in _page(response)
    line.refresh_from_db()
    assert figures(line).spent == Decimal("7")


def test_a_file_older_than_the_last_appendix_save_is_refused(
    drafter_client: Any, filled: Submission, drafter: Any
) -> None:
    """Someone saved the appendix after the download: the file would silently undo it."""
    line = line_by_code(filled, "2.2")
    content = _edit(_download(drafter_client, filled), {(line.display_label, "demand"): 999})
    services.appendix_save(
        actor=drafter,
        submission=filled,
        revision=filled.revision,
        values={line.pk: {"spent": Decimal("1")}},
    )
    before = _state(filled)
    response = _upload(drafter_client, filled, content)
    assert "Chưa nhập gì: phụ lục đã được lưu sau khi tải tệp này về" in _page(response)
    assert _state(filled) == before


def test_the_same_file_uploaded_twice_lands_once(drafter_client: Any, filled: Submission) -> None:
    line = line_by_code(filled, "1.4")
    content = _edit(_download(drafter_client, filled), {(line.display_label, "demand"): 321})
    assert "1 dòng thay đổi" in _page(_upload(drafter_client, filled, content))
    after_first = _state(filled)
    response = _upload(drafter_client, filled, content)
    assert "Chưa nhập gì: phụ lục đã được lưu sau khi tải tệp này về" in _page(response)
    assert _state(filled) == after_first


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _with_macros(content: bytes) -> bytes:
    """The downloaded workbook turned into a macro-enabled one, still named .xlsx."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(
                    b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
                )
            dst.writestr(name, data)
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 512)
    return out.getvalue()


def _zip_bomb(content: bytes) -> bytes:
    """A workbook whose sheet unpacks to 200 MB of blanks: about 200 KB on the wire."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src:
        parts = {name: src.read(name) for name in ("[Content_Types].xml", "xl/workbook.xml")}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for name, data in parts.items():
            bomb.writestr(name, data)
        with bomb.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b" " * (1 << 20)
            for _ in range(200):
                sheet.write(block)
    return out.getvalue()


def _with_entities(content: bytes) -> bytes:
    """The sheet's XML declares entities (the start of a "billion laughs"): defusedxml refuses."""
    declared = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = declared + data
            dst.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda good: _pdf(),
            "Tệp này không phải sổ tính Excel (.xlsx): nội dung là application/pdf",
        ),
        (
            lambda good: "Nhu cầu: 100 triệu đồng\n".encode(),
            "Tệp này không phải sổ tính Excel (.xlsx): nội dung là text/plain",
        ),
        (lambda good: _with_macros(good), "Tệp có chứa macro"),
        (lambda good: _zip_bomb(good), "Tệp sẽ bung ra thành 200,0\xa0MB khi mở"),
        (lambda good: good[: len(good) // 2], "Tệp bị hỏng, không đọc được như một sổ tính Excel"),
        (lambda good: good[:300], "Tệp bị hỏng, không đọc được như một sổ tính Excel"),
        (lambda good: _with_entities(good), "Tệp bị hỏng, không đọc được như một sổ tính Excel"),
    ],
    ids=["pdf", "text", "macros", "zip-bomb", "truncated", "truncated-to-a-header", "xml-entities"],
)
def test_a_bad_file_is_refused_before_parsing_with_its_own_message(
    drafter_client: Any,
    filled: Submission,
    make: Callable[[bytes], bytes],
    message: str,
) -> None:
    good = _download(drafter_client, filled)
    before = _state(filled)
    response = _upload(drafter_client, filled, make(good))
    page = _page(response)
    assert message in page
    assert "Chưa nhập gì từ tệp Excel" in page
    assert _state(filled) == before


def test_openpyxl_parses_through_defusedxml() -> None:
    """The XML of an uploaded workbook never reaches a parser that expands entities."""
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML


def test_the_service_refuses_a_workbook_older_than_the_appendix(
    filled: Submission, drafter: Any
) -> None:
    """Checked again under the row lock, for a save that lands between reading and writing."""
    line = line_by_code(filled, "1.2")
    fingerprint = appendix_fingerprint(appendix_lines(filled))
    services.appendix_save(
        actor=drafter,
        submission=filled,
        revision=filled.revision,
        values={line.pk: {"demand": Decimal("5")}},
    )
    before = _state(filled)
    with pytest.raises(services.StaleRevision):
        services.appendix_import(
            actor=drafter,
            submission=filled,
            fingerprint=fingerprint,
            values={line.pk: {"demand": Decimal("6")}},
        )
    assert _state(filled) == before


def test_a_file_over_the_size_limit_is_refused(
    drafter_client: Any, filled: Submission, settings: Any
) -> None:
    content = _download(drafter_client, filled)
    settings.APPENDIX_IMPORT_MAX_BYTES = len(content) - 1
    before = _state(filled)
    response = _upload(drafter_client, filled, content)
    assert "Tệp lớn hơn mức" in _page(response)
    assert _state(filled) == before


def _cell(label_code: str, name: str, ws: Worksheet, submission: Submission) -> str:
    return f"{COLUMN[name]}{_row(ws, line_by_code(submission, label_code).display_label)}"


@pytest.mark.parametrize(
    ("edits", "errors"),
    [
        ({("1.2", "demand"): -5}, {("1.2", "demand"): "Số tiền không được âm."}),
        (
            {("2.1", "spent"): "mười triệu"},
            {("2.1", "spent"): "Nhập số tiền (triệu đồng), ví dụ 1.234,5."},
        ),
        (
            {("1.3", "vs_demand_pct"): 1.5},
            {("1.3", "vs_demand_pct"): "Tỷ lệ không được vượt quá 100."},
        ),
        (
            {("1.3", "alloc_invest_ctmt"): 0.0005},
            {("1.3", "alloc_invest_ctmt"): "Chỉ nhập tối đa 3 chữ số thập phân (đến nghìn đồng)."},
        ),
        (
            {("4.1", "use_not_as_designed_pct"): 0.3, ("4.1", "use_not_as_designed_reason"): "Lỗi"},
            {
                ("4.1", "use_as_designed_pct"): "không được vượt quá 100%",
                ("4.1", "use_not_as_designed_pct"): "không được vượt quá 100%",
            },
        ),
        (
            {("4.2", "unused_pct"): 0.1, ("4.2", "use_as_designed_pct"): 0.9},
            {("4.2", "unused_reason"): "Ghi rõ lý do"},
        ),
        (
            {("1.1", "accepted_internal"): "có lẽ"},
            {("1.1", "accepted_internal"): "chọn Có hoặc Không, hoặc để trống ô."},
        ),
        (
            {("1.2", "infrastructure_status"): "Đạt mục tiêu" + "." * 489},
            {("1.2", "infrastructure_status"): "Ô này ghi tối đa 500 ký tự (hiện có 501)"},
        ),
    ],
    ids=[
        "negative-amount",
        "text-in-amount",
        "percentage-over-100",
        "too-many-decimals",
        "shares-over-100",
        "share-without-reason",
        "yes-no",
        "status-too-long",
    ],
)
def test_each_bad_cell_is_named_by_sheet_and_cell_and_nothing_is_saved(
    drafter_client: Any,
    filled: Submission,
    edits: dict[tuple[str, str], Any],
    errors: dict[tuple[str, str], str],
) -> None:
    content = _download(drafter_client, filled)
    book, ws = _sheet(content)
    for (code, name), value in edits.items():
        ws[_cell(code, name, ws, filled)] = value
    ws[_cell("2.2", "demand", ws, filled)] = 4242  # a good edit in the same file
    before = _state(filled)
    page = _page(_upload(drafter_client, filled, _save(book)))
    for (code, name), message in errors.items():
        assert f"Trang &#x27;Phụ lục&#x27;, ô {_cell(code, name, ws, filled)}: " in page
        item = page.split(f"ô {_cell(code, name, ws, filled)}: ")[1].split("</li>")[0]
        assert message in item
    assert _state(filled) == before


def test_every_error_of_a_file_is_listed_at_once(drafter_client: Any, filled: Submission) -> None:
    book, ws = _sheet(_download(drafter_client, filled))
    ws["D11"] = -1
    ws["L12"] = "abc"
    ws["R13"] = 2
    page = _page(_upload(drafter_client, filled, _save(book)))
    assert page.count("<li>Trang &#x27;Phụ lục&#x27;, ô ") == 3
    for cell in ("D11", "L12", "R13"):
        assert f"ô {cell}: " in page


def test_rows_added_or_removed_in_excel_are_refused(
    drafter_client: Any, filled: Submission
) -> None:
    content = _download(drafter_client, filled)
    book, ws = _sheet(content)
    ws.insert_rows(12)  # openpyxl does not move the hidden key along: the row is unnamed
    ws["B12"] = "Hạ tầng mới"
    ws["D12"] = 5
    page = _page(_upload(drafter_client, filled, _save(book)))
    assert "Trang &#x27;Phụ lục&#x27;, dòng 12: dòng này không thuộc phụ lục đã tải về" in page

    book, ws = _sheet(content)
    ws.delete_rows(_row(ws, "CSDL đất đai"))
    before = _state(filled)
    page = _page(_upload(drafter_client, filled, _save(book)))
    assert "dòng của “CSDL đất đai” bị thiếu" in page
    assert _state(filled) == before


def test_a_moved_column_is_refused(drafter_client: Any, filled: Submission) -> None:
    book, ws = _sheet(_download(drafter_client, filled))
    ws.unmerge_cells(f"D{HEADER_TOP}:K{HEADER_TOP}")
    ws.insert_cols(4)
    page = _page(_upload(drafter_client, filled, _save(book)))
    assert "Trang &#x27;Phụ lục&#x27;, ô D6: tiêu đề này phải là “Nguồn lực”" in page


def test_another_reports_file_or_a_foreign_workbook_is_refused(
    drafter_client: Any, filled: Submission, danang: Submission, make_user: Any
) -> None:
    other = Client()
    other.force_login(make_user(Role.DRAFTER, "48", username="dn.drafter"))
    danang_file = _download(other, danang)
    before = _state(filled)
    page = _page(_upload(drafter_client, filled, danang_file))
    assert "Tệp này là phụ lục của một báo cáo khác (mã đơn vị 48)" in page
    plain = openpyxl.Workbook()
    plain.active["A1"] = "Nhu cầu"
    page = _page(_upload(drafter_client, filled, _save(plain)))
    assert "không phải phụ lục tải về từ trang này" in page
    assert _state(filled) == before


def test_errors_come_in_english_for_an_english_user(
    drafter_client: Any, filled: Submission
) -> None:
    detail = filled.get_absolute_url()
    drafter_client.post(reverse("set_language"), {"language": "en", "next": detail})
    book, ws = _sheet(_download(drafter_client, filled))
    assert ws.title == "Appendix"
    assert (ws["N9"].value, ws["P11"].value) == ("Share (%)", "Yes")
    ws["D11"] = -3
    page = _page(_upload(drafter_client, filled, _save(book)))
    assert "Sheet &#x27;Appendix&#x27;, cell D11: An amount cannot be negative." in page


def test_the_appendix_page_offers_download_and_upload_to_its_drafter_only(
    drafter_client: Any, filled: Submission, make_user: Any, client: Any
) -> None:
    url = reverse("submissions:appendix", kwargs={"pk": filled.pk})
    page = _page(drafter_client.get(url))
    assert "Tải về Excel" in page and 'id="appendix-import"' in page
    client.force_login(make_user(Role.DEPARTMENT_REVIEWER, "01", username="hn.reviewer"))
    page = _page(client.get(url))
    assert "Tải về Excel" in page and 'id="appendix-import"' not in page


def test_another_provinces_drafter_gets_404(
    filled: Submission, make_user: Any, client: Any, drafter_client: Any
) -> None:
    content = _download(drafter_client, filled)
    client.force_login(make_user(Role.DRAFTER, "48", username="dn.drafter"))
    before = _state(filled)
    download = client.get(reverse("submissions:appendix-xlsx", kwargs={"pk": filled.pk}))
    assert download.status_code == 404
    upload = client.post(
        reverse("submissions:appendix-import", kwargs={"pk": filled.pk}),
        {"file": SimpleUploadedFile("phu-luc.xlsx", content, content_type=XLSX)},
    )
    assert upload.status_code == 404
    assert _state(filled) == before


def test_a_submission_past_drafting_takes_no_upload(
    hanoi: Submission, cast: Cast, client: Any
) -> None:
    drafter = cast(Role.DRAFTER, "01")
    client.force_login(drafter)
    content = _download(client, hanoi)
    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    line = line_by_code(hanoi, "1.1")
    before = _state(hanoi)
    response = _upload(client, hanoi, _edit(content, {(line.display_label, "demand"): 1}))
    assert "Không thể chỉnh sửa hồ sơ báo cáo ở bước xử lý hiện tại." in _page(response)
    assert _state(hanoi) == before
    # The reviewer may download what they review, read-only.
    client.force_login(cast(Role.DEPARTMENT_REVIEWER, "01"))
    _, ws = _sheet(_download(client, hanoi))
    assert ws["D11"].value == 100 and ws["D11"].protection.locked


@pytest.mark.parametrize("sheet", ["Phụ lục", "meta"])
def test_a_cell_far_below_the_table_is_refused_before_the_sheet_is_read(
    drafter_client: Any, filled: Submission, sheet: str
) -> None:
    """A few kilobytes declaring row 1,048,576 used to hold a worker for minutes and
    gigabytes while every row was walked; now the declared size is refused at once."""
    book = openpyxl.load_workbook(io.BytesIO(_download(drafter_client, filled)))
    book[sheet]["A1048576"] = "x"
    content = _save(book)
    assert len(content) < 64 * 1024
    before = _state(filled)
    started = time.monotonic()
    response = _upload(drafter_client, filled, content)
    print(f"far cell in {sheet!r}: refused in {time.monotonic() - started:.2f} s")
    assert f"Trang &#x27;{sheet}&#x27; vượt xa bảng phụ lục" in _page(response)
    assert _state(filled) == before


def test_a_file_that_understates_its_size_is_read_within_the_templates_range(
    drafter_client: Any, filled: Submission
) -> None:
    """The size a file declares can lie: the reading itself stops at the template's range,
    and what the table holds is imported as usual."""
    content = _download(drafter_client, filled)
    book, ws = _sheet(content)
    ws[f"{COLUMN['demand']}{_row(ws, line_by_code(filled, '1.2').display_label)}"] = 77
    ws["D1048576"] = 5
    with zipfile.ZipFile(io.BytesIO(_save(book))) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    # Declare the size the download had: a lying <dimension>, as a hand-made file could.
    sheet_xml = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = re.sub(
        r'<dimension ref="A1:[A-Z]+1048576"/>', '<dimension ref="A1:Z40"/>', sheet_xml
    ).encode()
    assert parts["xl/worksheets/sheet1.xml"] != sheet_xml.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    response = _upload(drafter_client, filled, out.getvalue())
    assert "Đã nhập tệp Excel: 1 dòng thay đổi." in _page(response)
    assert figures(line_by_code(filled, "1.2")).demand == Decimal(77)


def test_reading_that_outlasts_the_time_box_is_refused(
    drafter_client: Any, filled: Submission, settings: Any
) -> None:
    settings.APPENDIX_IMPORT_SECONDS = 0
    before = _state(filled)
    response = _upload(drafter_client, filled, _download(drafter_client, filled))
    assert "Đọc tệp mất quá nhiều thời gian" in _page(response)
    assert _state(filled) == before


def test_cells_are_read_strictly_and_stored_composed(
    drafter_client: Any, filled: Submission
) -> None:
    """The import goes through the form's parser and NFC: decomposed Vietnamese is stored
    composed, and "12.34" typed as text in an amount cell is a message, not 12,34."""
    l12 = line_by_code(filled, "1.2")
    label = l12.display_label
    decomposed = unicodedata.normalize("NFD", "Hệ thống đất đai")
    content = _edit(_download(drafter_client, filled), {(label, "difficulties"): decomposed})
    assert "Đã nhập tệp Excel: 1 dòng thay đổi." in _page(_upload(drafter_client, filled, content))
    l12.refresh_from_db()
    assert figures(l12).difficulties == "Hệ thống đất đai"

    before = _state(filled)
    content = _edit(_download(drafter_client, filled), {(label, "spent"): "12.34"})
    page = _page(_upload(drafter_client, filled, content))
    assert "Viết phần nghìn theo nhóm ba chữ số, ngăn cách bằng “.”" in page
    assert _state(filled) == before
