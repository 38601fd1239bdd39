//! Weights-of-evidence reductions as DataFusion aggregates over the grid table.
//!
//! The counts of a layer are one `GROUP BY` over the study-area cells: cells and deposit points
//! per class value, and the cells where the layer has no data (the NULL group). Counts are
//! integers, so the partial aggregates of the blocks merge exactly as the local engine's
//! per-block tallies do ([`nedra_engine::pipeline::classify_layer`]).

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{Float64Type, Int64Type, UInt64Type};
use datafusion::functions_aggregate::expr_fn::{count, sum};
use datafusion::prelude::{col, ident, lit, SessionContext};
use nedra_models::{calculate_weights, ClassCount, WeightsOptions, WeightsTable};

/// The counts of one layer over the study area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerCounts {
    /// Cells and deposit points per class, by class.
    pub counts: Vec<ClassCount>,
    /// Study-area cells where the layer has no data.
    pub missing_cells: u64,
    /// Deposit points on those cells.
    pub missing_deposits: u64,
}

/// Counts cells and deposits per class of `layer` (a column of the grid table registered as
/// `table` in `ctx`) inside the study area, as a DataFusion aggregate. The layer holds class
/// values (whole numbers), as the class rasters of a run do.
///
/// # Errors
/// When the query fails (e.g. a raster cannot be read on an executor), when a value is not a
/// whole number, or when the layer has no data in the study area.
pub async fn class_counts(ctx: &SessionContext, table: &str, layer: &str) -> Result<LayerCounts> {
    let batches = ctx
        .table(table)
        .await?
        .filter(col("mask"))?
        .aggregate(
            vec![ident(layer)],
            vec![
                count(lit(1)).alias("cells"),
                sum(col("deposits")).alias("deposits"),
            ],
        )?
        .collect()
        .await
        .with_context(|| format!("counting the classes of layer {layer:?}"))?;
    let mut per_class: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
    let (mut missing_cells, mut missing_deposits) = (0u64, 0u64);
    for batch in &batches {
        let values = batch.column(0).as_primitive::<Float64Type>();
        let cells = batch.column(1).as_primitive::<Int64Type>();
        let deposits = batch.column(2).as_primitive::<UInt64Type>();
        for i in 0..batch.num_rows() {
            let n = u64::try_from(cells.value(i))?;
            let d = if deposits.is_null(i) {
                0
            } else {
                deposits.value(i)
            };
            if values.is_null(i) {
                missing_cells += n;
                missing_deposits += d;
                continue;
            }
            let v = values.value(i);
            if v.fract() != 0.0 {
                bail!("layer {layer}: value {v} is not a whole number: the grid table's layers must hold classes (the class rasters of a run)");
            }
            let e = per_class.entry(v.round() as i64).or_default();
            e.0 += n;
            e.1 += d;
        }
    }
    if per_class.is_empty() {
        bail!("layer {layer}: no cell of the study area has data");
    }
    Ok(LayerCounts {
        counts: per_class
            .into_iter()
            .map(|(class, (cells, deposits))| ClassCount {
                class,
                cells,
                deposits,
            })
            .collect(),
        missing_cells,
        missing_deposits,
    })
}

/// The weights table of a layer from its cluster counts, by the same function as the local
/// engine ([`nedra_models::calculate_weights`]).
///
/// # Errors
/// What [`calculate_weights`] refuses (no deposit, too small an area, …).
pub fn weights_table(counts: &LayerCounts, options: &WeightsOptions) -> Result<WeightsTable> {
    Ok(calculate_weights(&counts.counts, options)?)
}
