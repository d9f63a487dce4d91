"""The Celery app; without CELERY_BROKER_URL tasks run eagerly, in process."""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery

log = logging.getLogger(__name__)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
app = Celery("workflow5137")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def queue_or_run(task: Any, *args: Any) -> None:
    """Queue the task for a worker; with no broker configured, or one that cannot be reached,
    run it here and now."""
    from django.conf import settings
    from kombu.exceptions import OperationalError

    if settings.CELERY_BROKER_URL:
        try:
            task.delay(*args)
            return
        except OperationalError:
            log.warning("broker unreachable: %s%r runs here", task.name, args)
    task(*args)
