"""The reference data: the 63 units of 2020, the 34 of 2025, and campaign 5137 exactly as the
letter writes it."""

from __future__ import annotations

import datetime
import io
import json
import re
from collections import Counter

import pytest
from django.core.management import call_command

from campaigns.models import (
    AdministrativeUnit,
    Campaign,
    OutlinePoint,
    Region,
    TemplateColumn,
    TemplateRow,
)
from campaigns.reference import DATA_DIR, UNITS_FILE, load_units
from submissions.selectors import column_tree

# The letter as published, kept beside the data derived from it.
LETTER = DATA_DIR / "source" / "cong-van-5137-BTC-NSNN.txt"

# Decision 124/2004/QĐ-TTg, as the list stood from 01/8/2008 to the 2025 reorganisation.
OFFICIAL_CODES = {
    "01": "Hà Nội",
    "02": "Hà Giang",
    "04": "Cao Bằng",
    "06": "Bắc Kạn",
    "08": "Tuyên Quang",
    "10": "Lào Cai",
    "11": "Điện Biên",
    "12": "Lai Châu",
    "14": "Sơn La",
    "15": "Yên Bái",
    "17": "Hòa Bình",
    "19": "Thái Nguyên",
    "20": "Lạng Sơn",
    "22": "Quảng Ninh",
    "24": "Bắc Giang",
    "25": "Phú Thọ",
    "26": "Vĩnh Phúc",
    "27": "Bắc Ninh",
    "30": "Hải Dương",
    "31": "Hải Phòng",
    "33": "Hưng Yên",
    "34": "Thái Bình",
    "35": "Hà Nam",
    "36": "Nam Định",
    "37": "Ninh Bình",
    "38": "Thanh Hóa",
    "40": "Nghệ An",
    "42": "Hà Tĩnh",
    "44": "Quảng Bình",
    "45": "Quảng Trị",
    "46": "Thừa Thiên Huế",
    "48": "Đà Nẵng",
    "49": "Quảng Nam",
    "51": "Quảng Ngãi",
    "52": "Bình Định",
    "54": "Phú Yên",
    "56": "Khánh Hòa",
    "58": "Ninh Thuận",
    "60": "Bình Thuận",
    "62": "Kon Tum",
    "64": "Gia Lai",
    "66": "Đắk Lắk",
    "67": "Đắk Nông",
    "68": "Lâm Đồng",
    "70": "Bình Phước",
    "72": "Tây Ninh",
    "74": "Bình Dương",
    "75": "Đồng Nai",
    "77": "Bà Rịa - Vũng Tàu",
    "79": "Hồ Chí Minh",
    "80": "Long An",
    "82": "Tiền Giang",
    "83": "Bến Tre",
    "84": "Trà Vinh",
    "86": "Vĩnh Long",
    "87": "Đồng Tháp",
    "89": "An Giang",
    "91": "Kiên Giang",
    "92": "Cần Thơ",
    "93": "Hậu Giang",
    "94": "Sóc Trăng",
    "95": "Bạc Liêu",
    "96": "Cà Mau",
}
CITIES = {"01", "31", "48", "79", "92"}

# Decision 19/2025/QĐ-TTg: the 34 units of Resolution 202/2025/QH15, from 01/7/2025.
CODES_2025 = {
    "01": "Hà Nội",
    "04": "Cao Bằng",
    "08": "Tuyên Quang",
    "11": "Điện Biên",
    "12": "Lai Châu",
    "14": "Sơn La",
    "15": "Lào Cai",
    "19": "Thái Nguyên",
    "20": "Lạng Sơn",
    "22": "Quảng Ninh",
    "24": "Bắc Ninh",
    "25": "Phú Thọ",
    "31": "Hải Phòng",
    "33": "Hưng Yên",
    "37": "Ninh Bình",
    "38": "Thanh Hóa",
    "40": "Nghệ An",
    "42": "Hà Tĩnh",
    "44": "Quảng Trị",
    "46": "Huế",
    "48": "Đà Nẵng",
    "51": "Quảng Ngãi",
    "52": "Gia Lai",
    "56": "Khánh Hòa",
    "66": "Đắk Lắk",
    "68": "Lâm Đồng",
    "75": "Đồng Nai",
    "79": "Hồ Chí Minh",
    "80": "Tây Ninh",
    "82": "Đồng Tháp",
    "86": "Vĩnh Long",
    "91": "An Giang",
    "92": "Cần Thơ",
    "96": "Cà Mau",
}
CITIES_2025 = {"01", "31", "46", "48", "79", "92"}
LAST_DAY_OF_63 = datetime.date(2025, 6, 30)
FIRST_DAY_OF_34 = datetime.date(2025, 7, 1)


