#!/usr/bin/env bash
# The QGIS plugin (qgis/nedra_qgis) headless, through Debian's qgis_process: installs QGIS if
# missing, packages the plugin and installs the zip into a temporary QGIS profile, runs the
# algorithms on the SYNTHETIC demo and checks that each output is byte-identical to the same
# nedra command run directly (and, for nedra:run, that run.json's success-rate AUC equals the
# direct run's). Also the runner's unit tests (no QGIS) and the plugin through QGIS's Python
# API (layers loaded and styled, non-file layers exported, cancellation).
# Usage: bash scripts/qgis_check.sh   (NEDRA_BIN=… to test a given binary instead of building)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export QT_QPA_PLATFORM=offscreen
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

if ! command -v qgis_process >/dev/null || ! /usr/bin/python3 -c "import qgis.core" 2>/dev/null; then
  echo "== installing QGIS (qgis, python3-qgis, qgis-providers)"
  start=$(date +%s)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    qgis python3-qgis qgis-providers >/dev/null
  echo "QGIS installed in $(( $(date +%s) - start )) s"
fi
# Debian 12's /usr/bin/qgis_process wrapper passes --noversioncheck, which QGIS 3.22's
# qgis_process rejects; call the binary behind it.
qgis_process=qgis_process
[ -x /usr/bin/qgis_process.bin ] && qgis_process=/usr/bin/qgis_process.bin

if [ -z "${NEDRA_BIN:-}" ]; then
  cargo build -q --release --locked -p nedra-cli
  NEDRA_BIN="$root/target/release/nedra"
fi
export NEDRA_BIN
nedra="$NEDRA_BIN"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export QGIS_CUSTOM_CONFIG_PATH="$work/config"
export XDG_RUNTIME_DIR="$work/runtime"
mkdir -p -m 700 "$XDG_RUNTIME_DIR"

fail() { echo "FAIL: $*" >&2; exit 1; }
# qgis_process with its log kept for a failure; the QGIS noise on stderr is dropped.
qp() {
  if ! "$qgis_process" "$@" >"$work/qp.out" 2>"$work/qp.err"; then
    cat "$work/qp.out" "$work/qp.err" >&2
    fail "qgis_process $*"
  fi
}
same() { cmp -s "$1" "$2" || fail "$3: $1 differs from $2"; echo "  identical: $3"; }

echo "== runner unit tests (no QGIS)"
/usr/bin/python3 -m unittest discover -s qgis/tests -p 'test_runner.py'

echo "== plugin zip installed into a temporary profile"
bash scripts/qgis_package.sh "$work/nedra_qgis.zip" >/dev/null
plugins="$QGIS_CUSTOM_CONFIG_PATH/profiles/default/python/plugins"
mkdir -p "$plugins"
/usr/bin/python3 -m zipfile -e "$work/nedra_qgis.zip" "$plugins"
qp plugins enable nedra_qgis
qp list
algorithms=(run report compare predict template weights response validate targets distance density
  classify fuzzify derivative interpolate geochem assess_run assess_deposits_pmf prospects)
for a in "${algorithms[@]}"; do
  grep -q "nedra:$a\b" "$work/qp.out" || fail "nedra:$a not listed"
done
echo "  ${#algorithms[@]} algorithms listed"

echo "== demo"
"$nedra" demo --out "$work/demo" >/dev/null 2>&1
d="$work/demo"
q="$work/qgis"
o="$work/direct"
mkdir -p "$q" "$o"
utm=EPSG:32635

echo "== stage commands: QGIS output = direct output"
qp run nedra:weights -- RASTER="$d/run/evidence/faults.tif" DEPOSITS="$d/data/occurrences.csv" \
  DEPOSITS_CRS=$utm TYPE=ascending OUTPUT="$q/faults.csv"
"$nedra" weights "$d/run/evidence/faults.tif" --deposits "$d/data/occurrences.csv" \
  --deposits-crs $utm --type ascending --out "$o/faults.csv" 2>/dev/null
same "$q/faults.csv" "$o/faults.csv" "weights faults.csv (ascending)"

