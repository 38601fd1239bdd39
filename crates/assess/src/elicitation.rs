//! From experts' estimates of the number of undiscovered deposits to a probability mass
//! function: the negative-binomial fit of MapMark4 and the legacy Mark3 rule.
//!
//! Elicitation levels follow the USGS convention: N90 is the number of deposits that has a
//! 90 % chance of being matched or exceeded ("90 % chance of N90 or more"), so
//! N90 ≤ N50 ≤ N10.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::nelder_mead;
use crate::pmf::DepositCountPmf;

/// The largest count a fitted pmf may reach (a guard against absurd estimates).
pub const MAX_DEPOSITS: u32 = 100_000;

/// One expert's (or one team member's) estimates at the 90/50/10 % elicitation levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpertEstimate {
    /// The expert or row identifier.
    pub name: String,
    /// Weight of this expert in the fit (1 is standard; must be positive).
    pub weight: f64,
    /// Number of deposits with a 90 % chance of that many or more.
    pub n90: i64,
    /// Number of deposits with a 50 % chance of that many or more.
    pub n50: i64,
    /// Number of deposits with a 10 % chance of that many or more.
    pub n10: i64,
}

impl ExpertEstimate {
    /// An estimate with weight 1.
    pub fn new(name: impl Into<String>, n90: i64, n50: i64, n10: i64) -> Self {
        ExpertEstimate {
            name: name.into(),
            weight: 1.0,
            n90,
            n50,
            n10,
        }
    }

    /// The same estimate with another weight.
    pub fn with_weight(mut self, weight: f64) -> Self {
        self.weight = weight;
        self
    }

    /// Checks counts (non-negative, ordered, not absurdly large) and weight (positive).
    ///
    /// # Errors
    /// [`Error::NegativeCount`], [`Error::PercentilesOutOfOrder`],
    /// [`Error::WeightNotPositive`], [`Error::Limit`].
    pub fn validate(&self) -> Result<(), Error> {
        for value in [self.n90, self.n50, self.n10] {
            if value < 0 {
                return Err(Error::NegativeCount {
                    expert: self.name.clone(),
                    value,
                });
            }
            if value > MAX_DEPOSITS as i64 {
                return Err(Error::Limit {
                    what: "estimated number of deposits",
                    value: value as f64,
                    limit: "at most 100000",
                });
            }
        }
        if !(self.n90 <= self.n50 && self.n50 <= self.n10) {
            return Err(Error::PercentilesOutOfOrder {
                expert: self.name.clone(),
                n90: self.n90,
                n50: self.n50,
                n10: self.n10,
            });
        }
        if !(self.weight > 0.0 && self.weight.is_finite()) {
            return Err(Error::WeightNotPositive {
                expert: self.name.clone(),
                weight: self.weight,
            });
        }
        Ok(())
    }
}

/// Options of the negative-binomial fit; the defaults are MapMark4's (Ellefsen 2017).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NegativeBinomialOptions {
    /// Grid points along each of the mean and variance axes of the starting search (40).
    pub grid_points: usize,
    /// Exponent of the absolute quantile differences in the cost (1).
    pub power: f64,
    /// Refine the best grid point with the Nelder–Mead simplex (true).
    pub optimise: bool,
    /// Right-tail probability below which the pmf is truncated (0.001).
    pub right_tail_probability: f64,
}

impl NegativeBinomialOptions {
    /// The options with another number of grid points per axis.
    pub fn grid_points(mut self, grid_points: usize) -> Self {
        self.grid_points = grid_points;
        self
    }

    /// The options with another cost exponent.
    pub fn power(mut self, power: f64) -> Self {
        self.power = power;
        self
    }

    /// The options with or without the Nelder–Mead refinement.
    pub fn optimise(mut self, optimise: bool) -> Self {
        self.optimise = optimise;
        self
    }

    /// The options with another right-tail truncation probability.
    pub fn right_tail_probability(mut self, probability: f64) -> Self {
        self.right_tail_probability = probability;
        self
    }
}

impl Default for NegativeBinomialOptions {
    fn default() -> Self {
        NegativeBinomialOptions {
            grid_points: 40,
            power: 1.0,
            optimise: true,
            right_tail_probability: 0.001,
        }
    }
}

