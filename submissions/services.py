"""Writes to a submission's content while it is being drafted.

Every function locks the submission row, checks that the actor may still edit it
and that the form was drawn from the current revision (a form posted twice, or
over a newer save, changes nothing), writes everything in one transaction and
bumps the revision. Stage changes are not here: they belong to the workflow's
transition service.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from campaigns.models import AdministrativeUnit, Campaign, ProblemKind, TemplateRow
from core import clock

from . import selectors
from . import values as line_values
from .models import Attachment, LineItem, NarrativeAnswer, Submission

CUSTOM_ORDER_START = 10_000  # own sub-items come after the template's, in creation order


# Who may change a submission's content is the engine's rule (workflow.access.
# can_edit_submission: the unit's drafters, while the process holds it in drafting). The
# engine sets it when the apps load (workflow.apps), as drafting may not import the engine;
# until then nobody may edit.
EditRule = Callable[[User, Submission], bool]
_edit_rule: EditRule = lambda actor, submission: False  # noqa: E731


def edit_rule_set(rule: EditRule) -> None:
    global _edit_rule
    _edit_rule = rule


class SubmissionError(Exception):
    """A write that was refused; the message is for the user, in their language."""


class StaleRevision(SubmissionError):
    pass


def submission_create(*, campaign: Campaign, unit: AdministrativeUnit) -> Submission:
    """The unit's submission with an empty line for every appendix row that takes entries."""
    with transaction.atomic():
        submission, created = Submission.objects.get_or_create(campaign=campaign, unit=unit)
        if created:
            rows = list(campaign.rows.order_by("order"))
            parents = {r.parent_id for r in rows if r.parent_id}
            LineItem.objects.bulk_create(
                LineItem(
                    submission=submission,
                    row=row,
                    group_id=row.parent_id or row.pk,
                    order=row.order,
                )
                for row in rows
                if row.parent_id or row.pk not in parents
            )
    return submission


def _lock_for_edit(*, actor: User, submission: Submission, revision: int | None) -> Submission:
    """The submission locked for writing; ``revision=None`` leaves the revision to the caller."""
    locked = Submission.objects.select_for_update().select_related("unit").get(pk=submission.pk)
    if not _edit_rule(actor, locked):
        raise SubmissionError(_("This submission can no longer be edited at its current stage."))
    if revision is not None and locked.revision != revision:
        raise StaleRevision(
            _(
                "Nothing was saved: this form was already sent, or someone saved the "
                "submission after you opened it. The page now shows the latest version."
            )
        )
    return locked


def _bump(submission: Submission, actor: User) -> None:
    submission.revision += 1
    submission.updated_by = actor
    submission.updated_at = clock.now()
    submission.save(update_fields=["revision", "updated_by", "updated_at"])


def appendix_save(
    *,
    actor: User,
    submission: Submission,
    revision: int,
    values: Mapping[int, Mapping[str, Any]],
    add_to_group: TemplateRow | None = None,
    new_label: str = "",
    remove_line_id: int | None = None,
) -> Submission:
    """Save the entries of every line at once: all of them, or (on any error) none.

    The same save may add one of the province's own sub-items under a group, or
    remove one, so that what was typed in the table is never lost to it.
    """
    with transaction.atomic():
        locked = _lock_for_edit(actor=actor, submission=submission, revision=revision)
        lines = {line.pk: line for line in locked.lines.all()}
        if set(values) - set(lines):
            raise StaleRevision(_("The appendix changed while you were editing; reload the page."))
        measures = line_values.for_campaign(submission.campaign)
        for pk, fields in values.items():
            line = lines[pk]
            for name, value in fields.items():
                measures.set(line, name, value)
            line.full_clean(exclude=["submission", "row", "group"])
            line.save()
        if add_to_group is not None:
            _add_sub_item(locked, add_to_group, new_label)
        if remove_line_id is not None:
            _remove_sub_item(locked, remove_line_id)
        _bump(locked, actor)
    return locked


def appendix_import(
    *,
    actor: User,
    submission: Submission,
    fingerprint: str,
    values: Mapping[int, Mapping[str, Any]],
) -> int:
    """Save every line's entries read from a workbook the drafter downloaded and filled.

    The workbook replaces all the entries, so it is taken only if the appendix is
    still as it was when the file was downloaded (``fingerprint``): saves of the
    narrative or attachments since then do not matter, a save of the appendix
    does (the file would silently undo it). Only lines whose entries differ are
    written, through ``appendix_save``; if none differ, nothing is saved and the
    revision stays. Returns the number of lines changed.
    """
    with transaction.atomic():
        locked = _lock_for_edit(actor=actor, submission=submission, revision=None)
        lines = {line.pk: line for line in locked.lines.all()}
        if selectors.appendix_fingerprint(lines.values()) != fingerprint or set(values) - set(
            lines
        ):
            raise StaleRevision(stale_import_message())
        measures = line_values.for_campaign(submission.campaign)
        changed = {
            pk: fields
            for pk, fields in values.items()
            if any(
                not _same(
                    lines[pk].label if name == "label" else measures.get(lines[pk], name), value
                )
                for name, value in fields.items()
            )
        }
        if changed:
            appendix_save(actor=actor, submission=locked, revision=locked.revision, values=changed)
    return len(changed)


