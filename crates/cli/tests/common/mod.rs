//! Helpers shared by the conformance suites.

use std::path::{Path, PathBuf};

/// The folder `folder` of the shared conformance data named by `NEDRA_CONFORMANCE_DATA`
/// (relative paths are taken from the workspace root). Panics when the variable is unset or
/// the folder is missing, so a missing data set never passes silently.
pub fn shared_data(folder: &str) -> PathBuf {
    let dir = std::env::var("NEDRA_CONFORMANCE_DATA")
        .expect("set NEDRA_CONFORMANCE_DATA to the shared data folder (e.g. ../shared/data)");
    let p = PathBuf::from(dir);
    let p = if p.is_absolute() {
        p
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(p)
    };
    let d = p.join(folder);
    assert!(d.exists(), "{} holds no {folder}", p.display());
    d
}
