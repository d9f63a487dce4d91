#!/usr/bin/env bash
# The Debian packages this project needs on a development or CI machine, in one place.
#
#   deploy/system-packages.sh runtime   what `make run` needs (make run calls this)
#   deploy/system-packages.sh test      that, and what `make test` adds (make test, .ci/run)
#
# Everything present: silent, one dpkg-query call. Something missing: as root, one
# `apt-get update`, then one `apt-get install` of what is missing; otherwise it prints the
# one line to run as root and exits 1, before anything fails in a less obvious way (WeasyPrint
# refuses to start without HarfBuzz's subsetter, for one).
#
# Production images and hosts list their own (deploy/Dockerfile, deploy/README.md): they need
# no compiler of translations, no browser and no test tools.
set -euo pipefail

# make run: a virtualenv (python3.11 -m venv), msgfmt for `make messages`, libmagic for
# recognising attachments, and what WeasyPrint loads for the PDFs: Pango and HarfBuzz's
# subsetter (without it WeasyPrint warns, which the tests make an error, and embeds whole
# fonts). The PDFs embed the bundled Liberation Serif; fonts-liberation gives fontconfig a
# Vietnamese-capable fallback.
runtime=(
  python3-venv gettext libmagic1
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation
)
# make test adds: Chromium for the browser tests, poppler-utils (pdftotext, pdftoppm) to read
# the PDFs, PostgreSQL and Redis (CI starts them; the tests use them when they run), and tools
# the tests drive but the app never runs: nginx -t checks the site configuration,
# docker-compose validates deploy/compose.yaml, LibreOffice recalculates exported formulas.
test=(
  chromium poppler-utils postgresql redis-server
  nginx-light docker-compose libreoffice-calc-nogui
)

case "${1:-}" in
  runtime) wanted=("${runtime[@]}") target="make run" ;;
  test) wanted=("${runtime[@]}" "${test[@]}") target="make test" ;;
  *)
    echo "usage: $0 runtime|test" >&2
    exit 2
    ;;
esac

# dpkg-query prints a line for each package it knows (removed ones too, as "deinstall") and
# nothing for the others (then it exits 1); only "install ok installed" counts.
installed=" $(dpkg-query -W -f='${Package}:${Status}\n' "${wanted[@]}" 2>/dev/null \
  | sed -n 's/:install ok installed$//p' | tr '\n' ' ' || true) "
missing=()
for package in "${wanted[@]}"; do
  [[ $installed == *" $package "* ]] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

# Without what they merely recommend (the Docker engine, a desktop for LibreOffice, upower
# for Chromium): nothing here needs it, and it keeps the install to one line.
command=(apt-get install -y --no-install-recommends "${missing[@]}")
if [ "$(id -u)" -ne 0 ]; then
  {
    echo "$target needs Debian packages that are not installed: ${missing[*]}."
    echo "Install them as root (or run $target as root, which does it):"
    echo "  ${command[*]}"
  } >&2
  exit 1
fi
echo "Installing the Debian packages $target needs: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${command[@]}" -qq >/dev/null
