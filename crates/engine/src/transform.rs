//! Evidence transforms: `transform = "log10" | "ln" | "sqrt" | "zscore" | "rank"` on a layer's
//! values, before classes and models see them.
//!
//! Geochemical and geophysical values are often right-skewed: a log or square root makes equal
//! class widths and linear models meaningful (Reimann et al. 2008, *Statistical Data Analysis
//! Explained*, ch. 3). The domain rule is declared, never silent: a log needs x + offset > 0 and
//! a square root x + offset ≥ 0 (`offset`, default 0); cells outside the domain stop the run
//! naming their count and the smallest value (`nonpositive = "error"`, the default) or become
//! NoData, counted and reported (`nonpositive = "nodata"`). `zscore` is (x − mean) / sd over the
//! study area's valid cells (sample sd, one streaming pass for the moments). `rank` is the
//! mid-rank empirical distribution function over the study area's valid cells, (cells below +
//! ½ cells level) / cells, in (0, 1): robust to outliers and to the units of a survey
//! (Conover 1999, *Practical Nonparametric Statistics*, §5.5, rank transformation); ties share
//! their mid-rank. Exact while the value histogram holds every distinct value (2^20); beyond
//! that values are ranked by the histogram's bins, whose relative width the note states.
//!
//! The moments are unsupervised (no deposit enters them), so they do not leak into a
//! cross-validation's folds.

use std::path::Path;

use anyhow::{bail, Result};
use nedra_core::{stream_blocks, Block, Grid, BLOCK_SIZE};
use nedra_io::{DataType, RasterReader, RasterWriter};
use serde::{Deserialize, Serialize};

use crate::pipeline::{blocks_in_flight, progress};

/// A transform of a layer's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// log10(x + offset).
    Log10,
    /// ln(x + offset).
    Ln,
    /// sqrt(x + offset).
    Sqrt,
    /// (x − mean) / sd over the study area.
    Zscore,
    /// Mid-rank empirical distribution function over the study area, in (0, 1).
    Rank,
}

/// What happens to cells outside a transform's domain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NonPositive {
    /// Stop, naming the count and the smallest value.
    #[default]
    Error,
    /// Make them NoData, counted and reported.
    Nodata,
}

/// What a transform did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// Cells transformed.
    pub cells: u64,
    /// Cells made NoData because they were outside the domain.
    pub outside_domain: u64,
    /// One line for the console and run.json.
    pub note: String,
}

impl Transform {
    /// Whether `x + offset` is in the domain.
    fn in_domain(self, v: f64) -> bool {
        match self {
            Transform::Log10 | Transform::Ln => v > 0.0,
            Transform::Sqrt => v >= 0.0,
            Transform::Zscore | Transform::Rank => true,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Transform::Log10 => "log10",
            Transform::Ln => "ln",
            Transform::Sqrt => "sqrt",
            Transform::Zscore => "zscore",
            Transform::Rank => "rank",
        }
    }
}

