//! `nedra prospects prospects.toml --out DIR`: petroleum play and prospect risking.
//!
//! - Plays: shared element chances (source, reservoir, seal, charge) given as numbers, or
//!   taken from one common risk segment of the play's element chance maps. With maps, the
//!   play chance map (product of the four element maps, cell by cell) is written to
//!   `DIR/play-<name>-chance.tif`, and the maps are summarised over the whole play and over
//!   each segment polygon (`segments`, integer `segment_field`): the minimum of each
//!   element over the segment and their product (see [`nedra_assess::play_maps`]). The
//!   segment raster is kept as `DIR/play-<name>-segments.tif`.
//! - Prospects: element chances given that the play works (default 1 each), volumetric
//!   inputs as distributions (fixed, triangular, PERT, log-normal from P90/P10 or from
//!   μ/σ of ln X), optional economics.
//! - `DIR/prospects.json` (atomic): per prospect Pg, STOIIP or GIIP P90/P50/P10/mean (PRMS
//!   convention, named), risked mean, EMV; the portfolio: P(at least one discovery), risked
//!   mean volumes, EMV; plays and their map summaries; inputs with SHA-256, seed, version.
//!
//! Rasters are streamed in 512 × 512 blocks. See `crates/assess/examples/prospects.toml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use nedra_assess::{
    evaluate_prospects, play_chance_block, Distribution, DistributionSpec, Economics,
    ElementChances, Fluid, PlayInput, ProspectInput, SegmentTally, Volumetrics,
};
use nedra_core::{Block, BLOCK_SIZE};
use nedra_io::vector::{rasterize, VectorSource};
use nedra_io::{files, DataType, RasterReader, RasterWriter};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::assessment::resolve;
use crate::manifest::{input_entry, versions};
use crate::run_folder::OutputFolder;

/// A prospects file.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProspectsFile {
    /// `[options]`.
    #[serde(default)]
    pub options: OptionsSpec,
    /// `[[play]]` tables.
    #[serde(default, rename = "play")]
    pub plays: Vec<PlaySpec>,
    /// `[[prospect]]` tables.
    #[serde(rename = "prospect")]
    pub prospects: Vec<ProspectSpec>,
}

/// `[options]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OptionsSpec {
    /// Master seed (default 2026).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Trials per prospect (default 20 000).
    #[serde(default = "default_trials")]
    pub trials: usize,
}

impl Default for OptionsSpec {
    fn default() -> Self {
        OptionsSpec {
            seed: default_seed(),
            trials: default_trials(),
        }
    }
}

fn default_seed() -> u64 {
    2026
}
fn default_trials() -> usize {
    20_000
}
fn one() -> f64 {
    1.0
}

/// `[[play]]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlaySpec {
    /// Play name (prospects refer to it).
    pub name: String,
    /// Shared chance of source.
    #[serde(default)]
    pub source: Option<f64>,
    /// Shared chance of reservoir.
    #[serde(default)]
    pub reservoir: Option<f64>,
    /// Shared chance of seal.
    #[serde(default)]
    pub seal: Option<f64>,
    /// Shared chance of charge (and trap/timing).
    #[serde(default)]
    pub charge: Option<f64>,
    /// Take the shared chances from this segment of the maps (element minimums).
    #[serde(default)]
    pub segment: Option<i64>,
    /// Element chance maps.
    #[serde(default)]
    pub maps: Option<PlayMapsSpec>,
}

/// `[play.maps]`: element chance rasters on one grid, and optional segment polygons.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlayMapsSpec {
    /// Source chance raster.
    pub source: PathBuf,
    /// Reservoir chance raster.
    pub reservoir: PathBuf,
    /// Seal chance raster.
    pub seal: PathBuf,
    /// Charge chance raster.
    pub charge: PathBuf,
    /// Common risk segment polygons.
    #[serde(default)]
    pub segments: Option<PathBuf>,
    /// Integer segment id attribute (default: every polygon is segment 1).
    #[serde(default)]
    pub segment_field: Option<String>,
    /// Layer of the segment file.
    #[serde(default)]
    pub segment_layer: Option<String>,
    /// CRS of the segments, overriding the file's.
    #[serde(default)]
    pub segments_crs: Option<String>,
}

