//! Spatial block cross-validation of weights of evidence, scored against every held-out cell.
//!
//! Weights of evidence learns from the deposits: the weights W+ and W−, the contrast that
//! chooses the generalisation cut, the pooling of categorical classes and the prior. A
//! figure computed on the deposits that made the weights (the fitted, resubstitution figure)
//! is optimistic. Here every one of those is learnt again inside each training fold, and the
//! fold's model scores its held-out area:
//!
//! - **Folds** (Roberts et al. 2017, Ecography 40: 913–929; Valavi et al. 2019, blockCV): the
//!   map is cut into squares of `block_km` anchored at the grid's origin (its top-left corner;
//!   block (i, j) covers rows and columns whose cell centres fall in the i-th and j-th
//!   `block_km` band from it); the blocks holding study-area cells are shuffled with the seed
//!   (SplitMix64, Fisher–Yates) and dealt to the k folds in turn.
//! - **Training**: the class counts (cells and deposits per class) of the other folds — the
//!   whole area's counts minus the fold's — give the fold's weights tables through the same
//!   [`calculate_weights`] and options as the run, and the other folds' cells and deposits
//!   give its prior. A class unseen in training counts as missing evidence (weight 0).
//! - **Scoring**: every valid cell of the held-out blocks gets the posterior probability of
//!   the fold's model; the ROC AUC (Mann–Whitney, ties ½) and the prediction-rate AUC
//!   (Agterberg & Bonham-Carter 2005) rank the held-out deposits against **every** held-out
//!   cell, per fold (mean ± sd over the folds that hold a deposit) and pooled over all folds.
//!
//! Two streaming passes over the class rasters, with memory bounded by the blocks × classes
//! table and the bounded score distributions of [`ScoreSurvey`]. Class breaks (class widths,
//! quantiles, natural breaks) come from the layers' values alone, never from the deposits, so
//! they are shared by the folds.

use anyhow::{Context, Result};
use nedra_core::{stream_blocks, Block, Grid, Window, BLOCK_SIZE};
use nedra_io::RasterReader;
use nedra_models::{
    calculate_weights, ClassCount, LayerSummary, Response, ScanError, ScoreDistribution, ScoreScan,
    ScoreSurvey, ValidationOptions, WeightsOptions,
};

use crate::folds::{deal_tallies, tally_blocks, BlockGrid, CvFold, CvScheme, FoldMap, SpatialCv};
use crate::pipeline::{blocks_in_flight, class_weights, progress, Deposits};

/// One evidence layer: its class raster on the grid and the options of its weights.
pub struct CvLayer<'a> {
    /// The layer's name, for messages.
    pub name: &'a str,
    /// Class raster on the grid.
    pub classes: &'a RasterReader,
    /// The options the run computed its weights with.
    pub options: WeightsOptions,
}

/// A fold's model: the weight and W_STD of each class of each layer, the layers' summaries
/// and the prior, learnt from the other folds.
struct FoldModel {
    weights: Vec<crate::pipeline::ClassWeights>,
    summaries: Vec<LayerSummary>,
    response: Response,
}

/// The rasters a pass reads: the study area and the class rasters.
struct Readers<'a> {
    mask: &'a RasterReader,
    layers: &'a [CvLayer<'a>],
}

impl Readers<'_> {
    fn read(&self, w: Window) -> Result<(Block, Vec<Block>), nedra_io::Error> {
        let m = self.mask.read(w)?;
        let classes = self
            .layers
            .iter()
            .map(|l| l.classes.read(w))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((m, classes))
    }
}

/// Scores each valid cell with its fold's model (shared by the parallel workers).
struct Scoring {
    folds: FoldMap,
    models: Vec<Option<FoldModel>>,
}

impl Scoring {
    /// `(fold, index in window, posterior)` of every valid cell whose fold has a model.
    fn scores(&self, w: Window, m: &Block, classes: &[Block]) -> Vec<(usize, usize, f64)> {
        let mut out = Vec::new();
        let mut evidence = vec![None; classes.len()];
        for r in 0..w.height {
            for c in 0..w.width {
                let i = r * w.width + c;
                if !m.valid[i] {
                    continue;
                }
                let Some(fold) = self.folds.fold(w.row_off + r, w.col_off + c) else {
                    continue;
                };
                let Some(model) = &self.models[fold] else {
                    continue;
                };
                for (k, b) in classes.iter().enumerate() {
                    evidence[k] = if b.valid[i] {
                        model.weights[k].get(b.values[i] as i64)
                    } else {
                        None
                    };
                }
                let p = model
                    .response
                    .cell(&model.summaries, &evidence)
                    .posterior_probability;
                out.push((fold, i, p));
            }
        }
        out
    }
}

