"""The pages' access matrix repeated over the API: every role of Hà Nội and of Đà Nẵng against
every endpoint of a Hà Nội submission, and every transition of the table.

The expected outcome is computed from the transition table and the roles, as in
tests/workflow/test_access_matrix.py (whose lists of roles this module reuses).
"""

from __future__ import annotations

from typing import Any

import pytest

from core.enums import Role
from submissions.models import Submission
from workflow.transitions import TRANSITIONS, Transition

from ..cast import Cast, drive_to, fill_complete
from ..workflow.test_access_matrix import ROLES, WHO, _ident, _who
from .conftest import problem

SUBMISSION_READS = [
    "/api/v1/submissions/{pk}/",
    "/api/v1/submissions/{pk}/appendix/",
    "/api/v1/submissions/{pk}/narrative/",
    "/api/v1/submissions/{pk}/attachments/",
    "/api/v1/submissions/{pk}/receipts/",
]
NATIONAL = {Role.MINISTRY_COORDINATOR}
REPORT_READERS = {Role.MINISTRY_COORDINATOR, Role.MINISTRY_CHECKER}


@pytest.fixture(autouse=True)
def _no_pdfs(settings: Any) -> None:
    """The receipts' PDFs are not what this matrix tests; rendering each costs a second."""
    settings.RECEIPT_RENDERING = "off"


def _user(cast: Cast, role: Role, where: str) -> Any:
    return cast(role, "01" if where == "own" else "48")


@pytest.mark.parametrize("url", SUBMISSION_READS)
@pytest.mark.parametrize(("role", "where"), WHO, ids=[_who(w) for w in WHO])
def test_submission_reads(
    api_as: Any, hanoi: Submission, cast: Cast, url: str, role: Role, where: str
) -> None:
    response = api_as(_user(cast, role, where)).get(url.format(pk=hanoi.pk))
    assert response.status_code == (200 if where == "own" else 404)
    if where == "other":
        problem(response)


@pytest.mark.parametrize(("role", "where"), WHO, ids=[_who(w) for w in WHO])
def test_lists_hold_only_the_users_provinces(
    api_as: Any, hanoi: Submission, danang: Submission, cast: Cast, role: Role, where: str
) -> None:
    client = api_as(_user(cast, role, where))
    units = {u["code"] for u in client.get("/api/v1/units/?page_size=500").json()["results"]}
    listed = {s["unit"] for s in client.get("/api/v1/submissions/").json()["results"]}
    if role in NATIONAL:
        assert len(units) == 63 and listed == {"01", "48"}
    else:
        code = "01" if where == "own" else "48"
        assert units == {code} and listed == {code}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/monitoring/5137-btc-nsnn/dashboard/",
        "/api/v1/national/5137-btc-nsnn/versions/",
        "/api/v1/webhooks/",
    ],
)
@pytest.mark.parametrize(("role", "where"), WHO, ids=[_who(w) for w in WHO])
def test_national_reads(
    api_as: Any, campaign: Any, cast: Cast, url: str, role: Role, where: str
) -> None:
    response = api_as(_user(cast, role, where)).get(url)
    allowed = role in (REPORT_READERS if "/national/" in url else NATIONAL)
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize("transition", TRANSITIONS, ids=_ident)
@pytest.mark.parametrize(("role", "where"), WHO, ids=[_who(w) for w in WHO])
def test_transition(
    api_as: Any, hanoi: Submission, cast: Cast, transition: Transition, role: Role, where: str
) -> None:
    drive_to(hanoi, transition.source, cast)
    if transition.needs_ready_content:
        fill_complete(hanoi, cast(Role.DRAFTER))
    allowed = role == transition.role and where == "own"
    before = hanoi.audit_records.count()
    response = api_as(_user(cast, role, where)).post(
        f"/api/v1/submissions/{hanoi.pk}/transitions/",
        {"action": transition.action, "expected_stage": transition.source, "reason": "Lý do"},
        format="json",
    )
    if allowed:
        assert response.status_code == 201, response.content
        assert response.json()["stage"] == transition.target
    else:
        assert response.status_code == (404 if where == "other" else 403), response.content
        problem(response)
    hanoi.refresh_from_db()
    assert hanoi.stage == (transition.target if allowed else transition.source)
    assert hanoi.audit_records.count() == before + (1 if allowed else 0)


def test_roles_cover_the_table() -> None:
    """Every role that takes a transition is in the matrix."""
    assert {t.role for t in TRANSITIONS} <= set(ROLES)
