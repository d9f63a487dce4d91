"""Benchmark: simulated users against the production stack on this machine, for a minute.

What it does, in order:

1. Drops and recreates the PostgreSQL database ``workflow_load``, migrates it, loads the
   reference data, creates the people of every province (drafter, department reviewer,
   signatory for each of the 63), a ministry checker and a coordinator, and one "desk"
   account per simulated user holding its role on all 63 provinces. Starts the 63
   submissions, fills them complete and spreads them along the path through the real
   services, so every role has work from the first second.
2. Starts a Celery worker (Redis db 9, as deploy/compose.yaml runs it: concurrency 2),
   waits until it has rendered the receipts of step 1, and starts gunicorn on 127.0.0.1
   with ``config.settings.prod`` and deploy/gunicorn.conf.py (4 sync workers: 2 cores).
3. Runs locust headless (benchmarks/load_users.py): 8 users log in through the form and
   work their inboxes, looking at pages and pressing approve / sign / accept / return /
   consolidate / reopen, for 60 s.
4. Prints throughput and p50/p95 latency of page views and of transitions as the clients
   saw them, and the server's own time per request from gunicorn's request log; the CPU
   each part of the stack used, and what other processes on the machine took meanwhile.
5. Checks that no transition was lost or doubled (the transitions the users were told
   were done against the audit records, the campaign's receipt counter and the receipts;
   every process in exactly one open task, matching its submission's stage), that the
   receipt numbers run without gap or duplicate, and that every chain verifies
   (``manage.py verify_receipts --files``); reports how long the receipt PDFs took to
   catch up after the load stopped.
6. Stops the servers, copies the database, and in the copy profiles transitions in-process
   (cProfile, Django's query log) and times the bare database work of one transition: the
   statements submission_transition issues, replayed with psycopg2 in a loop, on one
   connection and on as many as there were users. Prints the bare rate and the ratio.

``workflow_load`` stays as the load left it (``DATABASE_URL=postgres://postgres@127.0.0.1/
workflow_load manage.py verify_receipts`` with the production env); logs and media are under
var/load/. Servers are stopped even when interrupted. Not a test: it prints figures, and
exits non-zero only when a consistency check fails.

    make load             # or: .venv/bin/python -m benchmarks.load [--seconds 60] [--users 8]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime
import hashlib
import io
import json
import math
import os
import pstats
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .scratch import campaign_code, measured_campaign

BASE_DIR = Path(__file__).resolve().parent.parent
STATE = BASE_DIR / "var" / "load"
BIN = Path(sys.executable).parent  # the virtualenv's bin, not the interpreter it links to
PG_URL = os.environ.get("LOAD_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "workflow_load"
COPY_NAME = "workflow_load_bare"
BROKER = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/9")
PASSWORD = "load-accounts-only"  # noqa: S105 - accounts of a scratch database on loopback
# The simulated users' roles, in the order they are handed out: pipeline-shaped, since a
# coordinator takes two steps per round (consolidate, reopen) and the drafters also resubmit
# what comes back.
# deploy/ gives the worker a quarter of the web's CPU weight (compose cpu_shares 256 of
# 1024, systemd CPUWeight=25 of 100), so PDFs wait while people wait for pages. The
# scheduler's weight at nice 6 is 272 against 1024 at nice 0: the nearest niceness.
WORKER_NICE = 6
DESK_ROLES = (
    "drafter",
    "department_reviewer",
    "provincial_signatory",
    "ministry_checker",
    "ministry_coordinator",
    "drafter",
    "department_reviewer",
    "ministry_coordinator",
)
TARGET_RATIO = 10  # HTTP transitions/s at least a tenth of the bare database rate
TARGET_PAGE_P95_MS = 500
BARE_SECONDS = 5.0
PDF_TIMEOUT_SECONDS = float(os.environ.get("LOAD_PDF_TIMEOUT", "900"))


def say(message: str) -> None:
    print(f"load: {message}", file=sys.stderr, flush=True)


# --- Processes ---------------------------------------------------------------------------


class Stack:
    """The processes this run starts, each in its own process group, stopped in reverse."""

    def __init__(self) -> None:
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: list[IO[bytes]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (STATE / f"{name}.log").open("wb")
        self.logs.append(log)
        proc = subprocess.Popen(  # noqa: S603 - our own virtualenv's executables
            args,
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = proc
        return proc

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop_all(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop(name)
        for log in self.logs:
            log.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}; see {STATE}/gunicorn.log")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:  # refused, reset, or timed out while a worker still starts
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not become ready in {seconds:.0f} s")


def _warm(url: str, workers: int) -> None:
    """A first request per worker imports the views and compiles templates: do it now."""

    def fetch() -> None:
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            f"{url}/accounts/login/", headers={"X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            response.read()

    for _ in range(3):
        threads = [threading.Thread(target=fetch) for _ in range(2 * workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _environment(port: int) -> dict[str, str]:
    """The production settings' environment (deploy/serve-prod.sh), for a scratch stack."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"{PG_URL}/{DB_NAME}",
        DJANGO_STATIC_ROOT=str(STATE / "static"),
        DJANGO_MEDIA_ROOT=str(STATE / "media"),
        SIGNING_P12_PATH=str(STATE / "signing.p12"),
        SIGNING_P12_PASSWORD="load-only",  # noqa: S106 - a throwaway self-signed key
        CELERY_BROKER_URL=BROKER,
        RECEIPT_RENDERING="auto",
        EMAIL_URL="consolemail://",
        SITE_URL=f"https://127.0.0.1:{port}",
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
    )
    env.pop("EMAIL_BACKEND", None)
    return env


def _admin_connection() -> Any:
    import psycopg2

    conn = psycopg2.connect(f"{PG_URL}/postgres")
    conn.autocommit = True
    return conn


def _recreate(name: str, template: str | None = None) -> None:
    """Drop and create one of this benchmark's own databases (never any other)."""
    assert name in (DB_NAME, COPY_NAME)
    conn = _admin_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if template:
                # Copying needs the template idle: the servers are stopped by now, but their
                # backends may take a moment to go.
                for attempt in range(20):
                    try:
                        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                        break
                    except Exception:
                        if attempt == 19:
                            raise
                        time.sleep(0.5)
            else:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def _drop(name: str) -> None:
    assert name == COPY_NAME
    conn = _admin_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def _flush_broker() -> None:
    import redis

    redis.Redis.from_url(BROKER).flushdb()


# --- CPU accounting ----------------------------------------------------------------------


