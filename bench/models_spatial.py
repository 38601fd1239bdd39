"""Spatial cross-validation benchmark (issue 4): nedra's models against scikit-learn and
LightGBM on exactly the same samples and spatial block folds.

    python bench/models_spatial.py OUT_DIR NEDRA_BINARY DATASET [DATASET ...]

Run through bench/models_spatial.sh, which makes the venv, runs nedra into
OUT_DIR/<dataset>/<kind> (validation.json, run.json, training.csv) and the timing harness
(harness_*.csv), and writes OUT_DIR/<dataset>/bench.json with the shared settings. This
script fits the Python models fold by fold on training.csv (`fold` column = nedra's spatial
block fold, `weight` = nedra's balanced class weight, used as sample_weight), scores the
held-out fold with nedra's two metrics, and writes OUT_DIR/report.md.

Metrics, as crates/models/src/spatial_cv.rs (`held_out_aucs`) computes them per fold, from a
histogram of the held-out samples with each sample one "cell" (validation.rs `validate`):
- ROC AUC: Mann-Whitney, ties 1/2, deposits against the held-out background (unweighted);
- prediction-rate AUC: 1 - mean over held-out deposits of (share of held-out samples scoring
  strictly higher + 1/2 share scoring equal), where the samples (the "area") include the
  deposits themselves; equal to the trapezoid area under the success-rate curve.
Means are over folds where the AUC is defined (a fold needs a deposit and a background sample).
"""

import json
import os
import warnings
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

KIND_LABEL = {
    "logistic": "nedra LR",
    "random_forest": "nedra RF",
    "gradient_boosting": "nedra GBT",
}
# nedra's gradient boosting options that the project file does not set (crates/cli/src/ml.rs:
# min_samples_leaf 5; BoostingOptions::default(): l2_leaf 1, subsample 1, every feature).
GBT_FIXED = dict(min_samples_leaf=5, l2_leaf=1.0, subsample=1.0)


# ---------------------------------------------------------------- metrics (nedra's definitions)

def roc_auc(scores, labels):
    """Mann-Whitney ROC AUC with ties 1/2; NaN without a deposit or a background sample."""
    scores, labels = np.asarray(scores, float), np.asarray(labels, bool)
    pos, neg = scores[labels], np.sort(scores[~labels])
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    below = np.searchsorted(neg, pos, side="left")
    tied = np.searchsorted(neg, pos, side="right") - below
    return float(np.sum(2 * below + tied) / (2.0 * len(pos) * len(neg)))


def rate_auc(scores, labels):
    """Prediction-rate AUC with the held-out samples (deposits included) as the area, ties 1/2;
    NaN when nedra leaves it undefined (no deposit or no background sample)."""
    scores, labels = np.asarray(scores, float), np.asarray(labels, bool)
    if labels.all() or not labels.any():
        return float("nan")
    s = np.sort(scores)
    n = len(s)
    pos = scores[labels]
    hi = np.searchsorted(s, pos, side="right")
    tied = hi - np.searchsorted(s, pos, side="left")
    return float(1.0 - np.mean(((n - hi) + 0.5 * tied) / n))


# ---------------------------------------------------------------- the Python models

def gbt_settings(settings):
    return dict(trees=settings["gbt_trees"], learning_rate=settings["gbt_learning_rate"],
                max_depth=settings["gbt_max_depth"], **GBT_FIXED)


