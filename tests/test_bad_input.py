"""The extremes of every field of every form, posted as the role that may use it: each is a
message in Vietnamese next to the field (or in the page's messages for the buttons that
redirect), the database does not change, and nothing answers 500."""

from __future__ import annotations

import datetime
import importlib
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from campaigns.models import OutlinePoint
from core.enums import Role, Stage
from submissions.inputs import parse_number
from submissions.models import (
    ANSWER_MAX,
    LINE_TEXT_MAX,
    Attachment,
    LineItem,
    NarrativeAnswer,
    Submission,
)
from workflow.deadlines import LADDER
from workflow.models import (
    AuditRecord,
    CalendarException,
    DeadlineExtension,
    StageSchedule,
)

from .cast import Cast, drive_to
from .helpers import appendix_post, figures, line_by_code

pytestmark = pytest.mark.django_db

HUGE_INT = "2147483648"
TWENTY_DIGITS = "99999999999999999999"
NUMBERS = [HUGE_INT, TWENTY_DIGITS, "-1", "NaN", "Infinity", "-Infinity", "1e999", "12.34", "1.2.3"]
LONG = "x" * 5000
FAR_DATES = ["31/12/9999", "01/01/0001"]


def _state(submission: Submission) -> dict[str, Any]:
    """Everything a refused post could have changed."""
    submission.refresh_from_db()
    return {
        "submission": model_to_dict(submission, exclude=["problem_kinds"]),
        "revision": submission.revision,
        "lines": [model_to_dict(line) for line in LineItem.objects.order_by("pk")],
        "answers": list(NarrativeAnswer.objects.order_by("pk").values()),
        "attachments": Attachment.objects.count(),
        "records": AuditRecord.objects.count(),
        "extensions": DeadlineExtension.objects.count(),
        "schedule": list(StageSchedule.objects.order_by("pk").values()),
        "calendar": list(CalendarException.objects.order_by("pk").values()),
    }


def _page(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def _tied(page: str, control_id: str) -> None:
    """The field's error is tied to it, as a screen reader needs: the control is marked
    invalid and described by the element that holds the message (Django's "<id>_error")."""
    tag = (
        page.split(f'id="{control_id}"')[0].rsplit("<", 1)[1]
        + page.split(f'id="{control_id}"')[1].split(">")[0]
    )
    assert 'aria-invalid="true"' in tag, tag
    assert f"{control_id}_error" in tag.split('aria-describedby="')[1].split('"')[0], tag
    assert f'id="{control_id}_error">' in page


# --- The appendix (drafter) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (name, value)
        for name in ("demand", "spent", "vs_demand_pct", "unused_pct")
        for value in NUMBERS
        # 2,147,483,648 million VND fits an amount (12 whole digits): not bad input there.
        if not (value == HUGE_INT and not name.endswith("_pct"))
    ],
)
def test_appendix_numbers(drafter_client: Any, hanoi: Submission, name: str, value: str) -> None:
    line = line_by_code(hanoi, "1.1")
    before = _state(hanoi)
    response = drafter_client.post(
        reverse("submissions:appendix", kwargs={"pk": hanoi.pk}),
        appendix_post(hanoi, {line.pk: {name: value, "unused_reason": "Lý do"}}),
    )
    page = _page(response)
    assert "Chưa lưu gì: đề nghị sửa các ô được đánh dấu màu đỏ rồi lưu lại." in page
    cell = page.split(f'name="l{line.pk}-{name}"')[1].split("</td>")[0]
    assert 'class="field-error"' in cell
    _tied(page, f"id_l{line.pk}-{name}")
    if value in {"12.34", "1.2.3"}:
        assert "Viết phần nghìn theo nhóm ba chữ số, ngăn cách bằng “.”" in cell
    assert _state(hanoi) == before


@pytest.mark.parametrize("name", ["basis", "completed_products", "difficulties", "unused_reason"])
def test_appendix_texts(drafter_client: Any, hanoi: Submission, name: str) -> None:
    line = line_by_code(hanoi, "1.1")
    before = _state(hanoi)
    response = drafter_client.post(
        reverse("submissions:appendix", kwargs={"pk": hanoi.pk}),
        appendix_post(hanoi, {line.pk: {name: LONG}}),
    )
    page = _page(response)
    assert f"Tối đa {LINE_TEXT_MAX} ký tự (nội dung này có 5000 ký tự)." in page
    assert _state(hanoi) == before


