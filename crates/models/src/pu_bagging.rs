//! Positive-unlabelled bagging (Mordelet & Vert 2014, "A bagging SVM to learn from positive
//! and unlabeled examples", Pattern Recognition Letters 37: 201–209): an ensemble of models,
//! each trained on every deposit and a fresh random draw of unlabelled background; the mean
//! of their probabilities is the prospectivity and their standard deviation the
//! model-uncertainty layer. Member m draws its background with the seed stream `(seed, m)`
//! and fits with the stream `(seed, m + 2^32)`, so the ensemble does not depend on the
//! thread count. Members are fitted in parallel (rayon).

use nedra_core::random::derive_seed;
use rayon::prelude::*;

use crate::classifier::{Classifier, Learner};
use crate::{BackgroundPool, ClassWeighting, Error, FeatureMatrix, TrainingSet};

/// Options of [`pu_bagging`].
#[derive(Debug, Clone, PartialEq)]
pub struct PuBaggingOptions {
    /// Number of models in the ensemble.
    pub models: usize,
    /// Background samples per model (`None`: as many as the deposits, as Mordelet & Vert).
    pub background_per_model: Option<usize>,
    /// Class weighting of each model's training set.
    pub class_weighting: ClassWeighting,
    /// Seed of the background draws and of the members' fits.
    pub seed: u64,
}

impl Default for PuBaggingOptions {
    fn default() -> Self {
        Self {
            models: 50,
            background_per_model: None,
            class_weighting: ClassWeighting::None,
            seed: 42,
        }
    }
}

/// One member: its model and the background rows it was trained on (increasing).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PuMember<M> {
    /// The fitted model.
    pub model: M,
    /// Matrix rows drawn as its background.
    pub background_rows: Vec<usize>,
}

/// A fitted positive-unlabelled bagging ensemble (saved and loaded with serde).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PuEnsemble<M> {
    members: Vec<PuMember<M>>,
}

/// Prospectivity (ensemble mean) and model uncertainty (ensemble standard deviation, n − 1)
/// of one cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PuPrediction {
    /// Mean probability over members.
    pub mean: f64,
    /// Sample standard deviation over members (0 with one member).
    pub sd: f64,
}

/// Welford's running mean and sum of squared deviations: one member's value at a time.
#[derive(Debug, Clone, Copy, Default)]
struct Welford {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Welford {
    fn push(&mut self, v: f64) {
        self.n += 1.0;
        let d = v - self.mean;
        self.mean += d / self.n;
        self.m2 += d * (v - self.mean);
    }

    /// Mean and sample standard deviation (0 with one value, NaN with none).
    fn finish(self) -> PuPrediction {
        if self.n == 0.0 {
            return PuPrediction {
                mean: f64::NAN,
                sd: f64::NAN,
            };
        }
        PuPrediction {
            mean: self.mean,
            sd: if self.n > 1.0 {
                (self.m2 / (self.n - 1.0)).sqrt()
            } else {
                0.0
            },
        }
    }
}

fn mean_sd(values: impl Iterator<Item = f64>) -> PuPrediction {
    let mut w = Welford::default();
    values.for_each(|v| w.push(v));
    w.finish()
}

impl<M: Classifier> PuEnsemble<M> {
    /// The members.
    pub fn members(&self) -> &[PuMember<M>] {
        &self.members
    }

    /// Mean and standard deviation over members for one row.
    pub fn predict(&self, row: &[f64]) -> PuPrediction {
        mean_sd(self.members.iter().map(|m| m.model.probability(row)))
    }

    /// Mean over members of their [`Classifier::contributions`] for one row.
    pub fn contributions(&self, row: &[f64], out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
        let mut one = vec![0.0; out.len()];
        for m in &self.members {
            m.model.contributions(row, &mut one);
            for (o, c) in out.iter_mut().zip(&one) {
                *o += c;
            }
        }
        let n = self.members.len().max(1) as f64;
        out.iter_mut().for_each(|o| *o /= n);
    }

