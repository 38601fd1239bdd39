//! Validation in bounded memory: a score map's distribution over its cells, held as the exact
//! ranks of the deposits' scores plus a fixed number of bins, built in streaming passes.
//!
//! A data-driven map has nearly one distinct score per cell, so an exact histogram
//! ([`ScoreHistogram`]) grows with the grid. Validation needs far less (Agterberg &
//! Bonham-Carter 2005; Hanley & McNeil 1982; Yousefi & Carranza 2015):
//! - the ROC and success-rate AUCs, the capture figures and their bootstrap intervals need, for
//!   each deposit's score, the number of valid cells scoring strictly above it and level with
//!   it;
//! - the success-rate curve's vertices and the steps of the P-A plot need, besides, the lowest
//!   cell score above each deposit's score;
//! - a threshold (the P-A crossing, the top x % of the area) needs one order statistic.
//!
//! So the first pass ([`ScoreSurvey`], per block, merged) counts cells, finds the range of the
//! scores and collects the deposit cells' scores; it also keeps an exact histogram while there
//! are at most [`ScoreLimits::exact_scores`] distinct scores, and then nothing more is needed.
//! Otherwise a second pass ([`ScoreDistribution::from_surveys`]) counts the cells level with
//! each distinct deposit score and between each two (a binary search per cell), and the cells
//! in [`ScoreLimits::bins`] equal-width bins with their lowest and highest score. An order
//! statistic is then found exactly by further passes over the cells of the one bin holding it:
//! an exact histogram of those cells when they have few distinct scores, else sub-bins over
//! the scores' order-preserving bit patterns; each level divides the number of representable
//! values in range by the number of bins, so a few levels always reach a single value.
//!
//! Memory is of the order of deposits + bins + exact scores per block in flight, whatever the
//! size of the grid. Every figure equals the exact histogram's bit for bit, except the P-A
//! plot's rows between prediction-rate steps, which are taken at the bins' lowest scores
//! (each still an exact point of the plot).

use std::collections::HashMap;
use std::sync::Arc;

use crate::roc::{groups_roc_curve, RocCurve};
use crate::success_rate::trapezoid_area;
use crate::validation::{crosses, crossing_between, groups_roc_auc, validate_groups, DepositGroup};
use crate::{
    CurvePoint, Error, PaCrossing, ScoreHistogram, SuccessRateCurve, ValidationOptions,
    ValidationReport,
};

/// An error of a [`ScoreScan`], boxed.
pub type ScanError = Box<dyn std::error::Error + Send + Sync>;

/// A score map that can be read again, block by block, for the passes after the first (the
/// engine reads a raster; tests a slice).
pub trait ScoreScan {
    /// Reduces the map: `block` turns one block's valid scores into a partial result (NaN
    /// among them is skipped), and `merge` adds each partial result into `total`. Blocks may be
    /// processed in parallel and merged in any order: the reductions are associative and
    /// commutative.
    ///
    /// # Errors
    /// Whatever reading the map fails with.
    fn reduce<A, B, M>(&self, total: &mut A, block: B, merge: M) -> Result<(), ScanError>
    where
        A: Send,
        B: Fn(&[f64]) -> A + Sync,
        M: FnMut(&mut A, A);
}

/// Limits that bound the memory of validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreLimits {
    /// Distinct scores kept in an exact histogram (of the whole map in the first pass, of one
    /// bin when refining an order statistic) before falling back to bins.
    pub exact_scores: usize,
    /// Bins of the score range in the second pass, and sub-bins of each refinement (≥ 2).
    pub bins: usize,
}

impl Default for ScoreLimits {
    /// 2^16 exact scores and 2^16 bins: about 1.5 MB per block in flight.
    fn default() -> Self {
        Self {
            exact_scores: 1 << 16,
            bins: 1 << 16,
        }
    }
}

impl ScoreLimits {
    fn bin_count(&self) -> usize {
        self.bins.max(2)
    }
}

/// The first pass over a score map with one set of deposits: cell counts, the range of the
/// scores, the deposit cells' scores, and an exact histogram while it stays small; built cell
/// by cell and merged across blocks.
///
/// NaN scores are NoData, tallied in [`ScoreSurvey::nan_cells`] and
/// [`ScoreSurvey::nan_deposits`]; `-0.0` is `0.0`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreSurvey {
    limits: ScoreLimits,
    exact: Option<ScoreHistogram>,
    /// (score, deposit points) of each valid cell holding deposits.
    deposit_cells: Vec<(f64, u64)>,
    cells: u64,
    nan_cells: u64,
    nan_deposits: u64,
    lowest: f64,
    highest: f64,
}

impl Default for ScoreSurvey {
    fn default() -> Self {
        Self::with_limits(ScoreLimits::default())
    }
}

impl ScoreSurvey {
    /// An empty survey with the default [`ScoreLimits`].
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty survey with the given limits.
    pub fn with_limits(limits: ScoreLimits) -> Self {
        Self {
            limits,
            exact: Some(ScoreHistogram::new()),
            deposit_cells: Vec::new(),
            cells: 0,
            nan_cells: 0,
            nan_deposits: 0,
            lowest: f64::INFINITY,
            highest: f64::NEG_INFINITY,
        }
    }

    /// Adds one cell with `deposits` deposit points on it.
    #[inline]
    pub fn add_cell(&mut self, score: f64, deposits: u64) {
        if score.is_nan() {
            self.nan_cells += 1;
            self.nan_deposits += deposits;
        } else {
            let score = score + 0.0;
            self.cells += 1;
            self.lowest = self.lowest.min(score);
            self.highest = self.highest.max(score);
            if deposits > 0 {
                self.deposit_cells.push((score, deposits));
            }
        }
        if let Some(h) = &mut self.exact {
            h.add_cell(score, deposits);
            if h.distinct_scores() > self.limits.exact_scores {
                self.exact = None;
            }
        }
    }

