"""Receipts: numbered and chained in the transition's transaction, signed PDFs, verification."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pypdf import PdfReader

from core.enums import Action, Role, Stage
from receipts import pdf
from receipts.models import Receipt
from receipts.services import check_chain
from receipts.signing import ensure_dev_key
from receipts.verification import Verdict, check_pdf
from submissions.models import Submission
from workflow.models import SubmissionVersion
from workflow.services import submission_transition

from ..cast import Cast, drive_to, fill_complete


def _bytes(receipt: Receipt) -> bytes:
    with receipt.pdf.open("rb") as fh:
        return bytes(fh.read())


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def signed_off(
    hanoi: Submission, cast: Cast, django_capture_on_commit_callbacks: Any
) -> Submission:
    """Hà Nội taken to the ministry check, every receipt rendered after its commit."""
    with django_capture_on_commit_callbacks(execute=True):
        drive_to(hanoi, Stage.MINISTRY_CHECK, cast)
    return hanoi


def test_each_transition_issues_a_numbered_chained_receipt(signed_off: Submission) -> None:
    receipts = list(Receipt.objects.filter(submission=signed_off).order_by("number"))
    assert [r.display_number for r in receipts] == ["0001/BN-5137", "0002/BN-5137", "0003/BN-5137"]
    assert [r.action for r in receipts] == ["submit", "approve", "sign"]
    assert receipts[0].previous_hash == ""
    assert [r.previous_hash for r in receipts[1:]] == [r.hash for r in receipts[:-1]]
    assert all(r.snapshot_sha256 == r.record.version.sha256 for r in receipts)
    assert check_chain(signed_off).ok


def test_the_receipt_pdf_says_what_happened_in_vietnamese(signed_off: Submission) -> None:
    receipt = Receipt.objects.get(submission=signed_off, number=1)
    data = _bytes(receipt)
    assert hashlib.sha256(data).hexdigest() == receipt.pdf_sha256
    text = _text(data)
    for expected in [
        "BỘ TÀI CHÍNH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 0001/BN-5137",
        "BIÊN NHẬN",
        "Trình duyệt",
        "Thành phố Hà Nội",
        "Đang soạn thảo",
        "Sở thẩm định",
        "Nơi nhận:",
    ]:
        assert expected in text, expected
    flat = text.replace("\n", "")
    assert receipt.snapshot_sha256 in flat and receipt.hash in flat
    assert str(receipt.token) in flat  # the verification address, also in the QR code


def test_the_sign_off_receipt_carries_the_report(signed_off: Submission) -> None:
    receipt = Receipt.objects.get(submission=signed_off, action=Action.SIGN)
    reader = PdfReader(io.BytesIO(_bytes(receipt)))
    assert list(reader.attachments) == ["bao-cao-01.pdf"]
    report = reader.attachments["bao-cao-01.pdf"][0]
    text = " ".join(_text(report).split())
    assert "BÁO CÁO" in text and "PHỤ LỤC" in text
    assert "Nhóm nhiệm vụ phát triển cơ sở hạ tầng CNTT, hạ tầng mạng" in text
    assert "Tổng cộng" in text


def test_signatures_are_checked_genuine_altered_or_foreign(
    signed_off: Submission, tmp_path: Path
) -> None:
    data = _bytes(Receipt.objects.get(submission=signed_off, number=2))
    result = check_pdf(data)
    assert result.verdict == Verdict.GENUINE and result.receipt is not None
    middle = len(data) // 2
    altered = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]
    assert check_pdf(altered).verdict == Verdict.ALTERED
    other = tmp_path / "other.p12"
    ensure_dev_key(other, "other", organisation="Đơn vị khác")
    foreign_signer = signers.SimpleSigner.load_pkcs12(str(other), passphrase=b"other")
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf.render_receipt(Receipt.objects.get(number=2)))),
        signers.PdfSignatureMetadata(field_name="Khac"),
        signer=foreign_signer,
    )
    foreign = check_pdf(out.getvalue())
    assert foreign.verdict == Verdict.FOREIGN and "Đơn vị khác" in foreign.signer
    assert check_pdf(pdf.render_receipt(Receipt.objects.get(number=2))).verdict == Verdict.UNSIGNED


def test_the_verification_pages(client: Any, signed_off: Submission) -> None:
    receipt = Receipt.objects.get(submission=signed_off, number=2)
    page = client.get(reverse("receipts:verify", kwargs={"token": receipt.token})).content.decode()
    assert "Hợp lệ" in page.split('id="verdict"')[1].split("</div>")[0]
    assert receipt.hash in page
    upload = client.post(reverse("receipts:verify-upload"), {"file": io.BytesIO(_bytes(receipt))})
    assert "Hợp lệ: do hệ thống báo cáo ký số" in upload.content.decode()


def test_an_altered_snapshot_is_reported(client: Any, signed_off: Submission) -> None:
    version = SubmissionVersion.objects.get(submission=signed_off, number=1)
    content = version.content
    content["lines"][0]["spent"] = "1.000"
    SubmissionVersion.objects.filter(pk=version.pk).update(content=content)
    result = check_chain(signed_off)
    assert not result.ok and result.problem == "snapshot changed"
    with pytest.raises(CommandError, match="0001/BN-5137: snapshot changed"):
        call_command("verify_receipts", stdout=io.StringIO())
    first = Receipt.objects.get(submission=signed_off, number=1)
    page = client.get(reverse("receipts:verify", kwargs={"token": first.token})).content.decode()
    assert "Không còn nguyên vẹn" in page


def test_verify_receipts_passes_on_intact_chains(signed_off: Submission) -> None:
    out = io.StringIO()
    call_command("verify_receipts", stdout=out)
    assert out.getvalue().strip() == "1 receipt chain(s) intact"


def test_a_rolled_back_transition_leaves_no_receipt_and_no_gap(
    hanoi: Submission, cast: Cast
) -> None:
    fill_complete(hanoi, cast(Role.DRAFTER))
    with pytest.raises(RuntimeError), transaction.atomic():
        submission_transition(
            actor=cast(Role.DRAFTER),
            submission=hanoi,
            action=Action.SUBMIT,
            expected_stage=Stage.DRAFTING,
        )
        raise RuntimeError("something after the transition failed")
    assert not Receipt.objects.exists()
    hanoi.refresh_from_db()
    assert hanoi.stage == Stage.DRAFTING and hanoi.campaign.receipts_issued == 0
    record = submission_transition(
        actor=cast(Role.DRAFTER),
        submission=hanoi,
        action=Action.SUBMIT,
        expected_stage=Stage.DRAFTING,
    )
    assert record.receipt.number == 1


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"GIF89a")

    def log_message(self, *args: Any) -> None:
        pass


def test_rendering_fetches_nothing_and_embeds_nothing(hanoi: Submission, cast: Cast) -> None:
    """Tags in user text are text: no request leaves, no local file is embedded."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        evil = (
            f'<img src="http://127.0.0.1:{port}/x"> '
            '<link rel="attachment" href="file:///etc/passwd">'
        )
        drafter = cast(Role.DRAFTER)
        fill_complete(hanoi, drafter)
        from submissions import services

        hanoi.refresh_from_db()
        answers = {a.point_id: evil for a in hanoi.answers.all()}
        services.narrative_save(
            actor=drafter,
            submission=hanoi,
            revision=hanoi.revision,
            answers=answers,
            treasury_refusal_count=0,
            treasury_refusal_amount=None,
            treasury_refusal_note=evil,
            problem_kinds=[],
        )
        report = pdf.render_report(hanoi)
        drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
        record = submission_transition(
            actor=cast(Role.DEPARTMENT_REVIEWER),
            submission=hanoi,
            action=Action.RETURN,
            expected_stage=Stage.DEPARTMENT_REVIEW,
            reason=evil,
        )
        receipt = pdf.render_receipt(record.receipt)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
    assert _Counter.hits == []
    for data in (report, receipt):
        reader = PdfReader(io.BytesIO(data))
        assert list(reader.attachments) == []
        assert b"root:" not in data
    assert "127.0.0.1:" in _text(report) and "file:///etc/passwd" in _text(receipt).replace(
        "\n", ""
    )


