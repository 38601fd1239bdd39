//! File helpers: temporary names and atomic renames so that a crash leaves no half-written output.

use std::path::{Path, PathBuf};

use crate::Error;

/// The hidden temporary sibling of `path` used while it is being written
/// (`.name.<tag>-<pid>.tmp.ext`), on the same file system so that a rename is atomic.
pub fn temporary_sibling(path: &Path, tag: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) => (s.to_string(), format!(".{e}")),
        None => (name.clone(), String::new()),
    };
    path.with_file_name(format!(".{stem}.{tag}-{}.tmp{ext}", std::process::id()))
}

/// Renames `from` to `to`, replacing `to` atomically on the same file system.
///
/// # Errors
/// [`Error::Io`] when the rename fails.
pub fn atomic_rename(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::rename(from, to).map_err(|e| Error::io(to, e))
}

/// Writes `bytes` to `path` atomically.
///
/// # Errors
/// [`Error::Io`] when writing or renaming fails.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let tmp = temporary_sibling(path, "write");
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    atomic_rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomic_leaves_only_the_result() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        write_atomic(&p, b"x\n").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"x\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let t = temporary_sibling(&p, "cog");
        assert!(t
            .file_name()
            .unwrap()
            .to_string_lossy()
            .ends_with(".tmp.csv"));
    }
}
