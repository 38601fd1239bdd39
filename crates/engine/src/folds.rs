//! Spatial block folds on the grid, shared by the cross-validation of every model, and the
//! scoring of a held-out map against every held-out cell.
//!
//! - **Folds** (Roberts et al. 2017, Ecography 40: 913–929; Valavi et al. 2019, blockCV): the
//!   map is cut into squares of `block_km` anchored at the grid's origin (its top-left corner;
//!   block (i, j) holds the cells whose centres fall in the i-th band of `block_km` down from
//!   the top edge and the j-th band east of the left edge); the blocks holding study-area cells
//!   are sorted, shuffled with the seed (SplitMix64, Fisher–Yates) and dealt to the k folds in
//!   turn. The same scheme on the same study area gives the same folds to every model, so
//!   models are compared on identical folds.
//! - **Held-out scoring**: a map in which each cell was scored by the model of its own fold
//!   (a model that never saw the cell's block) is judged fold by fold and pooled: the ROC AUC
//!   (Mann–Whitney, ties ½) and the prediction-rate AUC (Agterberg & Bonham-Carter 2005) rank
//!   the held-out deposits against **every** scored held-out cell, not a sample of background.
//!   Validation is bounded in memory ([`ScoreSurvey`], [`ScoreDistribution`]) whatever the
//!   size of the grid.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use nedra_core::random::SplitMix64;
use nedra_core::{stream_blocks, Block, Grid, Window, BLOCK_SIZE};
use nedra_io::RasterReader;
use nedra_models::{ScanError, ScoreDistribution, ScoreScan, ScoreSurvey, ValidationOptions};
use serde_json::{json, Value};

use crate::pipeline::{blocks_in_flight, progress, Deposits};

/// How the folds are drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct CvScheme {
    /// Side of a block, km (the grid's CRS in metres).
    pub block_km: f64,
    /// Number of folds k ≥ 2.
    pub folds: usize,
    /// Seed of the shuffle of blocks.
    pub seed: u64,
    /// The user's fold of each block (from `[model] cv_fold_file`) instead of the seeded deal.
    pub assignment: Option<FoldFile>,
}

/// A user's fold file: the fold of each block, `block_row,block_col,fold` (0-based; blocks
/// of `cv_block_km` anchored at the grid's origin, as in the `cv_folds.csv` every run writes).
#[derive(Debug, Clone, PartialEq)]
pub struct FoldFile {
    /// The file.
    pub path: PathBuf,
    /// Block → fold.
    pub folds: Arc<BTreeMap<(usize, usize), usize>>,
}

impl FoldFile {
    /// Reads a fold file for `k` folds; other columns (e.g. the extents `cv_folds.csv` gives)
    /// are ignored.
    ///
    /// # Errors
    /// A missing file or column, a value that is not a non-negative integer, a fold ≥ k, a
    /// block listed twice with different folds — each naming the file, line and value.
    pub fn read(path: &Path, k: usize) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("[model] cv_fold_file: cannot read {}", path.display()))?;
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let Some((_, header)) = lines.next() else {
            bail!(
                "{}: empty fold file; it needs the columns block_row,block_col,fold",
                path.display()
            );
        };
        let names: Vec<&str> = header.split(',').map(str::trim).collect();
        let col = |name: &str| {
            names.iter().position(|n| *n == name).with_context(|| {
                format!(
                    "{}: no column {name:?} (the header is {header:?}; a fold file has block_row,block_col,fold — see the cv_folds.csv of any run)",
                    path.display()
                )
            })
        };
        let (r, c, f) = (col("block_row")?, col("block_col")?, col("fold")?);
        let mut folds = BTreeMap::new();
        for (i, line) in lines {
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            let get = |j: usize, name: &str| -> Result<usize> {
                let v = cells.get(j).copied().unwrap_or("");
                v.parse::<usize>().map_err(|_| {
                    anyhow::anyhow!(
                        "{} line {}: {name} = {v:?} is not a non-negative integer",
                        path.display(),
                        i + 1
                    )
                })
            };
            let (key, fold) = (
                (get(r, "block_row")?, get(c, "block_col")?),
                get(f, "fold")?,
            );
            if fold >= k {
                bail!(
                    "{} line {}: fold {fold} is not below [model] cv_folds = {k} (folds are numbered 0 to {})",
                    path.display(),
                    i + 1,
                    k - 1
                );
            }
            if let Some(old) = folds.insert(key, fold) {
                if old != fold {
                    bail!(
                        "{} line {}: block ({}, {}) is given fold {fold} after fold {old}",
                        path.display(),
                        i + 1,
                        key.0,
                        key.1
                    );
                }
            }
        }
        Ok(FoldFile {
            path: path.to_path_buf(),
            folds: Arc::new(folds),
        })
    }
}