def test_a_receipt_left_without_its_pdf_is_made_by_the_catch_up(
    settings: Any, hanoi: Submission, cast: Cast
) -> None:
    import datetime

    import time_machine

    at = datetime.datetime(2020, 5, 4, 10, tzinfo=datetime.UTC)
    settings.RECEIPT_RENDERING = "off"  # as if the broker had been down at the commit
    fill_complete(hanoi, cast(Role.DRAFTER))
    with time_machine.travel(at, tick=False):
        submission_transition(
            actor=cast(Role.DRAFTER),
            submission=hanoi,
            action=Action.SUBMIT,
            expected_stage=Stage.DRAFTING,
        )
    receipt = Receipt.objects.get(submission=hanoi)
    assert not receipt.pdf
    settings.RECEIPT_RENDERING = "inline"
    out = io.StringIO()
    with time_machine.travel(at + datetime.timedelta(seconds=60), tick=False):
        call_command("render_missing_receipts", stdout=out)  # too recent: its job may still run
    with time_machine.travel(at + datetime.timedelta(minutes=5), tick=False):
        call_command("render_missing_receipts", stdout=out)
        call_command("render_missing_receipts", stdout=out)
    assert out.getvalue().splitlines() == [
        "receipts without a PDF queued again: 0",
        "receipts without a PDF queued again: 1",
        "receipts without a PDF queued again: 0",
    ]
    receipt.refresh_from_db()
    assert _bytes(receipt).startswith(b"%PDF-")
    assert check_chain(hanoi).ok


