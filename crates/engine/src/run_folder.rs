//! Writing an output folder so that it cannot be lost: a run, a prediction or a stage
//! command's folder either appears whole or not at all, and an earlier run it replaces stays
//! whole until the new one is in place.
//!
//! A [`RunFolder`] is written into a hidden sibling of `out` (`.NAME.partial-PID.tmp`, see
//! [`nedra_io::files::temporary_sibling`]) and published at the end:
//!
//! - **A new `out`** is one rename of the staged folder (`renameat2` with `RENAME_NOREPLACE`
//!   on Linux, so a folder that appeared meanwhile is never overwritten unchecked).
//! - **An existing `out`** may be replaced only when it is a nedra run or prediction folder
//!   (it holds `run.json` or `predict.json`) or is empty; anything else is refused, naming the
//!   folder. The replacement is one atomic step: on Linux `renameat2(…, RENAME_EXCHANGE)`
//!   swaps the staged folder and the old run, and the old run, now under the hidden name, is
//!   removed. At every instant `out` holds either the whole old run or the whole new one.
//!   Only when the file system answers the exchange with `EINVAL`, `ENOSYS` or `EOPNOTSUPP`
//!   (and on other systems than Linux) is the old method used: `out` is renamed to a hidden
//!   `.NAME.old-PID.tmp` and the staged folder into `out`; a kill between those two renames
//!   leaves the old run under the hidden name, and the next run into `out` puts it back.
//! - **A lock** beside `out` (`.NAME.nedra-lock`, created exclusively, holding the writer's
//!   process id) keeps a second nedra from writing the same folder: it fails at once, naming
//!   the folder and the holder's PID. A lock whose process is gone (killed, crashed) is stale:
//!   it is reported and taken over (off Unix a process cannot be checked, so a stale lock is
//!   deleted by hand; the error names it). The lock is released when the [`RunFolder`] is
//!   dropped, on success and on every error path.
//! - **Leftovers of killed runs** — hidden partial and old folders of the same `out` — are
//!   removed under the lock when the next run into `out` starts (their number is reported),
//!   so they never pile up.
//! - **A failure** (an error, a panic that unwinds) removes the staged folder, the lock and
//!   any parent folders [`RunFolder::begin`] created: nothing empty or half-written is left.
//!
//! Stage commands that may write into a folder the user already has (`nedra validate`,
//! `targets`, `response`, `assess run`, `prospects`) use an [`OutputFolder`]: a new folder is
//! staged exactly like a run folder; an existing folder is written into directly, as before.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nedra_io::files::{temporary_sibling, temporary_sibling_pid};

use crate::progress::say;

/// Why an output folder could not be started or published; each variant names the folder and
/// says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunFolderError {
    /// Another nedra process is writing the same folder (its lock file names a live process).
    #[error("{}: another nedra (PID {pid}) is writing this run folder; wait for it or choose another --out (if no nedra is running, delete the lock file {})", out.display(), lock.display())]
    Locked {
        /// The output folder.
        out: PathBuf,
        /// The process id in the lock file.
        pid: u32,
        /// The lock file.
        lock: PathBuf,
    },
    /// The output folder exists and holds something other than a nedra run or prediction.
    #[error("{}: the output folder exists and is not a nedra run or prediction folder (no run.json or predict.json). Choose another --out", out.display())]
    NotARunFolder {
        /// The output folder.
        out: PathBuf,
    },
    /// The output path exists and is a file.
    #[error("{}: exists and is a file, not a folder. Choose another --out", out.display())]
    NotAFolder {
        /// The output path.
        out: PathBuf,
    },
    /// The output path has no folder name of its own (`.`, `..`, `/`).
    #[error("{}: name the output folder (e.g. --out results/run1), not `.`, `..` or a root", out.display())]
    NoName {
        /// The output path.
        out: PathBuf,
    },
    /// A file-system operation failed.
    #[error("{}: cannot {action}. Check that the folder is writable and the disk is not full", path.display())]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// What nedra was doing, e.g. "create the lock file".
        action: &'static str,
        /// The operating system's error.
        source: io::Error,
    },
}

fn io_error(path: &Path, action: &'static str, source: io::Error) -> RunFolderError {
    RunFolderError::Io {
        path: path.to_path_buf(),
        action,
        source,
    }
}

