//! The weights-of-evidence response as a DataFusion scalar UDF, and the posterior rasters
//! assembled from its per-block results.
//!
//! The UDF carries the model (prior, and per layer its weights by class and its missing-data
//! summary) and computes each cell with the local engine's own function
//! ([`nedra_models::Response::cell`]), so a cell's value does not depend on where it is
//! computed: there is no summation across cells.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array};
use datafusion::arrow::datatypes::{DataType, UInt32Type};
use datafusion::common::{exec_err, DataFusionError};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::{col, ident, SessionContext};
use futures::StreamExt;
use nedra_core::{Block, Grid};
use nedra_io::{DataType as RasterType, RasterWriter};
use nedra_models::{LayerSummary, Response, WeightsTable};
use serde::{Deserialize, Serialize};

use crate::grid_table::GridScan;

/// Which value of the cell's response a UDF returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResponseOutput {
    /// The posterior probability (`posterior.tif`).
    PosteriorProbability,
    /// Its standard deviation (`posterior_std.tif`).
    StandardDeviation,
    /// Posterior probability over its standard deviation (`confidence.tif`).
    Confidence,
}

impl ResponseOutput {
    /// The three outputs, in the order of the local engine's files.
    pub const ALL: [ResponseOutput; 3] = [
        Self::PosteriorProbability,
        Self::StandardDeviation,
        Self::Confidence,
    ];

    /// The UDF's name.
    pub fn function_name(self) -> &'static str {
        match self {
            Self::PosteriorProbability => "wofe_posterior_probability",
            Self::StandardDeviation => "wofe_posterior_std",
            Self::Confidence => "wofe_confidence",
        }
    }

    /// The run's file name of this output.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::PosteriorProbability => "posterior.tif",
            Self::StandardDeviation => "posterior_std.tif",
            Self::Confidence => "confidence.tif",
        }
    }
}

/// One layer of the model: weights by class and the missing-data summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerModel {
    /// The layer (the grid table's column).
    pub name: String,
    /// `(class, WEIGHT, W_STD)` per class.
    pub weights: Vec<(i64, f64, f64)>,
    /// `(WEIGHT, area fraction)` per generalised class ([`LayerSummary::classes`]).
    pub summary: Vec<(f64, f64)>,
}

impl LayerModel {
    /// The model of a layer from its weights table.
    ///
    /// # Errors
    /// When the table lacks what the missing-data variance needs.
    pub fn from_table(name: &str, table: &WeightsTable) -> Result<Self> {
        Ok(Self {
            name: name.to_string(),
            weights: table
                .rows
                .iter()
                .map(|r| (r.class, r.weight, r.w_std))
                .collect(),
            summary: LayerSummary::from_table(table)
                .with_context(|| format!("layer {name}: cannot summarise its weights table"))?
                .classes()
                .to_vec(),
        })
    }
}

/// The whole model, as shipped to executors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseModel {
    /// D, deposit points in the study area.
    pub total_deposits: u64,
    /// T, the study area in unit cells.
    pub total_area_units: f64,
    /// The layers, in the order of the UDF's arguments.
    pub layers: Vec<LayerModel>,
}

/// The response UDF: arguments are the layers' class columns (Float64, NULL = no data), in the
/// model's order; the result is one [`ResponseOutput`] per cell (NULL where not finite).
#[derive(Debug)]
pub struct ResponseUdf {
    output: ResponseOutput,
    model: ResponseModel,
    /// The model as JSON: identity of the UDF (equality, hashing) and its wire form.
    json: String,
    response: Response,
    summaries: Vec<LayerSummary>,
    lookups: Vec<HashMap<i64, (f64, f64)>>,
    signature: Signature,
}

/// What is serialised for a UDF.
#[derive(Serialize, Deserialize)]
struct Wire {
    output: ResponseOutput,
    model: ResponseModel,
}

impl ResponseUdf {
    /// The UDF computing `output` for `model`.
    ///
    /// # Errors
    /// When the prior is impossible (no deposit, too small an area).
    pub fn new(output: ResponseOutput, model: ResponseModel) -> Result<Self> {
        let json = serde_json::to_string(&Wire {
            output,
            model: model.clone(),
        })?;
        let response = Response::new(model.total_deposits, model.total_area_units)?;
        let summaries = model
            .layers
            .iter()
            .map(|l| LayerSummary::from_classes(l.summary.iter().copied()))
            .collect();
        let lookups = model
            .layers
            .iter()
            .map(|l| l.weights.iter().map(|(c, w, s)| (*c, (*w, *s))).collect())
            .collect();
        let signature = Signature::exact(
            vec![DataType::Float64; model.layers.len()],
            Volatility::Immutable,
        );
        Ok(Self {
            output,
            model,
            json,
            response,
            summaries,
            lookups,
            signature,
        })
    }

    /// The UDF as DataFusion's [`ScalarUDF`].
    pub fn into_udf(self) -> ScalarUDF {
        ScalarUDF::new_from_impl(self)
    }

