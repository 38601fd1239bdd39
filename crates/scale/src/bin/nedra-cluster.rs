//! `nedra-cluster`: the weights-of-evidence stages of a project on a nedra Ballista cluster.
//!
//! ```text
//! nedra-cluster run project.toml --cluster df://HOST:50050 --classes RUN --out DIR
//!               [--block-size 512]
//! ```
//!
//! `RUN` is a run folder of `nedra run` on the same project (its `mask.tif` and
//! `evidence/<layer>.tif` class rasters, at paths every executor sees). The cluster counts the
//! classes, the weights tables are computed from the counts, and the cluster computes the
//! response: `DIR` receives `weights/<layer>.csv`, `posterior.tif`, `posterior_std.tif` and
//! `confidence.tif`, the same bytes as `nedra run` writes.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use nedra_engine::project::Project;
use nedra_scale::args::{runtime, Args};
use nedra_scale::cluster::connect;
use nedra_scale::wofe_run::wofe_run;

const USAGE: &str = "usage: nedra-cluster run project.toml --cluster df://HOST:50050 --classes RUN --out DIR [--block-size 512]";

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
    let project_path = match args.positional.as_slice() {
        [cmd, project] if cmd == "run" => PathBuf::from(project),
        _ => bail!("{USAGE}"),
    };
    let url = args.get("cluster").context(USAGE)?;
    let classes = PathBuf::from(args.get("classes").context(USAGE)?);
    let out = PathBuf::from(args.get("out").context(USAGE)?);
    let block_size: usize = args.parsed("block-size", nedra_core::BLOCK_SIZE)?;
    if block_size == 0 {
        bail!("--block-size must be positive");
    }
    nedra_engine::init();
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
