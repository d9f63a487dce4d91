"""Migration national 0005 moves a version's frozen lines and figures into the slots the
campaign's definition assigns: every version keeps what it showed, both ways."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from campaigns.models import Campaign
from core.enums import Role, Stage
from national import figures
from national.models import VersionFigures, VersionLine
from national.services import consolidation_run
from submissions.models import Submission

from ..cast import Cast

BEFORE = [("national", "0004_version_signature")]
# The figures the old columns were named after, and the slot each must land in.
KEPT = ["demand", "spent", "allocated", "vs_demand_pct", "unused_pct", "spent_vs_allocated"]
LINE_KEPT = ["demand", "alloc_recurrent_self", "spent", "not_completed_pct", "accepted_internal"]


def _row(table: str, pk: int, names: list[str]) -> tuple[object, ...]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(names)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


@pytest.mark.django_db(transaction=True)
def test_a_version_keeps_its_figures_through_the_slot_migration(
    provinces: Callable[..., Submission], cast: Cast, campaign: Campaign
) -> None:
    provinces("01", Stage.CONSOLIDATION)
    version = consolidation_run(actor=cast(Role.MINISTRY_COORDINATOR), campaign=campaign)
    plan = figures.plan_for(campaign)
    total = VersionFigures.objects.get(version=version, scope=VersionFigures.Scope.TOTAL)
    shown = plan.values(total)
    assert all(shown[key] is not None for key in KEPT)
    line = VersionLine.objects.filter(version=version).order_by("pk").first()
    assert line is not None
    line_slots = [plan.slots[key] for key in LINE_KEPT]
    line_values = _row("national_versionline", line.pk, line_slots)

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        # Before: the figures in the columns named after the first campaign's measures.
        assert _row("national_versionfigures", total.pk, KEPT) == tuple(shown[k] for k in KEPT)
        assert _row("national_versionline", line.pk, LINE_KEPT) == line_values
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    again = plan.values(VersionFigures.objects.get(pk=total.pk))
    assert {k: again[k] for k in KEPT} == {k: shown[k] for k in KEPT}
    assert _row("national_versionline", line.pk, line_slots) == line_values
