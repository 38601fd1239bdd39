#!/usr/bin/env bash
# Spatial cross-validation benchmark (issue 4): nedra's logistic regression, random forest and
# gradient boosting against scikit-learn's logistic regression and random forest and LightGBM,
# trained on exactly the same samples and the same spatial block folds, on
#   (a) the SYNTHETIC demo (`nedra demo`), and
#   (b) the real GA Cloncurry IOCG data (DATA_ROOT/ga_cloncurry_iocg_wofe; skipped if absent).
#
#   bash bench/models_spatial.sh [DATA_ROOT]      # DATA_ROOT defaults to ../shared/data
#
# Steps: (1) venv target/venv-compare (pinned numpy, scipy, scikit-learn, pandas, statsmodels,
# lightgbm); (2) `cargo build --release -p nedra-cli`; (3) for each data set and each nedra
# kind, `nedra run` into target/models-spatial/<dataset>/<kind> (a kind that nedra rejects is
# recorded as n/a); (4) a small timing harness (generated under
# target/models-spatial/harness, built against crates/models) re-runs nedra's
# `cross_validate` on the run's training.csv to time the CV alone and to export nedra's
# held-out scores, which check the Python metric; (5) bench/models_spatial.py fits the Python
# models on training.csv with its `fold` column and writes target/models-spatial/report.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DATA_ROOT=${1:-../shared/data}
OUT=target/models-spatial
started=$(date +%s)

# Settings shared by nedra's [model] table, the harness and the Python side.
SEED=42
MODELS=10
L2=1            # logistic: l2_penalty (nedra's default)
RF_TREES=50     # random forest: trees (nedra's default)
GBT_TREES=200   # gradient boosting: trees, learning_rate, max_depth (nedra's defaults; the
GBT_RATE=0.05   # other boosting options, min_samples_leaf 5, L2 leaf 1, subsample 1, are fixed
GBT_DEPTH=3     # in crates/cli/src/ml.rs)
REPS=${REPS:-3}   # timed repetitions of each cross-validation (median reported)
KINDS=(logistic random_forest gradient_boosting)

# 1. Python environment.
VENV=target/venv-compare
if [ ! -x "$VENV/bin/python" ]; then
    PY=$(command -v python3 || echo /usr/bin/python3)
    "$PY" -m venv "$VENV" || /usr/bin/python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check \
    numpy==2.2.6 scipy==1.15.3 scikit-learn==1.6.1 pandas==2.2.3 statsmodels==0.14.4 \
    lightgbm==4.6.0

# 2. nedra, release (cargo waits if another build holds the lock).
cargo build --release -q -p nedra-cli
NEDRA=$ROOT/target/release/nedra
mkdir -p "$OUT"

# 3. The timing harness: nedra_models::cross_validate on a training.csv, as crates/cli/src/ml.rs
#    calls it (same learner options, fold scheme and seed). Its own target dir, so it never
#    touches the workspace's build. Built with gradient boosting if the library has it.
H=$OUT/harness
mkdir -p "$H/src"
cat > "$H/Cargo.toml" <<EOF
[package]
name = "models-spatial-harness"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
nedra-models = { path = "$ROOT/crates/models" }

[features]
boosting = []

[workspace]
EOF
cat > "$H/src/main.rs" <<'EOF'
//! Re-runs nedra's spatial block cross-validation on a run's training.csv and times it.
//! Usage: harness KIND TRAINING_CSV OUT_DIR TREES L2 LEARNING_RATE MAX_DEPTH BLOCK_M FOLDS SEED REPS
//! Writes OUT_DIR/harness_folds.csv (fold,roc_auc,prediction_rate_auc),
//! OUT_DIR/harness_scores.csv (row,held_out_score) and OUT_DIR/harness_time.csv (rep,cv_s).
use std::fmt::Write as _;
use std::time::Instant;

use nedra_models::{
    cross_validate, ClassWeighting, CrossValidation, FoldScheme, ForestOptions, Learner,
    LogisticOptions, TrainingSet,
};

