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
