//! A mergeable histogram of a layer's values, keyed on their exact `f64` bits.
//!
//! One streaming pass over a national grid builds one [`ValueHistogram`] per block and merges
//! them (associative and commutative); quantiles, natural breaks and concentration–area curves
//! are then computed from the histogram alone. Memory is bounded by a cap on the number of
//! bins: when a histogram would hold more distinct values than the cap, values are coarsened
//! by dropping low mantissa bits (see [`ValueHistogram::dropped_bits`]), so every bin still
//! holds the exact count of the values that share its leading bits.

use std::collections::HashMap;

use crate::Block;

/// Default cap on the number of bins: 2^20 (about 1 M bins, tens of MB).
pub const DEFAULT_MAX_BINS: usize = 1 << 20;

/// How many mantissa bits are dropped at each coarsening step.
const COARSEN_STEP_BITS: u32 = 4;

/// The most mantissa bits that may be dropped (an `f64` has 52).
const MAX_DROPPED_BITS: u32 = 52;

/// Cells sharing one value (or, after coarsening, one bin).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueBin {
    /// The value; after coarsening, the bin's value with the dropped bits cleared (rounded
    /// toward zero).
    pub value: f64,
    /// Cells in the bin.
    pub cells: u64,
}

/// A histogram of finite values keyed on their exact `f64` bits, merged across blocks.
///
/// `-0.0` is stored as `0.0`. NaN and infinite values are not binned: they are counted in
/// [`ValueHistogram::non_finite`] for the caller to report. Values read from a Float32 raster
/// stay exact until more than 29 mantissa bits are dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueHistogram {
    bins: HashMap<u64, u64>,
    max_bins: usize,
    dropped_bits: u32,
    non_finite: u64,
}

impl Default for ValueHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl ValueHistogram {
    /// An empty histogram holding at most [`DEFAULT_MAX_BINS`] bins.
    pub fn new() -> Self {
        Self::with_max_bins(DEFAULT_MAX_BINS)
    }

    /// An empty histogram holding at most `max_bins` bins (at least 1).
    ///
    /// The final resolution does not depend on the order in which values are added or
    /// histograms merged, provided every part uses the same `max_bins`: it is the finest
    /// coarsening step at which the union of the values fits the cap.
    pub fn with_max_bins(max_bins: usize) -> Self {
        Self {
            bins: HashMap::new(),
            max_bins: max_bins.max(1),
            dropped_bits: 0,
            non_finite: 0,
        }
    }

    fn key(value: f64, dropped_bits: u32) -> u64 {
        // `+ 0.0` maps -0.0 to 0.0 so that equal values share a bin.
        let bits = (value + 0.0).to_bits();
        if dropped_bits == 0 {
            bits
        } else {
            bits & !((1u64 << dropped_bits) - 1)
        }
    }

    /// Adds `cells` cells holding `value`.
    #[inline]
    pub fn add_cells(&mut self, value: f64, cells: u64) {
        if cells == 0 {
            return;
        }
        if !value.is_finite() {
            self.non_finite += cells;
            return;
        }
        *self
            .bins
            .entry(Self::key(value, self.dropped_bits))
            .or_default() += cells;
        if self.bins.len() > self.max_bins {
            self.coarsen_to_fit();
        }
    }

    /// Adds one cell.
    #[inline]
    pub fn add(&mut self, value: f64) {
        self.add_cells(value, 1);
    }

    /// Adds the valid cells of a block (NoData cells are skipped, not counted).
    pub fn add_block(&mut self, block: &Block) {
        for (v, ok) in block.values.iter().zip(&block.valid) {
            if *ok {
                self.add(*v);
            }
        }
    }

    /// A histogram of the valid cells of one block.
    pub fn from_block(block: &Block, max_bins: usize) -> Self {
        let mut h = Self::with_max_bins(max_bins);
        h.add_block(block);
        h
    }

    /// A histogram of values.
    pub fn from_values(values: impl IntoIterator<Item = f64>) -> Self {
        let mut h = Self::new();
        for v in values {
            h.add(v);
        }
        h
    }

    fn rekey(&mut self, dropped_bits: u32) {
        if dropped_bits <= self.dropped_bits {
            return;
        }
        let old = std::mem::take(&mut self.bins);
        let mut bins = HashMap::with_capacity(old.len());
        for (key, cells) in old {
            *bins
                .entry(Self::key(f64::from_bits(key), dropped_bits))
                .or_default() += cells;
        }
        self.bins = bins;
        self.dropped_bits = dropped_bits;
    }

    fn coarsen_to_fit(&mut self) {
        while self.bins.len() > self.max_bins && self.dropped_bits < MAX_DROPPED_BITS {
            let next = (self.dropped_bits + COARSEN_STEP_BITS).min(MAX_DROPPED_BITS);
            self.rekey(next);
        }
    }

