//! Models side by side on identical spatial folds (`nedra compare RUN…`).
//!
//! Every run of one project with the same `[model] cv_block_km`, `cv_folds` and `seed` deals the
//! same blocks to the same folds ([`crate::folds`]), and every model is scored against every
//! held-out cell of its folds: weights of evidence (each run's baseline), a fuzzy network, and
//! the data-driven models. So their fold AUCs are paired: the comparison reports, beside each
//! model's mean ± sd and pooled figure, the **paired** differences fold by fold against the
//! model with the best mean (mean ± sd of the differences, and in how many folds the best
//! wins) — the spread of a difference between models is far smaller than the spread of either
//! model over the folds (Dietterich 1998, Neural Computation 10: 1895–1923, on paired tests
//! of classifiers on the same folds; with 5 spatial folds the figures describe, they do not
//! test). The fitted (resubstitution) AUC is shown only labelled as such.
//!
//! No model here searches hyper-parameters on the folds, so the figures need no nested CV;
//! choosing the best of several models on these folds is itself a (mild) selection, which the
//! report says.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::folds::mean_sd;

/// One model's held-out figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Model label (kind, and the run it came from).
    pub label: String,
    /// The model's kind (`weights_of_evidence`, `gradient_boosting`, …).
    pub kind: String,
    /// The run folder it came from, as given.
    pub run: String,
    /// Whether it is the weights-of-evidence baseline of a data-driven model's run.
    pub baseline: bool,
    /// ROC AUC per fold (None where the fold holds no deposit).
    pub folds: Vec<Option<f64>>,
    /// Pooled held-out ROC AUC.
    pub pooled: Option<f64>,
    /// The fitted (resubstitution) ROC AUC, when known.
    pub fitted: Option<f64>,
}

impl Entry {
    /// Mean and sd of the defined fold AUCs.
    pub fn mean_sd(&self) -> (f64, f64) {
        let v: Vec<f64> = self.folds.iter().flatten().copied().collect();
        mean_sd(&v)
    }
}

/// The fold scheme that must agree between runs for their folds to be paired.
#[derive(Debug, Clone, PartialEq)]
struct Scheme {
    block_km: f64,
    folds_k: u64,
    seed: u64,
    origin: Vec<f64>,
    held_out_deposits: Vec<u64>,
}

impl Scheme {
    fn of(cv: &Value) -> Option<Self> {
        Some(Scheme {
            block_km: cv["block_km"].as_f64()?,
            folds_k: cv["folds_k"].as_u64()?,
            seed: cv["seed"].as_u64()?,
            origin: cv["block_origin"]
                .as_array()?
                .iter()
                .filter_map(Value::as_f64)
                .collect(),
            held_out_deposits: cv["folds"]
                .as_array()?
                .iter()
                .map(|f| f["test_positives"].as_u64().unwrap_or(0))
                .collect(),
        })
    }

    fn describe(&self) -> String {
        format!(
            "{} km blocks anchored at ({}), {} folds, seed {}, held-out deposits per fold {:?}",
            self.block_km,
            self.origin
                .iter()
                .map(f64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            self.folds_k,
            self.seed,
            self.held_out_deposits
        )
    }
}

fn entry(
    label: String,
    (kind, run, baseline): (&str, &str, bool),
    cv: &Value,
    fitted: Option<f64>,
) -> Entry {
    Entry {
        label,
        kind: kind.to_string(),
        run: run.to_string(),
        baseline,
        folds: cv["folds"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| f["roc_auc"].as_f64())
            .collect(),
        pooled: cv["pooled_roc_auc"].as_f64(),
        fitted,
    }
}

/// The comparison of several runs' models.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The shared fold scheme, described.
    pub scheme: String,
    /// The models, by decreasing mean held-out ROC AUC.
    pub entries: Vec<Entry>,
}

/// Per other model: (label, paired differences best − model per fold where both are defined,
/// their mean and sd, folds where the best is higher, folds compared).
pub type Paired = (String, Vec<f64>, f64, f64, usize, usize);

impl Comparison {
    /// Paired fold differences of the best model (the first) against each other model.
    pub fn paired(&self) -> Vec<Paired> {
        let Some(best) = self.entries.first() else {
            return vec![];
        };
        self.entries[1..]
            .iter()
            .map(|e| {
                let d: Vec<f64> = best
                    .folds
                    .iter()
                    .zip(&e.folds)
                    .filter_map(|(a, b)| Some((*a)? - (*b)?))
                    .collect();
                let (m, s) = mean_sd(&d);
                let wins = d.iter().filter(|x| **x > 0.0).count();
                (e.label.clone(), d.clone(), m, s, wins, d.len())
            })
            .collect()
    }