def python_models(settings):
    """(label, factory, note) of each Python model. Threads follow nedra's counterpart: LR and
    gradient boosting on one thread, the forest on every core (nedra grows trees in parallel)."""
    import lightgbm as lgb
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    seed, l2, gb = settings["seed"], settings["l2_penalty"], gbt_settings(settings)

    def lr():
        # nedra maximises sum_i w_i loglik_i - l2/2 |beta|^2 (intercept free); scikit-learn
        # minimises C sum_i w_i logloss_i + 1/2 |beta|^2 (intercept free with this solver):
        # the same optimum for C = 1/l2, with the weights passed as sample_weight.
        kw = dict(penalty=None) if l2 == 0 else dict(C=1.0 / l2)
        return LogisticRegression(solver="newton-cholesky", tol=1e-10, max_iter=1000, **kw)

    def rf(n_jobs=-1):
        # nedra: ForestOptions { trees, min_samples_leaf: 5, max_features: floor(sqrt p),
        # bootstrap, Gini on bootstrap count x sample weight }, parallel over trees.
        return RandomForestClassifier(n_estimators=settings["rf_trees"], min_samples_leaf=5,
                                      max_features="sqrt", bootstrap=True, criterion="gini",
                                      n_jobs=n_jobs, random_state=seed)

    def gbt():
        # nedra's boosting: Newton leaves -G/(H + l2_leaf), gain G_L^2/(H_L+l)+G_R^2/(H_R+l)
        # -G^2/(H+l) > 0, depth-wise to max_depth, >= min_samples_leaf samples per side,
        # F0 = weighted log-odds. LightGBM: the same objective and regularisation; depth 3 with
        # 8 leaves never binds num_leaves, so leaf-wise growth makes the same splits;
        # histogram split search (max_bin 255) instead of exact greedy.
        # One thread: on 2 busy cores LightGBM's OpenMP threads made a 5-fold CV 100× slower.
        return lgb.LGBMClassifier(objective="binary", n_estimators=gb["trees"],
                                  learning_rate=gb["learning_rate"],
                                  max_depth=gb["max_depth"], num_leaves=2 ** gb["max_depth"],
                                  min_child_samples=gb["min_samples_leaf"],
                                  min_child_weight=1e-12, min_split_gain=0.0,
                                  reg_lambda=gb["l2_leaf"], reg_alpha=0.0,
                                  subsample=gb["subsample"], subsample_freq=0,
                                  colsample_bytree=1.0, random_state=seed, n_jobs=1,
                                  verbose=-1)

    return [("sklearn LR", lr, None), ("sklearn RF", rf, lambda: rf(n_jobs=1)),
            ("LightGBM", gbt, None)]


class ReferenceBoosting:
    """A plain float64 re-implementation of nedra's gradient boosting as documented in
    crates/models/src/boosting.rs (F0 = weighted log-odds; per round g = w(p - y),
    h = w p(1 - p); node value -G/(H + l); exact greedy split over every feature and every
    midpoint of consecutive distinct values, left if <= threshold, maximising
    G_L^2/(H_L+l) + G_R^2/(H_R+l) - G^2/(H+l) > 0 with >= min_samples_leaf samples per side,
    first feature / first threshold kept on ties; depth-first to max_depth). Only a check:
    nedra's held-out scores should equal its scores to rounding."""

    def __init__(self, trees, learning_rate, max_depth, min_samples_leaf, l2_leaf, **_):
        self.t, self.lr, self.depth, self.minleaf, self.lam = (
            trees, learning_rate, max_depth, min_samples_leaf, l2_leaf)

    def _grow(self, X, g, h, idx, depth):
        G, H = g[idx].sum(), h[idx].sum()
        node = {"v": -G / (H + self.lam) if H + self.lam > 0 else 0.0}
        if depth >= self.depth or len(idx) < 2 * self.minleaf:
            return node
        parent, best = G * G / (H + self.lam), None
        for f in range(X.shape[1]):
            o = idx[np.argsort(X[idx, f], kind="stable")]
            xs = X[o, f]
            if xs[0] == xs[-1]:
                continue
            gl, hl = np.cumsum(g[o])[:-1], np.cumsum(h[o])[:-1]
            i = np.arange(len(o) - 1)
            ok = (xs[:-1] != xs[1:]) & (i + 1 >= self.minleaf) & (len(o) - i - 1 >= self.minleaf)
            with np.errstate(divide="ignore", invalid="ignore"):
                gain = gl ** 2 / (hl + self.lam) + (G - gl) ** 2 / (H - hl + self.lam) - parent
            gain = np.where(ok, gain, -np.inf)
            j = int(np.argmax(gain))
            if gain[j] > (0.0 if best is None else best[0]):
                a, b = xs[j], xs[j + 1]
                mid = 0.5 * (a + b)
                best = (gain[j], f, mid if mid < b else a)
        if best is None:
            return node
        _, f, thr = best
        node.update(f=f, t=thr, l=self._grow(X, g, h, idx[X[idx, f] <= thr], depth + 1),
                    r=self._grow(X, g, h, idx[X[idx, f] > thr], depth + 1))
        return node

    @staticmethod
    def _values(node, X, rows, out):
        if "f" not in node:
            out[rows] = node["v"]
            return
        left = X[rows, node["f"]] <= node["t"]
        ReferenceBoosting._values(node["l"], X, rows[left], out)
        ReferenceBoosting._values(node["r"], X, rows[~left], out)

    def _raw(self, X):
        F, v = np.full(len(X), self.f0), np.empty(len(X))
        for tree in self.trees:
            self._values(tree, X, np.arange(len(X)), v)
            F += self.lr * v
        return F

    def fit(self, X, y, sample_weight):
        w = sample_weight
        self.f0 = float(np.log(np.sum(w * y) / np.sum(w * (1 - y))))
        F, v, self.trees = np.full(len(y), self.f0), np.empty(len(y)), []
        for _ in range(self.t):
            p = 1.0 / (1.0 + np.exp(-F))
            tree = self._grow(X, w * (p - y), w * p * (1 - p), np.arange(len(y)), 0)
            self.trees.append(tree)
            self._values(tree, X, np.arange(len(y)), v)
            F += self.lr * v
        return self

    def predict_proba(self, X):
        p = 1.0 / (1.0 + np.exp(-self._raw(X)))
        return np.column_stack([1 - p, p])


