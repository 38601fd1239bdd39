//! Monte Carlo of undiscovered resources per permissive tract and in total (USGS three-part
//! method: Singer & Menzie 2010; Ellefsen 2017, MapMark4).
//!
//! In each trial and tract the number of undiscovered deposits N is drawn from the tract's
//! pmf and N deposits from its grade–tonnage model; their ore and contained commodities are
//! summed. Tracts are independent. Quantiles are reported as in USGS assessments, by
//! probability of exceedance: F95 is the amount exceeded with 95 % probability, F5 the
//! amount exceeded with 5 % probability.
//!
//! Each tract's trials are split into blocks of [`BLOCK_TRIALS`]; block b of tract t draws
//! from its own stream (master seed, t, b), so results are the same bytes for the same
//! inputs, options and seed, whatever the number of threads.
//!
//! Beside the simulated moments the compound-sum identities are reported:
//! E\[T\] = E\[N\]·μ and Cov\[T\] = E\[N\]·Σ + Var\[N\]·μμᵀ, with μ, Σ the mean and covariance of one
//! deposit's (ore, contained …) vector. For ore tonnage μ and Σ₀₀ are in closed form
//! (log-normal); the other entries of μ and Σ are the sample moments of all deposits drawn.

use nedra_core::random::Stream;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::Error;
use crate::grade_tonnage::{DepositSampler, GradeTonnageModel};
use crate::pmf::DepositCountPmf;

/// Trials per random-stream block.
pub const BLOCK_TRIALS: usize = 16_384;

/// The largest number of trials accepted.
pub const MAX_TRIALS: usize = 100_000_000;

/// A permissive tract: its pmf of undiscovered deposits and its grade–tonnage model.
#[derive(Debug, Clone)]
pub struct Tract {
    /// Tract identifier.
    pub name: String,
    /// Number of undiscovered deposits.
    pub deposits: DepositCountPmf,
    /// Grade–tonnage model of the deposit type.
    pub model: GradeTonnageModel,
}

/// Options of the simulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SimulationOptions {
    /// Number of trials (default 20 000).
    pub trials: usize,
    /// Master seed (default 2026).
    pub seed: u64,
    /// Probabilities of exceedance at which quantiles are reported (default 0.95, 0.90, …,
    /// 0.05, i.e. F95 … F5).
    pub exceedance_probabilities: Vec<f64>,
}

impl Default for SimulationOptions {
    fn default() -> Self {
        SimulationOptions {
            trials: 20_000,
            seed: 2026,
            exceedance_probabilities: (1..=19).rev().map(|i| i as f64 / 20.0).collect(),
        }
    }
}

impl SimulationOptions {
    /// The options with another number of trials.
    pub fn with_trials(mut self, trials: usize) -> Self {
        self.trials = trials;
        self
    }

    /// The options with other probabilities of exceedance for the quantiles.
    pub fn with_exceedance_probabilities(mut self, probabilities: Vec<f64>) -> Self {
        self.exceedance_probabilities = probabilities;
        self
    }

    /// The options with another master seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

/// One quantile by probability of exceedance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExceedanceQuantile {
    /// USGS label, e.g. "F90" (exceeded with 90 % probability).
    pub label: String,
    /// Probability of exceedance.
    pub probability_of_exceedance: f64,
    /// The amount (Mt).
    pub value: f64,
}

/// Summary of one quantity (ore or a contained commodity) in a tract or in total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantitySummary {
    /// Quantity name, e.g. "ore_mt" or "TREO_mt".
    pub name: String,
    /// Simulated mean (Mt).
    pub mean: f64,
    /// Simulated standard deviation (Mt).
    pub sd: f64,
    /// Standard error of the simulated mean (Mt).
    pub mean_standard_error: f64,
    /// Analytic mean E\[N\]·μ (Mt).
    pub analytic_mean: f64,
    /// Analytic standard deviation from Cov\[T\] (Mt).
    pub analytic_sd: f64,
    /// Quantiles by probability of exceedance (F95 … F5); sample quantiles with linear
    /// interpolation (Hyndman & Fan 1996, type 7) at non-exceedance 1 − p.
    pub quantiles: Vec<ExceedanceQuantile>,
}

