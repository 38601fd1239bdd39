//! GDAL errors that GDAL reports but does not return.
//!
//! Some GDAL drivers report a failure through `CPLError` and carry on: a Shapefile cut short
//! yields features without geometry after `Error in fread()`, and the reading loop ends early
//! with no error value. nedra records every error of class `CE_Failure` or worse raised on the
//! reading thread, and each reader checks the record after its GDAL calls ([`Trap`]), so such a
//! file fails the command, naming it, instead of giving a partial answer.

use std::cell::RefCell;
use std::path::Path;

use gdal::errors::CplErrType;

use crate::Error;

/// Messages kept per thread between two checks; further ones are counted only.
const KEPT: usize = 8;

#[derive(Default)]
struct Record {
    messages: Vec<String>,
    count: usize,
}

thread_local! {
    static RECORD: RefCell<Record> = RefCell::new(Record::default());
}

/// The handler installed by [`crate::init_gdal`]: records failures on the thread raising them
/// (GDAL calls the handler on that thread), ignores debug messages and warnings.
pub(crate) fn record(class: CplErrType, code: i32, message: &str) {
    if !matches!(class, CplErrType::Failure | CplErrType::Fatal) {
        return;
    }
    RECORD.with(|r| {
        let mut r = r.borrow_mut();
        r.count += 1;
        if r.messages.len() < KEPT {
            r.messages.push(format!("{message} (GDAL error {code})"));
        }
    });
}

/// A watch over the GDAL calls made on this thread from its creation to [`Trap::check`].
#[derive(Debug)]
#[must_use = "call check() after the GDAL calls"]
pub struct Trap(());

impl Trap {
    /// Starts watching: forgets failures recorded earlier on this thread (already handled by
    /// their caller, or raised by a call that returned its own error).
    pub fn new() -> Self {
        RECORD.with(|r| *r.borrow_mut() = Record::default());
        Trap(())
    }

    /// Fails when GDAL reported a failure on this thread since [`Trap::new`], with its first
    /// messages and their count.
    ///
    /// # Errors
    /// [`Error::Gdal`] naming `path` and `action`.
    pub fn check(self, path: &Path, action: &str) -> Result<(), Error> {
        let r = RECORD.with(|r| std::mem::take(&mut *r.borrow_mut()));
        if r.count == 0 {
            return Ok(());
        }
        let mut message = r.messages.join("; ");
        if r.count > r.messages.len() {
            message.push_str(&format!(" … {} errors in all", r.count));
        }
        Err(Error::Gdal {
            path: path.to_path_buf(),
            action: action.to_string(),
            message,
        })
    }
}

impl Default for Trap {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_kept_per_thread_and_warnings_ignored() {
        let trap = Trap::new();
        record(CplErrType::Warning, 1, "just a warning");
        assert!(trap.check(Path::new("a"), "reading").is_ok());
        let trap = Trap::new();
        for i in 0..10 {
            record(CplErrType::Failure, 1, &format!("fread {i}"));
        }
        std::thread::spawn(|| {
            // Another thread's record is its own.
            assert!(Trap::new().check(Path::new("b"), "reading").is_ok());
        })
        .join()
        .unwrap();
        let e = trap
            .check(Path::new("pts.shp"), "reading features")
            .unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("pts.shp: reading features failed: fread 0 (GDAL error 1)"));
        assert!(text.contains("10 errors in all"), "{text}");
        // A check consumes the record.
        assert!(Trap::new().check(Path::new("a"), "reading").is_ok());
    }
}
