"""The signatory's own signature at a step: whether it is required, and checking the upload.

Whether a step needs it is declared in workflow.transitions (``needs_signature``: the
provincial sign-off); whether that is enforced is the campaign's own choice, the ``signatures``
part of its definition (campaigns/schema/README.md), read here and nowhere else; a definition
that says nothing follows the settings SIGNOFF_REQUIRES_PERSONAL_SIGNATURE and
SIGNOFF_ORGANISATION_SIGNATURE.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from signatures.models import PreparedDocument, SignedDocument
from signatures.services import signed_document_record
from signatures.verification import check_signed_upload
from submissions.models import Submission

from .models import AuditRecord, SubmissionVersion
from .transitions import Transition


class SignatureMissing(Exception):
    pass


def _declared(campaign: Campaign) -> dict[str, Any]:
    part = (campaign.definition or {}).get("signatures")
    return part if isinstance(part, dict) else {}


def signature_required(transition: Transition, campaign: Campaign) -> bool:
    """Does taking ``transition`` in ``campaign`` need the actor's signed report?"""
    if not transition.needs_signature:
        return False
    declared = _declared(campaign).get("signoff")
    if declared is None:
        return bool(settings.SIGNOFF_REQUIRES_PERSONAL_SIGNATURE)
    return bool(declared == "personal")


def organisation_mode(campaign: Campaign) -> str:
    """The issuing body's signature on a signed report: "off", "optional" or "required"."""
    return str(_declared(campaign).get("organisation", settings.SIGNOFF_ORGANISATION_SIGNATURE))


def national_report_signable(campaign: Campaign) -> bool:
    """May the ministry's signer sign a version of ``campaign``'s national report?"""
    return _declared(campaign).get("national_report", "personal") == "personal"


def step_started(submission: Submission, transition: Transition) -> datetime.datetime:
    """When the report last arrived at the transition's stage."""
    arrived = (
        AuditRecord.objects.filter(submission=submission, to_stage=transition.source)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    return arrived or submission.created_at


def signed_report_accept(
    *,
    actor: User,
    submission: Submission,
    transition: Transition,
    version: SubmissionVersion,
    signed_pdf: bytes | None,
) -> SignedDocument:
    """Verify the signed upload against the reports prepared for ``actor`` from this version's
    content, and record it; raises signatures.verification.SignatureRefused (or
    SignatureMissing) with the user's message, having written nothing."""
    if not signed_pdf:
        raise SignatureMissing(
            _(
                "This step needs your digital signature: download the report to sign, sign it "
                "with your certificate, then upload the signed file."
            )
        )
    candidates = PreparedDocument.objects.filter(
        kind=PreparedDocument.Kind.PROVINCE_REPORT,
        submission=submission,
        for_user=actor,
        content_sha256=version.sha256,
    )
    accepted = check_signed_upload(
        data=signed_pdf,
        user=actor,
        candidates=candidates,
        not_before=step_started(submission, transition),
        organisation=organisation_mode(submission.campaign),
    )
    return signed_document_record(accepted=accepted, signer=actor)
