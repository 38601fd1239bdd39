//! Permissive tracts on the grid, and the number of undiscovered deposits in a tract derived
//! from a prospectivity (posterior probability) map.
//!
//! A permissive tract is a set of grid cells with one integer id (the cells of one or more
//! polygons, or the cells of a prospectivity map at or above a threshold). [`TractTally`]
//! accumulates, block by block (a reduce: partial tallies merge associatively), each tract's
//! cell count, area, the sum of posterior probabilities and the known deposits inside.
//!
//! **Posterior-sum rule.** In weights of evidence the posterior probability of a cell is the
//! probability that a *unit cell* (area `unit_cell_km2`) at that place holds a deposit, so
//! the expected number of deposits in a region is
//! E = Σ_cells PP_cell × (cell area km² / unit cell km²) — the "expected number of
//! deposits" (predicted deposits) that Bonham-Carter (1994, *Geographic Information Systems
//! for Geoscientists*, ch. 9) compares with the observed count in the
//! conditional-independence test (also Agterberg & Cheng 2002, *Natural Resources
//! Research* 11(4)). The model is trained on the known deposits, so E counts them too; the
//! expected number of **undiscovered** deposits is λ = max(0, E − known deposits inside),
//! and N ~ Poisson(λ), truncated as the negative-binomial pmfs are ([`poisson_pmf`]).
//! The Poisson law is the rare-event limit of independent unit cells each holding a
//! deposit with a small probability (a sum of Bernoulli trials, Le Cam 1960); it is a
//! modelling choice, stated in the output. Cells of a tract with no posterior value (NoData)
//! add nothing to E and are counted separately so the user can see them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::elicitation::MAX_DEPOSITS;
use crate::error::Error;
use crate::pmf::DepositCountPmf;

/// The largest number of distinct tracts accepted (untrusted id rasters).
pub const MAX_TRACTS: usize = 10_000;

/// What is known about one tract after a tally.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TractStatistics {
    /// Grid cells in the tract.
    pub cells: u64,
    /// Tract area, km² (cells × cell area).
    pub area_km2: f64,
    /// Tract cells with no posterior probability (NoData); they add nothing to the
    /// expected number of deposits.
    pub cells_without_posterior: u64,
    /// Σ PP × (cell area / unit cell area): expected number of deposits, known ones
    /// included (zero when no posterior map is tallied).
    pub expected_deposits: f64,
    /// Known deposits (points) whose cell lies in the tract.
    pub known_deposits: u64,
}

/// Per-tract statistics accumulated block by block.
#[derive(Debug, Clone, PartialEq)]
pub struct TractTally {
    cell_area_km2: f64,
    unit_cells_per_cell: f64,
    tracts: BTreeMap<i64, TractStatistics>,
}

impl TractTally {
    /// An empty tally for cells of `cell_area_km2`; `unit_cell_km2` is the weights-of-evidence
    /// unit cell of the posterior map (ignored when no posterior is tallied).
    ///
    /// # Errors
    /// [`Error::OutOfRange`] when an area is not positive and finite.
    pub fn new(cell_area_km2: f64, unit_cell_km2: f64) -> Result<Self, Error> {
        for (quantity, value) in [
            ("cell area (km²)", cell_area_km2),
            ("unit cell (km²)", unit_cell_km2),
        ] {
            if !(value > 0.0 && value.is_finite()) {
                return Err(Error::OutOfRange {
                    quantity: quantity.to_string(),
                    value,
                    allowed: "> 0",
                });
            }
        }
        Ok(TractTally {
            cell_area_km2,
            unit_cells_per_cell: cell_area_km2 / unit_cell_km2,
            tracts: BTreeMap::new(),
        })
    }

    fn entry(&mut self, id: i64) -> Result<&mut TractStatistics, Error> {
        if !self.tracts.contains_key(&id) && self.tracts.len() >= MAX_TRACTS {
            return Err(Error::Limit {
                what: "number of tracts",
                value: (MAX_TRACTS + 1) as f64,
                limit: "at most 10000 distinct tract ids",
            });
        }
        Ok(self.tracts.entry(id).or_default())
    }

