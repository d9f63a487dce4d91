"""The demo served by make run: users for every role and submissions drafted through the services.

Idempotent: users are found by username, submissions by (campaign, unit), and a
submission is drafted only while nobody has saved it yet (revision 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from submissions import services as drafting
from submissions.models import AdministrativeUnit, Campaign, Submission
from submissions.reference import load_reference_data

from .roles import Role
from .services import role_grant, roles_ensure_groups, submission_start

DEMO_PASSWORD = "demo-5137"  # noqa: S105 - printed for the demo; never used outside it
CAMPAIGN_CODE = "5137-btc-nsnn"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    unit_codes: tuple[str, ...] = ()


PROVINCES = {"01": "hn", "48": "dn", "79": "hcm"}
PROVINCE_NAMES = {"01": "Hà Nội", "48": "Đà Nẵng", "79": "TP. Hồ Chí Minh"}


def demo_users() -> list[DemoUser]:
    users = [
        DemoUser("dieuphoi", "Nguyễn Thị Hương (Lãnh đạo Vụ NSNN)", Role.MINISTRY_COORDINATOR),
        DemoUser(
            "kiemtra",
            "Trần Văn Bình (Chuyên viên Vụ NSNN)",
            Role.MINISTRY_CHECKER,
            tuple(),  # all units: filled in below
        ),
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
    user, created = model.objects.get_or_create(
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


def _fill_hanoi(submission: Submission, drafter: User) -> None:
    lines = {
        (line.row.code if line.row else ""): line for line in submission.lines.select_related("row")
    }
    values = {}
    for code, fields in HANOI_LINES.items():
        values[lines[code].pk] = {
            k: (Decimal(v) if isinstance(v, str) and k not in _TEXT else v)
            for k, v in fields.items()
        }
    submission = drafting.appendix_save(
        actor=drafter, submission=submission, revision=submission.revision, values=values
    )
    points = {p.code: p.pk for s in submission.campaign.sections.all() for p in s.points.all()}
    drafting.narrative_save(
        actor=drafter,
        submission=submission,
        revision=submission.revision,
        answers={points[c]: text for c, text in HANOI_NARRATIVE.items()},
        treasury_refusal_count=2,
        treasury_refusal_amount=Decimal("1250.5"),
        treasury_refusal_note="Hồ sơ nghiệm thu chưa đầy đủ; đã bổ sung và được thanh toán.",
        problem_kinds=list(
            submission.campaign.problem_kinds.filter(
                code__in=["spread-thin", "incompatible", "needs-upgrade"]
            )
        ),
    )


_TEXT = {
    "basis",
    "completed_products",
    "not_completed_reason",
    "use_not_as_designed_reason",
    "unused_reason",
    "difficulties",
}


def _fill_danang(submission: Submission, drafter: User) -> None:
    """A draft half done: some rows and points, so the completeness list has work to show."""
    lines = {
        (line.row.code if line.row else ""): line for line in submission.lines.select_related("row")
    }
    values = {
        lines["1.1"].pk: {
            "demand": Decimal("32000"),
            "alloc_invest_ctmt": Decimal("5000"),
            "alloc_invest_self": Decimal("12000"),
            "alloc_invest_separate": Decimal("8000"),
            "alloc_recurrent_ctmt": Decimal("0"),
            "alloc_recurrent_self": Decimal("3000"),
            "alloc_recurrent_separate": Decimal("0"),
            "spent": Decimal("26450.75"),
        },
        lines["2.1"].pk: {"demand": Decimal("18000"), "spent": Decimal("15200")},
    }
    submission = drafting.appendix_save(
        actor=drafter, submission=submission, revision=submission.revision, values=values
    )
    points = {p.code: p.pk for s in submission.campaign.sections.all() for p in s.points.all()}
    drafting.narrative_save(
        actor=drafter,
        submission=submission,
        revision=submission.revision,
        answers={points["2.1"]: "Thể chế tài chính cơ bản phù hợp với đặc thù của Thành phố."},
        treasury_refusal_count=None,
        treasury_refusal_amount=None,
        treasury_refusal_note="",
        problem_kinds=[],
    )


def load_demo() -> list[DemoUser]:
    load_reference_data()
    roles_ensure_groups()
    campaign = Campaign.objects.get(code=CAMPAIGN_CODE)
    all_units = list(campaign.units.all())
    specs = demo_users()
    with transaction.atomic():
        model = get_user_model()
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
        for spec in specs:
            user = _user(spec)
            if spec.role == Role.MINISTRY_CHECKER:
                units = all_units
            else:
                units = list(
                    AdministrativeUnit.objects.filter(code__in=spec.unit_codes, campaigns=campaign)
                )
            role_grant(user=user, role=spec.role, units=units)
        for unit in all_units:
            submission_start(campaign=campaign, unit=unit)
    drafter = {
        code: model.objects.get(username=f"{short}.soanthao") for code, short in PROVINCES.items()
    }
    hanoi = Submission.objects.get(campaign=campaign, unit__code="01", unit__in=all_units)
    if hanoi.revision == 0:
        _fill_hanoi(hanoi, drafter["01"])
    danang = Submission.objects.get(campaign=campaign, unit__code="48", unit__in=all_units)
    if danang.revision == 0:
        _fill_danang(danang, drafter["48"])
    return specs
