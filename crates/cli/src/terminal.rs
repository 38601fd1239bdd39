//! The terminal front end of the engine's observer: progress on stderr (bars only on a
//! terminal), results on stdout.
//!
//! With `NEDRA_PROGRESS=lines` in the environment, block passes are reported as plain lines
//! `pass WHAT: DONE/TOTAL blocks` on stderr instead of bars, for front ends that read a pipe
//! (the QGIS plugin in `qgis/`); a line is printed when a pass begins, at every whole percent
//! and when it ends.

use std::cell::Cell;
use std::io::Write;

use indicatif::{ProgressBar, ProgressStyle};
use nedra_engine::progress::{Observer, Pass};

/// Prints progress lines and bars to stderr and result lines to stdout.
pub struct Terminal {
    /// Passes as `pass …` lines rather than bars (`NEDRA_PROGRESS=lines`).
    pass_lines: bool,
}

impl Terminal {
    /// The terminal front end, with pass lines if `NEDRA_PROGRESS=lines` is set.
    pub fn from_env() -> Terminal {
        Terminal {
            pass_lines: std::env::var("NEDRA_PROGRESS").is_ok_and(|v| v == "lines"),
        }
    }
}

struct Bar(ProgressBar);

impl Pass for Bar {
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// A pass reported as lines on stderr, at most one per whole percent.
struct Lines {
    what: String,
    total: u64,
    done: Cell<u64>,
    percent_shown: Cell<u64>,
}

impl Lines {
    fn show(&self) {
        let _ = writeln!(
            std::io::stderr(),
            "pass {}: {}/{} blocks",
            self.what,
            self.done.get(),
            self.total
        );
    }
}

impl Pass for Lines {
    fn advance(&self, n: u64) {
        let done = (self.done.get() + n).min(self.total);
        self.done.set(done);
        let percent = done * 100 / self.total.max(1);
        if percent > self.percent_shown.get() && done < self.total {
            self.percent_shown.set(percent);
            self.show();
        }
    }
    fn finish(&self) {
        self.show();
    }
}

impl Observer for Terminal {
    fn message(&self, line: &str) {
        let line = nedra_io::files::published_names(line);
        let _ = writeln!(std::io::stderr(), "{line}");
    }
    fn result(&self, line: &str) {
        let line = nedra_io::files::published_names(line);
        let _ = writeln!(std::io::stdout(), "{line}");
    }
    fn begin(&self, what: &str, total: u64) -> Box<dyn Pass> {
        if self.pass_lines {
            let lines = Lines {
                what: what.to_string(),
                total,
                done: Cell::new(0),
                percent_shown: Cell::new(0),
            };
            lines.show();
            return Box::new(lines);
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:>28} [{bar:30}] {pos}/{len} blocks, {elapsed} elapsed, ~{eta} left",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_message(what.to_string());
        Box::new(Bar(bar))
    }
}
