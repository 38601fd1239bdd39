//! `nedra interpolate`: a grid from point samples (CSV) by inverse-distance weighting or
//! ordinary kriging, on the grid of a template raster.
//!
//! Only the template's grid (CRS, transform, shape) is used, not its values or NoData. Samples
//! in a declared CRS (`--crs`, `crs` of the `[[evidence]]`) are reprojected onto the grid's;
//! a table without one is taken in the grid's CRS ([`crate::points`]). Estimates are made at
//! cell centres with planar distances in the grid's CRS units. Samples outside the grid still inform the cells near its
//! edge. The grid is computed window by window (512 × 512) in parallel, so memory is bounded
//! by the windows in flight, not by the grid. The science lives in
//! [`nedra_core::interpolate`]; this file reads the table, streams the blocks and reports
//! errors with file, line and column.
//!
//! Columns: the x coordinate is the first of `x`, `easting`, `east`, `lon`, `longitude` (and
//! y of `y`, `northing`, `north`, `lat`, `latitude`), ignoring case, unless named. An empty
//! value cell is a missing sample and is skipped (and counted); an empty coordinate, or a
//! cell that is not a finite number (censored values such as `<5` included: resolve them
//! with `nedra geochem` first), is an error.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use nedra_core::interpolate::{
    fit_best_variogram, fit_variogram, idw_window, kriging_window, ExperimentalVariogram,
    FittedVariogram, Idw, IdwParams, KrigingParams, LagBins, ModelKind, OrdinaryKriging,
    SampleIndex, VariogramModel,
};
use nedra_core::{stream_blocks, Block, Grid, Window, BLOCK_SIZE};
use nedra_io::columns::named_column;
use nedra_io::Axis;
use serde::Serialize;

/// Largest sample table accepted, in samples.
pub const MAX_SAMPLES: usize = 10_000_000;

/// Most samples entering the experimental variogram (its pair loop is O(n²)); larger tables
/// use every k-th sample, in table order, so the choice is deterministic.
pub const MAX_VARIOGRAM_SAMPLES: usize = 20_000;

/// How the variogram of ordinary kriging is obtained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VariogramSpec {
    /// Fitted to the experimental variogram of the samples: of one kind, or the best of the
    /// three by Cressie's criterion when `kind` is `None`; lag classes from
    /// [`LagBins::suggest`] when `bins` is `None`.
    Fit {
        /// The model kind, or `None` for the best fit.
        kind: Option<ModelKind>,
        /// The lag classes, or `None` for the default.
        bins: Option<LagBins>,
    },
    /// A model given by the user.
    Model(VariogramModel),
}

/// The interpolation method and its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Inverse-distance weighting (Shepard 1968).
    Idw(IdwParams),
    /// Ordinary kriging with a variogram and a moving neighbourhood.
    OrdinaryKriging {
        /// Where the variogram comes from.
        variogram: VariogramSpec,
        /// The neighbourhood.
        kriging: KrigingParams,
    },
}

/// One lag class of the experimental variogram, for the run record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LagSummary {
    /// Lower bound, CRS units.
    pub from: f64,
    /// Upper bound, CRS units.
    pub to: f64,
    /// Mean pair separation, CRS units.
    pub distance: f64,
    /// Semivariance (squared value units); `None` for an empty class.
    pub semivariance: Option<f64>,
    /// Number of pairs.
    pub pairs: u64,
}

/// The variogram used by kriging.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariogramSummary {
    /// `spherical`, `exponential` or `gaussian`.
    pub kind: String,
    /// Nugget, squared value units.
    pub nugget: f64,
    /// Partial sill, squared value units.
    pub partial_sill: f64,
    /// Practical range, CRS units.
    pub range: f64,
    /// Whether it was fitted (else given).
    pub fitted: bool,
    /// Cressie's weighted-least-squares criterion of the fit.
    pub criterion: Option<f64>,
    /// Samples that entered the experimental variogram.
    pub samples_used: Option<usize>,
    /// The experimental variogram the model was fitted to.
    pub lags: Vec<LagSummary>,
}