/// Writes `values` transformed to `out` (Float64) over the study area `mask`, and returns
/// what was done. `name` is the layer's, for messages.
///
/// # Errors
/// Cells outside the domain with [`NonPositive::Error`] (count and smallest value named, with
/// the two ways out); a `zscore` of a constant layer; read and write failures.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    grid: &Grid,
    mask: &RasterReader,
    values: &RasterReader,
    transform: Transform,
    offset: f64,
    rule: NonPositive,
    out: &Path,
    name: &str,
) -> Result<Applied> {
    if !offset.is_finite() {
        bail!("[[evidence]] {name:?}: offset = {offset} must be a finite number");
    }
    let windows = grid.windows(BLOCK_SIZE);
    // Pass 1: the domain and the moments (Welford's update, merged by Chan et al.'s rule).
    #[derive(Default, Clone, Copy)]
    struct Moments {
        n: u64,
        mean: f64,
        m2: f64,
        outside: u64,
        lowest: f64,
    }
    let mut total = Moments {
        lowest: f64::INFINITY,
        ..Moments::default()
    };
    let ranked = transform == Transform::Rank;
    let mut histogram = nedra_core::classes::ValueHistogram::new();
    {
        let bar = progress(
            windows.len(),
            &format!("{name}: {} domain", transform.name()),
        );
        stream_blocks(
            &windows,
            blocks_in_flight(),
            |w| -> Result<(Block, Block)> { Ok((mask.read(w)?, values.read(w)?)) },
            |_, (m, b)| {
                let mut s = Moments {
                    lowest: f64::INFINITY,
                    ..Moments::default()
                };
                let mut h = nedra_core::classes::ValueHistogram::new();
                for i in 0..b.values.len() {
                    if !(m.valid[i] && b.valid[i]) {
                        continue;
                    }
                    let v = b.values[i] + offset;
                    if !transform.in_domain(v) {
                        s.outside += 1;
                        s.lowest = s.lowest.min(b.values[i]);
                        continue;
                    }
                    s.n += 1;
                    let d = v - s.mean;
                    s.mean += d / s.n as f64;
                    s.m2 += d * (v - s.mean);
                    if ranked {
                        h.add(v);
                    }
                }
                (s, h)
            },
            |_, (s, h)| -> Result<()> {
                histogram.merge(&h);
                if s.n > 0 {
                    let n = total.n + s.n;
                    let d = s.mean - total.mean;
                    total.mean += d * s.n as f64 / n as f64;
                    total.m2 += s.m2 + d * d * total.n as f64 * s.n as f64 / n as f64;
                    total.n = n;
                }
                total.outside += s.outside;
                total.lowest = total.lowest.min(s.lowest);
                bar.inc(1);
                Ok(())
            },
        )?;
    }
    let need = match transform {
        Transform::Sqrt => "x + offset ≥ 0",
        _ => "x + offset > 0",
    };
    if total.outside > 0 && rule == NonPositive::Error {
        bail!(
            "[[evidence]] {name:?}: transform = \"{}\" needs {need}, but {} cells are outside it (smallest value {}, offset {offset}). Set `offset` (e.g. offset = {}) or `nonpositive = \"nodata\"` to leave those cells out",
            transform.name(),
            total.outside,
            total.lowest,
            suggested_offset(total.lowest, offset, transform)
        );
    }
    if total.n == 0 {
        bail!(
            "[[evidence]] {name:?}: no cell of the study area is inside the domain of transform = \"{}\" ({need})",
            transform.name()
        );
    }
    let sd = if total.n > 1 {
        (total.m2 / (total.n - 1) as f64).sqrt()
    } else {
        0.0
    };
    if transform == Transform::Zscore && (sd.is_nan() || sd <= 0.0) {
        bail!("[[evidence]] {name:?}: transform = \"zscore\" of a constant layer (sd 0): it carries no information. Leave the layer out");
    }
    let mean = total.mean;
    // Rank: each bin's mid-rank distribution value.
    let bins = histogram.bins();
    let mut below = 0u64;
    let ranks: Vec<(f64, f64)> = bins
        .iter()
        .map(|b| {
            let r = (below as f64 + 0.5 * b.cells as f64) / total.n as f64;
            below += b.cells;
            (b.value, r)
        })
        .collect();
    let rank_of = |v: f64| -> f64 {
        let key = histogram.bin_value(v);
        let i = ranks.partition_point(|(value, _)| *value < key);
        ranks[i].1
    };

    // Pass 2: the transformed values.
    let mut writer = RasterWriter::create(out, grid, DataType::Float64)?;
    {
        let bar = progress(windows.len(), &format!("{name}: {}", transform.name()));
        stream_blocks(
            &windows,
            blocks_in_flight(),
            |w| -> Result<(Block, Block)> { Ok((mask.read(w)?, values.read(w)?)) },
            |_, (m, mut b)| {
                for i in 0..b.values.len() {
                    let v = b.values[i] + offset;
                    if !(m.valid[i] && b.valid[i] && transform.in_domain(v)) {
                        b.valid[i] = false;
                        continue;
                    }
                    b.values[i] = match transform {
                        Transform::Log10 => v.log10(),
                        Transform::Ln => v.ln(),
                        Transform::Sqrt => v.sqrt(),
                        Transform::Zscore => (v - mean) / sd,
                        Transform::Rank => rank_of(v),
                    };
                }
                b
            },
            |_, b| -> Result<()> {
                writer.write(&b)?;
                bar.inc(1);
                Ok(())
            },
        )?;
    }
    writer.finish()?;
    let mut note = match transform {
        Transform::Zscore => format!("zscore (mean {mean}, sd {sd})"),
        Transform::Rank if histogram.dropped_bits() == 0 => format!(
            "rank (mid-rank distribution over {} cells, {} distinct values, exact)",
            total.n,
            histogram.distinct_values()
        ),
        Transform::Rank => format!(
            "rank (mid-rank distribution over {} cells, values binned to a relative width of {:.1e})",
            total.n,
            histogram.relative_resolution()
        ),
        t if offset != 0.0 => format!("{}(x + {offset})", t.name()),
        t => format!("{}(x)", t.name()),
    };
    if total.outside > 0 {
        note.push_str(&format!(
            "; {} cells outside {need} made NoData (nonpositive = \"nodata\")",
            total.outside
        ));
    }
    Ok(Applied {
        cells: total.n,
        outside_domain: total.outside,
        note,
    })
}

