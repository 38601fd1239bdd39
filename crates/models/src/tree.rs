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
        Self { nodes }
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

/// The evaluation of an ensemble whose score is a scaled sum of its trees' leaf values: adds
/// Σₜ `scale` × (leaf value of tree t) to each row's `out` (so the caller sets the start) and,
/// with `contributions` (zeroed first), Σₜ `scale` × (path attribution of tree t). `rows` is
/// row-major with as many rows as `out` has entries, all features finite.
///
/// Tree by tree over the batch, so the tree stays in cache and one walk gives both the leaf
/// and the path; trees are visited in order, so a batch of one row gives the same bits as
/// any batch holding it.
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
    match contributions {
        None => {
            for t in trees {
                for (o, row) in out.iter_mut().zip(rows.chunks_exact(p)) {
                    *o += scale * t.leaf_value(row);
                }
            }
        }
        Some(c) => {
            c.iter_mut().for_each(|v| *v = 0.0);
            for t in trees {
                for ((o, row), cr) in out
                    .iter_mut()
                    .zip(rows.chunks_exact(p))
                    .zip(c.chunks_exact_mut(p))
                {
                    *o += scale * t.walk(row, scale, cr);
                }
            }
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
        Ok(Self { nodes })
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
}