    /// Adds one block of cells: tract ids (valid cells only; ids are whole numbers) and,
    /// optionally, the posterior probabilities of the same cells.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a tract id that is not a whole number or a posterior
    /// probability outside [0, 1]; [`Error::Limit`] past [`MAX_TRACTS`] tracts.
    pub fn add_block(
        &mut self,
        tract_ids: &[f64],
        tract_valid: &[bool],
        posterior: Option<(&[f64], &[bool])>,
    ) -> Result<(), Error> {
        assert_eq!(tract_ids.len(), tract_valid.len(), "block sizes differ");
        if let Some((values, valid)) = posterior {
            assert_eq!(values.len(), tract_ids.len(), "block sizes differ");
            assert_eq!(valid.len(), tract_ids.len(), "block sizes differ");
        }
        let (area, factor) = (self.cell_area_km2, self.unit_cells_per_cell);
        for (i, (&id, &ok)) in tract_ids.iter().zip(tract_valid).enumerate() {
            if !ok {
                continue;
            }
            let id = tract_id(id)?;
            let stats = self.entry(id)?;
            stats.cells += 1;
            stats.area_km2 += area;
            if let Some((values, valid)) = posterior {
                if valid[i] {
                    let pp = values[i];
                    if !(0.0..=1.0).contains(&pp) {
                        return Err(Error::OutOfRange {
                            quantity: "posterior probability".into(),
                            value: pp,
                            allowed: "[0, 1]",
                        });
                    }
                    stats.expected_deposits += pp * factor;
                } else {
                    stats.cells_without_posterior += 1;
                }
            }
        }
        Ok(())
    }

    /// Adds `count` known deposits to tract `id`.
    ///
    /// # Errors
    /// [`Error::Limit`] past [`MAX_TRACTS`] tracts.
    pub fn add_known_deposits(&mut self, id: i64, count: u64) -> Result<(), Error> {
        self.entry(id)?.known_deposits += count;
        Ok(())
    }

    /// Merges another tally (of other blocks) into this one.
    pub fn merge(&mut self, other: TractTally) {
        for (id, s) in other.tracts {
            let t = self.tracts.entry(id).or_default();
            t.cells += s.cells;
            t.area_km2 += s.area_km2;
            t.cells_without_posterior += s.cells_without_posterior;
            t.expected_deposits += s.expected_deposits;
            t.known_deposits += s.known_deposits;
        }
    }

    /// The tracts found, by id.
    pub fn tracts(&self) -> &BTreeMap<i64, TractStatistics> {
        &self.tracts
    }
}

/// A tract id from a raster value.
///
/// # Errors
/// [`Error::OutOfRange`] when the value is not a whole number in the `i32` range.
pub fn tract_id(value: f64) -> Result<i64, Error> {
    if value.fract() != 0.0 || !(value >= i32::MIN as f64 && value <= i32::MAX as f64) {
        return Err(Error::OutOfRange {
            quantity: "tract id".into(),
            value,
            allowed: "a whole number (32-bit integer)",
        });
    }
    Ok(value as i64)
}

