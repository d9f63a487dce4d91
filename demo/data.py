"""The demo served by make run: users for every role, and a history made by the real services.

Six provinces have a drafter, a department reviewer and a signatory; their
reports were drafted and moved through the real drafting and transition
services at chosen moments of April and May 2020 (the application's clock
stands at each), so that the demo holds a submission in every stage and every inbox has
work in it. Idempotent: users are found by username, submissions by (campaign,
unit), and a story is played only on a submission nobody has touched.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat

from campaigns.models import AdministrativeUnit, Campaign
from campaigns.reference import load_reference_data
from core import clock
from core.enums import Action, Role
from submissions import services as drafting
from submissions import values as line_values
from submissions.models import Submission
from workflow.services import (
    NoteInput,
    role_grant,
    roles_ensure_groups,
    submission_start,
    submission_transition,
)

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DEMO_PASSWORD = "demo-5137"  # noqa: S105 - printed for the demo; never used outside it
CAMPAIGN_CODE = "5137-btc-nsnn"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    unit_codes: tuple[str, ...] = ()


PROVINCES = {"01": "hn", "22": "qn", "31": "hp", "48": "dn", "79": "hcm", "92": "ct"}
PROVINCE_NAMES = {
    "01": "Hà Nội",
    "22": "Quảng Ninh",
    "31": "Hải Phòng",
    "48": "Đà Nẵng",
    "79": "TP. Hồ Chí Minh",
    "92": "Cần Thơ",
}


def demo_users() -> list[DemoUser]:
    users = [
        # People's names only: pages add the role ("Trần Văn Bình (Chuyên viên Vụ NSNN)"),
        # and a title in the name printed it twice.
        DemoUser("dieuphoi", "Nguyễn Thị Hương", Role.MINISTRY_COORDINATOR),
        DemoUser("kiemtra", "Trần Văn Bình", Role.MINISTRY_CHECKER, tuple()),  # all units
        # Writes the next letters as campaign definitions (/campaigns/).
        DemoUser("quantri", "Lê Minh Quân", Role.CAMPAIGN_ADMINISTRATOR),
    ]
    people = {
        "soanthao": ("Chuyên viên Sở TT&TT", Role.DRAFTER),
        "lanhdaoso": ("Lãnh đạo Sở TT&TT", Role.DEPARTMENT_REVIEWER),
        "ubnd": ("Lãnh đạo UBND", Role.PROVINCIAL_SIGNATORY),
    }
    for code, short in PROVINCES.items():
        for suffix, (title, role) in people.items():
            users.append(
                DemoUser(f"{short}.{suffix}", f"{title} {PROVINCE_NAMES[code]}", role, (code,))
            )
    return users


def _user(spec: DemoUser) -> User:
    model = get_user_model()
    first, _, last = spec.full_name.partition(" ")
    # The name follows the demo's (a demo made by an older version is brought up to date).
    user, created = model.objects.update_or_create(
        username=spec.username, defaults={"first_name": first, "last_name": last}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


# Hà Nội's appendix, complete; amounts in million VND.
HANOI_LINES: dict[str, dict[str, object]] = {
    "1.1": {
        "basis": "Kế hoạch ứng dụng CNTT giai đoạn 2016-2020 của Thành phố",
        "demand": "152340.5",
        "alloc_invest_ctmt": "12000",
        "alloc_invest_self": "45210.25",
        "alloc_invest_separate": "60000",
        "alloc_recurrent_ctmt": "0",
        "alloc_recurrent_self": "18250.75",
        "alloc_recurrent_separate": "0",
        "spent": "128900.3",
        "completed_products": "4.850 máy tính, 320 máy chủ và thiết bị ngoại vi",
        "not_completed_pct": "5",
        "not_completed_reason": "Gói thầu thiết bị đợt 3 chuyển sang 2020",
        "accepted_internal": True,
        "accepted_by_authority": True,
        "vs_demand_pct": "84.6",
        "vs_resolution17_pct": "90",
        "infrastructure_status": "Đã trang bị máy tính cho 100% cán bộ, công chức cấp tỉnh, cấp huyện và 92% cấp xã, đạt mục tiêu Kế hoạch ứng dụng CNTT; khoảng 15% máy cấp xã đã cũ, cần thay thế.",
        "use_as_designed_pct": "92",
        "use_not_as_designed_pct": "5",
        "use_not_as_designed_reason": "Một số máy dùng cho công việc văn phòng thay vì chuyên dụng",
        "unused_pct": "3",
        "unused_reason": "Thiết bị hỏng chờ thanh lý",
        "difficulties": "Định mức trang thiết bị chưa cập nhật",
    },
    "1.2": {
        "demand": "48000",
        "alloc_invest_ctmt": "8000",
        "alloc_invest_self": "10000",
        "alloc_invest_separate": "20000",
        "alloc_recurrent_ctmt": "0",
        "alloc_recurrent_self": "6500",
        "alloc_recurrent_separate": "0",
        "spent": "41250",
        "vs_demand_pct": "85.9",
        "vs_resolution17_pct": "95",
        "infrastructure_status": "Mạng truyền số liệu chuyên dùng kết nối 100% sở, ngành, UBND cấp huyện và 85% UBND cấp xã; chưa đạt mục tiêu kết nối toàn bộ cấp xã theo Nghị quyết 17/NQ-CP.",
        "use_as_designed_pct": "100",
    },
    "1.3": {
        "demand": "95000",
        "alloc_invest_ctmt": "0",
        "alloc_invest_self": "0",
        "alloc_invest_separate": "70000",
        "alloc_recurrent_ctmt": "0",
        "alloc_recurrent_self": "5000",
        "alloc_recurrent_separate": "0",
        "spent": "68400",
        "vs_demand_pct": "72",
        "vs_resolution17_pct": "80",
        "infrastructure_status": "Trung tâm dữ liệu của {unit} vận hành từ năm 2018, đáp ứng nhu cầu hiện tại; chưa có trung tâm dữ liệu dự phòng như chủ trương đề ra.",
        "use_as_designed_pct": "100",
    },
    "1.4": {
        "demand": "12500",
        "alloc_invest_ctmt": "0",
        "alloc_invest_self": "9000",
        "alloc_invest_separate": "0",
        "alloc_recurrent_ctmt": "0",
        "alloc_recurrent_self": "1500",
        "alloc_recurrent_separate": "0",
        "spent": "10250",
        "vs_demand_pct": "82",
        "vs_resolution17_pct": "85",
        "infrastructure_status": "Phòng máy chủ của các sở, ngành cơ bản đáp ứng; một số phòng chưa bảo đảm điều kiện về điều hòa, phòng cháy chữa cháy.",
        "use_as_designed_pct": "100",
    },
    "2.1": {
        "basis": "Kiến trúc Chính quyền điện tử Thành phố Hà Nội",
        "demand": "25000",
        "alloc_invest_ctmt": "5000",
        "alloc_invest_self": "0",
        "alloc_invest_separate": "15000",
        "alloc_recurrent_ctmt": "0",
        "alloc_recurrent_self": "2000",
        "alloc_recurrent_separate": "0",
        "spent": "21800",
        "vs_demand_pct": "87.2",
        "vs_resolution17_pct": "100",
        "infrastructure_status": "LGSP của {unit} đã kết nối với Nền tảng tích hợp, chia sẻ dữ liệu quốc gia (NGSP) và 12 hệ thống thông tin của tỉnh, đạt mục tiêu của Nghị quyết 17/NQ-CP.",
        "use_as_designed_pct": "100",
    },
    "2.2": {
        "demand": "8000",
        "alloc_invest_ctmt": "0",
        "alloc_invest_self": "3000",
        "alloc_invest_separate": "0",
        "alloc_recurrent_ctmt": "0",
        "alloc_recurrent_self": "1000",
        "alloc_recurrent_separate": "0",
        "spent": "3950",
        "vs_demand_pct": "49.4",
        "vs_resolution17_pct": "60",
        "infrastructure_status": "Nền tảng định danh, xác thực điện tử mới triển khai thử nghiệm; chưa kết nối được với hệ thống của Bộ.",
        "use_as_designed_pct": "70",
        "unused_pct": "30",
        "unused_reason": "Nền tảng định danh chưa kết nối được với hệ thống của Bộ",
    },
    "3.1": {
        "demand": "36000",
        "alloc_invest_ctmt": "0",
        "alloc_invest_self": "6000",
        "alloc_invest_separate": "22000",
        "alloc_recurrent_ctmt": "0",
        "alloc_recurrent_self": "3000",
        "alloc_recurrent_separate": "0",
        "spent": "29760.125",
        "vs_demand_pct": "82.7",
        "vs_resolution17_pct": "75",
        "infrastructure_status": "Đã xây dựng CSDL đất đai và CSDL cán bộ, công chức; dữ liệu chưa cập nhật đầy đủ, chưa chia sẻ với các CSDL quốc gia.",
        "use_as_designed_pct": "88",
        "use_not_as_designed_pct": "12",
        "use_not_as_designed_reason": "Dữ liệu chưa được cập nhật đầy đủ",
    },
    "4.1": {
        "demand": "54000",
        "alloc_invest_ctmt": "6000",
        "alloc_invest_self": "12000",
        "alloc_invest_separate": "25000",
        "alloc_recurrent_ctmt": "0",
        "alloc_recurrent_self": "7000",
        "alloc_recurrent_separate": "0",
        "spent": "47520",
        "vs_demand_pct": "88",
        "vs_resolution17_pct": "92",
        "infrastructure_status": "Hệ thống quản lý văn bản và điều hành liên thông 4 cấp; thư điện tử công vụ và hội nghị truyền hình trực tuyến đến cấp huyện, đạt mục tiêu đề ra.",
        "use_as_designed_pct": "95",
        "use_not_as_designed_pct": "5",
        "use_not_as_designed_reason": "Hội nghị truyền hình dùng chưa hết công suất",
    },
    "4.2": {
        "demand": "41000",
        "alloc_invest_ctmt": "4000",
        "alloc_invest_self": "8000",
        "alloc_invest_separate": "22000",
        "alloc_recurrent_ctmt": "0",
        "alloc_recurrent_self": "4000",
        "alloc_recurrent_separate": "0",
        "spent": "36890",
        "vs_demand_pct": "90",
        "vs_resolution17_pct": "88",
        "infrastructure_status": "Hệ thống thông tin một cửa điện tử dùng chung 3 cấp; Cổng dịch vụ công của {unit} đã kết nối Cổng Dịch vụ công quốc gia, cung cấp dịch vụ công trực tuyến mức độ 3, 4.",
        "use_as_designed_pct": "100",
    },
    "5": {
        "demand": "15000",
        "alloc_invest_ctmt": "2000",
        "alloc_invest_self": "3000",
        "alloc_invest_separate": "6000",
        "alloc_recurrent_ctmt": "0",
        "alloc_recurrent_self": "2500",
        "alloc_recurrent_separate": "0",
        "spent": "12700",
        "vs_demand_pct": "84.7",
        "vs_resolution17_pct": "85",
        "infrastructure_status": "Đã giám sát an toàn thông tin tập trung và phân loại hệ thống theo cấp độ; mới 60% hệ thống được phê duyệt hồ sơ đề xuất cấp độ.",
        "use_as_designed_pct": "100",
    },
    "6": {
        "demand": "6000",
        "alloc_invest_ctmt": "0",
        "alloc_invest_self": "0",
        "alloc_invest_separate": "0",
        "alloc_recurrent_ctmt": "1000",
        "alloc_recurrent_self": "3500",
        "alloc_recurrent_separate": "0",
        "spent": "4300",
        "vs_demand_pct": "71.7",
        "vs_resolution17_pct": "70",
        "infrastructure_status": "Cán bộ chuyên trách CNTT được đào tạo, bồi dưỡng hằng năm; nhân lực an toàn thông tin còn thiếu so với yêu cầu.",
    },
}

HANOI_NARRATIVE = {
    "2.1": "Các văn bản hướng dẫn về cơ chế tài chính cơ bản phù hợp; tuy nhiên định mức chi cho thuê dịch vụ CNTT chưa có hướng dẫn cụ thể, gây khó khăn khi lập dự toán.",
    "2.2.a": "Nhiệm vụ được xác định theo Kế hoạch ứng dụng CNTT 5 năm và hằng năm; việc thẩm định do Sở TT&TT chủ trì, dự toán được bố trí từ ba nguồn theo đúng quy định.",
    "2.2.b": "Kho bạc Nhà nước kiểm soát chi chặt chẽ; có 2 trường hợp bị từ chối thanh toán do hồ sơ nghiệm thu chưa đầy đủ, đã được bổ sung.",
    "2.2.c": "Phần lớn nhiệm vụ nghiệm thu đúng tiến độ; 3 nhiệm vụ phải điều chỉnh thiết kế do thay đổi yêu cầu kết nối với hệ thống của Trung ương.",
    "2.3.a": "Sở TT&TT kiểm tra định kỳ hằng năm việc bảo đảm quy chuẩn kỹ thuật; Bộ TT&TT kiểm tra năm 2018.",
    "2.3.b": "Thanh tra Thành phố thanh tra việc sử dụng kinh phí năm 2019, không phát hiện sai phạm lớn.",
    "2.4.i": "Đã hình thành trung tâm dữ liệu, LGSP, hệ thống một cửa điện tử dùng chung; đạt phần lớn mục tiêu của Nghị quyết 17/NQ-CP.",
    "2.4.ii": "Tỷ lệ hồ sơ trực tuyến mức độ 3, 4 tăng rõ rệt; văn bản điện tử liên thông 4 cấp.",
    "2.4.iii": "Khoảng 92% trang thiết bị được sử dụng đúng thiết kế; 5% sử dụng không như thiết kế; 3% không sử dụng được do hỏng.",
    "2.4.iv": "Hạ tầng cơ bản đáp ứng; một số CSDL chưa kết nối, chia sẻ với CSDL quốc gia.",
    "2.5.i": "Còn tình trạng đầu tư dàn trải ở cấp huyện; một số hệ thống không tương thích, phải nâng cấp.",
    "2.5.ii": "Đề nghị ban hành định mức thuê dịch vụ CNTT và cơ chế chia sẻ dữ liệu giữa các cấp.",
}


# Each province's appendix is Hà Nội's, scaled: realistic sizes, all of them consistent.
SCALE = {
    "01": Decimal(1),
    "22": Decimal("0.31"),
    "31": Decimal("0.42"),
    "48": Decimal("0.27"),
    "79": Decimal("1.18"),
    "92": Decimal("0.23"),
}


def _value(
    name: str, raw: object, scale: Decimal, unit: str, measures: line_values.LineMeasures
) -> object:
    kind = measures.kinds[name]
    if kind == "text" and isinstance(raw, str):
        return raw.format(unit=unit)  # a text may name the province it describes
    if not isinstance(raw, str):
        return raw
    value = Decimal(raw)
    if kind == "amount":
        value = (value * scale).quantize(Decimal("0.001"))
    return value


def _fill(submission: Submission, drafter: User, *, complete: bool = True) -> None:
    """Draft the report through the real services, as the province's drafter."""
    scale = SCALE[submission.unit.code]
    lines = {
        (line.row.code if line.row else ""): line for line in submission.lines.select_related("row")
    }
    rows = HANOI_LINES if complete else {"1.1": HANOI_LINES["1.1"], "2.1": HANOI_LINES["2.1"]}
    measures = line_values.for_campaign(submission.campaign)
    values = {
        lines[code].pk: {
            k: _value(k, v, scale, submission.unit.name, measures) for k, v in fields.items()
        }
        for code, fields in rows.items()
    }
    submission = drafting.appendix_save(
        actor=drafter, submission=submission, revision=submission.revision, values=values
    )
    points = {p.code: p.pk for s in submission.campaign.sections.all() for p in s.points.all()}
    answers = HANOI_NARRATIVE if complete else {"2.1": HANOI_NARRATIVE["2.1"]}
    drafting.narrative_save(
        actor=drafter,
        submission=submission,
        revision=submission.revision,
        answers={points[c]: text for c, text in answers.items()},
        treasury_refusal_count=2 if complete else None,
        treasury_refusal_amount=(Decimal("1250.5") * scale).quantize(Decimal("0.001"))
        if complete
        else None,
        treasury_refusal_note="Hồ sơ nghiệm thu chưa đầy đủ; đã bổ sung và được thanh toán."
        if complete
        else "",
        problem_kinds=list(
            submission.campaign.problem_kinds.filter(
                code__in=["spread-thin", "incompatible", "needs-upgrade"]
            )
        )
        if complete
        else [],
    )


