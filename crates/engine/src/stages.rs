//! Stage commands: `nedra weights`, `nedra response`, `nedra demo`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use nedra_core::Classifier;
use nedra_io::{files, RasterReader};
use nedra_models::{
    calculate_weights, Generalisation, Response, WeightsOptions, WeightsTable, WeightsType,
};

use crate::pipeline::{classify_layer, response_pass, ResponseLayer};
use crate::progress::say;
use crate::project::Outside;
use crate::run::deposits_for;
use crate::run_folder::OutputFolder;

/// Arguments of `nedra weights`.
pub struct WeightsArgs {
    pub raster: PathBuf,
    pub deposits: PathBuf,
    pub deposits_crs: Option<String>,
    pub kind: WeightsType,
    pub threshold: f64,
    pub unit_cell_km2: f64,
    pub generalisation: Generalisation,
    pub categorical_pooling: bool,
    pub out: PathBuf,
}

/// `nedra weights`: one class raster, its valid cells as the study area.
///
/// # Errors
/// Input problems, named.
pub fn weights(a: &WeightsArgs) -> Result<()> {
    let reader = RasterReader::open(&a.raster)?;
    let grid = reader.grid().clone();
    reader.require_data()?;
    let (deposits, _) = deposits_for(
        &a.deposits,
        a.deposits_crs.as_deref(),
        &grid,
        Some(&reader),
        Outside::Error,
    )
    .with_context(|| {
        format!(
            "locating deposits {} on {}",
            a.deposits.display(),
            a.raster.display()
        )
    })?;
    let values = RasterReader::open(&a.raster)?;
    let pass = classify_layer(
        &grid,
        Some(&reader),
        &values,
        &Classifier::Identity,
        &deposits,
        None,
        "classes",
    )
    .with_context(|| format!("class raster {}", a.raster.display()))?;
    if a.kind == WeightsType::Binary && pass.counts.len() != 2 {
        bail!(
            "{}: --type binary needs exactly 2 classes, the raster has {}. Use categorical, or make a binary pattern first",
            a.raster.display(),
            pass.counts.len()
        );
    }
    let options = WeightsOptions::new(grid.cell_area_km2(), a.kind)
        .unit_cell_km2(a.unit_cell_km2)
        .studentized_contrast_threshold(a.threshold)
        .generalisation(a.generalisation)
        .categorical_pooling(a.categorical_pooling);
    let table = calculate_weights(&pass.counts, &options)
        .with_context(|| format!("weights of {}", a.raster.display()))?;
    let mut csv = Vec::new();
    table.write_csv(&mut csv)?;
    files::write_atomic(&a.out, &csv)?;
    say(&format!(
        "{} classes, {} deposits, {:.2} km² → {}",
        table.rows.len(),
        deposits.total,
        pass.counts.iter().map(|c| c.cells).sum::<u64>() as f64 * grid.cell_area_km2(),
        a.out.display()
    ));
    Ok(())
}

