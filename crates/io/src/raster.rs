//! Block-wise raster reading and writing.

use std::path::{Path, PathBuf};

use gdal::raster::{Buffer, GdalDataType, RasterCreationOptions};
use gdal::{Dataset, DriverManager};
use nedra_core::{Block, Grid, Window};

use crate::error::require_exists;
use crate::files::{atomic_rename, temporary_sibling};
use crate::Error;

/// Reads band 1 of a GDAL raster block by block, as `f64` with NoData as a mask.
#[derive(Debug)]
pub struct RasterReader {
    dataset: Dataset,
    path: PathBuf,
    grid: Grid,
    nodata: Option<f64>,
}

impl RasterReader {
    /// Opens a raster.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Gdal`] when GDAL cannot open it or it has no band, and
    /// [`Error::Grid`] when its georeferencing is unusable.
    pub fn open(path: &Path) -> Result<Self, Error> {
        require_exists(path)?;
        let dataset =
            Dataset::open(path).map_err(|e| Error::gdal(path, "opening the raster", e))?;
        if dataset.raster_count() < 1 {
            return Err(Error::Gdal {
                path: path.into(),
                action: "opening the raster".into(),
                message: "the file has no raster band".into(),
            });
        }
        let (width, height) = dataset.raster_size();
        let transform = dataset
            .geo_transform()
            .map_err(|e| Error::gdal(path, "reading the geotransform", e))?;
        let crs_wkt = dataset.projection();
        let grid = Grid::new(crs_wkt, transform, width, height).map_err(|source| Error::Grid {
            path: path.into(),
            source,
        })?;
        let nodata = dataset
            .rasterband(1)
            .map_err(|e| Error::gdal(path, "reading band 1", e))?
            .no_data_value();
        Ok(Self {
            dataset,
            path: path.to_path_buf(),
            grid,
            nodata,
        })
    }

    /// The raster's own grid (its CRS WKT may be empty when the file has none).
    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// The band's NoData value.
    pub fn nodata(&self) -> Option<f64> {
        self.nodata
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads one window of band 1.
    ///
    /// # Errors
    /// [`Error::Gdal`] when GDAL fails to read.
    pub fn read(&self, window: Window) -> Result<Block, Error> {
        let band = self
            .dataset
            .rasterband(1)
            .map_err(|e| Error::gdal(&self.path, "reading band 1", e))?;
        let action = || format!("reading window {window:?}");
        let trap = crate::gdal_errors::Trap::new();
        let buf: Buffer<f64> = band
            .read_as(
                (window.col_off as isize, window.row_off as isize),
                (window.width, window.height),
                (window.width, window.height),
                None,
            )
            .map_err(|e| Error::gdal(&self.path, action(), e))?;
        trap.check(&self.path, &action())?;
        let (_, values) = buf.into_shape_and_vec();
        let non_finite = values
            .iter()
            .filter(|v| !v.is_finite() && Some(**v) != self.nodata)
            .count();
        crate::non_finite::record(&self.path, window, non_finite as u64);
        Ok(Block::from_raw(window, values, self.nodata))
    }
}

impl RasterReader {
    /// Fails when no cell has data; reads blocks until it finds one (one block for most
    /// rasters, every block for an all-NoData one).
    ///
    /// # Errors
    /// [`Error::AllNoData`], or [`Error::Gdal`] when GDAL fails to read.
    pub fn require_data(&self) -> Result<(), Error> {
        for window in self.grid.windows(nedra_core::BLOCK_SIZE) {
            if self.read(window)?.valid.iter().any(|v| *v) {
                return Ok(());
            }
        }
        Err(Error::AllNoData {
            path: self.path.clone(),
        })
    }

