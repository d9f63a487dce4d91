"""The review screen: what changed since the version this reviewer last saw, and the decision."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse

from core.enums import Action, Role, Stage
from submissions import services
from submissions.models import LineItem, Submission
from workflow.services import submission_transition

from ..cast import Cast, drive_to, fill_complete
from ..helpers import html_table


def _returned_then_edited(
    hanoi: Submission, cast: Cast, reason: str, values: dict[str, Decimal]
) -> LineItem:
    """The department returns Hà Nội's report with ``reason``; its drafter then changes line
    1.3 to ``values`` (the line is returned)."""
    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    submission_transition(
        actor=cast(Role.DEPARTMENT_REVIEWER),
        submission=hanoi,
        action=Action.RETURN,
        expected_stage=Stage.DEPARTMENT_REVIEW,
        reason=reason,
    )
    hanoi.refresh_from_db()
    line = hanoi.lines.get(row__code="1.3")
    services.appendix_save(
        actor=cast(Role.DRAFTER),
        submission=hanoi,
        revision=hanoi.revision,
        values={line.pk: values},
    )
    hanoi.refresh_from_db()
    return line


def test_changes_since_the_version_the_reviewer_returned(
    client: Any, hanoi: Submission, cast: Cast
) -> None:
    reviewer, drafter = cast(Role.DEPARTMENT_REVIEWER), cast(Role.DRAFTER)
    _returned_then_edited(hanoi, cast, "Sửa số liệu 1.3", {"spent": Decimal("75.5")})
    point = hanoi.campaign.sections.get(number="2.4").points.get(order=3)
    answers = {a.point_id: a.text for a in hanoi.answers.all()}
    answers[point.pk] = "Khoảng 95% thiết bị dùng đúng thiết kế."
    services.narrative_save(
        actor=drafter,
        submission=hanoi,
        revision=hanoi.revision,
        answers=answers,
        treasury_refusal_count=0,
        treasury_refusal_amount=None,
        treasury_refusal_note="",
        problem_kinds=[],
    )
    submission_transition(
        actor=drafter, submission=hanoi, action=Action.SUBMIT, expected_stage=Stage.DRAFTING
    )

    client.force_login(reviewer)
    page = client.get(reverse("reviews:review", kwargs={"pk": hanoi.pk})).content.decode()
    assert "Các thay đổi từ phiên bản 1" in page and "đến phiên bản 2" in page
    rows = page.split('id="diff-rows"')[1].split("</section>")[0]
    assert "Trung tâm dữ liệu (Data center), trung tâm dữ liệu dự phòng" in rows
    assert "Kinh phí đã thực hiện" in rows
    assert '<td class="before">60</td>' in rows and '<td class="after">75,5</td>' in rows
    assert rows.count("<tr>") == 2  # the header and the one changed cell
    narrative = page.split('id="diff-narrative"')[1].split("</section>")[0]
    assert "2.4 (iii)" in narrative
    assert (
        "Đánh giá cho 2.4.iii." in narrative
        and "Khoảng 95% thiết bị dùng đúng thiết kế." in narrative
    )
    assert 'value="approve"' in page and 'value="return"' in page


def test_a_return_from_the_review_screen_carries_notes(
    client: Any, hanoi: Submission, cast: Cast
) -> None:
    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    line = hanoi.lines.get(row__code="4.1")
    client.force_login(cast(Role.DEPARTMENT_REVIEWER))
    response = client.post(
        reverse("reviews:decide", kwargs={"pk": hanoi.pk}),
        {
            "action": "return",
            "expected_stage": "department_review",
            "reason": "Xem ghi chú",
            f"note-line-{line.pk}": "Tách chi phí cổng thông tin",
            "note-line-999999": "",
        },
        follow=True,
    )
    assert "Đã trả lại hồ sơ báo cáo" in response.content.decode()
    record = hanoi.audit_records.latest("at")
    assert [(n.line_id, n.text) for n in record.notes.all()] == [
        (line.pk, "Tách chi phí cổng thông tin")
    ]


def test_a_return_without_reason_is_refused_on_the_page(
    client: Any, hanoi: Submission, cast: Cast
) -> None:
    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    client.force_login(cast(Role.DEPARTMENT_REVIEWER))
    response = client.post(
        reverse("reviews:decide", kwargs={"pk": hanoi.pk}),
        {"action": "return", "expected_stage": "department_review", "reason": ""},
        follow=True,
    )
    assert "Ghi rõ lý do" in response.content.decode()
    hanoi.refresh_from_db()
    assert hanoi.stage == Stage.DEPARTMENT_REVIEW


def test_changed_figures_are_written_as_the_language_writes_numbers(
    client: Any, hanoi: Submission, cast: Cast
) -> None:
    """Amounts, shares, counts and yes/no as every other page shows them, not as stored."""
    drafter, reviewer = cast(Role.DRAFTER), cast(Role.DEPARTMENT_REVIEWER)

    def save(*, spent: str, accepted: bool | None, cases: int, amount: str) -> None:
        hanoi.refresh_from_db()
        line = hanoi.lines.get(row__code="1.3")
        services.appendix_save(
            actor=drafter,
            submission=hanoi,
            revision=hanoi.revision,
            values={line.pk: {"spent": Decimal(spent), "accepted_internal": accepted}},
        )
        hanoi.refresh_from_db()
        services.narrative_save(
            actor=drafter,
            submission=hanoi,
            revision=hanoi.revision,
            answers={a.point_id: a.text for a in hanoi.answers.all()},
            treasury_refusal_count=cases,
            treasury_refusal_amount=Decimal(amount),
            treasury_refusal_note="Chứng từ thiếu chữ ký",
            problem_kinds=[],
        )
        submission_transition(
            actor=drafter, submission=hanoi, action=Action.SUBMIT, expected_stage=Stage.DRAFTING
        )

    fill_complete(hanoi, drafter)
    save(spent="60", accepted=None, cases=2, amount="1637.250")
    submission_transition(
        actor=reviewer,
        submission=hanoi,
        action=Action.RETURN,
        expected_stage=Stage.DEPARTMENT_REVIEW,
        reason="Kiểm tra lại số tiền bị từ chối",
    )
    save(spent="1234.5", accepted=True, cases=3, amount="1887.250")

    client.force_login(reviewer)
    url = reverse("reviews:review", kwargs={"pk": hanoi.pk})
    page = client.get(url).content.decode()
    rows = page.split('id="diff-rows"')[1].split("</section>")[0]
    assert '<td class="before">60</td><td class="after">1.234,5</td>' in rows
    assert '<td class="before">—</td><td class="after">Có</td>' in rows
    facts = page.split('id="diff-narrative"')[1].split("</section>")[0]
    assert (
        "Số tiền bị Kho bạc Nhà nước từ chối chi (triệu đồng): "
        '<span class="text-danger before">1.637,25</span> → '
        '<span class="text-success after">1.887,25</span>'
    ) in facts
    assert "Số trường hợp bị Kho bạc Nhà nước từ chối chi" in facts
    assert "1637.250" not in page and "1887.250" not in page

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert '<td class="before">60</td><td class="after">1,234.5</td>' in english
    assert (
        "Payments refused by the State Treasury (million VND): "
        '<span class="text-danger before">1,637.25</span> → '
        '<span class="text-success after">1,887.25</span>'
    ) in english


def test_content_frozen_before_a_column_existed_shows_no_change_in_it(
    hanoi: Submission, drafter: Any
) -> None:
    """Versions frozen before migration 0004 have no "infrastructure_status": the migration
    gave every line a blank there, which is no change of the province's; what it writes
    afterwards is one, under the letter's label."""
    from submissions.selectors import measure_labels
    from workflow.selectors import diff
    from workflow.snapshots import build

    line = hanoi.lines.get(row__code="1.3")
    old = build(hanoi)
    for frozen in old["lines"]:
        del frozen["infrastructure_status"]
    assert diff(old, build(hanoi))["rows"] == []

    services.appendix_save(
        actor=drafter,
        submission=hanoi,
        revision=hanoi.revision,
        values={line.pk: {"infrastructure_status": "Chưa có trung tâm dữ liệu dự phòng"}},
    )
    changes = diff(old, build(hanoi))["rows"]
    assert [(c.where, c.what, c.before, c.after) for c in changes] == [
        (
            "Trung tâm dữ liệu (Data center), trung tâm dữ liệu dự phòng",
            "infrastructure_status",
            "",
            "Chưa có trung tâm dữ liệu dự phòng",
        )
    ]
    assert measure_labels(hanoi.campaign)["infrastructure_status"] == (
        "Thực trạng cơ sở vật chất so với mục tiêu, chủ trương về ứng dụng CNTT, CPĐT"
    )


