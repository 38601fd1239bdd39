//! `nedra run`: the whole weights-of-evidence job from a project file into a run folder.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use nedra_core::{Classifier, Grid};
use nedra_io::vector::{read_features, CsvPoints, VectorSource};
use nedra_io::warp::{is_on_grid, warp_to_grid};
use nedra_io::{crs, files, DataType, RasterReader, Resampling};
use nedra_models::{calculate_weights, Response, ValidationOptions, WeightsOptions, WeightsTable};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::derive::FieldKind;
use crate::manifest::{
    sha256_file, DepositsEntry, EvidenceEntry, GridEntry, InputEntry, MapsEntry, OutputEntry,
    ResponseEntry, RunManifest, StageEntry, TargetsEntry, ValidationEntry, Versions,
};
use crate::options::{
    DensityOf, DuplicateRule, Favourable, Interpolation, ModelKind, Pattern, TargetRuleKind,
};
use crate::pipeline::{classify_layer, locate_deposits_in, response_pass, Deposits, ResponseLayer};
use crate::progress::say;
use crate::project::{Derive, EvidenceSpec, Outside, Project};
use crate::stage_cache::{files_under, stage_key, StageCache};
use crate::targets::{find_targets, TargetEvidence, TargetOptions, TargetRule};
use crate::validation::{score_histograms, write_validation};
use crate::warnings::Warning;

/// What a finished run reports.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The run folder.
    pub out: PathBuf,
    /// Area under the success-rate curve.
    pub success_rate_auc: f64,
    /// ROC AUC (Mann–Whitney, ties ½).
    pub roc_auc: f64,
    /// Deposits used.
    pub deposits: u64,
    /// Study-area cells.
    pub cells: u64,
    /// Ranked targets.
    pub targets: Vec<crate::targets::Target>,
    /// The prospectivity map and its uncertainty (file names in the run folder).
    pub maps: (String, String),
    /// Stages taken from an earlier run instead of computed (see [`crate::stage_cache`]).
    pub reused_stages: Vec<String>,
    /// Held-out figures of the spatial block cross-validation (every model).
    pub cross_validation: Option<CrossValidationSummary>,
    /// Where the science is weak (see [`crate::warnings`]).
    pub warnings: Vec<Warning>,
}

/// The spatial block cross-validation of the model: the figures to lead with.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossValidationSummary {
    /// ROC AUC of each fold's held-out deposits against its held-out background.
    pub fold_roc_auc: Vec<f64>,
    /// Their mean.
    pub mean_roc_auc: f64,
    /// Mean prediction-rate AUC over the folds.
    pub mean_prediction_rate_auc: f64,
    /// How the folds were drawn.
    pub scheme: String,
    /// Number of folds k (some may hold no deposit and have no AUC).
    pub folds_k: usize,
    /// ROC AUC of every held-out score together.
    pub pooled_roc_auc: Option<f64>,
    /// False for a map that learnt nothing from the deposits (a fuzzy network): its whole-area
    /// figure is not a fitted one.
    pub learns_from_deposits: bool,
}

impl CrossValidationSummary {
    /// From the model summary of `run.json` (`model.spatial_cv`), when there is one.
    pub fn from_model(model: &Value) -> Option<Self> {
        let cv = model.get("spatial_cv")?;
        Some(CrossValidationSummary {
            fold_roc_auc: cv["folds"]
                .as_array()?
                .iter()
                .filter_map(|f| f["roc_auc"].as_f64())
                .collect(),
            mean_roc_auc: cv["mean_roc_auc"].as_f64().unwrap_or(f64::NAN),
            mean_prediction_rate_auc: cv["mean_prediction_rate_auc"].as_f64().unwrap_or(f64::NAN),
            scheme: cv["scheme"].as_str().unwrap_or_default().to_string(),
            folds_k: cv["folds"].as_array()?.len(),
            pooled_roc_auc: cv["pooled_roc_auc"].as_f64(),
            learns_from_deposits: !cv["learnt_in_folds"]
                .as_str()
                .is_some_and(|l| l.starts_with("nothing learnt")),
        })
    }

    /// Sample standard deviation of the folds' ROC AUCs.
    pub fn sd_roc_auc(&self) -> f64 {
        crate::folds::mean_sd(&self.fold_roc_auc).1
    }
}

fn classifier(e: &EvidenceSpec) -> Result<Classifier> {
    let c = if let Some(cutoff) = e.cutoff {
        Classifier::Binary {
            cutoff,
            favourable_above: e.favourable != Some(Favourable::Below),
        }
    } else if let Some(w) = e.class_width {
        Classifier::EqualWidth {
            origin: 0.0,
            width: w,
        }
    } else if let Some(b) = &e.breaks {
        Classifier::Breaks(b.clone())
    } else {
        Classifier::Identity
    };
    c.validate()
        .with_context(|| format!("[[evidence]] {:?}", e.name))?;
    Ok(c)
}

/// Runs a project into `out`.
///
/// # Errors
/// Any input problem, with the file and what to fix.
pub fn run(project_path: &Path, out: &Path) -> Result<RunSummary> {
    run_with_lang(project_path, out, None)
}

/// Runs a project into `out`, its report in `lang` when given (else the project's `lang`).
///
/// # Errors
/// Any input problem, with the file and what to fix.
pub fn run_with_lang(
    project_path: &Path,
    out: &Path,
    lang: Option<crate::locale::Lang>,
) -> Result<RunSummary> {
    crate::init();
    let started = Instant::now();
    refuse_problems(project_path, out)?;
    let mut project = Project::load(project_path)?;
    project.project.lang = lang.unwrap_or(project.project.lang);
    // Locked, staged in a hidden sibling and swapped into place: see `run_folder`.
    let folder = crate::run_folder::RunFolder::begin(out)?;
    let dir = folder.dir();
    for sub in ["evidence", "weights"] {
        std::fs::create_dir_all(dir.join(sub))
            .with_context(|| format!("{}: cannot create the run folder", dir.display()))?;
    }
    // Earlier results to reuse: the run being replaced, and the partial folder of a run
    // that was killed (kept aside by `RunFolder::begin`).
    let mut sources = vec![out.to_path_buf()];
    sources.extend(folder.resume().map(Path::to_path_buf));
    let mut cache = StageCache::new(dir, sources);
    let summary = run_into(&project, project_path, dir, out, started, &mut cache)?;
    folder.publish()?;
    Ok(summary)
}

