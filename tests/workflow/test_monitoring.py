"""The coordinator's dashboard: what it shows at a frozen moment, its filters, sorting, search,
reporting rates, exports, its fixed number of queries, and who may open it."""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo
from typing import Any

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from viewflow.workflow.status import STATUS

from core.enums import Action, Role, Stage
from monitoring import dashboard as monitoring
from submissions.models import Submission
from workflow.services import deadline_extend, submission_transition

from ..cast import Cast, drive_to
from ..helpers import html_table

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _at(day: int, month: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2020, month, day, hour, minute, tzinfo=VN)


@pytest.fixture
def story(hanoi: Submission, danang: Submission, cast: Cast, submission_of: Any) -> Cast:
    """Hà Nội reached the ministry on 4/5 (on time); Đà Nẵng was returned and is redrafting;
    Hải Phòng (31) has not started; Cần Thơ (92) got an extension to 08/5."""
    with time_machine.travel(_at(4, 5, 10), tick=False):
        drive_to(hanoi, Stage.MINISTRY_CHECK, cast)
    with time_machine.travel(_at(29, 4, 9), tick=False):
        drive_to(danang, Stage.DEPARTMENT_REVIEW, cast)
    with time_machine.travel(_at(4, 5, 15), tick=False):
        submission_transition(
            actor=cast(Role.DEPARTMENT_REVIEWER, "48"),
            submission=danang,
            action=Action.RETURN,
            expected_stage=Stage.DEPARTMENT_REVIEW,
            reason="Bổ sung số liệu",
        )
    submission_of("31")
    cantho = submission_of("92")
    with time_machine.travel(_at(4, 5, 16), tick=False):
        deadline_extend(
            actor=cast(Role.MINISTRY_COORDINATOR),
            submission=cantho,
            due=datetime.date(2020, 5, 8),
            reason="Lũ lụt",
        )
    return cast


def _get(client: Any, campaign_code: str, moment: datetime.datetime, **query: Any) -> str:
    url = reverse("monitor:dashboard", kwargs={"code": campaign_code})
    with time_machine.travel(moment, tick=False):
        response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def _row(page: str, code: str) -> str:
    return page.split(f'id="unit-{code}"')[1].split("</tr>")[0]


@pytest.fixture
def coordinator(client: Any, story: Cast) -> Any:
    client.force_login(story(Role.MINISTRY_COORDINATOR))
    return client


def test_every_province_at_a_glance_on_5_may(coordinator: Any, hanoi: Submission) -> None:
    page = _get(coordinator, hanoi.campaign.code, _at(5, 5, 9))
    hn = _row(page, "01")
    assert "Thành phố Hà Nội" in hn and "Bộ Tài chính kiểm tra" in hn
    assert "08/05/2020" in hn and "Đúng tiến độ" in hn and "Hoàn thành đúng hạn" in hn
    assert "Ký duyệt" in hn and "10:00 04/05/2020" in hn  # last action, by whom, when
    assert "Chuyên viên Vụ NSNN" in hn  # nobody has taken the task: the role holds it
    dn = _row(page, "48")
    # Returned on 4/5: drafting (due 29/4) is overdue again; the province is at risk.
    assert "Đang soạn thảo" in dn and "29/04/2020" in dn and "Quá hạn" in dn
    assert '<td class="text-end">quá hạn 2 ngày làm việc</td>' in dn
    assert "Trả lại" in dn and "Có nguy cơ trễ hạn" in dn
    hp = _row(page, "31")
    assert "Quá hạn" in hp and "Chưa bắt đầu" in hp  # drafting overdue; nothing done yet
    # Time in the stage: since the transition into it, or since the letter went out (27/4).
    assert ">23 giờ<" in hn and ">18 giờ<" in dn and ">8 ngày 9 giờ<" in hp
    ct = _row(page, "92")
    assert 'title="08/05/2020"' in ct  # the extended deadline
    # Units with no submission yet are listed too: all 63 are expected.
    assert _row(page, "79")
    assert 'id="rate-expected">63<' in page
    assert 'id="rate-actual">1<' in page and 'id="rate-on-time">1<' in page
    assert 'id="rate-reporting">1,6 %<' in page and 'id="rate-on-time-pct">1,6 %<' in page
    counts = {
        part.split('"')[0]: part.split('data-count="')[1].split('"')[0]
        for part in page.split('class="stage-count" data-stage="')[1:]
    }
    assert counts == {
        "drafting": "62",
        "department_review": "0",
        "provincial_signoff": "0",
        "ministry_check": "1",
        "consolidation": "0",
        "consolidated": "0",
    }
    assert "1 trên 63 báo cáo đã đến Bộ" in _summary(page, "over-time-summary")