def _at(day: int, month: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2020, month, day, hour, minute, tzinfo=VN)


# Who did what, when (Asia/Ho_Chi_Minh), province by province. Each province ends in a
# different stage, so the demo shows every stage and every inbox has work in it. All of it
# happens before the moment make run shows the campaign at (DEMO_CLOCK in the Makefile,
# Monday 04/5/2020 09:00, a working day before the deadline), so that moment is live.
Step = tuple[datetime.datetime, str, Action, str]  # when, who (role suffix), action, reason
STORIES: dict[str, list[Step]] = {
    # Đà Nẵng: still drafting, half done.
    "48": [],
    # TP. Hồ Chí Minh: submitted this morning, the department's due day.
    "79": [(_at(4, 5, 8, 40), "soanthao", Action.SUBMIT, "")],
    # Hải Phòng: approved by the department, waiting for the People's Committee.
    "31": [
        (_at(29, 4, 10, 30), "soanthao", Action.SUBMIT, ""),
        (_at(29, 4, 16, 15), "lanhdaoso", Action.APPROVE, ""),
    ],
    # Hà Nội: returned once by the department, then signed off; the ministry checks it.
    "01": [
        (_at(29, 4, 9, 15), "soanthao", Action.SUBMIT, ""),
        (
            _at(29, 4, 11, 40),
            "lanhdaoso",
            Action.RETURN,
            "Đề nghị bổ sung căn cứ xác định nhiệm vụ cho dòng hạ tầng mạng.",
        ),
        (_at(29, 4, 15, 0), "soanthao", Action.SUBMIT, ""),
        (_at(29, 4, 16, 45), "lanhdaoso", Action.APPROVE, ""),
        (_at(4, 5, 8, 15), "ubnd", Action.SIGN, ""),
    ],
    # Cần Thơ: accepted by the ministry, waiting for the consolidation run.
    "92": [
        (_at(28, 4, 10, 0), "soanthao", Action.SUBMIT, ""),
        (_at(28, 4, 15, 0), "lanhdaoso", Action.APPROVE, ""),
        (_at(29, 4, 9, 30), "ubnd", Action.SIGN, ""),
        (_at(4, 5, 8, 30), "kiemtra", Action.ACCEPT, ""),
    ],
    # Quảng Ninh: consolidated.
    "22": [
        (_at(27, 4, 16, 0), "soanthao", Action.SUBMIT, ""),
        (_at(28, 4, 9, 0), "lanhdaoso", Action.APPROVE, ""),
        (_at(28, 4, 14, 0), "ubnd", Action.SIGN, ""),
        (_at(29, 4, 10, 0), "kiemtra", Action.ACCEPT, ""),
        (_at(29, 4, 16, 0), "dieuphoi", Action.CONSOLIDATE, ""),
    ],
}
DRAFTED_AT = {
    "48": _at(29, 4, 11, 0),
    "79": _at(29, 4, 15, 0),
    "31": _at(28, 4, 10, 0),
    "01": _at(28, 4, 14, 0),
    "92": _at(27, 4, 17, 0),
    "22": _at(27, 4, 11, 0),
}
# The letter went out that morning: every unit's submission is opened then.
OPENED_AT = _at(27, 4, 8, 0)


