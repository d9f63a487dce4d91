"""Benchmark: the coordinator's dashboard at 63 and at 10,000 units, on PostgreSQL.

The campaign measured (benchmarks.scratch.campaign_file: by default the first shipped in
campaigns/data) gets its 63 submissions, a third of them moved along the path through the
real services. A second campaign gets 10,000 synthetic units, each with a submission, a
viewflow process and open task, a frozen version and one to four audit records (bulk
inserted), and 1 % of them an extension. The dashboard page is then requested through the
Django test client (session, permissions, view, template: all of it) and the script prints
the SQL query count and the median and 90th-percentile server time of each, with the
median time of its SQL statements and of this process's CPU (Python and templates). It also
times the XLSX export of the 10,000. Not a test: it prints figures.

    make bench            # or: .venv/bin/python -m benchmarks.dashboard [units] [rounds]

The scratch database is test_<DATABASE name>, or TEST_DATABASE_NAME when set, so two
checkouts can run it at once.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import sys
import time
from typing import Any

from .scratch import measured_campaign, scratch_database


def main(units: int = 10_000, rounds: int = 15) -> None:
    with scratch_database():
        _run(units, rounds)


def _measure(client: Any, url: str, rounds: int) -> dict[str, float]:
    """Server time per request (median, p90), and its parts: the SQL statements' own time and
    this process's CPU time (Python, templates), which other work on the machine inflates
    less than wall time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm
    times, sql, cpu, counts, size = [], [], [], [], 0
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as queries:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.status_code
        counts.append(len(queries.captured_queries))
        sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
        size = len(response.content)
    times.sort()
    return {
        "median": statistics.median(times),
        "p90": times[max(0, int(len(times) * 0.9) - 1)],
        "sql": statistics.median(sql),
        "cpu": statistics.median(cpu),
        "queries": int(statistics.median(counts)),
        "kb": size // 1024,
    }


def _real_63(campaign: Any) -> None:
    """The campaign measured, on its deadline day: a third of the provinces along the path."""
    from django.contrib.auth.models import User

    from core.enums import Role
    from tests.cast import PATH, fill_complete
    from workflow.services import role_grant, submission_start, submission_transition

    units = list(campaign.units.order_by("code"))
    actors = {}
    for role in (
        Role.DRAFTER,
        Role.DEPARTMENT_REVIEWER,
        Role.PROVINCIAL_SIGNATORY,
        Role.MINISTRY_CHECKER,
    ):
        actors[role] = User.objects.create_user(f"bench.{role.value}", email=f"{role}@example.vn")
        role_grant(user=actors[role], role=role, units=units)
    actors[Role.MINISTRY_COORDINATOR] = User.objects.get(username="bench.coordinator")
    for n, unit in enumerate(units):
        submission = submission_start(campaign=campaign, unit=unit)
        steps = n % 6 if n % 3 == 0 else 0
        if steps:
            fill_complete(submission, actors[Role.DRAFTER])
        for stage, action, role in PATH[:steps]:
            submission_transition(
                actor=actors[role], submission=submission, action=action, expected_stage=stage
            )


