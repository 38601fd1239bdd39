//! `nedra classify` and `nedra fuzzify`: classes and fuzzy memberships of a continuous raster.
//!
//! `classify` streams the raster twice in 512 × 512 blocks: the first pass merges one
//! [`ValueHistogram`] per block, the breaks are computed from the histogram alone (manual,
//! quantiles, natural breaks or the concentration–area fractal method), and the second pass
//! writes the classes (Int32, 1 … k, NoData where the input is NoData or not finite) and a JSON
//! report of the breaks, the cells per class and, for natural breaks and C-A, the fit. Peak
//! memory is bounded by the blocks in flight and the histogram's bin cap, not by the grid.
//!
//! `fuzzify` maps every cell through a membership function in one streaming pass (Float32,
//! NoData where the input is NoData or a category has no membership).
//!
//! The science lives in [`nedra_core::classes`] and [`nedra_core::fuzzy`]; this file reads,
//! writes and reports errors with the file they concern.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use nedra_core::classes::{
    self, CaOptions, ClassBreaks, ConcentrationArea, JenksOptions, NaturalBreaks, ValueHistogram,
    DEFAULT_MAX_BINS,
};
use nedra_core::fuzzy::{CategoryTable, Membership};
use nedra_core::{stream_blocks, Block, Window, BLOCK_SIZE};
use nedra_io::{DataType, RasterReader, RasterWriter};
use serde::Serialize;

/// How a continuous raster becomes classes.
#[derive(Debug, Clone, PartialEq)]
pub enum ClassMethod {
    /// Explicit inclusive upper edges, strictly increasing.
    Manual(Vec<f64>),
    /// Equal-count classes.
    Quantiles {
        /// Classes asked for (ties may give fewer).
        classes: usize,
    },
    /// Natural breaks (Jenks), exact by Fisher's dynamic programme.
    NaturalBreaks {
        /// Classes asked for.
        classes: usize,
        /// Limit on distinct values and the grouped fallback.
        options: JenksOptions,
    },
    /// Concentration–area fractal thresholds; the cell area is taken from the raster's grid
    /// (whatever `cell_area_km2` says), assuming CRS units of metres.
    ConcentrationArea(CaOptions),
}

impl ClassMethod {
    fn name(&self) -> &'static str {
        match self {
            ClassMethod::Manual(_) => "manual",
            ClassMethod::Quantiles { .. } => "quantiles",
            ClassMethod::NaturalBreaks { .. } => "natural_breaks",
            ClassMethod::ConcentrationArea(_) => "concentration_area",
        }
    }
}

/// One class of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassRow {
    /// Class number written to the raster (from 1).
    pub class: u32,
    /// Lower bound (exclusive, except the first class whose bound is the minimum).
    pub from: f64,
    /// Upper bound (inclusive).
    pub to: f64,
    /// Valid cells in the class.
    pub cells: u64,
}

/// The natural-breaks fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NaturalBreaksReport {
    /// Goodness of variance fit, 1 − SDCM/SDAM.
    pub goodness_of_variance_fit: f64,
    /// Within-class sum of squared deviations (SDCM).
    pub within_class_ssd: f64,
    /// Total sum of squared deviations (SDAM).
    pub total_ssd: f64,
    /// Whether breaks could fall between any two distinct values.
    pub exact: bool,
    /// Units the dynamic programme ran on (distinct values or runs of values).
    pub units: usize,
}

/// One straight segment of the C-A fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaSegmentReport {
    /// Smallest threshold of the segment's points.
    pub from_threshold: f64,
    /// Largest threshold of the segment's points.
    pub to_threshold: f64,
    /// Points in the segment.
    pub points: usize,
    /// Slope of log10(area km²) against log10(threshold).
    pub slope: f64,
    /// The power-law exponent, −slope.
    pub exponent: f64,
    /// log10 of the area in km² at threshold 1.
    pub intercept: f64,
    /// R² of the segment's own fit.
    pub r_squared: f64,
}

/// One point of the C-A curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaPointReport {
    /// Threshold (value units).
    pub threshold: f64,
    /// Cells with value ≥ threshold.
    pub cells: u64,
    /// Their area, km².
    pub area_km2: f64,
}