def _path(*labels: str) -> str:
    return " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} ".join(labels)


def test_a_changed_cell_is_named_by_its_whole_column_header_as_the_grid_names_it(
    client: Any, hanoi: Submission, cast: Cast
) -> None:
    """Two columns are labelled "Nguồn từ CTMT CNTT", under "Chi đầu tư" and under "Chi
    thường xuyên": the diff names each changed cell by the path of headers above it, root to
    leaf, the same path the appendix grid gives a screen reader for that cell."""
    drafter, reviewer = cast(Role.DRAFTER), cast(Role.DEPARTMENT_REVIEWER)
    line = _returned_then_edited(
        hanoi,
        cast,
        "Tách nguồn CTMT",
        {"alloc_invest_ctmt": Decimal("12"), "alloc_recurrent_ctmt": Decimal("3")},
    )
    # What the grid tells a screen reader about the cell: the header cells its data-colhead
    # lists (the inputs' aria-labelledby), read from the drafter's appendix page.
    client.force_login(drafter)
    grid = client.get(reverse("submissions:appendix", kwargs={"pk": hanoi.pk})).content.decode()
    heads = dict(re.findall(r'<th [^>]*id="(colhead-\d+)">([^<]*)</th>', grid))
    table_tag = re.search(r'data-separator="([^"]*)"', grid)
    assert table_tag is not None
    separator = html.unescape(table_tag.group(1))
    cell = re.search(
        rf'data-colhead="([^"]*)"><input[^>]*name="l{line.pk}-alloc_invest_ctmt"', grid
    )
    assert cell is not None
    heard = separator.join(" ".join(heads[i].split()) for i in cell.group(1).split())
    assert heard == _path("Nguồn lực", "Kinh phí đã bố trí (*)", "Chi đầu tư", "Nguồn từ CTMT CNTT")

    submission_transition(
        actor=drafter, submission=hanoi, action=Action.SUBMIT, expected_stage=Stage.DRAFTING
    )
    client.force_login(reviewer)
    page = client.get(reverse("reviews:review", kwargs={"pk": hanoi.pk})).content.decode()
    table = html_table(page, "diff-rows")
    assert table.rows[0][0] == ("th", "col", "Dòng") and table.rows[1][0][:2] == ("th", "row")
    assert line.row is not None
    row = " ".join(line.row.label.split())
    assert [cells[:2] for cells in table.texts()[1:]] == [
        [row, heard],
        [
            row,
            _path("Nguồn lực", "Kinh phí đã bố trí (*)", "Chi thường xuyên", "Nguồn từ CTMT CNTT"),
        ],
    ]


