"""A campaign defined only as data stores its figures in the line's slots: no migration, the
same form, totals and rules as 5137's, each measure read and written by its key."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from campaigns.definition import SCHEMA_FILE, load
from campaigns.models import AdministrativeUnit, Campaign
from submissions import selectors, values
from submissions.forms import LineItemForm
from submissions.models import LineItem, Submission
from submissions.readiness import readiness_of
from submissions.services import submission_create

README = SCHEMA_FILE.parent / "README.md"


def _definition() -> dict[str, Any]:
    """The schema README's example, with a whole number, a yes/no and a choice added before
    its amount: slots go by kind, so "spent" still takes amount_1."""
    block = re.search(r"```json\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert block is not None
    data: dict[str, Any] = json.loads(block.group(1))
    extra = [
        {
            "key": "sites",
            "label": "Số điểm triển khai",
            "measure": {
                "key": "sites",
                "kind": "integer",
                "required": "never",
                "bounds": {"min": 0, "max": 500},
                "aggregate": {"method": "sum"},
            },
        },
        {
            "key": "shared",
            "label": "Dùng chung",
            "measure": {
                "key": "shared",
                "kind": "flag",
                "required": "never",
                "aggregate": {"method": "count"},
            },
        },
        {
            "key": "level",
            "label": "Mức độ",
            "measure": {
                "key": "level",
                "kind": "choice",
                "required": "never",
                "bounds": {
                    "choices": [
                        {"code": "basic", "label": "Cơ bản"},
                        {"code": "full", "label": "Đầy đủ"},
                    ]
                },
                "aggregate": {"method": "count"},
            },
        },
    ]
    data["appendix"]["columns"][2:2] = extra
    return data


@pytest.fixture
def line(campaign: Campaign) -> LineItem:
    new = load(_definition())
    unit = AdministrativeUnit.objects.get(code="01", valid_to__isnull=False)
    submission = submission_create(campaign=new, unit=unit)
    return submission.lines.get(row__code="1.1")


def test_each_measure_takes_a_slot_of_its_kind(line: LineItem) -> None:
    measures = values.for_line(line)
    assert measures.slots == {
        "sites": "integer_1",
        "shared": "flag_1",
        "level": "choice_1",
        "spent": "amount_1",
        "done_pct": "percent_1",
        "note": "text_1",
    }
    columns = line.submission.campaign.columns
    assert dict(columns.exclude(slot="").values_list("field", "slot")) == measures.slots


def _post(line: LineItem, **typed: str) -> LineItemForm:
    data = {"sites": "", "shared": "unknown", "level": "", "spent": "", "done_pct": "", "note": ""}
    return LineItemForm(data | typed, instance=line)


def test_the_line_form_is_the_definitions_measures_saved_in_slots(line: LineItem) -> None:
    form = _post(
        line, sites="120", shared="true", level="full", spent="1.234,5", done_pct="40", note="x"
    )
    assert list(form.fields) == ["sites", "shared", "level", "spent", "done_pct", "note"]
    assert form.is_valid(), form.errors
    measures = values.for_line(line)
    for key, value in form.cleaned_data.items():
        measures.set(line, key, value)
    line.save()
    stored = LineItem.objects.filter(pk=line.pk)
    assert stored.values_list("integer_1", "flag_1", "choice_1").get() == (120, True, "full")
    assert stored.values_list("amount_1", "percent_1", "text_1").get() == (
        Decimal("1234.5"),
        40,
        "x",
    )
    line.refresh_from_db()
    assert measures.values(line)["spent"] == Decimal("1234.5")
    table = selectors.appendix_table(line.submission)
    assert table[-1].totals == {"spent": Decimal("1234.5")}  # amounts add up, nothing else


@pytest.mark.parametrize(
    ("typed", "field", "words"),
    [
        # The definition's own bound, narrower than the kind's.
        ({"sites": "501"}, "sites", "Giá trị này không được lớn hơn 500."),
        ({"sites": "-1"}, "sites", None),
        ({"level": "most"}, "level", None),
        ({"spent": "-5"}, "spent", "Số tiền không được âm."),
        ({"done_pct": "101"}, "done_pct", "Tỷ lệ không được vượt quá 100."),
        ({"note": "a" * 2001}, "note", "2000"),
    ],
)
def test_bad_input_is_refused_by_kind_and_bounds(
    line: LineItem, typed: dict[str, str], field: str, words: str | None
) -> None:
    form = _post(line, **typed)
    assert not form.is_valid()
    assert list(form.errors) == [field]
    if words:
        assert words in " ".join(str(e) for e in form.errors[field])


def test_the_definitions_rules_decide_readiness(line: LineItem) -> None:
    """ "done_pct" is required when "spent" is above 0; "spent" always."""
    submission: Submission = line.submission
    messages = [f.message for f in readiness_of(submission).missing]
    assert any("Kinh phí đã thực hiện" in m for m in messages)
    LineItem.objects.filter(pk=line.pk).update(amount_1=Decimal(5))
    messages = [f.message for f in readiness_of(submission).missing]
    assert any("Tỷ lệ hoàn thành" in m for m in messages)
    assert not any("Kinh phí đã thực hiện" in m for m in messages)


def test_the_database_keeps_each_kind_in_bounds(line: LineItem) -> None:
    for slot, bad in [("integer_1", -1), ("percent_1", Decimal(101)), ("amount_1", Decimal(-1))]:
        with pytest.raises(IntegrityError), transaction.atomic():
            LineItem.objects.filter(pk=line.pk).update(**{slot: bad})
