//! The canonical grid as a DataFusion table: one partition per block (window) of the grid.
//!
//! Each partition reads its window of the study-area mask and of every projected layer through
//! `nedra-io` (GDAL) where it runs — in this process, or on a Ballista executor — and yields one
//! Arrow batch with the columns
//!
//! | column | type | meaning |
//! | --- | --- | --- |
//! | `block` | UInt32 | index of the block in [`Grid::windows`] order |
//! | `row`, `col` | UInt32 | the cell on the grid |
//! | `mask` | Boolean | the cell is in the study area (the mask raster has data there) |
//! | `deposits` | UInt64 | deposit points on the cell |
//! | one per layer | Float64, nullable | the layer's value, NULL where it has NoData |
//!
//! Blocks with no study-area cell are pruned when the table is opened (the mask is read once),
//! so partitions, row counts and statistics cover only the blocks that hold study area.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::AsArray;
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Float64Array, RecordBatch, UInt32Array, UInt64Array,
};
use datafusion::arrow::datatypes::UInt32Type;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::stats::Precision;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DataFusionError, Result, Statistics};
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::datasource::TableType;
use datafusion::execution::TaskContext;
use datafusion::logical_expr::Expr;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    ChildrenPropertiesMode, DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning,
    PlanProperties, ReplaceChildrenOptions, SendableRecordBatchStream, StatisticsArgs,
};
use futures::StreamExt;
use nedra_core::{Grid, Window};
use nedra_io::RasterReader;
use serde::{Deserialize, Serialize};

/// One layer of the table: its column name and the raster on the grid that holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerSource {
    /// Column name (the evidence layer's name).
    pub name: String,
    /// A GeoTIFF/COG on the canonical grid, at a path every executor sees.
    pub path: PathBuf,
}

/// One block of the grid kept after pruning: its index in [`Grid::windows`] order and window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockSpec {
    /// Index of the block among all windows of the grid.
    pub id: u32,
    /// Column offset of the window (cells).
    pub col_off: usize,
    /// Row offset of the window (cells).
    pub row_off: usize,
    /// Width of the window (cells).
    pub width: usize,
    /// Height of the window (cells).
    pub height: usize,
}

impl BlockSpec {
    /// The window on the grid.
    pub fn window(&self) -> Window {
        Window {
            col_off: self.col_off,
            row_off: self.row_off,
            width: self.width,
            height: self.height,
        }
    }
}

/// Everything a partition needs to read its block, serialisable so that the scan can be
/// shipped to executors (see [`crate::codec`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridScan {
    /// The grid's CRS (WKT).
    pub crs_wkt: String,
    /// The grid's affine transform (GDAL order).
    pub transform: [f64; 6],
    /// Grid width (cells).
    pub width: usize,
    /// Grid height (cells).
    pub height: usize,
    /// The study-area mask on the grid (valid cells are the study area).
    pub mask: PathBuf,
    /// The layers, one Float64 column each.
    pub layers: Vec<LayerSource>,
    /// Deposit points per cell, `(row, col, points)` sorted by row then column.
    pub deposits: Vec<(usize, usize, u64)>,
    /// The blocks that hold study area, one partition each.
    pub blocks: Vec<BlockSpec>,
}

/// The fixed columns before the layers.
pub const FIXED_COLUMNS: [&str; 5] = ["block", "row", "col", "mask", "deposits"];

impl GridScan {
    /// Opens the table over `layers` on the grid of `mask`, with blocks of `block_size` cells a
    /// side; reads the mask once to prune the blocks without study area.
    ///
    /// # Errors
    /// When a raster cannot be opened or read, or a layer is not on the mask's grid.
    pub fn open(
        mask: &Path,
        layers: Vec<LayerSource>,
        deposits: Vec<(usize, usize, u64)>,
        block_size: usize,
    ) -> anyhow::Result<Self> {
        let reader = RasterReader::open(mask)?;
        let grid = reader.grid().clone();
        for l in &layers {
            let r = RasterReader::open(&l.path)?;
            if !nedra_io::warp::is_on_grid(r.grid(), &grid) {
                anyhow::bail!(
                    "{}: layer {:?} is not on the grid of the mask {} ({} against {})",
                    l.path.display(),
                    l.name,
                    mask.display(),
                    r.grid().describe(),
                    grid.describe()
                );
            }
        }
        let mut blocks = Vec::new();
        for (id, w) in grid.windows(block_size).into_iter().enumerate() {
            if reader.read(w)?.valid.iter().any(|v| *v) {
                blocks.push(BlockSpec {
                    id: u32::try_from(id)?,
                    col_off: w.col_off,
                    row_off: w.row_off,
                    width: w.width,
                    height: w.height,
                });
            }
        }
        Ok(Self {
            crs_wkt: grid.crs_wkt.clone(),
            transform: grid.transform,
            width: grid.width,
            height: grid.height,
            mask: mask.to_path_buf(),
            layers,
            deposits,
            blocks,
        })
    }

