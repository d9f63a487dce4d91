"""Writes of the workflow app: roles and their scope, and every move of a submission."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from campaigns.models import AdministrativeUnit, Campaign, OutlinePoint
from core import clock
from core.enums import Action, Role, Stage
from signatures.services import signed_files_removed_on_failure
from signatures.verification import SignatureRefused
from submissions.models import Submission
from submissions.readiness import readiness_of
from submissions.services import submission_create

from . import access, flows, signoff, snapshots
from .deadlines import date_range, dues_of, out_of_range_message
from .models import (
    AuditRecord,
    CalendarException,
    DeadlineExtension,
    ReviewNote,
    SubmissionProcess,
    SubmissionVersion,
)
from .roles import NATIONAL_PERMISSIONS, UNIT_PERMISSION, group_name
from .signals import transition_done
from .transitions import process_for


@transaction.atomic
def roles_ensure_groups() -> dict[Role, Group]:
    """One group per role; the coordinator's and the campaign administrator's groups carry
    their national permissions."""
    groups = {role: Group.objects.get_or_create(name=group_name(role))[0] for role in Role}
    for role, codename in NATIONAL_PERMISSIONS.items():
        permission = Permission.objects.get(
            codename=codename, content_type__app_label=access.UNIT_APP
        )
        groups[role].permissions.add(permission)
    return groups


@transaction.atomic
def role_grant(*, user: User, role: Role, units: list[AdministrativeUnit] | None = None) -> None:
    """Put the user in the role's group and, for a per-unit role, scope it to ``units``."""
    group = roles_ensure_groups()[role]
    user.groups.add(group)
    access.forget_roles(user)
    codename = UNIT_PERMISSION.get(role)
    if codename is None:
        return
    for unit in units or []:
        assign_perm(f"{access.UNIT_APP}.{codename}", user, unit)


# --- Moving a submission -----------------------------------------------------------------


class TransitionError(Exception):
    """A transition that was refused; the message is for the user, and nothing changed."""


@dataclass(frozen=True)
class NoteInput:
    """A reviewer's note on an appendix line or an outline point (exactly one of them)."""

    text: str
    line_id: int | None = None
    point_id: int | None = None


def submission_start(*, campaign: Campaign, unit: AdministrativeUnit) -> Submission:
    """The unit's submission, with its process started in drafting (idempotent)."""
    submission = submission_create(campaign=campaign, unit=unit)
    if not SubmissionProcess.objects.filter(submission=submission).exists():
        with transaction.atomic():
            flows.SubmissionFlow.start.run(submission=submission)
    return submission


def _active_task(process: SubmissionProcess, node: str) -> Task | None:
    return (
        process.task_set.filter(
            flow_task=getattr(flows.SubmissionFlow, node),
            status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED],
        )
        .select_related("owner")
        .first()
    )


def _freeze(
    submission: Submission, actor: User, at: datetime.datetime, *, editable: bool
) -> SubmissionVersion:
    """The current content as a version: the latest one if nothing changed, else a new one.

    Content can change only while it is being drafted (access.can_edit_submission, under
    the same row lock), so past drafting the latest version is the content as it stands.
    """
    if not editable:
        latest = submission.versions.order_by("-number").first()
        if latest is not None:
            return latest
    content = snapshots.build(submission)
    sha = snapshots.digest(content)
    latest = submission.versions.order_by("-number").first()
    if latest is not None and latest.sha256 == sha:
        return latest
    return SubmissionVersion.objects.create(
        submission=submission,
        number=(latest.number + 1) if latest else 1,
        content=content,
        sha256=sha,
        created_at=at,
        created_by=actor,
    )


