//! The one error type of `nedra-assess`.

use std::path::PathBuf;

/// Everything that can go wrong in a resource assessment.
///
/// Each variant names the input at fault; check the named expert, quantity, chance or file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No expert estimates were given: at least one row (name, weight, n90, n50, n10) is needed.
    #[error("no expert estimates of the number of undiscovered deposits were given")]
    NoEstimates,

    /// An expert's estimates are not in the order N90 ≤ N50 ≤ N10 (USGS elicitation levels:
    /// "90 % chance of N90 or more"); check that the columns were not swapped.
    #[error(
        "expert {expert:?}: estimates out of order, N90 ≤ N50 ≤ N10 is required \
         (got N90 = {n90}, N50 = {n50}, N10 = {n10})"
    )]
    PercentilesOutOfOrder {
        /// The expert (or row) at fault.
        expert: String,
        /// Number of deposits with a 90 % chance of that many or more.
        n90: i64,
        /// Number of deposits with a 50 % chance of that many or more.
        n50: i64,
        /// Number of deposits with a 10 % chance of that many or more.
        n10: i64,
    },

    /// A number of deposits was negative.
    #[error("expert {expert:?}: the number of deposits {value} is negative")]
    NegativeCount {
        /// The expert (or row) at fault.
        expert: String,
        /// The negative count.
        value: i64,
    },

    /// An expert's weight was zero, negative or not a number; weights must be positive.
    #[error("expert {expert:?}: weight {weight} is not positive")]
    WeightNotPositive {
        /// The expert (or row) at fault.
        expert: String,
        /// The weight given.
        weight: f64,
    },

    /// A low/high pair of a quantity is the wrong way round: P90 (exceeded with 90 %
    /// probability) must not be larger than P10, nor a minimum larger than a maximum.
    #[error("{quantity}: low value {low} is larger than high value {high} (P90 ≤ P10, min ≤ mode ≤ max)")]
    QuantilesOutOfOrder {
        /// The quantity at fault (e.g. "porosity").
        quantity: String,
        /// The low value (P90 or minimum).
        low: f64,
        /// The high value (P10 or maximum).
        high: f64,
    },

    /// A value lies outside the range its quantity allows (e.g. a negative porosity).
    #[error("{quantity}: value {value} is outside the allowed range {allowed}")]
    OutOfRange {
        /// The quantity at fault (e.g. "porosity").
        quantity: String,
        /// The value given.
        value: f64,
        /// The allowed range, in words.
        allowed: &'static str,
    },

    /// A chance (probability) lies outside [0, 1].
    #[error("chance {name:?} = {value} is outside [0, 1]")]
    ChanceOutOfRange {
        /// The chance at fault (e.g. "seal").
        name: String,
        /// The value given.
        value: f64,
    },

    /// A grade–tonnage model has no deposits (and no fitted parameters).
    #[error("grade–tonnage model {model:?} is empty: it needs deposits or fitted parameters")]
    EmptyGradeTonnageModel {
        /// The model's name.
        model: String,
    },

    /// A grade–tonnage model is malformed (wrong dimensions, grades that do not sum below
    /// 100 %, a covariance that is not positive definite, ...).
    #[error("grade–tonnage model {model:?}: {detail}")]
    InvalidModel {
        /// The model's name.
        model: String,
        /// What is wrong.
        detail: String,
    },

    /// Tracts of one assessment report different commodities, so they cannot be totalled.
    #[error("tract {tract:?} reports {found:?} but the first tract reports {expected:?}")]
    CommodityMismatch {
        /// The tract at fault.
        tract: String,
        /// The commodities of the first tract.
        expected: Vec<String>,
        /// The commodities of this tract.
        found: Vec<String>,
    },

    /// An option or size is outside its limits (e.g. zero trials, a pmf support too large).
    #[error("{what} = {value} is outside its limits ({limit})")]
    Limit {
        /// The option at fault.
        what: &'static str,
        /// The value given.
        value: f64,
        /// The limits, in words.
        limit: &'static str,
    },

    /// The negative-binomial fit found no finite solution for these estimates.
    #[error("the negative-binomial fit failed: {detail}")]
    FitFailed {
        /// Why.
        detail: String,
    },

    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },

    /// A CSV file could not be parsed.
    #[error("{path}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The parser's error (it names the line).
        #[source]
        source: csv::Error,
    },

    /// A cell of a table (CSV) is missing or malformed; fix the named line and column.
    #[error("{path}: line {line}, column {column:?}: {detail}")]
    Table {
        /// The file.
        path: PathBuf,
        /// Line number (1 is the header).
        line: u64,
        /// The column at fault.
        column: String,
        /// What is wrong.
        detail: String,
    },

    /// A JSON file could not be parsed.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's error (it names line and column).
        #[source]
        source: serde_json::Error,
    },
}

/// Checks that a chance lies in [0, 1].
pub(crate) fn check_chance(name: &str, value: f64) -> Result<f64, Error> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(Error::ChanceOutOfRange {
            name: name.to_string(),
            value,
        })
    }
}
