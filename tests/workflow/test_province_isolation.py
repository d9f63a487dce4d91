"""Who sees and edits what: every role, own province and another, every drafting page.

The matrix is generated from the roles and the URL table, not typed out case by
case: another province's pages are a 404 for every provincial role, reading is
allowed to every role in scope, and only the drafter of the province may write.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from core.enums import Role
from submissions.models import Attachment, Submission

from ..helpers import appendix_post, figures, line_by_code

PROVINCIAL = [Role.DRAFTER, Role.DEPARTMENT_REVIEWER, Role.PROVINCIAL_SIGNATORY]
READ_PAGES = [
    "submissions:detail",
    "submissions:appendix",
    "submissions:narrative",
    "submissions:attachments",
]


@pytest.fixture
def attachment(hanoi: Submission, make_user: Any) -> Attachment:
    from django.core.files.base import ContentFile

    author = make_user(Role.DRAFTER, "01", username="hn.author")
    item = Attachment(
        submission=hanoi,
        original_name="bao-cao.pdf",
        content_type=Attachment.Kind.PDF,
        size=8,
        sha256="0" * 64,
        uploaded_by=author,
    )
    item.file.save("x", ContentFile(b"%PDF-1.4"), save=True)
    return item


def _scope(role: Role, where: str) -> tuple[str, ...]:
    """The unit codes a user of ``role`` holds: Hà Nội ('own') or Đà Nẵng ('other')."""
    if role == Role.MINISTRY_COORDINATOR:
        return ()
    return ("01",) if where == "own" else ("48",)


CASES = [
    (role, where) for role in [*PROVINCIAL, Role.MINISTRY_CHECKER] for where in ("own", "other")
]


@pytest.mark.parametrize(("role", "where"), CASES)
@pytest.mark.parametrize("page", READ_PAGES)
def test_reading_hanoi(
    client: Any, make_user: Any, hanoi: Submission, role: Role, where: str, page: str
) -> None:
    client.force_login(make_user(role, *_scope(role, where)))
    response = client.get(reverse(page, kwargs={"pk": hanoi.pk}))
    assert response.status_code == (200 if where == "own" else 404)


@pytest.mark.parametrize("page", READ_PAGES)
def test_the_coordinator_reads_every_province(
    client: Any, make_user: Any, hanoi: Submission, danang: Submission, page: str
) -> None:
    client.force_login(make_user(Role.MINISTRY_COORDINATOR))
    for submission in (hanoi, danang):
        assert client.get(reverse(page, kwargs={"pk": submission.pk})).status_code == 200


@pytest.mark.parametrize(("role", "where"), [*CASES, (Role.MINISTRY_COORDINATOR, "own")])
def test_downloading_hanoi_files(
    client: Any, make_user: Any, attachment: Attachment, role: Role, where: str
) -> None:
    client.force_login(make_user(role, *_scope(role, where)))
    url = reverse(
        "submissions:attachment-download",
        kwargs={"pk": attachment.submission_id, "attachment_pk": attachment.pk},
    )
    response = client.get(url)
    response.close()
    assert response.status_code == (200 if where == "own" else 404)


def test_a_file_is_not_reachable_through_another_submission(
    client: Any, make_user: Any, attachment: Attachment, danang: Submission
) -> None:
    """The URL names the Đà Nẵng submission, which the user may see, with Hà Nội's file."""
    client.force_login(make_user(Role.DRAFTER, "48"))
    url = reverse(
        "submissions:attachment-download", kwargs={"pk": danang.pk, "attachment_pk": attachment.pk}
    )
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("role", "where"), [*CASES, (Role.MINISTRY_COORDINATOR, "own")])
def test_writing_hanoi(
    client: Any, make_user: Any, hanoi: Submission, role: Role, where: str
) -> None:
    """Only Hà Nội's drafter writes; in-scope readers are turned back, others get a 404."""
    client.force_login(make_user(role, *_scope(role, where)))
    line = line_by_code(hanoi, "1.1")
    response = client.post(
        reverse("submissions:appendix", kwargs={"pk": hanoi.pk}),
        appendix_post(hanoi, {line.pk: {"demand": "77"}}),
    )
    line.refresh_from_db()
    if role == Role.DRAFTER and where == "own":
        assert response.status_code == 302 and figures(line).demand == Decimal("77")
        return
    assert figures(line).demand is None
    assert response.status_code == (302 if where == "own" else 404)
    if where == "own":
        followed = client.get(response["Location"]).content.decode()
        assert "không thể chỉnh sửa" in followed


def test_anonymous_users_are_sent_to_log_in(client: Any, hanoi: Submission) -> None:
    response = client.get(reverse("submissions:appendix", kwargs={"pk": hanoi.pk}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_list_shows_only_the_users_provinces(
    client: Any, make_user: Any, hanoi: Submission, danang: Submission
) -> None:
    client.force_login(make_user(Role.DRAFTER, "48"))
    page = client.get(reverse("submissions:list")).content.decode()
    assert "Thành phố Đà Nẵng" in page
    assert "Hà Nội" not in page
