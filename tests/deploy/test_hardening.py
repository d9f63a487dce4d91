"""Hardening: CSP without inline code, login throttling, Argon2, CSRF, admin for administrators."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, reverse
from rest_framework.authentication import SessionAuthentication
from rest_framework.views import APIView

from api.authentication import BearerTokenAuthentication
from core.enums import Role

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

pytestmark = pytest.mark.django_db
TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Rendered by WeasyPrint or sent as e-mail, never served to a browser under the policy.
NOT_BROWSER_PAGES = {"pdf", "email"}
INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> block": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_every_page_sends_a_policy_without_unsafe_inline(client: Any) -> None:
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_template_served_to_browsers_has_inline_script_or_style() -> None:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if NOT_BROWSER_PAGES & set(path.relative_to(TEMPLATES).parts):
            continue
        text = path.read_text(encoding="utf-8")
        for what, pattern in INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert found == [], "move these to static/js or static/css:\n" + "\n".join(found)


def test_the_template_check_finds_what_the_policy_blocks() -> None:
    page = '<div style="x"><button onclick="go()"></button><script>go()</script></div>'
    assert {what for what, p in INLINE.items() if p.search(page)} == {
        "inline <script>",
        "style attribute",
        "event handler attribute",
    }
    assert not any(p.search('<script src="/static/js/a.js"></script>') for p in INLINE.values())


def test_new_passwords_are_hashed_with_argon2() -> None:
    from config.settings import base

    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        assert make_password("mật khẩu dài 5137").startswith("argon2$")


def test_a_login_form_without_its_csrf_token_is_refused(drafter: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        reverse("login"), {"username": "hn.drafter", "password": "secret-password"}
    )
    assert response.status_code == 403


def _views(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def _checks_csrf_itself(view: Any) -> bool:
    """A REST framework view (the web API) is exempt from the middleware because it checks
    CSRF itself: its only ways in are a Bearer token (which a browser never sends on its own)
    and the session, whose writes REST framework's SessionAuthentication refuses without the
    CSRF token (tests/api/test_auth.py)."""
    cls = getattr(view, "cls", None)
    if not (isinstance(cls, type) and issubclass(cls, APIView)):
        return False
    ways_in = list(getattr(cls, "authentication_classes", []))
    return bool(ways_in) and all(
        issubclass(a, BearerTokenAuthentication | SessionAuthentication) for a in ways_in
    )


def test_no_view_is_exempt_from_csrf() -> None:
    exempt = [
        route
        for route, view in _views(get_resolver().url_patterns)
        if getattr(view, "csrf_exempt", False) and not _checks_csrf_itself(view)
    ]
    assert exempt == []


def _fail_login(client: Any, username: str) -> Any:
    return client.post(reverse("login"), {"username": username, "password": "wrong"})


def test_failed_logins_lock_the_pair_out_with_a_vietnamese_message(
    client: Any, drafter: Any
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _fail_login(client, "hn.drafter").status_code == 200
    locked = _fail_login(client, "hn.drafter")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in page
    assert "15 phút" in page
    # Even the right password waits now...
    right = client.post(reverse("login"), {"username": "hn.drafter", "password": "secret-password"})
    assert right.status_code == 429
    # ...but only for this username from this address.
    other_address = Client(REMOTE_ADDR="10.1.2.3")
    assert (
        other_address.post(
            reverse("login"), {"username": "hn.drafter", "password": "secret-password"}
        ).status_code
        == 302
    )


def test_a_successful_login_forgets_earlier_failures(client: Any, drafter: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _fail_login(client, "hn.drafter")
    ok = client.post(reverse("login"), {"username": "hn.drafter", "password": "secret-password"})
    assert ok.status_code == 302
    client.logout()
    assert _fail_login(client, "hn.drafter").status_code == 200


def test_the_proxy_header_names_the_client_only_when_configured(
    client: Any, drafter: Any, settings: Any
) -> None:
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "hn.drafter", "password": "wrong"},
            HTTP_X_REAL_IP="203.0.113.9",
        )
    from_elsewhere = client.post(
        reverse("login"),
        {"username": "hn.drafter", "password": "secret-password"},
        HTTP_X_REAL_IP="198.51.100.4",
    )
    assert from_elsewhere.status_code == 302


@pytest.mark.parametrize(
    ("who", "admitted"),
    [
        ("superuser", True),
        ("administrator group, staff", True),
        ("administrator group, not staff", False),
        ("coordinator, staff", False),
        ("drafter", False),
    ],
)
def test_only_administrators_enter_the_admin(
    client: Any, make_user: Any, who: str, admitted: bool
) -> None:
    if who == "superuser":
        user = make_user(Role.DRAFTER, "01", is_staff=True, is_superuser=True)
    elif who.startswith("administrator group"):
        user = make_user(Role.ADMINISTRATOR, is_staff=who.endswith(", staff"))
    elif who == "coordinator, staff":
        user = make_user(Role.MINISTRY_COORDINATOR, is_staff=True)
    else:
        user = make_user(Role.DRAFTER, "01")
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == (200 if admitted else 302)
    home = client.get(reverse("reviews:inbox")).content.decode()
    assert (reverse("admin:index") in home) is admitted


def test_a_sign_in_lasts_a_working_day_however_busy(client: Any, drafter: Any) -> None:
    """Ten hours from the sign-in the person signs in again, pages opened meanwhile or not."""
    start = datetime.datetime(2020, 5, 4, 7, 30, tzinfo=VN)
    with time_machine.travel(start, tick=False) as clock:
        signed_in = client.post(
            reverse("login"), {"username": "hn.drafter", "password": "secret-password"}
        )
        assert signed_in.status_code == 302
        clock.move_to(start + datetime.timedelta(hours=9, minutes=59))
        assert client.get("/inbox/").status_code == 200
        clock.move_to(start + datetime.timedelta(hours=10, minutes=1))
        response = client.get("/inbox/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_pages_shown_to_a_signed_in_user_are_not_stored_public_ones_keep_their_headers(
    client: Any, make_user: Any, hanoi: Any
) -> None:
    """A province's figures stay out of a shared computer's cache and back button."""
    assert "no-store" not in client.get(reverse("receipts:verify-upload")).get("Cache-Control", "")
    client.force_login(make_user(Role.DRAFTER, "01"))
    for url in (
        reverse("reviews:inbox"),
        reverse("submissions:appendix", kwargs={"pk": hanoi.pk}),
        reverse("submissions:appendix-xlsx", kwargs={"pk": hanoi.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
