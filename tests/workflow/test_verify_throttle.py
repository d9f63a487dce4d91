"""The public receipt check parses every upload: it is throttled per client address."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

THROTTLED = "Bạn đã kiểm tra quá nhiều tệp trong thời gian ngắn"


@pytest.fixture(autouse=True)
def _limit(settings: Any) -> None:
    # Per day, so that the window never turns over within a test.
    settings.VERIFY_UPLOAD_RATE = "3/d"
    cache.clear()


def _upload(client: Any, **headers: str) -> Any:
    return client.post(
        reverse("receipts:verify-upload"),
        {"file": SimpleUploadedFile("bien-nhan.pdf", b"not a pdf", "application/pdf")},
        **headers,
    )


@pytest.mark.django_db
def test_uploads_past_the_limit_from_one_address_are_refused_others_still_served(
    client: Any,
) -> None:
    for _ in range(3):
        response = _upload(client, REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 200
        assert "Tệp này không phải là tệp PDF." in response.content.decode()
    refused = _upload(client, REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert THROTTLED in page
    assert "Tệp này không phải là tệp PDF." not in page
    other = _upload(client, REMOTE_ADDR="203.0.113.8")
    assert other.status_code == 200
    assert THROTTLED not in other.content.decode()
    # Reading the page, and a receipt's QR link, are not counted.
    assert (
        client.get(reverse("receipts:verify-upload"), REMOTE_ADDR="203.0.113.7").status_code == 200
    )


@pytest.mark.django_db
def test_behind_the_proxy_the_address_it_reports_is_the_key(client: Any, settings: Any) -> None:
    """Keyed by the one definition of the client's address (core.security.client_ip)."""
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for _ in range(3):
        assert (
            _upload(client, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.1").status_code
            == 200
        )
    assert (
        _upload(client, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.1").status_code == 429
    )
    assert (
        _upload(client, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.2").status_code == 200
    )