def cross_validate(make, X, y, w, folds, k, reps):
    """Per-fold fit (sample_weight) + predict on the held-out fold; returns (scores of every
    sample, per-fold ROC AUC, per-fold rate AUC, median over reps of the summed fit+predict s)."""
    totals, held = [], np.full(len(y), np.nan)
    for _ in range(max(reps, 1)):
        total = 0.0
        for f in range(k):
            train, test = folds != f, folds == f
            t = time.perf_counter()
            m = make().fit(X[train], y[train], sample_weight=w[train])
            s = m.predict_proba(X[test])[:, 1]
            total += time.perf_counter() - t
            held[test] = s
        totals.append(total)
    rocs = [roc_auc(held[folds == f], y[folds == f] == 1) for f in range(k)]
    rates = [rate_auc(held[folds == f], y[folds == f] == 1) for f in range(k)]
    return held, rocs, rates, statistics.median(totals)


# ---------------------------------------------------------------- one data set

def load_csv(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    return header, np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


def nanmean(v):
    v = [x for x in v if x is not None and not np.isnan(x)]
    return float(np.mean(v)) if v else float("nan")


def fmt(v, digits=4):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "n/a"
    return f"{v:.{digits}f}"


def fmt_s(v):
    return "n/a" if v is None else f"{v:.3g}"


def dataset(out, name):
    d = out / name
    bench = json.loads((d / "bench.json").read_text())
    k = bench["cv_folds"]
    ok = [kind for kind, s in bench["kinds"].items() if s["ok"]]
    if not ok:
        return f"## {bench['label']}\n\nno nedra run succeeded: see {d}/*.log\n", {}
    header, data = load_csv(d / ok[0] / "training.csv")
    same = all((d / kind / "training.csv").read_bytes() == (d / ok[0] / "training.csv").read_bytes()
               for kind in ok)
    y, w, folds, X = data[:, 2].astype(int), data[:, 3], data[:, 4].astype(int), data[:, 5:]
    features = header[5:]
    checks, lines, rows = [], [], []
    val0 = json.loads((d / ok[0] / "validation.json").read_text())
    for f, fr in enumerate(val0["sample_cv"]["folds"]):
        got = (int(np.sum((folds == f) & (y == 1))), int(np.sum((folds == f) & (y == 0))))
        if got != (fr["test_positives"], fr["test_background"]):
            checks.append(f"fold {f}: training.csv has {got} held-out deposits/background, "
                          f"validation.json {fr['test_positives']}/{fr['test_background']}")

    # nedra rows.
    nedra_scores = {}
    check = {"harness_exact": [], "metric_roc": 0.0, "metric_rate": 0.0, "sk_roc": 0.0}
    for kind in KIND_LABEL:
        label = KIND_LABEL[kind]
        if kind not in ok:
            rows.append([label] + ["n/a"] * (k + 3) + ["nedra run rejected this kind"])
            continue
        val = json.loads((d / kind / "validation.json").read_text())
        cv = val["sample_cv"]
        run = json.loads((d / kind / "run.json").read_text())
        per_fold = [fr["roc_auc"] for fr in cv["folds"]]
        cv_s = None
        note = f"model stage {run['timings_s'].get('model', float('nan')):.3g} s"
        hf, hs, ht = (d / kind / "harness_folds.csv", d / kind / "harness_scores.csv",
                      d / kind / "harness_time.csv")
        if hf.exists() and hs.exists() and ht.exists():
            cv_s = statistics.median(load_csv(ht)[1][:, 1])
            _, hfold = load_csv(hf)
            exact = all(
                (np.isnan(hfold[f, 1]) and fr["roc_auc"] is None)
                or (fr["roc_auc"] is not None and hfold[f, 1] == fr["roc_auc"]
                    and hfold[f, 2] == fr["prediction_rate_auc"])
                for f, fr in enumerate(cv["folds"]))
            check["harness_exact"].append((label, exact))
            scores = load_csv(hs)[1][:, 1]
            nedra_scores[kind] = scores
            if exact:
                from sklearn.metrics import roc_auc_score
                for f, fr in enumerate(cv["folds"]):
                    m = folds == f
                    if fr["roc_auc"] is None:
                        continue
                    check["metric_roc"] = max(check["metric_roc"],
                                              abs(roc_auc(scores[m], y[m] == 1) - fr["roc_auc"]))
                    check["metric_rate"] = max(check["metric_rate"], abs(
                        rate_auc(scores[m], y[m] == 1) - fr["prediction_rate_auc"]))
                    check["sk_roc"] = max(check["sk_roc"], abs(
                        roc_auc(scores[m], y[m] == 1) - roc_auc_score(y[m], scores[m])))
        else:
            note += "; CV time n/a (no harness)"
        rows.append([label] + [fmt(v) for v in per_fold]
                    + [fmt(cv["mean_roc_auc"]), fmt(cv["mean_prediction_rate_auc"]), fmt_s(cv_s),
                       note])

    # Python rows.
    from sklearn.metrics import roc_auc_score
    py_scores = {}
    for label, make, single in python_models(bench):
        held, rocs, rates, secs = cross_validate(make, X, y, w, folds, k, bench["reps"])
        py_scores[label] = held
        note = ""
        if single is not None:
            note = f"n_jobs = -1; n_jobs = 1: {fmt_s(cross_validate(single, X, y, w, folds, k, bench['reps'])[3])} s"
        for f in range(k):
            m = folds == f
            if 0 < y[m].sum() < m.sum():
                check["sk_roc"] = max(check["sk_roc"],
                                      abs(rocs[f] - roc_auc_score(y[m], held[m])))
        rows.append([label] + [fmt(v) for v in rocs]
                    + [fmt(nanmean(rocs)), fmt(nanmean(rates)), fmt_s(secs), note])

    # Weights-of-evidence baseline: fitted on every deposit and scored on the whole grid.
    base = val0.get("weights_of_evidence_baseline", {})
    rows.append(["WofE baseline (fitted, not CV)"] + ["—"] * k
                + [fmt(base.get("roc_auc")), "—", "—",
                   f"whole-grid success-rate AUC {fmt(base.get('success_rate_auc'))}"])

    # The table.
    n_pos, n_bg = int(y.sum()), int((y == 0).sum())
    per_fold = ", ".join(f"{int(np.sum((folds == f) & (y == 1)))}/{int(np.sum((folds == f) & (y == 0)))}"
                         for f in range(k))
    lines.append(f"## {bench['label']}\n")
    lines.append(f"{len(y)} samples ({n_pos} deposit cells, {n_bg} background, one draw), "
                 f"{len(features)} features ({', '.join(features)}; standardised), "
                 f"{k} spatial block folds of {bench['cv_block_km']} km (seed {bench['seed']}); "
                 f"held-out deposits/background per fold: {per_fold}. "
                 f"Same training.csv for every nedra kind: {'yes' if same else 'NO'}.\n")
    head = (["model"] + [f"fold {f} ROC AUC" for f in range(k)]
            + ["mean ROC AUC", "mean prediction-rate AUC", "CV time s", "notes"])
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + " --- |" * len(head))
    for r in rows:
        lines.append("| " + " | ".join(r) + " |")
    lines.append("")
    # Checks.
    if check["harness_exact"]:
        lines.append("Checks: the harness re-running nedra's `cross_validate` on training.csv "
                     "reproduces the run's per-fold AUCs bit for bit: "
                     + ", ".join(f"{lab} {'yes' if e else 'NO'}" for lab, e in check["harness_exact"])
                     + f". This script's metrics on nedra's held-out scores vs nedra's per-fold "
                     f"values: max |Δ| ROC AUC {check['metric_roc']:.1e}, prediction-rate AUC "
                     f"{check['metric_rate']:.1e}; its ROC AUC vs sklearn.metrics.roc_auc_score: "
                     f"max |Δ| {check['sk_roc']:.1e}.")
    else:
        lines.append(f"Checks: ROC AUC vs sklearn.metrics.roc_auc_score: max |Δ| "
                     f"{check['sk_roc']:.1e} (no nedra held-out scores: harness unavailable).")
    if "logistic" in nedra_scores:
        diff = np.nanmax(np.abs(nedra_scores["logistic"] - py_scores["sklearn LR"]))
        lines.append(f"nedra LR vs sklearn LR (C = 1/λ, sample_weight) held-out probabilities: "
                     f"max |Δ| {diff:.1e}.")
    if "gradient_boosting" in nedra_scores:
        ref = cross_validate(lambda: ReferenceBoosting(**gbt_settings(bench)), X, y, w, folds, k, 0)[0]
        d_ref = np.nanmax(np.abs(nedra_scores["gradient_boosting"] - ref))
        d_lgb = np.nanmax(np.abs(nedra_scores["gradient_boosting"] - py_scores["LightGBM"]))
        lines.append(f"nedra GBT vs a float64 Python re-implementation of its algorithm "
                     f"(exact greedy, same settings): held-out probabilities max |Δ| {d_ref:.1e}; "
                     f"vs LightGBM: max |Δ| {d_lgb:.2f} (LightGBM searches binned features and "
                     "accumulates float32 gradients, so some near-tied splits go the other way "
                     "and the two ensembles drift apart over the rounds; the AUCs stay close).")
    for c in checks:
        lines.append(f"WARNING: {c}")
    lines.append("")
    lines.extend(held_out_area_table(d, ok, k))
    return "\n".join(lines), {"rows": rows}


