"""One province along the whole path, with a return at every review step and a reopen.

After every step: the stage, the open task (and whom it is assigned to), the audit
records, the versions and the e-mails are what they must be.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from viewflow.workflow.status import STATUS

from core.enums import Action, Role, Stage
from submissions.models import LineItem, Submission
from workflow.models import AuditRecord, SubmissionProcess
from workflow.services import NoteInput, TransitionError, submission_transition

from ..cast import Cast, fill_complete
from ..helpers import slots, submit_through_the_page


def _open_tasks(submission: Submission) -> list[tuple[str, str | None]]:
    process = SubmissionProcess.objects.get(submission=submission)
    return [
        (t.flow_task.name, t.owner.username if t.owner else None)
        for t in process.task_set.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED])
    ]


class Walk:
    def __init__(self, submission: Submission, cast: Cast, capture: Any) -> None:
        self.submission, self.cast, self.capture = submission, cast, capture

    def step(self, role: Role, action: Action, **kwargs: Any) -> AuditRecord:
        mail.outbox.clear()
        self.submission.refresh_from_db()
        with self.capture(execute=True):
            record = submission_transition(
                actor=self.cast(role),
                submission=self.submission,
                action=action,
                expected_stage=self.submission.stage,
                **kwargs,
            )
        self.submission.refresh_from_db()
        return record

    def expect(
        self,
        stage: Stage,
        task: tuple[str, str | None],
        records: int,
        versions: int,
        mail_to: set[str],
        subject: str,
    ) -> None:
        assert self.submission.stage == stage
        assert _open_tasks(self.submission) == [task]
        assert self.submission.audit_records.count() == records
        assert self.submission.versions.count() == versions
        assert {m.to[0] for m in mail.outbox} == mail_to
        assert all(subject in m.subject for m in mail.outbox), [m.subject for m in mail.outbox]


def test_the_whole_path_with_returns_and_a_reopen(
    hanoi: Submission, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    walk = Walk(hanoi, cast, django_capture_on_commit_callbacks)
    drafter = cast(Role.DRAFTER)
    assert _open_tasks(hanoi) == [("drafting", None)]
    fill_complete(hanoi, drafter)

    record = walk.step(Role.DRAFTER, Action.SUBMIT)
    walk.expect(
        Stage.DEPARTMENT_REVIEW,
        ("department_review", None),
        1,
        1,
        {"hn.department_reviewer@example.vn"},
        "chờ",
    )
    assert (record.role, record.from_stage, record.to_stage) == (
        Role.DRAFTER,
        "drafting",
        "department_review",
    )
    assert record.snapshot_sha256 == record.version.sha256 and len(record.snapshot_sha256) == 64

    line = hanoi.lines.get(row__code="1.2")
    point = hanoi.campaign.sections.get(number="2.3").points.get(order=1)
    record = walk.step(
        Role.DEPARTMENT_REVIEWER,
        Action.RETURN,
        reason="Thiếu căn cứ ở dòng 1.2",
        notes=[
            NoteInput("Ghi rõ quyết định phê duyệt", line_id=line.pk),
            NoteInput("Bổ sung kết quả kiểm toán", point_id=point.pk),
        ],
    )
    walk.expect(
        Stage.DRAFTING, ("drafting", "hn.drafter"), 2, 1, {"hn.drafter@example.vn"}, "trả lại"
    )
    assert "Thiếu căn cứ ở dòng 1.2" in mail.outbox[0].body
    assert "Ghi rõ quyết định phê duyệt" in mail.outbox[0].body
    assert [n.target_label for n in record.notes.all()] == [line.display_label, point.display_code]

    LineItem.objects.filter(pk=line.pk).update(**slots(hanoi, basis="Quyết định 123/QĐ-UBND"))
    walk.step(Role.DRAFTER, Action.SUBMIT)
    walk.expect(
        Stage.DEPARTMENT_REVIEW,
        ("department_review", None),
        3,
        2,
        {"hn.department_reviewer@example.vn"},
        "chờ",
    )

    walk.step(Role.DEPARTMENT_REVIEWER, Action.APPROVE)
    walk.expect(
        Stage.PROVINCIAL_SIGNOFF,
        ("provincial_signoff", None),
        4,
        2,
        {"hn.provincial_signatory@example.vn"},
        "Phê duyệt",
    )

    walk.step(Role.PROVINCIAL_SIGNATORY, Action.RETURN, reason="Số liệu nhóm 4 chưa khớp")
    walk.expect(
        Stage.DRAFTING, ("drafting", "hn.drafter"), 5, 2, {"hn.drafter@example.vn"}, "trả lại"
    )

    walk.step(Role.DRAFTER, Action.SUBMIT)  # nothing changed: the same version goes up again
    walk.expect(
        Stage.DEPARTMENT_REVIEW,
        ("department_review", None),
        6,
        2,
        {"hn.department_reviewer@example.vn"},
        "chờ",
    )
    walk.step(Role.DEPARTMENT_REVIEWER, Action.APPROVE)
    walk.step(Role.PROVINCIAL_SIGNATORY, Action.SIGN)
    walk.expect(
        Stage.MINISTRY_CHECK,
        ("ministry_check", None),
        8,
        2,
        {"hn.ministry_checker@example.vn"},
        "Ký duyệt",
    )

    walk.step(Role.MINISTRY_CHECKER, Action.RETURN, reason="Đề nghị giải trình tỷ lệ sử dụng")
    walk.expect(
        Stage.DRAFTING, ("drafting", "hn.drafter"), 9, 2, {"hn.drafter@example.vn"}, "trả lại"
    )
    for role, action in [
        (Role.DRAFTER, Action.SUBMIT),
        (Role.DEPARTMENT_REVIEWER, Action.APPROVE),
        (Role.PROVINCIAL_SIGNATORY, Action.SIGN),
    ]:
        walk.step(role, action)
    walk.step(Role.MINISTRY_CHECKER, Action.ACCEPT)
    walk.expect(
        Stage.CONSOLIDATION, ("consolidation", None), 13, 2, {"coordinator@example.vn"}, "Tiếp nhận"
    )

    walk.step(Role.MINISTRY_COORDINATOR, Action.CONSOLIDATE)
    # The province hears that its report is in; the coordinator, who did it, hears nothing.
    walk.expect(
        Stage.CONSOLIDATED,
        ("consolidated", None),
        14,
        2,
        {"hn.drafter@example.vn", "hn.provincial_signatory@example.vn"},
        "đã được đưa vào báo cáo toàn quốc",
    )

    walk.step(Role.MINISTRY_COORDINATOR, Action.REOPEN, reason="Bộ yêu cầu cập nhật số liệu 2019")
    walk.expect(
        Stage.DRAFTING, ("drafting", "hn.drafter"), 15, 2, {"hn.drafter@example.vn"}, "mở lại"
    )
    actions = list(hanoi.audit_records.values_list("action", flat=True))
    assert actions == [
        "submit",
        "return",
        "submit",
        "approve",
        "return",
        "submit",
        "approve",
        "sign",
        "return",
        "submit",
        "approve",
        "sign",
        "accept",
        "consolidate",
        "reopen",
    ]


def test_a_return_needs_a_reason(hanoi: Submission, cast: Cast) -> None:
    from ..cast import drive_to

    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    with pytest.raises(TransitionError, match="lý do"):
        submission_transition(
            actor=cast(Role.DEPARTMENT_REVIEWER),
            submission=hanoi,
            action=Action.RETURN,
            expected_stage=Stage.DEPARTMENT_REVIEW,
            reason="  ",
        )
    hanoi.refresh_from_db()
    assert hanoi.stage == Stage.DEPARTMENT_REVIEW
    assert hanoi.audit_records.count() == 1


def test_an_incomplete_report_cannot_be_submitted(hanoi: Submission, cast: Cast) -> None:
    with pytest.raises(TransitionError, match="chưa đầy đủ"):
        submission_transition(
            actor=cast(Role.DRAFTER),
            submission=hanoi,
            action=Action.SUBMIT,
            expected_stage=Stage.DRAFTING,
        )
    assert not hanoi.audit_records.exists() and not hanoi.versions.exists()


def test_the_submitter_may_not_review_their_own_version(
    hanoi: Submission, cast: Cast, make_user: Any
) -> None:
    """Someone who drafts and reviews for the same province submits; someone else must review."""
    both = cast(Role.DRAFTER)
    from workflow.services import role_grant

    role_grant(user=both, role=Role.DEPARTMENT_REVIEWER, units=[hanoi.unit])
    fill_complete(hanoi, both)
    submission_transition(
        actor=both, submission=hanoi, action=Action.SUBMIT, expected_stage=Stage.DRAFTING
    )
    for action, reason in [(Action.APPROVE, ""), (Action.RETURN, "Tự trả lại")]:
        with pytest.raises(TransitionError, match="người khác"):
            submission_transition(
                actor=both,
                submission=hanoi,
                action=action,
                expected_stage=Stage.DEPARTMENT_REVIEW,
                reason=reason,
            )
    submission_transition(
        actor=cast(Role.DEPARTMENT_REVIEWER),
        submission=hanoi,
        action=Action.APPROVE,
        expected_stage=Stage.DEPARTMENT_REVIEW,
    )


def test_a_stale_page_changes_nothing(hanoi: Submission, cast: Cast) -> None:
    from ..cast import drive_to

    drive_to(hanoi, Stage.PROVINCIAL_SIGNOFF, cast)
    with pytest.raises(TransitionError, match="đã được chuyển sang"):
        submission_transition(
            actor=cast(Role.DEPARTMENT_REVIEWER),
            submission=hanoi,
            action=Action.APPROVE,
            expected_stage=Stage.DEPARTMENT_REVIEW,
        )
    assert hanoi.audit_records.count() == 2


def test_audit_records_are_append_only(hanoi: Submission, cast: Cast) -> None:
    from workflow.models import AppendOnlyError

    from ..cast import drive_to

    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    record = hanoi.audit_records.get()
    record.reason = "sửa"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()


def test_drafting_pages_show_the_return_reason_and_notes_where_they_apply(
    client: Any, hanoi: Submission, cast: Cast
) -> None:

    from ..cast import drive_to

    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    line = hanoi.lines.get(row__code="3.1")
    point = hanoi.campaign.sections.get(number="2.5").points.get(order=1)
    submission_transition(
        actor=cast(Role.DEPARTMENT_REVIEWER),
        submission=hanoi,
        action=Action.RETURN,
        expected_stage=Stage.DEPARTMENT_REVIEW,
        reason="Cần bổ sung",
        notes=[
            NoteInput("Tách riêng CSDL đất đai", line_id=line.pk),
            NoteInput("Nêu rõ nguyên nhân", point_id=point.pk),
        ],
    )
    client.force_login(cast(Role.DRAFTER))
    appendix = client.get(reverse("submissions:appendix", kwargs={"pk": hanoi.pk})).content.decode()
    assert "Cần bổ sung" in appendix.split('id="return-reason"')[1].split("</div>")[0]
    row = appendix.split(f'id="line-{line.pk}"')[1].split("</tr>")[0]
    assert "Tách riêng CSDL đất đai" in row
    narrative = client.get(
        reverse("submissions:narrative", kwargs={"pk": hanoi.pk})
    ).content.decode()
    block = narrative.split(f'id="point-{point.pk}"')[0].rsplit('<div class="mb-3">', 1)[1]
    assert "Nêu rõ nguyên nhân" in block


class _MailServerDown(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_failure_after_the_commit_loses_neither_the_answer_nor_the_receipt(
    hanoi: Submission, cast: Cast, client: Any, settings: Any, caplog: Any
) -> None:
    """The e-mails go out once the transition has committed: if the mail server fails
    then, the person is still told it was done, and the receipt's PDF is still made."""
    settings.EMAIL_BACKEND = f"{__name__}._MailServerDown"
    drafter = cast(Role.DRAFTER)
    fill_complete(hanoi, drafter)
    receipt = submit_through_the_page(client, hanoi, drafter)
    receipt.refresh_from_db()
    assert receipt.pdf and receipt.rendered_at is not None
    assert "Connection unexpectedly closed" in caplog.text
