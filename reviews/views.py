"""Inbox, decisions and the review screen: thin views over workflow access, selectors, services."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from core.downloads import private_file_response
from receipts.signoff import FIELD as SIGNATURE_FIELD
from receipts.signoff import report_prepare_for_signing
from signatures.forms import PKCS12_PASSWORD, signed_bytes
from signatures.verification import SignatureRefused
from submissions import selectors as content
from submissions import values as line_values
from submissions.models import Submission
from workflow import access, selectors, services, signoff
from workflow.models import SubmissionVersion
from workflow.snapshots import build
from workflow.transitions import process_for

from .forms import DecisionForm, ExtensionForm


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "reviews/inbox.html", {"inbox": selectors.inbox(_user(request))})


def _may_sign(user: User, submission: Submission, action: str | None = None) -> bool:
    """May ``user`` take a step of ``submission`` now (``action``, or any) that needs their
    signature?"""
    # Whether such a step exists at this stage is read from the process (no query); only
    # then is it asked whether this user may take it now.
    needing = [
        t
        for t in process_for(submission.campaign).transitions_from(submission.stage)
        if (action is None or t.action == action)
        and signoff.signature_required(t, submission.campaign)
    ]
    return bool(needing) and any(
        t in needing for t in access.available_transitions(user, submission)
    )


def _prepared_bytes(submission: Submission, user: User) -> bytes:
    prepared = report_prepare_for_signing(submission=submission, signer=user)
    with prepared.pdf.open("rb") as fh:
        return bytes(fh.read())


@sensitive_post_parameters(PKCS12_PASSWORD)
@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    submission = access.get_submission_for_user_or_404(user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        if "action" in form.errors or "expected_stage" in form.errors:
            messages.error(request, _("Nothing was done: the request was incomplete."))
        for error in [*form.errors.get("reason", []), *form.non_field_errors()]:
            messages.error(request, _("Nothing was done: %(error)s") % {"error": error})
        return redirect(submission)
    try:
        signed_pdf = (
            signed_bytes(
                request,
                prepare=lambda: _prepared_bytes(submission, user),
                field_name=SIGNATURE_FIELD,
            )
            if _may_sign(user, submission, form.cleaned_data["action"])
            else None
        )
    except SignatureRefused as exc:
        messages.error(request, str(exc))
        return redirect(submission)
    try:
        record = services.submission_transition(
            actor=user,
            submission=submission,
            action=form.cleaned_data["action"],
            expected_stage=form.cleaned_data["expected_stage"],
            reason=form.cleaned_data["reason"],
            notes=form.notes(),
            signed_pdf=signed_pdf,
        )
    except services.TransitionError as exc:
        messages.error(request, str(exc))
        return redirect(submission)
    done = process_for(submission.campaign).taken(record.from_stage, record.action)
    messages.success(request, done.done_message())
    return redirect(submission)


@login_required
def signing_copy(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The report to sign, for the one who may sign it off now: rendered, with its visible
    signature field, and kept byte for byte (the signed upload must start with it)."""
    user = _user(request)
    submission = access.get_submission_for_user_or_404(user, pk)
    if not _may_sign(user, submission):
        raise Http404
    prepared = report_prepare_for_signing(submission=submission, signer=user)
    return private_file_response(
        prepared.pdf,
        filename=f"bao-cao-de-ky-{submission.unit.code}.pdf",
        content_type="application/pdf",
    )


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed since the version this reviewer last saw, side by side, with the decision."""
    user = _user(request)
    submission = access.get_submission_for_user_or_404(user, pk)
    latest = submission.versions.order_by("-number").first()
    current = latest.content if latest else build(submission)
    seen: SubmissionVersion | None = selectors.version_seen_by(user, submission)
    changes = selectors.diff(
        seen.content if seen else None, current, line_values.for_campaign(submission.campaign)
    )
    # A changed cell is named by its column's whole header path, as the grid names it.
    labels = content.measure_names(submission.campaign)
    points = {p.code: p for s in content.outline(submission.campaign) for p in s.points.all()}
    return render(
        request,
        "reviews/review.html",
        {
            "submission": submission,
            "latest": latest,
            "seen": seen,
            "changes": changes,
            "labels": labels,
            "points": points,
            "lines": content.appendix_lines(submission),
            "actions": access.available_transitions(user, submission),
            "signing": _may_sign(user, submission),
            "tab": "review",
        },
    )


@login_required
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator moves one province's deadline, with a reason."""
    user = _user(request)
    submission = access.get_submission_for_user_or_404(user, pk)
    form = ExtensionForm(request.POST, campaign=submission.campaign)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(submission)
    try:
        extension = services.deadline_extend(
            actor=user,
            submission=submission,
            due=form.cleaned_data["due"],
            reason=form.cleaned_data["reason"],
        )
    except services.TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The deadline of %(unit)s is now %(day)s.")
            % {"unit": submission.unit.full_name, "day": extension.due.strftime("%d/%m/%Y")},
        )
    return redirect(submission)
