"""Requests per token (or per signed-in user, or per address before sign-in), counted in the
shared cache so every web worker sees the same count."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class PerTokenThrottle(SimpleRateThrottle):
    scope = "api"

    def get_cache_key(self, request: Any, view: Any) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"addr-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