    /// Adds another survey of other cells of the same map (associative and commutative).
    pub fn merge(&mut self, other: ScoreSurvey) {
        self.exact = match (self.exact.take(), other.exact) {
            (Some(mut a), Some(b)) => {
                a.merge(&b);
                (a.distinct_scores() <= self.limits.exact_scores).then_some(a)
            }
            _ => None,
        };
        self.deposit_cells.extend(other.deposit_cells);
        self.cells += other.cells;
        self.nan_cells += other.nan_cells;
        self.nan_deposits += other.nan_deposits;
        self.lowest = self.lowest.min(other.lowest);
        self.highest = self.highest.max(other.highest);
    }

    /// Stops keeping the exact histogram (as when it grows past the limit); a block can start
    /// this way once the merged survey has given it up, to save the work.
    pub fn drop_exact(&mut self) {
        self.exact = None;
    }

    /// Whether the survey still holds an exact histogram of every score.
    pub fn is_exact(&self) -> bool {
        self.exact.is_some()
    }

    /// The exact distribution, if the survey still holds its exact histogram (then no further
    /// pass is needed).
    pub fn into_exact(self) -> Option<ScoreDistribution> {
        self.exact.map(ScoreDistribution::from_histogram)
    }

    /// Entries held: distinct scores of the exact histogram plus deposit cells. Bounded by
    /// [`ScoreLimits::exact_scores`] + 1 + deposit cells, whatever the number of cells.
    pub fn held_entries(&self) -> usize {
        self.exact
            .as_ref()
            .map_or(0, ScoreHistogram::distinct_scores)
            + self.deposit_cells.len()
    }

    /// Valid (non-NaN) cells.
    pub fn cells(&self) -> u64 {
        self.cells
    }

    /// Deposit points on valid cells.
    pub fn deposits(&self) -> u64 {
        self.deposit_cells.iter().map(|c| c.1).sum()
    }

    /// Cells skipped because their score was NaN.
    pub fn nan_cells(&self) -> u64 {
        self.nan_cells
    }

    /// Deposit points skipped because their cell's score was NaN.
    pub fn nan_deposits(&self) -> u64 {
        self.nan_deposits
    }
}

/// What validation, its curves and thresholds need of a score map and one set of deposits, in
/// memory bounded by the deposits and a fixed number of bins.
///
/// A map with at most [`ScoreLimits::exact_scores`] distinct scores keeps an exact
/// [`ScoreHistogram`]. Otherwise the distribution holds, for each distinct deposit score, the
/// valid cells level with it and strictly above it and the lowest cell score above it — all
/// that the AUCs, capture figures, bootstrap intervals, success-rate vertices and P-A steps
/// need — plus [`ScoreLimits::bins`] equal-width bins of the score range; an order statistic
/// (the P-A crossing, the top x % of the area) is found exactly by further passes over the
/// cells of the one bin holding it. Every figure equals the exact histogram's bit for bit,
/// except the P-A plot's rows between prediction-rate steps (see
/// [`ScoreDistribution::pa_plot`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreDistribution {
    form: Form,
}

#[derive(Debug, Clone, PartialEq)]
enum Form {
    Exact(ScoreHistogram),
    Streamed(Box<Streamed>),
}

/// The streamed form of one set of deposits.
#[derive(Debug, Clone, PartialEq)]
struct Streamed {
    limits: ScoreLimits,
    cells: u64,
    nan_cells: u64,
    nan_deposits: u64,
    /// Deposit groups by decreasing score.
    groups: Vec<DepositGroup>,
    /// For each group, the lowest cell score above it (meaningless when no cell scores
    /// higher: `cells_above` is 0).
    next_above: Vec<f64>,
    /// The lowest score of all.
    lowest: f64,
    /// The bins of the score range (shared by the sets of one map).
    bins: Arc<ValueBins>,
    /// The P-A crossing, when defined (cells, deposits and absences exist).
    pa_crossing: Option<PaCrossing>,
}

impl ScoreDistribution {
    /// The distribution of an exact histogram.
    pub fn from_histogram(histogram: ScoreHistogram) -> Self {
        Self {
            form: Form::Exact(histogram),
        }
    }

