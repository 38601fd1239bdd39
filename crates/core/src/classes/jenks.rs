//! Natural breaks (Jenks): classes that minimise the within-class sum of squared deviations.
//!
//! The optimum is found exactly by Fisher's (1958) dynamic programme, "On grouping for maximum
//! homogeneity", the method Jenks (1967, "The data model concept in statistical mapping")
//! popularised for maps. It runs on the histogram's distinct values with their counts: with
//! `n` distinct values and `k` classes it takes O(k·n²) time and O(k·n) memory. Each distinct
//! value (with all its cells) stays in one class, so ties are never split.
//!
//! A national grid may hold millions of distinct values, so exact breaks are limited to
//! [`JenksOptions::max_distinct`] values (4096 by default). Above it, either the call fails
//! with [`Error::TooManyDistinctValues`] or, when grouping is allowed, the sorted values are
//! first gathered into at most `max_distinct` runs of nearly equal cell count and the
//! programme runs on the runs: breaks can then only fall between runs, but the objective of
//! each candidate is still exact (each run carries its count, sum and sum of squares).

use super::{ClassBreaks, Error, ValueHistogram};

/// Most classes natural breaks produces.
pub const MAX_NATURAL_CLASSES: usize = 32;

/// Limits of the natural-breaks search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JenksOptions {
    /// Largest number of distinct values solved exactly (default 4096).
    pub max_distinct: usize,
    /// Whether more distinct values are gathered into `max_distinct` runs (true) or rejected
    /// with [`Error::TooManyDistinctValues`] (false, the default).
    pub group_excess: bool,
}

impl Default for JenksOptions {
    fn default() -> Self {
        Self {
            max_distinct: 4096,
            group_excess: false,
        }
    }
}

/// Natural breaks with their goodness of fit.
#[derive(Debug, Clone, PartialEq)]
pub struct NaturalBreaks {
    /// The classes; each edge is the largest value of its class.
    pub breaks: ClassBreaks,
    /// Within-class sum of squared deviations from the class means (SDCM), in squared value
    /// units.
    pub within_class_ssd: f64,
    /// Sum of squared deviations from the overall mean (SDAM).
    pub total_ssd: f64,
    /// Goodness of variance fit, 1 − SDCM/SDAM (1 when SDAM is 0).
    pub goodness_of_variance_fit: f64,
    /// Whether breaks could fall between any two distinct values (false when values were
    /// gathered into runs).
    pub exact: bool,
    /// Units the programme ran on (distinct values, or runs).
    pub units: usize,
}

/// A run of consecutive distinct values: cells, Σ(v − shift), Σ(v − shift)², largest value.
#[derive(Debug, Clone, Copy, Default)]
struct Unit {
    cells: f64,
    sum: f64,
    sum_sq: f64,
    last: f64,
}

/// Prefix sums over units for O(1) sums of squared deviations of any run of units.
struct Prefix {
    cells: Vec<f64>,
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
}

impl Prefix {
    fn new(units: &[Unit]) -> Self {
        let n = units.len();
        let (mut cells, mut sum, mut sum_sq) = (
            Vec::with_capacity(n + 1),
            Vec::with_capacity(n + 1),
            Vec::with_capacity(n + 1),
        );
        cells.push(0.0);
        sum.push(0.0);
        sum_sq.push(0.0);
        for u in units {
            cells.push(cells[cells.len() - 1] + u.cells);
            sum.push(sum[sum.len() - 1] + u.sum);
            sum_sq.push(sum_sq[sum_sq.len() - 1] + u.sum_sq);
        }
        Self { cells, sum, sum_sq }
    }

    /// Sum of squared deviations of units `i..j` (half-open) about their mean.
    #[inline]
    fn ssd(&self, i: usize, j: usize) -> f64 {
        let w = self.cells[j] - self.cells[i];
        let s = self.sum[j] - self.sum[i];
        let q = self.sum_sq[j] - self.sum_sq[i];
        (q - s * s / w).max(0.0)
    }
}

