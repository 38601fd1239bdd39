//! The weights-of-evidence pipeline as block-streaming passes shared by `nedra run` and the
//! stage commands: locate deposits, classify a layer and count its classes, compute the response.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::options::DuplicateRule;
use anyhow::{bail, Context, Result};
use nedra_core::{stream_blocks, Block, Classifier, Grid, Window};
use nedra_io::{DataType, RasterReader, RasterWriter};
use nedra_models::{
    ClassCount, ConditionalIndependenceSums, LayerSummary, Response, ScoreDistribution,
    ScoreSurvey, WeightsTable,
};

pub use nedra_core::BLOCK_SIZE;

/// Blocks held in memory at once (per pass): bounded memory, enough work for every core.
pub fn blocks_in_flight() -> usize {
    2 * rayon::current_num_threads().max(1)
}

/// Progress over the blocks of a pass, reported to the current observer.
pub fn progress(len: usize, what: &str) -> crate::progress::PassGuard {
    crate::progress::pass(len, what)
}

/// Deposit points located on the grid: points per cell.
#[derive(Debug, Clone, Default)]
pub struct Deposits {
    /// `(row, col, points)` sorted by row then column.
    pub cells: Vec<(usize, usize, u64)>,
    /// Number of points on the grid (inside the study area).
    pub total: u64,
    /// Points left out because they fall outside the study area (only with `outside = "drop"`).
    pub dropped: usize,
    /// Points at exactly the coordinates of an earlier point.
    pub exact_duplicates: usize,
    /// Cells holding more than one point (before the duplicate rule).
    pub stacked_cells: usize,
    /// Points not counted because their cell already holds one (rule `one-per-cell`).
    pub merged: u64,
}

impl Deposits {
    /// The deposit points on each cell of `window`, in the window's cell order (0 elsewhere).
    pub fn counts_in(&self, w: Window) -> Vec<u64> {
        let mut at = vec![0u64; w.len()];
        for (i, n) in self.in_window(w) {
            at[i] = n;
        }
        at
    }

    /// The deposit cells inside `window`.
    pub fn in_window(&self, w: Window) -> Vec<(usize, u64)> {
        let start = self.cells.partition_point(|c| c.0 < w.row_off);
        self.cells[start..]
            .iter()
            .take_while(|c| c.0 < w.row_off + w.height)
            .filter(|c| w.contains(c.0, c.1))
            .map(|c| (w.index_of(c.0, c.1), c.2))
            .collect()
    }
}

/// Places points (in the grid's CRS) on cells; points outside the grid or the mask are an
/// error naming them, unless `drop_outside`. Points listed twice (the same coordinates) and
/// cells holding several points are counted and handled by `duplicates`.
///
/// # Errors
/// When a point is outside and `drop_outside` is false, when no point is inside, or when
/// there are duplicates and the rule is [`DuplicateRule::Error`].
pub fn locate_deposits(
    points: &[[f64; 2]],
    grid: &Grid,
    mask: Option<&RasterReader>,
    drop_outside: bool,
    duplicates: DuplicateRule,
    source: &Path,
) -> Result<Deposits> {
    let area = study_area_of(mask);
    locate_deposits_in(points, grid, mask, &area, drop_outside, duplicates, source)
}

/// The study area of a stage command in the user's terms: the cells with data of its raster,
/// or the whole grid.
pub fn study_area_of(mask: Option<&RasterReader>) -> String {
    match mask {
        Some(m) => format!("the cells with data of {}", m.path().display()),
        None => "the grid".to_string(),
    }
}

