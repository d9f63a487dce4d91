"""A signatory's signed report, checked: accepted only if it is their valid signature on the
exact report prepared for them. Real certificates (tests/signatures/pki.py), real PDFs signed
with pyHanko as an outside tool would, the CRL fetched over HTTP from the loopback."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
import time_machine
from django.utils import translation
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from core.enums import Action, Stage
from receipts.models import Receipt
from receipts.pdf import render_report
from signatures.models import SignedDocument
from workflow.models import AuditRecord
from workflow.services import TransitionError, submission_transition

from .conftest import Signoff
from .pki import CrlServer, Pki


def _sign_off(signoff: Signoff, signed: bytes | None) -> AuditRecord:
    with translation.override("en"):
        return submission_transition(
            actor=signoff.signatory,
            submission=signoff.submission,
            action=Action.SIGN,
            expected_stage=Stage.PROVINCIAL_SIGNOFF,
            signed_pdf=signed,
        )


def _refused(signoff: Signoff, signed: bytes | None) -> str:
    """The refusal's message; and nothing changed."""
    records, receipts = AuditRecord.objects.count(), Receipt.objects.count()
    with pytest.raises(TransitionError) as caught:
        _sign_off(signoff, signed)
    signoff.submission.refresh_from_db()
    assert signoff.submission.stage == Stage.PROVINCIAL_SIGNOFF
    assert AuditRecord.objects.count() == records
    assert Receipt.objects.count() == receipts
    assert not SignedDocument.objects.exists()
    return str(caught.value)


def test_a_valid_signature_on_the_prepared_report_completes_the_sign_off(
    signoff: Signoff, pki: Pki, crl_server: CrlServer
) -> None:
    hits = crl_server.hits
    signed = pki.valid.sign(signoff.prepared_bytes())
    record = _sign_off(signoff, signed)
    signoff.submission.refresh_from_db()
    assert signoff.submission.stage == Stage.MINISTRY_CHECK
    document = record.signed_document
    assert document is not None
    assert "Nguyễn Văn Ký" in document.signer_subject
    assert "CA cấp dưới thử nghiệm" in document.signer_issuer
    assert document.signer_serial == format(pki.valid.cert.serial_number, "x")
    assert document.revocation == SignedDocument.Revocation.CHECKED
    assert crl_server.hits > hits  # the CRL was really fetched
    with document.pdf.open("rb") as fh:
        assert fh.read() == signed


def test_the_step_needs_a_signed_upload(signoff: Signoff) -> None:
    assert "needs your digital signature" in _refused(signoff, None)


@pytest.mark.parametrize(
    ("holder", "reason"),
    [
        ("expired", "was not valid at the signing time"),
        ("revoked", "was revoked on"),
        ("wrong_usage", "is not for signing"),
        ("another_user", "registered to another person's account"),
        ("untrusted", "not issued by a certification authority on the trust list"),
        ("coordinator", "is not registered to your account"),
    ],
)
def test_each_bad_certificate_is_refused_with_its_reason(
    signoff: Signoff, pki: Pki, holder: str, reason: str
) -> None:
    signed = getattr(pki, holder).sign(signoff.prepared_bytes())
    assert reason in _refused(signoff, signed)


def test_revocation_that_cannot_be_checked_is_recorded_or_refused_by_policy(
    signoff: Signoff, pki: Pki, settings: Any
) -> None:
    settings.SIGNATURE_REVOCATION_POLICY = "require"
    signed = pki.unreachable_crl.sign(signoff.prepared_bytes())
    assert "could not be checked" in _refused(signoff, signed)

    settings.SIGNATURE_REVOCATION_POLICY = "soft"
    document = _sign_off(signoff, signed).signed_document
    assert document is not None
    assert document.revocation == SignedDocument.Revocation.NOT_CHECKED
    assert "127.0.0.1:9" in document.revocation_note


def test_a_prepared_report_altered_before_signing_is_refused(signoff: Signoff, pki: Pki) -> None:
    prepared = signoff.prepared_bytes()
    # A byte of the report changed in place, then signed.
    at = prepared.index(b"/Producer")
    tampered = prepared[:at] + b"/Pmoducer" + prepared[at + 9 :]
    assert "not the report prepared for you" in _refused(signoff, pki.valid.sign(tampered))
    # Or an update added to the prepared file before signing it.
    writer = IncrementalPdfFileWriter(io.BytesIO(prepared), strict=False)
    writer.root["/Lang"] = writer.root["/Lang"].__class__("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert "changed between its preparation and the signature" in _refused(
        signoff, pki.valid.sign(out.getvalue())
    )


def test_a_different_pdf_signed_is_refused(signoff: Signoff, pki: Pki, danang: Any) -> None:
    other = render_report(danang, signer=signoff.signatory)
    assert "not the report prepared for you" in _refused(signoff, pki.valid.sign(other))


def test_content_added_after_the_signature_is_refused(signoff: Signoff, pki: Pki) -> None:
    signed = pki.valid.sign(signoff.prepared_bytes())
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 40 Tf 100 400 Td (Da sua) Tj ET")
    page["/Contents"] = generic.ArrayObject([page.raw_get("/Contents"), writer.add_object(stream)])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    assert "changed after it was signed" in _refused(signoff, out.getvalue())


def test_an_unsigned_upload_is_refused(signoff: Signoff) -> None:
    assert "carries no digital signature" in _refused(signoff, signoff.prepared_bytes())


def test_a_50_mb_file_is_refused_before_it_is_read(signoff: Signoff) -> None:
    huge = b"%PDF-1.7\n" + b"0" * (50 * 1024 * 1024)
    assert "larger than 20 MB" in _refused(signoff, huge)


def test_a_file_that_is_not_a_pdf_is_refused(signoff: Signoff) -> None:
    assert "is not a PDF" in _refused(signoff, b"PK\x03\x04 a spreadsheet, not a report")
    assert "damaged" in _refused(signoff, b"%PDF-1.7\nnothing else")


def test_a_signing_time_outside_the_step_is_refused(signoff: Signoff, pki: Pki) -> None:
    prepared = signoff.prepared_bytes()
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)
    with time_machine.travel(later, tick=False):
        signed = pki.valid.sign(prepared)
    assert "outside this step" in _refused(signoff, signed)


def test_the_issuing_bodys_signature_may_follow_the_persons(
    signoff: Signoff, pki: Pki, settings: Any
) -> None:
    both = pki.organisation.sign(pki.valid.sign(signoff.prepared_bytes()), field_name="ChuKyCoQuan")
    settings.SIGNOFF_ORGANISATION_SIGNATURE = "off"
    assert "carries 2 signatures" in _refused(signoff, both)
    settings.SIGNOFF_ORGANISATION_SIGNATURE = "required"
    assert "issuing body's signature" in _refused(signoff, pki.valid.sign(signoff.prepared_bytes()))
    document = _sign_off(signoff, both).signed_document
    assert document is not None
    assert "UBND Thành phố Hà Nội" in document.organisation_subject
    assert len(PdfFileReader(io.BytesIO(both)).embedded_signatures) == 2