/// `[[prospect]]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProspectSpec {
    /// Prospect name.
    pub name: String,
    /// Its play (none: independent of all others).
    #[serde(default)]
    pub play: Option<String>,
    /// Chance of source given the play works (default 1).
    #[serde(default = "one")]
    pub source: f64,
    /// Chance of reservoir given the play works (default 1).
    #[serde(default = "one")]
    pub reservoir: f64,
    /// Chance of seal given the play works (default 1).
    #[serde(default = "one")]
    pub seal: f64,
    /// Chance of charge/trap given the play works (default 1).
    #[serde(default = "one")]
    pub charge: f64,
    /// `"oil"` (STOIIP, Bo) or `"gas"` (GIIP, Bg).
    pub fluid: crate::options::FluidKind,
    /// Gross rock volume, 10⁶ m³.
    pub gross_rock_volume_mm3: DistributionSpec,
    /// Net-to-gross (fraction).
    pub net_to_gross: DistributionSpec,
    /// Porosity (fraction).
    pub porosity: DistributionSpec,
    /// Water saturation (fraction).
    pub water_saturation: DistributionSpec,
    /// Bo (oil, rm³/sm³) or Bg (gas, rm³/sm³).
    pub formation_volume_factor: DistributionSpec,
    /// Economics for the EMV.
    #[serde(default)]
    pub economics: Option<Economics>,
}

/// What `nedra prospects` tells the user.
#[derive(Debug, Clone, PartialEq)]
pub struct ProspectsSummary {
    /// The JSON written.
    pub json: PathBuf,
    /// Prospects evaluated.
    pub prospects: usize,
    /// P(at least one discovery).
    pub probability_at_least_one_discovery: f64,
    /// Rasters written.
    pub rasters: Vec<PathBuf>,
}

impl ProspectsSummary {
    /// Prints the summary to stdout.
    pub fn emit(&self) {
        crate::emit!(
            "{} prospect(s), P(at least one discovery) = {:.4} → {}",
            self.prospects,
            self.probability_at_least_one_discovery,
            self.json.display()
        );
        for r in &self.rasters {
            crate::emit!("  {}", r.display());
        }
    }
}

/// A file-name-safe form of a play name.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "play".into()
    } else {
        s
    }
}

fn chance(what: &str, value: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        bail!("{what} = {value} is outside [0, 1] (a chance)")
    }
}

