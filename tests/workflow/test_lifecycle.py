"""A campaign's life: a draft is opened (its units' submissions start, their drafters are
told), closed (drafting and reminders stop, the ministry's work goes on) and archived
(read-only). Every refusal says why and changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import translation

from campaigns.models import Campaign, OutlinePoint, OutlineSection, TemplateRow
from core.enums import Action, Role, Stage
from national.services import ConsolidationError, consolidation_run
from notifications.models import Email
from notifications.reminders import reminders_sweep
from submissions import services
from submissions.models import Submission
from workflow import access
from workflow.calendar import WorkingCalendar
from workflow.deadlines import Schedule, submission_deadlines
from workflow.lifecycle import (
    LifecycleError,
    available_moves,
    campaign_archive,
    campaign_close,
    campaign_open,
)
from workflow.models import SubmissionProcess
from workflow.services import (
    TransitionError,
    deadline_extend,
    stage_schedule_set,
    submission_transition,
)

from ..cast import drive_to, fill_complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(campaign: Campaign) -> Campaign:
    """A small draft campaign to Hà Nội (01) and Đà Nẵng (48): one outline point, one row."""
    new = Campaign.objects.create(
        code="test-draft",
        number="12/BTC-TH",
        issuer="Bộ Tài chính",
        issued_on=datetime.date(2020, 6, 1),
        place="Hà Nội",
        subject="Báo cáo thử",
        report_title="Phụ lục thử",
        period_start=2020,
        period_end=2020,
        addressees="UBND các tỉnh",
        deadline=datetime.date(2020, 6, 15),
        amount_unit="triệu đồng",
    )
    new.units.set(campaign.units.filter(code__in=["01", "48"]))
    section = OutlineSection.objects.create(campaign=new, number="1", title="Đánh giá", order=1)
    OutlinePoint.objects.create(section=section, code="1", text="Đánh giá chung", order=1)
    TemplateRow.objects.create(campaign=new, code="1", stt="1", label="Nhiệm vụ", order=1)
    return new


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user(Role.CAMPAIGN_ADMINISTRATOR, username="campaign.admin")


def test_a_new_campaign_is_a_draft_and_only_a_draft_is_editable(draft: Campaign) -> None:
    assert draft.state == Campaign.State.DRAFT
    assert draft.is_editable and not draft.accepts_drafting
    assert available_moves(draft) == ["open"]


def test_opening_starts_every_units_submission_and_tells_its_drafters(
    draft: Campaign, admin: Any, make_user: Any
) -> None:
    make_user(Role.DRAFTER, "01", username="hn.d", email="hn.d@example.vn")
    make_user(Role.DRAFTER, "48", username="dn.d", email="dn.d@example.vn")

    assert campaign_open(actor=admin, campaign=draft) == 2

    draft.refresh_from_db()
    assert draft.state == Campaign.State.OPEN
    submissions = Submission.objects.filter(campaign=draft).order_by("unit__code")
    assert [(s.unit.code, s.stage) for s in submissions] == [
        ("01", Stage.DRAFTING),
        ("48", Stage.DRAFTING),
    ]
    assert SubmissionProcess.objects.filter(submission__campaign=draft).count() == 2
    mails = Email.objects.filter(kind="campaign_opened").order_by("to")
    assert [m.to for m in mails] == ["dn.d@example.vn", "hn.d@example.vn"]
    assert "[12/BTC-TH] Thành phố Hà Nội" in mails[1].subject
    assert "15/06/2020" in mails[1].body
    assert available_moves(draft) == ["close"]


def test_only_a_campaign_administrator_moves_a_campaign(draft: Campaign, cast: Any) -> None:
    with translation.override("vi"), pytest.raises(LifecycleError) as refused:
        campaign_open(actor=cast(Role.MINISTRY_COORDINATOR), campaign=draft)
    assert "quản trị đợt báo cáo" in str(refused.value)
    draft.refresh_from_db()
    assert draft.state == Campaign.State.DRAFT
    assert not Submission.objects.filter(campaign=draft).exists()


def test_a_draft_without_units_is_not_opened(draft: Campaign, admin: Any) -> None:
    draft.units.clear()
    with translation.override("vi"), pytest.raises(LifecycleError) as refused:
        campaign_open(actor=admin, campaign=draft)
    assert "không có đơn vị" in str(refused.value)
    draft.refresh_from_db()
    assert draft.state == Campaign.State.DRAFT


@pytest.mark.parametrize(
    ("move", "state", "words"),
    [
        (campaign_close, Campaign.State.DRAFT, "Chỉ đợt báo cáo đang mở mới đóng được"),
        (campaign_archive, Campaign.State.OPEN, "Chỉ đợt báo cáo đã đóng mới lưu trữ được"),
        (campaign_open, Campaign.State.CLOSED, "Chỉ bản nháp mới mở được"),
    ],
)
def test_a_move_from_the_wrong_state_is_refused(
    draft: Campaign, admin: Any, move: Any, state: str, words: str
) -> None:
    Campaign.objects.filter(pk=draft.pk).update(state=state)
    draft.refresh_from_db()
    with translation.override("vi"), pytest.raises(LifecycleError) as refused:
        move(actor=admin, campaign=draft)
    assert words in str(refused.value)
    draft.refresh_from_db()
    assert draft.state == state


def test_closing_stops_drafting_and_reminders_but_not_the_ministrys_work(
    campaign: Campaign, cast: Any, hanoi: Submission, danang: Submission, make_user: Any
) -> None:
    admin = make_user(Role.CAMPAIGN_ADMINISTRATOR, username="campaign.admin")
    drive_to(danang, Stage.MINISTRY_CHECK, cast)
    fill_complete(hanoi, cast(Role.DRAFTER, "01"))
    hanoi.refresh_from_db()

    campaign_close(actor=admin, campaign=campaign)
    hanoi.refresh_from_db()

    drafter = cast(Role.DRAFTER, "01")
    assert not access.can_edit_submission(drafter, hanoi)
    with translation.override("vi"), pytest.raises(services.SubmissionError):
        services.appendix_save(actor=drafter, submission=hanoi, revision=hanoi.revision, values={})
    with translation.override("vi"), pytest.raises(TransitionError) as refused:
        submission_transition(
            actor=drafter, submission=hanoi, action=Action.SUBMIT, expected_stage=Stage.DRAFTING
        )
    assert "Đợt báo cáo đã đóng" in str(refused.value)
    hanoi.refresh_from_db()
    assert hanoi.stage == Stage.DRAFTING

    # Nothing open to remind: a sweep long after the deadline sends nothing.
    result = reminders_sweep(now=datetime.datetime(2020, 6, 1, 9, tzinfo=datetime.UTC))
    assert not Email.objects.filter(kind__startswith="reminder").exists(), result

    # The ministry still checks what was sent before the close.
    submission_transition(
        actor=cast(Role.MINISTRY_CHECKER, "48"),
        submission=danang,
        action=Action.ACCEPT,
        expected_stage=Stage.MINISTRY_CHECK,
    )
    danang.refresh_from_db()
    assert danang.stage == Stage.CONSOLIDATION


def test_an_archived_campaign_is_read_only(
    campaign: Campaign, cast: Any, danang: Submission, make_user: Any
) -> None:
    admin = make_user(Role.CAMPAIGN_ADMINISTRATOR, username="campaign.admin")
    drive_to(danang, Stage.MINISTRY_CHECK, cast)
    campaign_close(actor=admin, campaign=campaign)
    campaign_archive(actor=admin, campaign=campaign)
    assert available_moves(campaign) == []

    with translation.override("vi"), pytest.raises(TransitionError) as refused:
        submission_transition(
            actor=cast(Role.MINISTRY_CHECKER, "48"),
            submission=danang,
            action=Action.ACCEPT,
            expected_stage=Stage.MINISTRY_CHECK,
        )
    assert "đã lưu trữ" in str(refused.value)
    with translation.override("vi"), pytest.raises(ConsolidationError) as stopped:
        consolidation_run(actor=cast(Role.MINISTRY_COORDINATOR), campaign=campaign)
    assert "đã lưu trữ" in str(stopped.value)
    danang.refresh_from_db()
    assert danang.stage == Stage.MINISTRY_CHECK


def test_a_process_the_engine_does_not_run_is_not_opened(draft: Campaign, admin: Any) -> None:
    draft.definition = {
        "process": [
            {"key": "drafting", "kind": "drafting"},
            {"key": "review-1", "kind": "unit_review"},
            {"key": "review-2", "kind": "unit_review"},
            {"key": "consolidation", "kind": "consolidation"},
        ]
    }
    draft.save(update_fields=["definition"])
    with translation.override("vi"), pytest.raises(LifecycleError) as refused:
        campaign_open(actor=admin, campaign=draft)
    assert "mỗi bước một lần" in str(refused.value)
    draft.refresh_from_db()
    assert draft.state == Campaign.State.DRAFT
    assert not Submission.objects.filter(campaign=draft).exists()


def test_a_campaign_without_a_review_in_the_unit_goes_from_drafting_to_sign_off(
    draft: Campaign, admin: Any, make_user: Any
) -> None:
    draft.definition = {
        "process": [
            {"key": "soan", "kind": "drafting"},
            {"key": "ky", "kind": "unit_signoff"},
            {"key": "bo", "kind": "ministry_check"},
            {"key": "tong-hop", "kind": "consolidation"},
        ]
    }
    draft.save(update_fields=["definition"])
    drafter = make_user(Role.DRAFTER, "01", username="hn.d")
    signatory = make_user(Role.PROVINCIAL_SIGNATORY, "01", username="hn.k", email="k@example.vn")
    reviewer = make_user(Role.DEPARTMENT_REVIEWER, "01", username="hn.r", email="r@example.vn")
    campaign_open(actor=admin, campaign=draft)
    submission = Submission.objects.get(campaign=draft, unit__code="01")
    assert [t.action for t in access.available_transitions(drafter, submission)] == [Action.SUBMIT]
    services.narrative_save(
        actor=drafter,
        submission=submission,
        revision=submission.revision,
        answers={
            p.pk: "Đã đánh giá." for p in OutlinePoint.objects.filter(section__campaign=draft)
        },
        treasury_refusal_count=0,
        treasury_refusal_amount=None,
        treasury_refusal_note="",
        problem_kinds=[],
    )
    # Its one appendix row asks for no measure: the outline's answers make it complete.
    submission.refresh_from_db()

    submission_transition(
        actor=drafter, submission=submission, action=Action.SUBMIT, expected_stage=Stage.DRAFTING
    )
    submission.refresh_from_db()
    assert submission.stage == Stage.PROVINCIAL_SIGNOFF
    # The signatory is told it waits for them; the department, with no step here, is not.
    assert Email.objects.filter(kind="submitted", to="k@example.vn").exists()
    assert not Email.objects.filter(to="r@example.vn").exists()
    assert not access.available_transitions(reviewer, submission)
    # Its deadlines have no department stage.
    standings = submission_deadlines(submission)[1]
    assert [s.stage for s in standings] == [
        Stage.DRAFTING,
        Stage.PROVINCIAL_SIGNOFF,
        Stage.MINISTRY_CHECK,
        Stage.CONSOLIDATION,
    ]
    submission_transition(
        actor=signatory,
        submission=submission,
        action=Action.SIGN,
        expected_stage=Stage.PROVINCIAL_SIGNOFF,
    )
    submission.refresh_from_db()
    assert submission.stage == Stage.MINISTRY_CHECK


def test_the_definitions_schedule_gives_the_stages_due_days(draft: Campaign) -> None:
    draft.definition = {
        "process": [
            {"key": "soan", "kind": "drafting"},
            {"key": "phong", "kind": "unit_review"},
            {"key": "ky", "kind": "unit_signoff"},
            {"key": "bo", "kind": "ministry_check"},
            {"key": "tong-hop", "kind": "consolidation"},
        ],
        "schedule": [{"stage": "soan", "offset": -4}, {"stage": "bo", "on": "2020-06-30"}],
    }
    calendar = WorkingCalendar.load()
    schedule = Schedule.load(draft, calendar)
    # 15/6/2020 is a Monday: four working days before it is Tuesday 9/6.
    assert schedule.due(Stage.DRAFTING) == datetime.date(2020, 6, 9)
    assert schedule.due(Stage.MINISTRY_CHECK) == datetime.date(2020, 6, 30)
    # Not planned by the definition: the engine's default (the deadline itself for sign-off).
    assert schedule.due(Stage.PROVINCIAL_SIGNOFF) == datetime.date(2020, 6, 15)


def test_a_closed_campaigns_deadlines_are_not_extended(
    campaign: Campaign, cast: Any, hanoi: Submission, make_user: Any
) -> None:
    admin = make_user(Role.CAMPAIGN_ADMINISTRATOR, username="campaign.admin")
    campaign_close(actor=admin, campaign=campaign)
    with translation.override("vi"), pytest.raises(TransitionError) as refused:
        deadline_extend(
            actor=cast(Role.MINISTRY_COORDINATOR),
            submission=hanoi,
            due=datetime.date(2020, 5, 8),
            reason="Lũ lụt",
        )
    assert "Đợt báo cáo đã đóng" in str(refused.value)
    assert not hanoi.extensions.exists()


def test_an_archived_campaigns_due_dates_are_not_changed(
    campaign: Campaign, cast: Any, make_user: Any
) -> None:
    admin = make_user(Role.CAMPAIGN_ADMINISTRATOR, username="campaign.admin")
    campaign_close(actor=admin, campaign=campaign)
    campaign_archive(actor=admin, campaign=campaign)
    with translation.override("vi"), pytest.raises(TransitionError) as refused:
        stage_schedule_set(
            actor=cast(Role.MINISTRY_COORDINATOR),
            campaign=campaign,
            offsets={Stage.DRAFTING: -3},
            fixed={},
        )
    assert "đã lưu trữ" in str(refused.value)
    assert not campaign.stage_schedule.exists()
