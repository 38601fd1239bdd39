//! Validation outputs shared by `nedra run` and `nedra validate`: `validation.json` and curves,
//! from score distributions held in memory bounded by the deposits and a fixed number of bins
//! (an exact histogram while a map has few distinct scores).

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use nedra_core::{stream_blocks, Grid};
use nedra_io::{files, RasterReader};
use nedra_models::{
    thin_pa_plot, ScanError, ScoreDistribution, ScoreLimits, ScoreScan, ScoreSurvey,
    ValidationOptions, ValidationReport,
};
use serde_json::{json, Value};

use crate::pipeline::{blocks_in_flight, progress, Deposits, BLOCK_SIZE};

/// A score raster's valid cells, read again block by block for validation's later passes
/// (blocks in parallel, as every pass).
pub struct RasterScores<'a> {
    /// The grid of the raster.
    pub grid: &'a Grid,
    /// The score raster.
    pub reader: &'a RasterReader,
    /// What the pass is called in progress reports.
    pub what: &'a str,
}

impl ScoreScan for RasterScores<'_> {
    fn reduce<A, B, M>(&self, total: &mut A, block: B, mut merge: M) -> Result<(), ScanError>
    where
        A: Send,
        B: Fn(&[f64]) -> A + Sync,
        M: FnMut(&mut A, A),
    {
        let windows = self.grid.windows(BLOCK_SIZE);
        let bar = progress(windows.len(), self.what);
        stream_blocks(
            &windows,
            blocks_in_flight(),
            |w| -> Result<_, ScanError> { Ok(self.reader.read(w)?) },
            |_, b| {
                let scores: Vec<f64> = (0..b.values.len()).filter_map(|i| b.get(i)).collect();
                block(&scores)
            },
            |_, part| -> Result<(), ScanError> {
                merge(total, part);
                bar.inc(1);
                Ok(())
            },
        )
    }
}

/// The score distributions of a raster with each set of deposits: one streaming pass, and
/// when the raster has more distinct scores than an exact histogram may hold, a second pass
/// for all the sets together and a few over single bins for the P-A crossings (see
/// [`ScoreDistribution`]). Memory: blocks in flight, deposits and a fixed number of bins.
///
/// # Errors
/// Read failures.
pub fn score_histograms(
    grid: &Grid,
    score: &RasterReader,
    sets: &[&Deposits],
) -> Result<Vec<ScoreDistribution>> {
    score_histograms_with(grid, score, sets, ScoreLimits::default())
}

