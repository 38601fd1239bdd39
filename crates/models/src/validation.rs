//! Validation of a score map against deposits: success-/prediction-rate AUC, ROC AUC, the
//! area needed to capture a share of the deposits, the prediction–area (P-A) crossing, and
//! bootstrap confidence intervals — all from the deposits' ranks among the cells (the cells
//! scoring above and level with each deposit's score) and, for the P-A crossing, one walk
//! down the scores.
//!
//! Methods: success- and prediction-rate curves (Agterberg & Bonham-Carter 2005); ROC AUC as
//! the Mann–Whitney statistic with ties ½ (Hanley & McNeil 1982); the P-A plot, its crossing
//! point, normalised density Nd = P/O and weight W = ln Nd (Yousefi & Carranza 2015);
//! percentile bootstrap over deposit points (Efron & Tibshirani 1993, ch. 13).
//!
//! Ties: a threshold cannot split cells of equal score, so a capture figure takes the whole
//! tied group; in the AUCs a tie counts ½.

use crate::{Error, ScoreBin, ScoreHistogram, SplitMix64};

/// Options of [`validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationOptions {
    /// Shares of the deposits for capture figures (e.g. 0.5, 0.8, 0.9).
    pub capture_shares: Vec<f64>,
    /// Bootstrap replicates (0: no intervals).
    pub bootstrap_replicates: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// Two-sided confidence level of the intervals (e.g. 0.95).
    pub confidence_level: f64,
}

impl Default for ValidationOptions {
    fn default() -> Self {
        Self {
            capture_shares: vec![0.5, 0.8, 0.9],
            bootstrap_replicates: 1000,
            seed: 42,
            confidence_level: 0.95,
        }
    }
}

/// The area needed to capture a share of the deposits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Capture {
    /// The share of deposit points asked for.
    pub share_of_deposits: f64,
    /// The smallest fraction of the study area, taken by decreasing score, that holds at least
    /// that share (whole tied groups).
    pub fraction_of_area: f64,
    /// The score threshold reached.
    pub score: f64,
    /// Bootstrap interval of `fraction_of_area`, when bootstrapped.
    pub interval: Option<(f64, f64)>,
}

/// The crossing of the P-A plot: prediction rate P(t) (share of deposits with score ≥ t)
/// equals 1 − O(t) (O: share of the area with score ≥ t), by linear interpolation between the
/// two thresholds that bracket it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaCrossing {
    /// The score threshold at or just below the crossing.
    pub score: f64,
    /// Prediction rate at the crossing.
    pub prediction_rate: f64,
    /// Occupied area share at the crossing (= 1 − prediction rate).
    pub occupied_area: f64,
    /// Normalised density Nd = prediction rate / occupied area.
    pub normalised_density: f64,
    /// Weight W = ln Nd.
    pub weight: f64,
}

/// Everything [`validate`] measures.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationReport {
    /// Deposit points validated against.
    pub deposits: u64,
    /// Valid cells.
    pub cells: u64,
    /// Area under the success- (or prediction-) rate curve.
    pub rate_auc: f64,
    /// Its bootstrap interval.
    pub rate_auc_interval: Option<(f64, f64)>,
    /// ROC AUC (Mann–Whitney, ties ½; absences = valid cells without a deposit).
    pub roc_auc: f64,
    /// Its bootstrap interval.
    pub roc_auc_interval: Option<(f64, f64)>,
    /// Capture figures.
    pub captures: Vec<Capture>,
    /// The P-A crossing.
    pub pa_crossing: PaCrossing,
    /// Replicates used for the intervals.
    pub bootstrap_replicates: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
}

/// Deposit points sharing one score, with the valid cells level with and above it: all that
/// the AUCs, capture figures and bootstrap intervals need of a score map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DepositGroup {
    /// The score.
    pub score: f64,
    /// Deposit points on cells with this score.
    pub deposits: u64,
    /// Cells with this score holding at least one deposit point.
    pub deposit_cells: u64,
    /// Valid cells with this score.
    pub cells: u64,
    /// Valid cells with a higher score.
    pub cells_above: u64,
}