/// The compound-sum moments of a tract or the total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalyticMoments {
    /// E\[N\].
    pub expected_deposits: f64,
    /// Var\[N\].
    pub variance_deposits: f64,
    /// μ: mean of one deposit's (ore, contained …) in Mt (per tract; empty for the total).
    pub per_deposit_mean: Vec<f64>,
    /// Σ: covariance of one deposit's vector in Mt² (per tract; empty for the total).
    pub per_deposit_covariance: Vec<Vec<f64>>,
    /// E\[T\] = E\[N\]·μ (summed over tracts for the total).
    pub mean: Vec<f64>,
    /// Cov\[T\] = E\[N\]·Σ + Var\[N\]·μμᵀ (summed over independent tracts for the total).
    pub covariance: Vec<Vec<f64>>,
}

/// Results for one tract or for the total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceSummary {
    /// Tract identifier, or "total".
    pub name: String,
    /// Fraction of trials with no deposit (so no resource).
    pub probability_of_zero: f64,
    /// One summary per quantity.
    pub quantities: Vec<QuantitySummary>,
    /// Simulated covariance of the quantities (Mt², divisor n − 1).
    pub simulated_covariance: Vec<Vec<f64>>,
    /// Monte Carlo standard error of each simulated covariance entry (Mt²): the standard
    /// deviation of the products (x − x̄)(y − ȳ) over trials, divided by √n.
    pub simulated_covariance_standard_error: Vec<Vec<f64>>,
    /// The analytic moments beside them.
    pub analytic: AnalyticMoments,
}

/// The results of an assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentResult {
    /// The quantile convention, stated once.
    pub quantile_convention: String,
    /// Trials run.
    pub trials: usize,
    /// Master seed.
    pub seed: u64,
    /// Quantity names, e.g. ["ore_mt", "TREO_mt", "Nb2O5_mt"].
    pub quantity_names: Vec<String>,
    /// Per tract.
    pub tracts: Vec<ResourceSummary>,
    /// All tracts together.
    pub total: ResourceSummary,
}

/// Simulated totals of one tract: `values[trial * q + j]` and deposit-level sums.
struct TractDraws {
    values: Vec<f64>,
    deposit_count: f64,
    deposit_sum: Vec<f64>,
    deposit_cross: Vec<f64>,
}

fn simulate_tract(
    sampler: &DepositSampler,
    pmf: &DepositCountPmf,
    tract_index: usize,
    options: &SimulationOptions,
) -> TractDraws {
    let q = sampler.quantity_count();
    let trials = options.trials;
    let blocks = trials.div_ceil(BLOCK_TRIALS);
    let parts: Vec<TractDraws> = (0..blocks)
        .into_par_iter()
        .map(|block| {
            let mut rng = Stream::for_substream(options.seed, tract_index as u64, block as u64);
            let start = block * BLOCK_TRIALS;
            let end = (start + BLOCK_TRIALS).min(trials);
            let mut values = vec![0.0; (end - start) * q];
            let mut one = vec![0.0; q];
            let mut scratch = vec![0.0; sampler.scratch_len()];
            let mut count = 0.0;
            let mut sum = vec![0.0; q];
            let mut cross = vec![0.0; q * q];
            for t in 0..end - start {
                let n = pmf.sample(&mut rng);
                let row = &mut values[t * q..(t + 1) * q];
                for _ in 0..n {
                    sampler.draw(&mut rng, &mut one, &mut scratch);
                    count += 1.0;
                    for a in 0..q {
                        row[a] += one[a];
                        sum[a] += one[a];
                        for b in 0..q {
                            cross[a * q + b] += one[a] * one[b];
                        }
                    }
                }
            }
            TractDraws {
                values,
                deposit_count: count,
                deposit_sum: sum,
                deposit_cross: cross,
            }
        })
        .collect();
    let mut draws = TractDraws {
        values: Vec::with_capacity(trials * q),
        deposit_count: 0.0,
        deposit_sum: vec![0.0; q],
        deposit_cross: vec![0.0; q * q],
    };
    for part in parts {
        draws.values.extend(part.values);
        draws.deposit_count += part.deposit_count;
        for (a, b) in draws.deposit_sum.iter_mut().zip(part.deposit_sum) {
            *a += b;
        }
        for (a, b) in draws.deposit_cross.iter_mut().zip(part.deposit_cross) {
            *a += b;
        }
    }
    draws
}

