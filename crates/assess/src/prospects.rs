//! Prospect evaluation: distributions as written in a file, per-prospect chance of
//! geological success and in-place volumes, and the portfolio with shared play risk and
//! expected monetary value.
//!
//! Each prospect's volumetric Monte Carlo draws from its own stream: prospect `i` uses the
//! seed `stream_seed(master seed, i)` (then one sub-stream per input and block, see
//! [`Volumetrics::simulate`]), so adding a prospect at the end does not change the others.

use nedra_core::random::stream_seed;
use serde::{Deserialize, Serialize};

use crate::error::{check_chance, Error};
use crate::petroleum::{
    aggregate_portfolio, expected_monetary_value, Distribution, ElementChances, Fluid, Play,
    Prospect, VolumeSummary, Volumetrics,
};

/// A distribution as written in an input file (`kind = "..."`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DistributionSpec {
    /// A known value.
    Fixed {
        /// The value.
        value: f64,
    },
    /// Triangular on [min, max] with the given mode.
    Triangular {
        /// Smallest value.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Largest value.
        max: f64,
    },
    /// PERT on [min, max] with the given mode.
    Pert {
        /// Smallest value.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Largest value.
        max: f64,
    },
    /// Log-normal from its P90 (exceeded with 90 % probability) and P10, PRMS convention.
    LogNormal {
        /// Low estimate, exceeded with 90 % probability.
        p90: f64,
        /// High estimate, exceeded with 10 % probability.
        p10: f64,
    },
    /// Log-normal from the mean and standard deviation of ln X.
    LogNormalParameters {
        /// Mean of ln X.
        mu: f64,
        /// Standard deviation of ln X.
        sigma: f64,
    },
}

impl DistributionSpec {
    /// The sampling distribution.
    ///
    /// # Errors
    /// For a log-normal from P90/P10: [`Error::QuantilesOutOfOrder`] when P90 > P10,
    /// [`Error::OutOfRange`] when P90 ≤ 0.
    pub fn to_distribution(&self, quantity: &str) -> Result<Distribution, Error> {
        Ok(match *self {
            DistributionSpec::Fixed { value } => Distribution::Fixed { value },
            DistributionSpec::Triangular { min, mode, max } => {
                Distribution::Triangular { min, mode, max }
            }
            DistributionSpec::Pert { min, mode, max } => Distribution::Pert { min, mode, max },
            DistributionSpec::LogNormal { p90, p10 } => {
                Distribution::log_normal_from_p90_p10(quantity, p90, p10)?
            }
            DistributionSpec::LogNormalParameters { mu, sigma } => {
                Distribution::LogNormal { mu, sigma }
            }
        })
    }
}

/// Simple economics of a prospect, money in one currency unit throughout.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Economics {
    /// Cost of a dry hole (positive number).
    pub dry_hole_cost: f64,
    /// Net present value if the prospect is a discovery. When absent it is computed as
    /// mean in-place volume × `recovery_factor` × `value_per_unit` − `development_cost`.
    #[serde(default)]
    pub npv_success: Option<f64>,
    /// Recovery factor (fraction of in-place volume produced, 0–1).
    #[serde(default)]
    pub recovery_factor: Option<f64>,
    /// Net present value per 10⁶ sm³ recovered.
    #[serde(default)]
    pub value_per_unit: Option<f64>,
    /// Development cost of a discovery (default 0).
    #[serde(default)]
    pub development_cost: f64,
}

impl Economics {
    /// NPV of a discovery whose mean in-place volume is `mean_volume` (10⁶ sm³).
    ///
    /// # Errors
    /// [`Error::OutOfRange`] when neither `npv_success` nor both `recovery_factor` and
    /// `value_per_unit` are given, or the recovery factor is outside [0, 1].
    pub fn npv_success(&self, mean_volume: f64) -> Result<f64, Error> {
        if let Some(npv) = self.npv_success {
            return Ok(npv);
        }
        match (self.recovery_factor, self.value_per_unit) {
            (Some(rf), Some(value)) => {
                if !(0.0..=1.0).contains(&rf) {
                    return Err(Error::OutOfRange {
                        quantity: "recovery_factor".into(),
                        value: rf,
                        allowed: "[0, 1] (a fraction)",
                    });
                }
                Ok(mean_volume * rf * value - self.development_cost)
            }
            _ => Err(Error::OutOfRange {
                quantity: "economics".into(),
                value: f64::NAN,
                allowed: "either npv_success, or recovery_factor and value_per_unit",
            }),
        }
    }
}

