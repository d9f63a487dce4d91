"""The demo served by make run: users for every role, and a history made by the real services.

Two campaigns, each read from its definition file (no code names either):

- the shipped one (campaigns/data/): six provinces have a drafter, a department reviewer and a
  signatory; their reports were drafted and moved through the real drafting and transition
  services at chosen moments of April and May 2020 (the application's clock stands at each).
- A demo letter of 2025 to the 34 units of 2025 (demo/definitions/), loaded as a draft like an
  upload and opened through the campaign's lifecycle; its process has no review inside the
  unit. Five units have a drafter and a signatory, their stories played in September and
  October 2025.

So each campaign holds a submission in every stage of its process and every inbox has work
in it. The ministry's checker and coordinator act in both. Idempotent: users are found by
username, submissions by (campaign, unit), the second campaign is loaded and opened once, and
a story is played only on a submission nobody has touched.
"""

from __future__ import annotations

import datetime
import json
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat

from campaigns import definition
from campaigns.models import AdministrativeUnit, Campaign
from campaigns.reference import DATA_DIR, load_reference_data
from core import clock
from core.enums import Action, Role
from submissions import services as drafting
from submissions import values as line_values
from submissions.models import Submission
from workflow.lifecycle import campaign_open
from workflow.services import (
    NoteInput,
    role_grant,
    roles_ensure_groups,
    submission_start,
    submission_transition,
)

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DEMO_PASSWORD = "demo-pheduyet"  # noqa: S105 - printed for the demo; never used outside it
# The campaigns' definitions: the shipped one, and the demo's own letter (not reference data:
# only the demo loads it). Their codes are read from them.
FIRST_FILE = sorted(DATA_DIR.glob("campaign-*.json"))[0]
SECOND_FILE = sorted((Path(__file__).resolve().parent / "definitions").glob("campaign-*.json"))[0]


def read_definition(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    unit_codes: tuple[str, ...] = ()
    campaign_file: Path | None = None  # whose units unit_codes name; None: every campaign's


def _at(day: int, month: int, hour: int, minute: int = 0, year: int = 2020) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=VN)


# When, who (a role suffix, or a national user), what, and the reason of a return.
Step = tuple[datetime.datetime, str, Action, str]
NATIONAL_USERS = ("kiemtra", "dieuphoi")


@dataclass(frozen=True)
class Returned:
    """A return's note on one appendix row, and what the drafter changed there before
    submitting again."""

    row: str
    note: str
    answer: dict[str, object]


@dataclass(frozen=True)
class Story:
    """One campaign's part of the demo: its units' people, what they drafted, and who did
    what, when. Each unit ends in a different stage."""

    file: Path
    people: dict[str, tuple[str, str]]  # unit code -> (username prefix, short name)
    titles: dict[str, tuple[str, Role]]  # username suffix -> (title, role)
    lines: dict[str, dict[str, object]]  # the complete appendix: row code -> measure -> value
    narrative: dict[str, str]  # point code -> answer
    partial: tuple[tuple[str, ...], tuple[str, ...]]  # the rows and points of a half-done draft
    scale: dict[str, Decimal]  # each unit's amounts: the lines' amounts times this
    steps: dict[str, list[Step]]
    drafted_at: dict[str, datetime.datetime]
    opened_at: datetime.datetime
    returned: Returned
    # narrative_save's facts for a complete report, from the campaign and the unit's scale.
    facts: Callable[[Campaign, Decimal], dict[str, Any]] = field(default=lambda campaign, scale: {})

    @property
    def code(self) -> str:
        return str(read_definition(self.file)["code"])

    def users(self) -> list[DemoUser]:
        return [
            DemoUser(f"{short}.{suffix}", f"{title} {name}", role, (code,), self.file)
            for code, (short, name) in self.people.items()
            for suffix, (title, role) in self.titles.items()
        ]


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