/// The Poisson law of mean `mean`, truncated as MapMark4 truncates the negative binomial
/// (Ellefsen 2017): the upper point is the smallest n with P(N > n) ≤
/// `right_tail_probability`, counts below it less probable than the upper point are dropped,
/// and the rest is renormalised. A mean of zero gives certainty of no deposit.
///
/// # Errors
/// [`Error::OutOfRange`] for a negative or non-finite mean; [`Error::Limit`] for a tail
/// probability outside (0, 1) or a support past [`MAX_DEPOSITS`].
pub fn poisson_pmf(mean: f64, right_tail_probability: f64) -> Result<DepositCountPmf, Error> {
    if !(mean >= 0.0 && mean.is_finite()) {
        return Err(Error::OutOfRange {
            quantity: "expected number of undiscovered deposits".into(),
            value: mean,
            allowed: "≥ 0 and finite",
        });
    }
    if !(right_tail_probability > 0.0 && right_tail_probability < 1.0) {
        return Err(Error::Limit {
            what: "right-tail probability",
            value: right_tail_probability,
            limit: "between 0 and 1",
        });
    }
    if mean == 0.0 {
        return DepositCountPmf::from_weights(0, vec![1.0]);
    }
    // ln p(n) = −λ + n ln λ − ln n!, summed in log space (no underflow for large λ).
    let ln_mean = mean.ln();
    let mut probabilities = Vec::new();
    let mut ln_factorial = 0.0;
    let mut cumulative = 0.0;
    for n in 0..=MAX_DEPOSITS {
        if n > 0 {
            ln_factorial += (n as f64).ln();
        }
        let p = (-mean + n as f64 * ln_mean - ln_factorial).exp();
        probabilities.push(p);
        cumulative += p;
        // Past the mode the tail is decreasing; stop when P(N > n) ≤ tail.
        if n as f64 >= mean && 1.0 - cumulative <= right_tail_probability {
            let at_upper = p;
            let first = probabilities
                .iter()
                .position(|q| *q >= at_upper)
                .unwrap_or(0);
            return DepositCountPmf::from_weights(first as u32, probabilities[first..].to_vec());
        }
    }
    Err(Error::Limit {
        what: "upper truncation point of the pmf",
        value: MAX_DEPOSITS as f64,
        limit: "at most 100000 deposits",
    })
}

/// The number of undiscovered deposits of a tract by the posterior-sum rule (module docs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PosteriorDepositCount {
    /// E = Σ PP × cell area / unit cell area (known deposits included).
    pub expected_deposits: f64,
    /// Known deposits in the tract.
    pub known_deposits: u64,
    /// λ = max(0, E − known): the Poisson mean of undiscovered deposits.
    pub undiscovered_mean: f64,
    /// The truncated Poisson pmf of N.
    #[serde(skip)]
    pub pmf: DepositCountPmf,
}

/// Applies the posterior-sum rule to a tract's statistics.
///
/// # Errors
/// The errors of [`poisson_pmf`].
pub fn undiscovered_from_posterior(
    stats: &TractStatistics,
    right_tail_probability: f64,
) -> Result<PosteriorDepositCount, Error> {
    let undiscovered_mean = (stats.expected_deposits - stats.known_deposits as f64).max(0.0);
    Ok(PosteriorDepositCount {
        expected_deposits: stats.expected_deposits,
        known_deposits: stats.known_deposits,
        undiscovered_mean,
        pmf: poisson_pmf(undiscovered_mean, right_tail_probability)?,
    })
}

/// The statistics of a pmf as reported in `assessment.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PmfSummary {
    /// E\[N\].
    pub mean: f64,
    /// Var\[N\].
    pub variance: f64,
    /// Standard deviation of N.
    pub sd: f64,
    /// Most probable count.
    pub mode: u32,
    /// Smallest count in the support.
    pub min: u32,
    /// Largest count in the support.
    pub max: u32,
    /// P(N = 0).
    pub probability_of_no_deposit: f64,
    /// Counts at the elicitation levels (USGS: N90 = 90 % chance of that many or more).
    pub n90: u32,
    /// 50 % chance of that many or more.
    pub n50: u32,
    /// 10 % chance of that many or more.
    pub n10: u32,
    /// Entropy in nats.
    pub entropy_nats: f64,
    /// The pmf itself.
    pub pmf: Vec<crate::pmf::PmfEntry>,
}

