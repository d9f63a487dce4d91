"""The coordinator's dashboard: every unit of a campaign at a glance, in a fixed number of queries.

One query reads the submissions with their unit, region, due day (workflow.deadlines) and who
holds the open task (joins); one reads each one's last audit record with when it entered its
stage and first reached the ministry (window functions); one finds the units that have no
submission yet. The calendar and the stage schedule are one query each. Everything else
(statuses by workflow.deadlines, filters, sorting, counts, reporting rates, charts) is
arithmetic on those rows, so the number of queries does not grow with the number of units.

Reporting rates follow DHIS2: expected reports (units in the selection), actual reports
(reached the ministry), reports on time (reached it before the province's cut-off), the
reporting rate (actual / expected) and the on-time rate (on time / expected).
"""

from __future__ import annotations

import datetime
import functools
import operator
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    F,
    FilteredRelation,
    Max,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Concat, NullIf, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from viewflow.workflow.status import STATUS

from campaigns.models import AdministrativeUnit, Campaign
from core import clock, spreadsheet
from core.enums import Action, Role, Stage, Status
from submissions.models import Submission
from workflow import deadlines
from workflow.calendar import WorkingCalendar
from workflow.deadlines import (
    LADDER,
    Reckoner,
    Schedule,
    is_untouched,
    ladder_of,
    ministry_arrival,
)
from workflow.models import AuditRecord
from workflow.transitions import roles_at

STAGE_ORDER = {stage: n for n, stage in enumerate([*LADDER, Stage.CONSOLIDATED])}


def stages_of(campaign: Campaign) -> list[Stage]:
    """The stages a report of the campaign can stand at, in order: its own process's (a
    campaign without a review in the unit has no department stage to count or filter by)."""
    return [*ladder_of(campaign), Stage.CONSOLIDATED]


STATUS_ORDER = {
    s: n
    for n, s in enumerate(
        [
            Status.OVERDUE,
            Status.AT_RISK,
            Status.NOT_STARTED,
            Status.ON_TRACK,
            Status.DONE_LATE,
            Status.DONE_ON_TIME,
        ]
    )
}
PAGE_SIZE = 100


# Remembered: a search or a sort by name folds every unit's name on each request, and the
# names hardly change (the size bounds what searches typed by hand can add).
@functools.lru_cache(maxsize=65_536)
def folded(text: str) -> str:
    """Lower case without diacritics, so that "ha noi" finds "Hà Nội"."""
    text = text.lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


@dataclass(slots=True)
class Row:
    submission_id: int | None  # None: the unit has no submission yet
    code: str
    unit: str
    region_code: str
    region: str
    stage: Stage
    stage_label: str  # labels translated once per page, not once per row and cell
    entered_at: datetime.datetime
    in_stage: datetime.timedelta
    stage_due: datetime.date | None
    stage_left: int | None
    stage_status: Status | None
    stage_status_label: str  # "" when the stage has no due day
    province_due: datetime.date
    province_left: int
    province_status: Status
    province_status_label: str
    reached_at: datetime.datetime | None
    holder: str
    last_action: str
    last_actor: str
    last_at: datetime.datetime | None


