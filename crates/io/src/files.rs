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

/// Bytes free for this process on the file system holding `path` (or its nearest existing
/// folder), from GDAL's `VSIGetDiskFreeSpace`; `None` when unknown.
pub fn free_space(path: &Path) -> Option<u64> {
    let mut dir = if path.is_dir() {
        Some(path)
    } else {
        path.parent()
    };
    while let Some(d) = dir {
        if d.as_os_str().is_empty() {
            dir = Some(Path::new("."));
            continue;
        }
        if d.is_dir() {
            let c = std::ffi::CString::new(d.to_string_lossy().as_bytes()).ok()?;
            // SAFETY: a valid NUL-terminated path; the call only reads it.
            let free = unsafe { gdal_sys::VSIGetDiskFreeSpace(c.as_ptr()) };
            return u64::try_from(free).ok();
        }
        dir = d.parent();
    }
    None
}

/// Below this many free bytes, a failed write is taken as a full disk.
const NEARLY_FULL: u64 = 8 << 20;

/// `e`, a GDAL error raised while writing `out`, as the full disk it most likely is when the
/// file system holding `out` has less than 8 MiB free: GDAL reports a full disk as a short
/// write or a corrupt TIFF directory, blaming the file instead of the disk.
pub fn or_disk_full(out: &Path, e: Error) -> Error {
    match (&e, free_space(out)) {
        (Error::Gdal { .. }, Some(free)) if free < NEARLY_FULL => Error::Io {
            path: out.to_path_buf(),
            source: std::io::Error::from_raw_os_error(28),
        },
        _ => e,
    }
}

/// A message with every hidden temporary name (`.name.<tag>-<pid>.tmp.ext`, from
/// [`temporary_sibling`] and the staged run folders) replaced by the name it is published as,
/// so that a user reads the file or folder they asked for, never a hidden one.
pub fn published_names(message: &str) -> String {
    let is_delimiter = |c: char| c.is_whitespace() || "/\\\"'`:,;()[]{}".contains(c);
    let mut out = String::with_capacity(message.len());
    let mut word = String::new();
    for c in message.chars() {
        if is_delimiter(c) {
            out.push_str(&published_name(&word).unwrap_or_else(|| word.clone()));
            word.clear();
            out.push(c);
        } else {
            word.push(c);
        }
    }
    out.push_str(&published_name(&word).unwrap_or(word));
    out
}

/// `name` + `ext` for a temporary name `.name.<tag>-<pid>.tmp<ext>`, else `None`.
fn published_name(word: &str) -> Option<String> {
    let rest = word.strip_prefix('.')?;
    let at = rest.rfind(".tmp")?;
    let (head, ext) = (&rest[..at], &rest[at + 4..]);
    if !(ext.is_empty() || ext.starts_with('.')) {
        return None;
    }
    let (head, pid) = head.rsplit_once('-')?;
    let (stem, tag) = head.rsplit_once('.')?;
    let ok = !stem.is_empty()
        && !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
        && !tag.is_empty()
        && tag.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    ok.then(|| format!("{stem}{ext}"))
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

    #[test]
    fn hidden_temporary_names_become_the_published_names() {
        let tmp = temporary_sibling(Path::new("/out/evidence/mag.tif"), "warp");
        let text = format!("error: {}: the disk is full", tmp.display());
        assert_eq!(
            published_names(&text),
            "error: /out/evidence/mag.tif: the disk is full"
        );
        let pid = std::process::id();
        assert_eq!(
            published_names(&format!(
                "writing /x/.run.partial-{pid}.tmp/evidence/.a.b.staging-{pid}.tmp.tif (band 1)"
            )),
            "writing /x/run/evidence/a.b.tif (band 1)"
        );
        // Names that only look alike are kept.
        for keep in [
            ".hidden.tmp",
            ".x.tag-12a.tmp",
            "x.warp-1.tmp",
            ".x.Tag-1.tmp",
            ".x.tag-1.tmpl",
        ] {
            assert_eq!(published_names(keep), keep);
        }
    }

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