/// [`score_histograms`] with other limits (e.g. no exact histogram at all, to check the
/// bounded path on real data).
///
/// # Errors
/// Read failures.
pub fn score_histograms_with(
    grid: &Grid,
    score: &RasterReader,
    sets: &[&Deposits],
    limits: ScoreLimits,
) -> Result<Vec<ScoreDistribution>> {
    let windows = grid.windows(BLOCK_SIZE);
    let bar = progress(windows.len(), "validation histogram");
    let mut totals = vec![ScoreSurvey::with_limits(limits); sets.len()];
    // Once the merged survey has given up its exact histogram, blocks skip building theirs.
    let exact = AtomicBool::new(true);
    stream_blocks(
        &windows,
        blocks_in_flight(),
        |w| -> Result<_> { Ok(score.read(w)?) },
        |w, block| {
            let keep_exact = exact.load(Ordering::Relaxed);
            sets.iter()
                .map(|d| {
                    let mut at = vec![0u64; w.len()];
                    for (i, n) in d.in_window(w) {
                        at[i] = n;
                    }
                    let mut s = ScoreSurvey::with_limits(limits);
                    if !keep_exact {
                        s.drop_exact();
                    }
                    for (i, &n) in at.iter().enumerate() {
                        if let Some(v) = block.get(i) {
                            s.add_cell(v, n);
                        }
                    }
                    s
                })
                .collect::<Vec<_>>()
        },
        |_, parts| -> Result<()> {
            for (t, s) in totals.iter_mut().zip(parts) {
                t.merge(s);
            }
            if totals.iter().any(|t| !t.is_exact()) {
                exact.store(false, Ordering::Relaxed);
            }
            bar.inc(1);
            Ok(())
        },
    )?;
    drop(bar);
    let scan = RasterScores {
        grid,
        reader: score,
        what: "validation ranks",
    };
    Ok(ScoreDistribution::from_surveys(totals, &scan)?)
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

/// Writes `success_rate.csv` (and `prediction_rate.csv` with held-out deposits), `pa_plot.csv`,
/// `roc.csv` (the training deposits' ROC curve, whose trapezoid area is `roc_auc`) and returns the `validation.json` body (not yet written, so callers can add to it).
///
/// # Errors
/// Validation or write failures.
pub fn write_validation(
    dir: &Path,
    train: &ScoreDistribution,
    test: Option<&ScoreDistribution>,
    options: &ValidationOptions,
) -> Result<Value> {
    let train_report = train.validate(options)?;
    let mut csv = Vec::new();
    train.success_rate()?.write_csv(&mut csv)?;
    files::write_atomic(&dir.join("success_rate.csv"), &csv)?;
    let mut pa = csv::Writer::from_writer(Vec::new());
    pa.write_record(["score", "prediction_rate", "occupied_area"])?;
    // Thinned to steps of 0.1 % of the area (every prediction-rate step kept); numbers as
    // Rust's shortest round-trip `{}`.
    for (s, p, o) in thin_pa_plot(&train.pa_plot(), 0.001) {
        pa.write_record([s.to_string(), p.to_string(), o.to_string()])?;
    }
    let pa = pa.into_inner().context("writing pa_plot.csv")?;
    files::write_atomic(&dir.join("pa_plot.csv"), &pa)?;
    let mut csv = Vec::new();
    train.roc_curve()?.write_csv(&mut csv)?;
    files::write_atomic(&dir.join("roc.csv"), &csv)?;
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
            "roc_curve": "roc.csv: vertices (false-positive rate, true-positive rate, score threshold) by decreasing threshold, one at each end of every tied group holding deposits; straight between them, so its trapezoid area is roc_auc; the interval is roc_auc_interval's (the curve itself is not bootstrapped)",
            "pa_plot": "rows by decreasing score threshold, thinned to steps of 0.1 % of the area with every prediction-rate step kept; a map with more distinct scores than an exact histogram holds takes its rows at the lowest score of each equal-width score bin (each row an exact point of the plot)",
        },
        "score_histogram": if train.is_exact() {
            "exact: one bin per distinct score"
        } else {
            "bounded: exact counts of cells above and level with each deposit score, equal-width bins for the P-A plot, exact order statistics for thresholds"
        },
    });
    if let Some(test) = test {
        let report = test.validate(options)?;
        let mut csv = Vec::new();
        test.success_rate()?.write_csv(&mut csv)?;
        files::write_atomic(&dir.join("prediction_rate.csv"), &csv)?;
        v["prediction"] = report_json(&report);
        v["prediction_rate_auc"] = json!(report.rate_auc);
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nedra_core::{Block, Window};
    use nedra_io::{DataType, RasterWriter};
    use nedra_models::{ScoreHistogram, SplitMix64};

    use crate::targets::{threshold, TargetRule};

    /// A 600×300 float32 map (two block columns) with about 180 000 distinct scores, ties at
    /// 0.5, NoData cells, and two sets of deposits (some on ties and NoData): the bounded
    /// path over a real raster gives the exact histogram's figures and thresholds.
    #[test]
    fn a_raster_with_many_distinct_scores_validates_as_its_exact_histogram() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("score.tif");
        let grid = Grid::new("", [0.0, 1.0, 0.0, 300.0, 0.0, -1.0], 600, 300).unwrap();
        let window = Window {
            col_off: 0,
            row_off: 0,
            width: 600,
            height: 300,
        };
        let mut rng = SplitMix64::new(11);
        let mut block = Block::empty(window);
        for i in 0..window.len() {
            let u = rng.uniform();
            if i % 101 != 0 {
                block.values[i] = if i % 13 == 0 { 0.5 } else { u * u };
                block.valid[i] = true;
            }
        }
        let mut w = RasterWriter::create(&path, &grid, DataType::Float32).unwrap();
        w.write(&block).unwrap();
        w.finish().unwrap();
        let deposits = |step: usize, offset: usize| {
            let cells: Vec<(usize, usize, u64)> = (offset..window.len())
                .step_by(step)
                .map(|i| (i / 600, i % 600, 1 + (i % 2) as u64))
                .collect();
            let total = cells.iter().map(|c| c.2).sum();
            Deposits {
                cells,
                total,
                dropped: 0,
                exact_duplicates: 0,
                stacked_cells: 0,
                merged: 0,
            }
        };
        let (train, test) = (deposits(997, 0), deposits(1301, 13 * 7));
        let reader = RasterReader::open(&path).unwrap();
        let dists = score_histograms(&grid, &reader, &[&train, &test]).unwrap();
        let full = reader.read(window).unwrap();
        let options = ValidationOptions::default();
        for (d, set) in dists.iter().zip([&train, &test]) {
            assert!(!d.is_exact());
            let mut h = ScoreHistogram::new();
            let mut at = vec![0u64; window.len()];
            for &(r, c, n) in &set.cells {
                at[r * 600 + c] = n;
            }
            for (i, &n) in at.iter().enumerate() {
                if let Some(v) = full.get(i) {
                    h.add_cell(v, n);
                }
            }
            assert!(h.distinct_scores() > 100_000);
            assert_eq!(
                d.validate(&options).unwrap(),
                nedra_models::validate(&h, &options).unwrap()
            );
            assert_eq!(d.roc_auc().unwrap(), h.roc_auc().unwrap());
            assert_eq!(
                d.success_rate().unwrap().vertices(),
                h.success_rate().unwrap().vertices()
            );
            assert_eq!(d.total_deposits(), h.total_deposits());
            let exact = ScoreDistribution::from_histogram(h);
            let scores = RasterScores {
                grid: &grid,
                reader: &reader,
                what: "test",
            };
            for rule in [
                TargetRule::TopPercent(5.0),
                TargetRule::TopPercent(100.0),
                TargetRule::PaCrossing,
            ] {
                assert_eq!(
                    threshold(rule, d, &scores).unwrap(),
                    threshold(rule, &exact, &scores).unwrap(),
                    "{rule:?}"
                );
            }
        }
        let out = write_validation(dir.path(), &dists[0], Some(&dists[1]), &options).unwrap();
        assert!(out["score_histogram"]
            .as_str()
            .unwrap()
            .starts_with("bounded"));
        let pa = std::fs::read_to_string(dir.path().join("pa_plot.csv")).unwrap();
        assert!(pa.lines().count() > 500, "{}", pa.lines().count());
        let roc_auc = out["roc_auc"].as_f64().unwrap();
        let area = roc_csv_area(dir.path());
        assert!((area - roc_auc).abs() < 1e-9, "{area} vs {roc_auc}");
    }

    /// The trapezoid area under the run folder's roc.csv, checking its header and that it
    /// runs monotonely from (0, 0) to (1, 1).
    fn roc_csv_area(dir: &Path) -> f64 {
        let text = std::fs::read_to_string(dir.join("roc.csv")).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("false_positive_rate,true_positive_rate,score")
        );
        let points: Vec<(f64, f64)> = lines
            .map(|l| {
                let v: Vec<f64> = l.split(',').map(|x| x.parse().unwrap()).collect();
                (v[0], v[1])
            })
            .collect();
        assert_eq!(points[0], (0.0, 0.0));
        assert_eq!(points[points.len() - 1], (1.0, 1.0));
        points.windows(2).fold(0.0, |area, w| {
            assert!(w[0].0 <= w[1].0 && w[0].1 <= w[1].1, "{w:?}");
            area + (w[1].0 - w[0].0) * (w[1].1 + w[0].1) / 2.0
        })
    }

    /// A small map with ties (an exact histogram): the area under roc.csv is the reported
    /// ROC AUC, the Mann–Whitney statistic.
    #[test]
    fn the_area_under_roc_csv_is_the_reported_roc_auc() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = ScoreHistogram::new();
        let mut rng = SplitMix64::new(3);
        for i in 0..5_000 {
            let score = (rng.uniform() * 40.0).floor() / 40.0;
            let deposits = u64::from(rng.uniform() < 0.02 * (1.0 + 3.0 * score));
            h.add_cell(score, deposits * (1 + (i % 2)));
        }
        let d = ScoreDistribution::from_histogram(h.clone());
        let out = write_validation(dir.path(), &d, None, &ValidationOptions::default()).unwrap();
        let roc_auc = out["roc_auc"].as_f64().unwrap();
        // validate() averages per-deposit shares; roc_auc() divides exact integers once.
        assert!((roc_auc - h.roc_auc().unwrap()).abs() < 1e-12);
        let area = roc_csv_area(dir.path());
        assert!((area - roc_auc).abs() < 1e-9, "{area} vs {roc_auc}");
        assert!(out["roc_auc_interval"].is_array());
    }
}