/// A play: the element chances shared by its prospects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlayInput {
    /// Play name.
    pub name: String,
    /// Shared element chances; their product is the play chance.
    pub shared: ElementChances,
}

/// A prospect to evaluate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProspectInput {
    /// Prospect name.
    pub name: String,
    /// The play it belongs to (`None`: no shared risk, independent of every other prospect).
    pub play: Option<String>,
    /// Element chances given that the play works.
    pub conditional: ElementChances,
    /// Volumetric inputs.
    pub volumetrics: Volumetrics,
    /// Economics for the EMV (optional).
    pub economics: Option<Economics>,
}

/// One evaluated prospect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProspectResult {
    /// Prospect name.
    pub name: String,
    /// Play name, if any.
    pub play: Option<String>,
    /// P_play: product of the play's shared chances (1 without a play).
    pub play_chance: f64,
    /// P_prospect|play: product of the prospect's conditional chances.
    pub conditional_chance: f64,
    /// Pg = P_play × P_prospect|play.
    pub chance_of_success: f64,
    /// `"oil"` or `"gas"`.
    pub fluid: String,
    /// In-place volume given a discovery (STOIIP or GIIP), PRMS P90/P50/P10, mean.
    pub volume: VolumeSummary,
    /// Pg × mean in-place volume (10⁶ sm³).
    pub risked_mean_volume: f64,
    /// NPV of a discovery (with economics).
    pub npv_success: Option<f64>,
    /// EMV = Pg · NPV − (1 − Pg) · dry-hole cost (with economics).
    pub expected_monetary_value: Option<f64>,
}

/// The portfolio of all prospects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioResult {
    /// How dependence is modelled.
    pub dependence: String,
    /// P(at least one discovery).
    pub probability_at_least_one_discovery: f64,
    /// Σ Pg.
    pub expected_discoveries: f64,
    /// Σ Pg × mean STOIIP over oil prospects (10⁶ sm³).
    pub risked_mean_stoiip: f64,
    /// Σ Pg × mean GIIP over gas prospects (10⁶ sm³).
    pub risked_mean_giip: f64,
    /// Σ EMV over the prospects with economics (EMV is additive); `None` when none has.
    pub expected_monetary_value: Option<f64>,
    /// Prospects with economics / all prospects.
    pub prospects_with_economics: usize,
}

/// Everything `prospects.json` reports about prospects and the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProspectsReport {
    /// Quantile convention, named.
    pub convention: String,
    /// Trials per prospect.
    pub trials: usize,
    /// Master seed.
    pub seed: u64,
    /// Each prospect.
    pub prospects: Vec<ProspectResult>,
    /// The portfolio.
    pub portfolio: PortfolioResult,
}