    /// Adds another histogram to this one (associative and commutative, for per-block
    /// partial results). The cap of `self` is kept.
    pub fn merge(&mut self, other: &ValueHistogram) {
        self.rekey(other.dropped_bits);
        for (&key, &cells) in &other.bins {
            let key = Self::key(f64::from_bits(key), self.dropped_bits);
            *self.bins.entry(key).or_default() += cells;
        }
        self.non_finite += other.non_finite;
        self.coarsen_to_fit();
    }

    /// The value of the bin `value` falls in (the value itself while no bit is dropped).
    pub fn bin_value(&self, value: f64) -> f64 {
        f64::from_bits(Self::key(value, self.dropped_bits))
    }

    /// The bins by increasing value.
    pub fn bins(&self) -> Vec<ValueBin> {
        let mut bins: Vec<ValueBin> = self
            .bins
            .iter()
            .map(|(&key, &cells)| ValueBin {
                value: f64::from_bits(key),
                cells,
            })
            .collect();
        bins.sort_by(|a, b| a.value.total_cmp(&b.value));
        bins
    }

    /// Number of binned (finite) cells.
    pub fn total_cells(&self) -> u64 {
        self.bins.values().sum()
    }

    /// Number of bins (distinct values while no bit is dropped).
    pub fn distinct_values(&self) -> usize {
        self.bins.len()
    }

    /// Whether no finite value was added.
    pub fn is_empty(&self) -> bool {
        self.bins.is_empty()
    }

    /// Cells skipped because their value was NaN or infinite.
    pub fn non_finite(&self) -> u64 {
        self.non_finite
    }

    /// Mantissa bits dropped to keep the bin count under the cap (0: exact values).
    pub fn dropped_bits(&self) -> u32 {
        self.dropped_bits
    }

    /// Relative width of a bin: values in one bin differ by less than this fraction of their
    /// magnitude (0 while values are exact).
    pub fn relative_resolution(&self) -> f64 {
        if self.dropped_bits == 0 {
            0.0
        } else {
            2f64.powi(self.dropped_bits as i32 - 52)
        }
    }

    /// The smallest and largest binned value.
    pub fn range(&self) -> Option<(f64, f64)> {
        let mut keys = self.bins.keys().map(|k| f64::from_bits(*k));
        let first = keys.next()?;
        Some(keys.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))))
    }

    /// The cap on the number of bins.
    pub fn max_bins(&self) -> usize {
        self.max_bins
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exact_counts_zero_and_non_finite() {
        let h = ValueHistogram::from_values([1.5, -0.0, 0.0, 1.5, f64::NAN, f64::INFINITY, -2.0]);
        let bins = h.bins();
        assert_eq!(
            bins,
            vec![
                ValueBin {
                    value: -2.0,
                    cells: 1
                },
                ValueBin {
                    value: 0.0,
                    cells: 2
                },
                ValueBin {
                    value: 1.5,
                    cells: 2
                },
            ]
        );
        assert_eq!((h.total_cells(), h.non_finite()), (5, 2));
        assert_eq!(h.range(), Some((-2.0, 1.5)));
        assert_eq!(h.relative_resolution(), 0.0);
    }

    #[test]
    fn coarsening_keeps_counts_and_bounds_bins() {
        let mut h = ValueHistogram::with_max_bins(100);
        for i in 0..10_000 {
            h.add(1000.0 + f64::from(i) * 1e-3);
        }
        assert!(h.distinct_values() <= 100);
        assert_eq!(h.total_cells(), 10_000);
        assert!(h.dropped_bits() > 0);
        // Every bin's value is within the resolution below some added value.
        let res = h.relative_resolution();
        let (lo, hi) = h.range().unwrap();
        assert!(lo <= 1000.0 && lo >= 1000.0 * (1.0 - res));
        assert!(hi <= 1009.999 && hi >= 1009.999 * (1.0 - res));
    }

    #[test]
    fn float32_values_stay_exact_after_moderate_coarsening() {
        let mut h = ValueHistogram::new();
        h.add(f64::from(0.1f32));
        h.rekey(28);
        assert_eq!(h.bins()[0].value, f64::from(0.1f32));
    }

    proptest! {
        #[test]
        fn merge_is_order_independent(
            values in prop::collection::vec(-1e6f64..1e6, 0..400),
            split in 0usize..400,
            cap in 1usize..64,
        ) {
            let split = split.min(values.len());
            let mut whole = ValueHistogram::with_max_bins(cap);
            for v in &values {
                whole.add(*v);
            }
            let mut a = ValueHistogram::with_max_bins(cap);
            let mut b = ValueHistogram::with_max_bins(cap);
            for v in &values[..split] {
                a.add(*v);
            }
            for v in &values[split..] {
                b.add(*v);
            }
            let mut ab = a.clone();
            ab.merge(&b);
            let mut ba = b.clone();
            ba.merge(&a);
            prop_assert_eq!(ab.bins(), whole.bins());
            prop_assert_eq!(ba.bins(), whole.bins());
            prop_assert_eq!(ab.dropped_bits(), whole.dropped_bits());
        }
    }
}