    /// The distributions of one map with several sets of deposits, from their first-pass
    /// surveys (in order): exact histograms if the surveys kept them, else a second pass over
    /// `scan` (one for all the sets) and, for the P-A crossings, a few passes over the cells of
    /// one bin.
    ///
    /// # Errors
    /// [`Error::Scan`] if reading fails; [`Error::ScoresChanged`] if a later pass does not
    /// see the cells the first one saw.
    pub fn from_surveys(
        surveys: Vec<ScoreSurvey>,
        scan: &impl ScoreScan,
    ) -> Result<Vec<Self>, Error> {
        if surveys.iter().all(ScoreSurvey::is_exact) {
            return Ok(surveys
                .into_iter()
                .filter_map(|s| s.exact)
                .map(Self::from_histogram)
                .collect());
        }
        let Some(first) = surveys.first() else {
            return Ok(Vec::new());
        };
        let (limits, cells, lowest, highest) =
            (first.limits, first.cells, first.lowest, first.highest);
        // Pass 2: cells level with and between the distinct deposit scores, and the bins.
        let mut levels: Vec<f64> = surveys
            .iter()
            .flat_map(|s| s.deposit_cells.iter().map(|c| c.0))
            .collect();
        levels.sort_by(f64::total_cmp);
        levels.dedup();
        let empty = || {
            LevelCounts::new(
                levels.len(),
                ValueBins::new(lowest, highest, limits.bin_count()),
            )
        };
        let mut counts = empty();
        scan.reduce(
            &mut counts,
            |scores| {
                let mut c = empty();
                for &v in scores {
                    if !v.is_nan() {
                        c.add(&levels, v + 0.0);
                    }
                }
                c
            },
            |total, part| total.merge(&part),
        )
        .map_err(|source| Error::Scan { source })?;
        let seen = counts.cells();
        if seen != cells {
            return Err(Error::ScoresChanged {
                first: cells,
                later: seen,
            });
        }
        // Cells strictly above each level, and the lowest cell score above it.
        let k = levels.len();
        let mut above = vec![0u64; k];
        let mut next_above = vec![f64::INFINITY; k];
        let mut acc = counts.between[k];
        let mut lowest_above = counts.between_lowest[k];
        for i in (0..k).rev() {
            above[i] = acc;
            next_above[i] = lowest_above;
            acc += counts.level[i] + counts.between[i];
            lowest_above = if counts.between[i] > 0 {
                counts.between_lowest[i]
            } else {
                levels[i]
            };
        }
        let bins = Arc::new(counts.bins);
        let mut streamed: Vec<Streamed> = Vec::with_capacity(surveys.len());
        for s in surveys {
            let mut cells_of = s.deposit_cells;
            cells_of.sort_by(|a, b| b.0.total_cmp(&a.0));
            let (mut groups, mut next) = (Vec::<DepositGroup>::new(), Vec::new());
            for (score, points) in cells_of {
                match groups.last_mut() {
                    Some(g) if g.score == score => {
                        g.deposits += points;
                        g.deposit_cells += 1;
                    }
                    _ => {
                        let i = levels.partition_point(|&l| l < score);
                        groups.push(DepositGroup {
                            score,
                            deposits: points,
                            deposit_cells: 1,
                            cells: counts.level[i],
                            cells_above: above[i],
                        });
                        next.push(next_above[i]);
                    }
                }
            }
            if let Some(g) = groups.iter().find(|g| g.deposit_cells > g.cells) {
                return Err(Error::ScoresChanged {
                    first: g.deposit_cells,
                    later: g.cells,
                });
            }
            streamed.push(Streamed {
                limits,
                cells,
                nan_cells: s.nan_cells,
                nan_deposits: s.nan_deposits,
                groups,
                next_above: next,
                lowest,
                bins: Arc::clone(&bins),
                pa_crossing: None,
            });
        }
        // The P-A crossings: those inside a run of cells without deposits need the score at
        // one rank, found for all the sets together.
        let walks: Vec<Option<PaWalk>> = streamed.iter().map(Streamed::pa_walk).collect();
        let ranks: Vec<u64> = walks
            .iter()
            .filter_map(|w| match w {
                Some(PaWalk::AtRank { rank, .. }) => Some(*rank),
                _ => None,
            })
            .collect();
        let mut found = order_statistics(&ranks, &bins, limits, scan)?.into_iter();
        for (s, walk) in streamed.iter_mut().zip(walks) {
            s.pa_crossing = match walk {
                None => None,
                Some(PaWalk::Crossed(x)) => Some(x),
                Some(PaWalk::AtRank {
                    prediction_rate, ..
                }) => {
                    let Some(q) = found.next() else {
                        unreachable!("one order statistic per rank asked for")
                    };
                    let n = s.cells as f64;
                    Some(crossing_between(
                        q.score,
                        (prediction_rate, q.above as f64 / n),
                        (prediction_rate, q.at_or_above as f64 / n),
                    ))
                }
            };
        }
        Ok(streamed
            .into_iter()
            .map(|s| Self {
                form: Form::Streamed(Box::new(s)),
            })
            .collect())
    }

    /// Whether this is an exact histogram of every score (few distinct scores).
    pub fn is_exact(&self) -> bool {
        matches!(self.form, Form::Exact(_))
    }

    /// Entries held: distinct scores of an exact histogram, or deposit groups plus bins.
    pub fn held_entries(&self) -> usize {
        match &self.form {
            Form::Exact(h) => h.distinct_scores(),
            Form::Streamed(s) => s.groups.len() + s.bins.count.len(),
        }
    }

    /// Number of valid (non-NaN) cells.
    pub fn total_cells(&self) -> u64 {
        match &self.form {
            Form::Exact(h) => h.total_cells(),
            Form::Streamed(s) => s.cells,
        }
    }

    /// Number of deposit points on valid cells.
    pub fn total_deposits(&self) -> u64 {
        match &self.form {
            Form::Exact(h) => h.total_deposits(),
            Form::Streamed(s) => s.deposits(),
        }
    }

    /// Cells skipped because their score was NaN.
    pub fn nan_cells(&self) -> u64 {
        match &self.form {
            Form::Exact(h) => h.nan_cells(),
            Form::Streamed(s) => s.nan_cells,
        }
    }

    /// Deposit points skipped because their cell's score was NaN.
    pub fn nan_deposits(&self) -> u64 {
        match &self.form {
            Form::Exact(h) => h.nan_deposits(),
            Form::Streamed(s) => s.nan_deposits,
        }
    }

    /// The success-rate curve ([`ScoreHistogram::success_rate`]). In the streamed form its
    /// points are the curve's [`SuccessRateCurve::vertices`] (the same as the exact curve's)
    /// and its area the trapezoid rule over them, equal to the exact area up to rounding.
    ///
    /// # Errors
    /// [`Error::EmptyHistogram`] if there are no valid cells; [`Error::ZeroDeposits`] if no
    /// deposit falls on one.
    pub fn success_rate(&self) -> Result<SuccessRateCurve, Error> {
        let s = match &self.form {
            Form::Exact(h) => return h.success_rate(),
            Form::Streamed(s) => s,
        };
        let deposits = s.deposits();
        if s.cells == 0 {
            return Err(Error::EmptyHistogram);
        }
        if deposits == 0 {
            return Err(Error::ZeroDeposits);
        }
        let point = |cells: u64, d: u64, score: f64| CurvePoint {
            fraction_of_area: cells as f64 / s.cells as f64,
            fraction_of_deposits: d as f64 / deposits as f64,
            score,
        };
        let mut points = vec![CurvePoint {
            fraction_of_area: 0.0,
            fraction_of_deposits: 0.0,
            score: f64::INFINITY,
        }];
        // Points after the start, once per score.
        let mut push = |p: CurvePoint| {
            if points.len() == 1 || points[points.len() - 1].score != p.score {
                points.push(p);
            }
        };
        let mut d = 0u64;
        for (g, &next) in s.groups.iter().zip(&s.next_above) {
            if g.cells_above > 0 {
                push(point(g.cells_above, d, next));
            }
            d += g.deposits;
            push(point(g.cells_above + g.cells, d, g.score));
        }
        push(point(s.cells, deposits, s.lowest));
        let auc = trapezoid_area(&points);
        Ok(SuccessRateCurve { points, auc })
    }