/// The C-A fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaReport {
    /// Area of one cell, km² (CRS units taken as metres).
    pub cell_area_km2: f64,
    /// Anomaly thresholds, one between each pair of segments.
    pub thresholds: Vec<f64>,
    /// The segments, by increasing threshold.
    pub segments: Vec<CaSegmentReport>,
    /// Overall R² of log10 area.
    pub r_squared: f64,
    /// Residual sum of squares of log10 area.
    pub residual_ss: f64,
    /// Valid cells with a value ≤ 0 (no logarithm), left out of the curve.
    pub excluded_cells: u64,
    /// The sampled curve.
    pub points: Vec<CaPointReport>,
}

/// What `nedra classify` did; also written as the JSON report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassifySummary {
    /// The input raster.
    pub raster: PathBuf,
    /// The class raster written.
    pub out_raster: PathBuf,
    /// The method (`manual`, `quantiles`, `natural_breaks`, `concentration_area`).
    pub method: String,
    /// Classes asked for (segments for C-A, breaks + 1 for manual).
    pub requested_classes: usize,
    /// Classes produced (ties or few distinct values may give fewer).
    pub classes_produced: usize,
    /// Valid, finite cells classified.
    pub valid_cells: u64,
    /// NoData cells (including NaN and infinite values), written as NoData.
    pub nodata_cells: u64,
    /// Bins of the value histogram (distinct values unless coarsened).
    pub distinct_values: usize,
    /// Relative width of a histogram bin (0: breaks computed on exact values).
    pub histogram_relative_resolution: f64,
    /// Smallest valid value.
    pub min: f64,
    /// Largest valid value.
    pub max: f64,
    /// Inclusive upper edges between classes.
    pub breaks: Vec<f64>,
    /// The classes.
    pub classes: Vec<ClassRow>,
    /// The natural-breaks fit, for that method.
    pub natural_breaks: Option<NaturalBreaksReport>,
    /// The C-A fit, for that method.
    pub concentration_area: Option<CaReport>,
}

/// Blocks read ahead of the computation.
fn in_flight() -> usize {
    rayon::current_num_threads().max(1) * 2
}

/// The raster's value histogram and its NoData count, in one streaming pass.
fn histogram(reader: &RasterReader, windows: &[Window]) -> Result<(ValueHistogram, u64)> {
    let mut total = ValueHistogram::with_max_bins(DEFAULT_MAX_BINS);
    let mut nodata = 0u64;
    stream_blocks(
        windows,
        in_flight(),
        |w| read(reader, w),
        |_, block: Block| {
            let h = ValueHistogram::from_block(&block, DEFAULT_MAX_BINS);
            (h, (block.values.len() - block.valid_count()) as u64)
        },
        |_, (h, missing): (ValueHistogram, u64)| {
            total.merge(&h);
            nodata += missing;
            Ok(())
        },
    )?;
    let non_finite = total.non_finite();
    Ok((total, nodata + non_finite))
}

fn read(reader: &RasterReader, w: Window) -> Result<Block> {
    reader
        .read(w)
        .with_context(|| format!("reading {}", reader.path().display()))
}

/// Class breaks of a histogram by a method, with the fit reports of Jenks and C-A:
/// `(classes requested, breaks, natural-breaks report, C-A report)`.
///
/// # Errors
/// When the method cannot produce classes from these values.
pub fn breaks_for(
    hist: &ValueHistogram,
    method: &ClassMethod,
    cell_area_km2: f64,
) -> Result<(
    usize,
    ClassBreaks,
    Option<NaturalBreaksReport>,
    Option<CaReport>,
)> {
    Ok(match method {
        ClassMethod::Manual(edges) => (
            edges.len() + 1,
            classes::manual_breaks(hist, edges)?,
            None,
            None,
        ),
        ClassMethod::Quantiles { classes } => (
            *classes,
            classes::quantile_breaks(hist, *classes)?,
            None,
            None,
        ),
        ClassMethod::NaturalBreaks { classes, options } => {
            let nb = classes::natural_breaks(hist, *classes, options).map_err(|e| match e {
                classes::Error::TooManyDistinctValues { distinct, limit } => anyhow!(
                    "natural breaks: {distinct} distinct values exceed the limit of {limit} solved exactly (time grows with their square). Write the method as jenks:{classes}:group to gather the values into {limit} runs, raise the limit (nedra classify --jenks-limit N, at most 65536), or use quantiles:{classes}"
                ),
                other => other.into(),
            })?;
            (*classes, nb.breaks.clone(), Some(natural_report(&nb)), None)
        }
        ClassMethod::ConcentrationArea(options) => {
            let options = CaOptions {
                cell_area_km2,
                ..*options
            };
            let fit = classes::concentration_area(hist, &options)?;
            let breaks = fit.class_breaks(hist)?;
            (
                options.segments,
                breaks,
                None,
                Some(ca_report(&fit, options.cell_area_km2)),
            )
        }
    })
}