class CpuMeter:
    """CPU seconds each part of the stack uses while the load runs, sampled from /proc."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, roots: dict[str, int], database: str) -> None:
        self.roots = roots  # part -> pid of the process whose descendants it is
        self.database = database
        self.kind: dict[int, str] = {}
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _busy() -> tuple[int, int]:
        # user nice system idle iowait irq softirq steal (guest time is inside user already)
        first = Path("/proc/stat").read_text().split("\n", 1)[0]
        fields = [int(v) for v in first.split()[1:9]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)

    def _processes(self) -> dict[int, tuple[int, int, str]]:
        found = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            comm = stat[stat.index("(") + 1 : stat.rindex(")")]
            rest = stat[stat.rindex(")") + 2 :].split()
            found[int(entry.name)] = (int(rest[1]), int(rest[11]) + int(rest[12]), comm)
        return found

    def _classify(self, pid: int, procs: dict[int, tuple[int, int, str]]) -> str:
        if procs[pid][2] == "postgres":
            try:
                title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                return "other"
            return "postgres" if f" {self.database} " in title else "other"
        seen, cursor = 0, pid
        while cursor > 1 and seen < 64:
            for part, root in self.roots.items():
                if cursor == root:
                    return part
            cursor = procs[cursor][0] if cursor in procs else 1
            seen += 1
        return "other"

    def _sample(self, initial: bool = False) -> None:
        procs = self._processes()
        for pid, (_, ticks, _) in procs.items():
            if pid not in self.kind:
                self.kind[pid] = self._classify(pid, procs)
                self.first[pid] = ticks if initial else 0
            self.last[pid] = ticks

    def _run(self) -> None:
        while not self.stopping.wait(0.5):
            self._sample()

    def start(self) -> None:
        self.started = time.monotonic()
        self.busy0, self.all0 = self._busy()
        self._sample(initial=True)
        self.thread.start()

    def stop(self) -> dict[str, float]:
        self.stopping.set()
        self.thread.join()
        self._sample()
        self.seconds = time.monotonic() - self.started
        busy1, all1 = self._busy()
        used: dict[str, float] = defaultdict(float)
        for pid, part in self.kind.items():
            if part != "other":
                used[part] += (self.last[pid] - self.first[pid]) / self.TICK
        cores = os.cpu_count() or 1
        # /proc/stat counts every CPU: scale its share to CPU seconds over the wall time.
        machine = (busy1 - self.busy0) / max(1, all1 - self.all0) * cores * self.seconds
        used["other"] = max(0.0, machine - sum(used.values()))
        used["machine"] = machine
        used["wall"] = self.seconds
        return dict(used)


# --- Figures -----------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


_SERVER_KINDS = (
    (re.compile(r"^/inbox/$"), "inbox"),
    (re.compile(r"^/submissions/\d+/$"), "detail"),
    (re.compile(r"^/submissions/\d+/appendix/$"), "appendix"),
    (re.compile(r"^/submissions/\d+/review/$"), "review"),
    (re.compile(r"^/submissions/\d+/decide/$"), "transition"),
    (re.compile(r"^/monitor/[^/]+/$"), "dashboard"),
    (re.compile(r"^/accounts/login/$"), "login"),
)


def _server_times(since: float, until: float = math.inf) -> dict[str, list[float]]:
    """The app's own time per request (core.logs.RequestLogMiddleware), by kind of page,
    for the requests logged between ``since`` and ``until`` (epoch seconds: the warm-up and
    the other phase are left out)."""
    times: dict[str, list[float]] = defaultdict(list)
    for line in (STATE / "gunicorn.log").read_text(errors="replace").splitlines():
        if '"pheduyet.request"' not in line:
            continue
        try:
            entry = json.loads(line)
            logged = datetime.datetime.fromisoformat(entry["time"]).timestamp()
        except (ValueError, KeyError):
            continue
        if not since <= logged <= until:
            continue
        kind = next((k for rx, k in _SERVER_KINDS if rx.match(entry.get("path", ""))), "other")
        times[kind].append(float(entry["duration_ms"]))
        if kind != "transition" and kind != "login":
            times["pages"].append(float(entry["duration_ms"]))
    return times


@dataclass
class LoadFigures:
    seconds: float
    by_name: dict[str, list[float]]
    failures: Counter[str]
    outcomes: dict[str, dict[str, int]]
    starts: dict[str, list[float]]
    began: float
    opened: float  # the first request, logins included

    def group(self, prefix: str) -> list[float]:
        return [t for name, ts in self.by_name.items() if name.startswith(prefix) for t in ts]

    def done(self) -> int:
        return sum(o.get("done", 0) for o in self.outcomes.values())

    def transitions_per_second(self) -> float:
        return self.done() / self.seconds

    def server_times(self) -> dict[str, list[float]]:
        # A line is logged when its response is done, after the request started: the
        # warm-up's lines are all older than the first simulated request.
        return _server_times(self.opened, self.began + self.seconds + 1)


def _read_results(path: Path) -> LoadFigures:
    data = json.loads(path.read_text())
    by_name: dict[str, list[float]] = defaultdict(list)
    starts: dict[str, list[float]] = defaultdict(list)
    failures: Counter[str] = Counter()
    spans = []
    for name, start, ms, ok in data["requests"]:
        by_name[name].append(ms)
        starts[name].append(start)
        if not ok:
            failures[name] += 1
        if not name.startswith("login"):
            spans.append((start, start + ms / 1000))
    if not spans:
        raise SystemExit(f"no simulated user got past the login: see {STATE}/locust-*.log")
    began = min(s for s, _ in spans)
    seconds = max(e for _, e in spans) - began
    opened = min(start for _, start, _, _ in data["requests"])
    return LoadFigures(seconds, by_name, failures, data["outcomes"], starts, began, opened)


def _row(label: str, times: list[float], seconds: float, server: list[float], failed: int) -> str:
    rate = f"{len(times) / seconds:8.1f}" if seconds else f"{'':>8}"
    srv = (
        f"{_pct(server, 0.5):>8.0f} {_pct(server, 0.95):>8.0f}" if server else f"{'-':>8} {'-':>8}"
    )
    return (
        f"{label:<24} {len(times):>6} {rate} {_pct(times, 0.5):>7.0f} {_pct(times, 0.95):>7.0f}"
        f" {max(times, default=math.nan):>7.0f} {srv} {failed:>6}"
    )


HEADER = (
    f"\n{'requests':<24} {'n':>6} {'per s':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
    f" {'srv p50':>8} {'srv p95':>8} {'failed':>6}"
)


def _transitions_row(figures: LoadFigures, server: dict[str, list[float]]) -> str:
    moves = [n for n in figures.by_name if n.startswith("transition: ")]
    return _row(
        "transitions (POST)",
        figures.group("transition: "),
        figures.seconds,
        server["transition"],
        sum(figures.failures[n] for n in moves),
    )


def _print_outcomes(figures: LoadFigures, refused: str) -> None:
    outcomes: Counter[str] = Counter()
    for counts in figures.outcomes.values():
        outcomes.update(counts)
    print(
        f"\ntransitions done: {outcomes['done']} = {figures.transitions_per_second():.1f}/s"
        f" ({outcomes['refused']} {refused}, {outcomes['unknown']} unknown,"
        f" {outcomes['error']} errors)"
    )
    per_action = ", ".join(f"{a} {c.get('done', 0)}" for a, c in sorted(figures.outcomes.items()))
    print(f"  done by action: {per_action}")


def _print_load(figures: LoadFigures, args: argparse.Namespace, cpu: dict[str, float]) -> None:
    server = figures.server_times()
    cores = os.cpu_count() or 1
    print(
        f"\nload: {args.users} users for {figures.seconds:.0f} s on loopback against gunicorn"
        f" ({args.workers} sync workers, config.settings.prod) and a Celery worker"
        f" (concurrency {args.concurrency}, nice {args.worker_nice});"
        f" PostgreSQL db {DB_NAME}, Redis {BROKER};"
        f" {cores} CPUs"
    )
    print(HEADER)
    pages = sorted(n for n in figures.by_name if n.startswith("page: "))
    moves = sorted(n for n in figures.by_name if n.startswith("transition: "))
    fail = figures.failures
    print(
        _row(
            "page views",
            figures.group("page: "),
            figures.seconds,
            server["pages"],
            sum(fail[n] for n in pages),
        )
    )
    for name in pages:
        kind = name.removeprefix("page: ")
        print(_row(f"  {kind}", figures.by_name[name], figures.seconds, server[kind], fail[name]))
    print(_transitions_row(figures, server))
    for name in moves:
        print(
            _row(f"  {name.removeprefix('transition: ')}", figures.by_name[name], 0, [], fail[name])
        )
    logins = figures.group("login")
    print(_row("logins (form + POST)", logins, 0, server["login"], fail["login: post"]))

    _print_outcomes(
        figures, "more refused because someone else had moved the submission or held its lock"
    )
    posts = sorted(s for n in moves for s in figures.starts[n])
    buckets = Counter(int((s - figures.began) // 10) for s in posts)
    flow = " ".join(str(buckets.get(i, 0)) for i in range(max(1, round(figures.seconds / 10))))
    print(f"  decisions posted per 10 s: {flow}")
    page_p95 = _pct(figures.group("page: "), 0.95)
    verdict = "met" if page_p95 <= TARGET_PAGE_P95_MS else "MISSED"
    print(f"  page views p95 {page_p95:.0f} ms: target <= {TARGET_PAGE_P95_MS} ms {verdict}")

    _print_cpu(cpu, args, sum(len(ts) for ts in figures.by_name.values()))


def _print_cpu(cpu: dict[str, float], args: argparse.Namespace, served: int) -> None:
    cores = os.cpu_count() or 1
    machine, wall = cpu["machine"], cpu["wall"]
    budget = cores * wall
    print(
        f"\nCPU from locust's start to its exit ({cores} CPUs x {wall:.0f} s"
        f" = {budget:.0f} CPU-s; the machine used {machine:.0f})"
    )
    labels = {
        "gunicorn": f"gunicorn ({args.workers} workers)",
        "postgres": f"PostgreSQL backends of {DB_NAME}",
        "celery": "Celery worker (receipt PDFs)",
        "locust": "locust (the simulated users)",
        "self": "this script (waiting, and sampling /proc twice a second)",
        "other": "everything else: Redis, the kernel, other people's test runs",
    }
    for part in ("gunicorn", "postgres", "celery", "locust", "self", "other"):
        used = cpu.get(part, 0.0)
        print(f"  {labels[part]:<62} {used:6.1f} CPU-s {used / budget:6.0%}")
    print(
        f"  per request served: gunicorn {cpu.get('gunicorn', 0) * 1000 / served:.0f} ms CPU,"
        f" PostgreSQL {cpu.get('postgres', 0) * 1000 / served:.0f} ms CPU"
    )


def _print_couriers(figures: LoadFigures, args: argparse.Namespace, cpu: dict[str, float]) -> None:
    server = figures.server_times()
    print(
        f"\nthen the same {args.users} users posting decisions only (Courier: no page views,"
        f" each decision one the server should accept) for {figures.seconds:.0f} s"
    )
    print(HEADER)
    print(_transitions_row(figures, server))
    _print_outcomes(figures, "refused")
    _print_cpu(cpu, args, sum(len(ts) for ts in figures.by_name.values()))


# --- The scratch data --------------------------------------------------------------------


@dataclass
class Baseline:
    records: int
    last_record_pk: int
    issued: int
    accounts: list[dict[str, str]] = field(default_factory=list)


def _populate(users: int) -> Baseline:
    """People, desks and the 63 submissions spread along the path, by the real services."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from core.enums import Role
    from tests.cast import PATH, fill_complete
    from workflow.services import role_grant, submission_start, submission_transition

    campaign = measured_campaign()
    units = list(campaign.units.order_by("code"))
    hashed = make_password(PASSWORD)  # one Argon2 hash for every account: a scratch database

    def person(username: str, name: str) -> User:
        first, _, last = name.partition(" ")
        return User.objects.create(
            username=username,
            password=hashed,
            first_name=first,
            last_name=last,
            email=f"{username}@load.example.vn",
        )

    people: dict[tuple[Role, str], User] = {}
    provincial = {
        Role.DRAFTER: "soanthao",
        Role.DEPARTMENT_REVIEWER: "lanhdaoso",
        Role.PROVINCIAL_SIGNATORY: "ubnd",
    }
    for unit in units:
        for role, suffix in provincial.items():
            user = person(f"{unit.code}.{suffix}", f"{role.label} {unit.name}")
            role_grant(user=user, role=role, units=[unit])
            people[(role, unit.code)] = user
    checker = person("load.kiemtra", "Chuyên viên Vụ NSNN")
    role_grant(user=checker, role=Role.MINISTRY_CHECKER, units=units)
    coordinator = person("load.dieuphoi", "Lãnh đạo Vụ NSNN")
    role_grant(user=coordinator, role=Role.MINISTRY_COORDINATOR, units=[])

    accounts, seen = [], Counter[str]()
    for i in range(users):
        role = Role(DESK_ROLES[i % len(DESK_ROLES)])
        seen[role.value] += 1
        username = f"load.{role.value}.{seen[role.value]}"
        role_grant(user=person(username, f"Bàn {username}"), role=role, units=units)
        accounts.append({"username": username, "password": PASSWORD, "role": role.value})

    for n, unit in enumerate(units):
        submission = submission_start(campaign=campaign, unit=unit)
        fill_complete(submission, people[(Role.DRAFTER, unit.code)])
        for stage, action, role in PATH[: n % (len(PATH) + 1)]:
            actor = people.get((role, unit.code)) or (
                checker if role == Role.MINISTRY_CHECKER else coordinator
            )
            submission_transition(
                actor=actor, submission=submission, action=action, expected_stage=stage
            )
    return _baseline(accounts)


