//! Random forest for presence/background classification (Breiman 2001; Hastie, Tibshirani &
//! Friedman 2009, ch. 15): CART trees grown on bootstrap samples with the Gini impurity
//! (Breiman et al. 1984), a random subset of `max_features` features tried at each node
//! (√p by default), and the probability of a row is the mean over trees of the weighted
//! positive fraction of its leaf (as scikit-learn's `predict_proba`).
//!
//! Trees are grown in parallel (rayon); tree t draws from the random stream `(seed, t)`
//! alone, so the same seed gives the same forest on any number of threads. Sample weights
//! (class weighting) multiply the bootstrap counts in every impurity and leaf fraction.
//! Thresholds are midpoints between consecutive distinct values; a row goes left when its
//! value is ≤ the threshold.

use nedra_core::random::SplitMix64;
use rayon::prelude::*;

use crate::classifier::{roc_auc, Classifier, Learner};
use crate::tree::{sum_over_trees, Node, Tree};
use crate::{Error, TrainingSet};

/// Options of the random forest.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestOptions {
    /// Number of trees.
    pub trees: usize,
    /// Features tried at each split (`None`: ⌊√p⌋, at least 1).
    pub max_features: Option<usize>,
    /// Smallest number of distinct samples in a leaf.
    pub min_samples_leaf: usize,
    /// Largest depth (`None`: grow until leaves are pure or too small).
    pub max_depth: Option<usize>,
    /// Draw a bootstrap sample per tree (false: every tree sees every sample).
    pub bootstrap: bool,
    /// Compute the out-of-bag ROC AUC (needs `bootstrap`).
    pub out_of_bag: bool,
}

impl Default for ForestOptions {
    fn default() -> Self {
        Self {
            trees: 200,
            max_features: None,
            min_samples_leaf: 1,
            max_depth: None,
            bootstrap: true,
            out_of_bag: false,
        }
    }
}

/// A fitted random forest (saved and loaded with serde).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RandomForest {
    pub(crate) trees: Vec<Tree>,
    n_features: usize,
    oob_roc_auc: Option<f64>,
}

impl RandomForest {
    /// The same model with every tree evaluated by walking its nodes rather than through
    /// its compiled complete-tree layout: the same bits, slower; for benchmarks and checks.
    pub fn node_walk_only(mut self) -> Self {
        self.trees = self.trees.into_iter().map(|t| t.node_walk_only()).collect();
        self
    }

    /// Number of trees.
    pub fn trees(&self) -> usize {
        self.trees.len()
    }

    /// Total number of nodes over all trees.
    pub fn nodes(&self) -> usize {
        self.trees.iter().map(|t| t.nodes().len()).sum()
    }

    /// Number of features the forest was trained on.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Out-of-bag ROC AUC (Breiman 2001, §3.1), when asked for and defined: each sample
    /// scored by the trees whose bootstrap did not draw it.
    pub fn oob_roc_auc(&self) -> Option<f64> {
        self.oob_roc_auc
    }
}

impl Classifier for RandomForest {
    fn probability(&self, row: &[f64]) -> f64 {
        if row.iter().any(|v| !v.is_finite()) {
            return f64::NAN;
        }
        let mut p = [0.0];
        self.predict_batch(row, &mut p, None);
        p[0]
    }

    /// Saabas path attribution averaged over trees, in probability: the forest's probability
    /// equals the mean root fraction plus the sum of the contributions.
    fn contributions(&self, row: &[f64], out: &mut [f64]) {
        self.predict_batch(row, &mut [0.0], Some(out));
    }

    /// The mean over trees of the leaf fractions, tree by tree over the batch (the trees'
    /// shared batch loop); a row alone gives the same bits.
    fn predict_batch(&self, rows: &[f64], out: &mut [f64], mut contributions: Option<&mut [f64]>) {
        out.iter_mut().for_each(|o| *o = 0.0);
        sum_over_trees(&self.trees, 1.0, rows, out, contributions.as_deref_mut());
        let n = self.trees.len() as f64;
        out.iter_mut().for_each(|o| *o /= n);
        if let Some(c) = contributions {
            c.iter_mut().for_each(|v| *v /= n);
        }
    }
}

