"""The viewflow Flow: one process per submission, the single source of truth of its position.

Its nodes are built from the declared process (workflow.transitions.PROCESS): one node per
stage, named after it, with one edge to every stage a transition leads to from there in any
of the processes the engine runs (PROCESS and its variants without some stages, one per
campaign's definition: transitions.flow_targets). No
gate decides anything: the transition service says which branch to take (``advance``), and
the node opens that branch's task only if it is one of its edges. A stage a person of the
unit acts on is a View task (held by whoever acts, or by the drafter a report is sent back
to); a stage the national coordinator acts on, many reports at a time, is a Handle.
Only workflow.services drives it, through the activation API; viewflow's own views are
never mounted. ``flow_disagreements`` checks a flow against the declaration node by node
(WorkflowConfig.ready runs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import User
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.activation import Activation
from viewflow.workflow.base import Edge, Node
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.models import Task
from viewflow.workflow.nodes.handle import HandleActivation
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.status import STATUS

from core.enums import Stage

from .models import SubmissionProcess
from .roles import UNIT_PERMISSION
from .transitions import PROCESS, Process, flow_targets


class _ChosenBranch:
    """Activation mixin: on completion, open the task of the branch the service chose."""

    branch: Node | None = None
    opened: Activation | None = None

    @Activation.status.transition(source=STATUS.DONE)
    def create_next(self: Any) -> Iterator[Activation]:
        if self.branch not in self.flow_task.branches():
            raise FlowRuntimeError(f"{self.flow_task.name} has no branch to {self.branch}")
        self.opened = self.branch._create(self, self.task.token)
        yield self.opened


class StageViewActivation(_ChosenBranch, ViewActivation):
    pass


class StageHandleActivation(_ChosenBranch, HandleActivation):
    pass


class _Branches:
    """Node mixin: the edges of a stage, one to each stage it may lead to."""

    _targets: tuple[Any, ...] = ()

    def Branches(self, *targets: Any) -> Any:
        self._targets = targets
        return self

    def branches(self) -> tuple[Node, ...]:
        return self._targets

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)  # type: ignore[misc]
        self._targets = tuple(this.resolve(instance, target) for target in self._targets)

    def _outgoing(self) -> Iterator[Edge]:
        for target in self._targets:
            yield Edge(src=self, dst=target, edge_class="next")


class StageView(_Branches, flow.View):
    activation_class = StageViewActivation

    def __init__(self) -> None:
        super().__init__(None)


class StageHandle(_Branches, flow.Handle):
    activation_class = StageHandleActivation


def _held_by_a_person(process: Process, stage: Stage) -> bool:
    """Is ``stage`` acted on by a person of the unit (not the national coordinator)?"""
    return all(t.role in UNIT_PERMISSION for t in process.transitions_from(stage))


def _stage_node(process: Process, stage: Stage) -> Node:
    node_class = StageView if _held_by_a_person(process, stage) else StageHandle
    return node_class().Branches(*(getattr(this, t.value) for t in flow_targets(process, stage)))


def _start_process(self: Any, activation: Any, submission: Any) -> Any:
    activation.process.submission = submission
    return activation.process


def build_flow(process: Process, name: str) -> Any:
    """A Flow class of ``process``: a start, then one node per stage with its branches."""
    namespace: dict[str, Any] = {
        "__module__": __name__,
        "__qualname__": name,
        "__doc__": f"The process {process.name}.",
        "process_class": SubmissionProcess,
        "lock_impl": lock.select_for_update_lock,
        "start": flow.StartHandle(this.start_process).Next(getattr(this, process.stages[0].value)),
        "start_process": _start_process,
    }
    namespace.update({stage.value: _stage_node(process, stage) for stage in process.stages})
    return type(name, (flow.Flow,), namespace)


SubmissionFlow = build_flow(PROCESS, "SubmissionFlow")


def flow_disagreements(process: Process, flow_class: Any) -> list[str]:
    """How ``flow_class`` differs from ``process``, node by node (empty when it matches)."""
    found = []
    nodes = {node.name: node for node in flow_class.instance.nodes()}
    start = nodes.pop("start", None)
    first = process.stages[0].value
    if start is None or [e.dst.name for e in start._outgoing()] != [first]:
        found.append(f"start: must lead to {first} alone")
    for stage in process.stages:
        node = nodes.pop(stage.value, None)
        if node is None:
            found.append(f"{stage}: no node")
            continue
        expected = StageView if _held_by_a_person(process, stage) else StageHandle
        if not isinstance(node, expected):
            found.append(f"{stage}: a {type(node).__name__}, not a {expected.__name__}")
        targets = [e.dst.name for e in node._outgoing()]
        declared = [t.value for t in flow_targets(process, stage)]
        if sorted(targets) != sorted(declared):
            found.append(f"{stage}: leads to {sorted(targets)}, the table to {sorted(declared)}")
    found.extend(f"{name}: a node the table does not have" for name in sorted(nodes))
    return found


def advance(task: Task, *, actor: User, to: Stage, owner: User | None) -> Task:
    """Complete ``task`` as ``actor`` and open the task of stage ``to`` (one of the node's
    branches), held by ``owner`` if given; returns the new task."""
    activation = task.flow_task.activation_class(task)
    if task.flow_task.task_type == "HUMAN":
        if task.status == STATUS.NEW:
            activation.assign(actor)
        elif task.owner_id != actor.pk:
            activation.reassign(actor)
        activation.start(None)
    else:
        activation.run(None)
    activation.branch = task.flow_task.flow_class.instance.node(to, no_obsolete=True)
    activation.execute()
    opened = activation.opened
    if owner is not None:
        opened.assign(owner)
    return opened.task
