//! Fuzzy logic for knowledge-driven prospectivity: membership functions and overlays. No I/O.
//!
//! What it offers:
//! - **Membership**: [`Membership`] — linear, large, small, Gaussian and near (ArcGIS
//!   definitions), and categorical tables ([`CategoryTable`]), all producing [0, 1].
//! - **Overlay**: [`FuzzyOverlay`] — AND, OR, algebraic product, algebraic sum and gamma
//!   (Zadeh 1965; Bonham-Carter 1994, ch. 9), as pure per-cell functions ([`fuzzy_and`] …
//!   [`fuzzy_gamma`]) and per block; [`WeightedIndexOverlay`] — Σ w·x / Σ w.
//! - **NoData**: [`MissingRule`] — a missing input gives a missing output unless
//!   [`MissingRule::IgnoreMissing`] is chosen.

pub mod error;
pub mod membership;
pub mod overlay;

pub use error::Error;
pub use membership::{CategoryTable, Membership, MAX_CATEGORIES};
pub use overlay::{
    fuzzy_and, fuzzy_gamma, fuzzy_or, fuzzy_product, fuzzy_sum, FuzzyOverlay, MissingRule,
    WeightedIndexOverlay,
};
