"""Signing in as a test user in a browser test."""

from __future__ import annotations

from typing import Any


def sign_in(page: Any, base: str, username: str) -> None:
    """A fresh session as ``username`` (the factories' password); lands on the inbox."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "secret-password")
    page.click("form button[type=submit].w-100")
    assert page.locator("h1").first.inner_text() == "Hộp công việc"
