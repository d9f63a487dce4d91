"""Provinces with varied, complete content, driven to any stage through the real services."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User

from campaigns.models import Campaign, ProblemKind
from core.enums import Role, Stage
from submissions import selectors, services
from submissions.models import Submission
from workflow.services import role_grant, submission_transition

from ..cast import PATH, Cast

# Hà Nội and Đà Nẵng have their own users in the cast; these provinces borrow them.
MORE = ("31", "92", "22")
D = Decimal


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    return D(rng.randint(low * 1000, high * 1000)) / 1000


def _line_values(rng: random.Random) -> dict[str, Any]:
    parts = [_amount(rng, 0, 900) for _ in range(6)]
    if rng.random() < 0.3:
        parts[rng.randrange(6)] = D(0)
    as_designed = D(rng.randint(40, 100))
    not_as_designed = D(rng.randint(0, int(100 - as_designed)))
    unused = 100 - as_designed - not_as_designed
    values: dict[str, Any] = {
        "demand": _amount(rng, 500, 6000),
        "alloc_invest_ctmt": parts[0],
        "alloc_invest_self": parts[1],
        "alloc_invest_separate": parts[2],
        "alloc_recurrent_ctmt": parts[3],
        "alloc_recurrent_self": parts[4],
        "alloc_recurrent_separate": parts[5],
        "spent": _amount(rng, 0, 4000) if rng.random() > 0.1 else D(0),
        "vs_demand_pct": D(rng.randint(0, 10000)) / 100,
        "vs_resolution17_pct": D(rng.randint(0, 10000)) / 100,
        "use_as_designed_pct": as_designed,
        "use_not_as_designed_pct": not_as_designed or None,
        "use_not_as_designed_reason": "Dùng cho việc khác" if not_as_designed else "",
        "unused_pct": unused or None,
        "unused_reason": "Hỏng" if unused else "",
        "not_completed_pct": D(rng.randint(1, 30)) if rng.random() < 0.4 else None,
        "accepted_internal": rng.random() < 0.7,
        "accepted_by_authority": rng.random() < 0.4,
    }
    values["not_completed_reason"] = "Chuyển sang năm sau" if values["not_completed_pct"] else ""
    # Asked for wherever money was spent (drawn from no random number: the figures stay).
    values["infrastructure_status"] = (
        f"Đạt {values['vs_resolution17_pct']}% mục tiêu Nghị quyết 17" if values["spent"] else ""
    )
    if rng.random() < 0.15:  # no equipment-use figures on this line
        for share in ("use_as_designed_pct", "use_not_as_designed_pct", "unused_pct"):
            values[share] = None
        values["use_not_as_designed_reason"] = values["unused_reason"] = ""
    if not values["spent"] and rng.random() < 0.5:  # nothing spent: no achievement rate
        values["vs_demand_pct"] = values["vs_resolution17_pct"] = None
    return values


def fill_varied(submission: Submission, drafter: User, seed: int, *, own: bool = True) -> None:
    """Complete content with different figures on every line, saved through the drafting
    services; with ``own``, sub-items of the province's own under groups 3 and 5."""
    rng = random.Random(seed)  # noqa: S311 - test figures, not secrets
    campaign = submission.campaign
    if own:
        for group_code, label in (("3", "CSDL đất đai"), ("5", "Trung tâm giám sát an toàn")):
            submission.refresh_from_db()
            services.appendix_save(
                actor=drafter,
                submission=submission,
                revision=submission.revision,
                values={},
                add_to_group=campaign.rows.get(code=group_code),
                new_label=f"{label} {submission.unit.code}",
            )
    submission.refresh_from_db()
    services.appendix_save(
        actor=drafter,
        submission=submission,
        revision=submission.revision,
        values={line.pk: _line_values(rng) for line in submission.lines.order_by("pk")},
    )
    submission.refresh_from_db()
    refusals = rng.randint(0, 4)
    points = [p for s in selectors.outline(campaign) for p in s.points.all()]
    kinds = list(ProblemKind.objects.filter(campaign=campaign).order_by("order"))
    services.narrative_save(
        actor=drafter,
        submission=submission,
        revision=submission.revision,
        answers={
            p.pk: f"{submission.unit.name}: đánh giá mục {p.code} (lần {seed})." for p in points
        },
        treasury_refusal_count=refusals,
        treasury_refusal_amount=_amount(rng, 1, 500) if refusals else None,
        treasury_refusal_note="Hồ sơ chưa đủ" if refusals else "",
        problem_kinds=rng.sample(kinds, rng.randint(0, 4)),
    )
    submission.refresh_from_db()


def advance(submission: Submission, stage: Stage, cast: Cast) -> None:
    """Move the submission along the path (its content as it is) until it stands at ``stage``."""
    code = submission.unit.code
    for source, action, role in PATH:
        submission.refresh_from_db()
        if submission.stage == stage:
            return
        assert submission.stage == source
        submission_transition(
            actor=cast(role, code), submission=submission, action=action, expected_stage=source
        )
    submission.refresh_from_db()
    assert submission.stage == stage


@pytest.fixture
def provinces(
    cast: Cast, campaign: Campaign, submission_of: Callable[[str], Submission]
) -> Callable[..., Submission]:
    """``provinces(code, stage, seed=...)``: the province's submission, filled with varied
    content and moved to ``stage``."""
    for code in MORE:
        unit = campaign.units.get(code=code)
        for role in (
            Role.DRAFTER,
            Role.DEPARTMENT_REVIEWER,
            Role.PROVINCIAL_SIGNATORY,
            Role.MINISTRY_CHECKER,
        ):
            user = cast(role, "01")
            role_grant(user=user, role=role, units=[unit])
            cast.users[(role, code)] = user

    def make(code: str, stage: Stage, *, seed: int | None = None, own: bool = True) -> Submission:
        submission = submission_of(code)
        fill_varied(submission, cast(Role.DRAFTER, code), seed or int(code), own=own)
        advance(submission, stage, cast)
        return submission

    return make
