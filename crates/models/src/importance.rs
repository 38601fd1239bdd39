//! Permutation importance of each evidence layer (Breiman 2001, §10; Hastie, Tibshirani &
//! Friedman 2009, §15.3.2): the drop in ROC AUC when one feature's column is shuffled among
//! the samples, averaged over seeded repeats. Use held-out samples (for example one spatial
//! fold) for an honest measure; on training samples it measures what the model memorised.

use nedra_core::random::SplitMix64;
use rayon::prelude::*;

use crate::classifier::{roc_auc, Classifier};
use crate::{Error, TrainingSet};

/// The importance of one feature.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureImportance {
    /// Feature (column) index.
    pub feature: usize,
    /// Mean drop in ROC AUC over repeats (baseline − permuted).
    pub mean_auc_drop: f64,
    /// Sample standard deviation of the drop over repeats (0 with one repeat).
    pub sd_auc_drop: f64,
}

/// Permutation importance of every feature of `data` for `model`: repeat r of feature j
/// shuffles column j with the seed stream `(seed, j · 2^32 + r)`. Returns the baseline ROC
/// AUC and one entry per feature.
///
/// # Errors
/// [`Error::InvalidOption`] if `repeats` is 0; [`Error::ZeroDeposits`] or
/// [`Error::NoAbsences`] if `data` lacks a class.
pub fn permutation_importance<C: Classifier + ?Sized>(
    model: &C,
    data: &TrainingSet,
    repeats: usize,
    seed: u64,
) -> Result<(f64, Vec<FeatureImportance>), Error> {
    if repeats == 0 {
        return Err(Error::InvalidOption {
            name: "repeats",
            value: 0.0,
            requirement: ">= 1",
        });
    }
    let n = data.len();
    let p = data.n_features();
    let score = |rows: &mut dyn FnMut(usize, &mut [f64])| -> Vec<f64> {
        let mut row = vec![0.0; p];
        (0..n)
            .map(|i| {
                rows(i, &mut row);
                model.probability(&row)
            })
            .collect()
    };
    let base_scores = score(&mut |i, row| row.copy_from_slice(data.row(i)));
    let baseline = roc_auc(&base_scores, data.labels())?;
    let importances = (0..p)
        .into_par_iter()
        .map(|j| {
            let drops: Vec<f64> = (0..repeats)
                .map(|r| {
                    let mut rng = SplitMix64::stream(seed, ((j as u64) << 32) | r as u64);
                    let mut order: Vec<usize> = (0..n).collect();
                    rng.shuffle(&mut order);
                    let scores = score(&mut |i, row| {
                        row.copy_from_slice(data.row(i));
                        row[j] = data.row(order[i])[j];
                    });
                    baseline - roc_auc(&scores, data.labels()).expect("classes as at baseline")
                })
                .collect();
            let mean = drops.iter().sum::<f64>() / repeats as f64;
            let sd = if repeats > 1 {
                (drops.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (repeats - 1) as f64)
                    .sqrt()
            } else {
                0.0
            };
            FeatureImportance {
                feature: j,
                mean_auc_drop: mean,
                sd_auc_drop: sd,
            }
        })
        .collect();
    Ok((baseline, importances))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LogisticOptions;

    #[test]
    fn the_informative_layer_matters_and_noise_does_not() {
        let mut rng = SplitMix64::new(21);
        let (mut f, mut l) = (vec![], vec![]);
        for _ in 0..600 {
            let (a, b) = (rng.uniform(), rng.uniform());
            f.extend([a, b]);
            l.push(rng.uniform() < 0.05 + 0.6 * a);
        }
        let data = TrainingSet::new(2, f, l, vec![0.0; 600], vec![0.0; 600]).unwrap();
        let m = LogisticOptions::default().fit(&data).unwrap();
        let (base, imp) = permutation_importance(&m, &data, 5, 1).unwrap();
        assert!(base > 0.7);
        assert!(imp[0].mean_auc_drop > 0.15, "{imp:?}");
        assert!(imp[1].mean_auc_drop.abs() < 0.03, "{imp:?}");
        assert_eq!(imp, permutation_importance(&m, &data, 5, 1).unwrap().1);
        assert!(permutation_importance(&m, &data, 0, 1).is_err());
    }
}
