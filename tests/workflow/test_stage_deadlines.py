"""Each stage's due day and status, at frozen moments between 27/4 and 12/5/2020."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import time_machine

from core.enums import Action, Role, Stage, Status
from submissions.models import Submission
from workflow.calendar import WorkingCalendar
from workflow.deadlines import Schedule, submission_deadlines
from workflow.models import StageSchedule
from workflow.services import deadline_extend, submission_transition

from ..cast import Cast, fill_complete

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
D = datetime.date


def _at(day: int, month: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2020, month, day, hour, minute, tzinfo=VN)


def _dues(submission: Submission, province_due: D | None = None) -> dict[str, str]:
    schedule = Schedule.load(submission.campaign, WorkingCalendar.load())
    return {
        stage: schedule.due(stage, province_due).strftime("%d/%m")
        for stage in (
            Stage.DRAFTING,
            Stage.DEPARTMENT_REVIEW,
            Stage.PROVINCIAL_SIGNOFF,
            Stage.MINISTRY_CHECK,
            Stage.CONSOLIDATION,
        )
    }


def test_stage_due_days_count_working_days_from_the_deadline(hanoi: Submission) -> None:
    """Drafting two working days before 05/5 skips 30/4-3/5; the ministry's days skip 9-10/5."""
    assert _dues(hanoi) == {
        "drafting": "29/04",
        "department_review": "04/05",
        "provincial_signoff": "05/05",
        "ministry_check": "08/05",
        "consolidation": "12/05",
    }


def test_the_coordinator_sets_a_stage_due_day(hanoi: Submission) -> None:
    StageSchedule.objects.create(campaign=hanoi.campaign, stage=Stage.DRAFTING, offset=-3)
    StageSchedule.objects.create(
        campaign=hanoi.campaign, stage=Stage.MINISTRY_CHECK, due_on=D(2020, 5, 15)
    )
    dues = _dues(hanoi)
    assert (dues["drafting"], dues["ministry_check"]) == ("28/04", "15/05")


def test_an_extension_moves_every_stage_of_that_province(
    hanoi: Submission, danang: Submission, cast: Cast
) -> None:
    with time_machine.travel(_at(5, 5, 10), tick=False):
        deadline_extend(
            actor=cast(Role.MINISTRY_COORDINATOR),
            submission=hanoi,
            due=D(2020, 5, 7),
            reason="Mất điện ở trung tâm dữ liệu",
        )
    # Two working days more (6 and 7/5) for every stage of Hà Nội, none for Đà Nẵng.
    assert _dues(hanoi, D(2020, 5, 7)) == {
        "drafting": "05/05",
        "department_review": "06/05",
        "provincial_signoff": "07/05",
        "ministry_check": "12/05",
        "consolidation": "14/05",
    }
    with time_machine.travel(_at(6, 5, 9), tick=False):
        hanoi_now, _ = submission_deadlines(hanoi)
        danang_now, _ = submission_deadlines(danang)
    assert (hanoi_now.status, hanoi_now.working_days_left) == (Status.NOT_STARTED, 2)
    assert (danang_now.status, danang_now.working_days_left) == (Status.OVERDUE, -1)


def _step(submission: Submission, actor: Any, action: Action, stage: Stage, moment: Any) -> None:
    with time_machine.travel(moment, tick=False):
        submission_transition(
            actor=actor, submission=submission, action=action, expected_stage=stage
        )
    submission.refresh_from_db()


def _statuses(submission: Submission, moment: datetime.datetime) -> list[tuple[str, str, int]]:
    _, stages = submission_deadlines(submission, now=moment)
    return [(s.stage.value, s.status.value, s.working_days_left) for s in stages]


def test_each_stage_is_on_time_late_or_open_as_the_report_moves(
    hanoi: Submission, cast: Cast
) -> None:
    assert _statuses(hanoi, _at(27, 4, 9))[0] == ("drafting", "not_started", 3)
    with time_machine.travel(_at(28, 4, 9), tick=False):
        fill_complete(hanoi, cast(Role.DRAFTER))
    assert _statuses(hanoi, _at(28, 4, 10))[0] == ("drafting", "on_track", 2)
    assert _statuses(hanoi, _at(29, 4, 10))[0] == ("drafting", "at_risk", 1)
    _step(hanoi, cast(Role.DRAFTER), Action.SUBMIT, Stage.DRAFTING, _at(29, 4, 16))
    _step(
        hanoi,
        cast(Role.DEPARTMENT_REVIEWER),
        Action.APPROVE,
        Stage.DEPARTMENT_REVIEW,
        _at(4, 5, 11),
    )
    # The People's Committee signs on 6/5, a day after its due day.
    assert _statuses(hanoi, _at(5, 5, 23, 59))[2] == ("provincial_signoff", "at_risk", 1)
    assert _statuses(hanoi, _at(6, 5, 8))[2] == ("provincial_signoff", "overdue", -1)
    _step(
        hanoi,
        cast(Role.PROVINCIAL_SIGNATORY),
        Action.SIGN,
        Stage.PROVINCIAL_SIGNOFF,
        _at(6, 5, 9),
    )
    assert _statuses(hanoi, _at(7, 5, 9)) == [
        ("drafting", "done_on_time", -4),
        ("department_review", "done_on_time", -3),
        ("provincial_signoff", "done_late", -2),
        ("ministry_check", "on_track", 2),
        ("consolidation", "not_started", 4),
    ]
    standing, _ = submission_deadlines(hanoi, now=_at(7, 5, 9))
    assert standing.status == Status.DONE_LATE
    assert _statuses(hanoi, _at(8, 5, 9))[3] == ("ministry_check", "at_risk", 1)
    assert _statuses(hanoi, _at(11, 5, 9))[3] == ("ministry_check", "overdue", -1)


