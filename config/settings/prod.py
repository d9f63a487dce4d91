"""Production: every secret comes from the environment, with no default.

Behind our nginx (deploy/nginx/pheduyet.conf.template), which terminates TLS and sets
X-Forwarded-Proto and X-Real-IP. `manage.py check --deploy` passes with these settings
(tests/deploy/test_check_deploy.py).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOGGING, SILENCED_SYSTEM_CHECKS, env

DEBUG = False
# The demo's clock would date every receipt, deadline and reminder wrongly: a production
# environment that sets it (a copied development .env) fails at start rather than run on it.
if env.str("DJANGO_CLOCK_START", default=""):
    raise ImproperlyConfigured(
        "DJANGO_CLOCK_START moves the clock for the demo; production runs on the real time. "
        "Remove it from the environment."
    )
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
SIGNING_P12_PATH = env.path("SIGNING_P12_PATH")
SIGNING_P12_PASSWORD = env.str("SIGNING_P12_PASSWORD")

# HTTPS only. nginx terminates TLS and says so in X-Forwarded-Proto (it overwrites what
# the client sent); a plain-HTTP request that still reaches Django is redirected.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Joining the browsers' preload list is the domain owner's decision, made once for the
# whole domain, not the application's: off unless asked for, and its check silenced.
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
# No script of ours reads the CSRF cookie: forms carry the token.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="HTTP_X_REAL_IP")

# One JSON object per line unless LOG_FORMAT says otherwise.
LOGGING["handlers"]["console"]["formatter"] = env.str("LOG_FORMAT", default="json")
