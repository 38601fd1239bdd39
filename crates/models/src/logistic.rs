//! L2-regularised logistic regression fitted by iteratively reweighted least squares
//! (Newton–Raphson), with standard errors of the coefficients from the inverse of the
//! (penalised) Fisher information (Hastie, Tibshirani & Friedman 2009, §4.4.1 and §4.4.4;
//! McCullagh & Nelder 1989, §4.4).
//!
//! The objective is the weighted penalised log-likelihood
//! ℓ(β) = Σᵢ wᵢ [yᵢ ηᵢ − ln(1 + e^ηᵢ)] − ½ λ Σⱼ≥₁ βⱼ², ηᵢ = β₀ + xᵢᵀβ;
//! the intercept β₀ is not penalised. λ = 0 is the plain maximum-likelihood fit (as
//! statsmodels `Logit` or scikit-learn `LogisticRegression(penalty=None)`); scikit-learn's
//! `C` corresponds to λ = 1/C with unit weights. Features are used as given (the penalty
//! depends on their scale: standardise first if the layers have different units).

use nedra_core::linalg::{cholesky, cholesky_inverse, cholesky_solve};

use crate::classifier::{Classifier, Learner};
use crate::{Error, TrainingSet};

/// Options of the logistic-regression fit.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticOptions {
    /// L2 penalty λ on the slopes (0: unpenalised maximum likelihood).
    pub l2_penalty: f64,
    /// Newton iterations allowed.
    pub max_iterations: usize,
    /// Convergence: the largest coefficient change of a Newton step is below this.
    pub tolerance: f64,
}

impl Default for LogisticOptions {
    fn default() -> Self {
        Self {
            l2_penalty: 0.0,
            max_iterations: 100,
            tolerance: 1e-10,
        }
    }
}

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LogisticModel {
    /// Intercept β₀ (log-odds at zero evidence).
    pub intercept: f64,
    /// Slopes, one per feature (change in log-odds per unit of the feature).
    pub coefficients: Vec<f64>,
    /// Standard errors, intercept first then one per feature: √diag of the inverse penalised
    /// Hessian at the optimum (for λ = 0 the usual Wald standard errors).
    pub standard_errors: Vec<f64>,
    /// Newton iterations taken.
    pub iterations: usize,
    /// Whether the tolerance was reached within `max_iterations`.
    pub converged: bool,
    /// Weighted log-likelihood at the optimum (without the penalty).
    pub log_likelihood: f64,
}

impl LogisticModel {
    /// Log-odds η = β₀ + xᵀβ of one row.
    pub fn log_odds(&self, row: &[f64]) -> f64 {
        self.intercept
            + self
                .coefficients
                .iter()
                .zip(row)
                .map(|(b, x)| b * x)
                .sum::<f64>()
    }

    /// Wald z statistics βⱼ / se(βⱼ), intercept first.
    pub fn z_values(&self) -> Vec<f64> {
        std::iter::once(self.intercept)
            .chain(self.coefficients.iter().copied())
            .zip(&self.standard_errors)
            .map(|(b, s)| b / s)
            .collect()
    }
}

/// The logistic function 1 / (1 + e^−η), stable for large |η|.
pub(crate) fn sigmoid(eta: f64) -> f64 {
    if eta >= 0.0 {
        1.0 / (1.0 + (-eta).exp())
    } else {
        let e = eta.exp();
        e / (1.0 + e)
    }
}

/// ln(1 + e^η), stable.
fn softplus(eta: f64) -> f64 {
    if eta > 0.0 {
        eta + (-eta).exp().ln_1p()
    } else {
        eta.exp().ln_1p()
    }
}

impl Classifier for LogisticModel {
    fn probability(&self, row: &[f64]) -> f64 {
        sigmoid(self.log_odds(row))
    }

    fn contributions(&self, row: &[f64], out: &mut [f64]) {
        for ((o, b), x) in out.iter_mut().zip(&self.coefficients).zip(row) {
            *o = b * x;
        }
    }
}

