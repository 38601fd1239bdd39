//! Data-driven prospectivity in a run: logistic regression, random forest or gradient boosting
//! trained by positive-unlabelled bagging on deposits and a background pool drawn uniformly
//! over the study area's cells, predicted block by block into `prospectivity.tif` (ensemble
//! mean) and `uncertainty.tif` (ensemble standard deviation) — Mordelet & Vert (2014).
//!
//! Judged by spatial block cross-validation against every held-out cell ([`crate::ml_cv`]:
//! the same folds as weights of evidence, every encoding, standardisation and background draw
//! learnt inside the training folds) — the headline `spatial_cv`. `sample_cv` is the learner's
//! check on the samples of `training.csv` (one background draw, the blocks anchored at the
//! samples' corner), kept so that other tools can be run on exactly the same samples.
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
    block_folds, cross_validate, derive_seed, pu_bagging, BackgroundPool, BoostingOptions,
    ClassWeighting, Classifier, CrossValidation, FeatureImportance, FeatureMatrix, FoldScheme,
    ForestOptions, Learner, LogisticOptions, PuBaggingOptions, PuEnsemble, SplitMix64, TrainingSet,
    WeightsOptions,
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
    /// For categorical layers, the options of its weights (learnt again inside each fold).
    pub weights_options: Option<WeightsOptions>,
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
    scheme: &crate::folds::CvScheme,
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
            scheme,
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
            scheme,
            dir,
        ),
        ModelKind::GradientBoosting => {
            let mut summary = fit_and_predict(
                &BoostingOptions {
                    trees: spec.trees.unwrap_or(200),
                    learning_rate: spec.learning_rate,
                    max_depth: spec.max_depth,
                    min_samples_leaf: 5,
                    histogram: spec.histogram,
                    ..BoostingOptions::default()
                },
                Ensemble::GradientBoosting,
                grid,
                mask,
                layers,
                deposits,
                spec,
                scheme,
                dir,
            )?;
            // How the members' trees were grown ([model] histogram, resolved for a member's
            // deposits + background).
            let member = ["deposits_used", "background_per_member"]
                .iter()
                .map(|k| summary[k].as_u64().unwrap_or(0) as usize)
                .sum::<usize>();
            summary["split_search"] = json!(if spec.histogram.uses_histograms(member) {
                "histogram (Ke et al. 2017: features binned once into <= 256 quantile levels)"
            } else {
                "exact (every midpoint between distinct values)"
            });
            Ok(summary)
        }
        other => bail!("[model] kind = \"{other}\" is not a data-driven model"),
    }
}

/// A learner's settings as run.json records them: its method and every option by name.
trait LearnerRecord {
    fn record(&self) -> Value;
}

impl LearnerRecord for LogisticOptions {
    fn record(&self) -> Value {
        let LogisticOptions {
            l2_penalty,
            max_iterations,
            tolerance,
        } = self;
        json!({"method": "logistic regression (Newton–IRLS)", "l2_penalty": l2_penalty,
               "max_iterations": max_iterations, "tolerance": tolerance})
    }
}

impl LearnerRecord for ForestOptions {
    fn record(&self) -> Value {
        let ForestOptions {
            trees,
            max_features,
            min_samples_leaf,
            max_depth,
            bootstrap,
            out_of_bag,
        } = self;
        json!({"method": "random forest", "trees": trees, "max_features": max_features,
               "min_samples_leaf": min_samples_leaf, "max_depth": max_depth,
               "bootstrap": bootstrap, "out_of_bag": out_of_bag})
    }
}

impl LearnerRecord for BoostingOptions {
    fn record(&self) -> Value {
        let BoostingOptions {
            trees,
            learning_rate,
            max_depth,
            min_samples_leaf,
            l2_leaf,
            subsample,
            max_features,
            histogram,
        } = self;
        json!({"method": "gradient-boosted trees (logistic loss)", "trees": trees,
               "learning_rate": learning_rate, "max_depth": max_depth,
               "min_samples_leaf": min_samples_leaf, "l2_leaf": l2_leaf,
               "subsample": subsample, "max_features": max_features,
               "histogram": histogram})
    }
}