impl CvScheme {
    /// Refuses a block that is not a positive size and fewer than two folds.
    ///
    /// # Errors
    /// Naming the `[model]` keys and their values.
    pub fn check(&self) -> Result<()> {
        if !(self.block_km > 0.0 && self.block_km.is_finite()) || self.folds < 2 {
            bail!(
                "[model] cv_block_km = {} and cv_folds = {}: the block must be > 0 km and the folds ≥ 2",
                self.block_km,
                self.folds
            );
        }
        Ok(())
    }
}

/// Which fold block a cell is in: squares of a side in map units from the grid's origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockGrid {
    /// Cell sizes (x, y) in map units.
    cell: (f64, f64),
    /// Block side in map units.
    side: f64,
}

impl BlockGrid {
    /// The blocks of `scheme` on `grid`.
    pub fn new(grid: &Grid, scheme: &CvScheme) -> Self {
        let t = &grid.transform;
        BlockGrid {
            cell: (t[1].abs(), t[5].abs()),
            side: scheme.block_km * 1000.0,
        }
    }

    /// The (block row, block column) of cell (row, col).
    pub fn of(&self, row: usize, col: usize) -> (usize, usize) {
        (
            (((row as f64 + 0.5) * self.cell.1) / self.side).floor() as usize,
            (((col as f64 + 0.5) * self.cell.0) / self.side).floor() as usize,
        )
    }
}

/// The fold of every block of the study area.
#[derive(Debug, Clone)]
pub struct FoldMap {
    /// The scheme.
    pub scheme: CvScheme,
    /// The grid's origin the blocks are anchored at (x, y of its top-left corner).
    pub origin: [f64; 2],
    /// The blocks.
    pub blocks: BlockGrid,
    fold_of: HashMap<(usize, usize), usize>,
    /// Blocks dealt to each fold.
    pub blocks_in_fold: Vec<usize>,
}

impl FoldMap {
    /// Deals the `occupied` blocks (those holding study-area cells) to the folds of `scheme`,
    /// or takes their folds from its fold file. `Ok(Err(blocks))` when there are fewer blocks
    /// than folds.
    ///
    /// # Errors
    /// A fold file that leaves an occupied block without a fold, or uses fewer than 2 folds.
    pub fn deal(
        grid: &Grid,
        scheme: CvScheme,
        occupied: impl IntoIterator<Item = (usize, usize)>,
    ) -> Result<Result<Self, usize>> {
        let mut keys: Vec<(usize, usize)> = occupied.into_iter().collect();
        keys.sort_unstable();
        keys.dedup();
        let mut blocks_in_fold = vec![0; scheme.folds];
        let fold_of: HashMap<(usize, usize), usize> = match &scheme.assignment {
            Some(file) => {
                let blocks = BlockGrid::new(grid, &scheme);
                let mut fold_of = HashMap::with_capacity(keys.len());
                for k in &keys {
                    let Some(&f) = file.folds.get(k) else {
                        let (x, y) = (
                            grid.transform[0] + k.1 as f64 * blocks.side,
                            grid.transform[3] - k.0 as f64 * blocks.side,
                        );
                        bail!(
                            "{}: block ({}, {}) (block_row, block_col; its top-left corner at x = {x}, y = {y}) holds study-area cells but has no fold. List every block of the study area — the cv_folds.csv of a run with the same grid and cv_block_km = {} lists them all",
                            file.path.display(),
                            k.0,
                            k.1,
                            scheme.block_km
                        );
                    };
                    blocks_in_fold[f] += 1;
                    fold_of.insert(*k, f);
                }
                if blocks_in_fold.iter().filter(|&&n| n > 0).count() < 2 {
                    bail!(
                        "{}: the study area's blocks fall in fewer than 2 folds: nothing to hold out",
                        file.path.display()
                    );
                }
                fold_of
            }
            None => {
                if keys.len() < scheme.folds {
                    return Ok(Err(keys.len()));
                }
                SplitMix64::new(scheme.seed).shuffle(&mut keys);
                keys.iter()
                    .enumerate()
                    .map(|(i, k)| {
                        blocks_in_fold[i % scheme.folds] += 1;
                        (*k, i % scheme.folds)
                    })
                    .collect()
            }
        };
        Ok(Ok(FoldMap {
            origin: [grid.transform[0], grid.transform[3]],
            blocks: BlockGrid::new(grid, &scheme),
            scheme,
            fold_of,
            blocks_in_fold,
        }))
    }

