//! The demo run by the local engine, and the comparison of a DataFusion run against it.

#![allow(dead_code)]

pub mod cluster;

use std::path::{Path, PathBuf};

use nedra_core::Classifier;
use nedra_engine::pipeline::classify_layer;
use nedra_engine::project::Project;
use nedra_io::RasterReader;
use nedra_scale::wofe_run::{project_deposits, WofeRun};

/// Blocks of the grid table in the tests: 256 cells a side, so the 800 × 800 demo grid has
/// 16 blocks, some of them without study area (pruned).
pub const BLOCK: usize = 256;

/// The demo project and its run by the local engine.
pub struct Demo {
    pub dir: tempfile::TempDir,
    pub project_path: PathBuf,
    pub project: Project,
    pub run: PathBuf,
}

/// Generates the demo (seed 7) and runs it with the local engine.
pub fn demo() -> Demo {
    nedra_engine::init();
    let dir = tempfile::tempdir().unwrap();
    let project_path = nedra_engine::demo::generate(&dir.path().join("demo"), 7).unwrap();
    let run = dir.path().join("run");
    let summary = nedra_engine::observe(std::sync::Arc::new(nedra_engine::Silent), || {
        nedra_engine::run(&project_path, &run)
    })
    .unwrap();
    assert!(summary.roc_auc > 0.5);
    let project = Project::load(&project_path).unwrap();
    Demo {
        dir,
        project_path,
        project,
        run,
    }
}

/// The demo (seed 7) generated into `dir/demo`, and its model project
/// ([`nedra_engine::demo::GBT_PROJECT`], with `[model] kind = KIND`) run by the local engine
/// into `dir/run-KIND`; returns the run folder. `kind` is `"gradient_boosting"` (the demo's
/// own `run-gbt`), `"logistic"` or `"random_forest"`; `extra` is TOML lines added to the
/// `[model]` section (e.g. `"trees = 10\n"`).
pub fn model_run(dir: &Path, kind: &str, extra: &str) -> PathBuf {
    nedra_engine::init();
    let demo = dir.join("demo");
    if !demo.join("project.toml").exists() {
        nedra_engine::demo::generate(&demo, 7).unwrap();
    }
    let text = std::fs::read_to_string(demo.join(nedra_engine::demo::GBT_PROJECT)).unwrap();
    let own = "kind = \"gradient_boosting\"";
    assert!(
        text.contains(own),
        "the demo's model project names its model kind"
    );
    let project = demo.join(format!("project_{kind}.toml"));
    std::fs::write(
        &project,
        text.replace(own, &format!("kind = \"{kind}\"\n{extra}")),
    )
    .unwrap();
    let run = dir.join(format!("run-{kind}"));
    nedra_engine::observe(std::sync::Arc::new(nedra_engine::Silent), || {
        nedra_engine::run(&project, &run)
    })
    .unwrap();
    assert!(run.join("model.json").is_file());
    run
}

/// Asserts that the DataFusion run `result` (outputs in `out`) equals the local run: class
/// counts per layer exactly, weights CSVs and the three posterior rasters byte for byte.
pub fn assert_same_as_local(demo: &Demo, result: &WofeRun, out: &Path) {
    let mask = RasterReader::open(&demo.run.join("mask.tif")).unwrap();
    let grid = mask.grid().clone();
    let deposits = project_deposits(&demo.project, &mask).unwrap();
    assert_eq!(result.deposits, deposits.total);
    assert_eq!(result.counts.len(), demo.project.evidence.len());
    for (name, counts) in &result.counts {
        let classes =
            RasterReader::open(&demo.run.join("evidence").join(format!("{name}.tif"))).unwrap();
        let local = classify_layer(
            &grid,
            Some(&mask),
            &classes,
            &Classifier::Identity,
            &deposits,
            None,
            name,
        )
        .unwrap();
        assert_eq!(counts.counts, local.counts, "class counts of {name}");
        assert_eq!(counts.missing_cells, local.missing_cells, "{name}");
        assert_eq!(counts.missing_deposits, local.missing_deposits, "{name}");
        let csv = format!("weights/{name}.csv");
        assert_eq!(
            std::fs::read_to_string(out.join(&csv)).unwrap(),
            std::fs::read_to_string(demo.run.join(&csv)).unwrap(),
            "{csv}"
        );
    }
    for file in ["posterior.tif", "posterior_std.tif", "confidence.tif"] {
        let ours = std::fs::read(out.join(file)).unwrap();
        let theirs = std::fs::read(demo.run.join(file)).unwrap();
        assert!(
            ours == theirs,
            "{file}: {} bytes against the local engine's {}",
            ours.len(),
            theirs.len()
        );
    }
}