/// [`locate_deposits`] with the study area described in the user's terms (`study_area`, e.g.
/// "cells whose centre lies in area.gpkg") for the messages about points outside it.
///
/// # Errors
/// Those of [`locate_deposits`].
pub fn locate_deposits_in(
    points: &[[f64; 2]],
    grid: &Grid,
    mask: Option<&RasterReader>,
    study_area: &str,
    drop_outside: bool,
    duplicates: DuplicateRule,
    source: &Path,
) -> Result<Deposits> {
    let mut per_cell: HashMap<(usize, usize), u64> = HashMap::new();
    let mut outside = Vec::new();
    // Of the points outside: those inside the grid's extent, on a cell the mask leaves out.
    let mut on_masked = 0usize;
    let mut seen = std::collections::HashSet::new();
    let mut exact: Vec<[f64; 2]> = Vec::new();
    for p in points {
        if !seen.insert((p[0].to_bits(), p[1].to_bits())) {
            exact.push(*p);
        }
        let inside = match grid.cell_of(p[0], p[1]) {
            Some((r, c)) => match mask {
                Some(m) => {
                    let w = Window {
                        col_off: c,
                        row_off: r,
                        width: 1,
                        height: 1,
                    };
                    m.read(w)?.valid[0].then_some((r, c))
                }
                None => Some((r, c)),
            },
            None => None,
        };
        match inside {
            Some(cell) => *per_cell.entry(cell).or_default() += 1,
            None => {
                on_masked += usize::from(grid.cell_of(p[0], p[1]).is_some());
                outside.push(*p)
            }
        }
    }
    if points.is_empty() {
        bail!(
            "{}: the deposit file holds no point. Weights of evidence needs known deposits or occurrences to train on",
            source.display()
        );
    }
    // Where the points outside are: beyond the grid (a CRS or coordinate problem) or on cells
    // of the grid that the study area (the mask's valid cells) leaves out.
    let whereabouts = |n: usize| -> String {
        match (mask, on_masked) {
            (Some(_), k) if k > 0 => format!(
                " ({} beyond the grid's extent, {k} on cells of the grid outside the study area, \
                 which is {study_area})",
                n - k
            ),
            _ => " (all beyond the grid's extent)".to_string(),
        }
    };
    if per_cell.is_empty() {
        if on_masked == points.len() {
            bail!(
                "{}: all {} deposits fall on cells of the grid outside the study area, which is {study_area}. Check that it covers the deposits (for a raster: its NoData value)",
                source.display(),
                points.len()
            );
        }
        bail!(
            "{}: none of the {} deposits lies inside the study area{}. Check the deposits' CRS (x/y columns and `crs`) and the study area",
            source.display(),
            points.len(),
            whereabouts(outside.len())
        );
    }
    if !outside.is_empty() && !drop_outside {
        let shown: Vec<String> = outside
            .iter()
            .take(5)
            .map(|p| format!("({:.1}, {:.1})", p[0], p[1]))
            .collect();
        bail!(
            "{}: {} of {} deposits lie outside the study area{}, e.g. {} (coordinates in the grid's CRS). Remove them, fix their CRS, or set `outside = \"drop\"` under [deposits] to leave them out",
            source.display(),
            outside.len(),
            points.len(),
            whereabouts(outside.len()),
            shown.join(", ")
        );
    }
    let mut cells: Vec<(usize, usize, u64)> =
        per_cell.into_iter().map(|((r, c), n)| (r, c, n)).collect();
    cells.sort_unstable();
    let stacked_cells = cells.iter().filter(|c| c.2 > 1).count();
    let mut merged = 0;
    match duplicates {
        DuplicateRule::Keep => {}
        DuplicateRule::OnePerCell => {
            for c in &mut cells {
                merged += c.2 - 1;
                c.2 = 1;
            }
        }
        DuplicateRule::Error if !exact.is_empty() || stacked_cells > 0 => {
            let shown: Vec<String> = exact
                .iter()
                .take(5)
                .map(|p| format!("({}, {})", p[0], p[1]))
                .collect();
            bail!(
                "{}: {} deposit{} listed twice (e.g. {}) and {stacked_cells} cell{} holding several deposits. Remove the duplicates, or set `duplicates = \"one-per-cell\"` (or \"keep\") under [deposits]",
                source.display(),
                exact.len(),
                if exact.len() == 1 { " is" } else { "s are" },
                if shown.is_empty() { "none exact".to_string() } else { shown.join(", ") },
                if stacked_cells == 1 { "" } else { "s" }
            );
        }
        DuplicateRule::Error => {}
    }
    let total = cells.iter().map(|c| c.2).sum();
    Ok(Deposits {
        cells,
        total,
        dropped: outside.len(),
        exact_duplicates: exact.len(),
        stacked_cells,
        merged,
    })
}