def _baseline(accounts: list[dict[str, str]]) -> Baseline:
    """Where the records and the receipt counter stand before a phase of the load."""
    from workflow.models import AuditRecord

    campaign = measured_campaign()
    last = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return Baseline(AuditRecord.objects.count(), last, campaign.receipts_issued, accounts)


def _courier_knowledge() -> dict[str, str]:
    """What the couriers start from: every submission's stage, and each role's moves."""
    from submissions.models import Submission
    from workflow.transitions import TRANSITIONS

    submissions = Submission.objects.filter(campaign__code=campaign_code())
    stages = dict(submissions.values_list("pk", "stage"))
    moves: dict[str, dict[str, list[tuple[str, str, bool]]]] = defaultdict(dict)
    for transition in TRANSITIONS:
        moves[transition.role.value].setdefault(transition.source.value, []).append(
            (transition.action.value, transition.target.value, transition.needs_reason)
        )
    return {"LOAD_STAGES": json.dumps(stages), "LOAD_MOVES": json.dumps(moves)}


def _wait_rendered(timeout: float) -> tuple[bool, int]:
    from receipts.models import Receipt

    deadline = time.monotonic() + timeout
    while True:
        pending = Receipt.objects.filter(rendered_at__isnull=True).count()
        if pending == 0 or time.monotonic() > deadline:
            return pending == 0, pending
        time.sleep(0.5)


