//! The terminal front end of the engine's observer: progress on stderr (bars only on a
//! terminal), results on stdout.

use std::io::Write;

use indicatif::{ProgressBar, ProgressStyle};
use nedra_engine::progress::{Observer, Pass};

/// Prints progress lines and bars to stderr and result lines to stdout.
pub struct Terminal;

struct Bar(ProgressBar);

impl Pass for Bar {
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Observer for Terminal {
    fn message(&self, line: &str) {
        let _ = writeln!(std::io::stderr(), "{line}");
    }
    fn result(&self, line: &str) {
        let _ = writeln!(std::io::stdout(), "{line}");
    }
    fn begin(&self, what: &str, total: u64) -> Box<dyn Pass> {
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
