//! Histogram-based growing of the boosted trees, for training sets of 10⁵–10⁶ samples: the
//! histogram algorithm of LightGBM (Ke et al. 2017, "LightGBM: a highly efficient gradient
//! boosting decision tree", NeurIPS 30, §2.1 and Alg. 1), without its sampling (GOSS) and
//! feature bundling (EFB).
//!
//! Each feature is binned once, before the first tree, into at most [`MAX_BINS`] levels
//! (`u8` codes): a feature with at most that many distinct training values gets one bin per
//! value; otherwise each distinct value v goes to bin ⌊B·(rank of v's middle sample) / n⌋,
//! B = [`MAX_BINS`], so bins hold about n/B samples each (quantile bins) and a value's
//! samples never straddle two bins. Every bin keeps the smallest and largest training value
//! it holds. Training sets carry no missing values (a row with a non-finite feature is NoData
//! and never a sample, [`crate::TrainingSet::new`]), so there is no missing-value bin; a
//! non-finite row gives a NaN score at prediction, as with the exact trainer.
//!
//! A node sums its samples' gradients, Hessians and counts per bin and feature (features in
//! parallel), and the split search runs over the ≤ B bin boundaries instead of every sample.
//! Of the two children of a split, the histogram of the smaller is built from its samples
//! and that of the larger is the parent's minus the smaller's (histogram subtraction, Ke et
//! al. 2017, §4; Alg. 1's "histogram subtraction" remark), so each level costs about half a
//! pass over the samples.
//!
//! A split after bin b (the last non-empty bin of the node on the left; b′ the first
//! non-empty bin on the right) gets the real threshold ½(max of bin b + min of bin b′), as
//! the exact trainer's midpoint (or max of bin b where the midpoint rounds up to min of b′):
//! every training sample of the node goes the same side by threshold as by bin code, and the
//! fitted trees are the same [`Tree`]s as the exact trainer's, evaluated by the same code.
//! Where every feature has ≤ B distinct values, the candidate splits, their thresholds and
//! the gains are those of the exact search (up to the order of floating-point summation).

use rayon::prelude::*;

use crate::boosting::{newton_value, split_gain, threshold_between};
use crate::tree::{Node, Tree};

/// Largest number of bins of a feature (codes are `u8`).
pub const MAX_BINS: usize = 256;

/// Below this many (samples × features) a node's histogram is built on one thread.
const PARALLEL_MIN_WORK: usize = 1 << 15;

/// Sums of one bin of a node's histogram.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct BinSums {
    /// Σ gradients.
    pub(crate) g: f64,
    /// Σ Hessians.
    pub(crate) h: f64,
    /// Samples.
    pub(crate) count: u32,
}

/// The training set's features binned once (column by column).
pub(crate) struct BinnedFeatures {
    n: usize,
    p: usize,
    /// Bin of feature f of sample i at `codes[f * n + i]`.
    codes: Vec<u8>,
    /// For each feature, the smallest training value of each bin.
    lower: Vec<Vec<f64>>,
    /// For each feature, the largest training value of each bin.
    upper: Vec<Vec<f64>>,
}

