"""The simulated users of benchmarks.load: people at their desks, driven by locust.

benchmarks.load runs ``locust -f benchmarks/load_users.py --headless ...`` against gunicorn;
nothing here imports Django. Each user logs in through the login form (CSRF token,
django-axes on), opens the inbox, picks a submission waiting for them, looks at it (the
submission page, then the appendix for a drafter or the review screen for a reviewer) and
presses one of the buttons the page offers: forward most of the time, "return" with a
reason now and then, and the coordinator consolidates and reopens, so the 63 submissions
keep going round. With nothing to do, a user looks at the inbox again a second later.

The requests carry what nginx adds in production (X-Forwarded-Proto: https) and what a
browser sends (Origin, the Secure cookies), so Django's HTTPS, CSRF and cookie rules apply
as they do behind the proxy. The accounts come from LOAD_ACCOUNTS (JSON), the campaign's
code from LOAD_CAMPAIGN; every request and the outcome of every decision go to LOAD_RESULTS
(JSON) when locust quits.

Two kinds of user; benchmarks.load names the one it runs (``locust ... Desk``):

- ``Desk``: the person above, pages and decisions as a browser makes them.
- ``Courier``: the same people posting decisions and nothing else, to measure a transition
  over HTTP against the bare database work of one. The couriers of one locust process
  share what they know of every submission's stage (LOAD_STAGES, then their own moves),
  so each posts a decision the server should accept; the outcome is the message Django
  hands the redirect in its ``messages`` cookie, read without following the redirect.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import random
import re
import time
import zlib
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, constant, events, task
from locust.exception import StopUser

ACCOUNTS: list[dict[str, str]] = json.loads(os.environ.get("LOAD_ACCOUNTS", "[]"))
RESULTS = os.environ.get("LOAD_RESULTS", "")
# The code of the campaign benchmarks.load populated, read from its definition file.
CAMPAIGN = os.environ["LOAD_CAMPAIGN"]
# How often each reviewing role returns rather than approves (back to drafting, which
# keeps submissions cycling as much as the coordinator's reopening does).
RETURN_RATE = {
    "department_reviewer": 0.2,
    "provincial_signatory": 0.1,
    "ministry_checker": 0.1,
}
REASONS = {
    "return": "Đề nghị bổ sung số liệu giải ngân năm 2019 (kiểm thử tải).",
    "reopen": "Mở lại để tổng hợp bổ sung (kiểm thử tải).",
}
IDLE_SECONDS = 1.0
TIMEOUT_SECONDS = 120

_accounts = itertools.count()
# (name, start as epoch seconds, response time in ms, ok)
_requests: list[tuple[str, float, float, bool]] = []
# action -> outcome -> count; outcomes: done, refused (the page said why), unknown, error
_outcomes: dict[str, dict[str, int]] = {}

# Courier: submission -> stage (what the couriers know), those one of them is acting on,
# and role -> stage -> [(action, target stage, needs a reason)] (LOAD_MOVES).
_stages: dict[int, str] = {
    int(pk): stage for pk, stage in json.loads(os.environ.get("LOAD_STAGES", "{}")).items()
}
_claimed: set[int] = set()
MOVES: dict[str, dict[str, list[tuple[str, str, bool]]]] = json.loads(
    os.environ.get("LOAD_MOVES", "{}")
)
# django.contrib.messages levels
SUCCESS, ERROR = 25, 40

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_DECISION = re.compile(
    r'<form[^>]*action="[^"]*/decide/"[^>]*data-action="(\w+)"[^>]*>(.*?)</form>', re.S
)
_STAGE = re.compile(r'name="expected_stage" value="(\w+)"')
_SUBMISSION_LINK = re.compile(r'href="/submissions/(\d+)/"')


@events.request.add_listener
def _record(
    name: str,
    response_time: float,
    exception: Exception | None = None,
    start_time: float | None = None,
    **_: Any,
) -> None:
    start = start_time if start_time is not None else time.time() - response_time / 1000
    _requests.append((name, start, response_time, exception is None))


@events.quitting.add_listener
def _write(**_: Any) -> None:
    if RESULTS:
        Path(RESULTS).write_text(json.dumps({"requests": _requests, "outcomes": _outcomes}))


def actionable(inbox: str) -> list[int]:
    """The submissions the inbox offers: assigned to me, or waiting for my role."""
    start, end = inbox.find('id="inbox-assigned"'), inbox.find('id="inbox-finished"')
    if start < 0 or end < 0:
        return []
    return sorted({int(pk) for pk in _SUBMISSION_LINK.findall(inbox[start:end])})


def decision_forms(page: str) -> dict[str, dict[str, Any]]:
    """The buttons the submission page shows this user, with what each form would post."""
    forms = {}
    for action, body in _DECISION.findall(page):
        token, stage = _CSRF.search(body), _STAGE.search(body)
        if token is None or stage is None or re.search(r"<button[^>]*\sdisabled[\s>]", body):
            continue
        forms[action] = {
            "token": token.group(1),
            "stage": stage.group(1),
            "needs_reason": 'name="reason"' in body,
        }
    return forms


class Person(HttpUser):
    """One person with one role on every province, logged in through the login form."""

    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        account = ACCOUNTS[next(_accounts) % len(ACCOUNTS)]
        self.username, self.role = account["username"], account["role"]
        self.rng = random.Random(self.username)  # noqa: S311 (a load mix, not a secret)
        origin = re.sub(r"^http:", "https:", self.host or "")
        self.client.headers.update({"X-Forwarded-Proto": "https", "Origin": origin})
        form = self.client.get("/accounts/login/", name="login: form", timeout=TIMEOUT_SECONDS)
        self.behind_the_proxy()
        token = _CSRF.search(form.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": account["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "next": "",
            },
            name="login: post",
            allow_redirects=False,
            catch_response=True,
            timeout=TIMEOUT_SECONDS,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.username} answered {response.status_code}")
                raise StopUser
        self.behind_the_proxy()

    def behind_the_proxy(self) -> None:
        """Send the Secure cookies back over the loopback's plain HTTP.

        Production cookies are Secure because browsers reach nginx over HTTPS; here the
        client talks HTTP to gunicorn and says X-Forwarded-Proto: https, as nginx does.
        requests would keep Secure cookies to itself over HTTP (and ignores a cookie
        policy set on the session), so the flag is cleared in the client's own jar.
        """
        for cookie in self.client.cookies:
            cookie.secure = False

    def choose(self, actions: list[str]) -> str:
        if "return" in actions and self.rng.random() < RETURN_RATE.get(self.role, 0.0):
            return "return"
        forward = [action for action in actions if action != "return"]
        return forward[0] if forward else "return"

    def post_decision(self, pk: int, action: str, data: dict[str, str]) -> Any:
        """Post one decision; the 302 response, or None after counting an error."""
        counts = _outcomes.setdefault(action, {"done": 0, "refused": 0, "unknown": 0, "error": 0})
        with self.client.post(
            f"/submissions/{pk}/decide/",
            data=data,
            name=f"transition: {action}",
            allow_redirects=False,
            catch_response=True,
            timeout=TIMEOUT_SECONDS,
        ) as response:
            self.behind_the_proxy()
            if response.status_code != 302:
                response.failure(f"decide answered {response.status_code}")
                counts["error"] += 1
                return None
            return response


class Desk(Person):
    """Pages and decisions as a browser makes them."""

    @task
    def work(self) -> None:
        inbox = self.page("/inbox/", "inbox")
        if self.role == "ministry_coordinator":
            self.page(f"/monitor/{CAMPAIGN}/", "dashboard")
        waiting = actionable(inbox)
        if not waiting:
            gevent.sleep(IDLE_SECONDS)
            return
        pk = self.rng.choice(waiting)
        forms = decision_forms(self.page(f"/submissions/{pk}/", "detail"))
        if not forms:  # someone moved it since the inbox was drawn
            return
        if self.role == "drafter":
            self.page(f"/submissions/{pk}/appendix/", "appendix")
        elif self.role != "ministry_coordinator":
            self.page(f"/submissions/{pk}/review/", "review")
        action = self.choose(list(forms))
        self.decide(pk, action, forms[action])

    def page(self, path: str, name: str) -> str:
        with self.client.get(
            path,
            name=f"page: {name}",
            allow_redirects=False,
            catch_response=True,
            timeout=TIMEOUT_SECONDS,
        ) as response:
            self.behind_the_proxy()
            if response.status_code != 200:
                response.failure(f"{path} answered {response.status_code}")
                return ""
            return response.text

    def decide(self, pk: int, action: str, form: dict[str, Any]) -> None:
        data = {
            "csrfmiddlewaretoken": form["token"],
            "action": action,
            "expected_stage": form["stage"],
        }
        if form["needs_reason"]:
            data["reason"] = REASONS.get(action, "Kiểm thử tải.")
        response = self.post_decision(pk, action, data)
        if response is None:
            return
        counts = _outcomes[action]
        # The page the browser lands on says whether it was done or why not.
        after = self.page(response.headers.get("Location", f"/submissions/{pk}/"), "detail")
        if "alert-success" in after:
            counts["done"] += 1
        elif "alert-danger" in after:
            counts["refused"] += 1
        else:
            counts["unknown"] += 1


def flashed_levels(cookie: str | None) -> list[int]:
    """The levels of the messages in a django.contrib.messages cookie, read, not verified.

    Django signs ``payload:signature`` (the signature may hold colons of its own, the payload
    none); the payload is URL-safe base64 of the JSON list
    of messages, zlib-compressed first when that is shorter (then it starts with a dot).
    A message is ``["__json_message", is_safe, level, text, ...]``.
    """
    if not cookie:
        return []
    payload = cookie.strip('"').split(":", 1)[0]
    compressed = payload.startswith(".")
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    messages = json.loads(zlib.decompress(raw) if compressed else raw)
    return [m[2] for m in messages if isinstance(m, list) and m and m[0] == "__json_message"]


class Courier(Person):
    """Decisions and nothing else: the HTTP cost of a transition, without the pages."""

    def on_start(self) -> None:
        super().on_start()
        # The login turned the CSRF secret over; the cookie now holds the new one, which
        # Django takes as a form token too.
        self.token: str = self.client.cookies.get("csrftoken") or ""
        self.moves = MOVES.get(self.role, {})

    @task
    def work(self) -> None:
        free = [pk for pk, stage in _stages.items() if stage in self.moves and pk not in _claimed]
        if not free:
            gevent.sleep(0.05)  # the other couriers hold what there is to do
            return
        pk = self.rng.choice(free)
        _claimed.add(pk)
        try:
            self.move(pk)
        finally:
            _claimed.discard(pk)

    def move(self, pk: int) -> None:
        stage = _stages[pk]
        options = {action: (target, reason) for action, target, reason in self.moves[stage]}
        action = self.choose(list(options))
        target, needs_reason = options[action]
        data = {"csrfmiddlewaretoken": self.token, "action": action, "expected_stage": stage}
        if needs_reason:
            data["reason"] = REASONS.get(action, "Kiểm thử tải.")
        response = self.post_decision(pk, action, data)
        if response is None:
            return
        counts = _outcomes[action]
        try:
            levels = flashed_levels(response.cookies.get("messages"))
        except (ValueError, zlib.error):  # not Django's format: counted as unknown
            levels = []
        if SUCCESS in levels:
            counts["done"] += 1
            _stages[pk] = target
        elif ERROR in levels:
            counts["refused"] += 1
        else:
            counts["unknown"] += 1
