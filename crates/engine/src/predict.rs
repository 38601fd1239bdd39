//! `nedra predict`: applies a saved model (`model.json` of a run) to the evidence layers of
//! another area, block by block, into a prediction folder: `prospectivity.tif`,
//! `uncertainty.tif`, `drivers.tif`, `contributions/LAYER.tif`, `predict.json` (inputs with
//! SHA-256, the model's hash, grid, versions, counts) and, with known deposits of the new
//! area, `validation.json`.
//!
//! A layer not given is, for a model in a run folder, the run's own (`run.json` →
//! `model.features[].raster`, recorded relative to the run folder, so it is found after the
//! run folder is moved). Each layer must hold what the model was trained on: the values of
//! `evidence/NAME_values.tif` for `value` features (e.g. distance to faults in metres), the
//! class codes of the source for `class_weight` features. Layers are warped onto the grid of `--grid` (default: the first
//! layer's) — bilinear for values, nearest for classes — when they are not already on it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use nedra_io::warp::{is_on_grid, warp_to_grid};
use nedra_io::{files, RasterReader, Resampling};
use nedra_models::ValidationOptions;
use serde_json::{json, Value};

use crate::manifest::{input_entry, sha256_file, versions};
use crate::progress::say;
use crate::run_folder::RunFolder;
use crate::saved_model::{predict_grid, SavedModel};

/// Options of `nedra predict`.
#[derive(Debug, Clone)]
pub struct PredictOptions {
    /// `model.json` or a run folder holding it.
    pub model: PathBuf,
    /// `NAME=PATH` per feature.
    pub layers: Vec<String>,
    /// Grid template (default: the first feature's layer).
    pub grid: Option<PathBuf>,
    /// Study-area mask raster (valid cells are inside).
    pub mask: Option<PathBuf>,
    /// Known deposits of the new area, for validation.
    pub deposits: Option<PathBuf>,
    /// CRS of CSV deposits.
    pub deposits_crs: Option<String>,
    /// Write drivers.tif and contributions/.
    pub explain: bool,
    /// Output folder.
    pub out: PathBuf,
}

/// The layers a run's model was trained on, as `run.json` records them (`model.features[]`:
/// `name`, and `raster` relative to the run folder), resolved against `run_dir`.
fn run_layers(run_dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let manifest = crate::manifest::RunManifest::read(run_dir)?;
    Ok(manifest.model["features"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let name = f["name"].as_str()?;
            let raster = f["raster"].as_str()?;
            Some((
                name.to_string(),
                crate::run_folder::resolve_recorded(run_dir, raster),
            ))
        })
        .collect())
}

/// Parses `NAME=PATH` pairs and orders them as the model's features; a feature without a pair
/// is the run's own layer (`run_layers`) when the model is a run's.
fn layer_paths(
    model: &SavedModel,
    model_file: &Path,
    pairs: &[String],
    run: &[(String, PathBuf)],
) -> Result<Vec<PathBuf>> {
    let names: Vec<&str> = model.features.iter().map(|f| f.name.as_str()).collect();
    let mut paths: Vec<Option<PathBuf>> = vec![None; names.len()];
    for pair in pairs {
        let Some((name, path)) = pair.split_once('=') else {
            bail!("--layer {pair:?}: write NAME=PATH, e.g. --layer faults=faults_distance.tif");
        };
        let Some(k) = names.iter().position(|n| *n == name) else {
            bail!(
                "--layer {pair:?}: the model ({}) has no layer {name:?}; its layers are {}",
                model_file.display(),
                names.join(", ")
            );
        };
        if paths[k].is_some() {
            bail!("--layer {name}: given twice");
        }
        paths[k] = Some(PathBuf::from(path));
    }
    for (name, path) in names.iter().zip(paths.iter_mut()) {
        if path.is_some() {
            continue;
        }
        if let Some((_, own)) = run.iter().find(|(n, _)| n == name) {
            if !own.exists() {
                bail!(
                    "layer {name}: the run's own layer {} (run.json → model.features) does not exist; give the layer with --layer {name}=PATH",
                    own.display()
                );
            }
            *path = Some(own.clone());
        }
    }
    let missing: Vec<&str> = names
        .iter()
        .zip(&paths)
        .filter(|(_, p)| p.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        bail!(
            "the model ({}) needs every layer it was trained on; missing --layer for: {}",
            model_file.display(),
            missing.join(", ")
        );
    }
    paths
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .context("a model layer without --layer")
}

