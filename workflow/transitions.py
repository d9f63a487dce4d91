"""The campaign's process, declared once: its stages in order and every transition between
them: who takes it, what it needs, where the report goes, who is told and what the page says.

Read ``PROCESS`` at the bottom of this file to learn who may do what, between which stages,
and who is told. Nothing else restates it; everything is derived from it or checked
against it when the app starts:

- the viewflow flow (workflow.flows builds one node per stage, with an edge per target;
  WorkflowConfig.ready refuses to start if the flow and this table disagree);
- who may press a button (access.can_transition, separation of duties included), and the
  buttons themselves (templates/workflow/_action_button.html: label and style);
- who is told, and with which e-mail (notifications.recipients);
- the message after a press (reviews.views.decide);
- the deadline ladder (workflow.deadlines.LADDER) and the tests' path (tests.cast.PATH).

A campaign's definition names the stages it wants by the engine's kinds (``KIND_STAGES``):
drafting, then any of a review in the unit, the unit's sign-off and the ministry's check, then
consolidation. It runs ``PROCESS`` without the stages it leaves out (``process_for``: a
transition that led to a left-out stage leads to the next one kept); a campaign asking for a
process the engine cannot run is refused when it is opened (``process_refusal``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from itertools import combinations
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.enums import Action, Role, Stage


class Button(StrEnum):
    """How a transition's button looks (its Bootstrap class)."""

    FORWARD = "btn-success"
    BACK = "btn-outline-danger"


class Recipient(StrEnum):
    """Who is told of a transition, beside a role (``Role``: its holders on the unit)."""

    # The drafter who submitted the version; the unit's drafters if nobody has yet.
    SUBMITTER = "submitter"
    # Everyone who may act on the report where the transition leaves it.
    NEXT_ACTORS = "next_actors"


# The message after a press that says no more than where the report now is.
MOVED_ON = _("Done: the submission is now at “%(stage)s”.")


@dataclass(frozen=True)
class Transition:
    action: Action
    source: Stage
    target: Stage
    role: Role
    # Who is told, and the e-mail they get (templates/workflow/email/<email>_*.txt).
    told: tuple[Recipient | Role, ...]
    email: str
    # The message after a press; ``%(stage)s`` is the stage it leaves the report in.
    done: Promise
    button: Button = Button.FORWARD
    needs_reason: bool = False
    # Needs complete, consistent content (submissions.readiness).
    needs_ready_content: bool = False
    # Not by the person who submitted the version (access.can_transition).
    separate_from_submitter: bool = False
    # Its actor becomes the submitter of the version.
    submits: bool = False
    # Sends the report back to the drafter: its task is assigned to the last submitter.
    sends_back: bool = False
    # Completes only with the actor's own digital signature on the report as prepared for
    # them (workflow.signoff decides whether it is required; signatures verifies it).
    needs_signature: bool = False
    # Takes back a report whose process is finished: a correction, not its next step, so
    # nobody is said to act next on a finished report.
    reopens: bool = False

    @property
    def label(self) -> Promise | str:
        return self.action.label

    @property
    def node(self) -> str:
        """The flow node whose task this transition completes: its source stage's."""
        return self.source.value

    def done_message(self) -> str:
        return str(self.done) % {"stage": self.target.label}


