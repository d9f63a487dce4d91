from __future__ import annotations

import hashlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from submissions.models import Submission
from workflow.models import Receipt
from workflow.receipts import check_chain, receipt_files_unreferenced


class Command(BaseCommand):
    help = "Check every submission's receipt chain; exit non-zero naming the first broken one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--files",
            action="store_true",
            help="Also check that every rendered receipt's PDF is in the media storage, "
            "unchanged (after restoring a backup, for instance), and that no file in the "
            "receipts folder is left that no receipt names.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checked = 0
        for submission in (
            Submission.objects.filter(receipts__isnull=False).distinct().order_by("pk")
        ):
            result = check_chain(submission)
            if not result.ok:
                number = result.receipt.display_number if result.receipt else "?"
                raise CommandError(f"{submission}: receipt {number}: {result.problem}")
            checked += 1
        self.stdout.write(f"{checked} receipt chain(s) intact")
        if options["files"]:
            self.stdout.write(f"{self._check_files()} receipt PDF(s) present and unchanged")
            orphans = receipt_files_unreferenced()
            if orphans:
                raise CommandError(
                    f"{len(orphans)} file(s) in the receipts folder that no receipt names: "
                    + ", ".join(orphans[:20])
                )
            self.stdout.write("no file in the receipts folder without its receipt")

    def _check_files(self) -> int:
        count = 0
        for receipt in Receipt.objects.exclude(pdf="").select_related("campaign").order_by("pk"):
            try:
                with receipt.pdf.open("rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
            except FileNotFoundError:
                raise CommandError(
                    f"receipt {receipt.display_number}: {receipt.pdf.name} is missing"
                ) from None
            if digest != receipt.pdf_sha256:
                raise CommandError(f"receipt {receipt.display_number}: its PDF changed")
            count += 1
        return count
