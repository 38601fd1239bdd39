//! Data-driven prospectivity in a run: logistic regression or random forest trained by
//! positive-unlabelled bagging on deposits and sampled background, judged by spatial block
//! cross-validation, predicted block by block into `prospectivity.tif` (ensemble mean) and
//! `uncertainty.tif` (ensemble standard deviation) — Mordelet & Vert (2014); Roberts et al.
//! (2017) for spatial CV.
//!
//! Features per layer: continuous layers enter with their values (standardised with the
//! training sample's mean and standard deviation); categorical layers enter as the weight of
//! evidence of their class (the generalised WEIGHT of the layer's table), which orders the
//! categories by their association with deposits.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{bail, Context, Result};
use nedra_core::{Grid, Window};
use nedra_io::RasterReader;
use nedra_models::{
    block_folds, cross_validate_inspect, derive_seed, permutation_importance, pu_bagging,
    BackgroundPool, BoostingOptions, ClassWeighting, Classifier, CrossValidation,
    FeatureImportance, FeatureMatrix, FoldScheme, ForestOptions, Learner, LogisticOptions,
    PuBaggingOptions, PuEnsemble, SplitMix64, TrainingSet,
};
use serde_json::{json, Value};

use crate::options::ModelKind;
use crate::pipeline::{Deposits, BLOCK_SIZE};
use crate::project::ModelSpec;
use crate::saved_model::{predict_grid, raw_feature, Ensemble, SavedFeature, SavedModel};

/// One feature: a raster on the grid, and for categorical layers the weight of each class.
pub struct FeatureLayer {
    /// Layer name.
    pub name: String,
    /// Values (continuous) or classes (categorical) on the grid.
    pub reader: RasterReader,
    /// Class → feature value, for categorical layers.
    pub class_values: Option<BTreeMap<i64, f64>>,
}

/// Trains, cross-validates and predicts; writes `prospectivity.tif` and `uncertainty.tif` into
/// `dir` and returns the JSON summary for the manifest and `validation.json`.
///
/// # Errors
/// Read/write failures and unusable training data.
pub fn run_model(
    grid: &Grid,
    mask: &RasterReader,
    layers: &[FeatureLayer],
    deposits: &Deposits,
    spec: &ModelSpec,
    dir: &Path,
) -> Result<Value> {
    match spec.kind {
        ModelKind::Logistic => fit_and_predict(
            &LogisticOptions {
                l2_penalty: spec.l2_penalty,
                ..LogisticOptions::default()
            },
            Ensemble::Logistic,
            grid,
            mask,
            layers,
            deposits,
            spec,
            dir,
        ),
        ModelKind::RandomForest => fit_and_predict(
            &ForestOptions {
                trees: spec.trees.unwrap_or(50),
                min_samples_leaf: 5,
                ..ForestOptions::default()
            },
            Ensemble::RandomForest,
            grid,
            mask,
            layers,
            deposits,
            spec,
            dir,
        ),
        ModelKind::GradientBoosting => fit_and_predict(
            &BoostingOptions {
                trees: spec.trees.unwrap_or(200),
                learning_rate: spec.learning_rate,
                max_depth: spec.max_depth,
                min_samples_leaf: 5,
                ..BoostingOptions::default()
            },
            Ensemble::GradientBoosting,
            grid,
            mask,
            layers,
            deposits,
            spec,
            dir,
        ),
        other => bail!("[model] kind = \"{other}\" is not a data-driven model"),
    }
}