/// Checks the whole plan before any computation (see [`crate::plan::preflight`]).
///
/// # Errors
/// Every problem found, one per line.
pub fn refuse_problems(project_path: &Path, out: &Path) -> Result<()> {
    let (_, problems) = crate::plan::preflight(project_path, out);
    match problems.len() {
        0 => Ok(()),
        1 => bail!("{}", problems[0]),
        n => bail!(
            "{n} problems stop this run before it starts:\n  - {}",
            problems.join("\n  - ")
        ),
    }
}

fn run_into(
    project: &Project,
    project_path: &Path,
    dir: &Path,
    out: &Path,
    started: Instant,
    cache: &mut StageCache,
) -> Result<RunSummary> {
    let mut timings = std::collections::BTreeMap::new();
    let mut inputs = vec![InputEntry::new("project", project_path)?];
    let mut lap = Instant::now();
    let mut time = |name: &str, lap: &mut Instant| {
        timings.insert(name.to_string(), lap.elapsed().as_secs_f64());
        *lap = Instant::now();
    };
    let n_steps = project.evidence.len() + 3;

    // 1. Grid and study area.
    let _ = nedra_io::non_finite::take();
    say(&format!("[1/{n_steps}] grid and study area"));
    let g = &project.grid;
    let (grid, mask, study_area_note) = if let Some(t) = &g.template {
        let path = project.resolve(t);
        inputs.push(InputEntry::new("template", &path)?);
        let reader = RasterReader::open(&path)?;
        let mut grid = reader.grid().clone();
        if let Some(def) = &g.crs {
            let wkt = crs::resolve(def, Some(project_path))?;
            if !grid.crs_wkt.is_empty() && !crs::same(&grid.crs_wkt, &wkt) {
                bail!(
                    "{}: the template's CRS ({}) differs from [grid] crs = {def:?}. Remove `crs` or warp the template",
                    path.display(),
                    crs::short(&grid.crs_wkt)
                );
            }
            grid.crs_wkt = wkt;
        } else if grid.crs_wkt.is_empty() {
            bail!(
                "{}: the template raster has no CRS. Declare it with `crs` under [grid]",
                path.display()
            );
        }
        (
            grid,
            reader,
            format!("valid cells of template {}", path.display()),
        )
    } else {
        let (Some(area), Some(cell_size_m)) = (&g.study_area, g.cell_size_m) else {
            bail!("[grid] needs either `template`, or `study_area` with `cell_size_m`");
        };
        let path = project.resolve(area);
        inputs.push(InputEntry::new("study_area", &path)?);
        let wkt = crs::resolve(g.crs.as_deref().unwrap_or_default(), Some(project_path))?;
        let mut src = VectorSource::new(&path);
        src.layer = g.study_area_layer.clone();
        let f = read_features(&src, &wkt)?;
        if f.polygons == 0 {
            bail!(
                "{}: the study area holds no polygon. Give a polygon (or multipolygon) layer",
                path.display()
            );
        }
        let mut e = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for (a, b) in &f.segments {
            for p in [a, b] {
                e = [
                    e[0].min(p[0]),
                    e[1].min(p[1]),
                    e[2].max(p[0]),
                    e[3].max(p[1]),
                ];
            }
        }
        let grid = Grid::covering(wkt, e, cell_size_m).with_context(|| {
            format!(
                "[grid] cell_size_m = {cell_size_m}: cannot build the grid over the study area of {}",
                path.display()
            )
        })?;
        let mask_path = dir.join("mask.tif");
        nedra_io::vector::rasterize(&src, None, &grid, DataType::Byte, &mask_path)?;
        (
            grid,
            RasterReader::open(&mask_path)?,
            format!("cells whose centre lies in {}", path.display()),
        )
    };
    let cells = count_valid(&grid, &mask)?;
    if cells == 0 {
        bail!("the study area covers no cell centre of the grid: use a smaller cell_size_m or check the study area");
    }
    let unit = project.weights.unit_cell_km2;
    let cell_km2 = grid.cell_area_km2();
    say(&format!(
        "      {} — study area {cells} cells = {:.2} km²",
        grid.describe(),
        cells as f64 * cell_km2
    ));
    time("grid", &mut lap);
    let grid_key = stage_key(&[
        &serde_json::to_string(&project.grid)?,
        &inputs[1..]
            .iter()
            .map(file_hashes)
            .collect::<Vec<_>>()
            .join(" "),
    ]);

    // 2. Deposits.
    let mut warnings: Vec<Warning> = Vec::new();
    let warn = |w: Warning, list: &mut Vec<Warning>| {
        say(&format!("warning: {}", w.message));
        list.push(w);
    };
    let d = &project.deposits;
    let dep_path = project.resolve(&d.path);
    inputs.push(InputEntry::new("deposits", &dep_path)?);
    let deposits_key = stage_key(&[
        &grid_key,
        &serde_json::to_string(&project.deposits)?,
        &file_hashes(inputs.last().expect("just pushed")),
    ]);
    let src = VectorSource {
        path: dep_path.clone(),
        layer: d.layer.clone(),
        crs: crate::points::points_crs(
            &dep_path,
            d.crs.as_deref(),
            &grid.crs_wkt,
            "`crs` under [deposits]",
        )
        .crs,
        csv: CsvPoints {
            x: d.x_column.clone(),
            y: d.y_column.clone(),
        },
    };
    let points = read_features(&src, &grid.crs_wkt)?.points;
    let deposits = locate_deposits_in(
        &points,
        &grid,
        Some(&mask),
        &study_area_note,
        d.outside == Outside::Drop,
        d.duplicates,
        &dep_path,
    )?;
    if let Some(w) = crate::warnings::duplicate_deposits(&deposits, d.duplicates) {
        warn(w, &mut warnings);
    }
    say(&format!(
        "[2/{n_steps}] deposits: {} points in {} cells{}",
        deposits.total,
        deposits.cells.len(),
        if deposits.dropped > 0 {
            format!(" ({} outside the study area left out)", deposits.dropped)
        } else {
            String::new()
        }
    ));
    {
        let used: std::collections::HashSet<(usize, usize)> =
            deposits.cells.iter().map(|c| (c.0, c.1)).collect();
        // Coordinates as Rust's shortest round-trip `{}` (csv's own float format differs).
        let mut table = csv::Writer::from_writer(Vec::new());
        table.write_record(["x", "y", "used"])?;
        for p in &points {
            let inside = grid
                .cell_of(p[0], p[1])
                .is_some_and(|rc| used.contains(&rc));
            table.write_record([
                p[0].to_string(),
                p[1].to_string(),
                u8::from(inside).to_string(),
            ])?;
        }
        let bytes = table.into_inner().context("writing deposits.csv")?;
        files::write_atomic(&dir.join("deposits.csv"), &bytes)?;
    }
    time("deposits", &mut lap);

    // 3. Evidence layers → classes → weights.
    let w = &project.weights;
    let mut layers = Vec::new();
    let mut evidence_log = Vec::new();
    let mut features = Vec::new();
    let weights_options = serde_json::to_string(w)?;
    let mut evidence_keys = Vec::new();
    for (k, e) in project.evidence.iter().enumerate() {
        say(&format!(
            "[{}/{n_steps}] evidence {:?}: {} weights",
            k + 3,
            e.name,
            e.pattern
        ));
        let source = project.resolve(&e.source);
        let source_entry = InputEntry::new(&format!("evidence:{}", e.name), &source)?;
        let stage = format!("evidence:{}", e.name);
        let key = stage_key(&[
            &deposits_key,
            &serde_json::to_string(e)?,
            &file_hashes(&source_entry),
            &weights_options,
        ]);
        inputs.push(source_entry);
        let class_path = dir.join("evidence").join(format!("{}.tif", e.name));
        let table_path = dir.join("weights").join(format!("{}.csv", e.name));
        let memo: EvidenceMemo = match cache.reuse(&stage, &key)? {
            Some(memo) => {
                let memo: EvidenceMemo = serde_json::from_value(memo)
                    .with_context(|| format!("{stage}: a stage record of another nedra"))?;
                say(&format!(
                    "      reused from an earlier run (same source, options and deposits): {}",
                    memo.summary
                ));
                memo
            }
            None => {
                let before = files_under(dir)?;
                let memo =
                    evidence_stage(e, &source, &grid, &mask, &deposits, cell_km2, unit, w, dir)?;
                say(&format!("      {}", memo.summary));
                cache.record(&stage, &key, &before, serde_json::to_value(&memo)?)?;
                memo
            }
        };
        evidence_keys.push(key);
        // The table is read back from its file whether computed or reused: the same numbers
        // (Rust's shortest round-trip formatting) either way.
        let table = WeightsTable::read_csv(
            std::fs::File::open(&table_path)
                .with_context(|| format!("{}: cannot open", table_path.display()))?,
            &table_path,
        )?;
        layers.push(ResponseLayer::new(
            &e.name,
            RasterReader::open(&class_path)?,
            &table,
            &table_path,
        )?);
        features.push(if e.pattern == Pattern::Categorical {
            crate::ml::FeatureLayer {
                name: e.name.clone(),
                reader: RasterReader::open(&class_path)?,
                class_values: Some(table.rows.iter().map(|r| (r.class, r.weight)).collect()),
                weights_options: Some(self::weights_options(e, w, cell_km2, unit)),
            }
        } else {
            crate::ml::FeatureLayer {
                name: e.name.clone(),
                reader: RasterReader::open(&dir.join(&memo.values))?,
                class_values: None,
                weights_options: None,
            }
        });
        for w in crate::warnings::weights_table(&e.name, &table, cells as f64 * cell_km2) {
            warn(w, &mut warnings);
        }
        evidence_log.push(memo.entry);
        time(&stage, &mut lap);
    }

    // 4. Response and validation.
    say(&format!(
        "[{n_steps}/{n_steps}] posterior probability, uncertainty and success rate"
    ));
    let response = Response::new(deposits.total, cells as f64 * cell_km2 / unit)?;
    let result = response_pass(
        &grid,
        Some(&mask),
        &layers,
        &response,
        &deposits,
        cell_km2 / unit,
        dir,
    )?;
    let mut validation =
        write_validation(dir, &result.histogram, None, &ValidationOptions::default())?;
    for u in &result.unseen_classes {
        warn(crate::warnings::unseen_classes(u), &mut warnings);
    }
    let ci = result.conditional_independence.test(deposits.total);
    if let Some(w) = crate::warnings::conditional_independence(&ci) {
        warn(w, &mut warnings);
    }
    validation["conditional_independence"] = json!({
        "observed_deposits": ci.observed_deposits,
        "predicted_deposits": ci.predicted_deposits,
        "predicted_deposits_sd": ci.predicted_deposits_sd,
        "ratio_n_over_t": ci.ratio,
        "agterberg_cheng_z": ci.z,
        "probability_not_independent": ci.probability_not_independent,
        "method": "Bonham-Carter (1994) n/T; Agterberg & Cheng (2002) one-tailed test of T - n with s^2(T) = sum (A_k s(P_k))^2",
    });
    time("response", &mut lap);

    // 4a. Weights of evidence cross-validated: weights, generalisation and prior learnt
    // inside each training fold, every held-out cell scored (see `wofe_cv`). The headline of
    // a weights-of-evidence run; the baseline's held-out figure beside a data-driven model.
    let cv_scheme = crate::folds::CvScheme {
        block_km: project.model.cv_block_km,
        folds: project.model.cv_folds,
        seed: project.model.seed,
        assignment: project
            .model
            .cv_fold_file
            .as_ref()
            .map(|p| crate::folds::FoldFile::read(&project.resolve(p), project.model.cv_folds))
            .transpose()?,
    };
    if let Some(f) = &cv_scheme.assignment {
        inputs.push(InputEntry::new("cv_fold_file", &f.path)?);
    }
    let wofe_cv = {
        let m = &project.model;
        let cv_layers: Vec<crate::wofe_cv::CvLayer> = layers
            .iter()
            .filter_map(|l| {
                let e = project.evidence.iter().find(|e| e.name == l.name)?;
                Some(crate::wofe_cv::CvLayer {
                    name: &l.name,
                    classes: &l.classes,
                    options: self::weights_options(e, w, cell_km2, unit),
                })
            })
            .collect();
        let scheme = cv_scheme.clone();
        match crate::wofe_cv::cross_validate(
            &grid,
            &mask,
            &cv_layers,
            &deposits,
            cell_km2 / unit,
            scheme,
        )
        .context("spatial cross-validation of weights of evidence")?
        {
            Ok(cv) => {
                let (mean, sd) = cv.roc_auc_mean_sd();
                say(&format!(
                    "      spatial block CV ({} km blocks, {} folds, every held-out cell): ROC AUC {mean:.4} ± {sd:.4}, pooled {:.4}",
                    m.cv_block_km,
                    m.cv_folds,
                    cv.pooled_roc_auc.unwrap_or(f64::NAN)
                ));
                let json = cv.to_json();
                validation["spatial_cv"] = json.clone();
                files::write_atomic(&dir.join("cv_folds.csv"), cv.fold_table().as_bytes())?;
                time("cross-validation", &mut lap);
                json
            }
            Err(blocks) => {
                warn(
                    crate::warnings::no_cross_validation(
                        "weights_of_evidence",
                        blocks,
                        m.cv_block_km,
                        m.cv_folds,
                    ),
                    &mut warnings,
                );
                Value::Null
            }
        }
    };

    // 4b. A data-driven model, when the project asks for one: it becomes the prospectivity
    // map that is validated and targeted; weights of evidence stays as the baseline.
    let mut model_json = Value::Null;
    let (score_file, uncertainty_file, score_label) = if project.model.kind
        == ModelKind::WeightsOfEvidence
    {
        (
            "posterior.tif",
            "posterior_std.tif",
            "posterior probability (weights of evidence)",
        )
    } else {
        let model_key = stage_key(&[
            &deposits_key,
            &evidence_keys.join(" "),
            &serde_json::to_string(&project.model)?,
            &match &cv_scheme.assignment {
                Some(f) => sha256_file(&f.path)?,
                None => String::new(),
            },
        ]);
        match cache.reuse("model", &model_key)? {
            Some(memo) => {
                say(&format!(
                    "      {}: reused from an earlier run (same layers, deposits and options)",
                    project.model.kind
                ));
                model_json = memo;
            }
            None => {
                let before = files_under(dir)?;
                if project.model.kind == ModelKind::Fuzzy {
                    say("      fuzzy inference network");
                    let names: Vec<String> =
                        project.evidence.iter().map(|e| e.name.clone()).collect();
                    let network = crate::fuzzy_model::Network::new(
                        &names,
                        &project.model.memberships,
                        &project.model.nodes,
                        project.model.output.as_deref(),
                    )?;
                    let readers = features
                        .iter()
                        .map(|f| RasterReader::open(f.reader.path()))
                        .collect::<Result<Vec<_>, _>>()?;
                    model_json =
                        crate::fuzzy_model::run_fuzzy(&grid, &mask, &readers, &network, dir)?;
                    let scheme = cv_scheme.clone();
                    let score = RasterReader::open(&dir.join("prospectivity.tif"))?;
                    model_json["spatial_cv"] = match crate::folds::fixed_map_cv(
                        &grid, &mask, &score, &deposits, scheme,
                    )? {
                        Ok(cv) => cv.to_json(),
                        Err(blocks) => json!({ "no_folds": blocks }),
                    };
                    model_json["network"] = json!({
                        "memberships": project.model.memberships,
                        "nodes": project.model.nodes,
                        "output": project.model.output,
                    });
                } else {
                    say(&format!(
                        "      {} by positive-unlabelled bagging ({} members)",
                        project.model.kind, project.model.models
                    ));
                    model_json = crate::ml::run_model(
                        &grid,
                        &mask,
                        &features,
                        &deposits,
                        &project.model,
                        &cv_scheme,
                        dir,
                    )?;
                }
                cache.record("model", &model_key, &before, model_json.clone())?;
            }
        }
        let wofe = std::mem::take(&mut validation);
        let score = RasterReader::open(&dir.join("prospectivity.tif"))?;
        let hist = score_histograms(&grid, &score, &[&deposits])?;
        validation = write_validation(dir, &hist[0], None, &ValidationOptions::default())?;
        validation["weights_of_evidence_baseline"] = json!({
            "success_rate_auc": wofe["success_rate_auc"],
            "roc_auc": wofe["roc_auc"],
            "spatial_cv": wofe["spatial_cv"],
        });
        validation["conditional_independence"] = wofe["conditional_independence"].clone();
        let cv = &model_json["spatial_cv"];
        if let Some(blocks) = cv["no_folds"].as_u64() {
            warn(
                crate::warnings::no_cross_validation(
                    &project.model.kind.to_string(),
                    blocks as usize,
                    project.model.cv_block_km,
                    project.model.cv_folds,
                ),
                &mut warnings,
            );
        } else if !cv.is_null() {
            validation["spatial_cv"] = cv.clone();
            let get = |k: &str| cv[k].as_f64().unwrap_or(f64::NAN);
            say(&format!(
                    "      spatial block CV ({} km blocks, {} folds, every held-out cell): ROC AUC {:.4} ± {:.4}, pooled {:.4}",
                    project.model.cv_block_km,
                    project.model.cv_folds,
                    get("mean_roc_auc"),
                    get("sd_roc_auc"),
                    get("pooled_roc_auc"),
                ));
        }
        if !model_json["sample_cv"].is_null() {
            validation["sample_cv"] = model_json["sample_cv"].clone();
        }
        time("model", &mut lap);
        let label = if project.model.kind == ModelKind::Fuzzy {
            "prospectivity (fuzzy inference network)"
        } else {
            "prospectivity (ensemble mean probability)"
        };
        ("prospectivity.tif", "uncertainty.tif", label)
    };
    files::write_atomic(
        &dir.join("validation.json"),
        (serde_json::to_string_pretty(&validation)? + "\n").as_bytes(),
    )?;

    // 5. Targets.
    let posterior = RasterReader::open(&dir.join(score_file))?;
    let posterior_std = RasterReader::open(&dir.join(uncertainty_file))?;
    let written = score_histograms(&grid, &posterior, &[&deposits])?;
    let ts = &project.targets;
    let rule = match (ts.rule, ts.value) {
        (TargetRuleKind::Pa, _) => TargetRule::PaCrossing,
        (TargetRuleKind::Threshold, Some(v)) => TargetRule::Threshold(v),
        (TargetRuleKind::Threshold, None) => {
            bail!("[targets] rule = \"threshold\" needs `value`")
        }
        (TargetRuleKind::TopPercent, v) => TargetRule::TopPercent(v.unwrap_or(5.0)),
    };
    let target_options = TargetOptions {
        rule,
        min_area_km2: ts.min_area_km2,
        rank: ts.rank,
    };
    // Data-driven models explain targets by their contributions, the others by their weights.
    let data_driven = project.model.kind.is_data_driven();
    let contributions: Vec<(String, RasterReader)> = if data_driven {
        features
            .iter()
            .map(|f| -> Result<_> {
                let path = dir.join("contributions").join(format!("{}.tif", f.name));
                Ok((f.name.clone(), RasterReader::open(&path)?))
            })
            .collect::<Result<_>>()?
    } else {
        vec![]
    };
    let evidence = if contributions.is_empty() {
        TargetEvidence::Weights(&layers)
    } else {
        TargetEvidence::Contributions(&contributions)
    };
    let (target_threshold, targets) = find_targets(
        &grid,
        &posterior,
        Some(&posterior_std),
        Some(&mask),
        evidence,
        &deposits,
        &written[0],
        &target_options,
        dir,
    )?;
    say(&format!(
        "      {} targets at {score_file} ≥ {target_threshold:.4} ({}, min {} km²)",
        targets.len(),
        rule,
        ts.min_area_km2
    ));
    let success_rate_auc = validation["success_rate_auc"].as_f64().unwrap_or(f64::NAN);
    let roc_auc = validation["roc_auc"].as_f64().unwrap_or(f64::NAN);
    let cv_holder = if project.model.kind == ModelKind::WeightsOfEvidence {
        json!({ "spatial_cv": wofe_cv })
    } else {
        model_json.clone()
    };
    for w in crate::warnings::cross_validation(&cv_holder, roc_auc) {
        warn(w, &mut warnings);
    }
    for w in crate::warnings::non_finite(&nedra_io::non_finite::take(), dir) {
        warn(w, &mut warnings);
    }
    time("targets", &mut lap);

    // 5. Manifest.
    let mut outputs = Vec::new();
    for rel in files_under(dir)? {
        outputs.push(OutputEntry {
            path: rel.display().to_string(),
            sha256: sha256_file(&dir.join(&rel))?,
        });
    }
    timings.insert("total".into(), started.elapsed().as_secs_f64());
    let manifest = RunManifest {
        schema: crate::manifest::SCHEMA.to_string(),
        synthetic: project
            .project
            .description
            .to_ascii_uppercase()
            .contains("SYNTHETIC"),
        project: project.clone(),
        project_file: project_path.display().to_string(),
        versions: Versions::current(),
        seed: project
            .model
            .kind
            .is_data_driven()
            .then_some(project.model.seed),
        inputs,
        grid: GridEntry {
            crs_wkt: grid.crs_wkt.clone(),
            transform: grid.transform,
            width: grid.width,
            height: grid.height,
            cell_area_km2: cell_km2,
            study_area: study_area_note,
            study_area_cells: cells,
            study_area_km2: cells as f64 * cell_km2,
            block_size: crate::pipeline::BLOCK_SIZE,
        },
        deposits: DepositsEntry {
            points: points.len(),
            used: deposits.total,
            cells: deposits.cells.len(),
            dropped_outside: deposits.dropped,
            exact_duplicates: deposits.exact_duplicates,
            stacked_cells: deposits.stacked_cells,
            duplicates_rule: d.duplicates,
            merged: deposits.merged,
        },
        evidence: evidence_log,
        response: ResponseEntry {
            prior_probability: response.prior_probability(),
            total_area_units: response.total_area_units(),
            unit_cell_km2: unit,
            cells_with_missing_data: result.cells_with_missing_data,
        },
        validation: ValidationEntry {
            success_rate_auc,
            roc_auc,
            file: "validation.json".to_string(),
            conditional_independence_ratio: ci.ratio,
        },
        model: model_json,
        maps: MapsEntry {
            score: score_file.to_string(),
            uncertainty: uncertainty_file.to_string(),
            score_label: score_label.to_string(),
        },
        targets: TargetsEntry {
            rule: rule.to_string(),
            threshold: target_threshold,
            min_area_km2: ts.min_area_km2,
            count: targets.len(),
            files: crate::targets::TARGET_FILES.map(String::from).to_vec(),
        },
        report: "report.html".to_string(),
        outputs,
        warnings: warnings.clone(),
        stages: cache
            .computed
            .iter()
            .map(|s| (s.clone(), false))
            .chain(cache.reused.iter().map(|s| (s.clone(), true)))
            .map(|(stage, reused)| StageEntry { stage, reused })
            .collect(),
        timings_s: timings,
        limits: crate::manifest::limits_entry(),
    };
    manifest.write(dir)?;
    crate::report::write_report(dir)?;
    Ok(RunSummary {
        out: out.to_path_buf(),
        success_rate_auc,
        roc_auc,
        deposits: deposits.total,
        cells,
        targets,
        maps: (score_file.to_string(), uncertainty_file.to_string()),
        reused_stages: cache.reused.clone(),
        cross_validation: CrossValidationSummary::from_model(&manifest.model)
            .or_else(|| CrossValidationSummary::from_model(&cv_holder)),
        warnings,
    })
}