/// Evaluates prospects and their portfolio: Pg = P_play × P_prospect|play, in-place volume
/// by Monte Carlo (`trials`, prospect `i` on stream `stream_seed(seed, i)`), risked mean
/// Pg × mean, EMV, and the portfolio by [`aggregate_portfolio`] (plays independent,
/// prospects independent given their play works).
///
/// # Errors
/// [`Error::ChanceOutOfRange`], the errors of [`Volumetrics::simulate`] and
/// [`Economics::npv_success`], [`expected_monetary_value`]; [`Error::InvalidModel`] for a
/// prospect naming an unknown play, or no prospects.
pub fn evaluate_prospects(
    plays: &[PlayInput],
    prospects: &[ProspectInput],
    trials: usize,
    seed: u64,
) -> Result<ProspectsReport, Error> {
    if prospects.is_empty() {
        return Err(Error::Limit {
            what: "number of prospects",
            value: 0.0,
            limit: "at least one",
        });
    }
    let mut results = Vec::with_capacity(prospects.len());
    for (index, p) in prospects.iter().enumerate() {
        let shared = match &p.play {
            Some(name) => {
                plays
                    .iter()
                    .find(|play| &play.name == name)
                    .ok_or_else(|| Error::InvalidModel {
                        model: p.name.clone(),
                        detail: format!("prospect names play {name:?}, which is not defined"),
                    })?
                    .shared
            }
            None => ElementChances::CERTAIN,
        };
        let play_chance = shared.chance()?;
        let conditional_chance = p.conditional.chance()?;
        let pg = check_chance(
            "chance of geological success",
            play_chance * conditional_chance,
        )?;
        let volume = p
            .volumetrics
            .simulate(trials, stream_seed(seed, index as u64))?;
        let (npv, emv) = match &p.economics {
            Some(e) => {
                let npv = e.npv_success(volume.mean)?;
                (
                    Some(npv),
                    Some(expected_monetary_value(pg, npv, e.dry_hole_cost)?),
                )
            }
            None => (None, None),
        };
        results.push(ProspectResult {
            name: p.name.clone(),
            play: p.play.clone(),
            play_chance,
            conditional_chance,
            chance_of_success: pg,
            fluid: match p.volumetrics.fluid {
                Fluid::Oil { .. } => "oil".into(),
                Fluid::Gas { .. } => "gas".into(),
            },
            risked_mean_volume: pg * volume.mean,
            volume,
            npv_success: npv,
            expected_monetary_value: emv,
        });
    }
    // Plays in order of first use; prospects without a play stand alone.
    let portfolio_of = |fluid: &str| -> Result<crate::petroleum::PortfolioSummary, Error> {
        let mut in_plays: Vec<Play> = vec![];
        let mut alone: Vec<Play> = vec![];
        for (p, r) in prospects.iter().zip(&results) {
            let prospect = Prospect {
                name: p.name.clone(),
                conditional_chances: p.conditional,
                mean_success_volume: if r.fluid == fluid { r.volume.mean } else { 0.0 },
            };
            let Some(name) = &p.play else {
                alone.push(Play::independent(prospect));
                continue;
            };
            match in_plays.iter_mut().find(|g| &g.name == name) {
                Some(g) => g.prospects.push(prospect),
                None => {
                    let shared = plays
                        .iter()
                        .find(|play| &play.name == name)
                        .expect("plays checked above")
                        .shared;
                    in_plays.push(Play {
                        name: name.clone(),
                        shared_chances: shared,
                        prospects: vec![prospect],
                    });
                }
            }
        }
        in_plays.extend(alone);
        aggregate_portfolio(&in_plays)
    };
    let oil = portfolio_of("oil")?;
    let gas = portfolio_of("gas")?;
    let with_economics: Vec<f64> = results
        .iter()
        .filter_map(|r| r.expected_monetary_value)
        .collect();
    Ok(ProspectsReport {
        convention: "PRMS (SPE 2018): P90 is exceeded with 90 % probability (low estimate), \
                     P10 with 10 % (high estimate); volumes in 10^6 sm3"
            .into(),
        trials,
        seed,
        portfolio: PortfolioResult {
            dependence: "prospects of one play share its play chance (all succeed or fail \
                         together on the shared elements) and are independent given that the \
                         play works; plays and prospects without a play are independent"
                .into(),
            probability_at_least_one_discovery: oil.probability_at_least_one_discovery,
            expected_discoveries: oil.expected_discoveries,
            risked_mean_stoiip: oil.risked_mean_volume,
            risked_mean_giip: gas.risked_mean_volume,
            prospects_with_economics: with_economics.len(),
            expected_monetary_value: (!with_economics.is_empty())
                .then(|| with_economics.iter().sum()),
        },
        prospects: results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(value: f64) -> Distribution {
        Distribution::Fixed { value }
    }

    fn volumetrics(grv: f64, gas: bool) -> Volumetrics {
        Volumetrics {
            gross_rock_volume_mm3: fixed(grv),
            net_to_gross: fixed(1.0),
            porosity: fixed(0.2),
            water_saturation: fixed(0.5),
            fluid: if gas {
                Fluid::Gas { bg: fixed(0.01) }
            } else {
                Fluid::Oil { bo: fixed(1.0) }
            },
        }
    }

    fn prospect(name: &str, play: Option<&str>, p: f64, grv: f64, gas: bool) -> ProspectInput {
        ProspectInput {
            name: name.into(),
            play: play.map(str::to_string),
            conditional: ElementChances {
                reservoir: p,
                ..ElementChances::CERTAIN
            },
            volumetrics: volumetrics(grv, gas),
            economics: None,
        }
    }

    #[test]
    fn portfolio_with_a_shared_play_matches_hand_values() {
        let plays = [PlayInput {
            name: "P".into(),
            shared: ElementChances {
                source: 0.8,
                seal: 0.75,
                ..ElementChances::CERTAIN
            },
        }];
        let mut a = prospect("a", Some("P"), 0.2, 100.0, false);
        a.economics = Some(Economics {
            dry_hole_cost: 20.0,
            npv_success: Some(150.0),
            recovery_factor: None,
            value_per_unit: None,
            development_cost: 0.0,
        });
        let mut c = prospect("c", None, 0.5, 10.0, true);
        c.economics = Some(Economics {
            dry_hole_cost: 10.0,
            npv_success: None,
            recovery_factor: Some(0.5),
            value_per_unit: Some(0.1),
            development_cost: 1.0,
        });
        let prospects = [a, prospect("b", Some("P"), 0.3, 200.0, false), c];
        let r = evaluate_prospects(&plays, &prospects, 10, 1).unwrap();
        // Pg: 0.6·0.2, 0.6·0.3, 0.5.
        assert!((r.prospects[0].chance_of_success - 0.12).abs() < 1e-15);
        assert!((r.prospects[1].chance_of_success - 0.18).abs() < 1e-15);
        assert!((r.prospects[2].play_chance - 1.0).abs() < 1e-15);
        // P(≥1) = 1 − [(1 − 0.6) + 0.6·0.8·0.7]·(1 − 0.5) = 1 − 0.736·0.5 = 0.632.
        assert!((r.portfolio.probability_at_least_one_discovery - 0.632).abs() < 1e-14);
        // STOIIP a: 100·0.2·0.5 = 10, b: 20; risked 0.12·10 + 0.18·20 = 4.8.
        assert!((r.portfolio.risked_mean_stoiip - 4.8).abs() < 1e-12);
        // GIIP c: 10·0.2·0.5/0.01 = 100; risked 50.
        assert!((r.portfolio.risked_mean_giip - 50.0).abs() < 1e-9);
        // EMV a: 0.12·150 − 0.88·20 = 0.4; c: NPV 100·0.5·0.1 − 1 = 4, EMV 0.5·4 − 0.5·10 = −3.
        assert!((r.prospects[0].expected_monetary_value.unwrap() - 0.4).abs() < 1e-12);
        assert!((r.prospects[2].npv_success.unwrap() - 4.0).abs() < 1e-9);
        assert!((r.portfolio.expected_monetary_value.unwrap() - (0.4 - 3.0)).abs() < 1e-9);
        assert_eq!(r.portfolio.prospects_with_economics, 2);
        assert!(r.convention.starts_with("PRMS"));
    }

    #[test]
    fn unknown_play_and_bad_chances_are_errors() {
        let err = evaluate_prospects(&[], &[prospect("a", Some("X"), 0.2, 1.0, false)], 10, 1)
            .unwrap_err();
        assert!(err.to_string().contains("\"X\""), "{err}");
        let err =
            evaluate_prospects(&[], &[prospect("a", None, 1.3, 1.0, false)], 10, 1).unwrap_err();
        assert!(matches!(err, Error::ChanceOutOfRange { .. }), "{err}");
        assert!(evaluate_prospects(&[], &[], 10, 1).is_err());
    }

    #[test]
    fn distribution_specs_read_from_json_and_convert() {
        let d: DistributionSpec =
            serde_json::from_str(r#"{"kind":"log_normal","p90":20,"p10":180}"#).unwrap();
        let ln = d.to_distribution("GRV").unwrap();
        assert!((ln.exceeded_with_probability(0.9).unwrap() - 20.0).abs() < 1e-10);
        let bad: DistributionSpec =
            serde_json::from_str(r#"{"kind":"log_normal","p90":200,"p10":180}"#).unwrap();
        assert!(matches!(
            bad.to_distribution("GRV"),
            Err(Error::QuantilesOutOfOrder { .. })
        ));
        assert!(serde_json::from_str::<DistributionSpec>(
            r#"{"kind":"triangular","min":0,"mode":1,"max":2,"extra":3}"#
        )
        .is_err());
    }
}
