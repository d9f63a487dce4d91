"""Benchmark: one review transition over HTTP (Django test client) on PostgreSQL.

Prints the median and 90th-percentile wall time and the median SQL query count of
a reviewer pressing "approve" (and a signatory pressing "return"): the view, the
access checks, the lock, the snapshot, the viewflow task, the audit record and
the e-mail scheduling included (the e-mails themselves are sent on commit to
Django's in-memory backend). Not a test: it prints figures.

    make bench            # or: .venv/bin/python -m benchmarks.transition_http [rounds]
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

from .scratch import measured_campaign, scratch_database


def main(rounds: int = 3) -> None:
    with scratch_database():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        _run(rounds, connection, CaptureQueriesContext)


def _run(rounds: int, connection: object, capture: type) -> None:
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from core.enums import Action, Role, Stage
    from tests.cast import fill_complete
    from workflow.services import role_grant, submission_start, submission_transition

    campaign = measured_campaign()
    units = list(campaign.units.order_by("code"))
    drafter = User.objects.create_user("bench.drafter", email="d@example.vn")
    reviewer = User.objects.create_user("bench.reviewer", email="r@example.vn")
    signatory = User.objects.create_user("bench.signatory", email="s@example.vn")
    role_grant(user=drafter, role=Role.DRAFTER, units=units)
    role_grant(user=reviewer, role=Role.DEPARTMENT_REVIEWER, units=units)
    role_grant(user=signatory, role=Role.PROVINCIAL_SIGNATORY, units=units)
    submissions = [submission_start(campaign=campaign, unit=u) for u in units]
    for s in submissions:
        fill_complete(s, drafter)

    clients = {}
    for user in (reviewer, signatory):
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)

    samples: dict[str, list[tuple[float, int]]] = {"approve": [], "return": []}

    def press(user: User, submission: object, action: str, stage: str, **extra: str) -> None:
        url = reverse("reviews:decide", kwargs={"pk": submission.pk})  # type: ignore[attr-defined]
        with capture(connection) as queries:
            start = time.perf_counter()
            response = clients[user.pk].post(
                url, {"action": action, "expected_stage": stage, **extra}
            )
            elapsed = time.perf_counter() - start
        assert response.status_code == 302, response.status_code
        samples[action].append((elapsed * 1000, len(queries.captured_queries)))

    for _ in range(rounds):
        for s in submissions:
            submission_transition(
                actor=drafter, submission=s, action=Action.SUBMIT, expected_stage=Stage.DRAFTING
            )
        for s in submissions:
            press(reviewer, s, Action.APPROVE, Stage.DEPARTMENT_REVIEW)
        for s in submissions:
            press(signatory, s, Action.RETURN, Stage.PROVINCIAL_SIGNOFF, reason="Bổ sung số liệu")

    print(
        f"review transition over HTTP, PostgreSQL, {len(submissions)} submissions x {rounds} rounds"
    )
    print(f"{'action':<8} {'n':>4} {'median ms':>10} {'p90 ms':>8} {'median queries':>15}")
    for action, rows in samples.items():
        times = sorted(t for t, _ in rows)
        counts = [q for _, q in rows]
        p90 = times[int(len(times) * 0.9) - 1]
        print(
            f"{action:<8} {len(rows):>4} {statistics.median(times):>10.1f} {p90:>8.1f}"
            f" {statistics.median(counts):>15.0f}"
        )
    print("targets: at most 44 ms and 40 queries per review transition")
    _sign_presses(submissions[:10], drafter, reviewer, signatory, clients[signatory.pk])


def _sign_presses(
    submissions: list[Any], drafter: Any, reviewer: Any, signatory: Any, client: Any
) -> None:
    """The People's Committee presses "Ký duyệt" with receipts rendered as deployed without a
    broker (RECEIPT_RENDERING=auto): the receipt carries the report PDF, so rendering it in
    the request would cost seconds."""
    from django.conf import settings
    from django.urls import reverse

    from core.enums import Action, Stage
    from receipts.models import Receipt
    from workflow.services import submission_transition

    for s in submissions:
        submission_transition(
            actor=drafter, submission=s, action=Action.SUBMIT, expected_stage=Stage.DRAFTING
        )
        submission_transition(
            actor=reviewer,
            submission=s,
            action=Action.APPROVE,
            expected_stage=Stage.DEPARTMENT_REVIEW,
        )
    settings.RECEIPT_RENDERING, settings.CELERY_BROKER_URL = "auto", ""
    times = []
    for s in submissions:
        started = time.perf_counter()
        response = client.post(
            reverse("reviews:decide", kwargs={"pk": s.pk}),
            {"action": Action.SIGN, "expected_stage": Stage.PROVINCIAL_SIGNOFF},
        )
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302, response.status_code
    signed = Receipt.objects.filter(action=Action.SIGN)
    deadline = time.monotonic() + 300
    while signed.filter(pdf="").exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    settings.RECEIPT_RENDERING = "off"
    print(
        f"sign-off press (the receipt's PDF with the report, no broker): n {len(times)},"
        f" median {statistics.median(times):.0f} ms, max {max(times):.0f} ms;"
        f" PDFs rendered {signed.exclude(pdf='').count()} of {signed.count()}"
    )
    print("target: a press answers in well under 500 ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