def test_filters_sort_and_search(coordinator: Any, hanoi: Submission) -> None:
    code = hanoi.campaign.code
    moment = _at(5, 5, 9)
    page = _get(coordinator, code, moment, stage="ministry_check")
    assert 'id="unit-01"' in page and 'id="unit-48"' not in page
    assert "Hiển thị 1 tỉnh" in page
    page = _get(coordinator, code, moment, q="da nang")
    assert 'id="unit-48"' in page and 'id="unit-01"' not in page
    page = _get(coordinator, code, moment, region="DBSH")  # Đồng bằng sông Hồng
    rows = page.count('<tr id="unit-')
    assert 'id="unit-01"' in page and 'id="unit-48"' not in page and rows == 11
    page = _get(coordinator, code, moment, province="done_on_time")
    assert page.count('<tr id="unit-') == 1
    page = _get(coordinator, code, moment, sort="status")
    order = [part.split('"')[0] for part in page.split('<tr id="unit-')[1:]]
    assert order.index("48") < order.index("01")  # overdue before on track
    page = _get(coordinator, code, moment, sort="-last")
    order = [part.split('"')[0] for part in page.split('<tr id="unit-')[1:]]
    assert order[:2] == ["48", "01"]  # returned 4/5 15:00, signed 4/5 10:00


def test_the_dashboard_runs_a_fixed_number_of_queries(
    coordinator: Any, hanoi: Submission, submission_of: Any
) -> None:
    url = reverse("monitor:dashboard", kwargs={"code": hanoi.campaign.code})
    with CaptureQueriesContext(connection) as few:
        assert coordinator.get(url).status_code == 200
    for code in ("02", "04", "06", "08", "10", "11", "12", "14", "15", "17"):
        submission_of(code)
    with CaptureQueriesContext(connection) as more:
        assert coordinator.get(url).status_code == 200
    print(f"dashboard queries: {len(few)}")
    assert len(few) == len(more) <= 10, [q["sql"][:80] for q in more.captured_queries]