/// The groups of a histogram's bins (by decreasing score) that hold deposits.
pub(crate) fn deposit_groups(bins: &[ScoreBin]) -> Vec<DepositGroup> {
    let mut cells_above = 0u64;
    let mut groups = Vec::new();
    for b in bins {
        if b.deposits > 0 {
            groups.push(DepositGroup {
                score: b.score,
                deposits: b.deposits,
                deposit_cells: b.deposit_cells,
                cells: b.cells,
                cells_above,
            });
        }
        cells_above += b.cells;
    }
    groups
}

/// ROC AUC by the Mann–Whitney statistic with ties ½ from the deposit groups of a map of
/// `cells` valid cells (see [`ScoreHistogram::roc_auc`]), exactly in integers.
pub(crate) fn groups_roc_auc(cells: u64, groups: &[DepositGroup]) -> Result<f64, Error> {
    let deposit_cells: u64 = groups.iter().map(|g| g.deposit_cells).sum();
    let absences = u128::from(cells - deposit_cells);
    let (mut twice_wins, mut presences) = (0u128, 0u128);
    let mut deposit_cells_at_or_above = 0u64;
    for g in groups {
        deposit_cells_at_or_above += g.deposit_cells;
        let level = u128::from(g.cells - g.deposit_cells);
        let at_or_above = u128::from(g.cells_above + g.cells - deposit_cells_at_or_above);
        twice_wins += u128::from(g.deposits) * (2 * (absences - at_or_above) + level);
        presences += u128::from(g.deposits);
    }
    if presences == 0 {
        return Err(Error::ZeroDeposits);
    }
    if absences == 0 {
        return Err(Error::NoAbsences);
    }
    Ok(twice_wins as f64 / (2 * presences * absences) as f64)
}

/// One deposit group with what each deposit point in it contributes.
#[derive(Debug, Clone, Copy)]
struct Contribution {
    /// Area share with score > this group's + ½ of this group's (1 − this is the success AUC).
    area_tie_half: f64,
    /// Absence share with score < this group's + ½ of this group's.
    absence_tie_half: f64,
    /// Area share with score ≥ this group's.
    area_at_or_above: f64,
}

/// Validates the histogram's deposits against its cells.
///
/// # Errors
/// [`Error::EmptyHistogram`], [`Error::ZeroDeposits`], [`Error::NoAbsences`], and
/// [`Error::InvalidOption`] for a share or confidence level outside (0, 1].
pub fn validate(
    histogram: &ScoreHistogram,
    options: &ValidationOptions,
) -> Result<ValidationReport, Error> {
    let bins: Vec<ScoreBin> = histogram.bins(); // decreasing score
    let cells: u64 = bins.iter().map(|b| b.cells).sum();
    validate_groups(cells, &deposit_groups(&bins), options, |deposits| {
        Ok(pa_crossing(&bins, cells, deposits))
    })
}

/// Checks the options of [`validate`].
fn check_options(options: &ValidationOptions) -> Result<(), Error> {
    for &s in &options.capture_shares {
        if !(s > 0.0 && s <= 1.0) {
            return Err(Error::InvalidOption {
                name: "capture_shares",
                value: s,
                requirement: "in (0, 1]",
            });
        }
    }
    if !(options.confidence_level > 0.0 && options.confidence_level < 1.0) {
        return Err(Error::InvalidOption {
            name: "confidence_level",
            value: options.confidence_level,
            requirement: "in (0, 1)",
        });
    }
    Ok(())
}

