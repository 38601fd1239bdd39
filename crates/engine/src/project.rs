//! The project file (`project.toml`): study area, grid, deposits, evidence layers, options.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use nedra_models::Histogram;
use serde::{Deserialize, Serialize};

use crate::classify::ClassMethod;
use crate::options::{
    DensityOf, DerivativeKind, Favourable, Generalisation, Interpolation, ModelKind, Pattern,
    Resampling, Spec, TargetRuleKind,
};
use nedra_core::geochem::Substitution;

/// A whole project, as written in `project.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Name and description.
    #[serde(default)]
    pub project: Meta,
    /// The canonical grid and study area.
    pub grid: GridSpec,
    /// Known deposits / occurrences (training points).
    pub deposits: PointsSpec,
    /// Weights-of-evidence options.
    #[serde(default)]
    pub weights: WeightsSpec,
    /// Evidence layers.
    #[serde(default)]
    pub evidence: Vec<EvidenceSpec>,
    /// How targets are drawn from the posterior.
    #[serde(default)]
    pub targets: TargetsSpec,
    /// Which model makes the prospectivity map.
    #[serde(default)]
    pub model: ModelSpec,
    /// Folder holding the project file; relative paths are resolved from it.
    #[serde(skip)]
    pub base_dir: PathBuf,
}

/// Descriptive fields.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Short name of the project.
    #[serde(default)]
    pub name: String,
    /// Commodity targeted (e.g. "REE").
    #[serde(default)]
    pub commodity: String,
    /// Free text shown in outputs (the demo says "SYNTHETIC" here).
    #[serde(default)]
    pub description: String,
    /// Language of `report.html`: "en" (default), "ru" or "be" (see [`crate::locale`]);
    /// `--lang` on the command line overrides it.
    #[serde(default)]
    pub lang: crate::locale::Lang,
}

/// The canonical grid: either from a template raster, or from a study-area polygon + CRS +
/// cell size.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GridSpec {
    /// CRS of the grid (`EPSG:32635`, WKT or PROJ); defaults to the template's CRS.
    pub crs: Option<String>,
    /// Square cell size in CRS units (metres for projected CRSs).
    pub cell_size_m: Option<f64>,
    /// Polygon file of the study area (GeoPackage, Shapefile, GeoJSON); cells whose centre lies
    /// inside are in the study area.
    pub study_area: Option<PathBuf>,
    /// Layer inside the study-area file.
    pub study_area_layer: Option<String>,
    /// A raster whose grid becomes the project grid; its valid cells are the study area.
    pub template: Option<PathBuf>,
}

/// A point layer.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PointsSpec {
    /// The file: GeoPackage, Shapefile, GeoJSON, or CSV with x/y columns.
    pub path: PathBuf,
    /// Layer inside the file.
    pub layer: Option<String>,
    /// CRS of the coordinates (overrides the file's own; a CSV without one is in the grid's
    /// CRS, see [`crate::points`]).
    pub crs: Option<String>,
    /// CSV column of x.
    pub x_column: Option<String>,
    /// CSV column of y.
    pub y_column: Option<String>,
    /// What to do with points outside the study area: "error" (default) or "drop".
    #[serde(default)]
    pub outside: Outside,
    /// Points listed twice or several in one cell: "keep" (default, with a warning),
    /// "one-per-cell" or "error".
    #[serde(default)]
    pub duplicates: crate::options::DuplicateRule,
}

/// The rule for deposits outside the study area.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outside {
    /// Stop with an error naming them.
    #[default]
    Error,
    /// Leave them out and record how many in the manifest.
    Drop,
}

