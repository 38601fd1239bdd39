//! File helpers: temporary names and atomic renames so that a crash leaves no half-written output.

use std::path::{Path, PathBuf};

use crate::Error;

/// The stem and the extension (with its dot, or empty) of `path`'s file name, as the
/// temporary names split them.
fn stem_and_extension(path: &Path) -> (String, String) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match name.rsplit_once('.') {
        Some((s, e)) => (s.to_string(), format!(".{e}")),
        None => (name, String::new()),
    }
}

/// The hidden temporary sibling of `path` used while it is being written
/// (`.name.<tag>-<pid>.tmp.ext`), on the same file system so that a rename is atomic.
pub fn temporary_sibling(path: &Path, tag: &str) -> PathBuf {
    let (stem, ext) = stem_and_extension(path);
    path.with_file_name(format!(".{stem}.{tag}-{}.tmp{ext}", std::process::id()))
}

/// Fails unless `path` can be an output file: not an existing folder, in a folder that exists.
///
/// # Errors
/// [`Error::Output`] saying what to change.
pub fn check_output_file(path: &Path) -> Result<(), Error> {
    if path.is_dir() {
        return Err(Error::Output {
            path: path.to_path_buf(),
            reason: "is a folder: give a file name for this output".to_string(),
        });
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(Error::Output {
            path: path.to_path_buf(),
            reason: format!(
                "the folder {} does not exist: create it first or write elsewhere",
                parent.display()
            ),
        });
    }
    Ok(())
}

/// The process id in `name` when `name` is the file name [`temporary_sibling`] gives `path`
/// for `tag` in some process (e.g. one that was killed), `None` otherwise.
pub fn temporary_sibling_pid(path: &Path, tag: &str, name: &str) -> Option<u32> {
    let (stem, ext) = stem_and_extension(path);
    let pid = name
        .strip_prefix('.')?
        .strip_prefix(stem.as_str())?
        .strip_prefix('.')?
        .strip_prefix(tag)?
        .strip_prefix('-')?
        .strip_suffix(ext.as_str())?
        .strip_suffix(".tmp")?;
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
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
    check_output_file(path)?;
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

    #[test]
    fn temporary_names_are_recognised_with_their_pid() {
        for out in ["run", "results/run.v2", "a.tif"] {
            let out = Path::new(out);
            let mine = temporary_sibling(out, "partial");
            let name = mine.file_name().unwrap().to_str().unwrap();
            assert_eq!(
                temporary_sibling_pid(out, "partial", name),
                Some(std::process::id()),
                "{name}"
            );
            assert_eq!(temporary_sibling_pid(out, "old", name), None, "{name}");
        }
        let run = Path::new("run");
        assert_eq!(
            temporary_sibling_pid(run, "partial", ".run.partial-42.tmp"),
            Some(42)
        );
        for other in [
            ".run.partial-.tmp",
            ".run.partial-4x2.tmp",
            ".runs.partial-42.tmp",
            ".run.partial-42.tmp.tif",
            "run.partial-42.tmp",
            ".run.partial-42",
        ] {
            assert_eq!(
                temporary_sibling_pid(run, "partial", other),
                None,
                "{other}"
            );
        }
    }
}
