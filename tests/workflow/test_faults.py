"""Faults injected for real, and what must hold after them: a Redis of the test's own killed
with work queued on it, a Celery worker killed with SIGKILL mid-render, the database backend
of a render terminated, two renders of one receipt at once, a mail server that refuses.

After each, once the sweeps have run: every e-mail due sent once per recipient, every
receipt with its PDF, and no file in the receipts folder that no receipt names.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core.enums import Role, Stage
from notifications.models import Email
from notifications.services import outbox_sweep
from receipts.models import Receipt
from receipts.services import receipt_files_unreferenced
from receipts.tasks import receipt_pdf_name, render_missing_receipts, render_receipt_pdf
from submissions.models import Submission
from workflow.models import AuditRecord

from .. import redis_server
from ..cast import Cast, drive_to
from ..helpers import race
from .test_background import _use_broker

pytestmark = pytest.mark.django_db(transaction=True)
BIN = Path(sys.executable).parent
LATER = datetime.timedelta(minutes=10)  # past every hand-off grace and "sending" timeout


def _wait_for(condition: Any, seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {seconds:.0f} s")


@pytest.fixture
def own_redis(tmp_path: Path, settings: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A Redis of this test's own that keeps nothing on disk, as the broker."""
    from config.celery import app

    port = redis_server.free_port()
    proc = redis_server.start(port=port, folder=tmp_path)
    url = f"redis://127.0.0.1:{port}/0"
    settings.CELERY_BROKER_URL = url
    settings.RECEIPT_RENDERING = "auto"
    _use_broker(app, url)
    proc.url = url  # type: ignore[attr-defined]
    try:
        yield proc
    finally:
        app.conf.update(task_always_eager=True)
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _queued(url: str) -> int:
    import redis

    return int(redis.Redis.from_url(url).llen("celery"))


def _catch_up(settings: Any) -> None:
    """What cron runs where there is no broker: the receipts' and the outbox's sweeps."""
    settings.CELERY_BROKER_URL = ""
    render_missing_receipts(older_than_seconds=0)
    outbox_sweep(now=timezone.now() + LATER)


