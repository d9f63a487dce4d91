"""The national report's pages as their users see them: who may read, who may consolidate, and
what the coordinator reads after consolidating the demo."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from campaigns.models import Campaign
from core.enums import Role, Stage
from demo.data import HANOI_LINES, SCALE
from national.models import NationalVersion

from ..cast import Cast

CODE = "5137-btc-nsnn"
REPORT = reverse("national:report", kwargs={"code": CODE})
RUN = reverse("national:consolidate", kwargs={"code": CODE})


def vn(value: Decimal) -> str:
    """How the app writes an amount in Vietnamese: 1.234,5 (no trailing zeros)."""
    text = f"{value.normalize():,f}"
    whole, _, fraction = text.partition(".")
    return whole.replace(",", ".") + ("," + fraction if fraction else "")


def demo_total(field: str, codes: tuple[str, ...] = ("22", "92")) -> Decimal:
    """The demo's figures are Hà Nội's scaled per province, rounded to the thousand đồng."""
    return sum(
        (
            (Decimal(str(line[field])) * SCALE[code]).quantize(Decimal("0.001"))
            for code in codes
            for line in HANOI_LINES.values()
        ),
        Decimal(0),
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _urls(number: int = 1) -> list[str]:
    kwargs = {"code": CODE, "number": number}
    return [
        REPORT,
        reverse("national:index"),
        reverse("national:version", kwargs=kwargs),
        reverse("national:pdf", kwargs=kwargs),
        reverse("national:xlsx", kwargs=kwargs),
    ]


@pytest.fixture
def version(provinces: Any, cast: Cast, campaign: Campaign) -> NationalVersion:
    from national.services import consolidation_run

    provinces("01", Stage.CONSOLIDATION)
    return consolidation_run(actor=cast(Role.MINISTRY_COORDINATOR), campaign=campaign)


@pytest.mark.parametrize(
    "role", [Role.DRAFTER, Role.DEPARTMENT_REVIEWER, Role.PROVINCIAL_SIGNATORY]
)
def test_provincial_users_find_no_national_report(
    role: Role, cast: Cast, version: NationalVersion
) -> None:
    client = _client(cast(role, "01"))
    for url in [*_urls(), RUN]:
        response = client.post(url) if url == RUN else client.get(url)
        assert response.status_code == 404, url
    assert 'id="nav-national"' not in client.get(reverse("reviews:inbox")).content.decode()
    assert NationalVersion.objects.count() == 1


def test_a_ministry_checker_reads_every_version_but_cannot_consolidate(
    cast: Cast, version: NationalVersion, provinces: Any
) -> None:
    provinces("48", Stage.CONSOLIDATION)
    client = _client(cast(Role.MINISTRY_CHECKER, "48"))
    for url in _urls():
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        response.getvalue()  # the PDF is a stored file, closed once read
    page = client.get(REPORT).content.decode()
    assert 'id="nav-national"' in page
    assert 'id="consolidate"' not in page
    assert "Lãnh đạo Vụ thực hiện tổng hợp; bạn được xem mọi phiên bản." in page
    assert client.post(RUN).status_code == 404
    assert NationalVersion.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client: Client, version: NationalVersion) -> None:
    for url in _urls():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(RUN).status_code == 302
    assert NationalVersion.objects.count() == 1


def test_the_coordinator_consolidates_the_demo_and_reads_the_figures(db: None) -> None:
    call_command("load_demo", stdout=io.StringIO())
    client = _client(User.objects.get(username="dieuphoi"))
    before = client.get(REPORT).content.decode()
    assert "Chưa có báo cáo toàn quốc" in before
    assert "2 báo cáo đã được chấp nhận nhưng chưa có trong báo cáo toàn quốc" in before
    assert "Tỉnh Quảng Ninh" in before and "Thành phố Cần Thơ" in before

    response = client.post(RUN, follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse(
        "national:version", kwargs={"code": CODE, "number": 1}
    )
    assert (
        "Đã lập phiên bản 1 của báo cáo toàn quốc: thêm 2 báo cáo; báo cáo gồm 2/63 tỉnh, "
        "thành phố." in page
    )
    # Cần Thơ was consolidated by the run; Quảng Ninh on its own page before (the demo).
    assert "Quảng Ninh, Cần Thơ" in page
    for field in ("demand", "spent", "alloc_invest_separate"):
        assert f">{vn(demo_total(field))}<" in page, field
    allocated = sum(
        (
            demo_total(f)
            for f in (
                "alloc_invest_ctmt",
                "alloc_invest_self",
                "alloc_invest_separate",
                "alloc_recurrent_ctmt",
                "alloc_recurrent_self",
                "alloc_recurrent_separate",
            )
        ),
        Decimal(0),
    )
    assert f">{vn(allocated)}<" in page
    assert "Kho bạc Nhà nước từ chối chi: 4 trường hợp, tổng số tiền 675,27 triệu đồng" in page
    assert 'data-kind="spread-thin">2<' in page and 'data-kind="duplicated">0<' in page
    assert "Tỷ lệ toàn quốc và của từng tỉnh là bình quân gia quyền" in page
    # A text column is not summed: the summed table leaves it out, and section VI lists what
    # each province wrote in it, line by line.
    assert "col-status" not in page.split('id="national-table"')[1].split("</section>")[0]
    listing = page.split('id="listings"')[1].split("</section>")[0]
    assert "Thực trạng cơ sở vật chất so với mục tiêu, chủ trương về ứng dụng CNTT" in listing
    assert listing.index("Tỉnh Quảng Ninh") < listing.index("Thành phố Cần Thơ")
    assert "LGSP của Quảng Ninh đã kết nối" in listing
    assert "LGSP của Cần Thơ đã kết nối" in listing

    again = client.post(RUN, follow=True).content.decode()
    assert (
        "Không có gì để tổng hợp: chưa có báo cáo nào được chấp nhận thêm kể từ phiên bản 1. "
        "Báo cáo toàn quốc giữ nguyên." in again
    )
    assert NationalVersion.objects.count() == 1


def test_an_older_version_says_so(
    provinces: Any, cast: Cast, version: NationalVersion, campaign: Campaign
) -> None:
    from national.services import consolidation_run

    provinces("48", Stage.CONSOLIDATION)
    consolidation_run(actor=cast(Role.MINISTRY_COORDINATOR), campaign=campaign)
    client = _client(cast(Role.MINISTRY_COORDINATOR))
    old = client.get(version.get_absolute_url()).content.decode()
    assert (
        "Bạn đang xem phiên bản 1, đúng như khi được tổng hợp; phiên bản mới nhất là phiên bản 2."
        in old
    )
    assert (
        client.get(reverse("national:version", kwargs={"code": CODE, "number": 3})).status_code
        == 404
    )


def test_the_report_page_costs_the_same_queries_for_two_provinces_or_four(
    provinces: Any, cast: Cast, campaign: Campaign
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from national.services import consolidation_run

    client = _client(cast(Role.MINISTRY_COORDINATOR))
    coordinator = cast(Role.MINISTRY_COORDINATOR)
    counts = []
    for codes in (["01"], ["48"], ["31", "92"]):
        for code in codes:
            provinces(code, Stage.CONSOLIDATION)
        version = consolidation_run(actor=coordinator, campaign=campaign)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(version.get_absolute_url()).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[1] == counts[2], counts  # version 1 has no previous version to compare
