//! Quantile (equal-count) classes from a [`ValueHistogram`].
//!
//! The `p`-quantile is the inverse of the empirical distribution function: the smallest value
//! `v` with at least a fraction `p` of the cells at or below it (Hyndman & Fan 1996, "Sample
//! quantiles in statistical packages", definition 1). Computed from the histogram it is exact
//! (up to the histogram's resolution once it has coarsened), so a national grid needs one
//! streaming pass.

use super::{ClassBreaks, Error, ValueHistogram, MAX_CLASSES};

/// The `p`-quantile of the histogram's values (`0 ≤ p ≤ 1`; `p = 0` gives the minimum).
///
/// # Errors
/// [`Error::InvalidParameter`] when `p` is outside [0, 1]; [`Error::EmptyHistogram`].
pub fn quantile(histogram: &ValueHistogram, p: f64) -> Result<f64, Error> {
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::InvalidParameter {
            reason: format!("quantile probability {p} must lie in [0, 1]"),
        });
    }
    let bins = histogram.bins();
    let total = histogram.total_cells();
    if total == 0 {
        return Err(Error::EmptyHistogram);
    }
    let mut cumulative = 0u64;
    for bin in &bins {
        cumulative += bin.cells;
        // The small allowance keeps p = i/k exact when i/k is not representable (0.1 · 30).
        if cumulative as f64 >= p * total as f64 * (1.0 - 4.0 * f64::EPSILON) {
            return Ok(bin.value);
        }
    }
    Ok(bins[bins.len() - 1].value)
}

/// Quantile classes: `classes` classes of (as nearly as ties allow) equal cell counts.
///
/// Edge `i` (for `i = 1 … classes − 1`) is the `i / classes` quantile. Where ties make two
/// edges equal, or an edge equal to the maximum, the duplicate is dropped, so a layer with few
/// distinct values yields fewer classes than asked: check [`ClassBreaks::class_count`].
///
/// # Errors
/// [`Error::ClassCount`] unless `2 ≤ classes ≤` [`MAX_CLASSES`]; [`Error::EmptyHistogram`].
pub fn quantile_breaks(histogram: &ValueHistogram, classes: usize) -> Result<ClassBreaks, Error> {
    if !(2..=MAX_CLASSES).contains(&classes) {
        return Err(Error::ClassCount {
            method: "quantiles",
            requested: classes,
            min: 2,
            max: MAX_CLASSES,
        });
    }
    let bins = histogram.bins();
    let total = histogram.total_cells();
    if total == 0 {
        return Err(Error::EmptyHistogram);
    }
    let max = bins[bins.len() - 1].value;
    let mut edges: Vec<f64> = Vec::with_capacity(classes - 1);
    let mut cumulative = 0u64;
    let mut next = 1usize;
    for bin in &bins {
        cumulative += bin.cells;
        // Integer comparison of cumulative/total ≥ next/classes.
        while next < classes
            && u128::from(cumulative) * classes as u128 >= next as u128 * u128::from(total)
        {
            if bin.value < max && edges.last() != Some(&bin.value) {
                edges.push(bin.value);
            }
            next += 1;
        }
    }
    ClassBreaks::from_edges(histogram, edges)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quartiles_of_one_to_eight() {
        let h = ValueHistogram::from_values((1..=8).map(f64::from));
        let b = quantile_breaks(&h, 4).unwrap();
        assert_eq!(b.edges, vec![2.0, 4.0, 6.0]);
        assert_eq!(b.cells, vec![2, 2, 2, 2]);
        assert_eq!(quantile(&h, 0.0).unwrap(), 1.0);
        assert_eq!(quantile(&h, 0.5).unwrap(), 4.0);
        assert_eq!(quantile(&h, 0.51).unwrap(), 5.0);
        assert_eq!(quantile(&h, 1.0).unwrap(), 8.0);
    }

    #[test]
    fn ties_collapse_classes() {
        // 90 of 92 cells at 0: every inner quintile is 0.
        let h = ValueHistogram::from_values([0.0; 90].into_iter().chain([1.0, 2.0]));
        let b = quantile_breaks(&h, 5).unwrap();
        assert_eq!(b.edges, vec![0.0]);
        assert_eq!(b.cells, vec![90, 2]);
        let h = ValueHistogram::from_values([0.0; 6].into_iter().chain([1.0, 1.0, 2.0, 2.0]));
        assert_eq!(quantile_breaks(&h, 5).unwrap().edges, vec![0.0, 1.0]);
        let constant = ValueHistogram::from_values([3.0; 10]);
        assert_eq!(quantile_breaks(&constant, 4).unwrap().class_count(), 1);
    }

    #[test]
    fn bad_requests_are_errors() {
        let h = ValueHistogram::from_values([1.0]);
        assert!(matches!(
            quantile_breaks(&h, 1),
            Err(Error::ClassCount { .. })
        ));
        assert!(quantile(&h, 1.5).is_err());
        assert_eq!(
            quantile_breaks(&ValueHistogram::new(), 3),
            Err(Error::EmptyHistogram)
        );
    }

    proptest! {
        #[test]
        fn edges_are_sorted_quantiles(
            values in prop::collection::vec(0u16..50, 1..300),
            classes in 2usize..12,
        ) {
            let values: Vec<f64> = values.into_iter().map(f64::from).collect();
            let h = ValueHistogram::from_values(values.iter().copied());
            let b = quantile_breaks(&h, classes).unwrap();
            prop_assert!(b.edges.windows(2).all(|p| p[0] < p[1]));
            prop_assert_eq!(b.cells.iter().sum::<u64>(), values.len() as u64);
            // Brute force: the i/k quantile from the sorted values.
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let n = sorted.len();
            for i in 1..classes {
                let rank = (i * n).div_ceil(classes).max(1);
                let q = sorted[rank - 1];
                prop_assert_eq!(quantile(&h, i as f64 / classes as f64).unwrap(), q);
                if q < sorted[n - 1] {
                    prop_assert!(b.edges.contains(&q));
                }
            }
        }
    }
}