/// Result of classifying one layer.
#[derive(Debug, Clone)]
pub struct ClassPass {
    /// Cells and deposit points per class (inside the study area, where the layer has data).
    pub counts: Vec<ClassCount>,
    /// Study-area cells where the layer has no data.
    pub missing_cells: u64,
    /// Deposit points on those cells.
    pub missing_deposits: u64,
}

/// Streams a layer: reads (or computes) values, applies the mask and the classifier, counts
/// cells and deposits per class, and optionally writes the class raster (Int32).
///
/// # Errors
/// Read/write failures, and a layer with no valid cell in the study area.
pub fn classify_layer(
    grid: &Grid,
    mask: Option<&RasterReader>,
    values: &RasterReader,
    classifier: &Classifier,
    deposits: &Deposits,
    out: Option<&Path>,
    label: &str,
) -> Result<ClassPass> {
    let windows = grid.windows(BLOCK_SIZE);
    let bar = progress(windows.len(), label);
    let mut writer = match out {
        Some(p) => Some(RasterWriter::create(p, grid, DataType::Int32)?),
        None => None,
    };
    let mut counts: HashMap<i64, (u64, u64)> = HashMap::new();
    let (mut missing_cells, mut missing_deposits) = (0u64, 0u64);
    let integers_only = classifier.expects_integers();
    let mut non_integer_cells = 0u64;
    stream_blocks(
        &windows,
        blocks_in_flight(),
        |w| -> Result<(Option<Block>, Block)> {
            let m = mask.map(|m| m.read(w)).transpose()?;
            Ok((m, values.read(w)?))
        },
        |w, (m, mut block)| {
            let in_area = |i: usize| m.as_ref().is_none_or(|m| m.valid[i]);
            let mut local: HashMap<i64, (u64, u64)> = HashMap::new();
            let (mut miss_c, mut miss_d) = (0u64, 0u64);
            let mut non_integer = 0u64;
            let dep = deposits.in_window(w);
            let mut dep_at = vec![0u64; 0];
            if !dep.is_empty() {
                dep_at = vec![0u64; w.len()];
                for (i, n) in &dep {
                    dep_at[*i] = *n;
                }
            }
            let mut last: Option<(i64, (u64, u64))> = None;
            for i in 0..w.len() {
                if !in_area(i) {
                    block.valid[i] = false;
                    continue;
                }
                let d = dep_at.get(i).copied().unwrap_or(0);
                if !block.valid[i] {
                    miss_c += 1;
                    miss_d += d;
                    continue;
                }
                if integers_only && block.values[i].fract() != 0.0 {
                    non_integer += 1;
                }
                let class = classifier.class_of(block.values[i]);
                block.values[i] = class as f64;
                match &mut last {
                    Some((c, acc)) if *c == class => {
                        acc.0 += 1;
                        acc.1 += d;
                    }
                    _ => {
                        if let Some((c, acc)) = last.take() {
                            let e = local.entry(c).or_default();
                            e.0 += acc.0;
                            e.1 += acc.1;
                        }
                        last = Some((class, (1, d)));
                    }
                }
            }
            if let Some((c, acc)) = last {
                let e = local.entry(c).or_default();
                e.0 += acc.0;
                e.1 += acc.1;
            }
            (block, local, miss_c, miss_d, non_integer)
        },
        |_, (block, local, mc, md, ni)| -> Result<()> {
            non_integer_cells += ni;
            for (c, (n, d)) in local {
                let e = counts.entry(c).or_default();
                e.0 += n;
                e.1 += d;
            }
            nedra_core::limits::check(
                "max_classes",
                format!("layer {label}: the number of classes found so far"),
                counts.len() as u64,
            )?;
            missing_cells += mc;
            missing_deposits += md;
            if let Some(wr) = writer.as_mut() {
                wr.write(&block)?;
            }
            bar.inc(1);
            Ok(())
        },
    )?;
    drop(bar);
    if let Some(wr) = writer {
        wr.finish()?;
    }
    if non_integer_cells > 0 {
        bail!(
            "layer {label}: {non_integer_cells} cells hold values that are not whole numbers, but no classification was given. Set `class_width` or `breaks` for this layer (continuous values must be classed before weights of evidence)"
        );
    }
    if counts.is_empty() {
        bail!("layer {label}: no cell of the study area has data. Check that the layer covers the study area and that its NoData value is right");
    }
    if let [(class, (cells, _))] = counts.iter().collect::<Vec<_>>()[..] {
        bail!(
            "layer {label}: all {cells} cells with data are class {class}. A layer with one class carries no information (its weights only restate the prior): check its classification (class_width, breaks) and its values, or leave it out"
        );
    }
    let mut counts: Vec<ClassCount> = counts
        .into_iter()
        .map(|(class, (cells, deposits))| ClassCount {
            class,
            cells,
            deposits,
        })
        .collect();
    counts.sort_by_key(|c| c.class);
    Ok(ClassPass {
        counts,
        missing_cells,
        missing_deposits,
    })
}

