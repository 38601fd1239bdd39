//! The one error type of `nedra-io`.

use std::path::PathBuf;

/// What can go wrong reading or writing geodata; each variant names the file and what to check.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file does not exist.
    #[error("{path}: file not found. Check the path (relative paths are taken from the project file's folder)")]
    NotFound {
        /// The missing file.
        path: PathBuf,
    },
    /// GDAL could not open or process the file.
    #[error("{path}: {action} failed: {message}. Check that the file is a raster/vector format GDAL reads (GeoTIFF, GeoPackage, Shapefile, GeoJSON) and is not corrupt")]
    Gdal {
        /// The file concerned.
        path: PathBuf,
        /// What nedra was doing.
        action: String,
        /// GDAL's message.
        message: String,
    },
    /// A CRS definition could not be understood.
    #[error("unknown CRS {definition:?}{}: use an EPSG code such as \"EPSG:32635\", a WKT string or a PROJ string", origin.as_ref().map(|p| format!(" (in {})", p.display())).unwrap_or_default())]
    UnknownCrs {
        /// The definition given.
        definition: String,
        /// The file it came from, if any.
        origin: Option<PathBuf>,
    },
    /// A file has no CRS and none was given.
    #[error("{path}: the file has no coordinate reference system. Add a .prj / embedded CRS to it, or declare its CRS: `crs` in the project file, or --crs / --deposits-crs on the command line (e.g. EPSG:32635)")]
    MissingCrs {
        /// The file without a CRS.
        path: PathBuf,
    },
    /// The layer does not overlap the project grid.
    #[error("{path}: the layer does not overlap the project grid (layer extent {layer_extent:?}, grid extent {grid_extent:?}, both in the grid's CRS). Check the layer's CRS and the study area")]
    NoOverlap {
        /// The layer.
        path: PathBuf,
        /// Layer extent `[min_x, min_y, max_x, max_y]` in the grid's CRS.
        layer_extent: [f64; 4],
        /// Grid extent.
        grid_extent: [f64; 4],
    },
    /// A CSV table could not be read.
    #[error("{path}, line {line}: {reason}")]
    Csv {
        /// The table.
        path: PathBuf,
        /// 1-based line number (0 for the header or the whole file).
        line: u64,
        /// What is wrong and what to do.
        reason: String,
    },
    /// A vector file holds no usable feature.
    #[error("{path}: {reason}")]
    BadVector {
        /// The vector file.
        path: PathBuf,
        /// What is wrong and what to do.
        reason: String,
    },
    /// A raster whose every cell is NoData.
    #[error(
        "{path}: no cell has data (every cell is NoData). Check the raster and its NoData value"
    )]
    AllNoData {
        /// The raster.
        path: PathBuf,
    },
    /// An output path that cannot take the output.
    #[error("{path}: {reason}")]
    Output {
        /// The output path given.
        path: PathBuf,
        /// What is wrong and what to do.
        reason: String,
    },
    /// Reading or writing a file failed at the operating-system level.
    #[error("{path}: {}", describe_io(source))]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Coordinates that cannot be transformed between two valid CRSs: they do not fit the
    /// source CRS (a valid CRS is not "unknown").
    #[error("{path}: coordinates such as {example} cannot be transformed from {from} to {to}: they do not fit {from}. Check the CRS declared for the file (degrees given as metres, a wrong UTM zone, x and y swapped)")]
    Reprojection {
        /// The file whose coordinates these are.
        path: PathBuf,
        /// One coordinate pair that fails, as text.
        example: String,
        /// The source CRS, short.
        from: String,
        /// The target CRS, short.
        to: String,
    },
    /// A grid could not be built from a file's georeferencing.
    #[error("{path}: {source}")]
    Grid {
        /// The file concerned.
        path: PathBuf,
        /// The grid error.
        source: nedra_core::Error,
    },
}

impl Error {
    /// A GDAL error with its context.
    pub(crate) fn gdal(
        path: impl Into<PathBuf>,
        action: impl Into<String>,
        e: gdal::errors::GdalError,
    ) -> Self {
        Error::Gdal {
            path: path.into(),
            action: action.into(),
            message: e.to_string(),
        }
    }

    /// An OS error with its path.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// An OS error in words a user acts on: a full disk says so (GDAL and the OS may otherwise
/// report it as a short write or a corrupt file).
fn describe_io(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(28) => "the disk is full (no space left on the device): free space or write the output elsewhere".to_string(),
        Some(122) => "the disk quota is exceeded: free space or write the output elsewhere".to_string(),
        _ => e.to_string(),
    }
}

/// Fails with [`Error::NotFound`] when `path` does not exist.
pub(crate) fn require_exists(path: &std::path::Path) -> Result<(), Error> {
    if path.exists() {
        Ok(())
    } else {
        Err(Error::NotFound {
            path: path.to_path_buf(),
        })
    }
}
