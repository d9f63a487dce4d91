"""Reads of the workflow: timelines, return notes, inboxes and version differences."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.db.models import Prefetch, Q, QuerySet
from django.utils.text import capfirst
from viewflow.workflow.status import STATUS

from campaigns.models import Campaign
from core.enums import Action, Role, Stage
from submissions import values as line_values
from submissions.models import Submission

from . import access
from .deadlines import Reckoner, Standing, is_untouched, province_due, reached_ministry_at
from .models import (
    AuditRecord,
    ReviewNote,
    SubmissionProcess,
    SubmissionVersion,
)
from .snapshots import line_value
from .transitions import TRANSITIONS, roles_at


def timeline(submission: Submission) -> QuerySet[AuditRecord]:
    """The submission's records with what the timeline shows of each; not the versions'
    frozen content (a whole appendix and narrative each), of which it shows the number."""
    return (
        submission.audit_records.select_related(
            "actor", "version", "receipt__campaign", "signed_document"
        )
        .defer("version__content")
        .prefetch_related(Prefetch("notes", queryset=ReviewNote.objects.order_by("pk")))
    )


@dataclass
class ReturnNotes:
    """The reason and notes of the return that sent the submission back to drafting."""

    record: AuditRecord | None = None
    by_line: dict[int, list[ReviewNote]] = field(default_factory=dict)
    by_point: dict[int, list[ReviewNote]] = field(default_factory=dict)


def current_return(submission: Submission) -> ReturnNotes:
    """While a returned submission is being redrafted, what the reviewer asked for."""
    if submission.stage != Stage.DRAFTING:
        return ReturnNotes()
    record = (
        submission.audit_records.filter(action__in=[Action.RETURN, Action.REOPEN])
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    last = submission.audit_records.order_by("-at", "-pk").values_list("pk", flat=True).first()
    if record is None or record.pk != last:
        return ReturnNotes()
    notes = ReturnNotes(record=record)
    for note in record.notes.all():
        if note.line_id:
            notes.by_line.setdefault(note.line_id, []).append(note)
        elif note.point_id:
            notes.by_point.setdefault(note.point_id, []).append(note)
    return notes


def who_acts_next(submission: Submission) -> list[Role]:
    """The roles that move the submission on; none once its process is finished."""
    return roles_at(submission.stage)


def who_may_reopen(submission: Submission) -> list[Role]:
    """The roles that may take a finished submission back (with a reason)."""
    return roles_at(submission.stage, reopening=True)


@dataclass(frozen=True)
class InboxRow:
    submission: Submission
    standing: Standing


@dataclass
class Inbox:
    assigned: list[InboxRow]
    available: list[InboxRow]
    finished: list[AuditRecord]


def inbox(user: User, *, finished_limit: int = 50) -> Inbox:
    """What the user may act on (assigned to them, or open to their role), each with where it
    stands against its deadline, and what they did."""
    scope = Q(pk__in=[])
    for role in Role:
        stages = [t.source for t in TRANSITIONS if t.role == role]
        if not stages:
            continue
        if role == Role.MINISTRY_COORDINATOR:
            if access.is_national(user):
                scope |= Q(stage__in=stages)
            continue
        scope |= Q(stage__in=stages, unit_id__in=access.unit_ids_for_user(user, role))
    reckoner = Reckoner()
    actionable = [
        InboxRow(
            submission,
            reckoner.standing(
                submission.campaign,
                submission.province_due,
                untouched=is_untouched(submission.stage, submission.revision),
                reached_at=submission.reached_ministry_at,
            ),
        )
        for submission in Submission.objects.filter(scope)
        .select_related("unit__region", "campaign")
        .annotate(province_due=province_due(), reached_ministry_at=reached_ministry_at())
        .order_by("campaign__deadline", "unit__code")
    ]
    owned = set(
        SubmissionProcess.objects.filter(
            submission__in=[row.submission.pk for row in actionable],
            task__owner=user,
            task__status__in=[STATUS.ASSIGNED, STATUS.STARTED],
        ).values_list("submission_id", flat=True)
    )
    finished = list(
        AuditRecord.objects.filter(actor=user)
        .select_related("submission__unit")
        .only("at", "action", "from_stage", "to_stage", "submission__unit")
        .order_by("-at", "-pk")[:finished_limit]
    )
    return Inbox(
        assigned=[row for row in actionable if row.submission.pk in owned],
        available=[row for row in actionable if row.submission.pk not in owned],
        finished=finished,
    )


def version_seen_by(user: User, submission: Submission) -> SubmissionVersion | None:
    """The version the user last acted on, or else the one before the latest."""
    record = (
        submission.audit_records.filter(actor=user)
        .select_related("version")
        .order_by("-at", "-pk")
        .first()
    )
    latest = submission.versions.order_by("-number").first()
    if record is not None and latest is not None and record.version_id != latest.pk:
        return record.version
    if latest is None:
        return None
    return submission.versions.filter(number__lt=latest.number).order_by("-number").first()


@dataclass
class Change:
    where: str
    what: str
    before: Any
    after: Any
    # How the page shows the values: "number" (an amount or a share, in the language's
    # separators), "flag" (yes / no), "list" or "text".
    kind: str = "text"
    label: str = ""


def _typed_change(
    where: str, model: type[models.Model], name: str, before: Any, after: Any
) -> Change:
    """A change of one field of ``model``, its frozen values (amounts are strings in the
    snapshot) back to what the field holds, so the page shows them as it shows the field."""
    field = model._meta.get_field(name)
    kind = "text"
    if isinstance(field, models.DecimalField | models.IntegerField):
        kind = "number"
        before, after = field.to_python(before), field.to_python(after)
    elif isinstance(field, models.BooleanField):
        kind = "flag"
    elif isinstance(field, models.ManyToManyField):
        kind = "list"
    label = capfirst(getattr(field, "verbose_name", name))
    return Change(where, name, before, after, kind, str(label))


def _measure_change(where: str, name: str, kind: str, before: Any, after: Any) -> Change:
    """A change of one measure of a line (amounts are strings in the snapshot), typed back
    so the page shows it as it shows the cell."""
    if kind in ("amount", "percent", "integer"):
        as_number = models.DecimalField().to_python
        return Change(where, name, as_number(before), as_number(after), "number")
    return Change(where, name, before, after, "flag" if kind == "flag" else "text")


def diff(
    before: dict[str, Any] | None,
    after: dict[str, Any],
    measures: line_values.LineMeasures | None = None,
) -> dict[str, list[Change]]:
    """What changed between two frozen contents: appendix cells, narrative answers, facts.

    ``measures``: the campaign's (read from the campaign the content names when not given)."""
    if measures is None:
        campaign = Campaign.objects.filter(number=after.get("campaign")).first()
        measures = line_values.for_campaign(campaign) if campaign else line_values.LineMeasures()
    before = before or {"lines": [], "answers": {}, "facts": {}, "attachments": []}
    old_lines = {line["key"]: line for line in before["lines"]}
    new_lines = {line["key"]: line for line in after["lines"]}
    rows: list[Change] = []
    for key, line in new_lines.items():
        old = old_lines.get(key)
        for name, kind in measures.kinds.items():
            was = line_value(old, name, measures) if old is not None else None
            now = line_value(line, name, measures)
            if was != now:
                rows.append(_measure_change(line["label"], name, kind, was, now))
    for key, line in old_lines.items():
        if key not in new_lines:
            rows.append(Change(line["label"], "removed", line["label"], None))
    narrative = [
        Change(code, "answer", before["answers"].get(code, ""), text)
        for code, text in after["answers"].items()
        if before["answers"].get(code, "") != text
    ]
    facts = [
        _typed_change("facts", Submission, name, before["facts"].get(name), value)
        for name, value in after["facts"].items()
        if before["facts"].get(name) != value
    ]
    return {"rows": rows, "narrative": narrative, "facts": facts}
