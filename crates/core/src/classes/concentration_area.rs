//! The concentration–area (C-A) fractal method: anomaly thresholds where the log–log curve of
//! area above a threshold bends.
//!
//! Cheng, Agterberg & Ballantyne (1994), "The separation of geochemical anomalies from
//! background by fractal methods", J. Geochem. Explor. 51, 109–130: the area `A(ρ)` holding
//! values ≥ `ρ` follows power laws `A(ρ) ∝ ρ^(−α)` with different exponents for background and
//! anomalies, so `log A` against `log ρ` is piecewise linear and the breaks between the
//! straight segments are thresholds separating populations.
//!
//! Here the curve is sampled at log-spaced thresholds (or at every distinct positive value
//! when there are fewer of them), `log10 A` is regressed on `log10 ρ` by least squares with
//! one independent straight line per segment, and the split of the points into `k ≤ 3`
//! consecutive segments is found by exhaustive search (O(m^(k−1)) candidate splits of `m`
//! points, each evaluated in O(1) from prefix sums). Values ≤ 0 have no logarithm: they lie
//! below every threshold, add to no area, and are reported as excluded.

use super::{ClassBreaks, Error, ValueHistogram};

/// Most segments fitted.
pub const MAX_SEGMENTS: usize = 3;
/// Most thresholds sampled on the curve.
pub const MAX_THRESHOLDS: usize = 10_000;

/// How the C-A curve is sampled and fitted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CaOptions {
    /// Straight segments fitted, 1 to [`MAX_SEGMENTS`] (default 2: background and anomaly).
    pub segments: usize,
    /// Log-spaced thresholds between the smallest positive and the largest value, 2 to
    /// [`MAX_THRESHOLDS`] (default 100).
    pub thresholds: usize,
    /// Fewest points in one segment, ≥ 2 (default 3).
    pub min_points_per_segment: usize,
    /// Area of one cell in km², for reporting areas (default 1; slopes do not depend on it).
    pub cell_area_km2: f64,
}

impl Default for CaOptions {
    fn default() -> Self {
        Self {
            segments: 2,
            thresholds: 100,
            min_points_per_segment: 3,
            cell_area_km2: 1.0,
        }
    }
}

/// One point of the C-A curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CaPoint {
    /// The threshold ρ (value units).
    pub threshold: f64,
    /// Cells with value ≥ ρ.
    pub cells: u64,
    /// Their area, km².
    pub area_km2: f64,
}

/// One straight segment of the fit: `log10 A = intercept + slope · log10 ρ`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CaSegment {
    /// Index of the segment's first point in [`ConcentrationArea::points`].
    pub first_point: usize,
    /// Index of its last point (inclusive).
    pub last_point: usize,
    /// Slope on log10–log10 axes (−α, the negative fractal exponent).
    pub slope: f64,
    /// Intercept: log10 of the area in km² at ρ = 1.
    pub intercept: f64,
    /// Coefficient of determination of this segment's own fit (1 when its points are level).
    pub r_squared: f64,
}

impl CaSegment {
    /// The power-law exponent α = −slope.
    pub fn exponent(&self) -> f64 {
        -self.slope
    }
}

/// A fitted C-A curve.
#[derive(Debug, Clone, PartialEq)]
pub struct ConcentrationArea {
    /// The sampled curve, by increasing threshold (points with no cell above are left out).
    pub points: Vec<CaPoint>,
    /// The fitted segments, by increasing threshold.
    pub segments: Vec<CaSegment>,
    /// Anomaly thresholds, one between each pair of segments: where the two lines cross when
    /// that lies within the span of both segments, otherwise the geometric mean of the last
    /// threshold of the lower and the first of the upper segment.
    pub thresholds: Vec<f64>,
    /// Residual sum of squares of `log10 A` over all segments.
    pub residual_ss: f64,
    /// Overall coefficient of determination, 1 − RSS / Σ(log10 A − mean)².
    pub r_squared: f64,
    /// Cells with a value ≤ 0, left out of the curve.
    pub excluded_cells: u64,
}

impl ConcentrationArea {
    /// Classes split at the anomaly thresholds (class 1: background; each threshold is the
    /// inclusive upper edge of the class below it).
    ///
    /// # Errors
    /// [`Error::EmptyHistogram`].
    pub fn class_breaks(&self, histogram: &ValueHistogram) -> Result<ClassBreaks, Error> {
        ClassBreaks::from_edges(histogram, self.thresholds.clone())
    }
}

/// Running sums of (x, y) pairs for straight-line fits of any run of points.
struct Sums {
    x: Vec<f64>,
    y: Vec<f64>,
    xx: Vec<f64>,
    xy: Vec<f64>,
    yy: Vec<f64>,
}