    /// Reads `window` resampled (nearest neighbour) to `width × height` cells, for previews;
    /// GDAL uses the file's overviews where they exist. The returned block's window is
    /// `0, 0, width, height` (preview pixel space).
    ///
    /// # Errors
    /// [`Error::Gdal`] when GDAL fails to read.
    pub fn read_preview(
        &self,
        window: Window,
        width: usize,
        height: usize,
    ) -> Result<Block, Error> {
        let band = self
            .dataset
            .rasterband(1)
            .map_err(|e| Error::gdal(&self.path, "reading band 1", e))?;
        let buf: Buffer<f64> = band
            .read_as(
                (window.col_off as isize, window.row_off as isize),
                (window.width, window.height),
                (width, height),
                Some(gdal::raster::ResampleAlg::NearestNeighbour),
            )
            .map_err(|e| Error::gdal(&self.path, format!("reading a preview of {window:?}"), e))?;
        let (_, values) = buf.into_shape_and_vec();
        let w = Window {
            col_off: 0,
            row_off: 0,
            width,
            height,
        };
        Ok(Block::from_raw(w, values, self.nodata))
    }
}

/// Encodes RGBA pixels (row-major, 4 bytes per pixel) as PNG through GDAL's PNG driver.
///
/// # Errors
/// [`Error::Gdal`] when GDAL fails.
pub fn encode_png(width: usize, height: usize, rgba: &[u8]) -> Result<Vec<u8>, Error> {
    assert_eq!(
        rgba.len(),
        width * height * 4,
        "RGBA buffer does not match the size"
    );
    let ctx = |e| Error::gdal("(in memory)", "encoding a PNG", e);
    let mem = DriverManager::get_driver_by_name("MEM").map_err(ctx)?;
    let ds = mem
        .create_with_band_type::<u8, _>("", width, height, 4)
        .map_err(ctx)?;
    for b in 0..4 {
        let mut band = ds.rasterband(b + 1).map_err(ctx)?;
        let plane: Vec<u8> = rgba.iter().skip(b).step_by(4).copied().collect();
        let mut buf = Buffer::new((width, height), plane);
        band.write((0, 0), (width, height), &mut buf).map_err(ctx)?;
    }
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let name = format!(
        "/vsimem/nedra-{}-{}.png",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let png = DriverManager::get_driver_by_name("PNG").map_err(ctx)?;
    let out = ds
        .create_copy(&png, &name, &RasterCreationOptions::new())
        .map_err(ctx)?;
    drop(out);
    let bytes = gdal::vsi::get_vsi_mem_file_bytes_owned(&name).map_err(ctx)?;
    let _ = gdal::vsi::unlink_mem_file(&name);
    Ok(bytes)
}

/// The cell type of a written raster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    /// 8-bit unsigned (masks, binary patterns).
    Byte,
    /// 32-bit signed integers (classes).
    Int32,
    /// 32-bit float (probabilities, distances).
    Float32,
    /// 64-bit float.
    Float64,
}

impl DataType {
    fn gdal(self) -> GdalDataType {
        match self {
            DataType::Byte => GdalDataType::UInt8,
            DataType::Int32 => GdalDataType::Int32,
            DataType::Float32 => GdalDataType::Float32,
            DataType::Float64 => GdalDataType::Float64,
        }
    }

