"""The outbox's Celery tasks; a lost task loses nothing, as the rows stay pending."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from .certificates import certificate_expiry_warn
from .reminders import reminders_sweep
from .services import email_deliver, outbox_sweep


@shared_task(acks_late=True)
def deliver_emails(pks: list[int]) -> int:
    return sum(email_deliver(pk=pk) for pk in pks)


@shared_task
def sweep_outbox() -> dict[str, int]:
    return asdict(outbox_sweep())


@shared_task
def sweep_deadlines() -> dict[str, int]:
    """The periodic reminder sweep (Celery beat); safe to run as often as one likes."""
    return asdict(reminders_sweep())


@shared_task
def warn_certificate_expiry() -> int:
    return certificate_expiry_warn()
