//! The probability mass function of the number of undiscovered deposits in a tract.

use nedra_core::random::Stream;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A probability mass function on consecutive counts `n_min ..= n_max` of undiscovered
/// deposits (USGS three-part method, Singer & Menzie 2010, ch. 6).
///
/// Probabilities sum to one. Summary statistics follow Ellefsen (2017, MapMark4): mean,
/// variance, mode, smallest and largest count with non-zero probability, and information
/// entropy (natural logarithm, nats).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepositCountPmf {
    n_min: u32,
    probabilities: Vec<f64>,
    #[serde(skip)]
    cumulative: Vec<f64>,
}

/// One entry of a pmf: a count of deposits and its probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PmfEntry {
    /// Number of undiscovered deposits.
    pub n: u32,
    /// Probability of exactly `n` deposits.
    pub p: f64,
}

impl DepositCountPmf {
    /// A pmf from (possibly unnormalised) non-negative weights on `n_min ..`.
    ///
    /// # Errors
    /// [`Error::Limit`] if the weights are empty, negative, not finite or sum to zero.
    pub fn from_weights(n_min: u32, weights: Vec<f64>) -> Result<Self, Error> {
        let total: f64 = weights.iter().sum();
        if weights.is_empty()
            || weights.iter().any(|w| !w.is_finite() || *w < 0.0)
            || total <= 0.0
            || !total.is_finite()
        {
            return Err(Error::Limit {
                what: "pmf weights",
                value: total,
                limit: "non-negative, finite, not all zero",
            });
        }
        let probabilities: Vec<f64> = weights.iter().map(|w| w / total).collect();
        Ok(Self::from_normalised(n_min, probabilities))
    }

    fn from_normalised(n_min: u32, probabilities: Vec<f64>) -> Self {
        let mut cumulative = Vec::with_capacity(probabilities.len());
        let mut acc = 0.0;
        for p in &probabilities {
            acc += p;
            cumulative.push(acc);
        }
        DepositCountPmf {
            n_min,
            probabilities,
            cumulative,
        }
    }

    /// The smallest count with a probability in the pmf.
    pub fn n_min(&self) -> u32 {
        self.n_min
    }

    /// The largest count with a probability in the pmf.
    pub fn n_max(&self) -> u32 {
        self.n_min + self.probabilities.len() as u32 - 1
    }

    /// Probability of exactly `n` deposits (zero outside the support).
    pub fn probability(&self, n: u32) -> f64 {
        if n < self.n_min {
            return 0.0;
        }
        self.probabilities
            .get((n - self.n_min) as usize)
            .copied()
            .unwrap_or(0.0)
    }

    /// The entries (n, p) in increasing n.
    pub fn entries(&self) -> Vec<PmfEntry> {
        self.probabilities
            .iter()
            .enumerate()
            .map(|(i, &p)| PmfEntry {
                n: self.n_min + i as u32,
                p,
            })
            .collect()
    }

    /// Expected number of deposits E\[N\].
    pub fn mean(&self) -> f64 {
        self.entries().iter().map(|e| e.n as f64 * e.p).sum()
    }

    /// Variance Var\[N\] = Σ (n − E\[N\])² p(n).
    pub fn variance(&self) -> f64 {
        let mean = self.mean();
        self.entries()
            .iter()
            .map(|e| (e.n as f64 - mean).powi(2) * e.p)
            .sum()
    }

    /// Standard deviation of N.
    pub fn sd(&self) -> f64 {
        self.variance().sqrt()
    }

    /// The most probable count (the smallest one if several tie).
    pub fn mode(&self) -> u32 {
        let mut best = 0;
        for (i, p) in self.probabilities.iter().enumerate() {
            if *p > self.probabilities[best] {
                best = i;
            }
        }
        self.n_min + best as u32
    }

    /// Information entropy −Σ p ln p, in nats (as MapMark4 reports it).
    pub fn entropy_nats(&self) -> f64 {
        -self
            .probabilities
            .iter()
            .filter(|p| **p > 0.0)
            .map(|p| p * p.ln())
            .sum::<f64>()
    }

    /// Probability of `n` or more deposits, P(N ≥ n).
    pub fn probability_at_least(&self, n: u32) -> f64 {
        if n <= self.n_min {
            return 1.0;
        }
        let below = (n - self.n_min) as usize;
        if below > self.cumulative.len() {
            return 0.0;
        }
        (1.0 - self.cumulative[below - 1]).max(0.0)
    }

    /// The elicitation percentile at exceedance probability `q` (USGS convention): the
    /// largest n with P(N ≥ n) ≥ q, e.g. `q = 0.9` gives the fitted N90.
    pub fn exceedance_count(&self, q: f64) -> u32 {
        let mut best = self.n_min;
        for n in self.n_min..=self.n_max() {
            if self.probability_at_least(n) >= q - 1e-12 {
                best = n;
            } else {
                break;
            }
        }
        best
    }

    /// Draws a count by inversion of the cumulative distribution.
    pub fn sample(&self, rng: &mut Stream) -> u32 {
        let u = rng.uniform();
        let i = self.cumulative.partition_point(|c| *c <= u);
        self.n_min + i.min(self.probabilities.len() - 1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_of_a_small_pmf() {
        let pmf = DepositCountPmf::from_weights(1, vec![1.0, 2.0, 1.0]).unwrap();
        assert_eq!(pmf.n_min(), 1);
        assert_eq!(pmf.n_max(), 3);
        assert!((pmf.mean() - 2.0).abs() < 1e-15);
        assert!((pmf.variance() - 0.5).abs() < 1e-15);
        assert_eq!(pmf.mode(), 2);
        assert!((pmf.entropy_nats() - (1.5 * 2f64.ln())).abs() < 1e-15);
        assert!((pmf.probability_at_least(3) - 0.25).abs() < 1e-15);
        assert_eq!(pmf.exceedance_count(0.9), 1);
        assert_eq!(pmf.exceedance_count(0.5), 2);
    }

    #[test]
    fn sampling_matches_probabilities() {
        let pmf = DepositCountPmf::from_weights(0, vec![0.2, 0.5, 0.3]).unwrap();
        let mut rng = Stream::from_seed(1);
        let mut counts = [0usize; 3];
        let n = 100_000;
        for _ in 0..n {
            counts[pmf.sample(&mut rng) as usize] += 1;
        }
        for (i, c) in counts.iter().enumerate() {
            let p = pmf.probability(i as u32);
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!((*c as f64 / n as f64 - p).abs() < 4.0 * se);
        }
    }

    #[test]
    fn bad_weights_are_rejected() {
        assert!(DepositCountPmf::from_weights(0, vec![]).is_err());
        assert!(DepositCountPmf::from_weights(0, vec![0.0, 0.0]).is_err());
        assert!(DepositCountPmf::from_weights(0, vec![1.0, -0.5]).is_err());
    }
}