def _step(submission: Submission, step: Step, users: dict[str, User]) -> None:
    when, who, action, reason = step
    short = PROVINCES[submission.unit.code]
    drafter = users[f"{short}.soanthao"]
    actor = users[who if who in ("kiemtra", "dieuphoi") else f"{short}.{who}"]
    submission.refresh_from_db()
    if action == Action.SUBMIT and submission.audit_records.exists():
        # The drafter answers the return before submitting again.
        line = submission.lines.get(row__code="1.2")
        with clock.at(when - datetime.timedelta(minutes=30)):
            drafting.appendix_save(
                actor=drafter,
                submission=submission,
                revision=submission.revision,
                values={line.pk: {"basis": "Quyết định 5432/QĐ-UBND ngày 12/9/2016"}},
            )
        submission.refresh_from_db()
    with clock.at(when):
        notes = []
        if action == Action.RETURN:
            line = submission.lines.get(row__code="1.2")
            notes = [NoteInput("Chưa ghi căn cứ xác định nhiệm vụ.", line_id=line.pk)]
        submission_transition(
            actor=actor,
            submission=submission,
            action=action,
            expected_stage=submission.stage,
            reason=reason,
            notes=notes,
        )


def _play(submissions: dict[str, Submission], users: dict[str, User]) -> None:
    """Every province's drafting and steps, in the order they happened, so that receipt
    numbers (given in commit order) follow the calendar."""
    events: list[tuple[datetime.datetime, str, Step | None]] = [
        (DRAFTED_AT[code], code, None) for code in submissions
    ]
    events += [(step[0], code, step) for code in submissions for step in STORIES[code]]
    for when, code, step in sorted(events, key=lambda e: (e[0], e[1])):
        submission = submissions[code]
        if step is None:
            drafter = users[f"{PROVINCES[code]}.soanthao"]
            with clock.at(when):
                _fill(submission, drafter, complete=bool(STORIES[code]))
        else:
            _step(submission, step, users)


