"""Consolidation under real concurrency (threads, transactions, PostgreSQL's row locks): a double
click makes one version, and a run that meets a province someone is acting on changes nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection, connections, transaction

from campaigns.models import Campaign
from core.enums import Action, Role, Stage
from national.models import NationalVersion, VersionLine, VersionProvince
from national.services import ConsolidationError, consolidation_run
from receipts.models import Receipt
from submissions.models import Submission
from workflow.models import AuditRecord, SubmissionProcess

from ..cast import Cast
from ..helpers import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql(settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    settings.RECEIPT_RENDERING = "off"  # receipt PDFs are not what is raced here


def _state(campaign: Campaign) -> tuple[int, ...]:
    campaign.refresh_from_db()
    return (
        NationalVersion.objects.count(),
        VersionProvince.objects.count(),
        VersionLine.objects.count(),
        AuditRecord.objects.count(),
        Receipt.objects.count(),
        campaign.receipts_issued,
    )


def test_a_double_click_makes_one_version(
    provinces: Callable[..., Submission], cast: Cast, campaign: Campaign
) -> None:
    coordinator = cast(Role.MINISTRY_COORDINATOR)
    provinces("01", Stage.CONSOLIDATION)
    for number, code in enumerate(["48", "31", "92"], start=1):
        provinces(code, Stage.CONSOLIDATION)

        def run() -> NationalVersion:
            return consolidation_run(actor=coordinator, campaign=campaign)

        results = race(run, run)

        made = [r for r in results if isinstance(r, NationalVersion)]
        refused = [str(r) for r in results if isinstance(r, ConsolidationError)]
        assert len(made) == 1 and len(refused) == 1, results
        assert made[0].number == number
        assert refused[0].startswith("Không có gì để tổng hợp")
        assert NationalVersion.objects.count() == number
        assert AuditRecord.objects.filter(action=Action.CONSOLIDATE).count() == number + 1


def test_a_run_that_meets_a_busy_province_changes_nothing(
    provinces: Callable[..., Submission], cast: Cast, campaign: Campaign
) -> None:
    """Đà Nẵng's process is held by someone else (a transition on its own page) while the run
    goes: nothing moves, and no version, receipt, receipt number or e-mail remains."""
    hanoi = provinces("01", Stage.CONSOLIDATION)
    danang = provinces("48", Stage.CONSOLIDATION)
    mail.outbox.clear()
    before = _state(campaign)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                SubmissionProcess.objects.select_for_update().get(submission=danang)
                held.set()
                release.wait(60)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    try:
        with pytest.raises(ConsolidationError) as refused:
            consolidation_run(actor=cast(Role.MINISTRY_COORDINATOR), campaign=campaign)
    finally:
        release.set()
        holder.join(10)

    assert str(refused.value) == (
        "Chưa tổng hợp được báo cáo nào: người khác đang xử lý báo cáo của Thành phố Đà Nẵng "
        "đúng lúc này. Vui lòng thử lại sau giây lát."
    )
    assert _state(campaign) == before
    for submission in (hanoi, danang):
        submission.refresh_from_db()
        assert submission.stage == Stage.CONSOLIDATION
    assert not AuditRecord.objects.filter(action=Action.CONSOLIDATE).exists()
    assert mail.outbox == []

    version = consolidation_run(actor=cast(Role.MINISTRY_COORDINATOR), campaign=campaign)
    assert version.number == 1
    numbers = sorted(
        Receipt.objects.filter(action=Action.CONSOLIDATE).values_list("number", flat=True)
    )
    assert numbers == [before[-1] + 1, before[-1] + 2]  # no number was lost to the failure
