//! Class breaks: the upper edges of classes, how many cells each class holds, and manual
//! breaks.

use super::{Error, ValueHistogram};
use crate::Classifier;

/// Most classes any method produces (a safe default for untrusted input).
pub const MAX_CLASSES: usize = 256;

/// Classes of a continuous layer given by their upper edges.
///
/// A value `v` gets class `k + 1` where `k` is the number of edges strictly below `v`: each
/// edge is the inclusive upper bound of its class, and values above the last edge fall in the
/// last class (the same convention as [`Classifier::Breaks`]). Classes are numbered from 1.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassBreaks {
    /// Inner edges, strictly increasing; `edges.len() + 1` classes.
    pub edges: Vec<f64>,
    /// Cells per class, from the histogram the breaks were computed on.
    pub cells: Vec<u64>,
    /// Smallest value in the histogram.
    pub min: f64,
    /// Largest value in the histogram.
    pub max: f64,
}

impl ClassBreaks {
    /// Breaks with the given (already validated) edges, counting cells per class in `histogram`.
    ///
    /// # Errors
    /// [`Error::EmptyHistogram`] when the histogram holds no value.
    pub fn from_edges(histogram: &ValueHistogram, edges: Vec<f64>) -> Result<Self, Error> {
        let (min, max) = histogram.range().ok_or(Error::EmptyHistogram)?;
        let mut cells = vec![0u64; edges.len() + 1];
        for bin in histogram.bins() {
            cells[edges.partition_point(|e| *e < bin.value)] += bin.cells;
        }
        Ok(Self {
            edges,
            cells,
            min,
            max,
        })
    }

    /// Number of classes.
    pub fn class_count(&self) -> usize {
        self.edges.len() + 1
    }

    /// The class (from 1) of a value.
    #[inline]
    pub fn class_of(&self, value: f64) -> u32 {
        self.edges.partition_point(|e| *e < value) as u32 + 1
    }

    /// The `[from, to]` value range of class `class` (from 1), closed at the top: the first
    /// class starts at the histogram's minimum, the last ends at its maximum.
    pub fn class_range(&self, class: u32) -> (f64, f64) {
        let i = class as usize - 1;
        assert!(i < self.class_count(), "class {class} out of range");
        let from = if i == 0 { self.min } else { self.edges[i - 1] };
        let to = if i == self.edges.len() {
            self.max
        } else {
            self.edges[i]
        };
        (from, to)
    }

    /// The same classes as a [`Classifier`] (`None` when there is a single class: a
    /// [`Classifier::Breaks`] needs at least one edge).
    pub fn to_classifier(&self) -> Option<Classifier> {
        (!self.edges.is_empty()).then(|| Classifier::Breaks(self.edges.clone()))
    }
}

/// Checks manual breaks: non-empty, finite, strictly increasing, at most [`MAX_CLASSES`] − 1.
///
/// # Errors
/// [`Error::InvalidBreaks`] or [`Error::ClassCount`].
pub fn validate_breaks(edges: &[f64]) -> Result<(), Error> {
    let invalid = |reason: &str| Error::InvalidBreaks {
        breaks: edges.to_vec(),
        reason: reason.to_string(),
    };
    if edges.is_empty() {
        return Err(invalid("give at least one break"));
    }
    if edges.len() + 1 > MAX_CLASSES {
        return Err(Error::ClassCount {
            method: "manual breaks",
            requested: edges.len() + 1,
            min: 2,
            max: MAX_CLASSES,
        });
    }
    if edges.iter().any(|e| !e.is_finite()) {
        return Err(invalid("every break must be a finite number"));
    }
    if edges.windows(2).any(|p| p[1] <= p[0]) {
        return Err(invalid("breaks must be strictly increasing"));
    }
    Ok(())
}

/// Classes from manual breaks (inclusive upper edges), with their cell counts.
///
/// # Errors
/// As [`validate_breaks`], and [`Error::EmptyHistogram`].
pub fn manual_breaks(histogram: &ValueHistogram, edges: &[f64]) -> Result<ClassBreaks, Error> {
    validate_breaks(edges)?;
    ClassBreaks::from_edges(histogram, edges.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_breaks_count_cells_and_agree_with_classifier() {
        let h = ValueHistogram::from_values([1.0, 2.0, 2.0, 3.0, 5.0, 8.0]);
        let b = manual_breaks(&h, &[2.0, 5.0]).unwrap();
        assert_eq!(b.cells, vec![3, 2, 1]);
        assert_eq!(b.class_range(1), (1.0, 2.0));
        assert_eq!(b.class_range(3), (5.0, 8.0));
        let c = b.to_classifier().unwrap();
        for v in [0.0, 1.0, 2.0, 2.5, 5.0, 9.0] {
            assert_eq!(i64::from(b.class_of(v)), c.class_of(v));
        }
    }

    #[test]
    fn bad_manual_breaks_are_errors() {
        let h = ValueHistogram::from_values([1.0]);
        assert!(matches!(
            manual_breaks(&h, &[]),
            Err(Error::InvalidBreaks { .. })
        ));
        assert!(matches!(
            manual_breaks(&h, &[1.0, 1.0]),
            Err(Error::InvalidBreaks { .. })
        ));
        assert!(matches!(
            manual_breaks(&h, &[f64::NAN]),
            Err(Error::InvalidBreaks { .. })
        ));
        let many: Vec<f64> = (0..MAX_CLASSES).map(|i| i as f64).collect();
        assert!(matches!(
            manual_breaks(&h, &many),
            Err(Error::ClassCount { .. })
        ));
        assert_eq!(
            manual_breaks(&ValueHistogram::new(), &[1.0]),
            Err(Error::EmptyHistogram)
        );
    }
}