    /// [`PuEnsemble::predict`] (and with `contributions` [`PuEnsemble::contributions`]) of a
    /// batch of rows (row-major, all features finite), member by member through
    /// [`Classifier::predict_batch`]; bit-identical to row by row.
    pub fn predict_batch(
        &self,
        rows: &[f64],
        mean: &mut [f64],
        sd: &mut [f64],
        mut contributions: Option<&mut [f64]>,
    ) {
        let n_rows = mean.len();
        let mut stats = vec![Welford::default(); n_rows];
        let mut one = vec![0.0; n_rows];
        let mut one_c = contributions.as_ref().map(|c| vec![0.0; c.len()]);
        if let Some(c) = contributions.as_deref_mut() {
            c.iter_mut().for_each(|v| *v = 0.0);
        }
        for member in &self.members {
            member
                .model
                .predict_batch(rows, &mut one, one_c.as_deref_mut());
            for (w, &v) in stats.iter_mut().zip(&one) {
                w.push(v);
            }
            if let (Some(c), Some(oc)) = (contributions.as_deref_mut(), one_c.as_ref()) {
                for (a, b) in c.iter_mut().zip(oc) {
                    *a += b;
                }
            }
        }
        for ((m, s), w) in mean.iter_mut().zip(sd.iter_mut()).zip(stats) {
            let p = w.finish();
            (*m, *s) = (p.mean, p.sd);
        }
        if let Some(c) = contributions {
            let n = (self.members.len() as f64).max(1.0);
            c.iter_mut().for_each(|v| *v /= n);
        }
    }

    /// Mean (prospectivity) and standard deviation (uncertainty) of every row of `matrix`,
    /// in parallel over rows.
    pub fn predict_matrix(&self, matrix: &FeatureMatrix) -> Vec<PuPrediction> {
        (0..matrix.n_rows())
            .into_par_iter()
            .with_min_len(1024)
            .map(|i| self.predict(matrix.row(i)))
            .collect()
    }

    /// Mordelet & Vert's out-of-bag score (their Algorithm 1): each row averaged over the
    /// members that did not draw it as background (all members for rows never drawn).
    /// Rows drawn by every member get NaN.
    pub fn predict_out_of_bag(&self, matrix: &FeatureMatrix) -> Vec<PuPrediction> {
        (0..matrix.n_rows())
            .into_par_iter()
            .with_min_len(1024)
            .map(|i| {
                let row = matrix.row(i);
                mean_sd(
                    self.members
                        .iter()
                        .filter(|m| m.background_rows.binary_search(&i).is_err())
                        .map(|m| m.model.probability(row)),
                )
            })
            .collect()
    }
}

/// Fits a positive-unlabelled bagging ensemble of `learner` models: every member trains on
/// the deposits on rows `positives` and its own draw (without replacement) from `pool`.
///
/// # Errors
/// [`Error::InvalidOption`] if `models` is 0 or the pool is empty; otherwise as
/// [`TrainingSet::from_rows`] and the learner's `fit`.
pub fn pu_bagging<L: Learner>(
    learner: &L,
    matrix: &FeatureMatrix,
    positives: &[usize],
    pool: &BackgroundPool,
    options: &PuBaggingOptions,
) -> Result<PuEnsemble<L::Model>, Error> {
    if options.models == 0 {
        return Err(Error::InvalidOption {
            name: "models",
            value: 0.0,
            requirement: ">= 1",
        });
    }
    if pool.rows().is_empty() {
        return Err(Error::InvalidOption {
            name: "background pool size",
            value: 0.0,
            requirement: ">= 1 (check the exclusion buffer is not larger than the study area)",
        });
    }
    let count = options
        .background_per_model
        .unwrap_or(positives.len())
        .max(1);
    let members: Result<Vec<_>, Error> = (0..options.models)
        .into_par_iter()
        .map(|m| {
            let background = pool.sample(count, derive_seed(options.seed, m as u64));
            let data =
                TrainingSet::from_rows(matrix, positives, &background, options.class_weighting)?;
            let model = learner.fit(&data, derive_seed(options.seed, (m as u64) | (1 << 32)))?;
            Ok(PuMember {
                model,
                background_rows: background,
            })
        })
        .collect();
    Ok(PuEnsemble { members: members? })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ForestOptions, LogisticOptions};
    use nedra_core::random::SplitMix64;

