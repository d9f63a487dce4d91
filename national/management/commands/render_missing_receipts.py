"""Render the documents still missing (receipts, national report versions): for cron or a
systemd timer where no Celery beat runs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from national.tasks import render_missing_version_pdfs
from receipts.tasks import render_missing_receipts


class Command(BaseCommand):
    help = (
        "Render (or queue) the receipt and national report PDFs still missing two minutes "
        "after they were made."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"receipts without a PDF queued again: {render_missing_receipts()}")
        if versions := render_missing_version_pdfs(older_than_seconds=120):
            self.stdout.write(f"national report versions without a PDF queued again: {versions}")