struct Grower<'a> {
    data: &'a TrainingSet,
    /// Weight of each sample in this tree (bootstrap count × sample weight).
    weight: Vec<f64>,
    max_features: usize,
    min_leaf: usize,
    max_depth: usize,
    rng: SplitMix64,
}

struct Split {
    feature: usize,
    threshold: f64,
    /// Weighted child impurity W_L·G_L + W_R·G_R (lower is better).
    score: f64,
}

impl Grower<'_> {
    fn fraction(&self, samples: &[u32]) -> (f64, f64) {
        let (mut w, mut wp) = (0.0, 0.0);
        for &s in samples {
            let wi = self.weight[s as usize];
            w += wi;
            if self.data.labels()[s as usize] {
                wp += wi;
            }
        }
        (w, wp)
    }

    fn best_split(&mut self, samples: &[u32], buf: &mut Vec<(f64, u32)>) -> Option<Split> {
        let p = self.data.n_features();
        let mut features: Vec<usize> = (0..p).collect();
        self.rng.shuffle(&mut features);
        let (w_total, wp_total) = self.fraction(samples);
        let mut best: Option<Split> = None;
        let mut tried = 0;
        for &f in &features {
            if tried >= self.max_features && best.is_some() {
                break;
            }
            buf.clear();
            buf.extend(samples.iter().map(|&s| (self.data.row(s as usize)[f], s)));
            buf.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
            if buf[0].0 == buf[buf.len() - 1].0 {
                continue; // constant here: does not count towards max_features
            }
            tried += 1;
            let (mut wl, mut wpl) = (0.0, 0.0);
            let n = buf.len();
            for i in 0..n - 1 {
                let s = buf[i].1 as usize;
                let wi = self.weight[s];
                wl += wi;
                if self.data.labels()[s] {
                    wpl += wi;
                }
                if buf[i].0 == buf[i + 1].0 || i + 1 < self.min_leaf || n - i - 1 < self.min_leaf {
                    continue;
                }
                let wr = w_total - wl;
                let wpr = wp_total - wpl;
                // W·Gini = W·2p(1−p) = 2·wp·(W − wp)/W.
                let score = 2.0 * wpl * (wl - wpl) / wl + 2.0 * wpr * (wr - wpr) / wr;
                if best.as_ref().is_none_or(|b| score < b.score) {
                    let (a, b) = (buf[i].0, buf[i + 1].0);
                    let mid = 0.5 * (a + b);
                    let threshold = if mid < b { mid } else { a };
                    best = Some(Split {
                        feature: f,
                        threshold,
                        score,
                    });
                }
            }
        }
        best
    }

    fn grow(mut self, mut samples: Vec<u32>) -> Tree {
        let mut nodes = vec![Node::leaf(0.0)];
        let mut buf = Vec::with_capacity(samples.len());
        // (node index, start, end, depth) of nodes still to grow.
        let mut stack = vec![(0usize, 0usize, samples.len(), 0usize)];
        while let Some((id, start, end, depth)) = stack.pop() {
            let (w, wp) = self.fraction(&samples[start..end]);
            nodes[id].value = if w > 0.0 { wp / w } else { 0.0 };
            let n = end - start;
            if depth >= self.max_depth || n < 2 * self.min_leaf || wp <= 0.0 || wp >= w {
                continue;
            }
            let Some(split) = self.best_split(&samples[start..end], &mut buf) else {
                continue;
            };
            let f = split.feature;
            let part = &mut samples[start..end];
            let mut k = 0;
            for i in 0..part.len() {
                if self.data.row(part[i] as usize)[f] <= split.threshold {
                    part.swap(i, k);
                    k += 1;
                }
            }
            let (left, right) = (nodes.len(), nodes.len() + 1);
            nodes.push(Node::leaf(0.0));
            nodes.push(Node::leaf(0.0));
            nodes[id] = Node::split(f, split.threshold, left, right, nodes[id].value);
            stack.push((right, start + k, end, depth + 1));
            stack.push((left, start, start + k, depth + 1));
        }
        Tree::new(nodes)
    }
}

