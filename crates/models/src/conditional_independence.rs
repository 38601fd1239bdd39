//! Conditional-independence diagnostics of a weights-of-evidence model, from one pass over the
//! posterior probability and its standard deviation.
//!
//! - Bonham-Carter (1994, ch. 9): the ratio n/T of observed deposits n to predicted deposits
//!   T = Σ_k A_k·P_k (A_k: area of cell k in unit cells, P_k: its posterior probability);
//!   values below about 0.85 suggest that conditional independence is violated.
//! - Agterberg & Cheng (2002), "Conditional independence test for weights-of-evidence
//!   modeling", Natural Resources Research 11(4): the statistic T − n with
//!   s²(T) = Σ_k (A_k·s(P_k))² (variances of the cell terms, not standard deviations); a
//!   one-tailed test of T − n > 0. We report z = (T − n)/s(T) and Φ(z), the probability that
//!   the model is *not* conditionally independent (ArcSDM reports it as a percentage: above
//!   95–99 % the hypothesis of conditional independence is rejected).

use nedra_core::special::normal_cdf;

/// Running sums over cells; merge per-block partial sums with [`Self::merge`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ConditionalIndependenceSums {
    /// Σ A_k·P_k.
    predicted_deposits: f64,
    /// Σ (A_k·s(P_k))².
    variance: f64,
}

impl ConditionalIndependenceSums {
    /// Adds one cell of `area_units` unit cells with posterior `probability` and standard
    /// deviation `standard_deviation`.
    #[inline]
    pub fn add_cell(&mut self, area_units: f64, probability: f64, standard_deviation: f64) {
        self.predicted_deposits += area_units * probability;
        let term = area_units * standard_deviation;
        self.variance += term * term;
    }

    /// Adds another block's sums.
    pub fn merge(&mut self, other: &Self) {
        self.predicted_deposits += other.predicted_deposits;
        self.variance += other.variance;
    }

    /// The diagnostics against `observed_deposits` training points.
    pub fn test(&self, observed_deposits: u64) -> ConditionalIndependence {
        let n = observed_deposits as f64;
        let t = self.predicted_deposits;
        let s = self.variance.sqrt();
        let z = (t - n) / s;
        ConditionalIndependence {
            observed_deposits,
            predicted_deposits: t,
            predicted_deposits_sd: s,
            ratio: n / t,
            z,
            probability_not_independent: normal_cdf(z),
        }
    }
}

/// Conditional-independence diagnostics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConditionalIndependence {
    /// n: training deposits.
    pub observed_deposits: u64,
    /// T = Σ A_k·P_k.
    pub predicted_deposits: f64,
    /// s(T).
    pub predicted_deposits_sd: f64,
    /// Bonham-Carter's n/T ratio.
    pub ratio: f64,
    /// Agterberg–Cheng z = (T − n)/s(T).
    pub z: f64,
    /// Φ(z): one-tailed probability that T exceeds n beyond chance (conditional dependence).
    pub probability_not_independent: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three cells of one unit cell: P = 0.2, 0.5, 0.3 and s(P) = 0.1, 0.2, 0.1.
    /// T = 1.0, s²(T) = 0.01 + 0.04 + 0.01 = 0.06 (variances summed, not s.d.).
    #[test]
    fn hand_computed_agterberg_cheng() {
        let mut a = ConditionalIndependenceSums::default();
        a.add_cell(1.0, 0.2, 0.1);
        let mut b = ConditionalIndependenceSums::default();
        b.add_cell(1.0, 0.5, 0.2);
        b.add_cell(1.0, 0.3, 0.1);
        a.merge(&b);
        let one = a.test(1);
        assert!((one.predicted_deposits - 1.0).abs() < 1e-15);
        assert!((one.predicted_deposits_sd - 0.06f64.sqrt()).abs() < 1e-15);
        assert!(one.z.abs() < 1e-15 && (one.probability_not_independent - 0.5).abs() < 1e-15);
        assert!((one.ratio - 1.0).abs() < 1e-15);
        // With no observed deposit: z = 1/√0.06 = 4.08248290463863, Φ = 0.999977721454698.
        let none = a.test(0);
        assert!((none.z - 4.08248290463863).abs() < 1e-12);
        assert!((none.probability_not_independent - 0.999977721454698).abs() < 1e-13);
        // Cells of 2 unit cells: terms scale by A (mean) and A² (variance).
        let mut c = ConditionalIndependenceSums::default();
        c.add_cell(2.0, 0.5, 0.2);
        assert!((c.test(1).predicted_deposits_sd - 0.4).abs() < 1e-15);
    }
}
