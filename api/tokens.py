"""Personal API tokens: made, checked, revoked. The one place that knows their format.

A token reads ``wf_<key>_<secret>``: ``key`` (12 hex digits) finds the row, ``secret`` (43
URL-safe characters, 256 random bits) is compared with the SHA-256 kept, never stored itself.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from core import clock

from .models import ApiToken

PREFIX = "wf_"
TOKEN = re.compile(r"^wf_(?P<key>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")
# A token's last use is written at most this often: not one UPDATE per request.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


class TokenError(Exception):
    """A token that cannot be made as asked; the message is for the user."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def max_days() -> int:
    return int(settings.API_TOKEN_MAX_DAYS)


def token_create(*, user: User, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its text, which is shown this once and never again."""
    name = name.strip()
    if not name:
        raise TokenError(_("Give the token a name."))
    if not 1 <= days <= max_days():
        raise TokenError(_("A token lasts from 1 to %(days)s days.") % {"days": max_days()})
    now = clock.now()
    key = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        key=key,
        secret_sha256=_digest(secret),
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    return token, f"{PREFIX}{key}_{secret}"


def token_revoke(*, user: User, pk: int) -> bool:
    """Revoke one of the user's own tokens; False when there is no such live token."""
    return bool(
        ApiToken.objects.filter(user=user, pk=pk, revoked_at__isnull=True).update(
            revoked_at=clock.now()
        )
    )


def token_user(text: str) -> tuple[User, ApiToken] | None:
    """The active user a live token acts as, or None (malformed, unknown, wrong secret,
    expired, revoked, or its user deactivated). The secret is compared in constant time."""
    match = TOKEN.match(text)
    if match is None:
        return None
    token = ApiToken.objects.select_related("user").filter(key=match["key"]).first()
    if token is None or not hmac.compare_digest(token.secret_sha256, _digest(match["secret"])):
        return None
    now = clock.now()
    if token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token