/// `nedra response`.
///
/// # Errors
/// Input problems, named.
pub fn response(
    tables: &[PathBuf],
    evidence: &[PathBuf],
    deposits_path: &Path,
    deposits_crs: Option<&str>,
    unit_cell_km2: f64,
    out: &Path,
) -> Result<()> {
    if tables.len() != evidence.len() {
        bail!(
            "{} weights tables for {} evidence rasters: give one table per raster, in the same order",
            tables.len(),
            evidence.len()
        );
    }
    if !(unit_cell_km2 > 0.0 && unit_cell_km2.is_finite()) {
        bail!("--unit-cell-km2 {unit_cell_km2} must be a positive number");
    }
    let mut layers = Vec::new();
    let mut grid = None;
    for (t, e) in tables.iter().zip(evidence) {
        let file = std::fs::File::open(t)
            .with_context(|| format!("{}: cannot open the weights table", t.display()))?;
        let table = WeightsTable::read_csv(file, t)?;
        if let Some(u) = table_unit_cell_km2(&table) {
            if (u - unit_cell_km2).abs() > 1e-6 * unit_cell_km2 {
                bail!(
                    "{}: its areas are counted in unit cells of {u} km² (AREA_SQ_KM / AREA_UNITS), but --unit-cell-km2 is {unit_cell_km2}. Give --unit-cell-km2 {u}, or recompute the table with the unit cell you want",
                    t.display()
                );
            }
        }
        let reader = RasterReader::open(e)?;
        match &grid {
            None => grid = Some(reader.grid().clone()),
            Some(g) => {
                if !nedra_io::warp::is_on_grid(reader.grid(), g) {
                    bail!(
                        "{}: its grid ({}) differs from {} ({}). All evidence rasters must share one grid: warp them first (nedra run does this)",
                        e.display(),
                        reader.grid().describe(),
                        evidence[0].display(),
                        g.describe()
                    );
                }
            }
        }
        let name = e
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        layers.push(ResponseLayer::new(&name, reader, &table, t)?);
    }
    let grid = grid.expect("at least one layer");
    // The study area: cells where at least one layer has data.
    let mut cells = 0u64;
    for w in grid.windows(crate::pipeline::BLOCK_SIZE) {
        let blocks = layers
            .iter()
            .map(|l| l.classes.read(w))
            .collect::<Result<Vec<_>, _>>()?;
        cells += (0..w.len())
            .filter(|i| blocks.iter().any(|b| b.valid[*i]))
            .count() as u64;
    }
    let (deposits, _) = deposits_for(deposits_path, deposits_crs, &grid, None, Outside::Error)?;
    let folder = OutputFolder::begin(out)?;
    let response = Response::new(
        deposits.total,
        cells as f64 * grid.cell_area_km2() / unit_cell_km2,
    )?;
    let result = response_pass(
        &grid,
        None,
        &layers,
        &response,
        &deposits,
        grid.cell_area_km2() / unit_cell_km2,
        folder.dir(),
    )?;
    for u in &result.unseen_classes {
        say(&format!("warning: {}", u.message()));
    }
    let curve = result.histogram.success_rate()?;
    let mut csv = Vec::new();
    curve.write_csv(&mut csv)?;
    files::write_atomic(&folder.dir().join("success_rate.csv"), &csv)?;
    let roc = result.histogram.roc_auc()?;
    folder.finish()?;
    crate::emit!(
        "prior probability: {} ({} deposits / {} unit cells)",
        response.prior_probability(),
        deposits.total,
        response.total_area_units()
    );
    crate::emit!("posterior: {}", out.join("posterior.tif").display());
    crate::emit!("success-rate AUC: {:.4}", curve.auc);
    crate::emit!("ROC AUC: {roc}");
    Ok(())
}

/// `nedra demo`: write the synthetic data and projects, run weights of evidence (`run/`, with
/// an example assessment) and gradient boosting (`run-gbt/`) on the same spatial folds,
/// compare them (`run/comparison.json`, shown in `run/report.html`), print where results are;
/// the reports in `lang` when given (else English).
///
/// # Errors
/// Generation or run failures.
pub fn demo(out: &Path, seed: u64, lang: Option<crate::locale::Lang>) -> Result<()> {
    say(&format!(
        "generating the SYNTHETIC rare-earth demo (seed {seed}) in {}",
        out.display()
    ));
    let project = crate::demo::generate(out, seed)?;
    let summary = crate::run::run_with_lang(&project, &out.join("run"), lang)?;
    crate::run::emit_summary(&summary);
    // An example resource assessment over the demo's targets, ready to run.
    let assessment = crate::assessment::write_demo_assessment(
        out,
        &summary.out.join("posterior.tif"),
        &summary.out.join("targets.gpkg"),
    )?;
    let assessed = crate::assessment::run(&assessment, &summary.out.join("assessment"))?;
    assessed.emit();
    // The same evidence by gradient boosting, on the same folds, and the two side by side.
    say("the same project by gradient boosting (spatial CV on the same folds)");
    let gbt = crate::run::run_with_lang(
        &out.join(crate::demo::GBT_PROJECT),
        &out.join("run-gbt"),
        lang,
    )?;
    crate::run::emit_summary(&gbt);
    let comparison = crate::compare::compare(&[summary.out.clone(), gbt.out.clone()])?;
    crate::emit!("{}", comparison.to_markdown());
    files::write_atomic(
        &summary.out.join("comparison.json"),
        (serde_json::to_string_pretty(&comparison.to_json())? + "\n").as_bytes(),
    )?;
    crate::report::write_report(&summary.out)?;
    crate::emit!(
        "(EXAMPLE grade-tonnage model; rerun with: nedra assess run {} --out {})",
        assessment.display(),
        summary.out.join("assessment").display()
    );
    // The hidden deposits were never shown to either model: where do they fall?
    let hidden = out.join("data").join("hidden_deposits.csv");
    if hidden.exists() {
        for (run, what) in [
            (&summary.out, "targets"),
            (&gbt.out, "gradient-boosting targets"),
        ] {
            let (ranks, n) = hidden_in_targets(&hidden, run)?;
            crate::emit!(
                "hidden (never trained on) synthetic deposits inside {what}: {} of {n}, in target ranks {ranks:?}",
                ranks.len()
            );
        }
    }
    crate::emit!("(SYNTHETIC data: see {})", out.join("README.txt").display());
    crate::emit!(
        "see both as a web map: nedra serve {} {}",
        summary.out.display(),
        gbt.out.display()
    );
    Ok(())
}