def _first_facts(campaign: Campaign, scale: Decimal) -> dict[str, Any]:
    """The first campaign's structured facts: the Treasury's refusals (2.2.b) and kinds of shortcoming (2.5.i)."""
    return {
        "treasury_refusal_count": 2,
        "treasury_refusal_amount": (Decimal("1250.5") * scale).quantize(Decimal("0.001")),
        "treasury_refusal_note": "Hồ sơ nghiệm thu chưa đầy đủ; đã bổ sung và được thanh toán.",
        "problem_kinds": list(
            campaign.problem_kinds.filter(code__in=["spread-thin", "incompatible", "needs-upgrade"])
        ),
    }


# Who did what, when (Asia/Ho_Chi_Minh), province by province. Each province ends in a
# different stage, so the demo shows every stage and every inbox has work in it. All of it
# happens before the moment make run shows the campaign at (DEMO_CLOCK in the Makefile,
# Monday 04/5/2020 09:00, a working day before the deadline), so that moment is live.
FIRST = Story(
    file=FIRST_FILE,
    people={
        "01": ("hn", "Hà Nội"),
        "22": ("qn", "Quảng Ninh"),
        "31": ("hp", "Hải Phòng"),
        "48": ("dn", "Đà Nẵng"),
        "79": ("hcm", "TP. Hồ Chí Minh"),
        "92": ("ct", "Cần Thơ"),
    },
    titles={
        "soanthao": ("Chuyên viên Sở TT&TT", Role.DRAFTER),
        "lanhdaoso": ("Lãnh đạo Sở TT&TT", Role.DEPARTMENT_REVIEWER),
        "ubnd": ("Lãnh đạo UBND", Role.PROVINCIAL_SIGNATORY),
    },
    lines=HANOI_LINES,
    narrative=HANOI_NARRATIVE,
    partial=(("1.1", "2.1"), ("2.1",)),
    scale=SCALE,
    steps={
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
    },
    drafted_at={
        "48": _at(29, 4, 11, 0),
        "79": _at(29, 4, 15, 0),
        "31": _at(28, 4, 10, 0),
        "01": _at(28, 4, 14, 0),
        "92": _at(27, 4, 17, 0),
        "22": _at(27, 4, 11, 0),
    },
    # The letter went out that morning: every unit's submission is opened then.
    opened_at=_at(27, 4, 8, 0),
    returned=Returned(
        "1.2",
        "Chưa ghi căn cứ xác định nhiệm vụ.",
        {"basis": "Quyết định 5432/QĐ-UBND ngày 12/9/2016"},
    ),
    facts=_first_facts,
)


