"""Compare nedra's models with scikit-learn on the same data and spatial folds (issue 4).

    python bench/models_compare.py reference        # logistic reference numbers for the test
    python bench/models_compare.py compare <dir>    # CV table from export_dataset's output
    python bench/models_compare.py gbt_train <dir> [repeats] [threads]
                                                    # LightGBM beside gbt_train's figures

Run through bench/models_compare.sh, which makes the venv (pinned numpy, scikit-learn,
statsmodels) and runs the Rust example first.
"""

import math
import sys
import time

import numpy as np

MASK = (1 << 64) - 1


class SplitMix64:
    """SplitMix64 (Steele, Lea & Flood 2014), bit-identical to the Rust test's generator."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def unit(self):
        return (self.next_u64() >> 11) * (1.0 / (1 << 53))


def logistic_fixture():
    """The fixed data set of crates/models/tests/logistic_reference.rs."""
    rng = SplitMix64(20240601)
    xs, ys = [], []
    for _ in range(300):
        x1 = rng.unit() * 4.0 - 2.0
        x2 = rng.unit() * 2.0 - 1.0 + 0.3 * x1
        x3 = float(rng.next_u64() % 3)
        eta = -0.5 + 1.2 * x1 - 0.8 * x2 + 0.4 * x3
        ys.append(rng.unit() < 1.0 / (1.0 + math.exp(-eta)))
        xs.append([x1, x2, x3])
    return np.array(xs), np.array(ys, dtype=float)


def reference():
    import sklearn
    import statsmodels
    import statsmodels.api as sm
    from sklearn.linear_model import LogisticRegression

    X, y = logistic_fixture()
    print(f"# numpy {np.__version__}, scikit-learn {sklearn.__version__}, "
          f"statsmodels {statsmodels.__version__}; positives {int(y.sum())} of {len(y)}")
    fit = sm.Logit(y, sm.add_constant(X)).fit(method="newton", tol=1e-14, maxiter=100, disp=0)
    print("statsmodels Logit params", [repr(float(v)) for v in fit.params])
    print("statsmodels Logit bse   ", [repr(float(v)) for v in fit.bse])
    for label, kwargs in [
        ("penalty=None", dict(penalty=None)),
        ("C=0.5 (lambda=2)", dict(C=0.5)),
        ("C=0.5 balanced", dict(C=0.5, class_weight="balanced")),
    ]:
        m = LogisticRegression(solver="newton-cholesky", tol=1e-14, max_iter=1000, **kwargs)
        m.fit(X, y)
        print(f"sklearn {label:18}", [repr(float(v)) for v in [m.intercept_[0], *m.coef_[0]]])


def rate_auc(scores, labels):
    """Prediction-rate AUC with the held-out samples as the area (ties 1/2), as nedra's
    validate(): 1 - mean over deposits of (share scoring above + 1/2 share tied)."""
    s = np.sort(scores)
    n = len(s)
    pos = scores[labels == 1]
    above = n - np.searchsorted(s, pos, side="right")
    tied = np.searchsorted(s, pos, side="right") - np.searchsorted(s, pos, side="left")
    return 1.0 - np.mean((above + 0.5 * tied) / n)


def compare(directory):
    import csv

    import warnings

    import lightgbm
    import sklearn

    warnings.filterwarnings("ignore", message="X does not have valid feature names")
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    data = np.loadtxt(f"{directory}/dataset.csv", delimiter=",", skiprows=1)
    labels, folds, X = data[:, 2].astype(int), data[:, 3].astype(int), data[:, 4:]
    grid = np.loadtxt(f"{directory}/grid.csv", delimiter=",", skiprows=1)
    models = {
        "logistic": lambda: LogisticRegression(penalty=None, solver="newton-cholesky",
                                               tol=1e-10, max_iter=1000),
        "random_forest": lambda: RandomForestClassifier(n_estimators=200, max_features="sqrt",
                                                        min_samples_leaf=1, n_jobs=-1,
                                                        random_state=1),
        # nedra's BoostingOptions::default(): 200 trees, learning rate 0.05, depth 3, at least
        # 5 samples per leaf, L2 leaf penalty 1, no subsampling; LightGBM on all cores.
        "gradient_boosting": lambda: lightgbm.LGBMClassifier(
            n_estimators=200, learning_rate=0.05, max_depth=3, num_leaves=8,
            min_child_samples=5, min_child_weight=1e-12, reg_lambda=1.0, subsample=1.0,
            colsample_bytree=1.0, max_bin=1023, verbose=-1, random_state=1),
    }
    rust = {}
    with open(f"{directory}/rust.csv") as f:
        for row in csv.DictReader(f):
            rust.setdefault(row["model"], []).append(
                (float(row["roc_auc"]), float(row["prediction_rate_auc"])))
    rust_t = {}
    with open(f"{directory}/rust_timings.csv") as f:
        for row in csv.DictReader(f):
            rust_t[row["model"]] = {k: float(v) for k, v in row.items() if k != "model"}

    print(f"# {len(labels)} samples ({labels.sum()} deposits), {folds.max() + 1} spatial "
          f"block folds, grid {len(grid)} cells x {X.shape[1]} layers; "
          f"scikit-learn {sklearn.__version__}, LightGBM {lightgbm.__version__}, "
          f"numpy {np.__version__}")
    header = (f"| model | per-fold ROC AUC nedra | per-fold ROC AUC sklearn | mean ROC AUC nedra "
              f"| mean ROC AUC sklearn | mean rate AUC nedra | mean rate AUC sklearn "
              f"| CV s nedra | CV s sklearn | fit+grid s nedra | fit+grid s sklearn |")
    print(header)
    print("|" + " --- |" * (header.count("|") - 1))
    for name, make in models.items():
        t = time.perf_counter()
        rocs, rates = [], []
        for f in range(folds.max() + 1):
            train, test = folds != f, folds == f
            m = make().fit(X[train], labels[train])
            s = m.predict_proba(X[test])[:, 1]
            if 0 < labels[test].sum() < test.sum():
                rocs.append(roc_auc_score(labels[test], s))
                rates.append(rate_auc(s, labels[test]))
            else:
                rocs.append(float("nan"))
                rates.append(float("nan"))
        cv_s = time.perf_counter() - t
        t = time.perf_counter()
        m = make().fit(X, labels)
        m.predict_proba(grid)
        fit_grid_s = time.perf_counter() - t
        r = rust[name]
        rt = rust_t[name]
        fmt = lambda v: " ".join(f"{x:.3f}" for x in v)
        print(f"| {name} | {fmt([a for a, _ in r])} | {fmt(rocs)} "
              f"| {np.nanmean([a for a, _ in r]):.4f} | {np.nanmean(rocs):.4f} "
              f"| {np.nanmean([b for _, b in r]):.4f} | {np.nanmean(rates):.4f} "
              f"| {rt['cv_s']:.3g} | {cv_s:.3g} "
              f"| {rt['fit_s'] + rt['predict_grid_s']:.3g} | {fit_grid_s:.3g} |")

    # Seed spread of the forests' mean spatial-CV ROC AUC (seeds 1-5 on both sides).
    with open(f"{directory}/rust_rf_seeds.csv") as f:
        rust_seeds = [float(row["mean_roc_auc"]) for row in csv.DictReader(f)]
    sk_seeds = []
    for seed in range(1, 6):
        rocs = []
        for f in range(folds.max() + 1):
            train, test = folds != f, folds == f
            if 0 < labels[test].sum() < test.sum():
                m = RandomForestClassifier(n_estimators=200, max_features="sqrt", n_jobs=-1,
                                           random_state=seed).fit(X[train], labels[train])
                rocs.append(roc_auc_score(labels[test], m.predict_proba(X[test])[:, 1]))
        sk_seeds.append(np.mean(rocs))
    print()
    print("| random forest, seeds 1-5 | mean of mean ROC AUC | sd | min | max |")
    print("| --- | --- | --- | --- | --- |")
    for name, v in [("nedra", rust_seeds), ("sklearn", sk_seeds)]:
        print(f"| {name} | {np.mean(v):.4f} | {np.std(v, ddof=1):.4f} | {min(v):.4f} "
              f"| {max(v):.4f} |")


def gbt_train(directory, repeats=3, threads=1):
    """LightGBM's training time and held-out ROC AUC on the samples the gbt_train example
    wrote (row-major little-endian f64, labels as u8), beside the example's figures for
    nedra's exact and histogram trainers (rust_gbt.csv). The same settings: learning rate
    0.05, depth 3 (at most 8 leaves), at least 5 samples per leaf, L2 leaf penalty 1, no
    bagging or feature sampling, ≤ 256 bins; the time includes LightGBM's binning
    (Dataset construction), as nedra's includes its own."""
    import csv

    import lightgbm
    from sklearn.metrics import roc_auc_score

    def load(name):
        X = np.fromfile(f"{directory}/{name}.f64", dtype="<f8").reshape(-1, 8)
        y = np.fromfile(f"{directory}/{name}.u8", dtype=np.uint8).astype(float)
        return X, y

    X_test, y_test = load("test")
    with open(f"{directory}/rust_gbt.csv") as f:
        rust = list(csv.DictReader(f))
    print(f"# LightGBM {lightgbm.__version__} on {threads} thread(s), medians of {repeats} "
          f"runs; nedra from gbt_train (rust_gbt.csv); held-out {len(y_test)} samples")
    print("| samples | trees × depth | nedra exact s | nedra histogram s | LightGBM s "
          "| AUC exact | AUC histogram | AUC LightGBM |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    loaded = {}
    for row in rust:
        n, trees = int(row["samples"]), int(row["trees"])
        if n not in loaded:
            loaded = {n: load(f"train_{n}")}
        X, y = loaded[n]
        params = dict(objective="binary", learning_rate=0.05, max_depth=3, num_leaves=8,
                      min_data_in_leaf=5, min_sum_hessian_in_leaf=1e-12, lambda_l2=1.0,
                      max_bin=256, bagging_fraction=1.0, feature_fraction=1.0,
                      num_threads=threads, force_col_wise=True, deterministic=True,
                      verbose=-1, seed=1)
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            booster = lightgbm.train(params, lightgbm.Dataset(X, y, params=params),
                                     num_boost_round=trees)
            times.append(time.perf_counter() - t)
        auc = roc_auc_score(y_test, booster.predict(X_test))
        print(f"| {n} | {trees} × 3 | {float(row['exact_s']):.2f} "
              f"| {float(row['histogram_s']):.2f} | {float(np.median(times)):.2f} "
              f"| {float(row['auc_exact']):.4f} | {float(row['auc_histogram']):.4f} "
              f"| {auc:.4f} |", flush=True)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "reference":
        reference()
    elif len(sys.argv) == 3 and sys.argv[1] == "compare":
        compare(sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "gbt_train":
        gbt_train(sys.argv[2], *(int(a) for a in sys.argv[3:5]))
    else:
        sys.exit(__doc__)