    /// The table (Markdown) and the paired differences, as printed by `nedra compare`.
    pub fn to_markdown(&self) -> String {
        let k = self.entries.first().map_or(0, |e| e.folds.len());
        let f3 = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.4}"));
        let mut s = format!(
            "Spatial cross-validation on identical folds ({}); every held-out cell scored.\n\n| model | {} | mean ± sd | pooled | fitted (optimistic) |\n|---|{}---:|---:|---:|\n",
            self.scheme,
            (0..k).map(|f| format!("fold {f}")).collect::<Vec<_>>().join(" | "),
            "---:|".repeat(k),
        );
        for e in &self.entries {
            let (m, sd) = e.mean_sd();
            s += &format!(
                "| {} | {} | {m:.4} ± {sd:.4} | {} | {} |\n",
                e.label,
                e.folds
                    .iter()
                    .map(|v| f3(*v))
                    .collect::<Vec<_>>()
                    .join(" | "),
                f3(e.pooled),
                f3(e.fitted)
            );
        }
        if let Some(best) = self.entries.first() {
            s += &format!(
                "\nPaired fold differences, {} minus each model (mean ± sd over the folds both score; folds where {} is higher):\n",
                best.label, best.label
            );
            for (label, _, m, sd, wins, n) in self.paired() {
                s += &format!("- {label}: {m:+.4} ± {sd:.4} ({wins} of {n} folds)\n");
            }
            s += "\nPicking the best of these models on the same folds is itself a selection: its figure is slightly optimistic. The fitted column is each model scored on its own training deposits.\n";
        }
        s
    }

    /// The comparison as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "scheme": self.scheme,
            "models": self.entries.iter().map(|e| {
                let (m, sd) = e.mean_sd();
                json!({"model": e.label, "kind": e.kind, "run": e.run, "baseline": e.baseline, "fold_roc_auc": e.folds, "mean_roc_auc": m, "sd_roc_auc": sd,
                       "pooled_roc_auc": e.pooled, "fitted_roc_auc_optimistic": e.fitted})
            }).collect::<Vec<_>>(),
            "paired_differences": self.paired().into_iter().map(|(label, d, m, sd, wins, n)| json!({
                "best_minus": label, "per_fold": d, "mean": m, "sd": sd, "best_higher_in": wins, "folds": n,
            })).collect::<Vec<_>>(),
        })
    }
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "{}: cannot read (is the folder a finished `nedra run`?)",
            path.display()
        )
    })?;
    serde_json::from_str(&text).with_context(|| format!("{}: not valid JSON", path.display()))
}