# --- Checks ------------------------------------------------------------------------------


def _checks(figures: LoadFigures, baseline: Baseline) -> list[tuple[str, str, bool]]:
    from django.db.models import Count
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from core.enums import Stage
    from receipts.models import Receipt
    from submissions.models import Submission
    from workflow.flows import SubmissionFlow
    from workflow.models import AuditRecord

    campaign = measured_campaign()
    told = figures.done()
    during = AuditRecord.objects.filter(pk__gt=baseline.last_record_pk)
    recorded = during.count()
    issued = campaign.receipts_issued - baseline.issued
    receipts = Receipt.objects.filter(record__pk__gt=baseline.last_record_pk).count()
    by_action = dict(during.values_list("action").annotate(n=Count("pk")).order_by())
    told_by_action = {a: c.get("done", 0) for a, c in figures.outcomes.items() if c.get("done")}
    without = AuditRecord.objects.filter(receipt__isnull=True).count()
    numbers = list(campaign.receipts.order_by("number").values_list("number", flat=True))
    expected = list(range(1, campaign.receipts_issued + 1))
    duplicates = len(numbers) - len(set(numbers))
    gaps = len(set(expected) - set(numbers))

    # The flow has one node per stage, named after it (workflow.flows).
    open_nodes = {getattr(SubmissionFlow, stage.value): stage for stage in Stage}
    mismatched = 0
    submissions = Submission.objects.filter(campaign=campaign).select_related("process")
    open_tasks: dict[int, list[Any]] = defaultdict(list)
    for task in Task.objects.filter(
        process__submissionprocess__submission__campaign=campaign,
        status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED],
    ):
        open_tasks[task.process_id].append(task)
    last_to = dict(
        AuditRecord.objects.order_by("submission_id", "-at", "-pk")
        .distinct("submission_id")
        .values_list("submission_id", "to_stage")
    )
    for submission in submissions:
        tasks = open_tasks[submission.process.pk]
        if (
            len(tasks) != 1
            or open_nodes.get(tasks[0].flow_task) != submission.stage
            or last_to.get(submission.pk, "drafting") != submission.stage
        ):
            mismatched += 1
    failed_requests = sum(figures.failures.values())
    unknown = sum(o.get("unknown", 0) + o.get("error", 0) for o in figures.outcomes.values())
    return [
        ("requests that failed (HTTP error, timeout)", f"{failed_requests}", failed_requests == 0),
        ("decisions whose outcome the page did not say", f"{unknown}", unknown == 0),
        ("transitions the users were told were done", f"{told}", True),
        (
            "audit records written during the load",
            f"{recorded}",
            recorded == told,
        ),
        (
            "  by action (users / audit records)",
            ", ".join(
                f"{a} {told_by_action.get(a, 0)}/{by_action.get(a, 0)}"
                for a in sorted(set(by_action) | set(told_by_action))
            ),
            by_action == told_by_action,
        ),
        ("receipt numbers issued during the load (counter)", f"{issued}", issued == told),
        ("receipts written during the load", f"{receipts}", receipts == told),
        ("audit records without a receipt (all)", f"{without}", without == 0),
        (
            f"receipt numbers 1..{campaign.receipts_issued}: gaps, duplicates",
            f"{gaps}, {duplicates}",
            gaps == 0 and duplicates == 0 and len(numbers) == len(expected),
        ),
        (
            "submissions whose stage, open task and last record disagree",
            f"{mismatched} of {len(submissions)}",
            mismatched == 0,
        ),
    ]


def _verify_receipts() -> tuple[str, bool]:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    try:
        call_command("verify_receipts", "--files", stdout=out)
    except CommandError as exc:
        return str(exc), False
    return "; ".join(out.getvalue().strip().splitlines()), True


# --- In-process profile of the transition --------------------------------------------------


@dataclass
class Profile:
    count: int
    wall_ms: list[float]
    plain_ms: list[float]
    queries: list[int]
    sql_ms: list[float]
    by_action: dict[str, list[int]]
    stats: pstats.Stats