def test_a_sub_item_name_of_5000_characters(drafter_client: Any, hanoi: Submission) -> None:
    group = hanoi.campaign.rows.get(code="3")
    before = _state(hanoi)
    response = drafter_client.post(
        reverse("submissions:appendix", kwargs={"pk": hanoi.pk}),
        appendix_post(hanoi, {}, action=f"add:{group.pk}", **{f"new-label-{group.pk}": LONG}),
    )
    page = _page(response)
    assert "Tối đa 500 ký tự (nội dung này có 5000 ký tự)." in page
    _tied(page, f"new-label-{group.pk}")
    assert _state(hanoi) == before


# --- The narrative (drafter) --------------------------------------------------------------


def _narrative(submission: Submission, **fields: str) -> dict[str, str]:
    submission.refresh_from_db()
    data = {
        "revision": str(submission.revision),
        "treasury_refusal_count": "1",
        "treasury_refusal_amount": "5",
        "treasury_refusal_note": "",
    }
    data.update(fields)
    return data


@pytest.mark.parametrize(
    ("name", "value"),
    [
        *(("treasury_refusal_count", value) for value in (*NUMBERS, "1,5", "1.000.000")),
        # "1,5", "1.000.000" and 2,147,483,648 are well-formed amounts.
        *(("treasury_refusal_amount", value) for value in NUMBERS if value != HUGE_INT),
    ],
)
def test_narrative_numbers(drafter_client: Any, hanoi: Submission, name: str, value: str) -> None:
    before = _state(hanoi)
    response = drafter_client.post(
        reverse("submissions:narrative", kwargs={"pk": hanoi.pk}),
        _narrative(hanoi, **{name: value}),
    )
    page = _page(response)
    field = page.split(f'name="{name}"')[1].split("</div>\n      </div>")[0]
    assert "invalid-feedback" in field
    _tied(page, f"id_{name}")
    if name == "treasury_refusal_count" and value in {HUGE_INT, TWENTY_DIGITS, "1.000.000"}:
        assert "Tối đa 100000 trường hợp." in field
    assert _state(hanoi) == before


def test_narrative_texts(drafter_client: Any, hanoi: Submission) -> None:
    point = OutlinePoint.objects.filter(section__campaign=hanoi.campaign).first()
    assert point is not None
    before = _state(hanoi)
    page = _page(
        drafter_client.post(
            reverse("submissions:narrative", kwargs={"pk": hanoi.pk}),
            _narrative(
                hanoi, treasury_refusal_note=LONG, **{f"point_{point.pk}": "y" * (ANSWER_MAX + 1)}
            ),
        )
    )
    assert f"Tối đa {ANSWER_MAX} ký tự (nội dung này có {ANSWER_MAX + 1} ký tự)." in page
    assert "Tối đa 4000 ký tự (nội dung này có 5000 ký tự)." in page
    _tied(page, f"point-{point.pk}")
    _tied(page, "id_treasury_refusal_note")
    assert _state(hanoi) == before


def test_the_narrative_form_says_the_limit(drafter_client: Any, hanoi: Submission) -> None:
    page = _page(drafter_client.get(reverse("submissions:narrative", kwargs={"pk": hanoi.pk})))
    assert "Tối đa 8.000 ký tự." in page and 'maxlength="8000"' in page


# --- Attachments (drafter) ----------------------------------------------------------------


def test_attachment_description(drafter_client: Any, hanoi: Submission) -> None:
    before = _state(hanoi)
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    page = _page(
        drafter_client.post(
            reverse("submissions:attachments", kwargs={"pk": hanoi.pk}),
            {"revision": str(hanoi.revision), "file": pdf, "description": LONG},
        )
    )
    assert "Tối đa 300 ký tự (nội dung này có 5000 ký tự)." in page
    _tied(page, "id_description")
    assert _state(hanoi) == before


# --- Anyone: checking a receipt, logging in --------------------------------------------------


def test_a_receipt_check_without_a_file_and_a_wrong_password(client: Any, db: None) -> None:
    page = _page(client.post(reverse("receipts:verify-upload"), {}))
    _tied(page, "id_file")
    page = _page(client.post(reverse("login"), {"username": "nobody", "password": "x"}))
    assert '<div class="alert alert-danger" role="alert">' in page  # read out at once


# --- Decisions (department reviewer) and the coordinator's forms ---------------------------


