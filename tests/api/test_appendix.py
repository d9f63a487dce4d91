"""The appendix over the API: read keyed by row code and column key, written through the
drafting service with the appendix form's own checks (all or nothing, errors by row and
column, the revision check)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core.enums import Role
from submissions.models import LineItem, Submission

from ..cast import Cast
from ..helpers import figures, line_by_code, slots
from .conftest import problem

URL = "/api/v1/submissions/{}/appendix/"


def test_read_keyed_by_codes(api_as: Any, hanoi: Submission, cast: Cast) -> None:
    line = line_by_code(hanoi, "1.1")
    LineItem.objects.filter(pk=line.pk).update(**slots(hanoi, demand=Decimal("1234.5")))
    response = api_as(cast(Role.DEPARTMENT_REVIEWER)).get(URL.format(hanoi.pk))
    assert response.status_code == 200
    body = response.json()
    rows = {r["key"]: r for r in body["rows"]}
    assert rows["1.1"]["cells"]["demand"] == "1234.500"
    assert rows["1"]["computed"] and rows["1"]["cells"]["demand"] == "1234.500"
    assert rows["5"]["computed"] is False  # a group without sub-items takes entries
    assert rows["total"]["cells"]["demand"] == "1234.500"
    keys = [c["key"] for c in body["columns"]]
    assert "alloc-invest-ctmt" in keys and "not-completed-reason" in keys
    assert body["editable"] is False  # a reviewer does not edit


def test_conditional_get(api_as: Any, hanoi: Submission, cast: Cast) -> None:
    client = api_as(cast(Role.DRAFTER))
    first = client.get(URL.format(hanoi.pk))
    tag = first["ETag"]
    again = client.get(URL.format(hanoi.pk), HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again["ETag"] == tag
    client.patch(
        URL.format(hanoi.pk),
        {"revision": hanoi.revision, "rows": {"1.1": {"demand": 5}}},
        format="json",
    )
    changed = client.get(URL.format(hanoi.pk), HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag


def test_write_saves_through_the_service(api_as: Any, hanoi: Submission, cast: Cast) -> None:
    response = api_as(cast(Role.DRAFTER)).patch(
        URL.format(hanoi.pk),
        {
            "revision": hanoi.revision,
            "rows": {
                "1.1": {"demand": "100.5", "alloc-invest-ctmt": 10, "basis": "Quyết định 1"},
                "5": {
                    "accepted-internal": True,
                    "not-completed": 20,
                    "not-completed-reason": "Chậm",
                },
            },
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    hanoi.refresh_from_db()
    assert response.json()["revision"] == hanoi.revision == 1
    line = line_by_code(hanoi, "1.1")
    assert (figures(line).demand, figures(line).alloc_invest_ctmt, figures(line).basis) == (
        Decimal("100.5"),
        Decimal(10),
        "Quyết định 1",
    )
    five = line_by_code(hanoi, "5")
    assert figures(five).accepted_internal is True and figures(five).not_completed_pct == 20
    assert hanoi.updated_by == cast(Role.DRAFTER)


BAD = [
    # (row, column, value, the message's fragment in English)
    ("1.1", "demand", -1, "cannot be negative"),
    ("1.1", "demand", "12,5", "number"),
    ("1.1", "demand", True, "number"),
    ("1.1", "demand", [1], "number"),
    ("1.1", "demand", 10**20, "too large"),
    ("1.1", "demand", "1.0001", "3 decimal places"),
    ("1.1", "vs-demand", 101, "over 100"),
    ("1.1", "accepted-internal", "yes", "true, false or null"),
    ("1.1", "basis", 5, "text"),
    ("1.1", "basis", "x" * 5000, "characters"),
    ("1.1", "not-completed", 10, "reason"),
    ("1.1", "alloc-total", 5, "computed"),
    ("1.1", "no-such-column", 5, "no column"),
    ("9.9", "demand", 5, "no row"),
    ("1", "demand", 5, "computed"),
    ("total", "demand", 5, "computed"),
]


@pytest.mark.parametrize(("row", "column", "value", "fragment"), BAD)
def test_bad_input_names_row_and_column_and_saves_nothing(
    api_as: Any, hanoi: Submission, cast: Cast, row: str, column: str, value: Any, fragment: str
) -> None:
    response = api_as(cast(Role.DRAFTER)).patch(
        URL.format(hanoi.pk),
        {"revision": hanoi.revision, "rows": {"1.2": {"demand": 7}, row: {column: value}}},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.content
    body = problem(response)
    errors = body["errors"]
    wanted_column = None if row in {"9.9", "1", "total"} else column
    if column == "not-completed":
        wanted_column = "not-completed-reason"
    assert any(
        e["row"] == row and e["column"] == wanted_column and fragment in e["message"]
        for e in errors
    ), errors
    hanoi.refresh_from_db()
    assert hanoi.revision == 0
    assert figures(line_by_code(hanoi, "1.2")).demand is None  # the good row was not saved either


def test_errors_in_vietnamese_by_default(api_as: Any, hanoi: Submission, cast: Cast) -> None:
    response = api_as(cast(Role.DRAFTER)).patch(
        URL.format(hanoi.pk),
        {"revision": hanoi.revision, "rows": {"1.1": {"demand": -1}}},
        format="json",
    )
    body = problem(response)
    assert response["Content-Language"] == "vi"
    assert body["errors"][0]["message"] == "Số tiền không được âm."


def test_stale_revision_changes_nothing(api_as: Any, hanoi: Submission, cast: Cast) -> None:
    client = api_as(cast(Role.DRAFTER))
    first = client.patch(
        URL.format(hanoi.pk), {"revision": 0, "rows": {"1.1": {"demand": 1}}}, format="json"
    )
    assert first.status_code == 200
    stale = client.patch(
        URL.format(hanoi.pk), {"revision": 0, "rows": {"1.1": {"demand": 2}}}, format="json"
    )
    assert stale.status_code == 409
    assert problem(stale)["type"].endswith(":stale")
    assert figures(line_by_code(hanoi, "1.1")).demand == 1


def test_reviewer_cannot_write(api_as: Any, hanoi: Submission, cast: Cast) -> None:
    response = api_as(cast(Role.DEPARTMENT_REVIEWER)).patch(
        URL.format(hanoi.pk), {"revision": 0, "rows": {"1.1": {"demand": 1}}}, format="json"
    )
    assert response.status_code == 403
    assert figures(line_by_code(hanoi, "1.1")).demand is None
