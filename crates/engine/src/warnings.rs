//! Warnings where the science is weak: shown on the console, written to `run.json` and put at
//! the top of the report, so a reviewer sees them before the figures.
//!
//! Each check cites the rule it applies:
//! - conditional independence: Bonham-Carter (1994, ch. 9) reads n/T below 0.85 as a sign of
//!   conditional dependence; Agterberg & Cheng (2002) test T − n, and a one-tailed probability
//!   above 0.95 rejects independence. Either makes the posterior (and any count of
//!   undiscovered deposits taken from it) inflated;
//! - a cumulative layer none of whose cut-offs passes the studentised-contrast threshold
//!   (GEN_CLASS 999) adds weight 0 everywhere: it is in the run but carries nothing;
//! - a class covering a large share of the study area without a single deposit: its weight
//!   rests on the 0.99-deposit edge patch (ArcSDM), not on data;
//! - deposits listed twice or stacked in one cell: each counts as a deposit unless the
//!   project declares `duplicates = "one-per-cell"` (or `"error"`);
//! - a spatial cross-validation fold with fewer than three held-out deposits: its AUC is noise;
//!   a study area too small for the folds at the block size: no held-out figure at all;
//! - classes of a layer that its weights table lacks: weight 0, as missing evidence;
//! - a cross-validated ROC AUC far below the fitted one: the model learnt its training
//!   deposits (over-fitting), and the held-out figure is the one to quote;
//! - NaN or ±Inf cells in an input or a computed layer: they are NoData by nedra's one rule
//!   ([`nedra_io::non_finite`]), which changes the study area the layer covers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use nedra_models::{ConditionalIndependence, WeightsTable, GEN_CLASS_NOT_SIGNIFICANT};

/// Bonham-Carter's n/T below which conditional independence is in doubt.
pub const MIN_RATIO_N_OVER_T: f64 = 0.85;
/// Agterberg–Cheng one-tailed probability above which independence is rejected.
pub const MAX_PROBABILITY_NOT_INDEPENDENT: f64 = 0.95;
/// Share of the study area above which a class without deposits is flagged.
pub const LARGE_EMPTY_CLASS_SHARE: f64 = 0.10;
/// Held-out deposits below which a fold is flagged.
pub const MIN_FOLD_DEPOSITS: u64 = 3;
/// Fitted minus cross-validated ROC AUC above which over-fitting is flagged.
pub const MAX_FITTED_MINUS_CV_AUC: f64 = 0.05;

/// One warning: a stable code and a sentence with the numbers and what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// Stable identifier (`conditional_independence`, `layer_not_significant`,
    /// `large_class_without_deposits`, `small_fold`, `overfitting`).
    pub code: String,
    /// What was found and what to do.
    pub message: String,
    /// The names and figures of the message, by name (figures rounded as the message shows
    /// them): the report writes the warning in its own language from these, with the message
    /// `warning-<code>` of its catalogue (see [`crate::locale`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, Value>,
}

impl Warning {
    fn new(code: &str, message: String) -> Self {
        Warning {
            code: code.to_string(),
            message,
            args: BTreeMap::new(),
        }
    }

    /// The warning with the names and figures of its message.
    fn with_args(mut self, args: &[(&str, Value)]) -> Self {
        self.args = args
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect();
        self
    }
}

/// `x` rounded to `decimals` as the message writes it, or its text when not finite.
fn figure(x: f64, decimals: i32) -> Value {
    let scale = 10f64.powi(decimals);
    let rounded = (x * scale).round() / scale;
    if rounded.is_finite() {
        json!(rounded)
    } else {
        json!(x.to_string())
    }
}

/// Non-finite cells read from inputs or produced by a computation (taken as NoData), from
/// [`nedra_io::non_finite::take`]; files under `run_dir` are named relative to it.
pub fn non_finite(cells: &[(std::path::PathBuf, u64)], run_dir: &std::path::Path) -> Vec<Warning> {
    cells
        .iter()
        .map(|(path, n)| {
            let (message, origin, file) = match path.strip_prefix(run_dir) {
                Ok(rel) => (
                    format!(
                        "{}: the computation gave {n} cells NaN or ±Inf; they were written as NoData",
                        rel.display()
                    ),
                    "computed",
                    rel.display().to_string(),
                ),
                Err(_) => (
                    nedra_io::non_finite::warning(path, *n),
                    "input",
                    path.display().to_string(),
                ),
            };
            Warning::new("non_finite_cells", message).with_args(&[
                ("origin", json!(origin)),
                ("file", json!(file)),
                ("cells", json!(n)),
            ])
        })
        .collect()
}