/// An output folder being written: a hidden staged sibling of `out`, under `out`'s lock,
/// published into place by [`RunFolder::publish`] and removed on drop otherwise.
#[derive(Debug)]
pub struct RunFolder {
    out: PathBuf,
    staging: PathBuf,
    /// Whether this value created `staging` (and so may remove it).
    staged: bool,
    /// Parent folders `begin` created, outermost first: removed again (when empty) on failure.
    created: Vec<PathBuf>,
    lock: Option<Lock>,
    published: bool,
    /// The newest partial folder of a killed run, moved inside the staged folder so that its
    /// finished stages can be reused (see `stage_cache`); removed before publishing.
    resume: Option<PathBuf>,
}

/// A path as a run folder records it (in `run.json`): relative to the folder `dir` being
/// written when it lies inside it — so it stays true once the staged folder is published, and
/// after the run folder is moved — else absolute. Read it back with [`resolve_recorded`].
pub fn recorded_path(dir: &Path, path: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    if let Ok(inside) = path.strip_prefix(dir) {
        return inside.display().to_string();
    }
    let (path, dir) = (absolute(path), absolute(dir));
    match path.strip_prefix(&dir) {
        Ok(inside) => inside.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

/// A path recorded by [`recorded_path`], resolved against the run folder `run_dir`: relative
/// paths are inside the run folder, absolute ones are kept.
pub fn resolve_recorded(run_dir: &Path, recorded: &str) -> PathBuf {
    let p = Path::new(recorded);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        run_dir.join(p)
    }
}

/// Where a killed run's partial folder is kept inside the new staged folder.
pub const RESUME: &str = ".resume";

impl RunFolder {
    /// Takes the lock of `out`, removes what killed runs into `out` left behind, checks that
    /// an existing `out` may be replaced and creates the empty staged folder (and any missing
    /// parent folders of `out`).
    ///
    /// # Errors
    /// [`RunFolderError::Locked`] when another live nedra writes `out`;
    /// [`RunFolderError::NotARunFolder`] or [`RunFolderError::NotAFolder`] when `out` exists
    /// and may not be replaced; [`RunFolderError::NoName`] for `.`, `..` or a root;
    /// [`RunFolderError::Io`] when a folder or the lock file cannot be created.
    pub fn begin(out: &Path) -> Result<Self, RunFolderError> {
        if out.file_name().is_none() {
            return Err(RunFolderError::NoName {
                out: out.to_path_buf(),
            });
        }
        let created = create_parents(&parent_of(out))?;
        // From here on, dropping `folder` undoes what was done.
        let mut folder = RunFolder {
            out: out.to_path_buf(),
            staging: temporary_sibling(out, "partial"),
            staged: false,
            created,
            lock: None,
            published: false,
            resume: None,
        };
        folder.lock = Some(Lock::acquire(out)?);
        let _ = fs::remove_dir_all(&folder.staging);
        fs::create_dir(&folder.staging)
            .map_err(|e| io_error(&folder.staging, "create the output folder", e))?;
        folder.staged = true;
        folder.resume = clean_leftovers(out, &folder.staging)?;
        check_replaceable(out)?;
        Ok(folder)
    }

    /// The partial folder of an interrupted run kept to resume from, if there was one with
    /// finished stages.
    pub fn resume(&self) -> Option<&Path> {
        self.resume.as_deref()
    }

    /// The staged folder to write into.
    pub fn dir(&self) -> &Path {
        &self.staging
    }

    /// The folder the output will be published as.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Puts the staged folder in place as `out` (replacing an earlier run in one atomic step,
    /// see the module docs), releases the lock and returns `out`.
    ///
    /// # Errors
    /// [`RunFolderError::NotARunFolder`] or [`RunFolderError::NotAFolder`] when something
    /// that may not be replaced appeared at `out` meanwhile; [`RunFolderError::Io`] when the
    /// renames fail. The earlier run, if any, is then still in place.
    pub fn publish(mut self) -> Result<PathBuf, RunFolderError> {
        if let Some(r) = self.resume.take() {
            fs::remove_dir_all(&r).map_err(|e| io_error(&r, "remove the resumed folder", e))?;
        }
        check_replaceable(&self.out)?;
        if self.out.exists() {
            replace(&self.staging, &self.out)?;
        } else {
            match rename_no_replace(&self.staging, &self.out) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    check_replaceable(&self.out)?;
                    replace(&self.staging, &self.out)?;
                }
                Err(e) => return Err(io_error(&self.out, "move the output folder into place", e)),
            }
        }
        self.published = true;
        Ok(self.out.clone())
    }
}