/// Classifies `raster` by `method`, writing the classes to `out_raster` (Int32 cloud-optimised
/// GeoTIFF, classes from 1) and the report to `out_json`.
///
/// # Errors
/// Unreadable input, an unusable method (bad breaks, class counts, too many distinct values
/// for exact natural breaks, a C-A curve too short), a raster without valid values, or a
/// failure to write either output.
pub fn classify(
    raster: &Path,
    method: ClassMethod,
    out_raster: &Path,
    out_json: &Path,
) -> Result<ClassifySummary> {
    if out_raster == out_json {
        bail!(
            "the class raster and the JSON report would both be written to {}",
            out_raster.display()
        );
    }
    let reader = RasterReader::open(raster)?;
    let grid = reader.grid().clone();
    let windows = grid.windows(BLOCK_SIZE);
    let (hist, nodata_cells) = histogram(&reader, &windows)?;
    if hist.is_empty() {
        bail!(
            "{} holds no valid value to classify: check its NoData value",
            raster.display()
        );
    }
    if hist.distinct_values() == 1 && !matches!(method, ClassMethod::Manual(_)) {
        bail!(
            "{}: every valid cell holds the same value {}: there is nothing to class by {}. Check the raster (a constant layer carries no information)",
            raster.display(),
            hist.range().map_or(f64::NAN, |r| r.0),
            method.name()
        );
    }
    let (requested, breaks, natural, ca) = breaks_for(&hist, &method, grid.cell_area_km2())
        .with_context(|| format!("classifying {} by {}", raster.display(), method.name()))?;
    write_classes(&reader, &windows, &breaks, out_raster)?;
    let summary = ClassifySummary {
        raster: raster.to_path_buf(),
        out_raster: out_raster.to_path_buf(),
        method: method.name().to_string(),
        requested_classes: requested,
        classes_produced: breaks.class_count(),
        valid_cells: hist.total_cells(),
        nodata_cells,
        distinct_values: hist.distinct_values(),
        histogram_relative_resolution: hist.relative_resolution(),
        min: breaks.min,
        max: breaks.max,
        breaks: breaks.edges.clone(),
        classes: (1..=breaks.class_count() as u32)
            .map(|class| {
                let (from, to) = breaks.class_range(class);
                ClassRow {
                    class,
                    from,
                    to,
                    cells: breaks.cells[class as usize - 1],
                }
            })
            .collect(),
        natural_breaks: natural,
        concentration_area: ca,
    };
    let json = serde_json::to_vec_pretty(&summary)?;
    nedra_io::files::write_atomic(out_json, &json)
        .with_context(|| format!("writing {}", out_json.display()))?;
    Ok(summary)
}

fn natural_report(nb: &NaturalBreaks) -> NaturalBreaksReport {
    NaturalBreaksReport {
        goodness_of_variance_fit: nb.goodness_of_variance_fit,
        within_class_ssd: nb.within_class_ssd,
        total_ssd: nb.total_ssd,
        exact: nb.exact,
        units: nb.units,
    }
}

fn ca_report(fit: &ConcentrationArea, cell_area_km2: f64) -> CaReport {
    CaReport {
        cell_area_km2,
        thresholds: fit.thresholds.clone(),
        segments: fit
            .segments
            .iter()
            .map(|s| CaSegmentReport {
                from_threshold: fit.points[s.first_point].threshold,
                to_threshold: fit.points[s.last_point].threshold,
                points: s.last_point + 1 - s.first_point,
                slope: s.slope,
                exponent: s.exponent(),
                intercept: s.intercept,
                r_squared: s.r_squared,
            })
            .collect(),
        r_squared: fit.r_squared,
        residual_ss: fit.residual_ss,
        excluded_cells: fit.excluded_cells,
        points: fit
            .points
            .iter()
            .map(|p| CaPointReport {
                threshold: p.threshold,
                cells: p.cells,
                area_km2: p.area_km2,
            })
            .collect(),
    }
}