/// Runs `nedra predict`; returns the JSON written to `predict.json`.
///
/// # Errors
/// Bad model files, missing or misnamed layers, layers that miss the grid, write failures.
pub fn predict(o: &PredictOptions) -> Result<Value> {
    let started = Instant::now();
    let (model, model_file) = SavedModel::load(&o.model)?;
    // A run's model: layers not given are the run's own, read from its folder.
    let run = match model_file.parent() {
        Some(d) if d.join("run.json").is_file() => run_layers(d)?,
        _ => Vec::new(),
    };
    let paths = layer_paths(&model, &model_file, &o.layers, &run)?;
    let template = o.grid.clone().unwrap_or_else(|| paths[0].clone());
    let grid = RasterReader::open(&template)?.grid().clone();
    let folder = RunFolder::begin(&o.out)?;
    let dir = folder.dir().to_path_buf();
    let warped_dir = dir.join(".warped");
    let mut readers = Vec::with_capacity(paths.len());
    let mut inputs = vec![input_entry("model", &model_file)?];
    for (feature, path) in model.features.iter().zip(&paths) {
        inputs.push(input_entry(&format!("layer {}", feature.name), path)?);
        let reader = RasterReader::open(path)?;
        if is_on_grid(reader.grid(), &grid) {
            readers.push(reader);
            continue;
        }
        std::fs::create_dir_all(&warped_dir)?;
        let dst = warped_dir.join(format!("{}.tif", feature.name));
        let resampling = if feature.class_values.is_some() {
            Resampling::Nearest
        } else {
            Resampling::Bilinear
        };
        say(&format!(
            "      warping {} onto the grid ({})",
            path.display(),
            resampling.gdal_name()
        ));
        warp_to_grid(path, None, &grid, resampling, &dst)?;
        readers.push(RasterReader::open(&dst)?);
    }
    let mask = match &o.mask {
        Some(p) => {
            inputs.push(input_entry("mask", p)?);
            let r = RasterReader::open(p)?;
            if !is_on_grid(r.grid(), &grid) {
                bail!(
                    "{}: the mask's grid differs from {}'s. Give a mask on the prediction grid",
                    p.display(),
                    template.display()
                );
            }
            Some(r)
        }
        None => None,
    };
    say(&format!(
        "      {} model ({} features) on {} × {} cells",
        model.kind,
        model.features.len(),
        grid.width,
        grid.height
    ));
    let summary = predict_grid(&grid, mask.as_ref(), &readers, &model, &dir, o.explain)?;
    if summary.predicted_cells == 0 {
        // Name the layers that have no data at all on the grid: the usual cause.
        let mut empty = vec![];
        for ((feature, path), reader) in model.features.iter().zip(&paths).zip(&readers) {
            if reader.require_data().is_err() {
                empty.push(format!("{} ({})", feature.name, path.display()));
            }
        }
        if !empty.is_empty() {
            bail!(
                "no cell has every layer: {} {} no cell with data on the grid of {}. Check {} CRS and extent, and its NoData value",
                empty.join(", "),
                if empty.len() == 1 { "has" } else { "have" },
                template.display(),
                if empty.len() == 1 { "its" } else { "their" }
            );
        }
    }
    drop(readers);
    let _ = std::fs::remove_dir_all(&warped_dir);
    if summary.predicted_cells == 0 {
        bail!(
            "no cell has every layer ({}): each has data, but not in the same cells. Check that the layers cover the same area",
            model
                .features
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut validation = Value::Null;
    if let Some(dp) = &o.deposits {
        inputs.push(input_entry("deposits", dp)?);
        let score = RasterReader::open(&dir.join("prospectivity.tif"))?;
        let (deposits, _) = crate::run::deposits_for(
            dp,
            o.deposits_crs.as_deref(),
            &grid,
            None,
            crate::project::Outside::Error,
        )?;
        let hist = crate::validation::score_histograms(&grid, &score, &[&deposits])?;
        validation = crate::validation::write_validation(
            &dir,
            &hist[0],
            None,
            &ValidationOptions::default(),
        )?;
        files::write_atomic(
            &dir.join("validation.json"),
            (serde_json::to_string_pretty(&validation)? + "\n").as_bytes(),
        )?;
    }
    let manifest = json!({
        "nedra_predict": 1,
        "model": {
            "file": model_file.display().to_string(),
            "sha256": sha256_file(&model_file)?,
            "kind": model.kind,
            "trained_on": model.training,
            "features": model.features.iter().map(|f| json!({"name": f.name, "encoding": f.encoding})).collect::<Vec<_>>(),
        },
        "inputs": inputs,
        "grid": {
            "template": template.display().to_string(),
            "crs_wkt": grid.crs_wkt,
            "transform": grid.transform,
            "width": grid.width,
            "height": grid.height,
        },
        "outputs": {
            "prospectivity": "prospectivity.tif (ensemble mean probability)",
            "uncertainty": "uncertainty.tif (ensemble standard deviation)",
            "drivers": if o.explain { json!("drivers.tif (1-based index of the layer that raises the score most; 0: none)") } else { Value::Null },
            "contributions": if o.explain { json!("contributions/LAYER.tif") } else { Value::Null },
        },
        "prediction": summary.to_json(&model),
        "validation": if validation.is_null() { Value::Null } else { json!({"roc_auc": validation["roc_auc"], "success_rate_auc": validation["success_rate_auc"]}) },
        "versions": versions(),
        "seconds": started.elapsed().as_secs_f64(),
    });
    files::write_atomic(
        &dir.join("predict.json"),
        (serde_json::to_string_pretty(&manifest)? + "\n").as_bytes(),
    )?;
    folder.publish()?;
    Ok(manifest)
}