    /// Every block's fold, sorted by block.
    pub fn assignment(&self) -> Vec<((usize, usize), usize)> {
        let mut v: Vec<_> = self.fold_of.iter().map(|(k, f)| (*k, *f)).collect();
        v.sort_unstable();
        v
    }

    /// The fold of block `key`, if it holds study-area cells.
    pub fn fold_of_block(&self, key: (usize, usize)) -> Option<usize> {
        self.fold_of.get(&key).copied()
    }

    /// The fold of cell (row, col), if its block holds study-area cells.
    pub fn fold(&self, row: usize, col: usize) -> Option<usize> {
        self.fold_of_block(self.blocks.of(row, col))
    }
}

/// The scheme's description for `validation.json`, with what was learnt inside the folds.
fn describe(scheme: &CvScheme, origin: [f64; 2], learnt: &str) -> String {
    let dealt = match &scheme.assignment {
        Some(file) => format!(
            "given to {} folds by the fold file {}",
            scheme.folds,
            file.path.display()
        ),
        None => format!(
            "dealt to {} folds by a seeded shuffle (seed {})",
            scheme.folds, scheme.seed
        ),
    };
    format!(
        "square blocks of {} km anchored at the grid's origin ({}, {}), {dealt}; {learnt}; scored against every held-out valid cell",
        scheme.block_km, origin[0], origin[1]
    )
}

/// What one fold measured.
#[derive(Debug, Clone, PartialEq)]
pub struct CvFold {
    /// Fold index.
    pub fold: usize,
    /// Blocks held out.
    pub blocks: usize,
    /// Held-out cells scored.
    pub test_cells: u64,
    /// Held-out deposits on scored cells.
    pub test_deposits: u64,
    /// Deposits the fold's model was learnt from.
    pub train_deposits: u64,
    /// ROC AUC of the held-out deposits against every held-out cell (None without a held-out
    /// deposit, or when the training folds have none).
    pub roc_auc: Option<f64>,
    /// Prediction-rate AUC on the held-out area.
    pub prediction_rate_auc: Option<f64>,
}

/// The spatial cross-validation of a model against every held-out cell.
#[derive(Debug, Clone, PartialEq)]
pub struct SpatialCv {
    /// The scheme.
    pub scheme: CvScheme,
    /// The grid's origin the blocks are anchored at (x, y of its top-left corner).
    pub origin: [f64; 2],
    /// What the folds learnt ("weights, generalisation and prior learnt inside each training
    /// fold"), for the scheme's description.
    pub learnt: String,
    /// One entry per fold.
    pub folds: Vec<CvFold>,
    /// ROC AUC of every held-out score together (each cell scored by its own fold's model).
    pub pooled_roc_auc: Option<f64>,
    /// Prediction-rate AUC of every held-out score together.
    pub pooled_prediction_rate_auc: Option<f64>,
    /// Every block's fold, sorted by block.
    pub assignment: Vec<((usize, usize), usize)>,
}

impl SpatialCv {
    /// `cv_folds.csv`: each block's fold and its extent (map units), the fold file a later
    /// run (or another tool) can take.
    pub fn fold_table(&self) -> String {
        let side = self.scheme.block_km * 1000.0;
        let mut s = String::from("block_row,block_col,fold,x_min,y_max,x_max,y_min\n");
        for ((r, c), f) in &self.assignment {
            let x0 = self.origin[0] + *c as f64 * side;
            let y0 = self.origin[1] - *r as f64 * side;
            s += &format!("{r},{c},{f},{x0},{y0},{},{}\n", x0 + side, y0 - side);
        }
        s
    }

    /// The folds' ROC AUCs where defined.
    pub fn fold_roc_auc(&self) -> Vec<f64> {
        self.folds.iter().filter_map(|f| f.roc_auc).collect()
    }

    /// Mean and sample standard deviation of the defined fold ROC AUCs.
    pub fn roc_auc_mean_sd(&self) -> (f64, f64) {
        mean_sd(&self.fold_roc_auc())
    }

    /// Mean and sample standard deviation of the defined fold prediction-rate AUCs.
    pub fn prediction_rate_auc_mean_sd(&self) -> (f64, f64) {
        let v: Vec<f64> = self
            .folds
            .iter()
            .filter_map(|f| f.prediction_rate_auc)
            .collect();
        mean_sd(&v)
    }