/// WEIGHT and W_STD by class: what the response looks a cell's class up in.
pub fn class_weights(table: &WeightsTable) -> ClassWeights {
    ClassWeights::new(table.rows.iter().map(|r| (r.class, (r.weight, r.w_std))))
}

/// (WEIGHT, W_STD) by class, looked up once per cell and layer.
///
/// Class codes are small integers in practice, so when they span at most
/// [`ClassWeights::DENSE_SPAN`] values the table is a slice indexed by `class − lowest`
/// (one bounds check, no hashing); otherwise it is a hash map. Both give the same answers.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassWeights {
    lowest: i64,
    dense: Vec<Option<(f64, f64)>>,
    sparse: HashMap<i64, (f64, f64)>,
}

impl ClassWeights {
    /// The widest span of class codes (highest − lowest + 1) kept as a slice.
    pub const DENSE_SPAN: i64 = 1 << 16;

    /// A table from (class, (WEIGHT, W_STD)) pairs; a repeated class keeps its last pair.
    pub fn new(pairs: impl IntoIterator<Item = (i64, (f64, f64))>) -> Self {
        let sparse: HashMap<i64, (f64, f64)> = pairs.into_iter().collect();
        let (lo, hi) = sparse
            .keys()
            .fold((i64::MAX, i64::MIN), |(lo, hi), &c| (lo.min(c), hi.max(c)));
        match hi.checked_sub(lo) {
            Some(span) if span < Self::DENSE_SPAN => {
                let mut dense = vec![None; usize::try_from(span + 1).unwrap_or(0)];
                for (&c, &w) in &sparse {
                    dense[usize::try_from(c - lo).unwrap_or(0)] = Some(w);
                }
                Self {
                    lowest: lo,
                    dense,
                    sparse: HashMap::new(),
                }
            }
            _ => Self {
                lowest: 0,
                dense: Vec::new(),
                sparse,
            },
        }
    }

    /// (WEIGHT, W_STD) of `class`, `None` if the table has no row for it.
    #[inline]
    pub fn get(&self, class: i64) -> Option<(f64, f64)> {
        if self.dense.is_empty() {
            return self.sparse.get(&class).copied();
        }
        let i = usize::try_from(class.wrapping_sub(self.lowest)).ok()?;
        self.dense.get(i).copied().flatten()
    }

