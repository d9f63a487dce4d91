"""Two people pressing at the same moment: exactly one transition, the other told, nothing doubled.

Real threads, real transactions, PostgreSQL's row locks (viewflow's select_for_update
lock); each scenario runs 20 times in a row.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection

from core.enums import Action, Role, Stage
from submissions.models import Submission
from workflow.deadlines import dues_of
from workflow.models import AuditRecord, DeadlineExtension
from workflow.services import (
    TransitionError,
    deadline_extend,
    submission_start,
    submission_transition,
)

from ..cast import Cast, drive_to
from ..helpers import race

pytestmark = pytest.mark.django_db(transaction=True)
RUNS = 20


@pytest.fixture(autouse=True)
def _reference_data(transactional_db: None) -> None:
    """A transactional test starts after others may have flushed the tables."""
    import io

    from django.core.management import call_command

    call_command("load_reference_data", verbosity=0, stdout=io.StringIO())


@pytest.fixture
def fresh(campaign: Any, cast: Cast) -> Callable[[Stage], Submission]:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    codes = iter(
        [
            "02",
            "04",
            "06",
            "08",
            "10",
            "11",
            "12",
            "14",
            "15",
            "17",
            "19",
            "20",
            "22",
            "24",
            "25",
            "26",
            "27",
            "30",
            "31",
            "33",
            "34",
        ]
    )

    def make(stage: Stage) -> Submission:
        from workflow.services import role_grant

        unit = campaign.units.get(code=next(codes))
        for role in (
            Role.DRAFTER,
            Role.DEPARTMENT_REVIEWER,
            Role.PROVINCIAL_SIGNATORY,
            Role.MINISTRY_CHECKER,
        ):
            role_grant(user=cast(role), role=role, units=[unit])
        submission = submission_start(campaign=campaign, unit=unit)
        cast.users.update(
            {
                (r, unit.code): cast(r)
                for r in Role
                if r != Role.MINISTRY_COORDINATOR and (r, "01") in cast.users
            }
        )
        drive_to(submission, stage, cast)
        return submission

    return make


def _outcome(results: list[Any]) -> tuple[int, list[str]]:
    wins = [r for r in results if isinstance(r, AuditRecord)]
    losses = [str(r) for r in results if isinstance(r, TransitionError)]
    assert len(wins) + len(losses) == len(results), results
    return len(wins), losses


def test_two_reviewers_approve_at_once(
    fresh: Callable[[Stage], Submission], cast: Cast, make_user: Any
) -> None:
    for _ in range(RUNS):
        submission = fresh(Stage.DEPARTMENT_REVIEW)
        second = make_user(Role.DEPARTMENT_REVIEWER, submission.unit.code)

        def approve(user: Any, s: Submission = submission) -> Any:
            return submission_transition(
                actor=user,
                submission=s,
                action=Action.APPROVE,
                expected_stage=Stage.DEPARTMENT_REVIEW,
            )

        wins, losses = _outcome(
            race(partial(approve, cast(Role.DEPARTMENT_REVIEWER)), partial(approve, second))
        )
        assert wins == 1
        assert len(losses) == 1
        assert "đã được chuyển sang bước “UBND tỉnh ký duyệt”" in losses[0]
        submission.refresh_from_db()
        assert submission.stage == Stage.PROVINCIAL_SIGNOFF
        assert submission.audit_records.filter(action=Action.APPROVE).count() == 1
        assert submission.process.task_set.filter(status__in=["NEW", "ASSIGNED"]).count() == 1


def test_approve_and_returnrace(
    fresh: Callable[[Stage], Submission], cast: Cast, make_user: Any
) -> None:
    for _ in range(RUNS):
        submission = fresh(Stage.DEPARTMENT_REVIEW)
        other = make_user(Role.DEPARTMENT_REVIEWER, submission.unit.code)
        results = race(
            partial(
                submission_transition,
                actor=cast(Role.DEPARTMENT_REVIEWER),
                submission=submission,
                action=Action.APPROVE,
                expected_stage=Stage.DEPARTMENT_REVIEW,
            ),
            partial(
                submission_transition,
                actor=other,
                submission=submission,
                action=Action.RETURN,
                expected_stage=Stage.DEPARTMENT_REVIEW,
                reason="Thiếu số liệu",
            ),
        )
        wins, losses = _outcome(results)
        assert (wins, len(losses)) == (1, 1)
        submission.refresh_from_db()
        assert submission.audit_records.count() == 2  # the submit, and the one winner
        winner = next(r for r in results if isinstance(r, AuditRecord))
        assert submission.stage == winner.to_stage
        assert submission.process.task_set.filter(status__in=["NEW", "ASSIGNED"]).count() == 1


def test_a_submit_pressed_twice_counts_once(
    fresh: Callable[[Stage], Submission], cast: Cast
) -> None:
    for _ in range(RUNS):
        submission = fresh(Stage.DRAFTING)
        from ..cast import fill_complete

        fill_complete(submission, cast(Role.DRAFTER))

        def submit(s: Submission = submission) -> Any:
            return submission_transition(
                actor=cast(Role.DRAFTER),
                submission=s,
                action=Action.SUBMIT,
                expected_stage=Stage.DRAFTING,
            )

        wins, losses = _outcome(race(submit, submit))
        assert (wins, len(losses)) == (1, 1)
        submission.refresh_from_db()
        assert submission.stage == Stage.DEPARTMENT_REVIEW
        assert submission.versions.count() == 1
        assert submission.audit_records.count() == 1


def test_two_coordinators_extend_one_deadline_at_once(
    fresh: Callable[[Stage], Submission], cast: Cast, make_user: Any
) -> None:
    """Both ask for 12/5/2020: one extension is kept, the other is told the deadline already
    is that day."""
    second = make_user(Role.MINISTRY_COORDINATOR)
    for _ in range(RUNS):
        submission = fresh(Stage.DRAFTING)

        def extend(user: Any, s: Submission = submission) -> Any:
            return deadline_extend(
                actor=user, submission=s, due=datetime.date(2020, 5, 12), reason="Lũ lụt"
            )

        results = race(partial(extend, cast(Role.MINISTRY_COORDINATOR)), partial(extend, second))
        kept = [r for r in results if isinstance(r, DeadlineExtension)]
        refused = [str(r) for r in results if isinstance(r, TransitionError)]
        assert (len(kept), refused) == (
            1,
            ["Thời hạn hiện đã là 12/05/2020."],
        ), results
        assert submission.extensions.count() == 1
        assert dues_of(submission).province_due == datetime.date(2020, 5, 12)