@pytest.fixture
def letter() -> str:
    return " ".join(LETTER.read_text(encoding="utf-8").split())


def _in_letter(text: str, letter: str) -> bool:
    return " ".join(text.split()) in letter


def test_the_63_units_of_2020_with_their_official_codes(campaign: Campaign) -> None:
    units = AdministrativeUnit.objects.valid_on(datetime.date(2020, 4, 27))
    assert units.count() == 63
    assert {u.code: u.name for u in units} == OFFICIAL_CODES
    assert {u.code for u in units if u.kind == AdministrativeUnit.Kind.CITY} == CITIES
    assert set(campaign.units.values_list("code", flat=True)) == set(OFFICIAL_CODES)


def test_units_fall_into_the_six_socio_economic_regions(db: None) -> None:
    counts = Counter(
        AdministrativeUnit.objects.valid_on(datetime.date(2020, 4, 27)).values_list(
            "region__code", flat=True
        )
    )
    assert Region.objects.count() == 6
    assert counts == {"TDMNPB": 14, "DBSH": 11, "BTB-DHMT": 14, "TN": 5, "DNB": 6, "DBSCL": 13}


def test_the_34_units_of_2025_with_their_official_codes(db: None) -> None:
    units = AdministrativeUnit.objects.valid_on(FIRST_DAY_OF_34)
    assert units.count() == 34
    assert {u.code: u.name for u in units} == CODES_2025
    assert {u.code for u in units if u.kind == AdministrativeUnit.Kind.CITY} == CITIES_2025
    assert {(u.valid_from, u.valid_to) for u in units} == {(FIRST_DAY_OF_34, None)}
    assert all("202/2025/QH15" in u.legal_basis for u in units)


def test_the_2025_units_fall_into_the_same_six_regions(db: None) -> None:
    counts = Counter(
        AdministrativeUnit.objects.valid_on(FIRST_DAY_OF_34).values_list("region__code", flat=True)
    )
    assert Region.objects.count() == 6
    assert counts == {"TDMNPB": 9, "DBSH": 6, "BTB-DHMT": 8, "TN": 3, "DNB": 3, "DBSCL": 5}


def test_every_one_of_the_63_went_into_exactly_one_of_the_34(db: None) -> None:
    """The file says what each 2025 unit was formed from; each keeps the code of one of them."""
    sets = json.loads(UNITS_FILE.read_text(encoding="utf-8"))["unit_sets"]
    formed = {u["code"]: u["formed_from"] for u in sets[1]["units"]}
    parts = [code for codes in formed.values() for code in codes]
    assert sorted(parts) == sorted(OFFICIAL_CODES)
    assert all(code in codes for code, codes in formed.items())


def test_the_reorganisation_is_new_data_not_a_change(campaign: Campaign) -> None:
    """The 63 end the day before the 34 start; the 2020 campaign still has its 63."""
    before = AdministrativeUnit.objects.valid_on(LAST_DAY_OF_63)
    after = AdministrativeUnit.objects.valid_on(FIRST_DAY_OF_34)
    assert {u.code: u.name for u in before} == OFFICIAL_CODES
    assert {u.code: u.name for u in after} == CODES_2025
    assert not set(before) & set(after)
    assert AdministrativeUnit.objects.filter(code="01").count() == 2
    assert campaign.units.count() == 63
    assert set(campaign.units.values_list("valid_to", flat=True)) == {LAST_DAY_OF_63}


def test_reloading_corrects_a_database_that_holds_the_old_units(db: None) -> None:
    """A database loaded before the 34 were data: the 63 ended on 11/6/2025 and nothing
    followed them. Loading the units again gives them their last day and adds the 34, once."""
    AdministrativeUnit.objects.filter(valid_from=FIRST_DAY_OF_34).delete()
    AdministrativeUnit.objects.update(valid_to=datetime.date(2025, 6, 11))
    assert load_units() == 97
    assert load_units() == 97
    assert AdministrativeUnit.objects.count() == 97
    assert set(
        AdministrativeUnit.objects.filter(valid_from=datetime.date(2008, 8, 1)).values_list(
            "valid_to", flat=True
        )
    ) == {LAST_DAY_OF_63}
    assert AdministrativeUnit.objects.valid_on(FIRST_DAY_OF_34).count() == 34


def test_loading_twice_neither_fails_nor_duplicates(db: None) -> None:
    counts = (
        AdministrativeUnit.objects.count(),
        TemplateRow.objects.count(),
        TemplateColumn.objects.count(),
        OutlinePoint.objects.count(),
    )
    call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
    assert counts == (
        AdministrativeUnit.objects.count(),
        TemplateRow.objects.count(),
        TemplateColumn.objects.count(),
        OutlinePoint.objects.count(),
    )
    assert counts == (63 + 34, 15, 32, 12)