    /// Classes with a row, in increasing order.
    pub fn classes(&self) -> Vec<i64> {
        let mut c: Vec<i64> = if self.dense.is_empty() {
            self.sparse.keys().copied().collect()
        } else {
            (0..)
                .zip(&self.dense)
                .filter(|(_, w)| w.is_some())
                .map(|(i, _)| self.lowest + i)
                .collect()
        };
        c.sort_unstable();
        c
    }
}

/// One layer of the response: its class raster and its weights table.
pub struct ResponseLayer {
    /// Name for messages.
    pub name: String,
    /// Class raster on the grid.
    pub classes: RasterReader,
    /// WEIGHT and W_STD by class.
    pub weights: ClassWeights,
    /// For the missing-data variance.
    pub summary: LayerSummary,
    /// Where the table came from, for messages.
    pub table_path: PathBuf,
}

impl ResponseLayer {
    /// Pairs a class raster with its weights table.
    ///
    /// # Errors
    /// When the table lacks what the missing-data variance needs.
    pub fn new(
        name: &str,
        classes: RasterReader,
        table: &WeightsTable,
        table_path: &Path,
    ) -> Result<Self> {
        let weights = class_weights(table);
        let summary = LayerSummary::from_table(table).with_context(|| {
            format!(
                "{}: cannot summarise the weights table",
                table_path.display()
            )
        })?;
        Ok(Self {
            name: name.to_string(),
            classes,
            weights,
            summary,
            table_path: table_path.to_path_buf(),
        })
    }
}

/// One block's partial results in the response pass: scores, CI sums, cells, cells with
/// missing layers, and per layer the cells of classes its table lacks (with those classes).
type BlockTallies = (
    ScoreSurvey,
    ConditionalIndependenceSums,
    u64,
    u64,
    Vec<(u64, std::collections::BTreeSet<i64>)>,
);

/// Cells of a layer whose class has no row in its weights table: given weight 0, as missing
/// evidence, and reported.
#[derive(Debug, Clone, PartialEq)]
pub struct UnseenClasses {
    /// The layer.
    pub layer: String,
    /// Its weights table.
    pub table: PathBuf,
    /// Cells of such classes.
    pub cells: u64,
    /// The classes (the first 20).
    pub classes: Vec<i64>,
}

impl UnseenClasses {
    /// The warning line.
    pub fn message(&self) -> String {
        format!(
            "layer {:?}: {} cell{} of class{} {:?} that {} no row in {} were given weight 0 (as missing evidence). Use the table computed from this raster, or reclass them",
            self.layer,
            self.cells,
            if self.cells == 1 { "" } else { "s" },
            if self.classes.len() == 1 { "" } else { "es" },
            self.classes,
            if self.classes.len() == 1 { "has" } else { "have" },
            self.table.display()
        )
    }
}

/// What the response pass measured.
#[derive(Debug, Clone)]
pub struct ResponseSummary {
    /// Distribution of posterior probabilities with deposits, for validation curves.
    pub histogram: ScoreDistribution,
    /// Cells where at least one layer was missing.
    pub cells_with_missing_data: u64,
    /// Sums for the conditional-independence diagnostics.
    pub conditional_independence: ConditionalIndependenceSums,
    /// Layers with cells of classes their tables lack (weight 0, as missing evidence).
    pub unseen_classes: Vec<UnseenClasses>,
}

