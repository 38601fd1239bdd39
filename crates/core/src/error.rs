//! The one error type of `nedra-core`.

/// What can go wrong in grid arithmetic; each variant says what the user should check.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The grid's shape or cell size is not usable.
    #[error(
        "invalid grid: {reason}. Check the cell size, extent and transform of the project grid"
    )]
    InvalidGrid {
        /// Why the grid was rejected.
        reason: String,
    },
    /// Two grids that must be identical differ.
    #[error("grid mismatch: expected {expected}, found {found}. Warp the layer onto the project grid first")]
    GridMismatch {
        /// The grid that was expected.
        expected: String,
        /// The grid that was found.
        found: String,
    },
    /// Classification breaks are not strictly increasing or a width is not positive.
    #[error("invalid classification: {reason}")]
    InvalidClasses {
        /// Why the classification was rejected.
        reason: String,
    },
}
