"""The transition table: which action leads from which stage to which, and who may take it.

The flow (workflow.flows), the buttons, the permission checks, the access-matrix
test and the docs all read this table; nothing else decides where a submission
may go next.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise

from core.enums import Action, Role, Stage


@dataclass(frozen=True)
class Transition:
    action: Action
    source: Stage
    target: Stage
    role: Role
    # The flow node whose task this transition completes.
    node: str
    needs_reason: bool = False
    # Reviews (approve or return): not by the person who submitted the content.
    separate_from_submitter: bool = False
    # Submitting needs complete, consistent content (submissions.readiness).
    needs_ready_content: bool = False
    # Takes back a submission whose process is finished: a correction, not its next step,
    # so nobody is said to act next on a finished submission.
    reopens: bool = False

    @property
    def label(self) -> Promise | str:
        return self.action.label


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        Action.SUBMIT,
        Stage.DRAFTING,
        Stage.DEPARTMENT_REVIEW,
        Role.DRAFTER,
        "drafting",
        needs_ready_content=True,
    ),
    Transition(
        Action.APPROVE,
        Stage.DEPARTMENT_REVIEW,
        Stage.PROVINCIAL_SIGNOFF,
        Role.DEPARTMENT_REVIEWER,
        "department_review",
        separate_from_submitter=True,
    ),
    Transition(
        Action.RETURN,
        Stage.DEPARTMENT_REVIEW,
        Stage.DRAFTING,
        Role.DEPARTMENT_REVIEWER,
        "department_review",
        needs_reason=True,
        separate_from_submitter=True,
    ),
    Transition(
        Action.SIGN,
        Stage.PROVINCIAL_SIGNOFF,
        Stage.MINISTRY_CHECK,
        Role.PROVINCIAL_SIGNATORY,
        "provincial_signoff",
        separate_from_submitter=True,
    ),
    Transition(
        Action.RETURN,
        Stage.PROVINCIAL_SIGNOFF,
        Stage.DRAFTING,
        Role.PROVINCIAL_SIGNATORY,
        "provincial_signoff",
        needs_reason=True,
        separate_from_submitter=True,
    ),
    Transition(
        Action.ACCEPT,
        Stage.MINISTRY_CHECK,
        Stage.CONSOLIDATION,
        Role.MINISTRY_CHECKER,
        "ministry_check",
        separate_from_submitter=True,
    ),
    Transition(
        Action.RETURN,
        Stage.MINISTRY_CHECK,
        Stage.DRAFTING,
        Role.MINISTRY_CHECKER,
        "ministry_check",
        needs_reason=True,
        separate_from_submitter=True,
    ),
    Transition(
        Action.CONSOLIDATE,
        Stage.CONSOLIDATION,
        Stage.CONSOLIDATED,
        Role.MINISTRY_COORDINATOR,
        "consolidation",
    ),
    Transition(
        Action.REOPEN,
        Stage.CONSOLIDATED,
        Stage.DRAFTING,
        Role.MINISTRY_COORDINATOR,
        "consolidated",
        needs_reason=True,
        reopens=True,
    ),
)

# The flow node that holds a submission in each stage.
STAGE_NODE = {t.source: t.node for t in TRANSITIONS}
NODE_STAGE = {node: stage for stage, node in STAGE_NODE.items()}


def roles_at(stage: Stage | str, *, reopening: bool = False) -> list[Role]:
    """The roles that move a submission on from ``stage`` (none once its process is finished),
    or, with ``reopening``, those that may take a finished one back."""
    return list(
        dict.fromkeys(t.role for t in TRANSITIONS if t.source == stage and t.reopens == reopening)
    )


def transitions_from(stage: Stage | str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == stage]


def find(stage: Stage | str, action: Action | str) -> Transition | None:
    return next((t for t in TRANSITIONS if t.source == stage and t.action == action), None)