/// Compares the models of the run folders `runs` (see the module's documentation): each run's
/// model and, once, the weights-of-evidence baseline (from a weights-of-evidence run if one is
/// given, else from the first run).
///
/// # Errors
/// A folder without `validation.json`, a run without a spatial cross-validation, or runs whose
/// folds differ (naming the runs and the schemes).
pub fn compare(runs: &[PathBuf]) -> Result<Comparison> {
    if runs.is_empty() {
        bail!("nedra compare needs at least one run folder");
    }
    let mut entries: Vec<Entry> = Vec::new();
    let mut schemes: Vec<(String, Scheme)> = Vec::new();
    let mut baseline: Option<Entry> = None;
    let mut have_wofe_run = false;
    for run in runs {
        let v = read_json(&run.join("validation.json"))?;
        let m = read_json(&run.join("run.json"))?;
        let kind = m["model"]["kind"]
            .as_str()
            .unwrap_or("weights_of_evidence")
            .to_string();
        let name = run.display().to_string();
        let cv = &v["spatial_cv"];
        let Some(scheme) = Scheme::of(cv) else {
            bail!(
                "{}: the run has no spatial cross-validation (fewer blocks than folds?). Rerun it with a smaller [model] cv_block_km",
                run.join("validation.json").display()
            );
        };
        schemes.push((name.clone(), scheme));
        let is_wofe = !v["weights_of_evidence_baseline"].is_object();
        let label = if is_wofe {
            have_wofe_run = true;
            format!("weights of evidence ({name})")
        } else {
            format!("{kind} ({name})")
        };
        let kind = if is_wofe {
            "weights_of_evidence"
        } else {
            &kind
        };
        entries.push(entry(
            label,
            (kind, &name, false),
            cv,
            v["roc_auc"].as_f64(),
        ));
        let base = &v["weights_of_evidence_baseline"];
        if baseline.is_none() && Scheme::of(&base["spatial_cv"]).is_some() {
            baseline = Some(entry(
                format!("weights of evidence (baseline of {name})"),
                ("weights_of_evidence", &name, true),
                &base["spatial_cv"],
                base["roc_auc"].as_f64(),
            ));
        }
    }
    if !have_wofe_run {
        entries.extend(baseline);
    }
    let (first, scheme) = &schemes[0];
    for (name, other) in &schemes[1..] {
        if other != scheme {
            bail!(
                "the folds of {name} ({}) are not those of {first} ({}): run every model of a comparison on the same project, study area, deposits and [model] cv_block_km / cv_folds / seed",
                other.describe(),
                scheme.describe()
            );
        }
    }
    entries.sort_by(|a, b| b.mean_sd().0.total_cmp(&a.mean_sd().0));
    Ok(Comparison {
        scheme: scheme.describe(),
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cv(aucs: &[Option<f64>], seed: u64) -> Value {
        json!({
            "block_km": 20.0, "folds_k": aucs.len(), "seed": seed, "block_origin": [0.0, 100.0],
            "pooled_roc_auc": 0.7,
            "folds": aucs.iter().map(|a| json!({"roc_auc": a, "test_positives": 4})).collect::<Vec<_>>(),
        })
    }

    fn write_run(dir: &Path, kind: Option<&str>, aucs: &[Option<f64>], seed: u64) {
        std::fs::create_dir_all(dir).unwrap();
        let mut v = json!({"spatial_cv": cv(aucs, seed), "roc_auc": 0.99});
        let mut m = json!({"model": null});
        if let Some(k) = kind {
            v["weights_of_evidence_baseline"] =
                json!({"spatial_cv": cv(&[Some(0.6), Some(0.7), Some(0.8)], seed), "roc_auc": 0.9});
            m = json!({"model": {"kind": k}});
        }
        std::fs::write(dir.join("validation.json"), v.to_string()).unwrap();
        std::fs::write(dir.join("run.json"), m.to_string()).unwrap();
    }

    #[test]
    fn paired_differences_are_taken_fold_by_fold_against_the_best() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("lr"), d.path().join("rf"));
        write_run(&a, Some("logistic"), &[Some(0.70), Some(0.75), None], 1);
        write_run(
            &b,
            Some("random_forest"),
            &[Some(0.80), Some(0.72), Some(0.9)],
            1,
        );
        let c = compare(&[a.clone(), b.clone()]).unwrap();
        // Means: RF 0.8067, WofE 0.7, LR 0.725 → RF, LR, WofE.
        assert!(c.entries[0].label.starts_with("random_forest"));
        assert!(c.entries[1].label.starts_with("logistic"));
        assert!(c.entries[2]
            .label
            .starts_with("weights of evidence (baseline"));
        let p = c.paired();
        // RF − LR over the two folds both score: 0.10 and −0.03.
        let (_, diffs, mean, sd, wins, n) = &p[0];
        assert_eq!((*wins, *n), (1, 2));
        assert!((diffs[0] - 0.10).abs() < 1e-12 && (diffs[1] + 0.03).abs() < 1e-12);
        assert!((mean - 0.035).abs() < 1e-12);
        assert!((sd - (2.0 * 0.065f64.powi(2)).sqrt()).abs() < 1e-12);
        // RF − WofE: 0.2, 0.02, 0.1.
        assert!((p[1].2 - 0.32 / 3.0).abs() < 1e-12);
        assert!(c.to_markdown().contains("fitted (optimistic)"));
        // Different folds are refused, naming both runs.
        let e = d.path().join("other");
        write_run(&e, Some("logistic"), &[Some(0.7), Some(0.7), Some(0.7)], 2);
        let err = format!("{:#}", compare(&[a, e]).unwrap_err());
        assert!(err.contains("other") && err.contains("seed 2"), "{err}");
        // A folder that is not a run.
        let err = format!("{:#}", compare(&[d.path().join("none")]).unwrap_err());
        assert!(err.contains("validation.json"), "{err}");
    }
}
