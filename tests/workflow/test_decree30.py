"""Official documents in the forms of Decree 30/2020/NĐ-CP, Appendix I: the date line
("ngày 03 tháng 5 năm 2020"), page numbers centred in the top margin from page 2, and the
letter's number and symbol never split across lines."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import translation

from core.enums import Stage
from core.templatetags.decree30 import decree_date
from receipts import pdf
from receipts.models import Receipt
from submissions.models import Submission

from ..cast import Cast, drive_to
from ..pdfwords import MM, Page, pages


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2020, 5, 3), "ngày 03 tháng 5 năm 2020"),
        (datetime.date(2020, 12, 3), "ngày 03 tháng 12 năm 2020"),
        (datetime.date(2020, 2, 29), "ngày 29 tháng 02 năm 2020"),
        (datetime.date(2021, 1, 10), "ngày 10 tháng 01 năm 2021"),
        (datetime.date(2020, 3, 9), "ngày 09 tháng 3 năm 2020"),
        (datetime.date(2020, 10, 31), "ngày 31 tháng 10 năm 2020"),
        # An aware time is read in Việt Nam: 18:30 UTC on 2 May is 01:30 on 3 May there.
        (datetime.datetime(2020, 5, 2, 18, 30, tzinfo=datetime.UTC), "ngày 03 tháng 5 năm 2020"),
    ],
)
def test_the_date_line_is_written_as_the_decree_prints_it(
    day: datetime.date, expected: str
) -> None:
    with translation.override("vi"):
        assert decree_date(day) == expected


def test_every_day_of_the_year_has_two_digits_and_only_january_and_february_a_zero() -> None:
    """Days 1 to 31 of every month of a leap year."""
    day = datetime.date(2020, 1, 1)
    seen_days: set[str] = set()
    with translation.override("vi"):
        while day.year == 2020:
            match = re.fullmatch(r"ngày (\d+) tháng (\d+) năm 2020", decree_date(day))
            assert match, day
            assert int(match[1]) == day.day and len(match[1]) == 2, day
            assert int(match[2]) == day.month, day
            assert len(match[2]) == (2 if day.month <= 2 else len(str(day.month))), day
            seen_days.add(match[1])
            day += datetime.timedelta(days=1)
    assert len(seen_days) == 31
    assert decree_date(None) == ""


def _top_number(page: Page, top_margin_mm: float) -> str | None:
    """The page number in the top margin, if any, checked to be centred on the page."""
    words = [w for w in page.words if w.y1 < top_margin_mm * MM]
    if not words:
        return None
    assert len(words) == 1, [w.text for w in words]
    (word,) = words
    assert abs((word.x0 + word.x1) / 2 - page.width / 2) < 10 * MM, word
    return word.text


def test_the_receipt_dates_its_line_the_decree_way_and_keeps_the_number_whole(
    hanoi: Submission, cast: Cast
) -> None:
    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    receipt = Receipt.objects.get(submission=hanoi)
    receipt.at = datetime.datetime(2020, 12, 3, 9, 15, tzinfo=pdf.VN)
    (page,) = pages(pdf.render_receipt(receipt))
    lines = page.text_lines()
    assert "5137/BTC-NSNN" in lines  # the issuer's second line, whole
    assert "Hà Nội, ngày 03 tháng 12 năm 2020" in lines
    assert not any(line.endswith("BTC-") for line in lines), lines


def test_the_report_numbers_its_pages_top_centre_from_page_two(
    hanoi: Submission, cast: Cast
) -> None:
    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    hanoi.refresh_from_db()
    document = pages(pdf.render_report(hanoi))
    assert len(document) >= 3
    assert _top_number(document[0], 20) is None
    for page in document[1:]:
        landscape = page.width > page.height
        assert _top_number(page, 15 if landscape else 20) == str(page.number)
        # and nothing but text at the foot: no number left at the bottom
        assert not [w for w in page.words if w.y0 > page.height - 12 * MM and w.text.isdigit()]
    today = decree_date(datetime.date.today())
    assert any(line.endswith(today) for line in document[0].text_lines()), today
