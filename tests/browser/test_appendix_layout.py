"""The appendix page's layout at desktop width: whole choices in the yes/no selects, "%" on its
input's line, and the sticky header and task labels each painted where they belong."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.contrib.auth.models import User

from campaigns.models import Campaign
from core.enums import Role
from workflow.services import role_grant, submission_start

from ..factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def appendix_page(page: Any, live_app: Any) -> Any:
    campaign = Campaign.objects.get(code="5137-btc-nsnn")
    unit = campaign.units.get(code="48")
    submission = submission_start(campaign=campaign, unit=unit)
    user = cast(User, UserFactory(username="dn.soanthao"))
    role_grant(user=user, role=Role.DRAFTER, units=[unit])
    page.goto(f"{live_app.url}/accounts/login/")
    page.fill("#id_username", "dn.soanthao")
    page.fill("#id_password", "secret-password")
    page.click("form button[type=submit].w-100")
    page.goto(f"{live_app.url}/submissions/{submission.pk}/appendix/")
    return page


def test_yes_no_selects_show_their_longest_choice_whole(appendix_page: Any) -> None:
    # What the select's box leaves for text (its arrow takes about 16 px) against the widest
    # choice ("Chưa xác định") drawn in the select's own font.
    room = appendix_page.evaluate(
        """() => [...document.querySelectorAll('#appendix td.cell-flag select')].map(s => {
             const style = getComputedStyle(s);
             const pen = document.createElement('canvas').getContext('2d');
             pen.font = style.font;
             const widest = Math.max(...[...s.options].map(o => pen.measureText(o.text).width));
             return s.clientWidth - parseFloat(style.paddingLeft)
                    - parseFloat(style.paddingRight) - 16 - widest;
           })"""
    )
    assert room and min(room) >= 0, room


def test_the_percent_sign_stays_on_its_input_line(appendix_page: Any) -> None:
    offsets = appendix_page.evaluate(
        """() => [...document.querySelectorAll('#appendix td.cell-percent input')].map(i => {
             const box = i.getBoundingClientRect();
             const sign = i.nextElementSibling.getBoundingClientRect();
             return {col: i.closest('td').dataset.col,
                     level: sign.top >= box.top && sign.bottom <= box.bottom,
                     gap: sign.left - box.right};
           })"""
    )
    assert offsets
    wrapped = [o for o in offsets if not o["level"] or not 0 <= o["gap"] < 10]
    assert wrapped == []


def test_scrolled_right_and_down_the_task_labels_and_header_stay_in_order(
    appendix_page: Any,
) -> None:
    page = appendix_page
    page.evaluate("document.querySelector('.appendix-wrap').scrollTo(900, 300)")
    seen = page.evaluate(
        """() => {
             const wrap = document.querySelector('.appendix-wrap').getBoundingClientRect();
             const head = document.querySelector('#appendix thead').getBoundingClientRect();
             const x = wrap.left + 30;
             const at = (y) => {
               const el = document.elementFromPoint(x, y);
               return el && el.closest('th') ? el.closest('th').className : el && el.tagName;
             };
             const headerCells = [...document.querySelectorAll('#appendix thead th')]
               .filter(th => {
                 const r = th.getBoundingClientRect();
                 return r.left > wrap.left + 400 && r.right < wrap.right && th.textContent.trim();
               })
               .map(th => {
                 const r = th.getBoundingClientRect();
                 const el = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                 return el === th || th.contains(el);
               });
             return {
               corner: at(head.top + head.height / 2),
               label: at(head.bottom + 40),
               headerTop: head.top - wrap.top,
               headerCellsOnTop: headerCells,
             };
           }"""
    )
    # The task column's own header holds the corner; other header cells slide under it.
    assert seen["corner"] == "col-task"
    # Below the header, the task labels cover the cells scrolled under them.
    assert "label" in seen["label"].split()
    # The header stays at the top of the scrolled box, every cell of it uncovered.
    assert 0 <= seen["headerTop"] <= 2
    assert seen["headerCellsOnTop"] and all(seen["headerCellsOnTop"])
