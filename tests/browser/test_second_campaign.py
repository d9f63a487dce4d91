"""The demo's second campaign, defined only as data (a letter of 2025 to the 34 units of 2025,
its process without a review inside the unit), driven end to end in a real browser, in
Vietnamese: the drafter fills the appendix (the text column too) and the narrative and submits,
the People's Committee signs off, the ministry accepts, the coordinator consolidates; the
receipts are read; then the national report, its PDF and its Excel are checked against what was
entered, each measure put together as the definition says."""

from __future__ import annotations

import io
import re
import typing
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook
from pypdf import PdfReader

from campaigns import definition
from campaigns.models import Campaign
from core.enums import Role
from demo.data import SECOND_FILE, read_definition
from submissions.models import Submission
from workflow.lifecycle import campaign_open
from workflow.services import role_grant

from ..factories import UserFactory
from ..pdfwords import pages
from .conftest import ARTIFACTS
from .session import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNIT = "91"  # An Giang, one of the 34 units of 2025
UNIT_NAME = "Tỉnh An Giang"

# What the drafter types, row by row, as a Vietnamese user types it: allocated for
# investment and for recurrent spending, disbursed, share of the work done, systems merged,
# in operation, difficulties (the one text column).
TYPED: dict[str, tuple[str, str, str, str, str, str, str]] = {
    "1.1": ("1.000", "200", "900", "80", "2", "true", "Hai trung tâm dữ liệu khác công nghệ"),
    "1.2": ("500", "100", "300", "50", "0", "false", ""),
    "1.3": ("0", "300", "300", "100", "1", "true", ""),
    "2.1": ("800", "0", "200", "25", "3", "false", "Dữ liệu hộ tịch chưa thống nhất"),
    "2.2": ("250,5", "49,5", "100", "60", "0", "true", ""),
}
MEASURES = (
    "alloc_invest",
    "alloc_recurrent",
    "disbursed",
    "progress_pct",
    "systems_merged",
    "in_operation",
    "difficulties",
)
GROUPS = {
    "Hạ tầng số và nền tảng dùng chung": ("1.1", "1.2", "1.3"),
    "Dữ liệu và ứng dụng": ("2.1", "2.2"),
}


def _number(typed: str) -> Decimal:
    return Decimal(typed.replace(".", "").replace(",", "."))


def expected(rows: tuple[str, ...]) -> dict[str, Decimal]:
    """Each measure of ``rows`` put together as the definition says: amounts and the integer
    summed (and the sum of the two allocations), the share of work done weighted by the money
    disbursed, the flag counted where it says yes."""
    figures = {
        key: sum((_number(TYPED[r][i]) for r in rows), Decimal(0))
        for i, key in enumerate(MEASURES[:3])
    }
    figures["allocated"] = figures["alloc_invest"] + figures["alloc_recurrent"]
    figures["systems_merged"] = sum((_number(TYPED[r][4]) for r in rows), Decimal(0))
    figures["progress_pct"] = (
        sum((_number(TYPED[r][2]) * _number(TYPED[r][3]) for r in rows), Decimal(0))
        / figures["disbursed"]
    )
    figures["in_operation"] = Decimal(sum(1 for r in rows if TYPED[r][5] == "true"))
    return figures


@pytest.fixture
def second(live_app: Any) -> Campaign:
    """The demo's letter loaded as an upload and opened by a campaign administrator, with a
    drafter and a signatory for An Giang, a ministry checker and the coordinator."""
    campaign = definition.load(read_definition(SECOND_FILE))
    administrator = typing.cast(User, UserFactory(username="quantri"))
    role_grant(user=administrator, role=Role.CAMPAIGN_ADMINISTRATOR)
    assert campaign_open(actor=administrator, campaign=campaign) == 34
    unit = campaign.units.get(code=UNIT)
    for username, role, units in (
        ("ag.drafter", Role.DRAFTER, [unit]),
        ("ag.signatory", Role.PROVINCIAL_SIGNATORY, [unit]),
        ("checker", Role.MINISTRY_CHECKER, list(campaign.units.all())),
        ("coordinator", Role.MINISTRY_COORDINATOR, []),
    ):
        role_grant(user=typing.cast(User, UserFactory(username=username)), role=role, units=units)
    return campaign


def _open(page: Any) -> None:
    page.locator("#inbox-available a, #inbox-assigned a", has_text=UNIT_NAME).first.click()


def _press(page: Any, action: str) -> str:
    page.click(f"#do-{action}")
    return page.locator(".alert").first.inner_text()


def _receipt(page: Any, number: int) -> str:
    """The text of the submission page's receipt ``number``, downloaded as a user would."""
    with page.expect_download() as download:
        page.click(f"#receipt-{number}")
    assert download.value.suggested_filename == f"bien-nhan-{number:04d}-{UNIT}.pdf"
    return "\n".join(p.extract_text() for p in PdfReader(download.value.path()).pages)


