//! Spatial cross-validation of presence/background models (Roberts et al. 2017, "Cross-
//! validation strategies for data with temporal, spatial, hierarchical, or phylogenetic
//! structure", Ecography 40: 913–929; Valavi et al. 2019, blockCV): folds are square blocks of
//! the map, or one deposit at a time with a buffer, never a random split of cells alone.
//!
//! - **Block folds**: the map is cut into squares of `block_size` map units anchored at the
//!   smallest sample coordinates; the occupied blocks are shuffled with the seed and dealt to
//!   the k folds in turn; every sample takes its block's fold.
//! - **Buffered leave-one-deposit-out**: fold i holds out deposit i and every background
//!   sample within `buffer` map units of it (Valavi et al. 2019, presence–background
//!   buffering); training uses every sample farther than `buffer` from deposit i (so other
//!   deposits inside the buffer are left out of both).
//!
//! Each fold's held-out samples are scored by a model trained on the rest and judged by the
//! prediction-rate AUC (held-out samples as the area, Agterberg & Bonham-Carter 2005) and the
//! ROC AUC (Mann–Whitney, ties ½), both through [`ScoreHistogram`] and [`validate`].
//! A fold without a held-out deposit or background sample has no AUC and is left out of the
//! means. With leave-one-deposit-out a fold's AUC ranks one deposit against the background in
//! its own buffer (local discrimination); [`CrossValidation::pooled_roc_auc`], over every
//! held-out score, is then the overall measure.

use nedra_core::random::{derive_seed, SplitMix64};
use rayon::prelude::*;

use crate::classifier::{score_samples, Learner};
use crate::{validate, Error, ScoreHistogram, TrainingSet, ValidationOptions};

/// How samples are split into folds.
#[derive(Debug, Clone, PartialEq)]
pub enum FoldScheme {
    /// Square blocks of `block_size` map units dealt to `folds` folds by a seeded shuffle.
    Blocks {
        /// Side of a block (map units).
        block_size: f64,
        /// Number of folds k.
        folds: usize,
        /// Seed of the shuffle of blocks.
        seed: u64,
    },
    /// One fold per deposit: it and the background within `buffer` map units are held out,
    /// and nothing within `buffer` trains.
    LeaveOneDepositOut {
        /// Buffer radius (map units).
        buffer: f64,
    },
}

/// What one fold measured.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldResult {
    /// Fold index.
    pub fold: usize,
    /// Deposits used to train.
    pub train_positives: usize,
    /// Background samples used to train.
    pub train_background: usize,
    /// Held-out deposits.
    pub test_positives: usize,
    /// Held-out background samples.
    pub test_background: usize,
    /// Prediction-rate AUC on the held-out samples (None if undefined).
    pub prediction_rate_auc: Option<f64>,
    /// ROC AUC on the held-out samples (None if undefined).
    pub roc_auc: Option<f64>,
}

/// Per-fold results and their means.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossValidation {
    /// One entry per fold.
    pub folds: Vec<FoldResult>,
    /// Mean prediction-rate AUC over folds where it is defined.
    pub mean_prediction_rate_auc: f64,
    /// Mean ROC AUC over folds where it is defined.
    pub mean_roc_auc: f64,
    /// Pooled ROC AUC of every held-out score (each sample scored by the model(s) that did
    /// not train on it, averaged if held out more than once).
    pub pooled_roc_auc: Option<f64>,
    /// Held-out score of each sample (NaN if never held out), for plots and comparisons.
    pub held_out_scores: Vec<f64>,
}

/// The block fold (0..k) of every sample at (x, y): blocks of `block_size` anchored at the
/// smallest x and y, shuffled with `seed` and dealt round-robin (Roberts et al. 2017).
///
/// # Errors
/// [`Error::InvalidOption`] if the block size is not finite and > 0, or `folds` < 2.
pub fn block_folds(
    x: &[f64],
    y: &[f64],
    block_size: f64,
    folds: usize,
    seed: u64,
) -> Result<Vec<usize>, Error> {
    assert_eq!(x.len(), y.len());
    if !(block_size.is_finite() && block_size > 0.0) {
        return Err(Error::InvalidOption {
            name: "block_size",
            value: block_size,
            requirement: "finite and > 0 (map units)",
        });
    }
    if folds < 2 {
        return Err(Error::InvalidOption {
            name: "folds",
            value: folds as f64,
            requirement: ">= 2",
        });
    }
    let x0 = x.iter().copied().fold(f64::INFINITY, f64::min);
    let y0 = y.iter().copied().fold(f64::INFINITY, f64::min);
    let keys: Vec<(i64, i64)> = x
        .iter()
        .zip(y)
        .map(|(&a, &b)| {
            (
                ((a - x0) / block_size).floor() as i64,
                ((b - y0) / block_size).floor() as i64,
            )
        })
        .collect();
    let mut blocks = keys.clone();
    blocks.sort_unstable();
    blocks.dedup();
    let mut rng = SplitMix64::new(seed);
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    rng.shuffle(&mut order);
    let mut fold_of_block = vec![0; blocks.len()];
    for (rank, &b) in order.iter().enumerate() {
        fold_of_block[b] = rank % folds;
    }
    Ok(keys
        .iter()
        .map(|k| fold_of_block[blocks.binary_search(k).expect("every key is a block")])
        .collect())
}

