"""Where a province, and each stage of its report, stands against its due dates, in working days
(DESIGN.md, "Deadlines"). Every page, list, reminder and report asks here.

A province is done when its report reaches the ministry (its first move into the ministry
check). Before that it is not started, on track, at risk (due within one working day: the due
day itself) or overdue; after, done on time or done late. The province's due day is the
campaign's deadline, or its own extension (the latest one), read with the campaign's cut-off
(Campaign.deadline_cutoff; ``cutoff``: the moment a day's report is late).

Each stage has its own due day (StageSchedule, else the campaign definition's schedule, else
DEFAULT_OFFSETS working days from the campaign's deadline); a province's extension moves all
of its stages by the working days it adds. A stage is done on time when the report last left
it forward before its cut-off.

The facts come from the database as two annotations of a Submission queryset, written only
here: ``province_due()`` and ``reached_ministry_at()``. The status follows from them by one
rule, ``status_at``. A Reckoner applies it to a whole list at one moment, reckoning each
distinct due day once; ``submission_deadlines`` gives one submission everything its page shows.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Case, F, Min, OuterRef, Subquery, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from core import clock
from core.enums import Stage, Status
from submissions.models import Submission

from .calendar import WorkingCalendar
from .models import AuditRecord, DeadlineExtension, StageSchedule
from .transitions import PROCESS, process_for, stages_of

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


# The stages that may have a due date, in the order a report passes them: each one the
# process moves a report on from (workflow.transitions.PROCESS.path). A campaign that leaves
# some out has its own ladder (``ladder_of``).
LADDER: tuple[Stage, ...] = tuple(t.source for t in PROCESS.path)


def ladder_of(campaign: Campaign) -> tuple[Stage, ...]:
    """The stages with a due date in the campaign's own process."""
    return tuple(t.source for t in process_for(campaign).path)


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


def cutoff(campaign: Campaign, day: datetime.date) -> datetime.datetime:
    """The moment a report due on ``day`` is late, by the campaign's cut-off: the end of the
    day ("trước ngày 05/5/2020" read as "by the end of 05/5"), or its start."""
    if campaign.deadline_cutoff == Campaign.Cutoff.END_OF_DAY:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=clock.VN)


@dataclass(frozen=True, slots=True)
class Standing:
    status: Status
    due: datetime.date
    working_days_left: int  # negative once overdue


# --- The facts, as annotations of a Submission queryset ----------------------------------------


def province_due() -> Case:
    """The province's due day: its latest extension's (a later one corrects an earlier one),
    else the campaign's deadline.

    Only the few extended submissions run the subquery for their latest extension: the list
    of extended ones is read once and hashed, so ten thousand units cost no more than a join.
    """
    latest = (
        DeadlineExtension.objects.filter(submission=OuterRef("pk"))
        .order_by("-at", "-pk")
        .values("due")[:1]
    )
    return Case(
        When(pk__in=DeadlineExtension.objects.values("submission_id"), then=Subquery(latest)),
        default=F("campaign__deadline"),
    )


def ministry_arrival() -> Min:
    """The first move into the ministry check, as an aggregate of a submission's audit records
    (a window over them, on the dashboard)."""
    return Min(Case(When(to_stage=Stage.MINISTRY_CHECK, then="at")))


def reached_ministry_at() -> Subquery:
    """When the report first moved into the ministry check (None: not yet)."""
    return Subquery(
        AuditRecord.objects.filter(submission=OuterRef("pk"))
        .values("submission")
        .annotate(first=ministry_arrival())
        .values("first")
    )


@dataclass(frozen=True)
class Dues:
    province_due: datetime.date
    reached_ministry_at: datetime.datetime | None


def dues_of(submission: Submission) -> Dues:
    """The two facts of one submission, read now (one query)."""
    due, reached = (
        Submission.objects.filter(pk=submission.pk)
        .annotate(due=province_due(), reached=reached_ministry_at())
        .values_list("due", "reached")
        .get()
    )
    return Dues(due, reached)


# --- The rule -----------------------------------------------------------------------------------


_DRAFTING = Stage.DRAFTING.value  # bound once: the dashboard asks for every unit


def is_untouched(stage: str, revision: int) -> bool:
    """A report still in its first drafting that nobody has saved has not started."""
    return revision == 0 and stage == _DRAFTING


def status_at(
    *,
    now: datetime.datetime,
    cutoff: datetime.datetime,
    left: int,
    untouched: bool = False,
    done: bool = False,
    done_at: datetime.datetime | None = None,
) -> Status:
    """The status of a province (or a stage) due before ``cutoff``, with ``left`` working days
    to go: done on time or late once ``done`` (late if ``done_at`` is at or after the cut-off);
    else overdue from the cut-off, not started while untouched, at risk on its last working
    day, on track before."""
    if done or done_at is not None:
        return (
            Status.DONE_LATE if done_at is not None and done_at >= cutoff else Status.DONE_ON_TIME
        )
    if now >= cutoff:
        return Status.OVERDUE
    if untouched:
        return Status.NOT_STARTED
    return Status.AT_RISK if left <= 1 else Status.ON_TRACK


