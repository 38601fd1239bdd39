//! The run manifest (`run.json`): inputs with SHA-256, grid, options, versions, timings.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// SHA-256 of a file, hex-encoded, streamed in 1 MiB pieces.
///
/// # Errors
/// When the file cannot be read.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path)
        .with_context(|| format!("{}: cannot open to hash", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .with_context(|| format!("{}: cannot read to hash", path.display()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The files that make up a dataset: a shapefile's sidecars (.shx, .dbf, .prj, .cpg) with it.
pub fn dataset_files(path: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![path.to_path_buf()];
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("shp"))
    {
        for ext in ["shx", "dbf", "prj", "cpg"] {
            let p = path.with_extension(ext);
            if p.exists() {
                out.push(p);
            }
        }
    }
    out
}

/// One input entry: role, path, size and hash of every file of the dataset.
///
/// # Errors
/// When a file cannot be read.
pub fn input_entry(role: &str, path: &Path) -> Result<Value> {
    if !path.exists() {
        anyhow::bail!(
            "{}: file not found ({role}). Check the path (relative paths are taken from the project file's folder)",
            path.display()
        );
    }
    let files = dataset_files(path)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
            Ok(json!({ "path": p.display().to_string(), "bytes": bytes, "sha256": sha256_file(&p)? }))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(json!({ "role": role, "path": path.display().to_string(), "files": files }))
}

/// Versions of nedra and GDAL.
pub fn versions() -> Value {
    json!({
        "nedra": env!("CARGO_PKG_VERSION"),
        "gdal": nedra_io::gdal_version(),
    })
}