/// What `nedra interpolate` did: for the run record and the terminal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InterpolationSummary {
    /// The sample table.
    pub points_csv: PathBuf,
    /// The interpolated column.
    pub value_column: String,
    /// The x coordinate column.
    pub x_column: String,
    /// The y coordinate column.
    pub y_column: String,
    /// Samples used.
    pub samples: usize,
    /// Rows skipped because the value cell was empty.
    pub skipped_empty_values: usize,
    /// The samples' CRS: the one declared (and whether they were reprojected onto the grid),
    /// or the note that a CSV without a declared CRS was taken in the grid's.
    pub samples_crs: String,
    /// Samples lying outside the grid (still used).
    pub samples_outside_grid: usize,
    /// The template raster.
    pub like: PathBuf,
    /// The grid, described.
    pub grid: String,
    /// The method and its parameters, as text.
    pub method: String,
    /// The variogram (kriging only).
    pub variogram: Option<VariogramSummary>,
    /// Cells of the grid.
    pub cells: u64,
    /// Cells with an estimate.
    pub cells_estimated: u64,
    /// Cells left NoData (too few samples within reach, or a singular kriging system).
    pub cells_empty: u64,
    /// Of the empty cells, those whose kriging system was singular.
    pub cells_singular: u64,
    /// Smallest estimate.
    pub estimate_min: Option<f64>,
    /// Largest estimate.
    pub estimate_max: Option<f64>,
    /// The estimate raster.
    pub out: PathBuf,
    /// The kriging-variance raster, when written.
    pub variance_out: Option<PathBuf>,
}

/// Samples read from a table.
#[derive(Debug, Clone, PartialEq)]
struct Samples {
    locations: Vec<[f64; 2]>,
    values: Vec<f64>,
    x_column: String,
    y_column: String,
    skipped_empty_values: usize,
}

/// The coordinate column: the one named, or the first of the usual names present.
fn coordinate_column(
    path: &Path,
    columns: &[&str],
    named: Option<&str>,
    axis: Axis,
) -> Result<usize> {
    nedra_io::coordinate_column(columns, named, axis).ok_or_else(|| {
        let name = axis.name();
        match named {
            Some(n) => anyhow!(
                "{}: no {name} coordinate column {n:?}; the columns are: {}",
                path.display(),
                columns.join(", ")
            ),
            None => anyhow!(
                "{}: no {name} coordinate column (looked for {}); name it with --{name}-column. The columns are: {}",
                path.display(),
                axis.usual_names().join(", "),
                columns.join(", ")
            ),
        }
    })
}