def _synthetic(units: int) -> Any:
    """A second campaign with ``units`` synthetic units, bulk inserted."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone
    from viewflow.workflow.models import Process, Task
    from viewflow.workflow.status import STATUS

    from campaigns.models import AdministrativeUnit, Campaign, Region
    from core.enums import Stage
    from submissions.models import Submission
    from workflow.flows import SubmissionFlow
    from workflow.models import AuditRecord, DeadlineExtension, SubmissionVersion
    from workflow.transitions import TRANSITIONS

    rng = random.Random(2020)  # noqa: S311 (synthetic data, not secrets)
    campaign = Campaign.objects.get(pk=measured_campaign().pk)
    campaign.pk = None
    campaign.code = "bench-10k"
    campaign.number = "9999/BTC-NSNN"
    campaign.receipts_issued = 0
    campaign.save()
    regions = list(Region.objects.all())
    made = AdministrativeUnit.objects.bulk_create(
        AdministrativeUnit(
            code=f"B{n:05d}",
            name=f"Đơn vị thử {n}",
            kind=AdministrativeUnit.Kind.PROVINCE,
            region=regions[n % len(regions)],
            valid_from=datetime.date(2020, 1, 1),
        )
        for n in range(units)
    )
    campaign.units.set(made)
    stages = [Stage.DRAFTING] * 4 + [
        Stage.DEPARTMENT_REVIEW,
        Stage.PROVINCIAL_SIGNOFF,
        Stage.MINISTRY_CHECK,
        Stage.CONSOLIDATION,
        Stage.CONSOLIDATED,
    ]
    submissions = Submission.objects.bulk_create(
        Submission(campaign=campaign, unit=u, stage=rng.choice(stages), revision=rng.randint(0, 3))
        for u in made
    )
    actor = User.objects.get(username="bench.coordinator")
    start = datetime.datetime(2020, 4, 27, 8, tzinfo=datetime.UTC)
    versions = SubmissionVersion.objects.bulk_create(
        SubmissionVersion(
            submission=s, number=1, content={}, sha256="0" * 64, created_at=start, created_by=actor
        )
        for s in submissions
    )
    path = [t for t in TRANSITIONS if t.action not in ("return", "reopen")]
    records = []
    for s, v in zip(submissions, versions, strict=True):
        at = start
        for t in path:
            if t.source == s.stage:
                break
            at += datetime.timedelta(hours=rng.randint(2, 60))
            records.append(
                AuditRecord(
                    submission=s,
                    actor=actor,
                    role=t.role,
                    at=at,
                    action=t.action,
                    from_stage=t.source,
                    to_stage=t.target,
                    version=v,
                    snapshot_sha256="0" * 64,
                )
            )
    AuditRecord.objects.bulk_create(records, batch_size=5000)
    DeadlineExtension.objects.bulk_create(
        DeadlineExtension(
            submission=s, due=datetime.date(2020, 5, 8), reason="thử", by=actor, at=start
        )
        for s in submissions[::100]
    )
    # One viewflow process each, with its open task (a third of them taken by someone).
    processes = Process.objects.bulk_create(
        Process(flow_class=SubmissionFlow, status=STATUS.NEW, created=timezone.now())
        for _ in submissions
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO workflow_submissionprocess (process_ptr_id, submission_id)"
            " VALUES (%s, %s)",
            [(p.pk, s.pk) for p, s in zip(processes, submissions, strict=True)],
        )
    # The flow has one node per stage, named after it (workflow.flows).
    node = {stage: getattr(SubmissionFlow, stage.value) for stage in Stage}
    Task.objects.bulk_create(
        (
            Task(
                process=p,
                flow_task=node[Stage(s.stage)],
                flow_task_type="HUMAN",
                status=STATUS.ASSIGNED if n % 3 == 0 else STATUS.NEW,
                owner=actor if n % 3 == 0 else None,
            )
            for n, (p, s) in enumerate(zip(processes, submissions, strict=True))
        ),
        batch_size=5000,
    )
    return campaign, len(records)


def _run(units: int, rounds: int) -> None:
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from core.enums import Role
    from workflow.services import role_grant

    coordinator = User.objects.create_user("bench.coordinator", email="c@example.vn")
    role_grant(user=coordinator, role=Role.MINISTRY_COORDINATOR, units=[])
    client = Client()
    client.force_login(coordinator)

    real = measured_campaign()
    started = time.perf_counter()
    _real_63(real)
    print(f"campaign {real.code}: 63 submissions driven in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    synthetic, records = _synthetic(units)
    print(
        f"campaign bench-10k: {units} units, {records} audit records, {units // 100} extensions,"
        f" processes and tasks inserted in {time.perf_counter() - started:.1f} s"
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    print(f"\ncoordinator dashboard over HTTP, PostgreSQL, {rounds} requests each")
    print(
        f"{'page':<28} {'units':>6} {'median ms':>10} {'p90 ms':>8} {'SQL ms':>7}"
        f" {'CPU ms':>7} {'queries':>8} {'KB':>6}"
    )
    for label, campaign, query in (
        ("dashboard", real, ""),
        ("dashboard", synthetic, ""),
        ("dashboard, sort by status", synthetic, "?sort=status&region=DBSH"),
        ("dashboard, search", synthetic, "?q=thu+42"),
        ("export XLSX", synthetic, ""),
    ):
        if label == "export XLSX":
            url = reverse("monitor:export", kwargs={"code": campaign.code, "fmt": "xlsx"})
            n = 3
        else:
            url = reverse("monitor:dashboard", kwargs={"code": campaign.code}) + query
            n = rounds
        m = _measure(client, url, n)
        print(
            f"{label:<28} {campaign.units.count():>6} {m['median']:>10.1f} {m['p90']:>8.1f}"
            f" {m['sql']:>7.1f} {m['cpu']:>7.1f} {m['queries']:>8} {m['kb']:>6}"
        )
    print("targets: at most 10 queries; at most 300 ms at 10,000 units")
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        url = reverse("monitor:dashboard", kwargs={"code": synthetic.code})
        profile = cProfile.Profile()
        profile.runcall(client.get, url)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
