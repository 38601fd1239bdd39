//! Builds a synthetic prospectivity data set with a known relationship, runs nedra's logistic
//! regression and random forest through spatial block cross-validation, and writes what
//! `bench/models_compare.py` needs to run scikit-learn on the same samples and folds:
//!
//! - `dataset.csv`: training samples `x,y,label,fold,f0..f5` (deposits + background);
//! - `grid.csv`: the features of every cell `f0..f5` (for whole-grid prediction timing);
//! - `rust.csv`: `model,fold,roc_auc,prediction_rate_auc` per fold, from nedra;
//! - `rust_rf_seeds.csv`: `seed,mean_roc_auc` of the forest for seeds 1–5;
//! - `rust_timings.csv`: `model,cv_s,fit_s,predict_grid_s` (fit on all samples, then score
//!   every cell).
//!
//! Usage: `cargo run --release -p nedra-models --example export_dataset -- <out-dir> [side]`
//! (side: cells per grid side, default 400, cell 100 m).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;

use nedra_models::{
    block_folds, cross_validate, sample_training_set, BoostingOptions, ClassWeighting, Classifier,
    CrossValidation, FeatureMatrix, FoldScheme, ForestOptions, LogisticOptions, SamplingOptions,
    SplitMix64,
};

const CELL_M: f64 = 100.0;
const FEATURES: usize = 6;
const BLOCK_M: f64 = 4000.0;
const FOLDS: usize = 5;
const FOLD_SEED: u64 = 7;

/// Evidence layers of one cell at (x, y) metres; `noise` is a white-noise draw.
fn features(x: f64, y: f64, noise: f64) -> [f64; FEATURES] {
    let km = |v: f64| v / 1000.0;
    // f0: smooth "magnetic" field; f1: distance (km) to a NE-striking fault; f2: two
    // geochemical haloes; f3: a favourable unit (binary); f4: white noise; f5: an
    // unrelated smooth field.
    let f0 = (km(x) / 3.0).sin() + 0.5 * (km(y) / 4.5).cos();
    let f1 = (km(x) - km(y) - 5.0).abs() / 2f64.sqrt();
    let halo =
        |cx: f64, cy: f64, r: f64| (-((km(x) - cx).powi(2) + (km(y) - cy).powi(2)) / (r * r)).exp();
    let f2 = halo(12.0, 25.0, 6.0) + 0.8 * halo(30.0, 10.0, 4.0);
    let f3 = if (km(x) * 0.6 + km(y) * 0.3).sin() > 0.4 {
        1.0
    } else {
        0.0
    };
    let f5 = (km(x) / 7.0 + km(y) / 5.0).cos();
    [f0, f1, f2, f3, noise, f5]
}

/// True log-odds of a deposit in a cell: linear terms and one interaction.
fn log_odds(f: &[f64; FEATURES]) -> f64 {
    let interaction = if f[0] > 0.5 && f[1] < 2.0 { 1.5 } else { 0.0 };
    -6.6 + 1.2 * f[0] - 0.5 * f[1] + 2.5 * f[2] + 1.0 * f[3] + interaction
}

