#!/usr/bin/env bash
# Back up pheduyet: the database (pg_dump, custom format) and the media files
# (attachments, receipt PDFs) as a tar, with their SHA-256 sums.
#
#   DATABASE_URL=postgres://... DJANGO_MEDIA_ROOT=/var/lib/pheduyet/media \
#     deploy/backup.sh /var/backups/pheduyet
#
# The database is dumped first, then the files: a file written in between is in the tar
# without a row (harmless); files are never rewritten, so every row finds its file.
# Compose deployments: see "Backup and restore" in deploy/README.md.
set -euo pipefail

dest=${1:?usage: deploy/backup.sh DESTINATION_DIR}
: "${DATABASE_URL:?set DATABASE_URL}"
: "${DJANGO_MEDIA_ROOT:?set DJANGO_MEDIA_ROOT}"
bin=${PG_BIN:+$PG_BIN/}

stamp=$(date -u +%Y%m%dT%H%M%SZ)
dump="pheduyet-$stamp.dump"
media="pheduyet-media-$stamp.tar.gz"
mkdir -p "$dest"
umask 077  # the dump holds password hashes and every province's report

"${bin}pg_dump" --format=custom --compress=6 --dbname="$DATABASE_URL" --file="$dest/$dump"
tar --create --gzip --file="$dest/$media" --directory="$DJANGO_MEDIA_ROOT" .
(cd "$dest" && sha256sum "$dump" "$media" > "pheduyet-$stamp.sha256")
echo "$dest/$dump"
echo "$dest/$media"
