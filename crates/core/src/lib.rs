//! nedra-core: the canonical grid and the block-streaming kernels every stage runs on. No I/O.
//!
//! What it offers:
//! - **Grid**: [`Grid`] — CRS (as WKT), affine transform, shape; cell ↔ map coordinates.
//! - **Blocks**: [`Window`] and [`Grid::windows`] — the unit of streaming work, [`BLOCK_SIZE`]
//!   cells per side;
//!   [`stream_blocks`] — read → compute in parallel → write with a bounded number of blocks in flight.
//!   [`pipeline`] — the same overlap of reading, work and writing for work that runs in order.
//! - **Blocks of values**: [`Block`] — values with a validity mask (NoData is a mask, never a number).
//! - **Classification**: [`Classifier`] — turning continuous values into classes (breaks, equal width).
//! - **Classes of continuous layers**: [`classes`] — mergeable value histograms, manual breaks,
//!   quantiles, natural breaks (Jenks) and concentration–area fractal thresholds.
//! - **Fuzzy logic**: [`fuzzy`] — membership functions (linear, large, small, Gaussian, near,
//!   categorical) and overlays (AND, OR, product, sum, gamma, weighted index overlay).
//! - **Regions**: [`regions::RegionLabeller`] — 8-connected regions labelled row by row.
//! - **Density**: [`density::DensityIndex`] — line length and point count per area in a moving
//!   circle, with exact segment clipping.
//! - **Potential-field derivatives**: [`derivatives::derivative`] — horizontal gradient, first
//!   vertical derivative (FFT) and tilt derivative, block + halo.
//! - **Distance**: [`distance::SegmentIndex`] — exact Euclidean distance from cell centres to line
//!   segments and points through an R-tree.
//! - **Geochemistry**: [`geochem`] — censored values, REE normalisation, Eu/Eu*, TREO, log-ratios.
//! - **Interpolation**: [`interpolate`] — IDW, variograms and ordinary kriging from point samples.
//! - **Dense linear algebra**: [`linalg`] — Cholesky factorisation, solve and inverse; LU
//!   solve with partial pivoting.
//! - **Limits**: [`limits`] — the largest grid, classes per layer, features per file, bootstrap
//!   replicates and Monte Carlo trials accepted, each overridable by a flag.
//! - **Random numbers**: [`random`] — seeded SplitMix64 and xoshiro256** streams named by
//!   (seed, index), normal/gamma/beta deviates: the one generator every crate draws from.
//! - **Special functions**: [`special`] — erfc, the standard normal distribution function,
//!   density and quantile.

pub mod block;
pub mod classes;
pub mod classify;
pub mod density;
pub mod derivatives;
pub mod distance;
pub mod error;
pub mod fuzzy;
pub mod geochem;
pub mod grid;
pub mod interpolate;
pub mod limits;
pub mod linalg;
pub mod random;
pub mod regions;
pub mod special;

pub use block::{pipeline, stream_blocks, Block, Window, BLOCK_SIZE};
pub use classify::Classifier;
pub use error::Error;
pub use grid::Grid;
