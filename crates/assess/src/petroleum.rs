//! Petroleum prospect risking and volumetrics: input distributions, in-place volumes by
//! Monte Carlo, chance of geological success, portfolio aggregation through shared play
//! chance, and expected monetary value.
//!
//! Quantiles follow the PRMS convention (SPE 2018 Petroleum Resources Management System):
//! P90 is the volume exceeded with 90 % probability (the low estimate), P10 the volume
//! exceeded with 10 % probability (the high estimate).

use nedra_core::random::Stream;
use nedra_core::special::normal_quantile;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{check_chance, Error};

/// A distribution of an uncertain input.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Distribution {
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
    /// PERT (Malcolm et al. 1959; Vose 2008): a beta on [min, max] with shapes
    /// α = 1 + 4(mode − min)/(max − min), β = 1 + 4(max − mode)/(max − min);
    /// mean (min + 4·mode + max)/6.
    Pert {
        /// Smallest value.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Largest value.
        max: f64,
    },
    /// Log-normal: ln X ~ Normal(mu, sigma²); mean exp(μ + σ²/2).
    LogNormal {
        /// Mean of ln X.
        mu: f64,
        /// Standard deviation of ln X.
        sigma: f64,
    },
}

/// z such that P(Z > z) = 0.10, i.e. Φ⁻¹(0.9).
fn z90() -> f64 {
    normal_quantile(0.9)
}

impl Distribution {
    /// The log-normal whose P90 (exceeded with 90 % probability) and P10 (exceeded with
    /// 10 % probability) are the given values, exactly: μ = (ln P90 + ln P10)/2,
    /// σ = (ln P10 − ln P90)/(2 z₀.₉) with z₀.₉ = Φ⁻¹(0.9) ≈ 1.28155.
    ///
    /// # Errors
    /// [`Error::QuantilesOutOfOrder`] if P90 > P10; [`Error::OutOfRange`] if P90 ≤ 0.
    pub fn log_normal_from_p90_p10(quantity: &str, p90: f64, p10: f64) -> Result<Self, Error> {
        if !(p90 > 0.0 && p90.is_finite()) {
            return Err(Error::OutOfRange {
                quantity: quantity.to_string(),
                value: p90,
                allowed: "P90 > 0 for a log-normal",
            });
        }
        if !(p90 <= p10 && p10.is_finite()) {
            return Err(Error::QuantilesOutOfOrder {
                quantity: quantity.to_string(),
                low: p90,
                high: p10,
            });
        }
        Ok(Distribution::LogNormal {
            mu: 0.5 * (p90.ln() + p10.ln()),
            sigma: (p10.ln() - p90.ln()) / (2.0 * z90()),
        })
    }

    /// The smallest and largest possible values.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Distribution::Fixed { value } => (value, value),
            Distribution::Triangular { min, max, .. } | Distribution::Pert { min, max, .. } => {
                (min, max)
            }
            Distribution::LogNormal { .. } => (0.0, f64::INFINITY),
        }
    }

    /// Checks the parameters, and that the support lies in `allowed` (inclusive).
    ///
    /// # Errors
    /// [`Error::QuantilesOutOfOrder`] for min > mode or mode > max; [`Error::OutOfRange`]
    /// for non-finite values, σ < 0, or a support outside `allowed` (e.g. a negative
    /// porosity).
    pub fn validate(
        &self,
        quantity: &str,
        allowed: (f64, f64),
        allowed_text: &'static str,
    ) -> Result<(), Error> {
        let out = |value: f64| Error::OutOfRange {
            quantity: quantity.to_string(),
            value,
            allowed: allowed_text,
        };
        match *self {
            Distribution::Triangular { min, mode, max } | Distribution::Pert { min, mode, max } => {
                for v in [min, mode, max] {
                    if !v.is_finite() {
                        return Err(out(v));
                    }
                }
                if min > mode || mode > max {
                    return Err(Error::QuantilesOutOfOrder {
                        quantity: quantity.to_string(),
                        low: if min > mode { min } else { mode },
                        high: if min > mode { mode } else { max },
                    });
                }
            }
            Distribution::LogNormal { mu, sigma } => {
                if !(mu.is_finite() && sigma.is_finite() && sigma >= 0.0) {
                    return Err(out(sigma));
                }
            }
            Distribution::Fixed { value } => {
                if !value.is_finite() {
                    return Err(out(value));
                }
            }
        }
        let (low, high) = self.support();
        if low < allowed.0 {
            return Err(out(low));
        }
        if high > allowed.1 {
            return Err(out(high));
        }
        Ok(())
    }

    /// The mean.
    pub fn mean(&self) -> f64 {
        match *self {
            Distribution::Fixed { value } => value,
            Distribution::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Distribution::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
            Distribution::LogNormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp(),
        }
    }

    /// The value exceeded with probability `p` (PRMS: `p = 0.9` gives P90). Closed form for
    /// fixed, triangular and log-normal; `None` for PERT (use simulation).
    pub fn exceeded_with_probability(&self, p: f64) -> Option<f64> {
        let f = 1.0 - p;
        match *self {
            Distribution::Fixed { value } => Some(value),
            Distribution::Triangular { min, mode, max } => {
                if max == min {
                    return Some(min);
                }
                let c = (mode - min) / (max - min);
                Some(if f < c {
                    min + (f * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - f) * (max - min) * (max - mode)).sqrt()
                })
            }
            Distribution::LogNormal { mu, sigma } => Some((mu + sigma * normal_quantile(f)).exp()),
            Distribution::Pert { .. } => None,
        }
    }

    /// Draws a value.
    pub fn sample(&self, rng: &mut Stream) -> f64 {
        match *self {
            Distribution::Fixed { value } => value,
            Distribution::Triangular { min, mode, max } => {
                if max == min {
                    return min;
                }
                let u = rng.uniform();
                let c = (mode - min) / (max - min);
                if u < c {
                    min + (u * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - u) * (max - min) * (max - mode)).sqrt()
                }
            }
            Distribution::Pert { min, mode, max } => {
                if max == min {
                    return min;
                }
                let range = max - min;
                let a = 1.0 + 4.0 * (mode - min) / range;
                let b = 1.0 + 4.0 * (max - mode) / range;
                min + range * rng.beta(a, b)
            }
            Distribution::LogNormal { mu, sigma } => (mu + sigma * rng.normal()).exp(),
        }
    }
}

/// Which fluid, and its formation volume factor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "fluid", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fluid {
    /// Oil: stock-tank oil initially in place (STOIIP); Bo in reservoir m³ per stock-tank m³.
    Oil {
        /// Oil formation volume factor Bo (rm³/sm³, ≥ 1 typically).
        bo: Distribution,
    },
    /// Gas: gas initially in place (GIIP); Bg in reservoir m³ per standard m³.
    Gas {
        /// Gas formation volume factor Bg (rm³/sm³, ≪ 1 typically).
        bg: Distribution,
    },
}

/// Inputs of the volumetric equation
/// in-place = GRV × N/G × φ × (1 − Sw) / B (Bo for oil: STOIIP; Bg for gas: GIIP).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Volumetrics {
    /// Gross rock volume above the contact, in millions of m³ (10⁶ m³).
    pub gross_rock_volume_mm3: Distribution,
    /// Net-to-gross ratio (fraction, 0–1).
    pub net_to_gross: Distribution,
    /// Porosity (fraction, 0–1).
    pub porosity: Distribution,
    /// Water saturation Sw (fraction, 0–1).
    pub water_saturation: Distribution,
    /// Fluid and formation volume factor.
    pub fluid: Fluid,
}

/// PRMS summary of a simulated volume.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VolumeSummary {
    /// The quantile convention, named.
    pub convention: String,
    /// What the volume is (e.g. "STOIIP") and its unit.
    pub quantity: String,
    /// Exceeded with 90 % probability (low estimate).
    pub p90: f64,
    /// Exceeded with 50 % probability (best estimate, median).
    pub p50: f64,
    /// Exceeded with 10 % probability (high estimate).
    pub p10: f64,
    /// Mean.
    pub mean: f64,
    /// Standard deviation.
    pub sd: f64,
    /// Trials.
    pub trials: usize,
    /// Master seed.
    pub seed: u64,
}

impl Volumetrics {
    /// Checks every input: GRV ≥ 0; N/G, φ, Sw within [0, 1]; B > 0.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] (e.g. a negative porosity), [`Error::QuantilesOutOfOrder`].
    pub fn validate(&self) -> Result<(), Error> {
        let fraction = (0.0, 1.0);
        self.gross_rock_volume_mm3
            .validate("gross rock volume", (0.0, f64::INFINITY), "≥ 0")?;
        self.net_to_gross.validate(
            "net-to-gross",
            fraction,
            "[0, 1] (a fraction; use a bounded distribution)",
        )?;
        self.porosity.validate(
            "porosity",
            fraction,
            "[0, 1] (a fraction; use a bounded distribution)",
        )?;
        self.water_saturation.validate(
            "water saturation",
            fraction,
            "[0, 1] (a fraction; use a bounded distribution)",
        )?;
        let (name, b) = match &self.fluid {
            Fluid::Oil { bo } => ("Bo", bo),
            Fluid::Gas { bg } => ("Bg", bg),
        };
        b.validate(name, (0.0, f64::INFINITY), "> 0")?;
        let low = b.support().0;
        if low <= 0.0 && !matches!(b, Distribution::LogNormal { .. }) {
            return Err(Error::OutOfRange {
                quantity: name.to_string(),
                value: low,
                allowed: "> 0",
            });
        }
        Ok(())
    }

    /// The in-place volume for one set of input values (10⁶ m³ at standard conditions).
    pub fn in_place(grv: f64, ntg: f64, porosity: f64, sw: f64, b: f64) -> f64 {
        grv * ntg * porosity * (1.0 - sw) / b
    }

    /// Monte Carlo of the in-place volume (10⁶ sm³), inputs independent, each input drawing
    /// from its own stream (seed, input index), trials in blocks of 16 384 with their own
    /// sub-streams; quantiles are type-7 sample quantiles named by the PRMS convention.
    ///
    /// # Errors
    /// The errors of [`Volumetrics::validate`]; [`Error::Limit`] for fewer than 2 trials.
    pub fn simulate(&self, trials: usize, seed: u64) -> Result<VolumeSummary, Error> {
        self.validate()?;
        if !(2..=crate::simulation::MAX_TRIALS).contains(&trials) {
            return Err(Error::Limit {
                what: "trials",
                value: trials as f64,
                limit: "2 to 100000000",
            });
        }
        let (b, quantity) = match self.fluid {
            Fluid::Oil { bo } => (bo, "STOIIP, 10^6 sm3 (stock-tank)"),
            Fluid::Gas { bg } => (bg, "GIIP, 10^6 sm3 (standard)"),
        };
        let inputs = [
            self.gross_rock_volume_mm3,
            self.net_to_gross,
            self.porosity,
            self.water_saturation,
            b,
        ];
        const BLOCK: usize = 16_384;
        let blocks = trials.div_ceil(BLOCK);
        let mut values: Vec<f64> = (0..blocks)
            .into_par_iter()
            .flat_map_iter(|block| {
                let len = BLOCK.min(trials - block * BLOCK);
                let mut streams: Vec<Stream> = (0..inputs.len())
                    .map(|i| Stream::for_substream(seed, i as u64, block as u64))
                    .collect();
                (0..len)
                    .map(|_| {
                        let mut x = [0.0; 5];
                        for (i, d) in inputs.iter().enumerate() {
                            x[i] = d.sample(&mut streams[i]);
                        }
                        Self::in_place(x[0], x[1], x[2], x[3], x[4])
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        values.sort_unstable_by(f64::total_cmp);
        let quantile = |f: f64| {
            let h = (values.len() - 1) as f64 * f;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(values.len() - 1);
            values[lo] + (h - lo as f64) * (values[hi] - values[lo])
        };
        Ok(VolumeSummary {
            convention: "PRMS: P90 exceeded with 90 % probability (low), P10 with 10 % (high)"
                .to_string(),
            quantity: quantity.to_string(),
            p90: quantile(0.1),
            p50: quantile(0.5),
            p10: quantile(0.9),
            mean,
            sd,
            trials,
            seed,
        })
    }
}

/// Chances of the geological elements (each in [0, 1]); the chance of success is their
/// product (Rose 2001, *Risk Analysis and Management of Petroleum Exploration Ventures*).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ElementChances {
    /// Source rock (mature, effective).
    pub source: f64,
    /// Reservoir (presence and quality).
    pub reservoir: f64,
    /// Seal (top and lateral).
    pub seal: f64,
    /// Charge, trap and timing/migration.
    pub charge_trap: f64,
}

impl ElementChances {
    /// All elements certain (chance 1).
    pub const CERTAIN: ElementChances = ElementChances {
        source: 1.0,
        reservoir: 1.0,
        seal: 1.0,
        charge_trap: 1.0,
    };

    /// The product of the element chances.
    ///
    /// # Errors
    /// [`Error::ChanceOutOfRange`] naming the element outside [0, 1].
    pub fn chance(&self) -> Result<f64, Error> {
        Ok(check_chance("source", self.source)?
            * check_chance("reservoir", self.reservoir)?
            * check_chance("seal", self.seal)?
            * check_chance("charge/trap", self.charge_trap)?)
    }
}

/// A prospect in a play: its chance given that the play works, and its volume if it is a
/// discovery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prospect {
    /// Prospect name.
    pub name: String,
    /// Element chances of the prospect given that the shared play elements work.
    pub conditional_chances: ElementChances,
    /// Mean volume given a discovery (any unit, the same for all prospects).
    pub mean_success_volume: f64,
}

/// A play: the elements shared by its prospects (the play chance) and the prospects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Play {
    /// Play name.
    pub name: String,
    /// Shared (play-level) element chances; their product is the play chance.
    pub shared_chances: ElementChances,
    /// The prospects drilled in the play.
    pub prospects: Vec<Prospect>,
}

impl Play {
    /// A one-prospect play with no shared risk: the prospect is independent of all others.
    pub fn independent(prospect: Prospect) -> Self {
        Play {
            name: prospect.name.clone(),
            shared_chances: ElementChances::CERTAIN,
            prospects: vec![prospect],
        }
    }
}

/// Chance of geological success of a prospect: Pg = P_play × P_prospect|play.
///
/// # Errors
/// [`Error::ChanceOutOfRange`].
pub fn chance_of_success(
    shared: &ElementChances,
    conditional: &ElementChances,
) -> Result<f64, Error> {
    Ok(shared.chance()? * conditional.chance()?)
}

/// Portfolio results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioSummary {
    /// Probability of at least one discovery.
    pub probability_at_least_one_discovery: f64,
    /// Expected number of discoveries Σ Pg.
    pub expected_discoveries: f64,
    /// Risked mean volume Σ Pg × mean success volume.
    pub risked_mean_volume: f64,
    /// Each prospect's chance of geological success, by play then prospect.
    pub prospect_chances: Vec<(String, f64)>,
}

/// Aggregates prospects whose dependence comes only through shared play chance (plays
/// independent of one another; prospects independent given their play works):
/// P(no discovery) = Π_plays [(1 − P_play) + P_play · Π_i (1 − p_i|play)],
/// so one play gives P(≥ 1) = P_play · (1 − Π_i (1 − p_i|play)), and independent prospects
/// give 1 − Π_i (1 − p_i). The risked mean volume Σ P_play · p_i|play · V_i does not depend
/// on the dependence (Rose 2001; Delfiner 2000, SPE 65147).
///
/// # Errors
/// [`Error::ChanceOutOfRange`].
pub fn aggregate_portfolio(plays: &[Play]) -> Result<PortfolioSummary, Error> {
    let mut none = 1.0;
    let mut expected = 0.0;
    let mut risked = 0.0;
    let mut chances = vec![];
    for play in plays {
        let p_play = play.shared_chances.chance()?;
        let mut none_given_play = 1.0;
        for prospect in &play.prospects {
            let p = prospect.conditional_chances.chance()?;
            none_given_play *= 1.0 - p;
            expected += p_play * p;
            risked += p_play * p * prospect.mean_success_volume;
            chances.push((format!("{}/{}", play.name, prospect.name), p_play * p));
        }
        none *= (1.0 - p_play) + p_play * none_given_play;
    }
    Ok(PortfolioSummary {
        probability_at_least_one_discovery: 1.0 - none,
        expected_discoveries: expected,
        risked_mean_volume: risked,
        prospect_chances: chances,
    })
}

/// Expected monetary value of drilling a prospect:
/// EMV = Pg · NPV_success − (1 − Pg) · dry-hole cost (Rose 2001; Newendorp 1975).
/// Money in one currency unit throughout; the dry-hole cost is a positive number.
///
/// # Errors
/// [`Error::ChanceOutOfRange`] for Pg outside [0, 1]; [`Error::OutOfRange`] for a negative
/// or non-finite dry-hole cost or a non-finite NPV.
pub fn expected_monetary_value(
    chance_of_success: f64,
    npv_success: f64,
    dry_hole_cost: f64,
) -> Result<f64, Error> {
    let pg = check_chance("chance of geological success", chance_of_success)?;
    if !(dry_hole_cost >= 0.0 && dry_hole_cost.is_finite()) {
        return Err(Error::OutOfRange {
            quantity: "dry-hole cost".into(),
            value: dry_hole_cost,
            allowed: "≥ 0 (a cost, given as a positive number)",
        });
    }
    if !npv_success.is_finite() {
        return Err(Error::OutOfRange {
            quantity: "NPV of success".into(),
            value: npv_success,
            allowed: "a finite number",
        });
    }
    Ok(pg * npv_success - (1.0 - pg) * dry_hole_cost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fixed(value: f64) -> Distribution {
        Distribution::Fixed { value }
    }

    #[test]
    fn log_normal_from_p90_p10_reproduces_its_quantiles_and_mean() {
        let d = Distribution::log_normal_from_p90_p10("GRV", 20.0, 180.0).unwrap();
        assert!((d.exceeded_with_probability(0.9).unwrap() - 20.0).abs() < 1e-10);
        assert!((d.exceeded_with_probability(0.1).unwrap() - 180.0).abs() < 1e-9);
        assert!((d.exceeded_with_probability(0.5).unwrap() - 60.0).abs() < 1e-10);
        let Distribution::LogNormal { mu, sigma } = d else {
            panic!()
        };
        assert!((d.mean() - (mu + sigma * sigma / 2.0).exp()).abs() < 1e-12);
        // Hand value: σ = ln 9 / (2 · 1.2815515655446004).
        assert!((sigma - 9f64.ln() / (2.0 * 1.281_551_565_544_600_5)).abs() < 1e-14);
        // Simulated quantiles agree.
        let v = Volumetrics {
            gross_rock_volume_mm3: d,
            net_to_gross: fixed(1.0),
            porosity: fixed(1.0),
            water_saturation: fixed(0.0),
            fluid: Fluid::Oil { bo: fixed(1.0) },
        };
        let s = v.simulate(200_000, 3).unwrap();
        assert!((s.p90 / 20.0 - 1.0).abs() < 0.02, "{s:?}");
        assert!((s.p10 / 180.0 - 1.0).abs() < 0.02, "{s:?}");
        assert!((s.mean / d.mean() - 1.0).abs() < 0.01, "{s:?}");
        assert!(s.convention.starts_with("PRMS"));
    }

    #[test]
    fn p90_above_p10_is_an_error() {
        assert!(matches!(
            Distribution::log_normal_from_p90_p10("GRV", 200.0, 100.0),
            Err(Error::QuantilesOutOfOrder { .. })
        ));
    }

    #[test]
    fn stoiip_and_giip_of_fixed_inputs() {
        let oil = Volumetrics {
            gross_rock_volume_mm3: fixed(100.0),
            net_to_gross: fixed(0.8),
            porosity: fixed(0.2),
            water_saturation: fixed(0.3),
            fluid: Fluid::Oil { bo: fixed(1.2) },
        };
        let s = oil.simulate(10, 1).unwrap();
        let want = 100.0 * 0.8 * 0.2 * 0.7 / 1.2;
        assert!((s.p50 - want).abs() < 1e-12 && (s.mean - want).abs() < 1e-12);
        let gas = Volumetrics {
            fluid: Fluid::Gas { bg: fixed(0.005) },
            ..oil.clone()
        };
        assert!((gas.simulate(10, 1).unwrap().mean - 100.0 * 0.8 * 0.2 * 0.7 / 0.005).abs() < 1e-9);
    }

    #[test]
    fn negative_porosity_and_bad_chances_are_errors() {
        let v = Volumetrics {
            gross_rock_volume_mm3: fixed(100.0),
            net_to_gross: fixed(0.8),
            porosity: Distribution::Triangular {
                min: -0.05,
                mode: 0.15,
                max: 0.25,
            },
            water_saturation: fixed(0.3),
            fluid: Fluid::Oil { bo: fixed(1.2) },
        };
        let err = v.simulate(100, 1).unwrap_err();
        assert!(
            matches!(&err, Error::OutOfRange { quantity, .. } if quantity == "porosity"),
            "{err}"
        );
        let bad = ElementChances {
            seal: 1.2,
            ..ElementChances::CERTAIN
        };
        assert!(matches!(bad.chance(), Err(Error::ChanceOutOfRange { .. })));
        assert!(expected_monetary_value(-0.1, 10.0, 1.0).is_err());
    }

    #[test]
    fn pert_and_triangular_have_their_means() {
        let mut rng = Stream::from_seed(9);
        for d in [
            Distribution::Pert {
                min: 0.1,
                mode: 0.15,
                max: 0.3,
            },
            Distribution::Triangular {
                min: 0.1,
                mode: 0.15,
                max: 0.3,
            },
        ] {
            let n = 200_000;
            let m = (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64;
            assert!((m - d.mean()).abs() < 1e-3, "{d:?} {m}");
        }
        assert!(
            (Distribution::Pert {
                min: 0.0,
                mode: 1.0,
                max: 5.0
            }
            .mean()
                - 1.5)
                .abs()
                < 1e-15
        );
    }

    #[test]
    fn portfolio_matches_hand_computed_probabilities() {
        let prospect = |name: &str, p: f64, v: f64| Prospect {
            name: name.into(),
            conditional_chances: ElementChances {
                charge_trap: p,
                ..ElementChances::CERTAIN
            },
            mean_success_volume: v,
        };
        // Independent prospects 0.2, 0.3, 0.5: 1 − 0.8·0.7·0.5 = 0.72.
        let independent: Vec<Play> = [("a", 0.2, 10.0), ("b", 0.3, 20.0), ("c", 0.5, 5.0)]
            .iter()
            .map(|(n, p, v)| Play::independent(prospect(n, *p, *v)))
            .collect();
        let s = aggregate_portfolio(&independent).unwrap();
        assert!((s.probability_at_least_one_discovery - 0.72).abs() < 1e-15);
        assert!((s.risked_mean_volume - (2.0 + 6.0 + 2.5)).abs() < 1e-12);
        // The same prospects sharing a play of chance 0.6 (source 0.8 × seal 0.75):
        // 0.6 · (1 − 0.8·0.7·0.5) = 0.432; risked mean 0.6 · 10.5 = 6.3.
        let play = Play {
            name: "play".into(),
            shared_chances: ElementChances {
                source: 0.8,
                seal: 0.75,
                ..ElementChances::CERTAIN
            },
            prospects: vec![
                prospect("a", 0.2, 10.0),
                prospect("b", 0.3, 20.0),
                prospect("c", 0.5, 5.0),
            ],
        };
        let s = aggregate_portfolio(std::slice::from_ref(&play)).unwrap();
        assert!((s.probability_at_least_one_discovery - 0.432).abs() < 1e-15);
        assert!((s.risked_mean_volume - 6.3).abs() < 1e-12);
        assert!((s.prospect_chances[1].1 - 0.18).abs() < 1e-15);
        // Two independent plays: 1 − (1 − 0.432)(1 − 0.72) = 0.84096.
        let mut both = independent.clone();
        both.push(play);
        let s = aggregate_portfolio(&both).unwrap();
        assert!((s.probability_at_least_one_discovery - 0.84096).abs() < 1e-14);
        // Chance of success and EMV: Pg = 0.6·0.2 = 0.12; EMV = 0.12·150 − 0.88·20 = 0.4.
        let pg = chance_of_success(
            &play_shared(),
            &prospect("a", 0.2, 10.0).conditional_chances,
        )
        .unwrap();
        assert!((pg - 0.12).abs() < 1e-15);
        assert!((expected_monetary_value(pg, 150.0, 20.0).unwrap() - 0.4).abs() < 1e-12);
    }

    fn play_shared() -> ElementChances {
        ElementChances {
            source: 0.8,
            seal: 0.75,
            ..ElementChances::CERTAIN
        }
    }

    proptest! {
        #[test]
        fn shared_play_never_raises_the_chance_of_a_discovery(
            ps in proptest::collection::vec(0.0f64..1.0, 1..6), play in 0.0f64..1.0
        ) {
            // Dependence through a shared play gives P(≥1) ≤ the independent case with the
            // same marginal chances P_play · p_i.
            let prospects: Vec<Prospect> = ps.iter().enumerate().map(|(i, p)| Prospect {
                name: format!("p{i}"),
                conditional_chances: ElementChances { reservoir: *p, ..ElementChances::CERTAIN },
                mean_success_volume: 1.0,
            }).collect();
            let shared = aggregate_portfolio(&[Play {
                name: "x".into(),
                shared_chances: ElementChances { source: play, ..ElementChances::CERTAIN },
                prospects: prospects.clone(),
            }]).unwrap();
            let independent: Vec<Play> = prospects.into_iter().map(|mut p| {
                p.conditional_chances.reservoir *= play;
                Play::independent(p)
            }).collect();
            let independent = aggregate_portfolio(&independent).unwrap();
            prop_assert!(shared.probability_at_least_one_discovery
                <= independent.probability_at_least_one_discovery + 1e-12);
            prop_assert!((shared.risked_mean_volume - independent.risked_mean_volume).abs() < 1e-12);
        }
    }
}