/// Natural-breaks classes of the histogram's values.
///
/// When the histogram holds fewer distinct values (or runs) than `classes`, every one becomes
/// its own class: check [`ClassBreaks::class_count`].
///
/// # Errors
/// [`Error::ClassCount`] unless `2 ≤ classes ≤` [`MAX_NATURAL_CLASSES`];
/// [`Error::EmptyHistogram`]; [`Error::TooManyDistinctValues`] (see [`JenksOptions`]);
/// [`Error::InvalidParameter`] when `max_distinct` is below `classes`.
pub fn natural_breaks(
    histogram: &ValueHistogram,
    classes: usize,
    options: &JenksOptions,
) -> Result<NaturalBreaks, Error> {
    if !(2..=MAX_NATURAL_CLASSES).contains(&classes) {
        return Err(Error::ClassCount {
            method: "natural breaks",
            requested: classes,
            min: 2,
            max: MAX_NATURAL_CLASSES,
        });
    }
    if options.max_distinct < classes {
        return Err(Error::InvalidParameter {
            reason: format!(
                "the natural-breaks limit of {} distinct values is below the {classes} classes asked",
                options.max_distinct
            ),
        });
    }
    let bins = histogram.bins();
    if bins.is_empty() {
        return Err(Error::EmptyHistogram);
    }
    let exact = bins.len() <= options.max_distinct;
    if !exact && !options.group_excess {
        return Err(Error::TooManyDistinctValues {
            distinct: bins.len(),
            limit: options.max_distinct,
        });
    }
    // Shift by the weighted mean so that sums of squares do not lose digits on large offsets.
    let total: f64 = bins.iter().map(|b| b.cells as f64).sum();
    let shift = bins.iter().map(|b| b.value * b.cells as f64).sum::<f64>() / total;
    let target_runs = if exact {
        bins.len()
    } else {
        options.max_distinct
    };
    let units = gather(&bins, target_runs, shift);
    let prefix = Prefix::new(&units);
    let n = units.len();
    let k = classes.min(n);
    let starts = fisher(&prefix, n, k);
    let edges: Vec<f64> = starts.iter().map(|&s| units[s - 1].last).collect();
    let mut within = 0.0;
    let mut from = 0;
    for &s in starts.iter().chain(std::iter::once(&n)) {
        within += prefix.ssd(from, s);
        from = s;
    }
    let total_ssd = prefix.ssd(0, n);
    let breaks = ClassBreaks::from_edges(histogram, edges)?;
    Ok(NaturalBreaks {
        breaks,
        within_class_ssd: within,
        total_ssd,
        goodness_of_variance_fit: if total_ssd > 0.0 {
            1.0 - within / total_ssd
        } else {
            1.0
        },
        exact,
        units: n,
    })
}

/// Sorted bins gathered into at most `runs` consecutive runs of nearly equal cell count (one
/// unit per bin when `runs ≥ bins.len()`).
fn gather(bins: &[super::ValueBin], runs: usize, shift: f64) -> Vec<Unit> {
    let total: u64 = bins.iter().map(|b| b.cells).sum();
    let mut units = Vec::with_capacity(runs.min(bins.len()));
    let mut current = Unit::default();
    let mut cumulative = 0u64;
    let mut closed = 0usize;
    for (i, b) in bins.iter().enumerate() {
        let d = b.value - shift;
        let w = b.cells as f64;
        current.cells += w;
        current.sum += w * d;
        current.sum_sq += w * d * d;
        current.last = b.value;
        cumulative += b.cells;
        let close = runs >= bins.len()
            || i + 1 == bins.len()
            || u128::from(cumulative) * runs as u128 >= (closed as u128 + 1) * u128::from(total);
        if close {
            units.push(std::mem::take(&mut current));
            closed += 1;
        }
    }
    units
}

