//! Targets: connected regions of high score become ranked polygons with their evidence.
//!
//! A cell is selected when its score reaches the threshold set by the rule (top x % of the
//! study area, the prediction–area crossing, or a value). A top-x % threshold that falls inside
//! a tie covering more than twice the area asked for moves to the next score above the tie,
//! with a warning. Selected cells form 8-connected
//! regions (row-by-row labelling, two streaming passes, memory independent of the grid);
//! regions smaller than the minimum area are dropped; the rest are ranked by a declared rule
//! ([`TargetRank`]: mean score then peak score, the expected deposits Σ score, or the density of
//! training deposits) and written as `targets.gpkg`, `targets.geojson`, `targets.csv` and the
//! region raster `targets.tif`.

use std::path::Path;

use anyhow::{bail, Context, Result};
use nedra_core::regions::RegionLabeller;
use nedra_core::{Block, Grid, Window};
use nedra_io::polygons::{write_regions, Attribute, RegionRecord};
use nedra_io::{files, DataType, RasterReader, RasterWriter};
use nedra_models::{ScoreDistribution, ScoreScan, ValidationOptions};

use crate::options::TargetRank;
use crate::pipeline::{ClassWeights, Deposits, ResponseLayer};
use crate::validation::RasterScores;

/// The files a targets stage writes into its folder.
pub const TARGET_FILES: [&str; 4] = [
    "targets.gpkg",
    "targets.geojson",
    "targets.csv",
    "targets.tif",
];

/// How the score threshold is chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TargetRule {
    /// The highest-scoring `x` percent of the study area (whole tied groups).
    TopPercent(f64),
    /// The prediction–area crossing threshold (Yousefi & Carranza 2015).
    PaCrossing,
    /// A fixed score.
    Threshold(f64),
}

/// The rule in the command line's words, as printed and as `run.json` records it:
/// `top-percent 5`, `pa`, `threshold 0.01` (the flags `--top-percent 5`, `--pa`,
/// `--threshold 0.01`).
impl std::fmt::Display for TargetRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TargetRule::TopPercent(p) => write!(f, "top-percent {p}"),
            TargetRule::PaCrossing => f.write_str("pa"),
            TargetRule::Threshold(t) => write!(f, "threshold {t}"),
        }
    }
}

/// Options of [`find_targets`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetOptions {
    /// Threshold rule.
    pub rule: TargetRule,
    /// Smallest target kept, km².
    pub min_area_km2: f64,
    /// How targets are ranked.
    pub rank: crate::options::TargetRank,
}

/// One ranked target.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Rank (1 = best), also the id in `targets.tif`.
    pub rank: usize,
    /// Area, km².
    pub area_km2: f64,
    /// Centroid of the cell centres, grid CRS.
    pub centroid: (f64, f64),
    /// Mean score.
    pub mean_score: f64,
    /// Peak score.
    pub peak_score: f64,
    /// Mean uncertainty (NaN without an uncertainty raster).
    pub mean_uncertainty: f64,
    /// Training deposit points inside.
    pub deposits: u64,
    /// Evidence layers by decreasing mean weight: (name, mean weight).
    pub evidence: Vec<(String, f64)>,
}

#[derive(Debug, Clone, Default)]
struct Stats {
    cells: u64,
    sum_score: f64,
    peak: f64,
    sum_uncertainty: f64,
    sum_x: f64,
    sum_y: f64,
    deposits: u64,
    contributions: Vec<f64>,
}

impl Stats {
    fn merge(&mut self, o: &Stats) {
        if self.cells == 0 {
            self.peak = f64::NEG_INFINITY;
        }
        self.cells += o.cells;
        self.sum_score += o.sum_score;
        self.peak = self.peak.max(o.peak);
        self.sum_uncertainty += o.sum_uncertainty;
        self.sum_x += o.sum_x;
        self.sum_y += o.sum_y;
        self.deposits += o.deposits;
        if self.contributions.len() < o.contributions.len() {
            self.contributions.resize(o.contributions.len(), 0.0);
        }
        for (a, b) in self.contributions.iter_mut().zip(&o.contributions) {
            *a += b;
        }
    }
}