def load_demo() -> list[DemoUser]:
    load_reference_data()
    roles_ensure_groups()
    campaign = Campaign.objects.get(code=CAMPAIGN_CODE)
    all_units = list(campaign.units.all())
    specs = demo_users()
    model = get_user_model()
    with transaction.atomic():
        admin, created = model.objects.get_or_create(
            username="admin",
            defaults={
                "is_staff": True,
                "is_superuser": True,
                "first_name": "Quản trị",
                "last_name": "hệ thống",
            },
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        users = {}
        for spec in specs:
            user = _user(spec)
            users[spec.username] = user
            if spec.role == Role.MINISTRY_CHECKER:
                units = all_units
            else:
                units = list(
                    AdministrativeUnit.objects.filter(code__in=spec.unit_codes, campaigns=campaign)
                )
            role_grant(user=user, role=spec.role, units=units)
        with clock.at(OPENED_AT):
            for unit in all_units:
                submission_start(campaign=campaign, unit=unit)
    untouched = {
        s.unit.code: s
        for s in Submission.objects.filter(
            campaign=campaign, unit__code__in=STORIES, revision=0, audit_records__isnull=True
        ).select_related("unit", "campaign")
    }
    if untouched:
        with transaction.atomic():
            _play(untouched, users)
    # Addresses come after the history, so that loading it prints no e-mails; from then on
    # transitions and reminders go to the console (or EMAIL_URL) like any others.
    model.objects.filter(username__in=[s.username for s in specs], email="").update(
        email=Concat("username", Value("@demo.example.vn"))
    )
    return specs