/// [`validate`] from the deposit groups (by decreasing score) of a map of `cells` valid
/// cells; `crossing` gives the P-A crossing from the number of deposit points, once the
/// figures are known to be defined.
pub(crate) fn validate_groups(
    cells: u64,
    groups: &[DepositGroup],
    options: &ValidationOptions,
    crossing: impl FnOnce(u64) -> Result<PaCrossing, Error>,
) -> Result<ValidationReport, Error> {
    check_options(options)?;
    let deposits: u64 = groups.iter().map(|g| g.deposits).sum();
    let deposit_cells: u64 = groups.iter().map(|g| g.deposit_cells).sum();
    if cells == 0 {
        return Err(Error::EmptyHistogram);
    }
    if deposits == 0 {
        return Err(Error::ZeroDeposits);
    }
    let absences = cells - deposit_cells;
    if absences == 0 {
        return Err(Error::NoAbsences);
    }
    // Per-group contributions, and the deposit points as group indices (decreasing score).
    let mut contributions = Vec::with_capacity(groups.len());
    let mut deposit_cells_at_or_above = 0u64;
    let mut points: Vec<u32> = Vec::with_capacity(deposits as usize);
    for (k, g) in groups.iter().enumerate() {
        let here = g.cells - g.deposit_cells;
        deposit_cells_at_or_above += g.deposit_cells;
        let absences_below = absences - ((g.cells_above + g.cells) - deposit_cells_at_or_above);
        contributions.push(Contribution {
            area_tie_half: (g.cells_above as f64 + 0.5 * g.cells as f64) / cells as f64,
            absence_tie_half: (absences_below as f64 + 0.5 * here as f64) / absences as f64,
            area_at_or_above: (g.cells_above + g.cells) as f64 / cells as f64,
        });
        points.extend(std::iter::repeat_n(k as u32, g.deposits as usize));
    }
    let measure = |sample: &mut Vec<u32>| -> (f64, f64, Vec<f64>) {
        let n = sample.len() as f64;
        let (mut sr, mut roc) = (0.0, 0.0);
        for &k in sample.iter() {
            sr += contributions[k as usize].area_tie_half;
            roc += contributions[k as usize].absence_tie_half;
        }
        sample.sort_unstable();
        let captures = options
            .capture_shares
            .iter()
            .map(|&q| {
                let rank = ((q * n).ceil() as usize).clamp(1, sample.len());
                contributions[sample[rank - 1] as usize].area_at_or_above
            })
            .collect();
        (1.0 - sr / n, roc / n, captures)
    };
    let mut all = points.clone();
    let (rate_auc, roc_auc, capture_areas) = measure(&mut all);
    let capture_scores: Vec<f64> = options
        .capture_shares
        .iter()
        .map(|&q| {
            let rank = ((q * deposits as f64).ceil() as usize).clamp(1, points.len());
            groups[points[rank - 1] as usize].score
        })
        .collect();

    // Percentile bootstrap over deposit points.
    let (mut rate_auc_interval, mut roc_auc_interval) = (None, None);
    let mut capture_intervals = vec![None; options.capture_shares.len()];
    if options.bootstrap_replicates > 0 {
        let mut rng = SplitMix64::new(options.seed);
        let b = options.bootstrap_replicates;
        let (mut rates, mut rocs) = (Vec::with_capacity(b), Vec::with_capacity(b));
        let mut caps = vec![Vec::with_capacity(b); options.capture_shares.len()];
        let mut sample = vec![0u32; points.len()];
        for _ in 0..b {
            for s in sample.iter_mut() {
                *s = points[rng.below(points.len())];
            }
            let (r, c, cap) = measure(&mut sample);
            rates.push(r);
            rocs.push(c);
            for (v, x) in caps.iter_mut().zip(cap) {
                v.push(x);
            }
        }
        let alpha = 1.0 - options.confidence_level;
        rate_auc_interval = Some(percentile_interval(&mut rates, alpha));
        roc_auc_interval = Some(percentile_interval(&mut rocs, alpha));
        for (slot, v) in capture_intervals.iter_mut().zip(caps.iter_mut()) {
            *slot = Some(percentile_interval(v, alpha));
        }
    }
    let captures = options
        .capture_shares
        .iter()
        .enumerate()
        .map(|(i, &q)| Capture {
            share_of_deposits: q,
            fraction_of_area: capture_areas[i],
            score: capture_scores[i],
            interval: capture_intervals[i],
        })
        .collect();
    Ok(ValidationReport {
        deposits,
        cells,
        rate_auc,
        rate_auc_interval,
        roc_auc,
        roc_auc_interval,
        captures,
        pa_crossing: crossing(deposits)?,
        bootstrap_replicates: options.bootstrap_replicates,
        seed: options.seed,
    })
}