def test_receipts_verify_whatever_time_zone_the_caller_gave(
    hanoi: Submission, danang: Submission, cast: Cast
) -> None:
    """``at`` given in Hồ Chí Minh City, New York or UTC, on a whole second or not: the hash
    covers one written form, so every chain verifies once the database returns the times in
    UTC, and the consolidation run's receipts too."""
    import datetime
    import zoneinfo

    from national.services import consolidation_run

    moments = [
        datetime.datetime(2020, 4, 28, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")),
        datetime.datetime(2020, 4, 28, 9, 30, 5, 120, tzinfo=zoneinfo.ZoneInfo("America/New_York")),
        datetime.datetime(2020, 4, 29, 2, 0, tzinfo=datetime.UTC),
        datetime.datetime(
            2020, 4, 29, 10, 15, 0, 500000, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
        ),
    ]
    for submission in (hanoi, danang):
        fill_complete(submission, cast(Role.DRAFTER, submission.unit.code))
        for (source, action, role), at in zip(
            [
                (Stage.DRAFTING, Action.SUBMIT, Role.DRAFTER),
                (Stage.DEPARTMENT_REVIEW, Action.APPROVE, Role.DEPARTMENT_REVIEWER),
                (Stage.PROVINCIAL_SIGNOFF, Action.SIGN, Role.PROVINCIAL_SIGNATORY),
                (Stage.MINISTRY_CHECK, Action.ACCEPT, Role.MINISTRY_CHECKER),
            ],
            moments,
            strict=True,
        ):
            submission_transition(
                actor=cast(role, submission.unit.code),
                submission=submission,
                action=action,
                expected_stage=source,
                at=at,
            )
    consolidation_run(
        actor=cast(Role.MINISTRY_COORDINATOR),
        campaign=hanoi.campaign,
        at=datetime.datetime(2020, 5, 12, 16, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")),
    )
    assert Receipt.objects.filter(submission__in=[hanoi, danang]).count() == 10
    for submission in (hanoi, danang):
        assert check_chain(submission).ok, check_chain(submission).problem
    out = io.StringIO()
    call_command("verify_receipts", stdout=out)
    assert "2 receipt chain(s) intact" in out.getvalue()