@dataclass(frozen=True)
class Process:
    name: str
    stages: tuple[Stage, ...]
    transitions: tuple[Transition, ...]

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError(f"The process {self.name} is inconsistent: " + "; ".join(problems))

    def problems(self) -> list[str]:
        """What makes this declaration unusable (empty when it is sound)."""
        found = []
        seen: set[tuple[Stage, Action]] = set()
        for t in self.transitions:
            where = f"{t.source} {t.action}"
            if t.source not in self.stages or t.target not in self.stages:
                found.append(f"{where}: goes between stages the process does not have")
                continue
            if (t.source, t.action) in seen:
                found.append(f"{where}: declared twice")
            seen.add((t.source, t.action))
            if t.sends_back and t.target != self.stages[0]:
                found.append(f"{where}: sends the report back, so it must lead to {self.stages[0]}")
        for stage, following in zip(self.stages, self.stages[1:], strict=False):
            forward = [t for t in self.transitions_from(stage) if self._is_forward(t)]
            if [t.target for t in forward] != [following]:
                found.append(f"{stage}: needs exactly one transition forward, to {following}")
        return found

    def _is_forward(self, transition: Transition) -> bool:
        return self.stages.index(transition.target) > self.stages.index(transition.source)

    def transitions_from(self, stage: Stage | str) -> list[Transition]:
        return [t for t in self.transitions if t.source == stage]

    def find(self, stage: Stage | str, action: Action | str) -> Transition | None:
        return next((t for t in self.transitions_from(stage) if t.action == action), None)

    def taken(self, stage: Stage | str, action: Action | str) -> Transition:
        """The transition an audit record says was taken (always one of the table's)."""
        transition = self.find(stage, action)
        if transition is None:
            raise LookupError(f"{self.name} has no {action} from {stage}")
        return transition

    def targets(self, stage: Stage | str) -> list[Stage]:
        """Where a report may go from ``stage``, each once, in the order declared."""
        return list(dict.fromkeys(t.target for t in self.transitions_from(stage)))

    def roles_at(self, stage: Stage | str, *, reopening: bool = False) -> list[Role]:
        """The roles that move a report on from ``stage`` (none once its process is finished),
        or, with ``reopening``, those that may take a finished one back."""
        return list(
            dict.fromkeys(t.role for t in self.transitions_from(stage) if t.reopens == reopening)
        )

    @property
    def path(self) -> tuple[Transition, ...]:
        """The way forward, stage by stage, from the first to the last."""
        return tuple(
            t for stage in self.stages for t in self.transitions_from(stage) if self._is_forward(t)
        )


def _review(
    stage: Stage, role: Role, forward: Action, *, signed: bool = False
) -> tuple[Transition, Transition]:
    """A review step: ``forward`` to the next stage (with ``signed``, under the actor's own
    digital signature), or back to the drafter with a reason; either by someone other than
    the person who submitted the version."""
    after = PROCESS_STAGES[PROCESS_STAGES.index(stage) + 1]
    return (
        Transition(
            forward,
            stage,
            after,
            role,
            told=(Recipient.NEXT_ACTORS,),
            email="approved",
            done=MOVED_ON,
            separate_from_submitter=True,
            needs_signature=signed,
        ),
        Transition(
            Action.RETURN,
            stage,
            Stage.DRAFTING,
            role,
            told=(Recipient.SUBMITTER,),
            email="returned",
            done=_("Returned to the drafter with your reason."),
            button=Button.BACK,
            needs_reason=True,
            separate_from_submitter=True,
            sends_back=True,
        ),
    )


PROCESS_STAGES = (
    Stage.DRAFTING,
    Stage.DEPARTMENT_REVIEW,
    Stage.PROVINCIAL_SIGNOFF,
    Stage.MINISTRY_CHECK,
    Stage.CONSOLIDATION,
    Stage.CONSOLIDATED,
)

PROCESS = Process(
    name="unit-report",
    stages=PROCESS_STAGES,
    transitions=(
        Transition(
            Action.SUBMIT,
            Stage.DRAFTING,
            Stage.DEPARTMENT_REVIEW,
            Role.DRAFTER,
            told=(Recipient.NEXT_ACTORS,),
            email="submitted",
            done=_("Submitted for review."),
            needs_ready_content=True,
            submits=True,
        ),
        *_review(Stage.DEPARTMENT_REVIEW, Role.DEPARTMENT_REVIEWER, Action.APPROVE),
        *_review(Stage.PROVINCIAL_SIGNOFF, Role.PROVINCIAL_SIGNATORY, Action.SIGN, signed=True),
        *_review(Stage.MINISTRY_CHECK, Role.MINISTRY_CHECKER, Action.ACCEPT),
        # Nobody acts next: the province learns its report is in the national one. The
        # coordinator who ran the consolidation saw it on the page, and would otherwise get
        # one e-mail per province of the run, each saying it waits for them.
        Transition(
            Action.CONSOLIDATE,
            Stage.CONSOLIDATION,
            Stage.CONSOLIDATED,
            Role.MINISTRY_COORDINATOR,
            told=(Role.DRAFTER, Role.PROVINCIAL_SIGNATORY),
            email="consolidated",
            done=MOVED_ON,
        ),
        Transition(
            Action.REOPEN,
            Stage.CONSOLIDATED,
            Stage.DRAFTING,
            Role.MINISTRY_COORDINATOR,
            told=(Recipient.NEXT_ACTORS,),
            email="reopened",
            done=_("Reopened: the submission is back in drafting."),
            button=Button.BACK,
            needs_reason=True,
            sends_back=True,
            reopens=True,
        ),
    ),
)

