from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from demo.data import DEMO_PASSWORD, load_demo


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
                self.stdout.write(f"  {spec.username:<18} {spec.role.label} — {spec.full_name}")