/// The target ranks (ascending) of the deposits in `points` that fall inside the targets of
/// `run`, and how many deposits there are.
fn hidden_in_targets(points: &Path, run: &Path) -> Result<(Vec<u64>, usize)> {
    let labels = RasterReader::open(&run.join("targets.tif"))?;
    let grid = labels.grid().clone();
    // The demo writes its points in the grid's CRS: declared, so no note is printed.
    let (cells, n) = deposits_for(points, Some(&grid.crs_wkt), &grid, None, Outside::Error)?;
    let mut ranks = Vec::new();
    for (r, c, _) in &cells.cells {
        let w = nedra_core::Window {
            col_off: *c,
            row_off: *r,
            width: 1,
            height: 1,
        };
        if let Some(rank) = labels.read(w)?.get(0) {
            ranks.push(rank as u64);
        }
    }
    ranks.sort_unstable();
    Ok((ranks, n))
}

/// Arguments of `nedra validate`.
pub struct ValidateArgs {
    pub score: PathBuf,
    pub deposits: PathBuf,
    pub test_deposits: Option<PathBuf>,
    pub deposits_crs: Option<String>,
    pub bootstrap: usize,
    pub seed: u64,
    /// Deposits outside the score's valid cells: an error, or left out with a warning.
    pub outside: Outside,
    pub out: PathBuf,
}

/// `nedra validate`: validation of any score raster; the study area is its valid cells.
///
/// # Errors
/// Input problems, named.
pub fn validate(a: &ValidateArgs) -> Result<()> {
    nedra_core::limits::check("max_bootstrap", "--bootstrap", a.bootstrap as u64)?;
    let reader = RasterReader::open(&a.score)?;
    let grid = reader.grid().clone();
    let crs = a.deposits_crs.as_deref();
    let (train, _) =
        deposits_for(&a.deposits, crs, &grid, Some(&reader), a.outside).with_context(|| {
            format!(
                "locating deposits {} on {}",
                a.deposits.display(),
                a.score.display()
            )
        })?;
    let test = match &a.test_deposits {
        Some(p) => Some(
            deposits_for(p, crs, &grid, Some(&reader), a.outside)
                .with_context(|| {
                    format!(
                        "locating held-out deposits {} on {}",
                        p.display(),
                        a.score.display()
                    )
                })?
                .0,
        ),
        None => None,
    };
    let mut sets = vec![&train];
    sets.extend(test.as_ref());
    let hists = crate::validation::score_histograms(&grid, &reader, &sets)?;
    let folder = OutputFolder::begin(&a.out)?;
    let options = nedra_models::ValidationOptions {
        bootstrap_replicates: a.bootstrap,
        seed: a.seed,
        ..Default::default()
    };
    let mut v =
        crate::validation::write_validation(folder.dir(), &hists[0], hists.get(1), &options)?;
    v["score_raster"] = serde_json::json!(a.score.display().to_string());
    v["score_raster_sha256"] = serde_json::json!(crate::manifest::sha256_file(&a.score)?);
    files::write_atomic(
        &folder.dir().join("validation.json"),
        (serde_json::to_string_pretty(&v)? + "\n").as_bytes(),
    )?;
    folder.finish()?;
    let show = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    crate::emit!("ROC AUC: {}", show("roc_auc"));
    crate::emit!("success-rate AUC: {}", show("success_rate_auc"));
    if test.is_some() {
        crate::emit!("prediction-rate AUC: {}", show("prediction_rate_auc"));
    }
    for c in v["captures"].as_array().into_iter().flatten() {
        crate::emit!(
            "area for {:.0} % of deposits: {:.4}",
            100.0 * c["share_of_deposits"].as_f64().unwrap_or(f64::NAN),
            c["fraction_of_area"].as_f64().unwrap_or(f64::NAN)
        );
    }
    crate::emit!("validation: {}", a.out.join("validation.json").display());
    Ok(())
}