impl PmfSummary {
    /// Summarises a pmf.
    pub fn of(pmf: &DepositCountPmf) -> Self {
        PmfSummary {
            mean: pmf.mean(),
            variance: pmf.variance(),
            sd: pmf.sd(),
            mode: pmf.mode(),
            min: pmf.n_min(),
            max: pmf.n_max(),
            probability_of_no_deposit: pmf.probability(0),
            n90: pmf.exceedance_count(0.9),
            n50: pmf.exceedance_count(0.5),
            n10: pmf.exceedance_count(0.1),
            entropy_nats: pmf.entropy_nats(),
            pmf: pmf.entries(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_sums_posterior_per_unit_cell_and_merges() {
        // Cells of 0.0625 km² (250 m), unit cell 1 km²: 16 cells per unit cell.
        let mut a = TractTally::new(0.0625, 1.0).unwrap();
        let ids = [1.0, 1.0, 2.0, 0.0];
        let valid = [true, true, true, false];
        let pp = [0.16, 0.32, 0.8, 0.9];
        let pp_valid = [true, true, false, true];
        a.add_block(&ids, &valid, Some((&pp, &pp_valid))).unwrap();
        let mut b = TractTally::new(0.0625, 1.0).unwrap();
        b.add_block(&[1.0], &[true], Some((&[0.48], &[true])))
            .unwrap();
        b.add_known_deposits(1, 1).unwrap();
        a.merge(b);
        let t1 = &a.tracts()[&1];
        assert_eq!(t1.cells, 3);
        assert!((t1.area_km2 - 0.1875).abs() < 1e-15);
        // (0.16 + 0.32 + 0.48) × 0.0625 = 0.06.
        assert!((t1.expected_deposits - 0.06).abs() < 1e-15);
        assert_eq!(t1.known_deposits, 1);
        let t2 = &a.tracts()[&2];
        assert_eq!((t2.cells, t2.cells_without_posterior), (1, 1));
        assert_eq!(t2.expected_deposits, 0.0);
        assert!(!a.tracts().contains_key(&0));
    }

    #[test]
    fn bad_ids_and_probabilities_are_errors() {
        let mut t = TractTally::new(1.0, 1.0).unwrap();
        assert!(t.add_block(&[1.5], &[true], None).is_err());
        let err = t
            .add_block(&[1.0], &[true], Some((&[1.2], &[true])))
            .unwrap_err();
        assert!(err.to_string().contains("posterior probability"), "{err}");
        assert!(TractTally::new(0.0, 1.0).is_err());
    }

    #[test]
    fn poisson_pmf_has_its_moments_and_truncation() {
        let pmf = poisson_pmf(4.0, 0.001).unwrap();
        // Hand values: P(0) = e⁻⁴ / (1 − tail mass dropped), mean and variance ≈ 4.
        let kept: f64 = (0..=pmf.n_max())
            .map(|n| {
                (-4.0f64).exp() * 4f64.powi(n as i32) / (1..=n).map(f64::from).product::<f64>()
            })
            .sum();
        assert!((pmf.probability(0) - (-4.0f64).exp() / kept).abs() < 1e-14);
        // Truncation drops the tail above 11 (mass 0.0009): the mean and variance fall
        // slightly below 4.
        assert!((pmf.mean() - 4.0).abs() < 0.01, "{}", pmf.mean());
        assert!((pmf.variance() - 4.0).abs() < 0.08, "{}", pmf.variance());
        // Upper point: the smallest n with P(N > n) ≤ 0.001 for Poisson(4) is 11.
        assert_eq!(pmf.n_max(), 11);
        assert_eq!(pmf.n_min(), 0);
        let zero = poisson_pmf(0.0, 0.001).unwrap();
        assert_eq!((zero.n_max(), zero.probability(0)), (0, 1.0));
        // Large means do not underflow.
        let big = poisson_pmf(900.0, 0.001).unwrap();
        assert!((big.mean() - 900.0).abs() < 0.5);
        assert!(poisson_pmf(-1.0, 0.001).is_err());
    }

    #[test]
    fn undiscovered_subtracts_known_deposits() {
        let stats = TractStatistics {
            expected_deposits: 3.4,
            known_deposits: 2,
            ..Default::default()
        };
        let d = undiscovered_from_posterior(&stats, 0.001).unwrap();
        assert!((d.undiscovered_mean - 1.4).abs() < 1e-12);
        let over = TractStatistics {
            expected_deposits: 1.0,
            known_deposits: 3,
            ..Default::default()
        };
        let d = undiscovered_from_posterior(&over, 0.001).unwrap();
        assert_eq!(d.undiscovered_mean, 0.0);
        assert_eq!(d.pmf.probability(0), 1.0);
    }
}
