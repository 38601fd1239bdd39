//! What the `nedra` binary's test files (cli.rs, formats.rs) share: running it, and reading a raster back.

use std::path::Path;
use std::process::{Command, Output};

use nedra_core::Grid;

/// Runs the `nedra` binary with `args`.
pub fn nedra(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nedra"))
        .args(args)
        .output()
        .unwrap()
}

/// `nedra run PROJECT --out OUT`, which must succeed (else its stderr is shown); its stdout.
pub fn run_ok(project: &Path, out: &Path) -> String {
    let o = nedra(&[
        "run",
        project.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        o.status.success(),
        "{}: {}",
        project.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// Reads every valid cell of a raster into (row-major values, validity).
pub fn read_all(path: &Path) -> (Grid, Vec<Option<f64>>) {
    let r = nedra_io::RasterReader::open(path).unwrap();
    let g = r.grid().clone();
    let w = nedra_core::Window {
        col_off: 0,
        row_off: 0,
        width: g.width,
        height: g.height,
    };
    let b = r.read(w).unwrap();
    let cells = (0..w.len()).map(|i| b.get(i)).collect();
    (g, cells)
}
