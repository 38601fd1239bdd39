//! Validation outputs shared by `nedra run` and `nedra validate`: `validation.json` and curves.

use std::path::Path;

use anyhow::{Context, Result};
use nedra_core::{stream_blocks, Grid};
use nedra_io::{files, RasterReader};
use nedra_models::{
    pa_plot, thin_pa_plot, validate, ScoreHistogram, ValidationOptions, ValidationReport,
};
use serde_json::{json, Value};

use crate::pipeline::{blocks_in_flight, progress, Deposits, BLOCK_SIZE};

/// Histograms of a score raster with each set of deposits, in one streaming pass.
///
/// # Errors
/// Read failures.
pub fn score_histograms(
    grid: &Grid,
    score: &RasterReader,
    sets: &[&Deposits],
) -> Result<Vec<ScoreHistogram>> {
    let windows = grid.windows(BLOCK_SIZE);
    let bar = progress(windows.len(), "validation histogram");
    let mut totals = vec![ScoreHistogram::new(); sets.len()];
    stream_blocks(
        &windows,
        blocks_in_flight(),
        |w| -> Result<_> { Ok(score.read(w)?) },
        |w, block| {
            sets.iter()
                .map(|d| {
                    let mut at = vec![0u64; w.len()];
                    for (i, n) in d.in_window(w) {
                        at[i] = n;
                    }
                    let mut h = ScoreHistogram::new();
                    for (i, &n) in at.iter().enumerate() {
                        if let Some(v) = block.get(i) {
                            h.add_cell(v, n);
                        }
                    }
                    h
                })
                .collect::<Vec<_>>()
        },
        |_, hs| -> Result<()> {
            for (t, h) in totals.iter_mut().zip(&hs) {
                t.merge(h);
            }
            bar.inc(1);
            Ok(())
        },
    )?;
    drop(bar);
    Ok(totals)
}

/// JSON of one validation report.
pub fn report_json(r: &ValidationReport) -> Value {
    let interval = |i: Option<(f64, f64)>| i.map(|(lo, hi)| json!([lo, hi]));
    json!({
        "deposits": r.deposits,
        "cells": r.cells,
        "rate_auc": r.rate_auc,
        "rate_auc_interval": interval(r.rate_auc_interval),
        "roc_auc": r.roc_auc,
        "roc_auc_interval": interval(r.roc_auc_interval),
        "captures": r.captures.iter().map(|c| json!({
            "share_of_deposits": c.share_of_deposits,
            "fraction_of_area": c.fraction_of_area,
            "score_threshold": c.score,
            "fraction_of_area_interval": interval(c.interval),
        })).collect::<Vec<_>>(),
        "pa_crossing": {
            "score_threshold": r.pa_crossing.score,
            "prediction_rate": r.pa_crossing.prediction_rate,
            "occupied_area": r.pa_crossing.occupied_area,
            "normalised_density": r.pa_crossing.normalised_density,
            "weight": r.pa_crossing.weight,
        },
    })
}

/// Writes `success_rate.csv` (and `prediction_rate.csv` with held-out deposits), `pa_plot.csv`
/// and returns the `validation.json` body (not yet written, so callers can add to it).
///
/// # Errors
/// Validation or write failures.
pub fn write_validation(
    dir: &Path,
    train: &ScoreHistogram,
    test: Option<&ScoreHistogram>,
    options: &ValidationOptions,
) -> Result<Value> {
    let train_report = validate(train, options)?;
    let mut csv = Vec::new();
    train.success_rate()?.write_csv(&mut csv)?;
    files::write_atomic(&dir.join("success_rate.csv"), &csv)?;
    let mut pa = csv::Writer::from_writer(Vec::new());
    pa.write_record(["score", "prediction_rate", "occupied_area"])?;
    // Thinned to steps of 0.1 % of the area (every prediction-rate step kept); numbers as
    // Rust's shortest round-trip `{}`.
    for (s, p, o) in thin_pa_plot(&pa_plot(train), 0.001) {
        pa.write_record([s.to_string(), p.to_string(), o.to_string()])?;
    }
    let pa = pa.into_inner().context("writing pa_plot.csv")?;
    files::write_atomic(&dir.join("pa_plot.csv"), &pa)?;
    let t = report_json(&train_report);
    let mut v = json!({
        "roc_auc": train_report.roc_auc,
        "roc_auc_interval": t["roc_auc_interval"],
        "success_rate_auc": train_report.rate_auc,
        "success_rate_auc_interval": t["rate_auc_interval"],
        "captures": t["captures"],
        "pa_crossing": t["pa_crossing"],
        "training": t,
        "bootstrap": {
            "replicates": options.bootstrap_replicates,
            "seed": options.seed,
            "confidence_level": options.confidence_level,
            "method": "percentile bootstrap over deposit points; cells fixed",
        },
        "conventions": {
            "roc_auc": "Mann-Whitney U / (n_presence * n_absence), ties 1/2; one presence per deposit point; absences = valid cells without a deposit",
            "success_rate_auc": "trapezoid area under fraction of deposits vs fraction of area, cells by decreasing score (ties as one step)",
            "captures": "smallest fraction of area, by decreasing score and whole tied groups, holding at least the share of deposit points",
            "pa_crossing": "prediction rate = 1 - occupied area, linear interpolation between thresholds (Yousefi & Carranza 2015)",
        },
    });
    if let Some(test) = test {
        let report = validate(test, options)?;
        let mut csv = Vec::new();
        test.success_rate()?.write_csv(&mut csv)?;
        files::write_atomic(&dir.join("prediction_rate.csv"), &csv)?;
        v["prediction"] = report_json(&report);
        v["prediction_rate_auc"] = json!(report.rate_auc);
    }
    Ok(v)
}
