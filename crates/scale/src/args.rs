//! The few flags of the `nedra-scheduler`, `nedra-executor` and `nedra-cluster` binaries
//! (`--name value` pairs, parsed by hand: no argument-parser dependency in this crate).

use std::collections::HashMap;

use anyhow::{bail, Context, Result};

/// `--name value` pairs and positional words, in order.
#[derive(Debug, Default)]
pub struct Args {
    flags: HashMap<String, String>,
    /// Words that are not flags or their values.
    pub positional: Vec<String>,
}

impl Args {
    /// Parses `args` (without the program name); every flag in `known` takes one value.
    ///
    /// # Errors
    /// An unknown flag, or a flag without its value.
    pub fn parse(args: impl IntoIterator<Item = String>, known: &[&str]) -> Result<Self> {
        let mut out = Args::default();
        let mut it = args.into_iter();
        while let Some(a) = it.next() {
            if let Some(name) = a.strip_prefix("--") {
                if !known.contains(&name) {
                    bail!(
                        "unknown flag --{name}; the flags are {}",
                        known
                            .iter()
                            .map(|k| format!("--{k}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
                let v = it
                    .next()
                    .with_context(|| format!("--{name} needs a value"))?;
                out.flags.insert(name.to_string(), v);
            } else {
                out.positional.push(a);
            }
        }
        Ok(out)
    }

    /// The value of `--name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.flags.get(name).map(String::as_str)
    }

    /// The value of `--name` parsed, or `default`.
    ///
    /// # Errors
    /// When the value does not parse.
    pub fn parsed<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|e| anyhow::anyhow!("--{name} {v}: {e}")),
        }
    }
}

/// A tokio runtime with the large thread stacks Ballista's binaries use (plans are encoded
/// and decoded recursively).
///
/// # Errors
/// When the runtime cannot start.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 * 1024 * 1024)
        .build()?)
}

/// Log records of Ballista and DataFusion to standard error, at the level of the
/// `NEDRA_LOG` environment variable (`error`, `warn` — the default —, `info`, `debug`).
pub fn init_logging() {
    struct Stderr;
    impl log::Log for Stderr {
        fn enabled(&self, m: &log::Metadata) -> bool {
            m.level() <= log::max_level()
        }
        fn log(&self, r: &log::Record) {
            if self.enabled(r.metadata()) {
                eprintln!("{} {}: {}", r.level(), r.target(), r.args());
            }
        }
        fn flush(&self) {}
    }
    static LOGGER: Stderr = Stderr;
    let level = std::env::var("NEDRA_LOG")
        .ok()
        .and_then(|l| l.parse().ok())
        .unwrap_or(log::LevelFilter::Warn);
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(level);
    }
}