class Reckoner:
    """Standings at one moment against one calendar. A list of any length has a few dozen
    distinct cases (cut-off, due day, untouched, done on time or late): each is reckoned once
    and its Standing shared, so ten thousand units cost ten thousand dictionary lookups."""

    def __init__(
        self, calendar: WorkingCalendar | None = None, now: datetime.datetime | None = None
    ) -> None:
        self.calendar = calendar or WorkingCalendar.load()
        self.now = now or clock.now()
        self.today = timezone.localdate(self.now)
        self._left: dict[datetime.date, int] = {}
        self._cutoffs: dict[tuple[str, datetime.date], datetime.datetime] = {}
        self._standings: dict[tuple[str, datetime.date, bool, bool | None], Standing] = {}

    def left(self, due: datetime.date) -> int:
        left = self._left.get(due)
        if left is None:
            left = self._left[due] = self.calendar.working_days_left(self.today, due)
        return left

    def cutoff(self, campaign: Campaign, due: datetime.date) -> datetime.datetime:
        key = (campaign.deadline_cutoff, due)
        moment = self._cutoffs.get(key)
        if moment is None:
            moment = self._cutoffs[key] = cutoff(campaign, due)
        return moment

    def standing(
        self,
        campaign: Campaign,
        due: datetime.date,
        untouched: bool,
        reached_at: datetime.datetime | None = None,
    ) -> Standing:
        """A province's standing (``reached_at``: when its report reached the ministry), or
        an open stage's (no ``reached_at``)."""
        kind = campaign.deadline_cutoff
        late: bool | None = None
        if reached_at is not None:
            late = reached_at >= (self._cutoffs.get((kind, due)) or self.cutoff(campaign, due))
        key = (kind, due, untouched, late)
        standing = self._standings.get(key)
        if standing is None:
            standing = self._standings[key] = self._reckon(campaign, due, untouched, reached_at)
        return standing

    def _reckon(
        self,
        campaign: Campaign,
        due: datetime.date,
        untouched: bool,
        reached_at: datetime.datetime | None,
    ) -> Standing:
        left = self.left(due)
        status = status_at(
            now=self.now,
            cutoff=self.cutoff(campaign, due),
            left=left,
            untouched=untouched,
            done=reached_at is not None,
            done_at=reached_at,
        )
        return Standing(status, due, left)


def province_standing(
    submission: Submission,
    *,
    calendar: WorkingCalendar,
    now: datetime.datetime | None = None,
    reached_ministry_at: datetime.datetime | None = None,
    due: datetime.date | None = None,
) -> Standing:
    """One province's standing from its facts (``due``: its extension, if any)."""
    return Reckoner(calendar, now).standing(
        submission.campaign,
        due or submission.campaign.deadline,
        untouched=is_untouched(submission.stage, submission.revision),
        reached_at=reached_ministry_at,
    )


# --- Each stage's due day ------------------------------------------------------------------------


def planned_schedule(campaign: Campaign) -> dict[Stage, tuple[int, datetime.date | None]]:
    """Each stage's due day as the campaign's definition plans it: (working days from the
    deadline, a fixed day or None); a stage it does not plan has DEFAULT_OFFSETS. What the
    coordinator sets later (StageSchedule) takes the place of this."""
    planned: dict[Stage, tuple[int, datetime.date | None]] = {
        stage: (DEFAULT_OFFSETS[stage], None) for stage in LADDER
    }
    definition = campaign.definition or {}
    stages = stages_of(definition)
    for entry in definition.get("schedule", []):
        stage = stages.get(entry.get("stage", ""))
        if stage not in planned:
            continue
        fixed = entry.get("on")
        planned[stage] = (
            int(entry.get("offset", DEFAULT_OFFSETS[stage])),
            datetime.date.fromisoformat(fixed) if fixed else None,
        )
    return planned


@dataclass
class Schedule:
    """The due day of every stage of one campaign; one query to load."""

    campaign: Campaign
    calendar: WorkingCalendar
    base: dict[Stage, datetime.date] = field(default_factory=dict)

    @classmethod
    def load(cls, campaign: Campaign, calendar: WorkingCalendar) -> Schedule:
        rows = {
            row.stage: row for row in StageSchedule.objects.filter(campaign=campaign).order_by()
        }
        planned = planned_schedule(campaign)
        schedule = cls(campaign, calendar)
        for stage in LADDER:
            row = rows.get(stage)
            offset, day = (row.offset, row.due_on) if row is not None else planned[stage]
            schedule.base[stage] = day or calendar.add(campaign.deadline, offset)
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
    reckoner = Reckoner(schedule.calendar, now)
    campaign = schedule.campaign
    current = Stage(submission.stage)
    path = process_for(campaign).path
    ladder = tuple(t.source for t in path)
    forward = {t.source: t.target for t in path}  # where each stage leads forward
    position = ladder.index(current) if current in ladder else len(ladder)  # past the last
    standings = []
    for index, stage in enumerate(ladder):
        due = schedule.due(stage, province_due)
        left = reckoner.left(due)
        if index < position:
            target = forward[stage]
            done_at = max(
                (m.at for m in moves if m.from_stage == stage and m.to_stage == target),
                default=None,
            )
            status = status_at(
                now=reckoner.now,
                cutoff=reckoner.cutoff(campaign, due),
                left=left,
                done=True,
                done_at=done_at,
            )
            standings.append(StageStanding(stage, due, status, left, done_at))
        elif index == position:
            open_ = reckoner.standing(
                campaign, due, untouched=is_untouched(stage, submission.revision)
            )
            standings.append(StageStanding(stage, due, open_.status, left))
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
    now: datetime.datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> tuple[Standing, list[StageStanding]]:
    """The province's standing and each stage's, for one submission's page."""
    calendar = calendar or WorkingCalendar.load()
    dues = dues_of(submission)
    standing = province_standing(
        submission,
        calendar=calendar,
        now=now,
        reached_ministry_at=dues.reached_ministry_at,
        due=dues.province_due,
    )
    schedule = Schedule.load(submission.campaign, calendar)
    stages = stage_standings(
        submission,
        schedule=schedule,
        moves=moves_of(submission),
        province_due=dues.province_due,
        now=now,
    )
    return standing, stages
