"""/healthz and /readyz: unauthenticated, outside the host check and the HTTPS redirect."""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest

from core import health

pytestmark = pytest.mark.django_db


def test_liveness_answers_whatever_the_host(client: Any) -> None:
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readiness_checks_the_database(client: Any, settings: Any) -> None:
    settings.CELERY_BROKER_URL = ""
    response = client.get("/readyz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_readiness_names_the_database_when_it_fails(
    client: Any, settings: Any, monkeypatch: Any
) -> None:
    settings.CELERY_BROKER_URL = ""

    def unreachable() -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(health, "check_database", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "failed", "checks": {"database": "failed"}}


def test_readiness_names_the_broker_when_it_cannot_be_reached(client: Any, settings: Any) -> None:
    # Nothing listens on port 1 of the loopback: the connection is refused at once.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "failed",
        "checks": {"database": "ok", "broker": "failed"},
    }
    assert "connection refused" not in response.content.decode().lower()


def test_readiness_reaches_a_running_broker(client: Any, settings: Any) -> None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    settings.CELERY_BROKER_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_probes_are_not_in_the_request_log(client: Any, caplog: Any) -> None:
    with caplog.at_level("INFO", logger="pheduyet.request"):
        client.get("/healthz")
        client.get("/readyz")
    assert [r for r in caplog.records if r.name == "pheduyet.request"] == []
