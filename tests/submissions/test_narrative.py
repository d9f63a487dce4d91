"""The narrative answers and the structured facts of the letter."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse

from submissions import selectors
from submissions.models import Submission


def _post(submission: Submission, **fields: Any) -> dict[str, Any]:
    submission.refresh_from_db()
    data: dict[str, Any] = {
        "revision": str(submission.revision),
        "treasury_refusal_count": "",
        "treasury_refusal_amount": "",
        "treasury_refusal_note": "",
    }
    data.update(fields)
    return data


def _points(submission: Submission) -> dict[str, int]:
    return {p.code: p.pk for s in selectors.outline(submission.campaign) for p in s.points.all()}


def test_every_outline_point_is_on_the_page_in_the_letters_words(
    drafter_client: Any, hanoi: Submission
) -> None:
    page = drafter_client.get(
        reverse("submissions:narrative", kwargs={"pk": hanoi.pk})
    ).content.decode()
    for section in selectors.outline(hanoi.campaign):
        assert f"{section.number}. " in page
        for point in section.points.all():
            assert f'id="point-{point.pk}"' in page
    assert "Hiệu suất sử dụng các trang thiết bị, phần mềm" in page
    assert "Kho bạc Nhà nước" in page
    assert "Dàn trải" in page and "Không chia sẻ được" in page


def test_answers_and_facts_are_saved_together(drafter_client: Any, hanoi: Submission) -> None:
    points = _points(hanoi)
    kinds = list(hanoi.campaign.problem_kinds.filter(code__in=["duplicated", "cannot-share"]))
    response = drafter_client.post(
        reverse("submissions:narrative", kwargs={"pk": hanoi.pk}),
        _post(
            hanoi,
            **{f"point_{points['2.4.iii']}": "Khoảng 90% thiết bị dùng đúng thiết kế."},
            treasury_refusal_count="2",
            treasury_refusal_amount="1.250,5",
            treasury_refusal_note="Thiếu hồ sơ nghiệm thu",
            problem_kinds=[str(k.pk) for k in kinds],
        ),
        follow=True,
    )
    assert response.status_code == 200
    hanoi.refresh_from_db()
    answers = selectors.answers_by_point(hanoi)
    assert answers[points["2.4.iii"]].text == "Khoảng 90% thiết bị dùng đúng thiết kế."
    assert answers[points["2.1"]].text == ""
    assert hanoi.treasury_refusal_count == 2
    assert hanoi.treasury_refusal_amount == Decimal("1250.5")
    assert set(hanoi.problem_kinds.values_list("code", flat=True)) == {"duplicated", "cannot-share"}
    page = response.content.decode()
    assert "Khoảng 90% thiết bị dùng đúng thiết kế." in page
    assert 'value="1.250,5"' in page


def test_bad_facts_are_refused_and_nothing_is_saved(drafter_client: Any, hanoi: Submission) -> None:
    points = _points(hanoi)
    response = drafter_client.post(
        reverse("submissions:narrative", kwargs={"pk": hanoi.pk}),
        _post(
            hanoi,
            **{f"point_{points['2.1']}": "Văn bản sẽ không được lưu"},
            treasury_refusal_count="-1",
            treasury_refusal_amount="abc",
        ),
    )
    page = response.content.decode()
    assert "Số trường hợp không được âm." in page
    assert "Nhập số tiền (triệu đồng), ví dụ 1.234,5." in page
    assert "Văn bản sẽ không được lưu" in page  # kept in the form for the user to fix
    hanoi.refresh_from_db()
    assert hanoi.revision == 0
    assert not hanoi.answers.exists()
