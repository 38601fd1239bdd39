//! The one error type of the geochemistry module.

/// What can go wrong reading or transforming geochemical values; each variant says what the
/// user should check.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A negative concentration where negative numbers were not declared a censoring convention.
    #[error(
        "negative concentration {value:?}: if negative numbers mark values below the detection \
         limit (\"-5\" meaning \"<5\"), declare that convention; otherwise correct the value"
    )]
    NegativeConcentration {
        /// The value as written.
        value: String,
    },
    /// A cell that is neither a number, a censored value nor a missing-value marker.
    #[error(
        "cannot read {value:?} as a concentration: expected a number, \"<DL\", \">limit\" or a \
         missing-value marker such as an empty cell, NA or n.d."
    )]
    UnparsableValue {
        /// The value as written.
        value: String,
    },
    /// A censored value whose limit is unknown, under a rule that needs it.
    #[error(
        "value {value:?} is censored but its limit is not given in the cell; declare the \
         detection limit of this element or use a rule that needs no limit (Zero or Missing)"
    )]
    UnknownDetectionLimit {
        /// The value as written (with its flag, if any).
        value: String,
    },
    /// A column or argument names no element this module knows.
    #[error(
        "unknown element {name:?}: expected one of La, Ce, Pr, Nd, Sm, Eu, Gd, Tb, Dy, Ho, Er, \
         Tm, Yb, Lu, Y, Sc, Th, U"
    )]
    UnknownElement {
        /// The name as given.
        name: String,
    },
    /// A reference composition that is not one of the embedded ones.
    #[error("unknown reference composition {name:?}: expected one of {known}")]
    UnknownReference {
        /// The name as given.
        name: String,
        /// The names that are known, comma-separated.
        known: String,
    },
    /// A parameter outside its valid range.
    #[error("invalid parameter: {reason}")]
    InvalidParameter {
        /// Why the parameter was rejected.
        reason: String,
    },
    /// A compositional part that is zero, negative or not finite where logs are taken.
    #[error(
        "part {index} of the composition is {value}; log-ratio transforms need positive parts. \
         Replace zeros (e.g. with a censoring rule that substitutes a fraction of the detection \
         limit) first"
    )]
    NonPositivePart {
        /// Position of the part (0-based).
        index: usize,
        /// Its value.
        value: f64,
    },
    /// Two inputs that must have the same length differ.
    #[error("length mismatch: expected {expected} values, found {found}")]
    LengthMismatch {
        /// The length that was expected.
        expected: usize,
        /// The length that was found.
        found: usize,
    },
    /// Statistics were asked of a set without any usable value.
    #[error("no usable values: {reason}")]
    NoValues {
        /// Why nothing was left.
        reason: String,
    },
}
