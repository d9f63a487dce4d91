"""The province's report prepared for its signatory: the official document they sign.

Rendered from the submission's content (which past drafting is the version being signed:
its digest is kept and must be the version's when the signed file comes back), with a
visible signature field at the signer's block, and stored byte for byte (signatures).
"""

from __future__ import annotations

from django.contrib.auth.models import User

from signatures.models import PreparedDocument
from signatures.pdf import with_signature_field
from signatures.services import prepared_store
from submissions.models import Submission
from workflow import snapshots

from .pdf import render_report

FIELD = "ChuKyNguoiKy"
ANCHOR = "chu-ky"


def report_prepare_for_signing(*, submission: Submission, signer: User) -> PreparedDocument:
    content_sha256 = snapshots.digest(snapshots.build(submission))
    latest = submission.versions.order_by("-number").first()
    number = latest.number if latest is not None else 0
    pdf = with_signature_field(
        render_report(submission, signer=signer), field_name=FIELD, anchor=ANCHOR
    )
    return prepared_store(
        kind=PreparedDocument.Kind.PROVINCE_REPORT,
        pdf=pdf,
        for_user=signer,
        reference=f"{submission.unit.code}/{submission.campaign.code} v{number}",
        content_sha256=content_sha256,
        submission=submission,
    )
