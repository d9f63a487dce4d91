"""One whole path in a real browser, in Vietnamese: submit, a return, approvals, the
coordinator's consolidation run, and the last receipt downloaded and read."""

from __future__ import annotations

from typing import Any

import pytest
from pypdf import PdfReader

from campaigns.models import Campaign
from workflow.services import submission_start

from ..cast import fill_complete, make_cast
from .conftest import ARTIFACTS
from .session import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def story(live_app: Any, make_user: Any) -> Any:
    campaign = Campaign.objects.get(code="5137-btc-nsnn")
    submission = submission_start(campaign=campaign, unit=campaign.units.get(code="01"))
    cast = make_cast(make_user)
    fill_complete(submission, cast.users[next(k for k in cast.users if k[0] == "drafter")])
    return submission


def _open(page: Any, name: str = "Thành phố Hà Nội") -> None:
    page.locator("#inbox-available a, #inbox-assigned a", has_text=name).first.click()


def _press(page: Any, action: str, reason: str = "") -> str:
    if reason:
        page.fill(f"#reason-{action}", reason)
    page.click(f"#do-{action}")
    return page.locator(".alert").first.inner_text()


def test_the_whole_path_clicked_through(page: Any, live_app: Any, story: Any) -> None:
    base = live_app.url
    sign_in(page, base, "hn.drafter")
    _open(page)
    assert page.locator("#stage").inner_text() == "Đang soạn thảo"
    next_actors = page.locator("#next-actors").inner_text()
    assert next_actors == "Người xử lý tiếp theo: Chuyên viên soạn thảo"
    assert _press(page, "submit") == "Đã trình duyệt hồ sơ báo cáo."
    assert page.locator("#stage").inner_text() == "Sở thẩm định"
    assert page.locator("#actions button").count() == 0  # the drafter has nothing to press now

    sign_in(page, base, "hn.department_reviewer")
    _open(page)
    buttons = [b.inner_text() for b in page.locator("#actions button").all()]
    assert buttons == ["Phê duyệt", "Trả lại"]
    message = _press(page, "return", "Bổ sung căn cứ cho dòng hạ tầng mạng")
    assert message == "Đã trả lại hồ sơ báo cáo cho chuyên viên soạn thảo kèm theo lý do."
    assert page.locator("#stage").inner_text() == "Đang soạn thảo"

    sign_in(page, base, "hn.drafter")
    page.locator("#inbox-assigned a", has_text="Thành phố Hà Nội").click()
    assert "Bổ sung căn cứ cho dòng hạ tầng mạng" in page.locator("#return-reason").inner_text()
    timeline = page.locator("#timeline").inner_text()
    assert "Trả lại" in timeline and "Sở thẩm định → Đang soạn thảo" in timeline
    _press(page, "submit")

    for username, action, stage in [
        ("hn.department_reviewer", "approve", "UBND tỉnh ký duyệt"),
        ("hn.provincial_signatory", "sign", "Bộ Tài chính kiểm tra"),
        ("hn.ministry_checker", "accept", "Chờ tổng hợp"),
    ]:
        sign_in(page, base, username)
        _open(page)
        _press(page, action)
        assert page.locator("#stage").inner_text() == stage

    # The coordinator consolidates from the national report: Hà Nội is waiting for it.
    sign_in(page, base, "coordinator")
    page.click("#nav-national")
    assert page.locator("#pending-units").inner_text() == "Thành phố Hà Nội"
    page.click("#consolidate")
    assert page.locator(".alert").first.inner_text() == (
        "Đã lập phiên bản 1 của báo cáo toàn quốc: thêm 1 báo cáo; "
        "báo cáo gồm 1/63 tỉnh, thành phố."
    )
    assert page.locator("#included-count").inner_text().startswith("1")
    page.goto(f"{base}/submissions/{story.pk}/")
    assert page.locator("#stage").inner_text() == "Đã tổng hợp"
    assert "Mở lại" in page.locator("#actions").inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "approval-path-consolidated.png"), full_page=True)
    rows = page.locator("#timeline li").all_inner_texts()
    assert len(rows) == 7
    assert "Trình duyệt" in rows[0] and "Đang soạn thảo → Sở thẩm định" in rows[0]
    assert "Tổng hợp" in rows[-1] and "Chờ tổng hợp → Đã tổng hợp" in rows[-1]

    # The last receipt, downloaded as the coordinator would, says what happened.
    with page.expect_download() as download:
        page.click("#receipt-7")
    assert download.value.suggested_filename == "bien-nhan-0007-01.pdf"
    pdf = PdfReader(download.value.path())
    text = "\n".join(p.extract_text() for p in pdf.pages)
    for expected in (
        "BỘ TÀI CHÍNH",
        "Số: 0007/BN-5137",
        "BIÊN NHẬN",
        "Thành phố Hà Nội",
        "Tổng hợp",
        "Chờ tổng hợp",
        "Đã tổng hợp",
    ):
        assert expected in text, expected
