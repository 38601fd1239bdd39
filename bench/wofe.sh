#!/usr/bin/env bash
# Benchmark: weights of evidence + response on an N×N grid with 4 evidence layers.
# Reports wall time and peak resident memory (GNU time) of each step.
# Usage: bash bench/wofe.sh [N]   (default 4000)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-4000}"
bash scripts/setup.sh
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --locked -q -p nedra-cli
nedra="$PWD/target/release/nedra"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 bench/make_wofe_grid.py "$work/data" "$n"
measure() { # label, command...
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  read -r secs kb <"$work/t"
  printf '| %-34s | %8.2f | %8.0f |\n' "$label" "$secs" "$((kb / 1024))"
}
echo "nedra $(${nedra} --version | cut -d' ' -f2), $(nproc) cores, grid ${n}x${n} = $((n * n)) cells, 4 layers"
echo "| step | wall s | peak RSS MiB |"
echo "| --- | ---: | ---: |"
for l in a b c units; do
  kind=ascending; [ "$l" = b ] && kind=descending; [ "$l" = units ] && kind=categorical
  measure "weights $l ($kind)" "$nedra" weights "$work/data/$l.tif" --deposits "$work/data/deposits.csv" --type "$kind" --out "$work/$l.csv"
done
measure "response (4 layers)" "$nedra" response --weights "$work"/{a,b,c,units}.csv --evidence "$work"/data/{a,b,c,units}.tif --deposits "$work/data/deposits.csv" --out "$work/resp"
cat >"$work/project.toml" <<TOML
[grid]
template = "data/a.tif"
[deposits]
path = "data/deposits.csv"
crs = "EPSG:32635"
[[evidence]]
name = "a"
source = "data/a.tif"
pattern = "ascending"
[[evidence]]
name = "b"
source = "data/b.tif"
pattern = "descending"
[[evidence]]
name = "c"
source = "data/c.tif"
pattern = "ascending"
[[evidence]]
name = "units"
source = "data/units.tif"
pattern = "categorical"
TOML
measure "nedra run (whole pipeline)" "$nedra" run "$work/project.toml" --out "$work/run"

# The same response in plain numpy + GDAL (bench/response_numpy.py, whole arrays in memory),
# paired runs alternating nedra / numpy; medians of 5, and the two posteriors compared cell by cell.
pairs="${PAIRS:-5}"
for i in $(seq "$pairs"); do
  rm -rf "$work/rn" "$work/rp" && mkdir -p "$work/rp"
  /usr/bin/time -f "%e %M" -o "$work/tn$i" "$nedra" response --weights "$work"/{a,b,c,units}.csv \
    --evidence "$work"/data/{a,b,c,units}.tif --deposits "$work/data/deposits.csv" --out "$work/rn" >/dev/null 2>&1
  /usr/bin/time -f "%e %M" -o "$work/tp$i" /usr/bin/python3 bench/response_numpy.py "$work/rp" \
    "$work/data/deposits.csv" 1.0 $(for l in a b c units; do printf '%s ' "$work/data/$l.tif=$work/$l.csv"; done) >/dev/null
done
/usr/bin/python3 - "$work" "$pairs" <<'PY'
import statistics, sys
import numpy as np
from osgeo import gdal
work, pairs = sys.argv[1], int(sys.argv[2])
def runs(p):
    return [tuple(map(float, open(f"{work}/{p}{i}").read().split())) for i in range(1, pairs + 1)]
n, p = runs("tn"), runs("tp")
ns, ps = statistics.median(r[0] for r in n), statistics.median(r[0] for r in p)
print(f"\nresponse, {pairs} paired runs (median wall s / peak RSS MiB):")
print(f"| nedra response | {ns:.2f} | {statistics.median(r[1] for r in n) / 1024:.0f} |")
print(f"| numpy + GDAL (bench/response_numpy.py) | {ps:.2f} | {statistics.median(r[1] for r in p) / 1024:.0f} |")
print(f"nedra is {ps / ns:.2f}x the speed of numpy + GDAL")
for name in ["posterior", "posterior_std", "confidence"]:
    a = gdal.Open(f"{work}/rn/{name}.tif").ReadAsArray().astype(float)
    b = gdal.Open(f"{work}/rp/{name}.tif").ReadAsArray().astype(float)
    print(f"{name}: largest difference nedra - numpy {np.max(np.abs(a - b)):.3g}")
PY
