//! Spatial block cross-validation of a data-driven model, scored against every held-out cell.
//!
//! The folds are those of [`crate::folds`] (squares of `cv_block_km` anchored at the grid's
//! origin, dealt by the seed): the same folds as the weights-of-evidence cross-validation on
//! the same study area, so the models are compared fold by fold. For each fold, everything
//! the model learns from the deposits is learnt again from the other folds only (Roberts et
//! al. 2017; Valavi et al. 2019):
//!
//! - **categorical encoding**: a categorical layer enters as the weight of evidence of its
//!   class; the fold's weights come from the training folds' class counts (cells and deposits,
//!   the whole area's minus the fold's) through [`calculate_weights`] with the run's options.
//!   A class with no training cell gets weight 0 (no evidence), the weights-of-evidence rule;
//! - **standardisation**: the mean and standard deviation of the training folds' sample rows;
//! - **background**: the members draw their background from the pool cells of the training
//!   folds only (the pool is uniform over the study area, so its training part is uniform over
//!   the training area), outside the exclusion buffer around the training deposits;
//! - **the ensemble**: positive-unlabelled bagging with the run's learner, members and
//!   background size (Mordelet & Vert 2014), seeded per fold.
//!
//! The fold's ensemble then scores **every** valid cell of its held-out blocks that has every
//! layer; the scores form `prospectivity_held_out.tif` (each cell scored by a model that never
//! saw its block), which [`held_out_figures`] judges per fold and pooled. Held-out permutation
//! importance (Breiman 2001) shuffles each layer over the held-out sample rows of the fold.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use nedra_core::random::derive_seed;
use nedra_core::{Block, Grid};
use nedra_io::{DataType, RasterReader};
use nedra_models::{
    calculate_weights, permutation_importance, pu_bagging, BackgroundPool, ClassCount,
    ClassWeighting, Classifier, FeatureImportance, FeatureMatrix, Learner, PuBaggingOptions,
    PuEnsemble, TrainingSet, WeightsOptions,
};

use crate::folds::{
    deal_tallies, held_out_figures, tally_blocks, BlockGrid, CvFold, CvScheme, FoldMap, SpatialCv,
};
use crate::pipeline::{write_streamed_outputs, Deposits};
use crate::saved_model::{Ensemble, SavedFeature};

/// The file of held-out scores a data-driven run writes.
pub const HELD_OUT_FILE: &str = "prospectivity_held_out.tif";

/// Seed stream of fold f's ensemble (derived from the run's seed).
pub fn fold_seed(seed: u64, fold: usize) -> u64 {
    derive_seed(seed, 0xC0F0_0000 + fold as u64)
}

/// One evidence layer as the cross-validation sees it.
pub struct CvFeature<'a> {
    /// The layer's name.
    pub name: &'a str,
    /// Values (continuous) or classes (categorical) on the grid.
    pub reader: &'a RasterReader,
    /// For categorical layers, the options its weights are computed with.
    pub categorical: Option<WeightsOptions>,
}

/// The sample the run trains on: deposit cells first, then the background pool's cells, with
/// each layer's raw value (the class for categorical layers) per row.
pub struct Sample<'a> {
    /// (row, col) of each sample.
    pub cells: &'a [(usize, usize)],
    /// Raw values, row-major (cells × layers); NaN where a layer has no data.
    pub raw: &'a [f64],
    /// The first `deposits` rows are deposit cells.
    pub deposits: usize,
}

/// The learning options of the run's ensemble.
pub struct Training<'a, L: Learner> {
    /// The learner.
    pub learner: &'a L,
    /// Wraps an ensemble of the learner's models.
    pub wrap: fn(PuEnsemble<L::Model>) -> Ensemble,
    /// Members per ensemble.
    pub members: usize,
    /// Background rows per member (None: 10 × the training deposits).
    pub background_per_member: Option<usize>,
    /// Exclusion buffer around deposits (map units).
    pub exclusion_buffer: f64,
    /// The run's seed.
    pub seed: u64,
}

