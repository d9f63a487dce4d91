"""The viewflow Flow: one process per submission, the single source of truth of its position.

Human stages are View tasks scoped by a django-guardian permission on the
submission's unit; approve/return decisions are If gates reading the process's
last decision; consolidation and the consolidated state are Handle tasks
completed by the coordinator. Only workflow.services drives it, through the
activation API; viewflow's own views are never mounted.
"""

from __future__ import annotations

from typing import Any

from viewflow import this
from viewflow.workflow import flow, lock

from core.enums import Action

from .models import SubmissionProcess


def _unit(process: Any) -> Any:
    return process.submission.unit


def _owner_if_returned(activation: Any) -> Any:
    """A returned submission goes back to the drafter who submitted it."""
    process = activation.process
    return process.last_submitter if process.decision in (Action.RETURN, Action.REOPEN) else None


class SubmissionFlow(flow.Flow):
    process_class = SubmissionProcess
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_process).Next(this.drafting)

    drafting = (
        flow.View(None)
        .Permission("campaigns.draft_unit", obj=_unit)
        .Assign(_owner_if_returned)
        .Next(this.department_review)
    )
    department_review = (
        flow.View(None).Permission("campaigns.review_unit", obj=_unit).Next(this.department_decided)
    )
    department_decided = flow.If(this.approved).Then(this.provincial_signoff).Else(this.drafting)
    provincial_signoff = (
        flow.View(None).Permission("campaigns.signoff_unit", obj=_unit).Next(this.signoff_decided)
    )
    signoff_decided = flow.If(this.approved).Then(this.ministry_check).Else(this.drafting)
    ministry_check = (
        flow.View(None).Permission("campaigns.check_unit", obj=_unit).Next(this.check_decided)
    )
    check_decided = flow.If(this.approved).Then(this.consolidation).Else(this.drafting)
    # Waits for the coordinator's consolidation run.
    consolidation = flow.Handle(None).Next(this.consolidated)
    # Stays here until reopened (or the campaign is closed).
    consolidated = flow.Handle(None).Next(this.consolidated_decided)
    consolidated_decided = flow.If(this.reopened).Then(this.drafting).Else(this.end)
    end = flow.End()

    def start_process(self, activation: Any, submission: Any) -> Any:
        activation.process.submission = submission
        return activation.process

    def approved(self, activation: Any) -> bool:
        return activation.process.decision != Action.RETURN

    def reopened(self, activation: Any) -> bool:
        return activation.process.decision == Action.REOPEN