/// Weights-of-evidence options.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WeightsSpec {
    /// Unit cell in km² (ArcSDM's "unit area"): areas in the formulas are counted in unit cells.
    #[serde(default = "one")]
    pub unit_cell_km2: f64,
    /// Minimum studentised contrast for generalisation (ArcSDM's confidence level).
    #[serde(default = "two")]
    pub studentized_contrast_threshold: f64,
    /// "arcsdm" (default): max contrast among rows passing the threshold; "ga-r": max contrast
    /// overall if any row passes (Geoscience Australia's R port).
    #[serde(default)]
    pub generalisation: Generalisation,
    /// Pool categorical classes whose |studentised contrast| is below the threshold (ArcSDM).
    #[serde(default)]
    pub categorical_pooling: bool,
}

impl Default for WeightsSpec {
    fn default() -> Self {
        Self {
            unit_cell_km2: 1.0,
            studentized_contrast_threshold: 2.0,
            generalisation: Generalisation::ArcSdm,
            categorical_pooling: false,
        }
    }
}

fn one() -> f64 {
    1.0
}
fn two() -> f64 {
    2.0
}

/// The prospectivity model: "weights_of_evidence" (default); "logistic" / "random_forest" /
/// "gradient_boosting" trained by positive-unlabelled bagging with spatial block cross-validation; or "fuzzy", a
/// knowledge-driven inference network (`nedra template` prints editable deposit models).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// "weights_of_evidence", "logistic", "random_forest", "gradient_boosting" or "fuzzy".
    #[serde(default)]
    pub kind: ModelKind,
    /// Members of the bagging ensemble.
    #[serde(default = "members")]
    pub models: usize,
    /// Trees per member: default 50 for a random forest, 200 for gradient boosting.
    pub trees: Option<usize>,
    /// Gradient boosting: shrinkage of each tree.
    #[serde(default = "learning_rate")]
    pub learning_rate: f64,
    /// Gradient boosting: depth of each tree.
    #[serde(default = "max_depth")]
    pub max_depth: usize,
    /// Gradient boosting: "auto" (default: the histogram algorithm of LightGBM, Ke et al.
    /// 2017, for a member's training set of more than 100,000 samples, the exact split
    /// search below), "on" or "off". Left out of the stage key when "auto", so the model
    /// stages of earlier runs are still reused.
    #[serde(default, skip_serializing_if = "is_auto")]
    pub histogram: Histogram,
    /// L2 penalty of logistic regression (on standardised features).
    #[serde(default = "one")]
    pub l2_penalty: f64,
    /// Candidate background cells drawn from the study area.
    #[serde(default = "pool")]
    pub background_pool: usize,
    /// Background cells per member (default: 10 × the deposits).
    pub background_per_model: Option<usize>,
    /// No background within this distance of a deposit, CRS units.
    #[serde(default = "buffer")]
    pub exclusion_buffer_m: f64,
    /// Seed of every random draw.
    #[serde(default = "seed")]
    pub seed: u64,
    /// Side of the spatial cross-validation blocks, km.
    #[serde(default = "cv_block")]
    pub cv_block_km: f64,
    /// Number of cross-validation folds.
    #[serde(default = "cv_folds")]
    pub cv_folds: usize,
    /// The user's folds: a CSV of `block_row,block_col,fold` for the blocks of `cv_block_km`
    /// anchored at the grid's origin (every run writes its own as `cv_folds.csv`), instead of
    /// the seeded deal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cv_fold_file: Option<PathBuf>,
    /// kind = "fuzzy": the membership function of each evidence layer.
    #[serde(default)]
    pub memberships: Vec<crate::fuzzy_model::MembershipSpec>,
    /// kind = "fuzzy": the inference network, nodes in evaluation order.
    #[serde(default)]
    pub nodes: Vec<crate::fuzzy_model::NodeSpec>,
    /// kind = "fuzzy": the node that is the prospectivity (default: the last node).
    pub output: Option<String>,
}

impl Default for ModelSpec {
    fn default() -> Self {
        toml::from_str("").expect("every field has a default")
    }
}

