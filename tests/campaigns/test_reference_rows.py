"""Campaign 5137's rows in the database do not depend on how its file is written.

``data/5137-rows-before.json`` was recorded from the loader of campaigns/reference.py as it
read the first, ad-hoc file (before the campaign definition format): every row the campaign
has must stay exactly as it was, whatever the loader becomes.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from django.core.management import call_command

from campaigns.models import Campaign

from .snapshot import snapshot

BEFORE = Path(__file__).resolve().parent / "data" / "5137-rows-before.json"


def test_5137_rows_are_those_the_first_loader_wrote(campaign: Campaign) -> None:
    expected = json.loads(BEFORE.read_text(encoding="utf-8"))
    got = snapshot(campaign)
    for part in expected:
        assert got[part] == expected[part], part
    assert len(got["units"]) == 63
    assert len(got["columns"]) == 32


def test_reloading_5137_changes_none_of_its_rows(campaign: Campaign) -> None:
    before = snapshot(campaign)
    call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
    assert snapshot(campaign) == before