def test_a_long_list_says_which_rows_the_page_shows(
    coordinator: Any, hanoi: Submission, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past one page the list says which rows it shows; counts and rates still cover all."""
    monkeypatch.setattr(monitoring, "PAGE_SIZE", 20)
    code = hanoi.campaign.code
    page = _get(coordinator, code, _at(5, 5, 9))
    assert 'id="shown-count">Hiển thị 1\N{EN DASH}20 trên 63 tỉnh<' in page
    assert page.count('<tr id="unit-') == 20
    assert 'id="rate-expected">63<' in page and "Trang 1 / 4" in page
    page = _get(coordinator, code, _at(5, 5, 9), page=4)
    assert 'id="shown-count">Hiển thị 61\N{EN DASH}63 trên 63 tỉnh<' in page
    assert page.count('<tr id="unit-') == 3


def test_the_row_shows_who_took_the_task_and_the_latest_extension(
    coordinator: Any, hanoi: Submission, story: Cast, make_user: Any
) -> None:
    """The person who took the open task holds it; of two extensions the later one counts."""
    checker = make_user(Role.MINISTRY_CHECKER, username="an", first_name="Lê", last_name="An")
    task = hanoi.process.task_set.get(status=STATUS.NEW)
    task.flow_task.activation_class(task).assign(checker)
    cantho = Submission.objects.get(campaign=hanoi.campaign, unit__code="92")
    with time_machine.travel(_at(7, 5, 16), tick=False):
        deadline_extend(
            actor=story(Role.MINISTRY_COORDINATOR),
            submission=cantho,
            due=datetime.date(2020, 5, 11),
            reason="Lũ kéo dài",
        )
    page = _get(coordinator, hanoi.campaign.code, _at(8, 5, 9))
    hn = _row(page, "01")
    assert "Lê An" in hn and "Chuyên viên Vụ NSNN" not in hn
    assert 'title="11/05/2020"' in _row(page, "92")


def test_exports_carry_the_filtered_list(coordinator: Any, hanoi: Submission) -> None:
    code = hanoi.campaign.code
    with time_machine.travel(_at(5, 5, 9), tick=False):
        response = coordinator.get(
            reverse("monitor:export", kwargs={"code": code, "fmt": "csv"}), {"q": "ha noi"}
        )
    assert response["Content-Disposition"] == (
        'attachment; filename="theo-doi-5137-btc-nsnn-20200505-0900.csv"'
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["Mã", "Đơn vị", "Vùng", "Trạng thái"]
    assert len(rows) == 2
    assert rows[1][:4] == ["01", "Thành phố Hà Nội", "Đồng bằng sông Hồng", "Bộ Tài chính kiểm tra"]
    assert rows[1][6:9] == ["08/05/2020", "4", "Đúng tiến độ"]

    with time_machine.travel(_at(5, 5, 9), tick=False):
        response = coordinator.get(
            reverse("monitor:export", kwargs={"code": code, "fmt": "xlsx"}),
            {"stage": "drafting"},
        )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet.freeze_panes == "C3"
    header = [c.value for c in sheet[2]]
    assert header[:4] == ["Mã", "Đơn vị", "Vùng", "Trạng thái"]
    data = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(data) == 62
    danang = next(r for r in data if r[0] == "48")
    assert danang[6] == datetime.datetime(2020, 4, 29)
    assert sheet.cell(row=3, column=7).number_format == "dd/mm/yyyy"


@pytest.mark.parametrize(
    "role",
    [Role.DRAFTER, Role.DEPARTMENT_REVIEWER, Role.PROVINCIAL_SIGNATORY, Role.MINISTRY_CHECKER],
)
def test_only_the_coordinator_sees_the_dashboard(
    client: Any, hanoi: Submission, cast: Cast, role: Role
) -> None:
    code = hanoi.campaign.code
    client.force_login(cast(role))
    for url in (
        reverse("monitor:home"),
        reverse("monitor:dashboard", kwargs={"code": code}),
        reverse("monitor:export", kwargs={"code": code, "fmt": "csv"}),
    ):
        assert client.get(url).status_code == 404
    assert "nav-monitor" not in client.get(reverse("reviews:inbox")).content.decode()


def test_the_coordinator_finds_the_dashboard_in_the_menu(coordinator: Any) -> None:
    page = coordinator.get(reverse("reviews:inbox")).content.decode()
    assert 'id="nav-monitor"' in page
    response = coordinator.get(reverse("monitor:home"))
    assert response.status_code == 302
    assert response["Location"] == "/monitor/5137-btc-nsnn/"


def test_a_drafter_sees_the_same_deadline_facts(
    client: Any, hanoi: Submission, story: Cast
) -> None:
    client.force_login(story(Role.DRAFTER, "48"))
    with time_machine.travel(_at(5, 5, 9), tick=False):
        page = client.get(
            reverse("submissions:detail", kwargs={"pk": Submission.objects.get(unit__code="48").pk})
        ).content.decode()
    panel = page.split('id="stage-deadlines"')[1].split("</section>")[0]
    assert "Quá hạn" in panel and "29/04/2020" in panel and "Có nguy cơ trễ hạn" in panel


def test_nobody_holds_a_consolidated_report(
    coordinator: Any, hanoi: Submission, story: Cast
) -> None:
    """A consolidated report is finished: the dashboard names no holder, though the
    coordinator may still reopen it (that is a correction, not its next step)."""
    with time_machine.travel(_at(6, 5, 9), tick=False):
        for action, role, stage in (
            (Action.ACCEPT, Role.MINISTRY_CHECKER, Stage.MINISTRY_CHECK),
            (Action.CONSOLIDATE, Role.MINISTRY_COORDINATOR, Stage.CONSOLIDATION),
        ):
            submission_transition(
                actor=story(role, "01"), submission=hanoi, action=action, expected_stage=stage
            )
    cells = _row(_get(coordinator, hanoi.campaign.code, _at(8, 5, 9)), "01").split("<td")
    assert cells[-2].strip() == 'class="small">—</td>', cells[-2]
    drafting = _row(_get(coordinator, hanoi.campaign.code, _at(8, 5, 9)), "92").split("<td")
    assert "Chuyên viên soạn thảo" in drafting[-2], drafting[-2]


def _summary(page: str, element_id: str) -> str:
    return page.split(f'id="{element_id}">')[1].split("</p>")[0]


def test_each_chart_has_a_sentence_and_a_table_with_its_figures(
    coordinator: Any, hanoi: Submission
) -> None:
    """Colour is never the only signal: whoever does not see the drawings reads the same
    figures in a sentence and in a table (caption, column and row headers), in Vietnamese by
    default and in English."""
    campaign = hanoi.campaign
    moment = _at(5, 5, 9)
    page = _get(coordinator, campaign.code, moment)
    with time_machine.travel(moment, tick=False):
        chart = monitoring.dashboard(campaign, monitoring.Filters()).chart
    assert chart is not None

    table = html_table(page, "over-time-table")
    assert table.caption == "Số báo cáo đến Bộ theo từng ngày"
    assert table.rows[0] == [
        ("th", "col", "Ngày"),
        ("th", "col", "Đến trong ngày"),
        ("th", "col", "Lũy kế đã đến"),
    ]
    assert all(row[0][:2] == ("th", "row") for row in table.rows[1:])
    # The drawn line's figures, day by day: Hà Nội reached the ministry on 4/5, and the
    # deadline's row says so in words, not by its colour alone.
    assert table.texts()[1:] == [
        ["27/04/2020", "0", "0"],
        ["28/04/2020", "0", "0"],
        ["29/04/2020", "0", "0"],
        ["30/04/2020", "0", "0"],
        ["01/05/2020", "0", "0"],
        ["02/05/2020", "0", "0"],
        ["03/05/2020", "0", "0"],
        ["04/05/2020", "1", "1"],
        ["05/05/2020 (thời hạn)", "0", "1"],
    ]
    assert [int(row[2]) for row in table.texts()[1:]] == chart.cumulative
    assert _summary(page, "over-time-summary") == (
        "Đến ngày 05/05/2020, 1 trên 63 báo cáo đã đến Bộ; thời hạn là ngày 05/05/2020."
    )
    assert 'aria-describedby="over-time-summary"' in page

    bars = {
        part.split('"')[0]: part.split('data-count="')[1].split('"')[0]
        for part in page.split('class="stage-count" data-stage="')[1:]
    }
    stages = html_table(page, "stage-counts-table")
    assert stages.caption == "Số tỉnh theo bước"
    assert [row[1] for row in stages.texts()[1:]] == list(bars.values())
    assert stages.texts()[1] == ["Đang soạn thảo", "62"]
    assert _summary(page, "stage-counts-summary") == (
        "63 tỉnh: 62 tỉnh ở bước “Đang soạn thảo”, 1 tỉnh ở bước “Bộ Tài chính kiểm tra”."
    )

    # Two days after the deadline, in English: where the line stood at the deadline too.
    coordinator.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _get(coordinator, campaign.code, _at(7, 5, 9))
    assert _summary(page, "over-time-summary") == (
        "By 07/05/2020, 1 of 63 reports had reached the ministry, 1 of them by the deadline "
        "of 05/05/2020."
    )
    assert _summary(page, "stage-counts-summary") == (
        "63 provinces: 62 at “Drafting”, 1 at “Ministry check”."
    )
    table = html_table(page, "over-time-table")
    assert table.caption == "Reports reaching the ministry, day by day"
    assert table.texts()[0] == ["Day", "Reached that day", "Reached in all"]
    assert table.texts()[-3:] == [
        ["05/05/2020 (deadline)", "0", "1"],
        ["06/05/2020", "0", "1"],
        ["07/05/2020", "0", "1"],
    ]