/// Fisher's dynamic programme: the start indices (1 ≤ s < n, increasing) of classes 2..=k that
/// minimise the total within-class sum of squared deviations of `n` units.
fn fisher(prefix: &Prefix, n: usize, k: usize) -> Vec<usize> {
    assert!(k >= 1 && k <= n);
    // cost[j]: best cost of units 0..j in the current number of classes.
    let mut cost: Vec<f64> = (0..=n).map(|j| prefix.ssd(0, j.max(1))).collect();
    cost[0] = 0.0;
    // start[c][j]: first unit of the last class in the best split of 0..j into c + 1 classes.
    let mut start = vec![vec![0usize; n + 1]; k];
    for (c, start_c) in start.iter_mut().enumerate().skip(1) {
        let mut next = vec![f64::INFINITY; n + 1];
        // Units 0..j into c + 1 classes needs j ≥ c + 1; the last class is i..j with i ≥ c.
        for j in (c + 1)..=n {
            let (mut best, mut best_i) = (f64::INFINITY, c);
            for (i, cost_i) in cost.iter().enumerate().take(j).skip(c) {
                let candidate = cost_i + prefix.ssd(i, j);
                if candidate < best {
                    best = candidate;
                    best_i = i;
                }
            }
            next[j] = best;
            start_c[j] = best_i;
        }
        cost = next;
    }
    let mut starts = Vec::with_capacity(k - 1);
    let mut j = n;
    for c in (1..k).rev() {
        let i = start[c][j];
        starts.push(i);
        j = i;
    }
    starts.reverse();
    starts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn three_obvious_clusters() {
        let h = ValueHistogram::from_values([1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 20.0, 21.0, 22.0]);
        let nb = natural_breaks(&h, 3, &JenksOptions::default()).unwrap();
        assert_eq!(nb.breaks.edges, vec![3.0, 12.0]);
        assert_eq!(nb.breaks.cells, vec![3, 3, 3]);
        assert!((nb.within_class_ssd - 6.0).abs() < 1e-9);
        // SDAM: Σv² − (Σv)²/n = 1704 − 102²/9 = 548.
        assert!((nb.total_ssd - 548.0).abs() < 1e-9);
        assert!((nb.goodness_of_variance_fit - (1.0 - 6.0 / 548.0)).abs() < 1e-12);
        assert!(nb.exact);
    }

    #[test]
    fn counts_weigh_the_split() {
        // 100 cells at 0, one at 1, one at 10: two classes split 10 off, not 1.
        let mut h = ValueHistogram::new();
        h.add_cells(0.0, 100);
        h.add(1.0);
        h.add(10.0);
        let nb = natural_breaks(&h, 2, &JenksOptions::default()).unwrap();
        assert_eq!(nb.breaks.edges, vec![1.0]);
        // Fewer distinct values than classes: one class each.
        let nb = natural_breaks(&h, 5, &JenksOptions::default()).unwrap();
        assert_eq!(nb.breaks.edges, vec![0.0, 1.0]);
        assert_eq!(nb.within_class_ssd, 0.0);
    }

    #[test]
    fn limit_errors_or_groups() {
        let h = ValueHistogram::from_values((0..1000).map(|i| f64::from(i % 37) * 1.5 + 1e6));
        let strict = JenksOptions {
            max_distinct: 10,
            group_excess: false,
        };
        assert_eq!(
            natural_breaks(&h, 3, &strict),
            Err(Error::TooManyDistinctValues {
                distinct: 37,
                limit: 10
            })
        );
        let grouped = JenksOptions {
            max_distinct: 10,
            group_excess: true,
        };
        let nb = natural_breaks(&h, 3, &grouped).unwrap();
        assert!(!nb.exact && nb.units <= 10);
        let exact = natural_breaks(&h, 3, &JenksOptions::default()).unwrap();
        assert!(nb.within_class_ssd >= exact.within_class_ssd - 1e-6);
        assert!(nb.goodness_of_variance_fit > 0.8);
        assert!(natural_breaks(&h, 1, &grouped).is_err());
        assert!(natural_breaks(&h, 33, &grouped).is_err());
    }

    /// Smallest within-class SSD over every way to cut `n` sorted units into `k` runs.
    fn brute_force(prefix: &Prefix, n: usize, k: usize) -> f64 {
        fn go(prefix: &Prefix, from: usize, n: usize, k: usize) -> f64 {
            if k == 1 {
                return prefix.ssd(from, n);
            }
            (from + 1..=n - k + 1)
                .map(|s| prefix.ssd(from, s) + go(prefix, s, n, k - 1))
                .fold(f64::INFINITY, f64::min)
        }
        go(prefix, 0, n, k)
    }

    proptest! {
        #[test]
        fn equals_brute_force(
            values in prop::collection::vec(0u16..40, 1..60),
            classes in 2usize..5,
        ) {
            let h = ValueHistogram::from_values(values.iter().map(|v| f64::from(*v) * 0.5));
            let nb = natural_breaks(&h, classes, &JenksOptions::default()).unwrap();
            let bins = h.bins();
            let units = gather(&bins, bins.len(), 0.0);
            let prefix = Prefix::new(&units);
            let k = classes.min(units.len());
            let best = brute_force(&prefix, units.len(), k);
            prop_assert!((nb.within_class_ssd - best).abs() <= 1e-9 * (1.0 + best));
            prop_assert_eq!(nb.breaks.class_count(), k);
            prop_assert_eq!(nb.breaks.cells.iter().sum::<u64>(), values.len() as u64);
            prop_assert!(nb.breaks.cells.iter().all(|c| *c > 0));
        }
    }
}
