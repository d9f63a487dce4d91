"""Webhooks against a real HTTP server on 127.0.0.1 (no mocks): the signature, retries with
back-off and the delivery log, and the host allow-list at registration and at sending."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine

from api import tasks, webhooks
from api.models import Webhook, WebhookDelivery
from core import clock
from core.enums import Role, Stage
from submissions.models import Submission

from ..cast import Cast, drive_to
from .conftest import problem

SECRET = "a-secret-of-sixteen-or-more"


class Receiver:
    """What the local server was sent, and what it answers next (a list of statuses)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: list[int] = []
        self.redirect_to = ""


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, int]]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", state.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def allowed(settings: Any) -> None:
    settings.API_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.API_WEBHOOK_TIMEOUT = 5.0


def _register(api_as: Any, cast: Cast, url: str, events: list[str]) -> Any:
    return api_as(cast(Role.MINISTRY_COORDINATOR)).post(
        "/api/v1/webhooks/", {"url": url, "secret": SECRET, "events": events}, format="json"
    )


def _verify(request: dict[str, Any]) -> dict[str, Any]:
    """What a receiver does: check the signature over the timestamp and the raw body."""
    fields = dict(p.split("=", 1) for p in request["headers"]["Webhook-Signature"].split(","))
    expected = hmac.new(
        SECRET.encode(), f"{fields['t']}.".encode() + request["body"], hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(fields["v1"], expected)
    payload: dict[str, Any] = json.loads(request["body"])
    return payload


def test_stage_change_and_receipt_are_sent_signed_after_commit(
    api_as: Any,
    hanoi: Submission,
    cast: Cast,
    allowed: None,
    receiver: tuple[Receiver, int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    state, port = receiver
    made = _register(
        api_as, cast, f"http://127.0.0.1:{port}/hook", ["stage.changed", "receipt.issued"]
    )
    assert made.status_code == 201, made.content
    assert "secret" not in made.json()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    # Nothing was sent inside the transaction: the deliveries wait for the commit.
    assert state.requests == []
    assert WebhookDelivery.objects.filter(status="pending").count() == 2
    for callback in callbacks:
        callback()
    events = sorted(_verify(r)["event"] for r in state.requests)
    assert events == ["receipt.issued", "stage.changed"]
    stage = next(_verify(r) for r in state.requests if _verify(r)["event"] == "stage.changed")
    assert stage["data"]["to_stage"] == Stage.DEPARTMENT_REVIEW
    assert stage["data"]["unit"] == "01"
    receipt = next(_verify(r) for r in state.requests if _verify(r)["event"] == "receipt.issued")
    assert "/verify/" in receipt["data"]["verification_url"]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    log = api_as(cast(Role.MINISTRY_COORDINATOR)).get(
        f"/api/v1/webhooks/{made.json()['id']}/deliveries/"
    )
    assert [d["status"] for d in log.json()["results"]] == ["delivered", "delivered"]


def test_failure_is_retried_with_backoff_and_logged(
    api_as: Any, cast: Cast, allowed: None, receiver: tuple[Receiver, int]
) -> None:
    state, port = receiver
    _register(api_as, cast, f"http://127.0.0.1:{port}/hook", ["version.made"])
    state.answers = [500, 503]
    with time_machine.travel(clock.now(), tick=False) as traveller:
        ids = webhooks.deliveries_create("version.made", {"version": 1})
        tasks.deliver_webhook(ids[0])
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "pending",
            1,
            500,
        )
        assert delivery.next_attempt_at == clock.now() + datetime.timedelta(minutes=1)
        assert tasks.sweep_webhooks() == 0  # not due yet
        traveller.shift(datetime.timedelta(minutes=1))
        assert tasks.sweep_webhooks() == 1
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.last_status_code) == (2, 503)
        assert delivery.next_attempt_at == clock.now() + datetime.timedelta(minutes=2)
        traveller.shift(datetime.timedelta(minutes=2))
        tasks.sweep_webhooks()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    ids_sent = {r["headers"]["Webhook-Id"] for r in state.requests}
    assert len(state.requests) == 3 and ids_sent == {str(delivery.event_id)}


def test_gives_up_after_the_last_attempt(
    settings: Any, api_as: Any, cast: Cast, allowed: None, receiver: tuple[Receiver, int]
) -> None:
    settings.API_WEBHOOK_MAX_ATTEMPTS = 2
    state, port = receiver
    _register(api_as, cast, f"http://127.0.0.1:{port}/hook", ["version.made"])
    state.answers = [500, 500, 500]
    ids = webhooks.deliveries_create("version.made", {"version": 1})
    webhooks.attempt(ids[0])
    WebhookDelivery.objects.update(next_attempt_at=clock.now())
    webhooks.attempt(ids[0])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 2, None)
    assert webhooks.attempt(ids[0]) is None and len(state.requests) == 2


def test_redirect_is_not_followed(
    api_as: Any, cast: Cast, allowed: None, receiver: tuple[Receiver, int]
) -> None:
    state, port = receiver
    _register(api_as, cast, f"http://127.0.0.1:{port}/hook", ["version.made"])
    state.answers = [302]
    state.redirect_to = f"http://127.0.0.1:{port}/elsewhere"
    ids = webhooks.deliveries_create("version.made", {"version": 1})
    delivery = webhooks.attempt(ids[0])
    assert delivery is not None and delivery.last_status_code == 302
    assert delivery.status == "pending"
    assert [r["path"] for r in state.requests] == ["/hook"]


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:{port}/",  # a name the list does not hold
        "http://127.1:{port}/",
        "http://2130706433:{port}/",
        "http://0x7f.0.0.1:{port}/",
        "http://0177.0.0.1:{port}/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://127.0.0.1@evil.example:{port}/",
        "http://evil.example#@127.0.0.1:{port}/",
        "ftp://127.0.0.1:{port}/",
        "file:///etc/passwd",
    ],
)
def test_registration_refuses_hosts_not_allowed(
    api_as: Any, cast: Cast, allowed: None, receiver: tuple[Receiver, int], url: str
) -> None:
    _state, port = receiver
    response = _register(api_as, cast, url.format(port=port), ["version.made"])
    assert response.status_code == 400, response.content
    assert problem(response)["errors"][0]["field"] == "url"
    assert not Webhook.objects.exists()


def test_sending_checks_the_allow_list_again(
    settings: Any, api_as: Any, cast: Cast, allowed: None, receiver: tuple[Receiver, int]
) -> None:
    state, port = receiver
    _register(api_as, cast, f"http://127.0.0.1:{port}/hook", ["version.made"])
    settings.API_WEBHOOK_ALLOWED_HOSTS = ["hooks.example.vn"]
    ids = webhooks.deliveries_create("version.made", {"version": 1})
    delivery = webhooks.attempt(ids[0])
    assert delivery is not None and delivery.status == "failed"
    assert "127.0.0.1" in delivery.last_error
    assert state.requests == []


def test_only_coordinators_register(api_as: Any, cast: Cast, allowed: None) -> None:
    response = api_as(cast(Role.MINISTRY_CHECKER)).post(
        "/api/v1/webhooks/",
        {"url": "http://127.0.0.1/", "secret": SECRET, "events": ["version.made"]},
        format="json",
    )
    assert response.status_code == 404