def test_a_return_reopens_drafting_past_its_due_day(hanoi: Submission, cast: Cast) -> None:
    with time_machine.travel(_at(28, 4, 9), tick=False):
        fill_complete(hanoi, cast(Role.DRAFTER))
    _step(hanoi, cast(Role.DRAFTER), Action.SUBMIT, Stage.DRAFTING, _at(28, 4, 10))
    with time_machine.travel(_at(4, 5, 9), tick=False):
        submission_transition(
            actor=cast(Role.DEPARTMENT_REVIEWER),
            submission=hanoi,
            action=Action.RETURN,
            expected_stage=Stage.DEPARTMENT_REVIEW,
            reason="Thiếu số liệu nhóm 3",
        )
    hanoi.refresh_from_db()
    assert _statuses(hanoi, _at(4, 5, 10))[:2] == [
        ("drafting", "overdue", -1),
        ("department_review", "not_started", 1),
    ]


def test_the_submission_page_shows_every_stage_due_day(
    client: Any, hanoi: Submission, cast: Cast
) -> None:
    from django.urls import reverse

    client.force_login(cast(Role.DRAFTER))
    with time_machine.travel(_at(4, 5, 9), tick=False):
        page = client.get(reverse("submissions:detail", kwargs={"pk": hanoi.pk})).content
    panel = page.decode().split('id="stage-deadlines"')[1].split("</section>")[0]
    assert "Đang soạn thảo" in panel and "29/04/2020" in panel and "Quá hạn" in panel
    assert (
        '<td class="text-end" data-label="Số ngày làm việc còn lại">quá hạn 1 ngày làm việc</td>'
        in panel
    )
    assert "Bộ Tài chính kiểm tra" in panel and "08/05/2020" in panel


def test_the_coordinator_keeps_the_due_dates_and_the_calendar(
    client: Any, hanoi: Submission, cast: Cast
) -> None:
    from django.urls import reverse

    url = reverse("monitor:schedule", kwargs={"code": hanoi.campaign.code})
    client.force_login(cast(Role.DRAFTER))
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "add-day", "day": "02/05/2020"}).status_code == 404

    client.force_login(cast(Role.MINISTRY_COORDINATOR))
    stages = ["drafting", "department_review", "provincial_signoff", "ministry_check"]
    form = {f"offset-{s}": str(n) for s, n in zip(stages, (-3, -1, 0, 3), strict=True)}
    form |= {"offset-consolidation": "5", "fixed-ministry_check": "15/05/2020"}
    bad = form | {"offset-drafting": "ba", "fixed-consolidation": "32/05/2020"}
    page = client.post(url, bad | {"action": "stages"}, follow=True).content.decode()
    assert "Chưa lưu gì: hãy sửa các ô được đánh dấu bên dưới." in page
    assert "Nhập một số nguyên ngày làm việc." in page and "Nhập ngày theo dạng dd/mm/yyyy." in page
    assert not StageSchedule.objects.exists()

    page = client.post(url, form | {"action": "stages"}, follow=True).content.decode()
    assert "Đã lưu thời hạn các bước." in page
    assert _dues(hanoi)["drafting"] == "28/04" and _dues(hanoi)["ministry_check"] == "15/05"

    # Saturday 2/5/2020 made a working day: drafting, 3 working days before 05/5, is 29/4.
    page = client.post(
        url, {"action": "add-day", "day": "02/05/2020", "kind": "working_day", "note": "Làm bù"}
    ).content
    page = client.get(url).content.decode()
    assert "02/05/2020 · Ngày làm việc (làm bù)" in page
    assert _dues(hanoi)["drafting"] == "29/04"
    client.post(url, {"action": "clear:2020-05-02"})
    assert _dues(hanoi)["drafting"] == "28/04"
