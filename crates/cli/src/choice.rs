//! Command-line parsing of the engine's named choices: the names and the parser are the
//! engine's (`nedra_engine::options`), so a flag and a project-file key accept the same words
//! and `--help` lists them.

use std::ffi::OsStr;
use std::marker::PhantomData;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;
use serde::de::DeserializeOwned;

/// Parses a flag's value as the choice `T`.
#[derive(Debug)]
pub struct Choice<T>(PhantomData<fn() -> T>);

impl<T> Clone for Choice<T> {
    fn clone(&self) -> Self {
        Choice(PhantomData)
    }
}

/// The value parser of a choice flag.
pub fn choice<T>() -> Choice<T> {
    Choice(PhantomData)
}

impl<T: DeserializeOwned + Clone + Send + Sync + 'static> TypedValueParser for Choice<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        let text = value.to_string_lossy();
        nedra_engine::options::parse::<T>(&text).map_err(|e| {
            let flag = arg
                .map(|a| format!("{a}"))
                .unwrap_or_else(|| "value".to_string());
            clap::Error::raw(ErrorKind::InvalidValue, format!("{flag}: {e}\n")).with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            nedra_engine::options::names::<T>()
                .iter()
                .map(|n| PossibleValue::new(*n)),
        ))
    }
}

/// Parses a flag's value as a parametrised choice (`quantiles:10`, `fraction=0.5`).
pub fn spec<T: nedra_engine::options::SpecValue>(
    text: &str,
) -> Result<nedra_engine::options::Spec<T>, String> {
    nedra_engine::options::Spec::new(text).map_err(|e| format!("{e:#}"))
}

/// What a numeric flag's value means, and so the range it must lie in.
#[derive(Clone, Copy, Debug)]
pub enum Range {
    /// Any finite number.
    Finite,
    /// A finite number > 0.
    Positive,
    /// A finite number ≥ 0.
    NonNegative,
    /// A percentage in (0, 100].
    Percent,
}

impl Range {
    fn holds(self, v: f64) -> bool {
        v.is_finite()
            && match self {
                Range::Finite => true,
                Range::Positive => v > 0.0,
                Range::NonNegative => v >= 0.0,
                Range::Percent => v > 0.0 && v <= 100.0,
            }
    }

    fn describe(self) -> &'static str {
        match self {
            Range::Finite => "a finite number",
            Range::Positive => "a finite number > 0",
            Range::NonNegative => "a finite number ≥ 0",
            Range::Percent => "a percentage in (0, 100]",
        }
    }
}

/// Parses a numeric flag and checks it against its meaning; the message names the flag, the
/// value and the range.
#[derive(Clone, Debug)]
pub struct Number(Range);

/// The value parser of a number flag that must lie in `range`.
pub fn number(range: Range) -> Number {
    Number(range)
}

fn invalid(cmd: &clap::Command, arg: Option<&clap::Arg>, value: &str, what: &str) -> clap::Error {
    let flag = arg
        .map(|a| format!("{a}"))
        .unwrap_or_else(|| "value".to_string());
    clap::Error::raw(
        ErrorKind::InvalidValue,
        format!("invalid value '{value}' for '{flag}': it must be {what}\n"),
    )
    .with_cmd(cmd)
}

impl TypedValueParser for Number {
    type Value = f64;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<f64, clap::Error> {
        let text = value.to_string_lossy();
        match text.trim().parse::<f64>() {
            Ok(v) if self.0.holds(v) => Ok(v),
            _ => Err(invalid(cmd, arg, &text, self.0.describe())),
        }
    }
}

/// Parses a whole-number flag in `min..=max`; `max` is a limit that protects the machine
/// (the message says so) or the meaning's own bound.
#[derive(Clone, Debug)]
pub struct Count {
    min: usize,
    max: usize,
}

/// The value parser of a count flag in `min..=max`.
pub fn count(min: usize, max: usize) -> Count {
    Count { min, max }
}

impl TypedValueParser for Count {
    type Value = usize;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<usize, clap::Error> {
        let text = value.to_string_lossy();
        match text.trim().parse::<usize>() {
            Ok(v) if (self.min..=self.max).contains(&v) => Ok(v),
            _ => Err(invalid(
                cmd,
                arg,
                &text,
                &format!("a whole number from {} to {}", self.min, self.max),
            )),
        }
    }
}

/// `cmd` and every subcommand with negative numbers accepted as values (`--nugget -1` is then
/// refused for its value, with the range, not as an unknown flag `-1`).
pub fn allow_negative_numbers(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|a| {
        if a.get_action().takes_values() {
            a.allow_negative_numbers(true)
        } else {
            a
        }
    })
    .mut_subcommands(allow_negative_numbers)
}
