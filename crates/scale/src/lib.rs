//! nedra on Apache DataFusion Ballista: the same weights-of-evidence run, and the same scoring
//! with a run's fitted model, on a cluster.
//!
//! **The grid as a table**
//! - [`grid_table`]: [`GridTable`], a DataFusion table whose partitions are the blocks of the
//!   canonical grid, each read through `nedra-io` where it runs; blocks without study area are
//!   pruned.
//!
//! **Stages as DataFusion work**
//! - [`wofe`]: weights-of-evidence counts per class as an aggregate, and the weights table.
//! - [`response`]: the weights-of-evidence response as scalar UDFs; the posterior rasters
//!   assembled block by block.
//! - [`score`]: model scoring as a scalar UDF carrying a run's fitted model (logistic
//!   regression, random forest, gradient boosting: `model.json`) to the executors, scored
//!   with the local engine's prediction code; `prospectivity.tif` and `uncertainty.tif`
//!   assembled block by block.
//! - [`wofe_run`]: counts, weights tables and response of a project from a run's class
//!   rasters, on any `SessionContext`.
//!
//! **On Ballista**
//! - [`codec`]: logical and physical codecs that ship the grid table, its scan and the UDFs
//!   (response, model scoring, the model inside) to the scheduler and executors.
//! - [`cluster`]: a session on a nedra scheduler (`df://HOST:PORT`).
//! - [`args`]: the flags of the `nedra-scheduler`, `nedra-executor` and `nedra-cluster` binaries.

pub mod args;
pub mod cluster;
pub mod codec;
pub mod grid_table;
pub mod response;
pub mod score;
pub mod wofe;
pub mod wofe_run;

pub use grid_table::{GridScan, GridTable, LayerSource};
pub use response::{LayerModel, ResponseModel, ResponseOutput, ResponseUdf};
pub use score::{score_run, ModelScoreUdf, ScoreSummary};
pub use wofe::{class_counts, weights_table, LayerCounts};
