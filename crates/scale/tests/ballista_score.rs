//! Model scoring on a local Ballista cluster — `nedra-scheduler` and two `nedra-executor`
//! child processes on 127.0.0.1 — equals the local engine's prediction on the demo's
//! gradient-boosting run and on logistic-regression and random-forest runs of the same
//! project: the Float32 rasters byte for byte (against `nedra predict` and the run's own), and
//! every cell's Float64 score bit for bit against the engine's ensemble called on the whole
//! study area at once.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::cluster::Cluster;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{Float64Type, UInt32Type};
use datafusion::prelude::{col, ident, SessionContext};
use nedra_engine::predict::{predict, PredictOptions};
use nedra_engine::saved_model::SavedModel;
use nedra_io::RasterReader;
use nedra_scale::cluster::connect;
use nedra_scale::score::{run_model, score_run, ModelScoreUdf, FUNCTION_NAME, OUTPUTS, TABLE};

/// `(row, col, prospectivity, uncertainty)` of every study-area cell with a score, computed
/// by the cluster: the scoring UDF over the grid table `score_run` registered.
async fn cluster_cells(ctx: &SessionContext, model: &SavedModel) -> Vec<(u32, u32, f64, f64)> {
    let udf = ModelScoreUdf::new(model.clone()).unwrap().into_udf();
    let args = model.features.iter().map(|f| ident(&f.name)).collect();
    let batches = ctx
        .table(TABLE)
        .await
        .unwrap()
        .filter(col("mask"))
        .unwrap()
        .select(vec![
            col("row"),
            col("col"),
            udf.call(args).alias(FUNCTION_NAME),
        ])
        .unwrap()
        .collect()
        .await
        .unwrap();
    let mut cells = Vec::new();
    for b in &batches {
        let (r, c) = (
            b.column(0).as_primitive::<UInt32Type>(),
            b.column(1).as_primitive::<UInt32Type>(),
        );
        let s = b.column(2).as_struct();
        let (m, sd) = (
            s.column(0).as_primitive::<Float64Type>(),
            s.column(1).as_primitive::<Float64Type>(),
        );
        for i in 0..b.num_rows() {
            if m.is_valid(i) {
                cells.push((r.value(i), c.value(i), m.value(i), sd.value(i)));
            }
        }
    }
    cells.sort_by_key(|&(r, c, _, _)| (r, c));
    cells
}

