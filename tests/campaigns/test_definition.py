"""Campaign definitions: the schema, 5137 written in it, every mistake named by its path in
Vietnamese, an uploaded file read within bounds, and loading into a campaign's rows."""

from __future__ import annotations

import copy
import datetime
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from campaigns.definition import (
    MAX_BYTES,
    SCHEMA_FILE,
    DefinitionRefused,
    copy_of,
    load,
    parse,
    schema,
    unit_sets,
    validate,
)
from campaigns.measures import assign_slots
from campaigns.models import Campaign, TemplateColumn
from campaigns.reference import CAMPAIGN_FILES
from submissions.models import LineItem, Submission

from .snapshot import snapshot

FILE_5137 = next(f for f in CAMPAIGN_FILES if "5137" in f.name)
README = SCHEMA_FILE.parent / "README.md"

Definition = dict[str, Any]


def definition_5137() -> Definition:
    data: Definition = json.loads(FILE_5137.read_text(encoding="utf-8"))
    return data


def readme_example() -> Definition:
    """The example of campaigns/schema/README.md, so that the documentation stays true."""
    block = re.search(r"```json\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert block is not None
    data: Definition = json.loads(block.group(1))
    return data


def pairs(errors: list[Any]) -> list[tuple[str, str]]:
    return [(e.path, e.message) for e in errors]


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    data = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert validator_for(data) is Draft202012Validator
    Draft202012Validator.check_schema(data)


def test_the_5137_definition_is_valid(campaign: Campaign) -> None:
    data = definition_5137()
    checker = Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert list(checker.iter_errors(data)) == []
    assert validate(data) == []


def _measures(columns: list[Definition]) -> list[Definition]:
    found = []
    for column in columns:
        found += _measures(column.get("children", []))
        found += [column[k] for k in ("measure", "reason") if k in column]
    return found


def test_5137_measures_are_named_as_the_fields_the_pages_read(campaign: Campaign) -> None:
    """The pages look measures up by key; each is stored in a slot of the line."""
    data = definition_5137()
    measures = _measures(data["appendix"]["columns"])
    line_fields = {f.name for f in LineItem._meta.concrete_fields}
    assert len(measures) == 23  # 20 figures and 3 reasons
    slots = assign_slots(data["appendix"]["columns"])
    assert {slots[m["key"]] for m in measures} <= line_fields
    fields = {c.field for c in campaign.columns.all() if c.field}
    fields |= {c.reason_field for c in campaign.columns.all() if c.reason_field}
    assert {m["key"] for m in measures} | {"allocated"} == fields
    facts = [
        f["key"] for fact in data["facts"] if fact["kind"] == "figures" for f in fact["fields"]
    ]
    assert set(facts) <= {f.name for f in Submission._meta.concrete_fields}


def _column(data: Definition, *indexes: int) -> Definition:
    node: Definition = data["appendix"]["columns"][indexes[0]]
    for i in indexes[1:]:
        node = node["children"][i]
    return node


def _swap_signoff_and_check(d: Definition) -> None:
    d["process"][2], d["process"][3] = d["process"][3], d["process"][2]


def _check_due_before_the_letter(d: Definition) -> None:
    d["schedule"][3] = {"stage": "ministry_check", "on": "2020-04-01"}


def _misspelt(d: Definition) -> None:
    d["letter"]["signer"]["nam"] = "Nguyễn Văn A"


SUM_OF_TWO = {"key": "x", "label": "X", "sum": {"key": "x_total", "of": ["demand", "spent"]}}

# Each mistake: what is done to 5137's definition, the path it must be named by, and words of
# the Vietnamese message.
MISTAKES: dict[str, tuple[Callable[[Definition], Any], str, str]] = {
    "missing required key": (
        lambda d: d["letter"].pop("number"),
        "letter.number",
        "Thiếu mục bắt buộc",
    ),
    "wrong type": (
        lambda d: d["report"]["period"].update({"from": "2016"}),
        "report.period.from",
        "phải là một số nguyên",
    ),
    "unknown measure kind": (
        lambda d: _column(d, 2)["measure"].update({"kind": "money"}),
        "appendix.columns[2].measure.kind",
        "phải là một trong: “amount”, “percent”, “integer”, “text”, “flag”, “choice”",
    ),
    "bounds in the wrong order": (
        lambda d: _column(d, 3, 0)["measure"].update({"bounds": {"min": 10, "max": 5}}),
        "appendix.columns[3].children[0].measure.bounds",
        "Cận dưới (min 10) lớn hơn cận trên (max 5)",
    ),
    "weighted mean by an unknown measure": (
        lambda d: _column(d, 5, 0, 1)["measure"]["aggregate"].update({"by": "spend"}),
        "appendix.columns[5].children[0].children[1].measure.aggregate.by",
        "Không có chỉ tiêu nào mang khóa “spend”",
    ),
    "weighted mean by a text measure": (
        lambda d: _column(d, 5, 2, 0)["measure"]["aggregate"].update({"by": "difficulties"}),
        "appendix.columns[5].children[2].children[0].measure.aggregate.by",
        "“difficulties” là chỉ tiêu loại “text”",
    ),
    "duplicate column key": (
        lambda d: _column(d, 8).update({"key": "status"}),
        "appendix.columns[8].key",
        "Khóa cột “status” đã được dùng tại appendix.columns[6]",
    ),
    "duplicate measure key": (
        lambda d: _column(d, 8)["measure"].update({"key": "basis"}),
        "appendix.columns[8].measure.key",
        "Khóa chỉ tiêu “basis” đã được dùng tại appendix.columns[2].measure",
    ),
    "bound that does not fit the kind": (
        lambda d: _column(d, 2)["measure"]["bounds"].update({"min": 0}),
        "appendix.columns[2].measure.bounds.min",
        "Giới hạn “min” không áp dụng cho chỉ tiêu loại “text”",
    ),
    "rule naming a missing measure": (
        lambda d: d["appendix"]["rules"][0]["measures"].append("unused"),
        "appendix.rules[0].measures[3]",
        "Không có chỉ tiêu nào mang khóa “unused”",
    ),
    "ratio of a measure that does not exist": (
        lambda d: d["appendix"]["ratios"][0].update({"of": "spent_total"}),
        "appendix.ratios[0].of",
        "Không có chỉ tiêu nào mang khóa “spent_total”",
    ),
    "lines counted by a mean that is not weighted": (
        lambda d: _column(d, 3, 0)["measure"]["aggregate"].update({"lines": "all"}),
        "appendix.columns[3].children[0].measure.aggregate.lines",
        "Chỉ bình quân gia quyền (weighted_mean) mới chỉ rõ các dòng được tính",
    ),
    "shares of one whole without their rule": (
        lambda d: d["appendix"]["rules"][0]["measures"].remove("unused_pct"),
        "appendix.columns[7].children[2].measure.aggregate.lines",
        "“with_any_share” tính các dòng có ghi bất kỳ tỷ lệ nào của một quy tắc",
    ),
    "footnote marker not defined": (
        lambda d: _column(d, 5, 0, 0).update({"footnote": "(***)"}),
        "appendix.columns[5].children[0].children[0].footnote",
        "Không có chú thích nào mang ký hiệu “(***)”",
    ),
    "aggregate that does not fit the kind": (
        lambda d: _column(d, 3, 0)["measure"].update(
            {"aggregate": {"method": "weighted_mean", "by": "spent"}}
        ),
        "appendix.columns[3].children[0].measure.aggregate.method",
        "Không thể tổng hợp chỉ tiêu loại “amount” bằng “weighted_mean”",
    ),
    "required when a text is above 0": (
        lambda d: _column(d, 5, 2, 0)["measure"]["when"].update({"measure": "basis"}),
        "appendix.columns[5].children[2].children[0].measure.when.measure",
        "“basis” là chỉ tiêu loại “text”",
    ),
    "a column both header and measure": (
        lambda d: _column(d, 6).update({"children": [SUM_OF_TWO]}),
        "appendix.columns[6]",
        "Cần có đúng một trong các mục: “children”, “measure”, “sum”, “row”",
    ),
    "process not starting with drafting": (
        lambda d: d["process"][0].update({"kind": "unit_review"}),
        "process[0].kind",
        "Quy trình phải bắt đầu bằng bước soạn thảo",
    ),
    "sign-off after the ministry's check": (
        _swap_signoff_and_check,
        "process[3].kind",
        "Các bước trong nội bộ đơn vị phải đứng trước các bước của Bộ",
    ),
    "deadline before the letter": (
        lambda d: d["deadline"].update({"date": "2020-04-20"}),
        "deadline.date",
        "Thời hạn báo cáo (20/04/2020) phải sau ngày ban hành công văn (27/04/2020)",
    ),
    "period ending before it starts": (
        lambda d: d["report"]["period"].update({"from": 2019, "to": 2016}),
        "report.period.to",
        "Giai đoạn báo cáo kết thúc (2016) trước khi bắt đầu (2019)",
    ),
    "unknown unit code": (
        lambda d: d["units"].update({"only": ["01", "03"]}),
        "units.only[1]",
        "Bộ đơn vị không có đơn vị nào mang mã “03”",
    ),
    "unknown unit set": (
        lambda d: d["units"].update({"set": "1990-2000"}),
        "units.set",
        "Không có bộ đơn vị “1990-2000”; các bộ hiện có: “2008-2025”, “2025”.",
    ),
    "schedule for a stage not in the process": (
        lambda d: d["schedule"][1].update({"stage": "second_review"}),
        "schedule[1].stage",
        "Quy trình không có bước “second_review”",
    ),
    "due day before the letter": (
        _check_due_before_the_letter,
        "schedule[3].on",
        "Ngày hạn trước ngày ban hành công văn (27/04/2020)",
    ),
    "fact on a point the outline lacks": (
        lambda d: d["facts"][0].update({"point": "2.9"}),
        "facts[0].point",
        "Đề cương không có điểm nào mang mã “2.9”",
    ),
    "misspelt name": (_misspelt, "letter.signer.nam", "Định dạng không có mục “nam”"),
    "impossible date": (
        lambda d: d["letter"].update({"issued_on": "2020-02-30"}),
        "letter.issued_on",
        "Ghi một ngày có thật theo dạng NNNN-TT-NN",
    ),
    "code with spaces": (
        lambda d: d.update({"code": "5137 BTC"}),
        "code",
        "Chỉ được viết chữ thường không dấu, chữ số và dấu gạch ngang",
    ),
    "unknown signature choice": (
        lambda d: d.update({"signatures": {"signoff": "yes"}}),
        "signatures.signoff",
        "phải là một trong: “personal”, “none”",
    ),
    "organisation required on an unsigned sign-off": (
        lambda d: d.update({"signatures": {"signoff": "none", "organisation": "required"}}),
        "signatures.organisation",
        "không thể bắt buộc khi bước ký duyệt không ký số",
    ),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_mistake_is_refused_with_its_path_in_vietnamese(
    campaign: Campaign, mistake: str
) -> None:
    change, path, words = MISTAKES[mistake]
    data = definition_5137()
    change(data)
    errors = validate(data)
    assert errors, mistake
    assert {e.path for e in errors} == {path}, pairs(errors)
    assert any(e.path == path and words in e.message for e in errors), pairs(errors)


# Mistakes that do not hide one another (an impossible date hides the deadline's order, an
# unknown unit set hides the unknown unit code): all in one file, every one is reported.
TOGETHER = [
    "missing required key",
    "wrong type",
    "unknown measure kind",
    "bounds in the wrong order",
    "weighted mean by an unknown measure",
    "duplicate column key",
    "rule naming a missing measure",
    "footnote marker not defined",
    "aggregate that does not fit the kind",
    "process not starting with drafting",
    "sign-off after the ministry's check",
    "deadline before the letter",
    "unknown unit code",
    "schedule for a stage not in the process",
    "fact on a point the outline lacks",
    "misspelt name",
    "code with spaces",
]


def test_the_signatures_part_is_optional_and_checked_against_the_process(
    campaign: Campaign,
) -> None:
    data = definition_5137()
    assert "signatures" not in data  # 5137 follows the server's settings
    data["signatures"] = {"signoff": "personal", "organisation": "optional"}
    data["signatures"]["national_report"] = "none"
    assert validate(data) == []
    data["process"] = [s for s in data["process"] if s["kind"] != "unit_signoff"]
    data["schedule"] = [
        e for e in data["schedule"] if e["stage"] in {s["key"] for s in data["process"]}
    ]
    errors = validate(data)
    assert [e.path for e in errors] == ["signatures.signoff"], pairs(errors)
    assert "unit_signoff" in errors[0].message


def test_a_definition_with_many_mistakes_has_every_one_named(campaign: Campaign) -> None:
    data = definition_5137()
    for name in TOGETHER:
        MISTAKES[name][0](data)
    errors = validate(data)
    for name in TOGETHER:
        _change, path, words = MISTAKES[name]
        assert any(e.path == path and words in e.message for e in errors), (name, pairs(errors))
    assert len({e.path for e in errors}) == len(TOGETHER)
    # Our own words, never jsonschema's English.
    for error in errors:
        assert not re.search(r"is not|required property|valid under|Additional", error.message)


def test_messages_follow_the_active_language(campaign: Campaign) -> None:
    data = definition_5137()
    del data["letter"]["number"]
    data["deadline"]["date"] = "2020-04-20"
    with translation.override("en"):
        errors = pairs(validate(data))
    assert ("letter.number", "This is required.") in errors
    assert (
        "deadline.date",
        "The deadline (20/04/2020) must come after the letter's date (27/04/2020).",
    ) in errors


def test_anything_but_an_object_is_refused(db: None) -> None:
    assert pairs(validate([])) == [("$", "Giá trị này phải là một đối tượng ({…}).")]


# Reading an upload ----------------------------------------------------------------------------


def test_an_uploaded_definition_is_read_and_checked(campaign: Campaign) -> None:
    data, errors = parse(FILE_5137.read_bytes())
    assert errors == []
    assert data == definition_5137()


def test_an_upload_over_one_megabyte_is_refused_unread(db: None) -> None:
    data, errors = parse(b" " * (MAX_BYTES + 1))
    assert data is None
    assert [e.path for e in errors] == ["$"]
    assert "Tệp lớn hơn mức 1,0\xa0MB cho phép đối với một định nghĩa" in errors[0].message


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b'{\n "format": "campaign-definition/1",\n "code" "x"\n}', "dòng 3, cột 9: thiếu dấu hai"),
        (b'{\n "code": "x",\n}', "dòng 3, cột 1: cần một tên trong dấu nháy kép"),
        (b'{"code": "x"} {}', "dòng 1, cột 15: còn nội dung thừa"),
        (b'{"code": "\xff"}', "không phải văn bản UTF-8 (không đọc được byte thứ 11)"),
        (b'{"code": "a", "code": "b"}', "Tên “code” xuất hiện hai lần"),
        (b'{"limit": NaN}', "“NaN” không phải là số được phép"),
        (b"[" * 100_000, "lồng nhau quá sâu"),
    ],
)
def test_a_file_that_is_not_a_json_definition_is_named(db: None, raw: bytes, words: str) -> None:
    data, errors = parse(raw)
    assert data is None
    assert len(errors) == 1 and errors[0].path == "$"
    assert words in errors[0].message


