#!/usr/bin/env bash
# Benchmark: exact distance to a fault network on an N×N grid (default 4000), nedra against
# GDAL (gdal_rasterize + gdal_proximity.py, which measures to rasterised cells) on the same
# data in one run; reports wall time, peak memory and GDAL's deviation from the exact distance.
# Usage: bash bench/distance.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-4000}"
bash scripts/setup.sh
cargo build --release --locked -q -p nedra-cli
nedra="$PWD/target/release/nedra"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 bench/make_faults.py "$work" "$n"
extent="400000 $((6000000 - n * 50)) $((400000 + n * 50)) 6000000"
measure() { # label, command...
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  read -r secs kb <"$work/t"
  printf '| %-44s | %8.2f | %8.0f |\n' "$label" "$secs" "$((kb / 1024))"
  echo "$secs" >"$work/last"
}
echo "| step (${n}x${n} cells of 50 m, $(nproc) cores) | wall s | peak RSS MiB |"
echo "| --- | ---: | ---: |"
measure "nedra distance (exact, to segments)" "$nedra" distance "$work/faults.geojson" --like "$work/template.tif" --out "$work/nedra.tif"
t_nedra=$(cat "$work/last")
measure "gdal_rasterize (faults → cells)" gdal_rasterize -q -burn 1 -te $extent -tr 50 50 -ot Byte -co TILED=YES "$work/faults.geojson" "$work/faults.tif"
t_rast=$(cat "$work/last")
measure "gdal_proximity.py (to rasterised cells)" gdal_proximity.py -q "$work/faults.tif" "$work/gdal.tif" -distunits GEO -ot Float32 -co TILED=YES -co COMPRESS=DEFLATE
t_prox=$(cat "$work/last")
/usr/bin/python3 - "$work" "$t_nedra" "$t_rast" "$t_prox" <<'PY'
import sys
import numpy as np
from osgeo import gdal
work, tn, tr, tp = sys.argv[1], *map(float, sys.argv[2:])
a = gdal.Open(f"{work}/nedra.tif").ReadAsArray().astype(np.float64)
b = gdal.Open(f"{work}/gdal.tif").ReadAsArray().astype(np.float64)
d = np.abs(a - b)
print(f"GDAL total {tr + tp:.2f} s vs nedra {tn:.2f} s: nedra is {(tr + tp) / tn:.2f}x the speed of GDAL")
print(f"GDAL's deviation from the exact distance: mean {d.mean():.2f} m, 99th percentile {np.percentile(d, 99):.2f} m, max {d.max():.2f} m (cell 50 m)")
PY
