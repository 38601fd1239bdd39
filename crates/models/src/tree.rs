//! The fitted binary decision tree shared by the random forest and gradient boosting, and its
//! evaluation: the leaf of a row, the Saabas (2014) path attribution, and the batch loop that
//! sums a scaled ensemble of trees over many rows.
//!
//! Every node keeps the learner's value of its training samples (the weighted positive
//! fraction in a forest, the Newton value −G/(H + λ) in boosting); a leaf's value is the
//! tree's prediction, and every split on a row's path credits the change of value from the
//! node to its child to the split's feature, so the leaf value equals the root value plus the
//! credits (Saabas 2014, "Interpreting random forests"). A row goes left when its value is
//! ≤ the threshold. The fitting (split search) stays with each learner.
//!
//! Saved compactly with serde: a tree is a list of nodes, root first; a leaf is its value
//! alone, a split the array `[feature, threshold, left, right, value]`.
//!
//! For prediction a tree of depth ≤ [`COMPLETE_MAX_DEPTH`] is also kept compiled as a
//! [`Complete`] tree: flat arrays in heap order, every leaf at the bottom level, so every row
//! takes exactly `depth` comparisons and no branch on leaf-ness. It gives the bits of the node
//! walk (same thresholds, same comparison, NaN to the right, same order of additions); deeper
//! trees keep the node walk.

use serde::{Deserialize, Serialize};

/// `feature` of a leaf.
const LEAF: u32 = u32::MAX;

/// One node of a fitted tree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Node {
    /// Split feature (index into the row), or `LEAF`.
    pub(crate) feature: u32,
    /// Child for values ≤ the threshold (0 at a leaf).
    pub(crate) left: u32,
    /// Child for values > the threshold (0 at a leaf).
    pub(crate) right: u32,
    /// Split threshold (0 at a leaf).
    pub(crate) threshold: f64,
    /// The learner's value of the node's training samples; at a leaf, the tree's prediction.
    pub(crate) value: f64,
}

impl Node {
    /// A leaf predicting `value`.
    pub(crate) fn leaf(value: f64) -> Self {
        Self {
            feature: LEAF,
            left: 0,
            right: 0,
            threshold: 0.0,
            value,
        }
    }

    /// A split on `feature` at `threshold` into `left` (≤) and `right` (>), of value `value`.
    pub(crate) fn split(
        feature: usize,
        threshold: f64,
        left: usize,
        right: usize,
        value: f64,
    ) -> Self {
        Self {
            feature: feature as u32,
            left: left as u32,
            right: right as u32,
            threshold,
            value,
        }
    }

    /// Whether the node is a leaf.
    pub(crate) fn is_leaf(&self) -> bool {
        self.feature == LEAF
    }
}

/// A fitted binary tree, nodes root first, every child after its parent.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "Vec<SavedNode>")]
pub(crate) struct Tree {
    nodes: Vec<Node>,
    /// The same tree compiled for prediction, when it is shallow enough.
    complete: Option<Complete>,
}

impl Tree {
    /// The tree of `nodes` (root first).
    ///
    /// # Panics
    /// If a split's children are not after it and inside the tree (a bug of the grower).
    pub(crate) fn new(nodes: Vec<Node>) -> Self {
        if let Err(e) = check(&nodes) {
            panic!("invalid tree: {e}");
        }
        let complete = Complete::compile(&nodes);
        Self { nodes, complete }
    }

    /// The same tree without its compiled form: every evaluation walks the nodes.
    pub(crate) fn node_walk_only(mut self) -> Self {
        self.complete = None;
        self
    }

    /// The nodes, root first.
    pub(crate) fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    fn child(&self, n: &Node, row: &[f64]) -> Node {
        if row[n.feature as usize] <= n.threshold {
            self.nodes[n.left as usize]
        } else {
            self.nodes[n.right as usize]
        }
    }

    /// The value of the leaf `row` falls in.
    pub(crate) fn leaf_value(&self, row: &[f64]) -> f64 {
        let mut n = self.nodes[0];
        while !n.is_leaf() {
            n = self.child(&n, row);
        }
        n.value
    }

