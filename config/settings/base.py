"""Settings shared by every environment; each value may come from the environment."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# One env object for the whole project; .env (if present) is read by manage.py.
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "config.apps.AdminConfig",  # django.contrib.admin, open to administrators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "core",
    "campaigns",
    "submissions",
    "signatures",
    "workflow",
    "receipts",
    "notifications",
    "desk",
    "authoring",
    "reviews",
    "monitoring",
    "national",
    "demo",
    "api",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "viewflow",
    "viewflow.workflow",
    "axes",
    "csp",
    "django_ratelimit",
]

MIDDLEWARE = [
    # Probes first: no host check, HTTPS redirect or request log for them (core.health).
    "core.health.HealthCheckMiddleware",
    "core.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.NoStoreWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workflow.context_processors.roles",
            ],
        },
    },
]

# SQLite is the embedded default (make run); DATABASE_URL selects PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username/address pair is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 for new and changed passwords; the others only verify (and upgrade) older hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "login"
# A sign-in lasts a working day, counted from the sign-in (not renewed by each page): a
# shared office computer does not stay signed in for Django's default fortnight.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_HOURS", default=10) * 3600

# Login throttling (django-axes, attempts kept in the database so every web machine sees
# them): after AXES_FAILURE_LIMIT failures for one username from one address, that pair
# waits AXES_COOLOFF_MINUTES. Locking by username alone would let anyone lock a
# signatory out on deadline day; by address alone, one office behind NAT would lock out
# a whole province.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
# The request header that carries the client's address when a reverse proxy we run sets it
# (nginx: X-Real-IP -> "HTTP_X_REAL_IP"); empty: the peer address. Never set it when
# clients can reach the app server directly, or they choose their own address.
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="")
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Vietnamese first, English second; dates dd/mm/yyyy and Vietnamese separators
# come from config/formats.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_THOUSAND_SEPARATOR = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
# The application's clock (config/clock.py) runs from this moment when set: the development
# settings read it from DJANGO_CLOCK_START (make run's demo), production refuses it.
CLOCK_START: datetime.datetime | None = None

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "var" / "static")
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Media is never served by URL: attachments and receipts go through views that check access.
MEDIA_URL = "/media-not-served/"
# Behind our nginx, those views only check access and name the file in X-Accel-Redirect
# under this prefix, an internal nginx location aliased to MEDIA_ROOT (deploy/nginx); nginx
# sends the bytes. Empty (make run, tests, no nginx): Django sends them (core.downloads).
MEDIA_ACCEL_REDIRECT_PREFIX = env.str("DJANGO_MEDIA_ACCEL_PREFIX", default="")

# Attachments: the accepted kinds (by content) and the size limit.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# An uploaded appendix workbook: its size, and what its parts may add up to once unpacked.
APPENDIX_IMPORT_MAX_BYTES = env.int("APPENDIX_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
APPENDIX_IMPORT_MAX_UNPACKED_BYTES = env.int(
    "APPENDIX_IMPORT_MAX_UNPACKED_BYTES", default=50 * 1024 * 1024
)
# Reading its cells stops after this many seconds (an appendix takes well under one).
APPENDIX_IMPORT_SECONDS = env.float("APPENDIX_IMPORT_SECONDS", default=10.0)
# Django refuses bigger request bodies held in memory; files stream to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# E-mail: the console by default; SMTP from EMAIL_URL, e.g. smtp+tls://user:pass@host:587
# (EMAIL_BACKEND may still name any backend explicitly).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
if env.str("EMAIL_BACKEND", default=""):
    EMAIL_BACKEND = env.str("EMAIL_BACKEND")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="pheduyet@localhost")
# Seconds before a silent mail server is given up on (the worker then retries later);
# without it a hung server would hold a worker for minutes.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=15)

# guardian: no anonymous user row; we never grant anything to anonymous users.
ANONYMOUS_USER_NAME = None
GUARDIAN_RENDER_403 = False

# Logs go to stderr: plain text by default, one JSON object per line with LOG_FORMAT=json
# (production's default), which is what a log collector wants.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # fontTools reports every font subset WeasyPrint embeds; weasyprint warns on each
    # resource the safe fetcher refuses (that is the point), once is enough to know.
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        # axes announces its configuration at every start, management commands included.
        "axes.apps": {"level": "WARNING"},
    },
}
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Receipts are signed with the service's key (receipts.signing). Production names its own
# PKCS#12 file and password; elsewhere make run creates a self-signed development key.
SIGNING_P12_PATH = env.path(
    "SIGNING_P12_PATH", default=BASE_DIR / "var" / "signing" / "dev-signing.p12"
)
SIGNING_P12_PASSWORD = env.str("SIGNING_P12_PASSWORD", default="dev-only")
SIGNING_ORGANISATION = env.str("SIGNING_ORGANISATION", default="Bộ Tài chính")

# People's own signatures (signatures app; README "Digital signatures"). Whether the provincial
# sign-off needs the signatory's signed PDF: the default for a
# campaign whose definition has no "signatures" part (workflow.signoff).
SIGNOFF_REQUIRES_PERSONAL_SIGNATURE = env.bool("SIGNOFF_REQUIRES_PERSONAL_SIGNATURE", default=False)
# The issuing body's (organisation's) signature after the person's: off, optional or required.
SIGNOFF_ORGANISATION_SIGNATURE = env.str("SIGNOFF_ORGANISATION_SIGNATURE", default="optional")
# Revocation: "soft" records "revocation not checked" when no CRL/OCSP answer can be had;
# "require" refuses the signature then.
SIGNATURE_REVOCATION_POLICY = env.str("SIGNATURE_REVOCATION_POLICY", default="soft")
# A signed PDF is refused before it is parsed above this size.
SIGNED_PDF_MAX_BYTES = env.int("SIGNED_PDF_MAX_BYTES", default=20 * 1024 * 1024)
# How far a signer's clock may be ahead of ours.
SIGNATURE_CLOCK_SKEW_SECONDS = env.int("SIGNATURE_CLOCK_SKEW_SECONDS", default=300)
# Signing in the browser with a certificate file (.p12/.pfx) and its password, the server
# signing with the key in memory (signatures.pkcs12): for test and small deployments. Off
# unless set (on in dev and test settings): a person's key belongs on their token.
SIGNING_WITH_PKCS12_IN_BROWSER = env.bool("SIGNING_WITH_PKCS12_IN_BROWSER", default=False)
# Holders and coordinators are warned this many days before a registered certificate expires.
CERTIFICATE_WARNING_DAYS = env.int("CERTIFICATE_WARNING_DAYS", default=30)

# Background jobs: Celery when a broker is configured; without one, tasks run inline
# right after the transaction that asked for them commits.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TIMEZONE = TIME_ZONE
# Workers and beat log through LOGGING above (JSON in production), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery beat runs the reminder sweep (notifications.reminders); without a broker, run
# `manage.py send_reminders` from cron or a systemd timer instead.
CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {
        "task": "notifications.tasks.sweep_deadlines",
        "schedule": env.float("REMINDER_SWEEP_SECONDS", default=900.0),
    },
    # Receipts whose PDF did not get made (a broker down at commit, a render that failed).
    "documents-catch-up": {"task": "national.tasks.render_missing_documents", "schedule": 300.0},
    "certificate-expiry": {
        "task": "notifications.tasks.warn_certificate_expiry",
        "schedule": 86400.0,
    },
    # E-mails whose hand-off was lost or whose mail server failed (notifications.services).
    "emails-outbox": {"task": "notifications.tasks.sweep_outbox", "schedule": 60.0},
}
# A worker takes one task at a time beyond those it runs, so one that dies holds few; what it
# held comes back after the visibility timeout (kombu's default is an hour). Longer than any
# task runs, or a slow task would be handed out twice. deploy/SCALING.md says why.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A queued task is never the only copy of the work (the outbox row, the receipt without its
# PDF are), so a broker that is down is given up on at once: a press then waits about 0.05 s
# per task instead of 0.7 s, and the work is done in the process or by the sweeps.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}
RECEIPT_RENDERING = env.str("RECEIPT_RENDERING", default="auto")  # auto, inline or off

# One cache shared by every web worker and machine: the /verify/ throttle counts in it.
# Redis (CACHE_URL, else the broker's Redis) when there is one; without one (make run,
# tests) each process counts for itself, which django-ratelimit's checks say and which is
# silenced there on purpose.
CACHE_URL = env.str("CACHE_URL", default="") or CELERY_BROKER_URL
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "pheduyet",
        }
    }
    # Django's own Redis cache increments atomically; the library only lists django-redis.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
# The public receipt check parses an uploaded PDF: this many per client address at most
# (django-ratelimit's "N/s", "N/m", "N/h" or "N/d").
VERIFY_UPLOAD_RATE = env.str("VERIFY_UPLOAD_RATE", default="30/h")

# Content Security Policy in every environment, so the browser tests run under it: our own
# origin only, no inline script or style (pages use static/js and static/css). data: images
# are Bootstrap's CSS icons and the empty favicon.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# The web API (api/, README "Web API"): personal tokens or the browser session, problem
# details (RFC 9457) for every error, a rate per token counted in the shared cache.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "api.authentication.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env.str("API_RATE", default="600/min")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Báo cáo của các đơn vị — API",
    "DESCRIPTION": (
        "A versioned JSON API over the review and approval workflow. Every error is an RFC "
        "9457 problem (application/problem+json), in Vietnamese or English per "
        "Accept-Language."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from our own static files (drf-spectacular-sidecar): no CDN, and
    # the pages run under the Content Security Policy above.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "core.enums.Stage",
        "RoleEnum": "core.enums.Role",
        "ActionEnum": "core.enums.Action",
        "DeadlineStatusEnum": "workflow.deadlines.Status",
        "WebhookEventEnum": "api.models.Webhook.Event",
        "DeliveryStatusEnum": "api.models.WebhookDelivery.Status",
    },
}
# A token lives this many days at most (the user picks fewer on the token page).
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
# An Idempotency-Key's first answer is kept this long; a retry later acts again.
API_IDEMPOTENCY_HOURS = env.int("API_IDEMPOTENCY_HOURS", default=24)
# Webhooks are sent only to these hosts (exact names or IP addresses an administrator allows);
# any other URL is refused when registered and again when sent.
API_WEBHOOK_ALLOWED_HOSTS: list[str] = env.list("API_WEBHOOK_ALLOWED_HOSTS", default=[])
API_WEBHOOK_TIMEOUT = env.float("API_WEBHOOK_TIMEOUT", default=10.0)
API_WEBHOOK_MAX_ATTEMPTS = env.int("API_WEBHOOK_MAX_ATTEMPTS", default=6)
CELERY_BEAT_SCHEDULE["webhooks-retry"] = {"task": "api.tasks.sweep_webhooks", "schedule": 60.0}
