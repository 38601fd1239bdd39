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
"$nedra" serve "$work/demo/run" "$work/demo/run-gbt" --bind 127.0.0.1:0 >"$work/url" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 100); do
  [ -s "$work/url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
  sleep 0.2
done
url="$(head -1 "$work/url")"
case "$url" in http://127.0.0.1:*) ;; *) echo "serve_check: no URL from nedra serve" >&2; cat "$work/serve.err" >&2; exit 1 ;; esac
echo "ok   nedra serve listens at $url"
mkdir -p docs
timeout 300 node crates/server/web/serve_check.mjs "$url" "$work/demo/run" docs
