"""What every benchmark does first: Django with the test settings, a fresh test database on
PostgreSQL (dropped afterwards), receipts not rendered unless asked, and the reference data."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager


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
