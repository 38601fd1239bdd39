#!/usr/bin/env bash
# Renders a run's report.html in headless Chromium (Debian's package, installed if missing)
# with the network disabled, and checks the screenshot and the rendered DOM.
# Usage: bash scripts/report_check.sh RUN_DIR
set -euo pipefail
run="$(cd "$1" && pwd)"
if ! command -v chromium >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$work/profile")
timeout 120 chromium "${flags[@]}" --window-size=1200,3000 --screenshot="$work/shot.png" \
  "file://$run/report.html" >/dev/null 2>&1
timeout 120 chromium "${flags[@]}" --dump-dom "file://$run/report.html" >"$work/dom.html" 2>/dev/null
/usr/bin/python3 "$(dirname "$0")/report_check.py" "$run/report.html" "$work/dom.html" "$work/shot.png" "$run/run.json"