# Loading ---------------------------------------------------------------------------------------


def test_the_readme_example_loads_as_a_draft_campaign(campaign: Campaign) -> None:
    data = readme_example()
    assert validate(data) == []
    new = load(data)
    assert new.state == Campaign.State.DRAFT
    assert new.definition == data
    assert (new.number, new.issuer, new.deadline.isoformat()) == (
        "123/BTC-THTK",
        "Bộ Tài chính",
        "2025-10-01",
    )
    assert new.addressees == "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương"
    assert sorted(new.units.values_list("code", flat=True)) == ["01", "31", "79"]
    got = snapshot(new)
    assert got["rows"] == [
        ["1", "1", "Hạ tầng số", None, 1],
        ["1.1", "", "Trung tâm dữ liệu", "1", 2],
    ]
    assert [c[0:1] + c[2:] for c in got["columns"]] == [
        ["stt", None, 1, 1, "row_number", "letter", "", "", None],
        ["task", None, 1, 2, "row_label", "letter", "", "", None],
        ["spent", None, 1, 3, "amount", "letter", "spent", "", None],
        ["done", None, 1, 4, "percent", "letter", "done_pct", "", None],
        ["note", None, 1, 5, "text", "letter", "note", "", None],
    ]
    assert got["points"] == [["1", "1", "", "Đánh giá kết quả chuyển đổi số năm 2025.", 1, True]]
    assert got["problem_kinds"] == [] and got["footnotes"] == []


