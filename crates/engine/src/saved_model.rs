//! Saved data-driven models and whole-grid prediction.
//!
//! A run with `[model] kind = "logistic" | "random_forest" | "gradient_boosting"` writes
//! `model.json`: the evidence layers the model reads (name, encoding, class values of
//! categorical layers, the training mean and standard deviation used to standardise them) and
//! every member of the positive-unlabelled ensemble. `nedra predict` applies it to layers of
//! another area; the run and `nedra predict` share [`predict_grid`], so the same model on the
//! same layers gives the same bytes.
//!
//! Per-cell explanations: every member's additive contributions
//! ([`nedra_models::Classifier::contributions`]: β·x for logistic regression, Saabas path
//! attribution for trees) are averaged over the ensemble. `contributions/LAYER.tif` holds each
//! layer's contribution and `drivers.tif` the 1-based index (in `model.json`'s feature order)
//! of the layer that raises the score most at the cell (0 where no layer raises it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use nedra_core::{Block, Grid};
use nedra_io::{files, DataType, RasterReader};
use nedra_models::{GradientBoosting, LogisticModel, PuEnsemble, RandomForest};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::pipeline::write_streamed_outputs;

/// The `format` of `model.json` files this version writes and reads. Version 2: the forest
/// and boosting share one tree layout (a leaf is its value, a split
/// `[feature, threshold, left, right, value]`); version 1 files are refused (retrain).
pub const FORMAT: &str = "nedra-model/2";

/// How one evidence layer becomes a feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedFeature {
    /// Evidence layer name (the `--layer NAME=PATH` key of `nedra predict`).
    pub name: String,
    /// `"value"` (the layer's values) or `"class_weight"` (the weight of evidence of the
    /// cell's class, from `class_values`).
    pub encoding: String,
    /// Class → feature value, for `class_weight` layers. Classes not listed are missing data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_values: Option<BTreeMap<i64, f64>>,
    /// Training mean subtracted before the model sees the value.
    pub mean: f64,
    /// Training standard deviation the value is divided by.
    pub sd: f64,
}

impl SavedFeature {
    /// The standardised feature of cell `i` of this layer's block (NaN where missing).
    pub fn value(&self, block: &Block, i: usize) -> f64 {
        (raw_feature(self.class_values.as_ref(), block, i) - self.mean) / self.sd
    }
}

/// The unstandardised feature of cell `i` of a layer's block: its value, or with
/// `class_values` the value of its class; NaN where missing or the class is not listed.
pub fn raw_feature(class_values: Option<&BTreeMap<i64, f64>>, block: &Block, i: usize) -> f64 {
    match (block.get(i), class_values) {
        (None, _) => f64::NAN,
        (Some(v), None) => v,
        (Some(v), Some(map)) => map.get(&(v.round() as i64)).copied().unwrap_or(f64::NAN),
    }
}

/// The fitted ensemble, by method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Ensemble {
    /// Logistic-regression members.
    Logistic(PuEnsemble<LogisticModel>),
    /// Random-forest members.
    RandomForest(PuEnsemble<RandomForest>),
    /// Gradient-boosted-tree members.
    GradientBoosting(PuEnsemble<GradientBoosting>),
}

impl Ensemble {
    /// [`PuEnsemble::predict_batch`] of the members.
    pub fn predict_batch(
        &self,
        rows: &[f64],
        mean: &mut [f64],
        sd: &mut [f64],
        contributions: Option<&mut [f64]>,
    ) {
        match self {
            Ensemble::Logistic(e) => e.predict_batch(rows, mean, sd, contributions),
            Ensemble::RandomForest(e) => e.predict_batch(rows, mean, sd, contributions),
            Ensemble::GradientBoosting(e) => e.predict_batch(rows, mean, sd, contributions),
        }
    }

    fn members(&self) -> usize {
        match self {
            Ensemble::Logistic(e) => e.members().len(),
            Ensemble::RandomForest(e) => e.members().len(),
            Ensemble::GradientBoosting(e) => e.members().len(),
        }
    }

    /// The unit of the contributions, for the manifest and the report.
    pub fn contribution_unit(&self) -> &'static str {
        match self {
            Ensemble::Logistic(_) => "log-odds (β·x, relative to the training mean)",
            Ensemble::RandomForest(_) => {
                "probability (Saabas path attribution, relative to the trees' root fractions)"
            }
            Ensemble::GradientBoosting(_) => {
                "log-odds (Saabas path attribution of the boosted score)"
            }
        }
    }
}

/// Everything `nedra predict` needs to apply a trained model to another area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedModel {
    /// Always [`FORMAT`].
    pub format: String,
    /// nedra version that trained the model.
    pub nedra_version: String,
    /// The project's `[model] kind`.
    pub kind: crate::options::ModelKind,
    /// The features, in the order the model reads them.
    pub features: Vec<SavedFeature>,
    /// Where and how the model was trained (grid, seed, deposits), for provenance.
    pub training: Value,
    /// The ensemble.
    pub ensemble: Ensemble,
}