/// Second pass: the class of every valid, finite cell.
fn write_classes(
    reader: &RasterReader,
    windows: &[Window],
    breaks: &ClassBreaks,
    out: &Path,
) -> Result<()> {
    let mut writer = RasterWriter::create(out, reader.grid(), DataType::Int32)?;
    stream_blocks(
        windows,
        in_flight(),
        |w| read(reader, w),
        |_, mut block: Block| {
            for (v, ok) in block.values.iter_mut().zip(block.valid.iter_mut()) {
                if *ok && v.is_finite() {
                    *v = f64::from(breaks.class_of(*v));
                } else {
                    *ok = false;
                }
            }
            block
        },
        |_, block: Block| {
            writer
                .write(&block)
                .with_context(|| format!("writing {}", out.display()))
        },
    )?;
    writer.finish()?;
    Ok(())
}

/// Maps every cell of `raster` through `membership`, writing memberships in [0, 1] to `out`
/// (Float32 cloud-optimised GeoTIFF, NoData where the input is NoData or has no membership).
///
/// # Errors
/// Invalid membership parameters, unreadable input or a failure to write the output.
pub fn fuzzify(raster: &Path, membership: Membership, out: &Path) -> Result<()> {
    membership
        .validate()
        .with_context(|| format!("fuzzifying {}", raster.display()))?;
    let reader = RasterReader::open(raster)?;
    let windows = reader.grid().windows(BLOCK_SIZE);
    let mut writer = RasterWriter::create(out, reader.grid(), DataType::Float32)?;
    stream_blocks(
        &windows,
        in_flight(),
        |w| read(&reader, w),
        |_, block: Block| membership.apply(&block),
        |_, block| {
            let block = block.with_context(|| format!("fuzzifying {}", raster.display()))?;
            writer
                .write(&block)
                .with_context(|| format!("writing {}", out.display()))
        },
    )?;
    writer.finish()?;
    Ok(())
}

fn numbers(list: &str, what: &str) -> Result<Vec<f64>> {
    list.split(',')
        .map(|s| {
            let s = s.trim();
            s.parse::<f64>()
                .map_err(|_| anyhow!("{what}: {s:?} is not a number"))
        })
        .collect()
}

fn count(text: &str, what: &str) -> Result<usize> {
    text.trim()
        .parse::<usize>()
        .map_err(|_| anyhow!("{what}: {text:?} is not a whole number"))
}

/// Parses a classification method for the command line:
/// `manual:B1,B2,…` (inclusive upper edges), `quantiles:K`, `jenks:K` (or `natural:K`; add
/// `:group` to allow the grouped fallback above 4096 distinct values), `ca[:SEGMENTS[:THRESHOLDS]]`
/// (default 2 segments, 100 thresholds).
///
/// # Errors
/// An unknown method or malformed numbers, with the expected form.
pub fn parse_method(text: &str) -> Result<ClassMethod> {
    let (name, rest) = text.split_once(':').unwrap_or((text, ""));
    let forms =
        "expected manual:B1,B2,…, quantiles:K, jenks:K[:group] or ca[:SEGMENTS[:THRESHOLDS]]";
    match name.trim().to_ascii_lowercase().as_str() {
        "manual" | "breaks" => Ok(ClassMethod::Manual(numbers(rest, "manual breaks")?)),
        "quantiles" | "quantile" => Ok(ClassMethod::Quantiles {
            classes: count(rest, "quantile classes")?,
        }),
        "jenks" | "natural" | "natural_breaks" => {
            let (k, flag) = rest.split_once(':').unwrap_or((rest, ""));
            let group_excess = match flag.trim() {
                "" => false,
                "group" => true,
                other => bail!("natural breaks: unknown flag {other:?}, expected \"group\""),
            };
            Ok(ClassMethod::NaturalBreaks {
                classes: count(k, "natural-breaks classes")?,
                options: JenksOptions {
                    group_excess,
                    ..JenksOptions::default()
                },
            })
        }
        "ca" | "c-a" | "concentration_area" => {
            let mut options = CaOptions::default();
            let mut parts = rest.split(':').filter(|s| !s.trim().is_empty());
            if let Some(s) = parts.next() {
                options.segments = count(s, "C-A segments")?;
            }
            if let Some(t) = parts.next() {
                options.thresholds = count(t, "C-A thresholds")?;
            }
            if parts.next().is_some() {
                bail!("C-A: too many fields in {text:?}; {forms}");
            }
            Ok(ClassMethod::ConcentrationArea(options))
        }
        _ => bail!("unknown classification {text:?}; {forms}"),
    }
}