/// A least-squares line over points `i..j`.
#[derive(Debug, Clone, Copy)]
struct Line {
    slope: f64,
    intercept: f64,
    sse: f64,
    syy: f64,
}

impl Sums {
    fn new(xs: &[f64], ys: &[f64]) -> Self {
        let mut s = Self {
            x: vec![0.0],
            y: vec![0.0],
            xx: vec![0.0],
            xy: vec![0.0],
            yy: vec![0.0],
        };
        for (&x, &y) in xs.iter().zip(ys) {
            let last = s.x.len() - 1;
            s.x.push(s.x[last] + x);
            s.y.push(s.y[last] + y);
            s.xx.push(s.xx[last] + x * x);
            s.xy.push(s.xy[last] + x * y);
            s.yy.push(s.yy[last] + y * y);
        }
        s
    }

    fn line(&self, i: usize, j: usize) -> Line {
        let n = (j - i) as f64;
        let sx = self.x[j] - self.x[i];
        let sy = self.y[j] - self.y[i];
        let sxx = (self.xx[j] - self.xx[i]) - sx * sx / n;
        let sxy = (self.xy[j] - self.xy[i]) - sx * sy / n;
        let syy = ((self.yy[j] - self.yy[i]) - sy * sy / n).max(0.0);
        let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
        let sse = if sxx > 0.0 {
            (syy - sxy * sxy / sxx).max(0.0)
        } else {
            syy
        };
        Line {
            slope,
            intercept: (sy - slope * sx) / n,
            sse,
            syy,
        }
    }
}

/// The C-A curve of the histogram's values, fitted with `options.segments` straight lines.
///
/// # Errors
/// [`Error::ClassCount`] for a segment count outside 1..=[`MAX_SEGMENTS`];
/// [`Error::InvalidParameter`] for a threshold count outside 2..=[`MAX_THRESHOLDS`], fewer
/// than 2 points per segment or a cell area that is not positive; [`Error::EmptyHistogram`];
/// [`Error::TooFewPoints`] when the curve is too short for the segments asked.
pub fn concentration_area(
    histogram: &ValueHistogram,
    options: &CaOptions,
) -> Result<ConcentrationArea, Error> {
    check_options(options)?;
    let bins = histogram.bins();
    if bins.is_empty() {
        return Err(Error::EmptyHistogram);
    }
    let first_positive = bins.partition_point(|b| b.value <= 0.0);
    let excluded_cells: u64 = bins[..first_positive].iter().map(|b| b.cells).sum();
    let positive = &bins[first_positive..];
    // cells_at_or_above[i]: cells in positive[i..].
    let mut cells_at_or_above = vec![0u64; positive.len() + 1];
    for i in (0..positive.len()).rev() {
        cells_at_or_above[i] = cells_at_or_above[i + 1] + positive[i].cells;
    }
    let thresholds: Vec<f64> = if positive.len() <= options.thresholds {
        positive.iter().map(|b| b.value).collect()
    } else {
        let (lo, hi) = (positive[0].value.ln(), positive[positive.len() - 1].value);
        let step = (hi.ln() - lo) / (options.thresholds - 1) as f64;
        let mut t: Vec<f64> = (0..options.thresholds - 1)
            .map(|i| (lo + step * i as f64).exp())
            .collect();
        t[0] = positive[0].value;
        t.push(hi);
        t.dedup();
        t
    };
    let points: Vec<CaPoint> = thresholds
        .iter()
        .map(|&threshold| {
            let cells = cells_at_or_above[positive.partition_point(|b| b.value < threshold)];
            CaPoint {
                threshold,
                cells,
                area_km2: cells as f64 * options.cell_area_km2,
            }
        })
        .filter(|p| p.cells > 0)
        .collect();
    let m = points.len();
    let k = options.segments;
    let p = options.min_points_per_segment;
    if m < k * p {
        return Err(Error::TooFewPoints {
            points: m,
            segments: k,
            min_points: p,
            needed: k * p,
        });
    }
    let xs: Vec<f64> = points.iter().map(|p| p.threshold.log10()).collect();
    let ys: Vec<f64> = points.iter().map(|p| p.area_km2.log10()).collect();
    let sums = Sums::new(&xs, &ys);
    let splits = best_split(&sums, m, k, p);
    let mut bounds = vec![0];
    bounds.extend_from_slice(&splits);
    bounds.push(m);
    let mut segments = Vec::with_capacity(k);
    let mut residual_ss = 0.0;
    for b in bounds.windows(2) {
        let line = sums.line(b[0], b[1]);
        residual_ss += line.sse;
        segments.push(CaSegment {
            first_point: b[0],
            last_point: b[1] - 1,
            slope: line.slope,
            intercept: line.intercept,
            r_squared: if line.syy > 0.0 {
                1.0 - line.sse / line.syy
            } else {
                1.0
            },
        });
    }
    let thresholds = segments
        .windows(2)
        .map(|s| {
            let (lower, upper) = (s[0], s[1]);
            let crossing = (upper.intercept - lower.intercept) / (lower.slope - upper.slope);
            let within = crossing.is_finite()
                && crossing >= xs[lower.first_point]
                && crossing <= xs[upper.last_point];
            if within {
                10f64.powf(crossing)
            } else {
                10f64.powf((xs[lower.last_point] + xs[upper.first_point]) / 2.0)
            }
        })
        .collect();
    let total = sums.line(0, m).syy;
    Ok(ConcentrationArea {
        points,
        segments,
        thresholds,
        residual_ss,
        r_squared: if total > 0.0 {
            1.0 - residual_ss / total
        } else {
            1.0
        },
        excluded_cells,
    })
}

