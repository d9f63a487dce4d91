"""Backup and restore: deploy/backup.sh dumps the database and the media, deploy/restore.sh
brings them back into a fresh database, where every receipt chain and PDF still checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from core.enums import Stage
from receipts.models import Receipt
from submissions.models import Submission

from ..cast import Cast, drive_to
from ..conftest import is_postgresql

pytestmark = pytest.mark.django_db(transaction=True)
BASE_DIR = Path(settings.BASE_DIR)
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def pg_bin() -> str:
    """Where pg_dump and pg_restore are: PATH, or Debian's versioned directory."""
    if shutil.which("pg_dump") and shutil.which("pg_restore"):
        return ""
    if (PG_BIN / "pg_dump").exists():
        return str(PG_BIN)
    pytest.skip("pg_dump / pg_restore are not installed")


def url(name: str) -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def admin_sql(sql: str) -> None:
    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname="postgres",
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


@pytest.fixture
def fresh_database() -> Iterator[str]:
    if not is_postgresql():
        pytest.skip("backups are PostgreSQL dumps")
    name = f"{connection.settings_dict['NAME']}_restore"
    admin_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin_sql(f'CREATE DATABASE "{name}"')
    yield name
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own scripts
        ["bash", str(BASE_DIR / "deploy" / script), *args],  # noqa: S607
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        PG_BIN=pg_bin(),
        PYTHON=sys.executable,
        # The restored copy is checked the way an operator would: production settings.
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DJANGO_SECRET_KEY="restore-check-only-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="localhost",
        SIGNING_P12_PATH=str(settings.SIGNING_P12_PATH),
        SIGNING_P12_PASSWORD=settings.SIGNING_P12_PASSWORD,
        LOG_FORMAT="text",
        **extra,
    )
    return env


def test_a_restored_backup_has_every_receipt_chain_and_pdf_intact(
    cast: Cast, submission_of: Any, fresh_database: str, tmp_path: Path
) -> None:
    hanoi: Submission = submission_of("01")
    danang: Submission = submission_of("48")
    drive_to(hanoi, Stage.CONSOLIDATED, cast)
    drive_to(danang, Stage.MINISTRY_CHECK, cast)
    receipts = {r.token: r.pdf_sha256 for r in Receipt.objects.all()}
    assert len(receipts) == 5 + 3
    assert all(receipts.values()), "every receipt is rendered inline in the tests"

    backup = run(
        "backup.sh",
        str(tmp_path / "backups"),
        env=base_env(
            DATABASE_URL=url(connection.settings_dict["NAME"]),
            DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        ),
    )
    assert backup.returncode == 0, backup.stderr
    dump, media = backup.stdout.split()
    assert Path(dump).read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    restored_media = tmp_path / "restored-media"
    restored = base_env(DATABASE_URL=url(fresh_database), DJANGO_MEDIA_ROOT=str(restored_media))
    restore = run("restore.sh", dump, media, env=restored)
    assert restore.returncode == 0, restore.stderr
    assert "2 receipt chain(s) intact" in restore.stdout
    assert "8 receipt PDF(s) present and unchanged" in restore.stdout

    # The copy is the restored database, not the one the test wrote: change it there, and
    # only there, and the check says so.
    conn = psycopg2.connect(url(fresh_database))
    with conn, conn.cursor() as cursor:
        cursor.execute("SELECT token, pdf_sha256 FROM workflow_receipt")
        assert {str(token): digest for token, digest in cursor.fetchall()} == {
            str(t): d for t, d in receipts.items()
        }
        cursor.execute(
            "UPDATE workflow_receipt SET reason = 'sửa lén' WHERE number = "
            "(SELECT min(number) FROM workflow_receipt)"
        )
    conn.close()
    check = subprocess.run(
        [sys.executable, "manage.py", "verify_receipts"],
        cwd=BASE_DIR,
        env=restored,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode != 0
    assert "receipt facts changed" in check.stderr
    assert Receipt.objects.count() == 8  # the original is untouched


def test_restore_refuses_a_media_directory_that_is_not_empty(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    (media / "left-over.pdf").write_bytes(b"%PDF-")
    result = run(
        "restore.sh",
        str(tmp_path / "x.dump"),
        str(tmp_path / "x.tar.gz"),
        env=base_env(DATABASE_URL="postgres://nobody@127.0.0.1/none", DJANGO_MEDIA_ROOT=str(media)),
    )
    assert result.returncode != 0
    assert "not empty" in result.stderr
