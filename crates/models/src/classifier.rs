//! The two traits every data-driven model implements: a [`Learner`] (options that fit) and
//! the [`Classifier`] it returns (a fitted model that scores a row), so that spatial
//! cross-validation, positive-unlabelled bagging and permutation importance work with
//! logistic regression and random forests alike.

use rayon::prelude::*;

use crate::{Error, FeatureMatrix, ScoreHistogram, TrainingSet};

/// A fitted binary classifier that gives the probability (or a score monotone in it) that a
/// row of evidence holds a deposit (Hastie, Tibshirani & Friedman 2009, ch. 4 and 15).
pub trait Classifier: Send + Sync {
    /// The probability for one row of features (NaN if a feature is not finite).
    fn probability(&self, row: &[f64]) -> f64;

    /// Additive per-feature contributions to the model's score for one row of finite
    /// features: `out[f]` is how far feature f moves the score away from the model's
    /// baseline (the score of the average training sample). Logistic regression gives
    /// βf·xf in log-odds (features standardised to mean 0, so relative to the mean);
    /// trees give the path attribution of Saabas (2014, "Interpreting random forests"):
    /// every split on the path from the root to the row's leaf credits the change of the
    /// node value to the split's feature. Scores are comparable between features of one
    /// row, which is what "the layers that raise prospectivity most here" needs.
    fn contributions(&self, row: &[f64], out: &mut [f64]);

    /// Probabilities of the rows of `rows` (row-major, all features finite, as many rows as
    /// `out` has entries) into `out` and, when given, their contributions (row-major) — the
    /// same numbers as [`Classifier::probability`] and [`Classifier::contributions`] row by
    /// row. Tree models override it to walk each tree over the whole batch, so the tree
    /// stays in cache and one walk gives both the leaf and the path.
    fn predict_batch(&self, rows: &[f64], out: &mut [f64], contributions: Option<&mut [f64]>) {
        let Some(p) = rows.len().checked_div(out.len()) else {
            return;
        };
        match contributions {
            None => {
                for (o, row) in out.iter_mut().zip(rows.chunks_exact(p)) {
                    *o = self.probability(row);
                }
            }
            Some(c) => {
                for ((o, row), cr) in out
                    .iter_mut()
                    .zip(rows.chunks_exact(p))
                    .zip(c.chunks_exact_mut(p))
                {
                    *o = self.probability(row);
                    self.contributions(row, cr);
                }
            }
        }
    }

    /// Probabilities of every row of `matrix` (NaN where a feature is not finite), computed in
    /// parallel chunks of rows through [`Classifier::predict_batch`].
    fn probabilities(&self, matrix: &FeatureMatrix) -> Vec<f64> {
        let p = matrix.n_features();
        let mut out = vec![0.0; matrix.n_rows()];
        out.par_chunks_mut(2048)
            .zip(matrix.values().par_chunks(2048 * p))
            .for_each(|(o, rows)| {
                if rows.iter().all(|v| v.is_finite()) {
                    self.predict_batch(rows, o, None);
                } else {
                    for (v, row) in o.iter_mut().zip(rows.chunks_exact(p)) {
                        *v = self.probability(row);
                    }
                }
            });
        out
    }
}

/// Options that fit a [`Classifier`] to a [`TrainingSet`].
pub trait Learner: Sync {
    /// The fitted model.
    type Model: Classifier;

    /// Fits the model; `seed` fixes any randomness (ignored by deterministic methods).
    ///
    /// # Errors
    /// Method-specific; see the implementor.
    fn fit(&self, data: &TrainingSet, seed: u64) -> Result<Self::Model, Error>;
}

/// ROC AUC of `scores` against `labels` (true = deposit) by the Mann–Whitney statistic with
/// ties ½ (Hanley & McNeil 1982), through [`ScoreHistogram::roc_auc`].
///
/// # Errors
/// [`Error::ZeroDeposits`] with no positive, [`Error::NoAbsences`] with no negative.
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Result<f64, Error> {
    assert_eq!(scores.len(), labels.len());
    let mut h = ScoreHistogram::new();
    for (&s, &l) in scores.iter().zip(labels) {
        h.add_cell(s, u64::from(l));
    }
    h.roc_auc()
}

/// Probabilities of every sample of `data` under `model`.
pub(crate) fn score_samples<C: Classifier + ?Sized>(model: &C, data: &TrainingSet) -> Vec<f64> {
    (0..data.len())
        .map(|i| model.probability(data.row(i)))
        .collect()
}
