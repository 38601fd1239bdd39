//! Gradient-boosted trees for presence/background classification: gradient boosting of the
//! binomial deviance (log-loss) (Friedman 2001, "Greedy function approximation: a gradient
//! boosting machine", §4.5; Hastie, Tibshirani & Friedman 2009, ch. 10) with second-order
//! (Newton) leaf values and the regularised split gain of Chen & Guestrin (2016, "XGBoost: a
//! scalable tree boosting system", §2.2 and §3.1).
//!
//! The raw score is the log-odds F(x) = F₀ + Σₜ ν·fₜ(x), ν the learning rate, F₀ the
//! log-odds ln(Σwᵢyᵢ / Σwᵢ(1 − yᵢ)) of the weighted positive fraction, and the probability is
//! 1 / (1 + e^−F). Round t fits tree fₜ to the gradients gᵢ = wᵢ(pᵢ − yᵢ) and Hessians
//! hᵢ = wᵢpᵢ(1 − pᵢ) of the weighted log-loss at the current scores: a node with sums G, H
//! takes the Newton value −G/(H + λ), and a split is chosen by exact greedy search over every
//! feature and every midpoint between consecutive distinct values (a row goes left when its
//! value is ≤ the threshold) to maximise the gain
//! G_L²/(H_L + λ) + G_R²/(H_R + λ) − G²/(H + λ). A split needs at least `min_samples_leaf`
//! samples on each side and a positive gain. Sample weights wᵢ are the
//! [`TrainingSet::weights`] (class weighting).
//!
//! With `subsample` < 1 each tree sees a fraction of the samples drawn without replacement
//! (stochastic gradient boosting, Friedman 2002); with `max_features` each split tries a
//! random subset of the features, as in the random forest. Tree t draws from the random
//! stream `(seed, t)` alone; the exact fit is single-threaded (ensembles fit their members
//! in parallel), so the same seed gives the same model on any machine.
//!
//! Large training sets (more than [`HISTOGRAM_AUTO_MIN_SAMPLES`] samples, or any size with
//! [`Histogram::On`]) are fitted by the histogram algorithm of LightGBM (Ke et al. 2017; see
//! `histogram.rs`): every feature binned once into ≤ 256 quantile levels, split search over
//! the bin boundaries, histogram subtraction, features in parallel. The same loss, gain,
//! Newton values, options and random streams; the fitted trees are the same kind (real
//! thresholds) and predict through the same code; its splits are those of the exact search
//! wherever a feature has ≤ 256 distinct values, and otherwise fall on the quantile bins'
//! boundaries. The threads only share out the features of a histogram, each summed in a
//! fixed order, so the same seed still gives the same model on any machine.

use nedra_core::random::SplitMix64;

use crate::classifier::{Classifier, Learner};
use crate::histogram::{BinnedFeatures, HistGrower, MAX_BINS};
use crate::logistic::sigmoid;
use crate::tree::{sum_over_trees, Node, Tree};
use crate::{Error, TrainingSet};

/// Options of gradient boosting.
#[derive(Debug, Clone, PartialEq)]
pub struct BoostingOptions {
    /// Number of boosting rounds, one tree each.
    pub trees: usize,
    /// Learning rate (shrinkage) ν multiplying every tree's values (Friedman 2001, §5).
    pub learning_rate: f64,
    /// Largest depth of a tree (0: every tree is a single leaf).
    pub max_depth: usize,
    /// Smallest number of samples (of the tree's subsample) on each side of a split.
    pub min_samples_leaf: usize,
    /// L2 penalty λ on the node values, in the Newton value −G/(H + λ) and the split gain.
    pub l2_leaf: f64,
    /// Fraction of the samples each tree is grown on, drawn without replacement (1: all).
    pub subsample: f64,
    /// Features tried at each split, drawn at random (`None`: all); as in the random forest,
    /// features constant in the node do not count, and more are tried while none splits.
    pub max_features: Option<usize>,
    /// Exact split search or the histogram algorithm (Ke et al. 2017); the default,
    /// [`Histogram::Auto`], takes the histograms above [`HISTOGRAM_AUTO_MIN_SAMPLES`].
    pub histogram: Histogram,
}

/// Training sets with more samples than this are fitted by histograms under
/// [`Histogram::Auto`].
pub const HISTOGRAM_AUTO_MIN_SAMPLES: usize = 100_000;

/// How gradient boosting searches for splits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Histogram {
    /// Histograms for sets of more than [`HISTOGRAM_AUTO_MIN_SAMPLES`] samples, the exact
    /// search below (so smaller sets fit exactly as before the histograms existed).
    #[default]
    Auto,
    /// Always the histogram algorithm: features binned once into ≤ 256 quantile levels.
    On,
    /// Always the exact greedy search over every midpoint between distinct values.
    Off,
}

impl Histogram {
    /// Whether a training set of `samples` samples is fitted by histograms.
    pub fn uses_histograms(self, samples: usize) -> bool {
        match self {
            Histogram::Auto => samples > HISTOGRAM_AUTO_MIN_SAMPLES,
            Histogram::On => true,
            Histogram::Off => false,
        }
    }
}

impl std::fmt::Display for Histogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Histogram::Auto => "auto",
            Histogram::On => "on",
            Histogram::Off => "off",
        })
    }
}

impl Default for BoostingOptions {
    fn default() -> Self {
        Self {
            trees: 200,
            learning_rate: 0.05,
            max_depth: 3,
            min_samples_leaf: 5,
            l2_leaf: 1.0,
            subsample: 1.0,
            max_features: None,
            histogram: Histogram::Auto,
        }
    }
}

