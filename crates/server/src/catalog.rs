//! The run folders being served: each run's manifest, its rasters (layers) with their legends,
//! and pools of open GDAL datasets for the tile and point readers.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use gdal::raster::GdalDataType;
use gdal::Dataset;
use nedra_core::Grid;
use nedra_io::{crs, Resampling};
use serde::Serialize;
use serde_json::Value;

use crate::legend::{Legend, CIVIDIS, MAGMA, MAX_CLASSES, VIRIDIS};
use crate::Error;

/// Rasters found in one run folder at most (the walk stops there).
pub const MAX_LAYERS: usize = 256;
/// Folder depth searched for rasters below a run folder.
const MAX_DEPTH: usize = 3;
/// Open datasets kept per layer for reuse.
const POOL_SIZE: usize = 8;

/// Every run being served.
pub struct Catalog {
    /// The runs, in the order given.
    pub runs: Vec<Run>,
    /// EPSG:3857 (Web Mercator) as WKT.
    pub web_mercator: String,
    /// EPSG:4326 (longitude, latitude) as WKT.
    pub geographic: String,
}

/// One run folder.
pub struct Run {
    /// The name in URLs (`/runs/NAME/…`): the folder's name, made unique.
    pub name: String,
    /// The folder, canonical (every file served must resolve inside it).
    pub root: PathBuf,
    /// run.json.
    pub manifest: Value,
    /// Every raster of the run.
    pub layers: Vec<Layer>,
    /// The targets as GeoJSON in EPSG:4326, made on first use.
    pub targets: OnceLock<Result<Value, String>>,
    /// The study-area outline as GeoJSON in EPSG:4326, made on first use.
    pub outline: OnceLock<Result<Value, String>>,
}

/// One raster of a run.
pub struct Layer {
    /// The name in URLs: the path inside the run without `.tif`, `/` replaced by `.`
    /// (`posterior`, `evidence.faults`).
    pub id: String,
    /// The file, canonical.
    pub path: PathBuf,
    /// What the page shows as its name.
    pub title: String,
    /// How it is coloured.
    pub legend: Legend,
    /// Nearest for integer rasters (classes, ranks), bilinear for continuous ones.
    pub resampling: Resampling,
    /// The raster's grid.
    pub grid: Grid,
    /// NoData of band 1.
    pub nodata: Option<f64>,
    /// The extent in Web Mercator, `[min_x, min_y, max_x, max_y]` (metres).
    pub extent_3857: [f64; 4],
    /// The extent in EPSG:4326 (degrees).
    pub extent_4326: [f64; 4],
    pool: Mutex<Vec<Dataset>>,
}

/// What the page is told about a layer.
#[derive(Serialize)]
pub struct LayerInfo<'a> {
    /// See [`Layer::id`].
    pub id: &'a str,
    /// See [`Layer::title`].
    pub title: &'a str,
    /// The file inside the run.
    pub file: String,
    /// See [`Layer::legend`].
    pub legend: &'a Legend,
    /// `[west, south, east, north]` in degrees.
    pub bounds: [f64; 4],
    /// Cells across and down.
    pub size: [usize; 2],
}

impl Catalog {
    /// Opens every run folder: its run.json and every raster in it.
    ///
    /// # Errors
    /// [`Error::NoRuns`], [`Error::NotARun`] for a folder without run.json,
    /// [`Error::Manifest`] when run.json is not JSON, [`Error::Io`] when a raster cannot be
    /// read.
    pub fn open(folders: &[PathBuf]) -> Result<Catalog, Error> {
        if folders.is_empty() {
            return Err(Error::NoRuns);
        }
        let web_mercator = crs::resolve("EPSG:3857", None)?;
        let geographic = crs::resolve("EPSG:4326", None)?;
        let mut runs: Vec<Run> = Vec::new();
        for folder in folders {
            let mut run = Run::open(folder, &web_mercator, &geographic)?;
            let base = run.name.clone();
            let mut n = 1;
            while runs.iter().any(|r| r.name == run.name) {
                n += 1;
                run.name = format!("{base}-{n}");
            }
            runs.push(run);
        }
        Ok(Catalog {
            runs,
            web_mercator,
            geographic,
        })
    }

    /// The run named `name`.
    pub fn run(&self, name: &str) -> Option<(usize, &Run)> {
        self.runs.iter().enumerate().find(|(_, r)| r.name == name)
    }
}

