"""make run's demo: a submission in every stage, made by the real services, and inboxes that hold
exactly what each demo user may act on."""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path
from typing import Any

import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.management import call_command

from campaigns import definition
from campaigns.models import Campaign
from core import clock
from core.enums import Action, Stage
from demo.data import FIRST, SECOND, read_definition
from notifications.reminders import reminders_sweep
from submissions.models import Submission
from workflow import access, selectors
from workflow.models import AuditRecord, Reminder


def test_the_demo_story(db: None, client: Any) -> None:
    """Each stage holds a province; inboxes hold what their users may act on; the pages name
    people once, with their role."""
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # a second run neither fails nor duplicates
    first = Campaign.objects.get(code=FIRST.code)
    stages = dict(
        Submission.objects.filter(
            campaign=first, unit__code__in=["01", "22", "31", "48", "79", "92"]
        ).values_list("unit__code", "stage")
    )
    assert stages == {
        "48": Stage.DRAFTING,
        "79": Stage.DEPARTMENT_REVIEW,
        "31": Stage.PROVINCIAL_SIGNOFF,
        "01": Stage.MINISTRY_CHECK,
        "92": Stage.CONSOLIDATION,
        "22": Stage.CONSOLIDATED,
    }
    assert Submission.objects.filter(campaign=first).count() == 63
    assert AuditRecord.objects.filter(submission__campaign=first).count() == 17
    first_record = AuditRecord.objects.filter(submission__campaign=first).order_by("at").first()
    assert first_record is not None
    assert (
        first_record.at.astimezone(datetime.timezone(datetime.timedelta(hours=7))).strftime(
            "%d/%m/%Y %H:%M"
        )
        == "27/04/2020 16:00"
    )
    hanoi = Submission.objects.get(campaign=first, unit__code="01")
    assert list(hanoi.audit_records.values_list("action", flat=True)) == [
        "submit",
        "return",
        "submit",
        "approve",
        "sign",
    ]
    assert hanoi.versions.count() == 2  # the return was answered with a change

    def waiting(username: str) -> set[str]:
        """What waits in the user's inbox, as "<letter number> <unit code>"."""
        box = selectors.inbox(User.objects.get(username=username))
        return {
            f"{row.submission.campaign.number} {row.submission.unit.code}"
            for row in box.assigned + box.available
        }

    expected = {
        "dn.soanthao": {"5137/BTC-NSNN 48"},
        "hcm.lanhdaoso": {"5137/BTC-NSNN 79"},
        "hp.ubnd": {"5137/BTC-NSNN 31"},
        # The ministry's people act in both campaigns, side by side in one inbox.
        "kiemtra": {"5137/BTC-NSNN 01", "11250/BTC-NSNN 52"},
        "dieuphoi": {
            "5137/BTC-NSNN 92",
            "5137/BTC-NSNN 22",
            "11250/BTC-NSNN 96",
            "11250/BTC-NSNN 91",
        },
        "hn.soanthao": set(),
        "hn.lanhdaoso": set(),
        "qn.ubnd": set(),
        "tq.soanthao": {"11250/BTC-NSNN 08"},
        "nb.ubnd": {"11250/BTC-NSNN 37"},
        "gl.ubnd": set(),
        "cm.soanthao": set(),
    }
    for username, codes in expected.items():
        assert waiting(username) == codes, username
    # Whatever is in an inbox, its user has a button for it.
    for username in expected:
        user: Any = User.objects.get(username=username)
        box = selectors.inbox(user)
        for row in box.assigned + box.available:
            assert access.available_transitions(user, row.submission), (username, row.submission)

    # Demo names are people's names: the page adds the role once. A consolidated report says
    # nobody acts next, only who may reopen it.
    quang_ninh = Submission.objects.get(campaign=first, unit__code="22")
    client.force_login(User.objects.get(username="dieuphoi"))
    page = client.get(quang_ninh.get_absolute_url()).content.decode()
    timeline = page.split('id="timeline"')[1].split("</section>")[0]
    assert "Trần Văn Bình (Chuyên viên Vụ NSNN)" in timeline
    assert "Nguyễn Thị Hương (Lãnh đạo Vụ)" in timeline
    assert re.search(r"\(([^()<]+)\) \(\1\)", timeline) is None
    next_step = page.split('id="next-actors">')[1].split("</p>")[0]
    assert next_step == (
        "Không có: quy trình xử lý đã kết thúc. "
        "Chỉ vai trò sau được mở lại hồ sơ, kèm lý do: <strong>Lãnh đạo Vụ</strong>."
    )
    assert 'id="do-reopen"' in page


