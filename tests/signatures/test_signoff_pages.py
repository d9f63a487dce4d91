"""The sign-off through the pages: the report to sign, the signed upload, the timeline and the
receipt naming the signer, the signed report's download, /verify/ and verify_receipts."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from core.enums import Action, Role, Stage
from receipts.models import Receipt
from signatures.models import PreparedDocument, SignedDocument

from .conftest import Signoff
from .pki import Pki


def _decide(client: Any, signoff: Signoff, upload: bytes, name: str = "bao-cao-da-ky.pdf") -> Any:
    return client.post(
        reverse("reviews:decide", args=[signoff.submission.pk]),
        {
            "action": Action.SIGN,
            "expected_stage": Stage.PROVINCIAL_SIGNOFF,
            "signed_pdf": SimpleUploadedFile(name, upload, "application/pdf"),
        },
        follow=True,
    )


def _bytes(file: Any) -> bytes:
    with file.open("rb") as fh:
        return bytes(fh.read())


def _download_to_sign(client: Any, signoff: Signoff) -> bytes:
    response = client.get(reverse("reviews:signing-copy", args=[signoff.submission.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_signatory_downloads_signs_and_uploads_and_the_report_moves_on(
    client: Any, signoff: Signoff, pki: Pki, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(signoff.signatory)
    page = client.get(signoff.submission.get_absolute_url()).content.decode()
    assert 'id="signed-pdf"' in page and "Tải báo cáo để ký" in page
    prepared = _download_to_sign(client, signoff)
    # The report as it will be official: the narrative, the signer's block and its empty field.
    reader = PdfReader(io.BytesIO(prepared))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Nguyễn Văn Ký" in text
    assert any(f.get("/FT") == "/Sig" for f in (reader.get_fields() or {}).values())
    assert PreparedDocument.objects.get().sha256 and PreparedDocument.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):  # the receipt's PDF renders
        response = _decide(client, signoff, pki.valid.sign(prepared))
    page = response.content.decode()
    signoff.submission.refresh_from_db()
    assert signoff.submission.stage == Stage.MINISTRY_CHECK
    assert "Nguyễn Văn Ký" in page and "signed-report-" in page  # the timeline names the signer

    receipt = Receipt.objects.get(action=Action.SIGN)
    signed = SignedDocument.objects.get()
    assert receipt.signed_pdf_sha256 == signed.sha256
    assert "Nguyễn Văn Ký" in receipt.signer_subject
    assert receipt.signer_serial == format(pki.valid.cert.serial_number, "x")
    receipt_text = " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(_bytes(receipt.pdf))).pages
    )
    assert "Nguyễn Văn Ký" in receipt_text and receipt.signer_serial in receipt_text

    # The drafter of the province downloads the signed report; another province cannot.
    drafter_client = client.__class__()
    drafter_client.force_login(signoff.cast(Role.DRAFTER))
    url = reverse("receipts:signed-report", args=[signoff.submission.pk, receipt.record_id])
    got = drafter_client.get(url)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == _bytes(signed.pdf)
    other = client.__class__()
    other.force_login(signoff.cast(Role.DRAFTER, "48"))
    assert other.get(url).status_code == 404

    # /verify/ on the signed report: recognised and verified again.
    verify = client.post(
        reverse("receipts:verify-upload"),
        {"file": SimpleUploadedFile("x.pdf", _bytes(signed.pdf), "application/pdf")},
    ).content.decode()
    assert "Nguyễn Văn Ký" in verify and "alert-success" in verify
    # The receipt's own page (its QR code) names the signer.
    qr = client.get(reverse("receipts:verify", args=[receipt.token])).content.decode()
    assert 'id="signer"' in qr and "Nguyễn Văn Ký" in qr


def test_verify_receipts_checks_the_signed_reports(client: Any, signoff: Signoff, pki: Pki) -> None:
    client.force_login(signoff.signatory)
    _decide(client, signoff, pki.valid.sign(_download_to_sign(client, signoff)))
    out = io.StringIO()
    call_command("verify_receipts", stdout=out)
    assert "1 signed report(s) verify again" in out.getvalue()
    signed = SignedDocument.objects.get()
    path = Path(signed.pdf.path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="signed PDF changed"):
        call_command("verify_receipts", stdout=io.StringIO())


def test_a_refused_upload_says_why_in_vietnamese_and_changes_nothing(
    client: Any, signoff: Signoff, pki: Pki
) -> None:
    client.force_login(signoff.signatory)
    prepared = _download_to_sign(client, signoff)
    response = _decide(client, signoff, pki.revoked.sign(prepared))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tệp đã ký không được chấp nhận" in page and "bị thu hồi" in page
    response = _decide(client, signoff, b"%PDF-1.7\n" + b"0" * (50 * 1024 * 1024))
    assert response.status_code == 200 and "lớn hơn 20 MB" in response.content.decode()
    response = _decide(client, signoff, b"not a pdf at all", name="bang-tinh.xlsx")
    assert "không phải là PDF" in response.content.decode()
    signoff.submission.refresh_from_db()
    assert signoff.submission.stage == Stage.PROVINCIAL_SIGNOFF
    assert not SignedDocument.objects.exists()
    assert not Receipt.objects.filter(action=Action.SIGN).exists()


def test_only_the_one_who_may_sign_gets_the_report_to_sign(client: Any, signoff: Signoff) -> None:
    url = reverse("reviews:signing-copy", args=[signoff.submission.pk])
    for user in (signoff.cast(Role.DRAFTER), signoff.cast(Role.PROVINCIAL_SIGNATORY, "48")):
        client.force_login(user)
        assert client.get(url).status_code == 404
    assert not PreparedDocument.objects.exists()


def test_the_review_page_signs_with_the_same_upload(
    client: Any, signoff: Signoff, pki: Pki
) -> None:
    """The review page's one decision form carries the signed report too: Sign there works, and
    Return from the same form needs no file and signs nothing."""
    client.force_login(signoff.signatory)
    review = reverse("reviews:review", args=[signoff.submission.pk])
    page = client.get(review).content.decode()
    form = page[page.index('id="decision"') :]
    assert 'enctype="multipart/form-data"' in form and 'id="signed-pdf"' in form
    assert 'name="action" value="sign"' in form
    prepared = _download_to_sign(client, signoff)
    response = client.post(
        reverse("reviews:decide", args=[signoff.submission.pk]),
        {
            "action": Action.SIGN,
            "expected_stage": Stage.PROVINCIAL_SIGNOFF,
            "reason": "",
            "signed_pdf": SimpleUploadedFile("da-ky.pdf", pki.valid.sign(prepared)),
        },
        follow=True,
    )
    signoff.submission.refresh_from_db()
    assert signoff.submission.stage == Stage.MINISTRY_CHECK, response.content.decode()
    assert SignedDocument.objects.count() == 1


def test_returning_from_the_review_page_signs_nothing(
    client: Any, signoff: Signoff, pki: Pki
) -> None:
    client.force_login(signoff.signatory)
    client.post(
        reverse("reviews:decide", args=[signoff.submission.pk]),
        {
            "action": Action.RETURN,
            "expected_stage": Stage.PROVINCIAL_SIGNOFF,
            "reason": "Cần sửa mục 2.1",
            "pkcs12": SimpleUploadedFile("p.p12", pki.valid.pkcs12()),
            "pkcs12_password": "mat-khau-thu",
        },
    )
    signoff.submission.refresh_from_db()
    assert signoff.submission.stage != Stage.PROVINCIAL_SIGNOFF
    assert not SignedDocument.objects.exists() and not PreparedDocument.objects.exists()
