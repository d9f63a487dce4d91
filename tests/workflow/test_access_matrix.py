"""Every role x own province / another province x every action and page, from the transition table.

For each transition of workflow.transitions.TRANSITIONS a submission of Hà Nội is
driven to its source stage; then every role, from Hà Nội and from Đà Nẵng, tries
the action over HTTP. Exactly the table's role of the province (or the national
coordinator) succeeds; another province gets a 404 for the pages and the action;
everyone else in scope is refused with nothing changed. The expected outcome is
computed from the table, not typed out.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from core.enums import Role
from submissions.models import Submission
from workflow.transitions import TRANSITIONS, Transition

from ..cast import Cast, drive_to, fill_complete

ROLES = [
    Role.DRAFTER,
    Role.DEPARTMENT_REVIEWER,
    Role.PROVINCIAL_SIGNATORY,
    Role.MINISTRY_CHECKER,
    Role.MINISTRY_COORDINATOR,
]
PAGES = [
    "submissions:detail",
    "submissions:appendix",
    "submissions:narrative",
    "submissions:attachments",
    "reviews:review",
]


def _ident(t: Transition) -> str:
    return f"{t.source}-{t.action}"


# Every role from Hà Nội ("own") and from Đà Nẵng ("other"); the coordinator's scope is
# national, so there is no "other" coordinator.
WHO = [
    (role, where)
    for role in ROLES
    for where in ("own", "other")
    if not (role == Role.MINISTRY_COORDINATOR and where == "other")
]


def _who(item: tuple[Role, str]) -> str:
    return f"{item[0].value}-{item[1]}"


@pytest.mark.parametrize("transition", TRANSITIONS, ids=_ident)
@pytest.mark.parametrize(("role", "where"), WHO, ids=[_who(w) for w in WHO])
def test_action(
    client: Any, hanoi: Submission, cast: Cast, transition: Transition, role: Role, where: str
) -> None:
    drive_to(hanoi, transition.source, cast)
    if transition.needs_ready_content:
        fill_complete(hanoi, cast(Role.DRAFTER))
    allowed = role == transition.role and where == "own"
    client.force_login(cast(role, "01" if where == "own" else "48"))
    detail = client.get(reverse("submissions:detail", kwargs={"pk": hanoi.pk}))
    if where == "other":
        assert detail.status_code == 404
    else:
        # The page offers this action's button to exactly those who may press it.
        assert (f'id="do-{transition.action}"' in detail.content.decode()) == allowed
    before = hanoi.audit_records.count()
    response = client.post(
        reverse("reviews:decide", kwargs={"pk": hanoi.pk}),
        {"action": transition.action, "expected_stage": transition.source, "reason": "Lý do"},
    )
    assert response.status_code == (302 if where == "own" else 404)
    hanoi.refresh_from_db()
    assert hanoi.stage == (transition.target if allowed else transition.source)
    assert hanoi.audit_records.count() == before + (1 if allowed else 0)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("role", "where"), WHO, ids=[_who(w) for w in WHO])
def test_pages(
    client: Any, hanoi: Submission, cast: Cast, page: str, role: Role, where: str
) -> None:
    client.force_login(cast(role, "01" if where == "own" else "48"))
    response = client.get(reverse(page, kwargs={"pk": hanoi.pk}))
    assert response.status_code == (200 if where == "own" else 404)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_inbox_holds_exactly_what_the_user_may_act_on(
    client: Any, hanoi: Submission, danang: Submission, cast: Cast, role: Role
) -> None:
    drive_to(hanoi, next(t.source for t in TRANSITIONS if t.role == role), cast)
    client.force_login(cast(role, "01"))
    page = client.get(reverse("reviews:inbox")).content.decode()
    waiting = page.split('id="inbox-assigned"')[1].split('id="inbox-finished"')[0]
    assert "Thành phố Hà Nội" in waiting
    # Đà Nẵng sits in drafting: only a drafter of Đà Nẵng could act on it.
    assert "Thành phố Đà Nẵng" not in waiting
