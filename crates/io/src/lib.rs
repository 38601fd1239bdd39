//! nedra-io: reading and writing geodata through GDAL, onto nedra's canonical grid.
//!
//! What it offers:
//! - **CRS**: [`crs::resolve`] — an EPSG code, WKT or PROJ string to WKT; [`crs::same`].
//! - **Raster reading**: [`RasterReader`] — block-wise reads of band 1 with its NoData as a mask.
//! - **Warping**: [`warp::warp_to_grid`] — any GDAL raster onto the grid (nearest or bilinear).
//! - **Raster writing**: [`RasterWriter`] — tiled, compressed GeoTIFF written block by block and
//!   finished as a cloud-optimised GeoTIFF, atomically (temporary file, then rename).
//! - **Vectors**: [`vector::read_points`], [`vector::read_segments`] — points, lines and polygon
//!   boundaries from GeoPackage, Shapefile, GeoJSON (and CSV points), reprojected to the grid;
//!   [`vector::rasterize`] — polygons burnt onto the grid.
//! - **Files**: [`files::sha256_file`] is in the CLI; here [`files::atomic_rename`] and helpers.

pub mod crs;
pub mod error;
pub mod files;
pub mod raster;
pub mod vector;
pub mod warp;

pub use error::Error;
pub use raster::{DataType, RasterReader, RasterWriter};
pub use warp::Resampling;

/// Makes GDAL quiet: its errors come back as [`Error`] values instead of being printed.
///
/// Call once at program start; library code never prints.
pub fn quiet_gdal() {
    gdal::config::set_error_handler(|_, _, _| {});
}

/// The GDAL release in use (e.g. "3.6.2"), for run manifests.
pub fn gdal_version() -> String {
    gdal::version::version_info("RELEASE_NAME")
}
