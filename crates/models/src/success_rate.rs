//! Success-rate curves and ROC AUC from a histogram of prospectivity scores.
//!
//! The success-rate curve plots the fraction of deposits captured against the fraction of the
//! study area, cells taken in order of decreasing score (Agterberg & Bonham-Carter 2005,
//! "Measuring the performance of mineral-potential maps"). ROC AUC is the Mann–Whitney
//! statistic with ties counted as ½ (Hanley & McNeil 1982), with one presence per deposit
//! point and one absence per valid cell holding no deposit, as in GA's `MPM-WofE` AUC tool.

use std::collections::HashMap;
use std::io;

use crate::bits_hash::BitsBuild;
use crate::roc::{groups_roc_curve, RocCurve};
use crate::validation::{deposit_groups, groups_roc_auc};
use crate::Error;

/// Cells sharing one exact score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreBin {
    /// The score (e.g. posterior probability).
    pub score: f64,
    /// Valid cells with this score.
    pub cells: u64,
    /// Of those, cells holding at least one deposit point.
    pub deposit_cells: u64,
    /// Deposit points on those cells (two points in one cell count twice).
    pub deposits: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    cells: u64,
    deposit_cells: u64,
    deposits: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.cells += other.cells;
        self.deposit_cells += other.deposit_cells;
        self.deposits += other.deposits;
    }
}

/// A histogram of scores keyed on their exact `f64` value, with cell, deposit-cell and
/// deposit counts; built cell by cell or bin by bin, and merged across blocks.
///
/// `-0.0` is stored as `0.0`. NaN scores are NoData: they are not binned, and their cells and
/// deposits are tallied in [`ScoreHistogram::nan_cells`] and
/// [`ScoreHistogram::nan_deposits`] for the caller to report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreHistogram {
    bins: HashMap<u64, Counts, BitsBuild>,
    nan_cells: u64,
    nan_deposits: u64,
}

/// One point of a success-rate curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvePoint {
    /// Fraction of the valid area with score ≥ `score`.
    pub fraction_of_area: f64,
    /// Fraction of deposit points on that area.
    pub fraction_of_deposits: f64,
    /// Score threshold (`+inf` for the starting point (0, 0)).
    pub score: f64,
}

/// A success-rate curve, points by decreasing score from (0, 0) to (1, 1), and its area.
#[derive(Debug, Clone, PartialEq)]
pub struct SuccessRateCurve {
    /// The points, one per distinct score plus the starting point (0, 0).
    pub points: Vec<CurvePoint>,
    /// Area under the curve by the trapezoid rule.
    pub auc: f64,
}

