"""Liveness and readiness probes, answered before any other middleware.

They sit in front of the middleware stack on purpose: a probe comes from the
container runtime, a load balancer or systemd on the machine itself, over plain
HTTP with whatever Host header it has, so neither ALLOWED_HOSTS, the HTTPS redirect
nor the request log should see it. They are unauthenticated and say only which
check failed; the reason goes to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from kombu import Connection

log = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 2.0


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")


def check_broker() -> None:
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)


def readiness() -> dict[str, str]:
    """Each check's outcome, "ok" or "failed"; the broker only when one is configured."""
    checks: dict[str, Callable[[], None]] = {"database": check_database}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = check_broker
    outcome = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:  # any failure means not ready; which one is logged
            log.warning("readiness check %s failed: %s", name, exc)
            outcome[name] = "failed"
        else:
            outcome[name] = "ok"
    return outcome


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """/healthz: the process answers. /readyz: it can reach its database (and broker)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return _no_store(JsonResponse({"status": "ok"}))
        if request.path_info == "/readyz":
            checks = readiness()
            ready = all(v == "ok" for v in checks.values())
            return _no_store(
                JsonResponse(
                    {"status": "ok" if ready else "failed", "checks": checks},
                    status=200 if ready else 503,
                )
            )
        return self.get_response(request)