/// The grid, its rasters and the fold models.
struct Scorer<'a> {
    grid: &'a Grid,
    readers: Readers<'a>,
    scoring: Scoring,
}

/// The scores of one fold (or of every fold), for the second pass of bounded validation.
struct FoldScan<'a> {
    scorer: &'a Scorer<'a>,
    fold: Option<usize>,
}

impl ScoreScan for FoldScan<'_> {
    fn reduce<A, B, M>(&self, total: &mut A, block: B, mut merge: M) -> Result<(), ScanError>
    where
        A: Send,
        B: Fn(&[f64]) -> A + Sync,
        M: FnMut(&mut A, A),
    {
        let windows = self.scorer.grid.windows(BLOCK_SIZE);
        let (readers, scoring, fold) = (&self.scorer.readers, &self.scorer.scoring, self.fold);
        stream_blocks(
            &windows,
            blocks_in_flight(),
            |w| -> Result<_, ScanError> { Ok(readers.read(w)?) },
            |w, (m, classes)| {
                let scores: Vec<f64> = scoring
                    .scores(w, &m, &classes)
                    .into_iter()
                    .filter(|(f, _, _)| fold.is_none_or(|x| x == *f))
                    .map(|(_, _, p)| p)
                    .collect();
                block(&scores)
            },
            |_, partial| {
                merge(total, partial);
                Ok(())
            },
        )
    }
}