def test_campaign_facts(campaign: Campaign) -> None:
    assert campaign.number == "5137/BTC-NSNN"
    assert campaign.issuer == "Bộ Tài chính"
    assert campaign.issued_on == datetime.date(2020, 4, 27)
    assert campaign.deadline == datetime.date(2020, 5, 5)
    assert (campaign.period_start, campaign.period_end) == (2016, 2019)
    assert campaign.addressees == "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương"


def test_outline_has_every_section_and_point_of_the_letter(campaign: Campaign, letter: str) -> None:
    sections = list(campaign.sections.order_by("order"))
    assert [s.number for s in sections] == ["2.1", "2.2", "2.3", "2.4", "2.5"]
    points = [
        (p.section.number, p.marker)
        for p in OutlinePoint.objects.filter(section__campaign=campaign)
    ]
    assert points == [
        ("2.1", ""),
        ("2.2", "-"),
        ("2.2", "-"),
        ("2.2", "-"),
        ("2.3", "-"),
        ("2.3", "-"),
        ("2.4", "(i)"),
        ("2.4", "(ii)"),
        ("2.4", "(iii)"),
        ("2.4", "(iv)"),
        ("2.5", "(i)"),
        ("2.5", "(ii)"),
    ]
    for section in sections:
        assert _in_letter(section.title, letter), section.number
        for point in section.points.all():
            assert _in_letter(point.text, letter), point.code


def test_appendix_rows_as_the_letter_writes_them(campaign: Campaign, letter: str) -> None:
    rows = list(campaign.rows.order_by("order"))
    groups = [r for r in rows if r.parent_id is None]
    assert [g.stt for g in groups] == ["1", "2", "3", "4", "5", "6"]
    assert [len(g.children.all()) for g in groups] == [4, 2, 1, 2, 0, 0]
    assert [r.code for r in rows] == [
        "1",
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "2",
        "2.1",
        "2.2",
        "3",
        "3.1",
        "4",
        "4.1",
        "4.2",
        "5",
        "6",
    ]
    for row in rows:
        assert _in_letter(row.label, letter), row.code
    assert groups[1].label == "Nhóm nhiệm vụ xây dựng nền tảng của địa phương"
    assert rows[6].label == "Hệ thống tích hợp và chia sẻ dữ liệu của tỉnh (LGSP)"


# The leaves of the letter's header, left to right, each under its ancestors (issue 12: 17
# cells in every body row; "Tỷ lệ đạt" sits under "Nghiệm thu sản phẩm" and "Thực trạng cơ sở
# vật chất" is a column of its own).
LETTER_LEAVES = [
    ("stt", []),
    ("task", []),
    ("basis", []),
    ("demand", ["resources"]),
    ("allocated", ["resources"]),
    ("spent", []),
    ("completed", ["acceptance", "products"]),
    ("not-completed", ["acceptance", "products"]),
    ("accepted-internal", ["acceptance", "mechanism"]),
    ("accepted-authority", ["acceptance", "mechanism"]),
    ("vs-demand", ["acceptance", "achievement"]),
    ("vs-resolution17", ["acceptance", "achievement"]),
    ("status", []),
    ("use-as-designed", ["use"]),
    ("use-not-as-designed", ["use"]),
    ("unused", ["use"]),
    ("difficulties", []),
]


def _letter_body_rows() -> list[int]:
    """How many cells each body row of the letter's appendix has (a row is its first line,
    ``STT | label |``, then one line ``|`` per further cell)."""
    lines = LETTER.read_text(encoding="utf-8").splitlines()
    first = next(n for n, line in enumerate(lines) if line.startswith("1 | Nhóm nhiệm vụ"))
    cells: list[int] = []
    for line in lines[first:]:
        if line.startswith("(*)"):
            break
        if line.strip() == "|":
            cells[-1] += 1
        else:
            cells.append(2)
    return cells


def test_every_body_row_of_the_letter_has_a_cell_per_leaf(campaign: Campaign) -> None:
    cells = _letter_body_rows()
    assert len(cells) == 15 and set(cells) == {17}
    assert len(column_tree(campaign, letter_only=True).leaves) == 17


