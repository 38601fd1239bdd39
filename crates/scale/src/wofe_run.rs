//! The weights-of-evidence run on DataFusion: counts → weights tables → response, from the
//! class rasters of a run folder, on whatever [`SessionContext`] is given (in-process, or a
//! Ballista cluster).
//!
//! The evidence layers themselves (warping, distances, rasterising, classing) are prepared
//! by the local engine (`nedra run`): the cluster starts from `mask.tif` and
//! `evidence/<layer>.tif` of a run folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::Int64Type;
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::prelude::{col, lit, SessionContext};
use nedra_engine::pipeline::{locate_deposits_in, Deposits};
use nedra_engine::project::{Outside, Project};
use nedra_engine::OutputFolder;
use nedra_io::vector::{read_features, CsvPoints, VectorSource};
use nedra_io::{files, RasterReader};
use nedra_models::{WeightsOptions, WeightsTable};

use crate::grid_table::{GridScan, GridTable, LayerSource};
use crate::response::{write_response, LayerModel, ResponseModel};
use crate::wofe::{class_counts, weights_table, LayerCounts};

/// The name the grid table is registered under.
pub const TABLE: &str = "grid";

/// The deposits of `project` located on the grid of `mask`, with the project's rules for
/// points outside the study area and duplicates (as `nedra run` does).
///
/// # Errors
/// What `nedra run` reports for the same deposits.
pub fn project_deposits(project: &Project, mask: &RasterReader) -> Result<Deposits> {
    let d = &project.deposits;
    let path = project.resolve(&d.path);
    let src = VectorSource {
        path: path.clone(),
        layer: d.layer.clone(),
        crs: d.crs.clone(),
        csv: CsvPoints {
            x: d.x_column.clone(),
            y: d.y_column.clone(),
        },
    };
    let grid = mask.grid();
    let points = read_features(&src, &grid.crs_wkt)?.points;
    locate_deposits_in(
        &points,
        grid,
        Some(mask),
        "the study area",
        d.outside == Outside::Drop,
        d.duplicates,
        &path,
    )
}

/// What a weights-of-evidence run on DataFusion produced.
#[derive(Debug, Clone)]
pub struct WofeRun {
    /// Per evidence layer: its name and counts.
    pub counts: Vec<(String, LayerCounts)>,
    /// Deposit points in the study area.
    pub deposits: u64,
    /// Study-area cells.
    pub cells: u64,
    /// Partitions (blocks with study area) of the grid table.
    pub partitions: usize,
}

/// Runs the weights-of-evidence stages of `project` on `ctx`: reads `mask.tif` and
/// `evidence/<layer>.tif` from `classes_dir`, writes `weights/<layer>.csv`, `posterior.tif`,
/// `posterior_std.tif` and `confidence.tif` into `out`.
///
/// A new `out` is staged and appears only when every file is written (a failed run leaves no
/// partial output); an existing folder is written into ([`OutputFolder`]).
///
/// # Errors
/// Input problems, query failures (e.g. an executor lost with no retry left), write failures.
pub async fn wofe_run(
    ctx: &SessionContext,
    project: &Project,
    classes_dir: &Path,
    out: &Path,
    block_size: usize,
) -> Result<WofeRun> {
    let folder = OutputFolder::begin(out)?;
    let run = wofe_run_into(ctx, project, classes_dir, folder.dir(), block_size).await?;
    folder.finish()?;
    Ok(run)
}

/// [`wofe_run`] writing straight into `out`.
async fn wofe_run_into(
    ctx: &SessionContext,
    project: &Project,
    classes_dir: &Path,
    out: &Path,
    block_size: usize,
) -> Result<WofeRun> {
    let mask_path = classes_dir.join("mask.tif");
    let mask = RasterReader::open(&mask_path)?;
    let deposits = project_deposits(project, &mask)?;
    let layers: Vec<LayerSource> = project
        .evidence
        .iter()
        .map(|e| LayerSource {
            name: e.name.clone(),
            path: absolute(&classes_dir.join("evidence").join(format!("{}.tif", e.name))),
        })
        .collect();
    let scan = GridScan::open(
        &absolute(&mask_path),
        layers,
        deposits.cells.clone(),
        block_size,
    )?;
    let partitions = scan.blocks.len();
    ctx.deregister_table(TABLE)?;
    ctx.register_table(TABLE, Arc::new(GridTable::new(scan.clone())))?;

    let cells = study_area_cells(ctx).await?;
    let grid = scan.grid();
    let cell_km2 = grid.cell_area_km2();
    let w = &project.weights;
    let unit = w.unit_cell_km2;
    std::fs::create_dir_all(out.join("weights"))
        .with_context(|| format!("creating {}", out.join("weights").display()))?;
    let mut all_counts = Vec::new();
    let mut models = Vec::new();
    for e in &project.evidence {
        let counts = class_counts(ctx, TABLE, &e.name).await?;
        let options = WeightsOptions::new(cell_km2, e.pattern.into())
            .unit_cell_km2(unit)
            .studentized_contrast_threshold(w.studentized_contrast_threshold)
            .generalisation(w.generalisation.into())
            .categorical_pooling(w.categorical_pooling);
        let table = weights_table(&counts, &options)
            .with_context(|| format!("evidence layer {:?}: computing weights", e.name))?;
        let path = out.join("weights").join(format!("{}.csv", e.name));
        let mut csv = Vec::new();
        table.write_csv(&mut csv)?;
        files::write_atomic(&path, &csv)?;
        // Read back, as the local run does: the response uses the numbers of the file.
        let table = WeightsTable::read_csv(csv.as_slice(), &path)?;
        models.push(LayerModel::from_table(&e.name, &table)?);
        all_counts.push((e.name.clone(), counts));
    }
    let model = ResponseModel {
        total_deposits: deposits.total,
        total_area_units: cells as f64 * cell_km2 / unit,
        layers: models,
    };
    write_response(ctx, TABLE, &scan, &model, block_size, out).await?;
    Ok(WofeRun {
        counts: all_counts,
        deposits: deposits.total,
        cells,
        partitions,
    })
}

/// Study-area cells of the grid table, counted by the cluster.
async fn study_area_cells(ctx: &SessionContext) -> Result<u64> {
    let batches = ctx
        .table(TABLE)
        .await?
        .filter(col("mask"))?
        .aggregate(vec![], vec![count(lit(1)).alias("cells")])?
        .collect()
        .await?;
    let n: i64 = batches
        .iter()
        .filter(|b| b.num_rows() > 0)
        .map(|b| b.column(0).as_primitive::<Int64Type>().value(0))
        .sum();
    Ok(u64::try_from(n)?)
}

/// `p` made absolute (executors may run in another working directory).
fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}
