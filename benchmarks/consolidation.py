"""Benchmark: the national consolidation on PostgreSQL.

1. 63 provinces accepted by the ministry (content and transitions through the real
   services): the coordinator's run (63 CONSOLIDATE transitions with their audit records
   and receipts, the version and its frozen rows, the e-mails sent on commit), then the
   Excel workbook, then the PDF. Target: run + workbook in 2 s (the PDF is not counted).
   Receipt PDFs are background jobs, measured by benchmarks.pdf_render.
2. The aggregation of a version of 10,000 synthetic provinces (generated in SQL): every
   figure of the report, computed by the run's four INSERT ... SELECT ... GROUP BY.
   Target: 1 s. Then reading the report from those rows.

Not a test: it prints figures.

    make bench            # or: .venv/bin/python -m benchmarks.consolidation [repetitions]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from .national_pdf import print_render_time
from .scratch import measured_campaign, scratch_database

SYNTHETIC = 10_000


def main(repetitions: int = 5) -> None:
    with scratch_database():
        from django.db import connection

        if connection.vendor != "postgresql":
            print("benchmarks.consolidation needs PostgreSQL (127.0.0.1:5432 or DATABASE_URL)")
            return
        version = _sixty_three()
        _synthetic(version, repetitions)


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _sixty_three() -> Any:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.enums import Role, Stage
    from national.services import consolidation_run
    from national.xlsx import national_workbook
    from tests.cast import PATH, fill_complete
    from workflow.services import role_grant, submission_start, submission_transition

    campaign = measured_campaign()
    units = list(campaign.units.order_by("code"))
    users = {}
    for role in (
        Role.DRAFTER,
        Role.DEPARTMENT_REVIEWER,
        Role.PROVINCIAL_SIGNATORY,
        Role.MINISTRY_CHECKER,
    ):
        users[role] = User.objects.create_user(f"bench.{role.value}", email=f"{role}@example.vn")
        role_grant(user=users[role], role=role, units=units)
    coordinator = User.objects.create_user("bench.coordinator", email="c@example.vn")
    role_grant(user=coordinator, role=Role.MINISTRY_COORDINATOR)
    for unit in units:
        submission = submission_start(campaign=campaign, unit=unit)
        fill_complete(submission, users[Role.DRAFTER])
        for source, action, role in PATH[:-1]:
            submission_transition(
                actor=users[role], submission=submission, action=action, expected_stage=source
            )
    assert campaign.submissions.filter(stage=Stage.CONSOLIDATION).count() == len(units)

    with CaptureQueriesContext(connection) as queries:
        run, version = _timed(lambda: consolidation_run(actor=coordinator, campaign=campaign))
    workbook, data = _timed(lambda: national_workbook(version))
    national_workbook(version)  # warm: fonts and templates are loaded once per process

    print(f"national consolidation, PostgreSQL, {len(units)} provinces accepted")
    print(f"{'what':<56} {'seconds':>8}")
    print(f"{'run: 63 transitions, receipts, version, frozen rows':<56} {run:>8.3f}")
    print(f"{'  (SQL queries in the run: ' + str(len(queries.captured_queries)) + ')':<56}")
    print(f"{'Excel workbook (' + str(len(data) // 1024) + ' KiB)':<56} {workbook:>8.3f}")
    print(f"{'run + workbook (target 2 s)':<56} {run + workbook:>8.3f}")
    print_render_time(version)  # not in the target
    return version


# The synthetic version: 10,000 included provinces, each with a line for every appendix row
# that takes entries and, for a third of them, a sub-item of their own; figures drawn by
# PostgreSQL's random() (seeded), consistent with the database's own constraints.
SQL = """
SELECT setseed(0.42);
INSERT INTO submissions_administrativeunit (code, name, kind, region_id, valid_from, legal_basis)
SELECT 'S' || lpad(g::text, 5, '0'), 'Tỉnh thử ' || g, 'province', %(region)s, DATE '2020-01-01', ''
FROM generate_series(1, %(n)s) AS g;

INSERT INTO national_versionprovince
    (version_id, unit_id, status, entered, stage, standing, due, reached_ministry_at,
     submission_version_id, consolidation_id, treasury_refusal_count, treasury_refusal_amount)
SELECT %(version)s, u.id, 'included', true, 'consolidated',
       CASE WHEN random() < 0.8 THEN 'done_on_time' ELSE 'done_late' END, DATE '2020-05-05',
       TIMESTAMPTZ '2020-05-04 10:00+07', %(content)s, %(record)s,
       (random() * 4)::int, round((random() * 900)::numeric, 3)
FROM submissions_administrativeunit u WHERE u.code LIKE 'S%%';