/// Streams a play's element maps: writes the play chance raster (and the segment raster),
/// returns the map summary as JSON and the per-segment shared chances.
fn play_maps(
    file: &str,
    play: &PlaySpec,
    maps: &PlayMapsSpec,
    base: &Path,
    out_dir: &Path,
    inputs: &mut Vec<Value>,
    rasters: &mut Vec<PathBuf>,
) -> Result<(Value, BTreeMap<i64, ElementChances>)> {
    let paths = [
        ("source", resolve(base, &maps.source)),
        ("reservoir", resolve(base, &maps.reservoir)),
        ("seal", resolve(base, &maps.seal)),
        ("charge", resolve(base, &maps.charge)),
    ];
    let mut readers = Vec::with_capacity(4);
    for (element, path) in &paths {
        let reader = RasterReader::open(path)
            .with_context(|| format!("{file}: play {:?}, maps.{element}", play.name))?;
        inputs.push(input_entry(
            &format!("play {:?} {element} chance", play.name),
            path,
        )?);
        readers.push(reader);
    }
    let grid = readers[0].grid().clone();
    for (k, r) in readers.iter().enumerate().skip(1) {
        if !(r.grid().same_geometry(&grid, 1e-9)
            && nedra_io::crs::same(&r.grid().crs_wkt, &grid.crs_wkt))
        {
            bail!(
                "{file}: play {:?}: maps.{} {} ({}) is not on the grid of maps.source ({}); warp \
                 the element maps onto one grid",
                play.name,
                paths[k].0,
                paths[k].1.display(),
                r.grid().describe(),
                grid.describe()
            );
        }
    }
    let stem = format!("play-{}", slug(&play.name));
    let segments = match &maps.segments {
        Some(polygons) => {
            let polygons = resolve(base, polygons);
            let dst = out_dir.join(format!("{stem}-segments.tif"));
            let mut source = VectorSource::new(&polygons);
            source.layer = maps.segment_layer.clone();
            source.crs = maps.segments_crs.clone();
            rasterize(
                &source,
                maps.segment_field.as_deref(),
                &grid,
                DataType::Int32,
                &dst,
            )
            .with_context(|| format!("{file}: play {:?}, maps.segments", play.name))?;
            inputs.push(input_entry(
                &format!("play {:?} segments", play.name),
                &polygons,
            )?);
            rasters.push(dst.clone());
            Some(RasterReader::open(&dst)?)
        }
        None => None,
    };
    let chance_path = out_dir.join(format!("{stem}-chance.tif"));
    let mut writer = RasterWriter::create(&chance_path, &grid, DataType::Float32)?;
    let mut tally = SegmentTally::new();
    for window in grid.windows(BLOCK_SIZE) {
        let blocks = readers
            .iter()
            .map(|r| r.read(window))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        for (k, b) in blocks.iter().enumerate() {
            if let Some(i) =
                (0..b.values.len()).find(|&i| b.valid[i] && !(0.0..=1.0).contains(&b.values[i]))
            {
                bail!(
                    "{file}: play {:?}, maps.{}: {} has {} at row {}, column {}: a chance must \
                     lie in [0, 1]",
                    play.name,
                    paths[k].0,
                    paths[k].1.display(),
                    b.values[i],
                    window.row_off + i / window.width,
                    window.col_off + i % window.width
                );
            }
        }
        let elements: [(&[f64], &[bool]); 4] =
            std::array::from_fn(|k| (&blocks[k].values[..], &blocks[k].valid[..]));
        let mut out = Block::empty(window);
        play_chance_block(elements, &mut out.values, &mut out.valid)?;
        writer.write(&out)?;
        let seg = segments.as_ref().map(|r| r.read(window)).transpose()?;
        tally
            .add_block(
                elements,
                seg.as_ref().map(|b| (&b.values[..], &b.valid[..])),
            )
            .with_context(|| format!("{file}: play {:?}, maps.segments", play.name))?;
    }
    writer.finish()?;
    rasters.push(chance_path.clone());
    let by_segment = tally.segments();
    let shared = by_segment.iter().map(|(id, s)| (*id, s.minimum)).collect();
    let summary = json!({
        "play_chance_raster": chance_path.file_name().map(|n| n.to_string_lossy().into_owned()),
        "segments_raster": maps.segments.as_ref().map(|_| format!("{stem}-segments.tif")),
        "rule": "play chance = source × reservoir × seal × charge per cell; a segment's \
                 common-risk chance = product of each element's minimum over the segment",
        "whole_map": tally.whole(),
        "segments": by_segment.iter().map(|(id, s)| {
            let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
            v["id"] = json!(id);
            v
        }).collect::<Vec<_>>(),
    });
    Ok((summary, shared))
}

fn distribution(
    file: &str,
    prospect: &str,
    field: &str,
    spec: &DistributionSpec,
    allowed: (f64, f64),
    text: &'static str,
) -> Result<Distribution> {
    let context = || format!("{file}: prospect {prospect:?}, field {field}");
    let d = spec.to_distribution(field).with_context(context)?;
    d.validate(field, allowed, text).with_context(context)?;
    Ok(d)
}