    /// The `spatial_cv` entry of `validation.json` and `run.json`.
    pub fn to_json(&self) -> Value {
        let (mean_roc, sd_roc) = self.roc_auc_mean_sd();
        let (mean_rate, sd_rate) = self.prediction_rate_auc_mean_sd();
        json!({
            "scheme": describe(&self.scheme, self.origin, &self.learnt),
            "fold_file": self.scheme.assignment.as_ref().map(|f| f.path.display().to_string()),
            "block_km": self.scheme.block_km,
            "folds_k": self.scheme.folds,
            "seed": self.scheme.seed,
            "block_origin": self.origin,
            "scored_against": "every held-out valid cell",
            "learnt_in_folds": self.learnt,
            "mean_roc_auc": mean_roc,
            "sd_roc_auc": sd_roc,
            "mean_prediction_rate_auc": mean_rate,
            "sd_prediction_rate_auc": sd_rate,
            "pooled_roc_auc": self.pooled_roc_auc,
            "pooled_prediction_rate_auc": self.pooled_prediction_rate_auc,
            "folds": self.folds.iter().map(|f| json!({
                "fold": f.fold,
                "blocks": f.blocks,
                "test_cells": f.test_cells,
                "test_positives": f.test_deposits,
                "train_positives": f.train_deposits,
                "roc_auc": f.roc_auc,
                "prediction_rate_auc": f.prediction_rate_auc,
            })).collect::<Vec<_>>(),
        })
    }
}

/// Mean and sample standard deviation (NaN for the sd of fewer than two values).
pub(crate) fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = v.iter().sum::<f64>() / n;
    let sd = if v.len() < 2 {
        f64::NAN
    } else {
        (v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    };
    (mean, sd)
}

/// Cells and deposits per class of each class raster, and in all, for one block (or a union
/// of blocks) of the fold map.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Study-area cells.
    pub cells: u64,
    /// Deposit points on them.
    pub deposits: u64,
    /// Per class raster: class → (cells, deposits), on cells where the raster is valid.
    pub classes: Vec<HashMap<i64, (u64, u64)>>,
}

impl Tally {
    /// An empty tally of `layers` class rasters.
    pub fn new(layers: usize) -> Self {
        Tally {
            cells: 0,
            deposits: 0,
            classes: vec![HashMap::new(); layers],
        }
    }

    /// Adds another tally.
    pub fn merge(&mut self, other: Tally) {
        self.cells += other.cells;
        self.deposits += other.deposits;
        for (mine, theirs) in self.classes.iter_mut().zip(other.classes) {
            for (c, (n, d)) in theirs {
                let e = mine.entry(c).or_default();
                e.0 += n;
                e.1 += d;
            }
        }
    }

    /// Class → (cells, deposits) of raster `k` in `self` minus `held` (the training folds'
    /// counts when `self` is the whole area and `held` a fold), classes with no cell left out.
    pub fn classes_without(&self, held: &Tally, k: usize) -> Vec<(i64, u64, u64)> {
        let mut out: Vec<(i64, u64, u64)> = self.classes[k]
            .iter()
            .map(|(&class, &(n, d))| {
                let (hn, hd) = held.classes[k].get(&class).copied().unwrap_or((0, 0));
                (class, n - hn, d - hd)
            })
            .filter(|c| c.1 > 0)
            .collect();
        out.sort_unstable();
        out
    }
}

/// One streaming pass over the study area `mask` and the class rasters `classes`: the tally of
/// every block of `blocks` holding study-area cells.
///
/// # Errors
/// Read failures.
pub fn tally_blocks(
    grid: &Grid,
    mask: &RasterReader,
    classes: &[&RasterReader],
    deposits: &Deposits,
    blocks: &BlockGrid,
    label: &str,
) -> Result<HashMap<(usize, usize), Tally>> {
    let windows = grid.windows(BLOCK_SIZE);
    let mut tallies: HashMap<(usize, usize), Tally> = HashMap::new();
    let bar = progress(windows.len(), label);
    let n_layers = classes.len();
    stream_blocks(
        &windows,
        blocks_in_flight(),
        |w| -> Result<(Block, Vec<Block>), nedra_io::Error> {
            let m = mask.read(w)?;
            let c = classes
                .iter()
                .map(|r| r.read(w))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((m, c))
        },
        |w, (m, class_blocks)| {
            let mut local: HashMap<(usize, usize), Tally> = HashMap::new();
            let dep_at = deposits.counts_in(w);
            for r in 0..w.height {
                for c in 0..w.width {
                    let i = r * w.width + c;
                    if !m.valid[i] {
                        continue;
                    }
                    let key = blocks.of(w.row_off + r, w.col_off + c);
                    let t = local.entry(key).or_insert_with(|| Tally::new(n_layers));
                    t.cells += 1;
                    t.deposits += dep_at[i];
                    for (k, b) in class_blocks.iter().enumerate() {
                        if b.valid[i] {
                            let e = t.classes[k].entry(b.values[i] as i64).or_default();
                            e.0 += 1;
                            e.1 += dep_at[i];
                        }
                    }
                }
            }
            local
        },
        |_, local| -> Result<(), nedra_io::Error> {
            for (key, t) in local {
                tallies
                    .entry(key)
                    .or_insert_with(|| Tally::new(n_layers))
                    .merge(t);
            }
            bar.inc(1);
            Ok(())
        },
    )?;
    Ok(tallies)
}

