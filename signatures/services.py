"""Writes of the signatures app: a document prepared for a signatory, an accepted signature.

An accepted signed file is the only copy of what the signatory sent, so it is written before
the step's transaction commits (a step that commits has its file); a step that fails after
writing it removes it again (``signed_files_removed_on_failure``), so a refused or rolled
back step leaves no file. A file left by a process that died in between is found by
``manage.py verify_receipts --files``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from asn1crypto import x509 as asn1_x509
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import DatabaseError

from core import clock
from submissions.models import Submission

from .certificates import facts_of, load_certificate
from .models import PreparedDocument, SignedDocument, TrustAnchor, UserCertificate
from .verification import Accepted


def prepared_store(
    *,
    kind: str,
    pdf: bytes,
    for_user: User,
    reference: str,
    content_sha256: str,
    submission: Submission | None = None,
) -> PreparedDocument:
    """Keep the exact bytes handed to the signatory, with their hash: a signed upload must
    start with them."""
    sha = hashlib.sha256(pdf).hexdigest()
    prepared = PreparedDocument(
        kind=kind,
        submission=submission,
        reference=reference,
        content_sha256=content_sha256,
        for_user=for_user,
        sha256=sha,
        created_at=clock.now(),
    )
    prepared.pdf.save(f"{sha}.pdf", ContentFile(pdf), save=False)
    prepared.save()
    return prepared


_written: ContextVar[list[str] | None] = ContextVar("signed_files_written", default=None)


@contextmanager
def signed_files_removed_on_failure() -> Iterator[None]:
    """Around a step's transaction that may record a signed document: if it fails, the signed
    files written inside are deleted again."""
    written: list[str] = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        storage = SignedDocument._meta.get_field("pdf").storage
        for name in written:
            if not _recorded(name):
                storage.delete(name)
        raise
    finally:
        _written.reset(token)


def _recorded(name: str) -> bool:
    """Does a committed row name this file? A failure after the commit (a callback run on
    commit) must not remove the file of a step that was recorded. When the database cannot
    tell, the file is kept: verify_receipts --files names it if nothing does."""
    try:
        return SignedDocument.objects.filter(pdf=name).exists()
    except DatabaseError:
        return True


def signed_document_record(*, accepted: Accepted, signer: User) -> SignedDocument:
    """Store an accepted signed document; call inside the transaction of the step it completes,
    itself inside ``signed_files_removed_on_failure``."""
    signed = SignedDocument(
        prepared=accepted.prepared,
        signer=signer,
        certificate=accepted.certificate,
        sha256=accepted.sha256,
        signer_subject=accepted.subject,
        signer_issuer=accepted.issuer,
        signer_serial=accepted.serial,
        signing_time=accepted.signing_time,
        organisation_subject=accepted.organisation_subject,
        revocation=accepted.revocation,
        revocation_note=accepted.revocation_note,
        validated_at=clock.now(),
    )
    signed.pdf.save(f"{accepted.sha256}.pdf", ContentFile(accepted.data), save=False)
    written = _written.get()
    if written is not None:
        written.append(str(signed.pdf.name))
    signed.save()
    return signed


def trust_anchor_fill(anchor: TrustAnchor, cert: asn1_x509.Certificate) -> None:
    facts = facts_of(cert)
    anchor.certificate = cert.dump()
    anchor.subject, anchor.sha256, anchor.not_after = facts.subject, facts.sha256, facts.not_after


def user_certificate_fill(registered: UserCertificate, cert: asn1_x509.Certificate) -> None:
    facts = facts_of(cert)
    registered.certificate = cert.dump()
    registered.subject, registered.issuer = facts.subject, facts.issuer
    registered.issuer_key, registered.serial = facts.issuer_key, facts.serial
    registered.subject_key_id, registered.sha256 = facts.subject_key_id, facts.sha256
    registered.not_before, registered.not_after = facts.not_before, facts.not_after


def trust_anchor_add(*, name: str, certificate: bytes, kind: str = "root") -> TrustAnchor:
    anchor = TrustAnchor(name=name, kind=kind)
    trust_anchor_fill(anchor, load_certificate(certificate))
    anchor.save()
    return anchor


def user_certificate_register(
    *,
    user: User,
    certificate: bytes,
    registered_by: User | None = None,
    subject_identifier: str = "",
) -> UserCertificate:
    """Register a signing certificate (PEM or DER) to a user's account."""
    registered = UserCertificate(
        user=user, registered_by=registered_by, subject_identifier=subject_identifier
    )
    user_certificate_fill(registered, load_certificate(certificate))
    registered.save()
    return registered
