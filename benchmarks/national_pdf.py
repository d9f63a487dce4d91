"""Benchmark: the national report's PDF for a consolidated version: its render (warm median,
pages), then the download of the PDF stored for the version (national.tasks), which is what a
user waits for once the background has rendered it.

Called by benchmarks.consolidation on its 63 provinces; not a test: it prints figures.
"""

from __future__ import annotations

import hashlib
import io
import statistics
import tempfile
import time
from typing import Any


def print_render_time(version: Any, repetitions: int = 3, downloads: int = 10) -> None:
    from django.test import Client, override_settings
    from django.urls import reverse
    from pypdf import PdfReader

    from national.pdf import render_national_report
    from national.tasks import store_version_pdf

    document = render_national_report(version)  # warm: templates, style sheets, fonts
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        document = render_national_report(version)
        times.append(time.perf_counter() - start)
    pages = len(PdfReader(io.BytesIO(document)).pages)
    provinces = version.provinces.count()
    what = f"PDF, {provinces} provinces: {pages} pages, {len(document) // 1024} KiB"
    print(f"{what + f' (render, median of {repetitions})':<56} {statistics.median(times):>8.3f}")

    # The stored PDF goes to a folder of this run's: a file left by an earlier run's version
    # of the same number would be taken up as this one's.
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        stored = store_version_pdf(version_pk=version.pk, wait=True)
        assert stored is not None
        client = Client()
        client.force_login(version.created_by)
        url = reverse(
            "national:pdf", kwargs={"code": version.campaign.code, "number": version.number}
        )
        times = []
        for _ in range(downloads):
            start = time.perf_counter()
            response = client.get(url)
            data = response.getvalue()
            times.append(time.perf_counter() - start)
            assert hashlib.sha256(data).hexdigest() == stored.pdf_sha256
    what = f"PDF download, stored once ({pages} pages, median of {downloads})"
    print(f"{what:<56} {statistics.median(times):>8.3f}")
