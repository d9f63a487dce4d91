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

from campaigns.models import AdministrativeUnit
from core.enums import Action, Role, Stage
from notifications.services import email_render, emails_queue
from workflow.models import AuditRecord, SubmissionProcess
from workflow.roles import NATIONAL_PERMISSION, UNIT_PERMISSION
from workflow.transitions import transitions_from

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
    for role in dict.fromkeys(t.role for t in transitions_from(stage)):
        for user in unit_holders(role, unit):
            users.setdefault(user.pk, user)
    return sorted(users.values(), key=lambda u: u.username)


def transition_mail_queue(record: AuditRecord) -> int:
    """Write the e-mails of one transition into the outbox, inside its transaction (they are
    sent once it commits); returns how many."""

    submission = record.submission
    if record.action in (Action.RETURN, Action.REOPEN):
        process = SubmissionProcess.objects.select_related("last_submitter").get(
            submission=submission
        )
        to = [process.last_submitter] if process.last_submitter else []
        if record.action == Action.REOPEN or not to:
            to = next_actors(Stage.DRAFTING, submission.unit)
        kind = "returned" if record.action == Action.RETURN else "reopened"
    elif record.action == Action.CONSOLIDATE:
        # Nobody acts next: the province learns its report is in the national one. The
        # coordinator who ran the consolidation saw it on the page, and would otherwise get
        # one e-mail per province of the run, each saying it waits for them.
        to = [
            user
            for role in (Role.DRAFTER, Role.PROVINCIAL_SIGNATORY)
            for user in unit_holders(role, submission.unit)
        ]
        kind = "consolidated"
    else:
        to = next_actors(record.to_stage, submission.unit)
        kind = "submitted" if record.action == Action.SUBMIT else "approved"
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
