//! Exact Euclidean distance from cell centres to vector features.
//!
//! Features are line segments (fault traces, polygon boundaries) and points. They go once into
//! an R-tree (Guttman 1984, bulk-loaded by OMT/STR) that every block queries, so the work is
//! one nearest-neighbour query per cell and blocks can run in parallel.

use rstar::primitives::Line;
use rstar::RTree;

use crate::{Grid, Window};

/// An R-tree over segments and points, in the grid's CRS units.
#[derive(Debug)]
pub struct SegmentIndex {
    segments: RTree<Line<[f64; 2]>>,
    points: RTree<[f64; 2]>,
}

impl SegmentIndex {
    /// Builds the index. Zero-length segments are stored as points.
    pub fn new(segments: &[([f64; 2], [f64; 2])], points: &[[f64; 2]]) -> Self {
        let mut pts: Vec<[f64; 2]> = points.to_vec();
        let mut lines = Vec::with_capacity(segments.len());
        for (a, b) in segments {
            if a == b {
                pts.push(*a);
            } else {
                lines.push(Line::new(*a, *b));
            }
        }
        Self {
            segments: RTree::bulk_load(lines),
            points: RTree::bulk_load(pts),
        }
    }

    /// Whether the index holds no feature.
    pub fn is_empty(&self) -> bool {
        self.segments.size() == 0 && self.points.size() == 0
    }

    /// Distance from `(x, y)` to the nearest feature, or `None` when the index is empty.
    pub fn distance(&self, x: f64, y: f64) -> Option<f64> {
        let q = [x, y];
        let mut best: Option<f64> = None;
        if let Some(s) = self.segments.nearest_neighbor(&q) {
            best = Some(segment_distance(q, s.from, s.to));
        }
        if let Some(p) = self.points.nearest_neighbor(&q) {
            let d = ((p[0] - x).powi(2) + (p[1] - y).powi(2)).sqrt();
            best = Some(best.map_or(d, |b| b.min(d)));
        }
        best
    }

    /// Distances from the centres of the cells of `window` (row-major).
    pub fn distances_for(&self, grid: &Grid, window: Window) -> Vec<f64> {
        let mut out = Vec::with_capacity(window.len());
        for r in window.row_off..window.row_off + window.height {
            for c in window.col_off..window.col_off + window.width {
                let (x, y) = grid.cell_centre(r, c);
                out.push(self.distance(x, y).unwrap_or(f64::NAN));
            }
        }
        out
    }
}

/// Exact distance from point `p` to the segment `a`–`b`.
pub fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (nx, ny) = (a[0] + t * dx, a[1] + t * dy);
    ((p[0] - nx).powi(2) + (p[1] - ny).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hand_computed_distances() {
        assert_eq!(segment_distance([0.0, 1.0], [-1.0, 0.0], [1.0, 0.0]), 1.0);
        assert_eq!(segment_distance([4.0, 4.0], [0.0, 0.0], [1.0, 0.0]), 5.0);
        let idx = SegmentIndex::new(&[([0.0, 0.0], [10.0, 0.0])], &[[5.0, 5.0]]);
        assert_eq!(idx.distance(5.0, 4.0), Some(1.0));
        assert_eq!(idx.distance(-3.0, 4.0), Some(5.0));
        assert_eq!(SegmentIndex::new(&[], &[]).distance(0.0, 0.0), None);
    }

    proptest! {
        /// The indexed distance equals a brute-force minimum over all features.
        #[test]
        fn index_equals_brute_force(
            segs in prop::collection::vec(((-50.0f64..50.0, -50.0f64..50.0), (-50.0f64..50.0, -50.0f64..50.0)), 1..30),
            pts in prop::collection::vec((-50.0f64..50.0, -50.0f64..50.0), 0..10),
        ) {
            let segs: Vec<_> = segs.into_iter().map(|((a, b), (c, d))| ([a, b], [c, d])).collect();
            let pts: Vec<_> = pts.into_iter().map(|(a, b)| [a, b]).collect();
            let grid = Grid::new("", [-60.0, 4.0, 0.0, 60.0, 0.0, -4.0], 30, 30).unwrap();
            let idx = SegmentIndex::new(&segs, &pts);
            let w = Window { col_off: 0, row_off: 0, width: 30, height: 30 };
            let got = idx.distances_for(&grid, w);
            for r in 0..30 {
                for c in 0..30 {
                    let (x, y) = grid.cell_centre(r, c);
                    let mut best = f64::INFINITY;
                    for (a, b) in &segs { best = best.min(segment_distance([x, y], *a, *b)); }
                    for p in &pts { best = best.min(((p[0]-x).powi(2) + (p[1]-y).powi(2)).sqrt()); }
                    let g = got[w.index_of(r, c)];
                    prop_assert!((g - best).abs() <= 1e-9 * best.max(1.0), "{g} vs {best}");
                }
            }
        }
    }
}