impl ScoreHistogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self::default()
    }

    fn key(score: f64) -> u64 {
        // Map -0.0 to 0.0 so that equal scores share a bin.
        (score + 0.0).to_bits()
    }

    fn insert(&mut self, score: f64, counts: Counts) {
        if score.is_nan() {
            self.nan_cells += counts.cells;
            self.nan_deposits += counts.deposits;
            return;
        }
        self.bins.entry(Self::key(score)).or_default().add(counts);
    }

    /// Adds one valid cell with `deposits` deposit points on it.
    #[inline]
    pub fn add_cell(&mut self, score: f64, deposits: u64) {
        self.insert(
            score,
            Counts {
                cells: 1,
                deposit_cells: u64::from(deposits > 0),
                deposits,
            },
        );
    }

    /// Adds a bin (merging with any bin of the same score).
    ///
    /// # Errors
    /// [`Error::InvalidScoreBin`] unless `deposit_cells <= cells`,
    /// `deposit_cells <= deposits` and (`deposits > 0` ⇒ `deposit_cells > 0`).
    pub fn add_bin(&mut self, bin: ScoreBin) -> Result<(), Error> {
        let ok = bin.deposit_cells <= bin.cells
            && bin.deposit_cells <= bin.deposits
            && (bin.deposits == 0 || bin.deposit_cells > 0);
        if !ok {
            return Err(Error::InvalidScoreBin {
                score: bin.score,
                cells: bin.cells,
                deposit_cells: bin.deposit_cells,
                deposits: bin.deposits,
            });
        }
        self.insert(
            bin.score,
            Counts {
                cells: bin.cells,
                deposit_cells: bin.deposit_cells,
                deposits: bin.deposits,
            },
        );
        Ok(())
    }

    /// A histogram from bins in any order, possibly with repeated scores.
    ///
    /// # Errors
    /// As [`ScoreHistogram::add_bin`].
    pub fn from_bins(bins: impl IntoIterator<Item = ScoreBin>) -> Result<Self, Error> {
        let mut h = Self::new();
        for bin in bins {
            h.add_bin(bin)?;
        }
        Ok(h)
    }

    /// Adds another histogram to this one (associative and commutative, for per-block
    /// partial results).
    pub fn merge(&mut self, other: &ScoreHistogram) {
        for (&key, &counts) in &other.bins {
            self.bins.entry(key).or_default().add(counts);
        }
        self.nan_cells += other.nan_cells;
        self.nan_deposits += other.nan_deposits;
    }

    /// The bins, by decreasing score.
    pub fn bins(&self) -> Vec<ScoreBin> {
        let mut bins: Vec<ScoreBin> = self
            .bins
            .iter()
            .map(|(&key, c)| ScoreBin {
                score: f64::from_bits(key),
                cells: c.cells,
                deposit_cells: c.deposit_cells,
                deposits: c.deposits,
            })
            .collect();
        bins.sort_by(|a, b| b.score.total_cmp(&a.score));
        bins
    }

    /// Number of distinct scores held (the histogram's size in entries).
    pub fn distinct_scores(&self) -> usize {
        self.bins.len()
    }

    /// Number of valid (non-NaN) cells.
    pub fn total_cells(&self) -> u64 {
        self.bins.values().map(|c| c.cells).sum()
    }

    /// Number of deposit points on valid cells.
    pub fn total_deposits(&self) -> u64 {
        self.bins.values().map(|c| c.deposits).sum()
    }

    /// Cells skipped because their score was NaN.
    pub fn nan_cells(&self) -> u64 {
        self.nan_cells
    }

    /// Deposit points skipped because their cell's score was NaN.
    pub fn nan_deposits(&self) -> u64 {
        self.nan_deposits
    }

    /// The success-rate curve: from (0, 0), one point per distinct score in decreasing
    /// order giving the fractions of area and deposits with score ≥ that score, ending at
    /// (1, 1); its AUC is by the trapezoid rule.
    ///
    /// # Errors
    /// [`Error::EmptyHistogram`] if there are no valid cells; [`Error::ZeroDeposits`] if no
    /// deposit falls on one.
    pub fn success_rate(&self) -> Result<SuccessRateCurve, Error> {
        let bins = self.bins();
        let total_cells: u64 = bins.iter().map(|b| b.cells).sum();
        let total_deposits: u64 = bins.iter().map(|b| b.deposits).sum();
        if total_cells == 0 {
            return Err(Error::EmptyHistogram);
        }
        if total_deposits == 0 {
            return Err(Error::ZeroDeposits);
        }
        let mut points = Vec::with_capacity(bins.len() + 1);
        points.push(CurvePoint {
            fraction_of_area: 0.0,
            fraction_of_deposits: 0.0,
            score: f64::INFINITY,
        });
        let (mut cells, mut deposits) = (0u64, 0u64);
        for bin in &bins {
            cells += bin.cells;
            deposits += bin.deposits;
            points.push(CurvePoint {
                fraction_of_area: cells as f64 / total_cells as f64,
                fraction_of_deposits: deposits as f64 / total_deposits as f64,
                score: bin.score,
            });
        }
        let auc = trapezoid_area(&points);
        Ok(SuccessRateCurve { points, auc })
    }

    /// ROC AUC by the Mann–Whitney statistic with ties counted as ½: presences are deposit
    /// points (one per point), absences are valid cells without a deposit
    /// (cells − deposit cells per bin). AUC = P(score of a presence > score of an absence)
    /// + ½ P(equal). Computed exactly in integers, then divided once.
    ///
    /// # Errors
    /// [`Error::ZeroDeposits`] if there are no presences; [`Error::NoAbsences`] if there are
    /// no absences.
    pub fn roc_auc(&self) -> Result<f64, Error> {
        let bins = self.bins();
        let cells = bins.iter().map(|b| b.cells).sum();
        groups_roc_auc(cells, &deposit_groups(&bins))
    }

    /// The ROC curve ([`RocCurve`]): presences and absences as in
    /// [`ScoreHistogram::roc_auc`], one vertex at each end of every tied group holding
    /// deposits; its trapezoid area is the ROC AUC up to rounding.
    ///
    /// # Errors
    /// [`Error::ZeroDeposits`] if there are no presences; [`Error::NoAbsences`] if there are
    /// no absences.
    pub fn roc_curve(&self) -> Result<RocCurve, Error> {
        let bins = self.bins();
        let cells = bins.iter().map(|b| b.cells).sum();
        // The lowest score above each bin holding deposits.
        let next_above: Vec<f64> = bins
            .iter()
            .enumerate()
            .filter(|(_, b)| b.deposits > 0)
            .map(|(i, _)| {
                if i > 0 {
                    bins[i - 1].score
                } else {
                    f64::INFINITY
                }
            })
            .collect();
        let lowest = bins.last().map_or(f64::NEG_INFINITY, |b| b.score);
        groups_roc_curve(cells, &deposit_groups(&bins), &next_above, lowest)
    }
}

