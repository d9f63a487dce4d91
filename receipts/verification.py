"""Is this receipt PDF genuine? Checked with pyHanko against the service's own certificate."""

from __future__ import annotations

import enum
import hashlib
import io
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from core.eventloop import outside_event_loop
from receipts.models import Receipt
from receipts.signing import service_signer
from signatures.models import SignedDocument
from signatures.verification import Recheck, recheck


class Verdict(enum.StrEnum):
    GENUINE = "genuine"
    ALTERED = "altered"
    FOREIGN = "foreign"  # intact, but signed by someone else
    UNSIGNED = "unsigned"
    UNREADABLE = "unreadable"
    SIGNED_REPORT = "signed_report"  # a report signed by its signatory, as we accepted it


@dataclass(frozen=True)
class PdfCheck:
    verdict: Verdict
    receipt: Receipt | None = None
    signer: str = ""
    signed: SignedDocument | None = None
    recheck: Recheck | None = None


def check_pdf(data: bytes) -> PdfCheck:
    if not data.startswith(b"%PDF-"):
        return PdfCheck(Verdict.UNREADABLE)
    sha = hashlib.sha256(data).hexdigest()
    signed = SignedDocument.objects.select_related("prepared", "signer").filter(sha256=sha).first()
    if signed is not None:
        # A signatory's signed report: verified again as it was when accepted.
        return PdfCheck(
            Verdict.SIGNED_REPORT,
            receipt=Receipt.objects.filter(signed_pdf_sha256=sha).first(),
            signer=signed.signer_subject,
            signed=signed,
            recheck=recheck(signed),
        )
    receipt = Receipt.objects.filter(pdf_sha256=sha).first()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # a damaged file: pyHanko's parser raises many kinds of error
        return PdfCheck(Verdict.ALTERED)
    if not signatures:
        return PdfCheck(Verdict.UNSIGNED)
    signature = signatures[-1]
    ours = service_signer().signing_cert
    assert ours is not None
    context = ValidationContext(trust_roots=[ours], allow_fetching=False)
    try:
        status: Any = outside_event_loop(validate_pdf_signature, signature, context)
    except Exception:
        return PdfCheck(Verdict.ALTERED)
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    if not status.intact or not status.valid:
        return PdfCheck(Verdict.ALTERED, signer=signer)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return PdfCheck(Verdict.ALTERED, signer=signer)  # something was added after signing
    if status.signing_cert.sha256 != ours.sha256 or not status.trusted:
        return PdfCheck(Verdict.FOREIGN, signer=signer)
    return PdfCheck(Verdict.GENUINE, receipt=receipt, signer=signer)