/// Reads a prospects file and checks its `[options]` (trials within the limit).
fn read(prospects_toml: &Path) -> Result<(String, ProspectsFile)> {
    let file = prospects_toml.display().to_string();
    let text =
        std::fs::read_to_string(prospects_toml).with_context(|| format!("reading {file}"))?;
    let spec: ProspectsFile =
        toml::from_str(&text).with_context(|| format!("{file}: not a valid prospects file"))?;
    if spec.options.trials == 0 {
        bail!("{file}: [options] trials = 0: give at least 1 trial per prospect (default 20000)");
    }
    nedra_core::limits::check(
        "max_trials",
        format!("{file}: [options] trials"),
        spec.options.trials as u64,
    )?;
    Ok((file, spec))
}

/// Reads and checks a prospects file — every field, and the chance maps if it has any (into a
/// temporary folder that is removed) — without the Monte Carlo simulation. Returns the number
/// of plays and prospects.
///
/// # Errors
/// Those of [`run`] before its simulation.
pub fn check(prospects_toml: &Path) -> Result<(usize, usize)> {
    let (file, spec) = read(prospects_toml)?;
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let scratch =
        std::env::temp_dir().join(format!("nedra-prospects-check-{}-{n}", std::process::id()));
    // Staged and never published: dropping it removes whatever the maps wrote.
    let folder = OutputFolder::begin(&scratch)?;
    let prepared = prepare(prospects_toml, &file, &spec, folder.dir())?;
    Ok((prepared.plays.len(), prepared.prospects.len()))
}

/// The plays and prospects of a file, checked, with the maps' rasters written into `dir`.
struct Prepared {
    plays: Vec<PlayInput>,
    prospects: Vec<ProspectInput>,
    play_json: Vec<Value>,
    inputs: Vec<Value>,
    rasters: Vec<PathBuf>,
}

