"""The national report's background job: each version's PDF, rendered once and kept.

A version never changes once made, so its PDF is rendered once, after the version's
transaction commits (receipts.tasks.schedule_render: a Celery worker, or a thread of this
process without a broker), and stored in a ``VersionDocument`` row of its own. A download
that comes first renders it there and then, the same way (``store_version_pdf``).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from pathlib import Path

from celery import shared_task
from django.db import transaction

from core import clock
from core.background import queue_or_run
from receipts.services import files_under
from receipts.tasks import RENDER_TASK_OPTIONS, render_missing_receipts, write_whole

from . import pdf
from .models import NationalVersion, VersionDocument

log = logging.getLogger(__name__)


def version_pdf_name(version: NationalVersion) -> str:
    """One name per version, so a second render finds the first one's file, never adds one."""
    return f"national/{version.campaign_id}/v{version.number}-{version.pk}.pdf"


def store_version_pdf(*, version_pk: int, wait: bool) -> VersionDocument | None:
    """The version's stored PDF, rendered and stored now if it is not yet.

    The version's row is locked while it renders. With ``wait`` (a download) a render already
    under way is waited for and its document returned; without (the background), the version
    is left to that render and None returned. The file is written whole under the version's
    own name; one left by a render whose row was lost (a database cut) is taken up as it is.
    """
    with transaction.atomic():
        version = (
            NationalVersion.objects.select_for_update(
                no_key=True, skip_locked=not wait, of=("self",)
            )
            .select_related("campaign")
            .filter(pk=version_pk)
            .first()
        )
        if version is None:
            return None  # another render holds it
        stored = VersionDocument.objects.filter(version=version).first()
        if stored is not None:
            return stored
        name = version_pdf_name(version)
        storage = VersionDocument._meta.get_field("pdf").storage
        if storage.exists(name):
            with storage.open(name, "rb") as fh:
                document = fh.read()
            log.warning("national report %s: its PDF was on disk, recorded", version)
        else:
            document = pdf.render_national_report(version)
            write_whole(Path(storage.path(name)), document)
        stored = VersionDocument.objects.create(
            version=version,
            pdf=name,
            pdf_sha256=hashlib.sha256(document).hexdigest(),
            rendered_at=clock.now(),
        )
    log.info("national report %s: PDF rendered (%s bytes)", version, len(document))
    return stored


@shared_task(**RENDER_TASK_OPTIONS)
def render_version_pdf(version_pk: int) -> str:
    stored = store_version_pdf(version_pk=version_pk, wait=False)
    return str(stored.pdf.name) if stored else ""


def render_missing_version_pdfs(*, older_than_seconds: int) -> int:
    """Queue again the versions still without their PDF some minutes after they were made
    (part of render_missing_documents)."""
    cutoff = clock.now() - datetime.timedelta(seconds=older_than_seconds)
    pending = list(
        NationalVersion.objects.filter(document__isnull=True, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:50]
    )
    for pk in pending:
        queue_or_run(render_version_pdf, pk)
    if pending:
        log.warning("%s national report version(s) without a PDF queued again", len(pending))
    return len(pending)


def version_files_unreferenced() -> list[str]:
    """Files in the national folder of the media storage that no version's document names."""

    named = set(VersionDocument.objects.values_list("pdf", flat=True))
    return sorted(files_under("national") - named)


@shared_task
def render_missing_documents(older_than_seconds: int = 120) -> int:
    """The documents' catch-up (Celery beat, or cron through ``manage.py
    render_missing_receipts``): the receipts still without their PDF, then the national
    report's versions. Returns how many were queued again."""
    receipts = render_missing_receipts(older_than_seconds=older_than_seconds)
    return receipts + render_missing_version_pdfs(older_than_seconds=older_than_seconds)