fn label(p: f64) -> String {
    format!("F{}", (p * 100.0).round() as i64)
}

/// Type-7 sample quantile of sorted data at non-exceedance probability `p`.
fn sorted_quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn summarise(
    name: &str,
    values: &[f64],
    q: usize,
    names: &[String],
    analytic: AnalyticMoments,
    options: &SimulationOptions,
) -> ResourceSummary {
    let trials = values.len() / q;
    let n = trials as f64;
    let mean: Vec<f64> = (0..q)
        .map(|j| values.iter().skip(j).step_by(q).sum::<f64>() / n)
        .collect();
    let mut covariance = vec![vec![0.0; q]; q];
    for row in values.chunks_exact(q) {
        for a in 0..q {
            for b in 0..q {
                covariance[a][b] += (row[a] - mean[a]) * (row[b] - mean[b]);
            }
        }
    }
    let divisor = (n - 1.0).max(1.0);
    covariance
        .iter_mut()
        .for_each(|r| r.iter_mut().for_each(|v| *v /= divisor));
    let mut spread = vec![vec![0.0; q]; q];
    for row in values.chunks_exact(q) {
        for a in 0..q {
            for b in 0..q {
                let d = (row[a] - mean[a]) * (row[b] - mean[b]) - covariance[a][b];
                spread[a][b] += d * d;
            }
        }
    }
    let covariance_se: Vec<Vec<f64>> = spread
        .iter()
        .map(|r| r.iter().map(|v| (v / divisor / n).sqrt()).collect())
        .collect();
    let zero = values.chunks_exact(q).filter(|r| r[0] == 0.0).count() as f64 / n;
    let quantities = (0..q)
        .map(|j| {
            let mut column: Vec<f64> = values.iter().skip(j).step_by(q).copied().collect();
            column.sort_unstable_by(f64::total_cmp);
            let sd = covariance[j][j].sqrt();
            QuantitySummary {
                name: names[j].clone(),
                mean: mean[j],
                sd,
                mean_standard_error: sd / n.sqrt(),
                analytic_mean: analytic.mean[j],
                analytic_sd: analytic.covariance[j][j].sqrt(),
                quantiles: options
                    .exceedance_probabilities
                    .iter()
                    .map(|&p| ExceedanceQuantile {
                        label: label(p),
                        probability_of_exceedance: p,
                        value: sorted_quantile(&column, 1.0 - p),
                    })
                    .collect(),
            }
        })
        .collect();
    ResourceSummary {
        name: name.to_string(),
        probability_of_zero: zero,
        quantities,
        simulated_covariance: covariance,
        simulated_covariance_standard_error: covariance_se,
        analytic,
    }
}