# The second campaign: the demo's letter of 22/9/2025 to the 34 units of 2025, due on
# 10/10/2025, on digital transformation spending after the merger of provinces. Tuyên Quang's
# appendix, complete; amounts in million VND. One text column, the difficulties.
TUYEN_QUANG_LINES: dict[str, dict[str, object]] = {
    "1.1": {
        "alloc_invest": "18500",
        "alloc_recurrent": "3200",
        "disbursed": "12640.5",
        "progress_pct": "65",
        "systems_merged": 2,
        "in_operation": True,
        "difficulties": "Hai trung tâm dữ liệu của hai tỉnh cũ dùng công nghệ ảo hóa khác nhau; chi phí chuyển đổi vượt dự toán ban đầu.",
    },
    "1.2": {
        "alloc_invest": "6200",
        "alloc_recurrent": "1850",
        "disbursed": "5915",
        "progress_pct": "80",
        "systems_merged": 0,
        "in_operation": True,
    },
    "1.3": {
        "alloc_invest": "0",
        "alloc_recurrent": "2400",
        "disbursed": "2150.25",
        "progress_pct": "95",
        "systems_merged": 1,
        "in_operation": True,
        "difficulties": "Hồ sơ thủ tục hành chính của {unit} cũ phải chuyển đổi sang hệ thống mới trong thời gian ngắn.",
    },
    "2.1": {
        "alloc_invest": "9800",
        "alloc_recurrent": "1500",
        "disbursed": "4210",
        "progress_pct": "40",
        "systems_merged": 5,
        "in_operation": False,
        "difficulties": "Dữ liệu đất đai, hộ tịch của hai tỉnh cũ chưa thống nhất cấu trúc; cần thêm thời gian làm sạch dữ liệu.",
    },
    "2.2": {
        "alloc_invest": "3000",
        "alloc_recurrent": "2750",
        "disbursed": "3980",
        "progress_pct": "70",
        "systems_merged": 0,
        "in_operation": True,
    },
}
TUYEN_QUANG_NARRATIVE = {
    "1.a": "Sau sắp xếp, dự toán chuyển đổi số năm 2025 của hai tỉnh cũ được hợp nhất thành một dự toán; đã rà soát, cắt giảm các nhiệm vụ trùng lặp và bố trí 48.200 triệu đồng, trong đó chi đầu tư 37.500 triệu đồng.",
    "1.b": "Đến 30/9/2025 đã giải ngân khoảng 60% kế hoạch vốn; một gói thầu phần mềm của tỉnh cũ phải dừng để điều chỉnh theo địa bàn mới.",
    "2.a": "Đã hợp nhất hai trung tâm dữ liệu và hai hệ thống thông tin giải quyết thủ tục hành chính về một đầu mối; cơ sở dữ liệu chuyên ngành đang chuyển đổi.",
    "2.b": "Các xã, phường mới được kết nối mạng truyền số liệu chuyên dùng; phần mềm quản lý văn bản dùng chung đến cấp xã.",
    "3": "Đề nghị Bộ Tài chính hướng dẫn việc chuyển tiếp dự toán các nhiệm vụ chuyển đổi số của tỉnh cũ sang năm 2026 và định mức chi cho làm sạch, chuyển đổi dữ liệu.",
}

SECOND = Story(
    file=SECOND_FILE,
    people={
        "08": ("tq", "Tuyên Quang"),
        "37": ("nb", "Ninh Bình"),
        "52": ("gl", "Gia Lai"),
        "91": ("ag", "An Giang"),
        "96": ("cm", "Cà Mau"),
    },
    # No department here: the letter asks the People's Committee's sign-off only.
    titles={
        "soanthao": ("Chuyên viên Sở KH&CN", Role.DRAFTER),
        "ubnd": ("Lãnh đạo UBND", Role.PROVINCIAL_SIGNATORY),
    },
    lines=TUYEN_QUANG_LINES,
    narrative=TUYEN_QUANG_NARRATIVE,
    partial=(("1.1", "1.2"), ("1.a",)),
    scale={
        "08": Decimal(1),
        "37": Decimal("1.35"),
        "52": Decimal("1.12"),
        "91": Decimal("1.26"),
        "96": Decimal("0.74"),
    },
    steps={
        # Tuyên Quang: still drafting, half done, on the drafting step's due day.
        "08": [],
        # Ninh Bình: submitted, waiting for its People's Committee.
        "37": [(_at(7, 10, 14, 0, 2025), "soanthao", Action.SUBMIT, "")],
        # Gia Lai: signed off; the ministry checks it.
        "52": [
            (_at(3, 10, 9, 0, 2025), "soanthao", Action.SUBMIT, ""),
            (_at(6, 10, 10, 0, 2025), "ubnd", Action.SIGN, ""),
        ],
        # Cà Mau: returned once by the ministry, then accepted; waits for consolidation.
        "96": [
            (_at(30, 9, 10, 0, 2025), "soanthao", Action.SUBMIT, ""),
            (_at(1, 10, 15, 0, 2025), "ubnd", Action.SIGN, ""),
            (
                _at(2, 10, 9, 30, 2025),
                "kiemtra",
                Action.RETURN,
                "Đề nghị ghi số hệ thống đã hợp nhất cho dòng cơ sở dữ liệu chuyên ngành.",
            ),
            (_at(3, 10, 8, 30, 2025), "soanthao", Action.SUBMIT, ""),
            (_at(3, 10, 16, 0, 2025), "ubnd", Action.SIGN, ""),
            (_at(6, 10, 9, 0, 2025), "kiemtra", Action.ACCEPT, ""),
        ],
        # An Giang: consolidated.
        "91": [
            (_at(29, 9, 9, 0, 2025), "soanthao", Action.SUBMIT, ""),
            (_at(30, 9, 14, 0, 2025), "ubnd", Action.SIGN, ""),
            (_at(1, 10, 10, 0, 2025), "kiemtra", Action.ACCEPT, ""),
            (_at(2, 10, 15, 0, 2025), "dieuphoi", Action.CONSOLIDATE, ""),
        ],
    },
    drafted_at={
        "08": _at(6, 10, 10, 0, 2025),
        "37": _at(6, 10, 15, 0, 2025),
        "52": _at(2, 10, 14, 0, 2025),
        "96": _at(29, 9, 16, 0, 2025),
        "91": _at(26, 9, 10, 0, 2025),
    },
    # The campaign administrator opened the letter the morning it went out.
    opened_at=_at(22, 9, 8, 0, 2025),
    returned=Returned(
        "2.1",
        "Chưa ghi số hệ thống đã hợp nhất.",
        {"systems_merged": 4},
    ),
)
STORIES_BY_FILE = {story.file: story for story in (FIRST, SECOND)}


