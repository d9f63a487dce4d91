"""Checks on an uploaded file before it is stored: size, and type by content, not by name."""

from __future__ import annotations

from pathlib import PurePath

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .models import Attachment

EXTENSIONS = {
    Attachment.Kind.PDF: {".pdf"},
    Attachment.Kind.DOCX: {".docx"},
    Attachment.Kind.XLSX: {".xlsx"},
}


def inspect_upload(upload: UploadedFile) -> tuple[bytes, str]:
    """The file's bytes and its detected type, or a ValidationError saying what is wrong."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("The file is larger than the %(limit)s allowed.") % {"limit": filesizeformat(limit)},
            code="too_large",
        )
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            _("The file is larger than the %(limit)s allowed.") % {"limit": filesizeformat(limit)},
            code="too_large",
        )
    # libmagic looks inside OOXML packages, so a renamed ZIP or a macro-enabled
    # workbook (.xlsm) does not pass for DOCX/XLSX.
    detected = magic.from_buffer(content, mime=True)
    if detected not in Attachment.Kind.values:
        raise ValidationError(
            _(
                "Only PDF, DOCX and XLSX files can be attached; this file's content "
                "is not one of them (detected: %(type)s)."
            )
            % {"type": detected},
            code="bad_type",
        )
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in EXTENSIONS[Attachment.Kind(detected)]:
        raise ValidationError(
            _(
                "The file's name ends in “%(suffix)s” but its content is %(kind)s: "
                "rename it or choose the right file."
            )
            % {"suffix": suffix or _("(nothing)"), "kind": Attachment.Kind(detected).label},
            code="disguised",
        )
    return content, detected
