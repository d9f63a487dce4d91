"""Attachments and receipt PDFs: Django checks who asks, then either names the file for nginx
(X-Accel-Redirect, empty body) or, without nginx in front, sends the bytes itself. The last
test runs the installed nginx with the site's own server block in front of the live server."""

from __future__ import annotations

import http.client
import socket
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from core.downloads import private_file_response
from core.enums import Action, Role, Stage
from receipts.models import Receipt
from submissions.models import Attachment, Submission
from workflow.services import submission_transition

from ..cast import fill_complete
from .nginx_site import NGINX, main_config, media_locations, self_signed_pair, site

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


# --- Django's answer -----------------------------------------------------------------------


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


# --- through nginx -------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _swap(text: str, old: str, new: str) -> str:
    """``old`` replaced by ``new``; the template must still hold ``old``."""
    assert old in text, f"the nginx template no longer has {old!r}"
    return text.replace(old, new)


@contextmanager
def _nginx(directory: Path, upstream: str, media_root: Path) -> Iterator[Callable[..., Answer]]:
    """The site's HTTPS server block in front of ``upstream``, on a free loopback port, with
    the media alias at ``media_root``; yields a GET that trusts only its certificate."""
    assert NGINX
    port = _free_port()
    [(_, body)] = media_locations(site())
    alias = body.split("alias ")[1].split(";")[0]
    conf = site(APP_UPSTREAM=upstream, SERVER_NAME="127.0.0.1")
    # The first server only redirects port 80 to HTTPS: left out.
    first = conf.index("server {")
    second = conf.index("server {", first + 1)
    assert "listen 80;" in conf[first:second]
    conf = conf[:first] + conf[second:]
    conf = _swap(conf, "listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl;")
    conf = _swap(conf, "listen [::]:443 ssl http2;", "")
    conf = _swap(conf, "/etc/nginx/tls/", f"{directory}/")
    conf = _swap(conf, f"alias {alias};", f"alias {media_root}/;")
    self_signed_pair(directory, "IP:127.0.0.1")
    (directory / "site.conf").write_text(conf)
    (directory / "nginx.conf").write_text(
        main_config(directory, directory / "site.conf", foreground=True)
    )
    log = (directory / "nginx.log").open("wb")
    process = subprocess.Popen(  # noqa: S603
        [NGINX, "-c", str(directory / "nginx.conf"), "-p", str(directory)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            assert process.poll() is None, (directory / "nginx.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not listen within 10 s"
                time.sleep(0.05)
        tls = ssl.create_default_context(cafile=str(directory / "fullchain.pem"))

        def get(path: str, cookie: str = "") -> Answer:
            connection = http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=30)
            try:
                connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                response = connection.getresponse()
                return Answer(response.status, response.headers, response.read())
            finally:
                connection.close()

        yield get
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _session_cookie(user: Any) -> str:
    """What the browser of ``user``, logged in, sends (the session is in the database)."""
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
@pytest.mark.django_db(transaction=True)
def test_nginx_sends_the_file_only_after_django_allowed_it(
    live_server: Any,
    settings: Any,
    tmp_path: Path,
    make_user: Any,
    attachment: Attachment,
    receipt: Receipt,
) -> None:
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = ACCEL
    # A stored name that must be URL-quoted: nginx decodes it before it opens the file.
    receipt.pdf.save(
        f"{receipt.campaign_id}/biên nhận {receipt.token}.pdf", ContentFile(RECEIPT_PDF)
    )
    downloads = [
        (_attachment_url(attachment), PDF, VIETNAMESE_DISPOSITION, attachment.file.name),
        (
            _receipt_url(receipt),
            RECEIPT_PDF,
            'attachment; filename="bien-nhan-0001-01.pdf"',
            receipt.pdf.name,
        ),
    ]
    assert "ậ" in str(receipt.pdf.name)
    own = _session_cookie(make_user(Role.DEPARTMENT_REVIEWER, "01"))
    other = _session_cookie(make_user(Role.DRAFTER, "48"))
    nginx_dir = tmp_path / "nginx"
    nginx_dir.mkdir()
    upstream = f"127.0.0.1:{urlsplit(live_server.url).port}"
    with _nginx(nginx_dir, upstream, Path(settings.MEDIA_ROOT)) as get:
        for url, content, disposition, stored in downloads:
            answer = get(url, own)
            assert answer.status == 200, url
            assert answer.body == content
            assert answer.headers["Content-Disposition"] == disposition
            assert answer.headers["Content-Type"] == "application/pdf"
            assert answer.headers["Cache-Control"] == "private, no-store"
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
            # Sent by nginx from the file (its ETag, the location's HSTS), not by Django,
            # whose other headers nginx drops.
            assert answer.headers["ETag"] and answer.headers["Strict-Transport-Security"]
            assert "X-Frame-Options" not in answer.headers
            assert "X-Accel-Redirect" not in answer.headers

            refused = get(url, other)
            assert refused.status == 404, url
            assert content not in refused.body

            # The file's own path, even with a session that may read it: nginx's 404.
            direct = get(quote(ACCEL + str(stored)), own)
            assert direct.status == 404, stored
            assert content not in direct.body