def _assert_nothing_lost(submissions: list[Submission]) -> None:
    receipts = list(Receipt.objects.filter(submission__in=submissions))
    records = AuditRecord.objects.filter(submission__in=submissions).count()
    assert len(receipts) == records
    assert [r.display_number for r in receipts if not r.pdf] == []
    for receipt in receipts:
        assert receipt.pdf.name == receipt_pdf_name(receipt)
        with receipt.pdf.open("rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == receipt.pdf_sha256
    assert receipt_files_unreferenced() == []
    emails = Email.objects.filter(record__submission__in=submissions)
    assert emails.count() >= records  # every step of the path tells somebody
    assert list(emails.exclude(status=Email.Status.SENT).values_list("to", "status")) == []
    call_command("verify_receipts", "--files", stdout=io.StringIO())


def test_work_queued_on_a_broker_that_dies_is_sent_and_rendered_by_the_sweeps(
    own_redis: Any, settings: Any, hanoi: Submission, cast: Cast
) -> None:
    """The step commits, its e-mail and PDF tasks go to Redis, Redis is killed (nothing on
    disk): the outbox row and the receipt without PDF remain, and the sweeps finish them."""
    cast(Role.DRAFTER)
    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    assert _queued(own_redis.url) == 2  # the e-mail and the receipt
    own_redis.send_signal(signal.SIGKILL)
    own_redis.wait()

    email = Email.objects.get(record__submission=hanoi)
    assert (email.to, email.status, mail.outbox) == (
        "hn.department_reviewer@example.vn",
        Email.Status.PENDING,
        [],
    )
    # Before its hand-off's grace has passed, the sweep leaves it to the hand-off.
    assert outbox_sweep().due == 0

    _catch_up(settings)
    assert [m.to for m in mail.outbox] == [["hn.department_reviewer@example.vn"]]
    assert outbox_sweep(now=timezone.now() + 2 * LATER).due == 0  # sent once
    _assert_nothing_lost([hanoi])


def test_a_worker_killed_mid_render_loses_no_receipt_and_no_e_mail(
    own_redis: Any, settings: Any, hanoi: Submission, danang: Submission, cast: Cast
) -> None:
    cast(Role.DRAFTER)
    for submission in (hanoi, danang):
        drive_to(submission, Stage.MINISTRY_CHECK, cast)
    assert _queued(own_redis.url) == 12  # six e-mails, six receipts
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": "faults-test-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
        f"/{database['NAME']}",
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SIGNING_P12_PATH": str(settings.SIGNING_P12_PATH),
        "SIGNING_P12_PASSWORD": settings.SIGNING_P12_PASSWORD,
        "CELERY_BROKER_URL": own_redis.url,
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen(  # noqa: S603
        [str(BIN / "celery"), "-A", "config", "worker", "--concurrency", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # A render holds its receipt's row lock while it draws and signs: kill it then.
        _wait_for(lambda: _rendering_backend(database["NAME"]), 90, "a render under way")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    unrendered = Receipt.objects.filter(submission__in=[hanoi, danang], pdf="").count()
    assert unrendered >= 1
    # Until PostgreSQL sees the dead worker's connection close, its receipt stays locked and
    # a sweep skips it (the next one renders it): wait for that, as the next sweep would.
    _wait_for(lambda: _rendering_backend(database["NAME"]) is None, 30, "the lock released")

    _catch_up(settings)
    _assert_nothing_lost([hanoi, danang])


def _rendering_backend(database: str) -> int | None:
    """The PostgreSQL backend of a render in progress (it holds the receipt's row lock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
            " AND state = 'idle in transaction'",
            [database],
        )
        row = cursor.fetchone()
    return row[0] if row else None


@pytest.fixture
def unrendered(settings: Any, hanoi: Submission, cast: Cast) -> Receipt:
    """Hà Nội signed off, its sign-off receipt (with the report inside) not rendered yet."""
    settings.RECEIPT_RENDERING = "off"
    drive_to(hanoi, Stage.MINISTRY_CHECK, cast)
    settings.RECEIPT_RENDERING = "inline"
    return Receipt.objects.get(submission=hanoi, action="sign")


def test_two_renders_of_one_receipt_at_once_make_one_signed_file(unrendered: Receipt) -> None:
    """The worker and the catch-up take the same receipt together."""
    results = race(
        lambda: render_receipt_pdf(unrendered.pk), lambda: render_receipt_pdf(unrendered.pk)
    )
    assert not [r for r in results if isinstance(r, Exception)]
    unrendered.refresh_from_db()
    assert unrendered.pdf.name == receipt_pdf_name(unrendered)
    folder = Path(unrendered.pdf.path).parent
    assert [p.name for p in folder.iterdir()] == [Path(unrendered.pdf.name).name]
    assert receipt_files_unreferenced() == []


def test_a_database_cut_while_rendering_leaves_no_signed_file_without_its_receipt(
    unrendered: Receipt, settings: Any
) -> None:
    """The render's backend is terminated while it signs: the render fails, and its retry
    records the file it had written (or writes it) rather than signing a second one."""
    from django.db import InterfaceError, OperationalError

    failure: list[BaseException] = []

    def render() -> None:
        try:
            render_receipt_pdf(unrendered.pk)
        except BaseException as exc:
            failure.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=render)
    thread.start()
    pid = _wait_for(
        lambda: _rendering_backend(settings.DATABASES["default"]["NAME"]), 30, "the render"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    thread.join(60)
    assert [type(e) for e in failure] in ([OperationalError], [InterfaceError])
    assert set(render_receipt_pdf.autoretry_for) >= {OperationalError, InterfaceError}

    unrendered.refresh_from_db()
    assert not unrendered.pdf
    written = Path(settings.MEDIA_ROOT) / receipt_pdf_name(unrendered)
    before = written.read_bytes() if written.exists() else None
    render_receipt_pdf(unrendered.pk)  # the retry
    unrendered.refresh_from_db()
    if before is not None:
        assert hashlib.sha256(before).hexdigest() == unrendered.pdf_sha256
    assert receipt_files_unreferenced() == []
    call_command("verify_receipts", "--files", stdout=io.StringIO())


def test_verify_receipts_names_a_file_no_receipt_references(unrendered: Receipt) -> None:
    from django.core.management import CommandError

    render_receipt_pdf(unrendered.pk)
    unrendered.refresh_from_db()
    stray = Path(unrendered.pdf.path).with_name("second-render.pdf")
    stray.write_bytes(Path(unrendered.pdf.path).read_bytes())
    with pytest.raises(CommandError, match=r"1 file.* that no receipt names: .*second-render"):
        call_command("verify_receipts", "--files", stdout=io.StringIO())


def test_the_sign_off_press_leaves_the_pdf_to_the_background(
    settings: Any, client: Any, hanoi: Submission, cast: Cast, caplog: Any
) -> None:
    """No broker: the press answers after its database work; the receipt with the report is
    rendered by the web process's background thread, not in the request."""
    drive_to(hanoi, Stage.PROVINCIAL_SIGNOFF, cast)
    settings.RECEIPT_RENDERING = "auto"
    settings.CELERY_BROKER_URL = ""
    client.force_login(cast(Role.PROVINCIAL_SIGNATORY))
    caplog.set_level(logging.INFO, logger="receipts.tasks")
    response = client.post(
        f"/submissions/{hanoi.pk}/decide/",
        {"action": "sign", "expected_stage": Stage.PROVINCIAL_SIGNOFF},
    )
    assert response.status_code == 302
    receipt = Receipt.objects.get(submission=hanoi, action="sign")

    def rendered() -> bool:
        receipt.refresh_from_db()
        return bool(receipt.pdf)

    _wait_for(rendered, 60, "the sign-off receipt's PDF")
    (record,) = [r for r in caplog.records if f"{receipt.display_number} rendered" in r.message]
    assert record.threadName.startswith("receipts")


def test_a_mail_server_that_refuses_is_retried_and_shown_to_the_coordinator(
    settings: Any, client: Any, hanoi: Submission, cast: Cast
) -> None:
    cast(Role.MINISTRY_COORDINATOR)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = (
        "127.0.0.1",
        redis_server.free_port(),
    )  # nothing listens
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    drive_to(hanoi, Stage.DEPARTMENT_REVIEW, cast)
    email = Email.objects.get(record__submission=hanoi)
    assert (email.status, email.attempts) == (Email.Status.PENDING, 1)
    assert "ConnectionRefusedError" in email.last_error

    client.force_login(cast(Role.MINISTRY_COORDINATOR))
    page = client.get("/monitor/emails/?status=pending").content.decode()
    assert "hn.department_reviewer@example.vn" in page
    assert "ConnectionRefusedError" in page

    # Retried after its pause; once the server takes it, it is sent and not again.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_sweep(now=timezone.now() + datetime.timedelta(minutes=1)).sent == 0
    assert outbox_sweep(now=timezone.now() + LATER).sent == 1
    assert outbox_sweep(now=timezone.now() + 2 * LATER).due == 0
    assert [m.to for m in mail.outbox] == [["hn.department_reviewer@example.vn"]]
    page = client.get("/monitor/emails/").content.decode()
    assert "Đã gửi" in page

    client.force_login(cast(Role.DRAFTER))
    assert client.get("/monitor/emails/").status_code == 404
