"""Attachments: PDF, DOCX and XLSX known by content; anything else refused, nothing stored."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PdfFileWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from submissions.models import Attachment, Submission


def _pdf(**catalogue: Any) -> bytes:
    """A one-page PDF as a PDF writer makes it, with extra entries in its catalogue."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    for name, value in catalogue.items():
        writer._root_object[NameObject(f"/{name}")] = value
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = _pdf()


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "Phụ lục"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Báo cáo đánh giá")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("notes.txt", "không phải tài liệu")
    return out.getvalue()


def _xlsm() -> bytes:
    """An XLSX package whose workbook is declared macro-enabled, as Excel writes .xlsm."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            z.writestr(item, data)
        z.writestr("xl/vbaProject.bin", b"\x00" * 64)
    return out.getvalue()


def _url(submission: Submission) -> str:
    return reverse("submissions:attachments", kwargs={"pk": submission.pk})


def _upload(client: Any, submission: Submission, name: str, content: bytes) -> Any:
    submission.refresh_from_db()
    return client.post(
        _url(submission),
        {
            "file": SimpleUploadedFile(name, content),
            "description": "Báo cáo",
            "revision": submission.revision,
        },
        follow=True,
    )


def _stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "make", "kind"),
    [
        ("bao-cao.pdf", lambda: PDF, "PDF"),
        ("bao-cao.docx", _docx, "DOCX"),
        ("phu-luc.xlsx", _xlsx, "XLSX"),
    ],
)
def test_accepted_kinds_are_stored_and_downloadable(
    drafter_client: Any, hanoi: Submission, settings: Any, name: str, make: Any, kind: str
) -> None:
    content = make()
    response = _upload(drafter_client, hanoi, name, content)
    assert "Đã đính kèm tệp." in response.content.decode()
    attachment = hanoi.attachments.get()
    assert (attachment.original_name, attachment.kind_label, attachment.size) == (
        name,
        kind,
        len(content),
    )
    assert len(_stored_files(settings)) == 1
    download = drafter_client.get(
        reverse(
            "submissions:attachment-download",
            kwargs={"pk": hanoi.pk, "attachment_pk": attachment.pk},
        )
    )
    assert b"".join(download.streaming_content) == content
    assert name in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        (
            "virus.pdf",
            lambda: b"MZ\x90\x00" + b"\x00" * 200,
            "nội dung tệp không phải là loại được chấp nhận",
        ),
        ("archive.docx", _zip, "nội dung tệp không phải là loại được chấp nhận"),
        ("macro.xlsx", _xlsm, "Tệp có chứa macro (VBA)"),
        (
            "script.xlsx",
            lambda: b"<script>alert(1)</script>",
            "nội dung tệp không phải là loại được chấp nhận",
        ),
        ("report.docx", lambda: PDF, "nhưng nội dung là PDF"),
    ],
)
def test_disguised_files_are_refused_and_nothing_is_stored(
    drafter_client: Any, hanoi: Submission, settings: Any, name: str, make: Any, message: str
) -> None:
    response = _upload(drafter_client, hanoi, name, make())
    page = response.content.decode()
    assert message in page
    assert not Attachment.objects.exists()
    assert _stored_files(settings) == []
    hanoi.refresh_from_db()
    assert hanoi.revision == 0


def test_a_file_over_the_limit_is_refused(
    drafter_client: Any, hanoi: Submission, settings: Any
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = _upload(drafter_client, hanoi, "lon.pdf", PDF + b"0" * 2048)
    assert "Tệp lớn hơn mức cho phép 1,0" in response.content.decode()
    assert not Attachment.objects.exists()
    assert _stored_files(settings) == []


def test_the_same_file_twice_is_refused(
    drafter_client: Any, hanoi: Submission, settings: Any
) -> None:
    _upload(drafter_client, hanoi, "a.pdf", PDF)
    response = _upload(drafter_client, hanoi, "b.pdf", PDF)
    assert "Tệp này đã được đính kèm" in response.content.decode()
    assert hanoi.attachments.count() == 1
    assert len(_stored_files(settings)) == 1


def test_removing_an_attachment_removes_its_file(
    drafter_client: Any, hanoi: Submission, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _upload(drafter_client, hanoi, "a.pdf", PDF)
    attachment = hanoi.attachments.get()
    hanoi.refresh_from_db()
    assert len(_stored_files(settings)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        drafter_client.post(
            reverse(
                "submissions:attachment-delete",
                kwargs={"pk": hanoi.pk, "attachment_pk": attachment.pk},
            ),
            {"revision": hanoi.revision},
        )
    assert not hanoi.attachments.exists()
    assert _stored_files(settings) == []


# --- Active content ------------------------------------------------------------------------


def _js_action() -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('5137')"),
        }
    )


def _pdf_with_js_in_an_object_stream() -> bytes:
    """/OpenAction /JavaScript inside a compressed object stream, where a scan of the
    file's bytes finds no "/JavaScript" at all."""
    writer = PdfFileWriter(stream_xrefs=True)
    stream = writer.prepare_object_stream()
    action = generic.DictionaryObject(
        {
            generic.NameObject("/S"): generic.NameObject("/JavaScript"),
            generic.NameObject("/JS"): generic.TextStringObject("app.alert('5137')"),
        }
    )
    writer.root[generic.NameObject("/OpenAction")] = writer.add_object(action, obj_stream=stream)
    out = io.BytesIO()
    writer.write(out)
    content = out.getvalue()
    assert b"/JavaScript" not in content
    return content


