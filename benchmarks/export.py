"""Benchmark: the dashboard's XLSX export at 10,000 units, on PostgreSQL.

The synthetic campaign of benchmarks.dashboard (10,000 units, each with a submission, a
process, an open task and its audit records) is exported through the Django test client,
and the writer is timed alone on the same rows, so the figure says how much of the request
the spreadsheet takes. Not a test: it prints figures.

    .venv/bin/python -m benchmarks.export [units] [rounds]

The scratch database is test_<DATABASE name>, or TEST_DATABASE_NAME when set.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable

from .scratch import scratch_database


def main(units: int = 10_000, rounds: int = 3) -> None:
    with scratch_database():
        _run(units, rounds)


def _median(call: Callable[[], object], rounds: int) -> str:
    """Median wall and CPU time of ``call``: CPU time is what other work on the machine
    inflates least."""
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return f"{statistics.median(wall):8.0f} ms ({statistics.median(cpu):.0f} ms CPU)"


def _run(units: int, rounds: int) -> None:
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse
    from openpyxl import load_workbook

    from core.enums import Role
    from monitoring import dashboard as monitoring
    from monitoring.views import _columns, _values
    from workflow.services import role_grant

    from .dashboard import _synthetic

    coordinator = User.objects.create_user("bench.coordinator", email="c@example.vn")
    role_grant(user=coordinator, role=Role.MINISTRY_COORDINATOR, units=[])
    campaign, _records = _synthetic(units)
    client = Client()
    client.force_login(coordinator)
    url = reverse("monitor:export", kwargs={"code": campaign.code, "fmt": "xlsx"})
    client.get(url)  # warm

    def request() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    board = monitoring.dashboard(campaign, monitoring.Filters.from_query({}))
    columns = _columns()
    values = [_values(r) for r in board.shown]
    content = monitoring.xlsx(campaign, board, columns, values)
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    cells = sum(1 for row in sheet.iter_rows() for c in row if c.value is not None)
    print(f"dashboard XLSX export, {units} units, median of {rounds}")
    print(f"  request (query, rows, workbook): {_median(request, rounds)}")
    rows = _median(lambda: monitoring.dashboard(campaign, monitoring.Filters()), rounds)
    print(f"  the dashboard's rows alone:      {rows}")
    workbook = _median(lambda: monitoring.xlsx(campaign, board, columns, values), rounds)
    print(
        f"  the workbook alone:              {workbook}  ({len(content) // 1024} KB, {cells} cells)"
    )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