/// The posterior probability, its standard deviation and the confidence, block by block,
/// written as `posterior.tif`, `posterior_std.tif` and `confidence.tif` into `out_dir`.
///
/// The study area is the mask when given, otherwise every cell where at least one layer has
/// data. A class absent from its layer's table gets weight 0, as missing evidence, and is
/// counted in [`ResponseSummary::unseen_classes`].
///
/// # Errors
/// Read/write failures.
pub fn response_pass(
    grid: &Grid,
    mask: Option<&RasterReader>,
    layers: &[ResponseLayer],
    response: &Response,
    deposits: &Deposits,
    area_units_per_cell: f64,
    out_dir: &Path,
) -> Result<ResponseSummary> {
    let summaries: Vec<LayerSummary> = layers.iter().map(|l| l.summary.clone()).collect();
    type Lookup<'a> = (&'a str, &'a ClassWeights, &'a Path);
    let lookups: Vec<Lookup> = layers
        .iter()
        .map(|l| (l.name.as_str(), &l.weights, l.table_path.as_path()))
        .collect();
    let mut survey = ScoreSurvey::new();
    let mut with_missing = 0u64;
    let mut ci = ConditionalIndependenceSums::default();
    let mut unseen: Vec<(u64, std::collections::BTreeSet<i64>)> =
        vec![Default::default(); layers.len()];
    write_streamed_many(
        grid,
        [
            &out_dir.join("posterior.tif"),
            &out_dir.join("posterior_std.tif"),
            &out_dir.join("confidence.tif"),
        ],
        "posterior probability",
        |w| -> Result<(Option<Block>, Vec<Block>)> {
            let m = mask.map(|m| m.read(w)).transpose()?;
            let blocks = layers
                .iter()
                .map(|l| l.classes.read(w))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((m, blocks))
        },
        |w, (m, blocks)| -> Result<([Block; 3], BlockTallies)> {
            let mut out = [Block::empty(w), Block::empty(w), Block::empty(w)];
            let mut hist = ScoreSurvey::new();
            let mut sums = ConditionalIndependenceSums::default();
            let dep_at = deposits.counts_in(w);
            let mut evidence: Vec<Option<(f64, f64)>> = vec![None; lookups.len()];
            let (mut n_cells, mut n_missing) = (0u64, 0u64);
            let mut block_unseen: Vec<(u64, std::collections::BTreeSet<i64>)> =
                vec![Default::default(); lookups.len()];
            for (i, &deposits_here) in dep_at.iter().enumerate() {
                let inside = match &m {
                    Some(m) => m.valid[i],
                    None => blocks.iter().any(|b| b.valid[i]),
                };
                if !inside {
                    continue;
                }
                let mut missing = false;
                for (k, ((_, weights, _), b)) in lookups.iter().zip(&blocks).enumerate() {
                    evidence[k] = match b.get(i) {
                        Some(v) => {
                            let class = v.round() as i64;
                            match weights.get(class) {
                                Some(wt) => Some(wt),
                                None => {
                                    let u = &mut block_unseen[k];
                                    u.0 += 1;
                                    if u.1.len() < 20 {
                                        u.1.insert(class);
                                    }
                                    missing = true;
                                    None
                                }
                            }
                        }
                        None => {
                            missing = true;
                            None
                        }
                    };
                }
                let r = response.cell(&summaries, &evidence);
                n_cells += 1;
                n_missing += u64::from(missing);
                for (o, v) in out.iter_mut().zip([
                    r.posterior_probability,
                    r.standard_deviation,
                    r.confidence,
                ]) {
                    o.values[i] = v;
                    o.valid[i] = v.is_finite();
                }
                hist.add_cell(r.posterior_probability, deposits_here);
                sums.add_cell(
                    area_units_per_cell,
                    r.posterior_probability,
                    r.standard_deviation,
                );
            }
            Ok((out, (hist, sums, n_cells, n_missing, block_unseen)))
        },
        |(hist, sums, n, nm, block_unseen)| {
            ci.merge(&sums);
            survey.merge(hist);
            debug_assert!(nm <= n);
            with_missing += nm;
            for (total, (cells, classes)) in unseen.iter_mut().zip(block_unseen) {
                total.0 += cells;
                for c in classes {
                    if total.1.len() < 20 {
                        total.1.insert(c);
                    }
                }
            }
        },
    )?;
    let histogram = if let Some(exact) = survey.into_exact() {
        exact
    } else {
        // More distinct posteriors than an exact histogram holds: the later passes read the
        // written (float32) posterior, so the first pass must read it too.
        let posterior = RasterReader::open(&out_dir.join("posterior.tif"))?;
        let mut d = crate::validation::score_histograms(grid, &posterior, &[deposits])?;
        d.remove(0)
    };
    let unseen_classes = layers
        .iter()
        .zip(unseen)
        .filter(|(_, (cells, _))| *cells > 0)
        .map(|(l, (cells, classes))| UnseenClasses {
            layer: l.name.clone(),
            table: l.table_path.clone(),
            cells,
            classes: classes.into_iter().collect(),
        })
        .collect();
    Ok(ResponseSummary {
        histogram,
        conditional_independence: ci,
        cells_with_missing_data: with_missing,
        unseen_classes,
    })
}

