"""Where a province stands against its deadline, in working days (DESIGN.md, "Deadlines").

A province is done when its report reaches the ministry (its first move into the ministry
check). Before that it is not started, on track, at risk (due within one working day) or
overdue; after, done on time or done late. The due day is the campaign's deadline, read
with the campaign's cut-off (Campaign.deadline_cutoff).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from submissions.models import Submission

from .calendar import WorkingCalendar
from .stages import Stage


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
    now = now or timezone.now()
    campaign = submission.campaign
    due = due or campaign.deadline
    cutoff = campaign.cutoff(due)
    today = timezone.localdate(now)
    left = calendar.working_days_left(today, due)
    if reached_ministry_at is not None:
        status = Status.DONE_ON_TIME if reached_ministry_at < cutoff else Status.DONE_LATE
        return Standing(status, due, left, reached_ministry_at)
    if now >= cutoff:
        return Standing(Status.OVERDUE, due, left)
    untouched = submission.stage == Stage.DRAFTING and submission.revision == 0
    if untouched:
        return Standing(Status.NOT_STARTED, due, left)
    return Standing(Status.AT_RISK if left <= 1 else Status.ON_TRACK, due, left)


def reached_ministry(submission: Submission) -> datetime.datetime | None:
    return (
        submission.audit_records.filter(to_stage=Stage.MINISTRY_CHECK)
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )
