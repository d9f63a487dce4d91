"""The engine runs any campaign from its definition (issue 14): no Python source of the
project names a shipped campaign. Its code and its letter's number live in its definition
(campaigns/data) and in the tests, nowhere else."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.conf import settings

from campaigns.reference import CAMPAIGN_FILES, DATA_DIR

BASE_DIR = Path(settings.BASE_DIR)
# Not the project's sources: the tests (they load the shipped campaigns as data), migrations
# (history, written once), the data directory, and hidden directories (.venv, .git).
SKIPPED_NAMES = {"tests", "migrations"}
# A letter's number alone is looked for only from this many digits: a shorter one ("12")
# would match ordinary constants.
NUMBER_DIGITS = 4


def _needles() -> dict[str, re.Pattern[str]]:
    """What gives a shipped campaign away, from its definition: its code, its letter's
    number and symbol, and that number alone (not inside a longer run of digits)."""
    needles = {}
    for path in CAMPAIGN_FILES:
        definition = json.loads(path.read_text(encoding="utf-8"))
        letter = definition["letter"]["number"]
        for text in (definition["code"], letter):
            needles[text] = re.compile(re.escape(text), re.IGNORECASE)
        number = letter.split("/", 1)[0]
        if number.isdigit() and len(number) >= NUMBER_DIGITS:
            needles[number] = re.compile(rf"(?<!\d){number}(?!\d)")
    return needles


def _sources() -> list[Path]:
    found = []
    for path in sorted(BASE_DIR.rglob("*.py")):
        parts = path.relative_to(BASE_DIR).parts[:-1]
        if any(part.startswith(".") or part in SKIPPED_NAMES for part in parts):
            continue
        if path.is_relative_to(DATA_DIR):
            continue
        found.append(path)
    return found


def test_the_needles_come_from_every_shipped_definition() -> None:
    """The scan below looks for something: each shipped campaign's code and letter number."""
    needles = _needles()
    assert CAMPAIGN_FILES
    for path in CAMPAIGN_FILES:
        definition = json.loads(path.read_text(encoding="utf-8"))
        assert definition["code"] in needles
        assert definition["letter"]["number"] in needles


def test_no_python_source_names_a_shipped_campaign() -> None:
    needles = _needles()
    sources = _sources()
    assert any(path.is_relative_to(BASE_DIR / "workflow") for path in sources)
    hits = []
    for path in sources:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            named = [text for text, pattern in needles.items() if pattern.search(line)]
            if named:
                where = f"{path.relative_to(BASE_DIR)}:{number}"
                hits.append(f"{where}: {', '.join(named)}: {line.strip()}")
    assert not hits, (
        "A Python source names a campaign shipped in campaigns/data; the engine must take "
        "it from the campaign's definition (issue 14). Say 'the first campaign' or give a "
        "made-up example (123/BTC-XYZ):\n" + "\n".join(hits)
    )
