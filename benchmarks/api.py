"""Benchmark: the web API's heavy reads, one submission's appendix and the dashboard's
figures, at 63 and at 10,000 units, on PostgreSQL.

The campaign measured (benchmarks.scratch.campaign_file: by default the first shipped
in campaigns/data) gets its 63 submissions (a third moved along the path, as in
benchmarks.dashboard); the appendix of Hà Nội's (filled by the drafting service) and the
dashboard are read over HTTP with a personal API token (authentication, throttle, view,
JSON: all of it). Then 10,000 synthetic units are added (benchmarks.dashboard's campaign
bench-10k) and the same appendix and the 10,000 units' dashboard are read again; so is
each with If-None-Match (a 304). It prints the median and p90 time, SQL time and query
count of each: the counts must not grow with the units. Not a test: it prints figures.

    .venv/bin/python -m benchmarks.api [units] [rounds]
"""

from __future__ import annotations

import sys
import time
from typing import Any

from .dashboard import _measure, _real_63, _synthetic
from .scratch import measured_campaign, scratch_database


def main(units: int = 10_000, rounds: int = 15) -> None:
    with scratch_database():
        _run(units, rounds)


def _line(label: str, units: int, m: dict[str, float]) -> None:
    print(
        f"{label:<34} {units:>6} {m['median']:>10.1f} {m['p90']:>8.1f} {m['sql']:>7.1f}"
        f" {m['queries']:>8} {m['kb']:>6}"
    )


class _Conditional:
    """A client whose GETs carry If-None-Match with the ETag of a first read."""

    def __init__(self, client: Any, url: str) -> None:
        self.client = client
        self.tag = client.get(url)["ETag"]

    def get(self, url: str) -> Any:
        response = self.client.get(url, HTTP_IF_NONE_MATCH=self.tag)
        assert response.status_code == 304
        response.status_code = 200  # what _measure checks; the body is empty
        return response


def _run(units: int, rounds: int) -> None:
    from django.contrib.auth.models import User
    from rest_framework.test import APIClient

    from api.tokens import token_create
    from core.enums import Role
    from submissions.models import Submission
    from tests.cast import fill_complete
    from workflow.services import role_grant

    coordinator = User.objects.create_user("bench.coordinator", email="c@example.vn")
    role_grant(user=coordinator, role=Role.MINISTRY_COORDINATOR, units=[])
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {token_create(user=coordinator, name='bench', days=1)[1]}"
    )
    real = measured_campaign()
    started = time.perf_counter()
    _real_63(real)
    print(f"campaign {real.code}: 63 submissions driven in {time.perf_counter() - started:.1f} s")
    hanoi = Submission.objects.get(campaign=real, unit__code="01")
    if hanoi.revision == 0:
        fill_complete(hanoi, User.objects.get(username="bench.drafter"))
    appendix = f"/api/v1/submissions/{hanoi.pk}/appendix/"

    def dashboard(campaign: Any) -> str:
        return f"/api/v1/monitoring/{campaign.code}/dashboard/"

    print(f"\nweb API over HTTP with a token, PostgreSQL, {rounds} requests each")
    print(
        f"{'read':<34} {'units':>6} {'median ms':>10} {'p90 ms':>8} {'SQL ms':>7}"
        f" {'queries':>8} {'KB':>6}"
    )
    _line("appendix", 63, _measure(client, appendix, rounds))
    _line(
        "appendix, If-None-Match (304)",
        63,
        _measure(_Conditional(client, appendix), appendix, rounds),
    )
    _line("dashboard figures", 63, _measure(client, dashboard(real), rounds))

    started = time.perf_counter()
    synthetic, _records = _synthetic(units)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"(+{units} synthetic units inserted in {time.perf_counter() - started:.1f} s)")
    total = units + 63
    _line("appendix", total, _measure(client, appendix, rounds))
    _line("dashboard figures", units, _measure(client, dashboard(synthetic), rounds))
    url = dashboard(synthetic)
    _line("dashboard, If-None-Match (304)", units, _measure(_Conditional(client, url), url, rounds))


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