/// A histogram of a layer's values inside the study area, in one streaming pass (for
/// data-driven classes: quantiles, natural breaks, concentration–area).
///
/// # Errors
/// Read failures.
pub fn value_histogram(
    grid: &Grid,
    mask: Option<&RasterReader>,
    values: &RasterReader,
) -> Result<nedra_core::classes::ValueHistogram> {
    let windows = grid.windows(BLOCK_SIZE);
    let bar = progress(windows.len(), "value histogram");
    let mut total = nedra_core::classes::ValueHistogram::new();
    stream_blocks(
        &windows,
        blocks_in_flight(),
        |w| -> Result<(Option<Block>, Block)> {
            let m = mask.map(|m| m.read(w)).transpose()?;
            Ok((m, values.read(w)?))
        },
        |_, (m, mut block)| {
            if let Some(m) = &m {
                for (ok, inside) in block.valid.iter_mut().zip(&m.valid) {
                    *ok &= *inside;
                }
            }
            let mut h = nedra_core::classes::ValueHistogram::new();
            h.add_block(&block);
            h
        },
        |_, h| -> Result<()> {
            total.merge(&h);
            bar.inc(1);
            Ok(())
        },
    )?;
    drop(bar);
    Ok(total)
}

/// Writes `N` Float32 rasters on `grid` block by block: `read` on this thread, `compute` in
/// parallel (its blocks, one per output, and a per-block extra value), blocks written in
/// order, each extra value handed to `fold`, with a progress bar. The outputs appear only when
/// all of them are finished (temporary files, then rename).
///
/// # Errors
/// Read, compute, fold or write failures.
pub fn write_streamed_many<I: Send, X: Send, const N: usize>(
    grid: &Grid,
    outs: [&Path; N],
    label: &str,
    read: impl FnMut(nedra_core::Window) -> Result<I>,
    compute: impl Fn(nedra_core::Window, I) -> Result<([Block; N], X)> + Sync,
    fold: impl FnMut(X),
) -> Result<()> {
    let outs: Vec<(&Path, DataType)> = outs.iter().map(|p| (*p, DataType::Float32)).collect();
    write_streamed_outputs(
        grid,
        &outs,
        label,
        read,
        |w, i| compute(w, i).map(|(b, x)| (Vec::from(b), x)),
        fold,
    )
}

