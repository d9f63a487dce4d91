"""A cast for the workflow: one user per role for Hà Nội (01) and Đà Nẵng (48), and a way to
drive a submission to any stage through the real transition service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User

from core.enums import Action, Role, Stage
from submissions import selectors, services
from submissions.models import Submission
from workflow.services import submission_transition
from workflow.transitions import PROCESS

from .helpers import COMPLETE_ROW

# The path a submission takes, each step with the role that takes it: the declared process's
# way forward.
PATH: list[tuple[Stage, Action, Role]] = [(t.source, t.action, t.role) for t in PROCESS.path]


@dataclass
class Cast:
    users: dict[tuple[Role, str], User]

    def __call__(self, role: Role, code: str = "01") -> User:
        return self.users[(role, "*" if role == Role.MINISTRY_COORDINATOR else code)]


def make_cast(make_user: Any) -> Cast:
    users: dict[tuple[Role, str], User] = {}
    for code, short in (("01", "hn"), ("48", "dn")):
        for role in (
            Role.DRAFTER,
            Role.DEPARTMENT_REVIEWER,
            Role.PROVINCIAL_SIGNATORY,
            Role.MINISTRY_CHECKER,
        ):
            username = f"{short}.{role.value}"
            users[(role, code)] = make_user(
                role, code, username=username, email=f"{username}@example.vn"
            )
    users[(Role.MINISTRY_COORDINATOR, "*")] = make_user(
        Role.MINISTRY_COORDINATOR, username="coordinator", email="coordinator@example.vn"
    )
    return Cast(users)


def fill_complete(submission: Submission, actor: User) -> None:
    """Complete, consistent content, saved through the drafting services."""
    submission.refresh_from_db()
    values = {line.pk: dict(COMPLETE_ROW) for line in submission.lines.all()}
    services.appendix_save(
        actor=actor, submission=submission, revision=submission.revision, values=values
    )
    submission.refresh_from_db()
    points = [p for s in selectors.outline(submission.campaign) for p in s.points.all()]
    services.narrative_save(
        actor=actor,
        submission=submission,
        revision=submission.revision,
        answers={p.pk: f"Đánh giá cho {p.code}." for p in points},
        treasury_refusal_count=0,
        treasury_refusal_amount=None,
        treasury_refusal_note="",
        problem_kinds=[],
    )
    submission.refresh_from_db()


def drive_to(submission: Submission, stage: Stage, cast: Cast) -> None:
    """Move the submission along the path until it stands at ``stage``."""
    code = submission.unit.code
    submission.refresh_from_db()
    if submission.stage == Stage.DRAFTING and stage != Stage.DRAFTING:
        fill_complete(submission, cast(Role.DRAFTER, code))
    for source, action, role in PATH:
        submission.refresh_from_db()
        if submission.stage == stage:
            return
        assert submission.stage == source
        submission_transition(
            actor=cast(role, code), submission=submission, action=action, expected_stage=source
        )
    submission.refresh_from_db()
    assert submission.stage == stage
