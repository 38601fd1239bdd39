//! Classification of continuous layers: manual breaks, quantiles, natural breaks (Jenks) and the
//! concentration–area (C-A) fractal method. No I/O.
//!
//! Every method works from a [`ValueHistogram`], built block by block and merged, so a
//! national grid is classified after one streaming pass (a second pass writes the classes).
//!
//! What it offers:
//! - **Histogram**: [`ValueHistogram`] — exact counts per distinct value, mergeable, with a
//!   bounded number of bins.
//! - **Breaks**: [`ClassBreaks`] — inclusive upper edges and cells per class;
//!   [`manual_breaks`] checks user breaks.
//! - **Quantiles**: [`quantile_breaks`], [`quantile()`] — equal-count classes.
//! - **Natural breaks**: [`natural_breaks`] — Fisher's (1958) exact dynamic programme (Jenks
//!   1967), with a limit on distinct values and an optional grouped fallback.
//! - **C-A fractal**: [`concentration_area()`] — log–log area above threshold, piecewise linear
//!   fit (Cheng, Agterberg & Ballantyne 1994), thresholds with slopes, intercepts and R².

pub mod breaks;
pub mod concentration_area;
pub mod error;
pub mod histogram;
pub mod jenks;
pub mod quantiles;

pub use breaks::{manual_breaks, validate_breaks, ClassBreaks, MAX_CLASSES};
pub use concentration_area::{
    concentration_area, CaOptions, CaPoint, CaSegment, ConcentrationArea,
};
pub use error::Error;
pub use histogram::{ValueBin, ValueHistogram, DEFAULT_MAX_BINS};
pub use jenks::{natural_breaks, JenksOptions, NaturalBreaks, MAX_NATURAL_CLASSES};
pub use quantiles::{quantile, quantile_breaks};