def test_decision_reason_and_notes(client: Any, hanoi: Submission, cast: Cast) -> None:
    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    client.force_login(cast(Role.DEPARTMENT_REVIEWER))
    line = line_by_code(hanoi, "1.1")
    url = reverse("reviews:decide", kwargs={"pk": hanoi.pk})
    before = _state(hanoi)
    for fields, message in (
        ({"reason": LONG}, "Tối đa 4000 ký tự (nội dung này có 5000 ký tự)."),
        (
            {"reason": "Sửa lại", f"note-line-{line.pk}": LONG},
            "Mỗi ghi chú cho một dòng hoặc một điểm có tối đa 2000 ký tự.",
        ),
    ):
        response = client.post(
            url,
            {"action": "return", "expected_stage": Stage.DEPARTMENT_REVIEW, **fields},
            follow=True,
        )
        assert message in _page(response)
        assert _state(hanoi) == before


@pytest.mark.parametrize(
    ("due", "reason", "message"),
    [
        ("31/12/9999", "Sự cố", "Nhập một ngày từ 01/01/2017 đến 31/12/2023."),
        ("01/01/0001", "Sự cố", "Nhập một ngày từ 01/01/2017 đến 31/12/2023."),
        ("08/05/2020", "x" * 5000, "Tối đa 4000 ký tự (nội dung này có 5000 ký tự)."),
    ],
)
def test_extension(
    client: Any, hanoi: Submission, cast: Cast, due: str, reason: str, message: str
) -> None:
    client.force_login(cast(Role.MINISTRY_COORDINATOR))
    before = _state(hanoi)
    response = client.post(
        reverse("reviews:extend", kwargs={"pk": hanoi.pk}),
        {"due": due, "reason": reason},
        follow=True,
    )
    assert message in _page(response)
    assert _state(hanoi) == before


def test_an_extension_can_be_corrected_and_undone(
    client: Any, hanoi: Submission, cast: Cast
) -> None:
    """A mistyped extension is not for good: a later one corrects it, down to the campaign's
    own deadline."""
    client.force_login(cast(Role.MINISTRY_COORDINATOR))
    url = reverse("reviews:extend", kwargs={"pk": hanoi.pk})
    client.post(url, {"due": "30/12/2023", "reason": "Gõ nhầm"})
    page = _page(client.post(url, {"due": "08/05/2020", "reason": "Sửa lại"}, follow=True))
    assert "Thời hạn của Thành phố Hà Nội nay là 08/05/2020." in page
    page = _page(client.post(url, {"due": "05/05/2020", "reason": "Huỷ gia hạn"}, follow=True))
    assert 'id="due">05/05/2020<' in page
    page = _page(client.post(url, {"due": "05/05/2020", "reason": "Lần nữa"}, follow=True))
    assert "Thời hạn hiện đã là 05/05/2020." in page


@pytest.mark.parametrize(
    "fields",
    [
        *({"offset-drafting": v} for v in (HUGE_INT, TWENTY_DIGITS, "NaN", "-2147483649")),
        *({"fixed-department_review": v} for v in FAR_DATES),
    ],
    ids=lambda f: "-".join(f"{k}={v}" for k, v in f.items()),
)
def test_schedule(client: Any, hanoi: Submission, cast: Cast, fields: dict[str, str]) -> None:
    client.force_login(cast(Role.MINISTRY_COORDINATOR))
    data = {"action": "stages"} | {f"offset-{s}": "0" for s in LADDER} | fields
    before = _state(hanoi)
    page = _page(
        client.post(reverse("monitor:schedule", kwargs={"code": hanoi.campaign.code}), data)
    )
    assert "Chưa lưu gì: hãy sửa các ô được đánh dấu bên dưới." in page
    if "fixed-department_review" in fields:
        assert "Nhập một ngày từ 01/01/2017 đến 31/12/2023." in page
    _tied(page, f"id_{next(iter(fields))}")
    assert _state(hanoi) == before


@pytest.mark.parametrize(
    ("day", "note", "message"),
    [
        ("31/12/9999", "", "Nhập một ngày từ 01/01/2017 đến 31/12/2023."),
        ("01/01/0001", "", "Nhập một ngày từ 01/01/2017 đến 31/12/2023."),
        ("02/05/2020", LONG, "Tối đa 300 ký tự (nội dung này có 5000 ký tự)."),
    ],
)
def test_calendar_day(
    client: Any, hanoi: Submission, cast: Cast, day: str, note: str, message: str
) -> None:
    client.force_login(cast(Role.MINISTRY_COORDINATOR))
    before = _state(hanoi)
    page = _page(
        client.post(
            reverse("monitor:schedule", kwargs={"code": hanoi.campaign.code}),
            {"action": "add-day", "day": day, "kind": "day_off", "note": note},
        )
    )
    assert message in page
    _tied(page, "id_note" if note else "id_day")
    assert _state(hanoi) == before