/// The same cells scored by the local engine's code in this process: the features of every
/// study-area cell ([`nedra_engine::saved_model::SavedFeature::value`]) and one call of the
/// ensemble's [`nedra_engine::saved_model::Ensemble::predict_batch`] on all of them.
fn local_cells(run: &Path, model: &SavedModel) -> Vec<(u32, u32, f64, f64)> {
    let (_, layers) = run_model(run).unwrap();
    let mask = RasterReader::open(&run.join("mask.tif")).unwrap();
    let grid = mask.grid().clone();
    let [all] = grid.windows(grid.width.max(grid.height))[..] else {
        panic!("one window covers the grid");
    };
    let mask = mask.read(all).unwrap();
    let blocks: Vec<_> = layers
        .iter()
        .map(|l| RasterReader::open(&l.path).unwrap().read(all).unwrap())
        .collect();
    let p = model.features.len();
    let (mut at, mut rows) = (Vec::new(), Vec::new());
    for i in 0..all.len() {
        if !mask.valid[i] {
            continue;
        }
        let row: Vec<f64> = model
            .features
            .iter()
            .zip(&blocks)
            .map(|(f, b)| f.value(b, i))
            .collect();
        if row.iter().all(|v| v.is_finite()) {
            at.push(i);
            rows.extend(row);
        }
    }
    assert_eq!(rows.len(), at.len() * p);
    let (mut mean, mut sd) = (vec![0.0; at.len()], vec![0.0; at.len()]);
    model
        .ensemble
        .predict_batch(&rows, &mut mean, &mut sd, None);
    at.iter()
        .enumerate()
        .map(|(k, &i)| {
            (
                (i / all.width) as u32,
                (i % all.width) as u32,
                mean[k],
                sd[k],
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn model_scores_on_two_executors_equal_the_local_engine() {
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    // The demo's own gradient boosting (10 members of 200 trees of depth 3), logistic
    // regression, and a random forest of 10 trees per member (deep trees: the node walk, where
    // boosting's shallow trees are compiled), kept small for the run's time.
    let runs: Vec<(&str, PathBuf)> = [
        ("gradient_boosting", ""),
        ("logistic", ""),
        ("random_forest", "trees = 10\n"),
    ]
    .into_iter()
    .map(|(kind, extra)| (kind, common::model_run(dir.path(), kind, extra)))
    .collect();
    eprintln!("local runs (demo, 3 models): {:.1?}", start.elapsed());
    let logs = dir.path().join("cluster");
    std::fs::create_dir_all(&logs).unwrap();
    let cluster = Cluster::start(2, &logs);
    let ctx = connect(&cluster.url()).await.unwrap();

    for (kind, run) in &runs {
        // 1. The run's model scored on two executors.
        let out = dir.path().join(format!("cluster-{kind}"));
        let start = Instant::now();
        let summary = tokio::time::timeout(
            Duration::from_secs(300),
            score_run(&ctx, run, &out, common::BLOCK),
        )
        .await
        .expect("the cluster scoring finished within 300 s")
        .unwrap();
        let on_cluster = start.elapsed();

        // 2. The local engine: `nedra predict RUN --grid RUN/mask.tif --mask RUN/mask.tif`.
        let local = dir.path().join(format!("local-{kind}"));
        let start = Instant::now();
        let manifest = predict(&PredictOptions {
            model: run.clone(),
            layers: vec![],
            grid: Some(run.join("mask.tif")),
            mask: Some(run.join("mask.tif")),
            deposits: None,
            deposits_crs: None,
            explain: false,
            out: local.clone(),
        })
        .unwrap();
        let locally = start.elapsed();
        let prediction = &manifest["prediction"];
        assert_eq!(
            Some(summary.predicted_cells),
            prediction["predicted_cells"].as_u64(),
            "{kind}"
        );
        assert_eq!(
            Some(summary.missing_cells),
            prediction["cells_missing_a_layer"].as_u64(),
            "{kind}"
        );
        assert!(summary.predicted_cells > 0);
        for (_, file) in OUTPUTS {
            let ours = std::fs::read(out.join(file)).unwrap();
            for theirs in [local.join(file), run.join(file)] {
                assert!(
                    ours == std::fs::read(&theirs).unwrap(),
                    "{kind}: {file} differs from {}",
                    theirs.display()
                );
            }
        }

        // 3. Every cell's Float64 scores, bit for bit.
        let model = SavedModel::load(run).unwrap().0;
        let theirs = local_cells(run, &model);
        let ours = cluster_cells(&ctx, &model).await;
        assert_eq!(ours.len(), theirs.len(), "{kind}: scored cells");
        assert_eq!(ours.len() as u64, summary.predicted_cells);
        let mut max_diff = 0.0f64;
        for (a, b) in ours.iter().zip(&theirs) {
            assert_eq!((a.0, a.1), (b.0, b.1), "{kind}: the same cells");
            assert!(
                a.2.to_bits() == b.2.to_bits() && a.3.to_bits() == b.3.to_bits(),
                "{kind}: cell ({}, {}): cluster {:?}, local {:?}",
                a.0,
                a.1,
                (a.2, a.3),
                (b.2, b.3)
            );
            max_diff = max_diff.max((a.2 - b.2).abs()).max((a.3 - b.3).abs());
        }
        eprintln!(
            "{kind}: {} cells scored ({} missing a layer, {} blocks) on 2 executors in \
             {on_cluster:.1?}, locally (nedra predict) in {locally:.1?}; prospectivity.tif and \
             uncertainty.tif identical bytes; Float64 scores bit-identical (max |diff| \
             {max_diff:e})",
            summary.predicted_cells, summary.missing_cells, summary.partitions
        );
    }

    // 4. The `nedra-cluster predict` client: the same bytes; a folder that is not a run of a
    // data-driven model is an error naming it, with no output folder.
    let (_, gbt) = &runs[0];
    let client = |run: &Path, out: &Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_nedra-cluster"))
            .arg("predict")
            .arg(run)
            .args(["--cluster", &cluster.url(), "--block-size", "256"])
            .arg("--out")
            .arg(out)
            .output()
            .unwrap()
    };
    let out_cli = dir.path().join("cluster-cli");
    let ran = client(gbt, &out_cli);
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    assert!(String::from_utf8_lossy(&ran.stdout).contains("prospectivity:"));
    for (_, file) in OUTPUTS {
        assert!(
            std::fs::read(out_cli.join(file)).unwrap() == std::fs::read(gbt.join(file)).unwrap(),
            "nedra-cluster predict: {file}"
        );
    }
    let not_a_run = dir.path().join("demo");
    let out_bad = dir.path().join("cluster-cli-bad");
    let ran = client(&not_a_run, &out_bad);
    assert!(!ran.status.success());
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert!(stderr.contains("model.json"), "{stderr}");
    assert!(!out_bad.exists());
}