#[allow(clippy::too_many_arguments)]
fn fit_and_predict<L: Learner + LearnerRecord>(
    learner: &L,
    wrap: fn(PuEnsemble<L::Model>) -> Ensemble,
    grid: &Grid,
    mask: &RasterReader,
    layers: &[FeatureLayer],
    deposits: &Deposits,
    spec: &ModelSpec,
    scheme: &crate::folds::CvScheme,
    dir: &Path,
) -> Result<Value>
where
    L::Model: Classifier,
{
    let p = layers.len();
    // 1. Sample cells: every deposit cell, then the background pool drawn uniformly over the
    //    study area's cells.
    let mut cells: Vec<(usize, usize)> = deposits.cells.iter().map(|c| (c.0, c.1)).collect();
    let n_deposits = cells.len();
    let taken: std::collections::HashSet<(usize, usize)> = cells.iter().copied().collect();
    cells.extend(
        sample_study_area(grid, mask, spec.background_pool, spec.seed)?
            .into_iter()
            .filter(|c| !taken.contains(c)),
    );
    // 2. Raw layer values (classes for categorical layers) at the sample cells, reading each
    //    needed block once.
    let raw = read_sample(grid, layers, &cells)?;
    let values: Vec<f64> = raw
        .chunks_exact(p)
        .flat_map(|r| {
            r.iter()
                .zip(layers)
                .map(|(&v, l)| crate::ml_cv::encode(l.class_values.as_ref(), v))
        })
        .collect();
    // 3. Standardise with the complete rows' mean and sd.
    let complete: Vec<f64> = values
        .chunks_exact(p)
        .filter(|r| r.iter().all(|v| v.is_finite()))
        .flatten()
        .copied()
        .collect();
    if complete.len() < 10 * p {
        bail!("only {} sample cells have every evidence layer: the layers leave too little common ground to train on", complete.len() / p);
    }
    let (mean, sd) = crate::ml_cv::column_moments(&complete, p);
    let values: Vec<f64> = values
        .chunks_exact(p)
        .flat_map(|r| r.iter().enumerate().map(|(f, v)| (v - mean[f]) / sd[f]))
        .collect();
    let (xs, ys): (Vec<f64>, Vec<f64>) =
        cells.iter().map(|(r, c)| grid.cell_centre(*r, *c)).unzip();
    let matrix = FeatureMatrix::new(p, values, xs, ys)?;
    let usable_positives: Vec<usize> = (0..n_deposits).filter(|&k| matrix.is_complete(k)).collect();
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
    // 5a. Spatial block cross-validation against every held-out cell: the headline.
    let cv_features: Vec<crate::ml_cv::CvFeature> = layers
        .iter()
        .map(|l| crate::ml_cv::CvFeature {
            name: &l.name,
            reader: &l.reader,
            categorical: l.class_values.as_ref().and(l.weights_options.clone()),
        })
        .collect();
    let held_out = crate::ml_cv::cross_validate(
        grid,
        mask,
        &cv_features,
        deposits,
        &crate::ml_cv::Sample {
            cells: &cells,
            raw: &raw,
            deposits: n_deposits,
        },
        &crate::ml_cv::Training {
            learner,
            wrap,
            members: spec.models,
            background_per_member: spec.background_per_model,
            exclusion_buffer: spec.exclusion_buffer_m,
            seed: spec.seed,
        },
        scheme.clone(),
        dir,
    )
    .context("spatial block cross-validation (try a smaller cv_block_km or fewer cv_folds)")?;
    let (spatial_cv, importance) = match held_out {
        Ok(cv) => (cv.cv.to_json(), importance_summary(layers, &cv.importance)),
        Err(blocks) => (json!({ "no_folds": blocks }), Value::Null),
    };
    // 5b. The learners' own check on one background draw, fold by fold on the samples (for
    //     side-by-side runs of other tools on `training.csv`; not the headline: its
    //     background is a sample, its encodings and standardisation are the whole area's).
    let background = pool.sample(per_model, spec.seed ^ 0x5EED);
    let data = TrainingSet::from_rows(
        &matrix,
        &usable_positives,
        &background,
        ClassWeighting::Balanced,
    )?;
    let cv: CrossValidation = cross_validate(
        learner,
        &data,
        &FoldScheme::Blocks {
            block_size: spec.cv_block_km * 1000.0,
            folds: spec.cv_folds,
            seed: spec.seed,
        },
        spec.seed,
    )
    .context("spatial block cross-validation on the training sample (try a smaller cv_block_km or fewer cv_folds)")?;
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
            "raster": crate::run_folder::recorded_path(dir, l.reader.path()),
        })).collect::<Vec<_>>(),
        "standardisation": {"mean": mean, "sd": sd},
        "members": spec.models,
        "background_per_member": per_model,
        "background_pool": pool.rows().len(),
        "exclusion_buffer_m": spec.exclusion_buffer_m,
        "deposits_used": usable_positives.len(),
        "seed": spec.seed,
        "learner": learner.record(),
        "permutation_importance": importance,
        "saved_model": "model.json",
        "training_sample": "training.csv",
        "held_out_scores": crate::ml_cv::HELD_OUT_FILE,
        "prediction": summary.to_json(&model),
        "spatial_cv": spatial_cv,
        "sample_cv": {
            "scheme": format!("square blocks of {} km anchored at the samples' smallest x and y, dealt to {} folds (seeded); the samples of training.csv (deposits and one background draw), encodings and standardisation of the whole area: a check of the learner on identical samples beside other tools, not the headline", spec.cv_block_km, spec.cv_folds),
            "mean_prediction_rate_auc": cv.mean_prediction_rate_auc,
            "mean_roc_auc": cv.mean_roc_auc,
            "pooled_roc_auc": cv.pooled_roc_auc,
            "folds": cv.folds.iter().map(|f| json!({
                "fold": f.fold,
                "train_positives": f.train_positives,
                "test_positives": f.test_positives,
                "test_background": f.test_background,
                "train_background": f.train_background,
                "prediction_rate_auc": f.prediction_rate_auc,
                "roc_auc": f.roc_auc,
            })).collect::<Vec<_>>(),
        },
    }))
}

