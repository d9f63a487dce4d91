"""Benchmark: render and sign one receipt, and render one submission's report (warm medians).

Runs on a throwaway test database (PostgreSQL when reachable), with the demo's
Hà Nội report as the content. Not a test: it prints figures.

    make bench            # or: .venv/bin/python -m benchmarks.pdf_render [repetitions]
"""

from __future__ import annotations

import io
import statistics
import sys
import time

from .scratch import scratch_database


def main(repetitions: int = 20) -> None:
    with scratch_database():
        from django.core.management import call_command

        call_command("ensure_signing_key", stdout=io.StringIO())
        call_command("load_demo", stdout=io.StringIO())
        _run(repetitions)


def _run(repetitions: int) -> None:
    from receipts import pdf
    from receipts.models import Receipt
    from submissions.models import Submission

    from .scratch import measured_campaign

    campaign = measured_campaign()
    receipt = (
        Receipt.objects.filter(campaign=campaign, submission__unit__code="01")
        .order_by("number")
        .first()
    )
    submission = Submission.objects.get(campaign=campaign, unit__code="01")
    assert receipt is not None

    def timed(fn: object) -> list[float]:
        fn()  # type: ignore[operator]  # warm: fonts loaded, templates compiled
        out = []
        for _ in range(repetitions):
            start = time.perf_counter()
            fn()  # type: ignore[operator]
            out.append((time.perf_counter() - start) * 1000)
        return out

    render = timed(lambda: pdf.render_receipt(receipt))
    raw = pdf.render_receipt(receipt)
    sign = timed(lambda: pdf.sign_pdf(raw, reason="benchmark"))
    both = timed(lambda: pdf.sign_pdf(pdf.render_receipt(receipt), reason="benchmark"))
    report = timed(lambda: pdf.render_report(submission))
    print(f"PDF rendering, warm, median of {repetitions}")
    print(f"{'what':<34} {'median ms':>10} {'max ms':>8}")
    for name, values in [
        ("receipt: render", render),
        ("receipt: sign (PAdES)", sign),
        ("receipt: render + sign", both),
        ("report: render (Hà Nội, 5 pages)", report),
    ]:
        print(f"{name:<34} {statistics.median(values):>10.1f} {max(values):>8.1f}")
    print("target: render + sign one receipt in 200 ms or less")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
