//! NaN and ±Inf in rasters: one rule everywhere.
//!
//! A non-finite value is NoData: [`crate::RasterReader::read`] masks it (as
//! [`nedra_core::Block::from_raw`] does) and [`crate::RasterWriter::write`] writes NoData in its
//! place. Both count such cells here, per file, so that the command or run can report them
//! ([`take`]): a geologist learns that `mag.tif` held 2 310 infinite cells instead of seeing a
//! target with mean score `inf`.
//!
//! Cells are counted once per file and block window, however many passes read the block.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use nedra_core::Window;

type Counts = BTreeMap<PathBuf, BTreeMap<(usize, usize, usize, usize), u64>>;

static COUNTS: Mutex<Counts> = Mutex::new(BTreeMap::new());

/// Records `cells` non-finite cells of `path` in `window` (a later pass over the same window
/// replaces, not adds).
pub(crate) fn record(path: &Path, window: Window, cells: u64) {
    if cells == 0 {
        return;
    }
    let key = (window.row_off, window.col_off, window.width, window.height);
    let mut counts = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    counts
        .entry(path.to_path_buf())
        .or_default()
        .insert(key, cells);
}

/// The files that held (read) or were given (written) non-finite values since the last call,
/// with their cell counts, and forgets them.
pub fn take() -> Vec<(PathBuf, u64)> {
    let mut counts = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    std::mem::take(&mut *counts)
        .into_iter()
        .map(|(p, w)| (p, w.values().sum()))
        .collect()
}

/// The warning line for a file's non-finite cells.
pub fn warning(path: &Path, cells: u64) -> String {
    format!(
        "{}: {cells} cells held NaN or ±Inf; they were taken as NoData",
        path.display()
    )
}
