#!/usr/bin/env bash
# Benchmark: `nedra validate` of a continuous N×N Float32 score map (a logistic map with nearly
# one distinct score per cell, ~2000 deposits drawn from it, 1000 bootstrap replicates).
# Reports wall time and peak resident memory (GNU time), and the number of distinct scores.
# Usage: bash bench/validate.sh [N] [BASELINE_NEDRA...]   (default N = 8000)
# Each BASELINE_NEDRA (e.g. a release build of an earlier commit) gets a line of its own, so the
# table compares builds on the same data.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-8000}"
shift || true
bash scripts/setup.sh
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --locked -q -p nedra-cli
nedra="$PWD/target/release/nedra"
work="${BENCH_WORK:-$(mktemp -d)}"
[ -n "${BENCH_WORK:-}" ] || trap 'rm -rf "$work"' EXIT
[ -f "$work/data/score.tif" ] || /usr/bin/python3 bench/make_score.py "$work/data" "$n"
distinct="$(/usr/bin/python3 - "$work/data/score.tif" <<'PY'
import sys
import numpy as np
from osgeo import gdal
ds = gdal.Open(sys.argv[1])
a = ds.GetRasterBand(1).ReadAsArray()
print(np.unique(a[a != -9999]).size)
PY
)"
measure() { # label, command...
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err"; exit 1; }
  read -r secs kb <"$work/t"
  auc="$(grep '^ROC AUC' "$work/out" | cut -d' ' -f3)"
  printf '| %-40s | %8.2f | %8.0f | %s |\n' "$label" "$secs" "$((kb / 1024))" "$auc"
}
echo "nedra $(${nedra} --version | cut -d' ' -f2), $(nproc) cores, score map ${n}x${n} = $((n * n)) cells, ${distinct} distinct scores, $(($(wc -l <"$work/data/deposits.csv") - 1)) deposits"
echo "| step | wall s | peak RSS MiB | ROC AUC |"
echo "| --- | ---: | ---: | --- |"
for base in "$@"; do
  measure "validate, $(basename "$base")" "$base" validate "$work/data/score.tif" --deposits "$work/data/deposits.csv" --out "$work/val_base"
done
measure "validate (this build)" "$nedra" validate "$work/data/score.tif" --deposits "$work/data/deposits.csv" --out "$work/val"