    fn landscape() -> (FeatureMatrix, Vec<usize>) {
        let mut rng = SplitMix64::new(11);
        let (mut v, mut x, mut y, mut pos) = (vec![], vec![], vec![], vec![]);
        for r in 0..40 {
            for c in 0..40 {
                let a = c as f64 / 40.0;
                let b = rng.uniform();
                v.extend([a, b]);
                x.push(c as f64);
                y.push(r as f64);
                if rng.uniform() < 0.2 * a * a {
                    pos.push(x.len() - 1);
                }
            }
        }
        (FeatureMatrix::new(2, v, x, y).unwrap(), pos)
    }

    /// The batch path (tree by tree over many rows) gives the very bits of the row path.
    fn batch_equals_rows<L: Learner>(learner: &L)
    where
        L::Model: Classifier,
    {
        let (m, pos) = landscape();
        let pool = BackgroundPool::new(&m, &pos, 1.0).unwrap();
        let options = PuBaggingOptions {
            models: 4,
            background_per_model: Some(200),
            ..Default::default()
        };
        let e = pu_bagging(learner, &m, &pos, &pool, &options).unwrap();
        let n = m.n_rows();
        let (mut mean, mut sd, mut c) = (vec![0.0; n], vec![0.0; n], vec![0.0; 2 * n]);
        e.predict_batch(m.values(), &mut mean, &mut sd, Some(&mut c));
        let mut one = [0.0; 2];
        for i in 0..n {
            let p = e.predict(m.row(i));
            assert_eq!(
                (p.mean.to_bits(), p.sd.to_bits()),
                (mean[i].to_bits(), sd[i].to_bits())
            );
            e.contributions(m.row(i), &mut one);
            assert_eq!(one[0].to_bits(), c[2 * i].to_bits());
            assert_eq!(one[1].to_bits(), c[2 * i + 1].to_bits());
        }
        let (mut mean2, mut sd2) = (vec![0.0; n], vec![0.0; n]);
        e.predict_batch(m.values(), &mut mean2, &mut sd2, None);
        assert_eq!(mean, mean2);
        assert_eq!(sd, sd2);
    }

    #[test]
    fn batch_prediction_is_bit_identical_to_row_prediction() {
        batch_equals_rows(&LogisticOptions::default());
        batch_equals_rows(&ForestOptions {
            trees: 15,
            ..Default::default()
        });
        batch_equals_rows(&crate::BoostingOptions {
            trees: 30,
            ..Default::default()
        });
    }

    #[test]
    fn seeded_ensembles_repeat_and_differ() {
        let (m, pos) = landscape();
        let pool = BackgroundPool::new(&m, &pos, 1.0).unwrap();
        let options = PuBaggingOptions {
            models: 8,
            background_per_model: Some(200),
            ..Default::default()
        };
        let lr = LogisticOptions::default();
        let a = pu_bagging(&lr, &m, &pos, &pool, &options).unwrap();
        let b = pu_bagging(&lr, &m, &pos, &pool, &options).unwrap();
        assert_eq!(a, b);
        let c = pu_bagging(
            &lr,
            &m,
            &pos,
            &pool,
            &PuBaggingOptions {
                seed: 43,
                ..options.clone()
            },
        )
        .unwrap();
        assert_ne!(
            a.members()[0].background_rows,
            c.members()[0].background_rows
        );
        let p = a.predict_matrix(&m);
        assert!(p.iter().all(|q| q.mean > 0.0 && q.mean < 1.0 && q.sd > 0.0));
        // East (high a) is more prospective than west.
        assert!(a.predict(&[0.95, 0.5]).mean > a.predict(&[0.05, 0.5]).mean);
        let oob = a.predict_out_of_bag(&m);
        assert!(oob.iter().all(|q| q.mean.is_finite()));

        let rf = ForestOptions {
            trees: 20,
            ..Default::default()
        };
        let e = pu_bagging(&rf, &m, &pos, &pool, &options).unwrap();
        let f = pu_bagging(&rf, &m, &pos, &pool, &options).unwrap();
        assert_eq!(e.predict_matrix(&m), f.predict_matrix(&m));
    }

    #[test]
    fn mean_and_sd_are_welford_right() {
        let p = mean_sd([1.0, 2.0, 3.0, 4.0].into_iter());
        assert_eq!(p.mean, 2.5);
        assert!((p.sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
    }
}