/// Conditional independence of the weights-of-evidence layers.
pub fn conditional_independence(ci: &ConditionalIndependence) -> Option<Warning> {
    let low_ratio = ci.ratio < MIN_RATIO_N_OVER_T;
    let rejected = ci.probability_not_independent > MAX_PROBABILITY_NOT_INDEPENDENT;
    (low_ratio || rejected).then(|| {
        Warning::new(
            "conditional_independence",
            format!(
                "conditional independence fails: n/T = {:.3} (observed {} deposits, predicted {:.1}; below {MIN_RATIO_N_OVER_T} is doubtful), Agterberg–Cheng probability of dependence {:.3}. The posterior probability is inflated; drop or merge correlated layers, or use a data-driven model",
                ci.ratio, ci.observed_deposits, ci.predicted_deposits, ci.probability_not_independent
            ),
        )
        .with_args(&[
            ("ratio", figure(ci.ratio, 3)),
            ("observed", json!(ci.observed_deposits)),
            ("predicted", figure(ci.predicted_deposits, 1)),
            ("limit", json!(MIN_RATIO_N_OVER_T)),
            ("probability", figure(ci.probability_not_independent, 3)),
        ])
    })
}

/// A weights table's layer-level problems: no significant cut-off, large classes without
/// deposits. `study_area_km2` is the area the table was computed over.
pub fn weights_table(layer: &str, table: &WeightsTable, study_area_km2: f64) -> Vec<Warning> {
    let mut out = Vec::new();
    if !table.rows.is_empty()
        && table
            .rows
            .iter()
            .all(|r| r.gen_class == GEN_CLASS_NOT_SIGNIFICANT)
    {
        out.push(Warning::new(
            "layer_not_significant",
            format!(
                "layer {layer:?}: no cut-off passes the studentised-contrast threshold, so every class has weight 0 and the layer adds nothing. Lower the threshold, change the classes, or leave the layer out"
            ),
        ).with_args(&[("layer", json!(layer))]));
    }
    for r in &table.rows {
        let share = r.class_area_km2 / study_area_km2;
        if r.deposits == Some(0) && share >= LARGE_EMPTY_CLASS_SHARE && r.class_area_km2.is_finite()
        {
            out.push(Warning::new(
                "large_class_without_deposits",
                format!(
                    "layer {layer:?}: class {} covers {:.0} km² ({:.0} % of the study area) without a single deposit; its weight {:.3} ± {:.3} rests on the 0.99-deposit edge patch, not on data",
                    r.class,
                    r.class_area_km2,
                    100.0 * share,
                    r.weight,
                    r.w_std
                ),
            ).with_args(&[
                ("layer", json!(layer)),
                ("class", json!(r.class.to_string())),
                ("area", figure(r.class_area_km2, 0)),
                ("percent", figure(100.0 * share, 0)),
                ("weight", figure(r.weight, 3)),
                ("sd", figure(r.w_std, 3)),
            ]));
        }
    }
    out
}

/// Deposits listed twice, or several in one cell, and what the rule did with them.
pub fn duplicate_deposits(
    d: &crate::pipeline::Deposits,
    rule: crate::options::DuplicateRule,
) -> Option<Warning> {
    use crate::options::DuplicateRule;
    (d.exact_duplicates > 0 || d.stacked_cells > 0).then(|| {
        let what = match rule {
            DuplicateRule::Keep => "each point is counted (duplicates = \"keep\"): a deposit listed twice weighs twice. Remove duplicates, or set duplicates = \"one-per-cell\"".to_string(),
            DuplicateRule::OnePerCell => format!(
                "{} point{} not counted (duplicates = \"one-per-cell\")",
                d.merged,
                if d.merged == 1 { " is" } else { "s are" }
            ),
            DuplicateRule::Error => "duplicates = \"error\"".to_string(),
        };
        Warning::new(
            "duplicate_deposits",
            format!(
                "{} deposit{} listed twice (same coordinates) and {} cell{} holding several deposits; {what}",
                d.exact_duplicates,
                if d.exact_duplicates == 1 { " is" } else { "s are" },
                d.stacked_cells,
                if d.stacked_cells == 1 { "" } else { "s" }
            ),
        )
        .with_args(&[
            ("exact", json!(d.exact_duplicates)),
            ("stacked", json!(d.stacked_cells)),
            ("rule", serde_json::to_value(rule).unwrap_or(Value::Null)),
            ("merged", json!(d.merged)),
        ])
    })
}

/// Cells of classes a layer's weights table lacks, given weight 0 as missing evidence.
pub fn unseen_classes(u: &crate::pipeline::UnseenClasses) -> Warning {
    let classes: Vec<String> = u.classes.iter().map(i64::to_string).collect();
    Warning::new("unseen_classes", u.message()).with_args(&[
        ("layer", json!(u.layer)),
        ("cells", json!(u.cells)),
        ("classes", json!(classes.join(", "))),
        ("table", json!(u.table.display().to_string())),
    ])
}