qp run nedra:weights -- RASTER="$d/run/evidence/units.tif" DEPOSITS="$d/data/occurrences.csv" \
  DEPOSITS_CRS=$utm TYPE=categorical GENERALISATION=ga-r THRESHOLD=1.5 UNIT_CELL_KM2=0.5 \
  CATEGORICAL_POOLING=true OUTPUT="$q/units.csv"
"$nedra" weights "$d/run/evidence/units.tif" --deposits "$d/data/occurrences.csv" \
  --deposits-crs $utm --type categorical --generalisation ga-r --threshold 1.5 \
  --unit-cell-km2 0.5 --categorical-pooling --out "$o/units.csv" 2>/dev/null
same "$q/units.csv" "$o/units.csv" "weights units.csv (categorical, ga-r, pooled)"

qp run nedra:response -- WEIGHTS="$o/faults.csv" WEIGHTS="$d/run/weights/units.csv" \
  EVIDENCE="$d/run/evidence/faults.tif" EVIDENCE="$d/run/evidence/units.tif" \
  DEPOSITS="$d/data/occurrences.csv" DEPOSITS_CRS=$utm OUTPUT="$q/response"
"$nedra" response --weights "$o/faults.csv" "$d/run/weights/units.csv" \
  --evidence "$d/run/evidence/faults.tif" "$d/run/evidence/units.tif" \
  --deposits "$d/data/occurrences.csv" --deposits-crs $utm --out "$o/response" >/dev/null 2>&1
for f in posterior posterior_std confidence; do
  same "$q/response/$f.tif" "$o/response/$f.tif" "response $f.tif"
done

qp run nedra:validate -- SCORE="$d/run/posterior.tif" DEPOSITS="$d/data/occurrences.csv" \
  TEST_DEPOSITS="$d/data/hidden_deposits.csv" DEPOSITS_CRS=$utm BOOTSTRAP=200 SEED=7 \
  OUTPUT="$q/validate"
"$nedra" validate "$d/run/posterior.tif" --deposits "$d/data/occurrences.csv" \
  --test-deposits "$d/data/hidden_deposits.csv" --deposits-crs $utm --bootstrap 200 --seed 7 \
  --out "$o/validate" >/dev/null 2>&1
for f in validation.json success_rate.csv prediction_rate.csv pa_plot.csv roc.csv; do
  same "$q/validate/$f" "$o/validate/$f" "validate $f"
done

qp run nedra:targets -- SCORE="$d/run/posterior.tif" UNCERTAINTY="$d/run/posterior_std.tif" \
  DEPOSITS="$d/data/occurrences.csv" DEPOSITS_CRS=$utm RULE=top-percent TOP_PERCENT=3 \
  MIN_AREA_KM2=2 OUTPUT="$q/targets"
"$nedra" targets "$d/run/posterior.tif" --uncertainty "$d/run/posterior_std.tif" \
  --deposits "$d/data/occurrences.csv" --deposits-crs $utm --top-percent 3 --min-area-km2 2 \
  --out "$o/targets" >/dev/null 2>&1
for f in targets.csv targets.geojson targets.tif; do
  same "$q/targets/$f" "$o/targets/$f" "targets $f"
done
qp run nedra:targets -- SCORE="$d/run/posterior.tif" DEPOSITS="$d/data/occurrences.csv" \
  RULE=pa OUTPUT="$q/targets_pa"
"$nedra" targets "$d/run/posterior.tif" --deposits "$d/data/occurrences.csv" --pa \
  --out "$o/targets_pa" >/dev/null 2>&1
same "$q/targets_pa/targets.csv" "$o/targets_pa/targets.csv" "targets (P-A crossing) targets.csv"

qp run nedra:distance -- FEATURES="$d/data/faults.geojson" LIKE="$d/run/mask.tif" \
  MAX_DISTANCE=20000 OUTPUT="$q/distance.tif"
"$nedra" distance "$d/data/faults.geojson" --like "$d/run/mask.tif" --max-distance 20000 \
  --out "$o/distance.tif" >/dev/null 2>&1
same "$q/distance.tif" "$o/distance.tif" "distance"
qp run nedra:distance -- FEATURES="$d/data/units.geojson" LIKE="$d/run/mask.tif" SIGNED=true \
  OUTPUT="$q/signed.tif"
"$nedra" distance "$d/data/units.geojson" --like "$d/run/mask.tif" --signed \
  --out "$o/signed.tif" >/dev/null 2>&1
