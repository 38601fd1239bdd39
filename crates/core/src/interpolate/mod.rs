//! Interpolation of point samples onto the grid, block by block. No I/O.
//!
//! What it offers:
//! - **Samples**: [`SampleIndex`] — locations and values in an R-tree shared by all blocks;
//!   [`Neighbour`] — one selected sample.
//! - **Inverse-distance weighting** (Shepard 1968): [`IdwParams`] → [`Idw`] (power, k nearest,
//!   search radius, minimum points); [`idw_window`] for one block.
//! - **Variograms** (Matheron 1963; Cressie 1985, 1993): [`ExperimentalVariogram`] over
//!   [`LagBins`]; [`VariogramModel`] of [`ModelKind`] spherical, exponential or Gaussian;
//!   [`fit_variogram`] / [`fit_best_variogram`] by Cressie's weighted least squares.
//! - **Ordinary kriging** (Matheron 1963; Isaaks & Srivastava 1989): [`KrigingParams`] →
//!   [`OrdinaryKriging`] with estimate and kriging variance; [`kriging_window`] for one
//!   block; [`ordinary_kriging_weights`] for one system.
//! - **Errors**: [`Error`].
//!
//! Every estimate is made at cell centres ([`crate::Grid::cell_centre`]) with planar
//! Euclidean distances in CRS units: project geographic coordinates first, or accept that a
//! degree of longitude counts as long as a degree of latitude.

pub mod error;
pub mod idw;
pub mod kriging;
pub mod samples;
pub mod variogram;

pub use error::Error;
pub use idw::{idw_window, Idw, IdwParams};
pub use kriging::{
    kriging_window, ordinary_kriging_weights, KrigedWindow, KrigingEstimate, KrigingParams,
    KrigingWeights, OrdinaryKriging,
};
pub use samples::{Neighbour, SampleIndex};
pub use variogram::{
    fit_best_variogram, fit_variogram, ExperimentalVariogram, FittedVariogram, Lag, LagBins,
    ModelKind, VariogramModel,
};
