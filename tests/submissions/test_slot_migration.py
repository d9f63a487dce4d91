"""Migration submissions 0008 renames 5137's columns into the slots its definition assigns:
every line keeps its figures, both ways."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from campaigns.models import Campaign
from submissions import values
from submissions.models import LineItem
from submissions.services import submission_create

BEFORE = [("submissions", "0007_campaign_models_moved")]
FIGURES = {
    "demand": Decimal("1.5"),
    "alloc_recurrent_separate": Decimal("7"),
    "spent": Decimal("8"),
    "not_completed_pct": Decimal("11"),
    "unused_pct": Decimal("16"),
    "accepted_by_authority": False,
    "basis": "Quyết định 1",
    "infrastructure_status": "Đủ",
    "difficulties": "Thiếu người",
}


def _columns(line_id: int, names: list[str]) -> tuple[object, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(names)} FROM submissions_lineitem WHERE id = %s",  # noqa: S608
            [line_id],
        )
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


@pytest.mark.django_db(transaction=True)
def test_every_line_keeps_its_figures_through_the_slot_migration(campaign: Campaign) -> None:
    submission = submission_create(campaign=campaign, unit=campaign.units.order_by("code")[0])
    line = submission.lines.get(row__code="1.2")
    measures = values.for_campaign(campaign)
    for key, value in FIGURES.items():
        measures.set(line, key, value)
    line.save()
    slots = [measures.slot(key) for key in FIGURES]

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        # Before: the figures in the columns named after 5137's measures.
        assert _columns(line.pk, list(FIGURES)) == tuple(FIGURES.values())
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert _columns(line.pk, slots) == tuple(FIGURES.values())
    line = LineItem.objects.get(pk=line.pk)
    assert {key: measures.get(line, key) for key in FIGURES} == FIGURES
