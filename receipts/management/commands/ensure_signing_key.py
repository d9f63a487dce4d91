from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from receipts.signing import ensure_dev_key


class Command(BaseCommand):
    help = "Create a self-signed development signing key at SIGNING_P12_PATH unless one exists."

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(settings.SIGNING_P12_PATH)
        if ensure_dev_key(
            path, settings.SIGNING_P12_PASSWORD, organisation=settings.SIGNING_ORGANISATION
        ):
            self.stdout.write(f"Created a self-signed development signing key: {path}")
        else:
            self.stdout.write(f"Signing key: {path}")