# Unit sets --------------------------------------------------------------------------------------


def test_the_unit_sets_are_named_by_their_years(db: None) -> None:
    assert unit_sets() == {
        "2008-2025": (datetime.date(2008, 8, 1), datetime.date(2025, 6, 30)),
        "2025": (datetime.date(2025, 7, 1), None),
    }


def test_5137_still_goes_to_the_63_units_of_2008_2025(campaign: Campaign) -> None:
    assert definition_5137()["units"] == {"set": "2008-2025"}
    assert campaign.units.count() == 63
    assert set(campaign.units.values_list("valid_from", "valid_to")) == {
        (datetime.date(2008, 8, 1), datetime.date(2025, 6, 30))
    }


def _for_2025(units: Definition) -> Definition:
    data = readme_example()
    data["code"] = "bao-cao-34-don-vi-2025"
    data["units"] = units
    return data


@pytest.mark.parametrize(
    ("units", "count"),
    [
        ({"set": "2025"}, 34),
        ({"valid_on": "2025-07-01"}, 34),
        ({"valid_on": "2025-06-30"}, 63),
    ],
)
def test_a_definition_for_the_units_of_2025_loads_them_all(
    campaign: Campaign, units: Definition, count: int
) -> None:
    data = _for_2025(units)
    assert validate(data) == []
    new = load(data)
    assert new.units.count() == count
    assert campaign.units.count() == 63