/// A negative-binomial distribution with success probability `probability` and `size` (r):
/// P(n) = Γ(n + r) / (Γ(r) n!) · pʳ (1 − p)ⁿ; mean r(1 − p)/p, variance r(1 − p)/p².
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NegativeBinomial {
    /// Success probability p, 0 < p ≤ 1.
    pub probability: f64,
    /// Size r > 0.
    pub size: f64,
}

impl NegativeBinomial {
    /// The untruncated mean r(1 − p)/p.
    pub fn mean(&self) -> f64 {
        self.size * (1.0 - self.probability) / self.probability
    }

    /// The untruncated variance r(1 − p)/p².
    pub fn variance(&self) -> f64 {
        self.mean() / self.probability
    }

    fn is_valid(&self) -> bool {
        self.probability > 0.0
            && self.probability <= 1.0
            && self.size >= 0.0
            && self.size.is_finite()
    }

    /// Walks the pmf from n = 0 (log-space recurrence), calling `visit(n, p(n), F(n))` until
    /// it returns false or n passes [`MAX_DEPOSITS`]. Returns false if the limit was hit.
    fn walk(&self, mut visit: impl FnMut(u32, f64, f64) -> bool) -> bool {
        if self.size == 0.0 || self.probability == 1.0 {
            // Point mass at zero.
            let _ = visit(0, 1.0, 1.0);
            return true;
        }
        let ln_q = (-self.probability).ln_1p();
        let mut ln_p = self.size * self.probability.ln();
        let mut cumulative = 0.0;
        for n in 0..=MAX_DEPOSITS {
            let p = ln_p.exp();
            cumulative += p;
            if !visit(n, p, cumulative) {
                return true;
            }
            let k = n as f64;
            ln_p += ((k + self.size) / (k + 1.0)).ln() + ln_q;
        }
        false
    }

    /// The elicitation count at exceedance level `q` as R's `qnbinom(q, lower.tail = FALSE)`
    /// defines it: the smallest n with F(n) ≥ 1 − q. `None` past [`MAX_DEPOSITS`].
    pub fn exceedance_count(&self, q: f64) -> Option<u32> {
        let target = (1.0 - q) * (1.0 - 64.0 * f64::EPSILON);
        let mut found = None;
        self.walk(|n, _, cumulative| {
            if cumulative >= target {
                found = Some(n);
                false
            } else {
                true
            }
        });
        found
    }

    /// The 90, 50 and 10 % elicitation counts.
    pub fn elicitation_counts(&self) -> Option<[u32; 3]> {
        Some([
            self.exceedance_count(0.9)?,
            self.exceedance_count(0.5)?,
            self.exceedance_count(0.1)?,
        ])
    }

    /// The pmf truncated as in MapMark4 (Ellefsen 2017): the upper point is the smallest n
    /// with P(N > n) ≤ `right_tail_probability`; counts below it whose probability is
    /// smaller than the probability at the upper point are dropped (a lower truncation);
    /// the rest is renormalised.
    ///
    /// # Errors
    /// [`Error::Limit`] if the upper point passes [`MAX_DEPOSITS`] or the tail is not in (0, 1).
    pub fn truncated_pmf(&self, right_tail_probability: f64) -> Result<DepositCountPmf, Error> {
        if !(right_tail_probability > 0.0 && right_tail_probability < 1.0) {
            return Err(Error::Limit {
                what: "right-tail probability",
                value: right_tail_probability,
                limit: "between 0 and 1",
            });
        }
        let upper = self
            .exceedance_count(right_tail_probability)
            .ok_or(Error::Limit {
                what: "upper truncation point of the pmf",
                value: MAX_DEPOSITS as f64,
                limit: "at most 100000 deposits",
            })?;
        let mut probabilities = Vec::with_capacity(upper as usize + 1);
        self.walk(|n, p, _| {
            probabilities.push(p);
            n < upper
        });
        let at_upper = probabilities[upper as usize];
        let first = probabilities
            .iter()
            .position(|p| *p >= at_upper)
            .unwrap_or(0);
        // Keep the contiguous run from the first count at or above the upper probability; a
        // negative binomial is unimodal, so every count in between is above it too.
        DepositCountPmf::from_weights(first as u32, probabilities[first..].to_vec())
    }
}

