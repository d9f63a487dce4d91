"""The application's one clock: every "now" and "today" of ours asks it.

It reads ``django.utils.timezone.now()``, so time-machine (the tests) moves it too. Two things
move it further, neither of them in production:

- ``settings.CLOCK_START`` (``DJANGO_CLOCK_START``, development settings only; make run sets it
  for the demo): the clock reports that moment plus the real time elapsed since the process
  started, so a campaign of 2020 is seen live, as on its own days.
- ``at(moment)``: inside the block, in this thread, the clock stands still at ``moment``. The
  demo plays its history with it, each step at its own moment of 2020.

Some times stay real on purpose: the validity of the signing key and the time a PDF is signed
(the signature's own time, which the key's validity is checked against), and what Django and
viewflow keep for themselves (sessions, login throttling, e-mail headers, task records).

Imports no app of ours: every layer may use it.
"""

from __future__ import annotations

import contextvars
import datetime
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
# When this process started; CLOCK_START is counted from here. Not timezone.now(): that reads
# the settings, and the development settings import this module.
STARTED = datetime.datetime.now(datetime.UTC)
_standing: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar(
    "clock_standing", default=None
)


def now() -> datetime.datetime:
    """The current moment, aware."""
    standing = _standing.get()
    if standing is not None:
        return standing
    start: datetime.datetime | None = settings.CLOCK_START
    if start is None:
        return timezone.now()
    return start + (timezone.now() - STARTED)


def today() -> datetime.date:
    """The current day in Việt Nam."""
    return now().astimezone(VN).date()


@contextmanager
def at(moment: datetime.datetime) -> Iterator[None]:
    """The clock stands at ``moment`` inside the block, in this thread only."""
    if timezone.is_naive(moment):
        raise ValueError("the clock takes aware moments")
    token = _standing.set(moment)
    try:
        yield
    finally:
        _standing.reset(token)


def parse_start(text: str) -> datetime.datetime | None:
    """``DJANGO_CLOCK_START``: an ISO moment such as 2020-05-04T09:00 (Việt Nam's time unless
    it names its offset), or empty for the real time."""
    if not text.strip():
        return None
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ImproperlyConfigured(
            f"DJANGO_CLOCK_START={text!r} is not a moment such as 2020-05-04T09:00."
        ) from None
    return moment.replace(tzinfo=VN) if moment.tzinfo is None else moment
