"""The ministry's signer signs a version of the national report: the version to sign, the signed
upload verified as a province's is, the signed PDF then the version's document, shown on the
report page, recognised by /verify/ and verified again by verify_receipts. Real certificates
(tests/signatures/pki.py) and real PDFs signed with pyHanko as an outside tool would."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from campaigns.models import Campaign
from core.enums import Role
from national.models import NationalVersion, VersionSignature
from receipts.signoff import report_prepare_for_signing
from signatures.models import PreparedDocument, SignedDocument
from signatures.services import user_certificate_register
from submissions.models import Submission

from ..cast import Cast
from .pki import Pki


def _urls(version: NationalVersion) -> dict[str, str]:
    args = [version.campaign.code, version.number]
    return {
        name: reverse(f"national:{name}", args=args)
        for name in ("signing-copy", "sign", "pdf", "version")
    }


def _to_sign(client: Any, version: NationalVersion) -> bytes:
    response = client.get(_urls(version)["signing-copy"])
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _upload(client: Any, version: NationalVersion, data: bytes) -> str:
    response = client.post(
        _urls(version)["sign"],
        {"signed_pdf": SimpleUploadedFile("v1-da-ky.pdf", data, "application/pdf")},
        follow=True,
    )
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_coordinator_signs_a_version_and_it_becomes_the_versions_document(
    client: Any, version: NationalVersion, coordinator: User, pki: Pki, cast: Cast
) -> None:
    client.force_login(coordinator)
    page = client.get(_urls(version)["version"]).content.decode()
    assert 'id="sign-version"' in page and "Tải phiên bản để ký" in page
    prepared = _to_sign(client, version)
    reader = PdfReader(io.BytesIO(prepared))
    assert any(f.get("/FT") == "/Sig" for f in (reader.get_fields() or {}).values())
    assert "BÁO CÁO TỔNG HỢP" in " ".join(p.extract_text() for p in reader.pages).upper()
    document = version.document  # the rendered version, the start of what is signed
    with document.pdf.open("rb") as fh:
        assert prepared.startswith(fh.read())

    signed_bytes = pki.coordinator.sign(prepared, field_name="ChuKyBo")
    page = _upload(client, version, signed_bytes)
    assert "đã được ký" in page, page
    stored = VersionSignature.objects.get(version=version)
    assert stored.signed.sha256 and stored.signed.signer == coordinator
    assert stored.signed.prepared.kind == PreparedDocument.Kind.NATIONAL_REPORT
    # The report page names the signer, the certificate and the result.
    for shown in (
        "Trần Thị Điều Phối",
        format(pki.coordinator.cert.serial_number, "x"),
        "CA cấp dưới thử nghiệm",
        'id="version-signature"',
    ):
        assert shown in page, shown
    assert 'id="sign-version"' not in page
    # The PDF link now sends the signed file, to a ministry checker too.
    checker = client.__class__()
    checker.force_login(cast(Role.MINISTRY_CHECKER))
    got = b"".join(checker.get(_urls(version)["pdf"]).streaming_content)
    assert got == signed_bytes
    # /verify/ recognises it and verifies it again; so does verify_receipts.
    verify = client.post(
        reverse("receipts:verify-upload"),
        {"file": SimpleUploadedFile("x.pdf", got, "application/pdf")},
    ).content.decode()
    assert "Trần Thị Điều Phối" in verify and "alert-success" in verify
    out = io.StringIO()
    call_command("verify_receipts", stdout=out)
    assert "1 signed report(s) verify again" in out.getvalue()


@pytest.mark.parametrize(
    ("holder", "words"),
    [
        ("revoked", "bị thu hồi"),
        ("another_user", "chưa được đăng ký cho tài khoản"),
        ("untrusted", "không do tổ chức chứng thực trong danh sách tin cậy"),
    ],
)
def test_a_refused_signed_version_says_why_and_changes_nothing(
    client: Any, version: NationalVersion, coordinator: User, pki: Pki, holder: str, words: str
) -> None:
    client.force_login(coordinator)
    prepared = _to_sign(client, version)
    page = _upload(client, version, getattr(pki, holder).sign(prepared, field_name="ChuKyBo"))
    assert "Tệp đã ký không được chấp nhận" in page and words in page, page
    assert not VersionSignature.objects.exists() and not SignedDocument.objects.exists()
    original = b"".join(client.get(_urls(version)["pdf"]).streaming_content)
    with version.document.pdf.open("rb") as fh:
        assert original == fh.read()  # the version's document is still the rendered one


def test_other_refusals_of_a_signed_version(
    client: Any, version: NationalVersion, coordinator: User, pki: Pki, hanoi: Submission
) -> None:
    client.force_login(coordinator)
    assert "Hãy chọn tệp đã ký" in _upload(client, version, b"")
    # A province's report signed instead of the version: not the document prepared.
    other = report_prepare_for_signing(submission=hanoi, signer=coordinator)
    with other.pdf.open("rb") as fh:
        province = pki.coordinator.sign(fh.read())
    assert "không phải là báo cáo được chuẩn bị" in _upload(client, version, province)
    first, second = _to_sign(client, version), _to_sign(client, version)
    assert "đã được ký" in _upload(
        client, version, pki.coordinator.sign(first, field_name="ChuKyBo")
    )
    again = _upload(client, version, pki.coordinator.sign(second, field_name="ChuKyBo"))
    assert "đã được ký (" in again and "không có gì thay đổi" in again, again
    assert VersionSignature.objects.count() == 1 and SignedDocument.objects.count() == 1
    assert 'id="sign-version"' not in again
    assert client.get(_urls(version)["signing-copy"]).status_code == 404


def test_only_a_coordinator_with_a_certificate_may_sign(
    client: Any, version: NationalVersion, cast: Cast, pki: Pki, campaign: Campaign
) -> None:
    coordinator = cast(Role.MINISTRY_COORDINATOR)
    url = _urls(version)["signing-copy"]
    client.force_login(coordinator)  # no certificate registered yet
    assert client.get(url).status_code == 404
    assert "không được ký báo cáo toàn quốc" in _upload(client, version, b"%PDF-1.7 x")
    client.force_login(cast(Role.MINISTRY_CHECKER))
    assert client.get(url).status_code == 404
    client.force_login(cast(Role.PROVINCIAL_SIGNATORY))
    assert client.get(url).status_code == 404
    user_certificate_register(user=coordinator, certificate=pki.coordinator.der)
    client.force_login(coordinator)
    assert _to_sign(client, version).startswith(b"%PDF-")
    campaign.definition = {**campaign.definition, "signatures": {"national_report": "none"}}
    campaign.save(update_fields=["definition"])
    assert client.get(url).status_code == 404