/// The score threshold of a rule, from the score map's distribution; `scores` reads the map
/// again when the top-percent threshold needs it (a distribution bounded in memory).
///
/// # Errors
/// A percentage outside (0, 100], no deposits for the P-A rule, read failures.
pub fn threshold(
    rule: TargetRule,
    distribution: &ScoreDistribution,
    scores: &impl ScoreScan,
) -> Result<f64> {
    Ok(match rule {
        TargetRule::Threshold(v) => v,
        TargetRule::TopPercent(p) => {
            if !(p > 0.0 && p <= 100.0) {
                bail!("top percent {p} must be in (0, 100]");
            }
            let total = distribution.total_cells();
            let need = (p / 100.0 * total as f64).ceil() as u64;
            let at = distribution.score_at_rank(need, scores)?;
            // Ties: a score shared by a large area must not turn "the top p %" into most of
            // the map. When the cells at or above the score are more than twice those asked
            // for, the threshold moves to the next score above the tie.
            // Cells at or above the score, and strictly above it, in one pass.
            let mut counts = (0u64, 0u64);
            scores
                .reduce(
                    &mut counts,
                    |s: &[f64]| {
                        s.iter().fold((0u64, 0u64), |(ge, gt), &x| {
                            (ge + u64::from(x >= at), gt + u64::from(x > at))
                        })
                    },
                    |a, b| {
                        a.0 += b.0;
                        a.1 += b.1;
                    },
                )
                .map_err(|e| anyhow::anyhow!(e))?;
            let (at_or_above, above) = counts;
            if at_or_above > 2 * need {
                let pct = |n: u64| 100.0 * n as f64 / total as f64;
                if above > 0 {
                    let next = distribution.score_at_rank(above, scores)?;
                    crate::progress::say(&format!(
                        "warning: the top {p} % of the area ends inside a tie: {} cells ({:.2} %) share the score {at}; the targets take the {above} cells above it ({:.2} %), threshold {next}",
                        at_or_above - above,
                        pct(at_or_above - above),
                        pct(above)
                    ));
                    next
                } else {
                    crate::progress::say(&format!(
                        "warning: the top {p} % of the area ends inside a tie: the highest score {at} covers {:.2} % of the area, so the targets cover all of it. The map does not separate these cells",
                        pct(at_or_above)
                    ));
                    at
                }
            } else {
                at
            }
        }
        TargetRule::PaCrossing => {
            let o = ValidationOptions {
                bootstrap_replicates: 0,
                ..ValidationOptions::default()
            };
            distribution.validate(&o)?.pa_crossing.score
        }
    })
}

/// Rows per strip so that a strip holds about 4 M cells.
fn strip_rows(grid: &Grid) -> usize {
    (4_000_000 / grid.width.max(1)).clamp(1, 512)
}

/// What gives a target its strongest evidence layers.
#[derive(Clone, Copy)]
pub enum TargetEvidence<'a> {
    /// Weights of evidence: the mean WEIGHT of each layer's classes over the target.
    Weights(&'a [ResponseLayer]),
    /// A data-driven model: the mean of each layer's contribution raster over the target.
    Contributions(&'a [(String, RasterReader)]),
}

impl TargetEvidence<'_> {
    fn names(&self) -> Vec<&str> {
        match self {
            TargetEvidence::Weights(l) => l.iter().map(|l| l.name.as_str()).collect(),
            TargetEvidence::Contributions(c) => c.iter().map(|c| c.0.as_str()).collect(),
        }
    }

    fn read(&self, w: Window) -> Result<Vec<Block>> {
        Ok(match self {
            TargetEvidence::Weights(l) => l
                .iter()
                .map(|l| l.classes.read(w))
                .collect::<Result<Vec<_>, _>>()?,
            TargetEvidence::Contributions(c) => c
                .iter()
                .map(|c| c.1.read(w))
                .collect::<Result<Vec<_>, _>>()?,
        })
    }

    /// What turns a layer's cell into its evidence: the class weights of each layer (weights
    /// of evidence), or None (a contribution raster is the evidence itself). Shared with the
    /// thread that labels while this one reads (the readers stay here).
    fn lookups(&self) -> Vec<Option<&ClassWeights>> {
        match self {
            TargetEvidence::Weights(l) => l.iter().map(|l| Some(&l.weights)).collect(),
            TargetEvidence::Contributions(c) => vec![None; c.len()],
        }
    }
}

/// Layer `k`'s evidence at cell `i` of its block (0 where missing), by its lookup.
fn evidence_value(lookup: Option<&ClassWeights>, block: &Block, i: usize) -> f64 {
    match (lookup, block.get(i)) {
        (_, None) => 0.0,
        (Some(weights), Some(v)) => weights.get(v.round() as i64).map_or(0.0, |w| w.0),
        (None, Some(v)) => v,
    }
}

