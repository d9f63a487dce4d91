"""Every error of the API in one shape: RFC 9457 problem details (application/problem+json).

    {"type": "urn:pheduyet:problem:validation", "title": "...", "status": 400,
     "detail": "...", "instance": "/api/v1/...", "errors": [{"row": "1.1",
     "column": "demand", "message": "..."}]}

``errors`` lists what was wrong field by field (for the appendix: by row code and column
key). Titles and details are in the request's language (Vietnamese unless Accept-Language
or the user's choice says English).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.response import Response

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:pheduyet:problem:"

TITLES: dict[str, Any] = {
    "validation": gettext_lazy("The request has errors"),
    "not_found": gettext_lazy("Not found"),
    "not_authenticated": gettext_lazy("Authentication needed"),
    "forbidden": gettext_lazy("Not allowed"),
    "stale": gettext_lazy("Changed meanwhile"),
    "conflict": gettext_lazy("Conflict"),
    "throttled": gettext_lazy("Too many requests"),
    "method_not_allowed": gettext_lazy("Method not allowed"),
    "unsupported_media_type": gettext_lazy("Unsupported media type"),
    "not_acceptable": gettext_lazy("Not acceptable"),
    "parse_error": gettext_lazy("Malformed request"),
    "idempotency_mismatch": gettext_lazy("Idempotency key reused"),
    "error": gettext_lazy("Request refused"),
}


class Problem(exceptions.APIException):
    """A refusal with its problem ``code``, ``status`` and, if any, per-field ``errors``."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail=detail, code=code)
        self.status_code = status
        self.problem_code = code
        self.errors = errors or []


def problem_body(
    *, status: int, code: str, detail: str, instance: str, errors: list[dict[str, Any]]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"{TYPE_PREFIX}{code}",
        "title": str(TITLES.get(code, TITLES["error"])),
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors:
        body["errors"] = errors
    return body


def _field_errors(detail: Any, path: str = "") -> list[dict[str, Any]]:
    """REST framework's nested error dict or list as a flat list of {field, message}."""
    if isinstance(detail, dict):
        return [
            e
            for key, value in detail.items()
            for e in _field_errors(value, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(detail, list):
        if all(not isinstance(d, dict | list) for d in detail):
            return [{"field": path or "body", "message": str(d)} for d in detail]
        return [e for i, value in enumerate(detail) for e in _field_errors(value, f"{path}[{i}]")]
    return [{"field": path or "body", "message": str(detail)}]


_CODES: list[tuple[type[Exception], str]] = [
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "not_authenticated"),
    (exceptions.PermissionDenied, "forbidden"),
    (exceptions.NotFound, "not_found"),
    (exceptions.Throttled, "throttled"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.ParseError, "parse_error"),
]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST framework's hook: any refusal as a problem; anything else stays a server error."""
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("There is no such object, or it is not yours to see."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers: dict[str, str] = {}
    if auth := getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = auth
    if wait := getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(wait) + 1)
    if isinstance(exc, Problem):
        code, detail, errors = exc.problem_code, str(exc.detail), exc.errors
    elif isinstance(exc, exceptions.ValidationError):
        code, detail = "validation", _("Nothing was changed: the request has errors.")
        errors = _field_errors(exc.detail)
    else:
        code = next((c for kind, c in _CODES if isinstance(exc, kind)), "error")
        detail, errors = str(exc.detail), []
    body = problem_body(
        status=exc.status_code, code=code, detail=detail, instance=instance, errors=errors
    )
    return Response(body, status=exc.status_code, headers=headers, content_type=CONTENT_TYPE)