def held_out_area_table(d, ok, k):
    """Every model of nedra on the identical grid-anchored folds, scored against every held-out
    cell (the `spatial_cv` of validation.json, the headline of a run), beside the fitted figure
    labelled as such."""
    def fold_list(cv):
        return " ".join("–" if f["roc_auc"] is None else f"{f['roc_auc']:.3f}" for f in cv["folds"])

    def row(label, cv, fitted):
        if not cv or "folds" not in cv:
            return f"| {label} | n/a | n/a | n/a | {fmt(fitted)} |"
        return (f"| {label} | {fold_list(cv)} | {cv['mean_roc_auc']:.4f} ± {cv['sd_roc_auc']:.4f} "
                f"| {cv['pooled_roc_auc']:.4f} | {fmt(fitted)} |")

    out = ["Every model on identical folds against **every held-out cell** (`spatial_cv`: blocks "
           "anchored at the grid's origin; encodings, standardisation, background and ensemble "
           "learnt inside each training fold; the headline of a run):\n",
           "| model | ROC AUC per fold | mean ± sd | pooled | fitted ROC AUC (optimistic) |",
           "| --- | --- | ---: | ---: | ---: |"]
    val0 = json.loads((d / ok[0] / "validation.json").read_text())
    base = val0.get("weights_of_evidence_baseline", {})
    out.append(row("weights of evidence", base.get("spatial_cv"), base.get("roc_auc")))
    fuzzy = d / "fuzzy" / "validation.json"
    if fuzzy.exists():
        val = json.loads(fuzzy.read_text())
        out.append(row("nedra fuzzy (expert memberships, nothing fitted)", val.get("spatial_cv"),
                       val.get("roc_auc")))
    for kind in KIND_LABEL:
        if kind in ok:
            val = json.loads((d / kind / "validation.json").read_text())
            out.append(row(KIND_LABEL[kind], val.get("spatial_cv"), val.get("roc_auc")))
    out.append("")
    return out