def test_a_removed_sub_item_is_named_in_the_pages_language(
    client: Any, hanoi: Submission, cast: Cast
) -> None:
    drafter, reviewer = cast(Role.DRAFTER), cast(Role.DEPARTMENT_REVIEWER)
    services.appendix_save(
        actor=drafter,
        submission=hanoi,
        revision=hanoi.revision,
        values={},
        add_to_group=hanoi.campaign.rows.get(code="3"),
        new_label="CSDL đất đai",
    )
    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    submission_transition(
        actor=reviewer,
        submission=hanoi,
        action=Action.RETURN,
        expected_stage=Stage.DEPARTMENT_REVIEW,
        reason="Bỏ mục con",
    )
    hanoi.refresh_from_db()
    services.appendix_save(
        actor=drafter,
        submission=hanoi,
        revision=hanoi.revision,
        values={},
        remove_line_id=hanoi.lines.get(label="CSDL đất đai").pk,
    )
    submission_transition(
        actor=drafter, submission=hanoi, action=Action.SUBMIT, expected_stage=Stage.DRAFTING
    )
    client.force_login(reviewer)
    url = reverse("reviews:review", kwargs={"pk": hanoi.pk})
    rows = html_table(client.get(url).content.decode(), "diff-rows").texts()[1:]
    assert [r[:3] for r in rows] == [["CSDL đất đai", "Mục con đã bị xóa", "CSDL đất đai"]]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    rows = html_table(client.get(url).content.decode(), "diff-rows").texts()[1:]
    assert rows[0][1] == "The sub-item was removed"
