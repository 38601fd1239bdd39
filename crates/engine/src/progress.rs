//! Progress and results reported through an observer, so the engine never prints.
//!
//! A front end implements [`Observer`] (the CLI with indicatif bars on stderr and results on
//! stdout; a server or a cluster executor otherwise) and runs engine calls inside
//! [`observe`]. Engine code reports through [`say`], [`emit`] and [`pass`], which go to the
//! observer of the calling thread, or nowhere when there is none: a Rust user who does not
//! care about progress gets silence. Block passes report from the thread that called them
//! (the writing side of `stream_blocks`), so the scope covers them.

use std::cell::RefCell;
use std::sync::Arc;

/// What a front end is told while the engine works.
pub trait Observer: Send + Sync {
    /// A line about what is happening now (a stage starting, a count, a warning).
    fn message(&self, line: &str);
    /// A line of the command's result (what a command line prints on standard output).
    fn result(&self, line: &str);
    /// A pass over `total` units of work (blocks) named `what` begins.
    fn begin(&self, what: &str, total: u64) -> Box<dyn Pass>;
}

/// One pass in progress, as shown by a front end.
pub trait Pass {
    /// `n` more units of the pass are done.
    fn advance(&self, n: u64);
    /// The pass has ended (successfully or not).
    fn finish(&self);
}

/// An observer that drops everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

struct NoPass;

impl Pass for NoPass {
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}

impl Observer for Silent {
    fn message(&self, _line: &str) {}
    fn result(&self, _line: &str) {}
    fn begin(&self, _what: &str, _total: u64) -> Box<dyn Pass> {
        Box::new(NoPass)
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<dyn Observer>>> = const { RefCell::new(None) };
}

/// Restores the previous observer when a scope ends, also on unwinding.
struct Restore(Option<Arc<dyn Observer>>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

/// Runs `f` with `observer` receiving this thread's progress and results.
pub fn observe<T>(observer: Arc<dyn Observer>, f: impl FnOnce() -> T) -> T {
    let previous = CURRENT.with(|c| c.borrow_mut().replace(observer));
    let _restore = Restore(previous);
    f()
}

fn with_current(f: impl FnOnce(&dyn Observer)) {
    let current = CURRENT.with(|c| c.borrow().clone());
    match current {
        Some(o) => f(o.as_ref()),
        None => f(&Silent),
    }
}

/// Reports what is happening now.
pub fn say(line: &str) {
    with_current(|o| o.message(line));
}

/// Reports a line of the result.
pub fn emit(line: &str) {
    with_current(|o| o.result(line));
}

/// `emit!` is `println!` for engine results: formats a line and hands it to the observer.
#[macro_export]
macro_rules! emit {
    ($($arg:tt)*) => {
        $crate::progress::emit(&format!($($arg)*))
    };
}

/// A pass in progress; finished when dropped.
pub struct PassGuard(Box<dyn Pass>);

impl PassGuard {
    /// One more block (or `n`) done.
    pub fn inc(&self, n: u64) {
        self.0.advance(n);
    }
}

impl Drop for PassGuard {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// Starts a pass over `total` blocks named `what`.
pub fn pass(total: usize, what: &str) -> PassGuard {
    let mut bar: Option<Box<dyn Pass>> = None;
    with_current(|o| bar = Some(o.begin(what, total as u64)));
    PassGuard(bar.unwrap_or_else(|| Box::new(NoPass)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Log(Mutex<Vec<String>>);

    struct LogPass(Arc<Log>, String);

    impl Pass for LogPass {
        fn advance(&self, n: u64) {
            self.0 .0.lock().unwrap().push(format!("{} +{n}", self.1));
        }
        fn finish(&self) {
            self.0 .0.lock().unwrap().push(format!("{} done", self.1));
        }
    }

    struct Recorder(Arc<Log>);

    impl Observer for Recorder {
        fn message(&self, line: &str) {
            self.0 .0.lock().unwrap().push(format!("say {line}"));
        }
        fn result(&self, line: &str) {
            self.0 .0.lock().unwrap().push(format!("emit {line}"));
        }
        fn begin(&self, what: &str, total: u64) -> Box<dyn Pass> {
            self.0 .0.lock().unwrap().push(format!("{what} of {total}"));
            Box::new(LogPass(self.0.clone(), what.to_string()))
        }
    }

    #[test]
    fn reports_reach_the_scoped_observer_and_stop_after_the_scope() {
        let log = Arc::new(Log::default());
        observe(Arc::new(Recorder(log.clone())), || {
            say("grid");
            let p = pass(2, "weights");
            p.inc(1);
            p.inc(1);
            drop(p);
            emit!("AUC {:.2}", 0.5);
        });
        say("after the scope");
        let got = log.0.lock().unwrap().clone();
        assert_eq!(
            got,
            [
                "say grid",
                "weights of 2",
                "weights +1",
                "weights +1",
                "weights done",
                "emit AUC 0.50"
            ]
        );
    }

    #[test]
    fn scopes_nest_and_restore() {
        let outer = Arc::new(Log::default());
        let inner = Arc::new(Log::default());
        observe(Arc::new(Recorder(outer.clone())), || {
            observe(Arc::new(Recorder(inner.clone())), || say("inner"));
            say("outer");
        });
        assert_eq!(*inner.0.lock().unwrap(), ["say inner"]);
        assert_eq!(*outer.0.lock().unwrap(), ["say outer"]);
    }
}
