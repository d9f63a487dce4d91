"""Filling the appendix: Vietnamese number entry, computed totals, validation, double posts."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from submissions import services
from submissions.models import LineItem, Submission
from submissions.selectors import appendix_table

from ..helpers import appendix_post, figures, group_row, line_by_code, slots


def _url(submission: Submission) -> str:
    return reverse("submissions:appendix", kwargs={"pk": submission.pk})


def _snapshot(submission: Submission) -> list[tuple[Any, ...]]:
    measures = ("demand", "spent", "alloc_invest_ctmt", "vs_demand_pct", "unused_pct")
    return list(
        submission.lines.order_by("pk").values_list(
            "pk",
            "row_id",
            "label",
            *slots(submission, **dict.fromkeys((*measures, "unused_reason"))),
        )
    )


def test_amounts_typed_the_vietnamese_way_are_saved_exactly(
    drafter_client: Any, hanoi: Submission
) -> None:
    line = line_by_code(hanoi, "1.1")
    response = drafter_client.post(
        _url(hanoi),
        appendix_post(
            hanoi,
            {
                line.pk: {
                    "demand": "1.234,5",
                    "spent": "0,125",
                    "alloc_invest_self": "12.345.678,999",
                }
            },
        ),
        follow=True,
    )
    assert (
        "Đã lưu phụ lục" in response.content.decode()
        or "appendix was saved" in response.content.decode()
    )
    line.refresh_from_db()
    assert figures(line).demand == Decimal("1234.5")
    assert figures(line).spent == Decimal("0.125")
    assert figures(line).alloc_invest_self == Decimal("12345678.999")
    page = drafter_client.get(_url(hanoi)).content.decode()
    assert 'value="1.234,5"' in page
    assert 'value="12.345.678,999"' in page


def test_group_rows_and_grand_total_are_sums_without_float_drift(
    hanoi: Submission, drafter: Any
) -> None:
    """0,1 + 0,2 is 0,3 exactly: amounts are Decimal from the form to the total."""
    values = {
        line_by_code(hanoi, "1.1").pk: {
            "demand": Decimal("0.1"),
            "alloc_invest_ctmt": Decimal("0.1"),
        },
        line_by_code(hanoi, "1.2").pk: {
            "demand": Decimal("0.2"),
            "alloc_recurrent_self": Decimal("0.2"),
        },
        line_by_code(hanoi, "2.1").pk: {"demand": Decimal("1000000000.001")},
        line_by_code(hanoi, "5").pk: {"demand": Decimal("7"), "spent": Decimal("3.5")},
    }
    services.appendix_save(actor=drafter, submission=hanoi, revision=0, values=values)
    table = appendix_table(hanoi)
    groups = {code: group_row(table, code) for code in "123456"}
    assert groups["1"].totals["demand"] == Decimal("0.3")
    assert groups["1"].totals["allocated"] == Decimal("0.3")
    assert groups["2"].totals["demand"] == Decimal("1000000000.001")
    assert groups["5"].totals == {"demand": Decimal("7"), "spent": Decimal("3.5")}
    assert groups["3"].totals == {}
    grand = table[-1]
    assert grand.kind == "total"
    assert grand.totals["demand"] == Decimal("1000000007.301")
    assert grand.totals["allocated"] == Decimal("0.3")
    assert grand.totals["spent"] == Decimal("3.5")


def test_totals_shown_on_the_page_follow_what_was_saved(
    drafter_client: Any, hanoi: Submission
) -> None:
    a, b = line_by_code(hanoi, "4.1"), line_by_code(hanoi, "4.2")
    drafter_client.post(
        _url(hanoi),
        appendix_post(hanoi, {a.pk: {"spent": "1.000,25"}, b.pk: {"spent": "2.000,5"}}),
    )
    page = drafter_client.get(_url(hanoi)).content.decode()
    group4 = page.split('class="row-group" id="group-')[4]
    assert "3.000,75" in group4.split("</tr>")[0]
    overview = drafter_client.get(hanoi.get_absolute_url()).content.decode()
    assert 'id="total-spent">3.000,75<' in overview


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("demand", "-5", "Số tiền không được âm."),
        ("spent", "mười triệu", "Nhập số tiền (triệu đồng), ví dụ 1.234,5."),
        ("vs_demand_pct", "150", "Tỷ lệ không được vượt quá 100."),
        ("not_completed_pct", "-1", "Tỷ lệ không được âm."),
        (
            "infrastructure_status",
            "Đạt mục tiêu" + "." * 489,
            "Ô này ghi tối đa 500 ký tự (hiện có 501)",
        ),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(
    drafter_client: Any, hanoi: Submission, field: str, typed: str, message: str
) -> None:
    good, bad = line_by_code(hanoi, "1.1"), line_by_code(hanoi, "3.1")
    before = _snapshot(hanoi)
    response = drafter_client.post(
        _url(hanoi), appendix_post(hanoi, {good.pk: {"demand": "500"}, bad.pk: {field: typed}})
    )
    assert response.status_code == 200
    page = response.content.decode()
    cell = page.split(f'name="l{bad.pk}-{field}"')[1].split("</td>")[0]
    assert message in cell
    assert "Chưa lưu gì" in page
    assert _snapshot(hanoi) == before
    hanoi.refresh_from_db()
    assert hanoi.revision == 0


def test_the_state_of_the_infrastructure_is_a_column_of_its_own(
    drafter_client: Any, hanoi: Submission
) -> None:
    """Column 13 of the letter: its header runs from the top of the header down, after the
    two achievement rates under "Nghiệm thu sản phẩm"; the drafter writes in it and reads it
    back."""
    line = line_by_code(hanoi, "1.3")
    text = "Trung tâm dữ liệu đạt chuẩn; chưa có trung tâm dự phòng"
    response = drafter_client.post(
        _url(hanoi),
        appendix_post(hanoi, {line.pk: {"infrastructure_status": text}}),
        follow=True,
    )
    line.refresh_from_db()
    assert figures(line).infrastructure_status == text
    page = response.content.decode()
    header = page.split("<thead>")[1].split("</thead>")[0]
    # (The header cell also carries the id its column's inputs are named by.)
    assert re.search(
        r'<th colspan="1" rowspan="4" class="col-status" scope="col" id="colhead-\d+"[^>]*>'
        "Thực trạng cơ sở vật chất so với mục tiêu, chủ trương về ứng dụng CNTT, CPĐT</th>",
        header,
    )
    assert '<th colspan="6" rowspan="1" class="col-acceptance"' in header
    assert header.index("col-vs-resolution17") < header.index("col-use-as-designed")
    row = page.split(f'id="line-{line.pk}"')[1].split("</tr>")[0]
    cells = {c.split('"')[0]: c for c in row.split('data-col="')[1:]}
    keys = list(cells)
    at = keys.index("status")
    assert keys[at - 1 : at + 2] == ["vs-resolution17", "status", "use-as-designed"]
    assert text in cells["status"] and 'maxlength="500"' in cells["status"]


def test_a_share_without_its_reason_is_refused(drafter_client: Any, hanoi: Submission) -> None:
    line = line_by_code(hanoi, "1.3")
    before = _snapshot(hanoi)
    response = drafter_client.post(
        _url(hanoi),
        appendix_post(hanoi, {line.pk: {"unused_pct": "20", "use_as_designed_pct": "80"}}),
    )
    page = response.content.decode()
    reason_cell = page.split(f'name="l{line.pk}-unused_reason"')[1].split("</td>")[0]
    assert "Ghi rõ lý do" in reason_cell
    assert _snapshot(hanoi) == before


def test_use_shares_over_100_are_refused(drafter_client: Any, hanoi: Submission) -> None:
    line = line_by_code(hanoi, "1.4")
    before = _snapshot(hanoi)
    response = drafter_client.post(
        _url(hanoi),
        appendix_post(
            hanoi,
            {
                line.pk: {
                    "use_as_designed_pct": "70",
                    "use_not_as_designed_pct": "20",
                    "use_not_as_designed_reason": "Chưa khai thác hết",
                    "unused_pct": "15",
                    "unused_reason": "Hỏng",
                }
            },
        ),
    )
    assert "không được vượt quá 100%" in response.content.decode()
    assert _snapshot(hanoi) == before


def test_the_database_refuses_what_the_form_would(hanoi: Submission) -> None:
    """The invariants hold below the forms too."""
    from django.db import IntegrityError, transaction

    line = line_by_code(hanoi, "1.1")
    for field, value in [("demand", Decimal("-1")), ("vs_demand_pct", Decimal("100.01"))]:
        with pytest.raises(IntegrityError), transaction.atomic():
            LineItem.objects.filter(pk=line.pk).update(**slots(hanoi, **{field: value}))
    # Every slot of a kind, the spare ones too, whatever campaign comes to use it.
    spare: list[tuple[str, object]] = [
        ("amount_16", Decimal("-1")),
        ("integer_8", -1),
        ("percent_12", Decimal("100.01")),
    ]
    for slot, bad in spare:
        with pytest.raises(IntegrityError), transaction.atomic():
            LineItem.objects.filter(pk=line.pk).update(**{slot: bad})
    # 5137's use shares at most 100 together is its definition's rule (at_most_total), which
    # the form and the readiness check (test_inconsistent_content_from_elsewhere_is_flagged).


def test_a_form_posted_twice_changes_nothing_the_second_time(
    drafter_client: Any, hanoi: Submission
) -> None:
    line = line_by_code(hanoi, "2.2")
    data = appendix_post(hanoi, {line.pk: {"demand": "10"}})
    first = drafter_client.post(_url(hanoi), data)
    assert first.status_code == 302
    line.refresh_from_db()
    assert figures(line).demand == Decimal("10")
    data[f"l{line.pk}-demand"] = "99"  # the stale second post differs: it still must not land
    second = drafter_client.post(_url(hanoi), data, follow=True)
    assert "Chưa lưu gì: biểu mẫu này đã được gửi" in second.content.decode()
    line.refresh_from_db()
    assert figures(line).demand == Decimal("10")
    hanoi.refresh_from_db()
    assert hanoi.revision == 1


def test_own_sub_items_are_added_summed_and_removed(drafter_client: Any, hanoi: Submission) -> None:
    group3 = hanoi.campaign.rows.get(code="3")
    response = drafter_client.post(
        _url(hanoi),
        appendix_post(
            hanoi, {}, action=f"add:{group3.pk}", **{f"new-label-{group3.pk}": "CSDL đất đai"}
        ),
    )
    assert response.status_code == 302
    custom = hanoi.lines.get(row__isnull=True)
    assert (custom.label, custom.group_id) == ("CSDL đất đai", group3.pk)
    db31 = line_by_code(hanoi, "3.1")
    drafter_client.post(
        _url(hanoi),
        appendix_post(hanoi, {custom.pk: {"spent": "250,5"}, db31.pk: {"spent": "100"}}),
    )
    table = appendix_table(hanoi)
    group = group_row(table, "3")
    assert group.totals["spent"] == Decimal("350.5")
    page = drafter_client.get(_url(hanoi)).content.decode()
    assert "CSDL đất đai" in page
    drafter_client.post(_url(hanoi), appendix_post(hanoi, {}, action=f"remove:{custom.pk}"))
    assert not hanoi.lines.filter(pk=custom.pk).exists()
    group = group_row(appendix_table(hanoi), "3")
    assert group.totals["spent"] == Decimal("100")


def test_a_group_without_sub_items_hands_its_entries_to_the_first_one(
    drafter: Any, hanoi: Submission
) -> None:
    group5 = hanoi.campaign.rows.get(code="5")
    own = line_by_code(hanoi, "5")
    services.appendix_save(
        actor=drafter, submission=hanoi, revision=0, values={own.pk: {"spent": Decimal("42")}}
    )
    services.appendix_save(
        actor=drafter,
        submission=hanoi,
        revision=1,
        values={},
        add_to_group=group5,
        new_label="Giám sát an toàn thông tin tập trung (SOC)",
    )
    moved = hanoi.lines.get(group=group5)
    assert (moved.row_id, moved.label, figures(moved).spent) == (
        None,
        "Giám sát an toàn thông tin tập trung (SOC)",
        Decimal("42"),
    )
    group = group_row(appendix_table(hanoi), "5")
    assert group.computed and group.totals["spent"] == Decimal("42")
    services.appendix_save(
        actor=drafter, submission=hanoi, revision=2, values={}, remove_line_id=moved.pk
    )
    again = hanoi.lines.get(group=group5)
    assert again.row_id == group5.pk and figures(again).spent is None


def test_adding_a_sub_item_needs_a_name(drafter_client: Any, hanoi: Submission) -> None:
    group1 = hanoi.campaign.rows.get(code="1")
    response = drafter_client.post(_url(hanoi), appendix_post(hanoi, {}, action=f"add:{group1.pk}"))
    assert "Nhập tên cho mục con mới." in response.content.decode()
    assert not hanoi.lines.filter(row__isnull=True).exists()


def test_template_rows_cannot_be_removed(drafter_client: Any, hanoi: Submission) -> None:
    line = line_by_code(hanoi, "1.1")
    response = drafter_client.post(
        _url(hanoi), appendix_post(hanoi, {}, action=f"remove:{line.pk}"), follow=True
    )
    assert "Chỉ xóa được các mục con do địa phương tự thêm." in response.content.decode()
    assert hanoi.lines.filter(pk=line.pk).exists()


def test_numbers_in_markup_are_never_localised(drafter_client: Any, hanoi: Submission) -> None:
    """Ids, field names and the revision stay 1234, not the Vietnamese "1.234"."""
    Submission.objects.filter(pk=hanoi.pk).update(revision=1234)
    line = line_by_code(hanoi, "1.1")
    LineItem.objects.filter(pk=line.pk).update(**slots(hanoi, demand=Decimal("1234")))
    page = drafter_client.get(_url(hanoi)).content.decode()
    assert '<input type="hidden" name="revision" value="1234">' in page
    assert 'value="1.234"' in page  # the amount itself is shown the Vietnamese way
    hanoi.refresh_from_db()
    response = drafter_client.post(_url(hanoi), appendix_post(hanoi, {line.pk: {"spent": "5"}}))
    assert response.status_code == 302
