//! nedra as a library: everything a run does, for every front end (the `nedra` command line,
//! the web map, cluster executors, QGIS, Rust programs).
//!
//! A front end turns its input into calls of this crate and shows what comes back; progress
//! and result lines reach it through a [`progress::Observer`]. Nothing here prints or parses
//! command-line flags.
//!
//! # A run, from the project file to the run folder
//!
//! 1. **Project** ([`project`], [`options`]): `project.toml` is parsed once into typed values;
//!    every named choice is an enum whose names are the one list shared with the command line.
//! 2. **Plan** ([`plan`]): the project resolves into stages — `grid → deposits →
//!    evidence:<layer>… → response → [model] → validation → targets → report` — each with the
//!    files it reads and writes. [`plan::preflight`] checks every option, input and the output
//!    folder before any computation and reports all problems at once.
//! 3. **Run folder** ([`run_folder`]): the run takes a lock on `--out`, writes into a hidden
//!    staged folder and replaces the previous run in one atomic exchange at the end.
//! 4. **Stages** ([`mod@run`], [`stage_cache`]): the costly stages (each evidence layer, the
//!    model) carry a key — the SHA-256 of the engine version, their options, their input files
//!    and the keys upstream. A stage whose key matches the previous run, or the partial folder
//!    of a killed run, is reused (outputs checked by SHA-256 and hard-linked); the rest runs as
//!    block-streaming passes ([`pipeline`]). Progress goes to the caller's [`Observer`].
//! 5. **Manifest** ([`manifest`]): `run.json` (schema `nedra-run/2`) records inputs with
//!    SHA-256, options, versions, seed, stages reused, outputs with SHA-256 and timings; it is
//!    what `report`, `predict` and `assess` read.
//!
//! ```no_run
//! use std::{path::Path, sync::Arc};
//!
//! # fn main() -> anyhow::Result<()> {
//! nedra_engine::init();
//! let (plan, problems) =
//!     nedra_engine::plan::preflight(Path::new("project.toml"), Path::new("run"));
//! assert!(problems.is_empty(), "{problems:?}");
//! print!("{}", plan.unwrap());
//! let progress = Arc::new(nedra_engine::Silent);
//! let summary = nedra_engine::observe(progress, || {
//!     nedra_engine::run(Path::new("project.toml"), Path::new("run"))
//! })?;
//! println!("ROC AUC {:.4}, reused {:?}", summary.roc_auc, summary.reused_stages);
//! # Ok(())
//! # }
//! ```
//!
//! **Runs**
//! - [`project`]: the project file (`project.toml`), typed.
//! - [`mod@run`]: `run(project, out)` — grid, deposits, evidence, weights, model, validation,
//!   targets, manifest and report into one run folder.
//! - [`plan`]: the project resolved into stages, and the pre-flight check of every input.
//! - [`run_folder`]: writing an output folder — locked, staged, swapped into place atomically.
//! - [`stage_cache`]: stages reused from an earlier or interrupted run when nothing they
//!   depend on changed.
//! - [`manifest`]: input hashes and versions for `run.json`.
//! - [`options`]: every named choice (pattern, model kind, …) as a typed enum, parsed once.
//! - [`demo`]: the built-in SYNTHETIC rare-earth demo project.
//!
//! **Stages on their own**
//! - [`stages`]: weights, response, validate, targets, distance, density, derivative.
//! - [`pipeline`]: the block-streaming passes (classify and count, response, histograms).
//! - [`mod@derive`]: distance, signed distance and density fields from vectors.
//! - [`classify`]: class breaks (quantiles, Jenks, concentration–area) and fuzzy memberships.
//! - [`interpolate`]: IDW and ordinary kriging of point samples onto the grid.
//! - [`points`]: the one rule for the CRS of point tables (CSV without one: the grid's).
//! - [`geochem`]: censored values and rare-earth indices of a sample table.
//! - [`validation`]: `validation.json` and its curves from score distributions bounded in memory.
//! - [`targets`]: ranked target polygons with their evidence.
//! - [`warnings`]: where the science is weak (conditional independence, empty classes, folds).
//!
//! **Models**
//! - [`ml`]: data-driven models in a run (logistic regression, forests, boosting, PU bagging).
//! - [`saved_model`], [`predict`]: `model.json` and applying it to another area.
//! - [`fuzzy_model`]: the knowledge-driven fuzzy inference network.
//! - [`templates`]: deposit-model templates for project and prospects files.
//! - [`commodities`]: critical-minerals lists, deposit models and templates by commodity.
//!
//! **Assessment and reporting**
//! - [`deposits_pmf`], [`assessment`]: the USGS three-part assessment.
//! - [`prospects`]: petroleum play and prospect risking.
//! - [`report`]: the offline `report.html`.
//! - [`locale`]: the report's languages (Fluent catalogues) and how each writes numbers.
//! - [`progress`]: the observer that receives progress and results.

pub mod assessment;
pub mod classify;
pub mod commodities;
pub mod compare;
pub mod demo;
pub mod deposits_pmf;
pub mod derive;
pub mod folds;
pub mod fuzzy_model;
pub mod geochem;
pub mod interpolate;
pub mod locale;
pub mod manifest;
pub mod ml;
pub mod ml_cv;
pub mod options;
pub mod pipeline;
pub mod plan;
pub mod points;
pub mod predict;
pub mod progress;
pub mod project;
pub mod prospects;
pub mod report;
pub mod run;
pub mod run_folder;
pub mod saved_model;
pub mod stage_cache;
pub mod stages;
pub mod targets;
pub mod templates;
#[cfg(test)]
mod test_support;
pub mod transform;
pub mod validation;
pub mod warnings;
pub mod wofe_cv;

pub use progress::{observe, Observer, Pass, Silent};

/// Prepares the libraries nedra stands on (GDAL's error handler and bounded block cache);
/// every run calls it, and calling it again does nothing.
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(nedra_io::init_gdal);
}
pub use run::{run, RunSummary};
pub use run_folder::{OutputFolder, RunFolder, RunFolderError};