/// Bins one feature; returns the codes and each bin's smallest and largest value.
fn bin_feature(column: &[f64], max_bins: usize) -> (Vec<u8>, Vec<f64>, Vec<f64>) {
    assert!((2..=MAX_BINS).contains(&max_bins));
    let n = column.len();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_unstable_by(|&a, &b| column[a as usize].total_cmp(&column[b as usize]));
    // Distinct values (−0 and +0 are one value, as in the exact search) and their counts.
    let mut distinct: Vec<(f64, usize)> = Vec::new();
    for &i in &order {
        let v = column[i as usize];
        match distinct.last_mut() {
            Some((u, c)) if *u == v => *c += 1,
            _ => distinct.push((v, 1)),
        }
    }
    // Bin of each distinct value, numbered 0, 1, … without gaps.
    let mut bin_of = Vec::with_capacity(distinct.len());
    if distinct.len() <= max_bins {
        bin_of.extend(0..distinct.len());
    } else {
        let (mut before, mut last_raw, mut bins) = (0usize, usize::MAX, 0usize);
        for &(_, c) in &distinct {
            let middle = before as f64 + 0.5 * c as f64;
            before += c;
            let raw = ((middle * max_bins as f64 / n as f64) as usize).min(max_bins - 1);
            if raw != last_raw {
                last_raw = raw;
                bins += 1;
            }
            bin_of.push(bins - 1);
        }
    }
    let bins = bin_of.last().map_or(0, |b| b + 1);
    let (mut lower, mut upper) = (vec![f64::NAN; bins], vec![f64::NAN; bins]);
    for (&(v, _), &b) in distinct.iter().zip(&bin_of) {
        if lower[b].is_nan() {
            lower[b] = v;
        }
        upper[b] = v;
    }
    let mut codes = vec![0u8; n];
    let mut k = 0;
    for &i in &order {
        let v = column[i as usize];
        while distinct[k].0 != v {
            k += 1;
        }
        codes[i as usize] = bin_of[k] as u8;
    }
    (codes, lower, upper)
}

impl BinnedFeatures {
    /// Bins the `p` columns of `columns` (feature f of sample i at `columns[f * n + i]`, all
    /// finite) into at most `max_bins` (2…256) levels each, features in parallel.
    pub(crate) fn new(columns: &[f64], n: usize, p: usize, max_bins: usize) -> Self {
        assert_eq!(columns.len(), n * p);
        let binned: Vec<_> = (0..p)
            .into_par_iter()
            .map(|f| bin_feature(&columns[f * n..(f + 1) * n], max_bins))
            .collect();
        let mut codes = Vec::with_capacity(n * p);
        let (mut lower, mut upper) = (Vec::with_capacity(p), Vec::with_capacity(p));
        for (c, lo, up) in binned {
            codes.extend(c);
            lower.push(lo);
            upper.push(up);
        }
        Self {
            n,
            p,
            codes,
            lower,
            upper,
        }
    }

    /// Number of bins of feature `f`.
    pub(crate) fn bins(&self, f: usize) -> usize {
        self.lower[f].len()
    }

    fn column(&self, f: usize) -> &[u8] {
        &self.codes[f * self.n..(f + 1) * self.n]
    }

    /// Builds the histogram of the samples `rows` (`p` × [`MAX_BINS`] bins, feature f's at
    /// `f * MAX_BINS`), features in parallel when the node is large; each feature's bins are
    /// summed in the order of `rows`, so the result does not depend on the threads.
    pub(crate) fn build(&self, rows: &[u32], grad: &[f64], hess: &[f64], hist: &mut [BinSums]) {
        assert_eq!(hist.len(), self.p * MAX_BINS);
        let one = |(f, h): (usize, &mut [BinSums])| {
            h.fill(BinSums::default());
            let codes = self.column(f);
            for &r in rows {
                let r = r as usize;
                let b = &mut h[codes[r] as usize];
                b.g += grad[r];
                b.h += hess[r];
                b.count += 1;
            }
        };
        if rows.len() * self.p >= PARALLEL_MIN_WORK {
            hist.par_chunks_mut(MAX_BINS).enumerate().for_each(one);
        } else {
            hist.chunks_mut(MAX_BINS).enumerate().for_each(one);
        }
    }
}

/// `parent` becomes the histogram of its other child: `parent` − `child`, bin by bin (Ke et
/// al. 2017, histogram subtraction). Counts are exact; the sums differ from a direct build by
/// rounding only.
pub(crate) fn subtract(parent: &mut [BinSums], child: &[BinSums]) {
    assert_eq!(parent.len(), child.len());
    for (p, c) in parent.iter_mut().zip(child) {
        p.g -= c.g;
        p.h -= c.h;
        p.count -= c.count;
    }
}

/// The best split of a node found from its histogram.
struct HistSplit {
    feature: usize,
    /// Last bin on the left.
    bin: usize,
    threshold: f64,
    /// Samples going left.
    left: usize,
    gain: f64,
}

/// A node still to grow: its index, its range of the samples, its depth and its histogram
/// when its parent already made it.
struct Pending {
    id: usize,
    start: usize,
    end: usize,
    depth: usize,
    hist: Option<Vec<BinSums>>,
}