/// `n` distinct cells drawn uniformly from the study area's valid cells (all of them when it
/// has no more), in the grid's window order: one pass counts the valid cells of every window,
/// `n` distinct ranks among them are drawn (Floyd's algorithm, seeded SplitMix64), and a
/// second pass reads only the windows holding a drawn rank. Memory: the ranks and one count
/// per window.
///
/// # Errors
/// Read failures.
pub fn sample_study_area(
    grid: &Grid,
    mask: &RasterReader,
    n: usize,
    seed: u64,
) -> Result<Vec<(usize, usize)>> {
    let windows = grid.windows(BLOCK_SIZE);
    let mut counts = vec![0u64; windows.len()];
    {
        let bar = crate::pipeline::progress(windows.len(), "background: study-area cells");
        let index: HashMap<(usize, usize), usize> = windows
            .iter()
            .enumerate()
            .map(|(k, w)| ((w.row_off, w.col_off), k))
            .collect();
        nedra_core::stream_blocks(
            &windows,
            crate::pipeline::blocks_in_flight(),
            |w| mask.read(w),
            |w, m| (w, m.valid.iter().filter(|v| **v).count() as u64),
            |_, (w, count)| -> Result<(), nedra_io::Error> {
                counts[index[&(w.row_off, w.col_off)]] = count;
                bar.inc(1);
                Ok(())
            },
        )?;
    }
    let total: u64 = counts.iter().sum();
    let mut ranks: Vec<u64> = if total <= n as u64 {
        (0..total).collect()
    } else {
        // Floyd (Bentley & Floyd 1987): n distinct values of 0..total, each set equally likely.
        let mut rng = SplitMix64::new(derive_seed(seed, 0xBAC6));
        let mut chosen = std::collections::HashSet::with_capacity(n);
        for j in total - n as u64..total {
            let t = rng.next_u64() % (j + 1);
            if !chosen.insert(t) {
                chosen.insert(j);
            }
        }
        chosen.into_iter().collect()
    };
    ranks.sort_unstable();
    let mut out = Vec::with_capacity(ranks.len());
    let (mut first, mut next) = (0u64, 0usize);
    for (w, &count) in windows.iter().zip(&counts) {
        let end = first + count;
        if next < ranks.len() && ranks[next] < end {
            let m = mask.read(*w)?;
            let mut rank = first;
            for i in 0..w.len() {
                if !m.valid[i] {
                    continue;
                }
                if next < ranks.len() && ranks[next] == rank {
                    out.push((w.row_off + i / w.width, w.col_off + i % w.width));
                    next += 1;
                }
                rank += 1;
            }
        }
        first = end;
    }
    Ok(out)
}

/// Each layer's raw value (the class for categorical layers; NaN where missing) at `cells`,
/// row-major (cells × layers), reading each needed block once.
fn read_sample(grid: &Grid, layers: &[FeatureLayer], cells: &[(usize, usize)]) -> Result<Vec<f64>> {
    let p = layers.len();
    let mut by_window: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (k, (r, c)) in cells.iter().enumerate() {
        by_window
            .entry((r / BLOCK_SIZE, c / BLOCK_SIZE))
            .or_default()
            .push(k);
    }
    let mut values = vec![f64::NAN; cells.len() * p];
    let mut keys: Vec<_> = by_window.keys().copied().collect();
    keys.sort_unstable();
    for (br, bc) in keys {
        let w = Window {
            col_off: bc * BLOCK_SIZE,
            row_off: br * BLOCK_SIZE,
            width: BLOCK_SIZE.min(grid.width - bc * BLOCK_SIZE),
            height: BLOCK_SIZE.min(grid.height - br * BLOCK_SIZE),
        };
        let blocks = layers
            .iter()
            .map(|l| l.reader.read(w))
            .collect::<Result<Vec<_>, _>>()?;
        for &k in &by_window[&(br, bc)] {
            let i = w.index_of(cells[k].0, cells[k].1);
            for (f, b) in blocks.iter().enumerate() {
                values[k * p + f] = raw_feature(None, b, i);
            }
        }
    }
    Ok(values)
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