/// The folds of the tallied blocks and each fold's tally (and the whole area's): `Err(blocks)`
/// when there are fewer occupied blocks than folds.
///
/// # Errors
/// As [`FoldMap::deal`].
#[allow(clippy::type_complexity)]
pub fn deal_tallies(
    grid: &Grid,
    scheme: CvScheme,
    tallies: HashMap<(usize, usize), Tally>,
    layers: usize,
) -> Result<Result<(FoldMap, Vec<Tally>, Tally), usize>> {
    let k = scheme.folds;
    let folds = match FoldMap::deal(grid, scheme, tallies.keys().copied())? {
        Ok(folds) => folds,
        Err(blocks) => return Ok(Err(blocks)),
    };
    let mut per_fold: Vec<Tally> = (0..k).map(|_| Tally::new(layers)).collect();
    let mut all = Tally::new(layers);
    for (key, t) in tallies {
        let f = folds
            .fold_of_block(key)
            .expect("every tallied block is dealt");
        all.merge(t.clone());
        per_fold[f].merge(t);
    }
    Ok(Ok((folds, per_fold, all)))
}

/// The scored cells of one fold (or of all folds) of a held-out score raster, for the second
/// pass of bounded validation.
struct HeldOutScan<'a> {
    grid: &'a Grid,
    mask: &'a RasterReader,
    score: &'a RasterReader,
    folds: &'a FoldMap,
    fold: Option<usize>,
}

/// `(fold, index in window, score)` of the window's scored study-area cells in `fold` (any
/// fold if None).
fn scores_in(
    folds: &FoldMap,
    fold: Option<usize>,
    w: Window,
    (m, b): &(Block, Block),
) -> Vec<(usize, usize, f64)> {
    let mut out = Vec::new();
    for r in 0..w.height {
        for c in 0..w.width {
            let i = r * w.width + c;
            if !m.valid[i] {
                continue;
            }
            let Some(v) = b.get(i) else { continue };
            let Some(f) = folds.fold(w.row_off + r, w.col_off + c) else {
                continue;
            };
            if fold.is_none_or(|x| x == f) {
                out.push((f, i, v));
            }
        }
    }
    out
}

impl ScoreScan for HeldOutScan<'_> {
    fn reduce<A, B, M>(&self, total: &mut A, block: B, mut merge: M) -> Result<(), ScanError>
    where
        A: Send,
        B: Fn(&[f64]) -> A + Sync,
        M: FnMut(&mut A, A),
    {
        let windows = self.grid.windows(BLOCK_SIZE);
        let (folds, fold) = (self.folds, self.fold);
        stream_blocks(
            &windows,
            blocks_in_flight(),
            |w| -> Result<_, ScanError> { Ok((self.mask.read(w)?, self.score.read(w)?)) },
            |w, b| {
                let scores: Vec<f64> = scores_in(folds, fold, w, &b)
                    .into_iter()
                    .map(|s| s.2)
                    .collect();
                block(&scores)
            },
            |_, partial| {
                merge(total, partial);
                Ok(())
            },
        )
    }
}

/// Per fold (held-out cells, held-out deposits, ROC AUC, prediction-rate AUC) and pooled
/// (ROC AUC, prediction-rate AUC) of a held-out score raster: each valid cell of `score` was
/// scored by the model of its own fold; cells with no score (NoData) are not counted.
pub struct HeldOutFigures {
    /// Per fold: scored cells, deposits on them, ROC AUC, prediction-rate AUC.
    pub folds: Vec<(u64, u64, Option<f64>, Option<f64>)>,
    /// Pooled ROC AUC.
    pub pooled_roc_auc: Option<f64>,
    /// Pooled prediction-rate AUC.
    pub pooled_prediction_rate_auc: Option<f64>,
}