/// A fitted gradient-boosted tree model (saved and loaded with serde).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GradientBoosting {
    initial_score: f64,
    pub(crate) learning_rate: f64,
    pub(crate) trees: Vec<Tree>,
    n_features: usize,
}

impl GradientBoosting {
    /// The same model with every tree evaluated by walking its nodes rather than through
    /// its compiled complete-tree layout: the same bits, slower; for benchmarks and checks.
    pub fn node_walk_only(mut self) -> Self {
        self.trees = self.trees.into_iter().map(|t| t.node_walk_only()).collect();
        self
    }

    /// Number of trees (boosting rounds).
    pub fn trees(&self) -> usize {
        self.trees.len()
    }

    /// Number of features the model was trained on.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// The initial raw score F₀ = ln(Σwᵢyᵢ / Σwᵢ(1 − yᵢ)): the log-odds of the weighted
    /// positive fraction of the training set.
    pub fn initial_score(&self) -> f64 {
        self.initial_score
    }

    /// The raw score F(x) = F₀ + Σₜ ν·fₜ(x) of one row, in log-odds (NaN if a feature is not
    /// finite).
    pub fn raw_score(&self, row: &[f64]) -> f64 {
        if row.iter().any(|v| !v.is_finite()) {
            return f64::NAN;
        }
        let mut score = [self.initial_score];
        sum_over_trees(&self.trees, self.learning_rate, row, &mut score, None);
        score[0]
    }
}

impl Classifier for GradientBoosting {
    fn probability(&self, row: &[f64]) -> f64 {
        sigmoid(self.raw_score(row))
    }

    /// Saabas path attribution in log-odds: every split on a tree's path credits ν × (child
    /// value − node value) to its feature, so the raw score equals F₀ + Σₜ ν·(root value of
    /// tree t) + Σ_f `out[f]`.
    fn contributions(&self, row: &[f64], out: &mut [f64]) {
        sum_over_trees(&self.trees, self.learning_rate, row, &mut [0.0], Some(out));
    }

    /// The raw scores tree by tree over the batch (the trees' shared batch loop), then the
    /// sigmoid; a row alone gives the same bits.
    fn predict_batch(&self, rows: &[f64], out: &mut [f64], contributions: Option<&mut [f64]>) {
        out.iter_mut().for_each(|o| *o = self.initial_score);
        sum_over_trees(&self.trees, self.learning_rate, rows, out, contributions);
        out.iter_mut().for_each(|o| *o = sigmoid(*o));
    }
}

/// (`sigmoid(eta)`, `sigmoid(-eta)`) from one exponential, bit for bit.
fn sigmoid_pair(eta: f64) -> (f64, f64) {
    let e = (-eta.abs()).exp();
    let (big, small) = (1.0 / (1.0 + e), e / (1.0 + e));
    if eta >= 0.0 {
        (big, small)
    } else {
        (small, big)
    }
}

/// The Newton value −G/(H + λ), or 0 where the curvature vanishes.
pub(crate) fn newton_value(g: f64, h: f64, lambda: f64) -> f64 {
    if h + lambda > 0.0 {
        -g / (h + lambda)
    } else {
        0.0
    }
}

/// The gain G_L²/(H_L + λ) + G_R²/(H_R + λ) − `parent` of sending the sums `gl`, `hl` of a
/// node's `g`, `h` left (`parent` = G²/(H + λ)), or `None` where a side's H + λ is not > 0.
pub(crate) fn split_gain(
    gl: f64,
    hl: f64,
    g: f64,
    h: f64,
    lambda: f64,
    parent: f64,
) -> Option<f64> {
    let (dl, dr) = (hl + lambda, h - hl + lambda);
    if !(dl > 0.0 && dr > 0.0) {
        return None;
    }
    let gr = g - gl;
    Some(gl * gl / dl + gr * gr / dr - parent)
}

/// The threshold between `a`, the largest value going left, and `b` > `a`, the smallest going
/// right: their midpoint, or `a` where the midpoint rounds up to `b`.
pub(crate) fn threshold_between(a: f64, b: f64) -> f64 {
    let mid = 0.5 * (a + b);
    if mid < b {
        mid
    } else {
        a
    }
}

struct Split {
    feature: usize,
    threshold: f64,
    /// Samples going left (a prefix of the node's samples sorted by `feature`).
    left: usize,
    gain: f64,
}

/// Grows one tree on the current gradients.
struct Grower<'a> {
    /// Feature values column by column: feature f of sample i at `columns[f * n + i]`.
    columns: &'a [f64],
    n: usize,
    grad: &'a [f64],
    hess: &'a [f64],
    /// For each feature, the tree's samples sorted by that feature (`m` each); a node owns
    /// the same range `start..end` of every feature's block.
    order: &'a mut [u32],
    /// Samples in the tree.
    m: usize,
    goes_left: &'a mut [bool],
    scratch: &'a mut Vec<u32>,
    options: &'a BoostingOptions,
    features: Vec<usize>,
    rng: SplitMix64,
}