fn write_cv(out: &mut impl Write, model: &str, cv: &CrossValidation) -> std::io::Result<()> {
    for r in &cv.folds {
        let show = |v: Option<f64>| v.map_or_else(|| "nan".to_string(), |v| v.to_string());
        writeln!(
            out,
            "{model},{},{},{}",
            r.fold,
            show(r.roc_auc),
            show(r.prediction_rate_auc)
        )?;
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(
        args.next()
            .ok_or("usage: export_dataset <out-dir> [side]")?,
    );
    let side: usize = args.next().map_or(Ok(400), |s| s.parse())?;
    std::fs::create_dir_all(&dir)?;

    let mut rng = SplitMix64::new(20240601);
    let (mut values, mut xs, mut ys, mut deposits) = (vec![], vec![], vec![], vec![]);
    for r in 0..side {
        for c in 0..side {
            let (x, y) = ((c as f64 + 0.5) * CELL_M, (r as f64 + 0.5) * CELL_M);
            let f = features(x, y, rng.uniform());
            if rng.uniform() < 1.0 / (1.0 + (-log_odds(&f)).exp()) {
                deposits.push(xs.len());
            }
            values.extend(f);
            xs.push(x);
            ys.push(y);
        }
    }
    let matrix = FeatureMatrix::new(FEATURES, values, xs, ys)?;
    let data = sample_training_set(
        &matrix,
        &deposits,
        &SamplingOptions {
            background_count: 3000,
            exclusion_buffer: 500.0,
            class_weighting: ClassWeighting::None,
            seed: 11,
        },
    )?;
    let folds = block_folds(data.x(), data.y(), BLOCK_M, FOLDS, FOLD_SEED)?;
    eprintln!(
        "grid {side}x{side} cells of {CELL_M} m, {} deposits, {} background samples, {FOLDS} block folds of {BLOCK_M} m",
        data.positives(),
        data.len() - data.positives()
    );

    let mut csv = BufWriter::new(File::create(dir.join("dataset.csv"))?);
    writeln!(csv, "x,y,label,fold,f0,f1,f2,f3,f4,f5")?;
    for (i, fold) in folds.iter().enumerate() {
        let row: Vec<String> = data.row(i).iter().map(f64::to_string).collect();
        writeln!(
            csv,
            "{},{},{},{},{}",
            data.x()[i],
            data.y()[i],
            u8::from(data.labels()[i]),
            fold,
            row.join(",")
        )?;
    }
    csv.flush()?;
    let mut grid = BufWriter::new(File::create(dir.join("grid.csv"))?);
    writeln!(grid, "f0,f1,f2,f3,f4,f5")?;
    for i in 0..matrix.n_rows() {
        let row: Vec<String> = matrix.row(i).iter().map(f64::to_string).collect();
        writeln!(grid, "{}", row.join(","))?;
    }
    grid.flush()?;

    let scheme = FoldScheme::Blocks {
        block_size: BLOCK_M,
        folds: FOLDS,
        seed: FOLD_SEED,
    };
    let mut results = BufWriter::new(File::create(dir.join("rust.csv"))?);
    writeln!(results, "model,fold,roc_auc,prediction_rate_auc")?;
    let mut timings = BufWriter::new(File::create(dir.join("rust_timings.csv"))?);
    writeln!(timings, "model,cv_s,fit_s,predict_grid_s")?;

    let logistic = LogisticOptions::default();
    let t = Instant::now();
    let cv = cross_validate(&logistic, &data, &scheme, 1)?;
    let cv_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let model = logistic.fit(&data)?;
    let fit_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let grid_scores = model.probabilities(&matrix);
    let predict_s = t.elapsed().as_secs_f64();
    eprintln!(
        "logistic: intercept {:.4}, coefficients {:?}, se {:?}, mean spatial-CV ROC AUC {:.4} (grid mean {:.5})",
        model.intercept,
        model.coefficients,
        model.standard_errors,
        cv.mean_roc_auc,
        grid_scores.iter().sum::<f64>() / grid_scores.len() as f64
    );
    write_cv(&mut results, "logistic", &cv)?;
    writeln!(timings, "logistic,{cv_s},{fit_s},{predict_s}")?;

    let forest = ForestOptions {
        trees: 200,
        ..ForestOptions::default()
    };
    let t = Instant::now();
    let cv = cross_validate(&forest, &data, &scheme, 1)?;
    let cv_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let model = forest.fit(&data, 1)?;
    let fit_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let grid_scores = model.probabilities(&matrix);
    let predict_s = t.elapsed().as_secs_f64();
    eprintln!(
        "random forest: {} nodes, mean spatial-CV ROC AUC {:.4} (grid mean {:.5})",
        model.nodes(),
        cv.mean_roc_auc,
        grid_scores.iter().sum::<f64>() / grid_scores.len() as f64
    );
    write_cv(&mut results, "random_forest", &cv)?;
    writeln!(timings, "random_forest,{cv_s},{fit_s},{predict_s}")?;
    let boosting = BoostingOptions::default();
    let t = Instant::now();
    let cv = cross_validate(&boosting, &data, &scheme, 1)?;
    let cv_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let model = boosting.fit(&data, 1)?;
    let fit_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let grid_scores = model.probabilities(&matrix);
    let predict_s = t.elapsed().as_secs_f64();
    eprintln!(
        "gradient boosting: {} trees, mean spatial-CV ROC AUC {:.4} (grid mean {:.5})",
        model.trees(),
        cv.mean_roc_auc,
        grid_scores.iter().sum::<f64>() / grid_scores.len() as f64
    );
    write_cv(&mut results, "gradient_boosting", &cv)?;
    writeln!(timings, "gradient_boosting,{cv_s},{fit_s},{predict_s}")?;
    // Spread of the forest's mean CV AUC over seeds, to judge differences from sklearn.
    let mut seeds = BufWriter::new(File::create(dir.join("rust_rf_seeds.csv"))?);
    writeln!(seeds, "seed,mean_roc_auc")?;
    for seed in 1..=5 {
        let cv = cross_validate(&forest, &data, &scheme, seed)?;
        writeln!(seeds, "{seed},{}", cv.mean_roc_auc)?;
    }
    seeds.flush()?;
    results.flush()?;
    timings.flush()?;
    Ok(())
}