/// The P-A crossing from bins by decreasing score.
fn pa_crossing(bins: &[ScoreBin], cells: u64, deposits: u64) -> PaCrossing {
    let (mut p0, mut o0) = (0.0f64, 0.0f64);
    let (mut c, mut d) = (0u64, 0u64);
    for b in bins {
        c += b.cells;
        d += b.deposits;
        let (p1, o1) = (d as f64 / deposits as f64, c as f64 / cells as f64);
        if crosses(p1, o1) {
            return crossing_between(b.score, (p0, o0), (p1, o1));
        }
        (p0, o0) = (p1, o1);
    }
    unreachable!("the last bin has P = 1 and O = 1, so f = 1 ≥ 0")
}

/// Whether the P-A plot has crossed at prediction rate `p` and occupied area `o`:
/// f = P − (1 − O) ≥ 0.
pub(crate) fn crosses(p: f64, o: f64) -> bool {
    p - (1.0 - o) >= 0.0
}

/// The P-A crossing between the point (P, O) at the threshold just above `score` and the
/// point at `score`, by linear interpolation of f = P − (1 − O).
pub(crate) fn crossing_between(
    score: f64,
    (p0, o0): (f64, f64),
    (p1, o1): (f64, f64),
) -> PaCrossing {
    let f0 = p0 - (1.0 - o0);
    let f1 = p1 - (1.0 - o1);
    let lambda = if f1 > f0 { -f0 / (f1 - f0) } else { 1.0 };
    let p = p0 + lambda * (p1 - p0);
    let o = o0 + lambda * (o1 - o0);
    let nd = p / o;
    PaCrossing {
        score,
        prediction_rate: p,
        occupied_area: o,
        normalised_density: nd,
        weight: nd.ln(),
    }
}

/// The P-A plot as rows (score, prediction rate, occupied area), by decreasing score.
pub fn pa_plot(histogram: &ScoreHistogram) -> Vec<(f64, f64, f64)> {
    let bins = histogram.bins();
    let cells: u64 = bins.iter().map(|b| b.cells).sum();
    let deposits: u64 = bins.iter().map(|b| b.deposits).sum();
    let (mut c, mut d) = (0u64, 0u64);
    bins.iter()
        .map(|b| {
            c += b.cells;
            d += b.deposits;
            (
                b.score,
                d as f64 / deposits.max(1) as f64,
                c as f64 / cells.max(1) as f64,
            )
        })
        .collect()
}

/// The points of a [`pa_plot`] worth drawing: both ends, every point next to a change of
/// the prediction rate, and otherwise one point per `area_step` of occupied area. A
/// continuous score has one point per distinct value (millions); the thinned plot keeps the
/// prediction-rate steps exactly and the occupied-area curve to within `area_step`.
pub fn thin_pa_plot(points: &[(f64, f64, f64)], area_step: f64) -> Vec<(f64, f64, f64)> {
    let n = points.len();
    let mut out = Vec::new();
    let mut last_area = f64::NEG_INFINITY;
    for i in 0..n {
        let step = |a: usize| points[a].1 != points[a + 1].1;
        let keep =
            i == 0 || i + 1 == n || step(i - 1) || step(i) || points[i].2 - last_area >= area_step;
        if keep {
            out.push(points[i]);
            last_area = points[i].2;
        }
    }
    out
}

