//! Prospectivity models for nedra.
//!
//! **Weights of evidence** (Bonham-Carter 1994, ch. 9 and App. II)
//! - [`calculate_weights`]: cumulative (ascending/descending), categorical and binary weights
//!   tables from a class histogram, with ArcSDM/GA edge patches and generalisation.
//! - [`PatternWeights::compute`]: W+, W−, contrast and their standard deviations for one pattern.
//! - [`WeightsTable::write_csv`] / [`WeightsTable::read_csv`]: ArcSDM/GA weights tables as CSV.
//!
//! **Response** (Bonham-Carter 1994, ch. 9; Agterberg et al. 1990)
//! - [`Response`]: prior probability and the per-cell posterior probability, its standard
//!   deviation and confidence, with missing-data variance from [`LayerSummary`].
//!
//! - [`ConditionalIndependenceSums`]: Bonham-Carter's n/T ratio and the Agterberg–Cheng test.
//!
//! **Validation**
//! - [`ScoreHistogram`]: mergeable histogram of scores with cell and deposit counts.
//! - [`SuccessRateCurve`]: success-rate curve and its area by the trapezoid rule.
//! - [`ScoreHistogram::roc_auc`]: ROC AUC by the Mann–Whitney statistic, ties counted as ½.
//! - [`RocCurve`]: the ROC curve's vertices, whose trapezoid area is that AUC.
//! - [`validate`]: capture figures, P-A crossing and bootstrap intervals of the AUCs.
//! - [`ScoreSurvey`], [`ScoreDistribution`]: the same figures in memory bounded by deposits and
//!   a fixed number of bins, from streaming passes over a [`ScoreScan`] (a raster).
//!
//! **Data-driven models** (Hastie, Tibshirani & Friedman 2009)
//! - [`sample_training_set`], [`BackgroundPool`], [`TrainingSet`]: deposits and seeded
//!   background (random, exclusion buffer) with class weighting, samples keeping (x, y).
//! - [`LogisticOptions`]: L2-regularised logistic regression by IRLS with standard errors.
//! - [`ForestOptions`]: random forest (Breiman 2001), seeded and parallel over trees.
//! - [`BoostingOptions`]: gradient-boosted trees on the log-loss with Newton leaf values
//!   (Friedman 2001; Chen & Guestrin 2016), seeded subsampling; [`Histogram`]: the histogram
//!   algorithm of LightGBM (Ke et al. 2017) for 10⁵–10⁶ samples.
//! - [`cross_validate`]: spatial block and buffered leave-one-deposit-out CV (Roberts et al. 2017).
//! - [`pu_bagging`]: positive-unlabelled bagging, mean and spread (Mordelet & Vert 2014).
//! - [`permutation_importance`]: drop in ROC AUC when one evidence layer is shuffled.

use std::path::PathBuf;

mod bits_hash;
mod boosting;
mod classifier;
mod conditional_independence;
mod forest;
mod histogram;
mod importance;
mod logistic;
mod pu_bagging;
mod response;
mod roc;
mod score_distribution;
mod spatial_cv;
mod success_rate;
mod training;
mod tree;
mod validation;
mod wofe;

pub use boosting::{BoostingOptions, GradientBoosting, Histogram, HISTOGRAM_AUTO_MIN_SAMPLES};
pub use classifier::{roc_auc, Classifier, Learner};
pub use conditional_independence::{ConditionalIndependence, ConditionalIndependenceSums};
pub use forest::{ForestOptions, RandomForest};
pub use histogram::MAX_BINS;
pub use importance::{permutation_importance, FeatureImportance};
pub use logistic::{LogisticModel, LogisticOptions};
pub use nedra_core::random::{derive_seed, SplitMix64};
pub use pu_bagging::{pu_bagging, PuBaggingOptions, PuEnsemble, PuMember, PuPrediction};
pub use response::{CellResponse, LayerSummary, Response};
pub use roc::{RocCurve, RocPoint};
pub use score_distribution::{ScanError, ScoreDistribution, ScoreLimits, ScoreScan, ScoreSurvey};
pub use spatial_cv::{
    block_folds, cross_validate, cross_validate_inspect, fold_indices, CrossValidation, FoldResult,
    FoldScheme, FoldSplit,
};
pub use success_rate::{CurvePoint, ScoreBin, ScoreHistogram, SuccessRateCurve};
pub use training::{
    sample_training_set, BackgroundPool, ClassWeighting, FeatureMatrix, SamplingOptions,
    TrainingSet,
};
pub use validation::{
    pa_plot, thin_pa_plot, validate, Capture, PaCrossing, ValidationOptions, ValidationReport,
};
pub use wofe::{
    calculate_weights, ClassCount, Generalisation, PatternWeights, WeightsOptions, WeightsRow,
    WeightsTable, WeightsType, GEN_CLASS_NOT_SIGNIFICANT, GEN_CLASS_POOLED,
};