/// The result of a negative-binomial fit to experts' estimates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NegativeBinomialFit {
    /// The fitted distribution (before truncation).
    pub distribution: NegativeBinomial,
    /// The weighted cost Σ wₖ |fitted − elicited|^power at the fit.
    pub cost: f64,
    /// The fitted 90, 50 and 10 % elicitation counts.
    pub fitted_counts: [u32; 3],
    /// The truncated, renormalised pmf.
    pub pmf: DepositCountPmf,
}

fn check_estimates(estimates: &[ExpertEstimate]) -> Result<(), Error> {
    if estimates.is_empty() {
        return Err(Error::NoEstimates);
    }
    estimates.iter().try_for_each(ExpertEstimate::validate)
}

/// The weighted cost Σₖ wₖ Σ_{ℓ ∈ 90,50,10} |N_ℓ(fit) − N_ℓ,k|^power (Ellefsen 2017);
/// infinite where the parameters are not a valid distribution.
pub fn elicitation_cost(
    distribution: &NegativeBinomial,
    estimates: &[ExpertEstimate],
    power: f64,
) -> f64 {
    if !distribution.is_valid() {
        return f64::INFINITY;
    }
    let Some(fitted) = distribution.elicitation_counts() else {
        return f64::INFINITY;
    };
    estimates
        .iter()
        .map(|e| {
            let elicited = [e.n90, e.n50, e.n10];
            e.weight
                * fitted
                    .iter()
                    .zip(elicited)
                    .map(|(f, n)| (*f as f64 - n as f64).abs().powf(power))
                    .sum::<f64>()
        })
        .sum()
}

/// R's `seq(from, to, length.out = n)`: equal steps with the end point exact.
fn sequence(from: f64, to: f64, n: usize) -> Vec<f64> {
    match n {
        0 => vec![],
        1 => vec![from],
        _ => {
            let step = (to - from) / (n - 1) as f64;
            let mut v: Vec<f64> = (0..n - 1).map(|i| from + i as f64 * step).collect();
            v.push(to);
            v
        }
    }
}