/// Percentile interval (lower α/2, upper 1 − α/2 order statistics).
fn percentile_interval(values: &mut [f64], alpha: f64) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    let last = (values.len() - 1) as f64;
    let lo = (0.5 * alpha * last).floor() as usize;
    let hi = ((1.0 - 0.5 * alpha) * last).ceil() as usize;
    (values[lo], values[hi.min(values.len() - 1)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn thinned_pa_plot_keeps_every_rate_step_and_bounds_area_gaps() {
        let mut rng = crate::SplitMix64::new(9);
        let mut h = ScoreHistogram::new();
        for _ in 0..20_000 {
            let s = rng.uniform();
            h.add_cell(s, u64::from(rng.uniform() < 0.01 * s));
        }
        let full = pa_plot(&h);
        let thin = thin_pa_plot(&full, 0.001);
        assert!(
            thin.len() < full.len() / 4,
            "{} of {}",
            thin.len(),
            full.len()
        );
        assert_eq!(thin[0], full[0]);
        assert_eq!(thin[thin.len() - 1], full[full.len() - 1]);
        // Every distinct prediction rate survives, and kept points are in order.
        let rates = |v: &[(f64, f64, f64)]| {
            let mut r: Vec<u64> = v.iter().map(|p| p.1.to_bits()).collect();
            r.dedup();
            r
        };
        assert_eq!(rates(&full), rates(&thin));
        for w in thin.windows(2) {
            assert!(w[1].0 <= w[0].0);
            // No gap in occupied area wider than the step plus one score group (one cell).
            assert!(w[1].2 - w[0].2 < 0.001 + 1.0 / 20_000.0 + 1e-12);
        }
    }

    fn histogram(cells: &[(f64, u64)]) -> ScoreHistogram {
        let mut h = ScoreHistogram::new();
        for &(s, d) in cells {
            h.add_cell(s, d);
        }
        h
    }

    /// Brute force: sort cells by decreasing score, walk whole tied groups.
    fn brute_capture(cells: &[(f64, u64)], q: f64) -> f64 {
        let total: u64 = cells.iter().map(|c| c.1).sum();
        let need = (q * total as f64).ceil() as u64;
        let mut scores: Vec<f64> = cells.iter().map(|c| c.0).collect();
        scores.sort_by(|a, b| b.total_cmp(a));
        scores.dedup();
        for t in scores {
            let got: u64 = cells.iter().filter(|c| c.0 >= t).map(|c| c.1).sum();
            if got >= need {
                return cells.iter().filter(|c| c.0 >= t).count() as f64 / cells.len() as f64;
            }
        }
        1.0
    }

    fn no_bootstrap() -> ValidationOptions {
        ValidationOptions {
            bootstrap_replicates: 0,
            ..ValidationOptions::default()
        }
    }

    proptest! {
        /// AUCs equal the curve's trapezoid and the pairwise Mann–Whitney count; captures equal
        /// a brute-force walk over sorted cells.
        #[test]
        fn figures_equal_brute_force(
            cells in prop::collection::vec((0u8..15, prop::sample::select(vec![0u64, 0, 0, 0, 0, 1, 2])), 5..150)
        ) {
            let cells: Vec<(f64, u64)> = cells.into_iter().map(|(s, d)| (f64::from(s) / 4.0, d)).collect();
            let h = histogram(&cells);
            let deposits: u64 = cells.iter().map(|c| c.1).sum();
            let absences = cells.iter().filter(|c| c.1 == 0).count();
            prop_assume!(deposits > 0 && absences > 0);
            let r = validate(&h, &no_bootstrap()).unwrap();
            prop_assert!((r.rate_auc - h.success_rate().unwrap().auc).abs() < 1e-12);
            // Pairwise Mann–Whitney.
            let mut wins = 0.0;
            for p in cells.iter().filter(|c| c.1 > 0) {
                for a in cells.iter().filter(|c| c.1 == 0) {
                    let w = if p.0 > a.0 { 1.0 } else if p.0 == a.0 { 0.5 } else { 0.0 };
                    wins += w * p.1 as f64;
                }
            }
            prop_assert!((r.roc_auc - wins / (deposits as f64 * absences as f64)).abs() < 1e-12);
            for c in &r.captures {
                prop_assert!((c.fraction_of_area - brute_capture(&cells, c.share_of_deposits)).abs() < 1e-12);
            }
            // The P-A crossing has P = 1 − O and Nd = P / O.
            let x = r.pa_crossing;
            prop_assert!((x.prediction_rate + x.occupied_area - 1.0).abs() < 1e-12);
            prop_assert!((x.normalised_density - x.prediction_rate / x.occupied_area).abs() < 1e-12);
        }
    }

    #[test]
    fn hand_computed_case() {
        // Scores 3, 2, 1, 0 (one cell each) + deposits: 2 on the cell of score 3, 1 on score 1.
        let h = histogram(&[(3.0, 2), (2.0, 0), (1.0, 1), (0.0, 0)]);
        let r = validate(&h, &no_bootstrap()).unwrap();
        // Success AUC = 1 − mean(area above + ½ tie) = 1 − (2·0.125 + 0.625)/3.
        assert!((r.rate_auc - (1.0 - (2.0 * 0.125 + 0.625) / 3.0)).abs() < 1e-15);
        // ROC: absences at 2 and 0; deposits at 3 beat both, the one at 1 beats one: (2·2 + 1)/6.
        assert!((r.roc_auc - 5.0 / 6.0).abs() < 1e-15);
        // 50 %: 2 of 3 needed → score 3 → area 1/4; 90 %: all 3 → score 1 → area 3/4.
        assert_eq!(r.captures[0].fraction_of_area, 0.25);
        assert_eq!(r.captures[2].fraction_of_area, 0.75);
        // P-A: after score 3, P = 2/3, 1 − O = 3/4 (f < 0); after score 2, P = 2/3, 1 − O = 1/2.
        // f0 = −1/12, f1 = 1/6 → λ = 1/3: O = 1/4 + 1/12 = 1/3, P = 2/3, Nd = 2.
        let x = r.pa_crossing;
        assert_eq!(x.score, 2.0);
        assert!((x.occupied_area - 1.0 / 3.0).abs() < 1e-15);
        assert!((x.normalised_density - 2.0).abs() < 1e-12);
    }

    #[test]
    fn bootstrap_is_seeded_and_brackets_the_estimate() {
        let cells: Vec<(f64, u64)> = (0..400)
            .map(|i| (f64::from(i % 37), u64::from(i % 11 == 0 && i % 37 > 12)))
            .collect();
        let h = histogram(&cells);
        let a = validate(&h, &ValidationOptions::default()).unwrap();
        let b = validate(&h, &ValidationOptions::default()).unwrap();
        assert_eq!(a, b);
        let (lo, hi) = a.roc_auc_interval.unwrap();
        assert!(
            lo <= a.roc_auc && a.roc_auc <= hi && lo < hi,
            "{lo} {} {hi}",
            a.roc_auc
        );
        let (lo, hi) = a.rate_auc_interval.unwrap();
        assert!(lo <= a.rate_auc && a.rate_auc <= hi);
        let c = validate(
            &h,
            &ValidationOptions {
                seed: 7,
                ..ValidationOptions::default()
            },
        )
        .unwrap();
        assert_ne!(a.roc_auc_interval, c.roc_auc_interval);
    }

    #[test]
    fn bad_options_are_rejected() {
        let h = histogram(&[(1.0, 1), (0.0, 0)]);
        let o = ValidationOptions {
            capture_shares: vec![1.5],
            ..no_bootstrap()
        };
        assert!(validate(&h, &o).is_err());
        assert!(matches!(
            validate(&histogram(&[(1.0, 0)]), &no_bootstrap()),
            Err(Error::ZeroDeposits)
        ));
    }
}
