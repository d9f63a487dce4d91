from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from demo.data import DEMO_PASSWORD, load_demo, read_definition


class Command(BaseCommand):
    help = "Load the reference data and the demo users and submissions (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        users = load_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo ready. Logins (password for all: {DEMO_PASSWORD}):")
        )
        self.stdout.write(f"  {'admin':<18} Quản trị hệ thống (Django admin)")
        with translation.override("vi"):
            for spec in users:
                # A unit's people act in one campaign: its letter's number says which.
                letter = (
                    f" ({read_definition(spec.campaign_file)['letter']['number']})"
                    if spec.campaign_file
                    else ""
                )
                self.stdout.write(
                    f"  {spec.username:<18} {spec.role.label} — {spec.full_name}{letter}"
                )
