#!/usr/bin/env bash
# Benchmark: whole-grid prediction of saved models on an N×N grid × 8 evidence layers.
# Trains each data-driven model in a run on a 1000×1000 window of the stack (PU bagging, 10
# members, spatial CV), then applies it to the whole N×N stack with `nedra predict`, with and
# without the per-cell explanations (drivers.tif + 8 contribution rasters). Reports wall time
# and peak resident memory (GNU time) of each step.
# Usage: bash bench/predict.sh [N]   (default 4000)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-4000}"
bash scripts/setup.sh
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --locked -q -p nedra-cli
nedra="$PWD/target/release/nedra"
work="${BENCH_WORK:-$(mktemp -d)}"
[ -n "${BENCH_WORK:-}" ] || trap 'rm -rf "$work"' EXIT
/usr/bin/python3 bench/make_stack.py "$work/full" "$n"
m=$(( n < 1000 ? n : 1000 ))
# The training window: the m×m window (of a 4×4 lattice of candidates) with the most deposits.
read -r c0 r0 <<<"$(/usr/bin/python3 - "$work" "$n" "$m" <<'PY'
import sys
work, n, m = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pts = [tuple(map(float, l.split(","))) for l in open(f"{work}/full/deposits.csv").read().splitlines()[1:]]
cells = [(int((x - 400000.0) / 50.0), int((6000000.0 - y) / 50.0)) for x, y in pts]
starts = sorted({min(n - m, k * (n - m) // 3) for k in range(4)})
best = max(((c0, r0) for c0 in starts for r0 in starts),
           key=lambda s: sum(s[0] <= c < s[0] + m and s[1] <= r < s[1] + m for c, r in cells))
print(*best)
PY
)"
mkdir -p "$work/train"
for k in 1 2 3 4 5 6 7 8; do
  gdal_translate -q -srcwin "$c0" "$r0" "$m" "$m" "$work/full/l$k.tif" "$work/train/l$k.tif"
done
/usr/bin/python3 - "$work" "$m" "$c0" "$r0" <<'PY'
import sys
work, m, c0, r0 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
x0, y1 = 400000.0 + 50.0 * c0, 6000000.0 - 50.0 * r0
x1, y0 = x0 + 50.0 * m, y1 - 50.0 * m
rows = open(f"{work}/full/deposits.csv").read().splitlines()
keep = [r for r in rows[1:] if x0 <= float(r.split(",")[0]) < x1 and y0 < float(r.split(",")[1]) <= y1]
open(f"{work}/train/deposits.csv", "w").write("x,y\n" + "\n".join(keep) + "\n")
print(f"{len(keep)} training deposits in the {m}x{m} window at column {c0}, row {r0}; {len(rows) - 1} in the whole stack")
PY
measure() { # label, command...
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  read -r secs kb <"$work/t"
  printf '| %-46s | %8.2f | %8.0f |\n' "$label" "$secs" "$((kb / 1024))"
}
layers=()
for k in 1 2 3 4 5 6 7 8; do layers+=(--layer "l$k=$work/full/l$k.tif"); done
echo "nedra $(${nedra} --version | cut -d' ' -f2), $(nproc) cores, prediction grid ${n}x${n} = $((n * n)) cells x 8 layers"
echo "| step | wall s | peak RSS MiB |"
echo "| --- | ---: | ---: |"
for kind in logistic random_forest gradient_boosting; do
  {
    echo '[grid]'
    echo 'template = "train/l1.tif"'
    echo '[deposits]'
    echo 'path = "train/deposits.csv"'
    echo 'crs = "EPSG:32635"'
    for k in 1 2 3 4 5 6 7 8; do
      printf '[[evidence]]\nname = "l%s"\nsource = "train/l%s.tif"\npattern = "ascending"\nclass_width = 10\n' "$k" "$k"
    done
    printf '[model]\nkind = "%s"\ncv_block_km = 10\n' "$kind"
  } >"$work/$kind.toml"
  if ! "$nedra" run "$work/$kind.toml" --out "$work/run_$kind" >/dev/null 2>"$work/err"; then
    echo "| $kind: training failed: $(tail -1 "$work/err") | | |"
    continue
  fi
  measure "train $kind (${m}x${m} window, run incl. CV)" "$nedra" run "$work/$kind.toml" --out "$work/run_$kind"
  measure "predict $kind + explanations" "$nedra" predict "$work/run_$kind" "${layers[@]}" --out "$work/pred_$kind"
  measure "predict $kind, --no-explain" "$nedra" predict "$work/run_$kind" "${layers[@]}" --no-explain --out "$work/pred_$kind"
done
