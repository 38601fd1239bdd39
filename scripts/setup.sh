#!/usr/bin/env bash
# Installs what nedra needs on a fresh Debian 12 machine: GDAL (library, headers and
# command-line tools), pkg-config, Node.js with npm, and the web page's npm packages
# (MapLibre GL JS, embedded into `nedra serve` at build time; `npm ci` from the committed
# crates/server/web/package-lock.json). Safe to run again: it skips what is already there.
set -euo pipefail
need=()
for pkg in libgdal-dev gdal-bin python3-gdal pkg-config; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "nedra setup: installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! command -v npm >/dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "nedra setup: installing nodejs and npm" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
web="$(cd "$(dirname "$0")/.." && pwd)/crates/server/web"
if ! cmp -s "$web/package-lock.json" "$web/node_modules/.package-lock.json.nedra" 2>/dev/null; then
  echo "nedra setup: npm ci in crates/server/web (MapLibre GL JS for nedra serve)" >&2
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$web/package-lock.json" "$web/node_modules/.package-lock.json.nedra"
fi