/// One fold's model: its features (encoding and standardisation learnt in the training
/// folds) and its ensemble.
pub struct FoldModel {
    /// The features, in layer order.
    pub features: Vec<SavedFeature>,
    /// The ensemble.
    pub ensemble: Ensemble,
    /// Deposit rows it trained on.
    pub train_deposits: usize,
}

/// The feature value of a raw layer value: the value, or with `class_values` its class's
/// value (NaN when the class is not listed or the value is missing).
pub fn encode(class_values: Option<&BTreeMap<i64, f64>>, raw: f64) -> f64 {
    match class_values {
        _ if raw.is_nan() => f64::NAN,
        None => raw,
        Some(map) => map.get(&(raw.round() as i64)).copied().unwrap_or(f64::NAN),
    }
}

/// Mean and standard deviation (n − 1; 1 where it is 0) of each column of standardisation
/// over `rows` (row-major, `p` columns, every row finite).
pub fn column_moments(rows: &[f64], p: usize) -> (Vec<f64>, Vec<f64>) {
    let n = (rows.len() / p) as f64;
    let mut mean = vec![0.0; p];
    let mut sd = vec![0.0; p];
    for f in 0..p {
        mean[f] = rows.chunks_exact(p).map(|r| r[f]).sum::<f64>() / n;
        let var = rows
            .chunks_exact(p)
            .map(|r| (r[f] - mean[f]).powi(2))
            .sum::<f64>()
            / (n - 1.0);
        sd[f] = if var > 0.0 { var.sqrt() } else { 1.0 };
    }
    (mean, sd)
}

/// The ensemble mean as one classifier (for permutation importance).
struct EnsembleMean<'a>(&'a Ensemble);

impl Classifier for EnsembleMean<'_> {
    fn probability(&self, row: &[f64]) -> f64 {
        if row.iter().any(|v| !v.is_finite()) {
            return f64::NAN;
        }
        let (mut mean, mut sd) = ([0.0], [0.0]);
        self.0.predict_batch(row, &mut mean, &mut sd, None);
        mean[0]
    }

    fn contributions(&self, row: &[f64], out: &mut [f64]) {
        let (mut mean, mut sd) = ([0.0], [0.0]);
        self.0.predict_batch(row, &mut mean, &mut sd, Some(out));
    }
}

/// Per layer, class → weight of a categorical layer (None for a continuous one).
pub type Encodings = Vec<Option<BTreeMap<i64, f64>>>;

/// The result of [`cross_validate`].
pub struct MlCrossValidation {
    /// The figures, fold by fold and pooled.
    pub cv: SpatialCv,
    /// Held-out permutation importance of each fold (None where undefined).
    pub importance: Vec<Option<Vec<FeatureImportance>>>,
    /// Each fold's categorical encodings.
    pub encodings: Vec<Encodings>,
}

