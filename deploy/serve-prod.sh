#!/usr/bin/env bash
# make serve-prod: the application as production runs it (config.settings.prod, gunicorn,
# JSON logs, collected static files) on this machine, against a scratch PostgreSQL
# database, to look at its headers and probes. Not a deployment: the secret key and a
# self-signed signing key are made up under var/prodcheck/, and there is no nginx, so
# tell Django the request came over HTTPS as nginx would:
#   curl -H 'X-Forwarded-Proto: https' http://127.0.0.1:8000/accounts/login/
set -euo pipefail
cd "$(dirname "$0")/.."

py=${PY:-.venv/bin/python}
state=var/prodcheck
mkdir -p "$state"
if [ ! -f "$state/secret" ]; then
  (umask 077 && "$py" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$state/secret")
fi

export DJANGO_SETTINGS_MODULE=config.settings.prod
DJANGO_SECRET_KEY=$(cat "$state/secret")
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/${PROD_DB:-workflow_prodcheck}}
export DJANGO_STATIC_ROOT=$PWD/$state/static DJANGO_MEDIA_ROOT=$PWD/$state/media
export SIGNING_P12_PATH=$PWD/$state/signing.p12 SIGNING_P12_PASSWORD=prodcheck-only
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-}
# No nginx here: Django sends attachments and receipts itself.
export DJANGO_MEDIA_ACCEL_PREFIX=
export LOG_FORMAT=${LOG_FORMAT:-json}

"$py" - <<'PY'
import os
import environ
import psycopg2

db = environ.Env.db_url_config(os.environ["DATABASE_URL"])
conn = psycopg2.connect(
    dbname="postgres", user=db["USER"], password=db["PASSWORD"] or None,
    host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
)
conn.autocommit = True
with conn.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
    if cursor.fetchone() is None:
        cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
        print(f"serve-prod: created database {db['NAME']}")
PY
"$py" manage.py migrate --noinput -v 0
"$py" manage.py ensure_signing_key
"$py" manage.py load_reference_data
"$py" manage.py collectstatic --noinput -v 0
exec "$(dirname "$py")/gunicorn" -c deploy/gunicorn.conf.py \
  --bind "${HOST:-127.0.0.1}:${PORT:-8000}" --workers "${WEB_CONCURRENCY:-2}" config.wsgi
