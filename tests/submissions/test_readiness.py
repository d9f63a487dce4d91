"""The completeness list: what is missing, what is inconsistent, and when a draft is ready."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import translation

from submissions import selectors
from submissions.models import LineItem, Submission
from submissions.readiness import Readiness, check_readiness

from ..cast import fill_complete
from ..helpers import COMPLETE_ROW, appendix_post, slots


def _check(submission: Submission) -> Readiness:
    with translation.override("vi"):
        return check_readiness(
            submission,
            lines=selectors.appendix_lines(submission),
            sections=list(selectors.outline(submission.campaign)),
            answers=selectors.answers_by_point(submission),
        )


def test_an_empty_draft_lists_every_missing_part(hanoi: Submission) -> None:
    result = _check(hanoi)
    assert not result.ready
    assert result.count("appendix") == 11  # 9 sub-items + groups 5 and 6 take entries
    assert result.count("narrative") == 12
    assert result.count("facts") == 1
    first = result.missing[0].message
    assert first.startswith(
        "Dòng “Hạ tầng cơ bản: Trang thiết bị máy tính, trang thiết bị CNTT khác.”"
    )
    assert first.endswith(": chưa nhập Nhu cầu, Kinh phí đã bố trí (*), Kinh phí đã thực hiện.")


def test_a_complete_consistent_draft_is_ready(hanoi: Submission, drafter: Any) -> None:
    fill_complete(hanoi, drafter)
    result = _check(hanoi)
    assert result.missing == [] and result.problems == []
    assert result.ready


def test_the_list_shrinks_as_the_drafter_fills_in(drafter_client: Any, hanoi: Submission) -> None:
    url = reverse("submissions:appendix", kwargs={"pk": hanoi.pk})
    before = len(_check(hanoi).missing)
    line = hanoi.lines.get(row__code="1.1")
    drafter_client.post(url, appendix_post(hanoi, {line.pk: dict(COMPLETE_ROW)}))
    assert len(_check(hanoi).missing) == before - 1
    page = drafter_client.get(url).content.decode()
    assert "Hạ tầng cơ bản" not in page.split('id="completeness"')[1]


def test_inconsistent_content_from_elsewhere_is_flagged(hanoi: Submission, drafter: Any) -> None:
    """Content that bypassed the form (a later Excel import, say) is still checked."""
    fill_complete(hanoi, drafter)
    LineItem.objects.filter(pk=hanoi.lines.get(row__code="2.2").pk).update(
        **slots(hanoi, use_as_designed_pct=Decimal(60), unused_pct=Decimal(40), unused_reason="")
    )
    Submission.objects.filter(pk=hanoi.pk).update(treasury_refusal_amount=Decimal(5))
    hanoi.refresh_from_db()
    result = _check(hanoi)
    messages = [f.message for f in result.problems]
    assert messages == [
        "Dòng “Các hệ thống nền tảng khác”: cần ghi lý do cho “Không sử dụng/ Lý do”.",
        "Có số tiền bị từ chối chi nhưng số trường hợp bị từ chối là 0.",
    ]
    assert not result.ready


def test_spending_needs_the_achievement_rates(hanoi: Submission, drafter: Any) -> None:
    fill_complete(hanoi, drafter)
    line = hanoi.lines.get(row__code="4.2")
    LineItem.objects.filter(pk=line.pk).update(**slots(hanoi, vs_resolution17_pct=None))
    result = _check(hanoi)
    assert [f.anchor for f in result.missing] == [f"line-{line.pk}"]
    assert (
        "So với mục tiêu Nghị quyết 17" in result.missing[0].message
        or "Nghị quyết 17" in result.missing[0].message
    )


def test_spending_needs_the_state_of_the_infrastructure(hanoi: Submission, drafter: Any) -> None:
    """The letter asks every province for column 13 wherever money was spent: spaces are no
    answer; a line with nothing spent may leave it empty."""
    fill_complete(hanoi, drafter)
    line = hanoi.lines.get(row__code="1.3")
    idle = hanoi.lines.get(row__code="2.2")
    LineItem.objects.filter(pk=line.pk).update(**slots(hanoi, infrastructure_status="   "))
    LineItem.objects.filter(pk=idle.pk).update(
        **slots(
            hanoi,
            infrastructure_status="",
            spent=Decimal(0),
            vs_demand_pct=None,
            vs_resolution17_pct=None,
        )
    )
    result = _check(hanoi)
    assert [f.message for f in result.missing] == [
        "Dòng “Trung tâm dữ liệu (Data center), trung tâm dữ liệu dự phòng”: chưa nhập "
        "Thực trạng cơ sở vật chất so với mục tiêu, chủ trương về ứng dụng CNTT, CPĐT."
    ]
    assert result.missing[0].anchor == f"line-{line.pk}"


def test_a_letter_that_asks_no_facts_neither_asks_nor_shows_them(
    hanoi: Submission, drafter_client: Any
) -> None:
    """The Treasury's refusals and the kinds of shortcoming are 5137's facts: a campaign whose
    definition asks no fact has no such item to complete and no such part on its page."""
    assert _check(hanoi).count("facts") == 1
    page = drafter_client.get(reverse("submissions:narrative", args=[hanoi.pk])).content.decode()
    assert 'id="facts-treasury"' in page and 'id="facts-problems"' in page
    campaign = hanoi.campaign
    campaign.definition = {**campaign.definition, "facts": []}
    campaign.save(update_fields=["definition"])
    hanoi.refresh_from_db()
    assert _check(hanoi).count("facts") == 0
    page = drafter_client.get(reverse("submissions:narrative", args=[hanoi.pk])).content.decode()
    assert 'id="facts-treasury"' not in page and 'id="facts-problems"' not in page
