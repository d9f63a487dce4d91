"""The national report's figures (SQL aggregates over the version's rows) against sums this test
computes on its own, in Python, from the frozen content of each included province."""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import time_machine

from campaigns.models import Campaign
from core.enums import Role, Stage, Status
from national import selectors
from national.models import NationalVersion, VersionProvince
from national.services import consolidation_run
from submissions.models import Submission
from workflow.models import SubmissionVersion

from ..cast import Cast

D = Decimal
VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
AMOUNTS = [
    "demand",
    "alloc_invest_ctmt",
    "alloc_invest_self",
    "alloc_invest_separate",
    "alloc_recurrent_ctmt",
    "alloc_recurrent_self",
    "alloc_recurrent_separate",
    "spent",
]
PARTS = {"allocated": AMOUNTS[1:7]}
# The allocation's breakdown (footnote (*)): by kind of spending, and by source.
KINDS = {"invest": AMOUNTS[1:4], "recurrent": AMOUNTS[4:7]}
SOURCES = [
    ["alloc_invest_ctmt", "alloc_recurrent_ctmt"],
    ["alloc_invest_self", "alloc_recurrent_self"],
    ["alloc_invest_separate", "alloc_recurrent_separate"],
]
ACHIEVEMENT = ("vs_demand_pct", "vs_resolution17_pct")
USE = ("use_as_designed_pct", "use_not_as_designed_pct", "unused_pct")
PERCENTS = [
    "not_completed_pct",
    "vs_demand_pct",
    "vs_resolution17_pct",
    "use_as_designed_pct",
    "use_not_as_designed_pct",
    "unused_pct",
]