    /// The wire form (see [`crate::codec`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.json.as_bytes().to_vec()
    }

    /// The UDF from its wire form.
    ///
    /// # Errors
    /// When the bytes are not a serialised response UDF.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let wire: Wire = serde_json::from_slice(bytes)?;
        Self::new(wire.output, wire.model)
    }
}

impl PartialEq for ResponseUdf {
    fn eq(&self, other: &Self) -> bool {
        self.json == other.json
    }
}

impl Eq for ResponseUdf {}

impl Hash for ResponseUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.json.hash(state);
    }
}

impl ScalarUDFImpl for ResponseUdf {
    fn name(&self) -> &str {
        self.output.function_name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> datafusion::common::Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(
        &self,
        args: ScalarFunctionArgs,
    ) -> datafusion::common::Result<ColumnarValue> {
        let n = args.number_rows;
        let arrays: Vec<ArrayRef> = ColumnarValue::values_to_arrays(&args.args)?;
        let columns: Vec<&Float64Array> = arrays.iter().map(|a| a.as_primitive()).collect();
        let mut evidence: Vec<Option<(f64, f64)>> = vec![None; columns.len()];
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            for (k, c) in columns.iter().enumerate() {
                evidence[k] = if c.is_null(i) {
                    None
                } else {
                    let class = c.value(i).round() as i64;
                    match self.lookups[k].get(&class) {
                        Some(w) => Some(*w),
                        None => {
                            return exec_err!(
                                "class {class} of layer {:?} has no row in its weights table",
                                self.model.layers[k].name
                            )
                        }
                    }
                };
            }
            let r = self.response.cell(&self.summaries, &evidence);
            let v = match self.output {
                ResponseOutput::PosteriorProbability => r.posterior_probability,
                ResponseOutput::StandardDeviation => r.standard_deviation,
                ResponseOutput::Confidence => r.confidence,
            };
            out.push(v.is_finite().then_some(v));
        }
        Ok(ColumnarValue::Array(Arc::new(Float64Array::from(out))))
    }
}

/// Computes the response over the study area of the grid table `table` (registered in `ctx`,
/// reading `scan`) with the three response UDFs, and writes `posterior.tif`,
/// `posterior_std.tif` and `confidence.tif` into `out_dir` block by block, in the grid's
/// block order, with the local engine's writer (Float32 COG).
///
/// The per-block results are gathered here before writing: this process holds the three
/// outputs of the kept blocks (24 bytes per study-area cell).
///
/// # Errors
/// When the query fails or a file cannot be written.
pub async fn write_response(
    ctx: &SessionContext,
    table: &str,
    scan: &GridScan,
    model: &ResponseModel,
    block_size: usize,
    out_dir: &Path,
) -> Result<()> {
    let args: Vec<_> = model.layers.iter().map(|l| ident(&l.name)).collect();
    let mut select = vec![col("block"), col("row"), col("col")];
    for output in ResponseOutput::ALL {
        let udf = ResponseUdf::new(output, model.clone())?.into_udf();
        select.push(udf.call(args.clone()).alias(output.function_name()));
    }
    let mut stream = ctx
        .table(table)
        .await?
        .filter(col("mask"))?
        .select(select)?
        .execute_stream()
        .await?;
    let grid: Grid = scan.grid();
    let windows = grid.windows(block_size);
    let mut blocks: HashMap<u32, [Block; 3]> = HashMap::new();
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(|e: DataFusionError| anyhow::anyhow!(e))?;
        let ids = batch.column(0).as_primitive::<UInt32Type>();
        let rows = batch.column(1).as_primitive::<UInt32Type>();
        let cols = batch.column(2).as_primitive::<UInt32Type>();
        let values: Vec<&Float64Array> = (3..6).map(|k| batch.column(k).as_primitive()).collect();
        for i in 0..batch.num_rows() {
            let id = ids.value(i);
            let w = windows[id as usize];
            let out = blocks
                .entry(id)
                .or_insert_with(|| [Block::empty(w), Block::empty(w), Block::empty(w)]);
            let at = w.index_of(rows.value(i) as usize, cols.value(i) as usize);
            for (b, v) in out.iter_mut().zip(&values) {
                if !v.is_null(i) {
                    b.values[at] = v.value(i);
                    b.valid[at] = true;
                }
            }
        }
    }
    let mut writers = Vec::new();
    for output in ResponseOutput::ALL {
        writers.push(RasterWriter::create(
            &out_dir.join(output.file_name()),
            &grid,
            RasterType::Float32,
        )?);
    }
    for (id, w) in windows.iter().enumerate() {
        let empty;
        let out = match blocks.get(&(id as u32)) {
            Some(b) => b,
            None => {
                empty = [Block::empty(*w), Block::empty(*w), Block::empty(*w)];
                &empty
            }
        };
        for (wr, b) in writers.iter_mut().zip(out) {
            wr.write(b)?;
        }
    }
    for wr in writers {
        wr.finish()?;
    }
    Ok(())
}