impl Grower<'_> {
    fn block(&self, f: usize, start: usize, end: usize) -> &[u32] {
        &self.order[f * self.m + start..f * self.m + end]
    }

    fn best_split(&mut self, start: usize, end: usize, g: f64, h: f64) -> Option<Split> {
        let lambda = self.options.l2_leaf;
        let min_leaf = self.options.min_samples_leaf;
        let p = self.features.len();
        let max_features = self.options.max_features.unwrap_or(p);
        if max_features < p {
            self.rng.shuffle(&mut self.features);
        }
        let parent = g * g / (h + lambda);
        let len = end - start;
        let mut best: Option<Split> = None;
        let mut tried = 0;
        for &f in &self.features {
            if tried >= max_features && best.is_some() {
                break;
            }
            let column = &self.columns[f * self.n..(f + 1) * self.n];
            let block = self.block(f, start, end);
            if column[block[0] as usize] == column[block[len - 1] as usize] {
                continue; // constant here: does not count towards max_features
            }
            tried += 1;
            let (mut gl, mut hl) = (0.0, 0.0);
            let mut next = column[block[0] as usize];
            for i in 0..len - 1 {
                let s = block[i] as usize;
                gl += self.grad[s];
                hl += self.hess[s];
                let a = next;
                let b = column[block[i + 1] as usize];
                next = b;
                if a == b || i + 1 < min_leaf || len - i - 1 < min_leaf {
                    continue;
                }
                let Some(gain) = split_gain(gl, hl, g, h, lambda, parent) else {
                    continue;
                };
                if gain > best.as_ref().map_or(0.0, |b| b.gain) {
                    best = Some(Split {
                        feature: f,
                        threshold: threshold_between(a, b),
                        left: i + 1,
                        gain,
                    });
                }
            }
        }
        best
    }

    /// Reorders every feature's block `start..end` so the split's left samples come first,
    /// keeping each side sorted.
    fn partition(&mut self, split: &Split, start: usize, end: usize) {
        let m = self.m;
        let block = &self.order[split.feature * m + start..split.feature * m + end];
        for (i, &s) in block.iter().enumerate() {
            self.goes_left[s as usize] = i < split.left;
        }
        for f in 0..self.features.len() {
            if f == split.feature {
                continue;
            }
            let block = &mut self.order[f * m + start..f * m + end];
            self.scratch.clear();
            let mut k = 0;
            for i in 0..block.len() {
                let s = block[i];
                if self.goes_left[s as usize] {
                    block[k] = s;
                    k += 1;
                } else {
                    self.scratch.push(s);
                }
            }
            block[k..].copy_from_slice(&self.scratch[..]);
        }
    }

    fn grow(mut self) -> Tree {
        let lambda = self.options.l2_leaf;
        let mut nodes = vec![Node::leaf(0.0)];
        // (node index, start, end, depth) of nodes still to grow.
        let mut stack = vec![(0usize, 0usize, self.m, 0usize)];
        while let Some((id, start, end, depth)) = stack.pop() {
            let (mut g, mut h) = (0.0, 0.0);
            for &s in self.block(0, start, end) {
                g += self.grad[s as usize];
                h += self.hess[s as usize];
            }
            nodes[id].value = newton_value(g, h, lambda);
            if depth >= self.options.max_depth
                || end - start < 2 * self.options.min_samples_leaf
                || h + lambda <= 0.0
            {
                continue;
            }
            let Some(split) = self.best_split(start, end, g, h) else {
                continue;
            };
            self.partition(&split, start, end);
            let (left, right) = (nodes.len(), nodes.len() + 1);
            nodes.push(Node::leaf(0.0));
            nodes.push(Node::leaf(0.0));
            nodes[id] = Node::split(split.feature, split.threshold, left, right, nodes[id].value);
            let mid = start + split.left;
            stack.push((right, mid, end, depth + 1));
            stack.push((left, start, mid, depth + 1));
        }
        Tree::new(nodes)
    }
}

impl BoostingOptions {
    fn check(&self) -> Result<(), Error> {
        let invalid = |name, value: f64, requirement| {
            Err(Error::InvalidOption {
                name,
                value,
                requirement,
            })
        };
        if self.trees == 0 {
            return invalid("trees", 0.0, ">= 1");
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return invalid("learning_rate", self.learning_rate, "finite and > 0");
        }
        if self.min_samples_leaf == 0 {
            return invalid("min_samples_leaf", 0.0, ">= 1");
        }
        if !(self.l2_leaf.is_finite() && self.l2_leaf >= 0.0) {
            return invalid("l2_leaf", self.l2_leaf, "finite and >= 0");
        }
        if !(self.subsample > 0.0 && self.subsample <= 1.0) {
            return invalid("subsample", self.subsample, "in (0, 1]");
        }
        if self.max_features == Some(0) {
            return invalid("max_features", 0.0, ">= 1");
        }
        Ok(())
    }