/// Cross-validates the run's ensemble (see the module's documentation); writes
/// [`HELD_OUT_FILE`] into `dir`. `Ok(Err(blocks))` when the study area covers fewer blocks
/// than folds.
///
/// # Errors
/// Read and write failures; an unusable training fold.
#[allow(clippy::too_many_arguments)]
pub fn cross_validate<L: Learner>(
    grid: &Grid,
    mask: &RasterReader,
    features: &[CvFeature],
    deposits: &Deposits,
    sample: &Sample,
    training: &Training<L>,
    scheme: CvScheme,
    dir: &Path,
) -> Result<Result<MlCrossValidation, usize>> {
    scheme.check()?;
    let p = features.len();
    // Class counts per block of the categorical layers, and the folds.
    let categorical: Vec<usize> = (0..p)
        .filter(|&f| features[f].categorical.is_some())
        .collect();
    let classes: Vec<&RasterReader> = categorical.iter().map(|&f| features[f].reader).collect();
    let tallies = tally_blocks(
        grid,
        mask,
        &classes,
        deposits,
        &BlockGrid::new(grid, &scheme),
        "cross-validation: class counts per block",
    )?;
    let (folds, per_fold, all) = match deal_tallies(grid, scheme.clone(), tallies, classes.len())? {
        Ok(dealt) => dealt,
        Err(blocks) => return Ok(Err(blocks)),
    };
    let fold_of_sample: Vec<Option<usize>> = sample
        .cells
        .iter()
        .map(|&(r, c)| folds.fold(r, c))
        .collect();

    // Each fold's model from the other folds.
    let mut models: Vec<Option<FoldModel>> = Vec::with_capacity(scheme.folds);
    let mut importance = Vec::with_capacity(scheme.folds);
    let mut encodings = Vec::with_capacity(scheme.folds);
    for (f, held) in per_fold.iter().enumerate() {
        let mut class_values: Vec<Option<BTreeMap<i64, f64>>> = vec![None; p];
        for (k, &layer) in categorical.iter().enumerate() {
            let counts: Vec<ClassCount> = all
                .classes_without(held, k)
                .into_iter()
                .map(|(class, cells, deposits)| ClassCount {
                    class,
                    cells,
                    deposits,
                })
                .collect();
            let options = features[layer].categorical.as_ref().expect("categorical");
            let mut values: BTreeMap<i64, f64> = all.classes[k].keys().map(|&c| (c, 0.0)).collect();
            if counts.iter().any(|c| c.deposits > 0) {
                let table = calculate_weights(&counts, options).with_context(|| {
                    format!(
                        "cross-validation: weights of layer {:?} in training fold {f}",
                        features[layer].name
                    )
                })?;
                values.extend(table.rows.iter().map(|r| (r.class, r.weight)));
            }
            class_values[layer] = Some(values);
        }
        encodings.push(class_values.clone());
        let model = fit_fold(
            grid,
            sample,
            &fold_of_sample,
            f,
            features,
            class_values,
            training,
        )?;
        importance.push(model.as_ref().and_then(|m| {
            let held_out = held_out_rows(grid, sample, &fold_of_sample, f, m)?;
            permutation_importance(
                &EnsembleMean(&m.ensemble),
                &held_out,
                5,
                derive_seed(training.seed, 1000 + f as u64),
            )
            .ok()
            .map(|(_, imp)| imp)
        }));
        models.push(model);
    }

    // Every held-out cell scored by its fold's model, written, then judged.
    let path = dir.join(HELD_OUT_FILE);
    write_held_out(grid, mask, features, &folds, &models, &path)?;
    let figures = held_out_figures(grid, mask, &RasterReader::open(&path)?, &folds, deposits)?;
    let cv_folds = figures
        .folds
        .iter()
        .enumerate()
        .map(|(f, &(cells, deps, roc, rate))| CvFold {
            fold: f,
            blocks: folds.blocks_in_fold[f],
            test_cells: cells,
            test_deposits: deps,
            train_deposits: models[f].as_ref().map_or(0, |m| m.train_deposits as u64),
            roc_auc: roc,
            prediction_rate_auc: rate,
        })
        .collect();
    Ok(Ok(MlCrossValidation {
        cv: SpatialCv {
            scheme,
            origin: folds.origin,
            assignment: folds.assignment(),
            learnt: "categorical encodings, standardisation, background draws and the ensemble learnt inside each training fold".into(),
            folds: cv_folds,
            pooled_roc_auc: figures.pooled_roc_auc,
            pooled_prediction_rate_auc: figures.pooled_prediction_rate_auc,
        },
        importance,
        encodings,
    }))
}

/// The standardised, complete sample rows of fold `f` (`held` true) or of the other folds, as
/// (row-major features, map x, map y, which rows are deposits).
fn fold_rows(
    grid: &Grid,
    sample: &Sample,
    fold_of_sample: &[Option<usize>],
    f: usize,
    held: bool,
    encodings: &[Option<BTreeMap<i64, f64>>],
) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<usize>) {
    let p = encodings.len();
    let (mut rows, mut xs, mut ys, mut positives) = (vec![], vec![], vec![], vec![]);
    let mut row = vec![0.0; p];
    for (k, &(r, c)) in sample.cells.iter().enumerate() {
        if fold_of_sample[k].is_none_or(|g| (g == f) != held) {
            continue;
        }
        for (j, v) in row.iter_mut().enumerate() {
            *v = encode(encodings[j].as_ref(), sample.raw[k * p + j]);
        }
        if row.iter().any(|v| !v.is_finite()) {
            continue;
        }
        if k < sample.deposits {
            positives.push(xs.len());
        }
        rows.extend_from_slice(&row);
        let (x, y) = grid.cell_centre(r, c);
        xs.push(x);
        ys.push(y);
    }
    (rows, xs, ys, positives)
}

