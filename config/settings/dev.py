"""Local development and the demo served by make run (SQLite unless DATABASE_URL is set)."""

from __future__ import annotations

from core.clock import parse_start

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# A fixed key is fine for a local demo; production reads its own (see prod.py).
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-not-secret")
# The demo's campaign of 2020 seen live: the clock starts at this moment (make run sets
# 2020-05-04T09:00) and runs on with the real time.
CLOCK_START = parse_start(env.str("DJANGO_CLOCK_START", default=""))

# Signing with a certificate file in the browser, to try the signatures without a token.
SIGNING_WITH_PKCS12_IN_BROWSER = env.bool("SIGNING_WITH_PKCS12_IN_BROWSER", default=True)
