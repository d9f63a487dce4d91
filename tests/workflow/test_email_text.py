"""E-mails are plain text: names, reasons and notes reach them as typed, never HTML-escaped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import mail

from core.enums import Action, Role, Stage
from notifications.reminders import reminders_send
from submissions.models import Submission
from workflow.services import NoteInput, submission_transition

from ..cast import Cast, drive_to

EMAIL_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "workflow" / "email"
REASON = """Sửa mục "1.2" & <3.1>: chưa đúng 'định mức'"""


def _named(user: Any, first: str, last: str) -> Any:
    user.first_name, user.last_name = first, last
    user.save()
    return user


def test_a_return_reaches_the_drafter_as_typed(
    hanoi: Submission, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    reviewer = _named(cast(Role.DEPARTMENT_REVIEWER), "Lãnh đạo", "Sở TT&TT <Hà Nội>")
    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    line = hanoi.lines.get(row__code="1.2")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submission_transition(
            actor=reviewer,
            submission=hanoi,
            action=Action.RETURN,
            expected_stage=Stage.DEPARTMENT_REVIEW,
            reason=REASON,
            notes=[NoteInput("""Tách "LGSP" & 'cổng' <dự phòng>""", line_id=line.pk)],
        )
    (sent,) = mail.outbox
    assert (
        sent.subject
        == "[5137/BTC-NSNN] Thành phố Hà Nội: hồ sơ báo cáo đã được trả lại cho đồng chí"
    )
    assert sent.body == (
        "Lãnh đạo Sở TT&TT <Hà Nội> đã trả lại hồ sơ báo cáo của Thành phố Hà Nội (đợt báo cáo "
        "5137/BTC-NSNN) ở bước “Sở thẩm định”. Hồ sơ đã được chuyển lại cho đồng chí để tiếp "
        "tục soạn thảo.\n"
        "\n"
        """Lý do: Sửa mục "1.2" & <3.1>: chưa đúng 'định mức'\n"""
        "\n"
        "Ghi chú:\n"
        "- Hạ tầng mạng: Mạng internet, mạng nội bộ, mạng truyền số liệu chuyên dùng: "
        """Tách "LGSP" & 'cổng' <dự phòng>\n"""
        "\n"
        f"Mở hồ sơ báo cáo: {settings.SITE_URL}/submissions/{hanoi.pk}/\n"
    )


def test_a_reopen_and_a_reminder_reach_the_drafter_as_typed(
    hanoi: Submission, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    coordinator = _named(cast(Role.MINISTRY_COORDINATOR), "Vụ NSNN", "& <Điều phối>")
    drive_to(hanoi, Stage.CONSOLIDATED, cast)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submission_transition(
            actor=coordinator,
            submission=hanoi,
            action=Action.REOPEN,
            expected_stage=Stage.CONSOLIDATED,
            reason=REASON,
        )
    (sent,) = mail.outbox
    link = f"{settings.SITE_URL}/submissions/{hanoi.pk}/"
    assert sent.body == (
        "Vụ NSNN & <Điều phối> đã mở lại hồ sơ báo cáo của Thành phố Hà Nội (đợt báo cáo "
        "5137/BTC-NSNN) sau khi đã tổng hợp. Hồ sơ đã được chuyển về bước soạn thảo.\n"
        "\n"
        """Lý do: Sửa mục "1.2" & <3.1>: chưa đúng 'định mức'\n"""
        "\n"
        f"Mở hồ sơ báo cáo: {link}\n"
    )

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(actor=coordinator, submissions=[hanoi])
    sent = next(m for m in mail.outbox if m.to == ["hn.drafter@example.vn"])
    assert sent.body == (
        "Đồng chí Vụ NSNN & <Điều phối>, lãnh đạo Vụ điều phối, nhắc: hồ sơ báo cáo của Thành "
        "phố Hà Nội (đợt báo cáo 5137/BTC-NSNN) đang ở bước “Đang soạn thảo”, hạn ngày "
        "29/04/2020.\n"
        "\n"
        "Đồng chí nhận được nhắc nhở này vì đồng chí có thể thực hiện bước tiếp theo.\n"
        "\n"
        f"Mở hồ sơ báo cáo: {link}\n"
    )


def test_every_email_template_renders_as_plain_text() -> None:
    """Each one extends the base that turns autoescaping off, subjects included."""
    escaped = [
        path.name
        for path in sorted(EMAIL_TEMPLATES.glob("*.txt"))
        if path.name != "base.txt"
        and not path.read_text(encoding="utf-8").startswith(
            '{% extends "workflow/email/base.txt" %}'
        )
    ]
    assert escaped == []