impl Drop for RunFolder {
    fn drop(&mut self) {
        // Unpublished: the half-written folder. Published by exchange: the old run, if
        // removing it in `replace` failed. Published by rename: nothing is there any more.
        if self.staged {
            let _ = fs::remove_dir_all(&self.staging);
        }
        // The lock file lies in the parent folder: release it before removing parents.
        drop(self.lock.take());
        if !self.published {
            for dir in self.created.iter().rev() {
                if fs::remove_dir(dir).is_err() {
                    break;
                }
            }
        }
    }
}

/// Where a stage command writes: a new folder is staged and published like a [`RunFolder`];
/// a folder that already exists is written into directly (its other files stay).
#[derive(Debug)]
pub struct OutputFolder {
    out: PathBuf,
    staged: Option<RunFolder>,
}

impl OutputFolder {
    /// Starts writing `out`: directly when it is an existing folder, else through a
    /// [`RunFolder`].
    ///
    /// # Errors
    /// Those of [`RunFolder::begin`].
    pub fn begin(out: &Path) -> Result<Self, RunFolderError> {
        let staged = if out.is_dir() {
            None
        } else {
            Some(RunFolder::begin(out)?)
        };
        Ok(OutputFolder {
            out: out.to_path_buf(),
            staged,
        })
    }

    /// The folder to write into.
    pub fn dir(&self) -> &Path {
        self.staged.as_ref().map_or(&self.out, RunFolder::dir)
    }

    /// Publishes a staged folder as `out`; returns `out`.
    ///
    /// # Errors
    /// Those of [`RunFolder::publish`].
    pub fn finish(self) -> Result<PathBuf, RunFolderError> {
        if let Some(staged) = self.staged {
            staged.publish()?;
        }
        Ok(self.out)
    }
}

/// The folder holding `out` (`.` for a bare name).
fn parent_of(out: &Path) -> PathBuf {
    out.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// Creates `dir` and its missing ancestors; returns the ones created, outermost first.
fn create_parents(dir: &Path) -> Result<Vec<PathBuf>, RunFolderError> {
    let mut missing = Vec::new();
    let mut d = Some(dir);
    while let Some(p) = d.filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
        missing.push(p.to_path_buf());
        d = p.parent();
    }
    missing.reverse();
    fs::create_dir_all(dir).map_err(|e| io_error(dir, "create the output folder", e))?;
    Ok(missing)
}

/// Fails unless `out` is absent, empty, or a nedra run or prediction folder.
pub(crate) fn check_replaceable(out: &Path) -> Result<(), RunFolderError> {
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(RunFolderError::NotAFolder {
            out: out.to_path_buf(),
        });
    }
    let is_run = out.join("run.json").exists()
        || out.join("predict.json").exists()
        || fs::read_dir(out)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
    if is_run {
        Ok(())
    } else {
        Err(RunFolderError::NotARunFolder {
            out: out.to_path_buf(),
        })
    }
}

/// Replaces the existing `out` by `staged`: one exchange, then the old run (now at
/// `staged`'s name) is removed; two renames where the file system cannot exchange.
fn replace(staged: &Path, out: &Path) -> Result<(), RunFolderError> {
    match exchange(staged, out) {
        Ok(()) => {
            let _ = fs::remove_dir_all(staged);
            Ok(())
        }
        Err(e) if exchange_unsupported(&e) => replace_by_two_renames(staged, out),
        Err(e) => Err(io_error(out, "swap the new output folder into place", e)),
    }
}

/// The method for file systems without an exchange: `out` → hidden old name, `staged` →
/// `out`. A kill between the two leaves the old run under the hidden name, where
/// [`clean_leftovers`] finds it and puts it back.
fn replace_by_two_renames(staged: &Path, out: &Path) -> Result<(), RunFolderError> {
    let old = temporary_sibling(out, "old");
    let _ = fs::remove_dir_all(&old);
    fs::rename(out, &old).map_err(|e| io_error(out, "move the earlier run aside", e))?;
    if let Err(e) = fs::rename(staged, out) {
        let _ = fs::rename(&old, out);
        return Err(io_error(out, "move the output folder into place", e));
    }
    let _ = fs::remove_dir_all(&old);
    Ok(())
}

