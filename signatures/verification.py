"""Is this signed upload the signatory's valid signature on the document prepared for them?

One function, ``check_signed_upload``, says yes (``Accepted``) or refuses with the reason
(``SignatureRefused``, a message for the user). It writes nothing: the caller records an
accepted signature inside its own transaction (signatures.services).

The checks, in order: a bounded, readable PDF with a signature; the bytes before the first
signature are exactly a document we prepared for this user (so nothing can be swapped), and
the signature is the next revision after them; every signature intact, the last one covering
the whole file (no content added after signing); then the person's certificate: key usage
for signing, valid at the signing time, chaining to the administrator's trust list, not
revoked (CRL/OCSP when reachable: otherwise recorded as not checked, or refused when the
policy requires it), registered to this user; and a signing time inside the step.
"""

from __future__ import annotations

import datetime
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from core import clock
from core.eventloop import outside_event_loop

from .certificates import identifiers_of, name_key
from .models import PreparedDocument, SignedDocument, TrustAnchor, UserCertificate

SIGNING_USAGES = frozenset({"digital_signature", "non_repudiation"})
REQUIRE = "require"  # SIGNATURE_REVOCATION_POLICY: refuse when revocation cannot be checked


class SignatureRefused(Exception):
    """The upload is not accepted; the message says why, for the user."""


def _refuse(message: str) -> SignatureRefused:
    return SignatureRefused(_("The signed file was not accepted: %(reason)s") % {"reason": message})


def max_bytes() -> int:
    return int(settings.SIGNED_PDF_MAX_BYTES)