# The names the rest of the code reads.
TRANSITIONS = PROCESS.transitions
transitions_from = PROCESS.transitions_from
find = PROCESS.find
roles_at = PROCESS.roles_at


# The kinds of stage a campaign's definition is written with (campaigns/schema), and the
# engine's stage each one is.
KIND_STAGES = {
    "drafting": Stage.DRAFTING,
    "unit_review": Stage.DEPARTMENT_REVIEW,
    "unit_signoff": Stage.PROVINCIAL_SIGNOFF,
    "ministry_check": Stage.MINISTRY_CHECK,
    "consolidation": Stage.CONSOLIDATION,
}


def stages_of(definition: dict[str, Any]) -> dict[str, Stage]:
    """Each process key of a campaign's definition, with the engine's stage it is."""
    steps = definition.get("process") or []
    return {step["key"]: KIND_STAGES[step["kind"]] for step in steps if step["kind"] in KIND_STAGES}


# The stages a campaign may leave out: the unit's review, its sign-off and the ministry's
# check. Drafting and consolidation are every campaign's.
OPTIONAL_STAGES = (Stage.DEPARTMENT_REVIEW, Stage.PROVINCIAL_SIGNOFF, Stage.MINISTRY_CHECK)


def _without(process: Process, left_out: frozenset[Stage]) -> Process:
    """``process`` with some optional stages left out: their transitions go, and a
    transition that led to one of them leads to the next stage kept instead."""
    stages = tuple(s for s in process.stages if s not in left_out)

    def kept(stage: Stage) -> Stage:
        while stage not in stages:
            stage = process.stages[process.stages.index(stage) + 1]
        return stage

    return Process(
        name=f"{process.name} without {', '.join(sorted(left_out))}" if left_out else process.name,
        stages=stages,
        transitions=tuple(
            replace(t, target=kept(t.target)) for t in process.transitions if t.source in stages
        ),
    )


def variants_of(process: Process) -> dict[frozenset[Stage], Process]:
    """``process``, and ``process`` without each combination of optional stages."""
    return {
        frozenset(left_out): _without(process, frozenset(left_out))
        for n in range(len(OPTIONAL_STAGES) + 1)
        for left_out in combinations(OPTIONAL_STAGES, n)
    }


# Every process the engine runs, built once; each is checked by Process.__post_init__.
VARIANTS = variants_of(PROCESS)


def _asked(definition: dict[str, Any]) -> list[Stage | None]:
    return [KIND_STAGES.get(step.get("kind", "")) for step in definition.get("process") or []]


def process_refusal(definition: dict[str, Any]) -> str | None:
    """Why the engine cannot run the process a definition asks for; None when it can: the
    engine's stages in its order, each at most once, drafting and consolidation included."""
    asked = _asked(definition)
    if not asked:
        return None
    if (
        None in asked
        or len(set(asked)) != len(asked)
        or asked != [s for s in PROCESS.stages if s in asked]
        or Stage.DRAFTING not in asked
        or Stage.CONSOLIDATION not in asked
    ):
        return str(
            _(
                "The engine runs drafting, then any of a review in the unit, the unit's "
                "sign-off and the ministry's check, then consolidation, each once and in that "
                "order. This campaign asks for another process; it cannot be opened."
            )
        )
    return None


def process_for(campaign: Any) -> Process:
    """The process a campaign runs: the stages its definition asks for (``PROCESS`` when it
    names none, or one the engine cannot run, which is refused when the campaign opens)."""
    definition = campaign.definition or {}
    asked = _asked(definition)
    if not asked or process_refusal(definition):
        return PROCESS
    return VARIANTS[frozenset(s for s in OPTIONAL_STAGES if s not in asked)]


def flow_targets(process: Process, stage: Stage) -> list[Stage]:
    """Where a report may go from ``stage`` in any variant of ``process`` (a flow's edges)."""
    return list(
        dict.fromkeys(
            t for variant in variants_of(process).values() for t in variant.targets(stage)
        )
    )