struct Problem<'a> {
    data: &'a TrainingSet,
    lambda: f64,
    k: usize,
}

impl Problem<'_> {
    fn eta(&self, beta: &[f64], i: usize) -> f64 {
        beta[0]
            + self
                .data
                .row(i)
                .iter()
                .zip(&beta[1..])
                .map(|(x, b)| x * b)
                .sum::<f64>()
    }

    /// (log-likelihood, penalised objective).
    fn objective(&self, beta: &[f64]) -> (f64, f64) {
        let mut ll = 0.0;
        for i in 0..self.data.len() {
            let eta = self.eta(beta, i);
            let y = f64::from(u8::from(self.data.labels()[i]));
            ll += self.data.weights()[i] * (y * eta - softplus(eta));
        }
        let pen = 0.5 * self.lambda * beta[1..].iter().map(|b| b * b).sum::<f64>();
        (ll, ll - pen)
    }

    /// Gradient and (negative) Hessian of the penalised objective.
    fn derivatives(&self, beta: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let k = self.k;
        let mut g = vec![0.0; k];
        let mut h = vec![0.0; k * k];
        let mut z = vec![0.0; k];
        z[0] = 1.0;
        for i in 0..self.data.len() {
            z[1..].copy_from_slice(self.data.row(i));
            let p = sigmoid(self.eta(beta, i));
            let w = self.data.weights()[i];
            let y = f64::from(u8::from(self.data.labels()[i]));
            let r = w * (y - p);
            let v = w * p * (1.0 - p);
            for a in 0..k {
                g[a] += r * z[a];
                let vz = v * z[a];
                for b in 0..=a {
                    h[a * k + b] += vz * z[b];
                }
            }
        }
        for a in 0..k {
            for b in 0..a {
                h[b * k + a] = h[a * k + b];
            }
        }
        for j in 1..k {
            g[j] -= self.lambda * beta[j];
            h[j * k + j] += self.lambda;
        }
        (g, h)
    }
}

impl LogisticOptions {
    /// Fits the model by Newton–Raphson from β = 0, halving a step while it lowers the
    /// penalised likelihood (Hastie, Tibshirani & Friedman 2009, §4.4.1).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] if λ or the tolerance is negative or not finite, if the set
    /// has no positive or no background sample, or if the Hessian is not positive definite
    /// (perfectly separated classes or collinear evidence layers with λ = 0: use λ > 0).
    pub fn fit(&self, data: &TrainingSet) -> Result<LogisticModel, Error> {
        if !(self.l2_penalty.is_finite() && self.l2_penalty >= 0.0) {
            return Err(Error::InvalidOption {
                name: "l2_penalty",
                value: self.l2_penalty,
                requirement: "finite and >= 0",
            });
        }
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(Error::InvalidOption {
                name: "tolerance",
                value: self.tolerance,
                requirement: "finite and > 0",
            });
        }
        let positives = data.positives();
        if positives == 0 || positives == data.len() {
            return Err(Error::InvalidOption {
                name: "positive samples",
                value: positives as f64,
                requirement: "at least one, with at least one background sample",
            });
        }
        let k = data.n_features() + 1;
        let problem = Problem {
            data,
            lambda: self.l2_penalty,
            k,
        };
        let singular = || Error::InvalidOption {
            name: "l2_penalty",
            value: self.l2_penalty,
            requirement: "> 0 here: the Hessian is singular (separated classes or collinear \
                          evidence layers)",
        };
        let mut beta = vec![0.0; k];
        let mut objective = problem.objective(&beta).1;
        let mut converged = false;
        let mut iterations = 0;
        while iterations < self.max_iterations {
            iterations += 1;
            let (mut step, mut h) = problem.derivatives(&beta);
            if cholesky(&mut h, k).is_err() {
                return Err(singular());
            }
            cholesky_solve(&h, k, &mut step);
            let size = step.iter().fold(0.0f64, |m, s| m.max(s.abs()));
            let mut t = 1.0;
            let mut candidate: Vec<f64>;
            loop {
                candidate = beta.iter().zip(&step).map(|(b, s)| b + t * s).collect();
                let value = problem.objective(&candidate).1;
                if value >= objective - 1e-12 * objective.abs() || t < 1e-10 {
                    objective = value;
                    break;
                }
                t *= 0.5;
            }
            beta = candidate;
            if size * t < self.tolerance {
                converged = true;
                break;
            }
        }
        if beta.iter().any(|b| !b.is_finite()) {
            return Err(singular());
        }
        let (_, mut h) = problem.derivatives(&beta);
        if cholesky(&mut h, k).is_err() {
            return Err(singular());
        }
        let inv = cholesky_inverse(&h, k);
        Ok(LogisticModel {
            intercept: beta[0],
            coefficients: beta[1..].to_vec(),
            standard_errors: (0..k).map(|j| inv[j * k + j].sqrt()).collect(),
            iterations,
            converged,
            log_likelihood: problem.objective(&beta).0,
        })
    }
}