/// Checks every play and prospect of `spec` (read from `prospects_toml`, named `file` in
/// messages), writing the chance maps of plays with maps into `dir`.
fn prepare(
    prospects_toml: &Path,
    file: &str,
    spec: &ProspectsFile,
    dir: &Path,
) -> Result<Prepared> {
    let file = file.to_string();
    let base = prospects_toml
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let mut inputs = vec![input_entry("prospects file", prospects_toml)?];
    let mut rasters = vec![];

    let mut plays = vec![];
    let mut play_json = vec![];
    for (i, play) in spec.plays.iter().enumerate() {
        if spec.plays[..i]
            .iter()
            .any(|p| p.name == play.name || slug(&p.name) == slug(&play.name))
        {
            bail!(
                "{file}: play {:?} is defined twice (or its name clashes with another's file name)",
                play.name
            );
        }
        let (maps_json, segments) = match &play.maps {
            Some(maps) => {
                let (v, s) = play_maps(&file, play, maps, &base, dir, &mut inputs, &mut rasters)?;
                (Some(v), s)
            }
            None => (None, BTreeMap::new()),
        };
        let given = [play.source, play.reservoir, play.seal, play.charge];
        let shared = match play.segment {
            Some(id) => {
                if given.iter().any(Option::is_some) {
                    bail!(
                        "{file}: play {:?}: give either segment or the four chances, not both",
                        play.name
                    );
                }
                *segments.get(&id).with_context(|| {
                    format!(
                        "{file}: play {:?}, field segment: segment {id} has no cell with all \
                         four element chances (segments found: {:?})",
                        play.name,
                        segments.keys().collect::<Vec<_>>()
                    )
                })?
            }
            None => {
                let mut values = [0.0; 4];
                for (k, element) in ["source", "reservoir", "seal", "charge"].iter().enumerate() {
                    let v = given[k].with_context(|| {
                        format!(
                            "{file}: play {:?}: field {element} is missing (give the four shared \
                             chances, or segment = <id> with maps)",
                            play.name
                        )
                    })?;
                    values[k] =
                        chance(&format!("{file}: play {:?}, field {element}", play.name), v)?;
                }
                ElementChances {
                    source: values[0],
                    reservoir: values[1],
                    seal: values[2],
                    charge_trap: values[3],
                }
            }
        };
        play_json.push(json!({
            "name": play.name,
            "shared_chances": shared,
            "play_chance": shared.source * shared.reservoir * shared.seal * shared.charge_trap,
            "shared_chances_from_segment": play.segment,
            "maps": maps_json,
        }));
        plays.push(PlayInput {
            name: play.name.clone(),
            shared,
        });
    }

    let mut prospects = vec![];
    for (i, p) in spec.prospects.iter().enumerate() {
        if spec.prospects[..i].iter().any(|q| q.name == p.name) {
            bail!("{file}: prospect {:?} is defined twice", p.name);
        }
        if let Some(play) = &p.play {
            if !plays.iter().any(|q| &q.name == play) {
                bail!(
                    "{file}: prospect {:?}, field play: no [[play]] named {play:?}",
                    p.name
                );
            }
        }
        let at = |field: &str| format!("{file}: prospect {:?}, field {field}", p.name);
        let conditional = ElementChances {
            source: chance(&at("source"), p.source)?,
            reservoir: chance(&at("reservoir"), p.reservoir)?,
            seal: chance(&at("seal"), p.seal)?,
            charge_trap: chance(&at("charge"), p.charge)?,
        };
        let fraction = (0.0, 1.0);
        let fraction_text = "[0, 1] (a fraction; use a bounded distribution)";
        let grv = distribution(
            &file,
            &p.name,
            "gross_rock_volume_mm3",
            &p.gross_rock_volume_mm3,
            (0.0, f64::INFINITY),
            "≥ 0",
        )?;
        let ntg = distribution(
            &file,
            &p.name,
            "net_to_gross",
            &p.net_to_gross,
            fraction,
            fraction_text,
        )?;
        let porosity = distribution(
            &file,
            &p.name,
            "porosity",
            &p.porosity,
            fraction,
            fraction_text,
        )?;
        let sw = distribution(
            &file,
            &p.name,
            "water_saturation",
            &p.water_saturation,
            fraction,
            fraction_text,
        )?;
        let b = distribution(
            &file,
            &p.name,
            "formation_volume_factor",
            &p.formation_volume_factor,
            (0.0, f64::INFINITY),
            "> 0",
        )?;
        let fluid = match p.fluid {
            crate::options::FluidKind::Oil => Fluid::Oil { bo: b },
            crate::options::FluidKind::Gas => Fluid::Gas { bg: b },
        };
        let volumetrics = Volumetrics {
            gross_rock_volume_mm3: grv,
            net_to_gross: ntg,
            porosity,
            water_saturation: sw,
            fluid,
        };
        volumetrics
            .validate()
            .with_context(|| format!("{file}: prospect {:?}", p.name))?;
        if let Some(e) = &p.economics {
            if !(e.dry_hole_cost >= 0.0 && e.dry_hole_cost.is_finite()) {
                bail!(
                    "{} = {} must be a cost ≥ 0",
                    at("economics.dry_hole_cost"),
                    e.dry_hole_cost
                );
            }
            if e.npv_success.is_none()
                && (e.recovery_factor.is_none() || e.value_per_unit.is_none())
            {
                bail!(
                    "{}: give npv_success, or recovery_factor and value_per_unit",
                    at("economics")
                );
            }
            if let Some(rf) = e.recovery_factor {
                chance(&at("economics.recovery_factor"), rf)?;
            }
        }
        prospects.push(ProspectInput {
            name: p.name.clone(),
            play: p.play.clone(),
            conditional,
            volumetrics,
            economics: p.economics,
        });
    }

    Ok(Prepared {
        plays,
        prospects,
        play_json,
        inputs,
        rasters,
    })
}