/// Finds, ranks and writes targets into `out_dir`.
///
/// `evidence` gives each target its contributing layers.
///
/// # Errors
/// Read/write failures and bad options.
#[allow(clippy::too_many_arguments)]
pub fn find_targets(
    grid: &Grid,
    score: &RasterReader,
    uncertainty: Option<&RasterReader>,
    mask: Option<&RasterReader>,
    evidence: TargetEvidence,
    deposits: &Deposits,
    histogram: &ScoreDistribution,
    options: &TargetOptions,
    out_dir: &Path,
) -> Result<(f64, Vec<Target>)> {
    if !(options.min_area_km2 >= 0.0 && options.min_area_km2.is_finite()) {
        bail!("min_area_km2 = {} must be ≥ 0", options.min_area_km2);
    }
    let scores = RasterScores {
        grid,
        reader: score,
        what: "target threshold",
    };
    let t = threshold(options.rule, histogram, &scores)?;
    let rows = strip_rows(grid);
    let strips: Vec<Window> = (0..grid.height)
        .step_by(rows)
        .map(|r| Window {
            col_off: 0,
            row_off: r,
            width: grid.width,
            height: rows.min(grid.height - r),
        })
        .collect();
    let selected_of = |w: Window| -> Result<(Block, Vec<bool>)> {
        let s = score.read(w)?;
        let m = mask.map(|m| m.read(w)).transpose()?;
        let sel = (0..w.len())
            .map(|i| s.valid[i] && m.as_ref().is_none_or(|m| m.valid[i]) && s.values[i] >= t)
            .collect();
        Ok((s, sel))
    };

    let n_layers = evidence.names().len();
    let lookups = evidence.lookups();
    // Pass 1: provisional labels and their statistics.
    let mut labeller = RegionLabeller::new(grid.width);
    let mut stats: Vec<Stats> = vec![Stats::default()];
    let read_strip = |w: Window| -> Result<_> {
        let (s, sel) = selected_of(w)?;
        let u = uncertainty.map(|u| u.read(w)).transpose()?;
        Ok((w, s, sel, u, evidence.read(w)?))
    };
    let label_strip =
        |(w, s, sel, u, ev): (Window, Block, Vec<bool>, Option<Block>, Vec<Block>)| {
            let mut dep = vec![0u64; w.len()];
            for (i, n) in deposits.in_window(w) {
                dep[i] = n;
            }
            for r in 0..w.height {
                let row = &sel[r * w.width..(r + 1) * w.width];
                let labels = labeller.push_row(row).to_vec();
                if stats.len() <= labeller.provisional_count() {
                    stats.resize(labeller.provisional_count() + 1, Stats::default());
                }
                for (c, &l) in labels.iter().enumerate() {
                    if l == 0 {
                        continue;
                    }
                    let i = r * w.width + c;
                    let st = &mut stats[l as usize];
                    if st.cells == 0 {
                        st.peak = f64::NEG_INFINITY;
                        st.contributions = vec![0.0; n_layers];
                    }
                    let (x, y) = grid.cell_centre(w.row_off + r, c);
                    st.cells += 1;
                    st.sum_score += s.values[i];
                    st.peak = st.peak.max(s.values[i]);
                    st.sum_uncertainty += u.as_ref().and_then(|u| u.get(i)).unwrap_or(f64::NAN);
                    st.sum_x += x;
                    st.sum_y += y;
                    st.deposits += dep[i];
                    for (k, b) in ev.iter().enumerate() {
                        st.contributions[k] += evidence_value(lookups[k], b, i);
                    }
                }
            }
        };
    // Labelling is sequential along the strips: reading the next strip overlaps it.
    nedra_core::pipeline(&strips, |&w| read_strip(w), label_strip, |()| Ok(()))?;
    // Fold provisional labels into their regions.
    let count = labeller.provisional_count();
    let mut root_of = vec![0u32; count + 1];
    for l in 1..=count as u32 {
        root_of[l as usize] = labeller.root(l);
    }
    for l in 1..=count {
        let r = root_of[l] as usize;
        if r != l {
            let s = std::mem::take(&mut stats[l]);
            stats[r].merge(&s);
        }
    }
    let cell_km2 = grid.cell_area_km2();
    let mut regions: Vec<(u32, &Stats)> = (1..=count)
        .filter(|&l| {
            root_of[l] as usize == l && stats[l].cells as f64 * cell_km2 >= options.min_area_km2
        })
        .map(|l| (l as u32, &stats[l]))
        .collect();
    let mean = |s: &Stats| s.sum_score / s.cells as f64;
    let density = |s: &Stats| s.deposits as f64 / (s.cells as f64 * cell_km2);
    let by_mean = |a: &(u32, &Stats), b: &(u32, &Stats)| {
        mean(b.1)
            .total_cmp(&mean(a.1))
            .then(b.1.peak.total_cmp(&a.1.peak))
    };
    regions.sort_by(|a, b| {
        match options.rank {
            TargetRank::MeanScore => by_mean(a, b),
            TargetRank::Expected => b.1.sum_score.total_cmp(&a.1.sum_score).then(by_mean(a, b)),
            TargetRank::DepositDensity => density(b.1).total_cmp(&density(a.1)).then(by_mean(a, b)),
        }
        .then(a.0.cmp(&b.0))
    });
    let mut rank_of_root = vec![0i64; count + 1];
    let names = evidence.names();
    let targets: Vec<Target> = regions
        .iter()
        .enumerate()
        .map(|(k, (root, s))| {
            rank_of_root[*root as usize] = k as i64 + 1;
            let n = s.cells as f64;
            let mut ev: Vec<(String, f64)> = names
                .iter()
                .zip(&s.contributions)
                .map(|(nm, c)| (nm.to_string(), c / n))
                .collect();
            ev.sort_by(|a, b| b.1.total_cmp(&a.1));
            Target {
                rank: k + 1,
                area_km2: n * cell_km2,
                centroid: (s.sum_x / n, s.sum_y / n),
                mean_score: s.sum_score / n,
                peak_score: s.peak,
                mean_uncertainty: s.sum_uncertainty / n,
                deposits: s.deposits,
                evidence: ev,
            }
        })
        .collect();

    // Pass 2: the same labelling again, writing final ranks.
    let label_path = out_dir.join("targets.tif");
    let mut writer = RasterWriter::create(&label_path, grid, DataType::Int32)?;
    let mut labeller = RegionLabeller::new(grid.width);
    let (root_of, rank_of_root) = (&root_of, &rank_of_root);
    let rank_strip = |(w, sel): (Window, Vec<bool>)| {
        let mut block = Block::empty(w);
        for r in 0..w.height {
            let labels = labeller.push_row(&sel[r * w.width..(r + 1) * w.width]);
            for (c, &l) in labels.iter().enumerate() {
                if l != 0 {
                    let rank = rank_of_root[root_of[l as usize] as usize];
                    if rank > 0 {
                        block.values[r * w.width + c] = rank as f64;
                        block.valid[r * w.width + c] = true;
                    }
                }
            }
        }
        block
    };
    nedra_core::pipeline(
        &strips,
        |&w| -> Result<_> { Ok((w, selected_of(w)?.1)) },
        rank_strip,
        |block| -> Result<()> { Ok(writer.write(&block)?) },
    )?;
    writer.finish()?;

    // Tables and polygons.
    let records: Vec<RegionRecord> = targets.iter().map(record).collect();
    // The header as it is; in the rows the text column (top_evidence) is always quoted and the
    // numbers, written as Rust's shortest round-trip `{}`, never are.
    let mut header = csv::Writer::from_writer(Vec::new());
    header.write_record([
        "rank",
        "area_km2",
        "centroid_x",
        "centroid_y",
        "mean_score",
        "peak_score",
        "mean_uncertainty",
        "deposits",
        "top_evidence",
    ])?;
    let mut table = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::NonNumeric)
        .from_writer(header.into_inner().context("writing targets.csv")?);
    for tg in &targets {
        table.write_record([
            tg.rank.to_string(),
            tg.area_km2.to_string(),
            tg.centroid.0.to_string(),
            tg.centroid.1.to_string(),
            tg.mean_score.to_string(),
            tg.peak_score.to_string(),
            // Empty, not "NaN", when no uncertainty raster was given.
            if tg.mean_uncertainty.is_finite() {
                tg.mean_uncertainty.to_string()
            } else {
                String::new()
            },
            tg.deposits.to_string(),
            top_evidence(tg),
        ])?;
    }
    let bytes = table.into_inner().context("writing targets.csv")?;
    files::write_atomic(&out_dir.join("targets.csv"), &bytes)?;
    if !records.is_empty() {
        write_regions(
            &label_path,
            &records,
            "targets",
            &out_dir.join("targets.gpkg"),
            Some(&out_dir.join("targets.geojson")),
        )?;
    }
    Ok((t, targets))
}

/// The three strongest evidence layers, e.g. `units (+4.33); magnetic (+2.10)`.
pub fn top_evidence(t: &Target) -> String {
    t.evidence
        .iter()
        .take(3)
        .map(|(n, w)| format!("{n} ({w:+.2})"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn record(t: &Target) -> RegionRecord {
    RegionRecord {
        id: t.rank as i64,
        attributes: vec![
            ("rank".into(), Attribute::Integer(t.rank as i64)),
            ("area_km2".into(), Attribute::Real(t.area_km2)),
            ("centroid_x".into(), Attribute::Real(t.centroid.0)),
            ("centroid_y".into(), Attribute::Real(t.centroid.1)),
            ("mean_score".into(), Attribute::Real(t.mean_score)),
            ("peak_score".into(), Attribute::Real(t.peak_score)),
            (
                "mean_uncertainty".into(),
                Attribute::Real(t.mean_uncertainty),
            ),
            ("deposits".into(), Attribute::Integer(t.deposits as i64)),
            ("top_evidence".into(), Attribute::Text(top_evidence(t))),
        ],
    }
}
