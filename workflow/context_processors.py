"""What every page's menu needs to know about the user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import access


def roles(request: HttpRequest) -> dict[str, Any]:
    # No user yet when an error page is made before AuthenticationMiddleware ran (an unknown
    # Host header is refused by an earlier middleware): the menu is then an anonymous one.
    user = getattr(request, "user", None)
    return {
        "is_national": user is not None and access.is_national(user),
        "can_administer_campaigns": user is not None and access.can_administer_campaigns(user),
    }