/// An offset that brings `lowest` into the domain (a round number above −lowest).
fn suggested_offset(lowest: f64, offset: f64, t: Transform) -> f64 {
    let need = -lowest - offset;
    let base = if t == Transform::Sqrt {
        need.max(0.0)
    } else {
        need.max(0.0) + 1.0
    };
    let scale = 10f64.powf(base.abs().max(1.0).log10().floor());
    ((offset + base) / scale).ceil() * scale
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        Grid::new("", [0.0, 10.0, 0.0, 300.0, 0.0, -10.0], 30, 30).unwrap()
    }

    fn write(path: &Path, f: impl Fn(usize) -> Option<f64>) -> RasterReader {
        let g = grid();
        let mut w = RasterWriter::create(path, &g, DataType::Float64).unwrap();
        for win in g.windows(16) {
            let mut b = Block::empty(win);
            for r in 0..win.height {
                for c in 0..win.width {
                    if let Some(v) = f((win.row_off + r) * 30 + win.col_off + c) {
                        b.values[r * win.width + c] = v;
                        b.valid[r * win.width + c] = true;
                    }
                }
            }
            w.write(&b).unwrap();
        }
        RasterReader::open(&w.finish().unwrap()).unwrap()
    }

    fn read_all(r: &RasterReader) -> Vec<Option<f64>> {
        let b = r.read(grid().windows(30)[0]).unwrap();
        (0..900)
            .map(|i| b.valid[i].then_some(b.values[i]))
            .collect()
    }

    fn value(i: usize) -> f64 {
        (i as f64 - 100.0) * 0.37
    }

    #[test]
    fn transforms_equal_a_direct_computation_and_declare_their_domain() {
        let dir = tempfile::tempdir().unwrap();
        let mask = write(&dir.path().join("m.tif"), |i| (i % 7 != 0).then_some(1.0));
        let values = write(&dir.path().join("v.tif"), |i| {
            (i % 11 != 0).then_some(value(i))
        });
        let valid = |i: usize| i % 7 != 0 && i % 11 != 0;
        // Out of the domain: an error naming the count and the smallest value.
        let out = dir.path().join("t.tif");
        let err = apply(
            &grid(),
            &mask,
            &values,
            Transform::Log10,
            0.0,
            NonPositive::Error,
            &out,
            "cu",
        )
        .unwrap_err()
        .to_string();
        let outside = (0..900).filter(|&i| valid(i) && value(i) <= 0.0).count();
        assert!(
            err.contains(&format!("{outside} cells are outside it")),
            "{err}"
        );
        assert!(err.contains("smallest value -36.63"), "{err}");
        assert!(!out.exists());
        // With an offset every cell is inside; with nodata the outside cells are NoData.
        for (t, offset, rule) in [
            (Transform::Log10, 40.0, NonPositive::Error),
            (Transform::Ln, 0.0, NonPositive::Nodata),
            (Transform::Sqrt, 0.0, NonPositive::Nodata),
        ] {
            let a = apply(&grid(), &mask, &values, t, offset, rule, &out, "cu").unwrap();
            let got = read_all(&RasterReader::open(&out).unwrap());
            let mut n = 0;
            for (i, got) in got.iter().enumerate() {
                let v = value(i) + offset;
                let expected = (valid(i) && t.in_domain(v)).then(|| match t {
                    Transform::Log10 => v.log10(),
                    Transform::Ln => v.ln(),
                    _ => v.sqrt(),
                });
                n += u64::from(expected.is_some());
                assert_eq!(*got, expected, "{t:?} cell {i}");
            }
            assert_eq!(a.cells, n);
        }
        // zscore: mean 0 and sample sd 1 over the transformed cells, to 1e-12.
        apply(
            &grid(),
            &mask,
            &values,
            Transform::Zscore,
            0.0,
            NonPositive::Error,
            &out,
            "cu",
        )
        .unwrap();
        let z: Vec<f64> = read_all(&RasterReader::open(&out).unwrap())
            .into_iter()
            .flatten()
            .collect();
        let n = z.len() as f64;
        let mean = z.iter().sum::<f64>() / n;
        let sd = (z.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        assert!(
            mean.abs() < 1e-12 && (sd - 1.0).abs() < 1e-12,
            "{mean} {sd}"
        );
        // A constant layer has no zscore.
        let flat = write(&dir.path().join("f.tif"), |_| Some(3.0));
        assert!(apply(
            &grid(),
            &mask,
            &flat,
            Transform::Zscore,
            0.0,
            NonPositive::Error,
            &out,
            "x"
        )
        .is_err());
    }

    #[test]
    fn the_suggested_offset_brings_the_smallest_value_inside() {
        for (lowest, t) in [
            (-36.63, Transform::Log10),
            (0.0, Transform::Ln),
            (-0.2, Transform::Sqrt),
            (-1234.5, Transform::Ln),
        ] {
            let o = suggested_offset(lowest, 0.0, t);
            assert!(t.in_domain(lowest + o), "{lowest} {o}");
        }
    }

    #[test]
    fn rank_is_the_mid_rank_distribution_over_the_study_area() {
        let dir = tempfile::tempdir().unwrap();
        let mask = write(&dir.path().join("m.tif"), |i| (i % 7 != 0).then_some(1.0));
        // Many ties: 23 levels, and the masked-out cells carry extreme values that must not count.
        let v = |i: usize| {
            if i % 7 == 0 {
                1e9
            } else {
                ((i * 37) % 23) as f64 - 5.0
            }
        };
        let values = write(&dir.path().join("v.tif"), |i| (i % 13 != 0).then_some(v(i)));
        let valid = |i: usize| i % 7 != 0 && i % 13 != 0;
        let out = dir.path().join("r.tif");
        let a = apply(
            &grid(),
            &mask,
            &values,
            Transform::Rank,
            3.0,
            NonPositive::Error,
            &out,
            "th",
        )
        .unwrap();
        let cells: Vec<usize> = (0..900).filter(|&i| valid(i)).collect();
        assert_eq!(a.cells, cells.len() as u64);
        assert!(a.note.contains("exact"), "{}", a.note);
        let got = read_all(&RasterReader::open(&out).unwrap());
        for (i, got) in got.iter().enumerate() {
            if !valid(i) {
                assert_eq!(*got, None, "cell {i}");
                continue;
            }
            // Brute force: cells strictly below plus half the cells level, over every cell.
            let below = cells.iter().filter(|&&j| v(j) < v(i)).count() as f64;
            let level = cells.iter().filter(|&&j| v(j) == v(i)).count() as f64;
            let expected = (below + 0.5 * level) / cells.len() as f64;
            assert!((got.unwrap() - expected).abs() < 1e-15, "cell {i}");
        }
    }
}