# ---------------------------------------------------------------- main

def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, nedra, names = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    # LightGBM's sklearn wrapper names the columns of a NumPy array, then warns that the
    # held-out NumPy array has no names.
    warnings.filterwarnings("ignore", message="X does not have valid feature names")
    import lightgbm
    import sklearn

    version = subprocess.run([nedra, "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "log", "-1", "--format=%h"], capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "crates"],
                           capture_output=True, text=True).stdout.strip()
    bench0 = json.loads((out / names[0] / "bench.json").read_text())
    g = gbt_settings(bench0)
    load = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    parts = ["# Spatial cross-validation: nedra vs scikit-learn and LightGBM\n",
             "Generated by `bash bench/models_spatial.sh`. Every model of a table trains on the "
             "same samples (nedra's training.csv: deposits + one background draw, standardised "
             "features, balanced class weights as sample weights) and is scored on the same "
             "spatial block folds; AUCs are nedra's definitions (ROC: Mann–Whitney, ties ½; "
             "prediction rate: held-out samples as the area, deposits included, ties ½), means "
             "over the folds.\n",
             f"Settings (nedra `[model]` and the Python mirrors): seed {bench0['seed']}, "
             f"cv_folds {bench0['cv_folds']}, PU-bagging members {bench0['models']} (map only). "
             f"LR: nedra l2_penalty λ = {bench0['l2_penalty']} ↔ sklearn "
             "LogisticRegression(C = 1/λ, solver newton-cholesky, tol 1e-10). "
             f"RF: nedra trees = {bench0['rf_trees']}, min_samples_leaf 5, √p features, "
             "bootstrap ↔ sklearn RandomForestClassifier(n_estimators = "
             f"{bench0['rf_trees']}, min_samples_leaf = 5, max_features = \"sqrt\", "
             f"random_state = {bench0['seed']}). GBT: nedra trees = {g['trees']}, learning_rate "
             f"= {g['learning_rate']}, max_depth = {g['max_depth']}, min_samples_leaf "
             f"{g['min_samples_leaf']}, L2 leaf {g['l2_leaf']}, subsample {g['subsample']} "
             f"(exact greedy splits) ↔ LGBMClassifier(n_estimators = {g['trees']}, learning_rate "
             f"= {g['learning_rate']}, max_depth = {g['max_depth']}, num_leaves = "
             f"{2 ** g['max_depth']}, min_child_samples = {g['min_samples_leaf']}, reg_lambda = "
             f"{g['l2_leaf']}, min_child_weight = 1e-12, subsample = {g['subsample']}; "
             "histogram splits, max_bin 255).\n",
             f"CV time = fit + predict summed over the {bench0['cv_folds']} folds, median of "
             f"{bench0['reps']} repetitions; nedra's from a harness calling "
             "`nedra_models::cross_validate` on the same training.csv with the learner options of "
             "crates/cli/src/ml.rs (`nedra run` itself only times its whole model stage — "
             f"{bench0['models']}-member PU-bagging ensemble + CV + map prediction — shown in the "
             "notes). Threads as nedra's counterpart: the forests on every core, LR and "
             f"gradient boosting on one. Load average when the report was made: {load} "
             "(other builds share the machine: times are indicative).\n"]
    for name in names:
        text, _ = dataset(out, name)
        parts.append(text)
        print(text, flush=True)
    started = os.environ.get("BENCH_STARTED")
    elapsed = f"; bench wall time {time.time() - int(started):.0f} s" if started else ""
    parts.append(f"Versions: {version} (commit {commit}{', crates/ modified' if dirty else ''}), "
                 f"scikit-learn {sklearn.__version__}, lightgbm {lightgbm.__version__}, "
                 f"numpy {np.__version__}, Python {platform.python_version()}; machine: "
                 f"{os.cpu_count()} cores ({cpu_model()}){elapsed}.\n")
    print(parts[-1])
    (out / "report.md").write_text("\n".join(parts))
    print(f"wrote {out / 'report.md'}")


if __name__ == "__main__":
    main()