fn run<L: Learner>(l: &L, d: &TrainingSet, s: &FoldScheme, seed: u64, reps: usize)
    -> (CrossValidation, Vec<f64>) {
    let cv = cross_validate(l, d, s, seed).expect("cross-validation");
    let times = (0..reps)
        .map(|_| {
            let t = Instant::now();
            let again = cross_validate(l, d, s, seed).expect("cross-validation");
            let e = t.elapsed().as_secs_f64();
            assert_eq!(again.mean_roc_auc.to_bits(), cv.mean_roc_auc.to_bits(), "not reproducible");
            e
        })
        .collect();
    (cv, times)
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    assert_eq!(a.len(), 12, "usage: harness KIND CSV OUT TREES L2 RATE DEPTH BLOCK_M FOLDS SEED REPS");
    let num = |i: usize| a[i].parse::<f64>().unwrap();
    let (kind, out) = (a[1].as_str(), std::path::Path::new(&a[3]));
    let (trees, l2, _rate, _depth) = (num(4) as usize, num(5), num(6), num(7) as usize);
    let (block, folds) = (num(8), num(9) as usize);
    let (seed, reps) = (a[10].parse::<u64>().unwrap(), num(11) as usize);
    let text = std::fs::read_to_string(&a[2]).expect("training.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[..5], ["x", "y", "deposit", "weight", "fold"]);
    let p = header.len() - 5;
    let (mut f, mut lab, mut x, mut y, mut w) = (vec![], vec![], vec![], vec![], vec![]);
    for line in lines {
        let v: Vec<f64> = line.split(',').map(|s| s.parse().unwrap()).collect();
        x.push(v[0]);
        y.push(v[1]);
        lab.push(v[2] == 1.0);
        w.push(v[3]);
        f.extend_from_slice(&v[5..]);
    }
    let data = TrainingSet::new(p, f, lab, x, y)
        .unwrap()
        .with_class_weighting(ClassWeighting::Balanced)
        .unwrap();
    assert_eq!(data.weights(), &w[..], "balanced weights differ from training.csv");
    let scheme = FoldScheme::Blocks { block_size: block, folds, seed };
    let (cv, times) = match kind {
        "logistic" => run(&LogisticOptions { l2_penalty: l2, ..LogisticOptions::default() },
                          &data, &scheme, seed, reps),
        "random_forest" => run(&ForestOptions { trees, min_samples_leaf: 5,
                                                ..ForestOptions::default() },
                               &data, &scheme, seed, reps),
        #[cfg(feature = "boosting")]
        "gradient_boosting" => run(&nedra_models::BoostingOptions { trees,
                                       learning_rate: _rate, max_depth: _depth,
                                       min_samples_leaf: 5,
                                       ..nedra_models::BoostingOptions::default() },
                                   &data, &scheme, seed, reps),
        other => panic!("kind {other} is not in this harness"),
    };
    let show = |v: Option<f64>| v.map_or("nan".to_string(), |v| v.to_string());
    let mut s = String::from("fold,roc_auc,prediction_rate_auc\n");
    for r in &cv.folds {
        writeln!(s, "{},{},{}", r.fold, show(r.roc_auc), show(r.prediction_rate_auc)).unwrap();
    }
    std::fs::write(out.join("harness_folds.csv"), s).unwrap();
    let mut s = String::from("row,held_out_score\n");
    for (i, v) in cv.held_out_scores.iter().enumerate() {
        writeln!(s, "{i},{v}").unwrap();
    }
    std::fs::write(out.join("harness_scores.csv"), s).unwrap();
    let mut s = String::from("rep,cv_s\n");
    for (i, t) in times.iter().enumerate() {
        writeln!(s, "{i},{t}").unwrap();
    }
    std::fs::write(out.join("harness_time.csv"), s).unwrap();
}
EOF
[ -f "$H/Cargo.lock" ] || cp Cargo.lock "$H/Cargo.lock"   # the workspace's dependency versions
HARNESS=""
for features in "--features boosting" ""; do
    # shellcheck disable=SC2086
    if CARGO_TARGET_DIR="$ROOT/$H/target" cargo build --release -q \
        --manifest-path "$H/Cargo.toml" $features 2>"$H/build.log"; then
        HARNESS=$ROOT/$H/target/release/models-spatial-harness
        break
    fi
done
[ -n "$HARNESS" ] || echo "note: the timing harness did not build ($H/build.log): nedra CV times will be n/a"

# 4. One data set: a base project (without [model]) → one run per kind.
#    run_dataset NAME BASE_PROJECT_FILE CV_BLOCK_KM LABEL
run_dataset() {
    local name=$1 base=$2 block_km=$3 label=$4
    local dir=$OUT/$name
    mkdir -p "$dir"
    local status="{"
    for kind in "${KINDS[@]}"; do
        local project keys trees=0
        project=$(dirname "$base")/project_$kind.toml
        case $kind in
            logistic) keys="l2_penalty = $L2" ;;
            random_forest) trees=$RF_TREES; keys="trees = $RF_TREES" ;;
            gradient_boosting)
                trees=$GBT_TREES
                keys="trees = $GBT_TREES
