"""Attachments and receipt PDFs: Django checks who asks, then either names the file for nginx
(X-Accel-Redirect, empty body) or, without nginx in front, sends the bytes itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from config.downloads import private_file_response
from submissions.models import Attachment, Submission
from workflow.models import Receipt
from workflow.roles import Role
from workflow.services import submission_transition
from workflow.stages import Stage
from workflow.transitions import Action

from ..cast import fill_complete

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
RECEIPT_PDF = PDF.replace(b"%%EOF", b"% bien nhan\n%%EOF")
ACCEL = "/_protected-media/"
VIETNAMESE_NAME = "Báo cáo đánh giá.pdf"
# RFC 6266 with the RFC 5987 encoding of the name, as browsers read it.
VIETNAMESE_DISPOSITION = (
    "attachment; filename*=utf-8''B%C3%A1o%20c%C3%A1o%20%C4%91%C3%A1nh%20gi%C3%A1.pdf"
)


@pytest.fixture
def attachment(hanoi: Submission, make_user: Any) -> Attachment:
    """A PDF of Hà Nội's, named in Vietnamese by the drafter who attached it."""
    item = Attachment(
        submission=hanoi,
        original_name=VIETNAMESE_NAME,
        content_type=Attachment.Kind.PDF,
        size=len(PDF),
        sha256="a" * 64,
        uploaded_by=make_user(Role.DRAFTER, "01", username="hn.author"),
    )
    item.file.save("ignored", ContentFile(PDF), save=True)
    return item


@pytest.fixture
def receipt(hanoi: Submission, make_user: Any, settings: Any) -> Receipt:
    """The receipt of Hà Nội's submission, its PDF not rendered yet."""
    settings.RECEIPT_RENDERING = "off"
    drafter = make_user(Role.DRAFTER, "01", username="hn.submitter")
    fill_complete(hanoi, drafter)
    record = submission_transition(
        actor=drafter, submission=hanoi, action=Action.SUBMIT, expected_stage=Stage.DRAFTING
    )
    return Receipt.objects.get(record=record)


def _attachment_url(attachment: Attachment) -> str:
    return reverse(
        "submissions:attachment-download",
        kwargs={"pk": attachment.submission_id, "attachment_pk": attachment.pk},
    )


def _receipt_url(receipt: Receipt) -> str:
    return reverse(
        "receipts:download", kwargs={"pk": receipt.submission_id, "receipt_pk": receipt.pk}
    )


@pytest.mark.parametrize("prefix", [ACCEL, ACCEL.rstrip("/")])
def test_behind_nginx_the_view_names_the_file_and_sends_no_bytes(
    client: Any, settings: Any, make_user: Any, attachment: Attachment, prefix: str
) -> None:
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = prefix
    client.force_login(make_user(Role.DRAFTER, "01"))
    response = client.get(_attachment_url(attachment))
    assert response.status_code == 200
    assert (
        response["X-Accel-Redirect"]
        == f"/_protected-media/attachments/{attachment.submission_id}/{'a' * 64}"
    )
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == VIETNAMESE_DISPOSITION
    assert response["Cache-Control"] == "private, no-store"


def test_without_nginx_the_view_sends_the_bytes(
    client: Any, settings: Any, make_user: Any, attachment: Attachment
) -> None:
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = ""
    client.force_login(make_user(Role.DRAFTER, "01"))
    response = client.get(_attachment_url(attachment))
    assert response.status_code == 200
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == VIETNAMESE_DISPOSITION
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("prefix", ["", ACCEL])
def test_the_receipt_is_downloaded_under_its_number_either_way(
    client: Any, settings: Any, make_user: Any, receipt: Receipt, prefix: str
) -> None:
    receipt.pdf.save(f"{receipt.campaign_id}/{receipt.token}.pdf", ContentFile(RECEIPT_PDF))
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = prefix
    client.force_login(make_user(Role.DEPARTMENT_REVIEWER, "01"))
    response = client.get(_receipt_url(receipt))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bien-nhan-0001-01.pdf"'
    assert response["Content-Type"] == "application/pdf"
    if prefix:
        assert (
            response["X-Accel-Redirect"]
            == f"{ACCEL}receipts/{receipt.campaign_id}/{receipt.token}.pdf"
        )
        assert response.content == b""
    else:
        assert b"".join(response.streaming_content) == RECEIPT_PDF


@pytest.mark.parametrize("prefix", ["", ACCEL])
def test_another_province_gets_a_404_either_way(
    client: Any,
    settings: Any,
    make_user: Any,
    attachment: Attachment,
    receipt: Receipt,
    prefix: str,
) -> None:
    receipt.pdf.save(f"{receipt.campaign_id}/{receipt.token}.pdf", ContentFile(RECEIPT_PDF))
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = prefix
    client.force_login(make_user(Role.DRAFTER, "48"))
    for url in (_attachment_url(attachment), _receipt_url(receipt)):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "X-Accel-Redirect" not in response
        assert PDF not in response.content and RECEIPT_PDF not in response.content


@pytest.mark.parametrize("prefix", ["", ACCEL])
def test_a_receipt_not_rendered_yet_is_a_404_either_way(
    client: Any, settings: Any, make_user: Any, receipt: Receipt, prefix: str
) -> None:
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = prefix
    client.force_login(make_user(Role.DRAFTER, "01"))
    response = client.get(_receipt_url(receipt))
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


def test_the_stored_name_is_url_quoted_for_nginx(settings: Any, attachment: Attachment) -> None:
    """nginx decodes X-Accel-Redirect; a raw non-ASCII header would not even reach it intact."""
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = ACCEL
    attachment.file.name = "attachments/1/tệp 50%.pdf"
    response = private_file_response(
        attachment.file, filename="tệp.pdf", content_type="application/pdf"
    )
    assert response["X-Accel-Redirect"] == "/_protected-media/attachments/1/t%E1%BB%87p%2050%25.pdf"
