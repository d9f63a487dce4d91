"""What every benchmark does first: Django with the test settings, a fresh test database on
PostgreSQL (dropped afterwards), receipts not rendered unless asked, and the reference data;
and the campaign the benchmarks measure, taken from its definition file."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from campaigns.models import Campaign


@contextmanager
def scratch_database(*, render_receipts: bool = False) -> Iterator[None]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_databases, teardown_databases

    settings.ALLOWED_HOSTS = ["testserver"]
    if not render_receipts:
        # The receipt record is part of a transition; its PDF is a background job,
        # measured by benchmarks.pdf_render.
        settings.RECEIPT_RENDERING = "off"
    config = setup_databases(verbosity=0, interactive=False, keepdb=False, aliases=["default"])  # type: ignore[arg-type]
    try:
        call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
        yield
    finally:
        teardown_databases(config, verbosity=0)


@cache
def campaign_file() -> Path:
    """The definition of the campaign measured: BENCH_CAMPAIGN_FILE when set, else the first
    campaign shipped with the reference data (campaigns/data). Call it once Django is set up."""
    if named := os.environ.get("BENCH_CAMPAIGN_FILE", ""):
        return Path(named).resolve()
    from campaigns.reference import CAMPAIGN_FILES

    return CAMPAIGN_FILES[0]


@cache
def campaign_code() -> str:
    with campaign_file().open(encoding="utf-8") as fh:
        return str(json.load(fh)["code"])


def measured_campaign() -> Campaign:
    """The campaign measured, loaded from its file when the reference data did not bring it."""
    from campaigns.models import Campaign
    from campaigns.reference import load_campaign

    try:
        return Campaign.objects.get(code=campaign_code())
    except Campaign.DoesNotExist:
        return load_campaign(campaign_file())
