"""The application's one clock (config/clock.py): time-machine moves it, DJANGO_CLOCK_START
starts it at a chosen moment in development, production refuses that setting."""

from __future__ import annotations

import datetime
import subprocess
import sys
import threading
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from core import clock

from .deploy.test_check_deploy import BASE_DIR, manage, production_env

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
UTC = datetime.UTC


def test_the_clock_follows_time_machine() -> None:
    # 23:30 UTC on 4 May is already 5 May in Việt Nam.
    moment = datetime.datetime(2020, 5, 4, 23, 30, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        assert clock.now() == moment
        assert clock.today() == datetime.date(2020, 5, 5)


def test_a_start_moment_runs_on_with_the_time_elapsed_since_the_process_started(
    settings: Any,
) -> None:
    settings.CLOCK_START = datetime.datetime(2020, 5, 4, 9, 0, tzinfo=VN)
    with time_machine.travel(clock.STARTED + datetime.timedelta(minutes=90), tick=False):
        assert clock.now() == datetime.datetime(2020, 5, 4, 10, 30, tzinfo=VN)
        assert clock.today() == datetime.date(2020, 5, 4)


def test_without_a_start_moment_the_clock_is_the_real_time() -> None:
    before = datetime.datetime.now(UTC)
    now = clock.now()
    assert before <= now <= datetime.datetime.now(UTC)
    assert now.tzinfo is not None


def test_the_clock_stands_at_a_moment_in_its_own_thread_only() -> None:
    moment = datetime.datetime(2020, 4, 29, 15, 0, tzinfo=VN)
    elsewhere: list[datetime.datetime] = []
    with clock.at(moment):
        assert clock.now() == moment
        thread = threading.Thread(target=lambda: elsewhere.append(clock.now()))
        thread.start()
        thread.join()
    assert elsewhere[0].year > 2020
    assert clock.now().year > 2020
    with pytest.raises(ValueError, match="aware"):
        clock.at(datetime.datetime(2020, 4, 29, 15, 0)).__enter__()  # naive on purpose


def test_the_start_moment_is_read_in_vietnam_time_unless_it_says_otherwise() -> None:
    assert clock.parse_start("2020-05-04T09:00") == datetime.datetime(2020, 5, 4, 9, tzinfo=VN)
    assert clock.parse_start("2020-05-04T02:00+00:00") == datetime.datetime(
        2020, 5, 4, 9, tzinfo=VN
    )
    assert clock.parse_start("") is None
    with pytest.raises(ImproperlyConfigured, match="not a moment such as 2020-05-04T09:00"):
        clock.parse_start("04/05/2020 9h")


def _dev_now(start: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in production_env().items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", DJANGO_CLOCK_START=start)
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-v",
            "0",
            "-c",
            "from core import clock; print(clock.now())",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_development_settings_start_the_clock_at_djangos_clock_start() -> None:
    result = _dev_now("2020-05-04T09:00")
    assert result.returncode == 0, result.stderr
    now = datetime.datetime.fromisoformat(result.stdout.strip())
    start = datetime.datetime(2020, 5, 4, 9, 0, tzinfo=VN)
    assert start <= now < start + datetime.timedelta(minutes=2), now  # the process's own age
    assert now.utcoffset() == datetime.timedelta(hours=7)
    wrong = _dev_now("tomorrow")
    assert wrong.returncode != 0
    assert "DJANGO_CLOCK_START='tomorrow' is not a moment" in wrong.stderr


def test_production_refuses_to_start_with_the_demo_clock() -> None:
    result = manage("check", env=production_env(DJANGO_CLOCK_START="2020-05-04T09:00"))
    assert result.returncode != 0
    assert "DJANGO_CLOCK_START moves the clock for the demo" in result.stderr
    assert manage("check", env=production_env()).returncode == 0