/// Fits one negative binomial to the weighted estimates of one or more experts (the
/// MapMark4 method, Ellefsen 2017, `NDepositsPmf("NegBinomial")`).
///
/// The experts are combined through the cost: one distribution is chosen to minimise the
/// weighted sum, over experts and over the 90/50/10 % levels, of the absolute differences
/// between its elicitation counts and the experts' (to the power `power`). The search starts
/// on a grid of means from the weighted mean N90 (+0.01) to the weighted mean N10 and
/// variances from mean + 0.01 to (N10 − N90)² (weighted means), mapped to p = mean/variance,
/// r = mean·p/(1 − p); the best grid point (first in mean-fastest order) then starts a
/// Nelder–Mead search in (p, r). The pmf is truncated where the right tail falls below
/// `right_tail_probability` and renormalised (see [`NegativeBinomial::truncated_pmf`]).
///
/// # Errors
/// Input errors from [`ExpertEstimate::validate`], [`Error::NoEstimates`];
/// [`Error::FitFailed`] if no grid point gives a finite cost (e.g. all estimates are zero
/// with no spread), [`Error::Limit`] for options out of range.
pub fn fit_negative_binomial(
    estimates: &[ExpertEstimate],
    options: &NegativeBinomialOptions,
) -> Result<NegativeBinomialFit, Error> {
    check_estimates(estimates)?;
    if options.grid_points < 2 || options.grid_points > 1000 {
        return Err(Error::Limit {
            what: "grid points",
            value: options.grid_points as f64,
            limit: "2 to 1000",
        });
    }
    if !(options.power > 0.0 && options.power.is_finite()) {
        return Err(Error::Limit {
            what: "cost power",
            value: options.power,
            limit: "positive",
        });
    }
    let total_weight: f64 = estimates.iter().map(|e| e.weight).sum();
    let weighted = |f: fn(&ExpertEstimate) -> i64| {
        estimates
            .iter()
            .map(|e| f(e) as f64 * e.weight)
            .sum::<f64>()
            / total_weight
    };
    let low = weighted(|e| e.n90);
    let high = weighted(|e| e.n10);
    let means = sequence(low + 0.01, high, options.grid_points);
    let variance_max = (high - low).powi(2);
    let n = options.grid_points;
    // grid[i][j]: mean index i, variance index j.
    let mut grid = vec![
        vec![
            (
                f64::INFINITY,
                NegativeBinomial {
                    probability: f64::NAN,
                    size: f64::NAN
                }
            );
            n
        ];
        n
    ];
    for (i, &mean) in means.iter().enumerate() {
        let variances = sequence(mean + 0.01, variance_max, n);
        for (j, &variance) in variances.iter().enumerate() {
            let probability = mean / variance;
            let size = mean * probability / (1.0 - probability);
            let d = NegativeBinomial { probability, size };
            grid[i][j] = (elicitation_cost(&d, estimates, options.power), d);
        }
    }
    // First minimum in mean-fastest (column-major) order.
    let mut best: Option<(f64, NegativeBinomial)> = None;
    for j in 0..n {
        for row in &grid {
            let (cost, d) = row[j];
            if cost.is_finite() && best.is_none_or(|(b, _)| cost < b) {
                best = Some((cost, d));
            }
        }
    }
    let Some((mut cost, mut distribution)) = best else {
        return Err(Error::FitFailed {
            detail: "no grid point gives a valid negative binomial; the estimates need \
                     some spread (N10 > N90) for this rule — try the Mark3 rule"
                .to_string(),
        });
    };
    if options.optimise {
        let start = [distribution.probability, distribution.size];
        let found = nelder_mead::minimise(
            |x| {
                elicitation_cost(
                    &NegativeBinomial {
                        probability: x[0],
                        size: x[1],
                    },
                    estimates,
                    options.power,
                )
            },
            &start,
            f64::EPSILON.sqrt(),
            500,
        );
        if !found.converged {
            return Err(Error::FitFailed {
                detail: "the Nelder–Mead search did not converge in 500 evaluations".into(),
            });
        }
        distribution = NegativeBinomial {
            probability: found.point[0],
            size: found.point[1],
        };
        cost = found.value;
    }
    let fitted_counts = distribution.elicitation_counts().ok_or(Error::FitFailed {
        detail: "the fitted distribution reaches past 100000 deposits".into(),
    })?;
    let pmf = distribution.truncated_pmf(options.right_tail_probability)?;
    Ok(NegativeBinomialFit {
        distribution,
        cost,
        fitted_counts,
        pmf,
    })
}

/// Estimates for the legacy Mark3 rule: the 90/50/10 % counts and optionally the 5 % and
/// 1 % counts (Root, Menzie & Scott 1992).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Mark3Estimates {
    /// 90 % chance of this many or more.
    pub n90: i64,
    /// 50 % chance of this many or more.
    pub n50: i64,
    /// 10 % chance of this many or more.
    pub n10: i64,
    /// Optional: 5 % and 1 % chance of this many or more (both or neither).
    pub n05_n01: Option<(i64, i64)>,
}