/// Sample indices of one fold: (training, held out).
pub type FoldSplit = (Vec<usize>, Vec<usize>);

/// Training and held-out sample indices of every fold of `scheme`.
///
/// # Errors
/// As [`block_folds`]; [`Error::InvalidOption`] for a negative or non-finite buffer.
pub fn fold_indices(data: &TrainingSet, scheme: &FoldScheme) -> Result<Vec<FoldSplit>, Error> {
    match *scheme {
        FoldScheme::Blocks {
            block_size,
            folds,
            seed,
        } => {
            let ids = block_folds(data.x(), data.y(), block_size, folds, seed)?;
            Ok((0..folds)
                .map(|f| {
                    let (test, train) = (0..data.len()).partition(|&i| ids[i] == f);
                    (train, test)
                })
                .collect())
        }
        FoldScheme::LeaveOneDepositOut { buffer } => {
            if !(buffer.is_finite() && buffer >= 0.0) {
                return Err(Error::InvalidOption {
                    name: "buffer",
                    value: buffer,
                    requirement: "finite and >= 0 (map units)",
                });
            }
            let r2 = buffer * buffer;
            Ok((0..data.len())
                .filter(|&d| data.labels()[d])
                .map(|d| {
                    let (mut train, mut test) = (vec![], vec![d]);
                    for i in 0..data.len() {
                        if i == d {
                            continue;
                        }
                        let dx = data.x()[i] - data.x()[d];
                        let dy = data.y()[i] - data.y()[d];
                        if dx * dx + dy * dy > r2 {
                            train.push(i);
                        } else if !data.labels()[i] {
                            test.push(i);
                        }
                    }
                    (train, test)
                })
                .collect())
        }
    }
}

/// (prediction-rate AUC, ROC AUC) of held-out scores, through [`ScoreHistogram`] and
/// [`validate`]; None when there is no deposit or no background among them.
fn held_out_aucs(scores: &[f64], labels: &[bool]) -> (Option<f64>, Option<f64>) {
    let mut h = ScoreHistogram::new();
    for (&s, &l) in scores.iter().zip(labels) {
        h.add_cell(s, u64::from(l));
    }
    let options = ValidationOptions {
        capture_shares: vec![],
        bootstrap_replicates: 0,
        ..ValidationOptions::default()
    };
    match validate(&h, &options) {
        Ok(r) => (Some(r.rate_auc), Some(r.roc_auc)),
        Err(_) => (None, None),
    }
}

/// Spatial cross-validation of `learner` on `data` with `scheme`; fold f trains with the
/// seed stream `(seed, f)`.
///
/// # Errors
/// As [`fold_indices`] and the learner's `fit` (a fold whose training part has no deposit
/// fails the fit of most learners: use larger blocks or fewer folds).
pub fn cross_validate<L: Learner>(
    learner: &L,
    data: &TrainingSet,
    scheme: &FoldScheme,
    seed: u64,
) -> Result<CrossValidation, Error> {
    cross_validate_inspect(learner, data, scheme, seed, |_, _, _| ()).map(|(cv, _)| cv)
}

