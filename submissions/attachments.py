"""Checks on an uploaded file before it is stored: size, type by content (not by name), and
no active content, since ministry staff open these files in Acrobat, Word and Excel.

Active content is refused, not removed: the drafter's own tool makes a clean file in one
step, and a file changed by the server would no longer be the one the province sent.

- PDF: the document is read with pyHanko's parser (a runtime dependency already, for the
  receipts), which resolves compressed object streams that a byte scan would miss; every
  object reachable from the catalogue is looked at for scripts, actions that run on
  opening or launch programs, embedded files, multimedia and XFA forms.
- XLSX: DDE formulas (=cmd|' /C calc'!A0) and external or DDE link parts.
- DOCX (and XLSX): macros; DDE fields (DDE, DDEAUTO) in Word documents.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

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
    CHECKS[Attachment.Kind(detected)](content)
    return content, detected


# --- PDF ----------------------------------------------------------------------------------

# What a PDF viewer acts on by itself, named for the drafter.
PDF_ACTIVE_KEYS = {
    "/JavaScript": gettext_lazy("JavaScript"),
    "/JS": gettext_lazy("JavaScript"),
    "/AA": gettext_lazy("actions run when the file or a page is opened"),
    "/Launch": gettext_lazy("an action that starts a program"),
    "/EmbeddedFile": gettext_lazy("embedded files"),
    "/EmbeddedFiles": gettext_lazy("embedded files"),
    "/RichMedia": gettext_lazy("multimedia (RichMedia)"),
    "/XFA": gettext_lazy("an XFA form"),
}
PDF_ACTIVE_ACTIONS = {
    "/JavaScript": PDF_ACTIVE_KEYS["/JavaScript"],
    "/Launch": PDF_ACTIVE_KEYS["/Launch"],
    "/ImportData": gettext_lazy("an action that imports data"),
    "/SubmitForm": gettext_lazy("an action that sends data over the network"),
}
# A report of some hundred pages has tens of thousands of objects; past this, stop looking.
PDF_MAX_OBJECTS = 500_000


def _check_pdf(content: bytes) -> None:
    try:
        found = _pdf_active_content(content)
    except Exception:  # pyHanko raises many kinds on a malformed file
        raise ValidationError(
            _(
                "This PDF cannot be read to check it for active content (it is damaged, "
                "or protected by a password). Save or print it to PDF again and attach that."
            ),
            code="pdf_unreadable",
        ) from None
    if found:
        raise ValidationError(
            _(
                "The PDF contains active content (%(what)s), which a PDF reader runs when the "
                "file is opened. Print it to PDF again (or export it without scripts and "
                "attachments) and attach that file."
            )
            % {"what": ", ".join(sorted({str(w) for w in found}))},
            code="pdf_active",
        )


def _pdf_active_content(content: bytes) -> list[Any]:
    """What active content the document holds: every object reachable from its catalogue."""
    reader = PdfFileReader(io.BytesIO(content), strict=False)
    if reader.encrypted:
        reader.decrypt("")  # no password to open it: only restrictions on printing or copying
    found: list[Any] = []
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.root]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, generic.IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(item, generic.DictionaryObject):
            for name, value in item.items():
                if name in PDF_ACTIVE_KEYS:
                    found.append(PDF_ACTIVE_KEYS[name])
                if name == "/S" and value in PDF_ACTIVE_ACTIONS:
                    found.append(PDF_ACTIVE_ACTIONS[value])
                if name != "/Parent":  # the page tree is walked from its top
                    stack.append(value)
        elif isinstance(item, generic.ArrayObject):
            stack.extend(item)
    return found


# --- XLSX and DOCX ------------------------------------------------------------------------

# A formula that calls another program through DDE, app|topic!item: =cmd|' /C calc'!A0.
DDE_FORMULA = re.compile(
    rb"<(?:\w+:)?f\b[^>]*>[^<]*?[\w.]+\|(?:'[^'<]*'|&apos;.*?&apos;|[^!<\s'\"]+)!"
)
# A Word field that runs DDE: { DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc" }.
DDE_FIELD = re.compile(rb"(?i)(?:<w:instrText\b[^>]*>\s*|\bw:instr=\"\s*)DDE(?:AUTO)?\b")
SCAN_CHUNK = 1024 * 1024
SCAN_OVERLAP = 64 * 1024  # longer than any formula or field code


def _scan(package: zipfile.ZipFile, names: list[str], pattern: re.Pattern[bytes]) -> bool:
    """Does ``pattern`` occur in any of the parts, read in chunks (parts can be large)?"""
    for name in names:
        with package.open(name) as part:
            for chunk in _chunks(part):
                if pattern.search(chunk):
                    return True
    return False


def _chunks(part: Any) -> Iterator[bytes]:
    tail = b""
    while block := part.read(SCAN_CHUNK):
        yield tail + block
        tail = block[-SCAN_OVERLAP:]


def _check_xlsx(content: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        names = package.namelist()
        linked = any(
            n.lower().startswith("xl/externallinks/") or "ddelink" in n.lower() for n in names
        )
        sheets = [n for n in names if n.lower().startswith("xl/") and n.lower().endswith(".xml")]
        if linked or _scan(package, sheets, DDE_FORMULA):
            raise ValidationError(
                _(
                    "The workbook contains DDE formulas or links to other files or programs "
                    "(such as =cmd|' /C calc'!A0), which Excel may run when the file is "
                    "opened. Replace them by their values and attach the file again."
                ),
                code="xlsx_dde",
            )


def _check_docx(content: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        parts = [
            n for n in package.namelist() if n.startswith("word/") and n.lower().endswith(".xml")
        ]
        if _scan(package, parts, DDE_FIELD):
            raise ValidationError(
                _(
                    "The document contains a DDE field, which Word may use to start a program "
                    "when the file is opened. Remove the field and attach the file again."
                ),
                code="docx_dde",
            )


CHECKS = {
    Attachment.Kind.PDF: _check_pdf,
    Attachment.Kind.XLSX: _check_xlsx,
    Attachment.Kind.DOCX: _check_docx,
}


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
