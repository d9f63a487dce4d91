"""make faults: gunicorn and Celery with the production settings, faults injected for real.

Starts its own Redis (a redis-server on a free loopback port that keeps nothing on disk, so
it can be stopped and started), the database ``workflow_faults`` (dropped and recreated),
a Celery worker and gunicorn (config.settings.prod, deploy/gunicorn.conf.py), 16 provinces'
submissions filled complete, and people who press buttons over HTTP as a browser does (the
login form, CSRF, ``X-Forwarded-Proto: https``). Then, one after the other:

1. worker: 8 drafters submit at once; the Celery worker is killed with SIGKILL while it
   renders a receipt, and started again.
2. redis: Redis is stopped for 20 s while 8 people press buttons, then started again (empty).
3. database: 8 people press buttons for 20 s while every database backend of
   ``workflow_faults`` is terminated four times (pg_terminate_backend).
4. press: 8 people press the same "approve" on one submission at the same moment.

After each, the catch-up runs as cron would (``render_missing_receipts`` and the outbox
sweep, right away rather than at their next tick), and it prints: requests made and failed;
transitions the people were told were done, audit records and receipts of the phase; e-mails
due (outbox rows) and sent; receipts with their PDF; files in the receipts folder that no
receipt names; how long the catch-up took. The exit status is non-zero when one does not
hold. About four minutes; logs in var/faults/.

    make faults          # or: .venv/bin/python -m benchmarks.faults
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import re
import signal
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from tests import redis_server

from . import load
from .scratch import measured_campaign

STATE = load.BASE_DIR / "var" / "faults"
DB_NAME = "workflow_faults"
PROVINCES = 16
PEOPLE = 8
PASSWORD = "faults-accounts-only"  # noqa: S105 - accounts of a scratch database on loopback
# Each press walks a submission one step on, round the path and back to drafting.
CYCLE = [
    ("drafting", "submit", "drafter", ""),
    ("department_review", "approve", "department_reviewer", ""),
    ("provincial_signoff", "sign", "provincial_signatory", ""),
    ("ministry_check", "accept", "ministry_checker", ""),
    ("consolidation", "consolidate", "ministry_coordinator", ""),
    ("consolidated", "reopen", "ministry_coordinator", "Mở lại để kiểm thử sự cố."),
]
ORDER = [stage for stage, *_ in CYCLE]
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# benchmarks.load's process handling, pointed at this run's own folder and database.
load.STATE = STATE
load.DB_NAME = DB_NAME


def say(message: str) -> None:
    load.say(f"faults: {message}")


class Redis:
    """A redis-server of our own that keeps nothing on disk: stopping it loses its queue."""

    def __init__(self) -> None:
        self.port = redis_server.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        try:
            self.proc = redis_server.start(port=self.port, folder=STATE, new_session=True)
        except RuntimeError as error:
            raise SystemExit(str(error)) from None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# --- People pressing buttons ------------------------------------------------------------


class Person:
    """One browser: logs in through the form, presses a decision, reads what the page said."""

    def __init__(self, url: str, username: str) -> None:
        import requests

        self.url, self.username = url, username
        self.http = requests.Session()
        self.http.headers.update({"X-Forwarded-Proto": "https", "Origin": f"https://{url[7:]}"})
        self.token = ""
        self.log_in()

    def log_in(self) -> None:
        import requests

        with contextlib.suppress(requests.RequestException):
            page = self.http.get(f"{self.url}/accounts/login/", timeout=60).text
            self._behind_the_proxy()
            self.http.post(
                f"{self.url}/accounts/login/",
                {
                    "username": self.username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": _token(page),
                },
                headers={"Referer": f"https://{self.url[7:]}/accounts/login/"},
                allow_redirects=False,
                timeout=60,
            )
            self._behind_the_proxy()
        self.token = self.http.cookies.get("csrftoken") or ""

    def _behind_the_proxy(self) -> None:
        # The production cookies are Secure; this client speaks HTTP to gunicorn, saying
        # X-Forwarded-Proto: https as nginx does (benchmarks.load_users does the same).
        for cookie in self.http.cookies:
            cookie.secure = False

    def press(self, pk: int, action: str, stage: str, reason: str = "") -> str:
        """'done', 'refused' (the page said why) or 'failed' (an error, no answer)."""
        import requests

        data = {"csrfmiddlewaretoken": self.token, "action": action, "expected_stage": stage}
        if reason:
            data["reason"] = reason
        try:
            response = self.http.post(
                f"{self.url}/submissions/{pk}/decide/",
                data,
                headers={"Referer": f"https://{self.url[7:]}/submissions/{pk}/"},
                allow_redirects=False,
                timeout=120,
            )
        except requests.RequestException:
            return "failed"
        if response.status_code != 302:
            return "failed"
        if "/accounts/login/" in response.headers.get("Location", ""):
            self.log_in()  # the login itself had failed (the database was cut): again
            return "failed"
        outcome = _outcome(response.cookies.get("messages"))
        self.http.cookies.set("messages", None)  # read: the next press gets its own
        self._behind_the_proxy()
        return outcome


def _outcome(cookie: str | None) -> str:
    """What the page would say, from the message Django put in the redirect's cookie (read
    with Django's own cookie storage: this process has the servers' secret key)."""
    from django.contrib import messages
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    decoded = CookieStorage(HttpRequest())._decode((cookie or "").strip('"')) or []  # type: ignore[attr-defined]
    levels = {message.level for message in decoded}
    if messages.SUCCESS in levels:
        return "done"
    return "refused" if messages.ERROR in levels else "failed"


def _token(page: str) -> str:
    match = _CSRF.search(page)
    return match.group(1) if match else ""


@dataclass
class Tally:
    outcomes: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: str) -> None:
        with self.lock:
            self.outcomes[outcome] += 1


Desk = dict[str, Person]  # one person's logged-in browser per role


def _desks(url: str) -> list[Desk]:
    """Everyone logged in before a fault starts, so a timed phase is spent pressing (a login
    is an Argon2 hash: a second on this machine)."""
    desks: list[Desk] = [{} for _ in range(PEOPLE)]

    def log_in(desk: Desk) -> None:
        for role in dict.fromkeys(role for _, _, role, _ in CYCLE):
            desk[role] = Person(url, f"faults.{role}")

    threads = [threading.Thread(target=log_in, args=(desk,)) for desk in desks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return desks


def _walk(desk: Desk, mine: list[int], seconds: float, tally: Tally) -> None:
    """One person's work: press the next step of each of their submissions in turn."""
    from django.db import DatabaseError, connection

    from submissions.models import Submission

    stages = dict(Submission.objects.filter(pk__in=mine).values_list("pk", "stage"))
    step = {stage: (action, role, reason) for stage, action, role, reason in CYCLE}
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline and mine:
        pk = mine[n % len(mine)]
        n += 1
        action, role, reason = step[stages[pk]]
        outcome = desk[role].press(pk, action, stages[pk], reason)
        tally.add(outcome)
        if outcome == "done":
            stages[pk] = ORDER[(ORDER.index(stages[pk]) + 1) % len(ORDER)]
        else:  # read where it stands before pressing again
            try:
                stages[pk] = Submission.objects.values_list("stage", flat=True).get(pk=pk)
            except DatabaseError:  # cut right now: a new connection next time
                connection.close()


