//! Model scoring as a DataFusion scalar UDF: a run's fitted data-driven model (`model.json`:
//! logistic regression, random forest or gradient boosting, each a positive-unlabelled
//! ensemble) shipped to the executors inside the UDF, and the score rasters assembled from its
//! per-block results.
//!
//! The UDF computes each cell with the local engine's own code: the feature of a cell is
//! [`SavedFeature::value`] (the layer's value, or its class's weight, standardised) and the
//! score is [`Ensemble::predict_batch`] (ensemble mean and standard deviation), as in
//! [`nedra_engine::saved_model::predict_grid`]. Every cell's score depends on that cell's
//! features only (each member's sum over its trees or terms runs within the row), so it does
//! not depend on where or in which batch it is computed.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, StructArray};
use datafusion::arrow::datatypes::{DataType, Field, Fields, UInt32Type};
use datafusion::common::DataFusionError;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::{col, ident, SessionContext};
use futures::StreamExt;
use nedra_core::{Block, Grid, Window};
use nedra_engine::manifest::RunManifest;
use nedra_engine::run_folder::resolve_recorded;
use nedra_engine::saved_model::SavedModel;
use nedra_engine::OutputFolder;
use nedra_io::{DataType as RasterType, RasterReader, RasterWriter};

use crate::grid_table::{GridScan, GridTable, LayerSource};

/// The UDF's name.
pub const FUNCTION_NAME: &str = "nedra_model_score";

/// The fields of the UDF's result, and the run's file names of the two rasters.
pub const OUTPUTS: [(&str, &str); 2] = [
    ("prospectivity", "prospectivity.tif"),
    ("uncertainty", "uncertainty.tif"),
];

/// Rows scored together, as in the local engine: small enough that a batch's features stay in
/// cache while every tree walks over it (any size gives the same scores).
const BATCH: usize = 2048;

/// The scoring UDF: arguments are the model's layers (Float64, NULL = no data), in the order
/// of the model's features; the result is a struct of `prospectivity` (ensemble mean) and
/// `uncertainty` (ensemble standard deviation), both NULL where a feature is missing (no data,
/// or a class the model has no weight for).
#[derive(Debug)]
pub struct ModelScoreUdf {
    model: SavedModel,
    /// The model as JSON (`model.json`'s form): the UDF's identity and its wire form.
    json: String,
    /// A hash of `json`, so that hashing the UDF does not walk the whole model.
    digest: u64,
    signature: Signature,
}

impl ModelScoreUdf {
    /// The UDF scoring with `model`.
    ///
    /// # Errors
    /// When the model cannot be serialised (a bug).
    pub fn new(model: SavedModel) -> Result<Self> {
        let json = serde_json::to_string(&model)?;
        let mut h = DefaultHasher::new();
        json.hash(&mut h);
        let signature = Signature::exact(
            vec![DataType::Float64; model.features.len()],
            Volatility::Immutable,
        );
        Ok(Self {
            model,
            json,
            digest: h.finish(),
            signature,
        })
    }

    /// The model.
    pub fn model(&self) -> &SavedModel {
        &self.model
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
    /// When the bytes are not a serialised model.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::new(serde_json::from_slice(bytes)?)
    }

    /// The result's type: a struct of two nullable Float64.
    pub fn result_fields() -> Fields {
        OUTPUTS
            .iter()
            .map(|(name, _)| Field::new(*name, DataType::Float64, true))
            .collect()
    }
}

impl PartialEq for ModelScoreUdf {
    fn eq(&self, other: &Self) -> bool {
        self.digest == other.digest && self.json == other.json
    }
}

impl Eq for ModelScoreUdf {}

impl Hash for ModelScoreUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digest.hash(state);
    }
}