fn check_options(options: &CaOptions) -> Result<(), Error> {
    if !(1..=MAX_SEGMENTS).contains(&options.segments) {
        return Err(Error::ClassCount {
            method: "C-A segments",
            requested: options.segments,
            min: 1,
            max: MAX_SEGMENTS,
        });
    }
    let invalid = |reason: String| Err(Error::InvalidParameter { reason });
    if !(2..=MAX_THRESHOLDS).contains(&options.thresholds) {
        return invalid(format!(
            "{} C-A thresholds requested; use 2 to {MAX_THRESHOLDS}",
            options.thresholds
        ));
    }
    if options.min_points_per_segment < 2 {
        return invalid(format!(
            "a C-A segment needs at least 2 points, not {}",
            options.min_points_per_segment
        ));
    }
    if !(options.cell_area_km2.is_finite() && options.cell_area_km2 > 0.0) {
        return invalid(format!(
            "cell area {} km² must be a positive number",
            options.cell_area_km2
        ));
    }
    Ok(())
}

/// The inner split positions (each the first point of a segment) that minimise the total
/// residual sum of squares, by exhaustive search; the first minimum found wins.
fn best_split(sums: &Sums, m: usize, k: usize, p: usize) -> Vec<usize> {
    let sse = |i: usize, j: usize| sums.line(i, j).sse;
    match k {
        1 => Vec::new(),
        2 => {
            let mut best = (f64::INFINITY, p);
            for b in p..=m - p {
                let c = sse(0, b) + sse(b, m);
                if c < best.0 {
                    best = (c, b);
                }
            }
            vec![best.1]
        }
        3 => {
            let mut best = (f64::INFINITY, p, 2 * p);
            for b1 in p..=m - 2 * p {
                let head = sse(0, b1);
                for b2 in b1 + p..=m - p {
                    let c = head + sse(b1, b2) + sse(b2, m);
                    if c < best.0 {
                        best = (c, b1, b2);
                    }
                }
            }
            vec![best.1, best.2]
        }
        _ => unreachable!("segment count checked"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A layer of `n` cells whose area above ρ follows consecutive power laws: from `rho_min`,
    /// `A ∝ ρ^(−exponents[0])` up to `bends[0]`, then `ρ^(−exponents[1])`, and so on. Values are
    /// placed deterministically at the quantiles of that law (the cell of rank r from the top
    /// gets the ρ with A(ρ) = r − ½), so the counted area is within ½ cell of the law.
    fn power_law_layer(n: u64, rho_min: f64, bends: &[f64], exponents: &[f64]) -> ValueHistogram {
        assert_eq!(bends.len() + 1, exponents.len());
        // Area (in cells) at each bend.
        let mut anchors = vec![(rho_min, n as f64)];
        for (i, &b) in bends.iter().enumerate() {
            let (r0, a0) = anchors[i];
            anchors.push((b, a0 * (b / r0).powf(-exponents[i])));
        }
        let mut h = ValueHistogram::new();
        for r in 1..=n {
            let a = r as f64 - 0.5;
            let seg = anchors.iter().rposition(|&(_, a0)| a <= a0).unwrap();
            let (r0, a0) = anchors[seg];
            h.add(r0 * (a / a0).powf(-1.0 / exponents[seg]));
        }
        h
    }

    /// Tolerances: ρ0 within 5 %, the background exponent within 0.02 and the anomaly exponent
    /// within 0.05 (found: ρ0 = 96.8, exponents 0.5000 and 1.973; the top of the curve holds
    /// few cells, so the upper segment carries counting noise).
    #[test]
    fn recovers_two_power_laws() {
        // A ∝ ρ^−0.5 from 1 to ρ0 = 100, then ρ^−2: background and anomaly.
        let h = power_law_layer(200_000, 1.0, &[100.0], &[0.5, 2.0]);
        let ca = concentration_area(&h, &CaOptions::default()).unwrap();
        assert_eq!(ca.segments.len(), 2);
        let rho0 = ca.thresholds[0];
        assert!((rho0 / 100.0 - 1.0).abs() < 0.05, "ρ0 = {rho0}");
        let (a, b) = (ca.segments[0].exponent(), ca.segments[1].exponent());
        assert!((a - 0.5).abs() < 0.02, "α below = {a}");
        assert!((b - 2.0).abs() < 0.05, "α above = {b}");
        assert!(ca.r_squared > 0.999, "R² = {}", ca.r_squared);
        assert!(ca.segments.iter().all(|s| s.r_squared > 0.99));
        // Intercept of the lower segment: log10 of the area (km² = cells here) at ρ = 1.
        assert!((ca.segments[0].intercept - 200_000f64.log10()).abs() < 0.02);
        let classes = ca.class_breaks(&h).unwrap();
        assert_eq!(classes.class_count(), 2);
        // About a tenth of the cells lie above ρ0 = 100 (A(100) = N · 100^−0.5).
        let above = classes.cells[1] as f64 / 200_000.0;
        assert!((above - 0.1).abs() < 0.01, "{above}");
    }

    /// Tolerances: both thresholds within 5 %, exponents within 0.05 (found: 10.00 and 96.8;
    /// 0.300, 1.000, 2.466).
    #[test]
    fn recovers_three_power_laws() {
        let h = power_law_layer(200_000, 1.0, &[10.0, 100.0], &[0.3, 1.0, 2.5]);
        let options = CaOptions {
            segments: 3,
            thresholds: 120,
            ..CaOptions::default()
        };
        let ca = concentration_area(&h, &options).unwrap();
        assert!(
            (ca.thresholds[0] / 10.0 - 1.0).abs() < 0.05,
            "{:?}",
            ca.thresholds
        );
        assert!(
            (ca.thresholds[1] / 100.0 - 1.0).abs() < 0.05,
            "{:?}",
            ca.thresholds
        );
        let exponents: Vec<f64> = ca.segments.iter().map(CaSegment::exponent).collect();
        for (got, want) in exponents.iter().zip([0.3, 1.0, 2.5]) {
            assert!((got - want).abs() < 0.05, "{exponents:?}");
        }
    }

    #[test]
    fn single_power_law_and_units() {
        let h = power_law_layer(50_000, 2.0, &[], &[1.5]);
        let options = CaOptions {
            segments: 1,
            cell_area_km2: 0.25,
            ..CaOptions::default()
        };
        let ca = concentration_area(&h, &options).unwrap();
        assert!(ca.thresholds.is_empty());
        assert!((ca.segments[0].exponent() - 1.5).abs() < 0.05);
        // A(2) = 50 000 cells · 0.25 km².
        assert_eq!(ca.points[0].area_km2, 12_500.0);
    }

    #[test]
    fn non_positive_values_are_excluded_and_short_curves_rejected() {
        let mut h = ValueHistogram::from_values([-1.0, 0.0, 1.0, 2.0, 3.0]);
        let err = concentration_area(&h, &CaOptions::default()).unwrap_err();
        assert_eq!(
            err,
            Error::TooFewPoints {
                points: 3,
                segments: 2,
                min_points: 3,
                needed: 6
            }
        );
        for v in 4..=10 {
            h.add(f64::from(v));
        }
        let ca = concentration_area(&h, &CaOptions::default()).unwrap();
        assert_eq!(ca.excluded_cells, 2);
        assert_eq!(ca.points.len(), 10);
        assert_eq!(ca.points[0].cells, 10);
        let bad = |o: CaOptions| concentration_area(&h, &o).is_err();
        let d = CaOptions::default();
        assert!(bad(CaOptions { segments: 4, ..d }));
        assert!(bad(CaOptions { segments: 0, ..d }));
        assert!(bad(CaOptions { thresholds: 1, ..d }));
        assert!(bad(CaOptions {
            min_points_per_segment: 1,
            ..d
        }));
        assert!(bad(CaOptions {
            cell_area_km2: 0.0,
            ..d
        }));
        assert_eq!(
            concentration_area(&ValueHistogram::new(), &d),
            Err(Error::EmptyHistogram)
        );
    }
}