impl SavedModel {
    /// Writes the model as JSON (atomically).
    ///
    /// # Errors
    /// Write failures.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string(self)? + "\n";
        files::write_atomic(path, text.as_bytes())?;
        Ok(())
    }

    /// Reads a `model.json`, or the `model.json` inside a run folder.
    ///
    /// # Errors
    /// A missing file, a file that is not a nedra model, or a model of another format.
    pub fn load(path: &Path) -> Result<(Self, PathBuf)> {
        // A run folder says in its manifest which model made it.
        if path.is_dir() && path.join("run.json").exists() {
            let kind = crate::manifest::RunManifest::read(path)?.project.model.kind;
            if !kind.is_data_driven() {
                bail!(
                    "{}: this run's model is {kind} (run.json), which saves no model to apply elsewhere. Give a run of a project with [model] kind = \"logistic\", \"random_forest\" or \"gradient_boosting\"",
                    path.display()
                );
            }
        }
        let file = if path.is_dir() {
            path.join("model.json")
        } else {
            path.to_path_buf()
        };
        let text = std::fs::read_to_string(&file).with_context(|| {
            if path.is_dir() {
                format!(
                    "{}: no model.json in this folder. Give a run folder of a project with [model] kind = \"logistic\", \"random_forest\" or \"gradient_boosting\"",
                    path.display()
                )
            } else {
                format!("{}: cannot read the model file", file.display())
            }
        })?;
        let head: Value = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a JSON file", file.display()))?;
        match head.get("format").and_then(Value::as_str) {
            Some(FORMAT) => {}
            Some(other) => bail!(
                "{}: model format {other:?}, this nedra reads {FORMAT:?}. Retrain the model with this version",
                file.display()
            ),
            None => bail!(
                "{}: not a nedra model (no \"format\" field); give the run's model.json",
                file.display()
            ),
        }
        let model: SavedModel = serde_json::from_value(head)
            .with_context(|| format!("{}: damaged model file", file.display()))?;
        if model.features.is_empty() || model.ensemble.members() == 0 {
            bail!(
                "{}: the model has no features or no members",
                file.display()
            );
        }
        if let Some(f) = model
            .features
            .iter()
            .find(|f| !(f.sd.is_finite() && f.sd > 0.0 && f.mean.is_finite()))
        {
            bail!(
                "{}: feature {:?} has an unusable standardisation (mean {}, sd {})",
                file.display(),
                f.name,
                f.mean,
                f.sd
            );
        }
        Ok((model, file))
    }
}

/// What a prediction pass wrote and counted.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionSummary {
    /// Cells with a prediction.
    pub predicted_cells: u64,
    /// Cells inside the mask left without one because a layer had no data there.
    pub missing_cells: u64,
    /// Cells whose strongest raising layer is feature k (index k), and cells with none (last).
    pub driver_cells: Vec<u64>,
}

impl PredictionSummary {
    /// The summary as JSON for manifests.
    pub fn to_json(&self, model: &SavedModel) -> Value {
        let p = model.features.len();
        json!({
            "predicted_cells": self.predicted_cells,
            "cells_missing_a_layer": self.missing_cells,
            "top_driver_cells": model.features.iter().enumerate()
                .map(|(k, f)| json!({"index": k + 1, "layer": f.name, "cells": self.driver_cells[k]}))
                .chain(std::iter::once(json!({"index": 0, "layer": null, "cells": self.driver_cells[p]})))
                .collect::<Vec<_>>(),
            "contribution_unit": model.ensemble.contribution_unit(),
        })
    }
}

/// Rows predicted together: small enough that the batch's features stay in cache while every
/// tree walks over it.
const BATCH: usize = 2048;