    /// The canonical grid.
    pub fn grid(&self) -> Grid {
        Grid {
            crs_wkt: self.crs_wkt.clone(),
            transform: self.transform,
            width: self.width,
            height: self.height,
        }
    }

    /// The table's schema: the fixed columns, then one nullable Float64 per layer.
    pub fn schema(&self) -> SchemaRef {
        let mut fields = vec![
            Field::new("block", DataType::UInt32, false),
            Field::new("row", DataType::UInt32, false),
            Field::new("col", DataType::UInt32, false),
            Field::new("mask", DataType::Boolean, false),
            Field::new("deposits", DataType::UInt64, false),
        ];
        fields.extend(
            self.layers
                .iter()
                .map(|l| Field::new(&l.name, DataType::Float64, true)),
        );
        Arc::new(Schema::new(fields))
    }

    /// Cells in the kept blocks (the table's row count).
    pub fn rows(&self) -> usize {
        self.blocks.iter().map(|b| b.width * b.height).sum()
    }

    /// Reads block `index` (of [`Self::blocks`]) into one batch of the projected columns
    /// (indices into [`Self::schema`]).
    ///
    /// # Errors
    /// When GDAL cannot open or read a raster.
    pub fn read_block(&self, index: usize, projection: &[usize]) -> anyhow::Result<RecordBatch> {
        let spec = self.blocks[index];
        let w = spec.window();
        let full = self.schema();
        let schema = Arc::new(full.project(projection)?);
        let mask = RasterReader::open(&self.mask)?.read(w)?;
        let n = w.len();
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(projection.len());
        for &k in projection {
            let column: ArrayRef = match k {
                0 => Arc::new(UInt32Array::from(vec![spec.id; n])),
                1 => Arc::new(UInt32Array::from_iter_values(
                    (0..n).map(|i| (w.row_off + i / w.width) as u32),
                )),
                2 => Arc::new(UInt32Array::from_iter_values(
                    (0..n).map(|i| (w.col_off + i % w.width) as u32),
                )),
                3 => Arc::new(BooleanArray::from(mask.valid.clone())),
                4 => {
                    let mut at = vec![0u64; n];
                    let start = self.deposits.partition_point(|c| c.0 < w.row_off);
                    for &(r, c, d) in self.deposits[start..]
                        .iter()
                        .take_while(|c| c.0 < w.row_off + w.height)
                    {
                        if w.contains(r, c) {
                            at[w.index_of(r, c)] = d;
                        }
                    }
                    Arc::new(UInt64Array::from(at))
                }
                k => {
                    let layer = &self.layers[k - FIXED_COLUMNS.len()];
                    let block = RasterReader::open(&layer.path)?.read(w)?;
                    Arc::new(Float64Array::from_iter(
                        (0..n).map(|i| block.valid[i].then_some(block.values[i])),
                    ))
                }
            };
            columns.push(column);
        }
        Ok(RecordBatch::try_new(schema, columns)?)
    }
}

/// The grid table: a [`TableProvider`] over a [`GridScan`].
#[derive(Debug, Clone)]
pub struct GridTable {
    scan: Arc<GridScan>,
}

impl GridTable {
    /// The table over `scan`.
    pub fn new(scan: GridScan) -> Self {
        Self {
            scan: Arc::new(scan),
        }
    }

    /// What the table reads.
    pub fn scan(&self) -> &GridScan {
        &self.scan
    }
}

#[async_trait]
impl TableProvider for GridTable {
    fn schema(&self) -> SchemaRef {
        self.scan.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let projection = projection
            .cloned()
            .unwrap_or_else(|| (0..self.scan.schema().fields().len()).collect());
        let blocks = block_source(self.scan.blocks.len())?;
        Ok(Arc::new(GridScanExec::new(
            self.scan.clone(),
            projection,
            blocks,
        )?))
    }

    fn statistics(&self) -> Option<Statistics> {
        Some(
            Statistics::new_unknown(&self.scan.schema())
                .with_num_rows(Precision::Exact(self.scan.rows())),
        )
    }
}