def test_a_definition_for_two_of_the_units_of_2025_loads_those_two(campaign: Campaign) -> None:
    data = _for_2025({"set": "2025", "only": ["15", "80"]})
    assert validate(data) == []
    new = load(data)
    assert sorted(new.units.values_list("code", "name", "valid_from")) == [
        ("15", "Lào Cai", datetime.date(2025, 7, 1)),
        ("80", "Tây Ninh", datetime.date(2025, 7, 1)),
    ]


def test_a_code_of_the_63_that_the_34_lack_is_refused_with_its_path(campaign: Campaign) -> None:
    """Hà Giang (02) went into Tuyên Quang (08): a 2025 definition may not name it."""
    data = _for_2025({"set": "2025", "only": ["08", "02"]})
    expected = [("units.only[1]", "Bộ đơn vị không có đơn vị nào mang mã “02”.")]
    assert pairs(validate(data)) == expected
    with pytest.raises(DefinitionRefused) as refused:
        load(data)
    assert pairs(refused.value.errors) == expected
    assert not Campaign.objects.filter(code=data["code"]).exists()


def test_reloading_a_draft_makes_its_rows_those_of_the_definition(campaign: Campaign) -> None:
    data = readme_example()
    load(data)
    data["appendix"]["groups"] = [
        {"code": "2", "stt": "2", "label": "Nhân lực số", "rows": []},
    ]
    data["appendix"]["columns"].pop()  # "Ghi chú"
    data["outline"]["sections"][0]["points"][0]["code"] = "1.a"
    again = load(data)
    got = snapshot(again)
    assert got["rows"] == [["2", "2", "Nhân lực số", None, 1]]
    assert [c[0] for c in got["columns"]] == ["stt", "task", "spent", "done"]
    assert [p[1] for p in got["points"]] == ["1.a"]
    assert Campaign.objects.filter(code=data["code"]).count() == 1


