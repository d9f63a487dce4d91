"""The declared process (workflow/transitions.py) is the process: the flow is checked against it
at start-up, and the buttons, who is told and the message after a press follow it."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import translation
from viewflow import this
from viewflow.workflow import flow

from core.enums import Action, Role, Stage
from notifications import recipients as notifications
from submissions.models import Submission
from workflow import access, flows
from workflow.deadlines import LADDER
from workflow.flows import SubmissionFlow, build_flow, flow_disagreements
from workflow.models import SubmissionProcess
from workflow.services import role_grant, submission_transition
from workflow.transitions import (
    OPTIONAL_STAGES,
    PROCESS,
    VARIANTS,
    Button,
    Process,
    Recipient,
    Transition,
)

from ..cast import PATH, Cast, drive_to, fill_complete


def _changed(source: Stage, action: Action, **changes: Any) -> Process:
    """A copy of the process with one transition changed."""
    return dataclasses.replace(
        PROCESS,
        transitions=tuple(
            dataclasses.replace(t, **changes) if (t.source, t.action) == (source, action) else t
            for t in PROCESS.transitions
        ),
    )


# --- The flow, checked against the table ---------------------------------------------------


def test_the_flow_matches_the_table_node_by_node() -> None:
    assert flow_disagreements(PROCESS, SubmissionFlow) == []
    names = {node.name for node in SubmissionFlow.instance.nodes()}
    assert names == {"start"} | {stage.value for stage in PROCESS.stages}


def test_a_flow_without_a_declared_branch_disagrees() -> None:
    without_reopen = dataclasses.replace(PROCESS, transitions=PROCESS.transitions[:-1])
    problems = flow_disagreements(PROCESS, build_flow(without_reopen, "WithoutReopenFlow"))
    assert "consolidated: leads to [], the table to ['drafting']" in problems
    assert [p for p in problems if not p.startswith("consolidated: ")] == []


class GatedFlow(flow.Flow):
    """The flow as it was written by hand, with If gates deciding again and an end."""

    process_class = SubmissionProcess

    start = flow.StartHandle().Next(this.drafting)
    drafting = flow.View(None).Next(this.department_review)
    department_review = flow.View(None).Next(this.department_decided)
    department_decided = flow.If(lambda a: True).Then(this.provincial_signoff).Else(this.drafting)
    provincial_signoff = flow.View(None).Next(this.ministry_check)
    ministry_check = flow.View(None).Next(this.consolidation)
    consolidation = flow.Handle(None).Next(this.consolidated)
    consolidated = flow.Handle(None).Next(this.end)
    end = flow.End()


def test_a_flow_with_gates_and_an_end_disagrees() -> None:
    problems = flow_disagreements(PROCESS, GatedFlow)
    assert "drafting: a View, not a StageView" in problems
    assert "consolidation: a Handle, not a StageHandle" in problems
    assert "department_decided: a node the table does not have" in problems
    assert "end: a node the table does not have" in problems


def test_the_app_refuses_to_start_on_a_flow_that_disagrees(monkeypatch: Any) -> None:
    config = apps.get_app_config("workflow")
    config.ready()  # the real flow: starts
    smaller = dataclasses.replace(PROCESS, transitions=PROCESS.transitions[:-1])
    monkeypatch.setattr(flows, "SubmissionFlow", build_flow(smaller, "SmallerFlow"))
    with pytest.raises(ImproperlyConfigured, match="consolidated: leads to"):
        config.ready()


def test_an_inconsistent_declaration_is_refused() -> None:
    with pytest.raises(ValueError, match="sends the report back"):
        _changed(Stage.MINISTRY_CHECK, Action.RETURN, target=Stage.DEPARTMENT_REVIEW)
    with pytest.raises(ValueError, match="one transition forward"):
        _changed(Stage.DEPARTMENT_REVIEW, Action.APPROVE, target=Stage.MINISTRY_CHECK)


def test_the_ladder_and_the_tests_path_are_the_way_forward() -> None:
    """Derived from the table, they are what they were when each restated it."""
    assert LADDER == (
        Stage.DRAFTING,
        Stage.DEPARTMENT_REVIEW,
        Stage.PROVINCIAL_SIGNOFF,
        Stage.MINISTRY_CHECK,
        Stage.CONSOLIDATION,
    )
    assert [(action, role) for _stage, action, role in PATH] == [
        (Action.SUBMIT, Role.DRAFTER),
        (Action.APPROVE, Role.DEPARTMENT_REVIEWER),
        (Action.SIGN, Role.PROVINCIAL_SIGNATORY),
        (Action.ACCEPT, Role.MINISTRY_CHECKER),
        (Action.CONSOLIDATE, Role.MINISTRY_COORDINATOR),
    ]
    assert [stage for stage, _action, _role in PATH] == list(LADDER)


# --- The process moves where the table says, with no decision kept -------------------------


def test_a_return_opens_the_drafters_task_straight_after_the_review(
    hanoi: Submission, cast: Cast
) -> None:
    """No gate between the review and drafting: viewflow's history is the table's path."""
    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    submission_transition(
        actor=cast(Role.DEPARTMENT_REVIEWER),
        submission=hanoi,
        action=Action.RETURN,
        expected_stage=Stage.DEPARTMENT_REVIEW,
        reason="Thiếu số liệu",
    )
    process = SubmissionProcess.objects.get(submission=hanoi)
    tasks = list(process.task_set.order_by("pk"))
    assert [(t.flow_task.name, t.status) for t in tasks] == [
        ("start", "DONE"),
        ("drafting", "DONE"),
        ("department_review", "DONE"),
        ("drafting", "ASSIGNED"),
    ]
    assert tasks[-1].owner == cast(Role.DRAFTER)
    assert [list(t.previous.all()) for t in tasks[1:]] == [[tasks[0]], [tasks[1]], [tasks[2]]]
    assert not hasattr(process, "decision")


# --- Who may press: one check for the buttons and the service -------------------------------


def test_the_submitter_is_refused_by_the_one_check_the_buttons_use(
    hanoi: Submission, cast: Cast, make_user: Any
) -> None:
    both = cast(Role.DRAFTER)
    role_grant(user=both, role=Role.DEPARTMENT_REVIEWER, units=[hanoi.unit])
    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)  # submitted by the cast's drafter: ``both``
    hanoi.refresh_from_db()
    approve = PROCESS.taken(Stage.DEPARTMENT_REVIEW, Action.APPROVE)
    submitter = access.submitter_of(hanoi)
    assert submitter == both.pk
    assert not access.can_transition(both, hanoi, approve, submitter_id=submitter)
    assert access.available_transitions(both, hanoi) == []
    reviewer = cast(Role.DEPARTMENT_REVIEWER)
    assert access.can_transition(reviewer, hanoi, approve, submitter_id=submitter)
    assert access.available_transitions(reviewer, hanoi) == PROCESS.transitions_from(
        Stage.DEPARTMENT_REVIEW
    )


# --- The page and the e-mails follow the table ------------------------------------------


def _detail(client: Any, submission: Submission) -> str:
    return client.get(reverse("submissions:detail", kwargs={"pk": submission.pk})).content.decode()


def _press(client: Any, submission: Submission, transition: Transition) -> str:
    response = client.post(
        reverse("reviews:decide", kwargs={"pk": submission.pk}),
        {"action": transition.action, "expected_stage": transition.source, "reason": "Lý do"},
        follow=True,
    )
    return str(response.content.decode())


def test_the_buttons_and_the_message_after_a_press_are_the_tables(
    client: Any, hanoi: Submission, cast: Cast
) -> None:
    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    client.force_login(cast(Role.DEPARTMENT_REVIEWER))
    page = _detail(client, hanoi)
    review = client.get(reverse("reviews:review", kwargs={"pk": hanoi.pk})).content.decode()
    for t in PROCESS.transitions_from(Stage.DEPARTMENT_REVIEW):
        with translation.override("vi"):
            label = str(t.label)
        assert f'id="do-{t.action}" class="btn {t.button}">{label}</button>' in page
        assert f'value="{t.action}" class="btn {t.button} me-2">{label}</button>' in review
    approve = PROCESS.taken(Stage.DEPARTMENT_REVIEW, Action.APPROVE)
    page = _press(client, hanoi, approve)
    with translation.override("vi"):
        assert approve.done_message() in page


def test_a_changed_table_changes_the_button_the_message_and_who_is_told(
    client: Any,
    hanoi: Submission,
    cast: Cast,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Change one line of a copy of the table: the page and the e-mails follow it."""
    changed = _changed(
        Stage.DEPARTMENT_REVIEW,
        Action.APPROVE,
        button=Button.BACK,
        done="Một thông báo khác.",
        told=(Role.MINISTRY_CHECKER, Recipient.SUBMITTER),
    )
    for module in ("workflow.access", "notifications.recipients", "reviews.views"):
        monkeypatch.setattr(f"{module}.process_for", lambda campaign: changed)
    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    client.force_login(cast(Role.DEPARTMENT_REVIEWER))
    assert f'id="do-approve" class="btn {Button.BACK}"' in _detail(client, hanoi)
    mail.outbox.clear()
    approve = changed.taken(Stage.DEPARTMENT_REVIEW, Action.APPROVE)
    with django_capture_on_commit_callbacks(execute=True):
        page = _press(client, hanoi, approve)
    assert "Một thông báo khác." in page
    hanoi.refresh_from_db()
    assert hanoi.stage == Stage.PROVINCIAL_SIGNOFF
    assert {m.to[0] for m in mail.outbox} == {
        cast(Role.MINISTRY_CHECKER).email,
        cast(Role.DRAFTER).email,
    }