def test_the_second_campaign_is_data_opened_through_its_lifecycle(db: None, client: Any) -> None:
    """The demo's letter of 2025 is a valid definition loaded like an upload and opened by the
    campaign administrator: all 34 units of 2025 started, one unit at every stage of its
    process, which has no review inside the unit, and a return answered on the way."""
    data = read_definition(SECOND.file)
    assert definition.validate(data) == []
    assert data["units"] == {"set": "2025"}
    assert "demo" in data["_comment"]
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    second = Campaign.objects.get(code=data["code"])
    assert second.state == Campaign.State.OPEN
    assert second.number == "11250/BTC-NSNN"
    assert Submission.objects.filter(campaign=second).count() == 34
    assert second.units.filter(valid_from=datetime.date(2025, 7, 1)).count() == 34
    stages = dict(
        Submission.objects.filter(campaign=second, unit__code__in=SECOND.steps).values_list(
            "unit__code", "stage"
        )
    )
    assert stages == {
        "08": Stage.DRAFTING,
        "37": Stage.PROVINCIAL_SIGNOFF,
        "52": Stage.MINISTRY_CHECK,
        "96": Stage.CONSOLIDATION,
        "91": Stage.CONSOLIDATED,
    }
    records = AuditRecord.objects.filter(submission__campaign=second)
    assert records.count() == 13
    assert not records.filter(action=Action.APPROVE).exists()  # nobody reviews in the unit
    assert not records.filter(to_stage=Stage.DEPARTMENT_REVIEW).exists()
    ca_mau = Submission.objects.get(campaign=second, unit__code="96")
    assert list(ca_mau.audit_records.values_list("action", flat=True)) == [
        "submit",
        "sign",
        "return",
        "submit",
        "sign",
        "accept",
    ]

    # Its overview totals its own amounts, as its letter names them.
    client.force_login(User.objects.get(username="dieuphoi"))
    page = client.get(ca_mau.get_absolute_url()).content.decode()
    totals = page.split('id="totals"')[1].split("</section>")[0]
    assert "Kinh phí bố trí năm 2025" in totals
    assert 'id="total-allocated">' in totals and 'id="total-disbursed">' in totals
    assert "total-demand" not in totals
    # Its dashboard counts the stages of its own process: no department.
    board = client.get(f"/monitor/{second.code}/").content.decode()
    assert "Sở thẩm định" not in board
    assert "UBND tỉnh ký duyệt" in board


def demo_clock() -> datetime.datetime:
    """The moment make run shows the demo at (DEMO_CLOCK in the Makefile)."""
    makefile = (Path(django_settings.BASE_DIR) / "Makefile").read_text()
    match = re.search(r"^DEMO_CLOCK \?= (\S+)$", makefile, re.MULTILINE)
    assert match, "DEMO_CLOCK is gone from the Makefile"
    moment = clock.parse_start(match.group(1))
    assert moment is not None
    return moment


def test_make_run_shows_the_demo_as_a_live_campaign(db: None, settings: Any, client: Any) -> None:
    """At make run's moment the history is behind, the provinces are on track or at risk with
    working days left, and the reminders say "due", not "overdue by years"."""
    settings.RECEIPT_RENDERING = "off"
    call_command("load_demo", stdout=io.StringIO())
    moment = demo_clock()
    assert moment == datetime.datetime(2020, 5, 4, 9, 0, tzinfo=clock.VN)
    # 5137's history is behind that moment (the second campaign's lies in 2025: README).
    assert AuditRecord.objects.filter(submission__campaign__code=FIRST.code).exists()
    assert (
        AuditRecord.objects.filter(submission__campaign__code=FIRST.code, at__gte=moment).count()
        == 0
    )

    settings.CLOCK_START = moment
    with time_machine.travel(clock.STARTED + datetime.timedelta(minutes=5), tick=False):
        client.force_login(User.objects.get(username="dieuphoi"))
        page = client.get("/monitor/5137-btc-nsnn/").content.decode()
        assert "số liệu lúc 09:05 04/05/2020" in page
        export = client.get("/monitor/5137-btc-nsnn/export.csv").content.decode("utf-8-sig")
        rows = {r["Mã"]: r for r in csv.DictReader(io.StringIO(export))}
        seen = {
            code: (
                rows[code]["Tình trạng bước"],
                rows[code]["Số ngày làm việc còn lại"],
                rows[code]["Tình trạng của tỉnh"],
            )
            for code in ("48", "79", "31", "01", "92", "22")
        }
        assert seen == {
            # drafting was due on 29/4, two working days before the deadline
            "48": ("Quá hạn", "-1", "Đúng tiến độ"),
            "79": ("Có nguy cơ trễ hạn", "1", "Đúng tiến độ"),
            "31": ("Đúng tiến độ", "2", "Đúng tiến độ"),
            "01": ("Đúng tiến độ", "5", "Hoàn thành đúng hạn"),
            "92": ("Đúng tiến độ", "7", "Hoàn thành đúng hạn"),
            "22": ("", "", "Hoàn thành đúng hạn"),
        }
        assert {r["Tình trạng của tỉnh"] for r in rows.values()} == {
            "Chưa bắt đầu",
            "Đúng tiến độ",
            "Hoàn thành đúng hạn",
        }

        client.force_login(User.objects.get(username="hcm.lanhdaoso"))
        inbox = client.get("/inbox/").content.decode()
        assert "Đúng tiến độ" in inbox and "Quá hạn" not in inbox

        reminders_sweep()
    kinds = dict(
        Reminder.objects.filter(submission__unit__code__in=["48", "79", "31"]).values_list(
            "submission__unit__code", "kind"
        )
    )
    assert kinds == {"48": "overdue", "79": "before", "31": "before"}
    assert set(Reminder.objects.values_list("at", flat=True)) == {
        moment + datetime.timedelta(minutes=5)
    }
