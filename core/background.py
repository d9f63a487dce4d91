"""Work handed to the Celery worker, or done here when no worker can take it."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)


def queue_or_run(task: Any, *args: Any) -> None:
    """Queue the task for a worker; with no broker configured, or one that cannot be reached,
    run it here and now."""
    if settings.CELERY_BROKER_URL:
        try:
            task.delay(*args)
            return
        except OperationalError:
            log.warning("broker unreachable: %s%r runs here", task.name, args)
    task(*args)
