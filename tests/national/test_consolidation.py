"""The coordinator's consolidation run: numbered, cumulative, frozen versions of the national
report, each province moved by the transition service with its audit record and receipt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.utils import translation

from campaigns.models import Campaign
from core.enums import Action, Role, Stage
from national import selectors
from national.models import NationalVersion, VersionLine, VersionProvince
from national.services import ConsolidationError, consolidation_run
from receipts.models import Receipt
from submissions.models import Submission
from workflow.models import AuditRecord, SubmissionVersion
from workflow.services import submission_transition

from ..cast import Cast
from .conftest import advance, fill_varied

Provinces = Callable[..., Submission]


def _run(cast: Cast, campaign: Campaign) -> NationalVersion:
    return consolidation_run(actor=cast(Role.MINISTRY_COORDINATOR), campaign=campaign)


def _included(version: NationalVersion) -> set[str]:
    return set(
        version.provinces.filter(status=VersionProvince.Status.INCLUDED).values_list(
            "unit__code", flat=True
        )
    )


def _state() -> tuple[int, ...]:
    """Everything a run writes, counted."""
    return (
        NationalVersion.objects.count(),
        VersionProvince.objects.count(),
        VersionLine.objects.count(),
        AuditRecord.objects.count(),
        Receipt.objects.count(),
        Campaign.objects.get().receipts_issued,
    )


def test_a_run_consolidates_every_accepted_report_through_the_transition_service(
    provinces: Provinces, cast: Cast, campaign: Campaign
) -> None:
    hanoi = provinces("01", Stage.CONSOLIDATION)
    danang = provinces("48", Stage.CONSOLIDATION)
    haiphong = provinces("31", Stage.MINISTRY_CHECK)
    receipts = Receipt.objects.count()

    version = _run(cast, campaign)

    assert version.number == 1
    assert _included(version) == {"01", "48"}
    assert Receipt.objects.count() == receipts + 2
    rows = {p.unit.code: p for p in version.provinces.select_related("unit")}
    assert len(rows) == campaign.units.count() == 63
    for submission in (hanoi, danang):
        submission.refresh_from_db()
        assert submission.stage == Stage.CONSOLIDATED
        record = submission.audit_records.get(action=Action.CONSOLIDATE)
        assert record.actor == cast(Role.MINISTRY_COORDINATOR)
        assert record.receipt.to_stage == Stage.CONSOLIDATED
        accepted = submission.audit_records.get(action=Action.ACCEPT).version
        row = rows[submission.unit.code]
        assert row.entered
        assert row.consolidation == record
        assert row.submission_version == accepted == record.version
        assert row.submission_version == submission.versions.order_by("-number").first()
        assert VersionLine.objects.filter(province=row).count() == submission.lines.count()
    haiphong.refresh_from_db()
    assert haiphong.stage == Stage.MINISTRY_CHECK
    assert rows["31"].status == VersionProvince.Status.MISSING
    assert rows["31"].stage == Stage.MINISTRY_CHECK
    assert rows["79"].status == VersionProvince.Status.MISSING
    assert rows["79"].stage == ""  # never opened


def test_the_next_run_adds_the_newly_accepted_province_and_keeps_the_others(
    provinces: Provinces, cast: Cast, campaign: Campaign
) -> None:
    provinces("01", Stage.CONSOLIDATION)
    provinces("48", Stage.CONSOLIDATION)
    first = _run(cast, campaign)
    frozen = list(VersionLine.objects.filter(version=first).values_list().order_by("pk"))
    provinces("31", Stage.CONSOLIDATION)

    second = _run(cast, campaign)

    assert second.number == 2
    assert _included(first) == {"01", "48"}
    assert _included(second) == {"01", "48", "31"}
    assert set(second.provinces.filter(entered=True).values_list("unit__code", flat=True)) == {"31"}
    # Nobody was consolidated twice, and the first version's rows did not move.
    assert AuditRecord.objects.filter(action=Action.CONSOLIDATE).count() == 3
    assert list(VersionLine.objects.filter(version=first).values_list().order_by("pk")) == frozen
    assert selectors.pending(campaign).latest == second
    assert not selectors.pending(campaign)


def test_nothing_new_is_refused_in_vietnamese_and_changes_nothing(
    provinces: Provinces, cast: Cast, campaign: Campaign
) -> None:
    provinces("01", Stage.MINISTRY_CHECK)
    before = _state()
    with translation.override("vi"), pytest.raises(ConsolidationError) as refused:
        _run(cast, campaign)
    assert str(refused.value) == (
        "Không có gì để tổng hợp: Bộ chưa chấp nhận báo cáo nào. Chưa lập báo cáo toàn quốc."
    )
    assert _state() == before

    provinces("48", Stage.CONSOLIDATION)
    _run(cast, campaign)
    before = _state()
    with translation.override("vi"), pytest.raises(ConsolidationError) as refused:
        _run(cast, campaign)
    assert str(refused.value) == (
        "Không có gì để tổng hợp: chưa có báo cáo nào được chấp nhận thêm kể từ phiên bản 1. "
        "Báo cáo toàn quốc giữ nguyên."
    )
    assert _state() == before


def test_a_reopened_province_leaves_the_next_version_until_accepted_again(
    provinces: Provinces, cast: Cast, campaign: Campaign
) -> None:
    hanoi = provinces("01", Stage.CONSOLIDATION)
    provinces("48", Stage.CONSOLIDATION)
    first = _run(cast, campaign)
    first_total = selectors.national_table(first)[-1].figures
    submission_transition(
        actor=cast(Role.MINISTRY_COORDINATOR),
        submission=hanoi,
        action=Action.REOPEN,
        expected_stage=Stage.CONSOLIDATED,
        reason="Số liệu dòng 1.1 chưa khớp với quyết toán.",
    )
    assert selectors.pending(campaign).leaving == ["Thành phố Hà Nội"]
    with pytest.raises(ConsolidationError):  # a province leaving is not news by itself
        _run(cast, campaign)
    provinces("31", Stage.CONSOLIDATION)

    second = _run(cast, campaign)

    assert _included(second) == {"48", "31"}
    assert selectors.national_report(second).left == ["Thành phố Hà Nội"]
    assert _included(first) == {"01", "48"}
    assert selectors.national_table(first)[-1].figures == first_total

    fill_varied(hanoi, cast(Role.DRAFTER, "01"), seed=2020, own=False)
    advance(hanoi, Stage.CONSOLIDATION, cast)
    third = _run(cast, campaign)

    assert _included(third) == {"01", "48", "31"}
    again = third.provinces.get(unit__code="01")
    assert again.entered
    assert again.submission_version == hanoi.versions.order_by("-number").first()
    assert again.submission_version != first.provinces.get(unit__code="01").submission_version
    assert selectors.national_table(first)[-1].figures == first_total
    assert selectors.national_table(third)[-1].figures != first_total


def test_a_report_consolidated_on_its_own_page_enters_the_next_version(
    provinces: Provinces, cast: Cast, campaign: Campaign
) -> None:
    """The submission page's button still consolidates one province (its own receipt); the
    next run takes it in as it is, without a second transition."""
    danang = provinces("48", Stage.CONSOLIDATION)
    submission_transition(
        actor=cast(Role.MINISTRY_COORDINATOR),
        submission=danang,
        action=Action.CONSOLIDATE,
        expected_stage=Stage.CONSOLIDATION,
    )
    assert selectors.pending(campaign).units == ["Thành phố Đà Nẵng"]

    version = _run(cast, campaign)

    row = version.provinces.get(unit__code="48")
    assert row.is_included and row.entered
    assert row.consolidation == danang.audit_records.get(action=Action.CONSOLIDATE)


def test_only_the_coordinator_consolidates(
    provinces: Provinces, cast: Cast, campaign: Campaign
) -> None:
    provinces("01", Stage.CONSOLIDATION)
    before = _state()
    for role in (Role.MINISTRY_CHECKER, Role.DRAFTER):
        with pytest.raises(ConsolidationError):
            consolidation_run(actor=cast(role, "01"), campaign=campaign)
    assert _state() == before


@pytest.mark.django_db(transaction=True)
def test_a_run_that_fails_after_moving_provinces_leaves_nothing(
    provinces: Provinces, cast: Cast, campaign: Campaign, settings: Any
) -> None:
    """Quảng Ninh's content no longer matches what the ministry accepted (a version frozen
    after acceptance, as only tampering could make): the run refuses it after it has already
    moved Hà Nội, and Hà Nội's move, receipt and receipt number are rolled back with the rest."""
    settings.RECEIPT_RENDERING = "off"
    quangninh = provinces("22", Stage.CONSOLIDATION)
    submission_transition(
        actor=cast(Role.MINISTRY_COORDINATOR),
        submission=quangninh,
        action=Action.CONSOLIDATE,
        expected_stage=Stage.CONSOLIDATION,
    )
    hanoi = provinces("01", Stage.CONSOLIDATION)
    latest = quangninh.versions.order_by("-number").first()
    assert latest is not None
    SubmissionVersion.objects.create(
        submission=quangninh,
        number=latest.number + 1,
        content={**latest.content, "answers": {}},
        sha256="0" * 64,
        created_at=latest.created_at,
        created_by=latest.created_by,
    )
    mail.outbox.clear()
    before = _state()

    with translation.override("vi"), pytest.raises(ConsolidationError) as refused:
        _run(cast, campaign)

    assert str(refused.value) == (
        "Chưa tổng hợp được báo cáo nào: nội dung báo cáo của Tỉnh Quảng Ninh đã thay đổi sau "
        "khi được chấp nhận."
    )
    assert _state() == before
    hanoi.refresh_from_db()
    assert hanoi.stage == Stage.CONSOLIDATION
    assert not hanoi.audit_records.filter(action=Action.CONSOLIDATE).exists()
    assert mail.outbox == []


def test_a_run_tells_each_province_and_sends_the_coordinator_nothing(
    provinces: Provinces, cast: Cast, campaign: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    """63 provinces in a run were 63 e-mails to each coordinator, each saying a report
    waited for them; now each province's drafter and signatory hear theirs is in."""
    provinces("01", Stage.CONSOLIDATION)
    provinces("48", Stage.CONSOLIDATION)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _run(cast, campaign)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "dn.drafter@example.vn",
        "dn.provincial_signatory@example.vn",
        "hn.drafter@example.vn",
        "hn.provincial_signatory@example.vn",
    ]
    hanoi = next(m for m in mail.outbox if m.to == ["hn.drafter@example.vn"])
    assert hanoi.subject.endswith(
        "Thành phố Hà Nội: hồ sơ báo cáo đã được đưa vào báo cáo toàn quốc"
    )
    assert "Đồng chí không cần thực hiện thêm thao tác nào" in hanoi.body
