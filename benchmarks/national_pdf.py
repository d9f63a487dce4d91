"""Benchmark: the national report's PDF for a consolidated version (warm median, pages).

Called by benchmarks.consolidation on its 63 provinces; not a test: it prints figures.
"""

from __future__ import annotations

import io
import statistics
import time
from typing import Any


def print_render_time(version: Any, repetitions: int = 3) -> None:
    from pypdf import PdfReader

    from national.pdf import render_national_report

    document = render_national_report(version)  # warm: templates, style sheets, fonts
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        document = render_national_report(version)
        times.append(time.perf_counter() - start)
    pages = len(PdfReader(io.BytesIO(document)).pages)
    provinces = version.provinces.count()
    what = f"PDF, {provinces} provinces: {pages} pages, {len(document) // 1024} KiB"
    print(f"{what + f' (median of {repetitions})':<56} {statistics.median(times):>8.3f}")