    /// The NoData value written for this type.
    pub fn nodata(self) -> f64 {
        match self {
            DataType::Byte => 255.0,
            DataType::Int32 => -2_147_483_648.0,
            DataType::Float32 | DataType::Float64 => -3.4028234663852886e38,
        }
    }
}

/// Writes a single-band raster on a grid, block by block, then finishes it as a
/// cloud-optimised GeoTIFF (DEFLATE level 1 with a predictor, 512 × 512 tiles, overviews;
/// compressed on all cores) under its final name. The staging file uses fast ZSTD.
///
/// Until [`RasterWriter::finish`] succeeds only hidden temporary files exist; dropping the
/// writer without finishing removes them.
#[derive(Debug)]
pub struct RasterWriter {
    dataset: Option<Dataset>,
    path: PathBuf,
    staging: PathBuf,
    data_type: DataType,
    finished: bool,
}

/// Creation options of the tiled staging GeoTIFF.
fn staging_options() -> RasterCreationOptions {
    RasterCreationOptions::from_iter([
        "TILED=YES",
        "BLOCKXSIZE=512",
        "BLOCKYSIZE=512",
        "COMPRESS=ZSTD",
        "ZSTD_LEVEL=1",
        "NUM_THREADS=ALL_CPUS",
        "BIGTIFF=IF_SAFER",
    ])
}

impl RasterWriter {
    /// Creates the staging file for `path` on `grid`.
    ///
    /// # Errors
    /// [`Error::Gdal`] when GDAL cannot create the file.
    pub fn create(path: &Path, grid: &Grid, data_type: DataType) -> Result<Self, Error> {
        crate::files::check_output_file(path)?;
        let staging = temporary_sibling(path, "staging");
        let ctx = |e| crate::files::or_disk_full(path, Error::gdal(path, "creating the raster", e));
        let driver = DriverManager::get_driver_by_name("GTiff").map_err(ctx)?;
        let options = staging_options();
        let mut ds = match data_type {
            DataType::Byte => driver.create_with_band_type_with_options::<u8, _>(
                &staging,
                grid.width,
                grid.height,
                1,
                &options,
            ),
            DataType::Int32 => driver.create_with_band_type_with_options::<i32, _>(
                &staging,
                grid.width,
                grid.height,
                1,
                &options,
            ),
            DataType::Float32 => driver.create_with_band_type_with_options::<f32, _>(
                &staging,
                grid.width,
                grid.height,
                1,
                &options,
            ),
            DataType::Float64 => driver.create_with_band_type_with_options::<f64, _>(
                &staging,
                grid.width,
                grid.height,
                1,
                &options,
            ),
        }
        .map_err(ctx)?;
        debug_assert_eq!(
            ds.rasterband(1).map(|b| b.band_type()).ok(),
            Some(data_type.gdal())
        );
        ds.set_geo_transform(&grid.transform).map_err(ctx)?;
        if !grid.crs_wkt.is_empty() {
            ds.set_projection(&grid.crs_wkt).map_err(ctx)?;
        }
        ds.rasterband(1)
            .and_then(|mut b| b.set_no_data_value(Some(data_type.nodata())))
            .map_err(ctx)?;
        Ok(Self {
            dataset: Some(ds),
            path: path.to_path_buf(),
            staging,
            data_type,
            finished: false,
        })
    }

    /// The staging dataset, for GDAL operations that write into it directly (rasterising).
    pub(crate) fn dataset_mut(&mut self) -> &mut Dataset {
        self.dataset.as_mut().expect("writer already finished")
    }

    /// Writes one block; invalid cells become the type's NoData.
    ///
    /// # Errors
    /// [`Error::Gdal`] when GDAL fails to write.
    pub fn write(&mut self, block: &Block) -> Result<(), Error> {
        let w = block.window;
        let nodata = self.data_type.nodata();
        let mut non_finite = 0;
        let values: Vec<f64> = block
            .values
            .iter()
            .zip(&block.valid)
            .map(|(v, ok)| match (*ok, v.is_finite()) {
                (true, true) => *v,
                (true, false) => {
                    non_finite += 1;
                    nodata
                }
                (false, _) => nodata,
            })
            .collect();
        crate::non_finite::record(&self.path, w, non_finite);
        let ds = self.dataset.as_ref().expect("writer already finished");
        let mut band = ds.rasterband(1).map_err(|e| {
            crate::files::or_disk_full(&self.path, Error::gdal(&self.path, "writing", e))
        })?;
        let mut buf = Buffer::new((w.width, w.height), values);
        band.write(
            (w.col_off as isize, w.row_off as isize),
            (w.width, w.height),
            &mut buf,
        )
        .map_err(|e| {
            crate::files::or_disk_full(
                &self.path,
                Error::gdal(&self.path, format!("writing window {w:?}"), e),
            )
        })
    }