    /// ROC AUC ([`ScoreHistogram::roc_auc`]): exact in integers in either form.
    ///
    /// # Errors
    /// [`Error::ZeroDeposits`] if there are no presences; [`Error::NoAbsences`] if there are
    /// no absences.
    pub fn roc_auc(&self) -> Result<f64, Error> {
        match &self.form {
            Form::Exact(h) => h.roc_auc(),
            Form::Streamed(s) => groups_roc_auc(s.cells, &s.groups),
        }
    }

    /// The ROC curve ([`ScoreHistogram::roc_curve`]), the same vertices in either form.
    ///
    /// # Errors
    /// [`Error::ZeroDeposits`] if there are no presences; [`Error::NoAbsences`] if there are
    /// no absences.
    pub fn roc_curve(&self) -> Result<RocCurve, Error> {
        match &self.form {
            Form::Exact(h) => h.roc_curve(),
            Form::Streamed(s) => groups_roc_curve(s.cells, &s.groups, &s.next_above, s.lowest),
        }
    }

    /// The P-A plot as rows (score, prediction rate, occupied area) by decreasing score, as
    /// [`crate::pa_plot`]. In the streamed form the rows are every prediction-rate step (the
    /// thresholds at and just above each deposit score) and one row at the lowest score of
    /// each bin: all exact points of the plot, but not all of them.
    pub fn pa_plot(&self) -> Vec<(f64, f64, f64)> {
        let s = match &self.form {
            Form::Exact(h) => return crate::pa_plot(h),
            Form::Streamed(s) => s,
        };
        let deposits = s.deposits().max(1) as f64;
        let cells = s.cells.max(1) as f64;
        let mut rows = Vec::with_capacity(2 * s.groups.len() + s.bins.count.len());
        let mut d = 0u64;
        for (g, &next) in s.groups.iter().zip(&s.next_above) {
            if g.cells_above > 0 {
                rows.push((next, d as f64 / deposits, g.cells_above as f64 / cells));
            }
            d += g.deposits;
            rows.push((
                g.score,
                d as f64 / deposits,
                (g.cells_above + g.cells) as f64 / cells,
            ));
        }
        // Deposits at or above a score, from the groups (decreasing score).
        let mut cumulative = Vec::with_capacity(s.groups.len());
        let mut acc = 0u64;
        for g in &s.groups {
            acc += g.deposits;
            cumulative.push(acc);
        }
        let deposits_at_or_above = |t: f64| {
            let n = s.groups.partition_point(|g| g.score >= t);
            if n == 0 {
                0
            } else {
                cumulative[n - 1]
            }
        };
        let mut cells_at_or_above = 0u64;
        for k in (0..s.bins.count.len()).rev() {
            if s.bins.count[k] == 0 {
                continue;
            }
            cells_at_or_above += s.bins.count[k];
            let t = s.bins.lowest[k];
            rows.push((
                t,
                deposits_at_or_above(t) as f64 / deposits,
                cells_at_or_above as f64 / cells,
            ));
        }
        rows.sort_by(|a, b| b.0.total_cmp(&a.0));
        rows.dedup_by(|a, b| a.0 == b.0);
        rows
    }

    /// Validation figures ([`crate::validate`]), equal to the exact histogram's in either form.
    ///
    /// # Errors
    /// As [`crate::validate`].
    pub fn validate(&self, options: &ValidationOptions) -> Result<ValidationReport, Error> {
        match &self.form {
            Form::Exact(h) => crate::validate(h, options),
            Form::Streamed(s) => validate_groups(s.cells, &s.groups, options, |_| {
                s.pa_crossing.ok_or(Error::ZeroDeposits)
            }),
        }
    }

    /// The highest score t such that at least `rank` valid cells score ≥ t (`rank` clamped to
    /// 1..=cells; −∞ without cells): e.g. the threshold of the top x % of the area, whole tied
    /// groups. The streamed form reads the cells of one bin again through `scan`.
    ///
    /// # Errors
    /// As [`ScoreDistribution::from_surveys`].
    pub fn score_at_rank(&self, rank: u64, scan: &impl ScoreScan) -> Result<f64, Error> {
        match &self.form {
            Form::Exact(h) => {
                let mut acc = 0u64;
                let mut t = f64::NEG_INFINITY;
                for b in h.bins() {
                    acc += b.cells;
                    t = b.score;
                    if acc >= rank {
                        break;
                    }
                }
                Ok(t)
            }
            Form::Streamed(s) => {
                if s.cells == 0 {
                    return Ok(f64::NEG_INFINITY);
                }
                let rank = rank.clamp(1, s.cells);
                let q = order_statistics(&[rank], &s.bins, s.limits, scan)?;
                Ok(q[0].score)
            }
        }
    }
}

/// Where the walk down the P-A plot found the crossing.
enum PaWalk {
    /// At a deposit score: known.
    Crossed(PaCrossing),
    /// Inside a run of cells without deposits, at the score of this rank (cells counted from
    /// the top), with this prediction rate on both sides.
    AtRank { rank: u64, prediction_rate: f64 },
}

impl Streamed {
    fn deposits(&self) -> u64 {
        self.groups.iter().map(|g| g.deposits).sum()
    }