same "$q/signed.tif" "$o/signed.tif" "signed distance"

qp run nedra:density -- FEATURES="$d/data/faults.geojson" LIKE="$d/run/mask.tif" RADIUS=5000 \
  OUTPUT="$q/density.tif"
"$nedra" density "$d/data/faults.geojson" --like "$d/run/mask.tif" --radius 5000 \
  --out "$o/density.tif" >/dev/null 2>&1
same "$q/density.tif" "$o/density.tif" "density (lines)"
qp run nedra:density -- FEATURES="$d/data/occurrences.csv" CRS=$utm LIKE="$d/run/mask.tif" \
  RADIUS=10000 POINTS=true OUTPUT="$q/points.tif"
"$nedra" density "$d/data/occurrences.csv" --crs $utm --like "$d/run/mask.tif" --radius 10000 \
  --points --out "$o/points.tif" >/dev/null 2>&1
same "$q/points.tif" "$o/points.tif" "density (CSV points)"

magnetic="$d/run/evidence/magnetic_values.tif"
for m in "quantiles CLASSES=10 quantiles:10" "jenks GROUP=true jenks:5:group" \
  "ca SEGMENTS=3 ca:3:100" "manual BREAKS=-50,0,100,300 manual:-50,0,100,300"; do
  read -r name arg spec <<<"$m"
  qp run nedra:classify -- RASTER="$magnetic" METHOD="$name" "$arg" \
    OUTPUT="$q/classes_$name.tif" REPORT="$q/classes_$name.json"
  "$nedra" classify "$magnetic" --method "$spec" --out "$o/classes_$name.tif" \
    --report "$o/classes_$name.json" >/dev/null 2>&1
  same "$q/classes_$name.tif" "$o/classes_$name.tif" "classify $spec"
  # The report names its output raster; the rest must agree.
  sed "s#$q/classes_#DIR/classes_#" "$q/classes_$name.json" >"$work/q.json"
  sed "s#$o/classes_#DIR/classes_#" "$o/classes_$name.json" >"$work/o.json"
  same "$work/q.json" "$work/o.json" "classify $spec report"
done
# The natural-breaks limit (an advanced parameter): 300 distinct values solved exactly.
qp run nedra:classify -- RASTER="$magnetic" METHOD=jenks CLASSES=5 GROUP=true JENKS_LIMIT=300 \
  OUTPUT="$q/classes_limit.tif" REPORT="$q/classes_limit.json"
"$nedra" classify "$magnetic" --method jenks:5:group --jenks-limit 300 \
  --out "$o/classes_limit.tif" --report "$o/classes_limit.json" >/dev/null 2>&1
same "$q/classes_limit.tif" "$o/classes_limit.tif" "classify jenks:5:group --jenks-limit 300"
if cmp -s "$o/classes_limit.tif" "$o/classes_jenks.tif"; then
  fail "classify: --jenks-limit 300 gave the classes of the default limit"
fi

for m in "linear A=-100 B=400 linear:-100.0,400.0" "large A=150 B=3 large:150.0,3.0" \
  "near A=200 B=0.001 near:200.0,0.001"; do
  read -r name a b spec <<<"$m"
  qp run nedra:fuzzify -- RASTER="$magnetic" MEMBERSHIP="$name" "$a" "$b" OUTPUT="$q/fuzzy_$name.tif"
  "$nedra" fuzzify "$magnetic" --membership "$spec" --out "$o/fuzzy_$name.tif" >/dev/null 2>&1
  same "$q/fuzzy_$name.tif" "$o/fuzzy_$name.tif" "fuzzify $spec"
done
qp run nedra:fuzzify -- RASTER="$d/run/evidence/units.tif" MEMBERSHIP=categorical \
  CATEGORIES="5=1,1=0.2,default=0" OUTPUT="$q/fuzzy_units.tif"
"$nedra" fuzzify "$d/run/evidence/units.tif" --membership "categorical:5=1,1=0.2,default=0" \
  --out "$o/fuzzy_units.tif" >/dev/null 2>&1
same "$q/fuzzy_units.tif" "$o/fuzzy_units.tif" "fuzzify categorical"

