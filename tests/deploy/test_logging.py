"""Structured logs: one JSON object per line, one line per request."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import pytest
from django.urls import reverse

from core.logs import JsonFormatter


def _request_lines(caplog: Any) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "pheduyet.request"]


@pytest.mark.django_db
def test_one_line_per_request_with_method_path_status_duration_user(
    client: Any, drafter: Any, caplog: Any
) -> None:
    with caplog.at_level("INFO", logger="pheduyet.request"):
        client.get(reverse("login"))
    (anonymous,) = _request_lines(caplog)
    assert anonymous.method == "GET"  # type: ignore[attr-defined]
    assert anonymous.path == "/accounts/login/"  # type: ignore[attr-defined]
    assert anonymous.status == 200  # type: ignore[attr-defined]
    assert anonymous.duration_ms >= 0  # type: ignore[attr-defined]
    assert anonymous.user_id is None  # type: ignore[attr-defined]

    caplog.clear()
    client.force_login(drafter)
    with caplog.at_level("INFO", logger="pheduyet.request"):
        client.get(reverse("reviews:inbox"))
    (signed_in,) = _request_lines(caplog)
    assert (signed_in.path, signed_in.status, signed_in.user_id) == (  # type: ignore[attr-defined]
        "/inbox/",
        200,
        drafter.pk,
    )


def test_the_formatter_writes_one_json_object_with_the_extra_fields() -> None:
    try:
        raise ValueError("hỏng")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "pheduyet.request", logging.ERROR, __file__, 1, "%s %s", ("GET", "/"), exc_info
    )
    record.status = 500
    record.user_id = 7
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "pheduyet.request"
    assert entry["message"] == "GET /"
    assert (entry["status"], entry["user_id"]) == (500, 7)
    assert entry["time"].endswith("+00:00")
    assert "ValueError: hỏng" in entry["exc_info"]
    assert "args" not in entry and "msg" not in entry