def _vn(value: Decimal, places: int = 3) -> str:
    """A figure as the pages write it: Vietnamese separators, no trailing zeros."""
    text = f"{value.quantize(Decimal(1).scaleb(-places)):,f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def test_the_second_campaign_from_draft_to_national_report(
    page: Any, live_app: Any, second: Campaign
) -> None:
    base = live_app.url
    submission = Submission.objects.get(campaign=second, unit__code=UNIT)
    lines = {line.row.code: line for line in submission.lines.select_related("row") if line.row}

    # The drafter fills the appendix: amounts, a share, a whole number, a yes/no, a text.
    sign_in(page, base, "ag.drafter")
    _open(page)
    assert page.locator("#stage").inner_text() == "Đang soạn thảo"
    page.goto(f"{base}/submissions/{submission.pk}/appendix/")
    for code, typed in TYPED.items():
        prefix = f"#id_l{lines[code].pk}-"
        for key, value in zip(MEASURES, typed, strict=True):
            if key == "in_operation":
                page.select_option(prefix + key, value)
            elif value:
                page.fill(prefix + key, value)
    page.click("#save-appendix")
    assert page.locator(".alert-success").inner_text() == "Đã lưu phụ lục."
    total = expected(tuple(TYPED))
    assert page.locator("#grand-total td[data-key=allocated-total]").inner_text() == _vn(
        total["allocated"]
    )
    difficulty = page.locator(f"#id_l{lines['2.1'].pk}-difficulties")
    assert difficulty.input_value() == "Dữ liệu hộ tịch chưa thống nhất"

    # The narrative: its own outline, and no fact its letter does not ask (no Treasury).
    page.goto(f"{base}/submissions/{submission.pk}/narrative/")
    assert page.locator("#facts-treasury").count() == 0
    assert page.locator("#facts-problems").count() == 0
    for section in second.sections.prefetch_related("points"):
        for point in section.points.all():
            page.fill(f"#point-{point.pk}", f"Đánh giá của tỉnh cho nội dung {point.code}.")
    page.click("#save-narrative")
    assert page.locator(".alert-success").inner_text() == "Đã lưu phần thuyết minh."

    # The overview totals the letter's own amounts; then the drafter submits.
    page.goto(f"{base}/submissions/{submission.pk}/")
    assert page.locator("#readiness-badge").inner_text() == "Sẵn sàng trình"
    assert page.locator("#total-allocated").inner_text() == _vn(total["allocated"])
    assert page.locator("#total-disbursed").inner_text() == _vn(total["disbursed"])
    assert page.locator("#total-demand").count() == 0
    assert _press(page, "submit") == "Đã trình duyệt hồ sơ báo cáo."
    # No review inside the unit: the report goes straight to the People's Committee.
    assert page.locator("#stage").inner_text() == "UBND tỉnh ký duyệt"

    for username, action, stage in [
        ("ag.signatory", "sign", "Bộ Tài chính kiểm tra"),
        ("checker", "accept", "Chờ tổng hợp"),
    ]:
        sign_in(page, base, username)
        _open(page)
        buttons = [b.inner_text() for b in page.locator("#actions button").all()]
        assert "Phê duyệt" not in buttons  # nobody approves for a department here
        _press(page, action)
        assert page.locator("#stage").inner_text() == stage

    # Every step has its receipt, numbered within the campaign, as the unit's people read it.
    page.goto(f"{base}/submissions/{submission.pk}/")
    rows = page.locator("#timeline li").all_inner_texts()
    assert len(rows) == 3
    assert "Trình duyệt" in rows[0] and "Đang soạn thảo → UBND tỉnh ký duyệt" in rows[0]
    assert "UBND tỉnh ký duyệt → Bộ Tài chính kiểm tra" in rows[1]
    assert "Bộ Tài chính kiểm tra → Chờ tổng hợp" in rows[2]
    text = _receipt(page, 3)
    for fragment in (
        "BỘ TÀI CHÍNH",
        "Số: 0003/BN-11250",
        "BIÊN NHẬN",
        UNIT_NAME,
        "11250/BTC-NSNN",
        "Bộ Tài chính kiểm tra",
        "Chờ tổng hợp",
    ):
        assert fragment in text, fragment
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "second-campaign-accepted.png"), full_page=True)

    # --- The national report (national/, being rewritten to read the definition) ----------
    # The consolidation run, then each figure a user reads in the summed table, the PDF and
    # the Excel, per group and in total, put together as the definition says. Every mismatch
    # of a figure is listed, not just the first.
    # The coordinator consolidates from the national report: An Giang waits for it.
    sign_in(page, base, "coordinator")
    page.goto(f"{base}/national/{second.code}/")
    assert page.locator("#pending-units").inner_text() == UNIT_NAME
    page.click("#consolidate")
    assert page.locator(".alert").first.inner_text() == (
        "Đã lập phiên bản 1 của báo cáo toàn quốc: thêm 1 báo cáo; "
        "báo cáo gồm 1/34 tỉnh, thành phố."
    )
    page.goto(f"{base}/submissions/{submission.pk}/")
    assert page.locator("#stage").inner_text() == "Đã tổng hợp"
    rows = page.locator("#timeline li").all_inner_texts()
    assert len(rows) == 4
    assert "Tổng hợp" in rows[-1] and "Chờ tổng hợp → Đã tổng hợp" in rows[-1]
    text = _receipt(page, 4)
    for fragment in ("Số: 0004/BN-11250", UNIT_NAME, "Tổng hợp", "Đã tổng hợp"):
        assert fragment in text, fragment
    page.goto(f"{base}/national/{second.code}/")
    failures = _national_page(page) + _national_files(page)
    assert not failures, "\n".join(failures)


