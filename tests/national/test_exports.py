"""The national report's downloads: an Excel workbook that reopens with the letter's merged
header, number formats, frozen header rows and the totals; a PDF whose text reads, in
Vietnamese, the headings and the totals with Vietnamese separators."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from campaigns.models import Campaign
from core.enums import Role, Stage
from national.models import NationalVersion
from national.services import consolidation_run
from submissions.models import Submission

from ..cast import Cast
from .test_pages import vn
from .test_report import expected, frozen_lines


@pytest.fixture
def version(
    provinces: Callable[..., Submission], cast: Cast, campaign: Campaign
) -> NationalVersion:
    provinces("01", Stage.CONSOLIDATION)
    provinces("48", Stage.CONSOLIDATION, own=False)
    provinces("31", Stage.CONSOLIDATION)
    return consolidation_run(actor=cast(Role.MINISTRY_COORDINATOR), campaign=campaign)


def _download(cast: Cast, version: NationalVersion, kind: str) -> bytes:
    client = Client()
    client.force_login(cast(Role.MINISTRY_COORDINATOR))
    response = client.get(
        reverse(f"national:{kind}", kwargs={"code": version.campaign.code, "number": 1})
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="bao-cao-toan-quoc-5137-v1.{kind}"'
    )
    return response.getvalue()  # the workbook, or the stored PDF read (and closed)


def test_the_workbook_reopens_with_the_letters_header_formats_and_totals(
    cast: Cast, version: NationalVersion
) -> None:
    book = load_workbook(io.BytesIO(_download(cast, version, "xlsx")))
    assert book.sheetnames == [
        "Phụ lục tổng hợp",
        "Nguồn kinh phí",
        "Các tỷ lệ",
        "Tồn tại, hạn chế",
        "Các tỉnh",
        "Ý kiến đánh giá",
        "Cột thuyết minh",
    ]
    sheet = book["Phụ lục tổng hợp"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    width = sheet.max_column
    assert width == 23  # every leaf of the letter's header, text columns included
    cells = {
        sheet.cell(r, c).value: sheet.cell(r, c).coordinate
        for r in range(4, 8)
        for c in range(1, width + 1)
        if sheet.cell(r, c).value
    }
    # The letter's three levels and footnote (*)'s detail: STT and Nhiệm vụ span the whole
    # header; "Nguồn lực" spans demand and the seven allocation columns.
    assert cells["STT"] == "A4" and "A4:A7" in merged
    assert cells["Nhiệm vụ"] == "B4" and "B4:B7" in merged
    assert cells["Nguồn lực"] == "D4" and "D4:K4" in merged
    assert cells["Kinh phí đã bố trí (*)"] == "E5" and "E5:K5" in merged
    assert cells["Chi đầu tư"] == "F6" and "F6:H6" in merged
    assert sheet.cell(7, 6).value == "Nguồn từ CTMT CNTT"
    assert cells["Nghiệm thu sản phẩm"] == "M4" and "M4:R4" in merged
    assert cells["Tỷ lệ đạt so với mục tiêu/thiết kế"] == "Q5" and "Q5:R5" in merged
    status = "Thực trạng cơ sở vật chất so với mục tiêu, chủ trương về ứng dụng CNTT, CPĐT"
    assert cells[status] == "S4" and "S4:S7" in merged
    assert cells["Hiệu suất sử dụng trang thiết bị"] == "T4" and "T4:V5" in merged
    assert sheet.freeze_panes == "C8"

    labels = [sheet.cell(r, 2).value for r in range(8, 8 + 30)]
    total_row = 8 + labels.index("Tổng cộng toàn quốc")
    want = expected(frozen_lines(version))
    # Each leaf column by its own label: the lowest header cell that has one.
    header = {
        next(sheet.cell(r, c).value for r in (7, 6, 5, 4) if sheet.cell(r, c).value): c
        for c in range(1, width + 1)
    }
    for label, field in (("Nhu cầu", "demand"), ("Kinh phí đã thực hiện", "spent")):
        cell = sheet.cell(total_row, header[label])
        assert Decimal(str(cell.value)) == want[field]
        assert cell.number_format == "#,##0.000"
    allocated = sheet.cell(total_row, header["Tổng số"])
    assert Decimal(str(allocated.value)) == want["allocated"]
    vs_demand = sheet.cell(total_row, header["So với nhu cầu"])
    assert vs_demand.number_format == "0.00%"
    assert Decimal(str(vs_demand.value)) * 100 == want["vs_demand_pct"]
    assert sheet.cell(total_row, 2).font.bold

    provinces = book["Các tỉnh"]
    assert provinces.freeze_panes == "C4"
    assert provinces["B3"].value == "Tỉnh"
    rows = {provinces.cell(r, 1).value: r for r in range(4, 4 + 63)}
    assert len(rows) == 63
    assert provinces.cell(rows["01"], 3).value == "có"
    assert provinces.cell(rows["79"], 3).value == "chưa"
    assert provinces.cell(rows["01"], 8).number_format == "dd/mm/yyyy hh:mm"
    national_row = max(rows.values()) + 1
    assert provinces.cell(national_row, 2).value == "Tổng cộng toàn quốc"
    assert Decimal(str(provinces.cell(national_row, 11).value)) == want["spent"]

    narrative = book["Ý kiến đánh giá"]
    assert narrative.max_row == 3 + 3 * 12  # 12 outline points, 3 provinces

    # The text column is listed province by province and line by line, never summed.
    texts = book["Cột thuyết minh"]
    listed = [
        tuple(texts.cell(r, c).value for c in range(1, 5)) for r in range(4, texts.max_row + 1)
    ]
    assert listed == [
        (status, province, label, text) for province, label, text in _statuses(version)
    ]
    assert len({province for _, province, _, _ in listed}) == 3


def _statuses(version: NationalVersion) -> list[tuple[str, str, str]]:
    """(province, appendix line, text) for every line of the accepted content with a text."""
    return [
        (p.unit.full_name, line["label"].rstrip(". "), line["infrastructure_status"])
        for p in version.provinces.filter(status="included").order_by("unit__code")
        if p.submission_version is not None
        for line in p.submission_version.content["lines"]
        if line["infrastructure_status"]
    ]


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_reads_in_vietnamese_with_its_totals(cast: Cast, version: NationalVersion) -> None:
    data = _download(cast, version, "pdf")
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    flat = re.sub(r"\s+", " ", text)
    for heading in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BÁO CÁO TỔNG HỢP TOÀN QUỐC",
        "Kính gửi: Thủ tướng Chính phủ",
        "I. Tình hình tổng hợp báo cáo",
        "III. Tỷ lệ đạt và hiệu suất sử dụng trang thiết bị",
        "V. Ý kiến đánh giá của các địa phương theo đề cương",
        "PHỤ LỤC 1",
        "TỔNG HỢP SỐ LIỆU PHỤ LỤC CỦA CÁC TỈNH, THÀNH PHỐ",
        "PHỤ LỤC 2",
        "Tổng cộng toàn quốc",
    ):
        assert heading in flat, heading
    want = expected(frozen_lines(version))
    for field in ("demand", "allocated", "spent"):
        figure = vn(want[field])
        assert re.search(r"\d\.\d{3},\d", figure), figure  # it has both Vietnamese separators
        assert figure in flat, (field, figure)
    rate = f"{want['spent_vs_allocated']:.2f}".replace(".", ",") + "%"
    assert f"bằng {rate} kinh phí đã bố trí" in flat
    assert "Hà Nội: đánh giá mục 2.4.iii" in flat
    assert "VI. Nội dung các cột thuyết minh của phụ lục, theo từng tỉnh, thành phố" in flat
    province, label, text = _statuses(version)[0]
    assert f"{province}: {label}: {text}" in flat
