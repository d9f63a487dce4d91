"""The app as production runs it: gunicorn, production settings, JSON logs on stderr."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from .test_backup_restore import url
from .test_check_deploy import BASE_DIR, production_env

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": "baocao.example.vn", **headers})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_gunicorn_serves_probes_and_pages_with_production_headers(tmp_path: Path) -> None:
    port = free_port()
    env = production_env(
        DATABASE_URL=url(connection.settings_dict["NAME"]),
        CELERY_BROKER_URL="",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        LOG_FORMAT="json",
    )
    log = tmp_path / "gunicorn.log"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with log.open("w") as stderr:
        server = subprocess.Popen(  # noqa: S603
            [str(gunicorn), "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "config.wsgi"],
            cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    live = get(port, "/healthz", Host="10.0.0.9:8000")
                    break
                except OSError:
                    assert server.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, "gunicorn did not start in 60 s"
                    time.sleep(0.3)
            assert live.status == 200
            assert get(port, "/readyz").status == 200

            plain = get(port, "/accounts/login/")
            assert plain.status == 301
            assert plain.headers["Location"] == "https://baocao.example.vn/accounts/login/"

            page = get(port, "/accounts/login/", **{"X-Forwarded-Proto": "https"})
            assert page.status == 200
            assert "default-src 'self'" in page.headers["Content-Security-Policy"]
            assert page.headers["Strict-Transport-Security"] == (
                "max-age=31536000; includeSubDomains"
            )
            assert "Secure" in page.headers["Set-Cookie"]
        finally:
            server.terminate()
            server.wait(timeout=30)

    entries = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    requests = [e for e in entries if e["logger"] == "pheduyet.request"]
    assert [(e["path"], e["status"]) for e in requests] == [
        ("/accounts/login/", 301),
        ("/accounts/login/", 200),
    ]
    assert all(isinstance(e["duration_ms"], float) and e["user_id"] is None for e in requests)
    assert any(e["logger"] == "gunicorn.error" for e in entries)
