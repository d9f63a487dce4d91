"""Receipts: numbered per campaign, hash-chained per submission, verifiable by anyone.

A receipt is issued inside the transition's transaction (workflow.services), so a
transition that rolls back leaves neither a receipt nor a used number. Its hash
covers every fact it states and the hash of the submission's previous receipt.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db.models import F

from campaigns.models import Campaign
from receipts.models import Receipt
from submissions.models import Submission
from workflow import snapshots
from workflow.canonical import canonical
from workflow.models import AuditRecord

SIGNATURE_FACTS = {
    "signed_pdf_sha256": "signed_pdf_sha256",
    "signer_subject": "signer_subject",
    "signer_issuer": "signer_issuer",
    "signer_serial": "signer_serial",
    "signature_result": "signature_result",
}


def receipt_facts(receipt: Receipt) -> dict[str, str]:
    """What the hash covers, each in its canonical form (workflow.canonical). The signature's
    facts are covered when the step carried one (receipts without one keep their hash)."""
    signed = (
        {key: getattr(receipt, name) for key, name in SIGNATURE_FACTS.items()}
        if receipt.signed_pdf_sha256
        else {}
    )
    return {
        key: canonical(value)
        for key, value in {
            **signed,
            "campaign": receipt.campaign.number,
            "number": receipt.number,
            "submission": receipt.submission_id,
            "unit": receipt.unit_code,
            "actor": receipt.actor_username,
            "role": receipt.role,
            "action": receipt.action,
            "from": receipt.from_stage,
            "to": receipt.to_stage,
            "at": receipt.at,
            "reason": receipt.reason,
            "snapshot_sha256": receipt.snapshot_sha256,
            "previous_hash": receipt.previous_hash,
        }.items()
    }


def receipt_hash(receipt: Receipt) -> str:
    canonical = json.dumps(receipt_facts(receipt), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def receipt_issue(record: AuditRecord) -> Receipt:
    """Number and chain the receipt of a transition; call inside its transaction and lock."""
    submission = record.submission
    campaign = submission.campaign
    # The campaign row stays locked until the transition commits: numbers follow the
    # order of commits, and a rolled-back transition gives its number back.
    Campaign.objects.filter(pk=campaign.pk).update(receipts_issued=F("receipts_issued") + 1)
    number = Campaign.objects.values_list("receipts_issued", flat=True).get(pk=campaign.pk)
    previous = (
        Receipt.objects.filter(submission=submission)
        .order_by("-number")
        .values_list("hash", flat=True)
        .first()
    )
    actor = record.actor
    receipt = Receipt(
        campaign=campaign,
        number=number,
        submission=submission,
        record=record,
        unit_code=submission.unit.code,
        unit_name=submission.unit.full_name,
        actor_name=actor.get_full_name() or actor.get_username(),
        actor_username=actor.get_username(),
        role=record.role,
        action=record.action,
        from_stage=record.from_stage,
        to_stage=record.to_stage,
        at=record.at,
        reason=record.reason,
        snapshot_sha256=record.snapshot_sha256,
        previous_hash=previous or "",
        **signature_facts(record),
    )
    receipt.hash = receipt_hash(receipt)
    receipt.save()
    return receipt


def signature_facts(record: AuditRecord) -> dict[str, str]:
    """What a receipt says of the actor's own signature on the step, if it carried one."""
    signed = record.signed_document
    if signed is None:
        return {}
    # Codes, not translated words: the hash must not depend on the reader's language.
    result = f"valid; revocation {signed.revocation}"
    if signed.organisation_subject:
        result = f"{result}; issuing body {signed.organisation_subject}"
    return {
        "signed_pdf_sha256": signed.sha256,
        "signer_subject": signed.signer_subject,
        "signer_issuer": signed.signer_issuer,
        "signer_serial": signed.signer_serial,
        "signature_result": str(result)[:500],
    }


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    problem: str = ""
    receipt: Receipt | None = None


def check_receipt(receipt: Receipt, previous: Receipt | None) -> ChainCheck:
    """Does this receipt still say what it said, point at its predecessor, match its snapshot?"""
    if receipt_hash(receipt) != receipt.hash:
        return ChainCheck(False, "receipt facts changed", receipt)
    if receipt.previous_hash != (previous.hash if previous else ""):
        return ChainCheck(False, "chain broken", receipt)
    version = receipt.record.version
    if snapshots.digest(version.content) != receipt.snapshot_sha256:
        return ChainCheck(False, "snapshot changed", receipt)
    signed = receipt.record.signed_document
    if (signed.sha256 if signed else "") != receipt.signed_pdf_sha256:
        return ChainCheck(False, "signed report changed", receipt)
    return ChainCheck(True, receipt=receipt)


def check_chain(submission: Submission, *, upto: int | None = None) -> ChainCheck:
    """Check a submission's receipts in order (up to the receipt numbered ``upto``)."""
    previous = None
    receipts = (
        Receipt.objects.filter(submission=submission, **({"number__lte": upto} if upto else {}))
        .select_related("campaign", "record__version", "record__signed_document")
        .order_by("number")
    )
    for receipt in receipts:
        result = check_receipt(receipt, previous)
        if not result.ok:
            return result
        previous = receipt
    return ChainCheck(True, receipt=previous)


def files_under(top: str) -> set[str]:
    """The names of every file under the ``top`` folder of the media storage."""
    names: set[str] = set()
    folders = [top]
    while folders:
        folder = folders.pop()
        try:
            subfolders, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        folders.extend(f"{folder}/{sub}" for sub in subfolders)
        names.update(f"{folder}/{name}" for name in files)
    return names


def receipt_files_unreferenced() -> list[str]:
    """Files in the receipts folder of the media storage that no receipt names: a second
    render's file, or one whose row update was lost and never taken up."""
    named = set(Receipt.objects.exclude(pdf="").values_list("pdf", flat=True))
    return sorted(files_under("receipts") - named)