impl ForestOptions {
    /// Grows the forest; tree t uses the random stream `(seed, t)`.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] if `trees`, `min_samples_leaf` or `max_features` is 0, or the
    /// set is empty or larger than 2³² − 1 samples.
    pub fn fit(&self, data: &TrainingSet, seed: u64) -> Result<RandomForest, Error> {
        for (name, v) in [
            ("trees", self.trees),
            ("min_samples_leaf", self.min_samples_leaf),
            ("max_features", self.max_features.unwrap_or(1)),
            ("training samples", data.len()),
        ] {
            if v == 0 {
                return Err(Error::InvalidOption {
                    name,
                    value: 0.0,
                    requirement: ">= 1",
                });
            }
        }
        if data.len() >= u32::MAX as usize {
            return Err(Error::InvalidOption {
                name: "training samples",
                value: data.len() as f64,
                requirement: "< 2^32 - 1",
            });
        }
        let p = data.n_features();
        let max_features = self
            .max_features
            .unwrap_or(((p as f64).sqrt().floor() as usize).max(1))
            .min(p);
        let n = data.len();
        let grown: Vec<(Tree, Option<Vec<bool>>)> = (0..self.trees)
            .into_par_iter()
            .map(|t| {
                let mut rng = SplitMix64::stream(seed, t as u64);
                let mut counts = vec![0u32; n];
                if self.bootstrap {
                    for _ in 0..n {
                        counts[rng.below(n)] += 1;
                    }
                } else {
                    counts.iter_mut().for_each(|c| *c = 1);
                }
                let weight: Vec<f64> = counts
                    .iter()
                    .zip(data.weights())
                    .map(|(&c, &w)| f64::from(c) * w)
                    .collect();
                let samples: Vec<u32> = (0..n as u32).filter(|&i| counts[i as usize] > 0).collect();
                let in_bag = (self.out_of_bag && self.bootstrap)
                    .then(|| counts.iter().map(|&c| c > 0).collect());
                let grower = Grower {
                    data,
                    weight,
                    max_features,
                    min_leaf: self.min_samples_leaf,
                    max_depth: self.max_depth.unwrap_or(usize::MAX),
                    rng,
                };
                (grower.grow(samples), in_bag)
            })
            .collect();
        let mut oob_roc_auc = None;
        if self.out_of_bag && self.bootstrap {
            let mut sum = vec![0.0; n];
            let mut count = vec![0u32; n];
            for (tree, in_bag) in &grown {
                let in_bag = in_bag.as_ref().expect("recorded when out_of_bag");
                for i in 0..n {
                    if !in_bag[i] {
                        sum[i] += tree.leaf_value(data.row(i));
                        count[i] += 1;
                    }
                }
            }
            let (scores, labels): (Vec<f64>, Vec<bool>) = (0..n)
                .filter(|&i| count[i] > 0)
                .map(|i| (sum[i] / f64::from(count[i]), data.labels()[i]))
                .unzip();
            oob_roc_auc = roc_auc(&scores, &labels).ok();
        }
        Ok(RandomForest {
            trees: grown.into_iter().map(|g| g.0).collect(),
            n_features: p,
            oob_roc_auc,
        })
    }
}

impl Learner for ForestOptions {
    type Model = RandomForest;