    /// Adds `scale` × the path attribution of `row` (Saabas 2014) to `out`: each split on the
    /// path credits `scale` × (child value − node value) to its feature. Returns the leaf's
    /// value (unscaled).
    pub(crate) fn walk(&self, row: &[f64], scale: f64, out: &mut [f64]) -> f64 {
        let mut n = self.nodes[0];
        while !n.is_leaf() {
            let next = self.child(&n, row);
            out[n.feature as usize] += scale * (next.value - n.value);
            n = next;
        }
        n.value
    }
}

/// Rows evaluated together by each tree in [`sum_over_trees`]: 512 rows of 8 features are
/// 32 KiB, so a block stays in cache while every tree passes over it.
const BLOCK_ROWS: usize = 512;

/// The evaluation of an ensemble whose score is a scaled sum of its trees' leaf values: adds
/// Σₜ `scale` × (leaf value of tree t) to each row's `out` (so the caller sets the start) and,
/// with `contributions` (zeroed first), Σₜ `scale` × (path attribution of tree t). `rows` is
/// row-major with as many rows as `out` has entries; a NaN feature goes right at every split
/// on it (`NaN ≤ t` is false).
///
/// Blocks of [`BLOCK_ROWS`] rows, tree by tree over each block, so the block and the tree
/// stay in cache and one walk gives both the leaf and the path; trees are visited in order
/// and each row's sum is built in that order, so a batch of one row gives the same bits as
/// any batch holding it, and compiled trees give the bits of the node walk.
pub(crate) fn sum_over_trees(
    trees: &[Tree],
    scale: f64,
    rows: &[f64],
    out: &mut [f64],
    contributions: Option<&mut [f64]>,
) {
    let Some(p) = rows.len().checked_div(out.len()) else {
        return;
    };
    if p == 0 {
        return;
    }
    match contributions {
        None => {
            for (o, block) in out.chunks_mut(BLOCK_ROWS).zip(rows.chunks(BLOCK_ROWS * p)) {
                for t in trees {
                    t.add_leaf_values(scale, block, p, o);
                }
            }
        }
        Some(c) => {
            c.iter_mut().for_each(|v| *v = 0.0);
            for ((o, block), cb) in out
                .chunks_mut(BLOCK_ROWS)
                .zip(rows.chunks(BLOCK_ROWS * p))
                .zip(c.chunks_mut(BLOCK_ROWS * p))
            {
                for t in trees {
                    t.add_walks(scale, block, p, o, cb);
                }
            }
        }
    }
}

impl Tree {
    /// Adds `scale` × the leaf value of each row of `rows` (row-major, `p` features) to `out`.
    fn add_leaf_values(&self, scale: f64, rows: &[f64], p: usize, out: &mut [f64]) {
        match &self.complete {
            Some(c) => c.add_leaf_values(scale, rows, p, out),
            None => {
                for (o, row) in out.iter_mut().zip(rows.chunks_exact(p)) {
                    *o += scale * self.leaf_value(row);
                }
            }
        }
    }

    /// Adds `scale` × the leaf value of each row to `out` and `scale` × its path attribution
    /// to its row of `contributions`.
    fn add_walks(
        &self,
        scale: f64,
        rows: &[f64],
        p: usize,
        out: &mut [f64],
        contributions: &mut [f64],
    ) {
        // The node walk: on a map's rows (neighbours take the same path) it beats the
        // compiled walk when it also credits the contributions (tree_predict example).
        for ((o, row), cr) in out
            .iter_mut()
            .zip(rows.chunks_exact(p))
            .zip(contributions.chunks_exact_mut(p))
        {
            *o += scale * self.walk(row, scale, cr);
        }
    }
}

/// Rows a compiled tree walks in step.
const LANES: usize = 8;

/// Deepest tree kept compiled as a [`Complete`] tree (2⁸ leaves, 4 KiB of values).
pub(crate) const COMPLETE_MAX_DEPTH: usize = 8;

/// A tree compiled for prediction: a complete binary tree of depth `depth` in heap order
/// (node i has children 2i + 1 and 2i + 2), the splits' features and thresholds in flat
/// arrays and every node's value, the 2^depth leaves last. A leaf of the node tree above the
/// bottom level becomes a padding split (threshold +∞, feature 0) whose whole subtree holds
/// its value, so the row reaches the same value whichever way it goes (a NaN goes right):
/// every row takes exactly `depth` steps. Used for the sums; the contributions keep the
/// node walk, faster on a map's rows when it also credits the path.
#[derive(Debug, Clone, PartialEq)]
struct Complete {
    depth: usize,
    /// Split feature of each of the 2^depth − 1 splits.
    feature: Vec<u32>,
    /// Split threshold of each split: a row goes left when its value is ≤ it.
    threshold: Vec<f64>,
    /// Value of each of the 2^(depth+1) − 1 nodes; the last 2^depth are the leaves.
    value: Vec<f64>,
}

