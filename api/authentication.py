"""Who is calling: a personal token (``Authorization: Bearer wf_...``) or the browser session."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .tokens import token_user


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """A personal API token: the request acts as its user, nothing more."""

    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _sep, credentials = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None  # not ours: the session may still answer
        found = token_user(credentials.strip())
        if found is None:
            raise exceptions.AuthenticationFailed(
                _("The API token is not valid: it is unknown, expired or revoked.")
            )
        return found

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class CsrfSessionAuthentication(authentication.SessionAuthentication):
    """The signed-in browser; its writes need the CSRF token, as the pages' forms do.
    (REST framework's own class, named here so the settings say what it is for.)"""
