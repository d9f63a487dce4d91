"""The coordinator's dashboard in a real browser: charts drawn, filters, and a reminder sent to
the provinces ticked on the page (with "select all" from static JS under the CSP)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from campaigns.models import Campaign
from core.enums import Stage
from workflow.services import submission_start

from ..cast import drive_to, make_cast
from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def campaign(live_app: Any, make_user: Any) -> Campaign:
    campaign = Campaign.objects.get(code="5137-btc-nsnn")
    cast = make_cast(make_user)
    for unit in campaign.units.all():
        submission_start(campaign=campaign, unit=unit)
    hanoi = campaign.submissions.get(unit__code="01")
    drive_to(hanoi, Stage.MINISTRY_CHECK, cast)
    return campaign


def test_the_coordinator_monitors_and_reminds(page: Any, live_app: Any, campaign: Any) -> None:
    base = live_app.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "coordinator")
    page.fill("#id_password", "secret-password")
    page.click("form button[type=submit].w-100")
    page.click("#nav-monitor")
    assert page.locator("h1").inner_text() == "Theo dõi: 5137/BTC-NSNN"
    assert page.locator("#rate-expected").inner_text() == "63"
    assert page.locator("#rate-actual").inner_text() == "1"
    # The charts are SVG drawn by the server: six stage bars and the line over time.
    assert page.locator("#stage-counts rect.bar").count() == 6
    bar = page.locator('#stage-counts a[data-stage="ministry_check"]')
    assert bar.get_attribute("data-count") == "1"
    assert page.locator("#over-time polyline.series").count() == 1
    assert page.locator("#provinces tbody tr").count() == 63

    page.select_option("#f-stage", "drafting")
    page.fill("#f-q", "da nang")
    page.click("#filters button[type=submit]")
    assert page.locator("#shown-count").inner_text() == "Hiển thị 1 tỉnh"
    assert "Thành phố Đà Nẵng" in page.locator("#unit-48").inner_text()

    page.goto(f"{base}/monitor/5137-btc-nsnn/?region=DBSH")
    page.check("#select-all")
    ticked = page.locator("#provinces input.pick:checked").count()
    assert ticked == 11
    page.click("#send-reminder")
    # Hà Nội awaits its ministry checker; the ten others of the region have no drafter here.
    assert page.locator(".alert").first.inner_text() == "Đã gửi nhắc nhở về 11 tỉnh (1 e-mail)."
    reminders = [m for m in mail.outbox if "Bộ Tài chính nhắc" in str(m.subject)]
    assert [m.to for m in reminders] == [["hn.ministry_checker@example.vn"]]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