impl Complete {
    /// The compiled form of `nodes` (a checked tree), or `None` when it is deeper than
    /// [`COMPLETE_MAX_DEPTH`].
    fn compile(nodes: &[Node]) -> Option<Self> {
        // The longest path to each node (children come after their parents, so a node's
        // level is final when it is reached).
        let mut level = vec![0usize; nodes.len()];
        let mut depth = 0;
        for (i, n) in nodes.iter().enumerate() {
            if !n.is_leaf() {
                for child in [n.left, n.right] {
                    let child = child as usize;
                    level[child] = level[child].max(level[i] + 1);
                }
                depth = depth.max(level[i] + 1);
            }
        }
        if depth > COMPLETE_MAX_DEPTH {
            return None;
        }
        let splits = (1usize << depth) - 1;
        let mut c = Self {
            depth,
            feature: vec![0; splits],
            threshold: vec![f64::INFINITY; splits],
            value: vec![0.0; 2 * splits + 1],
        };
        // (heap slot, node index); a padded slot carries the leaf it pads.
        let mut stack = vec![(0usize, 0usize)];
        while let Some((slot, i)) = stack.pop() {
            let n = &nodes[i];
            c.value[slot] = n.value;
            if slot >= splits {
                continue;
            }
            if n.is_leaf() {
                stack.push((2 * slot + 1, i));
                stack.push((2 * slot + 2, i));
            } else {
                c.feature[slot] = n.feature;
                c.threshold[slot] = n.threshold;
                stack.push((2 * slot + 1, n.left as usize));
                stack.push((2 * slot + 2, n.right as usize));
            }
        }
        Some(c)
    }

    /// The heap slot of the child of split `slot` that `row` goes to: left (2i + 1) when its
    /// value is ≤ the threshold, else right (2i + 2), NaN included.
    #[inline(always)]
    fn child(&self, slot: usize, row: &[f64]) -> usize {
        let goes_left = row[self.feature[slot] as usize] <= self.threshold[slot];
        2 * slot + 2 - usize::from(goes_left)
    }

    /// Adds `scale` × the leaf value of each row to `out`.
    fn add_leaf_values(&self, scale: f64, rows: &[f64], p: usize, out: &mut [f64]) {
        match self.depth {
            0 => self.leaves::<0>(scale, rows, p, out),
            1 => self.leaves::<1>(scale, rows, p, out),
            2 => self.leaves::<2>(scale, rows, p, out),
            3 => self.leaves::<3>(scale, rows, p, out),
            4 => self.leaves::<4>(scale, rows, p, out),
            5 => self.leaves::<5>(scale, rows, p, out),
            6 => self.leaves::<6>(scale, rows, p, out),
            7 => self.leaves::<7>(scale, rows, p, out),
            _ => self.leaves::<8>(scale, rows, p, out),
        }
    }

    /// [`Complete::add_leaf_values`] for a tree of depth `D`, the steps unrolled and
    /// [`LANES`] rows walked in step, so their loads overlap.
    fn leaves<const D: usize>(&self, scale: f64, rows: &[f64], p: usize, out: &mut [f64]) {
        debug_assert_eq!(self.depth, D);
        let mut out_lanes = out.chunks_exact_mut(LANES);
        let mut row_lanes = rows.chunks_exact(LANES * p);
        for (o, r) in (&mut out_lanes).zip(&mut row_lanes) {
            let mut slot = [0usize; LANES];
            for _ in 0..D {
                for (k, s) in slot.iter_mut().enumerate() {
                    *s = self.child(*s, &r[k * p..(k + 1) * p]);
                }
            }
            for (o, s) in o.iter_mut().zip(slot) {
                *o += scale * self.value[s];
            }
        }
        let (o, r) = (out_lanes.into_remainder(), row_lanes.remainder());
        for (o, row) in o.iter_mut().zip(r.chunks_exact(p)) {
            let mut slot = 0;
            for _ in 0..D {
                slot = self.child(slot, row);
            }
            *o += scale * self.value[slot];
        }
    }
}

