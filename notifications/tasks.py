"""The outbox's Celery tasks; a lost task loses nothing, as the rows stay pending."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task


@shared_task(acks_late=True)
def deliver_emails(pks: list[int]) -> int:
    from .services import email_deliver

    return sum(email_deliver(pk=pk) for pk in pks)


@shared_task
def sweep_outbox() -> dict[str, int]:
    from .services import outbox_sweep

    return asdict(outbox_sweep())
