"""Checks on an uploaded file before it is stored: size, and type by content, not by name."""

from __future__ import annotations

import io
import zipfile
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
    # libmagic looks inside OOXML packages, so a renamed ZIP does not pass for
    # DOCX/XLSX; it does not tell a macro-enabled package apart, which we do.
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
    if detected != Attachment.Kind.PDF and _has_macros(content):
        raise ValidationError(
            _("The file contains macros (VBA). Save it as a plain .docx or .xlsx and attach that."),
            code="macros",
        )
    return content, detected


def _has_macros(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            return package_has_macros(package)
    except (zipfile.BadZipFile, KeyError):
        return True  # not a readable package: refuse rather than store it


def package_has_macros(package: zipfile.ZipFile) -> bool:
    """Does this OOXML package carry a VBA project or declare itself macro-enabled?"""
    names = package.namelist()
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return True
    types = package.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    return b"macroEnabled" in types
