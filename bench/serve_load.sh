#!/usr/bin/env bash
# Load test of `nedra serve` (the figures in README's "nedra serve" section): REQUESTS tile
# requests (default 10,000) from CLIENTS concurrent keep-alive clients (default 32) on loopback,
# over the demo run and over a large synthetic COG — 40000 × 37212 cells (1.5·10⁹), made from
# the demo's magnetic field with gdal_translate (cubic, 512² tiles, DEFLATE, 7 overview levels)
# — each with the tile cache on (256 MiB) and off (every request warped from the COG). The same
# tiles (zooms 7–12 over the same area) are asked of both rasters. Prints tiles/s, latency
# percentiles and the server's peak RSS (VmHWM).
# Usage: bash bench/serve_load.sh [REQUESTS] [CLIENTS]
# BENCH_WORK=DIR keeps (and reuses) the demo and the large COG (4.4 GB) in DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${1:-10000}"
clients="${2:-32}"
bash scripts/setup.sh
cargo build --release --locked -q -p nedra-cli
cargo build --release --locked -q -p nedra-server --example load
nedra="$PWD/target/release/nedra"
load="$PWD/target/release/examples/load"
work="${BENCH_WORK:-$(mktemp -d)}"
[ -n "${BENCH_WORK:-}" ] || trap 'rm -rf "$work"' EXIT
[ -f "$work/demo/run/run.json" ] || "$nedra" demo --out "$work/demo" >/dev/null 2>&1
large="$work/large/run"
if [ ! -f "$large/run.json" ]; then
  mkdir -p "$large"
  echo "making the large COG (about 6 minutes on 2 cores)" >&2
  gdal_translate -q -outsize 40000 0 -r cubic -of COG -co BLOCKSIZE=512 -co COMPRESS=DEFLATE \
    -co PREDICTOR=YES -co BIGTIFF=YES -co NUM_THREADS=ALL_CPUS -co OVERVIEW_RESAMPLING=AVERAGE \
    "$work/demo/run/evidence/magnetic_values.tif" "$large/score.tif"
  echo '{"schema": "nedra-run/2", "synthetic": true, "maps": {"score": "score.tif"},
    "project": {"project": {"name": "Large synthetic COG (40000 columns)"}}}' >"$large/run.json"
fi
for run in "$work/demo/run" "$large"; do
  for cache in 256 0; do
    "$load" --nedra "$nedra" --requests "$requests" --clients "$clients" --cache-mib "$cache" \
      --zooms 7-12 "$run"
    echo
  done
done
