"""Tokens (hashed, shown once, expiring, revocable), the session with CSRF, the rate limit,
idempotent retries, and problems in the user's language."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken, IdempotentRequest
from api.tokens import TOKEN
from core import clock
from core.enums import Role, Stage
from submissions.models import Submission

from ..cast import Cast, drive_to
from ..helpers import figures, line_by_code
from .conftest import problem

ME = "/api/v1/submissions/"


def _bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_token_is_stored_hashed_and_acts_as_its_user(
    token_for: Any, hanoi: Submission, cast: Cast
) -> None:
    text = token_for(cast(Role.DRAFTER))
    row = ApiToken.objects.get()
    assert text not in str(ApiToken.objects.values_list().get())
    # The secret may itself hold "_": it is what follows the 12-digit key.
    match = TOKEN.match(text)
    assert match is not None
    secret = match["secret"]
    assert row.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    response = _bearer(text).get(ME)
    assert response.status_code == 200
    assert [s["unit"] for s in response.json()["results"]] == ["01"]
    row.refresh_from_db()
    assert row.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer wf_000000000000_" + "a" * 43, "Bearer nonsense", "Bearer "],
    ids=["unknown", "malformed", "empty"],
)
def test_bad_tokens_are_401(db: None, header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    problem(response)


def test_wrong_secret_of_a_real_key_is_401(token_for: Any, cast: Cast) -> None:
    text = token_for(cast(Role.DRAFTER))
    forged = text[: -len("x")] + ("A" if text[-1] != "A" else "B")
    assert _bearer(forged).get(ME).status_code == 401


def test_expired_token_is_refused(token_for: Any, cast: Cast) -> None:
    text = token_for(cast(Role.DRAFTER), days=1)
    assert _bearer(text).get(ME).status_code == 200
    with time_machine.travel(clock.now() + datetime.timedelta(days=1, seconds=1)):
        assert _bearer(text).get(ME).status_code == 401


def test_revoked_token_and_inactive_user_are_refused(
    client: Client, token_for: Any, cast: Cast
) -> None:
    user = cast(Role.DRAFTER)
    text = token_for(user)
    client.force_login(user)
    token = ApiToken.objects.get()
    response = client.post(reverse("api:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    assert _bearer(text).get(ME).status_code == 401
    other = token_for(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert _bearer(other).get(ME).status_code == 401


def test_one_cannot_revoke_anothers_token(client: Client, token_for: Any, cast: Cast) -> None:
    text = token_for(cast(Role.DRAFTER))
    client.force_login(cast(Role.DRAFTER, "48"))
    client.post(reverse("api:token-revoke", args=[ApiToken.objects.get().pk]))
    assert _bearer(text).get(ME).status_code == 200


def test_token_page_shows_the_token_once(client: Client, cast: Cast) -> None:
    client.force_login(cast(Role.DRAFTER))
    page = client.get(reverse("api:tokens"))
    assert page.status_code == 200
    assert 'for="token-name"' in page.content.decode()
    made = client.post(reverse("api:tokens"), {"name": "Phần mềm tỉnh", "days": "30"})
    text = made.context["created"]
    assert text.startswith("wf_") and text in made.content.decode()
    assert text not in client.get(reverse("api:tokens")).content.decode()
    assert _bearer(text).get(ME).status_code == 200
    too_long = client.post(reverse("api:tokens"), {"name": "x", "days": "100000"})
    assert too_long.context["created"] == "" and ApiToken.objects.count() == 1
    # The message is tied to its field for a screen reader (aria-describedby, aria-invalid).
    days = next(
        tag for tag in too_long.content.decode().split("<input") if 'id="token-days"' in tag
    ).split(">")[0]
    assert 'aria-invalid="true"' in days and 'aria-describedby="id_days_error"' in days
    assert '<div class="field-error" id="id_days_error">' in too_long.content.decode()


def test_session_reads_and_writes_need_csrf(hanoi: Submission, cast: Cast) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(cast(Role.DRAFTER))
    assert client.get(ME).status_code == 200
    url = f"/api/v1/submissions/{hanoi.pk}/appendix/"
    body = {"revision": 0, "rows": {"1.1": {"demand": 3}}}
    refused = client.patch(url, body, format="json")
    assert refused.status_code == 403
    problem(refused)
    assert figures(line_by_code(hanoi, "1.1")).demand is None
    client.get(reverse("api:tokens"))  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    done = client.patch(url, body, format="json", HTTP_X_CSRFTOKEN=token)
    assert done.status_code == 200
    assert figures(line_by_code(hanoi, "1.1")).demand == 3


def test_anonymous_is_401_in_english_when_asked(db: None) -> None:
    response = APIClient().get(ME, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response.status_code == 401
    body = problem(response)
    assert response["Content-Language"] == "en"
    assert body["title"] == "Authentication needed"
    vietnamese = APIClient().get(ME)
    assert problem(vietnamese)["title"] == "Cần đăng nhập"


def test_rate_limit_per_token(token_for: Any, cast: Cast) -> None:
    rates = SimpleRateThrottle.THROTTLE_RATES
    saved = dict(rates)
    rates["api"] = "3/min"
    try:
        first, second = (
            _bearer(token_for(cast(Role.DRAFTER))),
            _bearer(token_for(cast(Role.DRAFTER))),
        )
        assert [first.get(ME).status_code for _ in range(3)] == [200, 200, 200]
        refused = first.get(ME)
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) >= 1
        problem(refused)
        assert second.get(ME).status_code == 200  # another token counts for itself
    finally:
        rates.clear()
        rates.update(saved)


def test_idempotent_retry_acts_once(api_as: Any, hanoi: Submission, cast: Cast) -> None:
    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    client = api_as(cast(Role.DEPARTMENT_REVIEWER))
    url = f"/api/v1/submissions/{hanoi.pk}/transitions/"
    body = {"action": "approve", "expected_stage": Stage.DEPARTMENT_REVIEW}
    before = hanoi.audit_records.count()
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert hanoi.audit_records.count() == before + 1
    # Without the key, the same request is a new one: the stage moved, so it is stale.
    stale = client.post(url, body, format="json")
    assert stale.status_code == 409 and problem(stale)["type"].endswith(":stale")
    # The key with another body is refused.
    other = client.post(url, {**body, "reason": "khác"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    # Keys are per user: another user's "k-1" is their own.
    assert IdempotentRequest.objects.filter(key="k-1").count() == 1


def test_idempotency_key_expires(api_as: Any, hanoi: Submission, cast: Cast) -> None:
    client = api_as(cast(Role.DRAFTER))
    url = f"/api/v1/submissions/{hanoi.pk}/appendix/"
    body = {"revision": 0, "rows": {"1.1": {"demand": 3}}}
    assert client.patch(url, body, format="json", HTTP_IDEMPOTENCY_KEY="a").status_code == 200
    assert client.patch(url, body, format="json", HTTP_IDEMPOTENCY_KEY="a").status_code == 200
    with time_machine.travel(clock.now() + datetime.timedelta(hours=25)):
        late = client.patch(url, body, format="json", HTTP_IDEMPOTENCY_KEY="a")
    assert late.status_code == 409  # acted again: revision 0 is stale by now
    hanoi.refresh_from_db()
    assert hanoi.revision == 1


def test_refusal_is_replayed_too(api_as: Any, hanoi: Submission, cast: Cast) -> None:
    client = api_as(cast(Role.DRAFTER))
    url = f"/api/v1/submissions/{hanoi.pk}/appendix/"
    bad = {"revision": 0, "rows": {"1.1": {"demand": -3}}}
    first = client.patch(url, bad, format="json", HTTP_IDEMPOTENCY_KEY="b")
    again = client.patch(url, bad, format="json", HTTP_IDEMPOTENCY_KEY="b")
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()
    problem(again)