/// Grows one tree from histograms; the same options, random stream and order of split
/// searches (depth first, left child first) as the exact grower in `boosting.rs`.
pub(crate) struct HistGrower<'a> {
    pub(crate) bins: &'a BinnedFeatures,
    pub(crate) grad: &'a [f64],
    pub(crate) hess: &'a [f64],
    /// The tree's samples (ascending); a node owns a range of it.
    pub(crate) rows: &'a mut [u32],
    pub(crate) scratch: &'a mut Vec<u32>,
    pub(crate) max_depth: usize,
    pub(crate) min_samples_leaf: usize,
    pub(crate) l2_leaf: f64,
    pub(crate) max_features: Option<usize>,
    pub(crate) rng: nedra_core::random::SplitMix64,
    /// The leaves' ranges of `rows`, filled by [`HistGrower::grow`]: (node, start, end).
    pub(crate) leaves: &'a mut Vec<(usize, usize, usize)>,
}

impl HistGrower<'_> {
    /// Best split of a node of `len` samples with sums `g`, `h`; features in the order of
    /// `features` (shuffled first when `max_features` is set), as the exact search.
    fn best_split(
        &mut self,
        features: &mut [usize],
        hist: &[BinSums],
        len: usize,
        g: f64,
        h: f64,
    ) -> Option<HistSplit> {
        let lambda = self.l2_leaf;
        let min_leaf = self.min_samples_leaf;
        let p = features.len();
        let max_features = self.max_features.unwrap_or(p);
        if max_features < p {
            self.rng.shuffle(features);
        }
        let parent = g * g / (h + lambda);
        let mut best: Option<HistSplit> = None;
        let mut tried = 0;
        for &f in features.iter() {
            if tried >= max_features && best.is_some() {
                break;
            }
            let hf = &hist[f * MAX_BINS..f * MAX_BINS + self.bins.bins(f)];
            let first = hf.iter().position(|b| b.count > 0);
            let last = hf.iter().rposition(|b| b.count > 0);
            let (Some(first), Some(last)) = (first, last) else {
                continue;
            };
            if first == last {
                continue; // constant here: does not count towards max_features
            }
            tried += 1;
            let (mut gl, mut hl, mut nl) = (0.0, 0.0, 0usize);
            let mut b = first;
            while b < last {
                gl += hf[b].g;
                hl += hf[b].h;
                nl += hf[b].count as usize;
                let next = b + 1 + hf[b + 1..].iter().position(|s| s.count > 0).unwrap();
                let at = b;
                b = next;
                if nl < min_leaf || len - nl < min_leaf {
                    continue;
                }
                let Some(gain) = split_gain(gl, hl, g, h, lambda, parent) else {
                    continue;
                };
                if gain > best.as_ref().map_or(0.0, |s| s.gain) {
                    best = Some(HistSplit {
                        feature: f,
                        bin: at,
                        threshold: threshold_between(
                            self.bins.upper[f][at],
                            self.bins.lower[f][next],
                        ),
                        left: nl,
                        gain,
                    });
                }
            }
        }
        best
    }

    /// Whether a node of `len` samples at `depth` will be searched for a split (before its
    /// curvature is known).
    fn may_split(&self, len: usize, depth: usize) -> bool {
        depth < self.max_depth && len >= 2 * self.min_samples_leaf
    }

    /// Stable partition of `rows[start..end]`: samples with bin ≤ `bin` of `feature` first.
    fn partition(&mut self, feature: usize, bin: usize, start: usize, end: usize) {
        let codes = self.bins.column(feature);
        let block = &mut self.rows[start..end];
        self.scratch.clear();
        let mut k = 0;
        for i in 0..block.len() {
            let s = block[i];
            if codes[s as usize] as usize <= bin {
                block[k] = s;
                k += 1;
            } else {
                self.scratch.push(s);
            }
        }
        block[k..].copy_from_slice(&self.scratch[..]);
    }

    /// Grows the tree; its leaves' sample ranges are left in `leaves`.
    pub(crate) fn grow(mut self) -> Tree {
        let lambda = self.l2_leaf;
        let hist_len = self.bins.p * MAX_BINS;
        let mut features: Vec<usize> = (0..self.bins.p).collect();
        self.leaves.clear();
        let mut nodes = vec![Node::leaf(0.0)];
        let mut stack = vec![Pending {
            id: 0,
            start: 0,
            end: self.rows.len(),
            depth: 0,
            hist: None,
        }];
        while let Some(Pending {
            id,
            start,
            end,
            depth,
            hist,
        }) = stack.pop()
        {
            let (mut g, mut h) = (0.0, 0.0);
            for &s in &self.rows[start..end] {
                g += self.grad[s as usize];
                h += self.hess[s as usize];
            }
            nodes[id].value = newton_value(g, h, lambda);
            if !self.may_split(end - start, depth) || h + lambda <= 0.0 {
                self.leaves.push((id, start, end));
                continue;
            }
            let mut hist = hist.unwrap_or_else(|| {
                let mut fresh = vec![BinSums::default(); hist_len];
                self.bins
                    .build(&self.rows[start..end], self.grad, self.hess, &mut fresh);
                fresh
            });
            let Some(split) = self.best_split(&mut features, &hist, end - start, g, h) else {
                self.leaves.push((id, start, end));
                continue;
            };
            self.partition(split.feature, split.bin, start, end);
            let mid = start + split.left;
            let (left, right) = (nodes.len(), nodes.len() + 1);
            nodes.push(Node::leaf(0.0));
            nodes.push(Node::leaf(0.0));
            nodes[id] = Node::split(split.feature, split.threshold, left, right, nodes[id].value);
            let (left_len, right_len) = (mid - start, end - mid);
            let (mut left_hist, mut right_hist) = (None, None);
            let (need_left, need_right) = (
                self.may_split(left_len, depth + 1),
                self.may_split(right_len, depth + 1),
            );
            if need_left || need_right {
                // The smaller child from its samples, the larger by subtraction.
                let left_smaller = left_len <= right_len;
                let range = if left_smaller { start..mid } else { mid..end };
                let mut small = vec![BinSums::default(); hist_len];
                self.bins
                    .build(&self.rows[range], self.grad, self.hess, &mut small);
                let need_large = if left_smaller { need_right } else { need_left };
                let large = if need_large {
                    subtract(&mut hist, &small);
                    Some(hist)
                } else {
                    None
                };
                if left_smaller {
                    (left_hist, right_hist) = (Some(small), large);
                } else {
                    (left_hist, right_hist) = (large, Some(small));
                }
            }
            stack.push(Pending {
                id: right,
                start: mid,
                end,
                depth: depth + 1,
                hist: right_hist,
            });
            stack.push(Pending {
                id: left,
                start,
                end: mid,
                depth: depth + 1,
                hist: left_hist,
            });
        }
        Tree::new(nodes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nedra_core::random::SplitMix64;

    /// Histogram subtraction equals the directly built histogram of the other child: counts
    /// exactly, sums to 1e-12 relative to the parent's sum of |g| (they differ only by the
    /// rounding of two summation orders, each ≤ n·ε·Σ|g| with n = 5000, ε = 2.2e-16:
    /// ≈ 1.1e-12 at worst, and far less in practice).
    #[test]
    fn subtraction_equals_a_direct_build() {
        let mut rng = SplitMix64::new(3);
        let (n, p) = (5000, 3);
        let mut columns = vec![0.0; n * p];
        for (k, v) in columns.iter_mut().enumerate() {
            // feature 0 continuous (quantile bins), 1 with 7 levels, 2 with 300 levels.
            *v = match k / n {
                0 => rng.uniform(),
                1 => (rng.uniform() * 7.0).floor(),
                _ => (rng.uniform() * 300.0).floor(),
            };
        }
        let bins = BinnedFeatures::new(&columns, n, p, MAX_BINS);
        assert_eq!(bins.bins(0), MAX_BINS);
        assert_eq!(bins.bins(1), 7);
        assert!(bins.bins(2) <= MAX_BINS);
        let grad: Vec<f64> = (0..n).map(|_| rng.uniform() - 0.4).collect();
        let hess: Vec<f64> = (0..n).map(|_| 0.25 * rng.uniform()).collect();
        let all: Vec<u32> = (0..n as u32).collect();
        let (left, right): (Vec<u32>, Vec<u32>) = all.iter().partition(|_| rng.uniform() < 0.3);
        let mut parent = vec![BinSums::default(); p * MAX_BINS];
        let mut small = parent.clone();
        let mut direct = parent.clone();
        bins.build(&all, &grad, &hess, &mut parent);
        bins.build(&left, &grad, &hess, &mut small);
        bins.build(&right, &grad, &hess, &mut direct);
        let scale: f64 = grad.iter().map(|g| g.abs()).sum::<f64>();
        let h_scale: f64 = hess.iter().sum::<f64>();
        subtract(&mut parent, &small);
        for (a, b) in parent.iter().zip(&direct) {
            assert_eq!(a.count, b.count);
            assert!((a.g - b.g).abs() <= 1e-12 * scale, "{a:?} {b:?}");
            assert!((a.h - b.h).abs() <= 1e-12 * h_scale, "{a:?} {b:?}");
        }
        // The check is not vacuous: the bins are filled and the sums are not all zero.
        assert_eq!(
            direct.iter().map(|b| b.count as usize).sum::<usize>(),
            p * right.len()
        );
        assert!(direct.iter().filter(|b| b.g != 0.0).count() > 500);
        // Counts by feature add up and the parent's counts were the bins' sizes.
        for f in 0..p {
            let total: u32 = direct[f * MAX_BINS..(f + 1) * MAX_BINS]
                .iter()
                .map(|b| b.count)
                .sum();
            assert_eq!(total as usize, right.len());
        }
    }

    /// Binning: one bin per distinct value up to the limit; otherwise quantile bins with
    /// about n / B samples each, never splitting a value, codes ordered as the values, and
    /// each bin's [min, max] the range of its samples.
    #[test]
    fn bins_are_quantiles_and_keep_the_order() {
        let mut rng = SplitMix64::new(9);
        let n = 20_000;
        // Continuous, with a heavy atom at 0.5 (10% of samples).
        let column: Vec<f64> = (0..n)
            .map(|_| {
                if rng.uniform() < 0.1 {
                    0.5
                } else {
                    rng.uniform()
                }
            })
            .collect();
        let (codes, lower, upper) = bin_feature(&column, MAX_BINS);
        assert!(
            lower.len() <= MAX_BINS && lower.len() > 200,
            "{}",
            lower.len()
        );
        let mut counts = vec![0usize; lower.len()];
        for (&v, &c) in column.iter().zip(&codes) {
            let c = c as usize;
            assert!(lower[c] <= v && v <= upper[c]);
            counts[c] += 1;
        }
        for b in 1..lower.len() {
            assert!(upper[b - 1] < lower[b]);
        }
        let atom = codes[column.iter().position(|&v| v == 0.5).unwrap()] as usize;
        for (b, &c) in counts.iter().enumerate() {
            assert!(c > 0);
            if b != atom {
                // About n / B = 78 samples; a bin ends only where a value ends.
                assert!(c < 3 * n / MAX_BINS, "bin {b}: {c}");
            }
        }
        assert!(counts[atom] >= n / 20);
        // Few distinct values: one bin each, in order.
        let few: Vec<f64> = (0..1000)
            .map(|i| f64::from((i * 7919) % 13) - 6.0)
            .collect();
        let (codes, lower, upper) = bin_feature(&few, MAX_BINS);
        assert_eq!(lower, upper);
        assert_eq!(
            lower,
            (0..13).map(|v| f64::from(v) - 6.0).collect::<Vec<_>>()
        );
        for (&v, &c) in few.iter().zip(&codes) {
            assert_eq!(lower[c as usize], v);
        }
        // −0 and +0 are one value.
        let (codes, lower, _) = bin_feature(&[0.0, -0.0, 1.0, -0.0], MAX_BINS);
        assert_eq!(lower.len(), 2);
        assert_eq!(codes, vec![0, 0, 1, 0]);
    }
}