    /// Converts the staging file into a cloud-optimised GeoTIFF at the final path.
    ///
    /// # Errors
    /// [`Error::Gdal`] when the COG conversion fails, [`Error::Io`] when the rename fails.
    pub fn finish(mut self) -> Result<PathBuf, Error> {
        let ds = self.dataset.take().expect("writer already finished");
        let path = self.path.clone();
        let ctx = |e| {
            crate::files::or_disk_full(
                &path,
                Error::gdal(&path, "writing the cloud-optimised GeoTIFF", e),
            )
        };
        // GDAL may report a failed write (a full disk) through CPLError only, and close
        // "successfully" with a truncated file: watch for it.
        let trap = crate::gdal_errors::Trap::new();
        ds.close().map_err(ctx)?;
        let staged = Dataset::open(&self.staging).map_err(ctx)?;
        let cog_tmp = temporary_sibling(&self.path, "cog");
        let driver = DriverManager::get_driver_by_name("COG").map_err(ctx)?;
        let options = RasterCreationOptions::from_iter([
            "COMPRESS=DEFLATE",
            "LEVEL=1",
            "PREDICTOR=YES",
            "NUM_THREADS=ALL_CPUS",
            "BLOCKSIZE=512",
            "BIGTIFF=IF_SAFER",
            "OVERVIEW_RESAMPLING=NEAREST",
        ]);
        let copy = staged.create_copy(&driver, &cog_tmp, &options);
        drop(staged);
        let closed = match copy {
            Ok(out) => out.close().map_err(ctx),
            Err(e) => Err(ctx(e)),
        };
        let reported = trap
            .check(&self.path, "writing the cloud-optimised GeoTIFF")
            .map_err(|e| crate::files::or_disk_full(&self.path, e));
        if let Err(e) = closed.and(reported) {
            let _ = std::fs::remove_file(&cog_tmp);
            return Err(e);
        }
        atomic_rename(&cog_tmp, &self.path)?;
        let _ = std::fs::remove_file(&self.staging);
        self.finished = true;
        Ok(self.path.clone())
    }
}

impl Drop for RasterWriter {
    fn drop(&mut self) {
        if !self.finished {
            self.dataset.take();
            let _ = std::fs::remove_file(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read_returns_the_same_values_and_mask() {
        let dir = tempfile::tempdir().unwrap();
        let crs = crate::crs::resolve("EPSG:32635", None).unwrap();
        let grid = Grid::new(
            crs,
            [500_000.0, 250.0, 0.0, 5_900_000.0, 0.0, -250.0],
            700,
            600,
        )
        .unwrap();
        let path = dir.path().join("x.tif");
        let mut w = RasterWriter::create(&path, &grid, DataType::Float64).unwrap();
        for win in grid.windows(256) {
            let mut b = Block::empty(win);
            for r in 0..win.height {
                for c in 0..win.width {
                    let i = r * win.width + c;
                    let (gr, gc) = (win.row_off + r, win.col_off + c);
                    b.values[i] = (gr * 1000 + gc) as f64 * 0.5;
                    b.valid[i] = (gr + gc) % 7 != 0;
                }
            }
            w.write(&b).unwrap();
        }
        w.finish().unwrap();
        // Only the final file is left.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("x.tif")]);
        let r = RasterReader::open(&path).unwrap();
        assert!(r.grid().same_geometry(&grid, 1e-12));
        assert!(crate::crs::same(&r.grid().crs_wkt, &grid.crs_wkt));
        for win in grid.windows(300) {
            let b = r.read(win).unwrap();
            for rr in 0..win.height {
                for cc in 0..win.width {
                    let i = rr * win.width + cc;
                    let (gr, gc) = (win.row_off + rr, win.col_off + cc);
                    assert_eq!(b.valid[i], (gr + gc) % 7 != 0);
                    if b.valid[i] {
                        assert_eq!(b.values[i], (gr * 1000 + gc) as f64 * 0.5);
                    }
                }
            }
        }
    }

    #[test]
    fn dropping_an_unfinished_writer_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let grid = Grid::new("", [0.0, 1.0, 0.0, 10.0, 0.0, -1.0], 10, 10).unwrap();
        let w = RasterWriter::create(&dir.path().join("y.tif"), &grid, DataType::Byte).unwrap();
        drop(w);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn png_encoding_round_trips_through_gdal() {
        let (w, h) = (3, 2);
        let rgba: Vec<u8> = (0..(w * h * 4) as u8).collect();
        let png = encode_png(w, h, &rgba).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.png");
        std::fs::write(&p, &png).unwrap();
        let ds = Dataset::open(&p).unwrap();
        assert_eq!(ds.raster_count(), 4);
        let g: Buffer<u8> = ds
            .rasterband(2)
            .unwrap()
            .read_as((0, 0), (w, h), (w, h), None)
            .unwrap();
        assert_eq!(
            g.data(),
            &rgba.iter().skip(1).step_by(4).copied().collect::<Vec<_>>()[..]
        );
    }

    #[test]
    fn missing_file_is_named() {
        let e = RasterReader::open(Path::new("/nonexistent/a.tif")).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/a.tif"));
    }
}
