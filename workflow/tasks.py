"""Background jobs. With a broker they run on Celery workers; without one, inline after commit."""

from __future__ import annotations

import datetime
import hashlib
import logging
from smtplib import SMTPException
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from kombu.exceptions import OperationalError

from config import clock

log = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_receipt_pdf(receipt_pk: int) -> str:
    """Render, sign and store one receipt's PDF (once: a second run finds it done)."""
    from . import pdf
    from .models import Receipt
    from .transitions import Action

    receipt = Receipt.objects.select_related(
        "campaign", "submission__unit", "submission__campaign"
    ).get(pk=receipt_pk)
    if receipt.pdf:
        return str(receipt.pdf.name)
    attachments = []
    if receipt.action == Action.SIGN:
        # The provincial sign-off receipt carries the report that was signed off.
        report = pdf.render_report(receipt.submission)
        attachments.append((f"bao-cao-{receipt.unit_code}.pdf", report))
    document = pdf.sign_pdf(
        pdf.render_receipt(receipt, attachments=attachments),
        reason=f"{receipt.display_number} {receipt.get_action_display()}",
    )
    receipt.pdf.save(
        f"{receipt.campaign_id}/{receipt.token}.pdf", ContentFile(document), save=False
    )
    receipt.pdf_sha256 = hashlib.sha256(document).hexdigest()
    receipt.rendered_at = clock.now()
    receipt.save(update_fields=["pdf", "pdf_sha256", "rendered_at"])
    log.info("receipt %s rendered (%s bytes)", receipt.display_number, len(document))
    return str(receipt.pdf.name)


def schedule_receipt(receipt_pk: int) -> None:
    """After the transition commits: queue the PDF, or render it now when there is no broker."""
    mode = getattr(settings, "RECEIPT_RENDERING", "auto")
    if mode == "off":
        return

    def run() -> None:
        if mode == "auto":
            queue_or_run(render_receipt_pdf, receipt_pk)
        else:
            render_receipt_pdf(receipt_pk)

    # Robust: the step has committed; a PDF that fails here is rendered by the catch-up.
    transaction.on_commit(run, robust=True)


def queue_or_run(task: Any, *args: Any) -> None:
    """Queue the task for a worker; with no broker configured, or one that cannot be
    reached, run it here and now rather than lose it (an e-mail has no catch-up)."""
    if settings.CELERY_BROKER_URL:
        try:
            task.delay(*args)
            return
        except OperationalError:
            log.warning("broker unreachable: %s%r runs in the request", task.name, args)
    task(*args)


@shared_task
def render_missing_receipts(older_than_seconds: int = 120) -> int:
    """Queue again the receipts still without a PDF some minutes after their transition (a
    broker that was down when it committed, a render that failed every retry). Rendering is
    idempotent, so a receipt queued twice is rendered once."""
    from .models import Receipt

    if getattr(settings, "RECEIPT_RENDERING", "auto") == "off":
        return 0
    cutoff = clock.now() - datetime.timedelta(seconds=older_than_seconds)
    pending = list(
        Receipt.objects.filter(pdf="", at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    for pk in pending:
        queue_or_run(render_receipt_pdf, pk)
    if pending:
        log.warning("%s receipt(s) without a PDF queued again", len(pending))
    return len(pending)


# A mail server that is down or slow is retried from the worker, with growing pauses.
MAIL_RETRY: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": (OSError, SMTPException),
    "retry_backoff": True,
    "max_retries": 6,
}


@shared_task(**MAIL_RETRY)
def send_transition_mail(record_pk: int) -> int:
    from .notifications import transition_mail

    return transition_mail(record_pk)


@shared_task(**MAIL_RETRY)
def send_reminder_mail(reminder_pk: int) -> int:
    from .reminders import reminder_mail

    return reminder_mail(reminder_pk)


def schedule_mail(task: Any, pk: int) -> None:
    """After the commit: queue the e-mail for a worker, or send it now when there is no broker.

    Robust: the step has committed by then; a mail server that fails must not turn that
    into an error page, nor stop the receipt's PDF being scheduled next. The failure is
    logged; with a broker the worker retries, and a broker that is down sends it from here.
    """

    transaction.on_commit(lambda: queue_or_run(task, pk), robust=True)


@shared_task
def sweep_deadlines() -> dict[str, int]:
    """The periodic reminder sweep (Celery beat); safe to run as often as one likes."""
    from dataclasses import asdict

    from .reminders import reminders_sweep

    return asdict(reminders_sweep())