def _clients(accounts: list[dict[str, str]]) -> dict[str, Any]:
    """A logged-in test client for the first desk of each role."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    clients: dict[str, Any] = {}
    for account in accounts:
        if account["role"] not in clients:
            client = Client()
            client.force_login(User.objects.get(username=account["username"]))
            clients[account["role"]] = client
    return clients


def _profile_pages(accounts: list[dict[str, str]]) -> dict[str, tuple[float, float, int]]:
    """The simulated users' pages, each as the role that opens it: median ms, queries, size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = _clients(accounts)
    pks = list(measured_campaign().submissions.order_by("pk").values_list("pk", flat=True))
    pages = {
        "inbox": ("department_reviewer", lambda pk: "/inbox/"),
        "detail": ("department_reviewer", lambda pk: f"/submissions/{pk}/"),
        "appendix": ("drafter", lambda pk: f"/submissions/{pk}/appendix/"),
        "review": ("department_reviewer", lambda pk: f"/submissions/{pk}/review/"),
        "dashboard": ("ministry_coordinator", lambda pk: f"/monitor/{campaign_code()}/"),
    }
    figures = {}
    for kind, (role, path) in pages.items():
        client = clients[role]
        client.get(path(pks[0]), secure=True)  # warm
        times, counts, size = [], [], 0
        for pk in pks[1:11]:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path(pk), secure=True)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (kind, response.status_code)
            counts.append(len(captured.captured_queries))
            size = len(response.content)
        figures[kind] = (statistics.median(times), statistics.median(counts), size)
    return figures


