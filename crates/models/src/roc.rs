//! The ROC curve of a score map against deposits: the true-positive rate (share of deposit
//! points on cells scoring at or above a threshold) against the false-positive rate (share of
//! the valid cells without a deposit scoring at or above it), thresholds by decreasing score
//! (Fawcett 2006, "An introduction to ROC analysis"). Cells of one score are one step: the
//! curve crosses a tied group on a straight line, so the trapezoid area under it is the
//! Mann–Whitney statistic with ties ½ (Hanley & McNeil 1982), the ROC AUC of
//! [`crate::ScoreHistogram::roc_auc`].

use std::io;

use crate::validation::DepositGroup;
use crate::Error;

/// One vertex of a ROC curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RocPoint {
    /// Share of the absences (valid cells without a deposit) scoring ≥ `score`.
    pub false_positive_rate: f64,
    /// Share of the deposit points on cells scoring ≥ `score`.
    pub true_positive_rate: f64,
    /// The threshold (`+inf` for the starting point (0, 0)).
    pub score: f64,
}

/// A ROC curve: its vertices by decreasing threshold from (0, 0) to (1, 1), and its area.
#[derive(Debug, Clone, PartialEq)]
pub struct RocCurve {
    /// The vertices: the start, the two ends of each tied group holding deposits, the end.
    /// Between them the curve is straight (horizontal where no deposit is passed).
    pub points: Vec<RocPoint>,
    /// Area under the vertices by the trapezoid rule (the ROC AUC, up to rounding).
    pub auc: f64,
}

/// The ROC curve of a map of `cells` valid cells from its deposit groups (decreasing score);
/// `next_above[g]` is the lowest score above group `g` (read only when cells score higher)
/// and `lowest` the lowest score of all.
pub(crate) fn groups_roc_curve(
    cells: u64,
    groups: &[DepositGroup],
    next_above: &[f64],
    lowest: f64,
) -> Result<RocCurve, Error> {
    assert_eq!(groups.len(), next_above.len());
    let deposits: u64 = groups.iter().map(|g| g.deposits).sum();
    let deposit_cells: u64 = groups.iter().map(|g| g.deposit_cells).sum();
    if deposits == 0 {
        return Err(Error::ZeroDeposits);
    }
    let absences = cells - deposit_cells;
    if absences == 0 {
        return Err(Error::NoAbsences);
    }
    let point = |absences_at_or_above: u64, d: u64, score: f64| RocPoint {
        false_positive_rate: absences_at_or_above as f64 / absences as f64,
        true_positive_rate: d as f64 / deposits as f64,
        score,
    };
    let mut points = vec![point(0, 0, f64::INFINITY)];
    let (mut d, mut deposit_cells_above) = (0u64, 0u64);
    for (g, &next) in groups.iter().zip(next_above) {
        let absences_above = g.cells_above - deposit_cells_above;
        if absences_above > 0 {
            let before = point(absences_above, d, next);
            if before != points[points.len() - 1] {
                points.push(before);
            }
        }
        d += g.deposits;
        deposit_cells_above += g.deposit_cells;
        let absences_at_or_above = g.cells_above + g.cells - deposit_cells_above;
        points.push(point(absences_at_or_above, d, g.score));
    }
    if points[points.len() - 1].false_positive_rate < 1.0 {
        points.push(point(absences, deposits, lowest));
    }
    let auc = points.windows(2).fold(0.0, |auc, w| {
        auc + (w[1].false_positive_rate - w[0].false_positive_rate)
            * (w[1].true_positive_rate + w[0].true_positive_rate)
            / 2.0
    });
    Ok(RocCurve { points, auc })
}

impl RocCurve {
    /// Writes the vertices as CSV with the header
    /// `false_positive_rate,true_positive_rate,score`, floats in Rust's shortest round-trip
    /// form (the first point's score is `inf`).
    ///
    /// # Errors
    /// Any I/O error of `writer`.
    pub fn write_csv<W: io::Write>(&self, mut writer: W) -> io::Result<()> {
        writeln!(writer, "false_positive_rate,true_positive_rate,score")?;
        for p in &self.points {
            writeln!(
                writer,
                "{},{},{}",
                p.false_positive_rate, p.true_positive_rate, p.score
            )?;
        }
        writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use crate::{ScoreHistogram, SplitMix64};
    use proptest::prelude::*;

    /// Two deposits, four cells: scores 0.9 (a deposit), 0.5 (a deposit, tied with an
    /// absence) and 0.1 (an absence).
    #[test]
    fn a_small_map_by_hand() {
        let mut h = ScoreHistogram::new();
        h.add_cell(0.9, 1);
        h.add_cell(0.5, 1);
        h.add_cell(0.5, 0);
        h.add_cell(0.1, 0);
        let roc = h.roc_curve().unwrap();
        let xy: Vec<(f64, f64)> = roc
            .points
            .iter()
            .map(|p| (p.false_positive_rate, p.true_positive_rate))
            .collect();
        assert_eq!(xy, [(0.0, 0.0), (0.0, 0.5), (0.5, 1.0), (1.0, 1.0)]);
        // Deposit at 0.9 beats both absences (1); the one at 0.5 ties one, beats one (¾).
        assert_eq!(roc.auc, 0.875);
        assert_eq!(h.roc_auc().unwrap(), 0.875);
        let mut csv = Vec::new();
        roc.write_csv(&mut csv).unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "false_positive_rate,true_positive_rate,score\n0,0,inf\n0,0.5,0.9\n0.5,1,0.5\n1,1,0.1\n"
        );
    }

    #[test]
    fn no_deposits_or_no_absences_are_errors() {
        let mut h = ScoreHistogram::new();
        h.add_cell(1.0, 0);
        assert!(matches!(h.roc_curve(), Err(crate::Error::ZeroDeposits)));
        let mut h = ScoreHistogram::new();
        h.add_cell(1.0, 2);
        assert!(matches!(h.roc_curve(), Err(crate::Error::NoAbsences)));
    }

    proptest! {
        /// The curve is monotone from (0, 0) to (1, 1), and its trapezoid area is the
        /// Mann–Whitney ROC AUC.
        #[test]
        fn the_area_is_the_roc_auc_and_the_curve_is_monotone(
            seed in 0u64..10_000, n in 2usize..400, levels in 1u32..50,
        ) {
            let mut rng = SplitMix64::new(seed);
            let mut h = ScoreHistogram::new();
            for _ in 0..n {
                let s = (rng.uniform() * levels as f64).floor();
                let d = u64::from(rng.uniform() < 0.1 + 0.01 * s) * (1 + rng.below(2) as u64);
                h.add_cell(s, d);
            }
            prop_assume!(h.roc_auc().is_ok());
            let roc = h.roc_curve().unwrap();
            prop_assert!((roc.auc - h.roc_auc().unwrap()).abs() < 1e-12);
            let p = &roc.points;
            prop_assert_eq!((p[0].false_positive_rate, p[0].true_positive_rate), (0.0, 0.0));
            let last = p[p.len() - 1];
            prop_assert_eq!((last.false_positive_rate, last.true_positive_rate), (1.0, 1.0));
            for w in p.windows(2) {
                prop_assert!(w[0].false_positive_rate <= w[1].false_positive_rate);
                prop_assert!(w[0].true_positive_rate <= w[1].true_positive_rate);
                prop_assert!(w[0].score > w[1].score);
            }
        }
    }
}
