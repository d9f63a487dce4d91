"""``Idempotency-Key`` on writes: a retried request gets the first answer, and acts once.

The key is taken per user before the write runs (a row unique on user and key), so two
copies of one request sent together act once: the second is told the first is still
running (409) and, retried later, gets its answer. A key reused with another request (other
method, path or body) is refused (422). A key is kept ``API_IDEMPOTENCY_HOURS``; a server
error frees it, so the retry acts.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from core import clock

from . import problems
from .models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY = 255


def _canonical(data: Any) -> Any:
    if isinstance(data, UploadedFile):
        data.seek(0)
        digest = hashlib.sha256(data.read()).hexdigest()
        data.seek(0)
        return {"file": data.name, "sha256": digest}
    if hasattr(data, "lists"):  # a QueryDict (multipart form)
        return {k: [_canonical(v) for v in vs] for k, vs in sorted(data.lists())}
    if isinstance(data, dict):
        return {str(k): _canonical(v) for k, v in sorted(data.items())}
    if isinstance(data, list | tuple):
        return [_canonical(v) for v in data]
    return data


def fingerprint(request: Any) -> str:
    """The request as far as a retry repeats it: method, path and parsed body."""
    text = json.dumps(
        [request.method, request.path, _canonical(request.data)], cls=JSONEncoder, sort_keys=True
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _to_json(data: Any) -> Any:
    return json.loads(json.dumps(data, cls=JSONEncoder))


def run_once(request: Any, act: Callable[[], Response]) -> Response:
    """``act()``'s answer; with an Idempotency-Key, the first answer to that key."""
    key = request.headers.get(HEADER)
    if key is None:
        return act()
    if not key.strip() or len(key) > MAX_KEY or not key.isprintable():
        raise problems.Problem(
            400,
            "validation",
            _("The Idempotency-Key header must be 1 to %(max)s printable characters.")
            % {"max": MAX_KEY},
        )
    user = request.user
    now = clock.now()
    hours = datetime.timedelta(hours=int(settings.API_IDEMPOTENCY_HOURS))
    print_ = fingerprint(request)
    IdempotentRequest.objects.filter(user=user, created_at__lt=now - hours).delete()
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(
                user=user, key=key, fingerprint=print_, status=None, created_at=now
            )
    except IntegrityError:
        first = IdempotentRequest.objects.get(user=user, key=key)
        if first.fingerprint != print_:
            raise problems.Problem(
                422,
                "idempotency_mismatch",
                _("This Idempotency-Key was already used for another request."),
            ) from None
        if first.status is None:
            raise problems.Problem(
                409,
                "conflict",
                _("The first request with this Idempotency-Key is still running; retry later."),
            ) from None
        response = Response(first.body, status=first.status)
        if first.status >= 400:
            response.content_type = problems.CONTENT_TYPE
        response[REPLAYED] = "true"
        return response
    try:
        response = act()
    except exceptions.APIException as exc:
        handled = problems.exception_handler(exc, {"request": request})
        assert handled is not None
        response = handled
    except BaseException:
        record.delete()
        raise
    if response.status_code >= 500:
        record.delete()
        return response
    record.status = response.status_code
    record.body = _to_json(response.data)
    record.save(update_fields=["status", "body"])
    return response