/// Swaps `a` and `b` atomically (`renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    rename_with_flags(a, b, libc::RENAME_EXCHANGE)
}

/// No atomic exchange off Linux: always the two-rename method.
#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Whether `e` says the file system (or kernel) cannot exchange, rather than that the
/// exchange itself failed.
fn exchange_unsupported(e: &io::Error) -> bool {
    #[cfg(target_os = "linux")]
    {
        matches!(
            e.raw_os_error(),
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
        )
    }
    #[cfg(not(target_os = "linux"))]
    {
        e.kind() == io::ErrorKind::Unsupported
    }
}

/// Renames `from` to `to`, failing with `AlreadyExists` if `to` exists (`RENAME_NOREPLACE`;
/// a plain rename where the file system has no such flag).
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        match rename_with_flags(from, to, libc::RENAME_NOREPLACE) {
            Err(e) if exchange_unsupported(&e) => {}
            other => return other,
        }
    }
    fs::rename(from, to)
}

#[cfg(target_os = "linux")]
fn rename_with_flags(from: &Path, to: &Path, flags: libc::c_uint) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let from = CString::new(from.as_os_str().as_bytes())?;
    let to = CString::new(to.as_os_str().as_bytes())?;
    // SAFETY: both paths are NUL-terminated C strings that live until the call returns;
    // AT_FDCWD resolves relative paths against the working directory, as `fs::rename` does.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            flags,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Removes the hidden folders killed runs into `out` left beside it (partial folders, old
/// runs, set-aside stale locks), and reports how many. When `out` itself is missing and an
/// old run survives (a kill between the two renames of the fallback), it is put back as
/// `out` instead. The newest partial folder holding finished stages (a `.stages` folder) is
/// not deleted but moved to [`RESUME`] inside `staging`, whose path is returned.
fn clean_leftovers(out: &Path, staging: &Path) -> Result<Option<PathBuf>, RunFolderError> {
    let parent = parent_of(out);
    let entries =
        fs::read_dir(&parent).map_err(|e| io_error(&parent, "list the output's folder", e))?;
    let stale_lock_prefix = format!(
        "{}.stale-",
        lock_path(out)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    let mut partial = Vec::new();
    let mut old = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if Some(entry.file_name().as_os_str()) == staging.file_name() {
            // The folder this run has just created.
        } else if temporary_sibling_pid(out, "partial", &name).is_some() {
            partial.push(entry.path());
        } else if temporary_sibling_pid(out, "old", &name).is_some() {
            old.push(entry.path());
        } else if name.starts_with(&stale_lock_prefix) {
            let _ = fs::remove_file(entry.path());
        }
    }
    if !out.exists() && !old.is_empty() {
        // The newest old run is the one the interrupted replacement moved aside.
        old.sort_by_key(|p| fs::metadata(p).and_then(|m| m.modified()).ok());
        if let Some(newest) = old.pop() {
            fs::rename(&newest, out)
                .map_err(|e| io_error(out, "put back the run an interrupted run moved aside", e))?;
            say(&format!(
                "{}: put back the earlier run that an interrupted run had moved to {}",
                out.display(),
                newest.display()
            ));
        }
    }
    let mut removed = 0;
    // The newest partial folder with finished stages is kept to resume from.
    partial.sort_by_key(|p| fs::metadata(p).and_then(|m| m.modified()).ok());
    let mut resume = None;
    if let Some(pos) = partial
        .iter()
        .rposition(|p| p.join(crate::stage_cache::RECORDS).is_dir())
    {
        let from = partial.remove(pos);
        let to = staging.join(RESUME);
        if fs::rename(&from, &to).is_ok() {
            removed += 1;
            say(&format!(
                "{}: resuming from {}, left by an interrupted run (its finished stages are reused)",
                out.display(),
                from.display()
            ));
            resume = Some(to);
        } else {
            partial.push(from);
        }
    }
    for p in partial.iter().chain(&old) {
        let gone = if p.is_dir() {
            fs::remove_dir_all(p)
        } else {
            fs::remove_file(p)
        };
        match gone {
            Ok(()) => removed += 1,
            Err(e) => say(&format!(
                "{}: cannot remove this folder left by an interrupted run ({e}); delete it by hand",
                p.display()
            )),
        }
    }
    if removed > 0 {
        say(&format!(
            "{}: removed {removed} hidden partial folder{} left by interrupted runs",
            out.display(),
            if removed == 1 { "" } else { "s" }
        ));
    }
    Ok(resume)
}

