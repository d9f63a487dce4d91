"""Check every stored document: receipts (chains, PDFs) and the national report's versions.

It lives in the national app, the top of the documents: it reads the receipts app's and
its own."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models.fields.files import FieldFile

from national.models import VersionDocument
from national.tasks import version_files_unreferenced
from receipts.models import Receipt
from receipts.services import check_chain, files_under, receipt_files_unreferenced
from signatures.models import PreparedDocument, SignedDocument
from signatures.verification import recheck
from submissions.models import Submission


class Command(BaseCommand):
    help = "Check every submission's receipt chain; exit non-zero naming the first broken one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--files",
            action="store_true",
            help="Also check that every rendered receipt's and national report version's PDF, "
            "and every document prepared for signing or signed, is in the media storage, "
            "unchanged (after restoring a backup, for instance), and that no file in the "
            "receipts, national or signatures folders is left that none names.",
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
        signed = 0
        for document in SignedDocument.objects.select_related("prepared").order_by("pk"):
            again = recheck(document)
            if not again.ok:
                raise CommandError(f"signed report {document}: {again.problem}")
            signed += 1
        if signed:
            self.stdout.write(f"{signed} signed report(s) verify again")
        if options["files"]:
            self.stdout.write(f"{self._check_files()} receipt PDF(s) present and unchanged")
            orphans = receipt_files_unreferenced()
            if orphans:
                raise CommandError(
                    f"{len(orphans)} file(s) in the receipts folder that no receipt names: "
                    + ", ".join(orphans[:20])
                )
            self.stdout.write("no file in the receipts folder without its receipt")
            self._check_national_files()
            self._check_signature_files()

    def _check_files(self) -> int:
        count = 0
        for receipt in Receipt.objects.exclude(pdf="").select_related("campaign").order_by("pk"):
            _check_file(receipt.pdf, receipt.pdf_sha256, f"receipt {receipt.display_number}")
            count += 1
        return count

    def _check_national_files(self) -> None:
        count = 0
        for stored in VersionDocument.objects.select_related("version__campaign").order_by("pk"):
            _check_file(stored.pdf, stored.pdf_sha256, f"national report {stored.version}")
            count += 1
        self.stdout.write(f"{count} national report PDF(s) present and unchanged")
        orphans = version_files_unreferenced()
        if orphans:
            raise CommandError(
                f"{len(orphans)} file(s) in the national folder that no version names: "
                + ", ".join(orphans[:20])
            )
        self.stdout.write("no file in the national folder without its version")

    def _check_signature_files(self) -> None:
        """The documents prepared for signing and the signed ones; a signed file whose step
        did not commit (the process died between writing it and committing) is reported."""
        count = 0
        for prepared in PreparedDocument.objects.order_by("pk"):
            _check_file(prepared.pdf, prepared.sha256, f"document prepared for signing {prepared}")
            count += 1
        for signed in SignedDocument.objects.select_related("prepared").order_by("pk"):
            _check_file(signed.pdf, signed.sha256, f"signed document {signed}")
            count += 1
        self.stdout.write(f"{count} prepared or signed PDF(s) present and unchanged")
        named = set(PreparedDocument.objects.values_list("pdf", flat=True)) | set(
            SignedDocument.objects.values_list("pdf", flat=True)
        )
        orphans = sorted(files_under("signatures") - named)
        if orphans:
            raise CommandError(
                f"{len(orphans)} file(s) in the signatures folder that no document names: "
                + ", ".join(orphans[:20])
            )
        self.stdout.write("no file in the signatures folder without its document")


def _check_file(file: FieldFile, sha256: str, what: str) -> None:
    """Refuse (naming ``what``) a stored file that is missing or whose hash is not ``sha256``."""
    try:
        with file.open("rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
    except FileNotFoundError:
        raise CommandError(f"{what}: {file.name} is missing") from None
    if digest != sha256:
        raise CommandError(f"{what}: its PDF changed")