/// The legacy Mark3 pmf (Root, Menzie & Scott 1992; Root, Scott & Schruben 1998, MARK3B).
///
/// With thresholds t₁ ≤ … ≤ t_k at exceedance levels d = 0.9, 0.5, 0.1 (, 0.05, 0.01):
/// the mass 1 − d₁ is spread over 0..=t₁ with weight 2 on each count below t₁ and 1 on t₁
/// (all on 0 when t₁ = 0); the mass dᵢ − dᵢ₊₁ of each interval tᵢ..=tᵢ₊₁ is spread with
/// weight 1 on the two ends and 2 inside (all on tᵢ when they coincide); the last level's
/// mass d_k sits on t_k. Hence the rule never gives more deposits than the largest estimate.
///
/// # Errors
/// [`Error::NegativeCount`], [`Error::PercentilesOutOfOrder`], [`Error::QuantilesOutOfOrder`]
/// when the 5 % and 1 % counts do not continue the order, [`Error::Limit`] for counts over
/// [`MAX_DEPOSITS`].
pub fn mark3_pmf(estimates: &Mark3Estimates) -> Result<DepositCountPmf, Error> {
    let mut thresholds = vec![estimates.n90, estimates.n50, estimates.n10];
    let mut levels = vec![0.9, 0.5, 0.1];
    if let Some((n05, n01)) = estimates.n05_n01 {
        thresholds.extend([n05, n01]);
        levels.extend([0.05, 0.01]);
    }
    for &t in &thresholds {
        if t < 0 {
            return Err(Error::NegativeCount {
                expert: "Mark3".into(),
                value: t,
            });
        }
        if t > MAX_DEPOSITS as i64 {
            return Err(Error::Limit {
                what: "estimated number of deposits",
                value: t as f64,
                limit: "at most 100000",
            });
        }
    }
    if !(estimates.n90 <= estimates.n50 && estimates.n50 <= estimates.n10) {
        return Err(Error::PercentilesOutOfOrder {
            expert: "Mark3".into(),
            n90: estimates.n90,
            n50: estimates.n50,
            n10: estimates.n10,
        });
    }
    if let Some(w) = thresholds[2..].windows(2).find(|w| w[0] > w[1]) {
        return Err(Error::QuantilesOutOfOrder {
            quantity: "Mark3 estimates N10 ≤ N05 ≤ N01".into(),
            low: w[0] as f64,
            high: w[1] as f64,
        });
    }
    let t: Vec<usize> = thresholds.iter().map(|&x| x as usize).collect();
    let largest = *t.last().expect("at least three thresholds");
    let mut mass = vec![0.0; largest + 1];
    // Below the 90 % count.
    let below = 1.0 - levels[0];
    if t[0] == 0 {
        mass[0] += below;
    } else {
        let unit = below / (2 * t[0] + 1) as f64;
        for (n, m) in mass.iter_mut().enumerate().take(t[0] + 1) {
            *m += if n < t[0] { 2.0 * unit } else { unit };
        }
    }
    // Between consecutive counts.
    for i in 0..t.len() - 1 {
        let share = levels[i] - levels[i + 1];
        let gap = t[i + 1] - t[i];
        if gap == 0 {
            mass[t[i]] += share;
        } else {
            let unit = share / (2 * gap) as f64;
            for (n, m) in mass.iter_mut().enumerate().take(t[i + 1] + 1).skip(t[i]) {
                *m += if n == t[i] || n == t[i + 1] {
                    unit
                } else {
                    2.0 * unit
                };
            }
        }
    }
    mass[largest] += levels[levels.len() - 1];
    DepositCountPmf::from_weights(0, mass)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// ExampleDepEst1 of MapMark4 (Ellefsen 2017, User's Guide, "Estimates of the number of
    /// undiscovered deposits"; from Zientek and others 2014, table H1, southern carbonate
    /// écaille tract).
    fn example_dep_est1() -> Vec<ExpertEstimate> {
        [
            ("person1", 0.50, 3, 10, 25),
            ("person2", 1.00, 2, 5, 10),
            ("person3", 1.00, 5, 7, 10),
            ("person4", 1.00, 2, 10, 20),
            ("person5", 1.00, 1, 2, 4),
            ("person6", 3.00, 3, 10, 20),
            ("person7", 1.00, 5, 10, 20),
            ("person8", 1.00, 3, 5, 7),
            ("person9", 1.00, 1, 2, 5),
            ("person10", 0.01, 10, 20, 60),
        ]
        .into_iter()
        .map(|(name, w, a, b, c)| ExpertEstimate::new(name, a, b, c).with_weight(w))
        .collect()
    }

    #[test]
    fn mapmark4_user_guide_example_is_reproduced() {
        let fit = fit_negative_binomial(&example_dep_est1(), &NegativeBinomialOptions::default())
            .unwrap();
        let pmf = &fit.pmf;
        eprintln!(
            "{:?} cost {} counts {:?}",
            fit.distribution, fit.cost, fit.fitted_counts
        );
        eprintln!(
            "mean {} var {} sd {} mode {} min {} max {} entropy {} p0 {} p1 {}",
            pmf.mean(),
            pmf.variance(),
            pmf.sd(),
            pmf.mode(),
            pmf.n_min(),
            pmf.n_max(),
            pmf.entropy_nats(),
            pmf.probability(0),
            pmf.probability(1)
        );
        // Published summary (User's Guide for MapMark4, Ellefsen 2017, USGS TM 7-C14):
        // Mean 10.6613, Variance 43.0923, Standard deviation 6.56447, Mode 7,
        // smallest 0, largest 42, information entropy 3.19684; p(0) = 0.00787, p(1) = 0.0204.
        assert!((pmf.mean() - 10.6613).abs() < 1e-4);
        assert!((pmf.variance() - 43.0923).abs() < 1e-4);
        assert!((pmf.sd() - 6.56447).abs() < 1e-5);
        assert_eq!(pmf.mode(), 7);
        assert_eq!(pmf.n_min(), 0);
        assert_eq!(pmf.n_max(), 42);
        assert!((pmf.entropy_nats() - 3.19684).abs() < 1e-5);
        assert!((pmf.probability(0) - 0.00787).abs() < 5e-6);
        assert!((pmf.probability(1) - 0.0204).abs() < 5e-5);
    }

    #[test]
    fn mark3_reproduces_root_menzie_scott_tables_3_and_4() {
        // Pmf A: thresholds 1, 2, 4 → 0.067, 0.233, 0.300, 0.200, 0.200.
        let a = mark3_pmf(&Mark3Estimates {
            n90: 1,
            n50: 2,
            n10: 4,
            n05_n01: None,
        })
        .unwrap();
        let want = [0.1 * 2.0 / 3.0, 0.1 / 3.0 + 0.2, 0.3, 0.2, 0.2];
        assert_eq!(a.n_max(), 4);
        for (n, w) in want.iter().enumerate() {
            assert!((a.probability(n as u32) - w).abs() < 1e-12);
        }
        // Pmf B: thresholds 0, 2, 2 → 0.2, 0.2, 0.6.
        let b = mark3_pmf(&Mark3Estimates {
            n90: 0,
            n50: 2,
            n10: 2,
            n05_n01: None,
        })
        .unwrap();
        for (n, w) in [0.2, 0.2, 0.6].iter().enumerate() {
            assert!((b.probability(n as u32) - w).abs() < 1e-12);
        }
    }

    #[test]
    fn mark3_never_exceeds_the_largest_estimate() {
        let pmf = mark3_pmf(&Mark3Estimates {
            n90: 1,
            n50: 7,
            n10: 20,
            n05_n01: None,
        })
        .unwrap();
        assert_eq!(pmf.n_max(), 20);
        assert!(pmf.probability(21) == 0.0);
        assert!((pmf.probability(20) - (0.1 + 0.4 / 26.0)).abs() < 1e-12);
        let pmf = mark3_pmf(&Mark3Estimates {
            n90: 1,
            n50: 7,
            n10: 20,
            n05_n01: Some((25, 40)),
        })
        .unwrap();
        assert_eq!(pmf.n_max(), 40);
        assert!(pmf.probability_at_least(20) >= 0.1);
        assert_eq!(pmf.probability_at_least(41), 0.0);
    }

    #[test]
    fn bad_estimates_are_errors() {
        let out_of_order = vec![ExpertEstimate::new("a", 5, 3, 10)];
        assert!(matches!(
            fit_negative_binomial(&out_of_order, &Default::default()),
            Err(Error::PercentilesOutOfOrder { .. })
        ));
        let negative = vec![ExpertEstimate::new("a", -1, 3, 10)];
        assert!(matches!(
            fit_negative_binomial(&negative, &Default::default()),
            Err(Error::NegativeCount { value: -1, .. })
        ));
        for w in [0.0, -1.0, f64::NAN] {
            let weightless = vec![ExpertEstimate::new("a", 1, 3, 10).with_weight(w)];
            assert!(matches!(
                fit_negative_binomial(&weightless, &Default::default()),
                Err(Error::WeightNotPositive { .. })
            ));
        }
        assert!(matches!(
            fit_negative_binomial(&[], &Default::default()),
            Err(Error::NoEstimates)
        ));
        // No spread at all: the grid's edge still gives a (near-degenerate) fit, no panic.
        let zero = vec![ExpertEstimate::new("a", 0, 0, 0)];
        let fit = fit_negative_binomial(&zero, &Default::default()).unwrap();
        assert!(fit.pmf.mean() < 0.05 && fit.cost == 0.0);
        let five = vec![ExpertEstimate::new("a", 5, 5, 5)];
        assert!(fit_negative_binomial(&five, &Default::default()).is_ok());
        assert!(matches!(
            mark3_pmf(&Mark3Estimates {
                n90: 1,
                n50: 2,
                n10: 4,
                n05_n01: Some((6, 5))
            }),
            Err(Error::QuantilesOutOfOrder { .. })
        ));
        assert!(matches!(
            mark3_pmf(&Mark3Estimates {
                n90: 3,
                n50: 2,
                n10: 4,
                n05_n01: None
            }),
            Err(Error::PercentilesOutOfOrder { .. })
        ));
    }

    /// Independent check of the pmf moments: direct summation of the NB pmf with
    /// Γ-function-free terms computed from scratch (binomial-coefficient products) agrees
    /// with the truncated pmf's statistics.
    #[test]
    fn truncated_moments_match_direct_summation() {
        let d = NegativeBinomial {
            probability: 0.3,
            size: 4.5,
        };
        let pmf = d.truncated_pmf(0.001).unwrap();
        // Direct terms: P(n) = Π_{k<n} (k + r)/(k + 1) · pʳ qⁿ, summed in a separate loop.
        let upper = pmf.n_max();
        let mut terms = vec![];
        for n in 0..=upper {
            let mut t = d.probability.powf(d.size) * (1.0 - d.probability).powi(n as i32);
            for k in 0..n {
                t *= (k as f64 + d.size) / (k as f64 + 1.0);
            }
            terms.push(t);
        }
        let tail: f64 = 1.0 - terms.iter().sum::<f64>();
        assert!(tail <= 0.001 && tail > 0.0);
        let kept: Vec<(f64, f64)> = terms
            .iter()
            .enumerate()
            .filter(|(_, t)| **t >= terms[upper as usize])
            .map(|(n, t)| (n as f64, *t))
            .collect();
        let z: f64 = kept.iter().map(|(_, t)| t).sum();
        let mean: f64 = kept.iter().map(|(n, t)| n * t / z).sum();
        let var: f64 = kept.iter().map(|(n, t)| (n - mean).powi(2) * t / z).sum();
        assert!((pmf.mean() - mean).abs() < 1e-12);
        assert!((pmf.variance() - var).abs() < 1e-10);
        // Untruncated moments are close (0.1 % of the mass is dropped).
        assert!((pmf.mean() - d.mean()).abs() < 0.05 * d.mean());
    }

    /// Independent check of the fit: a brute-force search on a fine (mean, variance) grid
    /// finds no distribution with a lower cost than the fitted one.
    #[test]
    fn fit_is_no_worse_than_a_brute_force_grid() {
        let estimates = example_dep_est1();
        let fit = fit_negative_binomial(&estimates, &Default::default()).unwrap();
        let mut best = f64::INFINITY;
        for i in 0..120 {
            let mean = 2.0 + i as f64 * 0.15;
            for j in 1..120 {
                let variance = mean * (1.0 + j as f64 * 0.1);
                let p = mean / variance;
                let d = NegativeBinomial {
                    probability: p,
                    size: mean * p / (1.0 - p),
                };
                best = best.min(elicitation_cost(&d, &estimates, 1.0));
            }
        }
        assert!(
            fit.cost <= best + 1e-9,
            "fit {} brute force {}",
            fit.cost,
            best
        );
    }

    proptest! {
        #[test]
        fn mark3_is_a_pmf_with_the_elicited_exceedances(a in 0i64..20, b in 0i64..20, c in 0i64..20) {
            let mut v = [a, b, c];
            v.sort();
            let pmf = mark3_pmf(&Mark3Estimates { n90: v[0], n50: v[1], n10: v[2], n05_n01: None }).unwrap();
            let total: f64 = pmf.entries().iter().map(|e| e.p).sum();
            prop_assert!((total - 1.0).abs() < 1e-12);
            prop_assert!(pmf.n_max() as i64 == v[2]);
            prop_assert!(pmf.probability_at_least(v[2] as u32) >= 0.1 - 1e-12);
        }

        #[test]
        fn single_expert_fit_is_a_normalised_pmf(a in 0i64..10, d1 in 1i64..10, d2 in 1i64..20) {
            let e = vec![ExpertEstimate::new("x", a, a + d1, a + d1 + d2)];
            let fit = fit_negative_binomial(&e, &Default::default()).unwrap();
            let total: f64 = fit.pmf.entries().iter().map(|e| e.p).sum();
            prop_assert!((total - 1.0).abs() < 1e-12);
            prop_assert!(fit.pmf.mean() > 0.0);
        }
    }
}
