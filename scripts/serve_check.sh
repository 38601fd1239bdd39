#!/usr/bin/env bash
# The browser test of `nedra serve`: runs the demo, serves its two runs (weights of evidence and gradient boosting, to compare
# side by side) on a free loopback port, drives Debian's Chromium (installed if missing)
# headless through playwright-core from npm (crates/server/web, never a downloaded browser),
# checks the page (crates/server/web/serve_check.mjs) and saves screenshots to docs/.
# Usage: bash scripts/serve_check.sh [NEDRA_BINARY]   (default: builds target/release/nedra)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! [ -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
nedra="${1:-}"
if [ -z "$nedra" ]; then
  cargo build -q --release --locked -p nedra-cli
  nedra=target/release/nedra
fi
nedra="$(cd "$(dirname "$nedra")" && pwd)/$(basename "$nedra")"
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
"$nedra" demo --out "$work/demo" >"$work/demo.out" 2>"$work/demo.err"
if ! grep -q "nedra serve $work/demo/run" "$work/demo.out" "$work/demo.err"; then
  echo "serve_check: nedra demo did not print the nedra serve command for its run" >&2
  exit 1
fi
echo "ok   nedra demo prints: $(grep -h "nedra serve" "$work/demo.out" "$work/demo.err" | head -1)"
# Starts `nedra serve ARGS…` on a free loopback port; sets $server and $url.
serve() {
  rm -f "$work/url"
  "$nedra" serve "$@" --bind 127.0.0.1:0 >"$work/url" 2>"$work/serve.err" &
  server=$!
  for _ in $(seq 1 100); do
    [ -s "$work/url" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
    sleep 0.2
  done
  url="$(head -1 "$work/url")"
}
serve "$work/demo/run" "$work/demo/run-gbt"
case "$url" in http://127.0.0.1:*) ;; *) echo "serve_check: no URL from nedra serve" >&2; cat "$work/serve.err" >&2; exit 1 ;; esac
echo "ok   nedra serve listens at $url"
mkdir -p docs
timeout 300 node crates/server/web/serve_check.mjs "$url" "$work/demo/run" docs

# A local basemap (--basemap): an MBTiles file made with GDAL from the demo's thorium grid, its
# attribution holding markup that must show as text.
kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""
gdal_translate -q -of MBTILES -ot Byte -scale -a_nodata none -co ZOOM_LEVEL_STRATEGY=UPPER \
  "$work/demo/data/thorium.tif" "$work/basemap.mbtiles"
gdaladdo -q -r average "$work/basemap.mbtiles" 2 4 8 16
attribution='Survey basemap <b>&copy;</b> test'
/usr/bin/python3 - "$work/basemap.mbtiles" "$attribution" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DELETE FROM metadata WHERE name = 'attribution'")
db.execute("INSERT INTO metadata (name, value) VALUES ('attribution', ?)", (sys.argv[2],))
db.commit()
PY
serve "$work/demo/run" --basemap "$work/basemap.mbtiles"
echo "ok   nedra serve --basemap listens at $url"
timeout 300 node crates/server/web/serve_check.mjs "$url" "$work/demo/run" docs "$attribution"
