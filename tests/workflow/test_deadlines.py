"""Working days in Việt Nam and where a province stands against 05/5/2020, at chosen moments."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
import time_machine

from campaigns.models import Campaign
from core.enums import Role, Stage, Status
from submissions.models import Submission
from workflow.calendar import WorkingCalendar
from workflow.deadlines import dues_of, province_standing, submission_deadlines
from workflow.models import CalendarException

from ..cast import Cast, drive_to, fill_complete

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
D = datetime.date


# The inbox's "working days left" cell, labelled for the phone layout.
DAYS_CELL = '<td class="deadline" data-label="Số ngày làm việc còn lại">'


def test_five_working_days_from_27_april_to_5_may_2020() -> None:
    calendar = WorkingCalendar()
    assert calendar.working_days_left(D(2020, 4, 27), D(2020, 5, 5)) == 5
    for day in (D(2020, 4, 30), D(2020, 5, 1), D(2020, 5, 2), D(2020, 5, 3)):
        assert not calendar.is_working_day(day), day
    assert [
        calendar.working_days_left(D(2020, 4, 27) + datetime.timedelta(days=n), D(2020, 5, 5))
        for n in range(12)
    ] == [5, 4, 3, 2, 2, 2, 2, 2, 1, -1, -2, -3]
    assert calendar.add(D(2020, 5, 5), -3) == D(2020, 4, 28)
    assert calendar.add(D(2020, 4, 29), 1) == D(2020, 5, 4)


def test_days_swapped_by_the_government_are_data(db: None) -> None:
    CalendarException.objects.create(
        day=D(2020, 4, 29), kind=CalendarException.Kind.DAY_OFF, note="Nghỉ bù (ví dụ)"
    )
    CalendarException.objects.create(
        day=D(2020, 5, 2), kind=CalendarException.Kind.WORKING_DAY, note="Làm bù (ví dụ)"
    )
    calendar = WorkingCalendar.load()
    assert not calendar.is_working_day(D(2020, 4, 29))
    assert calendar.is_working_day(D(2020, 5, 2))
    assert calendar.working_days_left(D(2020, 4, 27), D(2020, 5, 5)) == 5


@pytest.mark.parametrize(
    ("saturday", "day_off"),
    [
        (D(2014, 12, 27), D(2015, 1, 2)),  # worked in 2014 for a day off of 2015
        (D(2019, 5, 4), D(2019, 4, 29)),
        (D(2024, 5, 4), D(2024, 4, 29)),
        (D(2025, 4, 26), D(2025, 5, 2)),
    ],
)
def test_make_up_saturdays_are_working_days_and_their_swapped_days_are_off(
    saturday: datetime.date, day_off: datetime.date
) -> None:
    calendar = WorkingCalendar()
    assert calendar.is_working_day(saturday)
    assert not calendar.is_working_day(day_off)
    monday = saturday - datetime.timedelta(days=saturday.weekday())
    # The week of the make-up Saturday has six working days, less its holidays.
    week = [monday + datetime.timedelta(days=n) for n in range(7)]
    assert calendar.count(monday, week[-1]) == sum(map(calendar.is_working_day, week))
    assert calendar.add(saturday - datetime.timedelta(days=1), 1) == saturday
    assert calendar.working_days_left(saturday - datetime.timedelta(days=1), saturday) == 2


def test_make_up_saturdays_in_a_week_of_2019_and_of_2025() -> None:
    calendar = WorkingCalendar()
    # 29/4/2019 off (swapped), 30/4 and 1/5 holidays, Saturday 4/5 worked.
    assert calendar.count(D(2019, 4, 29), D(2019, 5, 5)) == 3
    # Monday 21 to Saturday 26/4/2025, all worked.
    assert calendar.count(D(2025, 4, 21), D(2025, 4, 27)) == 6


def test_counting_agrees_day_by_day_over_twelve_years() -> None:
    """The arithmetic count matches a walk over every day, asking one day at a time."""
    calendar = WorkingCalendar(days_off={D(2024, 5, 4)}, working_days={D(2020, 5, 2)})
    start, end = D(2014, 6, 1), D(2026, 6, 30)
    days = [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]
    assert calendar.count(start, end) == sum(map(calendar.is_working_day, days))
    assert not calendar.is_working_day(D(2024, 5, 4))  # the coordinator's exception wins


def _at(day: int, month: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2020, month, day, hour, minute, tzinfo=VN)


@pytest.mark.parametrize(
    ("moment", "status", "left"),
    [
        (_at(27, 4, 9), Status.NOT_STARTED, 5),
        (_at(4, 5, 9), Status.NOT_STARTED, 2),
        (_at(5, 5, 23, 59), Status.NOT_STARTED, 1),
        (_at(6, 5, 0, 0), Status.OVERDUE, -1),
        (_at(8, 5, 10), Status.OVERDUE, -3),
    ],
)
def test_an_untouched_province(
    hanoi: Submission, moment: datetime.datetime, status: Status, left: int
) -> None:
    standing = province_standing(hanoi, calendar=WorkingCalendar(), now=moment)
    assert (standing.status, standing.working_days_left, standing.due) == (
        status,
        left,
        D(2020, 5, 5),
    )


def test_a_province_drafting_is_on_track_then_at_risk(hanoi: Submission, cast: Cast) -> None:
    fill_complete(hanoi, cast(Role.DRAFTER))
    calendar = WorkingCalendar()
    assert province_standing(hanoi, calendar=calendar, now=_at(28, 4, 9)).status == Status.ON_TRACK
    assert province_standing(hanoi, calendar=calendar, now=_at(4, 5, 17)).status == Status.ON_TRACK
    assert province_standing(hanoi, calendar=calendar, now=_at(5, 5, 8)).status == Status.AT_RISK


@pytest.mark.parametrize(
    ("signed_at", "cutoff", "status"),
    [
        (_at(5, 5, 20), Campaign.Cutoff.END_OF_DAY, Status.DONE_ON_TIME),
        (_at(5, 5, 20), Campaign.Cutoff.START_OF_DAY, Status.DONE_LATE),
        (_at(6, 5, 8), Campaign.Cutoff.END_OF_DAY, Status.DONE_LATE),
        (_at(4, 5, 16), Campaign.Cutoff.START_OF_DAY, Status.DONE_ON_TIME),
    ],
)
def test_done_when_the_report_reaches_the_ministry(
    hanoi: Submission, cast: Cast, signed_at: datetime.datetime, cutoff: str, status: Status
) -> None:
    Campaign.objects.filter(pk=hanoi.campaign_id).update(deadline_cutoff=cutoff)
    hanoi.refresh_from_db()
    hanoi.campaign.refresh_from_db()
    with time_machine.travel(signed_at, tick=False):
        drive_to(hanoi, Stage.MINISTRY_CHECK, cast)
    reached = dues_of(hanoi).reached_ministry_at
    assert reached == signed_at
    later: Any = _at(12, 5, 9)
    standing = province_standing(
        hanoi, calendar=WorkingCalendar(), now=later, reached_ministry_at=reached
    )
    assert standing.status == status


def test_the_inbox_carries_the_deadline_facts(client: Any, hanoi: Submission, cast: Cast) -> None:
    from django.urls import reverse

    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    client.force_login(cast(Role.DEPARTMENT_REVIEWER))
    with time_machine.travel(_at(4, 5, 9), tick=False):
        page = client.get(reverse("reviews:inbox")).content.decode()
    row = page.split('id="inbox-available"')[1].split("</tr>")[1]
    assert "Thành phố Hà Nội" in row and "05/05/2020" in row
    assert "Đúng tiến độ" in row
    assert DAYS_CELL + "2</td>" in row
    with time_machine.travel(_at(6, 5, 9), tick=False):
        page = client.get(reverse("reviews:inbox")).content.decode()
    row = page.split('id="inbox-available"')[1].split("</tr>")[1]
    assert "Quá hạn" in row and DAYS_CELL + "quá hạn 1 ngày làm việc</td>" in row
    # Years later (the demo's 2020 seen today), still in words, with grouped digits.
    with time_machine.travel(_at(4, 5, 9).replace(year=2026), tick=False):
        page = client.get(reverse("reviews:inbox")).content.decode()
    late = -WorkingCalendar.load().working_days_left(D(2026, 5, 4), D(2020, 5, 5))
    assert late > 1000
    row = page.split('id="inbox-available"')[1].split("</tr>")[1]
    assert f"{DAYS_CELL}quá hạn {late:,} ngày làm việc</td>".replace(",", ".") in row


@pytest.mark.parametrize(
    ("left", "language", "shown"),
    [
        (3, "vi", "3"),
        (0, "vi", "0"),
        (-1, "vi", "quá hạn 1 ngày làm việc"),
        (-1646, "vi", "quá hạn 1.646 ngày làm việc"),
        (2, "en", "2"),
        (-1, "en", "1 working day overdue"),
        (-1646, "en", "1,646 working days overdue"),
        (None, "vi", ""),
    ],
)
def test_working_days_left_in_words_once_overdue(
    left: int | None, language: str, shown: str
) -> None:
    from django.utils import translation

    from core.templatetags.durations import days_left

    with translation.override(language):
        assert days_left(left) == shown


def test_the_coordinator_extends_one_province_with_a_reason(
    client: Any, hanoi: Submission, danang: Submission, cast: Cast
) -> None:
    from django.urls import reverse

    url = reverse("reviews:extend", kwargs={"pk": hanoi.pk})
    client.force_login(cast(Role.DRAFTER))
    client.post(url, {"due": "08/05/2020", "reason": "Tự gia hạn"})
    assert not hanoi.extensions.exists()  # only the coordinator may

    client.force_login(cast(Role.MINISTRY_COORDINATOR))
    response = client.post(url, {"due": "08/05/2020", "reason": ""}, follow=True)
    assert "Ghi rõ lý do gia hạn." in response.content.decode()
    response = client.post(url, {"due": "04/05/2020", "reason": "Sớm hơn"}, follow=True)
    assert "Thời hạn mới không được trước thời hạn của đợt báo cáo (05/05/2020)." in (
        response.content.decode()
    )
    assert not hanoi.extensions.exists()

    response = client.post(url, {"due": "08/05/2020", "reason": "Sự cố mạng"}, follow=True)
    page = response.content.decode()
    assert "Thời hạn của Thành phố Hà Nội nay là 08/05/2020." in page
    assert 'id="due">08/05/2020<' in page and "Sự cố mạng" in page.split('id="extensions"')[1]
    with time_machine.travel(_at(7, 5, 9), tick=False):
        standings = [submission_deadlines(s)[0] for s in (hanoi, danang)]
    assert [(s.status, s.working_days_left) for s in standings] == [
        (Status.NOT_STARTED, 2),
        (Status.OVERDUE, -2),
    ]