/// What an evidence stage leaves for later stages (kept in its stage record).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct EvidenceMemo {
    /// The layer's entry in run.json.
    entry: EvidenceEntry,
    /// The values on the grid: a path in the run folder, or the source itself (absolute)
    /// when it is already on the grid.
    values: PathBuf,
    /// One line for the console.
    summary: String,
}

/// The options a layer's weights are computed with (in the run and in each CV fold).
fn weights_options(
    e: &EvidenceSpec,
    w: &crate::project::WeightsSpec,
    cell_km2: f64,
    unit: f64,
) -> WeightsOptions {
    WeightsOptions::new(cell_km2, e.pattern.into())
        .unit_cell_km2(unit)
        .studentized_contrast_threshold(w.studentized_contrast_threshold)
        .generalisation(w.generalisation.into())
        .categorical_pooling(w.categorical_pooling)
}

/// One evidence layer: values on the grid, classes (counted with the deposits), weights.
#[allow(clippy::too_many_arguments)]
fn evidence_stage(
    e: &EvidenceSpec,
    source: &Path,
    grid: &Grid,
    mask: &RasterReader,
    deposits: &Deposits,
    cell_km2: f64,
    unit: f64,
    w: &crate::project::WeightsSpec,
    dir: &Path,
) -> Result<EvidenceMemo> {
    let (values, derivation) = prepare_values(e, source, grid, dir)?;
    let (values, derivation) = match e.transform {
        Some(t) => {
            let out = dir
                .join("evidence")
                .join(format!("{}_transformed.tif", e.name));
            let applied = crate::transform::apply(
                grid,
                mask,
                &values,
                t,
                e.offset.unwrap_or(0.0),
                e.nonpositive.unwrap_or_default(),
                &out,
                &e.name,
            )?;
            drop(values);
            (
                RasterReader::open(&out)?,
                format!("{derivation}; then {}", applied.note),
            )
        }
        None => (values, derivation),
    };
    let (classifier, class_note) = match &e.classify {
        Some(m) => {
            let hist = crate::pipeline::value_histogram(grid, Some(mask), &values)?;
            let (_, breaks, _, _) = crate::classify::breaks_for(&hist, m.value(), cell_km2)
                .with_context(|| format!("evidence layer {:?}: classes by {m}", e.name))?;
            let c = breaks.to_classifier().with_context(|| {
                format!("evidence layer {:?}: {m} gave no usable breaks", e.name)
            })?;
            (c, format!("{m}: breaks {:?}", breaks.edges))
        }
        None => {
            let c = classifier(e)?;
            let note = format!("{c:?}");
            (c, note)
        }
    };
    let class_path = dir.join("evidence").join(format!("{}.tif", e.name));
    let pass = classify_layer(
        grid,
        Some(mask),
        &values,
        &classifier,
        deposits,
        Some(&class_path),
        &e.name,
    )
    .with_context(|| format!("evidence layer {:?} from {}", e.name, source.display()))?;
    let options = weights_options(e, w, cell_km2, unit);
    let table = calculate_weights(&pass.counts, &options)
        .with_context(|| format!("evidence layer {:?}: computing weights", e.name))?;
    let table_path = dir.join("weights").join(format!("{}.csv", e.name));
    let mut csv = Vec::new();
    table.write_csv(&mut csv)?;
    files::write_atomic(&table_path, &csv)?;
    // The generalisation cut is the last row of class 2 in a cumulative table.
    let best = e
        .pattern
        .is_cumulative()
        .then(|| table.rows.iter().rev().find(|r| r.gen_class == 2))
        .flatten()
        .map(|r| r.contrast);
    let values = match values.path().strip_prefix(dir) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => std::path::absolute(values.path())
            .with_context(|| format!("{}: cannot resolve", values.path().display()))?,
    };
    Ok(EvidenceMemo {
        entry: EvidenceEntry {
            name: e.name.clone(),
            source: source.display().to_string(),
            derivation,
            classification: class_note,
            pattern: e.pattern,
            classes: pass.counts.len(),
            missing_cells: pass.missing_cells,
            missing_deposits: pass.missing_deposits,
            class_raster: format!("evidence/{}.tif", e.name),
            weights_table: format!("weights/{}.csv", e.name),
        },
        values,
        summary: format!(
            "{} classes, {} cells without data{}",
            pass.counts.len(),
            pass.missing_cells,
            best.map(|c| format!(", generalised contrast {c:.3}"))
                .unwrap_or_default()
        ),
    })
}

