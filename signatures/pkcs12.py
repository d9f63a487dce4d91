"""Signing in the browser flow with a certificate file (PKCS#12: .p12, .pfx), for test and small
deployments where the signatory has no USB token or signing tool.

The signatory sends the file and its password with the step; the server signs the prepared
document with pyHanko, then the signed bytes go through the very same verification as an
uploaded signed file (signatures.verification.check_signed_upload), so a certificate that is
not registered to the user, or not trusted, is refused in the same words. The key is read into
memory for this one signature and dropped with the request: never written, never kept; the
password is never logged (the views mark it sensitive) nor put in a message.

Offered only when the setting SIGNING_WITH_PKCS12_IN_BROWSER is on: on in development and the
tests, off by default elsewhere, since a person's private key should stay on their token.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from core.eventloop import outside_event_loop

from .verification import SignatureRefused

# A PKCS#12 file holds a key and a few certificates: a few kilobytes. Anything bigger is not one.
MAX_BYTES = 64 * 1024


def enabled() -> bool:
    return bool(settings.SIGNING_WITH_PKCS12_IN_BROWSER)


def _refuse(message: str) -> SignatureRefused:
    return SignatureRefused(
        _("The document was not signed with the certificate file: %(reason)s") % {"reason": message}
    )


def too_large_message() -> str:
    return str(
        _refuse(
            _("the certificate file is larger than %(limit)s KB; it is not a PKCS#12 file.")
            % {"limit": MAX_BYTES // 1024}
        )
    )


def ensure_enabled() -> None:
    if not enabled():
        raise _refuse(_("signing with a certificate file is not enabled on this system."))


def sign_with_pkcs12(*, pdf: bytes, pkcs12: bytes, password: str, field_name: str) -> bytes:
    """``pdf`` signed (PAdES) in its signature field ``field_name`` with the key of the PKCS#12
    file; SignatureRefused with the user's message if the file or password does not open."""
    ensure_enabled()
    if len(pkcs12) > MAX_BYTES:
        raise SignatureRefused(too_large_message())
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(
            pkcs12, [], passphrase=password.encode("utf-8") if password else None
        )
    except ValueError:
        raise _refuse(
            _("the file is not a PKCS#12 certificate file (.p12, .pfx), or the password is wrong.")
        ) from None
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        out = outside_event_loop(signers.PdfSigner(meta, signer=signer).sign_pdf, writer)
    except Exception:  # a key pyHanko cannot sign with: it raises many kinds of error
        raise _refuse(_("the key in the certificate file cannot sign.")) from None
    return bytes(out.getvalue())
