#!/usr/bin/env bash
# Renders a run's report.html in headless Chromium (Debian's package, installed if missing)
# with the network disabled, and checks the screenshot and the rendered DOM; then rebuilds the
# report in every language (`nedra report --lang`, in copies of the run folder) and checks the
# text each shows (scripts/report_lang_check.mjs, through playwright-core).
# Usage: bash scripts/report_check.sh RUN_DIR [NEDRA_BINARY]   (default: target/release/nedra)
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
nedra="${2:-$(dirname "$0")/../target/release/nedra}"
if ! [ -x "$nedra" ]; then
  echo "report_check: no nedra binary at $nedra (give it as the second argument)" >&2
  exit 1
fi
bash "$(dirname "$0")/setup.sh"
reports=()
for lang in en ru be; do
  mkdir -p "$work/$lang"
  cp -a "$run/." "$work/$lang/"
  "$nedra" report "$work/$lang" --lang "$lang" >/dev/null
  reports+=("$lang=$work/$lang/report.html")
done
timeout 120 node "$(dirname "$0")/report_lang_check.mjs" "${reports[@]}"
