"""A drafter fills and saves the appendix and the narrative in a real browser, in Vietnamese."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import pytest
from django.contrib.auth.models import User

from campaigns.models import Campaign
from core.enums import Role
from workflow.services import role_grant, submission_start

from ..factories import UserFactory
from ..helpers import figures
from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hanoi_drafter(live_app: Any) -> Any:
    campaign = Campaign.objects.get(code="5137-btc-nsnn")
    unit = campaign.units.get(code="01")
    submission = submission_start(campaign=campaign, unit=unit)
    user = cast(
        User, UserFactory(username="hn.soanthao", first_name="Chuyên viên", last_name="Hà Nội")
    )
    role_grant(user=user, role=Role.DRAFTER, units=[unit])
    return submission


def _log_in(page: Any, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    assert page.locator("h1").inner_text() == "Đăng nhập"
    page.fill("#id_username", "hn.soanthao")
    page.fill("#id_password", "secret-password")
    page.click("form button[type=submit].w-100")


def test_drafter_fills_the_appendix_and_sees_totals_and_completeness(
    page: Any, live_app: Any, hanoi_drafter: Any
) -> None:
    submission = hanoi_drafter
    _log_in(page, live_app.url)
    assert "Thành phố Hà Nội" in page.locator("#inbox-available").inner_text()
    page.click("#inbox-available >> text=Thành phố Hà Nội")
    assert page.locator("#readiness-badge").inner_text() == "Còn 24 nội dung cần hoàn thiện"

    page.click("text=Biểu phụ lục")
    # The sticky header keeps the letter's tree: every node sits above the nodes under it,
    # column 13 ("Thực trạng") runs the header's full height beside "Tỷ lệ đạt".
    boxes = page.locator("#appendix thead th").evaluate_all(
        "cells => Object.fromEntries(cells.map(c => [c.className.split(' ')[0],"
        " [c.getBoundingClientRect().top, c.getBoundingClientRect().bottom]]))"
    )
    for parent, child in (
        ("col-acceptance", "col-achievement"),
        ("col-achievement", "col-vs-demand"),
        ("col-resources", "col-allocated"),
        ("col-allocated", "col-alloc-invest"),
        ("col-alloc-invest", "col-alloc-invest-ctmt"),
    ):
        assert boxes[child][0] >= boxes[parent][1] - 1, (parent, child, boxes)
    assert boxes["col-status"][0] == boxes["col-acceptance"][0]
    assert boxes["col-status"][1] == boxes["col-alloc-invest-ctmt"][1]
    line = submission.lines.get(row__code="1.1")
    other = submission.lines.get(row__code="1.2")
    prefix, other_prefix = f"#id_l{line.pk}-", f"#id_l{other.pk}-"
    values = {
        "demand": "1.500,5",
        "alloc_invest_ctmt": "100",
        "alloc_invest_self": "200,25",
        "alloc_invest_separate": "300",
        "alloc_recurrent_ctmt": "0",
        "alloc_recurrent_self": "50",
        "alloc_recurrent_separate": "0",
        "spent": "600,75",
        "vs_demand_pct": "40",
        "vs_resolution17_pct": "55,5",
        "infrastructure_status": "Đủ máy tính cho cán bộ cấp tỉnh; cấp xã còn thiếu",
        "use_as_designed_pct": "90",
        "unused_pct": "10",
        "unused_reason": "Máy chủ cũ hỏng chờ thanh lý",
        "basis": "Quyết định phê duyệt kế hoạch ứng dụng CNTT",
    }
    for name, typed in values.items():
        page.fill(prefix + name, typed)
    page.fill(other_prefix + "spent", "99,25")
    # The preview of the totals follows the typing, before anything is saved.
    group = page.locator("tr.row-group").first
    assert group.locator("td[data-key=spent]").inner_text() == "700"
    assert page.locator(f"#line-{line.pk} td.computed").inner_text() == "650,25"

    page.click("#save-appendix")
    assert page.locator(".alert-success").inner_text() == "Đã lưu phụ lục."
    line.refresh_from_db()
    saved = figures(line)
    assert saved.demand == Decimal("1500.5")
    assert saved.alloc_invest_self == Decimal("200.25")
    assert saved.vs_resolution17_pct == Decimal("55.5")
    assert saved.infrastructure_status == "Đủ máy tính cho cán bộ cấp tỉnh; cấp xã còn thiếu"
    assert page.locator(prefix + "demand").input_value() == "1.500,5"
    assert group.locator("td[data-key=spent]").inner_text() == "700"
    assert page.locator("#grand-total td[data-key=alloc-total]").inner_text() == "650,25"
    completeness = page.locator("#completeness").inner_text()
    assert "Hạ tầng cơ bản" not in completeness
    assert "Hạ tầng mạng" in completeness

    # A negative amount is refused next to its field, and nothing of the form is saved.
    page.fill(prefix + "demand", "2.000")
    page.fill(other_prefix + "demand", "-3")
    page.click("#save-appendix")
    assert "Chưa lưu gì" in page.locator(".alert-danger").inner_text()
    error = page.locator(f"#line-{other.pk} .field-error").first.inner_text()
    assert error == "Số tiền không được âm."
    line.refresh_from_db()
    assert figures(line).demand == Decimal("1500.5")

    page.goto(f"{live_app.url}/submissions/{submission.pk}/narrative/")
    point = submission.campaign.sections.get(number="2.1").points.get()
    page.fill(f"#point-{point.pk}", "Cơ chế tài chính phù hợp, nhưng thiếu định mức thuê dịch vụ.")
    page.fill("#id_treasury_refusal_count", "0")
    page.click("#save-narrative")
    assert page.locator(".alert-success").inner_text() == "Đã lưu phần thuyết minh."
    assert "Kho bạc" not in page.locator("#completeness").inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_app.url}/submissions/{submission.pk}/appendix/")
    page.screenshot(path=str(ARTIFACTS / "drafting-appendix.png"), full_page=True)