WITH entry AS (
    SELECT r.id AS row_id, COALESCE(r.parent_id, r.id) AS group_id
    FROM submissions_templaterow r
    WHERE r.campaign_id = %(campaign)s
      AND (r.parent_id IS NOT NULL
           OR NOT EXISTS (SELECT 1 FROM submissions_templaterow c WHERE c.parent_id = r.id))
    UNION ALL
    SELECT NULL, r.id FROM submissions_templaterow r
    WHERE r.campaign_id = %(campaign)s AND r.code = '3'
), line AS (
    SELECT p.id AS province_id, e.group_id, e.row_id,
           round((random() * 50)::numeric, 2) AS as_designed,
           round((random() * 25)::numeric, 2) AS not_as_designed,
           round((random() * 25)::numeric, 2) AS unused
    FROM national_versionprovince p CROSS JOIN entry e
    WHERE p.version_id = %(version)s AND (e.row_id IS NOT NULL OR p.id %% 3 = 0)
)
INSERT INTO national_versionline
    (version_id, province_id, group_id, row_id, label, {columns})
SELECT %(version)s, province_id, group_id, row_id,
       CASE WHEN row_id IS NULL THEN 'Hạng mục riêng' ELSE '' END,
       round((random() * 90000)::numeric, 3),
       round((random() * 9000)::numeric, 3), round((random() * 9000)::numeric, 3),
       round((random() * 9000)::numeric, 3), round((random() * 9000)::numeric, 3),
       round((random() * 9000)::numeric, 3), round((random() * 9000)::numeric, 3),
       round((random() * 50000)::numeric, 3),
       CASE WHEN random() < 0.3 THEN round((random() * 30)::numeric, 2) END,
       random() < 0.7, random() < 0.4,
       round((random() * 100)::numeric, 2), round((random() * 100)::numeric, 2),
       as_designed, not_as_designed, unused
FROM line;

INSERT INTO national_versionproblem (version_id, province_id, kind_id)
SELECT %(version)s, p.id, k.id
FROM national_versionprovince p CROSS JOIN submissions_problemkind k
WHERE p.version_id = %(version)s AND k.campaign_id = %(campaign)s AND random() < 0.3;
ANALYZE;
"""


def _synthetic(first: Any, repetitions: int) -> None:
    from django.db import connection, transaction

    from campaigns.models import Region
    from national import figures, selectors
    from national.models import NationalVersion, VersionLine
    from national.services import figures_freeze

    campaign = first.campaign
    included = first.provinces.filter(status="included").select_related("consolidation").first()
    version = NationalVersion.objects.create(
        campaign=campaign,
        number=first.number + 1,
        created_at=first.created_at,
        created_by=first.created_by,
    )
    # The synthetic lines give the first campaign's shape: its 16 numeric measures (8 amounts,
    # a share, 2 yes/no, 2 rates, 3 shares of one whole), in the header's order, in the slots
    # the benchmarked campaign's definition gives them.
    slots = figures.plan_for(campaign).line_slots
    assert len(slots) == 16, "the synthetic lines fit a campaign of the first one's shape"
    columns = ", ".join(slots)
    with connection.cursor() as cursor:
        cursor.execute(
            SQL.replace("{columns}", columns),
            {
                "n": SYNTHETIC,
                "region": Region.objects.values_list("pk", flat=True).first(),
                "version": version.pk,
                "campaign": campaign.pk,
                "content": included.submission_version_id,
                "record": included.consolidation_id,
            },
        )
    lines = VersionLine.objects.filter(version=version).count()

    def undone(fn: Callable[[], Any]) -> Callable[[], None]:
        def run() -> None:
            with transaction.atomic():  # what the run does for this version, then undone
                fn()
                transaction.set_rollback(True)

        return run

    def median(fn: Callable[[], Any]) -> tuple[float, float]:
        fn()  # warm
        times = [_timed(fn)[0] for _ in range(repetitions)]
        return statistics.median(times), max(times)

    parts: dict[str, tuple[float, float]] = {}
    # The run's aggregation: four INSERT ... SELECT ... GROUP BY (line, group, all, province).
    parts["aggregation: every figure of the version (target 1 s)"] = median(
        undone(lambda: figures_freeze(version))
    )
    figures_freeze(version)

    def reads() -> None:
        table = selectors.national_table(version)
        selectors.spreads(version, table[-1].figures)
        list(selectors.problem_counts(version))
        selectors.treasury(version)

    parts["reading them: table, spread of rates, shortcomings"] = median(reads)
    parts["annex: the provinces' rows"] = median(lambda: selectors.province_rows(version))
    parts["the whole report, narrative compiled"] = median(
        lambda: selectors.national_report(version)
    )
    print()
    print(
        f"national report aggregation, PostgreSQL, {SYNTHETIC:,} synthetic provinces, "
        f"{lines:,} frozen lines; median of {repetitions}, warm"
    )
    print(f"{'what':<56} {'median s':>8} {'max s':>8}")
    for name, (mid, top) in parts.items():
        print(f"{name:<56} {mid:>8.3f} {top:>8.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
