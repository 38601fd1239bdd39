//! Connected regions of selected cells, labelled one row at a time (8-connectivity).
//!
//! A streaming two-pass labelling (Rosenfeld & Pfaltz 1966) with union–find (Tarjan 1975):
//! each row gets provisional labels from its left and upper neighbours; equivalences are
//! recorded as unions. Memory is one row of labels plus one parent entry per provisional
//! label (about one per run of selected cells), not the grid. A second scan with a fresh
//! labeller reproduces the same provisional labels, so callers can write final region ids
//! without holding the label raster.

/// Labels rows of selected cells into 8-connected regions.
#[derive(Debug, Clone)]
pub struct RegionLabeller {
    width: usize,
    previous: Vec<u32>,
    current: Vec<u32>,
    parent: Vec<u32>,
}

impl RegionLabeller {
    /// A labeller for rows of `width` cells. Label 0 means "not selected".
    pub fn new(width: usize) -> Self {
        Self {
            width,
            previous: vec![0; width],
            current: vec![0; width],
            parent: vec![0],
        }
    }

    /// Labels the next row; `selected[c]` says whether column `c` belongs to some region.
    /// Returns the provisional labels of the row (0 for unselected cells).
    ///
    /// # Panics
    /// If `selected` is not `width` long, or after 2³² − 1 provisional labels.
    pub fn push_row(&mut self, selected: &[bool]) -> &[u32] {
        assert_eq!(
            selected.len(),
            self.width,
            "row length differs from the labeller's width"
        );
        std::mem::swap(&mut self.previous, &mut self.current);
        for (c, &is_selected) in selected.iter().enumerate() {
            if !is_selected {
                self.current[c] = 0;
                continue;
            }
            let mut label = 0u32;
            let neighbours = [
                (c > 0).then(|| self.current[c - 1]),
                (c > 0).then(|| self.previous[c - 1]),
                Some(self.previous[c]),
                (c + 1 < self.width).then(|| self.previous[c + 1]),
            ];
            for n in neighbours.into_iter().flatten().filter(|n| *n != 0) {
                if label == 0 {
                    label = n;
                } else if n != label {
                    self.union(label, n);
                }
            }
            if label == 0 {
                label =
                    u32::try_from(self.parent.len()).expect("fewer than 2^32 provisional labels");
                self.parent.push(label);
            }
            self.current[c] = label;
        }
        &self.current
    }

    /// The representative of a provisional label's region (the smallest label in it).
    pub fn root(&mut self, label: u32) -> u32 {
        let mut r = label;
        while self.parent[r as usize] != r {
            r = self.parent[r as usize];
        }
        // Path compression.
        let mut l = label;
        while self.parent[l as usize] != r {
            let next = self.parent[l as usize];
            self.parent[l as usize] = r;
            l = next;
        }
        r
    }

    /// Number of provisional labels issued (labels are `1..=count`).
    pub fn provisional_count(&self) -> usize {
        self.parent.len() - 1
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.root(a), self.root(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Brute-force 8-connected components by flood fill.
    fn flood(grid: &[Vec<bool>]) -> Vec<Vec<usize>> {
        let (h, w) = (grid.len(), grid[0].len());
        let mut id = vec![vec![0usize; w]; h];
        let mut next = 0;
        for r in 0..h {
            for c in 0..w {
                if grid[r][c] && id[r][c] == 0 {
                    next += 1;
                    let mut stack = vec![(r, c)];
                    id[r][c] = next;
                    while let Some((y, x)) = stack.pop() {
                        for dy in -1i64..=1 {
                            for dx in -1i64..=1 {
                                let (ny, nx) = (y as i64 + dy, x as i64 + dx);
                                if ny < 0 || nx < 0 || ny >= h as i64 || nx >= w as i64 {
                                    continue;
                                }
                                let (ny, nx) = (ny as usize, nx as usize);
                                if grid[ny][nx] && id[ny][nx] == 0 {
                                    id[ny][nx] = next;
                                    stack.push((ny, nx));
                                }
                            }
                        }
                    }
                }
            }
        }
        id
    }

    proptest! {
        /// Two cells share a region by the labeller exactly when they do by flood fill.
        #[test]
        fn equals_flood_fill(cells in prop::collection::vec(prop::collection::vec(prop::bool::weighted(0.45), 12), 1..12)) {
            let mut l = RegionLabeller::new(12);
            let rows: Vec<Vec<u32>> = cells.iter().map(|row| l.push_row(row).to_vec()).collect();
            let roots: Vec<Vec<u32>> = rows.iter().map(|row| row.iter().map(|&p| if p == 0 { 0 } else { l.root(p) }).collect()).collect();
            let truth = flood(&cells);
            let flat: Vec<(u32, usize)> = roots.iter().flatten().copied().zip(truth.iter().flatten().copied()).collect();
            for &(a, ta) in &flat {
                prop_assert_eq!(a == 0, ta == 0);
                for &(b, tb) in &flat {
                    if a != 0 && b != 0 {
                        prop_assert_eq!(a == b, ta == tb);
                    }
                }
            }
        }
    }

    #[test]
    fn a_u_shape_is_one_region_and_diagonals_connect() {
        let rows = [
            vec![true, false, true, false, false],
            vec![true, false, true, false, true],
            vec![true, true, true, false, false],
            vec![false, false, false, true, false],
        ];
        let mut l = RegionLabeller::new(5);
        let labels: Vec<Vec<u32>> = rows.iter().map(|r| l.push_row(r).to_vec()).collect();
        let root_a = l.root(labels[0][0]);
        assert_eq!(l.root(labels[0][2]), root_a);
        assert_eq!(l.root(labels[3][3]), root_a); // diagonal from (2, 2)
        assert_ne!(l.root(labels[1][4]), root_a);
    }
}