def _profile(accounts: list[dict[str, str]]) -> Profile:
    """One transition per submission as it stands, over Django's test client: every other
    one timed plainly, the others under cProfile and Django's query log."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.enums import Action
    from workflow.models import AuditRecord
    from workflow.transitions import transitions_from

    clients = _clients(accounts)
    campaign = measured_campaign()
    profile = cProfile.Profile()
    wall, plain, queries, sql = [], [], [], []
    by_action: dict[str, list[int]] = defaultdict(list)
    for n, submission in enumerate(campaign.submissions.order_by("pk")):
        transition = next(
            t for t in transitions_from(submission.stage) if t.action != Action.RETURN
        )
        data = {"action": transition.action, "expected_stage": submission.stage}
        if transition.needs_reason:
            data["reason"] = "Mở lại (đo đạc)."
        before = AuditRecord.objects.count()
        client = clients[transition.role.value]
        url = f"/submissions/{submission.pk}/decide/"
        if n % 2:  # plain: what a transition costs without the profiler's weight
            started = time.perf_counter()
            response = client.post(url, data, secure=True)
            plain.append((time.perf_counter() - started) * 1000)
        else:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                if n:  # the first one warms the caches
                    profile.enable()
                response = client.post(url, data, secure=True)
                profile.disable()
                elapsed = (time.perf_counter() - started) * 1000
            if n:
                wall.append(elapsed)
                queries.append(len(captured.captured_queries))
                sql.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
                by_action[transition.action].append(len(captured.captured_queries))
        assert response.status_code == 302, response.status_code
        assert AuditRecord.objects.count() == before + 1, f"{transition.action} was refused"
    profile.dump_stats(STATE / "transition.prof")
    stats = pstats.Stats(profile, stream=io.StringIO())
    return Profile(len(wall), wall, plain, queries, sql, dict(by_action), stats)


# The parts of a transition worth naming: (label, file, function); cumulative time, so an
# indented part is inside the one above it.
PROFILE_PARTS = (
    ("the request through Django's handler", "django/core/handlers/base.py", "get_response"),
    ("  the view (reviews.views.decide)", "reviews/views.py", "decide"),
    (
        "    access check (get_submission_for_user_or_404)",
        "workflow/access.py",
        "get_submission_for_user_or_404",
    ),
    ("    submission_transition", "workflow/services.py", "submission_transition"),
    ("      readiness of the content (submit only)", "submissions/readiness.py", "readiness_of"),
    ("      freeze: snapshot and digest", "workflow/services.py", "_freeze"),
    ("      find the open task", "workflow/services.py", "_active_task"),
    (
        "      viewflow: open the chosen branch's task",
        "viewflow/workflow/activation.py",
        "activate_next",
    ),
    ("      receipt_issue (number, chain, insert)", "receipts/services.py", "receipt_issue"),
    (
        "      e-mails to the next actors, written to the outbox",
        "notifications/recipients.py",
        "transition_mail_queue",
    ),
    ("      after commit: queue the receipt PDF on Redis", "celery/app/task.py", "apply_async"),
)
# Cross-cutting: where the time is spent whoever calls it.
PROFILE_KINDS = (
    (
        "waiting for PostgreSQL: statements",
        "~",
        "<method 'execute' of 'psycopg2.extensions.cursor' objects>",
    ),
    (
        "waiting for PostgreSQL: COMMIT",
        "~",
        "<method 'commit' of 'psycopg2.extensions.connection' objects>",
    ),
    ("the ORM compiling SQL (compiler.as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
    ("templates (render_to_string: e-mails)", "django/template/loader.py", "render_to_string"),
)


def _part_seconds(raw: dict[Any, Any], path: str, function: str) -> float:
    """Cumulative seconds of a function (its own seconds for a C function, path "~")."""
    total = 0.0
    for (file, _line, func), (_cc, _nc, tottime, cumtime, _callers) in raw.items():
        if func != function:
            continue
        if path == "~" and file == "~":
            total += tottime
        elif path != "~" and file.endswith(path):
            total += cumtime
    return total


def _print_profile(profile: Profile, pages: dict[str, tuple[float, float, int]]) -> None:
    n = profile.count
    print(
        f"\nwhere a transition's time goes: {n} transitions in-process on the copy (Django test"
        " client, production settings, no network, our servers stopped; cProfile slows"
        " Python code down, so read shares rather than absolute ms)"
    )
    print(
        f"  unprofiled wall {statistics.median(profile.plain_ms):.1f} ms median;"
        f" profiled {statistics.median(profile.wall_ms):.1f} ms;"
        f" {statistics.mean(profile.queries):.1f} SQL statements per request"
        f" ({statistics.mean(profile.sql_ms):.1f} ms by Django's query log)"
    )
    counts = ", ".join(
        f"{a} {statistics.median(q):.0f}" for a, q in sorted(profile.by_action.items())
    )
    print(f"  statements per request by action: {counts}")
    raw: dict[Any, Any] = profile.stats.stats  # type: ignore[attr-defined]
    print(f"  {'part (cumulative; indented parts are inside the one above)':<62} {'ms each':>8}")
    for label, path, function in PROFILE_PARTS + PROFILE_KINDS:
        if label.startswith("waiting for PostgreSQL: statements"):
            print("  across all of it:")
        ms = _part_seconds(raw, path, function) * 1000 / n
        print(f"  {label:<62} {ms:>8.1f}")
    ranked = sorted(raw.items(), key=lambda kv: -kv[1][2])[:10]
    print("  most time inside a function itself (tottime):")
    for (file, line, func), (_cc, _nc, tottime, _cum, _callers) in ranked:
        where = func if file == "~" else f"{file.split('site-packages/')[-1]}:{line}({func})"
        print(f"    {tottime * 1000 / n:6.2f} ms  {where[-88:]}")
    print(f"  (the whole profile: python -m pstats {STATE}/transition.prof)")
    print(
        "\npages in-process on the copy (Django test client, no network, our servers stopped,"
        " median of 10)"
    )
    print(f"  {'page':<12} {'ms':>7} {'queries':>8} {'KB':>6}")
    for kind, (ms, queries, size) in pages.items():
        print(f"  {kind:<12} {ms:>7.1f} {queries:>8.0f} {size // 1024:>6}")


# --- The bare database work of one transition --------------------------------------------

# What submission_transition issues for a review decision (approve), in order, as Django's
# query log shows it (the profile prints the count per action): the same tables, rows,
# locks and indexes, with psycopg2 and nothing else. One commit per transition.
BARE_LOOKUP = (
    "SELECT process_ptr_id FROM workflow_submissionprocess WHERE submission_id = %s LIMIT 21"
)
BARE_STATEMENTS = {
    "lock_process": (
        "SELECT 1 FROM workflow_submissionprocess WHERE process_ptr_id = %(process)s"
        " LIMIT 1 FOR UPDATE NOWAIT"
    ),
    "lock_submission": (
        "SELECT s.stage, s.*, u.*, c.* FROM submissions_submission s"
        " JOIN submissions_administrativeunit u ON u.id = s.unit_id"
        " JOIN submissions_campaign c ON c.id = s.campaign_id"
        " WHERE s.id = %(submission)s LIMIT 21 FOR UPDATE OF s"
    ),
    "role": (
        "SELECT p.codename FROM guardian_userobjectpermission g"
        " JOIN auth_permission p ON p.id = g.permission_id"
        " WHERE g.content_type_id = %(unit_type)s AND g.object_pk = %(unit_pk)s"
        " AND g.user_id = %(actor)s"
    ),
    "process": (
        "SELECT vp.*, sp.*, u.* FROM viewflow_process vp"
        " JOIN workflow_submissionprocess sp ON sp.process_ptr_id = vp.id"
        " LEFT JOIN auth_user u ON u.id = sp.last_submitter_id"
        " WHERE sp.process_ptr_id = %(process)s LIMIT 21"
    ),
    "task": (
        "SELECT t.id, t.flow_task, t.*, u.* FROM viewflow_task t"
        " LEFT JOIN auth_user u ON u.id = t.owner_id"
        " WHERE t.process_id = %(process)s AND t.status IN ('NEW', 'ASSIGNED', 'STARTED')"
        " ORDER BY t.created DESC LIMIT 1"
    ),
    "version": (
        "SELECT id, submission_id, number, content, sha256, created_at, created_by_id"
        " FROM workflow_submissionversion WHERE submission_id = %(submission)s"
        " ORDER BY number DESC LIMIT 1"
    ),
    "assign": (
        "UPDATE viewflow_task SET status = 'ASSIGNED', owner_id = %(actor)s, assigned = now()"
        " WHERE id = %(task)s"
    ),
    "done": (
        "UPDATE viewflow_task SET status = 'DONE', started = now(), finished = now()"
        " WHERE id = %(task)s"
    ),
    "next": (
        "INSERT INTO viewflow_task (flow_task, flow_task_type, status, created, token,"
        " process_id, data, owner_permission, owner_permission_obj_pk)"
        " VALUES (%(flow_task)s, 'HUMAN', 'NEW', now(), 'start', %(process)s, '{}',"
        " '', '') RETURNING id"
    ),
    "previous_next": (
        "INSERT INTO viewflow_task_previous (from_task_id, to_task_id)"
        " VALUES (%(task)s, %(next)s) ON CONFLICT DO NOTHING"
    ),
    "stage": "UPDATE submissions_submission SET stage = %(stage)s WHERE id = %(submission)s",
    "audit": (
        "INSERT INTO workflow_auditrecord (submission_id, actor_id, role, at, action,"
        " from_stage, to_stage, reason, version_id, snapshot_sha256)"
        " VALUES (%(submission)s, %(actor)s, 'department_reviewer', now(), 'approve',"
        " %(from)s, %(stage)s, '', %(version)s, %(sha)s) RETURNING id"
    ),
    "counter": (
        "UPDATE submissions_campaign SET receipts_issued = receipts_issued + 1"
        " WHERE id = %(campaign)s"
    ),
    "number": "SELECT receipts_issued FROM submissions_campaign WHERE id = %(campaign)s LIMIT 21",
    "previous_hash": (
        "SELECT hash FROM workflow_receipt WHERE submission_id = %(submission)s"
        " ORDER BY number DESC LIMIT 1"
    ),
    "receipt": (
        "INSERT INTO workflow_receipt (token, campaign_id, number, submission_id, record_id,"
        " unit_code, unit_name, actor_name, actor_username, role, action, from_stage,"
        " to_stage, at, reason, snapshot_sha256, previous_hash, hash, pdf, pdf_sha256)"
        " VALUES (%(token)s, %(campaign)s, %(number)s, %(submission)s, %(record)s,"
        " %(unit_code)s, %(unit_name)s, 'Bàn đo', 'bare', 'department_reviewer', 'approve',"
        " %(from)s, %(stage)s, now(), '', %(sha)s, %(previous)s, %(hash)s, '', '')"
    ),
}


def _bare_transition(cursor: Any, target: dict[str, Any]) -> None:
    p = dict(target)
    cursor.execute(BARE_LOOKUP, [p["submission"]])
    p["process"] = cursor.fetchone()[0]
    cursor.execute("BEGIN")
    run = BARE_STATEMENTS
    cursor.execute(run["lock_process"], p)
    cursor.execute(run["lock_submission"], p)
    row = cursor.fetchone()
    p["from"] = row[0]
    p["stage"] = "provincial_signoff" if row[0] == "department_review" else "department_review"
    cursor.execute(run["process"], p)
    cursor.fetchall()
    cursor.execute(run["role"], p)
    cursor.fetchall()
    cursor.execute(run["task"], p)
    task = cursor.fetchone()
    p["task"], p["flow_task"] = task[0], task[1]
    cursor.execute(run["version"], p)
    version = cursor.fetchone()
    p["version"], p["sha"] = version[0], version[4]
    for name in ("assign", "done"):
        cursor.execute(run[name], p)
    cursor.execute(run["next"], p)
    p["next"] = cursor.fetchone()[0]
    cursor.execute(run["previous_next"], p)
    cursor.execute(run["stage"], p)
    cursor.execute(run["audit"], p)
    p["record"] = cursor.fetchone()[0]
    cursor.execute(run["counter"], p)
    cursor.execute(run["number"], p)
    p["number"] = cursor.fetchone()[0]
    cursor.execute(run["previous_hash"], p)
    previous = cursor.fetchone()
    p["previous"] = previous[0] if previous else ""
    p["token"] = str(uuid.uuid4())
    facts = {k: str(p[k]) for k in ("campaign", "number", "submission", "from", "stage", "sha")}
    facts["previous_hash"] = p["previous"]
    p["hash"] = hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()
    cursor.execute(run["receipt"], p)
    cursor.execute("COMMIT")


BARE_ROUND_TRIPS = 1 + 1 + len(BARE_STATEMENTS) + 1  # lookup, BEGIN, the statements, COMMIT


def _bare_targets(dbname: str) -> list[dict[str, Any]]:
    import psycopg2

    conn = psycopg2.connect(f"{PG_URL}/{dbname}")
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT s.id, s.campaign_id, s.unit_id, u.code, u.name,"
                " (SELECT id FROM auth_user WHERE username = 'load.department_reviewer.1'),"
                " (SELECT id FROM django_content_type WHERE app_label = 'campaigns'"
                "  AND model = 'administrativeunit')"
                " FROM submissions_submission s JOIN submissions_administrativeunit u"
                " ON u.id = s.unit_id ORDER BY s.id"
            )
            rows = cursor.fetchall()
    finally:
        conn.close()
    return [
        {
            "submission": r[0],
            "campaign": r[1],
            "unit_pk": str(r[2]),
            "unit_code": r[3],
            "unit_name": r[4],
            "actor": r[5],
            "unit_type": r[6],
        }
        for r in rows
    ]


def _bare(dbname: str, connections: int, seconds: float) -> tuple[int, float]:
    """Transitions committed in ``seconds`` by ``connections`` psycopg2 loops at once."""
    import psycopg2

    targets = _bare_targets(dbname)
    barrier = threading.Barrier(connections + 1)
    done = [0] * connections
    stop = threading.Event()
    errors: list[BaseException] = []

    def loop(i: int) -> None:
        mine = targets[i::connections]
        conn = psycopg2.connect(f"{PG_URL}/{dbname}")
        conn.autocommit = True  # BEGIN and COMMIT are sent as Django sends them
        try:
            with conn.cursor() as cursor:
                for target in mine[:3]:  # warm the caches and the plans
                    _bare_transition(cursor, target)
                barrier.wait()
                n = 0
                while not stop.is_set():
                    _bare_transition(cursor, mine[n % len(mine)])
                    n += 1
                done[i] = n
        except BaseException as exc:
            errors.append(exc)
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.abort()
        finally:
            conn.close()

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a loop failed: raised below
        barrier.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return sum(done), elapsed


# --- The run -----------------------------------------------------------------------------


def _setup_django(env: dict[str, str]) -> None:
    # This process uses the same settings and database as the servers, quieter.
    os.environ.update(env)
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def _prepare(args: argparse.Namespace, env: dict[str, str], stack: Stack) -> Baseline:
    from django.core.management import call_command

    say(f"recreating database {DB_NAME}, migrating, loading reference data")
    _recreate(DB_NAME)
    quiet = io.StringIO()
    call_command("migrate", "--noinput", verbosity=0, stdout=quiet)
    call_command("ensure_signing_key", stdout=quiet)
    call_command("load_reference_data", verbosity=0, stdout=quiet)
    call_command("collectstatic", "--noinput", verbosity=0, stdout=quiet)
    _flush_broker()
    say(f"starting the Celery worker (concurrency {args.concurrency}, nice {args.worker_nice})")
    worker = stack.start(
        "celery",
        [
            *(["nice", "-n", str(args.worker_nice)] if args.worker_nice else []),
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            str(args.concurrency),
        ],
        env,
    )
    if args.worker_nice:
        # The worker runs in a session of its own, and with the kernel's autogroups (on here)
        # niceness only ranks processes within one session: the session's own nice is what
        # puts it behind gunicorn.
        with contextlib.suppress(OSError):
            Path(f"/proc/{worker.pid}/autogroup").write_text(str(args.worker_nice))
    say("creating people for 63 provinces, desks, and the 63 submissions along the path")
    started = time.monotonic()
    with contextlib.redirect_stdout(io.StringIO()):  # the console e-mails
        baseline = _populate(args.users)
    say(
        f"  {baseline.records} transitions made in {time.monotonic() - started:.0f} s;"
        " waiting for the worker to render their receipts"
    )
    rendered, pending = _wait_rendered(PDF_TIMEOUT_SECONDS)
    if not rendered:
        raise SystemExit(f"{pending} receipts not rendered; see {STATE}/celery.log")
    return baseline


def _run_load(
    args: argparse.Namespace,
    env: dict[str, str],
    stack: Stack,
    baseline: Baseline,
    url: str,
    *,
    user_class: str,
    seconds: int,
) -> tuple[LoadFigures, dict[str, float], float, int, bool]:
    """One phase: locust runs ``user_class`` (benchmarks/load_users.py) for ``seconds``."""
    from receipts.models import Receipt

    name = f"locust-{user_class.lower()}"
    results = STATE / f"{name}.json"
    locust_env = {
        **env,
        "LOAD_ACCOUNTS": json.dumps(baseline.accounts),
        "LOAD_RESULTS": str(results),
        "LOAD_CAMPAIGN": campaign_code(),
        **(_courier_knowledge() if user_class == "Courier" else {}),
    }
    say(f"{args.users} users ({user_class}) for {seconds} s against {url}")
    locust = stack.start(
        name,
        [
            str(BIN / "locust"),
            "-f",
            str(BASE_DIR / "benchmarks" / "load_users.py"),
            user_class,
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.users),
            "--run-time",
            f"{seconds}s",
            # Let each user finish what it is doing, so every decision's outcome is known.
            "--stop-timeout",
            "60",
            "--host",
            url,
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        locust_env,
    )
    meter = CpuMeter(
        {
            "gunicorn": stack.procs["gunicorn"].pid,
            "celery": stack.procs["celery"].pid,
            "locust": locust.pid,
            "self": os.getpid(),
        },
        DB_NAME,
    )
    meter.start()
    locust.wait(timeout=seconds + 180)
    cpu = meter.stop()
    stopped = time.monotonic()
    pending = Receipt.objects.filter(rendered_at__isnull=True).count()
    say(f"load over; {pending} receipt PDFs still to render")
    rendered, left = _wait_rendered(PDF_TIMEOUT_SECONDS)
    catch_up = time.monotonic() - stopped
    if not results.exists():
        raise SystemExit(
            f"locust wrote no results (exit {locust.returncode}): see {STATE}/{name}.log"
        )
    return _read_results(results), cpu, catch_up, pending, rendered and left == 0


def _in_a_copy(
    accounts: list[dict[str, str]], users: int
) -> tuple[Profile, dict[str, tuple[float, float, int]], dict[int, tuple[int, float]]]:
    """Profile and bare loop in a copy, leaving workflow_load as the load left it."""
    from django.db import connections

    connections.close_all()
    _recreate(COPY_NAME, template=DB_NAME)
    connections["default"].settings_dict["NAME"] = COPY_NAME
    try:
        say("timing pages and profiling transitions in-process (in the copy)")
        pages = _profile_pages(accounts)
        with contextlib.redirect_stdout(io.StringIO()):  # the console e-mails
            profile = _profile(accounts)
        bare = {}
        for n in sorted({1, users}):
            say(f"bare database loop on {n} connection(s) for {BARE_SECONDS:.0f} s")
            bare[n] = _bare(COPY_NAME, n, BARE_SECONDS)
    finally:
        connections.close_all()
        connections["default"].settings_dict["NAME"] = DB_NAME
    return profile, pages, bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=int, default=60, help="how long the users work")
    parser.add_argument(
        "--courier-seconds",
        type=int,
        default=30,
        help="then how long the same users post decisions only (0: no such phase)",
    )
    parser.add_argument("--users", type=int, default=8, help="simulated users at once")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=WORKER_NICE,
        help="the Celery worker's niceness (its session's, so it counts against gunicorn);"
        f" the default, {WORKER_NICE}, is a quarter of the web's CPU weight, as deployed;"
        " 0 gives it the web's",
    )
    args = parser.parse_args()

    # Ctrl+C, a kill or a closed terminal all stop the servers on the way out (SIGINT set
    # here too: a shell starting this in the background would have it ignored).
    def interrupted(signum: int, _frame: Any) -> None:
        say(f"interrupted ({signal.Signals(signum).name}): stopping what this run started")
        raise SystemExit(128 + signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupted)

    shutil.rmtree(STATE, ignore_errors=True)
    (STATE / "media").mkdir(parents=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = _environment(port)
    env["WEB_CONCURRENCY"] = str(args.workers)
    _setup_django(env)
    load_before = os.getloadavg()
    stack = Stack()
    failed = False
    try:
        baseline = _prepare(args, env, stack)
        say(f"starting gunicorn ({args.workers} workers) on {url}")
        gunicorn = stack.start(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "-c",
                "deploy/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "config.wsgi",
            ],
            env,
        )
        _wait_ready(url, gunicorn)
        _warm(url, args.workers)
        figures, cpu, catch_up, pending, caught_up = _run_load(
            args, env, stack, baseline, url, user_class="Desk", seconds=args.seconds
        )
        checks = _checks(figures, baseline)
        couriers = None
        if args.courier_seconds:
            second = _baseline(baseline.accounts)
            couriers = _run_load(
                args, env, stack, second, url, user_class="Courier", seconds=args.courier_seconds
            )
            checks += [
                (f"couriers: {label}", value, ok)
                for label, value, ok in _checks(couriers[0], second)
            ]
        chains, chains_ok = _verify_receipts()
        say("stopping the servers; copying the database for the profile and the bare loop")
        stack.stop_all()
        _flush_broker()
        profile, pages, bare = _in_a_copy(baseline.accounts, args.users)
    finally:
        # A second Ctrl+C must not cut the cleanup short; it is bounded (SIGKILL after 40 s).
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        stack.stop_all()
        with contextlib.suppress(Exception):
            _flush_broker()
        with contextlib.suppress(Exception):
            _drop(COPY_NAME)

    print(
        f"\nmachine load average before the run: {load_before[0]:.1f}"
        " (another engineer's test suites share these CPUs: expect noise)"
    )
    _print_load(figures, args, cpu)
    if couriers:
        _print_couriers(couriers[0], args, couriers[1])
    desk_rate = figures.transitions_per_second()
    courier_rate = couriers[0].transitions_per_second() if couriers else 0.0
    print(
        f"\nbare database work of one transition (psycopg2, {BARE_ROUND_TRIPS} round trips"
        f" as submission_transition issues them for an approval, one commit each,"
        f" {BARE_SECONDS:.0f} s each), against HTTP decisions alone and with their pages"
    )
    print(
        f"  {'connections':<12} {'transitions':>12} {'per s':>8} {'ms each':>8}"
        f" {'decisions : bare':>17} {'with pages : bare':>18}"
    )

    def ratio(http: float, bare_rate: float) -> str:
        return f"1 : {bare_rate / http:.0f}" if http else "-"

    for connections, (count, seconds) in bare.items():
        bare_rate = count / seconds
        print(
            f"  {connections:<12} {count:>12} {bare_rate:>8.0f}"
            f" {connections * seconds * 1000 / max(1, count):>8.2f}"
            f" {ratio(courier_rate, bare_rate):>17} {ratio(desk_rate, bare_rate):>18}"
        )
    single = bare[1][0] / bare[1][1]
    if couriers:
        verdict = "met" if courier_rate * TARGET_RATIO >= single else "MISSED"
        print(
            f"  HTTP transitions {courier_rate:.1f}/s (decisions only) vs bare {single:.0f}/s"
            f" on one connection: target at least 1 : {TARGET_RATIO} {verdict}"
        )
    print(
        f"  with the page views each decision comes with (the first phase):"
        f" {desk_rate:.1f}/s, {ratio(desk_rate, single)}"
    )
    print("\nchecks")
    for label, value, ok in checks:
        print(f"  {label:<62} {value:>24}  {'ok' if ok else 'FAILED'}")
        failed |= not ok
    print(
        f"  {'receipt chains and PDFs (verify_receipts --files)':<62} {'':>24}  "
        f"{'ok' if chains_ok else 'FAILED'}\n    {chains}"
    )
    failed |= not chains_ok
    phases = [("desks", catch_up, pending, caught_up)]
    if couriers:
        phases.append(("couriers", *couriers[2:]))
    for phase, waited, queued, done in phases:
        print(
            f"  receipt PDFs caught up {waited:.1f} s after the {phase} stopped"
            f" ({queued} were still queued then)"
            + ("" if done else f": NOT within {PDF_TIMEOUT_SECONDS:.0f} s")
        )
        failed |= not done
    _print_profile(profile, pages)
    print(f"\nlogs: {STATE}/gunicorn.log, celery.log, locust-*.log; database {DB_NAME} kept")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