def test_reminder_with_ids_past_any_column(client: Any, hanoi: Submission, cast: Cast) -> None:
    client.force_login(cast(Role.MINISTRY_COORDINATOR))
    response = client.post(
        reverse("monitor:remind", kwargs={"code": hanoi.campaign.code}),
        {"submission": [TWENTY_DIGITS, HUGE_INT]},
        follow=True,
    )
    assert "Chọn ít nhất một tỉnh để nhắc." in _page(response)


# --- Numbers the Vietnamese way, and composed text ------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1.234.567,5", Decimal("1234567.5")),
        ("1234567,5", Decimal("1234567.5")),
        ("12,34", Decimal("12.34")),
        ("12.345", Decimal("12345")),
        ("-0,5", Decimal("-0.5")),
    ],
)
def test_well_formed_vietnamese_numbers(text: str, number: Decimal) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    "text", ["12.34", "1.2.3", "12.345,6,7", "1,234.5", ",5", "1.23,4", "NaN", "1e3", " "]
)
def test_malformed_vietnamese_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


def test_english_numbers_the_other_way_round(settings: Any) -> None:
    from django.utils import translation

    with translation.override("en"):
        assert parse_number("1,234,567.5") == Decimal("1234567.5")
        with pytest.raises(ValueError):
            parse_number("12,34")


def test_decomposed_vietnamese_is_stored_composed(drafter_client: Any, hanoi: Submission) -> None:
    decomposed = unicodedata.normalize("NFD", "Hà Nội: hạ tầng")
    assert decomposed != "Hà Nội: hạ tầng"
    point = OutlinePoint.objects.filter(section__campaign=hanoi.campaign).first()
    assert point is not None
    drafter_client.post(
        reverse("submissions:narrative", kwargs={"pk": hanoi.pk}),
        _narrative(hanoi, **{f"point_{point.pk}": decomposed, "treasury_refusal_note": decomposed}),
    )
    hanoi.refresh_from_db()
    assert hanoi.answers.get(point=point).text == "Hà Nội: hạ tầng"
    assert hanoi.treasury_refusal_note == "Hà Nội: hạ tầng"
    line = line_by_code(hanoi, "1.1")
    drafter_client.post(
        reverse("submissions:appendix", kwargs={"pk": hanoi.pk}),
        appendix_post(hanoi, {line.pk: {"basis": decomposed}}),
    )
    assert figures(line_by_code(hanoi, "1.1")).basis == "Hà Nội: hạ tầng"


def test_a_far_extension_stored_before_the_bound_is_corrected(
    client: Any, hanoi: Submission, cast: Cast
) -> None:
    """31/12/9999 made the submission page, the dashboard and the exports fail: the
    migration adds an extension back to the last sensible deadline (rows are only added)."""
    coordinator = cast(Role.MINISTRY_COORDINATOR)
    now = timezone.now()
    for day, minutes in ((datetime.date(2020, 5, 8), 2), (datetime.date(9999, 12, 31), 1)):
        DeadlineExtension.objects.create(
            submission=hanoi,
            due=day,
            reason="Gia hạn",
            by=coordinator,
            at=now - datetime.timedelta(minutes=minutes),
        )
    importlib.import_module("workflow.migrations.0007_correct_far_extensions").correct(apps, None)
    assert DeadlineExtension.objects.filter(submission=hanoi).count() == 3
    client.force_login(coordinator)
    page = _page(client.get(reverse("submissions:detail", kwargs={"pk": hanoi.pk})))
    assert 'id="due">08/05/2020<' in page
    assert "Tự động sửa: thời hạn 31/12/9999 nằm ngoài phạm vi của đợt báo cáo" in page
    for name in ("monitor:dashboard", "monitor:schedule"):
        _page(client.get(reverse(name, kwargs={"code": hanoi.campaign.code})))
    export = client.get(
        reverse("monitor:export", kwargs={"code": hanoi.campaign.code, "fmt": "csv"})
    )
    assert export.status_code == 200
