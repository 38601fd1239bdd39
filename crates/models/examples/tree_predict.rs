//! Time of tree-ensemble prediction, the node walk against the compiled complete trees (the
//! same bits), in nanoseconds per tree per row on one core.
//!
//! Fits gradient boosting (300 trees of depth 3, nedra's run defaults otherwise) and random
//! forests (50 trees; unlimited depth with 5 samples per leaf as `nedra run`, and depth 8) on
//! 4,000 samples of 8 features, then predicts 262,144 rows in batches of 2,048 (as
//! `nedra predict`) on one thread, with and without the Saabas contributions. Two sets of
//! rows: independent uniform rows (the node walk's branches unpredictable) and the cells of a
//! 512 × 512 grid of smooth fields in row order (neighbouring cells take the same paths, as
//! on a map, so the node walk's branches are well predicted). The data are
//! built before the clock starts; the two evaluations alternate, `REPEATS` runs each, and the
//! medians are printed as a Markdown table.
//!
//! Usage: `cargo run --release -p nedra-models --example tree_predict [-- repeats]`.

use std::time::Instant;

use nedra_models::{
    BoostingOptions, ClassWeighting, Classifier, ForestOptions, SplitMix64, TrainingSet,
};

const FEATURES: usize = 8;
const SAMPLES: usize = 4000;
const ROWS: usize = 1 << 18;
const BATCH: usize = 2048;

/// Eight uniform features; y ~ Bernoulli(σ(3x₀ − 2x₁ + 4x₂x₃ − 2.5)); balanced weights.
fn training_set(rng: &mut SplitMix64) -> TrainingSet {
    let (mut f, mut l) = (vec![], vec![]);
    for _ in 0..SAMPLES {
        let x: Vec<f64> = (0..FEATURES).map(|_| rng.uniform()).collect();
        let eta = 3.0 * x[0] - 2.0 * x[1] + 4.0 * x[2] * x[3] - 2.5;
        l.push(rng.uniform() < 1.0 / (1.0 + (-eta).exp()));
        f.extend(x);
    }
    TrainingSet::new(FEATURES, f, l, vec![0.0; SAMPLES], vec![0.0; SAMPLES])
        .and_then(|t| t.with_class_weighting(ClassWeighting::Balanced))
        .expect("a valid training set")
}

/// The cells of a 512 × 512 grid, row by row, of 8 smooth fields in [0, 1): each a sum of
/// three random plane waves.
fn smooth_rows(rng: &mut SplitMix64) -> Vec<f64> {
    let side = (ROWS as f64).sqrt() as usize;
    let waves: Vec<[f64; 3]> = (0..FEATURES * 3)
        .map(|_| {
            [
                rng.uniform() * 24.0 - 12.0,
                rng.uniform() * 24.0 - 12.0,
                rng.uniform() * 6.3,
            ]
        })
        .collect();
    let mut rows = Vec::with_capacity(ROWS * FEATURES);
    for r in 0..side {
        for c in 0..side {
            let (x, y) = (c as f64 / side as f64, r as f64 / side as f64);
            for w in waves.chunks_exact(3) {
                let s: f64 = w.iter().map(|[a, b, ph]| (a * x + b * y + ph).sin()).sum();
                rows.push(0.5 + s / 6.0);
            }
        }
    }
    rows
}

/// Seconds to predict every row of `rows` in batches, with or without contributions.
fn predict_seconds(model: &dyn Classifier, rows: &[f64], explain: bool) -> f64 {
    let mut out = vec![0.0; BATCH];
    let mut c = vec![0.0; BATCH * FEATURES];
    let start = Instant::now();
    for batch in rows.chunks(BATCH * FEATURES) {
        let n = batch.len() / FEATURES;
        model.predict_batch(
            batch,
            &mut out[..n],
            explain.then_some(&mut c[..n * FEATURES]),
        );
        std::hint::black_box(&out);
    }
    start.elapsed().as_secs_f64()
}

/// Name, trees, the model walking nodes, the compiled model.
type Compared = (
    &'static str,
    usize,
    Box<dyn Classifier>,
    Box<dyn Classifier>,
);

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let repeats: usize = std::env::args()
        .nth(1)
        .map_or(5, |a| a.parse().expect("repeats: a whole number"));
    let mut rng = SplitMix64::new(2026);
    let data = training_set(&mut rng);
    let uniform: Vec<f64> = (0..ROWS * FEATURES).map(|_| rng.uniform()).collect();
    let smooth = smooth_rows(&mut rng);
    let gbt = BoostingOptions {
        trees: 300,
        min_samples_leaf: 5,
        ..BoostingOptions::default()
    }
    .fit(&data, 1)
    .expect("boosting fits");
    let forest = |max_depth| {
        ForestOptions {
            trees: 50,
            min_samples_leaf: 5,
            max_depth,
            ..ForestOptions::default()
        }
        .fit(&data, 1)
        .expect("the forest fits")
    };
    let (deep, shallow) = (forest(None), forest(Some(8)));
    let models: Vec<Compared> = vec![
        (
            "gradient boosting, 300 trees of depth 3",
            gbt.trees(),
            Box::new(gbt.clone().node_walk_only()),
            Box::new(gbt),
        ),
        (
            "random forest, 50 trees, depth ≤ 8",
            shallow.trees(),
            Box::new(shallow.clone().node_walk_only()),
            Box::new(shallow),
        ),
        (
            "random forest, 50 trees, unlimited depth (nedra run)",
            deep.trees(),
            Box::new(deep.clone().node_walk_only()),
            Box::new(deep),
        ),
    ];
    println!(
        "{ROWS} rows x {FEATURES} features in batches of {BATCH}, one thread, median of {repeats} alternating runs"
    );
    println!(
        "| model | rows | explanations | node walk ns/tree/row | compiled ns/tree/row | speed-up |"
    );
    println!("| --- | --- | --- | ---: | ---: | ---: |");
    for (name, trees, walk, compiled) in &models {
        for ((kind, rows), explain) in [("uniform", &uniform), ("smooth map", &smooth)]
            .into_iter()
            .flat_map(|r| [(r, false), (r, true)])
        {
            let (mut a, mut b) = (vec![], vec![]);
            for _ in 0..repeats {
                a.push(predict_seconds(walk.as_ref(), rows, explain));
                b.push(predict_seconds(compiled.as_ref(), rows, explain));
            }
            let per = 1e9 / (ROWS * trees) as f64;
            let (a, b) = (median(a) * per, median(b) * per);
            println!(
                "| {name} | {kind} | {} | {a:.2} | {b:.2} | {:.2}x |",
                if explain { "with" } else { "without" },
                a / b
            );
        }
    }
}
