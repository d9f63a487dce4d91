"""API clients: a token for any user of the cast, sent as a Bearer header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from rest_framework.test import APIClient

from api.tokens import token_create


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    """The rate counts of one test do not carry into the next."""
    cache.clear()


@pytest.fixture
def token_for() -> Callable[[User], str]:
    def make(user: User, days: int = 30) -> str:
        return token_create(user=user, name="test", days=days)[1]

    return make


@pytest.fixture
def api_as(token_for: Callable[[User], str]) -> Callable[[User], APIClient]:
    """A client that calls the API with a personal token of ``user``."""

    def make(user: User) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        return client

    return make


def problem(response: Any) -> dict[str, Any]:
    assert response["Content-Type"] == "application/problem+json", response.content
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    assert body["type"].startswith("urn:pheduyet:problem:")
    return body