/// Judges a held-out score raster fold by fold and pooled over the study area `mask` (see the
/// module's documentation).
///
/// # Errors
/// Read failures.
pub fn held_out_figures(
    grid: &Grid,
    mask: &RasterReader,
    score: &RasterReader,
    folds: &FoldMap,
    deposits: &Deposits,
) -> Result<HeldOutFigures> {
    let k = folds.scheme.folds;
    let windows = grid.windows(BLOCK_SIZE);
    let mut surveys: Vec<ScoreSurvey> = (0..k).map(|_| ScoreSurvey::new()).collect();
    let mut pooled = ScoreSurvey::new();
    {
        let bar = progress(windows.len(), "cross-validation: held-out figures");
        stream_blocks(
            &windows,
            blocks_in_flight(),
            |w| -> Result<_, nedra_io::Error> { Ok((mask.read(w)?, score.read(w)?)) },
            |w, b| {
                let dep_at = deposits.counts_in(w);
                let mut local: Vec<ScoreSurvey> = (0..k).map(|_| ScoreSurvey::new()).collect();
                let mut all_folds = ScoreSurvey::new();
                for (f, i, p) in scores_in(folds, None, w, &b) {
                    local[f].add_cell(p, dep_at[i]);
                    all_folds.add_cell(p, dep_at[i]);
                }
                (local, all_folds)
            },
            |_, (local, all_folds)| -> Result<(), nedra_io::Error> {
                for (s, l) in surveys.iter_mut().zip(local) {
                    s.merge(l);
                }
                pooled.merge(all_folds);
                bar.inc(1);
                Ok(())
            },
        )?;
    }
    let options = ValidationOptions {
        bootstrap_replicates: 0,
        ..ValidationOptions::default()
    };
    let aucs = |survey: ScoreSurvey, fold: Option<usize>| -> Result<(Option<f64>, Option<f64>)> {
        if survey.deposits() == 0 || survey.cells() == 0 {
            return Ok((None, None));
        }
        let scan = HeldOutScan {
            grid,
            mask,
            score,
            folds,
            fold,
        };
        let dist = ScoreDistribution::from_surveys(vec![survey], &scan)?
            .into_iter()
            .next()
            .context("cross-validation: no score distribution")?;
        let report = dist.validate(&options)?;
        Ok((Some(report.roc_auc), Some(report.rate_auc)))
    };
    let mut per_fold = Vec::with_capacity(k);
    for (f, survey) in surveys.into_iter().enumerate() {
        let (cells, deps) = (survey.cells(), survey.deposits());
        let (roc, rate) = aucs(survey, Some(f))?;
        per_fold.push((cells, deps, roc, rate));
    }
    let (pooled_roc_auc, pooled_prediction_rate_auc) = aucs(pooled, None)?;
    Ok(HeldOutFigures {
        folds: per_fold,
        pooled_roc_auc,
        pooled_prediction_rate_auc,
    })
}