def _pct(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (numerator / denominator).quantize(D("0.01"), rounding=ROUND_HALF_UP)


def expected(lines: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """What one row of the national table must show for these (province, line) pairs."""
    lines = list(lines)
    out: dict[str, Any] = {"lines": len(lines), "provinces": len({p for p, _ in lines})}
    for name in AMOUNTS:
        amounts = [D(line[name]) for _, line in lines if line[name] is not None]
        out[name] = sum(amounts, D(0)) if amounts else None
    for name, parts in PARTS.items():
        given = [line for _, line in lines if any(line[p] is not None for p in parts)]
        out[name] = sum((D(line[p] or 0) for line in given for p in parts), D(0)) if given else None
    for name in PERCENTS:
        # Achievement: the lines that give the rate. Equipment use: the lines that give any
        # of the three shares, a blank share being 0. Not completed: every line, blank 0.
        if name in ACHIEVEMENT:
            counted = [line for _, line in lines if line[name] is not None]
        elif name in USE:
            counted = [line for _, line in lines if any(line[u] is not None for u in USE)]
        else:
            counted = [line for _, line in lines]
        out[name] = _pct(
            sum((D(line[name] or 0) * D(line["spent"] or 0) for line in counted), D(0)),
            sum((D(line["spent"] or 0) for line in counted), D(0)),
        )
    out["spent_vs_allocated"] = _pct((out["spent"] or D(0)) * 100, out["allocated"] or D(0))
    for flag in ("accepted_internal", "accepted_by_authority"):
        out[flag] = sum(1 for _, line in lines if line[flag] is True)
    return out


def frozen_lines(version: NationalVersion) -> list[tuple[str, dict[str, Any]]]:
    """Every appendix line of every included province, from its SubmissionVersion's JSON."""
    return [
        (p.unit.code, line)
        for p in version.provinces.filter(status=VersionProvince.Status.INCLUDED).select_related(
            "unit", "submission_version"
        )
        for line in p.submission_version.content["lines"]  # type: ignore[union-attr]
    ]


def _key(row: selectors.NationalRow, group: str) -> tuple[str, str]:
    if row.kind in ("group", "line"):
        assert row.template_row is not None
        return (row.kind, row.template_row.code)
    return (row.kind, group)


def check_table(version: NationalVersion) -> int:
    """Compare every cell of the national table; return how many figures were compared."""
    lines = frozen_lines(version)
    by: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for province, line in lines:
        by[("group", line["group"])].append((province, line))
        if line["key"].startswith("own-"):
            by[("own", line["group"])].append((province, line))
        elif line["key"] == line["group"]:
            by[("direct", line["group"])].append((province, line))
        else:
            by[("line", line["key"])].append((province, line))
    compared = 0
    group = ""
    seen = set()
    for row in selectors.national_table(version):
        if row.kind == "group":
            assert row.template_row is not None
            group = row.template_row.code
        if row.kind == "total":
            want = expected(lines)
        else:
            seen.add(_key(row, group))
            want = expected(by[_key(row, group)])
        got = {k: row.figures.get(k) for k in want}
        assert got == want, (row.kind, row.stt, row.label)
        compared += len(want)
    # Every group's own entries and every added sub-item appear somewhere (direct rows are
    # shown apart only when a group also has added sub-items; otherwise the group shows them).
    for key in by:
        assert key in seen or (key[0] == "direct" and ("own", key[1]) not in by), key
    return compared


def test_every_figure_of_the_national_table_matches_independent_sums(
    provinces: Callable[..., Submission], cast: Cast, campaign: Campaign
) -> None:
    provinces("01", Stage.CONSOLIDATION)
    provinces("48", Stage.CONSOLIDATION, own=False)
    provinces("31", Stage.CONSOLIDATION)
    version = consolidation_run(actor=cast(Role.MINISTRY_COORDINATOR), campaign=campaign)

    assert check_table(version) > 350  # 19 figures on each of the 20 rows
    report = selectors.national_report(version)
    kinds = [row.kind for row in report.table]
    assert kinds.count("group") == 6 and kinds.count("line") == 9 and kinds[-1] == "total"
    assert "own" in kinds and "direct" in kinds  # group 5: Đà Nẵng entered it, others added


def test_spread_shortcomings_and_refusals_match_the_provinces(
    provinces: Callable[..., Submission], cast: Cast, campaign: Campaign
) -> None:
    for code in ("01", "48", "31", "92"):
        provinces(code, Stage.CONSOLIDATION)
    version = consolidation_run(actor=cast(Role.MINISTRY_COORDINATOR), campaign=campaign)
    report = selectors.national_report(version)
    lines = frozen_lines(version)
    names = dict(version.provinces.values_list("unit__code", "unit__name"))

    per_province = {
        code: expected(line for line in lines if line[0] == code)
        for code in ("01", "48", "31", "92")
    }
    for spread in report.spreads:
        values = {
            c: f[spread.rate.key] for c, f in per_province.items() if f[spread.rate.key] is not None
        }
        assert spread.provinces == len(values)
        assert spread.national == expected(lines)[spread.rate.key]
        low, high = min(values.values()), max(values.values())
        assert spread.low is not None and spread.high is not None
        assert spread.low.value == low and spread.high.value == high
        assert sorted(spread.low.provinces) == sorted(
            names[c] for c, v in values.items() if v == low
        )
        assert sorted(spread.high.provinces) == sorted(
            names[c] for c, v in values.items() if v == high
        )

    contents: dict[int | None, Any] = dict(
        SubmissionVersion.objects.filter(
            pk__in=[p.submission_version_id for p in report.included]
        ).values_list("pk", "content")
    )
    facts = {p.unit.code: contents[p.submission_version_id]["facts"] for p in report.included}
    assert {k.code: k.provinces for k in report.problems} == {
        k.code: sum(1 for f in facts.values() if k.code in f["problem_kinds"])
        for k in report.problems
    }
    assert report.treasury == {
        "cases": sum(f["treasury_refusal_count"] for f in facts.values()),
        "amount": sum(
            (
                D(f["treasury_refusal_amount"])
                for f in facts.values()
                if f["treasury_refusal_amount"]
            ),
            D(0),
        )
        or None,
        "provinces": sum(1 for f in facts.values() if f["treasury_refusal_count"]),
    }
    # The allocation cross-table: each cell is the grand total's, shares add up to 100.
    total = report.total
    allocation = report.allocation
    assert allocation is not None
    assert allocation.title == "Kinh phí đã bố trí"
    assert [label for label, _cells in allocation.rows] == [
        "Chi đầu tư",
        "Chi thường xuyên",
        "Tổng số",
    ]
    assert allocation.rows[2][1][3].amount == total["allocated"]
    for (_label, cells), parts in zip(allocation.rows, KINDS.values(), strict=False):
        assert [c.amount for c in cells] == [
            *(total[p] for p in parts),
            sum((total[p] or D(0) for p in parts), D(0)),
        ]
    assert [c.amount for c in allocation.rows[2][1][:3]] == [
        sum((total[p] or D(0) for p in parts), D(0)) for parts in SOURCES
    ]
    invest, recurrent = allocation.rows[0][1][3].amount, allocation.rows[1][1][3].amount
    assert invest is not None and recurrent is not None
    assert invest + recurrent == total["allocated"]
    assert allocation.rows[2][1][3].share == D("100.00")


def test_the_annex_lists_every_unit_with_its_totals_stage_and_deadline(
    provinces: Callable[..., Submission], cast: Cast, campaign: Campaign
) -> None:
    def at(day: int, hour: int) -> datetime.datetime:
        return datetime.datetime(2020, 5, day, hour, tzinfo=VN)

    with time_machine.travel(at(4, 9)):
        provinces("01", Stage.CONSOLIDATION)  # reached the ministry on 04/05: on time
    with time_machine.travel(at(6, 9)):
        provinces("48", Stage.CONSOLIDATION)  # on 06/05: late
        provinces("31", Stage.DEPARTMENT_REVIEW)
    with time_machine.travel(at(8, 10)):
        version = consolidation_run(actor=cast(Role.MINISTRY_COORDINATOR), campaign=campaign)
        report = selectors.national_report(version)

    rows = {p.unit.code: p for p in report.provinces}
    assert len(rows) == 63
    assert rows["01"].standing == Status.DONE_ON_TIME
    assert rows["48"].standing == Status.DONE_LATE
    assert rows["31"].standing == Status.OVERDUE
    assert rows["31"].stage == Stage.DEPARTMENT_REVIEW
    assert rows["79"].standing == Status.OVERDUE
    assert {p.unit.code for p in report.late} >= {"48", "31", "79"}
    assert "01" not in {p.unit.code for p in report.late}
    lines = frozen_lines(version)
    for code in ("01", "48"):
        want = expected(line for line in lines if line[0] == code)
        row = rows[code]
        figures = row.figures
        assert figures is not None
        assert (
            figures.demand,
            figures.allocated,
            figures.spent,
            figures.spent_vs_allocated,
        ) == (
            want["demand"],
            want["allocated"],
            want["spent"],
            want["spent_vs_allocated"],
        )
    assert rows["31"].figures is None
    assert [p.unit.code for p in report.included] == ["01", "48"]
    first_point = report.narrative[0].points[0]
    assert [province for province, _ in first_point.answers] == [
        "Thành phố Hà Nội",
        "Thành phố Đà Nẵng",
    ]
    assert first_point.answers[0][1].startswith("Hà Nội: đánh giá mục 2.1")