/// `nedra prospects`: reads `prospects_toml`, writes `out_dir/prospects.json` and the play
/// rasters.
///
/// # Errors
/// Unknown keys, chances outside [0, 1], negative porosity or other out-of-range inputs,
/// P90 > P10, unknown plays or segments, maps on different grids — each naming the file,
/// the play or prospect, and the field.
pub fn run(prospects_toml: &Path, out_dir: &Path) -> Result<ProspectsSummary> {
    let (file, spec) = read(prospects_toml)?;
    // A new folder is staged and appears only when complete: see `run_folder`.
    let folder = OutputFolder::begin(out_dir)?;
    let dir = folder.dir();
    let Prepared {
        plays,
        prospects,
        play_json,
        inputs,
        rasters,
    } = prepare(prospects_toml, &file, &spec, dir)?;
    let report = evaluate_prospects(&plays, &prospects, spec.options.trials, spec.options.seed)
        .with_context(|| format!("{file}: evaluating the prospects"))?;
    let document = json!({
        "nedra_prospects": 1,
        "convention": report.convention,
        "chance_rule": "Pg = play chance × prospect chance given the play (products of element \
                        chances; Rose 2001)",
        "volumetrics": "in place = GRV × N/G × φ × (1 − Sw) / B (Bo: STOIIP; Bg: GIIP), \
                        10^6 sm3; inputs independent; Monte Carlo per prospect on its own \
                        random stream",
        "seed": spec.options.seed,
        "trials": spec.options.trials,
        "plays": play_json,
        "prospects": report.prospects,
        "portfolio": report.portfolio,
        "inputs": inputs,
        "outputs": rasters.iter().filter_map(|r| r.file_name()).map(|n| n.to_string_lossy().into_owned()).collect::<Vec<_>>(),
        "versions": versions(),
    });
    let json_path = dir.join("prospects.json");
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    files::write_atomic(&json_path, text.as_bytes())
        .with_context(|| format!("writing {}", json_path.display()))?;
    let out_dir = folder.finish()?;
    // The files as published (they were written into the staged folder).
    let rasters = rasters
        .iter()
        .filter_map(|r| r.file_name())
        .map(|n| out_dir.join(n))
        .collect();
    Ok(ProspectsSummary {
        json: out_dir.join("prospects.json"),
        prospects: report.prospects.len(),
        probability_at_least_one_discovery: report.portfolio.probability_at_least_one_discovery,
        rasters,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::tests::{test_grid, write_raster, TRACTS};
    use nedra_core::Window;

    /// Element maps on the 40 × 20 test grid: source 0.8; reservoir 0.9 on columns < 20,
    /// 0.5 beyond; seal 1 except 0.6 at row 3, column 4 (in segment 1); charge 0.75.
    fn maps(dir: &Path) {
        let grid = test_grid();
        write_raster(&dir.join("source.tif"), &grid, |_, _| Some(0.8));
        write_raster(&dir.join("reservoir.tif"), &grid, |_, c| {
            Some(if c < 20 { 0.9 } else { 0.5 })
        });
        write_raster(&dir.join("seal.tif"), &grid, |r, c| {
            Some(if (r, c) == (3, 4) { 0.6 } else { 1.0 })
        });
        write_raster(&dir.join("charge.tif"), &grid, |r, _| {
            (r != 19).then_some(0.75)
        });
        std::fs::write(dir.join("segments.geojson"), TRACTS).unwrap();
    }

    const PROSPECTS: &str = r#"
[options]
seed = 11
trials = 2000

[[play]]
name = "Jurassic sands"
segment = 1
[play.maps]
source = "source.tif"
reservoir = "reservoir.tif"
seal = "seal.tif"
charge = "charge.tif"
segments = "segments.geojson"
segment_field = "tract"

[[play]]
name = "Chalk"
source = 0.5
reservoir = 1.0
seal = 1.0
charge = 1.0

[[prospect]]
name = "Alpha"
play = "Jurassic sands"
reservoir = 0.5
fluid = "oil"
gross_rock_volume_mm3 = { kind = "fixed", value = 100.0 }
net_to_gross = { kind = "fixed", value = 1.0 }
porosity = { kind = "fixed", value = 0.2 }
water_saturation = { kind = "fixed", value = 0.5 }
formation_volume_factor = { kind = "fixed", value = 1.0 }
economics = { dry_hole_cost = 20.0, npv_success = 150.0 }

[[prospect]]
name = "Beta"
play = "Jurassic sands"
charge = 0.4
fluid = "oil"
gross_rock_volume_mm3 = { kind = "log_normal", p90 = 20.0, p10 = 180.0 }
net_to_gross = { kind = "triangular", min = 0.4, mode = 0.6, max = 0.8 }
porosity = { kind = "pert", min = 0.12, mode = 0.18, max = 0.25 }
water_saturation = { kind = "triangular", min = 0.2, mode = 0.3, max = 0.45 }
formation_volume_factor = { kind = "fixed", value = 1.25 }

[[prospect]]
name = "Gamma"
play = "Chalk"
seal = 0.6
fluid = "gas"
gross_rock_volume_mm3 = { kind = "fixed", value = 50.0 }
net_to_gross = { kind = "fixed", value = 1.0 }
porosity = { kind = "fixed", value = 0.2 }
water_saturation = { kind = "fixed", value = 0.5 }
formation_volume_factor = { kind = "fixed", value = 0.005 }
"#;

    fn read_json(p: &Path) -> Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    #[test]
    fn prospects_with_maps_segments_and_shared_play() {
        let dir = tempfile::tempdir().unwrap();
        maps(dir.path());
        let toml_path = dir.path().join("prospects.toml");
        std::fs::write(&toml_path, PROSPECTS).unwrap();
        let out = dir.path().join("out");
        let summary = run(&toml_path, &out).unwrap();
        let v = read_json(&out.join("prospects.json"));
        // Segment 1: minimums (0.8, 0.9, 0.6, 0.75) → play chance 0.324.
        let play = &v["plays"][0];
        assert!(
            (play["play_chance"].as_f64().unwrap() - 0.324).abs() < 1e-6,
            "{play}"
        );
        let seg2 = &play["maps"]["segments"][1];
        assert_eq!(seg2["id"], 2);
        assert!((seg2["play_chance"].as_f64().unwrap() - 0.8 * 0.5 * 0.75).abs() < 1e-6);
        assert_eq!(play["maps"]["whole_map"]["cells"], 40 * 19);
        // The play chance raster is the product, NoData where charge is NoData.
        let chance = RasterReader::open(&out.join("play-jurassic-sands-chance.tif")).unwrap();
        let b = chance
            .read(Window {
                col_off: 0,
                row_off: 0,
                width: 40,
                height: 20,
            })
            .unwrap();
        assert!((b.values[3 * 40 + 4] - 0.8 * 0.9 * 0.6 * 0.75).abs() < 1e-6);
        assert!((b.values[25] - 0.8 * 0.5 * 0.75).abs() < 1e-6);
        assert!(!b.valid[19 * 40]);
        // Pg: Alpha 0.324 · 0.5 = 0.162, Beta 0.324 · 0.4 = 0.1296, Gamma 0.5 · 0.6 = 0.3.
        let pg: Vec<f64> = (0..3)
            .map(|i| v["prospects"][i]["chance_of_success"].as_f64().unwrap())
            .collect();
        assert!((pg[0] - 0.162).abs() < 1e-6 && (pg[1] - 0.1296).abs() < 1e-6);
        assert!((pg[2] - 0.3).abs() < 1e-12);
        // P(≥ 1) = 1 − [(1 − 0.324) + 0.324 · 0.5 · 0.6] · [(1 − 0.5) + 0.5 · 0.4] = 0.4588.
        let p = v["portfolio"]["probability_at_least_one_discovery"]
            .as_f64()
            .unwrap();
        let want = 1.0 - (1.0 - 0.324 + 0.324 * 0.3) * (0.5 + 0.5 * 0.4);
        assert!((p - want).abs() < 1e-6, "{p} {want}");
        assert!((summary.probability_at_least_one_discovery - p).abs() < 1e-15);
        // Alpha STOIIP 10 (fixed): P90 = P50 = P10 = mean; risked 1.62; EMV 0.162·150 − 0.838·20.
        let alpha = &v["prospects"][0];
        assert!((alpha["volume"]["p90"].as_f64().unwrap() - 10.0).abs() < 1e-9);
        assert!((alpha["risked_mean_volume"].as_f64().unwrap() - 1.62).abs() < 1e-6);
        let emv = 0.162 * 150.0 - 0.838 * 20.0;
        assert!((alpha["expected_monetary_value"].as_f64().unwrap() - emv).abs() < 1e-5);
        assert!(v["convention"].as_str().unwrap().starts_with("PRMS"));
        let beta = &v["prospects"][1]["volume"];
        assert!(beta["p90"].as_f64().unwrap() < beta["p50"].as_f64().unwrap());
        assert!(beta["p50"].as_f64().unwrap() < beta["p10"].as_f64().unwrap());
        // Gamma GIIP 50·0.2·0.5/0.005 = 1000; risked 300.
        assert!((v["portfolio"]["risked_mean_giip"].as_f64().unwrap() - 300.0).abs() < 1e-6);
        assert_eq!(v["inputs"].as_array().unwrap().len(), 6);
        assert_eq!(v["seed"], 11);
        // Deterministic.
        let first = std::fs::read(out.join("prospects.json")).unwrap();
        run(&toml_path, &out).unwrap();
        assert_eq!(first, std::fs::read(out.join("prospects.json")).unwrap());
    }

    fn error_of(dir: &Path, text: &str) -> String {
        let toml_path = dir.join("prospects.toml");
        std::fs::write(&toml_path, text).unwrap();
        format!("{:#}", run(&toml_path, &dir.join("out")).unwrap_err())
    }

    #[test]
    fn prospect_errors_name_file_prospect_and_field() {
        let dir = tempfile::tempdir().unwrap();
        maps(dir.path());
        let d = dir.path();
        let err = error_of(d, &PROSPECTS.replace("reservoir = 0.5", "reservoir = 1.5"));
        assert!(
            err.contains("prospects.toml")
                && err.contains("\"Alpha\"")
                && err.contains("field reservoir")
                && err.contains("[0, 1]"),
            "{err}"
        );
        let err = error_of(
            d,
            &PROSPECTS.replace("min = 0.12, mode = 0.18", "min = -0.05, mode = 0.18"),
        );
        assert!(
            err.contains("\"Beta\"") && err.contains("field porosity") && err.contains("-0.05"),
            "{err}"
        );
        let err = error_of(
            d,
            &PROSPECTS.replace("p90 = 20.0, p10 = 180.0", "p90 = 200.0, p10 = 180.0"),
        );
        assert!(
            err.contains("gross_rock_volume_mm3") && err.contains("200"),
            "{err}"
        );
        let err = error_of(
            d,
            &PROSPECTS.replace("play = \"Chalk\"", "play = \"Chlak\""),
        );
        assert!(
            err.contains("\"Chlak\"") && err.contains("field play"),
            "{err}"
        );
        let err = error_of(d, &PROSPECTS.replace("source = 0.5", "source = -0.1"));
        assert!(err.contains("play \"Chalk\", field source"), "{err}");
        let err = error_of(d, &PROSPECTS.replace("segment = 1", "segment = 9"));
        assert!(err.contains("segment 9"), "{err}");
        // A chance map value outside [0, 1]: file, row and column named.
        write_raster(&d.join("seal.tif"), &test_grid(), |r, c| {
            Some(if (r, c) == (5, 6) { 1.2 } else { 1.0 })
        });
        let err = error_of(d, PROSPECTS);
        assert!(
            err.contains("maps.seal") && err.contains("row 5, column 6"),
            "{err}"
        );
    }

    #[test]
    fn shipped_example_file_parses() {
        let text = include_str!("../../assess/examples/prospects.toml");
        let file: ProspectsFile = toml::from_str(text).unwrap();
        assert!(!file.prospects.is_empty());
    }
}