    /// Fits `trees` rounds of gradient boosting; tree t uses the random stream `(seed, t)`
    /// for its subsample and feature subsets (with `subsample` = 1 and `max_features` =
    /// `None` the fit does not depend on the seed).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] if `trees`, `min_samples_leaf` or `max_features` is 0, the
    /// learning rate is not finite and > 0, `l2_leaf` is not finite and ≥ 0, `subsample` is
    /// not in (0, 1], the set is empty or larger than 2³² − 1 samples, or it has no positive
    /// or no background sample.
    pub fn fit(&self, data: &TrainingSet, seed: u64) -> Result<GradientBoosting, Error> {
        self.check()?;
        let n = data.len();
        if n == 0 || n >= u32::MAX as usize {
            return Err(Error::InvalidOption {
                name: "training samples",
                value: n as f64,
                requirement: ">= 1 and < 2^32 - 1",
            });
        }
        let positives = data.positives();
        if positives == 0 || positives == n {
            return Err(Error::InvalidOption {
                name: "positive samples",
                value: positives as f64,
                requirement: "at least one, with at least one background sample",
            });
        }
        let p = data.n_features();
        let (labels, weights) = (data.labels(), data.weights());
        let (mut w_positive, mut w_background) = (0.0, 0.0);
        for (&l, &w) in labels.iter().zip(weights) {
            if l {
                w_positive += w;
            } else {
                w_background += w;
            }
        }
        let initial_score = (w_positive / w_background).ln();

        let mut columns = vec![0.0; n * p];
        for i in 0..n {
            for (f, &v) in data.row(i).iter().enumerate() {
                columns[f * n + i] = v;
            }
        }
        let binned = self
            .histogram
            .uses_histograms(n)
            .then(|| BinnedFeatures::new(&columns, n, p, MAX_BINS));
        // The histogram fit needs only the codes: the columns and the sorted orders are the
        // exact fit's (n × p × 12 bytes against n × p for the codes).
        let (columns, exact_features) = if binned.is_some() {
            (Vec::new(), 0)
        } else {
            (columns, p)
        };
        let sorted: Vec<Vec<u32>> = (0..exact_features)
            .map(|f| {
                let column = &columns[f * n..(f + 1) * n];
                let mut idx: Vec<u32> = (0..n as u32).collect();
                idx.sort_by(|&a, &b| column[a as usize].total_cmp(&column[b as usize]));
                idx
            })
            .collect();

        let m = if self.subsample < 1.0 {
            ((self.subsample * n as f64) as usize).clamp(1, n)
        } else {
            n
        };
        let mut score = vec![initial_score; n];
        let (mut grad, mut hess) = (vec![0.0; n], vec![0.0; n]);
        let mut in_bag = vec![true; n];
        let mut draw: Vec<usize> = (0..n).collect();
        let mut order: Vec<u32> = Vec::with_capacity(m * exact_features);
        let mut goes_left = vec![false; n];
        let mut scratch = Vec::with_capacity(m);
        let (mut rows, mut leaves) = (Vec::new(), Vec::new());
        let mut trees = Vec::with_capacity(self.trees);
        for t in 0..self.trees {
            let mut rng = SplitMix64::stream(seed, t as u64);
            if m < n {
                // Partial Fisher–Yates: the first m of `draw` are a uniform sample.
                for i in 0..m {
                    let j = i + rng.below(n - i);
                    draw.swap(i, j);
                }
                in_bag.iter_mut().for_each(|b| *b = false);
                for &i in &draw[..m] {
                    in_bag[i] = true;
                }
            }
            for i in 0..n {
                // p and 1 − p each computed directly, so that neither loses digits; both
                // from one exponential (the same bits as `sigmoid(±score)`).
                let (prob, complement) = sigmoid_pair(score[i]);
                let w = weights[i];
                grad[i] = if labels[i] { -w * complement } else { w * prob };
                hess[i] = w * prob * complement;
            }
            if let Some(bins) = &binned {
                rows.clear();
                rows.extend((0..n as u32).filter(|&i| in_bag[i as usize]));
                let tree = HistGrower {
                    bins,
                    grad: &grad,
                    hess: &hess,
                    rows: &mut rows,
                    scratch: &mut scratch,
                    max_depth: self.max_depth,
                    min_samples_leaf: self.min_samples_leaf,
                    l2_leaf: self.l2_leaf,
                    max_features: self.max_features,
                    rng,
                    leaves: &mut leaves,
                }
                .grow();
                // The tree's samples from their leaves (the bins send every training sample
                // the side its value does), the others through the tree: the same bits as
                // `tree.leaf_value` for all.
                let nodes = tree.nodes();
                for &(leaf, start, end) in &leaves {
                    let step = self.learning_rate * nodes[leaf].value;
                    for &i in &rows[start..end] {
                        score[i as usize] += step;
                    }
                }
                if m < n {
                    for (i, s) in score.iter_mut().enumerate() {
                        if !in_bag[i] {
                            *s += self.learning_rate * tree.leaf_value(data.row(i));
                        }
                    }
                }
                trees.push(tree);
                continue;
            }
            order.clear();
            for s in &sorted {
                order.extend(s.iter().filter(|&&i| in_bag[i as usize]));
            }
            let tree = Grower {
                columns: &columns,
                n,
                grad: &grad,
                hess: &hess,
                order: &mut order,
                m,
                goes_left: &mut goes_left,
                scratch: &mut scratch,
                options: self,
                features: (0..p).collect(),
                rng,
            }
            .grow();
            for (i, s) in score.iter_mut().enumerate() {
                *s += self.learning_rate * tree.leaf_value(data.row(i));
            }
            trees.push(tree);
        }
        Ok(GradientBoosting {
            initial_score,
            learning_rate: self.learning_rate,
            trees,
            n_features: p,
        })
    }
}

impl Learner for BoostingOptions {
    type Model = GradientBoosting;