qp run nedra:derivative -- RASTER="$d/data/thorium.tif" KIND=tilt HALO=32 OUTPUT="$q/tilt.tif"
"$nedra" derivative "$d/data/thorium.tif" --kind tilt --halo 32 --out "$o/tilt.tif" >/dev/null 2>&1
same "$q/tilt.tif" "$o/tilt.tif" "derivative tilt"

# Samples with rare-earth columns at the occurrences (one La below detection in seven).
/usr/bin/python3 - "$d/data/occurrences.csv" "$work/samples.csv" <<'PY'
import csv, math, random, sys
random.seed(1)
elements = ["La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Y"]
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "x", "y"] + elements)
    for i, r in enumerate(csv.DictReader(open(sys.argv[1]))):
        values = [round(40 * math.exp(random.gauss(0, 0.5)) / (1 + j), 3) for j in range(len(elements))]
        if i % 7 == 0:
            values[0] = "<5"
        w.writerow([r["id"], r["x"], r["y"]] + values)
PY
qp run nedra:geochem -- TABLE="$work/samples.csv" CENSORED=fraction FRACTION=0.25 REFERENCE=paas \
  SUM_WITH_Y=true ANOMALY_K=2.5 ELEMENTS=La,Ce,Pr,Nd,Sm,Eu,Gd,Yb,Y OUTPUT="$q/geochem.csv"
"$nedra" geochem "$work/samples.csv" --censored fraction=0.25 --reference paas --sum-with-y \
  --anomaly-k 2.5 --element La --element Ce --element Pr --element Nd --element Sm --element Eu \
  --element Gd --element Yb --element Y --out "$o/geochem.csv" >/dev/null 2>&1
same "$q/geochem.csv" "$o/geochem.csv" "geochem (fraction=0.25, PAAS)"

qp run nedra:interpolate -- POINTS="$o/geochem.csv" VALUE=La_value_ppm LIKE="$d/run/mask.tif" \
  METHOD=kriging VARIOGRAM=exponential OUTPUT="$q/la_kriging.tif" VARIANCE="$q/la_variance.tif"
"$nedra" interpolate "$o/geochem.csv" --value La_value_ppm --like "$d/run/mask.tif" \
  --method kriging --variogram exponential --out "$o/la_kriging.tif" \
  --variance-out "$o/la_variance.tif" >/dev/null 2>&1
same "$q/la_kriging.tif" "$o/la_kriging.tif" "interpolate kriging"
same "$q/la_variance.tif" "$o/la_variance.tif" "interpolate kriging variance"
qp run nedra:interpolate -- POINTS="$o/geochem.csv" VALUE=Ce LIKE="$d/run/mask.tif" POWER=3 \
  NEIGHBOURS=8 OUTPUT="$q/ce_idw.tif"
"$nedra" interpolate "$o/geochem.csv" --value Ce --like "$d/run/mask.tif" --method idw --power 3 \
  --neighbours 8 --out "$o/ce_idw.tif" >/dev/null 2>&1
same "$q/ce_idw.tif" "$o/ce_idw.tif" "interpolate IDW"
# Samples in geographic coordinates, reprojected from their own CRS (--crs).
/usr/bin/python3 - "$o/geochem.csv" "$work/geochem_ll.csv" <<'PY'
import csv, sys
from osgeo import osr
utm, ll = osr.SpatialReference(), osr.SpatialReference()
utm.ImportFromEPSG(32635)
ll.ImportFromEPSG(4326)
ll.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
utm.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
to_ll = osr.CoordinateTransformation(utm, ll)
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    for r in rows:
        lon, lat, _ = to_ll.TransformPoint(float(r["x"]), float(r["y"]))
        r["x"], r["y"] = repr(lon), repr(lat)
        w.writerow(r)
PY
qp run nedra:interpolate -- POINTS="$work/geochem_ll.csv" VALUE=Ce CRS=EPSG:4326 \
  LIKE="$d/run/mask.tif" NEIGHBOURS=8 OUTPUT="$q/ce_idw_ll.tif"
"$nedra" interpolate "$work/geochem_ll.csv" --value Ce --crs EPSG:4326 --like "$d/run/mask.tif" \
  --neighbours 8 --out "$o/ce_idw_ll.tif" >/dev/null 2>&1
