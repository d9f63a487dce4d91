"""The webhooks' sending, on the Celery worker (inline without a broker)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction

from core import clock
from core.background import queue_or_run

from . import webhooks


@shared_task
def deliver_webhook(delivery_pk: int) -> str:
    """One attempt; a failure is queued again after its back-off (with a broker) and is in any
    case picked up by the sweep when it falls due."""
    delivery = webhooks.attempt(delivery_pk)
    if delivery is None:
        return "skipped"
    if delivery.next_attempt_at is not None and settings.CELERY_BROKER_URL:
        wait = max((delivery.next_attempt_at - clock.now()).total_seconds(), 0)
        deliver_webhook.apply_async((delivery_pk,), countdown=wait)
    return str(delivery.status)


@shared_task
def sweep_webhooks() -> int:
    """Every delivery whose next attempt is due (beat, every minute): the retries, and any
    whose queued task was lost."""
    due = webhooks.due_deliveries()
    for pk in due:
        webhooks.attempt(pk)
    return len(due)


def enqueue(event: str, payload: dict[str, Any]) -> None:
    """Deliveries of ``event`` to every webhook that takes it, written in the caller's
    transaction and sent by the worker after it commits, never inside it."""
    ids = webhooks.deliveries_create(event, payload)
    if ids:
        transaction.on_commit(lambda: _send(ids))


def _send(ids: list[int]) -> None:
    for pk in ids:
        queue_or_run(deliver_webhook, pk)