fn is_auto(h: &Histogram) -> bool {
    *h == Histogram::Auto
}
fn members() -> usize {
    10
}
fn learning_rate() -> f64 {
    0.05
}
fn max_depth() -> usize {
    3
}
fn pool() -> usize {
    20_000
}
fn buffer() -> f64 {
    1000.0
}
fn seed() -> u64 {
    42
}
fn cv_block() -> f64 {
    20.0
}
fn cv_folds() -> usize {
    5
}

/// Target rule: `rule` = "top_percent" (with `value` = percent of the study area, default 5),
/// "pa" (the prediction–area crossing) or "threshold" (with `value` = posterior probability).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TargetsSpec {
    /// "top_percent", "pa" or "threshold".
    #[serde(default)]
    pub rule: TargetRuleKind,
    /// Percent of area or threshold value.
    pub value: Option<f64>,
    /// Smallest target kept, km².
    #[serde(default = "one")]
    pub min_area_km2: f64,
    /// How targets are ranked: "mean_score" (default), "expected" (sum of the score: the
    /// expected deposits of a probability map) or "deposit_density".
    #[serde(default)]
    pub rank: crate::options::TargetRank,
}

impl Default for TargetsSpec {
    fn default() -> Self {
        Self {
            rule: TargetRuleKind::TopPercent,
            value: None,
            min_area_km2: 1.0,
            rank: crate::options::TargetRank::MeanScore,
        }
    }
}

/// One evidence layer: where its values come from and how they become a pattern.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceSpec {
    /// Name used for output files (`weights/<name>.csv`, `evidence/<name>.tif`).
    pub name: String,
    /// Raster (any GDAL format) or vector file.
    pub source: PathBuf,
    /// CRS of the source, overriding the file's own.
    pub crs: Option<String>,
    /// Layer inside a vector file.
    pub layer: Option<String>,
    /// For vector sources: "distance" (to the nearest feature, in CRS units),
    /// "signed_distance" (to polygon boundaries, negative inside), "density" (line length or
    /// point count per km² within `radius_m`) or "rasterize" (polygons burn `field`). Rasters:
    /// "values" (default).
    #[serde(default)]
    pub derive: Derive,
    /// Numeric attribute burnt by "rasterize".
    pub field: Option<String>,
    /// Data-driven classes instead of `class_width`/`breaks`: "quantiles:K", "jenks:K" or
    /// `"ca[:SEGMENTS]"` (concentration–area breakpoints), computed over the study area.
    pub classify: Option<Spec<ClassMethod>>,
    /// For derive = "interpolate": the CSV column to interpolate (coordinates in the grid's CRS).
    pub value_column: Option<String>,
    /// For derive = "interpolate" on a geochemical table: run the rare-earth geochemistry
    /// first with this rule for censored values ("half-dl", "dl", "dl-sqrt2", "zero",
    /// "missing", "fraction=F"), then interpolate `value_column` of its output (e.g.
    /// "La_value_ppm", "sum_ree_ppm", "treo_ppm").
    pub censored: Option<Spec<Substitution>>,
    /// For derive = "interpolate": "idw" (default, power 2, 16 neighbours) or "kriging".
    pub interpolation: Option<Interpolation>,
    /// For derive = "derivative": "gradient", "vertical" or "tilt" (default).
    pub derivative: Option<DerivativeKind>,
    /// Radius of the moving circle for derive = "density", CRS units.
    pub radius_m: Option<f64>,
    /// For derive = "density": "lines" (default) or "points".
    pub density: Option<DensityOf>,
    /// Resampling when warping a raster: "nearest" or "bilinear"; default nearest for
    /// categorical/binary patterns, bilinear for cumulative ones.
    pub resampling: Option<Resampling>,
    /// "ascending", "descending", "categorical" or "binary".
    pub pattern: Pattern,
    /// Equal class width for continuous values (classes are labelled by their upper edge).
    pub class_width: Option<f64>,
    /// Explicit class breaks (upper edges) instead of a width.
    pub breaks: Option<Vec<f64>>,
    /// For "binary": values at or above (or at or below, see `favourable`) are the pattern.
    pub cutoff: Option<f64>,
    /// For "binary" with a cutoff: "above" (default) or "below".
    pub favourable: Option<Favourable>,
    /// A transform of the values before classes and models: "log10", "ln", "sqrt",
    /// "zscore" or "rank" (see `transform`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform: Option<crate::transform::Transform>,
    /// Added to the values before a log or square root (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<f64>,
    /// Cells outside the transform's domain: "error" (default) or "nodata".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonpositive: Option<crate::transform::NonPositive>,
}

