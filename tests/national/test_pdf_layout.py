"""The national report's PDF as printed: amounts at national scale whole in their cells,
no heading or province's name left alone at the foot of a page, and the summed appendix's
footnotes matching its columns (page, PDF and Excel alike).

Five provinces with answers of a paragraph or two fill about fifteen pages of part V, so
page breaks fall in many places; their amounts make national totals of 17 characters.
"""

from __future__ import annotations

import io
import itertools
import random
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from campaigns.models import Campaign
from core.enums import Role, Stage
from national import selectors
from national.models import NationalVersion
from national.pdf import render_national_report
from national.services import consolidation_run
from national.xlsx import national_workbook
from submissions import selectors as content
from submissions import services
from submissions.models import Submission
from submissions.templatetags.appendix import amount

from ..cast import Cast
from ..pdfwords import Page, pages
from .conftest import advance

CODES = ("01", "48", "31", "92", "22")
WORDS = (
    "đánh",
    "giá",
    "việc",
    "bố",
    "trí",
    "và",
    "sử",
    "dụng",
    "kinh",
    "phí",
    "ứng",
    "công",
    "nghệ",
)


def _national_scale(submission: Submission, cast: Cast) -> None:
    """Amounts a national total reaches with the big provinces: 987.654.321,987 million
    đồng of demand on a line; and answers of one or two paragraphs of about three lines
    (paragraphs that orphans and widows keep whole)."""
    drafter = cast(Role.DRAFTER, submission.unit.code)
    rng = random.Random(int(submission.unit.code))  # noqa: S311 - test text, not secrets
    submission.refresh_from_db()
    big = {
        "demand": Decimal("987654321.987"),
        **{
            f"alloc_{kind}_{source}": Decimal("20000000.001")
            for kind in ("invest", "recurrent")
            for source in ("ctmt", "self", "separate")
        },
        "spent": Decimal("100000000.5"),
        "vs_demand_pct": Decimal(50),
        "vs_resolution17_pct": Decimal(60),
        "infrastructure_status": "Đáp ứng mục tiêu của nhiệm vụ",
    }
    services.appendix_save(
        actor=drafter,
        submission=submission,
        revision=submission.revision,
        values={line.pk: big for line in submission.lines.all()},
    )
    submission.refresh_from_db()
    points = [p for s in content.outline(submission.campaign) for p in s.points.all()]
    services.narrative_save(
        actor=drafter,
        submission=submission,
        revision=submission.revision,
        answers={
            p.pk: f"{submission.unit.name}: đánh giá mục {p.code}. " * rng.randint(4, 8)
            for p in points
        },
        treasury_refusal_count=0,
        treasury_refusal_amount=None,
        treasury_refusal_note="",
        problem_kinds=[],
    )


@pytest.fixture
def version(
    provinces: Callable[..., Submission], cast: Cast, campaign: Campaign
) -> NationalVersion:
    for code in CODES:
        submission = provinces(code, Stage.DRAFTING)
        _national_scale(submission, cast)
        advance(submission, Stage.CONSOLIDATION, cast)
    return consolidation_run(actor=cast(Role.MINISTRY_COORDINATOR), campaign=campaign)


@pytest.fixture
def printed(version: NationalVersion) -> list[Page]:
    return pages(render_national_report(version))


def _appendix_pages(document: list[Page]) -> list[Page]:
    start = next(p.number for p in document if "PHỤ LỤC 1" in p.text_lines())
    end = next(p.number for p in document if "PHỤ LỤC 2" in p.text_lines())
    return document[start - 1 : end - 1]


def test_national_amounts_stay_whole_in_their_cells(
    version: NationalVersion, printed: list[Page]
) -> None:
    with translation.override("vi"):
        table = selectors.national_table(version)
        figures = {
            amount(row.figures.get(col.field))
            for row in table
            for col in selectors.summed_columns(version.campaign).leaves
            if col.kind in ("amount", "sum")
        } - {""}
    assert max(len(f) for f in figures) >= 17, figures  # 1.234.567.890,123 and the like
    appendix = _appendix_pages(printed)
    words = {w.text for page in appendix for w in page.words}
    assert figures <= words, sorted(figures - words)  # each on one line, in one piece
    for page in appendix:
        for line in page.lines():
            for left, right in itertools.pairwise(line):
                assert left.x1 <= right.x0, (page.number, left, right)  # no overprinting


def test_no_page_ends_with_a_heading_or_a_provinces_name(
    version: NationalVersion, printed: list[Page]
) -> None:
    names = {f"{p.unit.full_name}:" for p in version.provinces.select_related("unit")}
    body = [p for p in printed if p.width < p.height]
    assert len(body) >= 8  # enough page breaks to tell
    last_lines = [  # the page's number aside, wherever it is printed
        [line for line in page.text_lines() if line != str(page.number)][-1] for page in body[:-1]
    ]
    assert not [line for line in last_lines if line in names], last_lines
    headings = re.compile(r"^(?:[IVX]+\. |\d\.\d\. |[a-zđ]\) |\([ivx]+\) )")
    assert not [line for line in last_lines if headings.match(line)], last_lines


def test_the_summed_appendix_prints_the_footnotes_of_its_columns_only(
    cast: Cast, version: NationalVersion, printed: list[Page]
) -> None:
    appendix = [line for page in _appendix_pages(printed) for line in page.text_lines()]
    assert any(line.startswith("(*): Đề nghị chi tiết chi đầu tư") for line in appendix)
    assert not [line for line in appendix if "(**)" in line], appendix

    client = Client()
    client.force_login(cast(Role.MINISTRY_COORDINATOR))
    page = client.get(
        reverse("national:version", kwargs={"code": version.campaign.code, "number": 1})
    ).content.decode()
    section = page[page.index('id="national-table"') : page.index('id="allocation"')]
    assert "(*):</strong> Đề nghị chi tiết" in section
    assert "(**)" not in section

    # The workbook keeps the letter's whole header, the empty (**) column too: both notes.
    sheet = load_workbook(io.BytesIO(national_workbook(version))).worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert "Đã hoàn thành (**)" in cells
    assert [c[:5] for c in cells if c.startswith("(")] == ["(*): ", "(**):"]