def _check_notes(submission: Submission, notes: list[NoteInput]) -> list[ReviewNote]:
    lines = {line.pk: line for line in submission.lines.select_related("row")}
    points = {
        p.pk: p
        for p in OutlinePoint.objects.filter(section__campaign=submission.campaign).select_related(
            "section"
        )
    }
    built = []
    for note in notes:
        text = note.text.strip()
        if not text:
            continue
        if note.line_id is not None and note.line_id in lines:
            line = lines[note.line_id]
            built.append(ReviewNote(line=line, target_label=line.display_label, text=text))
        elif note.point_id is not None and note.point_id in points:
            point = points[note.point_id]
            built.append(ReviewNote(point=point, target_label=point.display_code, text=text))
        else:
            raise TransitionError(_("A note refers to a row or point that is not in this report."))
    return built


def submission_transition(
    *,
    actor: User,
    submission: Submission,
    action: Action | str,
    expected_stage: Stage | str,
    reason: str = "",
    notes: list[NoteInput] | None = None,
    at: datetime.datetime | None = None,
    signed_pdf: bytes | None = None,
) -> AuditRecord:
    """The one way a submission moves: check, lock, freeze, complete the task, record, notify.

    ``expected_stage`` is the stage the actor saw: if someone moved the submission
    meanwhile, the second click changes nothing and says so. ``signed_pdf``: the actor's
    signed report, for a step that needs their signature (workflow.signoff).
    """
    reason = reason.strip()
    at = at or clock.now()
    process_pk = SubmissionProcess.objects.values_list("pk", flat=True).get(submission=submission)
    try:
        with signed_files_removed_on_failure():
            return _transition_locked(
                process_pk, actor, submission, action, expected_stage, reason, notes, at, signed_pdf
            )
    except FlowLockFailed:
        raise TransitionError(
            _("Nothing was done: someone else is acting on this submission right now. Try again.")
        ) from None


def _transition_locked(
    process_pk: int,
    actor: User,
    submission: Submission,
    action: Action | str,
    expected_stage: Stage | str,
    reason: str,
    notes: list[NoteInput] | None,
    at: datetime.datetime,
    signed_pdf: bytes | None,
) -> AuditRecord:
    with flows.SubmissionFlow.lock(process_pk):
        locked = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("unit", "campaign")
            .get(pk=submission.pk)
        )
        if locked.stage != expected_stage:
            raise TransitionError(
                _(
                    "Nothing was done: the submission has meanwhile moved to “%(stage)s”. "
                    "The page now shows where it stands."
                )
                % {"stage": Stage(locked.stage).label}
            )
        transition = process_for(locked.campaign).find(locked.stage, action)
        process = SubmissionProcess.objects.select_related("last_submitter").get(pk=process_pk)
        if transition is None:
            raise TransitionError(str(access.NOT_NOW))
        refusal = access.transition_refusal(
            actor, locked, transition, submitter_id=process.last_submitter_id
        )
        if refusal is not None:
            raise TransitionError(refusal)
        if transition.needs_reason and not reason:
            raise TransitionError(_("Give the reason: it is sent to the drafter."))
        if transition.needs_ready_content and not readiness_of(locked).ready:
            raise TransitionError(
                _("The submission is not complete yet: see the list of what is still missing.")
            )
        review_notes = _check_notes(locked, notes) if notes else []
        task = _active_task(process, transition.node)
        if task is None:  # the stage copy and the process disagree: never act on a guess
            raise TransitionError(str(access.NOT_NOW))

        version = _freeze(locked, actor, at, editable=transition.source == Stage.DRAFTING)
        signed = None
        if signoff.signature_required(transition, locked.campaign):
            try:
                signed = signoff.signed_report_accept(
                    actor=actor,
                    submission=locked,
                    transition=transition,
                    version=version,
                    signed_pdf=signed_pdf,
                )
            except (signoff.SignatureMissing, SignatureRefused) as exc:
                raise TransitionError(str(exc)) from None
        if transition.submits:
            process.last_submitter = actor
            process.save(update_fields=["last_submitter"])

        process.submission = locked
        task.process = process  # the loaded instance: viewflow need not fetch it again
        # The table chose the branch: the flow opens its task, no gate decides again.
        flows.advance(
            task,
            actor=actor,
            to=transition.target,
            owner=process.last_submitter if transition.sends_back else None,
        )
        Submission.objects.filter(pk=locked.pk).update(stage=transition.target)
        record = AuditRecord.objects.create(
            submission=locked,
            actor=actor,
            role=transition.role,
            at=at,
            action=transition.action,
            from_stage=transition.source,
            to_stage=transition.target,
            reason=reason,
            version=version,
            snapshot_sha256=version.sha256,
            signed_document=signed,
        )
        for note in review_notes:
            note.record = record
        ReviewNote.objects.bulk_create(review_notes)
        record.submission = locked
        record.actor = actor
        transition_done.send(sender=SubmissionProcess, record=record)
    submission.stage = transition.target
    return record