/// The lock file of `out`: `.NAME.nedra-lock` beside it.
fn lock_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    out.with_file_name(format!(".{name}.nedra-lock"))
}

/// How long a lock file without a readable PID may be in the making before it counts as
/// stale (its writer links it into place with its PID, or, where the file system has no hard
/// links, creates it and writes its PID at once).
const UNREADABLE_LOCK_GRACE: Duration = Duration::from_secs(1);

/// The exclusive right to write one output folder, held by this process until dropped.
#[derive(Debug)]
struct Lock {
    path: PathBuf,
}

impl Lock {
    /// Creates the lock file of `out` holding this process's id, taking over a stale one.
    fn acquire(out: &Path) -> Result<Lock, RunFolderError> {
        let path = lock_path(out);
        let me = std::process::id();
        let mut unreadable_since: Option<Instant> = None;
        // Each round either returns or removes a stale lock someone else may recreate first;
        // the bound only guards against a pathological file system.
        for _ in 0..1000 {
            match create_holding(&path, &format!("{me}\n")) {
                Ok(()) => return Ok(Lock { path }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io_error(&path, "create the lock file", e)),
            }
            let seen = match fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_error(&path, "read the lock file", e)),
            };
            match seen.trim().parse::<u32>() {
                Ok(pid) if is_running(pid) => {
                    return Err(RunFolderError::Locked {
                        out: out.to_path_buf(),
                        pid,
                        lock: path,
                    });
                }
                Ok(pid) => {
                    say(&format!(
                        "{}: nedra PID {pid}, which held this folder's lock, is no longer running; taking the lock over",
                        out.display()
                    ));
                    take_over(&path, &seen)?;
                }
                Err(_) => {
                    let since = *unreadable_since.get_or_insert_with(Instant::now);
                    if since.elapsed() < UNREADABLE_LOCK_GRACE {
                        std::thread::sleep(Duration::from_millis(20));
                        continue;
                    }
                    say(&format!(
                        "{}: the lock file {} names no process; taking the lock over",
                        out.display(),
                        path.display()
                    ));
                    take_over(&path, &seen)?;
                }
            }
        }
        Err(io_error(
            &path,
            "take the lock file",
            io::Error::other("it kept changing"),
        ))
    }
}