@pytest.mark.parametrize("transition", PROCESS.transitions, ids=lambda t: f"{t.source}-{t.action}")
def test_who_is_told_is_the_declared_recipients(
    hanoi: Submission, cast: Cast, transition: Transition, django_capture_on_commit_callbacks: Any
) -> None:
    drive_to(hanoi, transition.source, cast)
    if transition.needs_ready_content:
        fill_complete(hanoi, cast(Role.DRAFTER))
    actor = cast(transition.role)
    with django_capture_on_commit_callbacks(execute=True):
        mail.outbox.clear()
        record = submission_transition(
            actor=actor,
            submission=hanoi,
            action=transition.action,
            expected_stage=transition.source,
            reason="Lý do",
        )
    expected = {u.email for u in notifications.recipients(record, transition)}
    assert expected and {m.to[0] for m in mail.outbox} == expected

    def told(kind: Recipient | Role) -> set[str]:
        if kind == Recipient.SUBMITTER:
            return {cast(Role.DRAFTER).email}
        if kind == Recipient.NEXT_ACTORS:
            return {cast(role).email for role in PROCESS.roles_at(transition.target)}
        return {cast(Role(kind)).email}

    declared = set().union(*(told(kind) for kind in transition.told))
    assert expected == declared


def test_every_variant_a_campaign_may_ask_for_is_a_sound_process_the_flow_can_run() -> None:
    assert len(VARIANTS) == 2 ** len(OPTIONAL_STAGES)
    for left_out, variant in VARIANTS.items():
        assert not variant.problems()
        assert not left_out & set(variant.stages)
        # Forward from drafting goes to the first stage kept; every stage kept has an edge
        # in the one flow for each of its targets.
        first_kept = variant.stages[1]
        assert variant.taken(Stage.DRAFTING, Action.SUBMIT).target == first_kept
        flow_edges = {
            node.name: {e.dst.name for e in node._outgoing()}
            for node in flows.SubmissionFlow.instance.nodes()
        }
        for stage in variant.stages:
            assert {t.value for t in variant.targets(stage)} <= flow_edges[stage.value]
    shortest = VARIANTS[frozenset(OPTIONAL_STAGES)]
    assert [s.value for s in shortest.stages] == ["drafting", "consolidation", "consolidated"]