/// A model (`model`: its `[model] kind`, e.g. "weights_of_evidence") could not be
/// cross-validated: fewer blocks than folds.
pub fn no_cross_validation(model: &str, blocks: usize, block_km: f64, folds: usize) -> Warning {
    let label = match model {
        "fuzzy" => "the fuzzy network",
        "logistic" => "logistic regression",
        "random_forest" => "the random forest",
        "gradient_boosting" => "gradient boosting",
        _ => "weights of evidence",
    };
    Warning::new(
        "no_cross_validation",
        format!(
            "{label} is not cross-validated: the study area covers {blocks} block{} of cv_block_km = {block_km} km, fewer than cv_folds = {folds}. Its figures are fitted ones; set a smaller [model] cv_block_km (or fewer cv_folds) for a held-out figure",
            if blocks == 1 { "" } else { "s" }
        ),
    )
    .with_args(&[
        ("model", json!(model)),
        ("blocks", json!(blocks)),
        ("block_km", json!(block_km)),
        ("folds", json!(folds)),
    ])
}

/// A data-driven model's cross-validation: small folds, and a held-out AUC far below the
/// fitted one. `model` is the model summary of `run.json`.
pub fn cross_validation(model: &Value, fitted_roc_auc: f64) -> Vec<Warning> {
    let mut out = Vec::new();
    let cv = &model["spatial_cv"];
    for f in cv["folds"].as_array().into_iter().flatten() {
        let held_out = f["test_positives"].as_u64().unwrap_or(0);
        if held_out < MIN_FOLD_DEPOSITS {
            out.push(Warning::new(
                "small_fold",
                format!(
                    "spatial CV fold {} holds {held_out} held-out deposit{}: its AUC is noise. Use larger blocks (cv_block_km) or fewer folds",
                    f["fold"],
                    if held_out == 1 { "" } else { "s" }
                ),
            ).with_args(&[("fold", f["fold"].clone()), ("held_out", json!(held_out))]));
        }
    }
    if let Some(cv_auc) = cv["mean_roc_auc"].as_f64() {
        if fitted_roc_auc - cv_auc > MAX_FITTED_MINUS_CV_AUC {
            out.push(Warning::new(
                "overfitting",
                format!(
                    "the fitted ROC AUC {fitted_roc_auc:.3} is {:.3} above the spatial-CV ROC AUC {cv_auc:.3}: the model learnt its training deposits. Quote the cross-validated figure; a simpler model (fewer classes or layers; fewer or shallower trees; a stronger penalty) may generalise better",
                    fitted_roc_auc - cv_auc
                ),
            ).with_args(&[
                ("fitted", figure(fitted_roc_auc, 3)),
                ("gap", figure(fitted_roc_auc - cv_auc, 3)),
                ("cv", figure(cv_auc, 3)),
            ]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use nedra_models::{calculate_weights, ClassCount, WeightsOptions, WeightsType};

    fn ci(ratio: f64, p: f64) -> ConditionalIndependence {
        ConditionalIndependence {
            observed_deposits: 100,
            predicted_deposits: 100.0 / ratio,
            predicted_deposits_sd: 5.0,
            ratio,
            z: 0.0,
            probability_not_independent: p,
        }
    }

    #[test]
    fn conditional_independence_is_flagged_by_either_test() {
        assert!(conditional_independence(&ci(0.95, 0.5)).is_none());
        let w = conditional_independence(&ci(0.009, 0.5)).unwrap();
        assert!(w.message.contains("n/T = 0.009"), "{}", w.message);
        assert!(conditional_independence(&ci(0.95, 0.99)).is_some());
    }

    #[test]
    fn layers_without_signal_and_large_empty_classes_are_flagged() {
        // 100 unit cells; class 1 has 60 cells and no deposit, class 2 has 40 cells and all 5.
        let counts = [
            ClassCount {
                class: 1,
                cells: 60,
                deposits: 0,
            },
            ClassCount {
                class: 2,
                cells: 40,
                deposits: 5,
            },
        ];
        let options = WeightsOptions::new(1.0, WeightsType::Categorical);
        let table = calculate_weights(&counts, &options).unwrap();
        let w = weights_table("units", &table, 100.0);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].code, "large_class_without_deposits");
        assert!(
            w[0].message.contains("class 1 covers 60 km² (60 %"),
            "{}",
            w[0].message
        );
        // A cumulative layer with no signal: deposits spread like the area.
        let flat: Vec<ClassCount> = (1..=10)
            .map(|c| ClassCount {
                class: c,
                cells: 100,
                deposits: 1,
            })
            .collect();
        let table =
            calculate_weights(&flat, &WeightsOptions::new(1.0, WeightsType::Ascending)).unwrap();
        let w = weights_table("flat", &table, 1000.0);
        assert!(w.iter().any(|w| w.code == "layer_not_significant"), "{w:?}");
    }

    #[test]
    fn small_folds_and_overfitting_are_flagged() {
        let model = serde_json::json!({"spatial_cv": {
            "mean_roc_auc": 0.80,
            "folds": [{"fold": 0, "test_positives": 2}, {"fold": 1, "test_positives": 9}]
        }});
        let w = cross_validation(&model, 0.99);
        let codes: Vec<&str> = w.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(codes, ["small_fold", "overfitting"]);
        assert!(cross_validation(&model, 0.82)
            .iter()
            .all(|w| w.code != "overfitting"));
    }

    /// Every kind of warning, written by the report in every language from the figures it
    /// records: no missing message or variable, the figures in the language's way.
    #[test]
    fn every_warning_is_written_in_every_language() {
        let counts = [
            ClassCount {
                class: 1300,
                cells: 6000,
                deposits: 0,
            },
            ClassCount {
                class: 2,
                cells: 4000,
                deposits: 5,
            },
        ];
        let table = calculate_weights(&counts, &WeightsOptions::new(1.0, WeightsType::Categorical))
            .unwrap();
        let flat: Vec<ClassCount> = (1..=10)
            .map(|c| ClassCount {
                class: c,
                cells: 100,
                deposits: 1,
            })
            .collect();
        let flat =
            calculate_weights(&flat, &WeightsOptions::new(1.0, WeightsType::Ascending)).unwrap();
        let model = serde_json::json!({"spatial_cv": {
            "mean_roc_auc": 0.80, "folds": [{"fold": 3, "test_positives": 2}]
        }});
        let mut warnings = vec![conditional_independence(&ci(0.293, 0.9996)).unwrap()];
        warnings.extend(weights_table("units", &table, 10_000.0));
        warnings.extend(weights_table("flat", &flat, 1000.0));
        warnings.extend(cross_validation(&model, 0.99));
        warnings.push(no_cross_validation("weights_of_evidence", 3, 20.0, 5));
        warnings.push(unseen_classes(&crate::pipeline::UnseenClasses {
            layer: "units".into(),
            table: "weights/units.csv".into(),
            cells: 1234,
            classes: vec![7, 9],
        }));
        let dir = std::path::Path::new("/run");
        warnings.extend(non_finite(
            &[(dir.join("evidence/a.tif"), 2), ("/data/b.tif".into(), 1)],
            dir,
        ));
        for rule in [
            crate::options::DuplicateRule::Keep,
            crate::options::DuplicateRule::OnePerCell,
        ] {
            let d = crate::pipeline::Deposits {
                exact_duplicates: 1,
                stacked_cells: 2,
                merged: 3,
                ..Default::default()
            };
            warnings.push(duplicate_deposits(&d, rule).unwrap());
        }
        let codes: std::collections::BTreeSet<&str> =
            warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(codes.len(), 9, "{codes:?}");
        for lang in crate::locale::Lang::all() {
            let cat = crate::locale::Catalogue::new(lang);
            for w in &warnings {
                assert!(!w.args.is_empty(), "{}", w.code);
                let text = crate::report::warning_in(w, &cat).message;
                assert!(
                    !text.contains(crate::locale::MISSING),
                    "{lang}: {}: {text}",
                    w.code
                );
                assert!(
                    lang == crate::locale::Lang::ENGLISH || text != w.message,
                    "{lang}: {} left in English",
                    w.code
                );
            }
        }
        let ru = crate::locale::Catalogue::new("ru".parse().unwrap());
        let text = |code: &str| {
            let w = warnings.iter().find(|w| w.code == code).unwrap();
            crate::report::warning_in(w, &ru).message
        };
        assert!(text("conditional_independence").contains("n/T = 0,293"));
        assert!(text("large_class_without_deposits")
            .contains("класс 1300 занимает 6\u{202f}000 км² (60 % площади исследования)"));
        assert!(text("no_cross_validation").contains("лишь 3 блока со стороной"));
        assert!(text("small_fold").contains("подвыборка 3 пространственной"));
        assert!(text("small_fold").contains("2 отложенных месторождения"));
        assert!(text("unseen_classes").contains("1\u{202f}234 ячейкам классов [7, 9]"));
        // The English sentence with the same figures as the one run.json records.
        let en = crate::locale::Catalogue::new(crate::locale::Lang::ENGLISH);
        for code in [
            "small_fold",
            "overfitting",
            "conditional_independence",
            "no_cross_validation",
            "layer_not_significant",
            "non_finite_cells",
        ] {
            let w = warnings.iter().find(|w| w.code == code).unwrap();
            assert_eq!(crate::report::warning_in(w, &en).message, w.message);
        }
    }
}