def too_large_message() -> str:
    return str(
        _refuse(
            _("the file is larger than %(limit)s MB.") % {"limit": max_bytes() // (1024 * 1024)}
        )
    )


@dataclass(frozen=True)
class Accepted:
    prepared: PreparedDocument
    certificate: UserCertificate
    data: bytes
    sha256: str
    subject: str
    issuer: str
    serial: str
    signing_time: datetime.datetime
    organisation_subject: str
    revocation: str
    revocation_note: str


def trust_context(*, moment: datetime.datetime | None = None) -> ValidationContext:
    """The administrator's trust list as a validation context; fetching CRLs and OCSP answers
    now, or (``moment``: a later re-verification) at that time from what is embedded."""
    anchors = list(TrustAnchor.objects.filter(active=True))
    roots = [asn1_x509.Certificate.load(bytes(a.certificate)) for a in anchors if a.kind == "root"]
    others = [asn1_x509.Certificate.load(bytes(a.certificate)) for a in anchors if a.kind != "root"]
    if not roots:
        raise _refuse(_("no trusted certificate authority is configured; tell the administrator."))
    if moment is not None:
        return ValidationContext(
            trust_roots=roots, other_certs=others, moment=moment, revocation_mode="soft-fail"
        )
    mode = "hard-fail" if settings.SIGNATURE_REVOCATION_POLICY == REQUIRE else "soft-fail"
    return ValidationContext(
        trust_roots=roots, other_certs=others, allow_fetching=True, revocation_mode=mode
    )


def _validate(signature: Any, context: ValidationContext) -> Any:
    usage = KeyUsageConstraints(key_usage=set(SIGNING_USAGES), match_all_key_usages=False)
    try:
        return outside_event_loop(
            validate_pdf_signature, signature, context, key_usage_settings=usage
        )
    except Exception:  # a malformed signature: pyHanko raises many kinds of error
        raise _refuse(_("a signature in the file is damaged and cannot be read.")) from None


def _date(moment: datetime.datetime) -> str:
    return moment.astimezone(clock.VN).strftime("%d/%m/%Y %H:%M")


def _signing_time(status: Any) -> datetime.datetime | None:
    if status.timestamp_validity is not None and status.timestamp_validity.trusted:
        return status.timestamp_validity.timestamp
    return status.signer_reported_dt


def _revocation_sources(cert: asn1_x509.Certificate) -> bool:
    return bool(cert.crl_distribution_points or cert.ocsp_urls)


def _read(data: bytes) -> tuple[PdfFileReader, list[Any]]:
    if len(data) > max_bytes():
        raise SignatureRefused(too_large_message())
    if not data.startswith(b"%PDF-"):
        raise _refuse(_("the file is not a PDF."))
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception:  # a damaged file: pyHanko's parser raises many kinds of error
        raise _refuse(_("the PDF is damaged and cannot be read.")) from None
    if not signatures:
        raise _refuse(_("the PDF carries no digital signature. Sign it, then upload it."))
    return reader, sorted(signatures, key=lambda s: s.signed_revision)


def _prepared_for(
    data: bytes, candidates: Iterable[PreparedDocument]
) -> tuple[PreparedDocument, int]:
    """The prepared document the upload starts with, and its number of revisions."""
    for prepared in candidates:
        with prepared.pdf.open("rb") as fh:
            original = fh.read()
        if hashlib.sha256(original).hexdigest() != prepared.sha256:
            continue  # the stored file changed: never compare with it
        if data.startswith(original):
            revisions = PdfFileReader(io.BytesIO(original), strict=False).xrefs.total_revisions
            return prepared, revisions
    raise _refuse(
        _(
            "the signed document is not the report prepared for you (it was changed before "
            "signing, or another file was signed). Download the report to sign again and sign "
            "that file without changing it."
        )
    )


def _check_certificate(
    status: Any, *, user: User, not_before: datetime.datetime, context: ValidationContext
) -> tuple[UserCertificate, datetime.datetime, str, str]:
    cert: asn1_x509.Certificate = status.signing_cert
    usage = set(cert.key_usage_value.native) if cert.key_usage_value else set()
    if not usage & SIGNING_USAGES:
        raise _refuse(
            _("the certificate %(subject)s is not for signing (its key usage does not allow it).")
            % {"subject": cert.subject.human_friendly}
        )
    when = _signing_time(status)
    if when is None:
        raise _refuse(_("the signature carries no signing time."))
    if not cert.not_valid_before <= when <= cert.not_valid_after:
        raise _refuse(
            _(
                "the certificate %(subject)s was not valid at the signing time %(when)s "
                "(valid from %(start)s to %(end)s)."
            )
            % {
                "subject": cert.subject.human_friendly,
                "when": _date(when),
                "start": _date(cert.not_valid_before),
                "end": _date(cert.not_valid_after),
            }
        )
    if status.revoked:
        revoked_at = status.revocation_details.revocation_date
        raise _refuse(
            _("the certificate %(subject)s was revoked on %(day)s.")
            % {"subject": cert.subject.human_friendly, "day": _date(revoked_at)}
        )
    if not status.trusted:
        indication = status.trust_problem_indic
        if indication in (AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND,):
            raise _refuse(
                _(
                    "the certificate %(subject)s was not issued by a certification authority "
                    "on the trust list (issuer: %(issuer)s)."
                )
                % {"subject": cert.subject.human_friendly, "issuer": cert.issuer.human_friendly}
            )
        if settings.SIGNATURE_REVOCATION_POLICY == REQUIRE and indication in (
            AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE,
            AdESIndeterminate.TRY_LATER,
        ):
            raise _refuse(
                _(
                    "whether the certificate %(subject)s is revoked could not be checked (its "
                    "CRL or OCSP service cannot be reached), and a check is required. Try again "
                    "later."
                )
                % {"subject": cert.subject.human_friendly}
            )
        raise _refuse(
            _("the certificate %(subject)s could not be validated (%(problem)s).")
            % {"subject": cert.subject.human_friendly, "problem": getattr(indication, "name", "?")}
        )
    if context.soft_fail_exceptions:
        revocation = SignedDocument.Revocation.NOT_CHECKED
        note = "; ".join(str(e) for e in context.soft_fail_exceptions)[:500]
    elif not _revocation_sources(cert):
        revocation = SignedDocument.Revocation.NOT_CHECKED
        note = "the certificate names no CRL or OCSP service"
    else:
        revocation, note = SignedDocument.Revocation.CHECKED, ""
    registered = registered_certificate(cert)
    if registered is None:
        raise _refuse(
            _(
                "the certificate %(subject)s (serial %(serial)s) is not registered to your "
                "account. Ask the administrator to register it."
            )
            % {"subject": cert.subject.human_friendly, "serial": format(cert.serial_number, "x")}
        )
    if registered.user_id != user.pk:
        raise _refuse(
            _("the certificate %(subject)s is registered to another person's account.")
            % {"subject": cert.subject.human_friendly}
        )
    skew = datetime.timedelta(seconds=settings.SIGNATURE_CLOCK_SKEW_SECONDS)
    now = clock.now()
    if not (not_before - skew <= when <= now + skew):
        raise _refuse(
            _(
                "the signing time %(when)s is outside this step (from %(start)s to now). Sign "
                "the report again."
            )
            % {"when": _date(when), "start": _date(not_before)}
        )
    return registered, when, revocation, note


def registered_certificate(cert: asn1_x509.Certificate) -> UserCertificate | None:
    """The active registration of this certificate: by issuer and serial number, else by
    issuer and the subject identifier a renewed certificate keeps."""
    same_issuer = UserCertificate.objects.filter(active=True, issuer_key=name_key(cert.issuer))
    exact = same_issuer.filter(serial=format(cert.serial_number, "x")).first()
    if exact is not None:
        return exact
    identifiers = identifiers_of(cert)
    if not identifiers:
        return None
    return (
        same_issuer.exclude(subject_identifier="")
        .filter(Q(subject_identifier__in=identifiers))
        .first()
    )


def check_signed_upload(
    *,
    data: bytes,
    user: User,
    candidates: Iterable[PreparedDocument],
    not_before: datetime.datetime,
    organisation: str | None = None,
) -> Accepted:
    """Accept the upload as ``user``'s signature on one of the ``candidates`` (the documents
    prepared for them), signed after ``not_before`` (the step's start), or refuse it.
    ``organisation``: the issuing body's signature after the person's, "off", "optional" or
    "required" (the campaign's choice; the setting SIGNOFF_ORGANISATION_SIGNATURE if None)."""
    _reader, signatures = _read(data)
    prepared, revisions = _prepared_for(data, candidates)
    personal = signatures[0]
    if personal.signed_revision != revisions:
        raise _refuse(_("the report was changed between its preparation and the signature."))
    organisation_mode = organisation or settings.SIGNOFF_ORGANISATION_SIGNATURE
    allowed = 1 if organisation_mode == "off" else 2
    if len(signatures) > allowed:
        raise _refuse(
            _("the file carries %(n)s signatures; %(allowed)s are expected.")
            % {"n": len(signatures), "allowed": allowed}
        )
    if organisation_mode == "required" and len(signatures) < 2:
        raise _refuse(
            _("the issuing body's signature (the organisation's certificate) is missing.")
        )
    prepared_when = prepared.created_at
    context = trust_context()
    statuses = []
    for index, signature in enumerate(signatures):
        status = _validate(signature, context if index == 0 else trust_context())
        if not (status.intact and status.valid):
            raise _refuse(
                _("a signature does not match the document: it was altered after signing.")
            )
        last = index == len(signatures) - 1
        if last and status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            raise _refuse(
                _(
                    "the document was changed after it was signed (content added after the "
                    "signature)."
                )
            )
        if not last and (
            status.modification_level is None
            or status.modification_level > ModificationLevel.FORM_FILLING
        ):
            raise _refuse(
                _(
                    "the document was changed after it was signed (content added after the "
                    "signature)."
                )
            )
        statuses.append(status)
    registered, when, revocation, note = _check_certificate(
        statuses[0], user=user, not_before=max(not_before, prepared_when), context=context
    )
    organisation_subject = ""
    if len(statuses) == 2:
        org = statuses[1]
        if not org.trusted:
            raise _refuse(
                _("the issuing body's signature (%(subject)s) is not valid or not trusted.")
                % {"subject": org.signing_cert.subject.human_friendly}
            )
        organisation_subject = org.signing_cert.subject.human_friendly
    cert: asn1_x509.Certificate = statuses[0].signing_cert
    return Accepted(
        prepared=prepared,
        certificate=registered,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        serial=format(cert.serial_number, "x"),
        signing_time=when,
        organisation_subject=organisation_subject,
        revocation=revocation,
        revocation_note=note,
    )


@dataclass(frozen=True)
class Recheck:
    ok: bool
    problem: str = ""


def recheck(signed: SignedDocument) -> Recheck:
    """A stored signed document, verified again: the file unchanged, its signature intact over
    the whole file, the prepared bytes its start, the certificate trusted at the signing time
    (from what the file and the trust list hold; nothing fetched)."""
    try:
        with signed.pdf.open("rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return Recheck(False, "signed PDF missing")
    if hashlib.sha256(data).hexdigest() != signed.sha256:
        return Recheck(False, "signed PDF changed")
    try:
        with signed.prepared.pdf.open("rb") as fh:
            original = fh.read()
    except FileNotFoundError:
        return Recheck(False, "prepared PDF missing")
    if hashlib.sha256(original).hexdigest() != signed.prepared.sha256 or not data.startswith(
        original
    ):
        return Recheck(False, "prepared PDF changed")
    try:
        _reader, signatures = _read(data)
        context = trust_context(moment=signed.signing_time)
        status = _validate(signatures[0], context)
    except SignatureRefused as exc:
        return Recheck(False, str(exc))
    last = _validate(signatures[-1], trust_context(moment=signed.signing_time))
    if not (status.intact and status.valid) or last.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return Recheck(False, "signature broken")
    if (
        not status.trusted
        and status.trust_problem_indic == AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND
    ):
        return Recheck(False, "certificate no longer chains to the trust list")
    return Recheck(True)