/// Cross-validates weights of evidence over `layers` on the study area `mask` (see the
/// module's documentation).
///
/// `Ok(Err(blocks))` when the study area covers fewer blocks than folds: no cross-validation
/// is possible at that block size (the caller says so and suggests smaller blocks).
///
/// # Errors
/// Read failures; a block size that is not positive, or fewer than 2 folds.
pub fn cross_validate(
    grid: &Grid,
    mask: &RasterReader,
    layers: &[CvLayer],
    deposits: &Deposits,
    area_units_per_cell: f64,
    scheme: CvScheme,
) -> Result<Result<SpatialCv, usize>> {
    scheme.check()?;
    let windows = grid.windows(BLOCK_SIZE);

    // Pass 1: class counts per fold block, then the folds.
    let classes: Vec<&RasterReader> = layers.iter().map(|l| l.classes).collect();
    let tallies = tally_blocks(
        grid,
        mask,
        &classes,
        deposits,
        &BlockGrid::new(grid, &scheme),
        "cross-validation: class counts per block",
    )?;
    let (folds, per_fold, all) = match deal_tallies(grid, scheme.clone(), tallies, layers.len())? {
        Ok(dealt) => dealt,
        Err(blocks) => return Ok(Err(blocks)),
    };

    // Each fold's model from the other folds' counts.
    let mut models = Vec::with_capacity(scheme.folds);
    for held in &per_fold {
        let train_deposits = all.deposits - held.deposits;
        let train_cells = all.cells - held.cells;
        if train_deposits == 0 {
            models.push(None);
            continue;
        }
        let mut weights = Vec::with_capacity(layers.len());
        let mut summaries = Vec::with_capacity(layers.len());
        for (k, layer) in layers.iter().enumerate() {
            let counts: Vec<ClassCount> = all
                .classes_without(held, k)
                .into_iter()
                .map(|(class, cells, deposits)| ClassCount {
                    class,
                    cells,
                    deposits,
                })
                .collect();
            let table = calculate_weights(&counts, &layer.options).with_context(|| {
                format!(
                    "cross-validation: weights of layer {:?} in a training fold",
                    layer.name
                )
            })?;
            weights.push(class_weights(&table));
            summaries.push(LayerSummary::from_table(&table)?);
        }
        let response = Response::new(train_deposits, train_cells as f64 * area_units_per_cell)?;
        models.push(Some(FoldModel {
            weights,
            summaries,
            response,
        }));
    }

    // Pass 2: every held-out cell scored by its fold's model.
    let scorer = Scorer {
        grid,
        readers: Readers { mask, layers },
        scoring: Scoring { folds, models },
    };
    let (readers, scoring) = (&scorer.readers, &scorer.scoring);
    let mut surveys: Vec<ScoreSurvey> = (0..scheme.folds).map(|_| ScoreSurvey::new()).collect();
    let mut pooled = ScoreSurvey::new();
    {
        let bar = progress(windows.len(), "cross-validation: held-out scores");
        stream_blocks(
            &windows,
            blocks_in_flight(),
            |w| readers.read(w),
            |w, (m, classes)| {
                let dep_at = deposits.counts_in(w);
                let mut local: Vec<ScoreSurvey> =
                    (0..scheme.folds).map(|_| ScoreSurvey::new()).collect();
                let mut all_folds = ScoreSurvey::new();
                for (f, i, p) in scoring.scores(w, &m, &classes) {
                    local[f].add_cell(p, dep_at[i]);
                    all_folds.add_cell(p, dep_at[i]);
                }
                (local, all_folds)
            },
            |_, (local, all_folds)| -> Result<(), nedra_io::Error> {
                for (s, l) in surveys.iter_mut().zip(local) {
                    s.merge(l);
                }
                pooled.merge(all_folds);
                bar.inc(1);
                Ok(())
            },
        )?;
    }

    let options = ValidationOptions {
        bootstrap_replicates: 0,
        ..ValidationOptions::default()
    };
    let aucs = |survey: ScoreSurvey, fold: Option<usize>| -> Result<(Option<f64>, Option<f64>)> {
        if survey.deposits() == 0 || survey.cells() == 0 {
            return Ok((None, None));
        }
        let scan = FoldScan {
            scorer: &scorer,
            fold,
        };
        let dist = ScoreDistribution::from_surveys(vec![survey], &scan)?
            .into_iter()
            .next()
            .context("cross-validation: no score distribution")?;
        let report = dist.validate(&options)?;
        Ok((Some(report.roc_auc), Some(report.rate_auc)))
    };
    let mut cv_folds = Vec::with_capacity(scheme.folds);
    for (f, survey) in surveys.into_iter().enumerate() {
        let test_deposits = per_fold[f].deposits;
        let has_model = scorer.scoring.models[f].is_some();
        let (roc, rate) = if has_model {
            aucs(survey, Some(f))?
        } else {
            (None, None)
        };
        cv_folds.push(CvFold {
            fold: f,
            blocks: scorer.scoring.folds.blocks_in_fold[f],
            test_cells: per_fold[f].cells,
            test_deposits,
            train_deposits: all.deposits - test_deposits,
            roc_auc: roc,
            prediction_rate_auc: rate,
        });
    }
    let (pooled_roc_auc, pooled_prediction_rate_auc) = aucs(pooled, None)?;
    Ok(Ok(SpatialCv {
        scheme,
        origin: scorer.scoring.folds.origin,
        assignment: scorer.scoring.folds.assignment(),
        learnt: "weights, generalisation and prior learnt inside each training fold".into(),
        folds: cv_folds,
        pooled_roc_auc,
        pooled_prediction_rate_auc,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{brute_auc, draw_deposits, folds_of_cells, weighted_auc};
    use nedra_core::random::SplitMix64;
    use nedra_io::{DataType, RasterWriter};
    use nedra_models::{WeightsTable, WeightsType};
    use std::collections::HashMap;

    const N: usize = 80;
    const CELL: f64 = 1000.0;

    fn grid() -> Grid {
        Grid::new("", [500_000.0, CELL, 0.0, 6_000_000.0, 0.0, -CELL], N, N).unwrap()
    }

    fn write(path: &std::path::Path, f: impl Fn(usize, usize) -> Option<f64>) -> RasterReader {
        let g = grid();
        let mut w = RasterWriter::create(path, &g, DataType::Int32).unwrap();
        for win in g.windows(32) {
            let mut b = Block::empty(win);
            for r in 0..win.height {
                for c in 0..win.width {
                    if let Some(v) = f(win.row_off + r, win.col_off + c) {
                        b.values[r * win.width + c] = v;
                        b.valid[r * win.width + c] = true;
                    }
                }
            }
            w.write(&b).unwrap();
        }
        RasterReader::open(&w.finish().unwrap()).unwrap()
    }

    /// The synthetic truth: the chance of a deposit in a cell rises with the class of layer A
    /// (bands west to east); layers B–D are categorical noise in 5 × 5 patches of 30 classes.
    fn truth(r: usize, c: usize) -> f64 {
        let _ = r;
        [0.002, 0.005, 0.012, 0.03][c * 4 / N]
    }

    fn noise(layer: u64, r: usize, c: usize) -> f64 {
        let mut g = SplitMix64::stream(layer, ((r / 5) * 1000 + c / 5) as u64);
        (1 + g.below(30)) as f64
    }

    struct Stack {
        _dir: tempfile::TempDir,
        mask: RasterReader,
        layers: Vec<RasterReader>,
        class: Vec<Vec<i64>>,
        deposits: Deposits,
        at: Vec<u64>,
    }

    fn stack(seed: u64) -> Stack {
        let dir = tempfile::tempdir().unwrap();
        let mask = write(&dir.path().join("mask.tif"), |_, _| Some(1.0));
        let mut layers = vec![write(&dir.path().join("a.tif"), |_, c| {
            Some((1 + c * 4 / N) as f64)
        })];
        for k in 1..4u64 {
            layers.push(write(&dir.path().join(format!("n{k}.tif")), move |r, c| {
                Some(noise(k, r, c))
            }));
        }
        let class: Vec<Vec<i64>> = (0..N * N)
            .map(|i| {
                let (r, c) = (i / N, i % N);
                let mut v = vec![(1 + c * 4 / N) as i64];
                v.extend((1..4u64).map(|k| noise(k, r, c) as i64));
                v
            })
            .collect();
        let (deposits, at) = draw_deposits(N, seed, truth);
        Stack {
            _dir: dir,
            mask,
            layers,
            class,
            deposits,
            at,
        }
    }

    fn options() -> WeightsOptions {
        WeightsOptions::new(1.0, WeightsType::Categorical)
    }

    fn run(s: &Stack, scheme: CvScheme) -> SpatialCv {
        let names = ["a", "n1", "n2", "n3"];
        let layers: Vec<CvLayer> = s
            .layers
            .iter()
            .zip(names)
            .map(|(r, name)| CvLayer {
                name,
                classes: r,
                options: options(),
            })
            .collect();
        cross_validate(&grid(), &s.mask, &layers, &s.deposits, 1.0, scheme)
            .unwrap()
            .unwrap()
    }

    #[test]
    fn weighted_auc_equals_pairs_for_unit_weights() {
        let scores = [(0.1, 1), (0.4, 0), (0.4, 1), (0.9, 0), (0.2, 0), (0.9, 1)];
        let weighted = scores
            .iter()
            .map(|&(s, d)| (s, d as f64, if d == 0 { 1.0 } else { 0.0 }))
            .collect();
        assert!((weighted_auc(weighted) - brute_auc(&scores)).abs() < 1e-15);
    }

    /// A model fitted on the cells `train` (by index): each layer's weights and the prior.
    fn fit(s: &Stack, train: &[usize]) -> (Vec<WeightsTable>, Response) {
        let tables = (0..4)
            .map(|k| {
                let mut counts: HashMap<i64, (u64, u64)> = HashMap::new();
                for &i in train {
                    let e = counts.entry(s.class[i][k]).or_default();
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
                calculate_weights(&counts, &options()).unwrap()
            })
            .collect();
        let d: u64 = train.iter().map(|&i| s.at[i]).sum();
        (tables, Response::new(d, train.len() as f64).unwrap())
    }

    fn score(s: &Stack, model: &(Vec<WeightsTable>, Response), i: usize) -> f64 {
        let summaries: Vec<LayerSummary> = model
            .0
            .iter()
            .map(|t| LayerSummary::from_table(t).unwrap())
            .collect();
        let evidence: Vec<Option<(f64, f64)>> = (0..4)
            .map(|k| {
                model.0[k]
                    .rows
                    .iter()
                    .find(|r| r.class == s.class[i][k])
                    .map(|r| (r.weight, r.w_std))
            })
            .collect();
        model.1.cell(&summaries, &evidence).posterior_probability
    }

    #[test]
    fn each_fold_equals_a_model_refitted_on_the_other_folds_and_scored_by_brute_force() {
        let s = stack(7);
        let scheme = CvScheme {
            block_km: 10.0,
            folds: 4,
            seed: 3,
            assignment: None,
        };
        let cv = run(&s, scheme.clone());
        let fold_of = folds_of_cells(&scheme, N, CELL);
        let all: Vec<usize> = (0..N * N).collect();
        let fitted = fit(&s, &all);
        let mut pooled = vec![];
        let mut differs = false;
        for f in 0..scheme.folds {
            let train: Vec<usize> = all.iter().copied().filter(|&i| fold_of[i] != f).collect();
            let test: Vec<usize> = all.iter().copied().filter(|&i| fold_of[i] == f).collect();
            let model = fit(&s, &train);
            differs |= model.0[0].rows != fitted.0[0].rows;
            let scores: Vec<(f64, u64)> = test
                .iter()
                .map(|&i| (score(&s, &model, i), s.at[i]))
                .collect();
            let fold = &cv.folds[f];
            assert_eq!(fold.test_cells, test.len() as u64);
            assert_eq!(
                fold.test_deposits,
                test.iter().map(|&i| s.at[i]).sum::<u64>()
            );
            let expected = brute_auc(&scores);
            let got = fold.roc_auc.unwrap();
            assert!(
                (got - expected).abs() < 1e-12,
                "fold {f}: {got} vs {expected}"
            );
            pooled.extend(scores);
        }
        // The folds' weights are not the all-data weights: the CV figure is not the fitted one.
        assert!(differs);
        let expected = brute_auc(&pooled);
        assert!((cv.pooled_roc_auc.unwrap() - expected).abs() < 1e-12);
    }

    #[test]
    fn held_out_auc_estimates_the_auc_on_new_deposits_and_the_fitted_one_is_optimistic() {
        // The expected AUC of the true model on new deposits: presences weighted by p,
        // absences by 1 − p, over every pair of cells.
        let p: Vec<f64> = (0..N * N).map(|i| truth(i / N, i % N)).collect();
        let mut levels: Vec<f64> = p.clone();
        levels.sort_by(f64::total_cmp);
        levels.dedup();
        let (mut wins, mut pairs) = (0.0, 0.0);
        for &a in &levels {
            let na = p.iter().filter(|&&x| x == a).count() as f64;
            for &b in &levels {
                let nb = p.iter().filter(|&&x| x == b).count() as f64;
                let w = na * a * nb * (1.0 - b);
                pairs += w;
                wins += w * if a > b {
                    1.0
                } else if a == b {
                    0.5
                } else {
                    0.0
                };
            }
        }
        let truth_auc = wins / pairs;
        let (mut cv_sum, mut fitted_sum, mut new_sum) = (0.0, 0.0, 0.0);
        let seeds = [11u64, 12, 13, 14];
        for &seed in &seeds {
            let s = stack(seed);
            let cv = run(
                &s,
                CvScheme {
                    block_km: 10.0,
                    folds: 4,
                    seed,
                    assignment: None,
                },
            );
            cv_sum += cv.pooled_roc_auc.unwrap();
            let all: Vec<usize> = (0..N * N).collect();
            let model = fit(&s, &all);
            let scores: Vec<(f64, u64)> = all
                .iter()
                .map(|&i| (score(&s, &model, i), s.at[i]))
                .collect();
            fitted_sum += brute_auc(&scores);
            // The same fitted model on new deposits drawn from the truth (expected AUC:
            // presences weighted by p, absences by 1 − p): what a held-out figure estimates.
            let weighted: Vec<(f64, f64, f64)> = scores
                .iter()
                .zip(&p)
                .map(|(&(sc, _), &pi)| (sc, pi, 1.0 - pi))
                .collect();
            new_sum += weighted_auc(weighted);
        }
        let n = seeds.len() as f64;
        let (cv, fitted, new_data) = (cv_sum / n, fitted_sum / n, new_sum / n);
        eprintln!(
            "truth {truth_auc:.4}; fitted model: on its own deposits {fitted:.4}, on new deposits {new_data:.4}; held-out {cv:.4}"
        );
        assert!(
            (cv - new_data).abs() < 0.03,
            "held-out {cv:.4} vs new data {new_data:.4}"
        );
        assert!(
            cv < truth_auc + 0.01,
            "held-out {cv:.4} vs truth {truth_auc:.4}"
        );
        assert!(
            fitted > new_data + 0.08,
            "fitted {fitted:.4} vs new data {new_data:.4}"
        );
    }
}
