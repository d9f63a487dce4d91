#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into an empty database and an empty media
# directory, then check every receipt chain in the restored database.
#
#   DATABASE_URL=postgres://.../workflow_restored DJANGO_MEDIA_ROOT=/srv/restore/media \
#     deploy/restore.sh pheduyet-STAMP.dump pheduyet-media-STAMP.tar.gz
#
# Create the database first (createdb -O workflow workflow_restored). PYTHON names the
# interpreter of the application's virtualenv (default: python on PATH).
set -euo pipefail

dump=${1:?usage: deploy/restore.sh DUMP MEDIA_TAR}
media=${2:?usage: deploy/restore.sh DUMP MEDIA_TAR}
: "${DATABASE_URL:?set DATABASE_URL to the empty database to restore into}"
: "${DJANGO_MEDIA_ROOT:?set DJANGO_MEDIA_ROOT to the empty directory to restore into}"
bin=${PG_BIN:+$PG_BIN/}
here=$(cd "$(dirname "$0")/.." && pwd)

sums="${dump%.dump}.sha256"
if [ -f "$sums" ]; then
  (cd "$(dirname "$sums")" && sha256sum --check --quiet "$(basename "$sums")")
fi
mkdir -p "$DJANGO_MEDIA_ROOT"
if [ -n "$(ls -A "$DJANGO_MEDIA_ROOT")" ]; then
  echo "restore: $DJANGO_MEDIA_ROOT is not empty; restore into an empty directory" >&2
  exit 1
fi

# One transaction: either the whole database is restored or nothing is. Owners and
# grants are those of the role restoring, so a dump moves between clusters.
"${bin}pg_restore" --exit-on-error --single-transaction --no-owner --no-privileges \
  --dbname="$DATABASE_URL" "$dump"
tar --extract --gzip --file="$media" --directory="$DJANGO_MEDIA_ROOT"

cd "$here"
"${PYTHON:-python}" manage.py verify_receipts --files