same "$q/ce_idw_ll.tif" "$o/ce_idw_ll.tif" "interpolate IDW (samples in EPSG:4326, --crs)"

echo "== nedra:run on the demo project = nedra run"
"$nedra" run "$d/project.toml" --out "$o/run" >/dev/null 2>&1
qp --json run nedra:run -- PROJECT="$d/project.toml" OUTPUT="$q/run"
cp "$work/qp.out" "$work/run_result.json"
/usr/bin/python3 - "$q/run" "$o/run" "$work/run_result.json" <<'PY'
import json, os, sys
qgis, direct, result = sys.argv[1:]
assert os.path.isfile(os.path.join(qgis, "run.json")), "no run.json in the QGIS run folder"
q = json.load(open(os.path.join(qgis, "run.json")))["validation"]["success_rate_auc"]
d = json.load(open(os.path.join(direct, "run.json")))["validation"]["success_rate_auc"]
returned = json.load(open(result))["results"]
assert q == d, f"success-rate AUC: QGIS run {q!r}, direct run {d!r}"
assert returned["SUCCESS_RATE_AUC"] == d, f"algorithm output {returned['SUCCESS_RATE_AUC']!r} != {d!r}"
assert returned["SCORE"] == os.path.join(qgis, "posterior.tif"), returned
assert returned["TARGETS"] == os.path.join(qgis, "targets.gpkg"), returned
print(f"  run.json written; success-rate AUC {q!r} = direct run's {d!r} (and the output SUCCESS_RATE_AUC)")
PY
for f in posterior.tif posterior_std.tif targets.csv weights/faults.csv; do
  same "$q/run/$f" "$o/run/$f" "run $f"
done

qp --json run nedra:run -- PROJECT="$d/project.toml" OUTPUT=TEMPORARY_OUTPUT
/usr/bin/python3 - "$work/qp.out" "$o/run" <<'PY'
import json, os, sys
results = json.load(open(sys.argv[1]))["results"]
direct = json.load(open(os.path.join(sys.argv[2], "run.json")))["validation"]["success_rate_auc"]
assert results.get("SUCCESS_RATE_AUC") == direct, results
assert results["SCORE"] == os.path.join(results["OUTPUT"], "posterior.tif"), results
print("  a temporary run folder: the same AUC, outputs inside it")
PY
qp run nedra:run -- PROJECT="$d/project.toml" OUTPUT="$q/dry" DRY_RUN=true
grep -q "^plan of $d/project.toml" "$work/qp.out" || fail "dry run: no plan in the log"
[ ! -e "$q/dry/run.json" ] || fail "dry run wrote run.json"
echo "  dry run: the plan in the log, nothing computed"

qp run nedra:report -- RUN="$q/run" LANG=ru
grep -q '<html lang="ru">' "$q/run/report.html" || fail "report.html not rebuilt in Russian"
qp run nedra:report -- RUN="$q/run"
grep -q '<html lang="en">' "$q/run/report.html" || fail "report.html not rebuilt in the run's language"
echo "  report rebuilt, in Russian and in the run's language"

echo "== project, prediction and assessment commands: QGIS output = direct output"
for name in carbonatite_ree pegmatite_li; do
  qp run nedra:template -- NAME=$name OUTPUT="$q/$name.toml"
  "$nedra" template $name >"$o/$name.toml"
  same "$q/$name.toml" "$o/$name.toml" "template $name"
done

# A logistic-regression run of the demo, its model applied through nedra:predict.
cp "$d/project.toml" "$d/project_logistic.toml"
printf '\n[model]\nkind = "logistic"\nmodels = 3\n' >>"$d/project_logistic.toml"
"$nedra" run "$d/project_logistic.toml" --out "$o/logistic" >/dev/null 2>&1
r="$o/logistic"
qp run nedra:predict -- MODEL="$r/model.json" LAYERS="magnetic=$r/evidence/magnetic_values.tif
thorium=$d/data/thorium.tif;faults=$r/evidence/faults_values.tif
units=$r/evidence/units.tif" MASK="$r/mask.tif" DEPOSITS="$d/data/hidden_deposits.csv" \
  DEPOSITS_CRS=$utm OUTPUT="$q/predict"
