//! Rare-earth geochemistry of sample tables: from laboratory cells to REE indices. No I/O.
//!
//! What it offers:
//! - **Censored values**: [`ParseOptions`] reads `<5`, `>1000`, `-5` (when declared), `NA`,
//!   `n.d.` and flag columns into [`Reading`]s; a declared [`CensoringRule`]
//!   ([`Substitution`]: DL, DL/2, a fraction of DL, zero, missing) resolves them.
//! - **Elements**: [`Element`] — La–Lu, Y, Sc, Th, U with IUPAC standard atomic weights;
//!   [`Concentrations`] — one sample in ppm, missing values allowed.
//! - **Reference compositions**: [`ReferenceComposition`] — CI chondrite (McDonough & Sun
//!   1995, Palme & O'Neill 2014, O'Neill 2016), C1 chondrite and primitive mantle (Sun &
//!   McDonough 1989), PAAS, NASC, UCC; [`reference_by_name`].
//! - **Normalisation**: [`normalise()`] → [`Normalised`] with Eu/Eu*, Ce/Ce*, (La/Yb)_N.
//! - **Sums**: [`sum_rare_earths`] (ΣREE, with or without Y), [`light_heavy`] with a
//!   configurable [`LreeHreeSplit`].
//! - **Oxides**: [`oxide_factor`] from atomic weights, [`total_rare_earth_oxides_ppm`] (TREO).
//! - **Compositional transforms**: [`closure`], [`clr`], [`ilr`] (pivot basis) and inverses.
//! - **Anomalies**: [`MadRule`] — median + k·MAD thresholds on linear or log10 values.

pub mod anomalies;
pub mod censored;
pub mod compositional;
pub mod concentrations;
pub mod element;
pub mod error;
pub mod normalise;
pub mod oxides;
pub mod reference;
pub mod sums;

pub use anomalies::{MadRule, MadThreshold, Scale};
pub use censored::{
    AboveLimitRule, CensoringCounts, CensoringRule, FlagMark, ParseOptions, Reading, Substitution,
};
pub use compositional::{closure, clr, clr_inverse, ilr, ilr_inverse, pivot_basis};
pub use concentrations::Concentrations;
pub use element::Element;
pub use error::Error;
pub use normalise::{normalise, Normalised};
pub use oxides::{oxide_factor, total_rare_earth_oxides_ppm, Oxide, TreoElements};
pub use reference::{reference_by_name, ReferenceComposition, REFERENCES};
pub use sums::{light_heavy, sum_rare_earths, LightHeavy, LreeHreeSplit, PartialSum};
