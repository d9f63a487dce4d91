"""Reminders before a stage is due and once it is overdue, in Vietnamese, each sent once.

The sweep (``reminders_sweep``) sends nothing on a day off. On a working day it looks at every
open submission: on the working day before its stage's due day (or, if it did not run then,
on the due day itself) it reminds the people who can act; once the due day's cut-off has
passed it reminds them again and escalates, to the provincial signatory (provincial stages)
and the ministry coordinators. Each reminder is a Reminder row, unique per submission, stage,
due day and kind, written with its e-mails (notifications' outbox) in one transaction: a
second sweep, or two sweeps at once, find the row and send nothing. An extension changes the
due day, so the province is reminded again about its new one.

The sweep runs every 15 minutes under Celery beat when a broker is configured
(notifications.tasks.sweep_deadlines), or from cron / a systemd timer with
``manage.py send_reminders``. It also fires viewflow's due timers.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from viewflow.workflow.timers import fire_due_timers

from campaigns.models import Campaign
from core import clock
from core.enums import Role, Stage, Status
from notifications.recipients import coordinators, next_actors, site_url, unit_holders
from notifications.services import email_render, emails_queue
from submissions.models import Submission
from workflow import access
from workflow.calendar import WorkingCalendar
from workflow.deadlines import LADDER, Reckoner, Schedule, is_untouched, province_due
from workflow.models import Reminder

log = logging.getLogger(__name__)

PROVINCIAL_STAGES = (Stage.DRAFTING, Stage.DEPARTMENT_REVIEW, Stage.PROVINCIAL_SIGNOFF)


class ReminderError(Exception):
    pass


@dataclass
class SweepResult:
    before: int = 0
    overdue: int = 0
    emails: int = 0
    timers_fired: int = 0


def recipients(kind: str, stage: Stage | str, submission: Submission) -> list[User]:
    """Who can act; once overdue also the provincial signatory and the coordinators."""
    users = {u.pk: u for u in next_actors(stage, submission.unit)}
    if kind == Reminder.Kind.OVERDUE:
        if stage in PROVINCIAL_STAGES:
            for user in unit_holders(Role.PROVINCIAL_SIGNATORY, submission.unit):
                users.setdefault(user.pk, user)
        for user in coordinators():
            users.setdefault(user.pk, user)
    return sorted(users.values(), key=lambda u: u.username)


def remind_before(calendar: WorkingCalendar, *, today: datetime.date, due: datetime.date) -> bool:
    """The "due soon" reminder goes out from the working day before the due day up to the due
    day (a sweep that missed the day before still reminds, once: the row is unique), and the
    sweep runs it on working days only, when "today included" is true."""
    return calendar.add(due, -1) <= today <= due


def _record(
    submission: Submission,
    *,
    kind: str,
    due: datetime.date,
    now: datetime.datetime,
    calendar: WorkingCalendar,
    by: User | None = None,
) -> Reminder | None:
    """Record one reminder and write its e-mails to the outbox in the same transaction; None
    if it was already sent."""
    to = recipients(kind, submission.stage, submission)
    addresses = sorted({u.email for u in to if u.email})
    with transaction.atomic():
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    submission=submission,
                    stage=submission.stage,
                    due=due,
                    kind=kind,
                    at=now,
                    by=by,
                    recipients=", ".join(addresses),
                )
        except IntegrityError:
            return None  # another sweep recorded it first
        if addresses:
            subject, body = email_render(
                f"workflow/email/reminder_{kind}", _mail_context(reminder, calendar)
            )
            emails_queue(
                kind=f"reminder_{kind}",
                addresses=addresses,
                subject=subject,
                body=body,
                reminder_id=reminder.pk,
            )
    return reminder


def _open_stage_dues(
    submissions: QuerySet[Submission], calendar: WorkingCalendar
) -> list[tuple[Submission, datetime.date]]:
    """The submissions with a stage still open, each with that stage's due day (its
    province's extension counted); one query for them and one per campaign's schedule."""
    schedules: dict[int, Schedule] = {}
    dues: list[tuple[Submission, datetime.date]] = []
    for submission in (
        submissions.filter(stage__in=LADDER, campaign__state__in=Campaign.DRAFTING_STATES)
        .select_related("campaign", "unit")
        .annotate(province_due=province_due())
        .order_by("campaign", "unit__code")
    ):
        campaign = submission.campaign
        if campaign.pk not in schedules:
            schedules[campaign.pk] = Schedule.load(campaign, calendar)
        dues.append(
            (submission, schedules[campaign.pk].due(submission.stage, submission.province_due))
        )
    return dues


def reminders_sweep(*, now: datetime.datetime | None = None) -> SweepResult:
    """Send every reminder that is due and was not sent yet; fire viewflow's due timers."""
    now = now or clock.now()
    today = timezone.localdate(now)
    calendar = WorkingCalendar.load()
    reckoner = Reckoner(calendar, now)
    result = SweepResult()
    # Nobody is reminded on a day off; the next working day's sweep sends what is due then.
    working = calendar.is_working_day(today)
    open_ = _open_stage_dues(Submission.objects.all(), calendar) if working else []
    sent = set(
        Reminder.objects.filter(
            submission__in=[s.pk for s, _due in open_],
            kind__in=[Reminder.Kind.BEFORE, Reminder.Kind.OVERDUE],
        ).values_list("submission_id", "stage", "due", "kind")
    )
    for submission, due in open_:
        standing = reckoner.standing(
            submission.campaign,
            due,
            untouched=is_untouched(submission.stage, submission.revision),
        )
        if standing.status == Status.OVERDUE:
            kind = Reminder.Kind.OVERDUE
        elif remind_before(calendar, today=today, due=due):
            kind = Reminder.Kind.BEFORE
        else:
            continue
        if (submission.pk, submission.stage, due, kind) in sent:
            continue
        reminder = _record(submission, kind=kind, due=due, now=now, calendar=calendar)
        if reminder is None:
            continue
        if kind == Reminder.Kind.OVERDUE:
            result.overdue += 1
        else:
            result.before += 1
        result.emails += len([a for a in reminder.recipients.split(", ") if a])
    result.timers_fired = fire_due_timers()
    log.info(
        "reminder sweep: %s before, %s overdue, %s e-mails, %s timers",
        result.before,
        result.overdue,
        result.emails,
        result.timers_fired,
    )
    return result