/// The spatial cross-validation of a map that learnt nothing from the deposits (a fuzzy
/// network of expert memberships): the same folds as the trained models, each fold's held-out
/// cells scored by the map itself, so that it stands in the same table fold by fold.
/// `Ok(Err(blocks))` when the study area covers fewer blocks than folds.
///
/// # Errors
/// Read failures; an invalid scheme.
pub fn fixed_map_cv(
    grid: &Grid,
    mask: &RasterReader,
    score: &RasterReader,
    deposits: &Deposits,
    scheme: CvScheme,
) -> Result<Result<SpatialCv, usize>> {
    scheme.check()?;
    let tallies = tally_blocks(
        grid,
        mask,
        &[],
        deposits,
        &BlockGrid::new(grid, &scheme),
        "cross-validation: blocks",
    )?;
    let (folds, per_fold, all) = match deal_tallies(grid, scheme.clone(), tallies, 0)? {
        Ok(dealt) => dealt,
        Err(blocks) => return Ok(Err(blocks)),
    };
    let figures = held_out_figures(grid, mask, score, &folds, deposits)?;
    Ok(Ok(SpatialCv {
        scheme,
        origin: folds.origin,
        assignment: folds.assignment(),
        learnt: "nothing learnt from the deposits (expert memberships and network): each fold's held-out cells scored by the map itself".into(),
        folds: figures
            .folds
            .iter()
            .enumerate()
            .map(|(f, &(cells, deps, roc, rate))| CvFold {
                fold: f,
                blocks: folds.blocks_in_fold[f],
                test_cells: cells,
                test_deposits: deps,
                train_deposits: all.deposits - per_fold[f].deposits,
                roc_auc: roc,
                prediction_rate_auc: rate,
            })
            .collect(),
        pooled_roc_auc: figures.pooled_roc_auc,
        pooled_prediction_rate_auc: figures.pooled_prediction_rate_auc,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(n: usize) -> Grid {
        Grid::new("", [0.0, 1000.0, 0.0, 0.0, 0.0, -1000.0], n, n).unwrap()
    }

    #[test]
    fn blocks_are_anchored_at_the_grid_origin_and_dealt_by_the_seed() {
        let g = grid(20);
        let scheme = CvScheme {
            block_km: 5.0,
            folds: 4,
            seed: 9,
            assignment: None,
        };
        let b = BlockGrid::new(&g, &scheme);
        assert_eq!(b.of(0, 0), (0, 0));
        assert_eq!(b.of(4, 4), (0, 0));
        assert_eq!(b.of(5, 4), (1, 0));
        assert_eq!(b.of(19, 10), (3, 2));
        let keys: Vec<(usize, usize)> = (0..4).flat_map(|i| (0..4).map(move |j| (i, j))).collect();
        let map = FoldMap::deal(&g, scheme.clone(), keys.clone())
            .unwrap()
            .unwrap();
        assert_eq!(map.blocks_in_fold, vec![4, 4, 4, 4]);
        // The documented rule: sorted blocks, shuffled, dealt in turn.
        let mut order = keys.clone();
        SplitMix64::new(9).shuffle(&mut order);
        for (i, k) in order.iter().enumerate() {
            assert_eq!(map.fold_of_block(*k), Some(i % 4));
        }
        assert_eq!(map.fold(19, 19), map.fold_of_block((3, 3)));
        assert_eq!(map.fold_of_block((9, 9)), None);
        assert_eq!(
            FoldMap::deal(&g, scheme.clone(), keys[..3].to_vec())
                .unwrap()
                .unwrap_err(),
            3
        );
        assert!(CvScheme {
            block_km: 0.0,
            ..scheme.clone()
        }
        .check()
        .is_err());
        assert!(CvScheme {
            folds: 1,
            ..scheme.clone()
        }
        .check()
        .is_err());

        // A fold file: the run's own table read back gives the same folds; a user's folds are
        // taken as given.
        let cv = SpatialCv {
            scheme: scheme.clone(),
            origin: map.origin,
            learnt: String::new(),
            folds: vec![],
            pooled_roc_auc: None,
            pooled_prediction_rate_auc: None,
            assignment: map.assignment(),
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cv_folds.csv");
        std::fs::write(&path, cv.fold_table()).unwrap();
        let file = FoldFile::read(&path, 4).unwrap();
        let again = FoldMap::deal(
            &g,
            CvScheme {
                assignment: Some(file),
                ..scheme.clone()
            },
            keys.clone(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(again.assignment(), map.assignment());
        // The table's extents: block (1, 2) spans x 10–15 km and y −5 to −10 km.
        assert!(cv
            .fold_table()
            .lines()
            .any(|l| l.starts_with("1,2,") && l.ends_with(",10000,-5000,15000,-10000")));
        let with = |text: &str, k: usize| {
            std::fs::write(&path, text).unwrap();
            FoldFile::read(&path, k)
        };
        let mine: String = "block_row,block_col,fold\n".to_string()
            + &keys
                .iter()
                .map(|(r, c)| format!("{r},{c},{}\n", usize::from(*c >= 2)))
                .collect::<String>();
        let west_east = FoldMap::deal(
            &g,
            CvScheme {
                folds: 2,
                assignment: Some(with(&mine, 2).unwrap()),
                ..scheme.clone()
            },
            keys.clone(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(west_east.fold(0, 0), Some(0));
        assert_eq!(west_east.fold(19, 19), Some(1));
        assert_eq!(west_east.blocks_in_fold, vec![8, 8]);
        // Errors name the file, the line and the value.
        let err = |text: &str, k: usize| format!("{:#}", with(text, k).unwrap_err());
        assert!(err("block_row,fold\n0,1\n", 2).contains("no column \"block_col\""));
        assert!(err("block_row,block_col,fold\n0,0,x\n", 2).contains("line 2: fold = \"x\""));
        assert!(err("block_row,block_col,fold\n0,0,2\n", 2).contains("fold 2 is not below"));
        assert!(err("block_row,block_col,fold\n0,0,1\n0,0,0\n", 2).contains("block (0, 0)"));
        let missing = FoldMap::deal(
            &g,
            CvScheme {
                folds: 2,
                assignment: Some(with("block_row,block_col,fold\n0,0,0\n0,1,1\n", 2).unwrap()),
                ..scheme
            },
            keys,
        )
        .unwrap_err();
        assert!(
            format!("{missing:#}").contains("block (0, 2)"),
            "{missing:#}"
        );
    }

    #[test]
    fn a_fixed_map_is_judged_fold_by_fold_against_every_held_out_cell() {
        use nedra_io::{DataType, RasterWriter};
        const N: usize = 40;
        let g = grid(N);
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, f: &dyn Fn(usize, usize) -> Option<f64>| {
            let mut w =
                RasterWriter::create(&dir.path().join(name), &g, DataType::Float32).unwrap();
            for win in g.windows(16) {
                let mut b = Block::empty(win);
                for i in 0..win.len() {
                    if let Some(v) = f(win.row_off + i / win.width, win.col_off + i % win.width) {
                        b.values[i] = v;
                        b.valid[i] = true;
                    }
                }
                w.write(&b).unwrap();
            }
            RasterReader::open(&w.finish().unwrap()).unwrap()
        };
        // Study area: all but the last 3 rows; the score has NoData on column 7.
        let mask = write("mask.tif", &|r, _| (r < N - 3).then_some(1.0));
        let value = |r: usize, c: usize| ((r * 7 + c * 13) % 17) as f64 / 17.0;
        let score = write("score.tif", &|r, c| (c != 7).then(|| value(r, c)));
        let mut rng = SplitMix64::new(4);
        let mut cells = vec![];
        for r in 0..N - 3 {
            for c in 0..N {
                if rng.uniform() < 0.01 + 0.05 * value(r, c) {
                    cells.push((r, c, 1 + u64::from(rng.uniform() < 0.2)));
                }
            }
        }
        let deposits = Deposits {
            total: cells.iter().map(|c| c.2).sum(),
            cells: cells.clone(),
            ..Deposits::default()
        };
        let scheme = CvScheme {
            block_km: 10.0,
            folds: 3,
            seed: 8,
            assignment: None,
        };
        let cv = fixed_map_cv(&g, &mask, &score, &deposits, scheme)
            .unwrap()
            .unwrap();
        // By the documented rule: 4 × 4 blocks of 10 cells, all occupied.
        let mut keys: Vec<(usize, usize)> =
            (0..4).flat_map(|i| (0..4).map(move |j| (i, j))).collect();
        SplitMix64::new(8).shuffle(&mut keys);
        let fold_of =
            |r: usize, c: usize| keys.iter().position(|k| *k == (r / 10, c / 10)).unwrap() % 3;
        let at = |r: usize, c: usize| {
            cells
                .iter()
                .find(|x| (x.0, x.1) == (r, c))
                .map_or(0, |x| x.2)
        };
        let brute = |fold: Option<usize>| {
            let scored: Vec<(f64, u64)> = (0..N - 3)
                .flat_map(|r| (0..N).map(move |c| (r, c)))
                .filter(|&(r, c)| c != 7 && fold.is_none_or(|f| fold_of(r, c) == f))
                .map(|(r, c)| (value(r, c) as f32 as f64, at(r, c)))
                .collect();
            (
                scored.len() as u64,
                scored.iter().map(|s| s.1).sum::<u64>(),
                crate::test_support::brute_auc(&scored),
            )
        };
        for f in 0..3 {
            let (n, d, auc) = brute(Some(f));
            let got = &cv.folds[f];
            assert_eq!((got.test_cells, got.test_deposits), (n, d), "fold {f}");
            assert!(
                (got.roc_auc.unwrap() - auc).abs() < 1e-12,
                "fold {f}: {:?} vs {auc}",
                got.roc_auc
            );
            assert_eq!(
                got.train_deposits,
                deposits.total - brute_deposits_in(&cells, &fold_of, f)
            );
        }
        let (_, _, pooled) = brute(None);
        assert!((cv.pooled_roc_auc.unwrap() - pooled).abs() < 1e-12);
    }

    /// Deposit points in fold f, wherever the score is.
    fn brute_deposits_in(
        cells: &[(usize, usize, u64)],
        fold_of: &dyn Fn(usize, usize) -> usize,
        f: usize,
    ) -> u64 {
        cells
            .iter()
            .filter(|c| fold_of(c.0, c.1) == f)
            .map(|c| c.2)
            .sum()
    }

    #[test]
    fn mean_sd_of_fold_figures() {
        let (m, s) = mean_sd(&[0.6, 0.8]);
        assert!((m - 0.7).abs() < 1e-15);
        assert!((s - 0.02f64.sqrt()).abs() < 1e-15);
        assert!(mean_sd(&[0.5]).1.is_nan());
        assert!(mean_sd(&[]).0.is_nan());
    }
}