/// Parses a membership function for the command line: `linear:MIN,MAX`,
/// `large:MIDPOINT,SPREAD`, `small:MIDPOINT,SPREAD`, `gaussian:MIDPOINT,SPREAD`,
/// `near:MIDPOINT,SPREAD`, `categorical:C1=M1,C2=M2[,default=M]`. Parameters are checked.
///
/// # Errors
/// An unknown function, malformed numbers, or parameters out of range.
pub fn parse_membership(text: &str) -> Result<Membership> {
    let (name, rest) = text.split_once(':').unwrap_or((text, ""));
    let forms = "expected linear:MIN,MAX, large|small|gaussian|near:MIDPOINT,SPREAD or \
                 categorical:C1=M1,C2=M2[,default=M]";
    let pair = |what: &str| -> Result<(f64, f64)> {
        match numbers(rest, what)?.as_slice() {
            [a, b] => Ok((*a, *b)),
            _ => bail!("{what} takes two numbers; {forms}"),
        }
    };
    let m = match name.trim().to_ascii_lowercase().as_str() {
        "linear" => {
            let (min, max) = pair("fuzzy linear")?;
            Membership::Linear { min, max }
        }
        "large" => {
            let (midpoint, spread) = pair("fuzzy large")?;
            Membership::Large { midpoint, spread }
        }
        "small" => {
            let (midpoint, spread) = pair("fuzzy small")?;
            Membership::Small { midpoint, spread }
        }
        "gaussian" => {
            let (midpoint, spread) = pair("fuzzy Gaussian")?;
            Membership::Gaussian { midpoint, spread }
        }
        "near" => {
            let (midpoint, spread) = pair("fuzzy near")?;
            Membership::Near { midpoint, spread }
        }
        "categorical" => {
            let mut rows = Vec::new();
            let mut default = None;
            for item in rest.split(',').filter(|s| !s.trim().is_empty()) {
                let (c, m) = item.split_once('=').ok_or_else(|| {
                    anyhow!("categorical row {item:?} is not CATEGORY=MEMBERSHIP")
                })?;
                let m = numbers(m, "categorical membership")?[0];
                if c.trim().eq_ignore_ascii_case("default") {
                    default = Some(m);
                } else {
                    rows.push((numbers(c, "category")?[0], m));
                }
            }
            Membership::Categorical(CategoryTable::new(rows, default)?)
        }
        _ => bail!("unknown membership function {text:?}; {forms}"),
    };
    m.validate()?;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_parse() {
        assert_eq!(
            parse_method("manual:1, 2.5,10").unwrap(),
            ClassMethod::Manual(vec![1.0, 2.5, 10.0])
        );
        assert_eq!(
            parse_method("quantiles:5").unwrap(),
            ClassMethod::Quantiles { classes: 5 }
        );
        assert!(matches!(
            parse_method("jenks:4:group").unwrap(),
            ClassMethod::NaturalBreaks {
                classes: 4,
                options: JenksOptions {
                    group_excess: true,
                    ..
                }
            }
        ));
        let ClassMethod::ConcentrationArea(o) = parse_method("ca:3:200").unwrap() else {
            panic!("not C-A")
        };
        assert_eq!((o.segments, o.thresholds), (3, 200));
        assert!(matches!(
            parse_method("ca").unwrap(),
            ClassMethod::ConcentrationArea(CaOptions { segments: 2, .. })
        ));
        for bad in [
            "equal:3",
            "quantiles:x",
            "manual:1,a",
            "ca:2:100:7",
            "jenks:3:fast",
        ] {
            assert!(parse_method(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn memberships_parse() {
        assert_eq!(
            parse_membership("large:50,5").unwrap(),
            Membership::Large {
                midpoint: 50.0,
                spread: 5.0
            }
        );
        let Membership::Categorical(t) =
            parse_membership("categorical:1=0.2,3=0.9,default=0").unwrap()
        else {
            panic!("not categorical")
        };
        assert_eq!(t.membership(3.0), Some(0.9));
        assert_eq!(t.membership(7.0), Some(0.0));
        for bad in [
            "linear:1,1",
            "large:-1,5",
            "near:1",
            "gaussian:a,b",
            "sigmoid:1,2",
            "categorical:1",
            "categorical:1=2",
        ] {
            assert!(parse_membership(bad).is_err(), "{bad}");
        }
    }
}