def test_the_letters_three_level_header(campaign: Campaign, letter: str) -> None:
    tree = column_tree(campaign, letter_only=True)
    labels = [[cell.column.label for cell in row] for row in tree.header_rows]
    assert labels == [
        [
            "STT",
            "Nhiệm vụ",
            "Căn cứ xác định nhiệm vụ",
            "Nguồn lực",
            "Kinh phí đã thực hiện",
            "Nghiệm thu sản phẩm",
            "Thực trạng cơ sở vật chất so với mục tiêu, chủ trương về ứng dụng CNTT, CPĐT",
            "Hiệu suất sử dụng trang thiết bị",
            "Khó khăn/ Đề xuất",
        ],
        [
            "Nhu cầu",
            "Kinh phí đã bố trí (*)",
            "Sản phẩm hình thành",
            "Cơ chế nghiệm thu",
            "Tỷ lệ đạt so với mục tiêu/thiết kế",
        ],
        [
            "Đã hoàn thành (**)",
            "Chưa hoàn thành /Lý do",
            "Nội bộ nghiệm thu",
            "Cơ quan QLNN nghiệm thu",
            "So với nhu cầu",
            "So với mục tiêu Nghị quyết 17",
            "Theo đúng thiết kế",
            "Không như thiết kế/ Lý do",
            "Không sử dụng/ Lý do",
        ],
    ]
    by_pk = {c.pk: c for c in campaign.columns.all()}

    def ancestors(column: TemplateColumn) -> list[str]:
        chain: list[str] = []
        while column.parent_id is not None:
            column = by_pk[column.parent_id]
            chain.insert(0, column.key)
        return chain

    assert [(leaf.key, ancestors(leaf)) for leaf in tree.leaves] == LETTER_LEAVES
    spans = {c.column.key: (c.colspan, c.rowspan) for row in tree.header_rows for c in row}
    assert spans["stt"] == (1, 3)
    assert spans["resources"] == (2, 1)
    assert spans["allocated"] == (1, 2)
    assert spans["acceptance"] == (6, 1)
    assert spans["achievement"] == (2, 1)
    assert spans["status"] == (1, 3)
    assert spans["use"] == (3, 2)
    status = campaign.columns.get(key="status")
    assert (status.kind, status.field) == (TemplateColumn.Kind.TEXT, "infrastructure_status")
    for row in tree.header_rows:
        for cell in row:
            assert _in_letter(cell.column.label, letter), cell.column.key


def test_reloading_corrects_the_header_tree_a_database_holds(campaign: Campaign) -> None:
    """Deployed databases hold the old tree ("Tỷ lệ đạt" under "Thực trạng", which took no
    entries) and may hold nodes the file dropped: loading the data puts every node right."""
    status = campaign.columns.get(key="status")
    TemplateColumn.objects.filter(pk=status.pk).update(kind="header", field="")
    campaign.columns.filter(key="achievement").update(parent=status)
    campaign.columns.filter(key="alloc-invest-ctmt").update(label="Nguồn CTMT CNTT")
    TemplateColumn.objects.create(
        campaign=campaign, key="dropped", label="Cột cũ", level=1, order=99, kind="text"
    )

    call_command("load_reference_data", verbosity=0, stdout=io.StringIO())

    tree = column_tree(campaign, letter_only=True)
    assert [leaf.key for leaf in tree.leaves] == [key for key, _ in LETTER_LEAVES]
    assert campaign.columns.get(key="achievement").parent == campaign.columns.get(key="acceptance")
    assert campaign.columns.get(key="status").field == "infrastructure_status"
    assert campaign.columns.get(key="alloc-invest-ctmt").label == "Nguồn từ CTMT CNTT"
    assert not campaign.columns.filter(key="dropped").exists()


def test_footnotes_and_the_detail_footnote_star_asks_for(campaign: Campaign, letter: str) -> None:
    notes = {f.marker: f for f in campaign.footnotes.all()}
    assert set(notes) == {"(*)", "(**)"}
    for note in notes.values():
        assert _in_letter(note.text, letter)
    assert campaign.columns.get(key="allocated").footnote == notes["(*)"]
    assert campaign.columns.get(key="completed").footnote == notes["(**)"]
    full = column_tree(campaign)
    detail = [c.label for c in full.leaves if c.origin == TemplateColumn.Origin.FOOTNOTE]
    # The sources in footnote (*)'s own words.
    sources = [
        "Nguồn từ CTMT CNTT",
        "Nguồn tự cân đối trong dự toán được giao",
        "Nguồn ngân sách được bố trí riêng cho nhiệm vụ/chương trình/đề án",
    ]
    assert detail == ["Tổng số"] + sources * 2
    for label in sources:
        assert label.lower() in notes["(*)"].text.lower(), label
    kinds = [
        c.column.label for row in full.header_rows for c in row if c.column.key.startswith("alloc-")
    ]
    assert "Chi đầu tư" in kinds and "Chi thường xuyên" in kinds


def test_problem_kinds_of_section_2_5(campaign: Campaign, letter: str) -> None:
    labels = list(campaign.problem_kinds.values_list("label", flat=True))
    assert len(labels) == 8
    for label in labels:
        assert re.search(re.escape(label.lower()), letter.lower()), label
