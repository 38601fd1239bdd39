//! The error type of [`crate::fuzzy`].

/// What can go wrong in fuzzy membership and overlay; each variant says what to check.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A membership-function or overlay parameter is out of its range.
    #[error("invalid fuzzy parameter: {reason}")]
    InvalidParameter {
        /// Why the parameter was rejected.
        reason: String,
    },
    /// An overlay input is not a membership in [0, 1].
    #[error(
        "input layer {layer} holds {value}, which is not a fuzzy membership in [0, 1]; \
         transform the layer with a membership function first"
    )]
    MembershipOutOfRange {
        /// Index of the input layer.
        layer: usize,
        /// The offending value.
        value: f64,
    },
    /// An overlay input is NaN or infinite where a number was needed.
    #[error("input layer {layer} holds {value}, which is not a finite number")]
    NotFinite {
        /// Index of the input layer.
        layer: usize,
        /// The offending value.
        value: f64,
    },
    /// Gamma is outside [0, 1].
    #[error("fuzzy gamma {gamma} must lie in [0, 1] (0 is the product, 1 the sum)")]
    GammaOutOfRange {
        /// The gamma given.
        gamma: f64,
    },
    /// An overlay was given no input.
    #[error("a fuzzy overlay needs at least one input layer")]
    NoInputs,
    /// Inputs and weights (or blocks) do not line up.
    #[error("length mismatch: expected {expected} {what}, found {found}")]
    LengthMismatch {
        /// What was counted (`inputs`, `weights`).
        what: &'static str,
        /// How many were expected.
        expected: usize,
        /// How many were found.
        found: usize,
    },
    /// Input blocks cover different windows of the grid.
    #[error("input blocks cover different windows: {expected} and {found}")]
    WindowMismatch {
        /// The first block's window.
        expected: String,
        /// The differing window.
        found: String,
    },
}