def demo_users() -> list[DemoUser]:
    users = [
        # People's names only: pages add the role ("Trần Văn Bình (Chuyên viên Vụ NSNN)"),
        # and a title in the name printed it twice. Both act in both campaigns.
        DemoUser("dieuphoi", "Nguyễn Thị Hương", Role.MINISTRY_COORDINATOR),
        DemoUser("kiemtra", "Trần Văn Bình", Role.MINISTRY_CHECKER, tuple()),  # all units
        # Writes the next letters as campaign definitions (/campaigns/); opened the second.
        DemoUser("quantri", "Lê Minh Quân", Role.CAMPAIGN_ADMINISTRATOR),
    ]
    for story in (FIRST, SECOND):
        users += story.users()
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


def _fill(story: Story, submission: Submission, drafter: User, *, complete: bool = True) -> None:
    """Draft the report through the real services, as the unit's drafter: the story's lines
    scaled to the unit, or the first few of them."""
    scale = story.scale[submission.unit.code]
    lines = {
        (line.row.code if line.row else ""): line for line in submission.lines.select_related("row")
    }
    rows, points = story.partial
    chosen = story.lines if complete else {c: story.lines[c] for c in rows}
    measures = line_values.for_campaign(submission.campaign)
    values = {
        lines[code].pk: {
            k: _value(k, v, scale, submission.unit.name, measures) for k, v in fields.items()
        }
        for code, fields in chosen.items()
    }
    submission = drafting.appendix_save(
        actor=drafter, submission=submission, revision=submission.revision, values=values
    )
    by_code = {p.code: p.pk for s in submission.campaign.sections.all() for p in s.points.all()}
    answers = story.narrative if complete else {c: story.narrative[c] for c in points}
    facts: dict[str, Any] = {
        "treasury_refusal_count": None,
        "treasury_refusal_amount": None,
        "treasury_refusal_note": "",
        "problem_kinds": [],
    }
    if complete:
        facts |= story.facts(submission.campaign, scale)
    drafting.narrative_save(
        actor=drafter,
        submission=submission,
        revision=submission.revision,
        answers={by_code[c]: text for c, text in answers.items()},
        **facts,
    )


