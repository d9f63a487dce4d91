"""Load reference data (units, campaigns) from the JSON files in campaigns/data.

Every load is idempotent: rows are found by their natural keys and updated in
place, so running it twice neither fails nor duplicates anything.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.db import transaction

from .models import (
    AdministrativeUnit,
    Campaign,
    Footnote,
    OutlinePoint,
    OutlineSection,
    ProblemKind,
    Region,
    TemplateColumn,
    TemplateRow,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
UNITS_FILE = DATA_DIR / "units.json"
CAMPAIGN_FILES = sorted(DATA_DIR.glob("campaign-*.json"))


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@transaction.atomic
def load_units(path: Path = UNITS_FILE) -> int:
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


def _load_columns(
    campaign: Campaign,
    items: list[dict[str, Any]],
    footnotes: dict[str, Footnote],
    parent: TemplateColumn | None,
    counter: list[int],
    keys: set[str],
) -> None:
    for item in items:
        keys.add(item["key"])
        counter[0] += 1
        level = item.get("level", parent.level + 1 if parent else 1)
        column, _ = TemplateColumn.objects.update_or_create(
            campaign=campaign,
            key=item["key"],
            defaults={
                "label": item["label"],
                "parent": parent,
                "level": level,
                "order": counter[0],
                "kind": item["kind"],
                "origin": item.get("origin", TemplateColumn.Origin.LETTER),
                "field": item.get("field", ""),
                "reason_field": item.get("reason_field", ""),
                "footnote": footnotes.get(item.get("footnote", "")),
            },
        )
        _load_columns(campaign, item.get("children", []), footnotes, column, counter, keys)


@transaction.atomic
def load_campaign(path: Path) -> Campaign:
    data = _read(path)
    fields = {
        key: data[key]
        for key in (
            "number",
            "issuer",
            "issuer_department",
            "place",
            "signer_title",
            "signer_name",
            "subject",
            "report_title",
            "period_start",
            "period_end",
            "addressees",
            "amount_unit",
        )
    } | {
        "issued_on": datetime.date.fromisoformat(data["issued_on"]),
        "deadline": datetime.date.fromisoformat(data["deadline"]),
    }
    # A campaign shipped with the application is running: it is loaded open (a campaign
    # written in the application starts as a draft and is opened by workflow.lifecycle).
    campaign, _ = Campaign.objects.update_or_create(
        code=data["code"],
        defaults=fields,
        create_defaults=fields | {"state": Campaign.State.OPEN},
    )
    units_day = datetime.date.fromisoformat(data["units_valid_on"])
    campaign.units.set(AdministrativeUnit.objects.valid_on(units_day))

    footnotes = {}
    for order, item in enumerate(data["footnotes"], start=1):
        footnotes[item["marker"]], _ = Footnote.objects.update_or_create(
            campaign=campaign,
            marker=item["marker"],
            defaults={"text": item["text"], "order": order},
        )
    for s_order, section_data in enumerate(data["sections"], start=1):
        section, _ = OutlineSection.objects.update_or_create(
            campaign=campaign,
            number=section_data["number"],
            defaults={"title": section_data["title"], "order": s_order},
        )
        for p_order, point in enumerate(section_data["points"], start=1):
            OutlinePoint.objects.update_or_create(
                section=section,
                code=point["code"],
                defaults={
                    "marker": point["marker"],
                    "text": point["text"],
                    "order": p_order,
                    "required": point.get("required", True),
                },
            )
    for order, item in enumerate(data["problem_kinds"], start=1):
        ProblemKind.objects.update_or_create(
            campaign=campaign, code=item["code"], defaults={"label": item["label"], "order": order}
        )
    order = 0
    for group_data in data["rows"]:
        order += 1
        group, _ = TemplateRow.objects.update_or_create(
            campaign=campaign,
            code=group_data["code"],
            defaults={
                "stt": group_data["stt"],
                "label": group_data["label"],
                "parent": None,
                "order": order,
            },
        )
        for child in group_data["children"]:
            order += 1
            TemplateRow.objects.update_or_create(
                campaign=campaign,
                code=child["code"],
                defaults={
                    "stt": child.get("stt", ""),
                    "label": child["label"],
                    "parent": group,
                    "order": order,
                },
            )
    # Every node is found by its key and put where the file says, so a corrected header tree
    # replaces the one a database already holds; a node the file no longer has goes.
    keys: set[str] = set()
    _load_columns(campaign, data["columns"], footnotes, None, [0], keys)
    campaign.columns.exclude(key__in=keys).delete()
    return campaign


def load_reference_data() -> list[Campaign]:
    load_units()
    return [load_campaign(path) for path in CAMPAIGN_FILES]