/// Creates `path` holding `text` in one step where the file system allows: `text` is written
/// to a sibling first and hard-linked into place (a link fails when `path` exists, as an
/// exclusive create does), so no other process ever reads the file empty. Where hard links
/// are refused, `path` is created exclusively and then written (the readers' grace for an
/// unreadable lock covers that instant).
fn create_holding(path: &Path, text: &str) -> io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staged = path.with_file_name(format!("{name}.new-{}", std::process::id()));
    fs::write(&staged, text)?;
    let linked = fs::hard_link(&staged, path);
    let _ = fs::remove_file(&staged);
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)?;
            if let Err(e) = file.write_all(text.as_bytes()) {
                let _ = fs::remove_file(path);
                return Err(e);
            }
            Ok(())
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Remove only our own lock, never one another process took over meanwhile.
        let mine = fs::read_to_string(&self.path)
            .is_ok_and(|t| t.trim().parse::<u32>().ok() == Some(std::process::id()));
        if mine {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Removes the stale lock at `path` whose content was `seen`, unless another process has
/// replaced it meanwhile. It is first renamed aside (only one process can move a given file)
/// and checked there; a lock that turns out to be a new live one is linked back.
fn take_over(path: &Path, seen: &str) -> Result<(), RunFolderError> {
    let aside = path.with_file_name(format!(
        "{}.stale-{}",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    match fs::rename(path, &aside) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(path, "take over the stale lock file", e)),
    }
    if fs::read_to_string(&aside).is_ok_and(|now| now != seen) {
        // A live nedra took the lock between our read and our rename: give it back (unless a
        // third one has created a new lock meanwhile; the caller's next round then sees that).
        let _ = fs::hard_link(&aside, path);
    }
    let _ = fs::remove_file(&aside);
    Ok(())
}

/// Whether a process with id `pid` exists (signal 0 checks without sending anything).
#[cfg(unix)]
fn is_running(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: `kill` with signal 0 sends nothing; it only reports whether `pid` exists. A
    // positive pid addresses one process, never a group.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Off Unix a lock's process cannot be checked: it always counts as running.
#[cfg(not(unix))]
fn is_running(_pid: u32) -> bool {
    true
}

/// Refuses an output path that is the input file itself (inputs are never modified).
///
/// # Errors
/// When `output` names the same file as `input` (compared after resolving links).
pub fn refuse_overwriting_input(input: &Path, output: &Path) -> anyhow::Result<()> {
    let same = match (input.canonicalize(), output.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        anyhow::bail!(
            "{}: the output would overwrite the input {}; nedra never modifies its inputs. Give another output path",
            output.display(),
            input.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_paths_are_relative_inside_the_run_and_absolute_outside() {
        let dir = Path::new("/data/.run.partial-7");
        let inside = dir.join("evidence/mag_values.tif");
        assert_eq!(recorded_path(dir, &inside), "evidence/mag_values.tif");
        assert_eq!(
            resolve_recorded(Path::new("/moved/run"), &recorded_path(dir, &inside)),
            Path::new("/moved/run/evidence/mag_values.tif")
        );
        let outside = Path::new("/survey/mag.tif");
        assert_eq!(recorded_path(dir, outside), "/survey/mag.tif");
        assert_eq!(
            resolve_recorded(Path::new("/moved/run"), "/survey/mag.tif"),
            outside
        );
        // A relative input outside the run is made absolute, not left relative to the
        // working folder (which would then read as inside the run).
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            recorded_path(dir, Path::new("data/mag.tif")),
            cwd.join("data/mag.tif").display().to_string()
        );
    }
    use crate::progress::Observer;
    use std::sync::{Arc, Mutex};

    /// The names in `dir`, sorted.
    /// A lock is created holding its text, or not at all: an existing one is left as it was,
    /// and no staged sibling is left behind either way.
    #[test]
    fn a_lock_is_created_holding_its_pid_or_not_at_all() {
        let tmp = tempfile::tempdir().unwrap();
        let lock = tmp.path().join(".run.nedra-lock");
        create_holding(&lock, "4242\n").unwrap();
        assert_eq!(fs::read_to_string(&lock).unwrap(), "4242\n");
        let e = create_holding(&lock, "777\n").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&lock).unwrap(), "4242\n");
        assert_eq!(names(tmp.path()), [".run.nedra-lock"]);
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    }

    /// A run folder at `out` holding `run.json` with `text` and a file only it has.
    fn old_run(out: &Path, text: &str) {
        fs::create_dir_all(out.join("weights")).unwrap();
        fs::write(out.join("run.json"), text).unwrap();
        fs::write(out.join("weights").join("only_old.csv"), "x\n").unwrap();
    }

    /// The id of a process that has ended.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    /// Runs `f` and returns what it said through the progress observer.
    fn said<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
        #[derive(Default)]
        struct Lines(Mutex<Vec<String>>);
        impl Observer for Lines {
            fn message(&self, line: &str) {
                self.0.lock().unwrap().push(line.to_string());
            }
            fn result(&self, _line: &str) {}
            fn begin(&self, what: &str, total: u64) -> Box<dyn crate::progress::Pass> {
                crate::progress::Silent.begin(what, total)
            }
        }
        let lines = Arc::new(Lines::default());
        let t = crate::progress::observe(lines.clone(), f);
        let got = lines.0.lock().unwrap().clone();
        (t, got)
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn exchange_swaps_two_folders_in_one_step() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(a.join("from_a"), "").unwrap();
        fs::write(b.join("from_b"), "").unwrap();
        exchange(&a, &b).unwrap();
        assert_eq!(names(&a), ["from_b"]);
        assert_eq!(names(&b), ["from_a"]);
        // Without a second folder there is nothing to exchange with.
        let e = exchange(&a, &tmp.path().join("missing")).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn publishing_replaces_an_old_run_and_the_old_content_is_gone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        old_run(&out, "old");
        let folder = RunFolder::begin(&out).unwrap();
        assert_eq!(names(folder.dir()), Vec::<String>::new());
        // While the new run is written, the old one is untouched.
        assert_eq!(fs::read_to_string(out.join("run.json")).unwrap(), "old");
        fs::write(folder.dir().join("run.json"), "new").unwrap();
        assert_eq!(folder.publish().unwrap(), out);
        assert_eq!(fs::read_to_string(out.join("run.json")).unwrap(), "new");
        assert_eq!(names(&out), ["run.json"]);
        // No hidden old run, staged folder or lock is left beside it.
        assert_eq!(names(tmp.path()), ["run"]);
    }

    #[test]
    fn the_two_rename_fallback_replaces_an_old_run_too() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        old_run(&out, "old");
        let staged = tmp.path().join("staged");
        fs::create_dir(&staged).unwrap();
        fs::write(staged.join("run.json"), "new").unwrap();
        replace_by_two_renames(&staged, &out).unwrap();
        assert_eq!(names(&out), ["run.json"]);
        assert_eq!(fs::read_to_string(out.join("run.json")).unwrap(), "new");
        assert_eq!(names(tmp.path()), ["run"]);
    }

    #[test]
    fn a_new_folder_is_published_and_its_parents_created() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("a").join("b").join("run");
        let folder = RunFolder::begin(&out).unwrap();
        fs::write(folder.dir().join("predict.json"), "{}").unwrap();
        folder.publish().unwrap();
        assert_eq!(names(&out), ["predict.json"]);
        assert_eq!(names(out.parent().unwrap()), ["run"]);
    }

    #[test]
    fn a_failure_leaves_no_folder_lock_or_created_parent() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("a").join("b").join("run");
        let folder = RunFolder::begin(&out).unwrap();
        fs::write(folder.dir().join("half.tif"), "x").unwrap();
        assert!(lock_path(&out).exists());
        drop(folder);
        assert_eq!(names(tmp.path()), Vec::<String>::new());
        // A parent the user had stays, even when it is empty.
        fs::create_dir(tmp.path().join("mine")).unwrap();
        drop(RunFolder::begin(&tmp.path().join("mine").join("run")).unwrap());
        assert_eq!(names(tmp.path()), ["mine"]);
        assert_eq!(names(&tmp.path().join("mine")), Vec::<String>::new());
    }

    #[test]
    fn a_folder_that_is_not_a_run_is_refused_and_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("thesis");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("chapter1.tex"), "x").unwrap();
        let e = RunFolder::begin(&out).unwrap_err();
        assert!(matches!(e, RunFolderError::NotARunFolder { .. }), "{e}");
        assert!(e.to_string().contains("thesis"), "{e}");
        assert_eq!(names(&out), ["chapter1.tex"]);
        assert_eq!(names(tmp.path()), ["thesis"]);
        // A file is no folder either; an empty folder may be replaced.
        fs::write(tmp.path().join("file"), "x").unwrap();
        let e = RunFolder::begin(&tmp.path().join("file")).unwrap_err();
        assert!(matches!(e, RunFolderError::NotAFolder { .. }), "{e}");
        fs::create_dir(tmp.path().join("empty")).unwrap();
        let folder = RunFolder::begin(&tmp.path().join("empty")).unwrap();
        fs::write(folder.dir().join("run.json"), "{}").unwrap();
        folder.publish().unwrap();
        assert_eq!(names(&tmp.path().join("empty")), ["run.json"]);
        let e = RunFolder::begin(Path::new("..")).unwrap_err();
        assert!(matches!(e, RunFolderError::NoName { .. }), "{e}");
    }

    #[test]
    fn a_live_lock_is_refused_at_once_and_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        old_run(&out, "old");
        let me = std::process::id();
        fs::write(lock_path(&out), format!("{me}\n")).unwrap();
        let e = RunFolder::begin(&out).unwrap_err();
        match &e {
            RunFolderError::Locked { pid, lock, .. } => {
                assert_eq!(*pid, me);
                assert_eq!(lock, &lock_path(&out));
            }
            other => panic!("expected Locked, got {other}"),
        }
        let text = e.to_string();
        assert!(
            text.contains(&format!("another nedra (PID {me})")) && text.contains("run"),
            "{text}"
        );
        assert_eq!(
            fs::read_to_string(lock_path(&out)).unwrap(),
            format!("{me}\n")
        );
        assert_eq!(fs::read_to_string(out.join("run.json")).unwrap(), "old");
        assert_eq!(names(tmp.path()), [".run.nedra-lock", "run"]);
    }

    #[test]
    fn a_second_writer_in_flight_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        let first = RunFolder::begin(&out).unwrap();
        let e = RunFolder::begin(&out).unwrap_err();
        assert!(
            matches!(e, RunFolderError::Locked { pid, .. } if pid == std::process::id()),
            "{e}"
        );
        // The refused one removed neither the first's staged folder nor its lock.
        assert!(first.dir().is_dir() && lock_path(&out).exists());
        drop(first);
        let second = RunFolder::begin(&out).unwrap();
        drop(second);
        assert_eq!(names(tmp.path()), Vec::<String>::new());
    }

    #[test]
    fn a_stale_lock_of_a_dead_process_is_reported_and_taken_over() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        let dead = dead_pid();
        assert!(!is_running(dead));
        fs::write(lock_path(&out), format!("{dead}\n")).unwrap();
        let (folder, lines) = said(|| RunFolder::begin(&out));
        let folder = folder.unwrap();
        assert!(
            lines
                .iter()
                .any(|l| l.contains(&format!("PID {dead}")) && l.contains("no longer running")),
            "{lines:?}"
        );
        assert_eq!(
            fs::read_to_string(lock_path(&out)).unwrap().trim(),
            std::process::id().to_string()
        );
        drop(folder);
        assert!(!lock_path(&out).exists());
        // A lock file that never got a PID is taken over after a short grace.
        fs::write(lock_path(&out), "").unwrap();
        let (folder, lines) = said(|| RunFolder::begin(&out));
        assert!(folder.is_ok() && lines.iter().any(|l| l.contains("names no process")));
    }

    #[test]
    fn partial_folders_of_killed_runs_are_cleaned_and_counted() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        old_run(&out, "old");
        for leftover in [".run.partial-4194305.tmp", ".run.old-77.tmp"] {
            fs::create_dir_all(tmp.path().join(leftover).join("evidence")).unwrap();
            fs::write(tmp.path().join(leftover).join("posterior.tif"), "x").unwrap();
        }
        fs::write(tmp.path().join(".run.nedra-lock.stale-12"), "12\n").unwrap();
        // Other outputs' leftovers and the user's own hidden files are not ours to remove.
        for keep in [".runs.partial-5.tmp", ".run.keep", ".other.old-7.tmp"] {
            fs::create_dir(tmp.path().join(keep)).unwrap();
        }
        let (folder, lines) = said(|| RunFolder::begin(&out));
        let folder = folder.unwrap();
        assert!(
            lines
                .iter()
                .any(|l| l.contains("removed 2 hidden partial folders")),
            "{lines:?}"
        );
        drop(folder);
        assert_eq!(
            names(tmp.path()),
            [
                ".other.old-7.tmp",
                ".run.keep",
                ".runs.partial-5.tmp",
                "run"
            ]
        );
        assert_eq!(fs::read_to_string(out.join("run.json")).unwrap(), "old");
    }

    #[test]
    fn an_old_run_left_between_two_renames_is_put_back() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        old_run(&tmp.path().join(".run.old-77.tmp"), "old");
        fs::create_dir(tmp.path().join(".run.partial-78.tmp")).unwrap();
        let (folder, lines) = said(|| RunFolder::begin(&out));
        drop(folder.unwrap());
        assert!(lines.iter().any(|l| l.contains("put back")), "{lines:?}");
        assert_eq!(fs::read_to_string(out.join("run.json")).unwrap(), "old");
        assert_eq!(names(tmp.path()), ["run"]);
    }

    #[test]
    fn an_output_folder_stages_new_folders_and_writes_into_existing_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let new = tmp.path().join("validation");
        let o = OutputFolder::begin(&new).unwrap();
        assert_ne!(o.dir(), new);
        fs::write(o.dir().join("validation.json"), "{}").unwrap();
        assert!(!new.exists());
        assert_eq!(o.finish().unwrap(), new);
        assert_eq!(names(&new), ["validation.json"]);
        // A failed stage command into a new folder leaves nothing.
        let failed = tmp.path().join("targets");
        let o = OutputFolder::begin(&failed).unwrap();
        fs::write(o.dir().join("targets.tif"), "x").unwrap();
        drop(o);
        assert_eq!(names(tmp.path()), ["validation"]);
        // An existing folder is written into directly and keeps its other files.
        fs::write(new.join("notes.txt"), "mine").unwrap();
        let o = OutputFolder::begin(&new).unwrap();
        assert_eq!(o.dir(), new);
        fs::write(o.dir().join("targets.csv"), "rank\n").unwrap();
        o.finish().unwrap();
        assert_eq!(names(&new), ["notes.txt", "targets.csv", "validation.json"]);
    }
}