def test_a_campaign_past_its_draft_is_not_loaded_over(campaign: Campaign) -> None:
    before = snapshot(campaign)
    data = definition_5137()
    data["letter"]["number"] = "5138/BTC-NSNN"
    _column(data, 2)["label"] = "Căn cứ"
    with pytest.raises(DefinitionRefused) as refused:
        load(data)
    assert pairs(refused.value.errors) == [
        (
            "code",
            "Đợt báo cáo “5137-btc-nsnn” không còn là bản nháp: không thể thay đổi định nghĩa "
            "của nó. Hãy tạo đợt báo cáo mới từ một bản sao.",
        )
    ]
    assert snapshot(campaign) == before


def test_an_invalid_definition_is_not_loaded(campaign: Campaign) -> None:
    data = readme_example()
    data["process"].reverse()
    with pytest.raises(DefinitionRefused) as refused:
        load(data)
    assert ("process[0].kind") in {e.path for e in refused.value.errors}
    assert not Campaign.objects.filter(code=data["code"]).exists()


def test_a_copy_of_5137_starts_a_new_draft(campaign: Campaign) -> None:
    before = snapshot(campaign)
    data = copy_of(campaign)
    assert data["code"] == "5137-btc-nsnn-copy"
    assert data["copied_from"] == "5137-btc-nsnn"
    assert data["letter"]["number"] == "Bản sao của 5137/BTC-NSNN"
    assert validate(data) == []
    new = load(data)
    assert new.state == Campaign.State.DRAFT
    got = snapshot(new)
    for part in ("footnotes", "sections", "points", "problem_kinds", "rows", "columns"):
        assert got[part] == before[part], part
    assert got["units"] == before["units"]
    assert snapshot(campaign) == before
    assert copy_of(campaign)["code"] == "5137-btc-nsnn-copy-2"