    fn fit(&self, data: &TrainingSet, seed: u64) -> Result<GradientBoosting, Error> {
        BoostingOptions::fit(self, data, seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classifier::roc_auc;
    use crate::{ClassWeighting, LogisticOptions};
    use nedra_core::random::SplitMix64;

    #[test]
    fn the_sigmoid_pair_equals_two_sigmoids_bit_for_bit() {
        for eta in [
            -800.0, -37.5, -3.0, -1e-300, -0.0, 0.0, 1e-9, 0.7, 5.0, 40.0, 800.0,
        ] {
            let (p, q) = sigmoid_pair(eta);
            assert_eq!(p.to_bits(), sigmoid(eta).to_bits(), "{eta}");
            assert_eq!(q.to_bits(), sigmoid(-eta).to_bits(), "{eta}");
        }
    }

    fn set(p: usize, features: Vec<f64>, labels: Vec<bool>) -> TrainingSet {
        let n = labels.len();
        TrainingSet::new(p, features, labels, vec![0.0; n], vec![0.0; n]).unwrap()
    }

    /// Features a, b, c uniform on [0, 1); the label is (a > ½) xor (b > ½), flipped with
    /// probability `noise`; c is pure noise.
    fn xor_data(n: usize, noise: f64, seed: u64) -> TrainingSet {
        let mut rng = SplitMix64::new(seed);
        let (mut f, mut l) = (vec![], vec![]);
        for _ in 0..n {
            let (a, b, c) = (rng.uniform(), rng.uniform(), rng.uniform());
            f.extend([a, b, c]);
            l.push(((a > 0.5) != (b > 0.5)) != (rng.uniform() < noise));
        }
        set(3, f, l)
    }

    /// Four uniform features; y ~ Bernoulli(σ(3(x₀ − ½) − 2(x₁ − ½) + 4x₂x₃ − 1)).
    fn noisy_data(n: usize, seed: u64) -> TrainingSet {
        let mut rng = SplitMix64::new(seed);
        let (mut f, mut l) = (vec![], vec![]);
        for _ in 0..n {
            let x: Vec<f64> = (0..4).map(|_| rng.uniform()).collect();
            let eta = 3.0 * (x[0] - 0.5) - 2.0 * (x[1] - 0.5) + 4.0 * x[2] * x[3] - 1.0;
            l.push(rng.uniform() < 1.0 / (1.0 + (-eta).exp()));
            f.extend(x);
        }
        set(4, f, l)
    }

    fn truncated(model: &GradientBoosting, trees: usize) -> GradientBoosting {
        let mut m = model.clone();
        m.trees.truncate(trees);
        m
    }

    /// Weighted log-loss per unit weight on `data`.
    fn log_loss(model: &GradientBoosting, data: &TrainingSet) -> f64 {
        let (mut loss, mut total) = (0.0, 0.0);
        for i in 0..data.len() {
            let (f, w) = (model.raw_score(data.row(i)), data.weights()[i]);
            // −ln σ(±F) = ln(1 + e^∓F).
            let signed = if data.labels()[i] { -f } else { f };
            loss += w * signed.exp().ln_1p();
            total += w;
        }
        loss / total
    }

    /// x = 1…10, labels F F F F T T F T T T, positives weighted 3: Σwy = 15, Σw(1 − y) = 5,
    /// so F₀ = ln 3 and p = ¾ everywhere. With λ = 0 the split at 4.5 (gain 15, against 10.6
    /// at 3.5 and 5.9 at 5.5) leaves four negatives on the left (G = 4·¾ = 3,
    /// H = 4·³⁄₁₆ = ¾, value −4) and 5 weighted positives and one negative on the right
    /// (G = 15·(−¼) + ¾ = −3, H = 16·³⁄₁₆ = 3, value 1); the root has G = 0, value 0.
    #[test]
    fn one_stump_matches_the_closed_form() {
        let labels = [0, 0, 0, 0, 1, 1, 0, 1, 1, 1].map(|v| v == 1).to_vec();
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        let data = set(1, x.clone(), labels.clone())
            .with_class_weighting(ClassWeighting::Explicit {
                positive: 3.0,
                background: 1.0,
            })
            .unwrap();
        let model = BoostingOptions {
            trees: 1,
            learning_rate: 1.0,
            max_depth: 1,
            min_samples_leaf: 1,
            l2_leaf: 0.0,
            ..Default::default()
        }
        .fit(&data, 0)
        .unwrap();
        // F₀ from the weights, and its closed form ln 3.
        let w = data.weights();
        let wy: f64 = (0..10).filter(|&i| labels[i]).map(|i| w[i]).sum();
        let wn: f64 = (0..10).filter(|&i| !labels[i]).map(|i| w[i]).sum();
        assert!((model.initial_score() - (wy / wn).ln()).abs() < 1e-15);
        assert!((model.initial_score() - 3f64.ln()).abs() < 1e-15);
        // −G/H of each side, summed from the data.
        let p0 = wy / (wy + wn);
        let side_value = |left: bool| {
            let (mut g, mut h) = (0.0, 0.0);
            for i in (0..10).filter(|&i| (x[i] <= 4.5) == left) {
                g += w[i] * (p0 - f64::from(u8::from(labels[i])));
                h += w[i] * p0 * (1.0 - p0);
            }
            -g / h
        };
        let nodes = model.trees[0].nodes();
        assert_eq!(nodes.len(), 3);
        assert_eq!((nodes[0].feature, nodes[0].threshold), (0, 4.5));
        assert!(nodes[0].value.abs() < 1e-15);
        let (left, right) = (nodes[1].value, nodes[2].value);
        assert!((left - side_value(true)).abs() < 1e-12);
        assert!((right - side_value(false)).abs() < 1e-12);
        assert!((left + 4.0).abs() < 1e-12 && (right - 1.0).abs() < 1e-12);
        assert!((model.raw_score(&[2.0]) - (3f64.ln() - 4.0)).abs() < 1e-12);
        let expected = 1.0 / (1.0 + (-(3f64.ln() + 1.0)).exp());
        assert!((model.probability(&[9.0]) - expected).abs() < 1e-12);
        assert!(model.probability(&[f64::NAN]).is_nan());
    }

    /// The root split of each of the first five trees is the best of a brute-force search
    /// over every feature and every midpoint, with g and h recomputed from the scores of the
    /// previous trees and the gain formula written out; the two leaves of a stump (depth 1)
    /// carry −G/(H + λ) of their side.
    #[test]
    fn root_splits_equal_a_brute_force_search() {
        let mut rng = SplitMix64::new(21);
        let (n, p) = (80, 3);
        let (mut f, mut l) = (vec![], vec![]);
        for _ in 0..n {
            let x: Vec<f64> = (0..p).map(|_| rng.uniform()).collect();
            l.push(x[0] + 0.3 * rng.uniform() > 0.7 || x[1] > 0.8);
            f.extend(x);
        }
        let data = set(p, f, l)
            .with_class_weighting(ClassWeighting::Balanced)
            .unwrap();
        let lambda = 1.5;
        let min_leaf = 4;
        let model = BoostingOptions {
            trees: 5,
            learning_rate: 0.3,
            max_depth: 1,
            min_samples_leaf: min_leaf,
            l2_leaf: lambda,
            ..Default::default()
        }
        .fit(&data, 0)
        .unwrap();
        for t in 0..5 {
            let before = truncated(&model, t);
            let (mut g, mut h) = (vec![0.0; n], vec![0.0; n]);
            for i in 0..n {
                let prob = 1.0 / (1.0 + (-before.raw_score(data.row(i))).exp());
                let (w, y) = (data.weights()[i], f64::from(u8::from(data.labels()[i])));
                g[i] = w * (prob - y);
                h[i] = w * prob * (1.0 - prob);
            }
            let sums = |rows: &mut dyn Iterator<Item = usize>| {
                rows.fold((0.0, 0.0, 0usize), |(a, b, c), i| {
                    (a + g[i], b + h[i], c + 1)
                })
            };
            let score = |(gs, hs, _): (f64, f64, usize)| gs * gs / (hs + lambda);
            let parent = score(sums(&mut (0..n)));
            // (gain, feature, threshold)
            let mut best = (0.0, usize::MAX, f64::NAN);
            for feature in 0..p {
                let mut values: Vec<f64> = (0..n).map(|i| data.row(i)[feature]).collect();
                values.sort_by(f64::total_cmp);
                values.dedup();
                for pair in values.windows(2) {
                    let threshold = 0.5 * (pair[0] + pair[1]);
                    let left = sums(&mut (0..n).filter(|&i| data.row(i)[feature] <= threshold));
                    let right = sums(&mut (0..n).filter(|&i| data.row(i)[feature] > threshold));
                    if left.2 < min_leaf || right.2 < min_leaf {
                        continue;
                    }
                    let gain = score(left) + score(right) - parent;
                    if gain > best.0 {
                        best = (gain, feature, threshold);
                    }
                }
            }
            let nodes = model.trees[t].nodes();
            assert!(best.0 > 0.0, "tree {t}: no split with positive gain");
            assert_eq!(nodes[0].feature as usize, best.1, "tree {t}");
            assert_eq!(nodes[0].threshold, best.2, "tree {t}");
            let (feature, threshold) = (best.1, best.2);
            for (child, left) in [(nodes[0].left, true), (nodes[0].right, false)] {
                let (gs, hs, _) =
                    sums(&mut (0..n).filter(|&i| (data.row(i)[feature] <= threshold) == left));
                let value = nodes[child as usize].value;
                assert!((value + gs / (hs + lambda)).abs() < 1e-12, "tree {t}");
            }
        }
    }

    /// Features with at most 256 distinct values (here 2, 17, 100 and 256 levels), so each
    /// value is its own bin: the histogram trainer grows the exact trainer's trees — the same
    /// nodes, features and thresholds (bit for bit), with and without subsampling and
    /// feature subsets (the same random streams) — and node values within 1e-9. The values
    /// differ only by the order of summation (the exact trainer sums a node's gradients in
    /// the order of feature 0's values, the histograms by bin): each sum of ≤ 3000 terms of
    /// size ≤ 1 rounds to ≈ 3000 · 2⁻⁵³ ≈ 3e-13, carried through the scores of later trees;
    /// 1e-9 leaves room for that and for nothing else.
    #[test]
    fn histograms_grow_the_exact_trees_on_few_levels() {
        let mut rng = SplitMix64::new(31);
        let n = 3000;
        let levels = [2.0, 17.0, 100.0, 256.0];
        let (mut f, mut l) = (vec![], vec![]);
        for _ in 0..n {
            let x: Vec<f64> = levels
                .iter()
                .map(|&k| (rng.uniform() * k).floor() / k)
                .collect();
            let eta = 2.0 * x[0] - 3.0 * x[1] + 4.0 * x[2] * x[3] - 1.0;
            l.push(rng.uniform() < 1.0 / (1.0 + (-eta).exp()));
            f.extend(x);
        }
        let data = set(4, f, l)
            .with_class_weighting(ClassWeighting::Balanced)
            .unwrap();
        for options in [
            BoostingOptions {
                trees: 40,
                learning_rate: 0.2,
                ..Default::default()
            },
            BoostingOptions {
                trees: 25,
                learning_rate: 0.3,
                max_depth: 5,
                min_samples_leaf: 20,
                l2_leaf: 0.5,
                subsample: 0.7,
                max_features: Some(2),
                ..Default::default()
            },
        ] {
            let exact = BoostingOptions {
                histogram: Histogram::Off,
                ..options.clone()
            }
            .fit(&data, 8)
            .unwrap();
            let binned = BoostingOptions {
                histogram: Histogram::On,
                ..options.clone()
            }
            .fit(&data, 8)
            .unwrap();
            // Auto below the threshold is the exact trainer, bit for bit.
            assert_eq!(options.fit(&data, 8).unwrap(), exact);
            assert_eq!(exact.trees.len(), binned.trees.len());
            let mut splits = 0;
            for (t, (a, b)) in exact.trees.iter().zip(&binned.trees).enumerate() {
                assert_eq!(a.nodes().len(), b.nodes().len(), "tree {t}");
                for (k, (x, y)) in a.nodes().iter().zip(b.nodes()).enumerate() {
                    assert_eq!(
                        (x.feature, x.left, x.right, x.threshold.to_bits()),
                        (y.feature, y.left, y.right, y.threshold.to_bits()),
                        "tree {t} node {k}"
                    );
                    assert!((x.value - y.value).abs() < 1e-9, "tree {t} node {k}");
                    splits += usize::from(!x.is_leaf());
                }
            }
            assert!(splits > 5 * options.trees, "{splits}");
            for i in 0..n {
                let (p, q) = (
                    exact.probability(data.row(i)),
                    binned.probability(data.row(i)),
                );
                assert!((p - q).abs() < 1e-9, "row {i}");
            }
        }
    }

    /// Four continuous features and four with repeats, 120,000 training samples (above the
    /// threshold, so `Auto` takes the histograms) and 40,000 held out: 60 trees of depth 3
    /// rank the held-out rows with ROC AUC within 0.001 of the exact trainer (measured: 0.81383
    /// exact, 0.81368 histograms) (with 256
    /// quantile bins of ~470 samples each, a threshold moves by at most a bin: a small
    /// fraction of the signal). The model fitted under `Auto` is the one under `On`.
    #[test]
    fn histograms_match_the_exact_auc_on_a_large_set() {
        let draw = |n: usize, seed: u64| {
            let mut rng = SplitMix64::new(seed);
            let (mut f, mut l) = (vec![], vec![]);
            for _ in 0..n {
                let mut x: Vec<f64> = (0..8).map(|_| rng.uniform()).collect();
                for v in &mut x[4..] {
                    *v = (*v * 1000.0).floor();
                }
                let eta = 3.0 * x[0] - 2.0 * x[1] + 4.0 * x[2] * x[3] + 0.002 * x[4] - 3.0;
                l.push(rng.uniform() < 1.0 / (1.0 + (-eta).exp()));
                f.extend(x);
            }
            set(8, f, l)
        };
        let (train, test) = (draw(120_000, 1), draw(40_000, 2));
        let options = BoostingOptions {
            trees: 60,
            learning_rate: 0.1,
            ..Default::default()
        };
        let auc = |model: &GradientBoosting| {
            let scores: Vec<f64> = (0..test.len())
                .map(|i| model.probability(test.row(i)))
                .collect();
            roc_auc(&scores, test.labels()).unwrap()
        };
        let binned = options.fit(&train, 0).unwrap();
        let on = BoostingOptions {
            histogram: Histogram::On,
            ..options.clone()
        };
        assert_eq!(on.fit(&train, 0).unwrap(), binned);
        let exact = BoostingOptions {
            histogram: Histogram::Off,
            ..options.clone()
        }
        .fit(&train, 0)
        .unwrap();
        assert_ne!(exact, binned);
        let (a, b) = (auc(&exact), auc(&binned));
        assert!(a > 0.7, "{a}");
        assert!((a - b).abs() < 0.001, "exact {a}, histograms {b}");
    }

    /// On a noisy logistic set the training log-loss falls with every tree; on an XOR set
    /// with 5% of labels flipped (so the best possible AUC is about 0.95) boosting ranks
    /// held-out rows with ROC AUC > 0.9 where logistic regression is no better than chance
    /// (< 0.6).
    #[test]
    fn training_loss_falls_every_round_and_xor_is_learned() {
        let data = noisy_data(600, 5);
        let model = BoostingOptions {
            trees: 60,
            learning_rate: 0.1,
            ..Default::default()
        }
        .fit(&data, 0)
        .unwrap();
        let losses: Vec<f64> = (0..=60)
            .map(|t| log_loss(&truncated(&model, t), &data))
            .collect();
        for t in 0..60 {
            assert!(losses[t + 1] < losses[t], "round {t}: {losses:?}");
        }
        assert!(losses[60] < 0.7 * losses[0], "{losses:?}");

        let train = xor_data(1500, 0.05, 1);
        let test = xor_data(1000, 0.05, 2);
        let boosted = BoostingOptions::default().fit(&train, 3).unwrap();
        let logistic = LogisticOptions::default().fit(&train).unwrap();
        let auc = |c: &dyn Classifier| {
            let scores: Vec<f64> = (0..test.len())
                .map(|i| c.probability(test.row(i)))
                .collect();
            roc_auc(&scores, test.labels()).unwrap()
        };
        let (auc_boosted, auc_logistic) = (auc(&boosted), auc(&logistic));
        assert!(auc_boosted > 0.9, "{auc_boosted}");
        assert!(auc_logistic < 0.6, "{auc_logistic}");
    }

    /// F₀ + Σₜ ν·(root value) + Σ contributions equals the raw score on every row; the noise
    /// feature of the XOR set has the smallest mean |contribution|.
    #[test]
    fn contributions_add_up_to_the_raw_score() {
        let data = xor_data(800, 0.05, 7);
        let model = BoostingOptions {
            subsample: 0.8,
            ..Default::default()
        }
        .fit(&data, 4)
        .unwrap();
        let baseline = model.initial_score()
            + model
                .trees
                .iter()
                .map(|t| model.learning_rate * t.nodes()[0].value)
                .sum::<f64>();
        let mut c = vec![0.0; 3];
        let mut total = [0.0f64; 3];
        for i in 0..data.len() {
            model.contributions(data.row(i), &mut c);
            let sum: f64 = c.iter().sum();
            let raw = model.raw_score(data.row(i));
            assert!((baseline + sum - raw).abs() < 1e-12, "row {i}");
            for k in 0..3 {
                total[k] += c[k].abs();
            }
        }
        assert!(total[2] < total[0] && total[2] < total[1], "{total:?}");
    }

    /// The same seed gives the same model, another seed another model when rows or features
    /// are drawn, and no dependence on the seed when nothing is drawn; a JSON round trip
    /// gives an equal model with bit-identical probabilities.
    #[test]
    fn seeded_and_round_trips_through_json() {
        let data = noisy_data(400, 8);
        let drawn = BoostingOptions {
            trees: 30,
            subsample: 0.7,
            ..Default::default()
        };
        let a = drawn.fit(&data, 5).unwrap();
        assert_eq!(a, drawn.fit(&data, 5).unwrap());
        assert_ne!(a, drawn.fit(&data, 6).unwrap());
        let by_feature = BoostingOptions {
            trees: 30,
            max_features: Some(2),
            ..Default::default()
        };
        assert_ne!(
            by_feature.fit(&data, 5).unwrap(),
            by_feature.fit(&data, 6).unwrap()
        );
        let plain = BoostingOptions {
            trees: 30,
            ..Default::default()
        };
        assert_eq!(plain.fit(&data, 5).unwrap(), plain.fit(&data, 6).unwrap());

        let text = serde_json::to_string(&a).unwrap();
        let back: GradientBoosting = serde_json::from_str(&text).unwrap();
        assert_eq!(back, a);
        for i in 0..data.len() {
            let (x, y) = (a.probability(data.row(i)), back.probability(data.row(i)));
            assert_eq!(x.to_bits(), y.to_bits());
        }
    }

    /// Doubling every positive weight moves F₀ by ln 2 and raises every probability;
    /// balanced weights give F₀ = 0.
    #[test]
    fn class_weights_shift_the_initial_score() {
        let data = noisy_data(300, 9);
        let options = BoostingOptions {
            trees: 20,
            ..Default::default()
        };
        let plain = options.fit(&data, 0).unwrap();
        let doubled = data
            .clone()
            .with_class_weighting(ClassWeighting::Explicit {
                positive: 2.0,
                background: 1.0,
            })
            .unwrap();
        let heavy = options.fit(&doubled, 0).unwrap();
        let shift = heavy.initial_score() - plain.initial_score();
        assert!((shift - 2f64.ln()).abs() < 1e-12, "{shift}");
        for i in 0..data.len() {
            assert!(heavy.probability(data.row(i)) > plain.probability(data.row(i)));
        }
        let balanced = data.with_class_weighting(ClassWeighting::Balanced).unwrap();
        let b = options.fit(&balanced, 0).unwrap();
        assert!(b.initial_score().abs() < 1e-12, "{}", b.initial_score());
    }

    #[test]
    fn invalid_options_and_sets_are_errors() {
        let data = noisy_data(50, 10);
        let cases: [(&str, BoostingOptions); 9] = [
            (
                "trees",
                BoostingOptions {
                    trees: 0,
                    ..Default::default()
                },
            ),
            (
                "learning_rate",
                BoostingOptions {
                    learning_rate: 0.0,
                    ..Default::default()
                },
            ),
            (
                "learning_rate",
                BoostingOptions {
                    learning_rate: f64::INFINITY,
                    ..Default::default()
                },
            ),
            (
                "min_samples_leaf",
                BoostingOptions {
                    min_samples_leaf: 0,
                    ..Default::default()
                },
            ),
            (
                "l2_leaf",
                BoostingOptions {
                    l2_leaf: -0.1,
                    ..Default::default()
                },
            ),
            (
                "subsample",
                BoostingOptions {
                    subsample: 0.0,
                    ..Default::default()
                },
            ),
            (
                "subsample",
                BoostingOptions {
                    subsample: 1.5,
                    ..Default::default()
                },
            ),
            (
                "subsample",
                BoostingOptions {
                    subsample: f64::NAN,
                    ..Default::default()
                },
            ),
            (
                "max_features",
                BoostingOptions {
                    max_features: Some(0),
                    ..Default::default()
                },
            ),
        ];
        for (expected, options) in cases {
            match options.fit(&data, 0) {
                Err(Error::InvalidOption { name, .. }) => assert_eq!(name, expected),
                other => panic!("{expected}: {other:?}"),
            }
        }
        let empty = set(2, vec![], vec![]);
        let one_class = set(1, vec![0.0, 1.0, 2.0], vec![true; 3]);
        let no_positive = set(1, vec![0.0, 1.0, 2.0], vec![false; 3]);
        for (expected, s) in [
            ("training samples", empty),
            ("positive samples", one_class),
            ("positive samples", no_positive),
        ] {
            match BoostingOptions::default().fit(&s, 0) {
                Err(Error::InvalidOption { name, .. }) => assert_eq!(name, expected),
                other => panic!("{expected}: {other:?}"),
            }
        }
    }

    /// Every leaf of every tree holds at least `min_samples_leaf` training rows, and depth
    /// never exceeds `max_depth`.
    #[test]
    fn min_samples_leaf_and_max_depth_are_respected() {
        let data = xor_data(500, 0.1, 11);
        let model = BoostingOptions {
            trees: 20,
            learning_rate: 0.3,
            max_depth: 4,
            min_samples_leaf: 25,
            ..Default::default()
        }
        .fit(&data, 0)
        .unwrap();
        for tree in &model.trees {
            let mut counts = vec![0usize; tree.nodes().len()];
            for i in 0..data.len() {
                let (mut k, mut depth) = (0usize, 0);
                while !tree.nodes()[k].is_leaf() {
                    let n = tree.nodes()[k];
                    k = if data.row(i)[n.feature as usize] <= n.threshold {
                        n.left as usize
                    } else {
                        n.right as usize
                    };
                    depth += 1;
                }
                assert!(depth <= 4);
                counts[k] += 1;
            }
            for (node, count) in tree.nodes().iter().zip(counts) {
                if node.is_leaf() {
                    assert!(count >= 25, "leaf with {count} rows");
                }
            }
        }
        assert!(model.trees.iter().any(|t| t.nodes().len() > 3));
    }
}