/// Area under a polyline of curve points by the trapezoid rule, summed in order.
pub(crate) fn trapezoid_area(points: &[CurvePoint]) -> f64 {
    points.windows(2).fold(0.0, |auc, w| {
        auc + (w[1].fraction_of_area - w[0].fraction_of_area)
            * (w[1].fraction_of_deposits + w[0].fraction_of_deposits)
            / 2.0
    })
}

impl SuccessRateCurve {
    /// The curve's vertices: the points where it bends. A run of points that add area but no
    /// deposit lies on one horizontal line, so only its ends are kept; the polyline through
    /// the vertices is the curve itself and has the same trapezoid area. A continuous score
    /// (one point per distinct value, millions of them) keeps at most two points per
    /// score group holding deposits, plus both ends.
    pub fn vertices(&self) -> Vec<CurvePoint> {
        let pts = &self.points;
        let n = pts.len();
        let rises = |i: usize| pts[i + 1].fraction_of_deposits != pts[i].fraction_of_deposits;
        (0..n)
            .filter(|&i| i == 0 || i + 1 == n || rises(i - 1) || rises(i))
            .map(|i| pts[i])
            .collect()
    }

    /// Writes the curve's [`SuccessRateCurve::vertices`] as CSV with the header
    /// `fraction_area,fraction_deposits,score`,
    /// floats in Rust's shortest round-trip form (the first point's score is `inf`).
    ///
    /// # Errors
    /// Any I/O error of `writer`.
    pub fn write_csv<W: io::Write>(&self, mut writer: W) -> io::Result<()> {
        writeln!(writer, "fraction_area,fraction_deposits,score")?;
        for p in self.vertices() {
            writeln!(
                writer,
                "{},{},{}",
                p.fraction_of_area, p.fraction_of_deposits, p.score
            )?;
        }
        writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vertices keep the curve: same area, every dropped point on a horizontal run
    /// between two kept points, and far fewer points for a continuous score.
    #[test]
    fn vertices_keep_the_curve_and_its_area() {
        let mut rng = crate::SplitMix64::new(5);
        let mut h = ScoreHistogram::new();
        for _ in 0..20_000 {
            let s = rng.uniform();
            h.add_cell(s, u64::from(rng.uniform() < 0.01 * s));
        }
        let curve = h.success_rate().unwrap();
        let v = curve.vertices();
        assert!(
            v.len() < curve.points.len() / 20,
            "{} of {}",
            v.len(),
            curve.points.len()
        );
        let area = trapezoid_area(&v);
        assert!((area - curve.auc).abs() < 1e-12, "{area} vs {}", curve.auc);
        assert_eq!(v[0], curve.points[0]);
        assert_eq!(v[v.len() - 1], curve.points[curve.points.len() - 1]);
        let mut k = 0;
        for p in &curve.points {
            if k < v.len() && *p == v[k] {
                k += 1;
                continue;
            }
            // Dropped: between kept v[k-1] and v[k] on a horizontal run.
            assert_eq!(p.fraction_of_deposits, v[k - 1].fraction_of_deposits);
            assert_eq!(p.fraction_of_deposits, v[k].fraction_of_deposits);
        }
        assert_eq!(k, v.len());
    }
    use proptest::prelude::*;

    /// Random cells: (score from a small set so ties happen, deposit points on the cell).
    fn cells() -> impl Strategy<Value = Vec<(f64, u64)>> {
        prop::collection::vec(
            (0u8..12, prop::sample::select(vec![0u64, 0, 0, 0, 1, 1, 2])),
            1..200,
        )
        .prop_map(|v| {
            v.into_iter()
                .map(|(s, d)| (f64::from(s) * 0.125 - 0.5, d))
                .collect()
        })
    }

    fn histogram(cells: &[(f64, u64)]) -> ScoreHistogram {
        let mut h = ScoreHistogram::new();
        for &(s, d) in cells {
            h.add_cell(s, d);
        }
        h
    }

    #[test]
    fn small_example() {
        let h = ScoreHistogram::from_bins([
            ScoreBin {
                score: 0.2,
                cells: 3,
                deposit_cells: 0,
                deposits: 0,
            },
            ScoreBin {
                score: 0.9,
                cells: 1,
                deposit_cells: 1,
                deposits: 2,
            },
        ])
        .unwrap();
        let c = h.success_rate().unwrap();
        assert_eq!(c.points.len(), 3);
        assert_eq!(
            (
                c.points[1].fraction_of_area,
                c.points[1].fraction_of_deposits
            ),
            (0.25, 1.0)
        );
        assert_eq!(c.points[2].score, 0.2);
        assert!((c.auc - (0.125 + 0.75)).abs() < 1e-15);
        assert_eq!(h.roc_auc().unwrap(), 1.0);
        let mut out = Vec::new();
        c.write_csv(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "fraction_area,fraction_deposits,score\n0,0,inf\n0.25,1,0.9\n1,1,0.2\n"
        );
    }

    #[test]
    fn negative_zero_nan_and_invalid_bins() {
        let mut h = ScoreHistogram::new();
        h.add_cell(0.0, 0);
        h.add_cell(-0.0, 1);
        h.add_cell(f64::NAN, 3);
        assert_eq!(h.bins().len(), 1);
        assert_eq!((h.nan_cells(), h.nan_deposits()), (1, 3));
        assert_eq!(h.roc_auc().unwrap(), 0.5);
        let bad = ScoreBin {
            score: 1.0,
            cells: 1,
            deposit_cells: 2,
            deposits: 2,
        };
        assert!(matches!(h.add_bin(bad), Err(Error::InvalidScoreBin { .. })));
        assert!(matches!(
            ScoreHistogram::new().success_rate(),
            Err(Error::EmptyHistogram)
        ));
        assert!(matches!(
            histogram(&[(1.0, 0)]).roc_auc(),
            Err(Error::ZeroDeposits)
        ));
        assert!(matches!(
            histogram(&[(1.0, 1)]).roc_auc(),
            Err(Error::NoAbsences)
        ));
    }

    proptest! {
        #[test]
        fn curve_matches_brute_force(cells in cells()) {
            let total_deposits: u64 = cells.iter().map(|c| c.1).sum();
            prop_assume!(total_deposits > 0);
            let curve = histogram(&cells).success_rate().unwrap();

            // Brute force: sort cells by decreasing score and emit a point after each
            // run of equal scores.
            let mut sorted = cells.clone();
            sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
            let n = sorted.len() as f64;
            let mut expected = vec![(0.0, 0.0, f64::INFINITY)];
            let (mut area, mut deps) = (0u64, 0u64);
            for (i, &(s, d)) in sorted.iter().enumerate() {
                area += 1;
                deps += d;
                if i + 1 == sorted.len() || sorted[i + 1].0 != s {
                    expected.push((area as f64 / n, deps as f64 / total_deposits as f64, s));
                }
            }
            let got: Vec<_> = curve
                .points
                .iter()
                .map(|p| (p.fraction_of_area, p.fraction_of_deposits, p.score))
                .collect();
            prop_assert_eq!(&got, &expected);
            for w in curve.points.windows(2) {
                prop_assert!(w[1].fraction_of_area > w[0].fraction_of_area);
                prop_assert!(w[1].fraction_of_deposits >= w[0].fraction_of_deposits);
                prop_assert!(w[1].score < w[0].score);
            }
            let last = curve.points.last().unwrap();
            prop_assert_eq!((last.fraction_of_area, last.fraction_of_deposits), (1.0, 1.0));
            prop_assert!((0.0..=1.0).contains(&curve.auc));
        }

        #[test]
        fn roc_auc_matches_pairwise_mann_whitney(cells in cells()) {
            let presences: Vec<f64> = cells
                .iter()
                .flat_map(|&(s, d)| std::iter::repeat_n(s, d as usize))
                .collect();
            let absences: Vec<f64> = cells.iter().filter(|c| c.1 == 0).map(|c| c.0).collect();
            prop_assume!(!presences.is_empty() && !absences.is_empty());
            let mut wins = 0.0;
            for &p in &presences {
                for &a in &absences {
                    wins += if p > a { 1.0 } else if p == a { 0.5 } else { 0.0 };
                }
            }
            let brute = wins / (presences.len() * absences.len()) as f64;
            let auc = histogram(&cells).roc_auc().unwrap();
            prop_assert!((auc - brute).abs() <= 1e-12, "{} vs {}", auc, brute);
        }

        #[test]
        fn merge_is_associative_and_matches_whole(
            cells in cells(),
            cut1 in 0usize..200,
            cut2 in 0usize..200,
        ) {
            let (i, j) = (cut1.min(cells.len()), cut2.min(cells.len()));
            let (i, j) = (i.min(j), i.max(j));
            let (a, b, c) = (
                histogram(&cells[..i]),
                histogram(&cells[i..j]),
                histogram(&cells[j..]),
            );
            let mut left = a.clone();
            left.merge(&b);
            left.merge(&c);
            let mut bc = b.clone();
            bc.merge(&c);
            let mut right = a;
            right.merge(&bc);
            prop_assert_eq!(&left, &right);
            prop_assert_eq!(&left, &histogram(&cells));
            let rebuilt = ScoreHistogram::from_bins(left.bins()).unwrap();
            prop_assert_eq!(&rebuilt, &left);
        }
    }
}