/// Reads `(x, y, value)` samples from a CSV table.
fn read_samples(
    path: &Path,
    value_column: &str,
    x_column: Option<&str>,
    y_column: Option<&str>,
) -> Result<Samples> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("reading {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("reading the header of {}", path.display()))?
        .clone();
    let columns: Vec<&str> = headers.iter().collect();
    let xi = coordinate_column(path, &columns, x_column, Axis::X)?;
    let yi = coordinate_column(path, &columns, y_column, Axis::Y)?;
    let vi = named_column(&columns, value_column).ok_or_else(|| {
        anyhow!(
            "{}: no value column {value_column:?}; the columns are: {}",
            path.display(),
            columns.join(", ")
        )
    })?;
    let names = [&headers[xi], &headers[yi], &headers[vi]].map(str::to_string);
    let mut out = Samples {
        locations: Vec::new(),
        values: Vec::new(),
        x_column: names[0].clone(),
        y_column: names[1].clone(),
        skipped_empty_values: 0,
    };
    for record in reader.records() {
        let record = record.with_context(|| format!("reading {}", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: usize| record.get(i).unwrap_or("");
        if cell(vi).is_empty() {
            out.skipped_empty_values += 1;
            continue;
        }
        let mut parsed = [0.0; 3];
        for (k, i) in [xi, yi, vi].into_iter().enumerate() {
            let text = cell(i);
            parsed[k] = match text.parse::<f64>() {
                Ok(v) if v.is_finite() => v,
                _ if text.is_empty() => bail!(
                    "{}, line {line}, column {:?}: the coordinate is empty",
                    path.display(),
                    names[k]
                ),
                _ => bail!(
                    "{}, line {line}, column {:?}: {text:?} is not a finite number{}",
                    path.display(),
                    names[k],
                    if k == 2 && text.starts_with(['<', '>']) {
                        " (a censored value: resolve it with `nedra geochem` first)"
                    } else {
                        ""
                    }
                ),
            };
        }
        out.locations.push([parsed[0], parsed[1]]);
        out.values.push(parsed[2]);
        if out.values.len() > MAX_SAMPLES {
            bail!(
                "{}: more than {MAX_SAMPLES} samples; thin the table first",
                path.display()
            );
        }
    }
    if out.values.len() < 2 {
        bail!(
            "{}: {} sample(s) with a value in column {:?}; at least 2 are needed",
            path.display(),
            out.values.len(),
            names[2]
        );
    }
    Ok(out)
}

/// The variogram for kriging: given, or fitted to the samples.
fn variogram(samples: &Samples, spec: VariogramSpec) -> Result<(VariogramModel, VariogramSummary)> {
    let summary =
        |model: &VariogramModel, fit: Option<(&FittedVariogram, usize)>, lags| VariogramSummary {
            kind: model.kind.name().to_string(),
            nugget: model.nugget,
            partial_sill: model.partial_sill,
            range: model.range,
            fitted: fit.is_some(),
            criterion: fit.map(|f| f.0.criterion),
            samples_used: fit.map(|f| f.1),
            lags,
        };
    match spec {
        VariogramSpec::Model(model) => {
            model.check().context("checking the variogram model")?;
            Ok((model, summary(&model, None, Vec::new())))
        }
        VariogramSpec::Fit { kind, bins } => {
            let stride = samples.values.len().div_ceil(MAX_VARIOGRAM_SAMPLES).max(1);
            let locations: Vec<[f64; 2]> =
                samples.locations.iter().step_by(stride).copied().collect();
            let values: Vec<f64> = samples.values.iter().step_by(stride).copied().collect();
            let bins = match bins {
                Some(b) => b,
                None => LagBins::suggest(&locations).ok_or_else(|| {
                    anyhow!("all samples share one location: no variogram can be computed")
                })?,
            };
            let experimental = ExperimentalVariogram::compute(&locations, &values, bins)
                .context("computing the experimental variogram")?;
            let fitted = match kind {
                Some(k) => fit_variogram(&experimental, k),
                None => fit_best_variogram(&experimental),
            }
            .with_context(|| {
                format!(
                    "fitting a variogram (lag width {}, maximum lag {})",
                    bins.lag_width, bins.max_lag
                )
            })?;
            let lags = experimental
                .lags
                .iter()
                .map(|l| LagSummary {
                    from: l.from,
                    to: l.to,
                    distance: l.distance,
                    semivariance: (l.pairs > 0).then_some(l.semivariance),
                    pairs: l.pairs,
                })
                .collect();
            Ok((
                fitted.model,
                summary(&fitted.model, Some((&fitted, values.len())), lags),
            ))
        }
    }
}

/// What the compute step hands to the writer for one window.
struct Computed {
    estimate: Block,
    variance: Option<Block>,
    singular: usize,
}

/// The prepared estimator.
enum Estimator {
    Idw(Idw),
    Kriging(OrdinaryKriging),
}

impl Estimator {
    fn window(&self, grid: &Grid, window: Window, index: &SampleIndex, variance: bool) -> Computed {
        match self {
            Estimator::Idw(idw) => Computed {
                estimate: Block::from_raw(window, idw_window(grid, window, index, idw), None),
                variance: None,
                singular: 0,
            },
            Estimator::Kriging(ok) => {
                let k = kriging_window(grid, window, index, ok);
                Computed {
                    estimate: Block::from_raw(window, k.estimate, None),
                    variance: variance.then(|| Block::from_raw(window, k.variance, None)),
                    singular: k.singular,
                }
            }
        }
    }
}

/// Interpolates the samples of `value_column` in `points_csv` onto the grid of `like` and
/// writes the estimate to `out` (Float32 cloud-optimised GeoTIFF, NoData where no estimate),
/// and the kriging variance to `variance_out` when given (kriging only).
///
/// # Errors
/// A missing column, an empty coordinate or a non-numeric cell (with file, line and column),
/// fewer than 2 samples, invalid parameters, a variogram that cannot be fitted, the variance
/// asked of IDW, and any failure reading the template or writing the rasters.
#[allow(clippy::too_many_arguments)]
pub fn interpolate(
    points_csv: &Path,
    value_column: &str,
    x_column: Option<&str>,
    y_column: Option<&str>,
    samples_crs: Option<&str>,
    like: &Path,
    method: Method,
    out: &Path,
    variance_out: Option<&Path>,
) -> Result<InterpolationSummary> {
    if variance_out.is_some() && matches!(method, Method::Idw(_)) {
        bail!("a variance raster is only written by kriging; drop it or choose kriging");
    }
    if variance_out == Some(out) {
        bail!(
            "the estimate and the variance cannot both be written to {}",
            out.display()
        );
    }
    let mut samples = read_samples(points_csv, value_column, x_column, y_column)?;
    let grid = nedra_io::RasterReader::open(like)
        .with_context(|| format!("reading the template grid of {}", like.display()))?
        .grid()
        .clone();
    // The samples' CRS by the one rule for point tables; samples in another CRS are
    // reprojected onto the grid's before any distance is measured.
    let crs = crate::points::points_crs(points_csv, samples_crs, &grid.crs_wkt, "--crs");
    let samples_crs_text = match (&crs.crs, samples_crs) {
        (Some(def), Some(_)) => {
            let wkt = nedra_io::crs::resolve(def, None)
                .with_context(|| format!("the CRS of the samples of {}", points_csv.display()))?;
            let (mut xs, mut ys): (Vec<f64>, Vec<f64>) =
                samples.locations.iter().map(|p| (p[0], p[1])).unzip();
            nedra_io::crs::transform_points_of(&wkt, &grid.crs_wkt, &mut xs, &mut ys, points_csv)?;
            for (p, (x, y)) in samples.locations.iter_mut().zip(xs.into_iter().zip(ys)) {
                *p = [x, y];
            }
            if nedra_io::crs::same(&wkt, &grid.crs_wkt) {
                format!("{} (the grid's)", nedra_io::crs::short(&wkt))
            } else {
                format!(
                    "{}, reprojected onto the grid's {}",
                    nedra_io::crs::short(&wkt),
                    nedra_io::crs::short(&grid.crs_wkt)
                )
            }
        }
        _ => crs.note.clone().unwrap_or_default(),
    };
    let min_points = match &method {
        Method::Idw(p) => p.min_points,
        Method::OrdinaryKriging { kriging, .. } => kriging.min_points,
    };
    if min_points > samples.values.len() {
        bail!(
            "at least {min_points} samples are asked for each estimate (--min-points / min_points), but {} has only {} samples: every cell would be NoData. Lower the minimum or add samples",
            points_csv.display(),
            samples.values.len()
        );
    }
    let inside = samples
        .locations
        .iter()
        .filter(|p| grid.cell_of(p[0], p[1]).is_some())
        .count();
    if inside == 0 {
        bail!(
            "{}: all {} samples lie outside the grid of {} (its extent is {:?} in its CRS). Check the x/y columns and that the samples are in the template's CRS",
            points_csv.display(),
            samples.values.len(),
            like.display(),
            grid.extent()
        );
    }
    let index = SampleIndex::new(&samples.locations, &samples.values)
        .with_context(|| format!("indexing the samples of {}", points_csv.display()))?;
    let (estimator, method_text, variogram_summary) = match method {
        Method::Idw(params) => {
            let idw = Idw::new(params).context("checking the IDW parameters")?;
            let text = format!(
                "IDW: power {}, neighbours {}, search radius {}, at least {} sample(s)",
                params.power,
                params.neighbours.map_or("all".into(), |k| k.to_string()),
                params
                    .search_radius
                    .map_or("none".into(), |r| format!("{r} CRS units")),
                params.min_points
            );
            (Estimator::Idw(idw), text, None)
        }
        Method::OrdinaryKriging {
            variogram: spec,
            kriging,
        } => {
            let (model, summary) = variogram(&samples, spec)?;
            let ok =
                OrdinaryKriging::new(model, kriging).context("checking the kriging parameters")?;
            let text = format!(
                "ordinary kriging: {} variogram (nugget {}, partial sill {}, range {} CRS units), {} nearest sample(s), search radius {}, at least {}",
                model.kind.name(),
                model.nugget,
                model.partial_sill,
                model.range,
                kriging.neighbours,
                kriging
                    .search_radius
                    .map_or("none".into(), |r| format!("{r} CRS units")),
                kriging.min_points
            );
            (Estimator::Kriging(ok), text, Some(summary))
        }
    };

    let create = |path: &Path| {
        nedra_io::RasterWriter::create(path, &grid, nedra_io::DataType::Float32)
            .with_context(|| format!("creating {}", path.display()))
    };
    let mut writer = create(out)?;
    let mut variance_writer = variance_out.map(create).transpose()?;
    let windows = grid.windows(BLOCK_SIZE);
    let in_flight = 2 * rayon::current_num_threads().max(1);
    let (mut estimated, mut singular) = (0u64, 0u64);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let want_variance = variance_writer.is_some();
    stream_blocks(
        &windows,
        in_flight,
        |_| Ok::<(), anyhow::Error>(()),
        |w, ()| estimator.window(&grid, w, &index, want_variance),
        |_, c| {
            for v in c.estimate.values.iter().filter(|v| !v.is_nan()) {
                estimated += 1;
                lo = lo.min(*v);
                hi = hi.max(*v);
            }
            singular += c.singular as u64;
            writer
                .write(&c.estimate)
                .with_context(|| format!("writing {}", out.display()))?;
            if let (Some(vw), Some(vb)) = (variance_writer.as_mut(), c.variance.as_ref()) {
                vw.write(vb).context("writing the kriging variance")?;
            }
            Ok(())
        },
    )?;
    writer
        .finish()
        .with_context(|| format!("finishing {}", out.display()))?;
    if let Some(vw) = variance_writer {
        vw.finish().context("finishing the kriging variance")?;
    }
    let samples_outside_grid = samples.values.len() - inside;
    Ok(InterpolationSummary {
        points_csv: points_csv.to_path_buf(),
        value_column: value_column.to_string(),
        x_column: samples.x_column,
        y_column: samples.y_column,
        samples: samples.values.len(),
        skipped_empty_values: samples.skipped_empty_values,
        samples_crs: samples_crs_text,
        samples_outside_grid,
        like: like.to_path_buf(),
        grid: grid.describe(),
        method: method_text,
        variogram: variogram_summary,
        cells: grid.cell_count(),
        cells_estimated: estimated,
        cells_empty: grid.cell_count() - estimated,
        cells_singular: singular,
        estimate_min: (estimated > 0).then_some(lo),
        estimate_max: (estimated > 0).then_some(hi),
        out: out.to_path_buf(),
        variance_out: variance_out.map(Path::to_path_buf),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// A template raster: `n × n` cells of 10 units from (0, 10·n).
    fn template(dir: &Path, n: usize) -> PathBuf {
        let grid = Grid::new("", [0.0, 10.0, 0.0, 10.0 * n as f64, 0.0, -10.0], n, n).unwrap();
        let path = dir.join("like.tif");
        let mut w =
            nedra_io::RasterWriter::create(&path, &grid, nedra_io::DataType::Float32).unwrap();
        for win in grid.windows(BLOCK_SIZE) {
            w.write(&Block::from_raw(win, vec![0.0; win.len()], None))
                .unwrap();
        }
        w.finish().unwrap();
        path
    }

    #[test]
    fn table_errors_name_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let bad = write(d, "bad.csv", "X,Y,La\n1,2,3\n4,5,<5\n");
        let e = read_samples(&bad, "La", None, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 3") && e.contains("\"La\"") && e.contains("<5"),
            "{e}"
        );
        assert!(e.contains("bad.csv") && e.contains("nedra geochem"), "{e}");
        let e = read_samples(&bad, "Ce", None, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no value column \"Ce\"") && e.contains("X, Y, La"),
            "{e}"
        );
        let nocoord = write(d, "nocoord.csv", "a,b,La\n1,2,3\n");
        let e = read_samples(&nocoord, "La", None, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no x coordinate column"), "{e}");
        let e = read_samples(&nocoord, "La", Some("a"), Some("q"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no y coordinate column \"q\""), "{e}");
        let one = write(d, "one.csv", "easting,northing,La\n1,2,3\n4,5,\n");
        let e = read_samples(&one, "la", None, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("1 sample(s)") && e.contains("at least 2"), "{e}");
        let empty_x = write(d, "emptyx.csv", "x,y,v\n,2,3\n");
        let e = read_samples(&empty_x, "v", None, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("empty"), "{e}");
        let ok = write(d, "ok.csv", "Lon,Lat,v\n1,2,3\n4,5,\n6,7,8\n");
        let s = read_samples(&ok, "v", None, None).unwrap();
        assert_eq!(s.locations, [[1.0, 2.0], [6.0, 7.0]]);
        assert_eq!(s.values, [3.0, 8.0]);
        assert_eq!(s.skipped_empty_values, 1);
        assert_eq!((s.x_column.as_str(), s.y_column.as_str()), ("Lon", "Lat"));
    }

    #[test]
    fn kriging_end_to_end_writes_estimate_and_variance() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let like = template(d, 40);
        // A smooth field sampled on an irregular lattice.
        let mut csv = String::from("x,y,cu_ppm\n");
        for i in 0..15 {
            for j in 0..15 {
                let x = 5.0 + i as f64 * 27.0 + (j % 3) as f64 * 4.0;
                let y = 5.0 + j as f64 * 26.0 + (i % 4) as f64 * 3.0;
                let v = 50.0 + 20.0 * (x / 90.0).sin() + 15.0 * (y / 70.0).cos();
                csv.push_str(&format!("{x},{y},{v}\n"));
            }
        }
        let points = write(d, "pts.csv", &csv);
        let out = d.join("cu.tif");
        let var = d.join("cu_var.tif");
        let method = Method::OrdinaryKriging {
            variogram: VariogramSpec::Fit {
                kind: None,
                bins: None,
            },
            kriging: KrigingParams::default(),
        };
        let s = interpolate(
            &points,
            "cu_ppm",
            None,
            None,
            None,
            &like,
            method,
            &out,
            Some(&var),
        )
        .unwrap();
        assert_eq!(s.samples, 225);
        assert_eq!(s.cells_estimated, 1600);
        assert_eq!(s.cells_singular, 0);
        let v = s.variogram.as_ref().unwrap();
        assert!(v.fitted && v.range > 0.0, "{v:?}");
        let est = nedra_io::RasterReader::open(&out).unwrap();
        let b = est.read(est.grid().windows(64)[0]).unwrap();
        assert_eq!(b.valid_count(), 1600);
        // A smooth field is reproduced closely between samples.
        for row in 0..40 {
            for col in 0..40 {
                let (x, y) = est.grid().cell_centre(row, col);
                let truth = 50.0 + 20.0 * (x / 90.0).sin() + 15.0 * (y / 70.0).cos();
                let got = b.values[row * 40 + col];
                assert!((got - truth).abs() < 2.0, "({x}, {y}): {got} vs {truth}");
            }
        }
        let vr = nedra_io::RasterReader::open(&var).unwrap();
        let vb = vr.read(vr.grid().windows(64)[0]).unwrap();
        assert!(vb.values.iter().all(|v| *v >= 0.0 && v.is_finite()));

        let e = interpolate(
            &points,
            "cu_ppm",
            None,
            None,
            None,
            &like,
            Method::Idw(IdwParams::default()),
            &out,
            Some(&var),
        )
        .unwrap_err();
        assert!(e.to_string().contains("only written by kriging"), "{e}");
    }

    #[test]
    fn an_unfittable_variogram_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let like = template(d, 4);
        let points = write(
            d,
            "flat.csv",
            "x,y,v\n1,1,5\n20,3,5\n7,30,5\n33,35,5\n12,18,5\n",
        );
        let method = Method::OrdinaryKriging {
            variogram: VariogramSpec::Fit {
                kind: Some(ModelKind::Spherical),
                bins: None,
            },
            kriging: KrigingParams::default(),
        };
        let e = interpolate(
            &points,
            "v",
            None,
            None,
            None,
            &like,
            method,
            &d.join("o.tif"),
            None,
        )
        .unwrap_err();
        let chain = format!("{e:#}");
        assert!(
            chain.contains("cannot be fitted") && chain.contains("all sample values are equal"),
            "{chain}"
        );
        assert!(!d.join("o.tif").exists());
    }
}
