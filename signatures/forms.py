"""The signatory's input at a signed step: the signed PDF they made outside, or (when enabled)
their certificate file and its password to sign here. One reading for the sign-off and the
national report; sizes are checked before a byte is read."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from . import pkcs12
from .verification import SignatureRefused, max_bytes, too_large_message

# The fields of templates/signatures/_signed_upload.html; the password's name is also what the
# views mark sensitive, so that an error report never shows it.
SIGNED_PDF = "signed_pdf"
PKCS12_FILE = "pkcs12"
PKCS12_PASSWORD = "pkcs12_password"  # noqa: S105 (a field's name)


def signed_bytes(
    request: HttpRequest, *, prepare: Callable[[], bytes], field_name: str
) -> bytes | None:
    """The signed PDF the request brings: uploaded as it is, or signed now with the uploaded
    certificate file on the document ``prepare`` makes (the one prepared for this user); None
    if it brings neither. SignatureRefused (the user's message) for a file too large, a
    certificate file that does not open or signing with one when it is not enabled."""
    upload = request.FILES.get(SIGNED_PDF)
    if upload is not None:
        if (upload.size or 0) > max_bytes():
            raise SignatureRefused(too_large_message())
        return bytes(upload.read())
    certificate_file = request.FILES.get(PKCS12_FILE)
    if certificate_file is None:
        return None
    pkcs12.ensure_enabled()
    if (certificate_file.size or 0) > pkcs12.MAX_BYTES:
        raise SignatureRefused(pkcs12.too_large_message())
    return pkcs12.sign_with_pkcs12(
        pdf=prepare(),
        pkcs12=certificate_file.read(),
        password=request.POST.get(PKCS12_PASSWORD, ""),
        field_name=field_name,
    )
