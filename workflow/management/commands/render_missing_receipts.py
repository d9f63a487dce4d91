"""Render the receipt PDFs still missing: for cron or a systemd timer where no Celery beat runs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from workflow.tasks import render_missing_receipts


class Command(BaseCommand):
    help = "Render (or queue) the receipt PDFs still missing two minutes after their transition."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"receipts without a PDF queued again: {render_missing_receipts()}")
