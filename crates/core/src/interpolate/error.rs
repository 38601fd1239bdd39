//! The one error type of [`crate::interpolate`].

/// What can go wrong when interpolating point samples; each variant says what to check.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Fewer samples than the method needs.
    #[error("{found} sample(s) given where at least {needed} are needed. Check the sample table and the value column")]
    TooFewSamples {
        /// Samples given.
        found: usize,
        /// Samples needed.
        needed: usize,
    },
    /// The coordinate and value lists have different lengths.
    #[error("{points} sample locations but {values} values. Give one value per location")]
    LengthMismatch {
        /// Number of locations.
        points: usize,
        /// Number of values.
        values: usize,
    },
    /// A coordinate or value is NaN or infinite.
    #[error("sample {index}: the {what} is not a finite number. Remove or fix the sample")]
    NotFinite {
        /// Zero-based sample index.
        index: usize,
        /// `"x coordinate"`, `"y coordinate"` or `"value"`.
        what: &'static str,
    },
    /// A parameter is outside its valid range.
    #[error("invalid {name} {value}: {reason}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// The value given, as text.
        value: String,
        /// What the parameter must be.
        reason: &'static str,
    },
    /// No variogram model could be fitted to the experimental variogram.
    #[error("the variogram cannot be fitted: {reason}. Check the lag width and maximum lag, or give the model (nugget, sill, range) explicitly")]
    VariogramFit {
        /// Why the fit failed.
        reason: String,
    },
    /// A kriging system could not be solved.
    #[error("the kriging system is singular: {reason}. Check for samples at (nearly) the same location, or add a nugget to a Gaussian model")]
    SingularSystem {
        /// What made it singular, as far as known.
        reason: String,
    },
}
