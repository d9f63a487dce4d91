"""gunicorn settings for the web service: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Sync workers: every request is short except the submission's PDF, which WeasyPrint renders
in the request; nginx buffers uploads and slow clients so a worker is never held by them.
Each setting can be changed from the environment without editing this file.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# WEB_CONCURRENCY is the conventional name; two per core, at most eight: a worker that
# renders a report holds about 150 MB while it does.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count(), 8)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then: long-lived renderers grow.
max_requests = 1000
max_requests_jitter = 100
# No runtime control socket (gunicornc): nothing uses it, and its default place, the
# user's home directory, is read-only in the image and hidden by the systemd unit.
control_socket_disable = True
# Heartbeat files in memory, not on a container's overlay file system (a RAM-backed
# directory only gunicorn's own processes write to; nothing is read back from it).
SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = SHM if os.path.isdir(SHM) else None

# Django writes one structured line per request (core.logs.RequestLogMiddleware), so
# gunicorn's own access log would only repeat it. Its error log is JSON too, unless
# LOG_FORMAT=text.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
if os.environ.get("LOG_FORMAT", "json") == "json":
    # Replaces gunicorn's defaults key by key (its handlers are named console and
    # error_console, and the root logger needs one). The access logger stays silent.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
        "handlers": {
            name: {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
            for name in ("console", "error_console")
        },
        "root": {"level": loglevel.upper(), "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {
                "level": loglevel.upper(),
                "handlers": ["error_console"],
                "propagate": False,
            },
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }
