"""What every page's menu needs to know about the user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import access


def roles(request: HttpRequest) -> dict[str, Any]:
    return {"is_national": access.is_national(request.user)}