    /// Walks the P-A plot by decreasing score, as the exact histogram's crossing does, and
    /// stops at the first threshold where f = P − (1 − O) ≥ 0; `None` when undefined.
    fn pa_walk(&self) -> Option<PaWalk> {
        let deposits = self.deposits();
        let deposit_cells: u64 = self.groups.iter().map(|g| g.deposit_cells).sum();
        if self.cells == 0 || deposits == 0 || deposit_cells == self.cells {
            return None;
        }
        let (n, total) = (self.cells as f64, deposits as f64);
        let (mut cum, mut d) = (0u64, 0u64);
        for g in &self.groups {
            let p = d as f64 / total;
            if g.cells_above > cum && crosses(p, g.cells_above as f64 / n) {
                // Inside the run of cells between the last point and this group: the first
                // count there that crosses, then the score at that rank.
                let (mut lo, mut hi) = (cum + 1, g.cells_above);
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if crosses(p, mid as f64 / n) {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                return Some(PaWalk::AtRank {
                    rank: lo,
                    prediction_rate: p,
                });
            }
            let (d1, cum1) = (d + g.deposits, g.cells_above + g.cells);
            let (p1, o1) = (d1 as f64 / total, cum1 as f64 / n);
            if crosses(p1, o1) {
                return Some(PaWalk::Crossed(crossing_between(
                    g.score,
                    (p, g.cells_above as f64 / n),
                    (p1, o1),
                )));
            }
            (cum, d) = (cum1, d1);
        }
        unreachable!("the last deposit group has P = 1 and O > 0, so f > 0")
    }
}

/// Cells level with each of k sorted scores and between each two (k + 1 runs), and the bins.
#[derive(Debug, Clone, PartialEq)]
struct LevelCounts {
    level: Vec<u64>,
    /// `between[i]`: cells in (levels[i − 1], levels[i]); `between[k]`: above the last.
    between: Vec<u64>,
    between_lowest: Vec<f64>,
    bins: ValueBins,
}

impl LevelCounts {
    fn new(k: usize, bins: ValueBins) -> Self {
        Self {
            level: vec![0; k],
            between: vec![0; k + 1],
            between_lowest: vec![f64::INFINITY; k + 1],
            bins,
        }
    }

    #[inline]
    fn add(&mut self, levels: &[f64], v: f64) {
        let i = levels.partition_point(|&l| l < v);
        if i < levels.len() && levels[i] == v {
            self.level[i] += 1;
        } else {
            self.between[i] += 1;
            self.between_lowest[i] = self.between_lowest[i].min(v);
        }
        self.bins.add(v);
    }

    fn merge(&mut self, o: &LevelCounts) {
        for (a, b) in self.level.iter_mut().zip(&o.level) {
            *a += b;
        }
        for (a, b) in self.between.iter_mut().zip(&o.between) {
            *a += b;
        }
        for (a, b) in self.between_lowest.iter_mut().zip(&o.between_lowest) {
            *a = a.min(*b);
        }
        self.bins.merge(&o.bins);
    }

    fn cells(&self) -> u64 {
        self.level.iter().sum::<u64>() + self.between.iter().sum::<u64>()
    }
}

/// Equal-width bins of the score range [lo, hi], with each bin's lowest and highest score.
/// The bin of a score never decreases as the score grows, so the cells of bin k are exactly
/// those scoring in [lowest[k], highest[k]].
#[derive(Debug, Clone, PartialEq)]
struct ValueBins {
    lo: f64,
    hi: f64,
    count: Vec<u64>,
    lowest: Vec<f64>,
    highest: Vec<f64>,
}

impl ValueBins {
    fn new(lo: f64, hi: f64, n: usize) -> Self {
        Self {
            lo,
            hi,
            count: vec![0; n],
            lowest: vec![f64::INFINITY; n],
            highest: vec![f64::NEG_INFINITY; n],
        }
    }

    #[inline]
    fn index(&self, v: f64) -> usize {
        let n = self.count.len();
        if v <= self.lo {
            return 0;
        }
        if v >= self.hi {
            return n - 1;
        }
        // Monotone in v: each rounded operation is.
        let t = (v - self.lo) / (self.hi - self.lo) * n as f64;
        (t as usize).min(n - 1)
    }

    #[inline]
    fn add(&mut self, v: f64) {
        let k = self.index(v);
        self.count[k] += 1;
        self.lowest[k] = self.lowest[k].min(v);
        self.highest[k] = self.highest[k].max(v);
    }

    fn merge(&mut self, o: &ValueBins) {
        for k in 0..self.count.len() {
            self.count[k] += o.count[k];
            self.lowest[k] = self.lowest[k].min(o.lowest[k]);
            self.highest[k] = self.highest[k].max(o.highest[k]);
        }
    }
}

/// The score at a rank with the cells strictly above it and at or above it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct OrderStatistic {
    score: f64,
    above: u64,
    at_or_above: u64,
}

/// A total order on scores as unsigned integers: `key(a) < key(b)` ⇔ `a < b` (no NaN;
/// `-0.0` already `0.0`).
fn order_key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

