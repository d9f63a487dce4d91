"""Reminders before the due day and once overdue: sent once across sweeps, escalated, moved by
an extension; and the coordinator's own reminders from the dashboard."""

from __future__ import annotations

import datetime
import io
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from core.enums import Role, Stage
from notifications.reminders import reminders_sweep
from submissions.models import Submission
from workflow.models import Reminder
from workflow.services import deadline_extend

from ..cast import Cast, drive_to

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _at(day: int, month: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2020, month, day, hour, minute, tzinfo=VN)


def _sweep(moment: datetime.datetime, django_capture_on_commit_callbacks: Any) -> Any:
    with (
        time_machine.travel(moment, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return reminders_sweep()


def _to(address: str) -> list[str]:
    return [str(m.subject) for m in mail.outbox if m.to == [address]]


def test_reminders_go_out_once_before_the_due_day_and_once_overdue(
    hanoi: Submission, danang: Submission, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    cast(Role.DRAFTER)  # the cast exists before the sweeps
    # 27/4: drafting is due 29/4, three working days away: nothing yet.
    result = _sweep(_at(27, 4, 9), django_capture_on_commit_callbacks)
    assert (result.before, result.overdue, len(mail.outbox)) == (0, 0, 0)

    # 28/4: the working day before the due day. Both provinces are reminded once.
    result = _sweep(_at(28, 4, 9), django_capture_on_commit_callbacks)
    assert (result.before, result.overdue, result.emails) == (2, 0, 2)
    assert _to("hn.drafter@example.vn") == [
        "[5137/BTC-NSNN] Nhắc hạn: Thành phố Hà Nội, “Đang soạn thảo” hạn ngày 29/04/2020"
    ]
    body = mail.outbox[0].body
    assert "còn 2 ngày làm việc, kể cả hôm nay" in body
    assert "/submissions/" in body

    # The same day again, and on the due day: the "before" reminder is not sent twice.
    for moment in (_at(28, 4, 15), _at(29, 4, 9)):
        result = _sweep(moment, django_capture_on_commit_callbacks)
        assert (result.before, result.overdue, len(mail.outbox)) == (0, 0, 2)

    # 30/4 to 3/5 are days off: nothing. 4/5 is past the cut-off of 29/4: overdue,
    # escalated to the People's Committee and the coordinator. A second sweep sends nothing.
    for day, month in ((30, 4), (1, 5), (2, 5), (3, 5)):
        result = _sweep(_at(day, month, 8), django_capture_on_commit_callbacks)
        assert (result.before, result.overdue, len(mail.outbox)) == (0, 0, 2)
    result = _sweep(_at(4, 5, 8), django_capture_on_commit_callbacks)
    assert (result.before, result.overdue) == (0, 2)
    assert _to("hn.provincial_signatory@example.vn") == [
        "[5137/BTC-NSNN] Quá hạn: Thành phố Hà Nội, “Đang soạn thảo”"
    ]
    assert len(_to("coordinator@example.vn")) == 2  # Hà Nội and Đà Nẵng
    assert len(_to("hn.drafter@example.vn")) == 2
    assert "hn.department_reviewer@example.vn" not in {a for m in mail.outbox for a in m.to}
    sent = len(mail.outbox)
    result = _sweep(_at(4, 5, 18), django_capture_on_commit_callbacks)
    assert (result.before, result.overdue, len(mail.outbox)) == (0, 0, sent)
    assert Reminder.objects.filter(submission=hanoi).count() == 2


def test_an_extension_is_a_new_occasion_for_a_reminder(
    hanoi: Submission, danang: Submission, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    _sweep(_at(4, 5, 8), django_capture_on_commit_callbacks)  # both overdue
    with time_machine.travel(_at(4, 5, 8, 30), tick=False):
        deadline_extend(
            actor=cast(Role.MINISTRY_COORDINATOR),
            submission=hanoi,
            due=datetime.date(2020, 5, 8),
            reason="Tỉnh đề nghị gia hạn do thay đổi nhân sự",
        )
    mail.outbox.clear()
    # Hà Nội's drafting is now due 06/5: reminded on 5/5, not before; Đà Nẵng not again.
    result = _sweep(_at(4, 5, 9), django_capture_on_commit_callbacks)
    assert (result.before, result.overdue, len(mail.outbox)) == (0, 0, 0)
    result = _sweep(_at(5, 5, 9), django_capture_on_commit_callbacks)
    assert _to("hn.drafter@example.vn") == [
        "[5137/BTC-NSNN] Nhắc hạn: Thành phố Hà Nội, “Đang soạn thảo” hạn ngày 06/05/2020"
    ]
    assert _to("dn.drafter@example.vn") == []


def test_a_stage_further_on_reminds_whoever_acts_there(
    hanoi: Submission, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(_at(28, 4, 9), tick=False):
        drive_to(hanoi, Stage.MINISTRY_CHECK, cast)
    mail.outbox.clear()
    _sweep(_at(7, 5, 9), django_capture_on_commit_callbacks)  # ministry check due 08/5
    assert _to("hn.ministry_checker@example.vn") == [
        "[5137/BTC-NSNN] Nhắc hạn: Thành phố Hà Nội, “Bộ Tài chính kiểm tra” hạn ngày 08/05/2020"
    ]
    _sweep(_at(11, 5, 9), django_capture_on_commit_callbacks)
    assert len(_to("hn.ministry_checker@example.vn")) == 2
    # A ministry stage escalates to the coordinator, not to the province.
    assert "hn.provincial_signatory@example.vn" not in {a for m in mail.outbox for a in m.to}
    assert any("Quá hạn: Thành phố Hà Nội" in s for s in _to("coordinator@example.vn"))


def test_the_command_runs_the_sweep_for_cron(
    hanoi: Submission, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    cast(Role.DRAFTER)
    out = io.StringIO()
    with (
        time_machine.travel(_at(28, 4, 9), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("send_reminders", stdout=out)
        call_command("send_reminders", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("reminders: 1 before the due day, 0 overdue, 1 e-mail(s)")
    assert lines[2].startswith("reminders: 0 before the due day, 0 overdue, 0 e-mail(s)")


def test_celery_beat_runs_the_sweep() -> None:
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()  # what a worker and beat do at start: every tasks.py
    entry = settings.CELERY_BEAT_SCHEDULE["deadline-reminders"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 900.0
    assert settings.CELERY_BEAT_SCHEDULE["documents-catch-up"]["task"] in app.tasks


@pytest.fixture
def coordinator_client(client: Any, cast: Cast) -> Any:
    client.force_login(cast(Role.MINISTRY_COORDINATOR))
    return client


def test_the_coordinator_reminds_chosen_provinces(
    coordinator_client: Any,
    hanoi: Submission,
    danang: Submission,
    cast: Cast,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = reverse("monitor:remind", kwargs={"code": hanoi.campaign.code})
    with (
        time_machine.travel(_at(4, 5, 9), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = coordinator_client.post(url, {"submission": [hanoi.pk, danang.pk]}, follow=True)
    page = response.content.decode()
    assert "Đã gửi nhắc nhở về 2 tỉnh (2 e-mail)." in page
    assert sorted(a for m in mail.outbox for a in m.to) == [
        "dn.drafter@example.vn",
        "hn.drafter@example.vn",
    ]
    assert mail.outbox[0].subject.startswith("[5137/BTC-NSNN] Bộ Tài chính nhắc: ")
    # Sent again on request: the coordinator's reminders are not limited to one.
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url, {"submission": [hanoi.pk]})
    assert Reminder.objects.filter(submission=hanoi, kind=Reminder.Kind.MANUAL).count() == 2

    response = coordinator_client.post(url, {}, follow=True)
    assert "Chọn ít nhất một tỉnh để nhắc." in response.content.decode()


def test_only_the_coordinator_sends_reminders(client: Any, hanoi: Submission, cast: Cast) -> None:
    url = reverse("monitor:remind", kwargs={"code": hanoi.campaign.code})
    for role in (Role.DRAFTER, Role.MINISTRY_CHECKER, Role.PROVINCIAL_SIGNATORY):
        client.force_login(cast(role))
        assert client.post(url, {"submission": [hanoi.pk]}).status_code == 404
    assert not Reminder.objects.exists()
    assert mail.outbox == []


def test_reminders_go_out_on_working_days_only_the_day_before_the_due_day(
    hanoi: Submission, danang: Submission, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    """Hà Nội's sign-off is due Tue 05/5/2020, Đà Nẵng's consolidation Tue 12/5: each is reminded
    on the working day before (Mon 4/5, Mon 11/5), not on the holidays of 30/4 and 1/5 or on
    Saturday 9/5, and the e-mail's count is true on the day it is sent."""
    with time_machine.travel(_at(28, 4, 9), tick=False):
        drive_to(hanoi, Stage.PROVINCIAL_SIGNOFF, cast)
        drive_to(danang, Stage.CONSOLIDATION, cast)
    mail.outbox.clear()
    days = [(29, 4), (30, 4), (1, 5), (2, 5), (4, 5), (9, 5), (11, 5)]
    sent: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for day, month in days:
        before = len(mail.outbox)
        _sweep(_at(day, month, 9), django_capture_on_commit_callbacks)
        sent[day, month] = [(m.to[0], str(m.subject)) for m in mail.outbox[before:]]
    assert sent[29, 4] == sent[30, 4] == sent[1, 5] == sent[2, 5] == sent[9, 5] == []
    assert sent[4, 5] == [
        (
            "hn.provincial_signatory@example.vn",
            "[5137/BTC-NSNN] Nhắc hạn: Thành phố Hà Nội, “UBND tỉnh ký duyệt” hạn ngày 05/05/2020",
        )
    ]
    assert "còn 2 ngày làm việc, kể cả hôm nay" in mail.outbox[0].body
    on_11_5 = dict(sent[11, 5])
    assert on_11_5["coordinator@example.vn"].startswith("[5137/BTC-NSNN] Nhắc hạn: Thành phố Đà")
    before_12_5 = next(m for m in mail.outbox if "Đà Nẵng" in m.subject and "Nhắc hạn" in m.subject)
    assert "12/05/2020: còn 2 ngày làm việc, kể cả hôm nay" in before_12_5.body
    # Hà Nội's sign-off, overdue since 5/5, is escalated on 11/5, not on Saturday 9/5.
    assert any("Quá hạn: Thành phố Hà Nội" in subject for _to, subject in sent[11, 5])