impl Learner for LogisticOptions {
    type Model = LogisticModel;

    fn fit(&self, data: &TrainingSet, _seed: u64) -> Result<LogisticModel, Error> {
        LogisticOptions::fit(self, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_binary_feature_matches_the_closed_form() {
        // 2 × 2 table: x = 0: 3 positives of 10; x = 1: 6 of 8. The MLE is the empirical
        // log-odds, and se² are the sums of reciprocal counts (Agresti 2013, §3.1).
        let mut x = vec![];
        let mut l = vec![];
        for (xv, pos, n) in [(0.0, 3, 10), (1.0, 6, 8)] {
            for i in 0..n {
                x.push(xv);
                l.push(i < pos);
            }
        }
        let n = l.len();
        let data = TrainingSet::new(1, x, l, vec![0.0; n], vec![0.0; n]).unwrap();
        let m = LogisticOptions::default().fit(&data).unwrap();
        let b0 = (3.0f64 / 7.0).ln();
        let b1 = (6.0f64 / 2.0).ln() - b0;
        assert!((m.intercept - b0).abs() < 1e-12);
        assert!((m.coefficients[0] - b1).abs() < 1e-12);
        let se0 = (1.0f64 / 3.0 + 1.0 / 7.0).sqrt();
        let se1 = (1.0f64 / 3.0 + 1.0 / 7.0 + 1.0 / 6.0 + 1.0 / 2.0).sqrt();
        assert!((m.standard_errors[0] - se0).abs() < 1e-10);
        assert!((m.standard_errors[1] - se1).abs() < 1e-10);
        assert!(m.converged);
        // Contributions: β1·x in log-odds; the intercept plus them is the log-odds.
        let mut c = [0.0];
        m.contributions(&[1.0], &mut c);
        assert_eq!(c[0], m.coefficients[0]);
        assert!((m.intercept + c[0] - (6.0f64 / 2.0).ln()).abs() < 1e-12);
        let back: LogisticModel =
            serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn separation_is_an_error_unless_penalised() {
        let data = TrainingSet::new(
            1,
            vec![0.0, 1.0, 2.0, 3.0],
            vec![false, false, true, true],
            vec![0.0; 4],
            vec![0.0; 4],
        )
        .unwrap();
        let r = LogisticOptions::default().fit(&data);
        assert!(
            matches!(
                r,
                Err(Error::InvalidOption {
                    name: "l2_penalty",
                    ..
                })
            ) || !r.unwrap().converged
        );
        let m = LogisticOptions {
            l2_penalty: 1.0,
            ..Default::default()
        }
        .fit(&data)
        .unwrap();
        assert!(m.converged && m.coefficients[0] > 0.0);
    }
}