/// A node as saved: a leaf's value alone, or `[feature, threshold, left, right, value]`.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum SavedNode {
    Leaf(f64),
    Split(u32, f64, u32, u32, f64),
}

impl Serialize for Tree {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.nodes.iter().map(|n| {
            if n.is_leaf() {
                SavedNode::Leaf(n.value)
            } else {
                SavedNode::Split(n.feature, n.threshold, n.left, n.right, n.value)
            }
        }))
    }
}

impl TryFrom<Vec<SavedNode>> for Tree {
    type Error = String;

    fn try_from(saved: Vec<SavedNode>) -> Result<Self, String> {
        let nodes: Vec<Node> = saved
            .into_iter()
            .map(|n| match n {
                SavedNode::Leaf(value) => Node::leaf(value),
                SavedNode::Split(feature, threshold, left, right, value) => Node {
                    feature,
                    left,
                    right,
                    threshold,
                    value,
                },
            })
            .collect();
        check(&nodes)?;
        let complete = Complete::compile(&nodes);
        Ok(Self { nodes, complete })
    }
}

/// Checks that a tree has a root and that every split's children come after it inside the
/// tree (so every walk ends at a leaf).
fn check(nodes: &[Node]) -> Result<(), String> {
    if nodes.is_empty() {
        return Err("a tree has no nodes".into());
    }
    for (i, n) in nodes.iter().enumerate() {
        if n.is_leaf() {
            continue;
        }
        for child in [n.left, n.right] {
            let child = child as usize;
            if child <= i || child >= nodes.len() {
                return Err(format!(
                    "node {i} of a tree of {} nodes has child {child}; children must come after their node",
                    nodes.len()
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Root (value 0.4) splits feature 1 at 0.5 into leaves 0.1 and 0.7.
    fn stump() -> Tree {
        Tree::new(vec![
            Node::split(1, 0.5, 1, 2, 0.4),
            Node::leaf(0.1),
            Node::leaf(0.7),
        ])
    }

    /// A row going right credits feature 1 with scale × (0.7 − 0.4); a value equal to the
    /// threshold goes left.
    #[test]
    fn the_walk_gives_the_leaf_and_the_path_attribution() {
        let tree = stump();
        let mut c = [0.0; 2];
        assert_eq!(tree.walk(&[3.0, 0.9], 2.0, &mut c), 0.7);
        assert_eq!(c, [0.0, 2.0 * (0.7 - 0.4)]);
        assert_eq!(tree.leaf_value(&[3.0, 0.5]), 0.1);
        assert_eq!(tree.leaf_value(&[3.0, 0.500001]), 0.7);
    }

    /// The batch adds scale × leaf to the preset start of each row, and a batch of one row
    /// gives the bits of the same row in a larger batch.
    #[test]
    fn the_batch_sums_scaled_leaves_onto_the_start() {
        let trees = [stump(), stump()];
        let rows = [0.0, 0.2, 0.0, 0.9];
        let mut out = [1.0, 1.0];
        let mut c = [9.0; 4];
        sum_over_trees(&trees, 0.5, &rows, &mut out, Some(&mut c));
        assert_eq!(out, [1.0 + 0.05 + 0.05, 1.0 + 0.35 + 0.35]);
        let mut one = [1.0];
        let mut c1 = [9.0; 2];
        sum_over_trees(&trees, 0.5, &rows[2..], &mut one, Some(&mut c1));
        assert_eq!((one[0].to_bits(), c1), (out[1].to_bits(), [c[2], c[3]]));
        let mut plain = [1.0, 1.0];
        sum_over_trees(&trees, 0.5, &rows, &mut plain, None);
        assert_eq!(plain, out);
    }

    /// A tree saves as a compact list (a leaf is its value) and loads back equal; a tree whose
    /// child points back or outside is refused.
    #[test]
    fn trees_round_trip_compactly_and_broken_trees_are_refused() {
        let text = serde_json::to_string(&stump()).unwrap();
        assert_eq!(text, "[[1,0.5,1,2,0.4],0.1,0.7]");
        assert_eq!(serde_json::from_str::<Tree>(&text).unwrap(), stump());
        for broken in [
            "[]",
            "[[1,0.5,0,2,0.4],0.1,0.7]",
            "[[1,0.5,1,3,0.4],0.1,0.7]",
        ] {
            let e = serde_json::from_str::<Tree>(broken).unwrap_err();
            assert!(e.to_string().contains("node"), "{broken}: {e}");
        }
    }

    /// The node walk row by row, tree by tree: the reference of [`sum_over_trees`].
    fn node_walk_sums(
        trees: &[Tree],
        scale: f64,
        rows: &[f64],
        start: f64,
        p: usize,
    ) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let n = rows.len() / p;
        let (mut leaves, mut walked, mut c) = (vec![start; n], vec![start; n], vec![0.0; n * p]);
        for t in trees {
            for (k, row) in rows.chunks_exact(p).enumerate() {
                leaves[k] += scale * t.leaf_value(row);
                walked[k] += scale * t.walk(row, scale, &mut c[k * p..(k + 1) * p]);
            }
        }
        (leaves, walked, c)
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Random forests and gradient-boosted trees of depths 1 to 8 and unlimited (unbalanced
    /// trees: leaves at many depths; the deep ones keep the node walk), fitted on random data,
    /// give through their compiled complete trees the very bits of the node walk — sums and
    /// Saabas contributions — on rows that hold NaNs, ±∞, the trees' own thresholds (ties go
    /// left) and random values, in batches of any length.
    #[test]
    fn compiled_trees_give_the_bits_of_the_node_walk() {
        /// Name, trees, scale, the model walking nodes, the compiled model.
        type Fitted = (
            String,
            Vec<Tree>,
            f64,
            Box<dyn Classifier>,
            Box<dyn Classifier>,
        );

        use crate::{BoostingOptions, Classifier, ForestOptions, TrainingSet};
        use nedra_core::random::SplitMix64;

        let p = 4;
        let mut rng = SplitMix64::new(17);
        let n = 300;
        let (mut f, mut l) = (vec![], vec![]);
        for _ in 0..n {
            let x: Vec<f64> = (0..p)
                .map(|_| (rng.uniform() * 40.0).floor() / 8.0)
                .collect();
            l.push((x[0] + x[1] * x[2] > 6.0) != (rng.uniform() < 0.2));
            f.extend(x);
        }
        let data = TrainingSet::new(p, f, l, vec![0.0; n], vec![0.0; n]).unwrap();
        let mut models: Vec<Fitted> = vec![];
        for depth in [1, 2, 3, 5, 8] {
            let gbt = BoostingOptions {
                trees: 40,
                max_depth: depth,
                min_samples_leaf: 3,
                subsample: 0.7,
                max_features: Some(2),
                ..BoostingOptions::default()
            }
            .fit(&data, depth as u64)
            .unwrap();
            models.push((
                format!("gbt depth {depth}"),
                gbt.trees.clone(),
                gbt.learning_rate,
                Box::new(gbt.clone().node_walk_only()),
                Box::new(gbt),
            ));
        }
        for depth in [Some(1), Some(4), Some(8), None] {
            let forest = ForestOptions {
                trees: 30,
                max_depth: depth,
                ..ForestOptions::default()
            }
            .fit(&data, 7)
            .unwrap();
            models.push((
                format!("forest depth {depth:?}"),
                forest.trees.clone(),
                1.0,
                Box::new(forest.clone().node_walk_only()),
                Box::new(forest),
            ));
        }
        let mut compiled = 0;
        let mut unbalanced = 0;
        for (name, trees, scale, walk_model, model) in &models {
            // Rows: random values, every threshold and its neighbours, NaN and ±∞ mixed in.
            let mut values: Vec<f64> = vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0];
            for t in trees {
                for node in t.nodes().iter().filter(|n| !n.is_leaf()) {
                    let th = node.threshold;
                    values.extend([th, th.next_down(), th.next_up()]);
                }
                compiled += usize::from(t.complete.is_some());
                let leaf_depths: std::collections::BTreeSet<usize> = leaf_depths(t.nodes());
                unbalanced += usize::from(leaf_depths.len() > 1);
            }
            let rows: Vec<f64> = (0..1500 * p)
                .map(|_| {
                    if rng.uniform() < 0.5 {
                        values[(rng.uniform() * values.len() as f64) as usize]
                    } else {
                        rng.uniform() * 6.0 - 0.5
                    }
                })
                .collect();
            let k = rows.len() / p;
            let (leaves, walked, c) = node_walk_sums(trees, *scale, &rows, 0.25, p);
            assert_eq!(bits(&leaves), bits(&walked), "{name}");
            let mut out = vec![0.25; k];
            sum_over_trees(trees, *scale, &rows, &mut out, None);
            assert_eq!(bits(&out), bits(&leaves), "{name}: sums");
            let (mut out, mut oc) = (vec![0.25; k], vec![9.0; k * p]);
            sum_over_trees(trees, *scale, &rows, &mut out, Some(&mut oc));
            assert_eq!(bits(&out), bits(&leaves), "{name}: sums with contributions");
            assert_eq!(bits(&oc), bits(&c), "{name}: contributions");
            // Whole models, compiled against node walk, in batches of several lengths.
            for batch in [1, 7, 700, k] {
                for (chunk, cells) in rows.chunks(batch * p).zip(0..3) {
                    let m = chunk.len() / p;
                    let (mut a, mut b) = (vec![0.0; m], vec![0.0; m]);
                    let (mut ca, mut cb) = (vec![0.0; m * p], vec![0.0; m * p]);
                    model.predict_batch(chunk, &mut a, Some(&mut ca));
                    walk_model.predict_batch(chunk, &mut b, Some(&mut cb));
                    assert_eq!(bits(&a), bits(&b), "{name}: batch {batch} #{cells}");
                    assert_eq!(bits(&ca), bits(&cb), "{name}: batch {batch} #{cells}");
                    model.predict_batch(chunk, &mut a, None);
                    assert_eq!(bits(&a), bits(&b), "{name}: batch {batch} #{cells}");
                }
            }
        }
        assert!(
            compiled == 290 && unbalanced > 100,
            "{compiled} {unbalanced}"
        );
    }

    /// The depths of a tree's leaves.
    fn leaf_depths(nodes: &[Node]) -> std::collections::BTreeSet<usize> {
        let mut level = vec![0; nodes.len()];
        let mut depths = std::collections::BTreeSet::new();
        for (i, n) in nodes.iter().enumerate() {
            if n.is_leaf() {
                depths.insert(level[i]);
            } else {
                level[n.left as usize] = level[i] + 1;
                level[n.right as usize] = level[i] + 1;
            }
        }
        depths
    }

    /// A chain (a leaf at every depth) compiles into a complete tree of its depth whose
    /// padding holds each shallow leaf's value on both sides; a NaN goes right at every split.
    #[test]
    fn an_unbalanced_tree_compiles_with_its_leaves_padded() {
        let tree = Tree::new(vec![
            Node::split(0, 1.0, 1, 2, 0.5),
            Node::leaf(0.1),
            Node::split(1, 2.0, 3, 4, 0.6),
            Node::leaf(0.2),
            Node::leaf(0.9),
        ]);
        let c = tree.complete.as_ref().unwrap();
        assert_eq!((c.depth, c.feature.len(), c.value.len()), (2, 3, 7));
        assert_eq!(c.threshold, [1.0, f64::INFINITY, 2.0]);
        assert_eq!(c.value, [0.5, 0.1, 0.6, 0.1, 0.1, 0.2, 0.9]);
        for row in [
            [0.0, 5.0],
            [f64::NAN, 1.0],
            [f64::NAN, f64::NAN],
            [3.0, 2.0],
        ] {
            let mut out = [0.0];
            sum_over_trees(std::slice::from_ref(&tree), 1.0, &row, &mut out, None);
            assert_eq!(out[0].to_bits(), tree.leaf_value(&row).to_bits(), "{row:?}");
        }
        assert_eq!(tree.leaf_value(&[f64::NAN, f64::NAN]), 0.9);
        let deep: Vec<Node> = (0..9)
            .flat_map(|d| {
                [
                    Node::split(0, d as f64, 2 * d + 1, 2 * d + 2, 0.0),
                    Node::leaf(1.0),
                ]
            })
            .chain([Node::leaf(2.0)])
            .collect();
        assert!(Tree::new(deep).complete.is_none());
    }
}
