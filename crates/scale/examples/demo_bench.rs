//! Wall time and peak memory of the weights-of-evidence stages (class counts, weights tables,
//! response) on the demo: the local engine, DataFusion in this process, and a local Ballista
//! cluster (`nedra-scheduler` + N `nedra-executor`s on 127.0.0.1). Each mode runs in its own
//! process so that its peak RSS (VmHWM) is its own.
//!
//! ```text
//! cargo build --bins --examples
//! target/debug/examples/demo_bench prepare DIR     # demo + `nedra run` into DIR/run
//! target/debug/examples/demo_bench local DIR       # the local engine's passes
//! target/debug/examples/demo_bench datafusion DIR  # SessionContext in this process
//! target/debug/examples/demo_bench cluster N DIR   # scheduler + N executors
//! ```

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use nedra_core::Classifier;
use nedra_engine::pipeline::{classify_layer, response_pass, ResponseLayer};
use nedra_engine::project::Project;
use nedra_io::RasterReader;
use nedra_models::{calculate_weights, Response, WeightsOptions};
use nedra_scale::wofe_run::{project_deposits, wofe_run};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    nedra_engine::init();
    let rt = nedra_scale::args::runtime()?;
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["prepare", dir] => prepare(Path::new(dir)),
        ["local", dir] => timed("local engine", || local(Path::new(dir))),
        ["datafusion", dir] => timed("DataFusion in-process", || {
            let ctx = datafusion::prelude::SessionContext::new();
            let (project, run) = inputs(Path::new(dir))?;
            rt.block_on(wofe_run(
                &ctx,
                &project,
                &run,
                &fresh(dir, "datafusion")?,
                512,
            ))?;
            Ok(())
        }),
        ["cluster", n, dir] => cluster(n.parse()?, Path::new(dir), &rt),
        _ => bail!("usage: demo_bench prepare|local|datafusion DIR, or demo_bench cluster N DIR"),
    }
}

fn inputs(dir: &Path) -> Result<(Project, PathBuf)> {
    Ok((
        Project::load(&dir.join("demo/project.toml"))?,
        dir.join("run"),
    ))
}

fn fresh(dir: &str, name: &str) -> Result<PathBuf> {
    let out = Path::new(dir).join(name);
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    Ok(out)
}

fn prepare(dir: &Path) -> Result<()> {
    let project = nedra_engine::demo::generate(&dir.join("demo"), 7)?;
    nedra_engine::observe(std::sync::Arc::new(nedra_engine::Silent), || {
        nedra_engine::run(&project, &dir.join("run"))
    })?;
    Ok(())
}

/// Peak resident set size of a process, from /proc/PID/status (VmHWM), in MiB.
fn peak_rss_mib(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .context("no VmHWM")?;
    let kib: f64 = line
        .split_whitespace()
        .nth(1)
        .context("VmHWM without a number")?
        .parse()?;
    Ok(kib / 1024.0)
}

fn timed(what: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    let start = Instant::now();
    f()?;
    println!(
        "{what}: {:.2} s, peak RSS {:.0} MiB",
        start.elapsed().as_secs_f64(),
        peak_rss_mib(std::process::id())?
    );
    Ok(())
}

/// The same stages with the local engine's block-streaming passes.
fn local(dir: &Path) -> Result<()> {
    let (project, run) = inputs(dir)?;
    let out = fresh(dir.to_str().context("path")?, "local")?;
    std::fs::create_dir_all(out.join("weights"))?;
    let mask = RasterReader::open(&run.join("mask.tif"))?;
    let grid = mask.grid().clone();
    let deposits = project_deposits(&project, &mask)?;
    let w = &project.weights;
    let mut layers = Vec::new();
    for e in &project.evidence {
        let path = run.join("evidence").join(format!("{}.tif", e.name));
        let pass = classify_layer(
            &grid,
            Some(&mask),
            &RasterReader::open(&path)?,
            &Classifier::Identity,
            &deposits,
            None,
            &e.name,
        )?;
        let options = WeightsOptions::new(grid.cell_area_km2(), e.pattern.into())
            .unit_cell_km2(w.unit_cell_km2)
            .studentized_contrast_threshold(w.studentized_contrast_threshold)
            .generalisation(w.generalisation.into())
            .categorical_pooling(w.categorical_pooling);
        let table = calculate_weights(&pass.counts, &options)?;
        let table_path = out.join("weights").join(format!("{}.csv", e.name));
        layers.push(ResponseLayer::new(
            &e.name,
            RasterReader::open(&path)?,
            &table,
            &table_path,
        )?);
    }
    let mut cells = 0u64;
    for win in grid.windows(nedra_core::BLOCK_SIZE) {
        cells += mask.read(win)?.valid_count() as u64;
    }
    let unit = grid.cell_area_km2() / w.unit_cell_km2;
    let response = Response::new(deposits.total, cells as f64 * unit)?;
    response_pass(
        &grid,
        Some(&mask),
        &layers,
        &response,
        &deposits,
        unit,
        &out,
    )?;
    Ok(())
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for(port: u16) -> Result<()> {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if start.elapsed() > Duration::from_secs(60) {
            bail!("nothing listens on port {port} after 60 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

fn cluster(executors: usize, dir: &Path, rt: &tokio::runtime::Runtime) -> Result<()> {
    let bin = std::env::current_exe()?
        .parent()
        .and_then(Path::parent)
        .context("examples folder")?
        .to_path_buf();
    let logs = dir.join(format!("cluster{executors}-logs"));
    std::fs::create_dir_all(&logs)?;
    let port = free_port()?;
    let scheduler = Killed(
        Command::new(bin.join("nedra-scheduler"))
            .args(["--port", &port.to_string()])
            .stdout(Stdio::null())
            .spawn()?,
    );
    wait_for(port)?;
    let mut list = Vec::new();
    for k in 0..executors {
        let (p, g) = (free_port()?, free_port()?);
        let work = logs.join(format!("executor{k}"));
        std::fs::create_dir_all(&work)?;
        list.push(Killed(
            Command::new(bin.join("nedra-executor"))
                .args([
                    "--scheduler",
                    &format!("127.0.0.1:{port}"),
                    "--port",
                    &p.to_string(),
                    "--grpc-port",
                    &g.to_string(),
                    "--vcores",
                    "2",
                    "--work-dir",
                    work.to_str().context("path")?,
                ])
                .stdout(Stdio::null())
                .spawn()?,
        ));
        wait_for(p)?;
    }
    std::thread::sleep(Duration::from_secs(3));
    let (project, run) = inputs(dir)?;
    let out = fresh(
        dir.to_str().context("path")?,
        &format!("cluster{executors}"),
    )?;
    let start = Instant::now();
    rt.block_on(async {
        let ctx = nedra_scale::cluster::connect(&format!("df://127.0.0.1:{port}")).await?;
        wofe_run(&ctx, &project, &run, &out, 512).await
    })?;
    let wall = start.elapsed().as_secs_f64();
    let executors_rss: Vec<String> = list
        .iter()
        .map(|c| peak_rss_mib(c.0.id()).map(|m| format!("{m:.0}")))
        .collect::<Result<_>>()?;
    println!(
        "Ballista, {executors} executor(s): {wall:.2} s; peak RSS client {:.0} MiB, scheduler {:.0} MiB, executors {} MiB",
        peak_rss_mib(std::process::id())?,
        peak_rss_mib(scheduler.0.id())?,
        executors_rss.join(" / ")
    );
    Ok(())
}
