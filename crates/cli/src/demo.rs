//! The built-in synthetic demo (being written).

use std::path::{Path, PathBuf};

/// Writes the synthetic demo data and its project file into `dir`; returns the project file.
///
/// # Errors
/// Not written yet.
pub fn generate(dir: &Path, seed: u64) -> anyhow::Result<PathBuf> {
    anyhow::bail!("demo not written yet: {} (seed {seed})", dir.display())
}
