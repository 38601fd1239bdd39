//! nedra-io: reading and writing geodata through GDAL, onto nedra's canonical grid.
//!
//! What it offers:
//! - **CRS**: [`crs::resolve`] — an EPSG code, WKT or PROJ string to WKT; [`crs::same`].
//! - **Raster reading**: [`RasterReader`] — block-wise reads of band 1 with its NoData as a mask.
//! - **Warping**: [`warp::warp_to_grid`] — any GDAL raster onto the grid (nearest or bilinear).
//! - **Raster writing**: [`RasterWriter`] — tiled, compressed GeoTIFF written block by block and
//!   finished as a cloud-optimised GeoTIFF, atomically (temporary file, then rename).
//! - **Vectors**: [`vector::read_features`] — points, and segments of lines and polygon
//!   boundaries, from GeoPackage, Shapefile, GeoJSON (and CSV points), reprojected to the grid;
//!   [`vector::rasterize`] — polygons burnt onto the grid.
//! - **Point tables**: [`coordinate_column`] — the x/y columns of a CSV table: the one named, or
//!   the first of the usual names (`x`, `easting`, `lon`, …).
//! - **Polygons**: [`polygons::write_regions`] — a region raster to ranked polygons (GeoPackage,
//!   GeoJSON) with attributes.
//! - **Files**: [`files::write_atomic`], [`files::atomic_rename`] — no half-written outputs.

pub mod columns;
pub mod crs;
pub mod error;
pub mod files;
pub mod gdal_errors;
pub mod non_finite;
pub mod polygons;
pub mod raster;
pub mod vector;
pub mod warp;

pub use columns::{coordinate_column, Axis};
pub use error::Error;
pub use raster::{encode_png, DataType, RasterReader, RasterWriter};
pub use warp::Resampling;

/// GDAL's block cache in MiB unless the user sets `GDAL_CACHEMAX`: GDAL's own default is 5 % of
/// physical memory, which would make nedra's peak memory grow with the machine, not the work.
pub const GDAL_CACHE_MIB: usize = 256;

/// The timestamp written into GeoPackages (GDAL's `OGR_CURRENT_DATE`), so that outputs are
/// byte-reproducible.
pub const REPRODUCIBLE_DATE: &str = "2000-01-01T00:00:00.000Z";

/// Prepares GDAL for nedra: errors come back as [`Error`] values instead of being printed (and
/// failures GDAL reports without returning them are recorded for [`gdal_errors::Trap`]), and
/// the block cache is bounded ([`GDAL_CACHE_MIB`], or the `GDAL_CACHEMAX` environment variable),
/// and GeoPackages carry a fixed date ([`REPRODUCIBLE_DATE`]).
///
/// Call once at program start; library code never prints.
pub fn init_gdal() {
    gdal::config::set_error_handler(gdal_errors::record);
    if std::env::var_os("GDAL_CACHEMAX").is_none() {
        let _ = gdal::config::set_config_option("GDAL_CACHEMAX", &GDAL_CACHE_MIB.to_string());
    }
    // GeoPackages record when they were written (gpkg_contents.last_change); a fixed date
    // keeps the same inputs giving the same bytes (set OGR_CURRENT_DATE to override).
    if std::env::var_os("OGR_CURRENT_DATE").is_none() {
        let _ = gdal::config::set_config_option("OGR_CURRENT_DATE", REPRODUCIBLE_DATE);
    }
}

/// The GDAL release in use (e.g. "3.6.2"), for run manifests.
pub fn gdal_version() -> String {
    gdal::version::version_info("RELEASE_NAME")
}
