"""Where a province, and each stage of its report, stands against its due dates, in working days
(DESIGN.md, "Deadlines").

A province is done when its report reaches the ministry (its first move into the ministry
check). Before that it is not started, on track, at risk (due within one working day: the due
day itself) or overdue; after, done on time or done late. The province's due day is the
campaign's deadline, or its own extension, read with the campaign's cut-off
(Campaign.deadline_cutoff).

Each stage has its own due day (StageSchedule, else DEFAULT_OFFSETS working days from the
campaign's deadline); a province's extension moves all of its stages by the working days it
adds. A stage is done on time when the report last left it forward before its cut-off.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config import clock
from submissions.models import Campaign, Submission

from .calendar import WorkingCalendar
from .stages import Stage
from .transitions import PROCESS

# A day a coordinator names for a campaign (a stage's fixed due day, an extension, a swapped
# day of the calendar) lies within the campaign's year and this many years either side.
YEARS_AROUND = 3


def date_range(campaign: Campaign) -> tuple[datetime.date, datetime.date]:
    """The first and last day a coordinator may name for ``campaign``."""
    year = campaign.deadline.year
    return datetime.date(year - YEARS_AROUND, 1, 1), datetime.date(year + YEARS_AROUND, 12, 31)


def out_of_range_message(campaign: Campaign) -> str:
    first, last = date_range(campaign)
    return str(
        _("Enter a day between %(first)s and %(last)s.")
        % {"first": first.strftime("%d/%m/%Y"), "last": last.strftime("%d/%m/%Y")}
    )


# The stages that have a due date, in the order a report passes them: each one the process
# moves a report on from (workflow.transitions.PROCESS.path).
LADDER: tuple[Stage, ...] = tuple(t.source for t in PROCESS.path)
# Working days from the campaign's deadline when the coordinator set nothing else: the
# province drafts first, its department and its People's Committee take the last two days,
# and the ministry has three working days to check and two more to consolidate.
DEFAULT_OFFSETS: dict[Stage, int] = {
    Stage.DRAFTING: -2,
    Stage.DEPARTMENT_REVIEW: -1,
    Stage.PROVINCIAL_SIGNOFF: 0,
    Stage.MINISTRY_CHECK: 3,
    Stage.CONSOLIDATION: 5,
}


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OVERDUE = "overdue", _("Overdue")
    DONE_ON_TIME = "done_on_time", _("Done on time")
    DONE_LATE = "done_late", _("Done late")


@dataclass(frozen=True)
class Standing:
    status: Status
    due: datetime.date
    working_days_left: int  # negative once overdue
    reached_ministry_at: datetime.datetime | None = None


def open_status(
    *, now: datetime.datetime, cutoff: datetime.datetime, left: int, untouched: bool
) -> Status:
    if now >= cutoff:
        return Status.OVERDUE
    if untouched:
        return Status.NOT_STARTED
    return Status.AT_RISK if left <= 1 else Status.ON_TRACK


def province_standing(
    submission: Submission,
    *,
    calendar: WorkingCalendar,
    now: datetime.datetime | None = None,
    reached_ministry_at: datetime.datetime | None = None,
    due: datetime.date | None = None,
) -> Standing:
    """``reached_ministry_at``: the submission's first move into the ministry check, if any;
    ``due``: its deadline if extended (callers listing many submissions fetch both for all of
    them in one query each)."""
    now = now or clock.now()
    campaign = submission.campaign
    due = due or campaign.deadline
    cutoff = campaign.cutoff(due)
    left = calendar.working_days_left(timezone.localdate(now), due)
    if reached_ministry_at is not None:
        status = Status.DONE_ON_TIME if reached_ministry_at < cutoff else Status.DONE_LATE
        return Standing(status, due, left, reached_ministry_at)
    untouched = submission.stage == Stage.DRAFTING and submission.revision == 0
    return Standing(open_status(now=now, cutoff=cutoff, left=left, untouched=untouched), due, left)


def reached_ministry(submission: Submission) -> datetime.datetime | None:
    return (
        submission.audit_records.filter(to_stage=Stage.MINISTRY_CHECK)
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )


@dataclass
class Schedule:
    """The due day of every stage of one campaign; one query to load."""

    campaign: Campaign
    calendar: WorkingCalendar
    base: dict[Stage, datetime.date] = field(default_factory=dict)

    @classmethod
    def load(cls, campaign: Campaign, calendar: WorkingCalendar) -> Schedule:
        from .models import StageSchedule

        rows = {
            row.stage: row for row in StageSchedule.objects.filter(campaign=campaign).order_by()
        }
        schedule = cls(campaign, calendar)
        for stage in LADDER:
            row = rows.get(stage)
            if row is not None and row.due_on is not None:
                schedule.base[stage] = row.due_on
            else:
                offset = row.offset if row is not None else DEFAULT_OFFSETS[stage]
                schedule.base[stage] = calendar.add(campaign.deadline, offset)
        return schedule

    def shift(self, province_due: datetime.date | None) -> int:
        """The working days a province's extension adds to the campaign's deadline."""
        deadline = self.campaign.deadline
        if province_due is None or province_due <= deadline:
            return 0
        return self.calendar.count(deadline + datetime.timedelta(days=1), province_due)

    def due(self, stage: Stage | str, province_due: datetime.date | None = None) -> datetime.date:
        base = self.base[Stage(stage)]
        shift = self.shift(province_due)
        return self.calendar.add(base, shift) if shift else base


@dataclass(frozen=True)
class StageStanding:
    stage: Stage
    due: datetime.date
    status: Status
    working_days_left: int
    done_at: datetime.datetime | None = None


@dataclass(frozen=True)
class Move:
    """One transition, as much of it as the deadline arithmetic needs."""

    at: datetime.datetime
    from_stage: str
    to_stage: str


# Where each stage of the ladder leads forward.
_FORWARD: dict[Stage, Stage] = {t.source: t.target for t in PROCESS.path}


def stage_standings(
    submission: Submission,
    *,
    schedule: Schedule,
    moves: Sequence[Move],
    province_due: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> list[StageStanding]:
    """Each stage with a due date: done on time or late (when the report last left it forward),
    on track / at risk / overdue (the stage it is in), or not started (a stage still ahead)."""
    now = now or clock.now()
    today = timezone.localdate(now)
    campaign = schedule.campaign
    current = Stage(submission.stage)
    position = LADDER.index(current) if current in LADDER else len(LADDER)  # past the last
    standings = []
    for index, stage in enumerate(LADDER):
        due = schedule.due(stage, province_due)
        left = schedule.calendar.working_days_left(today, due)
        cutoff = campaign.cutoff(due)
        if index < position:
            target = _FORWARD[stage]
            done_at = max(
                (m.at for m in moves if m.from_stage == stage and m.to_stage == target),
                default=None,
            )
            late = done_at is not None and done_at >= cutoff
            status = Status.DONE_LATE if late else Status.DONE_ON_TIME
            standings.append(StageStanding(stage, due, status, left, done_at))
        elif index == position:
            untouched = stage == Stage.DRAFTING and submission.revision == 0
            status = open_status(now=now, cutoff=cutoff, left=left, untouched=untouched)
            standings.append(StageStanding(stage, due, status, left))
        else:
            standings.append(StageStanding(stage, due, Status.NOT_STARTED, left))
    return standings


def moves_of(submission: Submission) -> list[Move]:
    return [
        Move(at, from_stage, to_stage)
        for at, from_stage, to_stage in submission.audit_records.order_by("at", "pk").values_list(
            "at", "from_stage", "to_stage"
        )
    ]


def submission_deadlines(
    submission: Submission,
    *,
    province_due: datetime.date | None,
    now: datetime.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> tuple[Standing, list[StageStanding]]:
    """The province's standing and each stage's, for one submission's page."""
    calendar = calendar or WorkingCalendar.load()
    moves = moves_of(submission)
    reached = min((m.at for m in moves if m.to_stage == Stage.MINISTRY_CHECK), default=None)
    standing = province_standing(
        submission, calendar=calendar, now=now, reached_ministry_at=reached, due=province_due
    )
    schedule = Schedule.load(submission.campaign, calendar)
    stages = stage_standings(
        submission, schedule=schedule, moves=moves, province_due=province_due, now=now
    )
    return standing, stages