/// Everything that can go wrong in this crate; each variant says what to check.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A CSV field could not be parsed: check the value at that line and column.
    #[error("{}: line {line}, column {column}: cannot read {value:?} as {expected}", path.display())]
    MalformedField {
        /// File being read.
        path: PathBuf,
        /// 1-based line number (the header is line 1).
        line: u64,
        /// Column name as written in the header.
        column: String,
        /// The offending text.
        value: String,
        /// What the column should hold, e.g. "an integer".
        expected: &'static str,
    },
    /// A required column is absent from the header: check the file is a weights table.
    #[error("{}: missing column {column}", path.display())]
    MissingColumn {
        /// File being read.
        path: PathBuf,
        /// Name of the missing column.
        column: &'static str,
    },
    /// The CSV itself is malformed (unbalanced quotes, ragged rows, not UTF-8) or unreadable.
    #[error("{}: {source}", path.display())]
    Csv {
        /// File being read.
        path: PathBuf,
        /// Underlying CSV error, which carries the position.
        #[source]
        source: csv::Error,
    },
    /// A class appears on two rows of a weights table: check the table was not concatenated.
    #[error("{}: line {line}: class {class} appears more than once", path.display())]
    DuplicateClass {
        /// File being read.
        path: PathBuf,
        /// Line of the second occurrence.
        line: u64,
        /// The repeated class value.
        class: i64,
    },
    /// A weights table has a header but no rows: check the file is complete.
    #[error("{}: the weights table has no rows", path.display())]
    EmptyTable {
        /// File being read.
        path: PathBuf,
    },
    /// The class histogram or score histogram has no cells: check the evidence raster is not
    /// all NoData and the study-area mask overlaps it.
    #[error("the histogram has no cells")]
    EmptyHistogram,
    /// No deposits fall on valid cells: check the deposit layer overlaps the evidence and
    /// shares its CRS.
    #[error("no deposits fall on valid cells; check the deposits overlap the evidence layer")]
    ZeroDeposits,
    /// There are no absence cells (every valid cell holds a deposit), so ROC AUC is undefined.
    #[error("every valid cell holds a deposit; ROC AUC needs at least one cell without one")]
    NoAbsences,
    /// The study area (in unit cells) is not larger than the number of deposits plus one, so
    /// the weights are undefined: check `unit_cell_km2` and the cell area.
    #[error(
        "the study area is {total_area_units} unit cells for {deposits} deposits; it must exceed \
         deposits + 1 (check unit_cell_km2 and the cell size)"
    )]
    AreaTooSmall {
        /// Total area in unit cells.
        total_area_units: f64,
        /// Number of deposit points.
        deposits: u64,
    },
    /// An option is out of range: check the value given for it.
    #[error("{name} = {value} is out of range: it must be {requirement}")]
    InvalidOption {
        /// Option name, e.g. `unit_cell_km2`.
        name: &'static str,
        /// The value given.
        value: f64,
        /// What the value must satisfy, e.g. "finite and > 0".
        requirement: &'static str,
    },
    /// A weights table row lacks a value needed here (for example CLASS_AREA for the
    /// missing-data variance): check the table has that column filled.
    #[error("weights table row for class {class} has no {column}")]
    MissingValue {
        /// Class of the row.
        class: i64,
        /// Column lacking a value.
        column: &'static str,
    },
    /// A score bin is inconsistent: it needs `deposit_cells <= cells`,
    /// `deposit_cells <= deposits`, and `deposit_cells > 0` whenever `deposits > 0`.
    #[error(
        "score bin {score}: cells {cells}, deposit cells {deposit_cells}, deposits {deposits} \
         are inconsistent"
    )]
    InvalidScoreBin {
        /// Score of the bin.
        score: f64,
        /// Valid cells with this score.
        cells: u64,
        /// Cells with this score holding at least one deposit.
        deposit_cells: u64,
        /// Deposit points on cells with this score.
        deposits: u64,
    },
    /// Reading the score map again (for a later pass of validation) failed: see the cause.
    #[error("reading the score map again: {source}")]
    Scan {
        /// What reading failed with.
        #[source]
        source: ScanError,
    },
    /// A later pass over the score map did not see what the first pass saw: check that
    /// nothing rewrites the raster while it is being validated.
    #[error(
        "the score map changed between passes: the first pass counted {first}, a later one \
         {later}"
    )]
    ScoresChanged {
        /// The count (of valid cells, or of cells at a score) in the first pass.
        first: u64,
        /// The same count in a later pass.
        later: u64,
    },
}
