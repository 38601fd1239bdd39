//! Helpers shared by the engine's cross-validation tests: brute-force AUCs, the documented
//! fold rule on a square grid, and deposits drawn from a known truth.

use std::collections::HashMap;

use nedra_core::random::SplitMix64;

use crate::folds::CvScheme;
use crate::pipeline::Deposits;

/// ROC AUC by brute force over every (deposit cell, cell without deposit) pair, each deposit
/// point counted, ties ½.
pub fn brute_auc(scores: &[(f64, u64)]) -> f64 {
    let (mut wins, mut pairs) = (0.0, 0.0);
    for &(sp, dp) in scores.iter().filter(|s| s.1 > 0) {
        for &(sa, _) in scores.iter().filter(|s| s.1 == 0) {
            pairs += dp as f64;
            wins += dp as f64
                * if sp > sa {
                    1.0
                } else if sp == sa {
                    0.5
                } else {
                    0.0
                };
        }
    }
    wins / pairs
}

/// AUC of scores with presence and absence weights per cell: Σ over pairs of
/// w_presence(i) · w_absence(j) · [s_i > s_j, ½ if equal] / (Σ w_presence · Σ w_absence).
pub fn weighted_auc(mut cells: Vec<(f64, f64, f64)>) -> f64 {
    cells.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total_presence: f64 = cells.iter().map(|c| c.1).sum();
    let total_absence: f64 = cells.iter().map(|c| c.2).sum();
    let (mut below_absence, mut wins) = (0.0, 0.0);
    let mut i = 0;
    while i < cells.len() {
        let mut j = i;
        let (mut pres, mut abs) = (0.0, 0.0);
        while j < cells.len() && cells[j].0 == cells[i].0 {
            pres += cells[j].1;
            abs += cells[j].2;
            j += 1;
        }
        wins += pres * (below_absence + 0.5 * abs);
        below_absence += abs;
        i = j;
    }
    wins / (total_presence * total_absence)
}

/// The fold of each cell of an `n` × `n` grid of `cell`-metre cells by the documented rule:
/// blocks at the grid's origin, every block occupied, sorted, shuffled with the seed, dealt in
/// turn.
pub fn folds_of_cells(scheme: &CvScheme, n: usize, cell: f64) -> Vec<usize> {
    let side = (scheme.block_km * 1000.0 / cell) as usize;
    let per_row = n.div_ceil(side);
    let mut keys: Vec<(usize, usize)> = (0..per_row)
        .flat_map(|a| (0..per_row).map(move |b| (a, b)))
        .collect();
    SplitMix64::new(scheme.seed).shuffle(&mut keys);
    let fold: HashMap<(usize, usize), usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (*k, i % scheme.folds))
        .collect();
    (0..n * n)
        .map(|i| fold[&((i / n) / side, (i % n) / side)])
        .collect()
}

/// Deposits drawn on an `n` × `n` grid, each cell holding one with chance `truth(row, col)`
/// (seeded), and the deposits per cell in row-major order.
pub fn draw_deposits(
    n: usize,
    seed: u64,
    truth: impl Fn(usize, usize) -> f64,
) -> (Deposits, Vec<u64>) {
    let mut g = SplitMix64::new(seed);
    let (mut cells, mut at) = (vec![], vec![0u64; n * n]);
    for r in 0..n {
        for c in 0..n {
            if g.uniform() < truth(r, c) {
                cells.push((r, c, 1));
                at[r * n + c] = 1;
            }
        }
    }
    let deposits = Deposits {
        total: cells.len() as u64,
        cells,
        ..Deposits::default()
    };
    (deposits, at)
}