impl ScalarUDFImpl for ModelScoreUdf {
    fn name(&self) -> &str {
        FUNCTION_NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> datafusion::common::Result<DataType> {
        Ok(DataType::Struct(Self::result_fields()))
    }

    fn invoke_with_args(
        &self,
        args: ScalarFunctionArgs,
    ) -> datafusion::common::Result<ColumnarValue> {
        let n = args.number_rows;
        let arrays: Vec<ArrayRef> = ColumnarValue::values_to_arrays(&args.args)?;
        // Each column as the engine's block (one row of n cells), so that the engine's
        // feature function reads it.
        let window = Window {
            col_off: 0,
            row_off: 0,
            width: n,
            height: 1,
        };
        let blocks: Vec<Block> = arrays
            .iter()
            .map(|a| {
                let c: &Float64Array = a.as_primitive();
                Block {
                    window,
                    values: c.values().to_vec(),
                    valid: (0..n).map(|i| c.is_valid(i)).collect(),
                }
            })
            .collect();
        let features = &self.model.features;
        let p = features.len();
        let mut mean_out: Vec<Option<f64>> = vec![None; n];
        let mut sd_out: Vec<Option<f64>> = vec![None; n];
        let mut row = vec![0.0; p];
        let mut cells: Vec<usize> = Vec::with_capacity(BATCH);
        let mut rows: Vec<f64> = Vec::with_capacity(BATCH * p);
        let (mut mean, mut sd) = (vec![0.0; BATCH], vec![0.0; BATCH]);
        let mut flush = |cells: &mut Vec<usize>, rows: &mut Vec<f64>| {
            let k = cells.len();
            self.model
                .ensemble
                .predict_batch(rows, &mut mean[..k], &mut sd[..k], None);
            for (j, &i) in cells.iter().enumerate() {
                mean_out[i] = Some(mean[j]);
                sd_out[i] = Some(sd[j]);
            }
            cells.clear();
            rows.clear();
        };
        for i in 0..n {
            for (f, (feature, b)) in features.iter().zip(&blocks).enumerate() {
                row[f] = feature.value(b, i);
            }
            if row.iter().any(|v| !v.is_finite()) {
                continue;
            }
            cells.push(i);
            rows.extend_from_slice(&row);
            if cells.len() == BATCH {
                flush(&mut cells, &mut rows);
            }
        }
        if !cells.is_empty() {
            flush(&mut cells, &mut rows);
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Float64Array::from(mean_out)),
            Arc::new(Float64Array::from(sd_out)),
        ];
        let result = StructArray::try_new(Self::result_fields(), columns, None)?;
        Ok(ColumnarValue::Array(Arc::new(result)))
    }
}

/// What a scoring pass computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreSummary {
    /// Study-area cells with a score.
    pub predicted_cells: u64,
    /// Study-area cells left without one because a feature is missing there.
    pub missing_cells: u64,
    /// Partitions (blocks with study area) of the grid table.
    pub partitions: usize,
}

