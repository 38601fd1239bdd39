//! The weights-of-evidence run on a local Ballista cluster — `nedra-scheduler` and two
//! `nedra-executor` child processes on 127.0.0.1 — equals the local engine on the demo, and
//! survives (or fails cleanly on) the loss of an executor mid-run.

mod common;

use std::time::{Duration, Instant};

use common::cluster::Cluster;
use nedra_scale::cluster::connect;
use nedra_scale::wofe_run::wofe_run;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_on_two_executors_equals_the_local_engine_and_survives_losing_one() {
    let demo = common::demo();
    let logs = demo.dir.path().join("cluster");
    std::fs::create_dir_all(&logs).unwrap();
    let mut cluster = Cluster::start(2, &logs);
    let ctx = connect(&cluster.url()).await.unwrap();

    // 1. The whole run on two executors.
    let out = demo.dir.path().join("cluster-run");
    let start = Instant::now();
    let result = tokio::time::timeout(
        Duration::from_secs(300),
        wofe_run(&ctx, &demo.project, &demo.run, &out, common::BLOCK),
    )
    .await
    .expect("the cluster run finished within 300 s")
    .unwrap();
    let healthy = start.elapsed();
    common::assert_same_as_local(&demo, &result, &out);

    // 2. The same through the `nedra-cluster` client binary; a missing class folder is an
    // error naming it, with no output folder.
    let out_cli = demo.dir.path().join("cluster-cli");
    let client = |classes: &std::path::Path, out: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_nedra-cluster"))
            .arg("run")
            .arg(&demo.project_path)
            .args(["--cluster", &cluster.url(), "--block-size", "256"])
            .arg("--classes")
            .arg(classes)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap()
    };
    let ran = client(&demo.run, &out_cli);
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    assert!(String::from_utf8_lossy(&ran.stdout).contains("posterior:"));
    common::assert_same_as_local(&demo, &result, &out_cli);
    let missing = demo.dir.path().join("no-such-run");
    let out_bad = demo.dir.path().join("cluster-cli-bad");
    let ran = client(&missing, &out_bad);
    assert!(!ran.status.success());
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert!(
        stderr.contains("no-such-run") && stderr.contains("mask.tif"),
        "{stderr}"
    );
    assert!(!out_bad.exists());

    // 3. Again, killing one executor half-way through: the run completes with the same
    // answer (Ballista reruns the lost tasks on the other executor), or fails with an error
    // and leaves no output folder.
    let out = demo.dir.path().join("cluster-run-fault");
    let run = {
        let ctx = ctx.clone();
        let project = demo.project.clone();
        let classes = demo.run.clone();
        let out = out.clone();
        tokio::spawn(async move { wofe_run(&ctx, &project, &classes, &out, common::BLOCK).await })
    };
    tokio::time::sleep(healthy / 2).await;
    assert!(
        !run.is_finished(),
        "the run ended before the executor was killed"
    );
    cluster.executors[0].kill();
    let outcome = tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .expect("the run with a killed executor ended within 300 s")
        .unwrap();
    match outcome {
        Ok(result) => {
            eprintln!("executor killed after {healthy:?}/2: the run completed");
            common::assert_same_as_local(&demo, &result, &out);
        }
        Err(e) => {
            eprintln!("executor killed after {healthy:?}/2: the run failed: {e:#}");
            assert!(!out.exists(), "a failed run left {}", out.display());
            assert!(!format!("{e:#}").is_empty());
        }
    }
}