/// Predicts `model` over `grid` block by block into `dir`: `prospectivity.tif` (ensemble
/// mean), `uncertainty.tif` (ensemble standard deviation), and with `explain`
/// `drivers.tif` and `contributions/LAYER.tif`. `layers` are on `grid`, in the model's
/// feature order; cells outside `mask` (when given) or missing a layer are NoData.
///
/// # Errors
/// Read or write failures.
pub fn predict_grid(
    grid: &Grid,
    mask: Option<&RasterReader>,
    layers: &[RasterReader],
    model: &SavedModel,
    dir: &Path,
    explain: bool,
) -> Result<PredictionSummary> {
    let p = model.features.len();
    assert_eq!(layers.len(), p, "one raster per feature");
    let mut outs: Vec<(PathBuf, DataType)> = vec![
        (dir.join("prospectivity.tif"), DataType::Float32),
        (dir.join("uncertainty.tif"), DataType::Float32),
    ];
    if explain {
        std::fs::create_dir_all(dir.join("contributions"))
            .with_context(|| format!("{}: cannot create contributions/", dir.display()))?;
        outs.push((dir.join("drivers.tif"), DataType::Byte));
        for f in &model.features {
            outs.push((
                dir.join("contributions").join(format!("{}.tif", f.name)),
                DataType::Float32,
            ));
        }
    }
    let out_refs: Vec<(&Path, DataType)> = outs.iter().map(|(p, t)| (p.as_path(), *t)).collect();
    let mut summary = PredictionSummary {
        predicted_cells: 0,
        missing_cells: 0,
        driver_cells: vec![0; p + 1],
    };
    write_streamed_outputs(
        grid,
        &out_refs,
        "model prediction",
        |w| -> Result<(Option<Block>, Vec<Block>)> {
            Ok((
                mask.map(|m| m.read(w)).transpose()?,
                layers
                    .iter()
                    .map(|l| l.read(w))
                    .collect::<Result<Vec<_>, _>>()?,
            ))
        },
        |w, (m, blocks)| {
            let mut out: Vec<Block> = (0..out_refs.len()).map(|_| Block::empty(w)).collect();
            let mut row = vec![0.0; p];
            let mut counts = (0u64, 0u64, vec![0u64; p + 1]);
            // Complete rows of the block, predicted in batches that keep trees in cache.
            let mut cells: Vec<usize> = Vec::with_capacity(BATCH);
            let mut rows: Vec<f64> = Vec::with_capacity(BATCH * p);
            let (mut mean, mut sd) = (vec![0.0; BATCH], vec![0.0; BATCH]);
            let mut contrib = vec![0.0; if explain { BATCH * p } else { 0 }];
            let mut flush = |cells: &mut Vec<usize>, rows: &mut Vec<f64>, out: &mut [Block]| {
                let n = cells.len();
                model.ensemble.predict_batch(
                    rows,
                    &mut mean[..n],
                    &mut sd[..n],
                    if explain {
                        Some(&mut contrib[..n * p])
                    } else {
                        None
                    },
                );
                for (k, &i) in cells.iter().enumerate() {
                    for (o, v) in out.iter_mut().zip([mean[k], sd[k]]) {
                        o.values[i] = v;
                        o.valid[i] = true;
                    }
                    if explain {
                        let c = &contrib[k * p..(k + 1) * p];
                        let driver = top_driver(c);
                        counts.2[driver.unwrap_or(p)] += 1;
                        out[2].values[i] = driver.map_or(0.0, |k| (k + 1) as f64);
                        out[2].valid[i] = true;
                        for (o, v) in out[3..].iter_mut().zip(c) {
                            o.values[i] = *v;
                            o.valid[i] = true;
                        }
                    }
                }
                cells.clear();
                rows.clear();
            };
            for i in 0..w.len() {
                if m.as_ref().is_some_and(|m| !m.valid[i]) {
                    continue;
                }
                for (f, (feature, b)) in model.features.iter().zip(&blocks).enumerate() {
                    row[f] = feature.value(b, i);
                }
                if row.iter().any(|v| !v.is_finite()) {
                    counts.1 += 1;
                    continue;
                }
                counts.0 += 1;
                cells.push(i);
                rows.extend_from_slice(&row);
                if cells.len() == BATCH {
                    flush(&mut cells, &mut rows, &mut out);
                }
            }
            if !cells.is_empty() {
                flush(&mut cells, &mut rows, &mut out);
            }
            Ok((out, counts))
        },
        |(predicted, missing, drivers)| {
            summary.predicted_cells += predicted;
            summary.missing_cells += missing;
            for (s, d) in summary.driver_cells.iter_mut().zip(drivers) {
                *s += d;
            }
        },
    )?;
    Ok(summary)
}

/// The feature with the largest positive contribution (the first on ties), if any.
pub fn top_driver(contributions: &[f64]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (k, &c) in contributions.iter().enumerate() {
        if c > 0.0 && best.is_none_or(|b| c > contributions[b]) {
            best = Some(k);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model of an older format is refused with the advice to retrain.
    #[test]
    fn an_older_model_format_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.json");
        std::fs::write(&path, r#"{"format":"nedra-model/1","features":[]}"#).unwrap();
        let e = format!("{:#}", SavedModel::load(&path).unwrap_err());
        assert!(
            e.contains("\"nedra-model/1\"") && e.contains(FORMAT) && e.contains("Retrain"),
            "{e}"
        );
    }

    #[test]
    fn the_top_driver_is_the_largest_positive_contribution() {
        assert_eq!(top_driver(&[0.1, 0.5, 0.5, -2.0]), Some(1));
        assert_eq!(top_driver(&[-0.1, -0.5]), None);
        assert_eq!(top_driver(&[0.0, 0.0]), None);
        assert_eq!(top_driver(&[-3.0, 1e-9]), Some(1));
    }
}
