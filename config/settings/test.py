"""Test settings: PostgreSQL when one is reachable, SQLite otherwise (and the run says which)."""

from __future__ import annotations

import socket

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, env


def _local_postgres_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


if env.str("DATABASE_URL", default=""):
    pass  # base.py already read it
elif _local_postgres_up():
    DATABASES["default"] = env.db_url_config("postgres://postgres@127.0.0.1:5432/pheduyet")

# Separate checkouts on one machine can run their suites at once, each on its own database.
if name := env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": name}

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SIGNING_P12_PATH = BASE_DIR / "var" / "test-signing" / "test-signing.p12"
SIGNING_P12_PASSWORD = "test-only"  # noqa: S105
RECEIPT_RENDERING = "inline"
SIGNING_WITH_PKCS12_IN_BROWSER = True