@dataclass
class Rates:
    expected: int
    actual: int
    on_time: int

    @property
    def reporting_rate(self) -> Decimal | None:
        return _percent(self.actual, self.expected)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _percent(self.on_time, self.expected)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _day(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class ChartDay:
    """A day of the chart over time, as its table alternative lists it."""

    day: datetime.date
    reached: int  # reports that reached the ministry that day
    total: int  # reports that had reached it by the end of the day
    is_deadline: bool


@dataclass
class Chart:
    """Cumulative reports reaching the ministry, day by day, against the deadline; with the
    same figures as a table and in a sentence, for whoever does not see the drawing."""

    days: list[datetime.date]
    cumulative: list[int]
    expected: int
    deadline: datetime.date

    # The SVG drawing area (viewBox units) and its margins for the axis labels.
    width = 640
    height = 220
    left = 40
    bottom = 30
    top = 10

    def _x(self, index: float) -> float:
        span = max(len(self.days) - 1, 1)
        return round(self.left + (self.width - self.left - 10) * index / span, 1)

    def _y(self, value: float) -> float:
        scale = max(self.expected, 1)
        return round(
            self.height - self.bottom - (self.height - self.bottom - self.top) * value / scale, 1
        )

    @property
    def points(self) -> str:
        """The cumulative count as a step line."""
        coords = []
        for n, value in enumerate(self.cumulative):
            if n:
                coords.append(f"{self._x(n)},{self._y(self.cumulative[n - 1])}")
            coords.append(f"{self._x(n)},{self._y(value)}")
        return " ".join(coords)

    @property
    def deadline_x(self) -> float | None:
        if self.deadline not in self.days:
            return None
        return self._x(self.days.index(self.deadline) + 0.99)

    @property
    def expected_y(self) -> float:
        return self._y(self.expected)

    @property
    def baseline_y(self) -> float:
        return self._y(0)

    @property
    def ticks(self) -> list[tuple[float, datetime.date]]:
        """About eight dates along the bottom."""
        step = max(1, len(self.days) // 8)
        return [(self._x(n), day) for n, day in enumerate(self.days) if n % step == 0]

    @property
    def table(self) -> list[ChartDay]:
        """Every day drawn, with what reached the ministry that day and by then."""
        return [
            ChartDay(
                day=day,
                reached=total - (self.cumulative[n - 1] if n else 0),
                total=total,
                is_deadline=day == self.deadline,
            )
            for n, (day, total) in enumerate(zip(self.days, self.cumulative, strict=True))
        ]

    @property
    def summary(self) -> str:
        """What the line shows, in one sentence: where it ends, and where it stood at the
        deadline once that has passed."""
        values = {
            "day": _day(self.days[-1]),
            "n": self.cumulative[-1],
            "expected": self.expected,
            "deadline": _day(self.deadline),
        }
        if self.deadline in self.days and self.days[-1] > self.deadline:
            values["by_deadline"] = self.cumulative[self.days.index(self.deadline)]
            return (
                _(
                    "By %(day)s, %(n)s of %(expected)s reports had reached the ministry, "
                    "%(by_deadline)s of them by the deadline of %(deadline)s."
                )
                % values
            )
        return (
            _(
                "By %(day)s, %(n)s of %(expected)s reports have reached the ministry; "
                "the deadline is %(deadline)s."
            )
            % values
        )


@dataclass
class Dashboard:
    campaign: Campaign
    now: datetime.datetime
    rows: list[Row]  # the selection (region, search), before stage and status filters
    shown: list[Row] = field(default_factory=list)
    stage_counts: list[tuple[Stage, int]] = field(default_factory=list)
    status_counts: list[tuple[Status, int]] = field(default_factory=list)
    rates: Rates | None = None
    chart: Chart | None = None
    regions: list[tuple[str, str]] = field(default_factory=list)

    @property
    def stage_summary(self) -> str:
        """The chart of stages in one sentence: how many provinces, and how many at each stage
        that has any."""
        total = sum(count for _stage, count in self.stage_counts)
        if not total:
            return _("No province in this selection.")
        stages = [
            _("%(count)s at “%(stage)s”") % {"count": count, "stage": stage.label}
            for stage, count in self.stage_counts
            if count
        ]
        return ngettext(
            "%(count)s province: %(stages)s.", "%(count)s provinces: %(stages)s.", total
        ) % {"count": total, "stages": ", ".join(stages)}


def _holders_label(stage: Stage) -> str:
    """Who holds a stage, when no one person has taken its task: the roles that move it on
    (none once the process is finished, where the page says "—")."""
    return ", ".join(str(Role(r).label) for r in roles_at(stage))


def _actor_name() -> Coalesce:
    """The actor's full name, or the username when the user has no name."""
    full = Concat("actor__first_name", Value(" "), "actor__last_name", output_field=CharField())
    return Coalesce(NullIf(full, Value(" ")), "actor__username")


def campaign_rows(
    campaign: Campaign, *, now: datetime.datetime | None = None
) -> tuple[list[Row], datetime.datetime]:
    """One row per unit of the campaign, with its statuses; five queries whatever the count."""
    now = now or clock.now()
    calendar = WorkingCalendar.load()
    schedule = Schedule.load(campaign, calendar)
    # Joins, not a subquery per submission (at 10,000 units those cost more than the rest of
    # the page): a submission has a row per open task, newest first, so its first row with
    # an owner names the person holding it. The owner is not in the join's condition: Django
    # would then join the user table ahead of the task table it hangs from.
    open_task = FilteredRelation(
        "process__task",
        condition=Q(process__task__status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]),
    )
    owner = Concat(
        "open_task__owner__first_name",
        Value(" "),
        "open_task__owner__last_name",
        output_field=CharField(),
    )
    submissions: dict[int, tuple[Any, ...]] = {}
    holder_names: dict[int, str] = {}
    for pk, *columns, owner_id, holder_name in (
        Submission.objects.filter(campaign=campaign)
        .annotate(open_task=open_task, holder_name=owner, province_due=deadlines.province_due())
        .values_list(
            "pk",
            "stage",
            "revision",
            "unit__code",
            "unit__name",
            "unit__kind",
            "unit__region__code",
            "unit__region__name",
            "province_due",
            "open_task__owner_id",
            "holder_name",
        )
        .order_by("pk", "-open_task__created")
    ):
        submissions.setdefault(pk, (pk, *columns))
        if owner_id is not None:
            holder_names.setdefault(pk, holder_name)
    # Units the campaign was sent to that have no submission yet are expected all the same:
    # they stand in drafting, untouched.
    missing = [
        (None, Stage.DRAFTING.value, 0, *unit, campaign.deadline)
        for unit in campaign.units.exclude(submissions__campaign=campaign).values_list(
            "code", "name", "kind", "region__code", "region__name"
        )
    ]
    # Each submission's last audit record, with when it first reached the ministry and when
    # it last entered the stage it is in: window functions over its records, one query.
    by_submission = [F("submission_id")]
    entering = Case(When(to_stage=F("submission__stage"), then="at"))
    facts = {
        submission_id: (action, at, name, reached, entered)
        for submission_id, action, at, name, reached, entered in AuditRecord.objects.filter(
            submission__campaign=campaign
        )
        .annotate(
            position=Window(
                RowNumber(), order_by=[F("at").desc(), F("pk").desc()], partition_by=by_submission
            ),
            reached=Window(ministry_arrival(), partition_by=by_submission),
            entered=Window(Max(entering), partition_by=by_submission),
            name=_actor_name(),
        )
        .filter(position=1)
        .values_list("submission_id", "action", "at", "name", "reached", "entered")
        .order_by()
    }

    # A stage's due day depends on the stage and the province's due day: a few dozen distinct
    # cases for any number of units, as are the standings (deadlines.Reckoner).
    @functools.cache
    def stage_due_of(stage: str, province_due: datetime.date) -> datetime.date | None:
        return schedule.due(stage, province_due) if stage in LADDER else None

    # Standings by deadlines.Reckoner; the open ones (every stage, a province not yet at the
    # ministry) share a handful of (due day, untouched) cases, looked up at C speed.
    reckon = Reckoner(calendar, now).standing
    open_standing = functools.cache(functools.partial(reckon, campaign))
    issued = timezone.make_aware(datetime.datetime.combine(campaign.issued_on, datetime.time()))
    name_formats = {
        AdministrativeUnit.Kind.CITY: str(_("%(name)s City")),
        AdministrativeUnit.Kind.PROVINCE: str(_("%(name)s Province")),
    }
    stages = {stage.value: stage for stage in Stage}
    holders = {stage: _holders_label(stage) for stage in Stage}
    stage_labels = {stage: str(stage.label) for stage in Stage}
    status_labels = {status: str(status.label) for status in Status}
    action_labels = {a.value: str(a.label) for a in Action}
    rows = []
    for (
        pk,
        stage_value,
        revision,
        code,
        name,
        kind,
        region_code,
        region,
        province_due,
    ) in [*submissions.values(), *missing]:
        stage = stages[stage_value]
        action, last_at, last_actor, reached_at, entered_at = facts.get(
            pk, ("", None, "", None, None)
        )
        untouched = is_untouched(stage_value, revision)
        province = (
            open_standing(province_due, untouched)
            if reached_at is None
            else reckon(campaign, province_due, untouched, reached_at)
        )
        stage_due = stage_due_of(stage_value, province_due)
        open_stage = open_standing(stage_due, untouched) if stage_due else None
        # A stage never entered by a transition is drafting since the campaign went out.
        entered = entered_at or issued
        rows.append(
            Row(
                submission_id=pk,
                code=code,
                unit=name_formats[kind] % {"name": name},
                region_code=region_code,
                region=region,
                stage=stage,
                stage_label=stage_labels[stage],
                entered_at=entered,
                in_stage=now - entered,
                stage_due=stage_due,
                stage_left=open_stage.working_days_left if open_stage else None,
                stage_status=open_stage.status if open_stage else None,
                stage_status_label=status_labels[open_stage.status] if open_stage else "",
                province_due=province_due,
                province_left=province.working_days_left,
                province_status=province.status,
                province_status_label=status_labels[province.status],
                reached_at=reached_at,
                holder=(holder_names.get(pk) or "").strip() or holders[stage],
                last_action=action_labels.get(action, ""),
                last_actor=last_actor,
                last_at=last_at,
            )
        )
    rows.sort(key=operator.attrgetter("code"))
    return rows, now


SORTS: dict[str, Any] = {
    "code": lambda r: r.code,
    "unit": lambda r: folded(r.unit),
    "region": lambda r: (r.region_code, r.code),
    "stage": lambda r: (STAGE_ORDER[r.stage], r.code),
    "in_stage": lambda r: r.in_stage,
    "due": lambda r: (r.stage_due or datetime.date.max, r.code),
    "left": lambda r: (r.stage_left if r.stage_left is not None else 10**6, r.code),
    "status": lambda r: (
        STATUS_ORDER[r.stage_status] if r.stage_status else 99,
        r.stage_left if r.stage_left is not None else 10**6,
        r.code,
    ),
    "province": lambda r: (STATUS_ORDER[r.province_status], r.code),
    "last": lambda r: (r.last_at or datetime.datetime.min.replace(tzinfo=datetime.UTC), r.code),
}


@dataclass
class Filters:
    region: str = ""
    stage: str = ""
    status: str = ""
    province: str = ""
    q: str = ""
    sort: str = "code"

    @classmethod
    def from_query(cls, data: Any) -> Filters:
        sort = data.get("sort", "code")
        if sort.lstrip("-") not in SORTS:
            sort = "code"
        return cls(
            region=data.get("region", ""),
            stage=data.get("stage", "") if data.get("stage", "") in Stage.values else "",
            status=data.get("status", "") if data.get("status", "") in Status.values else "",
            province=(
                data.get("province", "") if data.get("province", "") in Status.values else ""
            ),
            q=data.get("q", "").strip()[:100],
            sort=sort,
        )


def dashboard(
    campaign: Campaign, filters: Filters, *, now: datetime.datetime | None = None
) -> Dashboard:
    rows, now = campaign_rows(campaign, now=now)
    regions = sorted({(r.region_code, r.region) for r in rows})
    if filters.region:
        rows = [r for r in rows if r.region_code == filters.region]
    if filters.q:
        needle = folded(filters.q)
        rows = [r for r in rows if needle in folded(f"{r.code} {r.unit}")]
    board = Dashboard(campaign=campaign, now=now, rows=rows, regions=regions)
    stages = Counter(r.stage for r in rows)
    board.stage_counts = [(stage, stages.get(stage, 0)) for stage in stages_of(campaign)]
    statuses = Counter(r.stage_status for r in rows if r.stage_status)
    board.status_counts = [(status, statuses.get(status, 0)) for status in STATUS_ORDER]
    board.rates = Rates(
        expected=len(rows),
        actual=sum(1 for r in rows if r.reached_at is not None),
        on_time=sum(1 for r in rows if r.province_status == Status.DONE_ON_TIME),
    )
    board.chart = _chart(campaign, rows, now)
    shown = rows
    if filters.stage:
        shown = [r for r in shown if r.stage == filters.stage]
    if filters.status:
        shown = [r for r in shown if r.stage_status == filters.status]
    if filters.province:
        shown = [r for r in shown if r.province_status == filters.province]
    key = SORTS[filters.sort.lstrip("-")]
    board.shown = sorted(shown, key=key, reverse=filters.sort.startswith("-"))
    return board


def _chart(campaign: Campaign, rows: list[Row], now: datetime.datetime) -> Chart:
    # astimezone, not timezone.localdate: thousands of calls, and the zone is the same for all.
    zone = timezone.get_current_timezone()
    reached = Counter(r.reached_at.astimezone(zone).date() for r in rows if r.reached_at)
    start = campaign.issued_on
    end = max([campaign.deadline, *reached]) + datetime.timedelta(days=3)
    end = max(start, min(end, timezone.localdate(now)))
    days, cumulative, total = [], [], sum(n for day, n in reached.items() if day < start)
    day = start
    while day <= end:
        total += reached.get(day, 0)
        days.append(day)
        cumulative.append(total)
        day += datetime.timedelta(days=1)
    return Chart(days=days, cumulative=cumulative, expected=len(rows), deadline=campaign.deadline)


def xlsx(
    campaign: Campaign, board: Dashboard, columns: list[str], values: list[list[Any]]
) -> bytes:
    """The dashboard's list as a workbook: a title, the header frozen, dates as dates.

    Streamed (openpyxl's write-only mode), plain values as they are: at 10,000 units it is
    the bulk of the export's time (benchmarks/export.py)."""
    widths = [8, 28, 24, 22, 17, 8, 11, 9, 16, 11, 16, 17, 28, 18, 22, 17]
    book = spreadsheet.streamed_workbook()
    sheet = spreadsheet.StreamedSheet(book, campaign.code[:31], widths=widths, frozen=(3, 3))
    title = sheet.cell(f"{campaign.number} · {campaign.subject}"[:250], font=spreadsheet.BOLD)
    stamp = timezone.localtime(board.now).strftime("%d/%m/%Y %H:%M")
    sheet.append([title, None, None, None, stamp])
    sheet.append(
        [sheet.cell(label, font=spreadsheet.BOLD, alignment=spreadsheet.LABEL) for label in columns]
    )
    for row in values:
        sheet.append(row)
    return spreadsheet.save(book)
