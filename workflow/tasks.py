"""Background jobs. With a broker they run on Celery workers; without one, inline after commit."""

from __future__ import annotations

import hashlib
import logging

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

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
    receipt.rendered_at = timezone.now()
    receipt.save(update_fields=["pdf", "pdf_sha256", "rendered_at"])
    log.info("receipt %s rendered (%s bytes)", receipt.display_number, len(document))
    return str(receipt.pdf.name)


def schedule_receipt(receipt_pk: int) -> None:
    """After the transition commits: queue the PDF, or render it now when there is no broker."""
    mode = getattr(settings, "RECEIPT_RENDERING", "auto")
    if mode == "off":
        return

    def run() -> None:
        if settings.CELERY_BROKER_URL and mode == "auto":
            render_receipt_pdf.delay(receipt_pk)
        else:
            render_receipt_pdf(receipt_pk)

    transaction.on_commit(run)


@shared_task
def sweep_deadlines() -> dict[str, int]:
    """The periodic reminder sweep (Celery beat); safe to run as often as one likes."""
    from dataclasses import asdict

    from .reminders import reminders_sweep

    return asdict(reminders_sweep())