def _step(story: Story, submission: Submission, step: Step, users: dict[str, User]) -> None:
    when, who, action, reason = step
    short = story.people[submission.unit.code][0]
    drafter = users[f"{short}.soanthao"]
    actor = users[who if who in NATIONAL_USERS else f"{short}.{who}"]
    submission.refresh_from_db()
    line = submission.lines.get(row__code=story.returned.row)
    if action == Action.SUBMIT and submission.audit_records.exists():
        # The drafter answers the return before submitting again.
        with clock.at(when - datetime.timedelta(minutes=30)):
            drafting.appendix_save(
                actor=drafter,
                submission=submission,
                revision=submission.revision,
                values={line.pk: dict(story.returned.answer)},
            )
        submission.refresh_from_db()
    with clock.at(when):
        notes = []
        if action == Action.RETURN:
            notes = [NoteInput(story.returned.note, line_id=line.pk)]
        submission_transition(
            actor=actor,
            submission=submission,
            action=action,
            expected_stage=submission.stage,
            reason=reason,
            notes=notes,
        )


def _play(story: Story, submissions: dict[str, Submission], users: dict[str, User]) -> None:
    """Every unit's drafting and steps, in the order they happened, so that receipt
    numbers (given in commit order) follow the calendar."""
    events: list[tuple[datetime.datetime, str, Step | None]] = [
        (story.drafted_at[code], code, None) for code in submissions
    ]
    events += [(step[0], code, step) for code in submissions for step in story.steps[code]]
    for when, code, step in sorted(events, key=lambda e: (e[0], e[1])):
        submission = submissions[code]
        if step is None:
            drafter = users[f"{story.people[code][0]}.soanthao"]
            with clock.at(when):
                _fill(story, submission, drafter, complete=bool(story.steps[code]))
        else:
            _step(story, submission, step, users)


def _second_campaign() -> Campaign:
    """The demo's own letter, loaded as a draft like an upload (once: an open campaign's
    definition is not rewritten)."""
    campaign = Campaign.objects.filter(code=SECOND.code).first()
    return campaign or definition.load(read_definition(SECOND.file))


def load_demo() -> list[DemoUser]:
    load_reference_data()
    roles_ensure_groups()
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
        users = {spec.username: _user(spec) for spec in specs}
        first = Campaign.objects.get(code=FIRST.code)
        with clock.at(FIRST.opened_at):
            for unit in first.units.all():
                submission_start(campaign=first, unit=unit)
        second = _second_campaign()
        campaigns = {FIRST.file: first, SECOND.file: second}
        for spec in specs:
            if spec.campaign_file is None:
                # The checker checks every unit of both campaigns.
                units = [u for c in campaigns.values() for u in c.units.all()]
            else:
                units = list(
                    AdministrativeUnit.objects.filter(
                        code__in=spec.unit_codes, campaigns=campaigns[spec.campaign_file]
                    )
                )
            role_grant(user=users[spec.username], role=spec.role, units=units)
        if second.state == Campaign.State.DRAFT:
            # The campaign administrator opens it the morning it goes out, through its
            # lifecycle: its units' submissions start then.
            with clock.at(SECOND.opened_at):
                campaign_open(actor=users["quantri"], campaign=second)
    # One transaction for both histories: the receipts render after it commits (in a thread
    # of this process without a broker), never beside a write of the next story (SQLite).
    with transaction.atomic():
        for story in (FIRST, SECOND):
            untouched = {
                s.unit.code: s
                for s in Submission.objects.filter(
                    campaign=campaigns[story.file],
                    unit__code__in=story.steps,
                    revision=0,
                    audit_records__isnull=True,
                ).select_related("unit", "campaign")
            }
            _play(story, untouched, users)
    # Addresses come after the history, so that loading it prints no e-mails; from then on
    # transitions and reminders go to the console (or EMAIL_URL) like any others.
    model.objects.filter(username__in=[s.username for s in specs], email="").update(
        email=Concat("username", Value("@demo.example.vn"))
    )
    return specs