/// How values are derived from the source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Derive {
    /// The raster's values.
    #[default]
    Values,
    /// Distance to the nearest feature of a vector source.
    Distance,
    /// Distance to polygon boundaries, negative inside polygons.
    #[serde(rename = "signed_distance")]
    SignedDistance,
    /// Line length (or point count, with `density = "points"`) per km² within `radius_m`.
    Density,
    /// Polygons burnt with an attribute.
    Rasterize,
    /// Point samples (CSV) interpolated onto the grid (IDW or ordinary kriging).
    Interpolate,
    /// A potential-field derivative of a raster source (`derivative` = "gradient",
    /// "vertical" or "tilt").
    Derivative,
}

impl Project {
    /// Reads and checks a project file.
    ///
    /// # Errors
    /// When the file cannot be read, is not valid TOML, or its fields are inconsistent; the
    /// message names the file and the field.
    pub fn load(path: &Path) -> Result<Self> {
        let project = Self::read(path)?;
        let problems = project.problems();
        if !problems.is_empty() {
            bail!(
                "{}: the project file is not valid:\n  - {}",
                path.display(),
                problems.join("\n  - ")
            );
        }
        Ok(project)
    }

    /// Reads a project file without checking its fields against each other (see
    /// [`Project::problems`]); `nedra run --dry-run` reads this way to report every problem.
    ///
    /// # Errors
    /// When the file cannot be read or is not valid TOML of a project (unknown keys, a value
    /// of the wrong type, a name that is not one of the choices).
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the project file", path.display()))?;
        let mut project: Project = toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{}: the project file is not valid: {}. See `nedra demo` for a complete example project",
                path.display(),
                e.to_string().trim_end()
            )
        })?;
        project.base_dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Ok(project)
    }

    /// A path from the project file, resolved against its folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }

    /// Every problem of the project's fields, all at once (empty when the project is sound).
    ///
    /// Each line names the table and key (`[grid] cell_size_m`, `[[evidence]] "mag": …`).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let g = &self.grid;
        match (&g.template, &g.study_area) {
            (None, None) => problems.push(
                "[grid] needs either `template` (a raster) or `study_area` (a polygon file)"
                    .to_string(),
            ),
            (Some(_), Some(_)) => {
                problems.push("[grid] has both `template` and `study_area`: keep one".to_string())
            }
            (None, Some(_)) => {
                if g.crs.is_none() {
                    problems.push(
                        "[grid] `crs` is required with `study_area` (e.g. crs = \"EPSG:32635\")"
                            .to_string(),
                    );
                }
                match g.cell_size_m {
                    Some(c) if c > 0.0 && c.is_finite() => {}
                    Some(c) => problems.push(format!(
                        "[grid] `cell_size_m` = {c} must be a positive number"
                    )),
                    None => problems
                        .push("[grid] `cell_size_m` is required with `study_area`".to_string()),
                }
            }
            (Some(_), None) => {}
        }
        let w = &self.weights;
        if !(w.unit_cell_km2 > 0.0 && w.unit_cell_km2.is_finite()) {
            problems.push(format!(
                "[weights] `unit_cell_km2` = {} must be a positive number",
                w.unit_cell_km2
            ));
        }
        let m = &self.model;
        if m.kind == ModelKind::Fuzzy {
            let names: Vec<String> = self.evidence.iter().map(|e| e.name.clone()).collect();
            if let Err(e) = crate::fuzzy_model::Network::new(
                &names,
                &m.memberships,
                &m.nodes,
                m.output.as_deref(),
            ) {
                problems.push(format!("[model] fuzzy network: {e:#}"));
            }
        }
        if !(m.learning_rate > 0.0 && m.learning_rate.is_finite()) {
            problems.push(format!(
                "[model] learning_rate = {}: must be > 0",
                m.learning_rate
            ));
        }
        if m.models == 0 || m.trees == Some(0) || m.cv_folds < 2 || m.background_pool == 0 {
            problems.push(
                "[model] models, trees and background_pool must be ≥ 1 and cv_folds ≥ 2"
                    .to_string(),
            );
        }
        if !(m.cv_block_km > 0.0 && m.exclusion_buffer_m >= 0.0 && m.l2_penalty >= 0.0) {
            problems.push(
                "[model] cv_block_km must be > 0, exclusion_buffer_m and l2_penalty ≥ 0"
                    .to_string(),
            );
        }
        let t = &self.targets;
        match (t.rule, t.value) {
            (TargetRuleKind::TopPercent, Some(v)) if !(v > 0.0 && v <= 100.0) => problems.push(
                format!("[targets] value = {v}: the percent of the study area must be in (0, 100]"),
            ),
            (TargetRuleKind::TopPercent, _) | (TargetRuleKind::Pa, None) => {}
            (TargetRuleKind::Pa, Some(_)) => {
                problems.push("[targets] rule = \"pa\" takes no value".to_string())
            }
            (TargetRuleKind::Threshold, None) => {
                problems.push("[targets] rule = \"threshold\" needs `value`".to_string())
            }
            (TargetRuleKind::Threshold, Some(v)) if !v.is_finite() => problems.push(format!(
                "[targets] value = {v}: the score threshold must be a finite number"
            )),
            (TargetRuleKind::Threshold, Some(_)) => {}
        }
        if !(t.min_area_km2 >= 0.0 && t.min_area_km2.is_finite()) {
            problems.push(format!(
                "[targets] min_area_km2 = {} must be ≥ 0",
                t.min_area_km2
            ));
        }
        if self.evidence.is_empty() {
            problems.push("no [[evidence]] layer: add at least one".to_string());
        }
        let mut names = std::collections::HashSet::new();
        for e in &self.evidence {
            if e.transform.is_none() && (e.offset.is_some() || e.nonpositive.is_some()) {
                problems.push(format!(
                    "[[evidence]] {:?}: `offset` and `nonpositive` belong to a `transform` (\"log10\", \"ln\", \"sqrt\", \"zscore\" or \"rank\"); the layer has none",
                    e.name
                ));
            }
            let at = format!("[[evidence]] {:?}", e.name);
            if e.name.is_empty()
                || !e
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                problems.push(format!("{at}: `name` must be non-empty and use only letters, digits, '_' or '-' (it names output files)"));
            }
            if !names.insert(e.name.clone()) {
                problems.push(format!("{at}: two layers have this name"));
            }
            if e.derive == Derive::Rasterize && e.field.is_none() {
                problems.push(format!(
                    "{at}: derive = \"rasterize\" needs `field` (the numeric attribute to burn)"
                ));
            }
            if e.derive == Derive::Density && !e.radius_m.is_some_and(|r| r > 0.0 && r.is_finite())
            {
                problems.push(format!(
                    "{at}: derive = \"density\" needs `radius_m`, a positive radius in CRS units"
                ));
            }
            if e.censored.is_some() && e.derive != Derive::Interpolate {
                problems.push(format!(
                    "{at}: `censored` applies to derive = \"interpolate\" (geochemical tables)"
                ));
            }
            let given = [
                e.class_width.is_some(),
                e.breaks.is_some(),
                e.classify.is_some(),
                e.cutoff.is_some(),
            ];
            if given.iter().filter(|g| **g).count() > 1 {
                problems.push(format!(
                    "{at}: give one of `class_width`, `breaks`, `classify` or `cutoff`"
                ));
            }
            if e.derive == Derive::Interpolate && e.value_column.is_none() {
                problems.push(format!(
                    "{at}: derive = \"interpolate\" needs `value_column`"
                ));
            }
            if let Some(w) = e.class_width {
                if !(w > 0.0 && w.is_finite()) {
                    problems.push(format!(
                        "{at}: `class_width` = {w} must be a positive number"
                    ));
                }
            }
            if let Some(b) = &e.breaks {
                if b.is_empty()
                    || b.iter().any(|v| !v.is_finite())
                    || b.windows(2).any(|p| p[0] >= p[1])
                {
                    problems.push(format!(
                        "{at}: `breaks` = {b:?} must be finite and strictly increasing"
                    ));
                }
            }
            if e.class_width.is_some() && e.breaks.is_some() {
                problems.push(format!("{at}: give `class_width` or `breaks`, not both"));
            }
            if e.cutoff.is_some() && e.pattern != Pattern::Binary {
                problems.push(format!(
                    "{at}: `cutoff` only applies to pattern = \"binary\""
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Project> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("project.toml");
        std::fs::write(&p, text).unwrap();
        Project::load(&p)
    }

    const GOOD: &str = r#"
[grid]
crs = "EPSG:32635"
cell_size_m = 500
study_area = "area.geojson"
[deposits]
path = "d.csv"
crs = "EPSG:32635"
[[evidence]]
name = "mag"
source = "mag.tif"
pattern = "ascending"
class_width = 10
"#;

    #[test]
    fn a_good_project_loads_with_defaults() {
        let p = load(GOOD).unwrap();
        assert_eq!(p.weights.unit_cell_km2, 1.0);
        assert_eq!(p.weights.studentized_contrast_threshold, 2.0);
        assert_eq!(p.evidence[0].derive, Derive::Values);
        assert!(p.resolve(Path::new("x.tif")).starts_with(&p.base_dir));
    }

    #[test]
    fn bad_projects_name_the_field() {
        let e = format!(
            "{:#}",
            load(&GOOD.replace("ascending", "sideways")).unwrap_err()
        );
        assert!(e.contains("pattern") && e.contains("sideways"), "{e}");
        let e = format!(
            "{:#}",
            load(&GOOD.replace("cell_size_m = 500", "")).unwrap_err()
        );
        assert!(e.contains("cell_size_m"), "{e}");
        let e = format!("{:#}", load("[grid\n").unwrap_err());
        assert!(e.contains("not valid"), "{e}");
        let e = format!(
            "{:#}",
            load(&GOOD.replace("class_width", "clas_width")).unwrap_err()
        );
        assert!(e.contains("clas_width"), "{e}");
    }

    /// `[model] histogram`: "auto" by default and then absent from the serialised spec (the
    /// model stage's key, so earlier runs' stages are reused), "on" / "off" parsed and kept,
    /// anything else an error naming the value.
    #[test]
    fn the_histogram_key_parses_and_auto_stays_out_of_the_stage_key() {
        let p = load(GOOD).unwrap();
        assert_eq!(p.model.histogram, Histogram::Auto);
        assert!(!serde_json::to_string(&p.model)
            .unwrap()
            .contains("histogram"));
        for (text, value) in [("on", Histogram::On), ("off", Histogram::Off)] {
            let p = load(&format!("{GOOD}[model]\nhistogram = \"{text}\"\n")).unwrap();
            assert_eq!(p.model.histogram, value);
            let json = serde_json::to_string(&p.model).unwrap();
            assert!(
                json.contains(&format!("\"histogram\":\"{text}\"")),
                "{json}"
            );
        }
        let e = format!(
            "{:#}",
            load(&format!("{GOOD}[model]\nhistogram = \"always\"\n")).unwrap_err()
        );
        assert!(e.contains("always"), "{e}");
    }
}
