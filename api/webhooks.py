"""Webhooks: where they may go, how they are signed, sent and retried.

Only hosts an administrator lists in ``API_WEBHOOK_ALLOWED_HOSTS`` are ever contacted: a URL
is checked when it is registered and again before every attempt (the list may have
shrunk). The host must equal an entry exactly, as written in the URL: no user-info part
("http://allowed@elsewhere/"), and an address only in its canonical form, so "127.1",
"2130706433" or "0x7f.0.0.1" never pass for an allowed "127.0.0.1". Redirects are never
followed (http.client does not follow them; a 3xx is a failed attempt).

Each attempt POSTs the JSON payload with ``Webhook-Signature: t=<unix time>,v1=<hex>``,
the HMAC-SHA256 of ``"<t>.<body>"`` with the webhook's secret, ``Webhook-Event`` and
``Webhook-Id`` (the same for every retry of an event, so a receiver can drop repeats).
A failed attempt is tried again after 1, 2, 4, 8 ... minutes, ``API_WEBHOOK_MAX_ATTEMPTS``
times in all; each attempt's outcome stays in the delivery log.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import http.client
import ipaddress
import json
import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.utils.encoders import JSONEncoder

from core import clock

from .models import Webhook, WebhookDelivery

SIGNATURE_HEADER = "Webhook-Signature"
NUMERIC_HOST = re.compile(r"^[0-9a-fA-FxX.]+$")


class HostRefused(Exception):
    """The URL may not be contacted; the message says why, in the user's language."""


def allowed_hosts() -> set[str]:
    return {h.strip().lower().rstrip(".") for h in settings.API_WEBHOOK_ALLOWED_HOSTS if h.strip()}


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL that may be contacted; HostRefused otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise HostRefused(_("This is not a valid URL.")) from None
    if parts.scheme not in ("http", "https"):
        raise HostRefused(_("Only http and https URLs are allowed."))
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise HostRefused(_("The URL may not carry a user name or password."))
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise HostRefused(_("The URL has no host."))
    try:
        canonical = str(ipaddress.ip_address(host))
    except ValueError:
        canonical = ""
        if NUMERIC_HOST.match(host) and not re.search(r"[g-wyzG-WYZ]", host):
            # Digits, dots, hex: an address in a form only some resolvers read.
            raise HostRefused(_("Write an address in its usual form.")) from None
    if canonical and canonical != host:
        raise HostRefused(_("Write an address in its usual form."))
    if host not in allowed_hosts():
        raise HostRefused(
            _("The host %(host)s is not among the hosts an administrator allows for webhooks.")
            % {"host": host}
        )
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def deliveries_create(event: str, payload: dict[str, Any]) -> list[int]:
    """A pending delivery for every active webhook that takes ``event``, written in the
    caller's transaction (a step that rolls back sends nothing); api.tasks.enqueue has them
    sent once that transaction commits."""
    hooks = [h for h in Webhook.objects.filter(active=True) if event in h.events]
    if not hooks:
        return []
    now = clock.now()
    body = json.loads(json.dumps(payload, cls=JSONEncoder))
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook=h, event=event, payload=body, created_at=now, next_attempt_at=now)
        for h in hooks
    )
    return [d.pk for d in deliveries]


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4, 8 ... minutes, at most a day."""
    return datetime.timedelta(minutes=min(2 ** (attempts - 1), 24 * 60))


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    scheme, host, port = check_url(url)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = float(settings.API_WEBHOOK_TIMEOUT)
    connection: http.client.HTTPConnection = (
        http.client.HTTPSConnection(host, port, timeout=timeout)
        if scheme == "https"
        else http.client.HTTPConnection(host, port, timeout=timeout)
    )
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        return response.status
    finally:
        connection.close()


def attempt(delivery_pk: int) -> WebhookDelivery | None:
    """Send one pending delivery once; record the outcome and when to try again."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("webhook")
            .filter(pk=delivery_pk, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return None  # delivered, given up, or another worker holds it
        hook = delivery.webhook
        body = json.dumps(
            {"id": str(delivery.event_id), "event": delivery.event, "data": delivery.payload},
            ensure_ascii=False,
        ).encode()
        timestamp = int(clock.now().timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "pheduyet-webhooks/1",
            SIGNATURE_HEADER: signature(hook.secret, timestamp, body),
            "Webhook-Event": delivery.event,
            "Webhook-Id": str(delivery.event_id),
        }
        delivery.attempts += 1
        status: int | None = None
        error = ""
        try:
            if not hook.active:
                raise HostRefused(_("The webhook was switched off."))
            status = _post(hook.url, body, headers)
            if not 200 <= status < 300:
                error = _("The receiver answered HTTP %(status)s.") % {"status": status}
        except HostRefused as exc:
            error = str(exc)
            delivery.attempts = max(delivery.attempts, int(settings.API_WEBHOOK_MAX_ATTEMPTS))
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
        now = clock.now()
        delivery.last_status_code = status
        delivery.last_error = error[:2000]
        if not error:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif delivery.attempts >= int(settings.API_WEBHOOK_MAX_ATTEMPTS):
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save()
    return delivery


def due_deliveries(now: datetime.datetime | None = None) -> list[int]:
    now = now or clock.now()
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        ).values_list("pk", flat=True)[:500]
    )