/// Fits fold `f`'s ensemble on the sample rows of the other folds; None when they hold fewer
/// than 2 usable deposits.
fn fit_fold<L: Learner>(
    grid: &Grid,
    sample: &Sample,
    fold_of_sample: &[Option<usize>],
    f: usize,
    features: &[CvFeature],
    encodings: Vec<Option<BTreeMap<i64, f64>>>,
    training: &Training<L>,
) -> Result<Option<FoldModel>> {
    let p = features.len();
    let (mut rows, xs, ys, positives) =
        fold_rows(grid, sample, fold_of_sample, f, false, &encodings);
    if positives.len() < 2 {
        return Ok(None);
    }
    let (mean, sd) = column_moments(&rows, p);
    for r in rows.chunks_exact_mut(p) {
        for (j, v) in r.iter_mut().enumerate() {
            *v = (*v - mean[j]) / sd[j];
        }
    }
    let matrix = FeatureMatrix::new(p, rows, xs, ys)?;
    let pool = BackgroundPool::new(&matrix, &positives, training.exclusion_buffer)?;
    let options = PuBaggingOptions {
        models: training.members,
        background_per_model: Some(
            training
                .background_per_member
                .unwrap_or(10 * positives.len()),
        ),
        class_weighting: ClassWeighting::Balanced,
        seed: fold_seed(training.seed, f),
    };
    let ensemble = pu_bagging(training.learner, &matrix, &positives, &pool, &options)
        .with_context(|| format!("cross-validation: the ensemble of training fold {f}"))?;
    Ok(Some(FoldModel {
        features: features
            .iter()
            .zip(encodings)
            .enumerate()
            .map(|(j, (feature, class_values))| SavedFeature {
                name: feature.name.to_string(),
                encoding: if class_values.is_some() {
                    "class_weight".into()
                } else {
                    "value".into()
                },
                class_values,
                mean: mean[j],
                sd: sd[j],
            })
            .collect(),
        ensemble: (training.wrap)(ensemble),
        train_deposits: positives.len(),
    }))
}

/// The held-out sample rows of fold `f`, encoded and standardised by its model, with balanced
/// class weights; None without a held-out deposit or background row.
fn held_out_rows(
    grid: &Grid,
    sample: &Sample,
    fold_of_sample: &[Option<usize>],
    f: usize,
    model: &FoldModel,
) -> Option<TrainingSet> {
    let encodings: Vec<Option<BTreeMap<i64, f64>>> = model
        .features
        .iter()
        .map(|x| x.class_values.clone())
        .collect();
    let p = encodings.len();
    let (mut rows, xs, ys, positives) =
        fold_rows(grid, sample, fold_of_sample, f, true, &encodings);
    let n = xs.len();
    if positives.is_empty() || positives.len() == n {
        return None;
    }
    for r in rows.chunks_exact_mut(p) {
        for (j, v) in r.iter_mut().enumerate() {
            *v = (*v - model.features[j].mean) / model.features[j].sd;
        }
    }
    let matrix = FeatureMatrix::new(p, rows, xs, ys).ok()?;
    let background: Vec<usize> = (0..n)
        .filter(|i| positives.binary_search(i).is_err())
        .collect();
    TrainingSet::from_rows(&matrix, &positives, &background, ClassWeighting::Balanced).ok()
}

