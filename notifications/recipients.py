"""E-mail to the people who can act next, in Vietnamese: written to the outbox in the
transition's transaction, sent once it has committed (notifications.services)."""

from __future__ import annotations

import logging
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from guardian.shortcuts import get_users_with_perms

from campaigns.models import AdministrativeUnit, Campaign
from core.enums import Role, Stage
from notifications.services import email_render, emails_queue
from submissions.models import Submission
from workflow.models import AuditRecord, SubmissionProcess
from workflow.roles import NATIONAL_PERMISSION, UNIT_PERMISSION
from workflow.transitions import PROCESS, Recipient, Transition, process_for

log = logging.getLogger(__name__)


def coordinators() -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        groups__permissions__codename=NATIONAL_PERMISSION,
    ).distinct()


def unit_holders(role: Role, unit: AdministrativeUnit) -> QuerySet[User]:
    """The active users holding ``role`` on ``unit`` (the coordinators for the national role)."""
    if role == Role.MINISTRY_COORDINATOR:
        return coordinators()
    holders = get_users_with_perms(
        unit,
        only_with_perms_in=[UNIT_PERMISSION[role]],
        with_group_users=False,
    )
    return cast(QuerySet[User], holders).filter(is_active=True)


def next_actors(stage: Stage | str, unit: AdministrativeUnit) -> list[User]:
    """Everyone who may take an action on a submission of ``unit`` in ``stage``."""
    users: dict[int, User] = {}
    for role in dict.fromkeys(t.role for t in PROCESS.transitions_from(stage)):
        for user in unit_holders(role, unit):
            users.setdefault(user.pk, user)
    return sorted(users.values(), key=lambda u: u.username)


def recipients(record: AuditRecord, transition: Transition) -> list[User]:
    """The people the transition's table line says are told (``Transition.told``)."""
    unit = record.submission.unit
    to: list[User] = []
    for kind in transition.told:
        if kind == Recipient.SUBMITTER:
            process = SubmissionProcess.objects.select_related("last_submitter").get(
                submission=record.submission
            )
            submitter = process.last_submitter
            to += [submitter] if submitter else unit_holders(Role.DRAFTER, unit)
        elif kind == Recipient.NEXT_ACTORS:
            to += next_actors(record.to_stage, unit)
        else:
            to += unit_holders(Role(kind), unit)
    return to


def transition_mail_queue(record: AuditRecord) -> int:
    """Write the e-mails of one transition into the outbox, inside its transaction (they are
    sent once it commits); returns how many."""

    submission = record.submission
    transition = process_for(submission.campaign).taken(record.from_stage, record.action)
    to = recipients(record, transition)
    kind = transition.email
    addresses = {u.email for u in to if u.email}
    if not addresses:
        return 0
    with translation.override("vi"):
        context = {
            "record": record,
            "submission": submission,
            "unit": submission.unit.full_name,
            "stage": Stage(record.to_stage).label,
            "from_stage": Stage(record.from_stage).label,
            "notes": list(record.notes.all()),
            "url": site_url(reverse("submissions:detail", kwargs={"pk": submission.pk})),
        }
        subject, body = email_render(f"workflow/email/{kind}", context)
    emails_queue(kind=kind, addresses=addresses, subject=subject, body=body, record_id=record.pk)
    return len(addresses)


def site_url(path: str) -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path


def campaign_opened_mail_queue(campaign: Campaign) -> int:
    """Tell every unit's drafters that the campaign is open and when it is due, inside the
    transaction that opens it; returns how many addresses."""
    count = 0
    with translation.override("vi"):
        for submission in Submission.objects.filter(campaign=campaign).select_related("unit"):
            unit = submission.unit
            addresses = {u.email for u in unit_holders(Role.DRAFTER, unit) if u.email}
            if not addresses:
                continue
            context = {
                "campaign": campaign,
                "unit": unit.full_name,
                "url": site_url(reverse("submissions:detail", kwargs={"pk": submission.pk})),
            }
            subject, body = email_render("workflow/email/campaign_opened", context)
            emails_queue(kind="campaign_opened", addresses=addresses, subject=subject, body=body)
            count += len(addresses)
    return count
