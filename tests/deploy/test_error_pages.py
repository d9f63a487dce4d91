"""The project's own error pages, in Vietnamese and the site's layout, with DEBUG off (the test
settings), the 500 page even while the database is down; and the request log never raising."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse

from config import urls as project_urls

from .test_check_deploy import manage, production_env


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("secret detail of the refusal")


# The project's URLs, and one view that refuses (no page of the app raises PermissionDenied).
urlpatterns = [path("forbidden/", _forbidden), *project_urls.urlpatterns]

OURS = ('id="error-page"', 'href="/inbox/"', "/static/css/app.css")


def _page(response: Any) -> str:
    page: str = response.content.decode()
    assert all(mark in page for mark in OURS), page
    assert "Django Material" not in page and "material" not in page.lower()
    assert "<script>" not in page and "style=" not in page
    return page


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_a_wrong_address_is_our_404_without_the_path(client: Client, drafter: Any) -> None:
    response = client.get("/khong-co-trang-nay/<b>x</b>/")
    assert response.status_code == 404
    page = _page(response)
    assert '<html lang="vi">' in page
    assert "Không tìm thấy trang" in page
    # The path only in the language switcher's return address, quoted and escaped.
    assert "<b>" not in page
    assert page.count("khong-co-trang-nay") == 1
    assert 'value="/khong-co-trang-nay/%3Cb%3Ex%3C/b%3E/"' in page

    client.force_login(drafter)
    page = _page(_english(client).get("/khong-co-trang-nay/"))
    assert '<html lang="en">' in page and "Page not found" in page
    assert 'id="current-user"' in page  # the site's layout, with the user's menu


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_refusal_is_our_403_without_its_reason(client: Client) -> None:
    response = client.get("/forbidden/")
    assert response.status_code == 403
    page = _page(response)
    assert "Không được phép truy cập" in page
    assert "secret detail" not in page


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_is_our_page(drafter: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "hn.drafter", "password": "x"})
    assert response.status_code == 403
    page = _page(response)
    assert "Biểu mẫu đã hết hiệu lực" in page
    assert "CSRF" not in page


@pytest.mark.django_db
def test_an_unknown_host_is_our_400(client: Client, caplog: Any) -> None:
    """Before AuthenticationMiddleware ran: the menu must not read request.user."""
    with caplog.at_level(logging.INFO, logger="pheduyet.request"):
        response = client.get("/inbox/", HTTP_HOST="ke-la.example")
    assert response.status_code == 400
    page = _page(response)
    assert "Yêu cầu không hợp lệ" in page and "ke-la.example" not in page
    (line,) = [r for r in caplog.records if r.name == "pheduyet.request"]
    assert (line.status, line.user_id) == (400, None)


def test_an_unknown_host_is_our_400_under_the_production_settings() -> None:
    """The production settings (HTTPS redirect, proxy header, their hosts) in their own process;
    plain HTTP and HTTPS through the proxy, refused at different middlewares."""
    probe = (
        "from django.test import Client\n"
        "for https in ('', 'https'):\n"
        "    r = Client(raise_request_exception=False).get(\n"
        "        '/', HTTP_HOST='ke-la.example', HTTP_X_FORWARDED_PROTO=https)\n"
        "    print(r.status_code, 'Yêu cầu không hợp lệ' in r.content.decode(),\n"
        "          'Django Material' in r.content.decode())\n"
    )
    result = manage("shell", "--no-imports", "-c", probe, env=production_env(LOG_FORMAT="text"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n") == ["400 True False", "400 True False", ""], result.stderr


@pytest.fixture
def database_down(django_db_blocker: Any) -> Iterator[None]:
    """Every query fails as in an outage: the connection goes to a port nothing listens on."""
    connection = connections["default"]
    port = connection.settings_dict["PORT"]
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict["PORT"] = "1"
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["PORT"] = port


def test_our_500_page_while_the_database_is_down(database_down: None, caplog: Any) -> None:
    """The page itself reads no database and no user; the request log does not raise either,
    though reading request.user (a session cookie to load) fails."""
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    receipt = reverse("receipts:verify", kwargs={"token": uuid.uuid4()})
    with caplog.at_level(logging.INFO, logger="pheduyet.request"):
        response = client.get(receipt)
        inbox = client.get(reverse("reviews:inbox"))
    assert response.status_code == inbox.status_code == 500
    page = _page(response)
    assert '<html lang="vi">' in page
    assert "Máy chủ không thể hoàn tất yêu cầu" in page
    assert "administrators via email" not in page and "Traceback" not in page
    assert 'id="current-user"' not in page and "language-switcher" not in page
    lines = [r for r in caplog.records if r.name == "pheduyet.request"]
    assert [(r.status, r.user_id) for r in lines] == [(500, None), (500, None)]

    english = _page(_english(client).get(receipt))
    assert '<html lang="en">' in english and "could not complete your request" in english