/// [`cross_validate`] that also hands each fold's fitted model and held-out samples to
/// `inspect(fold, model, held_out)` (for example for held-out permutation importance), so
/// nothing is fitted twice; its results come back in fold order.
///
/// # Errors
/// As [`cross_validate`].
pub fn cross_validate_inspect<L: Learner, R: Send>(
    learner: &L,
    data: &TrainingSet,
    scheme: &FoldScheme,
    seed: u64,
    inspect: impl Fn(usize, &L::Model, &TrainingSet) -> R + Sync,
) -> Result<(CrossValidation, Vec<R>), Error> {
    let folds = fold_indices(data, scheme)?;
    let mut sum = vec![0.0; data.len()];
    let mut count = vec![0u32; data.len()];
    let mut results = Vec::with_capacity(folds.len());
    // Folds are fitted in parallel, then gathered in fold order (the same result on any
    // number of threads).
    let fitted: Vec<(TrainingSet, TrainingSet, Vec<f64>, R)> = folds
        .par_iter()
        .enumerate()
        .map(|(f, (train, test))| -> Result<_, Error> {
            let training = data.subset(train);
            let testing = data.subset(test);
            let model = learner.fit(&training, derive_seed(seed, f as u64))?;
            let scores = score_samples(&model, &testing);
            let inspected = inspect(f, &model, &testing);
            Ok((training, testing, scores, inspected))
        })
        .collect::<Result<_, _>>()?;
    let mut inspected = Vec::with_capacity(folds.len());
    for (f, ((_, test), (training, testing, scores, r))) in folds.iter().zip(fitted).enumerate() {
        inspected.push(r);
        for (&i, &s) in test.iter().zip(&scores) {
            sum[i] += s;
            count[i] += 1;
        }
        let (rate, roc) = held_out_aucs(&scores, testing.labels());
        results.push(FoldResult {
            fold: f,
            train_positives: training.positives(),
            train_background: training.len() - training.positives(),
            test_positives: testing.positives(),
            test_background: testing.len() - testing.positives(),
            prediction_rate_auc: rate,
            roc_auc: roc,
        });
    }
    let mean = |get: fn(&FoldResult) -> Option<f64>| {
        let v: Vec<f64> = results.iter().filter_map(get).collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let held_out_scores: Vec<f64> = sum
        .iter()
        .zip(&count)
        .map(|(&s, &c)| if c > 0 { s / f64::from(c) } else { f64::NAN })
        .collect();
    let (scores, labels): (Vec<f64>, Vec<bool>) = (0..data.len())
        .filter(|&i| count[i] > 0)
        .map(|i| (held_out_scores[i], data.labels()[i]))
        .unzip();
    let cv = CrossValidation {
        mean_prediction_rate_auc: mean(|r| r.prediction_rate_auc),
        mean_roc_auc: mean(|r| r.roc_auc),
        pooled_roc_auc: held_out_aucs(&scores, &labels).1,
        folds: results,
        held_out_scores,
    };
    Ok((cv, inspected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{roc_auc, LogisticOptions};

    #[test]
    fn blocks_are_whole_and_balanced() {
        // 20 × 20 points on a unit grid, blocks of 5: 16 blocks into 4 folds of 4 blocks.
        let (mut x, mut y) = (vec![], vec![]);
        for r in 0..20 {
            for c in 0..20 {
                x.push(c as f64);
                y.push(r as f64);
            }
        }
        let ids = block_folds(&x, &y, 5.0, 4, 1).unwrap();
        for i in 0..x.len() {
            for j in 0..x.len() {
                if (x[i] / 5.0).floor() == (x[j] / 5.0).floor()
                    && (y[i] / 5.0).floor() == (y[j] / 5.0).floor()
                {
                    assert_eq!(ids[i], ids[j]);
                }
            }
        }
        for f in 0..4 {
            assert_eq!(ids.iter().filter(|&&i| i == f).count(), 100);
        }
        assert_eq!(ids, block_folds(&x, &y, 5.0, 4, 1).unwrap());
        assert_ne!(ids, block_folds(&x, &y, 5.0, 4, 2).unwrap());
        assert!(block_folds(&x, &y, 0.0, 4, 1).is_err());
        assert!(block_folds(&x, &y, 5.0, 1, 1).is_err());
    }

    #[test]
    fn buffered_leave_one_out_excludes_the_buffer() {
        // Deposits at x = 0 and x = 10, background along the line.
        let xs: Vec<f64> = (0..=10).map(f64::from).collect();
        let labels: Vec<bool> = (0..=10).map(|i| i == 0 || i == 10).collect();
        let n = xs.len();
        let data = TrainingSet::new(1, xs.clone(), labels, xs.clone(), vec![0.0; n]).unwrap();
        let folds = fold_indices(&data, &FoldScheme::LeaveOneDepositOut { buffer: 3.0 }).unwrap();
        assert_eq!(folds.len(), 2);
        assert_eq!(folds[0].1, vec![0, 1, 2, 3]);
        assert_eq!(folds[0].0, (4..=10).collect::<Vec<_>>());
        assert_eq!(folds[1].1, vec![10, 7, 8, 9]);
    }

    #[test]
    fn cross_validation_agrees_with_a_direct_mann_whitney() {
        // A gradient in x: deposits more likely to the east.
        let mut rng = SplitMix64::new(5);
        let (mut f, mut l, mut x, mut y) = (vec![], vec![], vec![], vec![]);
        for _ in 0..400 {
            let (a, b) = (rng.uniform() * 100.0, rng.uniform() * 100.0);
            f.extend([a / 100.0, rng.uniform()]);
            l.push(rng.uniform() < 0.02 + 0.5 * (a / 100.0).powi(2));
            x.push(a);
            y.push(b);
        }
        let data = TrainingSet::new(2, f, l, x, y).unwrap();
        let scheme = FoldScheme::Blocks {
            block_size: 25.0,
            folds: 4,
            seed: 3,
        };
        let cv = cross_validate(&LogisticOptions::default(), &data, &scheme, 0).unwrap();
        assert_eq!(cv.folds.len(), 4);
        let folds = fold_indices(&data, &scheme).unwrap();
        for (r, (train, test)) in cv.folds.iter().zip(&folds) {
            let m = LogisticOptions::default().fit(&data.subset(train)).unwrap();
            let t = data.subset(test);
            let scores: Vec<f64> = (0..t.len())
                .map(|i| crate::Classifier::probability(&m, t.row(i)))
                .collect();
            let direct = roc_auc(&scores, t.labels()).unwrap();
            assert!((r.roc_auc.unwrap() - direct).abs() < 1e-12);
        }
        assert!(cv.mean_roc_auc > 0.6, "{}", cv.mean_roc_auc);
        assert!(cv.held_out_scores.iter().all(|s| s.is_finite()));
    }
}