/// Writes the held-out score of every study-area cell whose layers are all present: the mean
/// of its fold's ensemble (NoData where the fold has no model).
fn write_held_out(
    grid: &Grid,
    mask: &RasterReader,
    features: &[CvFeature],
    folds: &FoldMap,
    models: &[Option<FoldModel>],
    path: &Path,
) -> Result<()> {
    let p = features.len();
    write_streamed_outputs(
        grid,
        &[(path, DataType::Float32)],
        "cross-validation: held-out prediction",
        |w| -> Result<(Block, Vec<Block>)> {
            Ok((
                mask.read(w)?,
                features
                    .iter()
                    .map(|l| l.reader.read(w))
                    .collect::<Result<Vec<_>, _>>()?,
            ))
        },
        |w, (m, blocks)| {
            let mut out = Block::empty(w);
            // The block's complete cells, grouped by fold, predicted a fold at a time.
            let mut cells: Vec<Vec<usize>> = vec![vec![]; models.len()];
            let mut rows: Vec<Vec<f64>> = vec![vec![]; models.len()];
            let mut row = vec![0.0; p];
            for i in 0..w.len() {
                if !m.valid[i] {
                    continue;
                }
                let (r, c) = (w.row_off + i / w.width, w.col_off + i % w.width);
                let Some(f) = folds.fold(r, c) else { continue };
                let Some(model) = &models[f] else { continue };
                for (j, (feature, b)) in model.features.iter().zip(&blocks).enumerate() {
                    row[j] = feature.value(b, i);
                }
                if row.iter().any(|v| !v.is_finite()) {
                    continue;
                }
                cells[f].push(i);
                rows[f].extend_from_slice(&row);
            }
            for (f, model) in models.iter().enumerate() {
                let (Some(model), n) = (model, cells[f].len()) else {
                    continue;
                };
                if n == 0 {
                    continue;
                }
                let (mut mean, mut sd) = (vec![0.0; n], vec![0.0; n]);
                model
                    .ensemble
                    .predict_batch(&rows[f], &mut mean, &mut sd, None);
                for (&i, &v) in cells[f].iter().zip(&mean) {
                    out.values[i] = v;
                    out.valid[i] = true;
                }
            }
            Ok((vec![out], ()))
        },
        |()| {},
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{brute_auc, draw_deposits, folds_of_cells, weighted_auc};
    use nedra_core::random::SplitMix64;
    use nedra_io::RasterWriter;
    use nedra_models::{ForestOptions, LogisticOptions, WeightsType};
    use std::collections::HashMap;

    const N: usize = 80;
    const CELL: f64 = 1000.0;

    fn grid() -> Grid {
        Grid::new("", [500_000.0, CELL, 0.0, 6_000_000.0, 0.0, -CELL], N, N).unwrap()
    }

    fn write(path: &Path, f: impl Fn(usize, usize) -> f64) -> RasterReader {
        let g = grid();
        let mut w = RasterWriter::create(path, &g, DataType::Float32).unwrap();
        for win in g.windows(32) {
            let mut b = Block::empty(win);
            for i in 0..win.len() {
                b.values[i] = f(win.row_off + i / win.width, win.col_off + i % win.width);
                b.valid[i] = true;
            }
            w.write(&b).unwrap();
        }
        RasterReader::open(&w.finish().unwrap()).unwrap()
    }

    /// A value constant on 5 × 5 patches, uniform in [0, 1), per layer.
    fn patch(layer: u64, r: usize, c: usize) -> f64 {
        SplitMix64::stream(layer, ((r / 5) * 1000 + c / 5) as u64).uniform()
    }

    /// The synthetic truth: the chance of a deposit rises steeply with layer A (a west–east
    /// gradient with patchy noise) and with the 3 high classes of the categorical layer U;
    /// layers B and C are noise (B continuous, C categorical, 30 classes).
    fn a(r: usize, c: usize) -> f64 {
        0.8 * c as f64 / N as f64 + 0.2 * patch(1, r, c)
    }
    fn u(r: usize, c: usize) -> f64 {
        (1 + (patch(2, r, c) * 6.0) as usize) as f64
    }
    fn truth(r: usize, c: usize) -> f64 {
        let boost = if u(r, c) >= 4.0 { 2.0 } else { 1.0 };
        (0.001 + 0.04 * a(r, c).powi(3)) * boost
    }

    struct Stack {
        _dir: tempfile::TempDir,
        mask: RasterReader,
        layers: Vec<RasterReader>,
        deposits: Deposits,
        at: Vec<u64>,
    }

    fn stack(seed: u64) -> Stack {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let mask = write(&d.join("mask.tif"), |_, _| 1.0);
        let layers = vec![
            write(&d.join("a.tif"), a),
            write(&d.join("u.tif"), u),
            write(&d.join("b.tif"), |r, c| patch(3, r, c)),
            write(&d.join("c.tif"), |r, c| {
                (1 + (patch(4, r, c) * 30.0) as usize) as f64
            }),
        ];
        let (deposits, at) = draw_deposits(N, seed, truth);
        Stack {
            _dir: dir,
            mask,
            layers,
            deposits,
            at,
        }
    }

    const NAMES: [&str; 4] = ["a", "u", "b", "c"];
    const CATEGORICAL: [bool; 4] = [false, true, false, true];

    fn options() -> WeightsOptions {
        WeightsOptions::new(1.0, WeightsType::Categorical)
    }

    fn features(s: &Stack) -> Vec<CvFeature<'_>> {
        (0..4)
            .map(|k| CvFeature {
                name: NAMES[k],
                reader: &s.layers[k],
                categorical: CATEGORICAL[k].then(options),
            })
            .collect()
    }

    /// Layer k's raw value at cell i.
    fn raw_at(k: usize, i: usize) -> f64 {
        let (r, c) = (i / N, i % N);
        match k {
            0 => a(r, c),
            1 => u(r, c),
            2 => patch(3, r, c),
            _ => (1 + (patch(4, r, c) * 30.0) as usize) as f64,
        }
    }

    /// The sample: deposit cells, then a background pool of 1500 study-area cells.
    fn sample_cells(s: &Stack) -> (Vec<(usize, usize)>, Vec<f64>) {
        let mut cells: Vec<(usize, usize)> = s.deposits.cells.iter().map(|c| (c.0, c.1)).collect();
        let pool = crate::ml::sample_study_area(&grid(), &s.mask, 1500, 5).unwrap();
        cells.extend(pool.into_iter().filter(|c| s.at[c.0 * N + c.1] == 0));
        let raw = cells
            .iter()
            .flat_map(|&(r, c)| (0..4).map(move |k| raw_at(k, r * N + c)))
            .collect();
        (cells, raw)
    }

    /// Class → weight of categorical layer k learnt from the cells `train` by direct counting
    /// (classes not in `train` get 0).
    fn encoding(s: &Stack, k: usize, train: &[usize]) -> BTreeMap<i64, f64> {
        let mut counts: HashMap<i64, (u64, u64)> = HashMap::new();
        for &i in train {
            let e = counts.entry(raw_at(k, i) as i64).or_default();
            e.0 += 1;
            e.1 += s.at[i];
        }
        let counts: Vec<ClassCount> = counts
            .into_iter()
            .map(|(class, (cells, deposits))| ClassCount {
                class,
                cells,
                deposits,
            })
            .collect();
        let mut out: BTreeMap<i64, f64> = (0..N * N).map(|i| (raw_at(k, i) as i64, 0.0)).collect();
        let table = calculate_weights(&counts, &options()).unwrap();
        out.extend(table.rows.iter().map(|r| (r.class, r.weight)));
        out
    }

    /// The ensemble mean of `model` at cell i, through the model's own features.
    fn score(model: &FoldModel, i: usize) -> f64 {
        let row: Vec<f64> = model
            .features
            .iter()
            .enumerate()
            .map(|(k, f)| (encode(f.class_values.as_ref(), raw_at(k, i)) - f.mean) / f.sd)
            .collect();
        EnsembleMean(&model.ensemble).probability(&row)
    }

    fn training<L: Learner>(
        learner: &L,
        wrap: fn(PuEnsemble<L::Model>) -> Ensemble,
    ) -> Training<'_, L> {
        Training {
            learner,
            wrap,
            members: 3,
            background_per_member: None,
            exclusion_buffer: 0.0,
            seed: 42,
        }
    }

    #[test]
    fn each_fold_is_a_model_learnt_on_the_other_folds_and_scores_every_held_out_cell() {
        let s = stack(7);
        let (cells, raw) = sample_cells(&s);
        let sample = Sample {
            cells: &cells,
            raw: &raw,
            deposits: s.deposits.cells.len(),
        };
        let scheme = CvScheme {
            block_km: 10.0,
            folds: 4,
            seed: 3,
            assignment: None,
        };
        let learner = LogisticOptions::default();
        let t = training(&learner, Ensemble::Logistic);
        let out = tempfile::tempdir().unwrap();
        let feats = features(&s);
        let cv = cross_validate(
            &grid(),
            &s.mask,
            &feats,
            &s.deposits,
            &sample,
            &t,
            scheme.clone(),
            out.path(),
        )
        .unwrap()
        .unwrap();
        let fold_of = folds_of_cells(&scheme, N, CELL);
        let all: Vec<usize> = (0..N * N).collect();
        let all_data = encoding(&s, 1, &all);
        let mut pooled = vec![];
        for f in 0..scheme.folds {
            let train: Vec<usize> = all.iter().copied().filter(|&i| fold_of[i] != f).collect();
            let test: Vec<usize> = all.iter().copied().filter(|&i| fold_of[i] == f).collect();
            // The encodings are the training folds' weights, by direct counting, and not the
            // all-data weights.
            let enc = &cv.encodings[f];
            for k in [1, 3] {
                let direct = encoding(&s, k, &train);
                let got = enc[k].as_ref().unwrap();
                assert_eq!(
                    got.keys().collect::<Vec<_>>(),
                    direct.keys().collect::<Vec<_>>()
                );
                for (c, w) in &direct {
                    assert!((got[c] - w).abs() < 1e-12, "fold {f} layer {k} class {c}");
                }
            }
            assert_ne!(enc[1].as_ref().unwrap(), &all_data, "fold {f}");
            // The fold's model refitted on the training folds' sample rows with those encodings.
            let fold_of_sample: Vec<Option<usize>> = cells
                .iter()
                .map(|&(r, c)| Some(fold_of[r * N + c]))
                .collect();
            let model = fit_fold(
                &grid(),
                &sample,
                &fold_of_sample,
                f,
                &feats,
                enc.clone(),
                &t,
            )
            .unwrap()
            .unwrap();
            let scores: Vec<(f64, u64)> =
                test.iter().map(|&i| (score(&model, i), s.at[i])).collect();
            let fold = &cv.cv.folds[f];
            assert_eq!(fold.test_cells, test.len() as u64);
            assert_eq!(
                fold.test_deposits,
                test.iter().map(|&i| s.at[i]).sum::<u64>()
            );
            // Float32 held-out raster: equal to the brute-force AUC unless two scores tie in
            // float32 only; 1e-4 allows a handful of such pairs.
            let expected = brute_auc(&scores);
            let got = fold.roc_auc.unwrap();
            assert!(
                (got - expected).abs() < 1e-4,
                "fold {f}: {got} vs {expected}"
            );
            // The same model with the all-data encodings scores the fold differently: the CV
            // figure uses the fold's own.
            let mut leaky = enc.clone();
            leaky[1] = Some(all_data.clone());
            leaky[3] = Some(encoding(&s, 3, &all));
            let leaky = fit_fold(&grid(), &sample, &fold_of_sample, f, &feats, leaky, &t)
                .unwrap()
                .unwrap();
            let leaky_scores: Vec<(f64, u64)> =
                test.iter().map(|&i| (score(&leaky, i), s.at[i])).collect();
            assert!((brute_auc(&leaky_scores) - got).abs() > 1e-6, "fold {f}");
            pooled.extend(scores);
        }
        assert!((cv.cv.pooled_roc_auc.unwrap() - brute_auc(&pooled)).abs() < 1e-4);
        let held_out = RasterReader::open(&out.path().join(HELD_OUT_FILE)).unwrap();
        assert_eq!(held_out.grid().width, N);
    }

    #[test]
    fn held_out_auc_estimates_the_auc_on_new_deposits_and_the_fitted_one_is_optimistic() {
        let p: Vec<f64> = (0..N * N).map(|i| truth(i / N, i % N)).collect();
        let learner = ForestOptions {
            trees: 25,
            min_samples_leaf: 1,
            ..ForestOptions::default()
        };
        let t = training(&learner, Ensemble::RandomForest);
        let (mut cv_sum, mut fitted_sum, mut new_sum) = (0.0, 0.0, 0.0);
        let seeds = [21u64, 22, 23];
        for &seed in &seeds {
            let s = stack(seed);
            let (cells, raw) = sample_cells(&s);
            let sample = Sample {
                cells: &cells,
                raw: &raw,
                deposits: s.deposits.cells.len(),
            };
            let scheme = CvScheme {
                block_km: 10.0,
                folds: 4,
                seed,
                assignment: None,
            };
            let out = tempfile::tempdir().unwrap();
            let feats = features(&s);
            let cv = cross_validate(
                &grid(),
                &s.mask,
                &feats,
                &s.deposits,
                &sample,
                &t,
                scheme,
                out.path(),
            )
            .unwrap()
            .unwrap();
            cv_sum += cv.cv.pooled_roc_auc.unwrap();
            // The model fitted on everything (every sample row trains), scored on its own
            // deposits (fitted) and, in expectation, on new deposits drawn from the truth.
            let all: Vec<usize> = (0..N * N).collect();
            let enc: Vec<Option<BTreeMap<i64, f64>>> = (0..4)
                .map(|k| CATEGORICAL[k].then(|| encoding(&s, k, &all)))
                .collect();
            let everything = vec![Some(1); cells.len()];
            let model = fit_fold(&grid(), &sample, &everything, 0, &feats, enc, &t)
                .unwrap()
                .unwrap();
            let scores: Vec<(f64, u64)> =
                all.iter().map(|&i| (score(&model, i), s.at[i])).collect();
            fitted_sum += brute_auc(&scores);
            new_sum += weighted_auc(
                scores
                    .iter()
                    .zip(&p)
                    .map(|(&(sc, _), &pi)| (sc, pi, 1.0 - pi))
                    .collect(),
            );
        }
        let n = seeds.len() as f64;
        let (cv, fitted, new_data) = (cv_sum / n, fitted_sum / n, new_sum / n);
        eprintln!(
            "random forest: fitted {fitted:.4}, on new deposits {new_data:.4}, held-out {cv:.4}"
        );
        assert!(
            (cv - new_data).abs() < 0.04,
            "held-out {cv:.4} vs new data {new_data:.4}"
        );
        assert!(
            fitted > new_data + 0.05,
            "fitted {fitted:.4} vs new data {new_data:.4}"
        );
    }

    #[test]
    fn the_background_pool_is_uniform_over_the_study_area_and_inside_it() {
        let dir = tempfile::tempdir().unwrap();
        // Study area: the western half only.
        let g = grid();
        let mut w = RasterWriter::create(&dir.path().join("m.tif"), &g, DataType::Float32).unwrap();
        for win in g.windows(32) {
            let mut b = Block::empty(win);
            for i in 0..win.len() {
                let c = win.col_off + i % win.width;
                b.values[i] = 1.0;
                b.valid[i] = c < N / 2;
            }
            w.write(&b).unwrap();
        }
        let mask = RasterReader::open(&w.finish().unwrap()).unwrap();
        let cells = crate::ml::sample_study_area(&g, &mask, 2000, 1).unwrap();
        assert_eq!(cells.len(), 2000);
        assert!(cells.iter().all(|&(_, c)| c < N / 2));
        let mut distinct = cells.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 2000);
        // Uniform: each quarter of the study area (20 columns) holds about a quarter.
        for q in 0..2 {
            let n = cells.iter().filter(|c| c.1 / 20 == q).count() as f64;
            assert!((n - 1000.0).abs() < 4.0 * 500.0f64.sqrt(), "{n}");
        }
        // Asking for more than the area holds gives every cell once.
        assert_eq!(
            crate::ml::sample_study_area(&g, &mask, 10_000, 1)
                .unwrap()
                .len(),
            N * N / 2
        );
        assert_eq!(
            cells,
            crate::ml::sample_study_area(&g, &mask, 2000, 1).unwrap()
        );
    }
}
