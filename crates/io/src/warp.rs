//! Warping any GDAL raster onto the canonical grid (GDAL's warper, `gdalwarp` semantics).

use std::ffi::{c_char, CStr, CString};
use std::path::Path;

use gdal::Dataset;
use nedra_core::Grid;

use crate::error::require_exists;
use crate::files::{atomic_rename, temporary_sibling};
use crate::{crs, Error};

/// How cell values are resampled onto the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resampling {
    /// Nearest neighbour: for categories and classes.
    Nearest,
    /// Bilinear: for continuous quantities.
    Bilinear,
}

impl Resampling {
    /// GDAL's name for the method.
    pub fn gdal_name(self) -> &'static str {
        match self {
            Resampling::Nearest => "near",
            Resampling::Bilinear => "bilinear",
        }
    }
}

/// The extent `[min_x, min_y, max_x, max_y]` of `grid` in the CRS `to_wkt`, from points sampled
/// along its edges (21 per edge), so that curved edges after projection are covered.
///
/// # Errors
/// [`Error::UnknownCrs`] when the transformation fails.
pub fn extent_in(grid: &Grid, to_wkt: &str) -> Result<[f64; 4], Error> {
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    let n = 20;
    for i in 0..=n {
        let f = i as f64 / n as f64;
        for (c, r) in [
            (f * grid.width as f64, 0.0),
            (f * grid.width as f64, grid.height as f64),
            (0.0, f * grid.height as f64),
            (grid.width as f64, f * grid.height as f64),
        ] {
            let t = &grid.transform;
            xs.push(t[0] + c * t[1] + r * t[2]);
            ys.push(t[3] + c * t[4] + r * t[5]);
        }
    }
    crs::transform_points_of(
        &grid.crs_wkt,
        to_wkt,
        &mut xs,
        &mut ys,
        Path::new("the grid's extent"),
    )?;
    let mut e = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for (x, y) in xs.iter().zip(&ys) {
        if x.is_finite() && y.is_finite() {
            e = [e[0].min(*x), e[1].min(*y), e[2].max(*x), e[3].max(*y)];
        }
    }
    Ok(e)
}

