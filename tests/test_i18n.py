"""Vietnamese by default, English on request; dates and numbers as each language writes them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from submissions import services
from submissions.models import Submission

from .helpers import line_by_code


def test_pages_are_vietnamese_whatever_the_browser_asks(client: Any) -> None:
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page
    assert "Tên đăng nhập" in page


def test_the_switcher_turns_pages_english_and_back(
    drafter_client: Any, drafter: Any, hanoi: Submission
) -> None:
    line = line_by_code(hanoi, "1.1")
    services.appendix_save(
        actor=drafter, submission=hanoi, revision=0, values={line.pk: {"spent": "1234567.5"}}
    )
    detail = reverse("submissions:detail", kwargs={"pk": hanoi.pk})
    vi = drafter_client.get(detail).content.decode()
    assert "Thời hạn" in vi and "05/05/2020" in vi and "1.234.567,5" in vi

    response = drafter_client.post(reverse("set_language"), {"language": "en", "next": detail})
    assert response.status_code == 302
    assert drafter_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    en = drafter_client.get(detail).content.decode()
    assert '<html lang="en">' in en
    assert "Deadline" in en and "05/05/2020" in en and "1,234,567.5" in en
    assert "Hà Nội City" in en

    drafter_client.post(reverse("set_language"), {"language": "vi", "next": detail})
    assert "Thành phố Hà Nội" in drafter_client.get(detail).content.decode()


def test_times_are_shown_in_ho_chi_minh_city_time(drafter_client: Any, hanoi: Submission) -> None:
    """Saved at 17:30 UTC on 30/4/2020 is 00:30 on 1/5/2020 in Việt Nam."""
    import datetime

    Submission.objects.filter(pk=hanoi.pk).update(
        updated_at=datetime.datetime(2020, 4, 30, 17, 30, tzinfo=datetime.UTC)
    )
    page = drafter_client.get(reverse("submissions:list")).content.decode()
    assert "00:30 01/05/2020" in page