impl Run {
    fn open(folder: &Path, web_mercator: &str, geographic: &str) -> Result<Run, Error> {
        let not_a_run = |reason: String| Error::NotARun {
            path: folder.into(),
            reason,
        };
        let root = folder
            .canonicalize()
            .map_err(|e| not_a_run(format!("cannot open it: {e}")))?;
        if !root.is_dir() {
            return Err(not_a_run("it is not a folder".into()));
        }
        let manifest_path = root.join("run.json");
        let text = std::fs::read_to_string(&manifest_path)
            .map_err(|e| not_a_run(format!("no readable run.json: {e}")))?;
        let manifest: Value = serde_json::from_str(&text).map_err(|e| Error::Manifest {
            path: manifest_path.clone(),
            message: e.to_string(),
        })?;
        let name = url_name(root.file_name().and_then(|n| n.to_str()).unwrap_or("run"));
        let mut files = Vec::new();
        find_rasters(&root, 0, &mut files);
        let mut layers = Vec::new();
        for file in files {
            if let Some(layer) = Layer::open(&root, &file, &manifest, web_mercator, geographic)? {
                layers.push(layer);
            }
        }
        let role = |key: &str| manifest["maps"][key].as_str().map(|p| root.join(p));
        let (score, uncertainty) = (role("score"), role("uncertainty"));
        layers.sort_by_key(|l| {
            let rank = if Some(&l.path) == score.as_ref() {
                0
            } else if Some(&l.path) == uncertainty.as_ref() {
                1
            } else if !l.id.contains('.') {
                2
            } else {
                3
            };
            (rank, l.id.clone())
        });
        Ok(Run {
            name,
            root,
            manifest,
            layers,
            targets: OnceLock::new(),
            outline: OnceLock::new(),
        })
    }

    /// The layer named `id`.
    pub fn layer(&self, id: &str) -> Option<(usize, &Layer)> {
        self.layers.iter().enumerate().find(|(_, l)| l.id == id)
    }

    /// The run's title: the project's name in run.json, or the folder's name.
    pub fn title(&self) -> String {
        self.manifest["project"]["project"]["name"]
            .as_str()
            .or_else(|| self.manifest["project"]["name"].as_str())
            .map_or_else(|| self.name.clone(), str::to_string)
    }
}

/// Letters, digits, `-` and `_` of `name`, other characters as `-`.
fn url_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() {
        "run".into()
    } else {
        s
    }
}

/// GeoTIFFs below `dir`, not following symbolic links, skipping hidden entries (the run's
/// `.stages` and staging folders), sorted.
fn find_rasters(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if found.len() >= MAX_LAYERS {
            return;
        }
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_none_or(|n| n.starts_with('.'));
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if hidden || meta.file_type().is_symlink() {
            continue;
        }
        if meta.is_dir() && depth < MAX_DEPTH {
            find_rasters(&path, depth + 1, found);
        } else if meta.is_file()
            && path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("tif") || e.eq_ignore_ascii_case("tiff"))
        {
            found.push(path);
        }
    }
}

impl Layer {
    /// The raster at `path`, or None when it has no CRS or geotransform (not a map).
    fn open(
        root: &Path,
        path: &Path,
        manifest: &Value,
        web_mercator: &str,
        geographic: &str,
    ) -> Result<Option<Layer>, Error> {
        let gdal_error = |action: &str, e: gdal::errors::GdalError| nedra_io::Error::Gdal {
            path: path.into(),
            action: action.into(),
            message: e.to_string(),
        };
        let ds = Dataset::open(path).map_err(|e| gdal_error("opening the raster", e))?;
        let wkt = ds.projection();
        let Ok(transform) = ds.geo_transform() else {
            return Ok(None);
        };
        if wkt.is_empty() || ds.raster_count() == 0 {
            return Ok(None);
        }
        let (width, height) = ds.raster_size();
        let Ok(grid) = Grid::new(wkt, transform, width, height) else {
            return Ok(None);
        };
        let band = ds
            .rasterband(1)
            .map_err(|e| gdal_error("reading band 1", e))?;
        let nodata = band.no_data_value();
        let integer = !matches!(
            band.band_type(),
            GdalDataType::Float32 | GdalDataType::Float64 | GdalDataType::Unknown
        );
        let (min, max) = match band.compute_raster_min_max(true) {
            Ok(m) if m.min.is_finite() && m.max.is_finite() => (m.min, m.max),
            _ => (0.0, 1.0),
        };
        let relative = path.strip_prefix(root).unwrap_or(path);
        let stem = relative.with_extension("");
        let id = stem
            .components()
            .map(|c| url_name(&c.as_os_str().to_string_lossy()))
            .collect::<Vec<_>>()
            .join(".");
        let file = relative.to_string_lossy().into_owned();
        let is = |key: &str| manifest["maps"][key].as_str() == Some(file.as_str());
        let lower = id.to_lowercase();
        let (title, legend) = if integer && max - min < MAX_CLASSES as f64 {
            let mut legend = Legend::classes(min as i64, max as i64);
            if let Legend::Classes { classes } = &mut legend {
                for class in classes.iter_mut() {
                    class.label = match lower.as_str() {
                        "mask" => "study area".into(),
                        "targets" => format!("target {}", class.value),
                        _ => class.label.clone(),
                    };
                }
            }
            (file.clone(), legend)
        } else if is("score") {
            let label = manifest["maps"]["score_label"].as_str().unwrap_or("score");
            (
                format!("{label} ({file})"),
                Legend::continuous(VIRIDIS, min, max),
            )
        } else if is("uncertainty") || lower.contains("std") || lower.contains("uncertainty") {
            (file.clone(), Legend::continuous(MAGMA, min, max))
        } else if lower.contains("posterior")
            || lower.contains("prospectivity")
            || lower.contains("chance")
        {
            (file.clone(), Legend::continuous(VIRIDIS, min, max))
        } else {
            (file.clone(), Legend::continuous(CIVIDIS, min, max))
        };
        let extent_3857 = nedra_io::warp::extent_in(&grid, web_mercator)?;
        let extent_4326 = nedra_io::warp::extent_in(&grid, geographic)?;
        Ok(Some(Layer {
            id,
            path: path.into(),
            title,
            legend,
            resampling: if integer {
                Resampling::Nearest
            } else {
                Resampling::Bilinear
            },
            grid,
            nodata,
            extent_3857,
            extent_4326,
            pool: Mutex::new(vec![ds]),
        }))
    }