/// Whether two extents intersect with positive area.
pub fn overlaps(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// Whether a raster on `src` can be read directly as the grid `grid` (same CRS and cells).
pub fn is_on_grid(src: &Grid, grid: &Grid) -> bool {
    src.same_geometry(grid, 1e-9) && crs::same(&src.crs_wkt, &grid.crs_wkt)
}

/// Warps band 1 of `src` onto `grid` into a Float64 GeoTIFF at `dst` (tiled, DEFLATE, NoData
/// NaN), written atomically.
///
/// `src_crs` overrides (or supplies) the source's CRS. The source's NoData is honoured, cells
/// of the grid outside the source become NoData.
///
/// # Errors
/// [`Error::NotFound`], [`Error::MissingCrs`] when the source has no CRS and none is given,
/// [`Error::NoOverlap`] when the source misses the grid, [`Error::Gdal`] when warping fails.
pub fn warp_to_grid(
    src: &Path,
    src_crs: Option<&str>,
    grid: &Grid,
    resampling: Resampling,
    dst: &Path,
) -> Result<(), Error> {
    require_exists(src)?;
    let ds = Dataset::open(src).map_err(|e| Error::gdal(src, "opening the raster", e))?;
    let src_wkt = match src_crs {
        Some(def) => crs::resolve(def, Some(src))?,
        None => {
            let w = ds.projection();
            if w.is_empty() {
                return Err(Error::MissingCrs { path: src.into() });
            }
            w
        }
    };
    let (w, h) = ds.raster_size();
    let transform = ds
        .geo_transform()
        .map_err(|e| Error::gdal(src, "reading the geotransform", e))?;
    let src_grid = Grid::new(src_wkt.clone(), transform, w, h).map_err(|source| Error::Grid {
        path: src.into(),
        source,
    })?;
    let layer_extent = extent_in(&src_grid, &grid.crs_wkt)?;
    if !overlaps(layer_extent, grid.extent()) {
        return Err(Error::NoOverlap {
            path: src.into(),
            layer_extent,
            grid_extent: grid.extent(),
        });
    }
    let mut args = window_args(
        "GTiff",
        &grid.crs_wkt,
        grid.extent(),
        (grid.width, grid.height),
        resampling,
    );
    args.extend([
        "-wo".into(),
        "NUM_THREADS=ALL_CPUS".into(),
        "-co".into(),
        "TILED=YES".into(),
        "-co".into(),
        "COMPRESS=DEFLATE".into(),
        "-co".into(),
        "BIGTIFF=IF_SAFER".into(),
    ]);
    if src_crs.is_some() {
        args.splice(0..0, ["-s_srs".to_string(), src_wkt]);
    }
    let tmp = temporary_sibling(dst, "warp");
    let result = run_gdalwarp(&ds, &tmp, &args);
    if let Err(message) = result {
        let e = crate::files::or_disk_full(
            dst,
            Error::Gdal {
                path: src.into(),
                action: "warping onto the project grid".into(),
                message,
            },
        );
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    atomic_rename(&tmp, dst)
}

/// Warps band 1 of the open raster `src` (read from `path`) into a `width × height` window
/// covering `extent` (`[min_x, min_y, max_x, max_y]` in the CRS `dst_wkt`), in memory, and
/// returns its cells row by row from the top, NaN where there is no data.
///
/// This is `gdalwarp -t_srs DST -te … -ts W H -r near|bilinear -ot Float64 -dstnodata nan`:
/// GDAL picks the overview level that matches the window's resolution (`-ovr AUTO`) and reads
/// only the source blocks under the window, so the cost follows the window, not the raster
/// (a web-map tile of a 10⁹-cell raster costs what one of a small raster does). The source's
/// NoData is honoured. One `src` must not be used by two threads at once.
///
/// # Errors
/// [`Error::Gdal`] when warping or reading the result fails.
pub fn warp_window(
    src: &Dataset,
    path: &Path,
    dst_wkt: &str,
    extent: [f64; 4],
    width: usize,
    height: usize,
    resampling: Resampling,
) -> Result<Vec<f64>, Error> {
    let args = window_args("MEM", dst_wkt, extent, (width, height), resampling);
    let fail = |message| Error::Gdal {
        path: path.into(),
        action: "warping a window".into(),
        message,
    };
    let out = gdalwarp(src, "", &args).map_err(fail)?;
    // SAFETY: `out` is a dataset handle that GDALWarp returned and nothing else owns; the
    // Dataset takes it over and closes it when dropped.
    let out = unsafe { Dataset::from_c_dataset(out) };
    let band = out
        .rasterband(1)
        .map_err(|e| Error::gdal(path, "reading a warped window", e))?;
    let buffer = band
        .read_as::<f64>((0, 0), (width, height), (width, height), None)
        .map_err(|e| Error::gdal(path, "reading a warped window", e))?;
    Ok(buffer.into_shape_and_vec().1)
}

/// `gdalwarp` arguments for a window: `-of FORMAT -t_srs DST -te … -ts W H -r METHOD -ot Float64
/// -dstnodata nan -q`.
fn window_args(
    format: &str,
    dst_wkt: &str,
    extent: [f64; 4],
    (width, height): (usize, usize),
    resampling: Resampling,
) -> Vec<String> {
    let mut args: Vec<String> = vec!["-of".into(), format.into(), "-t_srs".into(), dst_wkt.into()];
    args.push("-te".into());
    args.extend(extent.iter().map(f64::to_string));
    args.extend(["-ts".into(), width.to_string(), height.to_string()]);
    args.extend(["-r".into(), resampling.gdal_name().into()]);
    args.extend(["-ot", "Float64", "-dstnodata", "nan", "-q"].map(String::from));
    args
}

/// Calls GDAL's `GDALWarp` (the library form of `gdalwarp`) with command-line arguments.
fn run_gdalwarp(src: &Dataset, dst: &Path, args: &[String]) -> Result<(), String> {
    let out = gdalwarp(src, &dst.to_string_lossy(), args)?;
    // SAFETY: `out` is a dataset handle that GDALWarp returned and nothing else owns.
    unsafe { gdal_sys::GDALClose(out) };
    Ok(())
}

/// `GDALWarp` of `src` into `dst` (a file name, or "" for the MEM driver), returning the
/// output dataset's handle, which the caller closes.
fn gdalwarp(src: &Dataset, dst: &str, args: &[String]) -> Result<gdal_sys::GDALDatasetH, String> {
    let c_args: Vec<CString> = args
        .iter()
        .map(|a| CString::new(a.as_str()).map_err(|_| format!("argument {a:?} holds a NUL byte")))
        .collect::<Result<_, _>>()?;
    let mut argv: Vec<*mut c_char> = c_args.iter().map(|a| a.as_ptr() as *mut c_char).collect();
    argv.push(std::ptr::null_mut());
    let c_dst = CString::new(dst.as_bytes()).map_err(|_| "bad output path".to_string())?;
    // SAFETY: argv is a NULL-terminated array of valid C strings that outlive the call; the
    // options are freed below; the source handle is valid for the life of `src`.
    unsafe {
        let options = gdal_sys::GDALWarpAppOptionsNew(argv.as_mut_ptr(), std::ptr::null_mut());
        if options.is_null() {
            return Err(last_gdal_message("invalid warp options"));
        }
        let mut sources = [src.c_dataset()];
        let mut usage_error: std::ffi::c_int = 0;
        let out = gdal_sys::GDALWarp(
            c_dst.as_ptr(),
            std::ptr::null_mut(),
            1,
            sources.as_mut_ptr(),
            options,
            &mut usage_error,
        );
        gdal_sys::GDALWarpAppOptionsFree(options);
        if out.is_null() {
            return Err(last_gdal_message("GDALWarp returned no dataset"));
        }
        Ok(out)
    }
}

/// GDAL's last error message, or `fallback`.
pub(crate) fn last_gdal_message(fallback: &str) -> String {
    // SAFETY: CPLGetLastErrorMsg returns a pointer to a thread-local, NUL-terminated string.
    let msg = unsafe { CStr::from_ptr(gdal_sys::CPLGetLastErrorMsg()) }
        .to_string_lossy()
        .into_owned();
    if msg.is_empty() {
        fallback.to_string()
    } else {
        msg
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DataType, RasterReader, RasterWriter};
    use nedra_core::Block;

    /// A raster in EPSG:4326 warped to UTM 35N keeps its values (a constant field stays
    /// constant; a linear ramp in longitude is reproduced by bilinear resampling).
    #[test]
    fn geographic_raster_is_warped_onto_a_utm_grid() {
        let dir = tempfile::tempdir().unwrap();
        let geo = crs::resolve("EPSG:4326", None).unwrap();
        let src_grid = Grid::new(geo, [26.0, 0.01, 0.0, 54.0, 0.0, -0.01], 200, 200).unwrap();
        let src = dir.path().join("lonramp.tif");
        let mut w = RasterWriter::create(&src, &src_grid, DataType::Float64).unwrap();
        for win in src_grid.windows(128) {
            let mut b = Block::empty(win);
            for r in 0..win.height {
                for c in 0..win.width {
                    let (lon, _) = src_grid.cell_centre(win.row_off + r, win.col_off + c);
                    b.values[r * win.width + c] = lon;
                    b.valid[r * win.width + c] = true;
                }
            }
            w.write(&b).unwrap();
        }
        w.finish().unwrap();
        let utm = crs::resolve("EPSG:32635", None).unwrap();
        let grid = Grid::new(
            utm.clone(),
            [480_000.0, 1000.0, 0.0, 5_950_000.0, 0.0, -1000.0],
            40,
            40,
        )
        .unwrap();
        let dst = dir.path().join("warped.tif");
        warp_to_grid(&src, None, &grid, Resampling::Bilinear, &dst).unwrap();
        let r = RasterReader::open(&dst).unwrap();
        assert!(is_on_grid(r.grid(), &grid));
        let b = r.read(grid.windows(64)[0]).unwrap();
        let t = crs::transform(&utm, &crs::resolve("EPSG:4326", None).unwrap()).unwrap();
        let (mut xs, mut ys, mut zs) = (vec![], vec![], vec![]);
        for row in 0..40 {
            for col in 0..40 {
                let (x, y) = grid.cell_centre(row, col);
                xs.push(x);
                ys.push(y);
                zs.push(0.0);
            }
        }
        t.transform_coords(&mut xs, &mut ys, &mut zs).unwrap();
        for (i, lon) in xs.iter().enumerate() {
            assert!(b.valid[i]);
            assert!(
                (b.values[i] - lon).abs() < 0.002,
                "cell {i}: {} vs lon {lon}",
                b.values[i]
            );
        }
    }

    #[test]
    fn a_raster_that_misses_the_grid_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let utm = crs::resolve("EPSG:32635", None).unwrap();
        let far = Grid::new(utm.clone(), [0.0, 100.0, 0.0, 100.0, 0.0, -100.0], 10, 1).unwrap();
        let src = dir.path().join("far.tif");
        let mut w = RasterWriter::create(&src, &far, DataType::Byte).unwrap();
        w.write(&Block::empty(far.windows(16)[0])).unwrap();
        w.finish().unwrap();
        let grid = Grid::new(
            utm,
            [480_000.0, 1000.0, 0.0, 5_950_000.0, 0.0, -1000.0],
            4,
            4,
        )
        .unwrap();
        let e = warp_to_grid(
            &src,
            None,
            &grid,
            Resampling::Nearest,
            &dir.path().join("o.tif"),
        )
        .unwrap_err();
        assert!(matches!(e, Error::NoOverlap { .. }), "{e}");
        assert!(!dir.path().join("o.tif").exists());
    }
}
