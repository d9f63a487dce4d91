"""Receipt PDFs and e-mails on a real Celery worker with the Redis broker, after the transition
commits."""

from __future__ import annotations

import os
import socket
import time
from typing import Any

import pytest
from django.core import mail

from campaigns.models import Campaign
from core.enums import Action, Role, Stage
from receipts.models import Receipt
from workflow.services import submission_start, submission_transition

from ..cast import fill_complete, make_cast
from ..helpers import submit_through_the_page

pytestmark = pytest.mark.django_db(transaction=True)
BROKER = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def worker(settings: Any) -> Any:
    if not _redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.CELERY_BROKER_URL = BROKER
    settings.RECEIPT_RENDERING = "auto"
    _use_broker(app, BROKER)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield app
    finally:
        app.conf.update(task_always_eager=True)


def _use_broker(app: Any, url: str) -> None:
    """Point the Celery app at ``url``, queuing for real. The app keeps the connection and
    producer pools it made for the address it had; kombu makes new ones for a new one."""
    app.conf.update(broker_url=url, result_backend=None, task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None


def test_the_worker_renders_the_receipt_after_commit(
    worker: Any, campaign: Campaign, make_user: Any
) -> None:
    submission = submission_start(campaign=campaign, unit=campaign.units.get(code="01"))
    cast = make_cast(make_user)
    fill_complete(submission, cast(Role.DRAFTER))
    record = submission_transition(
        actor=cast(Role.DRAFTER),
        submission=submission,
        action=Action.SUBMIT,
        expected_stage=Stage.DRAFTING,
    )
    deadline = time.monotonic() + 30
    receipt = Receipt.objects.get(record=record)
    while not receipt.pdf and time.monotonic() < deadline:
        time.sleep(0.2)
        receipt.refresh_from_db()
    assert receipt.pdf, "the worker did not render the receipt within 30 s"
    with receipt.pdf.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
    # The e-mail to the department went through the worker as well.
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [m.to for m in mail.outbox] == [["hn.department_reviewer@example.vn"]]


@pytest.fixture
def broker_down(settings: Any) -> Any:
    """A broker address where nothing listens: Redis stopped, or unreachable."""
    from config.celery import app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"redis://127.0.0.1:{port}/0"
    settings.CELERY_BROKER_URL = url
    settings.RECEIPT_RENDERING = "auto"
    _use_broker(app, url)
    try:
        yield url
    finally:
        app.conf.update(task_always_eager=True)


def test_a_broker_that_is_down_does_not_lose_the_step_its_receipt_or_its_mail(
    broker_down: str, campaign: Campaign, make_user: Any, client: Any, caplog: Any
) -> None:
    """The transition has committed when the broker is found down: the drafter sees it done,
    the e-mail is sent in the request and the PDF rendered in the web process's background
    instead of queued."""
    submission = submission_start(campaign=campaign, unit=campaign.units.get(code="01"))
    cast = make_cast(make_user)
    fill_complete(submission, cast(Role.DRAFTER))

    receipt = submit_through_the_page(client, submission, cast(Role.DRAFTER))

    deadline = time.monotonic() + 30
    while not receipt.pdf and time.monotonic() < deadline:
        time.sleep(0.2)
        receipt.refresh_from_db()
    with receipt.pdf.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert [m.to for m in mail.outbox] == [["hn.department_reviewer@example.vn"]]
    assert "broker unreachable" in caplog.text