    /// What the page is told about this layer.
    pub fn info(&self, root: &Path) -> LayerInfo<'_> {
        LayerInfo {
            id: &self.id,
            title: &self.title,
            file: self
                .path
                .strip_prefix(root)
                .unwrap_or(&self.path)
                .to_string_lossy()
                .into_owned(),
            legend: &self.legend,
            bounds: self.extent_4326,
            size: [self.grid.width, self.grid.height],
        }
    }

    /// Runs `f` with an open dataset of this layer (taken from the pool, or opened), and puts
    /// the dataset back afterwards.
    ///
    /// # Errors
    /// [`nedra_io::Error::Gdal`] when the raster cannot be opened, and `f`'s errors.
    pub fn with_dataset<T>(
        &self,
        f: impl FnOnce(&Dataset) -> Result<T, nedra_io::Error>,
    ) -> Result<T, nedra_io::Error> {
        let pooled = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let ds = match pooled {
            Some(ds) => ds,
            None => Dataset::open(&self.path).map_err(|e| nedra_io::Error::Gdal {
                path: self.path.clone(),
                action: "opening the raster".into(),
                message: e.to_string(),
            })?,
        };
        let result = f(&ds);
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < POOL_SIZE {
            pool.push(ds);
        }
        result
    }

    /// The value of the cell under the point `(x, y)` in the raster's CRS, None outside the
    /// raster or on NoData.
    ///
    /// # Errors
    /// [`nedra_io::Error::Gdal`] when the cell cannot be read.
    pub fn value_at(&self, x: f64, y: f64) -> Result<Option<f64>, nedra_io::Error> {
        let t = &self.grid.transform;
        let det = t[1] * t[5] - t[2] * t[4];
        if det == 0.0 {
            return Ok(None);
        }
        let (dx, dy) = (x - t[0], y - t[3]);
        let col = (t[5] * dx - t[2] * dy) / det;
        let row = (t[1] * dy - t[4] * dx) / det;
        if !(col >= 0.0
            && row >= 0.0
            && col < self.grid.width as f64
            && row < self.grid.height as f64)
        {
            return Ok(None);
        }
        let (col, row) = (col.floor() as isize, row.floor() as isize);
        let value = self.with_dataset(|ds| {
            let band = ds.rasterband(1).map_err(|e| nedra_io::Error::Gdal {
                path: self.path.clone(),
                action: "reading band 1".into(),
                message: e.to_string(),
            })?;
            let cell = band
                .read_as::<f64>((col, row), (1, 1), (1, 1), None)
                .map_err(|e| nedra_io::Error::Gdal {
                    path: self.path.clone(),
                    action: "reading a cell".into(),
                    message: e.to_string(),
                })?;
            Ok(cell.data()[0])
        })?;
        let is_nodata = self
            .nodata
            .is_some_and(|nd| value == nd || (nd.is_nan() && value.is_nan()));
        Ok((!is_nodata && value.is_finite()).then_some(value))
    }
}
