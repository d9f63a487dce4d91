"""Writes of the national app: the coordinator's consolidation run.

A run is one transaction. It locks the campaign row, moves every submission waiting
in "consolidation" through workflow.services.submission_transition (so each gets
its audit record, receipt and stage change like any other step), then writes a new
numbered version of the national report with rows of its own: every reporting unit
(included or not, on time or late), the figures of every included province copied
inside the database (INSERT ... SELECT) from its content, and every figure of the
report aggregated from those in SQL (national.figures). If anything fails, nothing of
the run remains: no version, no moved submission, no receipt or number.

Why copying from the live lines is sound: a submission's content changes only while
it is drafted, and leaving drafting freezes it as a SubmissionVersion; a submission
in "consolidated" therefore holds exactly its accepted version, which the run checks
(the accepted version is the latest one). A reopened submission is back in drafting
and leaves the next version until it is accepted again; the versions made before
keep the rows they copied.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import DatabaseError, connections, transaction
from django.db.models import Model, QuerySet, Value
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from core import clock
from core.enums import Action, Stage
from receipts.tasks import schedule_render
from signatures.models import PreparedDocument
from signatures.pdf import with_signature_field
from signatures.services import (
    prepared_store,
    signed_document_record,
    signed_files_removed_on_failure,
)
from signatures.verification import SignatureRefused, check_signed_upload
from submissions.models import LineItem, Submission
from workflow import deadlines, signoff
from workflow.models import SubmissionProcess
from workflow.services import TransitionError, submission_transition

from . import access, figures, selectors
from .models import (
    NationalVersion,
    VersionDocument,
    VersionFigures,
    VersionLine,
    VersionProblem,
    VersionProvince,
    VersionSignature,
)
from .tasks import render_version_pdf, store_version_pdf


class ConsolidationError(Exception):
    """A run that was refused; the message is for the user, and nothing changed."""


def consolidation_run(
    *, actor: User, campaign: Campaign, at: datetime.datetime | None = None
) -> NationalVersion:
    """Consolidate every accepted submission not yet in the national report: a new version."""
    if not access.can_consolidate(actor):
        raise ConsolidationError(_("Only the ministry coordinator can consolidate."))
    with transaction.atomic():
        version = _run(actor, campaign, at or clock.now())
        # Frozen, so its PDF is rendered once, after the commit, and kept (national.tasks).
        schedule_render(render_version_pdf, version.pk)
    return version


def _run(actor: User, campaign: Campaign, at: datetime.datetime) -> NationalVersion:
    # The campaign row serialises runs: a double click waits here, then finds nothing new.
    # Every transition's receipt takes the same row (receipts.services), so while the run
    # holds it no submission of the campaign can commit a move, a reopen included.
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.accepts_review:
        raise ConsolidationError(_("The campaign is archived: its national report is final."))
    todo = selectors.pending(campaign)
    previous = todo.latest
    if not todo:
        raise ConsolidationError(
            _(
                "Nothing to consolidate: no report has been accepted since version "
                "%(number)s. The national report is unchanged."
            )
            % {"number": previous.number}
            if previous
            else _(
                "Nothing to consolidate: no report has been accepted by the ministry yet. "
                "No national report was made."
            )
        )
    _hold_processes(todo.waiting)
    for submission in todo.waiting:
        try:
            submission_transition(
                actor=actor,
                submission=submission,
                action=Action.CONSOLIDATE,
                expected_stage=Stage.CONSOLIDATION,
                at=at,
            )
        except TransitionError as exc:  # the whole run rolls back: moves, receipts, numbers
            raise ConsolidationError(
                _("Nothing was consolidated. %(unit)s: %(problem)s")
                % {"unit": submission.unit.full_name, "problem": str(exc)}
            ) from None
    version = NationalVersion.objects.create(
        campaign=campaign,
        number=previous.number + 1 if previous else 1,
        created_at=at,
        created_by=actor,
    )
    _write_provinces(version, selectors.frozen_in(previous))
    # The frozen copy keeps the lines' numeric slots the campaign's measures use, slot for
    # slot (national.figures reads them through the definition).
    stored = figures.plan_for(campaign).line_slots
    _copy(
        VersionLine,
        ["version", "province", "group", "row", "label", *stored],
        LineItem.objects.filter(
            submission__national_rows__version=version,
            submission__national_rows__status=VersionProvince.Status.INCLUDED,
        ).values_list(
            Value(version.pk),
            "submission__national_rows__id",
            "group_id",
            "row_id",
            "label",
            *stored,
        ),
    )
    figures_freeze(version)
    through = Submission.problem_kinds.through
    _copy(
        VersionProblem,
        ["version", "province", "kind"],
        through.objects.filter(
            submission__national_rows__version=version,
            submission__national_rows__status=VersionProvince.Status.INCLUDED,
        ).values_list(Value(version.pk), "submission__national_rows__id", "problemkind_id"),
    )
    return version


def figures_freeze(version: NationalVersion) -> int:
    """Every figure of the version, aggregated from its frozen lines into VersionFigures: one
    INSERT ... SELECT ... GROUP BY per scope (national.figures). A step of the run."""
    return sum(_copy(VersionFigures, fields, select) for fields, select in figures.sources(version))


def _hold_processes(submissions: list[Submission]) -> None:
    """Take each waiting submission's process row lock now, without waiting for it.

    submission_transition takes the same locks (viewflow's NOWAIT select_for_update), and
    this transaction then already holds them. Taken here, in a savepoint of our own, a lock
    someone else holds (a reviewer pressing the button on that submission's page this very
    moment) is a clear refusal: nested in a run, viewflow's own retry cannot recover from
    the failed statement.
    """
    for submission in submissions:
        try:
            with transaction.atomic():
                SubmissionProcess.objects.select_for_update(nowait=True).filter(
                    submission=submission
                ).exists()
        except DatabaseError:
            raise ConsolidationError(
                _(
                    "Nothing was consolidated: someone is acting on the report of %(unit)s "
                    "right now. Try again in a moment."
                )
                % {"unit": submission.unit.full_name}
            ) from None


def _write_provinces(version: NationalVersion, frozen: set[tuple[int, int]]) -> None:
    """One row per reporting unit: included at its accepted content, or missing; on time or late."""
    campaign = version.campaign
    included = {row.submission.unit_id: row for row in selectors.consolidated(campaign)}
    stale = [
        row.submission.unit.full_name
        for row in included.values()
        if row.accepted_version != row.latest_version
    ]
    if stale:  # content changed after acceptance: never put it in a national report
        raise ConsolidationError(
            _("Nothing was consolidated: the content of %(units)s changed after acceptance.")
            % {"units": ", ".join(stale)}
        )
    others = {
        s.unit_id: (s, s.province_due, s.reached_ministry_at)
        for s in Submission.objects.filter(campaign=campaign)
        .exclude(stage=Stage.CONSOLIDATED)
        .select_related("campaign")
        .annotate(
            province_due=deadlines.province_due(),
            reached_ministry_at=deadlines.reached_ministry_at(),
        )
    }
    reckoner = deadlines.Reckoner()
    rows = []
    for unit in campaign.units.order_by("code"):
        accepted = included.get(unit.pk)
        if accepted is not None:
            submission = accepted.submission
            due, reached = accepted.province_due, accepted.reached_ministry_at
        elif unit.pk in others:
            submission, due, reached = others[unit.pk]
        else:  # a unit that never opened its report is read as an untouched draft
            submission = Submission(campaign=campaign, unit=unit)
            due, reached = campaign.deadline, None
        standing = reckoner.standing(
            campaign,
            due,
            untouched=deadlines.is_untouched(submission.stage, submission.revision),
            reached_at=reached,
        )
        if accepted is not None:
            rows.append(
                VersionProvince(
                    version=version,
                    unit=unit,
                    submission=submission,
                    status=VersionProvince.Status.INCLUDED,
                    entered=(submission.pk, accepted.accepted_version) not in frozen,
                    stage=submission.stage,
                    standing=standing.status,
                    due=standing.due,
                    reached_ministry_at=reached,
                    submission_version_id=accepted.accepted_version,
                    consolidation_id=accepted.consolidation_id,
                    treasury_refusal_count=submission.treasury_refusal_count,
                    treasury_refusal_amount=submission.treasury_refusal_amount,
                )
            )
        else:
            rows.append(
                VersionProvince(
                    version=version,
                    unit=unit,
                    submission=submission if submission.pk else None,
                    status=VersionProvince.Status.MISSING,
                    stage=submission.stage if submission.pk else "",
                    standing=standing.status,
                    due=standing.due,
                    reached_ministry_at=reached,
                )
            )
    VersionProvince.objects.bulk_create(rows)


def _copy(model: type[Model], fields: Sequence[str], source: QuerySet[Model]) -> int:
    """INSERT INTO model (fields) SELECT ...: rows copied inside the database, in one statement.

    ``source`` is a values_list() whose expressions are in the order of ``fields``.
    """
    sql, params = source.order_by().query.sql_with_params()
    connection = connections[source.db]
    quote = connection.ops.quote_name
    column = {f.name: str(f.column) for f in model._meta.concrete_fields}
    columns = ", ".join(quote(column[f]) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) {sql}", params)
        return int(cursor.rowcount)


# --- The ministry's signer signs a version ----------------------------------------------------

SIGNATURE_FIELD = "ChuKyBo"
SIGNATURE_ANCHOR = "chu-ky"


class VersionSigningError(Exception):
    """A signed version refused; the message is for the user, and nothing changed."""


def _reference(version: NationalVersion) -> str:
    return f"national:{version.campaign.code}:v{version.number}"


def version_signing_refusal(actor: User, version: NationalVersion) -> str | None:
    """Why ``actor`` may not sign ``version`` now, for the user; None if they may."""
    existing = VersionSignature.objects.filter(version=version).select_related("signed").first()
    if existing is not None:
        return _("Version %(number)s is already signed (%(subject)s); nothing was changed.") % {
            "number": version.number,
            "subject": existing.signed.signer_subject,
        }
    if not access.can_sign_version(actor, version):
        return _(
            "You may not sign the national report: it is signed by the ministry coordinator "
            "with a registered certificate."
        )
    return None


def version_prepare_for_signing(*, version: NationalVersion, signer: User) -> PreparedDocument:
    """The version's document with a visible signature field at the signer's block, kept byte
    for byte: the signed upload must start with it. Its content digest is the document's."""
    refusal = version_signing_refusal(signer, version)
    if refusal is not None:
        raise VersionSigningError(refusal)
    document = store_version_pdf(version_pk=version.pk, wait=True)
    if document is None:  # the version was deleted meanwhile: it cannot be
        raise VersionSigningError(_("This version of the national report cannot be found."))
    with document.pdf.open("rb") as fh:
        rendered = fh.read()
    return prepared_store(
        kind=PreparedDocument.Kind.NATIONAL_REPORT,
        pdf=with_signature_field(rendered, field_name=SIGNATURE_FIELD, anchor=SIGNATURE_ANCHOR),
        for_user=signer,
        reference=_reference(version),
        content_sha256=document.pdf_sha256,
    )


def version_sign(
    *, actor: User, version: NationalVersion, signed_pdf: bytes | None
) -> VersionSignature:
    """Accept ``actor``'s signed upload of the version prepared for them, with the same
    verification as a province's signed report; the signed PDF becomes the version's document.
    Refused (VersionSigningError, nothing written) otherwise."""
    if not signed_pdf:
        raise VersionSigningError(
            _(
                "Choose the signed file: download the version to sign, sign it with your "
                "certificate, then upload the signed PDF."
            )
        )
    with signed_files_removed_on_failure(), transaction.atomic():
        locked = (
            NationalVersion.objects.select_for_update(of=("self",))
            .select_related("campaign")
            .get(pk=version.pk)
        )
        refusal = version_signing_refusal(actor, locked)
        if refusal is not None:
            raise VersionSigningError(refusal)
        document = VersionDocument.objects.filter(version=locked).first()
        candidates = PreparedDocument.objects.filter(
            kind=PreparedDocument.Kind.NATIONAL_REPORT,
            reference=_reference(locked),
            for_user=actor,
            content_sha256=document.pdf_sha256 if document else "-",
        )
        try:
            accepted = check_signed_upload(
                data=signed_pdf,
                user=actor,
                candidates=candidates,
                not_before=locked.created_at,
                organisation=signoff.organisation_mode(locked.campaign),
            )
        except SignatureRefused as exc:
            raise VersionSigningError(str(exc)) from None
        signed = signed_document_record(accepted=accepted, signer=actor)
        return VersionSignature.objects.create(version=locked, signed=signed, at=clock.now())
