//! `nedra-cluster`: the weights-of-evidence stages of a project, or the scoring of a run's
//! fitted model, on a nedra Ballista cluster.
//!
//! ```text
//! nedra-cluster run project.toml --cluster df://HOST:50050 --classes RUN --out DIR
//!               [--block-size 512]
//! nedra-cluster predict RUN --cluster df://HOST:50050 --out DIR [--block-size 512]
//! ```
//!
//! `RUN` is a run folder of `nedra run` on the same project (its `mask.tif` and
//! `evidence/<layer>.tif` class rasters, at paths every executor sees). The cluster counts the
//! classes, the weights tables are computed from the counts, and the cluster computes the
//! response: `DIR` receives `weights/<layer>.csv`, `posterior.tif`, `posterior_std.tif` and
//! `confidence.tif`, the same bytes as `nedra run` writes.
//!
//! `predict`: `RUN` is a run folder of a data-driven model (`[model] kind = "logistic"`,
//! `"random_forest"` or `"gradient_boosting"`). Its `model.json` is shipped to the executors,
//! which score the study area (`mask.tif`) from the layers the run trained on (`run.json` →
//! `model.features[].raster`): `DIR` receives `prospectivity.tif` and `uncertainty.tif`, the
//! same bytes as the run's own and as `nedra predict RUN --grid RUN/mask.tif --mask
//! RUN/mask.tif`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use nedra_engine::project::Project;
use nedra_scale::args::{runtime, Args};
use nedra_scale::cluster::connect;
use nedra_scale::score::score_run;
use nedra_scale::wofe_run::wofe_run;

const USAGE: &str = "usage: nedra-cluster run project.toml --cluster df://HOST:50050 --classes RUN --out DIR [--block-size 512]
       nedra-cluster predict RUN --cluster df://HOST:50050 --out DIR [--block-size 512]";

fn main() {
    if let Err(e) = runtime().and_then(|rt| rt.block_on(run())) {
        eprintln!("nedra-cluster: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    let args = Args::parse(
        std::env::args().skip(1),
        &["cluster", "classes", "out", "block-size"],
    )?;
    let (cmd, path) = match args.positional.as_slice() {
        [cmd, path] if cmd == "run" || cmd == "predict" => (cmd.as_str(), PathBuf::from(path)),
        _ => bail!("{USAGE}"),
    };
    let url = args.get("cluster").context(USAGE)?;
    let out = PathBuf::from(args.get("out").context(USAGE)?);
    let block_size: usize = args.parsed("block-size", nedra_core::BLOCK_SIZE)?;
    if block_size == 0 {
        bail!("--block-size must be positive");
    }
    nedra_engine::init();
    if cmd == "predict" {
        if args.get("classes").is_some() {
            bail!("--classes is for `run`; `predict` reads the layers the run recorded\n{USAGE}");
        }
        return predict(url, &path, &out, block_size).await;
    }
    let project_path = path;
    let classes = PathBuf::from(args.get("classes").context(USAGE)?);
    let project = Project::load(&project_path)?;
    let start = Instant::now();
    let ctx = connect(url).await?;
    let result = wofe_run(&ctx, &project, &classes, &out, block_size)
        .await
        .with_context(|| format!("the weights-of-evidence run on {url}"))?;
    println!(
        "{} deposits, {} study-area cells, {} blocks",
        result.deposits, result.cells, result.partitions
    );
    for (name, counts) in &result.counts {
        println!(
            "evidence {name:?}: {} classes, {} cells without data → {}",
            counts.counts.len(),
            counts.missing_cells,
            out.join("weights").join(format!("{name}.csv")).display()
        );
    }
    println!(
        "posterior: {} ({:.1} s on {url})",
        out.join("posterior.tif").display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `nedra-cluster predict RUN`: the run's model scored on the cluster.
async fn predict(url: &str, run_dir: &Path, out: &Path, block_size: usize) -> Result<()> {
    let start = Instant::now();
    let ctx = connect(url).await?;
    let summary = score_run(&ctx, run_dir, out, block_size)
        .await
        .with_context(|| format!("scoring the model of {} on {url}", run_dir.display()))?;
    println!(
        "{} cells scored, {} study-area cells missing a layer, {} blocks",
        summary.predicted_cells, summary.missing_cells, summary.partitions
    );
    println!(
        "prospectivity: {} ({:.1} s on {url})",
        out.join("prospectivity.tif").display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