/// The SHA-256 of every file of an input, for stage keys.
fn file_hashes(entry: &InputEntry) -> String {
    entry
        .files
        .iter()
        .map(|f| f.sha256.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Turns an evidence source into values on the grid: the raster itself when it is already on
/// the grid, else warped; distances for vector "distance"; burnt polygons for "rasterize".
fn prepare_values(
    e: &EvidenceSpec,
    source: &Path,
    grid: &Grid,
    dir: &Path,
) -> Result<(RasterReader, String)> {
    let values_path = dir.join("evidence").join(format!("{}_values.tif", e.name));
    let mut vsrc = VectorSource::new(source);
    vsrc.layer = e.layer.clone();
    // Interpolation applies the rule itself (on the samples table it interpolates).
    vsrc.crs = if e.derive == Derive::Interpolate {
        e.crs.clone()
    } else {
        crate::points::points_crs(
            source,
            e.crs.as_deref(),
            &grid.crs_wkt,
            &format!("`crs` under the [[evidence]] {:?}", e.name),
        )
        .crs
    };
    Ok(match e.derive {
        Derive::Values => raster_on_grid(e, source, grid, &values_path)?,
        Derive::Derivative => {
            let which: nedra_core::derivatives::Derivative =
                e.derivative.unwrap_or_default().into();
            let t = grid.transform;
            if !grid.is_north_up() || (t[1].abs() - t[5].abs()).abs() > 1e-9 * t[1].abs() {
                bail!(
                    "[[evidence]] {:?}: derivatives need a north-up project grid with square cells",
                    e.name
                );
            }
            let source_path = dir.join("evidence").join(format!("{}_source.tif", e.name));
            let (field, text) = raster_on_grid(e, source, grid, &source_path)?;
            let halo = 64;
            crate::pipeline::write_derivative(grid, &field, which, halo, &values_path, &e.name)?;
            (
                RasterReader::open(&values_path)?,
                format!("{which:?} (halo {halo} cells) of the source {text}, written to evidence/{}_values.tif", e.name),
            )
        }
        Derive::Distance | Derive::SignedDistance | Derive::Density => {
            let kind = match e.derive {
                Derive::Distance => FieldKind::Distance,
                Derive::SignedDistance => FieldKind::SignedDistance,
                _ => match (e.radius_m, e.density.unwrap_or_default()) {
                    (Some(r), DensityOf::Points) => FieldKind::PointDensity(r),
                    (Some(r), DensityOf::Lines) => FieldKind::LineDensity(r),
                    (None, _) => bail!(
                        "[[evidence]] {:?}: derive = \"density\" needs `radius_m`",
                        e.name
                    ),
                },
            };
            // Written once as evidence/<name>_values.tif: users get the distance/density map,
            // and every later pass (classes, features for other models) reads it back.
            let (f, text) = crate::derive::field(&vsrc, grid, kind, None)?;
            crate::derive::write_field(grid, &f, &values_path, &e.name)?;
            (
                (RasterReader::open(&values_path)?),
                format!("{text}, written to evidence/{}_values.tif", e.name),
            )
        }
        Derive::Interpolate => {
            let like = dir.join("mask.tif");
            let like = if like.exists() {
                like
            } else {
                bail!("derive = \"interpolate\" needs a study-area polygon grid (mask.tif); with a template raster, interpolate first with `nedra interpolate`")
            };
            let method = match e.interpolation.unwrap_or_default() {
                Interpolation::Kriging => crate::interpolate::Method::OrdinaryKriging {
                    variogram: crate::interpolate::VariogramSpec::Fit {
                        kind: None,
                        bins: None,
                    },
                    kriging: nedra_core::interpolate::KrigingParams {
                        neighbours: 16,
                        search_radius: None,
                        min_points: 1,
                    },
                },
                Interpolation::Idw => {
                    crate::interpolate::Method::Idw(nedra_core::interpolate::IdwParams {
                        power: 2.0,
                        neighbours: Some(16),
                        search_radius: None,
                        min_points: 1,
                    })
                }
            };
            let kriging = matches!(method, crate::interpolate::Method::OrdinaryKriging { .. });
            let variance_path = dir
                .join("evidence")
                .join(format!("{}_variance.tif", e.name));
            // Geochemical tables: censored values by the declared rule, indices added.
            let samples = match &e.censored {
                Some(rule) => {
                    let mut o = crate::geochem::GeochemOptions::default();
                    o.censoring.below = *rule.value();
                    let table = dir.join("evidence").join(format!("{}_samples.csv", e.name));
                    crate::geochem::geochem(source, &table, &o).with_context(|| {
                        format!(
                            "[[evidence]] {:?}: geochemistry of {}",
                            e.name,
                            source.display()
                        )
                    })?;
                    table
                }
                None => source.to_path_buf(),
            };
            let summary = crate::interpolate::interpolate(
                &samples,
                e.value_column.as_deref().with_context(|| {
                    format!(
                        "[[evidence]] {:?}: derive = \"interpolate\" needs `value_column`",
                        e.name
                    )
                })?,
                None,
                None,
                e.crs.as_deref(),
                &like,
                method,
                &values_path,
                kriging.then_some(variance_path.as_path()),
            )?;
            (
                (RasterReader::open(&values_path)?),
                format!(
                    "interpolated: {}; samples: {}",
                    summary.method, summary.samples_crs
                ),
            )
        }
        Derive::Rasterize => {
            let field = e.field.as_deref().with_context(|| {
                format!(
                    "[[evidence]] {:?}: derive = \"rasterize\" needs `field`",
                    e.name
                )
            })?;
            nedra_io::vector::rasterize(&vsrc, Some(field), grid, DataType::Float64, &values_path)?;
            (
                (RasterReader::open(&values_path)?),
                format!("polygons burnt with attribute {field:?} (cell centre inside) to evidence/{}_values.tif", e.name),
            )
        }
    })
}

/// A raster source on the grid: read directly when it already is, else warped (nearest for
/// classes, bilinear for continuous values that are binned or differentiated) to
/// `values_path`.
fn raster_on_grid(
    e: &EvidenceSpec,
    source: &Path,
    grid: &Grid,
    values_path: &Path,
) -> Result<(RasterReader, String)> {
    let reader = RasterReader::open(source)?;
    let own_crs_ok = e.crs.is_none() && !reader.grid().crs_wkt.is_empty();
    if own_crs_ok && is_on_grid(reader.grid(), grid) {
        Ok((reader, "read directly (already on the grid)".to_string()))
    } else {
        let resampling = match e.resampling {
            Some(r) => r.into(),
            None if e.pattern.is_cumulative()
                && (e.class_width.is_some()
                    || e.classify.is_some()
                    || e.derive == Derive::Derivative) =>
            {
                Resampling::Bilinear
            }
            None => Resampling::Nearest,
        };
        warp_to_grid(source, e.crs.as_deref(), grid, resampling, values_path)?;
        let from = if reader.grid().crs_wkt.is_empty() {
            "declared CRS".to_string()
        } else {
            crs::short(&reader.grid().crs_wkt)
        };
        Ok((
            RasterReader::open(values_path)?,
            format!(
                "warped from {from} with {} resampling (GDAL warp) to evidence/{}",
                resampling.gdal_name(),
                values_path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ),
        ))
    }
}

/// Valid cells of a raster on the grid, in one streaming pass.
fn count_valid(grid: &Grid, reader: &RasterReader) -> Result<u64> {
    let mut n = 0u64;
    for w in grid.windows(crate::pipeline::BLOCK_SIZE) {
        n += reader.read(w)?.valid_count() as u64;
    }
    Ok(n)
}

/// The deposit summary of a stage command's deposits; points outside the study area are an
/// error, or with [`Outside::Drop`] left out with a warning giving their count.
pub fn deposits_for(
    path: &Path,
    crs_def: Option<&str>,
    grid: &Grid,
    mask: Option<&RasterReader>,
    outside: Outside,
) -> Result<(Deposits, usize)> {
    let mut src = VectorSource::new(path);
    src.crs = crate::points::points_crs(path, crs_def, &grid.crs_wkt, "--deposits-crs").crs;
    let points = read_features(&src, &grid.crs_wkt)?.points;
    let area = crate::pipeline::study_area_of(mask);
    let d = locate_deposits_in(
        &points,
        grid,
        mask,
        &area,
        outside == Outside::Drop,
        DuplicateRule::Keep,
        path,
    )?;
    if d.dropped > 0 {
        say(&format!(
            "warning: {}: {} of {} points lie outside the study area ({area}) and are left out (--outside drop)",
            path.display(),
            d.dropped,
            points.len()
        ));
    }
    if let Some(w) = crate::warnings::duplicate_deposits(&d, DuplicateRule::Keep) {
        say(&format!("warning: {}", w.message));
    }
    Ok((d, points.len()))
}

/// Reports where the results are and the headline numbers (as result lines).
pub fn emit_summary(s: &RunSummary) {
    crate::emit!("run folder: {}", s.out.display());
    for (label, file) in [
        ("report:        ", "report.html"),
        ("prospectivity: ", s.maps.0.as_str()),
        ("uncertainty:   ", s.maps.1.as_str()),
        ("weights tables:", "weights"),
        ("manifest:      ", "run.json"),
    ] {
        crate::emit!("  {label} {}", s.out.join(file).display());
    }
    crate::emit!(
        "deposits used: {}, study-area cells: {}",
        s.deposits,
        s.cells
    );
    if !s.reused_stages.is_empty() {
        crate::emit!(
            "reused from an earlier run: {} (same inputs, options and engine version)",
            s.reused_stages.join(", ")
        );
    }
    if !s.warnings.is_empty() {
        crate::emit!(
            "{} warning{} (in run.json and at the top of the report):",
            s.warnings.len(),
            if s.warnings.len() == 1 { "" } else { "s" }
        );
        for w in &s.warnings {
            crate::emit!("  - {}", w.message);
        }
    }
    // The held-out figure leads; a fitted figure is always labelled as such.
    match &s.cross_validation {
        Some(cv) => {
            let over = if cv.fold_roc_auc.len() == cv.folds_k {
                format!("{} folds", cv.folds_k)
            } else {
                format!(
                    "the {} of {} folds holding deposits",
                    cv.fold_roc_auc.len(),
                    cv.folds_k
                )
            };
            crate::emit!(
                "spatial-CV ROC AUC (held-out blocks, every held-out cell; mean ± sd over {over}): {:.4} ± {:.4}, pooled {:.4}",
                cv.mean_roc_auc,
                cv.sd_roc_auc(),
                cv.pooled_roc_auc.unwrap_or(f64::NAN)
            );
            crate::emit!(
                "spatial-CV prediction-rate AUC (mean over folds): {:.4}",
                cv.mean_prediction_rate_auc
            );
            if cv.learns_from_deposits {
                crate::emit!(
                    "success-rate AUC (fitted: scored on its own training deposits, optimistic): {:.4}",
                    s.success_rate_auc
                );
                crate::emit!("ROC AUC (fitted, optimistic): {:.4}", s.roc_auc);
            } else {
                crate::emit!(
                    "success-rate AUC (whole study area; the network learnt nothing from the deposits): {:.4}",
                    s.success_rate_auc
                );
                crate::emit!("ROC AUC (whole study area): {:.4}", s.roc_auc);
            }
        }
        None => {
            crate::emit!(
                "success-rate AUC (fitted on all deposits, not cross-validated): {:.4}",
                s.success_rate_auc
            );
            crate::emit!(
                "ROC AUC (fitted on all deposits, not cross-validated): {:.4}",
                s.roc_auc
            );
        }
    }
    if !s.targets.is_empty() {
        crate::emit!(
            "top targets ({} in {}):",
            s.targets.len(),
            s.out.join("targets.gpkg").display()
        );
        crate::emit!("  rank   area km²  mean     peak     deposits  strongest evidence");
        for t in s.targets.iter().take(10) {
            crate::emit!(
                "  {:>4}  {:>9.2}  {:>7.4}  {:>7.4}  {:>8}  {}",
                t.rank,
                t.area_km2,
                t.mean_score,
                t.peak_score,
                t.deposits,
                crate::targets::top_evidence(t)
            );
        }
    }
}
