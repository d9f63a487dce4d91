"""Warn holders and coordinators of signing certificates expiring soon (cron, daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from notifications.certificates import certificate_expiry_warn


class Command(BaseCommand):
    help = "Warn, once, of every registered signing certificate expiring within 30 days."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{certificate_expiry_warn()} certificate(s) warned about")
