"""The outbox: each e-mail is a row written in the transaction of the step that causes it, then
sent after the commit (by a worker, or here when there is no broker) and marked sent once.

Sending claims the row (pending -> sending, a conditional UPDATE), so two senders never both
send it. The sweep (``outbox_sweep``; Celery beat every minute, or ``manage.py
send_reminders`` from cron) sends again what stayed pending: a hand-off lost with a worker or
a broker, or a mail server that failed (retried with growing pauses, given up after
``MAX_ATTEMPTS``). A row left "sending" past ``SENDING_TIMEOUT`` belonged to a sender that
died; it is sent again. That is the at-least-once edge: a sender killed after the mail
server accepted the message and before the row was marked sent makes the recipient get it
twice. Nothing is lost.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import translation

from core import clock
from core.background import queue_or_run

from .models import Email

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# The step's own hand-off has this long before the sweep takes a row as lost.
HANDOFF_GRACE = datetime.timedelta(seconds=60)
# Longer than a send can take (EMAIL_TIMEOUT, 15 s, per connection attempt).
SENDING_TIMEOUT = datetime.timedelta(minutes=5)


def retry_pause(attempts: int) -> datetime.timedelta:
    """2, 4, 8 ... minutes after the n-th failed attempt, at most two hours."""
    return datetime.timedelta(minutes=min(2**attempts, 120))


def email_render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of ``template`` (``<template>_subject.txt`` and ``<template>.txt``),
    in Vietnamese."""
    with translation.override("vi"):
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}.txt", context)
    return " ".join(subject.split()), body


def emails_queue(
    *,
    kind: str,
    addresses: Iterable[str],
    subject: str,
    body: str,
    record_id: int | None = None,
    reminder_id: int | None = None,
) -> list[Email]:
    """Write one row per address in the caller's transaction; hand them to a sender after
    it commits (a rollback takes the rows with it, and nothing is sent)."""
    now = clock.now()
    rows = Email.objects.bulk_create(
        Email(
            kind=kind,
            to=address,
            subject=subject,
            body=body,
            record_id=record_id,
            reminder_id=reminder_id,
            created_at=now,
            next_attempt_at=now + HANDOFF_GRACE,
        )
        for address in sorted(set(addresses))
    )
    if rows:
        pks = [row.pk for row in rows]
        transaction.on_commit(lambda: _hand_off(pks), robust=True)
    return rows


def _hand_off(pks: list[int]) -> None:
    from .tasks import deliver_emails  # a cycle: notifications.tasks imports this module

    queue_or_run(deliver_emails, pks)


def email_deliver(*, pk: int) -> bool:
    """Send one pending e-mail unless another sender has it; True when it went out."""
    now = clock.now()
    claimed = Email.objects.filter(pk=pk, status=Email.Status.PENDING).update(
        status=Email.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    email = Email.objects.get(pk=pk)
    message = EmailMessage(subject=email.subject, body=email.body, to=[email.to])
    try:
        get_connection().send_messages([message])
    except Exception as exc:  # whatever the mail server did, it is tried again later
        gave_up = email.attempts >= MAX_ATTEMPTS
        Email.objects.filter(pk=pk, status=Email.Status.SENDING).update(
            status=Email.Status.FAILED if gave_up else Email.Status.PENDING,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=clock.now() + retry_pause(email.attempts),
        )
        log.warning("e-mail %s to %s failed (attempt %s): %s", pk, email.to, email.attempts, exc)
        return False
    Email.objects.filter(pk=pk, status=Email.Status.SENDING).update(
        status=Email.Status.SENT, sent_at=clock.now(), last_error=""
    )
    return True


@dataclass
class OutboxSweep:
    due: int = 0
    sent: int = 0
    reclaimed: int = 0


def outbox_sweep(*, now: datetime.datetime | None = None, limit: int = 500) -> OutboxSweep:
    """Send the e-mails whose hand-off was lost or whose last attempt failed."""
    now = now or clock.now()
    result = OutboxSweep()
    result.reclaimed = Email.objects.filter(
        status=Email.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
    ).update(status=Email.Status.PENDING, next_attempt_at=now)
    due = list(
        Email.objects.filter(status=Email.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    result.due = len(due)
    result.sent = sum(email_deliver(pk=pk) for pk in due)
    if due or result.reclaimed:
        log.warning(
            "outbox sweep: %s due, %s sent, %s taken back from a sender that died",
            result.due,
            result.sent,
            result.reclaimed,
        )
    return result