def stale_import_message() -> str:
    return _(
        "Nothing was imported: the appendix was saved after this file was downloaded, and "
        "the file would overwrite those changes. Download the appendix again, copy your "
        "entries into the new file and upload that one."
    )


def _same(saved: Any, new: Any) -> bool:
    """Equal as the user sees it: 60 is 60.00, and a line break is a line break."""
    if isinstance(saved, str) and isinstance(new, str):
        return saved.replace("\r\n", "\n") == new.replace("\r\n", "\n")
    if isinstance(saved, Decimal | float) and isinstance(new, Decimal | float | int):
        return Decimal(str(saved)) == Decimal(str(new))
    return bool(saved == new)


def _add_sub_item(submission: Submission, group: TemplateRow, label: str) -> LineItem:
    """Add the province's own sub-item under a group.

    A group that took entries itself (it had no sub-items) hands its entries to
    the first sub-item added, so nothing typed is lost and the group becomes a sum.
    """
    label = label.strip()
    if not label:
        raise SubmissionError(_("Give the new sub-item a name."))
    if group.parent_id is not None or group.campaign_id != submission.campaign_id:
        raise SubmissionError(_("Sub-items can only be added under a task group."))
    last = submission.lines.filter(group=group).aggregate(m=Max("order"))["m"] or 0
    order = max(last + 1, CUSTOM_ORDER_START)
    own = submission.lines.filter(row=group).first()
    if own is not None:
        own.row = None
        own.label = label
        own.order = order
        own.save(update_fields=["row", "label", "order"])
        return own
    return LineItem.objects.create(submission=submission, group=group, label=label, order=order)


def _remove_sub_item(submission: Submission, line_id: int) -> None:
    """Remove one of the province's own sub-items (template rows cannot be removed)."""
    line = submission.lines.filter(pk=line_id, row__isnull=True).select_related("group").first()
    if line is None:
        raise SubmissionError(_("Only sub-items added by the reporting unit can be removed."))
    group = line.group
    line.delete()
    if not group.children.exists() and not submission.lines.filter(group=group).exists():
        # The group takes entries itself again.
        LineItem.objects.create(submission=submission, row=group, group=group, order=group.order)


def narrative_save(
    *,
    actor: User,
    submission: Submission,
    revision: int,
    answers: Mapping[int, str],
    treasury_refusal_count: int | None,
    treasury_refusal_amount: Decimal | None,
    treasury_refusal_note: str,
    problem_kinds: list[ProblemKind],
) -> Submission:
    """Save the narrative answers and the structured facts together."""
    with transaction.atomic():
        locked = _lock_for_edit(actor=actor, submission=submission, revision=revision)
        valid_points = set(locked.campaign.sections.values_list("points__pk", flat=True))
        if set(answers) - valid_points:
            raise SubmissionError(_("The outline changed while you were editing; reload the page."))
        existing = {a.point_id: a for a in locked.answers.all()}
        for point_id, text in answers.items():
            answer = existing.get(point_id)
            if answer is None:
                NarrativeAnswer.objects.create(submission=locked, point_id=point_id, text=text)
            elif answer.text != text:
                answer.text = text
                answer.save(update_fields=["text"])
        locked.treasury_refusal_count = treasury_refusal_count
        locked.treasury_refusal_amount = treasury_refusal_amount
        locked.treasury_refusal_note = treasury_refusal_note
        locked.save(
            update_fields=[
                "treasury_refusal_count",
                "treasury_refusal_amount",
                "treasury_refusal_note",
            ]
        )
        locked.problem_kinds.set([p for p in problem_kinds if p.campaign_id == locked.campaign_id])
        _bump(locked, actor)
    return locked


def attachment_add(
    *,
    actor: User,
    submission: Submission,
    revision: int,
    content: bytes,
    original_name: str,
    content_type: str,
    description: str = "",
) -> Attachment:
    """Store a checked file. If anything fails after the file is written, the file goes too.

    Call it outside any wider transaction (views do): Django has no hook on
    rollback, so an outer rollback after this block commits would keep the file.
    """
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        locked = _lock_for_edit(actor=actor, submission=submission, revision=revision)
        if locked.attachments.filter(sha256=digest).exists():
            raise SubmissionError(_("This file is already attached to the submission."))
        attachment = Attachment(
            submission=locked,
            original_name=original_name[:255],
            content_type=content_type,
            size=len(content),
            sha256=digest,
            description=description,
            uploaded_by=actor,
        )
        attachment.file.save(digest, ContentFile(content), save=False)
        stored = attachment.file.name or ""
        try:
            attachment.save()
            _bump(locked, actor)
        except BaseException:
            attachment.file.storage.delete(stored)
            raise
    return attachment


def attachment_remove(
    *, actor: User, submission: Submission, revision: int, attachment_id: int
) -> None:
    with transaction.atomic():
        locked = _lock_for_edit(actor=actor, submission=submission, revision=revision)
        attachment = locked.attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise SubmissionError(_("That file is not attached to this submission."))
        name, storage = attachment.file.name or "", attachment.file.storage
        attachment.delete()
        _bump(locked, actor)
        transaction.on_commit(lambda: storage.delete(name))
