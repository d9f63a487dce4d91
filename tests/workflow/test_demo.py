"""make run's demo: a submission in every stage, made by the real services, and inboxes that hold
exactly what each demo user may act on."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.contrib.auth.models import User
from django.core.management import call_command

from submissions.models import Submission
from workflow import access, selectors
from workflow.models import AuditRecord
from workflow.stages import Stage


def test_the_demo_story(db: None) -> None:
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # a second run neither fails nor duplicates
    stages = dict(
        Submission.objects.filter(unit__code__in=["01", "22", "31", "48", "79", "92"]).values_list(
            "unit__code", "stage"
        )
    )
    assert stages == {
        "48": Stage.DRAFTING,
        "79": Stage.DEPARTMENT_REVIEW,
        "31": Stage.PROVINCIAL_SIGNOFF,
        "01": Stage.MINISTRY_CHECK,
        "92": Stage.CONSOLIDATION,
        "22": Stage.CONSOLIDATED,
    }
    assert Submission.objects.count() == 63
    assert AuditRecord.objects.count() == 17
    first = AuditRecord.objects.order_by("at").first()
    assert first is not None
    assert (
        first.at.astimezone(datetime.timezone(datetime.timedelta(hours=7))).strftime(
            "%d/%m/%Y %H:%M"
        )
        == "27/04/2020 16:00"
    )
    hanoi = Submission.objects.get(unit__code="01")
    assert list(hanoi.audit_records.values_list("action", flat=True)) == [
        "submit",
        "return",
        "submit",
        "approve",
        "sign",
    ]
    assert hanoi.versions.count() == 2  # the return was answered with a change

    def waiting(username: str) -> set[str]:
        box = selectors.inbox(User.objects.get(username=username))
        return {s.unit.code for s in box.assigned + box.available}

    expected = {
        "dn.soanthao": {"48"},
        "hcm.lanhdaoso": {"79"},
        "hp.ubnd": {"31"},
        "kiemtra": {"01"},
        "dieuphoi": {"92", "22"},
        "hn.soanthao": set(),
        "hn.lanhdaoso": set(),
        "qn.ubnd": set(),
    }
    for username, codes in expected.items():
        assert waiting(username) == codes, username
    # Whatever is in an inbox, its user has a button for it.
    for username in expected:
        user: Any = User.objects.get(username=username)
        box = selectors.inbox(user)
        for submission in box.assigned + box.available:
            assert access.available_transitions(user, submission), (username, submission)
