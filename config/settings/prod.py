"""Production: every secret comes from the environment, with no default."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SIGNING_P12_PATH = env.path("SIGNING_P12_PATH")
SIGNING_P12_PASSWORD = env.str("SIGNING_P12_PASSWORD")