def _people_press(desks: list[Desk], seconds: float, submissions: list[int]) -> Tally:
    tally = Tally()
    threads = [
        threading.Thread(target=_walk, args=(desk, submissions[i::PEOPLE], seconds, tally))
        for i, desk in enumerate(desks)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    from django.db import connections

    connections.close_all()
    return tally


# --- Figures ----------------------------------------------------------------------------


@dataclass
class Figures:
    fault: str
    requests: int
    failed: int
    told_done: int
    records: int
    receipts: int
    emails_due: int
    emails_sent: int
    pdfs: int
    orphans: int
    catch_up: float

    def ok(self) -> bool:
        # A request that failed may still have committed (the cut came after the commit,
        # before the answer): then there is a record the person was not told of.
        return (
            self.told_done <= self.records <= self.told_done + self.failed
            and self.records == self.receipts == self.pdfs
            and self.emails_due == self.emails_sent
            and self.orphans == 0
        )


def _phase_start() -> int:
    from workflow.models import AuditRecord

    return AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _catch_up(since: int, timeout: float = 240) -> float:
    """Run the sweeps as cron would, until every receipt has its PDF and every e-mail is sent."""
    from django.conf import settings
    from django.utils import timezone

    from notifications.models import Email
    from notifications.services import outbox_sweep
    from receipts.models import Receipt
    from receipts.tasks import render_missing_receipts

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        broker, settings.CELERY_BROKER_URL = settings.CELERY_BROKER_URL, ""
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                render_missing_receipts(older_than_seconds=0)
                # Past the hand-off's grace and the "sending" timeout: what a later tick finds.
                outbox_sweep(now=timezone.now() + datetime.timedelta(minutes=6))
        finally:
            settings.CELERY_BROKER_URL = broker
        left = (
            Receipt.objects.filter(record__pk__gt=since, pdf="").count()
            + Email.objects.filter(record__pk__gt=since).exclude(status=Email.Status.SENT).count()
        )
        if not left:
            break
        time.sleep(1)
    return time.monotonic() - started


def _figures(fault: str, tally: Tally, since: int, catch_up: float) -> Figures:
    from notifications.models import Email
    from receipts.models import Receipt
    from receipts.services import receipt_files_unreferenced
    from workflow.models import AuditRecord

    emails = Email.objects.filter(record__pk__gt=since)
    return Figures(
        fault=fault,
        requests=sum(tally.outcomes.values()),
        failed=tally.outcomes["failed"],
        told_done=tally.outcomes["done"],
        records=AuditRecord.objects.filter(pk__gt=since).count(),
        receipts=Receipt.objects.filter(record__pk__gt=since).count(),
        emails_due=emails.count(),
        emails_sent=emails.filter(status=Email.Status.SENT).count(),
        pdfs=Receipt.objects.filter(record__pk__gt=since).exclude(pdf="").count(),
        orphans=len(receipt_files_unreferenced()),
        catch_up=catch_up,
    )


def _print(rows: list[Figures]) -> None:
    print(
        f"\n{'fault':<44} {'requests':>8} {'failed':>6} {'told done':>9} {'records':>7}"
        f" {'receipts':>8} {'e-mails due':>11} {'sent':>5} {'PDFs':>5} {'orphans':>7}"
        f" {'catch-up':>8}  holds"
    )
    for r in rows:
        print(
            f"{r.fault:<44} {r.requests:>8} {r.failed:>6} {r.told_done:>9} {r.records:>7}"
            f" {r.receipts:>8} {r.emails_due:>11} {r.emails_sent:>5} {r.pdfs:>5}"
            f" {r.orphans:>7} {r.catch_up:>7.1f}s  {'yes' if r.ok() else 'NO'}"
        )


# --- The faults -------------------------------------------------------------------------


def _rendering_backend() -> bool:
    """A Celery render holds its receipt's row lock: its backend is idle in a transaction."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
            " AND state = 'idle in transaction' AND pid <> pg_backend_pid()",
            [DB_NAME],
        )
        return bool(cursor.fetchone()[0])


def _start_worker(stack: load.Stack, env: dict[str, str]) -> None:
    stack.start(
        "celery",
        [
            str(load.BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
        ],
        env,
    )


def fault_worker(url: str, stack: load.Stack, env: dict[str, str], drafting: list[int]) -> Figures:
    since = _phase_start()
    say("worker: 8 drafters submit at once; the worker is killed with SIGKILL mid-render")
    tally = Tally()
    people = [Person(url, "faults.drafter") for _ in range(PEOPLE)]
    threads = [
        threading.Thread(target=lambda p=p, pk=pk: tally.add(p.press(pk, "submit", "drafting")))
        for p, pk in zip(people, drafting[:PEOPLE], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deadline = time.monotonic() + 60
    while not (mid_render := _rendering_backend()) and time.monotonic() < deadline:
        time.sleep(0.02)
    if not mid_render:
        say("worker: no render seen under way in 60 s; killed all the same")
    worker = stack.procs["celery"]
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    stack.procs.pop("celery")
    _start_worker(stack, env)
    return _figures("worker killed (SIGKILL) mid-render", tally, since, _catch_up(since))


def fault_redis(desks: list[Desk], redis: Redis, submissions: list[int]) -> Figures:
    since = _phase_start()
    say("redis: stopped for 20 s while 8 people press buttons")
    redis.stop()
    tally = _people_press(desks, 20, submissions)
    redis.start()
    return _figures("Redis stopped 20 s while pressing", tally, since, _catch_up(since))


def fault_database(desks: list[Desk], submissions: list[int]) -> Figures:
    from django.db import connection

    since = _phase_start()
    say("database: 8 people press for 20 s; every backend terminated 4 times")
    result: list[Tally] = []
    pressing = threading.Thread(target=lambda: result.append(_people_press(desks, 20, submissions)))
    pressing.start()
    for _ in range(4):
        time.sleep(4.5)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [DB_NAME],
            )
    pressing.join()
    return _figures("database backends cut 4 times in 20 s", result[0], since, _catch_up(since))


def fault_press(url: str, pk: int) -> Figures:
    from submissions.models import Submission

    since = _phase_start()
    stage = Submission.objects.values_list("stage", flat=True).get(pk=pk)
    action, role = next((a, r) for s, a, r, _ in CYCLE if s == stage)
    say(f"press: 8 people press '{action}' on one submission at once")
    people = [Person(url, f"faults.{role}") for _ in range(PEOPLE)]
    barrier = threading.Barrier(PEOPLE)
    tally = Tally()

    def press(person: Person) -> None:
        barrier.wait()
        tally.add(person.press(pk, action, stage))

    threads = [threading.Thread(target=press, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures = _figures("8 simultaneous presses of one button", tally, since, _catch_up(since))
    if tally.outcomes["done"] != 1:
        figures.told_done = -tally.outcomes["done"]  # shown, and fails the check
    return figures


# --- The run ----------------------------------------------------------------------------


def _populate() -> list[int]:
    """People with every role on the provinces, and their submissions filled complete."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from core.enums import Role
    from tests.cast import fill_complete
    from workflow.services import role_grant, submission_start

    campaign = measured_campaign()
    units = list(campaign.units.order_by("code")[:PROVINCES])
    hashed = make_password(PASSWORD)
    people = {}
    for role in Role:
        user = User.objects.create(
            username=f"faults.{role.value}", password=hashed, email=f"{role.value}@faults.vn"
        )
        role_grant(user=user, role=role, units=[] if role == Role.MINISTRY_COORDINATOR else units)
        people[role] = user
    pks = []
    for unit in units:
        submission = submission_start(campaign=campaign, unit=unit)
        fill_complete(submission, people[Role.DRAFTER])
        pks.append(submission.pk)
    return pks


def main() -> None:
    STATE.mkdir(parents=True, exist_ok=True)
    redis = Redis()
    redis.start()
    port = load._free_port()
    url = f"http://127.0.0.1:{port}"
    env = load._environment(port)
    env.update(
        CELERY_BROKER_URL=redis.url,
        DJANGO_STATIC_ROOT=str(STATE / "static"),
        DJANGO_MEDIA_ROOT=str(STATE / "media"),
        SIGNING_P12_PATH=str(STATE / "signing.p12"),
        # The web's connections are cut too: let each request check its connection first.
        DJANGO_CONN_MAX_AGE="60",
    )
    stack = load.Stack()
    rows: list[Figures] = []
    try:
        load._setup_django(env)
        from django.core.management import call_command

        say(f"recreating database {DB_NAME}, migrating, loading reference data")
        load._recreate(DB_NAME)
        quiet = io.StringIO()
        call_command("migrate", "--noinput", verbosity=0, stdout=quiet)
        call_command("ensure_signing_key", stdout=quiet)
        call_command("load_reference_data", verbosity=0, stdout=quiet)
        call_command("collectstatic", "--noinput", verbosity=0, stdout=quiet)
        with contextlib.suppress(OSError):
            import shutil

            shutil.rmtree(STATE / "media")
        submissions = _populate()
        _start_worker(stack, env)
        gunicorn = stack.start(
            "gunicorn",
            [
                str(load.BIN / "gunicorn"),
                "-c",
                "deploy/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "4",
                "config.wsgi",
            ],
            env,
        )
        load._wait_ready(url, gunicorn)
        load._warm(url, 4)
        started = time.monotonic()
        rows.append(fault_worker(url, stack, env, submissions))
        desks = _desks(url)
        rows.append(fault_redis(desks, redis, submissions))
        rows.append(fault_database(desks, submissions))
        rows.append(fault_press(url, submissions[-1]))
        say(f"faults done in {time.monotonic() - started:.0f} s")
    finally:
        stack.stop_all()
        redis.stop()
    _print(rows)
    out = io.StringIO()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command("verify_receipts", "--files", stdout=out)
        verified = "; ".join(out.getvalue().strip().splitlines())
    except CommandError as exc:
        verified, rows[0].orphans = f"FAILED: {exc}", -1
    print(f"verify_receipts --files: {verified}")
    print(f"logs: {STATE}/gunicorn.log, celery.log; database {DB_NAME} kept")
    if not all(r.ok() for r in rows) or verified.startswith("FAILED"):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
