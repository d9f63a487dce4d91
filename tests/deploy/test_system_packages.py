"""deploy/system-packages.sh: the one list of Debian packages make run and make test need.

A fake dpkg-query (first on PATH) plays a machine that lacks some packages, and a fake
apt-get records what would be installed; the non-root case runs as `nobody` under setpriv.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from .test_files import PACKAGE_OF, PULLED_IN, weasyprint_libraries

BASE_DIR = Path(settings.BASE_DIR)
SCRIPT = BASE_DIR / "deploy" / "system-packages.sh"
ROOT = os.geteuid() == 0

FAKE_DPKG_QUERY = """#!/bin/sh
# dpkg-query -W -f=FORMAT PACKAGE...: every package installed but those in $MISSING.
shift 2
status=0
for p in "$@"; do
  case " $MISSING " in
    *" $p "*) echo "dpkg-query: no packages found matching $p" >&2; status=1 ;;
    *) echo "$p:install ok installed" ;;
  esac
done
exit $status
"""
FAKE_APT_GET = """#!/bin/sh
echo "$*" >> "$APT_LOG"
"""


def group(name: str) -> list[str]:
    """The packages the script lists under ``name=( ... )``."""
    match = re.search(rf"^{name}=\(([^)]*)\)", SCRIPT.read_text(), re.MULTILINE)
    assert match, name
    return match.group(1).split()


@pytest.fixture
def fake_bin() -> Iterator[Path]:
    """A directory `nobody` can read (pytest's own tmp_path is root's only)."""
    directory = Path(tempfile.mkdtemp(prefix="system-packages-"))
    directory.chmod(0o777)  # a throwaway directory the fake apt-get (as nobody) logs into
    for name, text in (("dpkg-query", FAKE_DPKG_QUERY), ("apt-get", FAKE_APT_GET)):
        path = directory / name
        path.write_text(text)
        path.chmod(0o755)
    yield directory
    shutil.rmtree(directory)


def run(
    args: list[str], *, fake_bin: Path, missing: str, as_nobody: bool
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": f"{fake_bin}:{os.environ['PATH']}",
        "MISSING": missing,
        "APT_LOG": str(fake_bin / "apt.log"),
    }
    prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    return subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [*(prefix if as_nobody and ROOT else []), str(SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian machine")
def test_with_everything_present_it_says_nothing_and_costs_one_query() -> None:
    """This machine passes the tests, so it has every package of both groups."""
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603
        [str(SCRIPT), "test"], capture_output=True, text=True, timeout=60, check=False
    )
    elapsed = time.monotonic() - started
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert elapsed < 1.0, f"{elapsed:.2f} s"


@pytest.mark.skipif(ROOT and shutil.which("setpriv") is None, reason="no setpriv to drop root")
@pytest.mark.parametrize(
    ("target", "told"),
    [
        ("runtime", "make run needs Debian packages that are not installed: libharfbuzz-subset0."),
        (
            "test",
            "make test needs Debian packages that are not installed: libharfbuzz-subset0 chromium.",
        ),
    ],
)
def test_without_root_it_names_exactly_what_is_missing_and_stops(
    fake_bin: Path, target: str, told: str
) -> None:
    result = run(
        [target], fake_bin=fake_bin, missing="chromium libharfbuzz-subset0", as_nobody=True
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == told
    missing = told.split(": ")[1].rstrip(".")
    assert lines[-1] == f"  apt-get install -y --no-install-recommends {missing}"
    assert not (fake_bin / "apt.log").exists()


@pytest.mark.skipif(not ROOT, reason="installing is root's")
def test_as_root_it_installs_only_what_is_missing(fake_bin: Path) -> None:
    result = run(["test"], fake_bin=fake_bin, missing="redis-server gettext", as_nobody=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Installing the Debian packages make test needs: gettext redis-server\n"
    assert (fake_bin / "apt.log").read_text().splitlines() == [
        "update -qq",
        "install -y --no-install-recommends gettext redis-server -qq",
    ]


def test_a_wrong_group_is_refused(fake_bin: Path) -> None:
    result = run(["everything"], fake_bin=fake_bin, missing="", as_nobody=False)
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_make_run_make_test_and_ci_go_through_the_script() -> None:
    def commands(target: str) -> list[str]:
        # Run from `make test`, make would inherit its level and flags and print the
        # directories it enters: this is the user's make, on its own.
        env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
        return subprocess.run(  # noqa: S603
            ["make", "--no-print-directory", "-n", target],  # noqa: S607
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()

    run_lines = commands("run")
    assert run_lines[0] == "deploy/system-packages.sh runtime"  # before anything needs them
    test_lines = commands("test")
    assert "deploy/system-packages.sh test" in test_lines
    assert test_lines.index("deploy/system-packages.sh test") < next(
        i for i, line in enumerate(test_lines) if "pytest" in line
    )
    ci = (BASE_DIR / ".ci" / "run").read_text()
    assert "deploy/system-packages.sh test" in ci
    assert "apt-get" not in ci  # the list lives in one place


def test_make_run_gets_what_weasyprint_and_libmagic_load() -> None:
    """Without HarfBuzz's subsetter WeasyPrint warns at import, which fails the tests."""
    runtime = set(group("runtime"))
    for soname in weasyprint_libraries() | {"libmagic.so.1"}:
        package = PACKAGE_OF[soname]
        assert package in runtime or PULLED_IN.get(package) in runtime, f"{soname} ({package})"
    assert "libharfbuzz-subset0" in runtime
    assert {"python3-venv", "gettext"} <= runtime  # the virtualenv and make messages
    assert {"chromium", "poppler-utils"} <= set(group("test"))