learning_rate = $GBT_RATE
max_depth = $GBT_DEPTH" ;;
        esac
        { cat "$base"; cat <<EOF

# Added by bench/models_spatial.sh (the Python side mirrors these settings).
[model]
kind = "$kind"
models = $MODELS
$keys
seed = $SEED
cv_block_km = $block_km
cv_folds = 5
EOF
        } > "$project"
        echo "== $name: nedra run ($kind)"
        local t0 t1
        t0=$(date +%s%N)
        rm -f "$dir/$kind"/harness_*.csv
        if "$NEDRA" run "$project" --out "$dir/$kind" > "$dir/$kind.log" 2>&1; then
            t1=$(date +%s%N)
            status+="\"$kind\": {\"ok\": true, \"wall_ms\": $(( (t1 - t0) / 1000000 ))},"
            if [ -n "$HARNESS" ]; then
                if ! "$HARNESS" "$kind" "$dir/$kind/training.csv" "$dir/$kind" "$trees" "$L2" \
                    "$GBT_RATE" "$GBT_DEPTH" "$((block_km * 1000))" 5 "$SEED" "$(( REPS > 0 ? REPS : 1 ))" \
                    2>>"$dir/$kind.log"; then
                    echo "   (the timing harness failed for $kind: see $dir/$kind.log)"
                    rm -f "$dir/$kind"/harness_*.csv
                fi
            fi
        else
            echo "   nedra failed on kind = $kind (see $dir/$kind.log): n/a"
            sed -n '1,3p' "$dir/$kind.log" | sed 's/^/   | /'
            rm -rf "${dir:?}/$kind"
            status+="\"$kind\": {\"ok\": false},"
        fi
    done
    # The knowledge-driven fuzzy network (FUZZY: its [model] keys), scored on the same folds.
    if [ -n "${FUZZY:-}" ]; then
        project=$(dirname "$base")/project_fuzzy.toml
        { cat "$base"; printf '\n# Added by bench/models_spatial.sh: expert memberships (our choice, not fitted).\n[model]\nkind = "fuzzy"\nseed = %s\ncv_block_km = %s\ncv_folds = 5\n%s\n' "$SEED" "$block_km" "$FUZZY"; } > "$project"
        echo "== $name: nedra run (fuzzy)"
        if ! "$NEDRA" run "$project" --out "$dir/fuzzy" > "$dir/fuzzy.log" 2>&1; then
            echo "   nedra failed on kind = fuzzy (see $dir/fuzzy.log)"
            rm -rf "${dir:?}/fuzzy"
        fi
    fi
    status="${status%,}}"
    cat > "$dir/bench.json" <<EOF
{"name": "$name", "label": "$label", "seed": $SEED, "models": $MODELS, "l2_penalty": $L2,
 "rf_trees": $RF_TREES, "gbt_trees": $GBT_TREES, "gbt_learning_rate": $GBT_RATE,
 "gbt_max_depth": $GBT_DEPTH, "cv_block_km": $block_km, "cv_folds": 5, "reps": $REPS,
 "kinds": $status}