/// `nedra targets`: targets from any score raster; the study area is its valid cells.
///
/// # Errors
/// Input problems, named.
pub fn targets(
    score: &Path,
    uncertainty: Option<&Path>,
    deposits: Option<&Path>,
    deposits_crs: Option<&str>,
    outside: Outside,
    options: &crate::targets::TargetOptions,
    out: &Path,
) -> Result<()> {
    let reader = RasterReader::open(score)?;
    reader.require_data()?;
    let grid = reader.grid().clone();
    let unc = match uncertainty {
        Some(p) => {
            let r = RasterReader::open(p)?;
            if !nedra_io::warp::is_on_grid(r.grid(), &grid) {
                bail!(
                    "{}: its grid differs from {}'s. Give an uncertainty raster on the same grid",
                    p.display(),
                    score.display()
                );
            }
            Some(r)
        }
        None => None,
    };
    let deposits = match deposits {
        Some(p) => deposits_for(p, deposits_crs, &grid, Some(&reader), outside)?.0,
        None if options.rule == crate::targets::TargetRule::PaCrossing => {
            bail!("--pa needs --deposits: the prediction–area crossing is measured against known deposits")
        }
        None => crate::pipeline::Deposits::default(),
    };
    let hist = crate::validation::score_histograms(&grid, &reader, &[&deposits])?;
    let folder = OutputFolder::begin(out)?;
    let (t, found) = crate::targets::find_targets(
        &grid,
        &reader,
        unc.as_ref(),
        None,
        crate::targets::TargetEvidence::Contributions(&[]),
        &deposits,
        &hist[0],
        options,
        folder.dir(),
    )?;
    folder.finish()?;
    crate::emit!(
        "{} targets at score ≥ {t} → {}",
        found.len(),
        out.join("targets.gpkg").display()
    );
    crate::emit!("  rank   area km²  mean score  peak score  deposits");
    for tg in found.iter().take(10) {
        crate::emit!(
            "  {:>4}  {:>9.2}  {:>10.4}  {:>10.4}  {:>8}",
            tg.rank,
            tg.area_km2,
            tg.mean_score,
            tg.peak_score,
            tg.deposits
        );
    }
    Ok(())
}

/// `nedra distance` and `nedra density`: a field derived from features on a template's grid.
///
/// # Errors
/// Input problems, named.
pub fn derived_field(
    features: &Path,
    like: &Path,
    layer: Option<String>,
    crs: Option<String>,
    kind: crate::derive::FieldKind,
    max_distance: Option<f64>,
    out: &Path,
) -> Result<()> {
    if let Some(m) = max_distance {
        if !(m > 0.0 && m.is_finite()) {
            bail!("--max-distance {m} must be a positive number");
        }
    }
    let grid = RasterReader::open(like)?.grid().clone();
    if grid.crs_wkt.is_empty() {
        bail!("{}: the template raster has no CRS, so distances would have no units. Give it a CRS first", like.display());
    }
    let mut src = nedra_io::vector::VectorSource::new(features);
    src.layer = layer;
    src.crs = crate::points::points_crs(features, crs.as_deref(), &grid.crs_wkt, "--crs").crs;
    let (f, text) = crate::derive::field(&src, &grid, kind, max_distance)?;
    crate::derive::write_field(&grid, &f, out, "deriving")?;
    crate::emit!("{text} on {} → {}", grid.describe(), out.display());
    Ok(())
}

/// `nedra derivative`: a potential-field derivative, block + halo.
///
/// # Errors
/// Input problems, named.
pub fn derivative(
    raster: &Path,
    which: nedra_core::derivatives::Derivative,
    halo: usize,
    out: &Path,
) -> Result<()> {
    let reader = RasterReader::open(raster)?;
    let grid = reader.grid().clone();
    let t = grid.transform;
    if !grid.is_north_up() || (t[1].abs() - t[5].abs()).abs() > 1e-9 * t[1].abs() {
        bail!(
            "{}: derivatives need a north-up grid with square cells (found {} × {}). Warp it onto a square grid first",
            raster.display(),
            t[1],
            t[5].abs()
        );
    }
    if nedra_io::crs::is_geographic(&grid.crs_wkt) {
        bail!(
            "{}: the grid is geographic (cells of {} degrees): a derivative per degree mixes units, as a degree of longitude is shorter than one of latitude. Warp the raster onto a projected grid in metres first (e.g. gdalwarp -t_srs EPSG:<UTM zone>)",
            raster.display(),
            t[1]
        );
    }
    reader.require_data()?;
    crate::pipeline::write_derivative(&grid, &reader, which, halo, out, "derivative")?;
    let kind = match which {
        nedra_core::derivatives::Derivative::HorizontalGradient => "gradient",
        nedra_core::derivatives::Derivative::Vertical => "vertical",
        nedra_core::derivatives::Derivative::Tilt => "tilt",
    };
    crate::emit!(
        "derivative {kind} of {} → {}",
        raster.display(),
        out.display()
    );
    Ok(())
}

/// The unit cell a weights table was computed with: AREA_SQ_KM / AREA_UNITS of its rows
/// (`None` when the table has neither column, as some external tables).
fn table_unit_cell_km2(table: &WeightsTable) -> Option<f64> {
    table
        .rows
        .iter()
        .find(|r| r.area_km2 > 0.0 && r.area_units > 0.0)
        .map(|r| r.area_km2 / r.area_units)
}