/// The block indices of a scan as an in-memory source, one partition per block: the leaf of
/// a grid scan. Ballista restricts each task's plan to its slice of partitions by rewriting
/// known leaves (in-memory and file sources, shuffle readers) and leaves other leaves whole,
/// so the blocks travel as data through a leaf it knows, and [`GridScanExec`] reads the blocks
/// it is handed.
///
/// # Errors
/// When DataFusion refuses the batches (a bug).
pub fn block_source(blocks: usize) -> Result<Arc<dyn ExecutionPlan>> {
    let schema = Arc::new(Schema::new(vec![Field::new(
        "block_index",
        DataType::UInt32,
        false,
    )]));
    let partitions = (0..blocks as u32)
        .map(|i| {
            RecordBatch::try_new(schema.clone(), vec![Arc::new(UInt32Array::from(vec![i]))])
                .map(|b| vec![b])
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(MemorySourceConfig::try_new_exec(&partitions, schema, None)?)
}

/// The physical scan: for each block index its input yields (see [`block_source`]), one
/// batch of that block of the [`GridScan`].
#[derive(Debug, Clone)]
pub struct GridScanExec {
    scan: Arc<GridScan>,
    projection: Vec<usize>,
    input: Arc<dyn ExecutionPlan>,
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl GridScanExec {
    /// The scan of `projection` (indices into the table's schema) over the block indices of
    /// `input`.
    ///
    /// # Errors
    /// When the projection names a column the table does not have.
    pub fn new(
        scan: Arc<GridScan>,
        projection: Vec<usize>,
        input: Arc<dyn ExecutionPlan>,
    ) -> Result<Self> {
        let schema = Arc::new(scan.schema().project(&projection)?);
        let properties = PlanProperties::new(
            EquivalenceProperties::new(schema.clone()),
            Partitioning::UnknownPartitioning(input.properties().partitioning.partition_count()),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Ok(Self {
            scan,
            projection,
            input,
            schema,
            properties: Arc::new(properties),
        })
    }

    /// What the scan reads.
    pub fn scan(&self) -> &GridScan {
        &self.scan
    }

    /// The projected columns (indices into the table's schema).
    pub fn projection(&self) -> &[usize] {
        &self.projection
    }
}

impl DisplayAs for GridScanExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "GridScanExec: {} blocks of a {}x{} grid, columns {:?}",
            self.scan.blocks.len(),
            self.scan.width,
            self.scan.height,
            self.schema
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect::<Vec<_>>()
        )
    }
}

impl ExecutionPlan for GridScanExec {
    fn name(&self) -> &str {
        "GridScanExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        vec![false]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn replace_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.len() != 1 {
            return Err(DataFusionError::Internal(format!(
                "GridScanExec takes one input, given {}",
                children.len()
            )));
        }
        Ok(Arc::new(Self::new(
            self.scan.clone(),
            self.projection.clone(),
            children.swap_remove(0),
        )?))
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        self.replace_children(
            children,
            ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute),
        )
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let indices = self.input.execute(partition, context)?;
        let scan = self.scan.clone();
        let projection = self.projection.clone();
        let blocks = indices
            .map(move |batch| -> Result<Vec<u32>> {
                Ok(batch?
                    .column(0)
                    .as_primitive::<UInt32Type>()
                    .values()
                    .to_vec())
            })
            .flat_map(|ids| {
                futures::stream::iter(match ids {
                    Ok(ids) => ids.into_iter().map(Ok).collect::<Vec<_>>(),
                    Err(e) => vec![Err(e)],
                })
            })
            .then(move |id| {
                let scan = scan.clone();
                let projection = projection.clone();
                async move {
                    let index = id? as usize;
                    if index >= scan.blocks.len() {
                        return Err(DataFusionError::Internal(format!(
                            "GridScanExec: block index {index} of {}",
                            scan.blocks.len()
                        )));
                    }
                    tokio::task::spawn_blocking(move || scan.read_block(index, &projection))
                        .await
                        .map_err(|e| DataFusionError::External(Box::new(e)))?
                        .map_err(|e| DataFusionError::Execution(format!("{e:#}")))
                }
            });
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.schema.clone(),
            blocks,
        )))
    }

    fn statistics_from_inputs(
        &self,
        _input_stats: &[Arc<Statistics>],
        args: &StatisticsArgs,
    ) -> Result<Arc<Statistics>> {
        let rows = match args.partition() {
            Some(p) => self.scan.blocks.get(p).map_or(0, |b| b.width * b.height),
            None => self.scan.rows(),
        };
        Ok(Arc::new(
            Statistics::new_unknown(&self.schema).with_num_rows(Precision::Exact(rows)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Array;
    use datafusion::arrow::datatypes::{Float64Type, UInt64Type};
    use datafusion::prelude::SessionContext;
    use nedra_core::Block;
    use nedra_io::{DataType as RasterType, RasterWriter};

    /// A 6 × 5 grid written as `mask.tif` (study area: columns 0–1 of rows 0–2 only) and
    /// `layer.tif` (value `10·row + col`, NoData at row 1, col 1).
    fn rasters(dir: &Path) -> (PathBuf, PathBuf) {
        let grid = Grid::new("", [0.0, 1.0, 0.0, 5.0, 0.0, -1.0], 6, 5).unwrap();
        let all = Window {
            col_off: 0,
            row_off: 0,
            width: 6,
            height: 5,
        };
        let mut mask = Block::empty(all);
        let mut layer = Block::empty(all);
        for r in 0..5 {
            for c in 0..6 {
                let i = all.index_of(r, c);
                mask.values[i] = 1.0;
                mask.valid[i] = r < 3 && c < 2;
                layer.values[i] = (10 * r + c) as f64;
                layer.valid[i] = (r, c) != (1, 1);
            }
        }
        let paths = (dir.join("mask.tif"), dir.join("layer.tif"));
        for (path, block, t) in [
            (&paths.0, &mask, RasterType::Byte),
            (&paths.1, &layer, RasterType::Float32),
        ] {
            let mut w = RasterWriter::create(path, &grid, t).unwrap();
            w.write(block).unwrap();
            w.finish().unwrap();
        }
        paths
    }

    #[test]
    fn blocks_without_study_area_are_pruned_and_counted_in_statistics() {
        let dir = tempfile::tempdir().unwrap();
        let (mask, layer) = rasters(dir.path());
        let layers = vec![LayerSource {
            name: "layer".into(),
            path: layer,
        }];
        // Blocks of 2 × 2: 3 columns × 3 rows of blocks; study area only in blocks 0 and 3.
        let scan = GridScan::open(&mask, layers, vec![(2, 1, 3)], 2).unwrap();
        assert_eq!(scan.blocks.iter().map(|b| b.id).collect::<Vec<_>>(), [0, 3]);
        assert_eq!(scan.rows(), 8);
        let table = GridTable::new(scan);
        let stats = table.statistics().unwrap();
        assert_eq!(stats.num_rows, Precision::Exact(8));
    }

    #[tokio::test]
    async fn a_block_reads_as_cells_with_nulls_for_nodata() {
        let dir = tempfile::tempdir().unwrap();
        let (mask, layer) = rasters(dir.path());
        let layers = vec![LayerSource {
            name: "layer".into(),
            path: layer,
        }];
        let scan = GridScan::open(&mask, layers, vec![(0, 1, 2), (2, 1, 3)], 2).unwrap();
        let ctx = SessionContext::new();
        ctx.register_table("grid", Arc::new(GridTable::new(scan)))
            .unwrap();
        let batches = ctx
            .sql("SELECT block, row, col, mask, deposits, layer FROM grid ORDER BY row, col")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let batch =
            datafusion::arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap();
        assert_eq!(batch.num_rows(), 8);
        let block = batch.column(0).as_primitive::<UInt32Type>();
        let row = batch.column(1).as_primitive::<UInt32Type>();
        let col = batch.column(2).as_primitive::<UInt32Type>();
        let mask = batch.column(3).as_boolean();
        let deposits = batch.column(4).as_primitive::<UInt64Type>();
        let layer = batch.column(5).as_primitive::<Float64Type>();
        for i in 0..8 {
            let (r, c) = (row.value(i), col.value(i));
            assert_eq!(block.value(i), if r < 2 { 0 } else { 3 });
            assert_eq!(mask.value(i), r < 3 && c < 2, "({r}, {c})");
            let expected_deposits = match (r, c) {
                (0, 1) => 2,
                (2, 1) => 3,
                _ => 0,
            };
            assert_eq!(deposits.value(i), expected_deposits);
            if (r, c) == (1, 1) {
                assert!(layer.is_null(i));
            } else {
                assert_eq!(layer.value(i), f64::from(10 * r + c));
            }
        }
    }
}