/// Runs the Monte Carlo over tracts and totals.
///
/// # Errors
/// [`Error::Limit`] for no tracts, zero trials, more than [`MAX_TRIALS`], or exceedance
/// probabilities outside [0, 1]; [`Error::CommodityMismatch`] when tracts' models report
/// different commodities; the errors of [`GradeTonnageModel::sampler`].
pub fn simulate_assessment(
    tracts: &[Tract],
    options: &SimulationOptions,
) -> Result<AssessmentResult, Error> {
    if tracts.is_empty() {
        return Err(Error::Limit {
            what: "number of tracts",
            value: 0.0,
            limit: "at least one",
        });
    }
    if options.trials < 2 || options.trials > MAX_TRIALS {
        return Err(Error::Limit {
            what: "trials",
            value: options.trials as f64,
            limit: "2 to 100000000",
        });
    }
    if let Some(&p) = options
        .exceedance_probabilities
        .iter()
        .find(|p| !(0.0..=1.0).contains(*p))
    {
        return Err(Error::Limit {
            what: "probability of exceedance",
            value: p,
            limit: "0 to 1",
        });
    }
    let commodities = tracts[0].model.grade_names.clone();
    for tract in tracts {
        if tract.model.grade_names != commodities {
            return Err(Error::CommodityMismatch {
                tract: tract.name.clone(),
                expected: commodities,
                found: tract.model.grade_names.clone(),
            });
        }
    }
    let mut names = vec!["ore_mt".to_string()];
    names.extend(commodities.iter().map(|c| format!("{c}_mt")));
    let q = names.len();
    let mut total_values = vec![0.0; options.trials * q];
    let mut total_mean = vec![0.0; q];
    let mut total_cov = vec![vec![0.0; q]; q];
    let (mut total_en, mut total_varn) = (0.0, 0.0);
    let mut summaries = Vec::with_capacity(tracts.len());
    for (index, tract) in tracts.iter().enumerate() {
        let sampler = tract.model.sampler()?;
        let draws = simulate_tract(&sampler, &tract.deposits, index, options);
        // Per-deposit moments: closed form for ore, sample moments of the deposits drawn
        // for the rest.
        let m = draws.deposit_count.max(1.0);
        let mut mu: Vec<f64> = draws.deposit_sum.iter().map(|s| s / m).collect();
        let mut sigma: Vec<Vec<f64>> = (0..q)
            .map(|a| {
                (0..q)
                    .map(|b| draws.deposit_cross[a * q + b] / m - mu[a] * mu[b])
                    .collect()
            })
            .collect();
        let (ore_mean, ore_var) = sampler.ore_tonnage_moments();
        mu[0] = ore_mean;
        sigma[0][0] = ore_var;
        let en = tract.deposits.mean();
        let varn = tract.deposits.variance();
        let mean: Vec<f64> = mu.iter().map(|m| en * m).collect();
        let covariance: Vec<Vec<f64>> = (0..q)
            .map(|a| {
                (0..q)
                    .map(|b| en * sigma[a][b] + varn * mu[a] * mu[b])
                    .collect()
            })
            .collect();
        total_en += en;
        total_varn += varn;
        for a in 0..q {
            total_mean[a] += mean[a];
            for b in 0..q {
                total_cov[a][b] += covariance[a][b];
            }
        }
        total_values
            .iter_mut()
            .zip(&draws.values)
            .for_each(|(t, v)| *t += v);
        let analytic = AnalyticMoments {
            expected_deposits: en,
            variance_deposits: varn,
            per_deposit_mean: mu,
            per_deposit_covariance: sigma,
            mean,
            covariance,
        };
        summaries.push(summarise(
            &tract.name,
            &draws.values,
            q,
            &names,
            analytic,
            options,
        ));
    }
    let total_analytic = AnalyticMoments {
        expected_deposits: total_en,
        variance_deposits: total_varn,
        per_deposit_mean: vec![],
        per_deposit_covariance: vec![],
        mean: total_mean,
        covariance: total_cov,
    };
    let total = summarise("total", &total_values, q, &names, total_analytic, options);
    Ok(AssessmentResult {
        quantile_convention: "USGS: Fp is the amount exceeded with probability p \
                              (F95 low, F5 high); amounts in Mt"
            .to_string(),
        trials: options.trials,
        seed: options.seed,
        quantity_names: names,
        tracts: summaries,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elicitation::{fit_negative_binomial, ExpertEstimate};
    use crate::grade_tonnage::FittedParameters;

    fn model() -> GradeTonnageModel {
        GradeTonnageModel {
            name: "test".into(),
            source: "test model, parameters chosen for a stable variance estimate".into(),
            grade_names: vec!["TREO".into()],
            deposits: vec![],
            fitted: Some(FittedParameters {
                log10_tonnage_mt_mean: 1.0,
                log10_tonnage_mt_sd: 0.25,
                ilr_mean: vec![-2.5],
                ilr_covariance: vec![vec![0.09]],
                tonnage_ilr_covariance: vec![-0.02],
            }),
            correlate_tonnage_and_grades: true,
        }
    }

    fn tracts() -> Vec<Tract> {
        let a = fit_negative_binomial(&[ExpertEstimate::new("a", 1, 3, 8)], &Default::default())
            .unwrap()
            .pmf;
        let b = crate::elicitation::mark3_pmf(&crate::elicitation::Mark3Estimates {
            n90: 0,
            n50: 1,
            n10: 3,
            n05_n01: None,
        })
        .unwrap();
        vec![
            Tract {
                name: "A".into(),
                deposits: a,
                model: model(),
            },
            Tract {
                name: "B".into(),
                deposits: b,
                model: model(),
            },
        ]
    }

    /// Simulated mean and covariance of total tonnage agree with E\[T\] = E\[N\]·μ and
    /// Cov\[T\] = E\[N\]·Σ + Var\[N\]·μμᵀ within 4 Monte Carlo standard errors at 20 000 trials.
    #[test]
    fn simulated_moments_match_the_compound_sum_identities() {
        let options = SimulationOptions::default()
            .with_trials(20_000)
            .with_seed(11);
        let result = simulate_assessment(&tracts(), &options).unwrap();
        let n = options.trials as f64;
        for summary in result.tracts.iter().chain([&result.total]) {
            for qs in &summary.quantities {
                let se = qs.sd / n.sqrt();
                assert!(
                    (qs.mean - qs.analytic_mean).abs() < 4.0 * se,
                    "{} {}: {} vs {} (se {})",
                    summary.name,
                    qs.name,
                    qs.mean,
                    qs.analytic_mean,
                    se
                );
            }
        }
        // Covariance entries, each against its own Monte Carlo standard error.
        let total = &result.total;
        for a in 0..2 {
            for b in 0..2 {
                let sim = total.simulated_covariance[a][b];
                let ana = total.analytic.covariance[a][b];
                let se = total.simulated_covariance_standard_error[a][b];
                assert!(
                    (sim - ana).abs() < 4.0 * se,
                    "cov[{a}][{b}] {sim} vs {ana} (se {se})"
                );
            }
        }
        // Ore tonnage uses the closed-form log-normal moments: check the per-deposit mean.
        let mu = &result.tracts[0].analytic.per_deposit_mean;
        let expected = 10.0 * (0.5 * (0.25f64 * std::f64::consts::LN_10).powi(2)).exp();
        assert!((mu[0] - expected).abs() < 1e-9);
        // Probability of zero matches the pmfs: P(N_A = 0)·P(N_B = 0).
        let tr = tracts();
        let p0 = tr[0].deposits.probability(0) * tr[1].deposits.probability(0);
        let se = (p0 * (1.0 - p0) / n).sqrt();
        assert!((total.probability_of_zero - p0).abs() < 4.0 * se + 1e-12);
    }

    #[test]
    fn same_seed_same_result_different_seed_different() {
        let options = SimulationOptions::default().with_trials(3_000).with_seed(5);
        let a = simulate_assessment(&tracts(), &options).unwrap();
        let b = simulate_assessment(&tracts(), &options).unwrap();
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        let c = simulate_assessment(&tracts(), &options.clone().with_seed(6)).unwrap();
        assert_ne!(a.total.quantities[0].mean, c.total.quantities[0].mean);
    }

    #[test]
    fn quantiles_are_ordered_by_exceedance() {
        let result =
            simulate_assessment(&tracts(), &SimulationOptions::default().with_trials(5_000))
                .unwrap();
        for q in &result.total.quantities {
            assert_eq!(q.quantiles[0].label, "F95");
            assert_eq!(q.quantiles.last().unwrap().label, "F5");
            assert!(q.quantiles.windows(2).all(|w| w[0].value <= w[1].value));
        }
    }

    #[test]
    fn mismatched_commodities_are_an_error() {
        let mut t = tracts();
        t[1].model.grade_names = vec!["Cu".into()];
        assert!(matches!(
            simulate_assessment(&t, &SimulationOptions::default()),
            Err(Error::CommodityMismatch { .. })
        ));
    }
}