/// [`write_streamed_many`] for any number of outputs, each with its own data type; `compute`
/// returns one block per output, in order.
///
/// # Errors
/// Read, compute, fold or write failures.
pub fn write_streamed_outputs<I: Send, X: Send>(
    grid: &Grid,
    outs: &[(&Path, DataType)],
    label: &str,
    read: impl FnMut(nedra_core::Window) -> Result<I>,
    compute: impl Fn(nedra_core::Window, I) -> Result<(Vec<Block>, X)> + Sync,
    mut fold: impl FnMut(X),
) -> Result<()> {
    let windows = grid.windows(BLOCK_SIZE);
    let bar = progress(windows.len(), label);
    let mut writers = Vec::with_capacity(outs.len());
    for (out, data_type) in outs {
        writers.push(RasterWriter::create(out, grid, *data_type)?);
    }
    stream_blocks(
        &windows,
        blocks_in_flight(),
        read,
        compute,
        |_, result| -> Result<()> {
            let (blocks, extra) = result?;
            for (wr, b) in writers.iter_mut().zip(&blocks) {
                wr.write(b)?;
            }
            fold(extra);
            bar.inc(1);
            Ok(())
        },
    )?;
    drop(bar);
    for w in writers {
        w.finish()?;
    }
    Ok(())
}

/// [`write_streamed_many`] for one output and no extra value.
///
/// # Errors
/// Read or write failures.
pub fn write_streamed<I: Send>(
    grid: &Grid,
    out: &Path,
    label: &str,
    read: impl FnMut(nedra_core::Window) -> Result<I>,
    compute: impl Fn(nedra_core::Window, I) -> Block + Sync,
) -> Result<()> {
    write_streamed_many(
        grid,
        [out],
        label,
        read,
        |w, i| Ok(([compute(w, i)], ())),
        |()| {},
    )
}

/// A potential-field derivative of a raster on `grid` written to `out`, each block read with a
/// halo of `halo` neighbour cells (clipped at the grid's edges).
///
/// # Errors
/// Read or write failures.
pub fn write_derivative(
    grid: &Grid,
    source: &RasterReader,
    which: nedra_core::derivatives::Derivative,
    halo: usize,
    out: &Path,
    label: &str,
) -> Result<()> {
    let cell = grid.transform[1].abs();
    write_streamed(
        grid,
        out,
        label,
        |w| -> Result<Block> {
            let c0 = w.col_off.saturating_sub(halo);
            let r0 = w.row_off.saturating_sub(halo);
            let c1 = (w.col_off + w.width + halo).min(grid.width);
            let r1 = (w.row_off + w.height + halo).min(grid.height);
            Ok(source.read(nedra_core::Window {
                col_off: c0,
                row_off: r0,
                width: c1 - c0,
                height: r1 - r0,
            })?)
        },
        |w, b| nedra_core::derivatives::derivative(&b, w, cell, which),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use nedra_core::random::SplitMix64;

    /// The slice and the hash-map forms answer every class as a plain map of the pairs does:
    /// classes inside, between and outside the table's, negative ones and the extremes.
    #[test]
    fn class_weights_answer_as_a_map_of_the_pairs() {
        let mut rng = SplitMix64::new(17);
        for span in [1i64, 7, 300, ClassWeights::DENSE_SPAN, 1 << 40] {
            let pairs: Vec<(i64, (f64, f64))> = (0..50)
                .map(|k| {
                    let class = if k == 0 {
                        -3
                    } else {
                        -3 + i64::try_from(rng.next_u64() % u64::try_from(span).unwrap()).unwrap()
                    };
                    (class, (rng.uniform() - 0.5, rng.uniform()))
                })
                .collect();
            let table = ClassWeights::new(pairs.iter().copied());
            assert_eq!(table.dense.is_empty(), span > ClassWeights::DENSE_SPAN);
            let map: HashMap<i64, (f64, f64)> = pairs.iter().copied().collect();
            let mut probes: Vec<i64> = map.keys().flat_map(|&c| [c - 1, c, c + 1]).collect();
            probes.extend([i64::MIN, i64::MAX, -4, span + 10, 0]);
            for c in probes {
                assert_eq!(table.get(c), map.get(&c).copied(), "class {c}, span {span}");
            }
            let mut classes: Vec<i64> = map.keys().copied().collect();
            classes.sort_unstable();
            assert_eq!(table.classes(), classes);
        }
    }
}
