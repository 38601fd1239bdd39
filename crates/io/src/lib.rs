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
    keep_freed_blocks();
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

/// Keeps freed raster blocks in the C allocator for the next block instead of giving them
/// back to the kernel (glibc only).
///
/// By default glibc serves allocations above 128 KiB (its dynamic threshold grows to at most
/// 32 MiB) with fresh `mmap`s and trims the heap top once 128 KiB are free, so every 512 × 512
/// block nedra or GDAL allocates after freeing the last one is page-faulted in and zeroed by
/// the kernel again: a quarter of the samples of `nedra response` on 16 M cells (a `perf
/// record -e cpu-clock` profile; `bench/wofe.sh`). Raising both thresholds (allocations up to
/// 64 MiB from the heap, trim above 256 MiB free) keeps the freed blocks for reuse; peak
/// memory is unchanged — only memory that was in use at the peak is kept. `MALLOC_*_`
/// environment variables or `GLIBC_TUNABLES` set by the user still win (they are read first,
/// and then left alone).
fn keep_freed_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const M_TRIM_THRESHOLD: std::os::raw::c_int = -1;
        const M_MMAP_THRESHOLD: std::os::raw::c_int = -3;
        extern "C" {
            fn mallopt(
                param: std::os::raw::c_int,
                value: std::os::raw::c_int,
            ) -> std::os::raw::c_int;
        }
        let user_set = [
            "GLIBC_TUNABLES",
            "MALLOC_MMAP_THRESHOLD_",
            "MALLOC_TRIM_THRESHOLD_",
        ]
        .iter()
        .any(|v| std::env::var_os(v).is_some());
        if !user_set {
            // SAFETY: mallopt only sets allocator parameters, under the allocator's lock.
            unsafe {
                mallopt(M_MMAP_THRESHOLD, 64 << 20);
                mallopt(M_TRIM_THRESHOLD, 256 << 20);
            }
        }
    }
}

/// The GDAL release in use (e.g. "3.6.2"), for run manifests.
pub fn gdal_version() -> String {
    gdal::version::version_info("RELEASE_NAME")
}
