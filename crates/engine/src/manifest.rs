//! The run manifest (`run.json`, schema `nedra-run/2`): inputs with SHA-256, grid, options,
//! versions, timings — written and read through one type, [`RunManifest`].
//!
//! The JSON Schema of the file is `docs/run.schema.json` in the repository; a test checks the
//! manifests the engine writes against it.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// SHA-256 of a file, hex-encoded, streamed in 1 MiB pieces.
///
/// # Errors
/// When the file cannot be read.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path)
        .with_context(|| format!("{}: cannot open to hash", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .with_context(|| format!("{}: cannot read to hash", path.display()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The files that make up a dataset: a shapefile's sidecars (.shx, .dbf, .prj, .cpg) with it.
pub fn dataset_files(path: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![path.to_path_buf()];
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("shp"))
    {
        for ext in ["shx", "dbf", "prj", "cpg"] {
            let p = path.with_extension(ext);
            if p.exists() {
                out.push(p);
            }
        }
    }
    out
}

/// One input entry: role, path, size and hash of every file of the dataset.
///
/// # Errors
/// When a file cannot be read.
pub fn input_entry(role: &str, path: &Path) -> Result<Value> {
    Ok(serde_json::to_value(InputEntry::new(role, path)?)?)
}

/// Versions of nedra and GDAL.
pub fn versions() -> Value {
    json!(Versions::current())
}

/// The schema name and version written into every `run.json`.
pub const SCHEMA: &str = "nedra-run/2";

/// `run.json`: what a run read, how, and what it wrote.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunManifest {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Whether the project says it is SYNTHETIC (the demo): reports carry a banner.
    pub synthetic: bool,
    /// The project file as read.
    pub project: crate::project::Project,
    /// Path of the project file.
    pub project_file: String,
    /// Versions of nedra and GDAL.
    pub versions: Versions,
    /// The seed of random draws (data-driven models), if any.
    pub seed: Option<u64>,
    /// Every input dataset with its files' sizes and SHA-256.
    pub inputs: Vec<InputEntry>,
    /// The canonical grid and study area.
    pub grid: GridEntry,
    /// Deposits read and used.
    pub deposits: DepositsEntry,
    /// One entry per evidence layer.
    pub evidence: Vec<EvidenceEntry>,
    /// The weights-of-evidence response.
    pub response: ResponseEntry,
    /// Headline validation figures (details in `validation.json`).
    pub validation: ValidationEntry,
    /// The data-driven or fuzzy model's summary (kind, members, spatial CV, importance,
    /// features); `null` for weights of evidence.
    pub model: Value,
    /// Which rasters are the prospectivity map and its uncertainty.
    pub maps: MapsEntry,
    /// How targets were drawn.
    pub targets: TargetsEntry,
    /// The report file.
    pub report: String,
    /// Every file of the run folder (relative path and SHA-256), `run.json` and the report
    /// excepted.
    pub outputs: Vec<OutputEntry>,
    /// Where the science is weak: conditional independence, layers without signal, large
    /// classes without deposits, small folds, over-fitting (see `warnings`).
    pub warnings: Vec<crate::warnings::Warning>,
    /// The cacheable stages (evidence layers, the model): computed, or reused from an earlier
    /// run with the same inputs and options (see `stage_cache`).
    pub stages: Vec<StageEntry>,
    /// Seconds per stage, and `total`.
    pub timings_s: std::collections::BTreeMap<String, f64>,
    /// The limits in force (see `nedra_core::limits`): the largest grid, classes, features,
    /// bootstrap replicates and trials this run would accept.
    #[serde(default)]
    pub limits: std::collections::BTreeMap<String, u64>,
}

/// The limits in force, by name, for [`RunManifest::limits`].
pub fn limits_entry() -> std::collections::BTreeMap<String, u64> {
    nedra_core::limits::get()
        .rows()
        .iter()
        .map(|(name, _, value)| (name.to_string(), *value))
        .collect()
}

/// A cacheable stage of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageEntry {
    /// The stage (`evidence:<layer>`, `model`).
    pub stage: String,
    /// Taken from an earlier run instead of computed.
    pub reused: bool,
}

/// Versions of the software that made a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Versions {
    /// nedra's version.
    pub nedra: String,
    /// GDAL's version.
    pub gdal: String,
}

/// One input dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputEntry {
    /// Its role in the run (`project`, `study_area`, `deposits`, `evidence:<layer>`, …).
    pub role: String,
    /// The path as resolved.
    pub path: String,
    /// Its files (a shapefile's sidecars too).
    pub files: Vec<FileEntry>,
}

/// One file of an input dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The path.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

/// The canonical grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridEntry {
    /// CRS as WKT.
    pub crs_wkt: String,
    /// GDAL geotransform.
    pub transform: [f64; 6],
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Area of one cell, km².
    pub cell_area_km2: f64,
    /// How the study area was drawn.
    pub study_area: String,
    /// Cells in the study area.
    pub study_area_cells: u64,
    /// Study area, km².
    pub study_area_km2: f64,
    /// Cells per side of a processing block.
    pub block_size: usize,
}