EOF
}

# (a) The synthetic demo.
rm -rf "$OUT/demo/project"
"$NEDRA" demo --out "$OUT/demo/project" > "$OUT/demo.log" 2>&1 || { cat "$OUT/demo.log"; exit 1; }
FUZZY='output = "target"
[[model.memberships]]
layer = "magnetic"
function = "large:200,3"
[[model.memberships]]
layer = "thorium"
function = "large:14,4"
[[model.memberships]]
layer = "faults"
function = "small:2000,2"
[[model.memberships]]
layer = "units"
function = "categorical:5=0.9,default=0.4"
[[model.nodes]]
name = "target"
operator = "gamma"
gamma = 0.8
inputs = ["magnetic", "thorium", "faults", "units"]' \
run_dataset demo "$OUT/demo/project/project.toml" 30 "SYNTHETIC demo (nedra demo, seed 2026)"
DATASETS=(demo)

# (b) GA Cloncurry IOCG.
CLON=$DATA_ROOT/ga_cloncurry_iocg_wofe
if [ -f "$CLON/deposits/IOCG_Deposits.shp" ] && [ -f "$CLON/calculate_weights/StratNo.tif" ]; then
    CLON=$(cd "$CLON" && pwd)
    mkdir -p "$OUT/cloncurry/project"
    cat > "$OUT/cloncurry/project/project.toml" <<EOF
# GA Cloncurry IOCG weights-of-evidence test data (GeoscienceAustralia/MPM-WofE TESTDATA).
# Every layer is on one 100 m grid (EPSG:7845) with integer values: the values are the classes
# (Dist2Breccia: 100 m steps, as in GA's tables; FaultDensity: 10 natural-break classes).
[project]
name = "Cloncurry IOCG (GA MPM-WofE test data)"
commodity = "Cu-Au (IOCG)"

[grid]
template = "$CLON/calculate_weights/Dist2Breccia.tif"

[deposits]
path = "$CLON/deposits/IOCG_Deposits.shp"

[[evidence]]
name = "Dist2Breccia"
source = "$CLON/calculate_weights/Dist2Breccia.tif"
pattern = "ascending"

[[evidence]]
name = "FaultDensity"
source = "$CLON/calculate_weights/FaultDensity.tif"
pattern = "descending"

[[evidence]]
name = "StratNo"
source = "$CLON/calculate_weights/StratNo.tif"
pattern = "categorical"
EOF
    FUZZY='output = "target"
[[model.memberships]]
layer = "Dist2Breccia"
function = "small:3000,2"
[[model.memberships]]
layer = "FaultDensity"
function = "linear:1,10"
[[model.memberships]]
layer = "StratNo"
function = "categorical:0=0.5,default=0.5"
[[model.nodes]]
name = "target"
operator = "gamma"
gamma = 0.8
inputs = ["Dist2Breccia", "FaultDensity"]' \
    run_dataset cloncurry "$OUT/cloncurry/project/project.toml" 25 \
        "GA Cloncurry IOCG (real data, 258 deposits)"
    DATASETS+=(cloncurry)
else
    echo "== Cloncurry data not found under $DATA_ROOT/ga_cloncurry_iocg_wofe: skipped"
    rm -rf "$OUT/cloncurry"
fi

# 5. The Python side and the report.
BENCH_STARTED=$started "$VENV/bin/python" bench/models_spatial.py "$OUT" "$NEDRA" "${DATASETS[@]}"
echo "total wall time: $(( $(date +%s) - started )) s"
