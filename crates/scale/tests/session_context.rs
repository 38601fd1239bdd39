//! The weights-of-evidence run on an in-process DataFusion `SessionContext` equals the local
//! engine on the demo: class counts exactly, weights CSVs and posterior rasters byte for byte.

mod common;

use datafusion::prelude::SessionContext;
use nedra_scale::wofe_run::wofe_run;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_on_a_session_context_equals_the_local_engine() {
    let demo = common::demo();
    let out = demo.dir.path().join("scale");
    let ctx = SessionContext::new();
    let result = wofe_run(&ctx, &demo.project, &demo.run, &out, common::BLOCK)
        .await
        .unwrap();
    // 16 blocks of 256 × 256 cells; the corners hold no study area.
    assert!(
        result.partitions > 1 && result.partitions <= 16,
        "{}",
        result.partitions
    );
    common::assert_same_as_local(&demo, &result, &out);
}