def deadline_extend(
    *, actor: User, submission: Submission, due: datetime.date, reason: str
) -> DeadlineExtension:
    """The coordinator gives one province a new deadline, with a reason (kept for good).

    The latest extension is in force, so a new one also corrects an earlier one, down to
    the campaign's own deadline (which undoes it); it stays within the campaign's range.
    """
    reason = reason.strip()
    if not access.is_national(actor):
        raise TransitionError(_("Only the ministry coordinator can extend a deadline."))
    if not reason:
        raise TransitionError(_("Give the reason for the extension."))
    campaign = submission.campaign
    if not campaign.accepts_drafting:
        raise TransitionError(
            str(access.CAMPAIGN_CLOSED if campaign.accepts_review else access.CAMPAIGN_ARCHIVED)
        )
    if due < campaign.deadline:
        raise TransitionError(
            _("The new deadline cannot come before the campaign's deadline (%(day)s).")
            % {"day": campaign.deadline.strftime("%d/%m/%Y")}
        )
    if due > date_range(campaign)[1]:
        raise TransitionError(out_of_range_message(campaign))
    with transaction.atomic():
        # The submission's row lock, as a transition takes it: a second coordinator extending
        # at the same moment waits, then checks against the first one's new deadline.
        Submission.objects.select_for_update(of=("self",)).only("pk").get(pk=submission.pk)
        current = dues_of(submission).province_due
        if due == current:
            raise TransitionError(
                _("The deadline is already %(day)s.") % {"day": current.strftime("%d/%m/%Y")}
            )
        return DeadlineExtension.objects.create(
            submission=submission, due=due, reason=reason, by=actor, at=clock.now()
        )


# --- The schedule the coordinator keeps ------------------------------------------------------


def stage_schedule_set(
    *,
    actor: User,
    campaign: Campaign,
    offsets: dict[str, int],
    fixed: dict[str, datetime.date | None],
) -> None:
    """Set every stage's due day of a campaign at once: working days from the deadline, or a
    fixed day when one is given."""
    from .models import StageSchedule

    if not access.is_national(actor):
        raise TransitionError(_("Only the ministry coordinator can change the due dates."))
    if not campaign.accepts_review:
        raise TransitionError(str(access.CAMPAIGN_ARCHIVED))
    with transaction.atomic():
        for stage, offset in offsets.items():
            StageSchedule.objects.update_or_create(
                campaign=campaign,
                stage=stage,
                defaults={"offset": offset, "due_on": fixed.get(stage)},
            )


def calendar_day_set(*, actor: User, day: datetime.date, kind: str, note: str) -> CalendarException:
    """Mark one day as an extra day off or a make-up working day (replacing what it was)."""
    if not access.is_national(actor):
        raise TransitionError(_("Only the ministry coordinator can change the calendar."))
    exception, _created = CalendarException.objects.update_or_create(
        day=day, defaults={"kind": kind, "note": note.strip()}
    )
    return exception


def calendar_day_clear(*, actor: User, day: datetime.date) -> None:
    if not access.is_national(actor):
        raise TransitionError(_("Only the ministry coordinator can change the calendar."))
    CalendarException.objects.filter(day=day).delete()