#[allow(clippy::too_many_arguments)]
fn fit_and_predict<L: Learner + std::fmt::Debug>(
    learner: &L,
    wrap: fn(PuEnsemble<L::Model>) -> Ensemble,
    grid: &Grid,
    mask: &RasterReader,
    layers: &[FeatureLayer],
    deposits: &Deposits,
    spec: &ModelSpec,
    dir: &Path,
) -> Result<Value>
where
    L::Model: Classifier,
{
    let p = layers.len();
    // 1. Sample cells: every deposit cell, then candidate background cells inside the mask.
    let mut cells: Vec<(usize, usize)> = deposits.cells.iter().map(|c| (c.0, c.1)).collect();
    let positives: Vec<usize> = (0..cells.len()).collect();
    let taken: std::collections::HashSet<(usize, usize)> = cells.iter().copied().collect();
    let mut rng = SplitMix64::new(spec.seed);
    let mut candidates = Vec::new();
    let mut attempts = 0usize;
    while candidates.len() < spec.background_pool && attempts < 50 * spec.background_pool {
        attempts += 1;
        let (r, c) = (rng.below(grid.height), rng.below(grid.width));
        if !taken.contains(&(r, c)) {
            candidates.push((r, c));
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    cells.extend(candidates);
    // 2. Features at the sample cells, reading each needed block once.
    let mut by_window: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (k, (r, c)) in cells.iter().enumerate() {
        by_window
            .entry((r / BLOCK_SIZE, c / BLOCK_SIZE))
            .or_default()
            .push(k);
    }
    let mut values = vec![f64::NAN; cells.len() * p];
    let mut inside = vec![false; cells.len()];
    let mut keys: Vec<_> = by_window.keys().copied().collect();
    keys.sort_unstable();
    for (br, bc) in keys {
        let w = Window {
            col_off: bc * BLOCK_SIZE,
            row_off: br * BLOCK_SIZE,
            width: BLOCK_SIZE.min(grid.width - bc * BLOCK_SIZE),
            height: BLOCK_SIZE.min(grid.height - br * BLOCK_SIZE),
        };
        let m = mask.read(w)?;
        let blocks = layers
            .iter()
            .map(|l| l.reader.read(w))
            .collect::<Result<Vec<_>, _>>()?;
        for &k in &by_window[&(br, bc)] {
            let i = w.index_of(cells[k].0, cells[k].1);
            inside[k] = m.valid[i];
            for (f, (layer, b)) in layers.iter().zip(&blocks).enumerate() {
                values[k * p + f] = raw_feature(layer.class_values.as_ref(), b, i);
            }
        }
    }
    // Background outside the study area is not background: mark it incomplete.
    for k in positives.len()..cells.len() {
        if !inside[k] {
            values[k * p] = f64::NAN;
        }
    }
    // 3. Standardise with the complete rows' mean and sd.
    let mut mean = vec![0.0; p];
    let mut sd = vec![0.0; p];
    let complete: Vec<usize> = (0..cells.len())
        .filter(|&k| values[k * p..(k + 1) * p].iter().all(|v| v.is_finite()))
        .collect();
    if complete.len() < 10 {
        bail!("only {} sample cells have every evidence layer: the layers leave too little common ground to train on", complete.len());
    }
    for f in 0..p {
        let n = complete.len() as f64;
        mean[f] = complete.iter().map(|&k| values[k * p + f]).sum::<f64>() / n;
        let var = complete
            .iter()
            .map(|&k| (values[k * p + f] - mean[f]).powi(2))
            .sum::<f64>()
            / (n - 1.0);
        sd[f] = if var > 0.0 { var.sqrt() } else { 1.0 };
    }
    for k in 0..cells.len() {
        for f in 0..p {
            values[k * p + f] = (values[k * p + f] - mean[f]) / sd[f];
        }
    }
    let (xs, ys): (Vec<f64>, Vec<f64>) =
        cells.iter().map(|(r, c)| grid.cell_centre(*r, *c)).unzip();
    let matrix = FeatureMatrix::new(p, values, xs, ys)?;
    let usable_positives: Vec<usize> = positives
        .iter()
        .copied()
        .filter(|&k| matrix.is_complete(k))
        .collect();
    if usable_positives.len() < 2 {
        bail!("fewer than 2 deposits have every evidence layer: nothing to train a model on");
    }
    // 4. PU bagging.
    let pool = BackgroundPool::new(&matrix, &usable_positives, spec.exclusion_buffer_m)?;
    let per_model = spec
        .background_per_model
        .unwrap_or(10 * usable_positives.len());
    let options = PuBaggingOptions {
        models: spec.models,
        background_per_model: Some(per_model),
        class_weighting: ClassWeighting::Balanced,
        seed: spec.seed,
    };
    let ensemble = pu_bagging(learner, &matrix, &usable_positives, &pool, &options)
        .context("training the model ensemble")?;
    // 5. Spatial block cross-validation on one background draw.
    let background = pool.sample(per_model, spec.seed ^ 0x5EED);
    let data = TrainingSet::from_rows(
        &matrix,
        &usable_positives,
        &background,
        ClassWeighting::Balanced,
    )?;
    // Each fold's model also gives held-out permutation importance (5 seeded shuffles).
    let (cv, fold_importance): (CrossValidation, _) = cross_validate_inspect(
        learner,
        &data,
        &FoldScheme::Blocks {
            block_size: spec.cv_block_km * 1000.0,
            folds: spec.cv_folds,
            seed: spec.seed,
        },
        spec.seed,
        |f, model, held_out| {
            permutation_importance(model, held_out, 5, derive_seed(spec.seed, 1000 + f as u64))
                .ok()
                .map(|(_, imp)| imp)
        },
    )
    .context("spatial block cross-validation (try a smaller cv_block_km or fewer cv_folds)")?;
    let importance = importance_summary(layers, &fold_importance);
    // 6. Save the model and the cross-validation sample, then predict block by block.
    let model = SavedModel {
        format: crate::saved_model::FORMAT.into(),
        nedra_version: env!("CARGO_PKG_VERSION").into(),
        kind: spec.kind,
        features: layers
            .iter()
            .enumerate()
            .map(|(f, l)| SavedFeature {
                name: l.name.clone(),
                encoding: if l.class_values.is_some() {
                    "class_weight".into()
                } else {
                    "value".into()
                },
                class_values: l.class_values.clone(),
                mean: mean[f],
                sd: sd[f],
            })
            .collect(),
        training: json!({
            "crs_wkt": grid.crs_wkt,
            "transform": grid.transform,
            "width": grid.width,
            "height": grid.height,
            "deposits_used": usable_positives.len(),
            "background_per_member": per_model,
            "exclusion_buffer_m": spec.exclusion_buffer_m,
            "seed": spec.seed,
        }),
        ensemble: wrap(ensemble),
    };
    model.save(&dir.join("model.json"))?;
    let folds = block_folds(
        data.x(),
        data.y(),
        spec.cv_block_km * 1000.0,
        spec.cv_folds,
        spec.seed,
    )?;
    write_training_csv(&dir.join("training.csv"), &model, &data, &folds)?;
    let readers = layers
        .iter()
        .map(|l| RasterReader::open(l.reader.path()))
        .collect::<Result<Vec<_>, _>>()?;
    let summary = predict_grid(grid, Some(mask), &readers, &model, dir, true)?;
    Ok(json!({
        "kind": spec.kind,
        "method": "positive-unlabelled bagging (Mordelet & Vert 2014): each member trains on all deposits and its own background draw; prospectivity = ensemble mean, uncertainty = ensemble standard deviation",
        "features": layers.iter().map(|l| json!({
            "name": l.name,
            "encoding": if l.class_values.is_some() { "weight of evidence of the class" } else { "value, standardised" },
            "raster": l.reader.path().display().to_string(),
        })).collect::<Vec<_>>(),
        "standardisation": {"mean": mean, "sd": sd},
        "members": spec.models,
        "background_per_member": per_model,
        "background_pool": pool.rows().len(),
        "exclusion_buffer_m": spec.exclusion_buffer_m,
        "deposits_used": usable_positives.len(),
        "seed": spec.seed,
        "learner": format!("{learner:?}"),
        "permutation_importance": importance,
        "saved_model": "model.json",
        "training_sample": "training.csv",
        "prediction": summary.to_json(&model),
        "spatial_cv": {
            "scheme": format!("square blocks of {} km dealt to {} folds (seeded)", spec.cv_block_km, spec.cv_folds),
            "mean_prediction_rate_auc": cv.mean_prediction_rate_auc,
            "mean_roc_auc": cv.mean_roc_auc,
            "pooled_roc_auc": cv.pooled_roc_auc,
            "folds": cv.folds.iter().map(|f| json!({
                "fold": f.fold,
                "train_positives": f.train_positives,
                "test_positives": f.test_positives,
                "test_background": f.test_background,
                "prediction_rate_auc": f.prediction_rate_auc,
                "roc_auc": f.roc_auc,
            })).collect::<Vec<_>>(),
        },
    }))
}

/// Writes the cross-validation sample: map position, label, class weight, spatial fold and the
/// standardised features, so that other tools can be judged on exactly the same folds.
fn write_training_csv(
    path: &Path,
    model: &SavedModel,
    data: &TrainingSet,
    folds: &[usize],
) -> Result<()> {
    // Numbers as Rust's shortest round-trip `{}` (csv's own float format differs).
    let mut table = csv::Writer::from_writer(Vec::new());
    let layers = model.features.iter().map(|f| f.name.as_str());
    table.write_record(
        ["x", "y", "deposit", "weight", "fold"]
            .into_iter()
            .chain(layers),
    )?;
    for (i, fold) in folds.iter().enumerate() {
        let sample = [
            data.x()[i].to_string(),
            data.y()[i].to_string(),
            u8::from(data.labels()[i]).to_string(),
            data.weights()[i].to_string(),
            fold.to_string(),
        ];
        let features = data.row(i).iter().map(f64::to_string);
        table.write_record(sample.into_iter().chain(features))?;
    }
    let bytes = table
        .into_inner()
        .with_context(|| format!("writing {}", path.display()))?;
    nedra_io::files::write_atomic(path, &bytes)?;
    Ok(())
}

/// Permutation importance of each layer on held-out samples (Breiman 2001, §10): in every
/// spatial fold the model fitted on the other folds sees each layer's column of the held-out
/// samples shuffled (5 seeded repeats); the drop in ROC AUC is averaged over the folds where
/// it is defined. Layers by decreasing importance.
fn importance_summary(
    layers: &[FeatureLayer],
    per_fold: &[Option<Vec<FeatureImportance>>],
) -> Value {
    let mut drops: Vec<Vec<f64>> = vec![vec![]; layers.len()];
    for imp in per_fold.iter().flatten().flatten() {
        drops[imp.feature].push(imp.mean_auc_drop);
    }
    let mut rows: Vec<(String, f64, f64, usize)> = layers
        .iter()
        .zip(&drops)
        .map(|(l, d)| {
            let n = d.len() as f64;
            let mean = d.iter().sum::<f64>() / n;
            let sd = if d.len() > 1 {
                (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            } else {
                0.0
            };
            (l.name.clone(), mean, sd, d.len())
        })
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    json!({
        "method": "drop in held-out ROC AUC when the layer is shuffled (5 repeats), mean over spatial folds",
        "layers": rows.iter().map(|(name, mean, sd, folds)| json!({
            "layer": name, "mean_auc_drop": mean, "sd_over_folds": sd, "folds": folds,
        })).collect::<Vec<_>>(),
    })
}