/// Scores the study area of the grid table `table` (registered in `ctx`, reading `scan`,
/// whose layers are the model's features in its order) with the scoring UDF, and writes
/// `prospectivity.tif` and `uncertainty.tif` into `out_dir` block by block, in the grid's
/// block order, with the local engine's writer (Float32 COG).
///
/// The per-block results are gathered here before writing: this process holds the two
/// outputs of the kept blocks (16 bytes per study-area cell).
///
/// # Errors
/// When the query fails or a file cannot be written.
pub async fn write_scores(
    ctx: &SessionContext,
    table: &str,
    scan: &GridScan,
    model: &SavedModel,
    block_size: usize,
    out_dir: &Path,
) -> Result<ScoreSummary> {
    let args: Vec<_> = model.features.iter().map(|f| ident(&f.name)).collect();
    let udf = ModelScoreUdf::new(model.clone())?.into_udf();
    let mut stream = ctx
        .table(table)
        .await?
        .filter(col("mask"))?
        .select(vec![
            col("block"),
            col("row"),
            col("col"),
            udf.call(args).alias(FUNCTION_NAME),
        ])?
        .execute_stream()
        .await?;
    let grid: Grid = scan.grid();
    let windows = grid.windows(block_size);
    let mut blocks: HashMap<u32, [Block; 2]> = HashMap::new();
    let mut summary = ScoreSummary {
        predicted_cells: 0,
        missing_cells: 0,
        partitions: scan.blocks.len(),
    };
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(|e: DataFusionError| anyhow::anyhow!(e))?;
        let ids = batch.column(0).as_primitive::<UInt32Type>();
        let rows = batch.column(1).as_primitive::<UInt32Type>();
        let cols = batch.column(2).as_primitive::<UInt32Type>();
        let scores = batch.column(3).as_struct();
        let values: Vec<&Float64Array> = (0..2).map(|k| scores.column(k).as_primitive()).collect();
        for i in 0..batch.num_rows() {
            let id = ids.value(i);
            let w = windows[id as usize];
            let out = blocks
                .entry(id)
                .or_insert_with(|| [Block::empty(w), Block::empty(w)]);
            let at = w.index_of(rows.value(i) as usize, cols.value(i) as usize);
            if values[0].is_null(i) {
                summary.missing_cells += 1;
                continue;
            }
            summary.predicted_cells += 1;
            for (b, v) in out.iter_mut().zip(&values) {
                b.values[at] = v.value(i);
                b.valid[at] = true;
            }
        }
    }
    let mut writers = Vec::new();
    for (_, file) in OUTPUTS {
        writers.push(RasterWriter::create(
            &out_dir.join(file),
            &grid,
            RasterType::Float32,
        )?);
    }
    for (id, w) in windows.iter().enumerate() {
        let empty;
        let out = match blocks.get(&(id as u32)) {
            Some(b) => b,
            None => {
                empty = [Block::empty(*w), Block::empty(*w)];
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
    Ok(summary)
}

/// The name the grid table of a scoring run is registered under.
pub const TABLE: &str = "grid_score";

/// The model of the run folder `run_dir` (its `model.json`, as `nedra predict RUN_DIR` loads
/// it) and the layers it was trained on (`run.json` → `model.features[].raster`, resolved
/// against the run folder, made absolute for the executors).
///
/// # Errors
/// Not a run of a data-driven model, a damaged model, a layer the run does not record or
/// that no longer exists.
pub fn run_model(run_dir: &Path) -> Result<(SavedModel, Vec<LayerSource>)> {
    let (model, _file) = SavedModel::load(run_dir)?;
    let manifest = RunManifest::read(run_dir)?;
    let recorded: Vec<(String, String)> = manifest.model["features"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| Some((f["name"].as_str()?.into(), f["raster"].as_str()?.into())))
        .collect();
    let mut layers = Vec::with_capacity(model.features.len());
    for f in &model.features {
        let Some((_, raster)) = recorded.iter().find(|(n, _)| *n == f.name) else {
            bail!(
                "{}: run.json records no raster for the model's layer {:?}",
                run_dir.display(),
                f.name
            );
        };
        let path = absolute(&resolve_recorded(run_dir, raster));
        if !path.exists() {
            bail!(
                "layer {}: the run's own layer {} (run.json → model.features) does not exist",
                f.name,
                path.display()
            );
        }
        layers.push(LayerSource {
            name: f.name.clone(),
            path,
        });
    }
    Ok((model, layers))
}

/// Scores the study area of the run folder `run_dir` (`mask.tif`) with the run's fitted model
/// on `ctx`, from the layers the run trained on, and writes `prospectivity.tif` and
/// `uncertainty.tif` into `out` — what `nedra predict RUN_DIR --grid RUN_DIR/mask.tif --mask
/// RUN_DIR/mask.tif` writes, and the run's own two rasters. The layers must be on the mask's
/// grid (a run's are); they are not warped here.
///
/// A new `out` is staged and appears only when both files are written (a failed run leaves no
/// partial output); an existing folder is written into ([`OutputFolder`]).
///
/// # Errors
/// Input problems (see [`run_model`], [`GridScan::open`]), query failures, write failures.
pub async fn score_run(
    ctx: &SessionContext,
    run_dir: &Path,
    out: &Path,
    block_size: usize,
) -> Result<ScoreSummary> {
    let (model, layers) = run_model(run_dir)?;
    let mask = absolute(&run_dir.join("mask.tif"));
    RasterReader::open(&mask)
        .with_context(|| format!("{}: the run's study-area mask", run_dir.display()))?;
    let scan = GridScan::open(&mask, layers, Vec::new(), block_size)?;
    let folder = OutputFolder::begin(out)?;
    ctx.deregister_table(TABLE)?;
    ctx.register_table(TABLE, Arc::new(GridTable::new(scan.clone())))?;
    let summary = write_scores(ctx, TABLE, &scan, &model, block_size, folder.dir()).await?;
    folder.finish()?;
    Ok(summary)
}

/// `p` made absolute (executors may run in another working directory).
fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::RecordBatch;
    use datafusion::arrow::datatypes::{Float64Type, Schema};
    use datafusion::datasource::MemTable;
    use datafusion_proto::physical_plan::PhysicalExtensionCodec;

    use crate::codec::NedraPhysicalCodec;

    /// Two boosted members on a value layer `a` and a class layer `b` (classes 1 and 2).
    fn model() -> SavedModel {
        serde_json::from_value(serde_json::json!({
            "format": nedra_engine::saved_model::FORMAT,
            "nedra_version": "test",
            "kind": "gradient_boosting",
            "features": [
                {"name": "a", "encoding": "value", "mean": 1.0, "sd": 2.0},
                {"name": "b", "encoding": "class_weight",
                 "class_values": {"1": 0.5, "2": -0.25}, "mean": 0.1, "sd": 0.3},
            ],
            "training": {},
            "ensemble": {"method": "gradient_boosting", "members": [
                {"model": {"initial_score": 0.1, "learning_rate": 0.5, "n_features": 2,
                           "trees": [[[0, 0.0, 1, 2, 0.3], -1.0, 1.5],
                                     [[1, 0.2, 1, 2, 0.0], 0.75, -0.5]]},
                 "background_rows": []},
                {"model": {"initial_score": -0.2, "learning_rate": 0.3, "n_features": 2,
                           "trees": [[[1, -1.0, 1, 2, 0.1], [0, 0.5, 3, 4, 0.2], 2.0, -0.3, 0.4]]},
                 "background_rows": []},
            ]},
        }))
        .unwrap()
    }

    #[test]
    fn the_udf_travels_through_the_codec_with_its_model() {
        let udf = ModelScoreUdf::new(model()).unwrap();
        let bytes = udf.to_bytes();
        let codec = NedraPhysicalCodec::default();
        let mut buf = Vec::new();
        codec.try_encode_udf(&udf.into_udf(), &mut buf).unwrap();
        let decoded = codec.try_decode_udf(FUNCTION_NAME, &buf).unwrap();
        let inner: &dyn std::any::Any = decoded.inner().as_ref();
        let back = inner.downcast_ref::<ModelScoreUdf>().unwrap();
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(back.model(), &model());
    }

    /// In a query, the UDF gives the engine's ensemble scores bit for bit, and NULL where a
    /// layer has no data or a class has no weight.
    #[tokio::test]
    async fn cells_score_as_the_engines_ensemble_and_missing_features_are_null() {
        let model = model();
        let a = [Some(-3.0), Some(1.0), None, Some(2.5), Some(0.0), Some(7.0)];
        let b = [Some(1.0), Some(2.0), Some(1.0), Some(3.0), None, Some(2.0)];
        let schema = Arc::new(Schema::new(vec![
            Field::new("a", DataType::Float64, true),
            Field::new("b", DataType::Float64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Float64Array::from(a.to_vec())),
                Arc::new(Float64Array::from(b.to_vec())),
            ],
        )
        .unwrap();
        let ctx = SessionContext::new();
        let table = MemTable::try_new(schema, vec![vec![batch]]).unwrap();
        ctx.register_table("t", Arc::new(table)).unwrap();
        let udf = ModelScoreUdf::new(model.clone()).unwrap().into_udf();
        let out = ctx
            .table("t")
            .await
            .unwrap()
            .select(vec![udf.call(vec![col("a"), col("b")])])
            .unwrap()
            .collect()
            .await
            .unwrap();
        let scores = out[0].column(0).as_struct();
        let (mean, sd) = (
            scores.column(0).as_primitive::<Float64Type>(),
            scores.column(1).as_primitive::<Float64Type>(),
        );
        // Complete rows: 0, 1 and 5 (row 3's class 3 has no weight).
        let rows: Vec<f64> = [(-3.0, 0.5), (1.0, -0.25), (7.0, -0.25)]
            .iter()
            .flat_map(|&(a, b)| [(a - 1.0) / 2.0, (b - 0.1) / 0.3])
            .collect();
        let (mut m, mut s) = (vec![0.0; 3], vec![0.0; 3]);
        model.ensemble.predict_batch(&rows, &mut m, &mut s, None);
        let mut k = 0;
        for i in 0..a.len() {
            if [0, 1, 5].contains(&i) {
                assert_eq!(mean.value(i).to_bits(), m[k].to_bits(), "row {i}");
                assert_eq!(sd.value(i).to_bits(), s[k].to_bits(), "row {i}");
                assert!(mean.value(i) > 0.0 && mean.value(i) < 1.0);
                k += 1;
            } else {
                assert!(mean.is_null(i) && sd.is_null(i), "row {i}");
            }
        }
    }
}
