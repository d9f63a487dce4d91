"""Who the client is, as far as throttling is concerned."""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str:
    """The address our own reverse proxy reports (CLIENT_IP_HEADER), else the peer's.

    Only the proxy's header is trusted, and only when the settings name it: X-Forwarded-For
    as a client sent it is whatever the client wanted it to be.
    """
    header = settings.CLIENT_IP_HEADER
    if header and (value := request.META.get(header, "").strip()):
        return value
    return str(request.META.get("REMOTE_ADDR", ""))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout page, in the user's language (Vietnamese unless they chose)."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else 0
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes},
        status=429,
    )