"$nedra" predict "$r/model.json" --layer "magnetic=$r/evidence/magnetic_values.tif" \
  --layer "thorium=$d/data/thorium.tif" --layer "faults=$r/evidence/faults_values.tif" \
  --layer "units=$r/evidence/units.tif" --mask "$r/mask.tif" \
  --deposits "$d/data/hidden_deposits.csv" --deposits-crs $utm --out "$o/predict" >/dev/null 2>&1
for f in prospectivity.tif uncertainty.tif drivers.tif contributions/units.tif validation.json; do
  same "$q/predict/$f" "$o/predict/$f" "predict $f"
done

qp run nedra:assess_run -- ASSESSMENT="$d/assessment.toml" OUTPUT="$q/assessment"
"$nedra" assess run "$d/assessment.toml" --out "$o/assessment" >/dev/null 2>&1
same "$q/assessment/assessment.json" "$o/assessment/assessment.json" "assess run assessment.json"
same "$q/assessment/tracts.tif" "$o/assessment/tracts.tif" "assess run tracts.tif"

printf 'name,weight,n90,n50,n10\nA,1,2,5,10\nB,2,1,4,12\nC,1,3,6,9\n' >"$work/experts.csv"
for rule in negative-binomial mark3; do
  csv="$work/experts.csv"
  if [ $rule = mark3 ]; then head -2 "$work/experts.csv" >"$work/consensus.csv"; csv="$work/consensus.csv"; fi
  qp run nedra:assess_deposits_pmf -- EXPERTS="$csv" RULE=$rule OUTPUT="$q/pmf_$rule.json"
  "$nedra" assess deposits-pmf --experts "$csv" --rule $rule --out "$o/pmf_$rule.json" >/dev/null 2>&1
  same "$q/pmf_$rule.json" "$o/pmf_$rule.json" "assess deposits-pmf ($rule)"
done

cat >"$work/prospects.toml" <<'TOML'
[options]
seed = 7
trials = 5000

[[play]]
name = "Upper Jurassic sands"
source = 0.8
reservoir = 0.9
seal = 0.7
charge = 0.85

[[prospect]]
name = "Alpha"
play = "Upper Jurassic sands"
reservoir = 0.7
charge = 0.6
fluid = "oil"
gross_rock_volume_mm3 = { kind = "log_normal", p90 = 20.0, p10 = 180.0 }
net_to_gross = { kind = "triangular", min = 0.4, mode = 0.6, max = 0.8 }
porosity = { kind = "pert", min = 0.12, mode = 0.18, max = 0.25 }
water_saturation = { kind = "triangular", min = 0.2, mode = 0.3, max = 0.45 }
formation_volume_factor = { kind = "fixed", value = 1.25 }
economics = { dry_hole_cost = 25.0, recovery_factor = 0.3, value_per_unit = 2.0, development_cost = 40.0 }
TOML
qp run nedra:prospects -- PROSPECTS="$work/prospects.toml" OUTPUT="$q/prospects"
"$nedra" prospects "$work/prospects.toml" --out "$o/prospects" >/dev/null 2>&1
same "$q/prospects/prospects.json" "$o/prospects/prospects.json" "prospects prospects.json"

echo "== nedra's errors become a failed algorithm with nedra's message"
printf 'x,y\n100,100\n' >"$work/far.csv"
if "$qgis_process" run nedra:weights -- RASTER="$d/run/evidence/faults.tif" \
  DEPOSITS="$work/far.csv" TYPE=ascending OUTPUT="$q/bad.csv" >"$work/bad.out" 2>&1; then
  fail "weights with deposits outside the grid succeeded"
fi
grep -q "^nedra weights: locating deposits" "$work/bad.out" &&
  grep -q "caused by: .*none of the 1 deposits lies inside the study area" "$work/bad.out" ||
  { cat "$work/bad.out"; fail "nedra's message missing"; }
[ ! -e "$q/bad.csv" ] || fail "a failed weights left its table"
echo "  exit non-zero with nedra's message: $(grep -m1 'caused by: ' "$work/bad.out")"

echo "== the plugin through QGIS's Python API (loading, styles, layers, cancellation)"
/usr/bin/python3 qgis/tests/test_plugin.py "$plugins" "$d"

echo "QGIS plugin checks passed"
