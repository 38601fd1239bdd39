//! Time of gradient-boosting training, the exact greedy search against the histogram
//! algorithm (Ke et al. 2017), on 10⁵ and 10⁶ synthetic samples of 8 features, with the
//! held-out ROC AUC of each model.
//!
//! Two settings: 300 trees of depth 3 and nedra's run defaults (200 trees of depth 3); both
//! with learning rate 0.05, at least 5 samples per leaf and L2 leaf penalty 1, no
//! subsampling. The samples: eight uniform features on [0, 1), y ~ Bernoulli(σ(3x₀ − 2x₁ +
//! 4x₂x₃ − 2.5)) (as the `tree_predict` example), unit weights; 100,000 more samples held
//! out for the AUC. The data are built before the clock starts; the exact and histogram fits
//! alternate (paired runs), `REPEATS` runs each, and the medians are printed as a Markdown
//! table. Threads: the histogram fit spreads a node's features over rayon's pool (set
//! `RAYON_NUM_THREADS`), the exact fit uses one.
//!
//! With `--write DIR`, also writes the data for `bench/models_compare.sh gbt_train` (LightGBM
//! on the same samples): `DIR/train_<n>.f64` and `DIR/test.f64` (row-major little-endian
//! f64, 8 per sample) and `DIR/train_<n>.u8` / `DIR/test.u8` (labels 0/1), and the figures
//! as `DIR/rust_gbt.csv`.
//!
//! Usage: `cargo run --release -p nedra-models --example gbt_train [-- REPEATS [SIZES]
//! [--write DIR]]`, SIZES comma-separated (default `100000,1000000`).

use std::io::Write;
use std::time::Instant;

use nedra_models::{roc_auc, BoostingOptions, Classifier, Histogram, SplitMix64, TrainingSet};

const FEATURES: usize = 8;
const HELD_OUT: usize = 100_000;

/// Features (row-major) and labels of `n` samples.
fn samples(n: usize, rng: &mut SplitMix64) -> (Vec<f64>, Vec<bool>) {
    let (mut f, mut l) = (Vec::with_capacity(n * FEATURES), Vec::with_capacity(n));
    for _ in 0..n {
        let x: Vec<f64> = (0..FEATURES).map(|_| rng.uniform()).collect();
        let eta = 3.0 * x[0] - 2.0 * x[1] + 4.0 * x[2] * x[3] - 2.5;
        l.push(rng.uniform() < 1.0 / (1.0 + (-eta).exp()));
        f.extend(x);
    }
    (f, l)
}

fn training_set(f: &[f64], l: &[bool]) -> TrainingSet {
    let n = l.len();
    TrainingSet::new(FEATURES, f.to_vec(), l.to_vec(), vec![0.0; n], vec![0.0; n])
        .expect("a valid training set")
}

fn write(dir: &str, name: &str, f: &[f64], l: &[bool]) -> std::io::Result<()> {
    let bytes: Vec<u8> = f.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(format!("{dir}/{name}.f64"), bytes)?;
    let labels: Vec<u8> = l.iter().map(|&y| u8::from(y)).collect();
    std::fs::write(format!("{dir}/{name}.u8"), labels)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = args.iter().take_while(|a| *a != "--write");
    let repeats: usize = positional
        .next()
        .map_or(3, |a| a.parse().expect("repeats: a whole number"));
    let sizes: Vec<usize> = positional.next().map_or(vec![100_000, 1_000_000], |a| {
        a.split(',')
            .map(|s| s.parse().expect("sizes: whole numbers"))
            .collect()
    });
    let dir = args
        .iter()
        .position(|a| a == "--write")
        .map(|i| args.get(i + 1).expect("--write DIR").clone());
    if let Some(d) = &dir {
        std::fs::create_dir_all(d)?;
    }
    let mut rng = SplitMix64::new(2026);
    let (test_f, test_l) = samples(HELD_OUT, &mut rng);
    if let Some(d) = &dir {
        write(d, "test", &test_f, &test_l)?;
    }
    let test = training_set(&test_f, &test_l);
    let auc = |model: &dyn Classifier| {
        let mut out = vec![0.0; HELD_OUT];
        model.predict_batch(&test_f, &mut out, None);
        roc_auc(&out, test.labels()).expect("both classes held out")
    };
    let threads = rayon::current_num_threads();
    println!(
        "{repeats} paired runs, medians; histogram fit on {threads} rayon thread(s), exact on 1"
    );
    println!();
    println!("| samples | trees × depth | exact s | histogram s | speed-up | AUC exact | AUC histogram |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let mut csv = String::from("samples,trees,depth,exact_s,histogram_s,auc_exact,auc_histogram\n");
    for &n in &sizes {
        let (f, l) = samples(n, &mut rng);
        if let Some(d) = &dir {
            write(d, &format!("train_{n}"), &f, &l)?;
        }
        let data = training_set(&f, &l);
        drop((f, l));
        for trees in [300, 200] {
            let options = |histogram| BoostingOptions {
                trees,
                learning_rate: 0.05,
                max_depth: 3,
                min_samples_leaf: 5,
                l2_leaf: 1.0,
                histogram,
                ..BoostingOptions::default()
            };
            let (mut exact_s, mut hist_s) = (vec![], vec![]);
            let (mut exact, mut binned) = (None, None);
            for _ in 0..repeats {
                let start = Instant::now();
                exact = Some(options(Histogram::Off).fit(&data, 1).expect("fits"));
                exact_s.push(start.elapsed().as_secs_f64());
                let start = Instant::now();
                binned = Some(options(Histogram::On).fit(&data, 1).expect("fits"));
                hist_s.push(start.elapsed().as_secs_f64());
            }
            let (e, h) = (median(exact_s), median(hist_s));
            let (a, b) = (auc(&exact.expect("fitted")), auc(&binned.expect("fitted")));
            println!(
                "| {n} | {trees} × 3 | {e:.2} | {h:.2} | {:.1}× | {a:.4} | {b:.4} |",
                e / h
            );
            std::io::stdout().flush()?;
            csv.push_str(&format!("{n},{trees},3,{e},{h},{a},{b}\n"));
        }
    }
    if let Some(d) = &dir {
        std::fs::write(format!("{d}/rust_gbt.csv"), csv)?;
    }
    Ok(())
}
