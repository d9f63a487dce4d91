"""With the keyboard alone (no click anywhere): a drafter fills a line of the appendix through
the grid's arrow keys, a refused save puts focus on the list of errors, the report is
submitted, returned with a reason and approved. The grid's cells are named by their row and
the whole header path of their column, and its totals are announced."""

from __future__ import annotations

from typing import Any

import pytest

from campaigns.models import Campaign
from workflow.services import submission_start

from ..cast import fill_complete, make_cast
from ..helpers import figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hanoi(live_app: Any, make_user: Any) -> Any:
    campaign = Campaign.objects.get(code="5137-btc-nsnn")
    submission = submission_start(campaign=campaign, unit=campaign.units.get(code="01"))
    cast = make_cast(make_user)
    fill_complete(submission, cast.users[next(k for k in cast.users if k[0] == "drafter")])
    return submission


def _focused(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {id: e.id, tag: e.tagName, text: e.textContent.trim(),
                           inTable: !!e.closest('#appendix'), href: e.getAttribute('href')}; }"""
    )


def _tab_to(page: Any, selector: str, limit: int = 250) -> None:
    """Press Tab until the element matching ``selector`` has focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}; stopped at {_focused(page)}")


def _log_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    _tab_to(page, "#id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("secret-password")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/inbox/")


def _open_from_inbox(page: Any, submission: Any) -> None:
    _tab_to(page, f'#content a[href="/submissions/{submission.pk}/"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/submissions/{submission.pk}/")


def _press(page: Any, selector: str, reason: str = "") -> str:
    if reason:
        _tab_to(page, f"#reason-{selector.removeprefix('#do-')}")
        page.keyboard.type(reason)
    _tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return str(page.locator("#messages .alert").first.inner_text())


def _name(page: Any) -> str:
    """The focused control's accessible name, as its aria-labelledby composes it."""
    return str(
        page.evaluate(
            """() => (document.activeElement.getAttribute('aria-labelledby') || '').split(' ')
                 .map(id => document.getElementById(id).textContent.replace(/\\s+/g, ' ').trim())
                 .filter(Boolean).join(' | ')"""
        )
    )


def test_draft_submit_return_and_approve_with_the_keyboard_alone(
    page: Any, live_app: Any, hanoi: Any
) -> None:
    base = live_app.url
    line = hanoi.lines.get(row__code="1.1")
    below = hanoi.lines.get(row__code="1.2")
    _log_in(page, base, "hn.drafter")

    # The skip link is the first stop, and leads to the content.
    page.keyboard.press("Tab")
    assert _focused(page)["href"] == "#content"
    _open_from_inbox(page, hanoi)
    _tab_to(page, ".nav-tabs a[href$='/appendix/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/appendix/")

    # One Tab stop for the whole grid: the first cell.
    _tab_to(page, "#appendix td[data-col] input, #appendix td[data-col] textarea")
    first = _focused(page)
    assert first["inTable"]
    tabbable = page.evaluate(
        "() => [...document.querySelectorAll("
        "'#appendix td[data-col] :is(input, textarea, select)')]"
        ".filter(e => e.tabIndex >= 0).length"
    )
    assert tabbable == 1
    # Right along the first line to its spending, then down one line: the same column.
    for _ in range(30):
        if _focused(page)["id"] == f"id_l{line.pk}-spent":
            break
        page.keyboard.press("ArrowRight")
    assert _focused(page)["id"] == f"id_l{line.pk}-spent"
    # A cell's name: its row, then every header above its column, from the root to the leaf.
    for _ in range(10):
        if _focused(page)["id"] == f"id_l{line.pk}-alloc_invest_ctmt":
            break
        page.keyboard.press("ArrowLeft")
    column = hanoi.campaign.columns.get(field="alloc_invest_ctmt")
    path: list[str] = []
    while column is not None:
        path.insert(0, " ".join(column.label.split()))
        column = column.parent
    assert len(path) >= 3
    assert _name(page) == " | ".join([" ".join(line.row.label.split()), *path])
    for _ in range(10):
        if _focused(page)["id"] == f"id_l{line.pk}-spent":
            break
        page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert _focused(page)["id"] == f"id_l{below.pk}-spent"
    page.keyboard.press("ArrowUp")
    page.keyboard.type("1.234,5")
    # Enter moves down (never submits the form), like a spreadsheet.
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == f"id_l{below.pk}-spent"
    page.keyboard.type("-3")
    page.wait_for_timeout(900)
    assert "Tổng cộng" in page.locator("#totals-live").inner_text()
    # Tab leaves the grid for the save button.
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "save-appendix"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Refused: focus on the summary, whose link leads to the wrong cell, tied to its error.
    assert _focused(page)["id"] == "error-summary"
    assert "Số tiền không được âm." in page.locator("#error-summary").inner_text()
    page.keyboard.press("Tab")
    assert _focused(page)["href"] == f"#id_l{below.pk}-spent"
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == f"id_l{below.pk}-spent"
    wrong = page.locator(f"#id_l{below.pk}-spent")
    assert wrong.get_attribute("aria-invalid") == "true"
    assert f"id_l{below.pk}-spent_error" in (wrong.get_attribute("aria-describedby") or "")
    page.keyboard.type("12")  # the whole value is selected on arrival: typing replaces it
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "save-appendix"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#messages .alert-success").inner_text() == "Đã lưu phụ lục."

    _tab_to(page, f".nav-tabs a[href$='/submissions/{hanoi.pk}/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/submissions/{hanoi.pk}/")
    assert _press(page, "#do-submit") == "Đã trình duyệt hồ sơ báo cáo."

    _log_in(page, base, "hn.department_reviewer")
    _open_from_inbox(page, hanoi)
    message = _press(page, "#do-return", "Bổ sung căn cứ cho dòng 1.1")
    assert message == "Đã trả lại hồ sơ báo cáo cho chuyên viên soạn thảo kèm theo lý do."

    _log_in(page, base, "hn.drafter")
    _open_from_inbox(page, hanoi)
    assert "Bổ sung căn cứ cho dòng 1.1" in page.locator("#return-reason").inner_text()
    assert _press(page, "#do-submit") == "Đã trình duyệt hồ sơ báo cáo."

    _log_in(page, base, "hn.department_reviewer")
    _open_from_inbox(page, hanoi)
    _press(page, "#do-approve")
    assert page.locator("#stage").inner_text() == "UBND tỉnh ký duyệt"
    line.refresh_from_db()
    assert str(figures(line).spent) == "1234.500"
