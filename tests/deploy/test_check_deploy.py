"""Production settings pass Django's deployment checklist, warnings included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def production_env(**extra: str) -> dict[str, str]:
    """The environment production must provide (deploy/.env.example), with dummy values."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DJANGO_SECRET_KEY="x7Qm2-not-a-real-key-but-long-and-random-enough-9vLp4TzK8wRb3Yc6",
        DJANGO_ALLOWED_HOSTS="baocao.example.vn",
        DATABASE_URL="postgres://workflow@127.0.0.1:5432/workflow",
        SIGNING_P12_PATH="/etc/pheduyet/signing.p12",
        SIGNING_P12_PASSWORD="not-used-by-the-check",
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_production_settings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_its_secret() -> None:
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_a_weak_secret_key_fails_the_check() -> None:
    """The check is not vacuous: a short key is reported and fails the run."""
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(DJANGO_SECRET_KEY="x")
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout
