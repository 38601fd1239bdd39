//! nedra-assess: how much may be there, and is it worth drilling.
//!
//! - Number of undiscovered deposits: [`fit_negative_binomial`] (MapMark4's weighted
//!   negative-binomial fit to experts' 90/50/10 % estimates), [`mark3_pmf`] (legacy Mark3
//!   rule), both giving a [`DepositCountPmf`].
//! - Experts' estimates per tract from CSV: [`read_tract_estimates`].
//! - Grade–tonnage models: [`GradeTonnageModel`] (log-normal tonnage, ilr grades with a gangue
//!   remainder, optional tonnage–grade correlation; JSON or CSV deposit tables).
//! - Monte Carlo of undiscovered resources: [`simulate_assessment`] per tract and in total
//!   (F95 … F5, mean, probability of zero, compound-sum moment check).
//! - Petroleum: [`Distribution`] (log-normal from P90/P10, triangular, PERT, fixed),
//!   [`Volumetrics`] (STOIIP/GIIP Monte Carlo, PRMS P90/P50/P10), [`ElementChances`] and
//!   [`chance_of_success`], [`aggregate_portfolio`] (shared play chance),
//!   [`expected_monetary_value`].
//! - Permissive tracts: [`TractTally`] (cells, area, Σ posterior, known deposits per tract,
//!   block by block) and [`undiscovered_from_posterior`] (Poisson N from the posterior sum,
//!   Bonham-Carter 1994 ch. 9), [`poisson_pmf`], [`PmfSummary`].
//! - Play maps: [`play_chance_block`] (product of element chances per cell) and
//!   [`SegmentTally`] (common-risk-segment minimums per element).
//! - Prospects from files: [`DistributionSpec`], [`evaluate_prospects`] (Pg, PRMS volumes,
//!   risked means, portfolio, EMV).
//! - Random streams: [`Stream`] (from [`nedra_core::random`]), seeded per (master seed, stream
//!   index) by SplitMix64.
//! - Special functions: [`normal_cdf`], [`normal_quantile`] (from [`nedra_core::special`]).
//! - Minimisation: [`nelder_mead::minimise`] (Nash 1990 simplex).

#![warn(missing_docs)]

pub mod elicitation;
pub mod error;
pub mod experts_table;
pub mod grade_tonnage;
pub mod nelder_mead;
pub mod permissive_tract;
pub mod petroleum;
pub mod play_maps;
pub mod pmf;
pub mod prospects;
pub mod simulation;

pub use elicitation::{
    fit_negative_binomial, mark3_pmf, ExpertEstimate, Mark3Estimates, NegativeBinomial,
    NegativeBinomialFit, NegativeBinomialOptions,
};
pub use error::Error;
pub use experts_table::{read_tract_estimates, TractEstimate};
pub use grade_tonnage::{
    Deposit, DepositSampler, FittedParameters, GradeTonnageModel, EXAMPLE_CARBONATITE_REE_MODEL,
};
pub use nedra_core::random::Stream;
pub use nedra_core::special::{normal_cdf, normal_quantile};
pub use permissive_tract::{
    poisson_pmf, undiscovered_from_posterior, PmfSummary, PosteriorDepositCount, TractStatistics,
    TractTally,
};
pub use petroleum::{
    aggregate_portfolio, chance_of_success, expected_monetary_value, Distribution, ElementChances,
    Fluid, Play, PortfolioSummary, Prospect, VolumeSummary, Volumetrics,
};
pub use play_maps::{play_chance_block, SegmentSummary, SegmentTally};
pub use pmf::{DepositCountPmf, PmfEntry};
pub use prospects::{
    evaluate_prospects, DistributionSpec, Economics, PlayInput, PortfolioResult, ProspectInput,
    ProspectResult, ProspectsReport,
};
pub use simulation::{
    simulate_assessment, AssessmentResult, ResourceSummary, SimulationOptions, Tract,
};