fn from_order_key(k: u64) -> f64 {
    if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

/// A rank still being looked for among the cells with keys in [lo, hi].
#[derive(Debug, Clone, Copy)]
struct Search {
    lo: u64,
    hi: u64,
    /// Rank among the cells in range, from the top.
    rank: u64,
    /// Cells above the range.
    above: u64,
}

impl Search {
    /// Width of each of `n` sub-bins of the range (≥ 1).
    fn width(&self, n: usize) -> u128 {
        let span = u128::from(self.hi - self.lo) + 1;
        span.div_ceil(n as u128)
    }
}

/// One refinement pass's tally of the cells in one search's range.
#[derive(Debug, Clone)]
struct RangeTally {
    exact: Option<HashMap<u64, u64>>,
    count: Vec<u64>,
    lowest: Vec<u64>,
    highest: Vec<u64>,
}

impl RangeTally {
    fn new(n: usize) -> Self {
        Self {
            exact: Some(HashMap::new()),
            count: vec![0; n],
            lowest: vec![u64::MAX; n],
            highest: vec![0; n],
        }
    }

    fn merge(&mut self, o: RangeTally, cap: usize) {
        self.exact = match (self.exact.take(), o.exact) {
            (Some(mut a), Some(b)) => {
                for (k, c) in b {
                    *a.entry(k).or_default() += c;
                }
                (a.len() <= cap).then_some(a)
            }
            _ => None,
        };
        for j in 0..self.count.len() {
            self.count[j] += o.count[j];
            self.lowest[j] = self.lowest[j].min(o.lowest[j]);
            self.highest[j] = self.highest[j].max(o.highest[j]);
        }
    }
}

/// The scores at the given ranks (each in 1..=cells), exactly: the bin holding each, then
/// passes over the cells of that bin until one holds few distinct scores or a single one.
fn order_statistics(
    ranks: &[u64],
    bins: &ValueBins,
    limits: ScoreLimits,
    scan: &impl ScoreScan,
) -> Result<Vec<OrderStatistic>, Error> {
    let changed = |rank: u64| Error::ScoresChanged {
        first: rank,
        later: 0,
    };
    let mut found: Vec<Option<OrderStatistic>> = vec![None; ranks.len()];
    let mut searches: Vec<(usize, Search)> = Vec::new();
    for (i, &rank) in ranks.iter().enumerate() {
        let mut above = 0u64;
        let k = (0..bins.count.len())
            .rev()
            .find(|&k| {
                if above + bins.count[k] >= rank {
                    return true;
                }
                above += bins.count[k];
                false
            })
            .ok_or_else(|| changed(rank))?;
        if bins.lowest[k] == bins.highest[k] {
            found[i] = Some(OrderStatistic {
                score: bins.lowest[k],
                above,
                at_or_above: above + bins.count[k],
            });
        } else {
            searches.push((
                i,
                Search {
                    lo: order_key(bins.lowest[k]),
                    hi: order_key(bins.highest[k]),
                    rank: rank - above,
                    above,
                },
            ));
        }
    }
    let (n, cap) = (limits.bin_count(), limits.exact_scores);
    while !searches.is_empty() {
        let ranges: Vec<(u64, u64, u128)> = searches
            .iter()
            .map(|(_, s)| (s.lo, s.hi, s.width(n)))
            .collect();
        let empty = || vec![RangeTally::new(n); ranges.len()];
        let mut tallies = empty();
        scan.reduce(
            &mut tallies,
            |scores| {
                let mut t = empty();
                for &v in scores {
                    if v.is_nan() {
                        continue;
                    }
                    let key = order_key(v + 0.0);
                    for (tally, &(lo, hi, width)) in t.iter_mut().zip(&ranges) {
                        if key < lo || key > hi {
                            continue;
                        }
                        if let Some(m) = &mut tally.exact {
                            *m.entry(key).or_default() += 1;
                            if m.len() > cap {
                                tally.exact = None;
                            }
                        }
                        let j = (u128::from(key - lo) / width) as usize;
                        tally.count[j] += 1;
                        tally.lowest[j] = tally.lowest[j].min(key);
                        tally.highest[j] = tally.highest[j].max(key);
                    }
                }
                t
            },
            |total, part| {
                for (a, b) in total.iter_mut().zip(part) {
                    a.merge(b, cap);
                }
            },
        )
        .map_err(|source| Error::Scan { source })?;
        let mut next = Vec::new();
        for ((i, s), tally) in searches.into_iter().zip(tallies) {
            if let Some(m) = tally.exact {
                let mut keys: Vec<(u64, u64)> = m.into_iter().collect();
                keys.sort_unstable_by_key(|k| std::cmp::Reverse(k.0));
                let mut acc = 0u64;
                let hit = keys.iter().find(|&&(_, c)| {
                    acc += c;
                    acc >= s.rank
                });
                let &(key, c) = hit.ok_or_else(|| changed(s.rank))?;
                found[i] = Some(OrderStatistic {
                    score: from_order_key(key),
                    above: s.above + acc - c,
                    at_or_above: s.above + acc,
                });
                continue;
            }
            let mut above = s.above;
            let mut rank = s.rank;
            let j = (0..n)
                .rev()
                .find(|&j| {
                    if tally.count[j] >= rank {
                        return true;
                    }
                    rank -= tally.count[j];
                    above += tally.count[j];
                    false
                })
                .ok_or_else(|| changed(s.rank))?;
            let (lo, hi) = (tally.lowest[j], tally.highest[j]);
            if lo == hi {
                found[i] = Some(OrderStatistic {
                    score: from_order_key(lo),
                    above,
                    at_or_above: above + tally.count[j],
                });
            } else {
                next.push((
                    i,
                    Search {
                        lo,
                        hi,
                        rank,
                        above,
                    },
                ));
            }
        }
        searches = next;
    }
    found
        .into_iter()
        .map(|f| f.ok_or_else(|| changed(0)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A map in memory, scanned in blocks of `block` cells.
    struct Cells {
        scores: Vec<f64>,
        block: usize,
    }

    impl ScoreScan for Cells {
        fn reduce<A, B, M>(&self, total: &mut A, block: B, mut merge: M) -> Result<(), ScanError>
        where
            A: Send,
            B: Fn(&[f64]) -> A + Sync,
            M: FnMut(&mut A, A),
        {
            for chunk in self.scores.chunks(self.block.max(1)) {
                merge(total, block(chunk));
            }
            Ok(())
        }
    }

    fn survey(cells: &[(f64, u64)], limits: ScoreLimits, block: usize) -> ScoreSurvey {
        let mut total = ScoreSurvey::with_limits(limits);
        for chunk in cells.chunks(block.max(1)) {
            let mut s = ScoreSurvey::with_limits(limits);
            for &(v, d) in chunk {
                s.add_cell(v, d);
            }
            total.merge(s);
        }
        total
    }

    fn streamed(cells: &[(f64, u64)], limits: ScoreLimits, block: usize) -> ScoreDistribution {
        let scan = Cells {
            scores: cells.iter().map(|c| c.0).collect(),
            block,
        };
        let mut d =
            ScoreDistribution::from_surveys(vec![survey(cells, limits, block)], &scan).unwrap();
        d.remove(0)
    }

    fn exact(cells: &[(f64, u64)]) -> ScoreHistogram {
        let mut h = ScoreHistogram::new();
        for &(v, d) in cells {
            h.add_cell(v, d);
        }
        h
    }

    /// Random cells: scores from a small set (ties), some NaN, some ±0, deposits on a few.
    fn cells() -> impl Strategy<Value = Vec<(f64, u64)>> {
        prop::collection::vec(
            (
                0u8..24,
                prop::sample::select(vec![0u64, 0, 0, 0, 0, 1, 1, 2]),
            ),
            1..160,
        )
        .prop_map(|v| {
            v.into_iter()
                .map(|(s, d)| {
                    let score = match s {
                        0 => f64::NAN,
                        1 => -0.0,
                        2 => 0.0,
                        s => f64::from(s) * 0.37 - 3.0,
                    };
                    (score, d)
                })
                .collect()
        })
    }

    fn limits() -> impl Strategy<Value = ScoreLimits> {
        (0usize..4, 2usize..9).prop_map(|(exact_scores, bins)| ScoreLimits { exact_scores, bins })
    }

    /// Brute-force Mann–Whitney over valid cells: presences one per deposit point.
    fn brute_roc(cells: &[(f64, u64)]) -> Option<f64> {
        let valid: Vec<&(f64, u64)> = cells.iter().filter(|c| !c.0.is_nan()).collect();
        let absences: Vec<f64> = valid.iter().filter(|c| c.1 == 0).map(|c| c.0).collect();
        let presences: Vec<(f64, u64)> = valid.iter().filter(|c| c.1 > 0).map(|c| **c).collect();
        let n_p: u64 = presences.iter().map(|c| c.1).sum();
        if n_p == 0 || absences.is_empty() {
            return None;
        }
        let mut twice = 0u64;
        for &(p, d) in &presences {
            for &a in &absences {
                twice += d * if p > a {
                    2
                } else if p == a {
                    1
                } else {
                    0
                };
            }
        }
        Some(twice as f64 / (2 * n_p * absences.len() as u64) as f64)
    }

    /// Brute-force success-rate AUC: 1 − mean over deposit points of (above + ½ level) / n.
    fn brute_rate_auc(cells: &[(f64, u64)]) -> Option<f64> {
        let valid: Vec<&(f64, u64)> = cells.iter().filter(|c| !c.0.is_nan()).collect();
        let n = valid.len() as f64;
        let deposits: u64 = valid.iter().map(|c| c.1).sum();
        if deposits == 0 {
            return None;
        }
        let mut sum = 0.0;
        for p in valid.iter().filter(|c| c.1 > 0) {
            let above = valid.iter().filter(|c| c.0 > p.0).count() as f64;
            let level = valid.iter().filter(|c| c.0 == p.0).count() as f64;
            sum += p.1 as f64 * (above + 0.5 * level) / n;
        }
        Some(1.0 - sum / deposits as f64)
    }

    proptest! {
        /// The streamed AUCs equal brute force on small grids with ties and NaN, and every
        /// validation figure, the curves' vertices and the P-A crossing equal the exact
        /// histogram's bit for bit.
        #[test]
        fn streamed_figures_equal_brute_force_and_the_exact_histogram(
            cells in cells(),
            limits in limits(),
            block in 1usize..40,
        ) {
            let h = exact(&cells);
            let d = streamed(&cells, limits, block);
            prop_assert_eq!(d.is_exact(), h.distinct_scores() <= limits.exact_scores);
            prop_assert_eq!(d.total_cells(), h.total_cells());
            prop_assert_eq!(d.total_deposits(), h.total_deposits());
            prop_assert_eq!((d.nan_cells(), d.nan_deposits()), (h.nan_cells(), h.nan_deposits()));
            let options = ValidationOptions { bootstrap_replicates: 20, ..Default::default() };
            match (brute_roc(&cells), d.roc_auc()) {
                (Some(b), Ok(r)) => {
                    prop_assert!((r - b).abs() <= 1e-12, "{} vs {}", r, b);
                    prop_assert_eq!(r, h.roc_auc().unwrap());
                    let report = d.validate(&options).unwrap();
                    prop_assert_eq!(&report, &crate::validate(&h, &options).unwrap());
                    prop_assert!((report.roc_auc - b).abs() <= 1e-12);
                    let rate = brute_rate_auc(&cells).unwrap();
                    prop_assert!((report.rate_auc - rate).abs() <= 1e-12);
                }
                (None, r) => prop_assert!(r.is_err()),
                (Some(_), Err(e)) => prop_assert!(false, "{}", e),
            }
            match (h.success_rate(), d.success_rate()) {
                (Ok(a), Ok(b)) => {
                    prop_assert_eq!(a.vertices(), b.vertices());
                    prop_assert!((a.auc - b.auc).abs() <= 1e-12);
                }
                (a, b) => prop_assert_eq!(a.is_err(), b.is_err()),
            }
            match (h.roc_curve(), d.roc_curve()) {
                (Ok(a), Ok(b)) => {
                    prop_assert_eq!(&a, &b);
                    prop_assert!((a.auc - h.roc_auc().unwrap()).abs() <= 1e-12);
                }
                (a, b) => prop_assert_eq!(a.is_err(), b.is_err()),
            }
        }

        /// The streamed P-A plot's rows are exact points of the plot, and every
        /// prediction-rate step of the exact plot is among them.
        #[test]
        fn streamed_pa_rows_lie_on_the_exact_plot(
            cells in cells(),
            limits in limits(),
            block in 1usize..40,
        ) {
            let h = exact(&cells);
            let d = streamed(&cells, limits, block);
            let full = crate::pa_plot(&h);
            let rows = d.pa_plot();
            for r in &rows {
                prop_assert!(full.contains(r), "{:?} not on the plot", r);
            }
            for w in full.windows(2) {
                if w[0].1 != w[1].1 {
                    prop_assert!(rows.contains(&w[0]) && rows.contains(&w[1]));
                }
            }
            if let Some(last) = full.last() {
                prop_assert_eq!(rows.last(), Some(last));
            }
        }

        /// The score at any rank equals a walk over the sorted cells.
        #[test]
        fn score_at_rank_equals_the_sorted_cells(
            cells in cells(),
            limits in limits(),
            block in 1usize..40,
            share in 0.0f64..1.0,
        ) {
            let d = streamed(&cells, limits, block);
            let scan = Cells { scores: cells.iter().map(|c| c.0).collect(), block };
            let mut sorted: Vec<f64> =
                cells.iter().map(|c| c.0 + 0.0).filter(|v| !v.is_nan()).collect();
            sorted.sort_by(|a, b| b.total_cmp(a));
            let rank = (share * sorted.len() as f64).ceil() as u64;
            let got = d.score_at_rank(rank, &scan).unwrap();
            let want = if sorted.is_empty() {
                f64::NEG_INFINITY
            } else {
                sorted[(rank.clamp(1, sorted.len() as u64) - 1) as usize]
            };
            prop_assert_eq!(got, want);
        }

        /// Two sets of deposits on one map share the second pass and each equals its own
        /// exact histogram.
        #[test]
        fn sets_share_the_passes(
            cells in cells(),
            other in prop::collection::vec(prop::sample::select(vec![0u64, 0, 0, 1]), 160),
            block in 1usize..40,
        ) {
            let limits = ScoreLimits { exact_scores: 0, bins: 4 };
            let second: Vec<(f64, u64)> =
                cells.iter().zip(&other).map(|(c, &d)| (c.0, d)).collect();
            let scan = Cells { scores: cells.iter().map(|c| c.0).collect(), block };
            let ds = ScoreDistribution::from_surveys(
                vec![survey(&cells, limits, block), survey(&second, limits, block)],
                &scan,
            )
            .unwrap();
            let options = ValidationOptions { bootstrap_replicates: 0, ..Default::default() };
            for (d, c) in ds.iter().zip([&cells, &second]) {
                let h = exact(c);
                prop_assert_eq!(d.validate(&options).ok(), crate::validate(&h, &options).ok());
                prop_assert_eq!(d.roc_auc().ok(), h.roc_auc().ok());
            }
        }
    }

    /// Entries held do not grow with the number of distinct scores: a million distinct scores
    /// hold what a thousand do (deposit groups plus the fixed bins).
    #[test]
    fn entries_held_do_not_grow_with_distinct_scores() {
        let limits = ScoreLimits {
            exact_scores: 256,
            bins: 1024,
        };
        let held = |n: usize| {
            let mut rng = crate::SplitMix64::new(3);
            let cells: Vec<(f64, u64)> = (0..n)
                .map(|i| (rng.uniform(), u64::from(i % (n / 50) == 0)))
                .collect();
            let s = survey(&cells, limits, 4096);
            assert!(!s.is_exact());
            let survey_entries = s.held_entries();
            let d = streamed(&cells, limits, 4096);
            assert!(!d.is_exact());
            (survey_entries, d.held_entries())
        };
        let small = held(1_000);
        let large = held(1_000_000);
        assert_eq!(small, large);
        assert_eq!(large, (50, 50 + 1024));
    }

    #[test]
    fn order_keys_keep_the_order() {
        let v = [
            f64::NEG_INFINITY,
            -1e300,
            -1.0,
            -f64::MIN_POSITIVE,
            0.0,
            5e-324,
            1.0,
            f64::MAX,
            f64::INFINITY,
        ];
        for w in v.windows(2) {
            assert!(order_key(w[0]) < order_key(w[1]));
        }
        for x in v {
            assert_eq!(from_order_key(order_key(x)), x);
        }
    }

    /// Scores spread over 600 orders of magnitude (most in one bin) and infinities: the order
    /// statistics are still exact.
    #[test]
    fn order_statistics_are_exact_over_wide_ranges() {
        let mut cells: Vec<(f64, u64)> = (0..3000)
            .map(|i| {
                (
                    10f64.powi(i % 600 - 300) * f64::from(1 + i % 7),
                    u64::from(i % 97 == 0),
                )
            })
            .collect();
        cells.push((f64::INFINITY, 0));
        cells.push((f64::NEG_INFINITY, 1));
        let limits = ScoreLimits {
            exact_scores: 4,
            bins: 16,
        };
        let h = exact(&cells);
        let d = streamed(&cells, limits, 100);
        let options = ValidationOptions::default();
        assert_eq!(
            d.validate(&options).unwrap(),
            crate::validate(&h, &options).unwrap()
        );
        let scan = Cells {
            scores: cells.iter().map(|c| c.0).collect(),
            block: 100,
        };
        let mut sorted: Vec<f64> = cells.iter().map(|c| c.0).collect();
        sorted.sort_by(|a, b| b.total_cmp(a));
        for rank in [1, 2, 17, 1500, 2999, 3001, 3002] {
            assert_eq!(
                d.score_at_rank(rank, &scan).unwrap(),
                sorted[rank as usize - 1]
            );
        }
    }

    #[test]
    fn a_changed_map_is_an_error() {
        let cells: Vec<(f64, u64)> = (0..100)
            .map(|i| (f64::from(i), u64::from(i == 50)))
            .collect();
        let limits = ScoreLimits {
            exact_scores: 0,
            bins: 8,
        };
        let scan = Cells {
            scores: (0..90).map(f64::from).collect(),
            block: 10,
        };
        assert!(matches!(
            ScoreDistribution::from_surveys(vec![survey(&cells, limits, 10)], &scan),
            Err(Error::ScoresChanged { .. })
        ));
    }
}
