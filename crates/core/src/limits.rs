//! Limits: the largest work nedra accepts before it refuses and names the limit.
//!
//! A typo in a project file (a cell size in metres given to a grid in degrees, a continuous layer
//! read as classes, one zero too many in a trial count) must not become a run that fills the disk
//! or runs for a week with no message. Each limit has a safe default, large enough for a national
//! survey's real work, and each is overridable by a flag of the `nedra` command (`--max-cells`,
//! `--max-classes`, `--max-features`, `--max-bootstrap`, `--max-trials`). The limits in force are
//! process-wide: front ends set them once with [`set`], stages read them with [`get`], and a run
//! records them in its manifest.

use std::fmt;
use std::sync::RwLock;

/// The limits in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest grid, in cells (width × height), of the project grid and of any raster read.
    pub max_cells: u64,
    /// Most classes of one layer (distinct class values counted by weights of evidence).
    pub max_classes: usize,
    /// Most features (points, lines or polygons) read from one vector file or CSV.
    pub max_features: u64,
    /// Most bootstrap replicates of validation.
    pub max_bootstrap: usize,
    /// Most Monte Carlo trials of an assessment or a prospects file.
    pub max_trials: usize,
}

/// Absolute ceiling of [`Limits::max_cells`]: cell indices stay exact in every format nedra
/// writes, whatever a flag asks.
pub const CEILING_CELLS: u64 = 100_000_000_000;

impl Limits {
    /// The defaults: 2·10^10 cells (a continent at 25 m is 10^10), 10,000 classes per layer,
    /// 10^7 features per file, 100,000 bootstrap replicates (intervals settle long before),
    /// 10^7 Monte Carlo trials.
    pub const DEFAULT: Self = Self {
        max_cells: 20_000_000_000,
        max_classes: 10_000,
        max_features: 10_000_000,
        max_bootstrap: 100_000,
        max_trials: 10_000_000,
    };

    /// The limits as `(name, flag, value)` rows, for manifests and messages.
    pub fn rows(&self) -> [(&'static str, &'static str, u64); 5] {
        [
            ("max_cells", "--max-cells", self.max_cells),
            ("max_classes", "--max-classes", self.max_classes as u64),
            ("max_features", "--max-features", self.max_features),
            (
                "max_bootstrap",
                "--max-bootstrap",
                self.max_bootstrap as u64,
            ),
            ("max_trials", "--max-trials", self.max_trials as u64),
        ]
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

static LIMITS: RwLock<Limits> = RwLock::new(Limits::DEFAULT);

/// Sets the limits in force for this process.
pub fn set(limits: Limits) {
    let mut current = LIMITS.write().unwrap_or_else(|e| e.into_inner());
    *current = Limits {
        max_cells: limits.max_cells.min(CEILING_CELLS),
        ..limits
    };
}

/// The limits in force.
pub fn get() -> Limits {
    *LIMITS.read().unwrap_or_else(|e| e.into_inner())
}

/// A request above a limit; its message names the value, the limit and the flag that raises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeded {
    /// What was asked, in the user's terms ("the grid (40000 × 30000 cells)").
    pub what: String,
    /// The value asked for.
    pub value: u64,
    /// The limit's name (a field of [`Limits`]).
    pub limit: &'static str,
    /// The limit's value.
    pub allowed: u64,
    /// The flag that raises it.
    pub flag: &'static str,
}

impl fmt::Display for Exceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is {} — above the limit {} = {}. Check the input for a mistake (units, a missing \
             classification, an extra zero); if it is intended, raise the limit with {} N",
            self.what, self.value, self.limit, self.allowed, self.flag
        )
    }
}

impl std::error::Error for Exceeded {}

/// Checks `value` against the limit named `limit` (a field of [`Limits`]).
///
/// # Errors
/// [`Exceeded`] when `value` is above the limit.
///
/// # Panics
/// Never for the five names of [`Limits::rows`]; an unknown name is a programming error.
pub fn check(limit: &'static str, what: impl Into<String>, value: u64) -> Result<(), Exceeded> {
    let limits = get();
    let (name, flag, allowed) = limits
        .rows()
        .into_iter()
        .find(|(name, _, _)| *name == limit)
        .unwrap_or_else(|| panic!("unknown limit {limit}"));
    if value > allowed {
        return Err(Exceeded {
            what: what.into(),
            value,
            limit: name,
            allowed,
            flag,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_names_value_limit_and_flag() {
        assert!(check("max_classes", "layer x: classes", 10_000).is_ok());
        let err = check("max_classes", "layer x: classes", 10_001).unwrap_err();
        assert_eq!(err.allowed, Limits::DEFAULT.max_classes as u64);
        let text = err.to_string();
        for needle in [
            "layer x: classes",
            "10001",
            "max_classes = 10000",
            "--max-classes",
        ] {
            assert!(text.contains(needle), "{needle:?} not in {text:?}");
        }
    }

    #[test]
    fn rows_follow_the_fields() {
        let l = Limits {
            max_cells: 1,
            max_classes: 2,
            max_features: 3,
            max_bootstrap: 4,
            max_trials: 5,
        };
        let values: Vec<u64> = l.rows().iter().map(|r| r.2).collect();
        assert_eq!(values, [1, 2, 3, 4, 5]);
    }
}
