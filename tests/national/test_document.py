"""A national report version's PDF is rendered once, after the version is made, and kept: the
download sends those bytes; a version left without it is rendered on download or by the
catch-up, once; two renders at the same time make one file and one row."""

from __future__ import annotations

import datetime
import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from campaigns.models import Campaign
from core import clock
from core.enums import Role, Stage
from national.models import NationalVersion, VersionDocument
from national.services import consolidation_run
from national.tasks import render_version_pdf, store_version_pdf
from submissions.models import Submission

from ..cast import Cast
from ..helpers import race
from .test_exports import _download


def _files() -> list[Path]:
    """The PDFs in the national folder of the media storage."""
    return sorted((Path(django_settings.MEDIA_ROOT) / "national").rglob("*.pdf"))


def _text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def _state() -> list[tuple[int, str, datetime.datetime, int]]:
    """Each stored document's row, hash and time, with the modification time of its file."""
    return [
        (d.pk, d.pdf_sha256, d.rendered_at, Path(d.pdf.path).stat().st_mtime_ns)
        for d in VersionDocument.objects.order_by("pk")
    ]


@pytest.fixture
def made(
    provinces: Callable[..., Submission], cast: Cast, campaign: Campaign
) -> Callable[[], NationalVersion]:
    """``made()``: a version of two provinces; its PDF is not rendered (no commit in a test)."""
    provinces("01", Stage.CONSOLIDATION)
    provinces("48", Stage.CONSOLIDATION, own=False)

    def make() -> NationalVersion:
        return consolidation_run(actor=cast(Role.MINISTRY_COORDINATOR), campaign=campaign)

    return make


@pytest.mark.django_db
def test_consolidating_renders_the_versions_pdf_once_and_the_download_sends_it(
    made: Callable[[], NationalVersion],
    cast: Cast,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.RECEIPT_RENDERING = "inline"
    with django_capture_on_commit_callbacks(execute=True):
        version = made()
    stored = VersionDocument.objects.get(version=version)
    assert _files() == [Path(stored.pdf.path)]
    data = Path(stored.pdf.path).read_bytes()
    assert hashlib.sha256(data).hexdigest() == stored.pdf_sha256
    text = _text(data)
    assert "BÁO CÁO TỔNG HỢP TOÀN QUỐC" in text
    assert "Phiên bản 1" in text
    assert "Hà Nội" in text and "Đà Nẵng" in text
    before = _state()

    for _ in range(2):
        assert hashlib.sha256(_download(cast, version, "pdf")).hexdigest() == stored.pdf_sha256
    assert _state() == before  # served, not rendered again
    assert _files() == [Path(stored.pdf.path)]


@pytest.mark.django_db
def test_a_version_without_its_pdf_is_rendered_on_download_once(
    made: Callable[[], NationalVersion], cast: Cast
) -> None:
    version = made()
    assert not VersionDocument.objects.exists()  # as if the background had not run yet
    first = _download(cast, version, "pdf")
    stored = VersionDocument.objects.get(version=version)
    assert hashlib.sha256(first).hexdigest() == stored.pdf_sha256
    assert "Phiên bản 1" in _text(first)
    before = _state()
    assert _download(cast, version, "pdf") == first
    assert _state() == before
    assert len(_files()) == 1


@pytest.mark.django_db
def test_the_catch_up_renders_a_version_left_without_its_pdf_once(
    made: Callable[[], NationalVersion], settings: Any
) -> None:
    settings.RECEIPT_RENDERING = "off"  # as if the broker had been down at the commit
    version = made()
    settings.RECEIPT_RENDERING = "inline"
    call_command("render_missing_receipts", stdout=io.StringIO())  # too recent: may still run
    assert not VersionDocument.objects.exists()
    later = clock.now() + datetime.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        call_command("render_missing_receipts", stdout=io.StringIO())
        before = _state()
        call_command("render_missing_receipts", stdout=io.StringIO())
    stored = VersionDocument.objects.get(version=version)
    assert stored.rendered_at == later
    assert _state() == before
    assert _files() == [Path(stored.pdf.path)]
    assert "Phiên bản 1" in _text(Path(stored.pdf.path).read_bytes())


@pytest.mark.django_db
def test_verify_receipts_checks_the_stored_version_pdfs_and_finds_stray_files(
    made: Callable[[], NationalVersion], settings: Any
) -> None:
    settings.RECEIPT_RENDERING = "off"  # the receipts' PDFs are not what is checked here
    version = made()
    stored = store_version_pdf(version_pk=version.pk, wait=True)
    assert stored is not None
    out = io.StringIO()
    call_command("verify_receipts", "--files", stdout=out)
    assert "1 national report PDF(s) present and unchanged" in out.getvalue()
    assert "no file in the national folder without its version" in out.getvalue()

    stray = Path(stored.pdf.path).with_name("v9-999.pdf")
    stray.write_bytes(b"%PDF-1.7")
    with pytest.raises(CommandError, match="1 file\\(s\\) in the national folder"):
        call_command("verify_receipts", "--files", stdout=io.StringIO())
    stray.unlink()

    path = Path(stored.pdf.path)
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(CommandError, match=r"national report .* its PDF changed"):
        call_command("verify_receipts", "--files", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_renders_at_the_same_time_make_one_file_and_one_row(
    made: Callable[[], NationalVersion], cast: Cast, settings: Any
) -> None:
    settings.RECEIPT_RENDERING = "off"  # the version's PDF is rendered by the racers below
    version = made()
    results = race(
        lambda: _download(cast, version, "pdf"),
        lambda: _download(cast, version, "pdf"),
        lambda: render_version_pdf(version.pk),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    stored = VersionDocument.objects.get(version=version)
    assert hashlib.sha256(results[0]).hexdigest() == stored.pdf_sha256
    assert results[1] == results[0]
    assert results[2] in ("", stored.pdf.name)  # stored it, or left it to the download
    assert _files() == [Path(stored.pdf.path)]