def reminders_send(*, actor: User, submissions: list[Submission]) -> list[Reminder]:
    """The coordinator reminds the chosen provinces now, whatever the sweep already sent."""
    if not access.is_national(actor):
        raise ReminderError(gettext("Only the ministry coordinator can send reminders."))
    calendar = WorkingCalendar.load()
    open_ = _open_stage_dues(
        Submission.objects.filter(pk__in=[s.pk for s in submissions]), calendar
    )
    if not open_:
        raise ReminderError(
            gettext("None of the chosen provinces has a stage still open: nothing was sent.")
        )
    now = clock.now()
    reminders = []
    for submission, due in open_:
        reminder = _record(
            submission, kind=Reminder.Kind.MANUAL, due=due, now=now, calendar=calendar, by=actor
        )
        if reminder is not None:
            reminders.append(reminder)
    return reminders


def _mail_context(reminder: Reminder, calendar: WorkingCalendar) -> dict[str, Any]:
    """What a reminder's e-mail says, counted on the day it is written (and sent)."""
    submission = reminder.submission
    today = timezone.localdate(reminder.at)
    left = calendar.working_days_left(today, reminder.due)
    with translation.override("vi"):  # the unit's name is translated as it is read
        return {
            "reminder": reminder,
            "submission": submission,
            "unit": submission.unit.full_name,
            "stage": Stage(reminder.stage).label,
            "due": reminder.due,
            "left": left,
            "late": -left,
            "url": site_url(reverse("submissions:detail", kwargs={"pk": submission.pk})),
        }
