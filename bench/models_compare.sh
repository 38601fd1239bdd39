#!/usr/bin/env bash
# Compares nedra's logistic regression, random forest and gradient boosting with
# scikit-learn and LightGBM on the same synthetic data set and the same spatial block folds
# (issue 4), and prints the logistic
# reference coefficients embedded in crates/models/tests/logistic_reference.rs.
#
#   bash bench/models_compare.sh            # full comparison (CV AUCs + timings)
#   bash bench/models_compare.sh reference  # only the logistic reference numbers
#   bash bench/models_compare.sh gbt_train [REPEATS [THREADS]]
#                                           # training time and held-out AUC on 10^5 and
#                                           # 10^6 samples: nedra exact, nedra histogram,
#                                           # LightGBM (gbt_train example, issue 17)
#
# Creates its own venv under target/venv-compare (pip, pinned versions; a few minutes the
# first time) and runs the Rust side as a release example.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/venv-compare
if [ ! -x "$VENV/bin/python" ]; then
    PY=$(command -v python3 || echo /usr/bin/python3)
    "$PY" -m venv "$VENV" || /usr/bin/python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check \
    numpy==2.2.6 scipy==1.15.3 scikit-learn==1.6.1 pandas==2.2.3 statsmodels==0.14.4 lightgbm==4.6.0
if [ "${1:-}" = reference ]; then
    exec "$VENV/bin/python" bench/models_compare.py reference
fi
if [ "${1:-}" = gbt_train ]; then
    REPEATS=${2:-3}
    THREADS=${3:-1}
    OUT=target/gbt-train
    mkdir -p "$OUT"
    RAYON_NUM_THREADS=$THREADS cargo run --release -q -p nedra-models --example gbt_train -- \
        "$REPEATS" 100000,1000000 --write "$OUT"
    exec "$VENV/bin/python" bench/models_compare.py gbt_train "$OUT" "$REPEATS" "$THREADS"
fi
OUT=target/models-compare
mkdir -p "$OUT"
cargo run --release -q -p nedra-models --example export_dataset -- "$OUT"
"$VENV/bin/python" bench/models_compare.py compare "$OUT"
