"""Signing in the browser flow with a certificate file (PKCS#12) and its password: the server
signs the prepared report with the key in memory, then the same verification as an uploaded
signed file runs, so another person's or an untrusted certificate is refused in the same
words; the key and the password are kept nowhere and logged nowhere."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.enums import Action, Stage
from national.models import VersionSignature
from receipts.models import Receipt
from signatures import pkcs12
from signatures.models import PreparedDocument, SignedDocument

from .conftest import Signoff
from .pki import PASSWORD, Holder, Pki
from .test_national_report import _urls
from .test_signoff_pages import _decide

TYPED = PASSWORD.decode()


def _sign_with_file(
    client: Any, signoff: Signoff, holder: Holder, password: str = TYPED, data: bytes = b""
) -> str:
    response = client.post(
        reverse("reviews:decide", args=[signoff.submission.pk]),
        {
            "action": Action.SIGN,
            "expected_stage": Stage.PROVINCIAL_SIGNOFF,
            "pkcs12": SimpleUploadedFile(
                "chu-ky.p12", data or holder.pkcs12(), "application/x-pkcs12"
            ),
            "pkcs12_password": password,
        },
        follow=True,
    )
    assert response.status_code == 200
    return str(response.content.decode())


def _unchanged(signoff: Signoff) -> None:
    signoff.submission.refresh_from_db()
    assert signoff.submission.stage == Stage.PROVINCIAL_SIGNOFF
    assert not SignedDocument.objects.exists()
    assert not Receipt.objects.filter(action=Action.SIGN).exists()


def test_the_signatory_signs_with_their_certificate_file(
    client: Any, signoff: Signoff, pki: Pki, caplog: Any
) -> None:
    client.force_login(signoff.signatory)
    page = client.get(signoff.submission.get_absolute_url()).content.decode()
    assert 'id="pkcs12-file"' in page and 'type="password" name="pkcs12_password"' in page
    with caplog.at_level(logging.DEBUG):
        page = _sign_with_file(client, signoff, pki.valid)
    signoff.submission.refresh_from_db()
    assert signoff.submission.stage == Stage.MINISTRY_CHECK, page
    signed = SignedDocument.objects.get()
    assert signed.signer_serial == format(pki.valid.cert.serial_number, "x")
    with signed.pdf.open("rb") as fh, signed.prepared.pdf.open("rb") as prepared:
        assert fh.read().startswith(prepared.read())  # signed on the report prepared for them
    # The password is in no log record; the key is in no stored file.
    assert all(TYPED not in record.getMessage() for record in caplog.records)
    key = pki.valid.pkcs12()
    media = Path(django_settings.MEDIA_ROOT)
    for path in media.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert key not in content and PASSWORD not in content, path


@pytest.mark.parametrize(
    ("holder", "password", "words"),
    [
        ("valid", "sai-mat-khau", "hoặc mật khẩu không đúng"),
        ("another_user", TYPED, "được đăng ký cho tài khoản của người khác"),
        ("untrusted", TYPED, "không do tổ chức chứng thực trong danh sách tin cậy"),
        ("revoked", TYPED, "bị thu hồi"),
    ],
)
def test_a_certificate_file_refused_says_why_and_changes_nothing(
    client: Any, signoff: Signoff, pki: Pki, holder: str, password: str, words: str
) -> None:
    client.force_login(signoff.signatory)
    page = _sign_with_file(client, signoff, getattr(pki, holder), password)
    assert words in page, page
    _unchanged(signoff)


def test_another_users_file_is_refused_as_its_signed_upload_is(
    client: Any, signoff: Signoff, pki: Pki
) -> None:
    """The same verification: the same message for the file signed outside and signed here."""
    client.force_login(signoff.signatory)
    by_file = _sign_with_file(client, signoff, pki.another_user)
    prepared = report_bytes(client, signoff)
    uploaded = _decide(client, signoff, pki.another_user.sign(prepared)).content.decode()
    said = [
        re.search(r"Tệp đã ký không được chấp nhận:[^<]*", page) for page in (by_file, uploaded)
    ]
    assert said[0] and said[1], (by_file, uploaded)
    assert said[0].group(0) == said[1].group(0)
    assert "của người khác" in said[0].group(0)
    _unchanged(signoff)


def report_bytes(client: Any, signoff: Signoff) -> bytes:
    response = client.get(reverse("reviews:signing-copy", args=[signoff.submission.pk]))
    return b"".join(response.streaming_content)


def test_a_file_too_large_or_the_feature_off_is_refused_unread(
    client: Any, signoff: Signoff, pki: Pki, settings: Any
) -> None:
    client.force_login(signoff.signatory)
    page = _sign_with_file(client, signoff, pki.valid, data=b"0" * (pkcs12.MAX_BYTES + 1))
    assert "lớn hơn 64 KB" in page
    settings.SIGNING_WITH_PKCS12_IN_BROWSER = False
    page = _sign_with_file(client, signoff, pki.valid)
    assert "không bật chức năng ký bằng tệp chứng thư" in page
    assert (
        'id="pkcs12-file"' not in client.get(signoff.submission.get_absolute_url()).content.decode()
    )
    assert not PreparedDocument.objects.exists()  # nothing was prepared for a refused file
    _unchanged(signoff)


def test_the_coordinator_signs_a_version_with_a_certificate_file(
    client: Any,
    version: Any,
    coordinator: Any,
    pki: Pki,
) -> None:
    client.force_login(coordinator)
    response = client.post(
        _urls(version)["sign"],
        {
            "pkcs12": SimpleUploadedFile("p.p12", pki.revoked.pkcs12(), "application/x-pkcs12"),
            "pkcs12_password": TYPED,
        },
        follow=True,
    )
    assert "bị thu hồi" in response.content.decode()
    assert not VersionSignature.objects.exists()
    response = client.post(
        _urls(version)["sign"],
        {
            "pkcs12": SimpleUploadedFile("p.p12", pki.coordinator.pkcs12(), "application/x-pkcs12"),
            "pkcs12_password": TYPED,
        },
        follow=True,
    )
    assert 'id="version-signature"' in response.content.decode()
    assert VersionSignature.objects.get().signed.signer == coordinator
