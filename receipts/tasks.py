"""Background jobs. With a broker they run on Celery workers; without one, after commit in a
thread of the process (receipts) or inline (e-mails, notifications.services)."""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections, transaction
from kombu.exceptions import OperationalError as BrokerError

from core import clock
from core.background import queue_or_run
from core.enums import Action

from . import pdf
from .models import Receipt

log = logging.getLogger(__name__)


def receipt_pdf_name(receipt: Receipt) -> str:
    """One name per receipt, so a second render finds the first one's file, never adds one."""
    return f"receipts/{receipt.campaign_id}/{receipt.token}.pdf"


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` at ``path`` so the file is there complete or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    with part.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    part.replace(path)


# How a document is rendered in the worker (receipts here, the national report's versions in
# national.tasks): a database cut while rendering is retried like a full disk, and the file
# written before the cut is taken up by the retry, not rendered and signed a second time.
RENDER_TASK_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": (OSError, OperationalError, InterfaceError),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(**RENDER_TASK_OPTIONS)
def render_receipt_pdf(receipt_pk: int) -> str:
    """Render, sign and store one receipt's PDF, once.

    The receipt's row is locked while it renders: a second render of it at the same time (the
    worker and the catch-up) skips it, and one after finds it done. The file is written under
    the receipt's own name, whole (temporary file, then rename); a render whose row update was
    lost (a database cut) left it there, and the next one records that file.
    """
    with transaction.atomic():
        receipt = (
            Receipt.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "campaign", "submission__unit", "submission__campaign", "record__signed_document"
            )
            .filter(pk=receipt_pk)
            .first()
        )
        if receipt is None:
            return ""  # another render holds it
        if receipt.pdf:
            return str(receipt.pdf.name)
        name = receipt_pdf_name(receipt)
        storage = receipt.pdf.storage
        if storage.exists(name):
            with storage.open(name, "rb") as fh:
                document = fh.read()
            log.warning("receipt %s: its PDF was on disk, recorded", receipt.display_number)
        else:
            attachments = []
            signed = receipt.record.signed_document
            if signed is not None:
                # The report as its signatory signed it: the official document.
                with signed.pdf.open("rb") as fh:
                    attachments.append((f"bao-cao-da-ky-{receipt.unit_code}.pdf", fh.read()))
            elif receipt.action == Action.SIGN:
                # The provincial sign-off receipt carries the report that was signed off.
                report = pdf.render_report(receipt.submission)
                attachments.append((f"bao-cao-{receipt.unit_code}.pdf", report))
            document = pdf.sign_pdf(
                pdf.render_receipt(receipt, attachments=attachments),
                reason=f"{receipt.display_number} {receipt.get_action_display()}",
            )
            write_whole(Path(storage.path(name)), document)
        receipt.pdf.name = name
        receipt.pdf_sha256 = hashlib.sha256(document).hexdigest()
        receipt.rendered_at = clock.now()
        receipt.save(update_fields=["pdf", "pdf_sha256", "rendered_at"])
    log.info("receipt %s rendered (%s bytes)", receipt.display_number, len(document))
    return name


# Without a reachable broker, documents (receipts, national report versions) render one at a
# time in a thread of this process, after the response: a press does only its database work.
# A process that dies first leaves the document to render_missing_receipts.
_local = ThreadPoolExecutor(max_workers=1, thread_name_prefix="receipts")


def _render_here(task: Any, pk: int) -> None:
    try:
        task(pk)
    except Exception:
        log.exception("%s(%s) failed; the catch-up renders it", task.name, pk)
    finally:
        connections.close_all()


def schedule_render(task: Any, pk: int) -> None:
    """After the transaction commits: queue ``task(pk)`` (a document's render), or run it in
    this process's background (``RECEIPT_RENDERING=inline``: right there, as the tests want)."""
    mode = getattr(settings, "RECEIPT_RENDERING", "auto")
    if mode == "off":
        return

    def run() -> None:
        if mode != "auto":
            task(pk)
            return
        if settings.CELERY_BROKER_URL:
            try:
                task.delay(pk)
                return
            except BrokerError:
                log.warning("broker unreachable: %s(%s) runs in this process", task.name, pk)
        _local.submit(_render_here, task, pk)

    # Robust: the data has committed; a PDF that fails here is rendered by the catch-up.
    transaction.on_commit(run, robust=True)


def schedule_receipt(receipt_pk: int) -> None:
    schedule_render(render_receipt_pdf, receipt_pk)


@shared_task
def render_missing_receipts(older_than_seconds: int = 120) -> int:
    """Queue again the receipts still without a PDF some minutes after their transition (a
    broker that was down when it committed, a render that failed every retry, a worker
    killed). Rendering takes the row's lock, so a receipt queued twice is rendered once.
    national.tasks.render_missing_documents runs it with the national versions' own."""
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
