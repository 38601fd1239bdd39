#!/usr/bin/env bash
# Installs what nedra needs on a fresh Debian 12 machine: GDAL (library, headers and
# command-line tools) and pkg-config. Safe to run again: it skips what is already there.
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