    fn fit(&self, data: &TrainingSet, seed: u64) -> Result<RandomForest, Error> {
        ForestOptions::fit(self, data, seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nedra_core::random::SplitMix64;

    fn xor_data(n: usize, seed: u64) -> TrainingSet {
        let mut rng = SplitMix64::new(seed);
        let (mut f, mut l) = (vec![], vec![]);
        for _ in 0..n {
            let (a, b, c) = (rng.uniform(), rng.uniform(), rng.uniform());
            f.extend([a, b, c]);
            l.push((a > 0.5) != (b > 0.5));
        }
        TrainingSet::new(3, f, l, vec![0.0; n], vec![0.0; n]).unwrap()
    }

    /// Saabas attribution on a hand-built tree: root (fraction 0.4) splits feature 1 at 0.5
    /// into leaves 0.1 and 0.7; a row going right credits feature 1 with 0.7 − 0.4.
    #[test]
    fn path_contributions_of_a_hand_built_tree() {
        let tree = Tree::new(vec![
            Node::split(1, 0.5, 1, 2, 0.4),
            Node::leaf(0.1),
            Node::leaf(0.7),
        ]);
        let forest = RandomForest {
            trees: vec![tree],
            n_features: 2,
            oob_roc_auc: None,
        };
        let mut c = [9.0; 2];
        forest.contributions(&[3.0, 0.9], &mut c);
        assert_eq!(c[0], 0.0);
        assert!((c[1] - 0.3).abs() < 1e-15);
        forest.contributions(&[3.0, 0.2], &mut c);
        assert!((c[1] + 0.3).abs() < 1e-15);
    }

    /// The forest's probability is the mean root fraction plus the contributions, on every
    /// row; the forest survives a JSON round trip unchanged.
    #[test]
    fn contributions_add_up_and_the_forest_round_trips_through_json() {
        let data = xor_data(300, 3);
        let f = ForestOptions {
            trees: 20,
            min_samples_leaf: 3,
            ..Default::default()
        }
        .fit(&data, 11)
        .unwrap();
        let base: f64 =
            f.trees.iter().map(|t| t.nodes()[0].value).sum::<f64>() / f.trees.len() as f64;
        let mut c = vec![0.0; 3];
        for i in 0..data.len() {
            f.contributions(data.row(i), &mut c);
            let sum: f64 = c.iter().sum();
            assert!((base + sum - f.probability(data.row(i))).abs() < 1e-12);
        }
        // XOR of features 0 and 1: the noise feature 2 contributes least on average.
        let mut total = [0.0f64; 3];
        for i in 0..data.len() {
            f.contributions(data.row(i), &mut c);
            for k in 0..3 {
                total[k] += c[k].abs();
            }
        }
        assert!(total[2] < total[0] && total[2] < total[1], "{total:?}");
        let text = serde_json::to_string(&f).unwrap();
        let back: RandomForest = serde_json::from_str(&text).unwrap();
        assert_eq!(back, f);
    }

    #[test]
    fn one_tree_without_bootstrap_separates_the_training_data() {
        let data = xor_data(200, 1);
        let options = ForestOptions {
            trees: 1,
            max_features: Some(3),
            bootstrap: false,
            ..Default::default()
        };
        let f = options.fit(&data, 0).unwrap();
        for i in 0..data.len() {
            assert_eq!(
                f.probability(data.row(i)),
                f64::from(u8::from(data.labels()[i]))
            );
        }
        let stump = ForestOptions {
            max_depth: Some(0),
            ..options
        }
        .fit(&data, 0)
        .unwrap();
        let share = data.positives() as f64 / data.len() as f64;
        assert_eq!(stump.probability(data.row(0)), share);
        assert_eq!(stump.nodes(), 1);
    }

    #[test]
    fn min_samples_leaf_is_respected() {
        let data = xor_data(300, 2);
        let f = ForestOptions {
            trees: 5,
            min_samples_leaf: 20,
            bootstrap: false,
            ..Default::default()
        }
        .fit(&data, 3)
        .unwrap();
        for t in &f.trees {
            for (id, node) in t.nodes().iter().enumerate() {
                if node.is_leaf() {
                    let count = (0..data.len())
                        .filter(|&i| {
                            // Route the sample and check it ends here.
                            let mut k = 0usize;
                            while !t.nodes()[k].is_leaf() {
                                let n = t.nodes()[k];
                                k = if data.row(i)[n.feature as usize] <= n.threshold {
                                    n.left as usize
                                } else {
                                    n.right as usize
                                };
                            }
                            k == id
                        })
                        .count();
                    assert!(count >= 20, "leaf with {count} samples");
                }
            }
        }
    }

    #[test]
    fn seeded_and_independent_of_thread_count() {
        let data = xor_data(300, 4);
        let options = ForestOptions {
            trees: 16,
            out_of_bag: true,
            ..Default::default()
        };
        let a = options.fit(&data, 9).unwrap();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = one.install(|| options.fit(&data, 9).unwrap());
        assert_eq!(a, b);
        let c = options.fit(&data, 10).unwrap();
        assert_ne!(a.trees, c.trees);
        assert!(a.oob_roc_auc().unwrap() > 0.8, "{:?}", a.oob_roc_auc());
        assert!(a.probability(&[f64::NAN, 0.0, 0.0]).is_nan());
    }
}
