"""The pages people open most cost the same number of queries however long a submission's
history is and however many provinces a desk holds: the load benchmark's pages stay flat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.enums import Action, Role, Stage
from submissions.models import Submission
from workflow.services import submission_transition

from ..cast import Cast, drive_to


def _queries(client: Client, path: str) -> int:
    client.get(path)  # the session and the content types are warm afterwards
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_submission_page_does_not_grow_with_its_history(
    cast: Cast, hanoi: Submission, client: Client
) -> None:
    drive_to(hanoi, Stage.PROVINCIAL_SIGNOFF, cast)
    client.force_login(cast(Role.PROVINCIAL_SIGNATORY))
    path = f"/submissions/{hanoi.pk}/"
    short = _queries(client, path)

    for _ in range(2):  # two more rounds: return, submit, approve; 8 records, 8 receipts
        submission_transition(
            actor=cast(Role.PROVINCIAL_SIGNATORY),
            submission=hanoi,
            action=Action.RETURN,
            expected_stage=Stage.PROVINCIAL_SIGNOFF,
            reason="Bổ sung số liệu.",
        )
        drive_to(hanoi, Stage.PROVINCIAL_SIGNOFF, cast)
    assert hanoi.audit_records.count() == 8
    long = _queries(client, path)

    assert long == short, f"{short} queries with 2 records, {long} with 8"
    assert short <= 22


def test_the_inbox_costs_the_same_for_two_provinces_or_all(
    make_user: Callable[..., Any], submission_of: Callable[[str], Submission], client: Client
) -> None:
    for code in ("01", "48", "79"):
        submission_of(code)
    two = make_user(Role.DEPARTMENT_REVIEWER, "01", "48", username="two.provinces")
    every = make_user(Role.DEPARTMENT_REVIEWER, username="every.province")
    client.force_login(two)
    few = _queries(client, "/inbox/")
    client.force_login(every)
    many = _queries(client, "/inbox/")
    assert few == many, f"{few} queries for 2 provinces, {many} for all"