def test_the_column_kinds_a_definition_gives(campaign: Campaign) -> None:
    """Headers, the footnote's total, a sum, a share with its reason: as the pages read them."""
    allocated = campaign.columns.get(key="allocated")
    assert (allocated.kind, allocated.field) == (TemplateColumn.Kind.SUM, "allocated")
    total = campaign.columns.get(key="alloc-total")
    assert (total.kind, total.field, total.origin) == ("sum", "allocated", "footnote")
    share = campaign.columns.get(key="unused")
    assert (share.kind, share.field, share.reason_field) == (
        "percent",
        "unused_pct",
        "unused_reason",
    )


def test_the_schema_file_is_where_the_readme_says(db: None) -> None:
    assert Path(SCHEMA_FILE).name in README.read_text(encoding="utf-8")
    assert copy.deepcopy(schema()) == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


# Where the migration that made LineItem's columns generic (submissions 0008) renamed 5137's
# measures: the definition's own assignment must put every measure where its data is.
SLOTS_5137 = {
    "demand": "amount_1",
    "alloc_invest_ctmt": "amount_2",
    "alloc_invest_self": "amount_3",
    "alloc_invest_separate": "amount_4",
    "alloc_recurrent_ctmt": "amount_5",
    "alloc_recurrent_self": "amount_6",
    "alloc_recurrent_separate": "amount_7",
    "spent": "amount_8",
    "not_completed_pct": "percent_1",
    "vs_demand_pct": "percent_2",
    "vs_resolution17_pct": "percent_3",
    "use_as_designed_pct": "percent_4",
    "use_not_as_designed_pct": "percent_5",
    "unused_pct": "percent_6",
    "accepted_internal": "flag_1",
    "accepted_by_authority": "flag_2",
    "basis": "text_1",
    "completed_products": "text_2",
    "not_completed_reason": "text_3",
    "infrastructure_status": "text_4",
    "use_not_as_designed_reason": "text_5",
    "unused_reason": "text_6",
    "difficulties": "text_7",
}


def test_5137_measures_take_the_slots_its_lines_were_renamed_into(campaign: Campaign) -> None:
    assert assign_slots(definition_5137()["appendix"]["columns"]) == SLOTS_5137
    stored = {c.field: c.slot for c in campaign.columns.exclude(slot="")}
    stored |= {c.reason_field: c.reason_slot for c in campaign.columns.exclude(reason_slot="")}
    assert stored == SLOTS_5137
    assert campaign.columns.get(key="alloc-total").slot == ""  # a sum is computed, not stored


def test_slots_go_by_kind_in_header_order_whatever_the_keys(campaign: Campaign) -> None:
    data = readme_example()
    assert assign_slots(data["appendix"]["columns"]) == {
        "spent": "amount_1",
        "done_pct": "percent_1",
        "note": "text_1",
    }


def test_a_definition_needing_more_slots_of_a_kind_than_a_line_has_is_refused(
    campaign: Campaign,
) -> None:
    data = definition_5137()
    spent = _column(data, 4)
    extra = [
        {
            "key": f"extra-{n}",
            "label": f"Thêm {n}",
            "measure": {
                "key": f"extra_{n}",
                "kind": "amount",
                "required": "never",
                "aggregate": {"method": "sum"},
            },
        }
        for n in range(1, 10)
    ]  # 8 amounts in 5137 and 9 more: 17, one over the 16 slots
    data["appendix"]["columns"][4:5] = [spent, *extra]
    errors = validate(data)
    assert pairs(errors) == [
        (
            "appendix.columns[13].measure",
            "Một dòng của phụ lục chứa được tối đa 16 chỉ tiêu loại “amount”; "
            "định nghĩa này có 17.",
        )
    ]
    data["appendix"]["columns"][13:14] = []
    assert validate(data) == []


def test_a_shipped_campaign_is_not_reloaded_with_its_measures_in_other_slots(
    campaign: Campaign,
) -> None:
    """Its lines hold the figures where the first load put them: "demand" after "spent"
    would read each from the other's slot."""
    before = snapshot(campaign)
    data = definition_5137()
    columns = data["appendix"]["columns"]
    resources = columns[3]
    demand = resources["children"].pop(0)
    columns.insert(5, demand)
    with pytest.raises(DefinitionRefused) as refused:
        load(data, shipped=True)
    [error] = refused.value.errors
    assert error.path == "appendix.columns"
    assert "“demand”, " in error.message and "Hãy giữ nguyên thứ tự" in error.message
    assert snapshot(campaign) == before