/// Deposits read and used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepositsEntry {
    /// Points read.
    pub points: usize,
    /// Points used (inside the study area).
    pub used: u64,
    /// Cells holding at least one.
    pub cells: usize,
    /// Points left out because they fall outside the study area.
    pub dropped_outside: usize,
    /// Points at exactly the coordinates of an earlier point.
    pub exact_duplicates: usize,
    /// Cells holding more than one point.
    pub stacked_cells: usize,
    /// The rule applied to them.
    pub duplicates_rule: crate::options::DuplicateRule,
    /// Points not counted under `one-per-cell`.
    pub merged: u64,
}

/// One evidence layer of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceEntry {
    /// Layer name.
    pub name: String,
    /// Source path.
    pub source: String,
    /// How values were put on the grid.
    pub derivation: String,
    /// How values became classes.
    pub classification: String,
    /// Its pattern.
    pub pattern: crate::options::Pattern,
    /// Number of classes.
    pub classes: usize,
    /// Study-area cells without data.
    pub missing_cells: u64,
    /// Deposits on cells without data.
    pub missing_deposits: u64,
    /// The class raster (relative path).
    pub class_raster: String,
    /// The weights table (relative path).
    pub weights_table: String,
}

/// The weights-of-evidence response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseEntry {
    /// Deposits per unit cell over the study area.
    #[serde(with = "nan_as_null")]
    pub prior_probability: f64,
    /// Study area in unit cells.
    #[serde(with = "nan_as_null")]
    pub total_area_units: f64,
    /// The unit cell, km² (ArcSDM's unit area).
    pub unit_cell_km2: f64,
    /// Cells where some layer had no data.
    pub cells_with_missing_data: u64,
}

/// Headline validation figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationEntry {
    /// Area under the success-rate curve (fitted: scored on the training deposits).
    #[serde(with = "nan_as_null")]
    pub success_rate_auc: f64,
    /// ROC AUC (fitted).
    #[serde(with = "nan_as_null")]
    pub roc_auc: f64,
    /// The validation file.
    pub file: String,
    /// Bonham-Carter's n/T conditional-independence ratio.
    #[serde(with = "nan_as_null")]
    pub conditional_independence_ratio: f64,
}

/// The maps of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapsEntry {
    /// The prospectivity raster.
    pub score: String,
    /// Its uncertainty raster.
    pub uncertainty: String,
    /// What the score is.
    pub score_label: String,
}

/// How targets were drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetsEntry {
    /// The rule, as applied.
    pub rule: String,
    /// The score threshold it gave.
    #[serde(with = "nan_as_null")]
    pub threshold: f64,
    /// Smallest target kept, km².
    pub min_area_km2: f64,
    /// Targets found.
    pub count: usize,
    /// Files written.
    pub files: Vec<String>,
}

/// One output file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputEntry {
    /// Relative path in the run folder.
    pub path: String,
    /// SHA-256, hex.
    pub sha256: String,
}

/// JSON has no NaN: a figure that could not be computed is written as `null` and read back
/// as NaN.
mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else {
            s.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

impl Versions {
    /// The running nedra and GDAL.
    pub fn current() -> Self {
        Versions {
            nedra: env!("CARGO_PKG_VERSION").to_string(),
            gdal: nedra_io::gdal_version(),
        }
    }
}

impl InputEntry {
    /// Hashes every file of the dataset at `path`.
    ///
    /// # Errors
    /// When a file is missing or cannot be read.
    pub fn new(role: &str, path: &Path) -> Result<Self> {
        if !path.exists() {
            anyhow::bail!(
                "{}: file not found ({role}). Check the path (relative paths are taken from the project file's folder)",
                path.display()
            );
        }
        let files = dataset_files(path)
            .into_iter()
            .map(|p| {
                Ok(FileEntry {
                    bytes: std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0),
                    sha256: sha256_file(&p)?,
                    path: p.display().to_string(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(InputEntry {
            role: role.to_string(),
            path: path.display().to_string(),
            files,
        })
    }
}

impl RunManifest {
    /// Reads `run.json` of a run folder.
    ///
    /// # Errors
    /// No `run.json` (not a run folder), a manifest of another schema (an older nedra: run
    /// the project again), or a file that does not parse.
    pub fn read(run_dir: &Path) -> Result<Self> {
        let path = run_dir.join("run.json");
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "{}: not a nedra run folder (no readable run.json)",
                run_dir.display()
            )
        })?;
        let value: Value = serde_json::from_str(&text)
            .with_context(|| format!("{}: not valid JSON", path.display()))?;
        match value.get("schema").and_then(Value::as_str) {
            Some(SCHEMA) => {}
            Some(other) => anyhow::bail!(
                "{}: manifest schema {other:?}, this nedra reads {SCHEMA:?}. Run the project again with this nedra",
                path.display()
            ),
            None => anyhow::bail!(
                "{}: a manifest from an older nedra (no \"schema\"; this nedra reads {SCHEMA:?}). Run the project again with this nedra",
                path.display()
            ),
        }
        serde_json::from_value(value)
            .with_context(|| format!("{}: not a valid {SCHEMA} manifest", path.display()))
    }

    /// Writes `run.json` into a run folder (atomically).
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write(&self, run_dir: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)? + "\n";
        nedra_io::files::write_atomic(&run_dir.join("run.json"), text.as_bytes())?;
        Ok(())
    }
}