def _xlsx_with(formula: str) -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = 1
    book.active["B2"] = formula
    book.create_sheet("Số liệu 2")["A1"] = 2
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docx_with_field(instruction: str, *, simple: bool) -> bytes:
    document = docx.Document()
    paragraph = document.add_paragraph("Báo cáo ")
    if simple:
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), instruction)
        paragraph._p.append(field)
    else:
        run = paragraph.add_run()
        code = OxmlElement("w:instrText")
        code.text = instruction
        run._r.append(code)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


DDE = 'DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe"'


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("open.pdf", lambda: _pdf(OpenAction=_js_action()), "nội dung chủ động (JavaScript)"),
        ("packed.pdf", _pdf_with_js_in_an_object_stream, "nội dung chủ động (JavaScript)"),
        (
            "launch.pdf",
            lambda: _pdf(
                OpenAction=DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/Launch"),
                        NameObject("/F"): TextStringObject("calc.exe"),
                    }
                )
            ),
            "nội dung chủ động (lệnh khởi chạy một chương trình)",
        ),
        ("page.pdf", lambda: _pdf(AA=DictionaryObject()), "nội dung chủ động (thao tác tự chạy"),
        ("damaged.pdf", lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "Không đọc được tệp PDF"),
        ("dde.xlsx", lambda: _xlsx_with("=cmd|' /C calc'!A0"), "công thức DDE"),
        ("field.docx", lambda: _docx_with_field(DDE, simple=True), "trường DDE"),
        ("instr.docx", lambda: _docx_with_field(DDE, simple=False), "trường DDE"),
    ],
)
def test_active_content_is_refused_naming_what_it_is(
    drafter_client: Any, hanoi: Submission, settings: Any, name: str, make: Any, message: str
) -> None:
    response = _upload(drafter_client, hanoi, name, make())
    assert message in response.content.decode()
    assert not hanoi.attachments.exists()
    assert _stored_files(settings) == []


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("plain.pdf", lambda: _pdf(OpenAction=pypdf.generic.ArrayObject())),
        ("sums.xlsx", lambda: _xlsx_with("=SUM(A1:A1)+'Số liệu 2'!A1")),
        ("page-field.docx", lambda: _docx_with_field(" PAGE ", simple=False)),
    ],
)
def test_ordinary_formulas_fields_and_actions_pass(
    drafter_client: Any, hanoi: Submission, name: str, make: Any
) -> None:
    response = _upload(drafter_client, hanoi, name, make())
    assert "Đã đính kèm tệp." in response.content.decode()