# What the national table shows in each measure's column, by the column's key.
COLUMNS = {
    "allocated-total": "allocated",
    "alloc-invest": "alloc_invest",
    "alloc-recurrent": "alloc_recurrent",
    "disbursed": "disbursed",
    "progress": "progress_pct",
    "systems": "systems_merged",
    "in-operation": "in_operation",
}


def _close(shown: str, value: Decimal, *, places: int) -> bool:
    """``shown`` is ``value`` as a page writes it, at most ``places`` decimals (1.234,5 or
    71,11%)."""
    number = re.search(r"-?[\d.]+(?:,\d+)?", shown)
    if number is None:
        return False
    return abs(_number(number.group()) - value) <= Decimal(1).scaleb(-places) / 2 + Decimal(
        "0.0001"
    )


def _national_page(page: Any) -> list[str]:
    failures: list[str] = []
    table = page.locator("#national-table")
    targets = {label: expected(rows) for label, rows in GROUPS.items()}
    found = {
        label: table.locator("tr", has=page.locator("th", has_text=label)) for label in targets
    }
    found["total"] = table.locator("tr.row-total")
    targets["total"] = expected(tuple(TYPED))
    for label, row in found.items():
        if row.count() != 1:
            failures.append(f"national table: no single row for {label!r}")
            continue
        for column, key in COLUMNS.items():
            cell = row.locator(f"td[data-key={column}]")
            shown = cell.inner_text() if cell.count() == 1 else "(no cell)"
            places = 1 if key == "progress_pct" else 3
            if not _close(shown, targets[label][key], places=places):
                failures.append(
                    f"national table, {label}, {key}: shows {shown!r}, "
                    f"expected {_vn(targets[label][key], places)}"
                )
    # The text column is listed, unit by unit.
    narrative = page.locator("main").inner_text()
    for difficulty in ("Hai trung tâm dữ liệu khác công nghệ", "Dữ liệu hộ tịch chưa thống nhất"):
        if difficulty not in narrative:
            failures.append(f"national page: the difficulty {difficulty!r} is not listed")
    return failures


def _national_files(page: Any) -> list[str]:
    failures: list[str] = []
    total = expected(tuple(TYPED))
    figures = [_vn(total[k]) for k in ("allocated", "alloc_invest", "alloc_recurrent", "disbursed")]

    with page.expect_download() as download:
        page.click("#download-pdf")
    pdf = download.value.path().read_bytes()
    lines = [line for p in pages(pdf) for line in p.text_lines()]
    # The grand total's amounts on one line of the summed table.
    if not any(all(f in line.split() for f in figures) for line in lines):
        failures.append(f"national PDF: no line holds the grand total's amounts {figures}")
    progress = _vn(total["progress_pct"], 1)
    if not any(progress in line for line in lines):
        failures.append(f"national PDF: the weighted share of work done {progress} is missing")

    with page.expect_download() as download:
        page.click("#download-xlsx")
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()), data_only=True)
    texts = {
        v for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
    }
    # The yes / no column's note names this campaign's column, not the first campaign's.
    if "“Đã đưa vào vận hành”: số dòng (nhiệm vụ) của phụ lục trả lời “có”." not in texts:
        failures.append("national Excel: the note on the yes / no column is missing")
    wanted = {label: expected(rows) for label, rows in GROUPS.items()}  # a group's row, by label
    seen: dict[str, list[Decimal]] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for label in wanted:
                if label in row:
                    seen.setdefault(
                        label,
                        [
                            Decimal(str(v))
                            for v in row
                            if isinstance(v, int | float) and not isinstance(v, bool)
                        ],
                    )
    for label, figures_of in wanted.items():
        numbers = seen.get(label)
        if numbers is None:
            failures.append(f"national Excel: no row for {label!r}")
            continue
        for key in ("allocated", "alloc_invest", "alloc_recurrent", "disbursed", "systems_merged"):
            if not any(abs(n - figures_of[key]) < Decimal("0.001") for n in numbers):
                failures.append(
                    f"national Excel, {label}, {key}: {figures_of[key]} not in {numbers}"
                )
        # A share is written as a fraction of 1 with a percent format (78% is 0.78).
        share = figures_of["progress_pct"] / 100
        if not any(abs(n - share) < Decimal("0.0001") for n in numbers):
            failures.append(
                f"national Excel, {label}, progress_pct: {figures_of['progress_pct']:.2f} "
                f"not in {numbers}"
            )
    return failures
