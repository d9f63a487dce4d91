"""Load reference data (units, campaigns) from the JSON files in campaigns/data.

A campaign file is a campaign definition (campaigns/schema/README.md), loaded by
campaigns.definition like any other but as shipped data: created open and updated in place.
Every load is idempotent: rows are found by their natural keys and updated in
place, so running it twice neither fails nor duplicates anything.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.db import transaction

from . import definition
from .models import AdministrativeUnit, Campaign, Region

DATA_DIR = Path(__file__).resolve().parent / "data"
UNITS_FILE = DATA_DIR / "units.json"
CAMPAIGN_FILES = sorted(DATA_DIR.glob("campaign-*.json"))


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@transaction.atomic
def load_units(path: Path = UNITS_FILE) -> int:
    """The regions and every unit set of units.json (the 63 units of 2008-2025, the 34 of 2025).

    A unit is found by its code and the first day of its set and updated in place, so a
    corrected file corrects a database that holds the old one (the 63 units' last day became
    30/6/2025, the eve of the 34's first day) and a code in both sets stays two rows.
    """
    data = _read(path)
    regions = {}
    for item in data["regions"]:
        regions[item["code"]], _ = Region.objects.update_or_create(
            code=item["code"], defaults={"name": item["name"], "order": item["order"]}
        )
    count = 0
    for unit_set in data["unit_sets"]:
        valid_from = datetime.date.fromisoformat(unit_set["valid_from"])
        valid_to = unit_set.get("valid_to")
        for unit in unit_set["units"]:
            AdministrativeUnit.objects.update_or_create(
                code=unit["code"],
                valid_from=valid_from,
                defaults={
                    "name": unit["name"],
                    "kind": unit["kind"],
                    "region": regions[unit["region"]],
                    "valid_to": datetime.date.fromisoformat(valid_to) if valid_to else None,
                    "legal_basis": unit_set.get("legal_basis", ""),
                },
            )
            count += 1
    return count


def load_campaign(path: Path) -> Campaign:
    """Load a shipped campaign definition: created open, updated in place (definition.load)."""
    return definition.load(_read(path), shipped=True)


def load_reference_data() -> list[Campaign]:
    load_units()
    return [load_campaign(path) for path in CAMPAIGN_FILES]
