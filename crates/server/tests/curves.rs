//! The validation curves the page draws, as the server gives them.

mod common;

use common::{get, make_run, options, start};

/// The curves route carries roc.csv as columns
/// (`inf` as null) beside the AUC and its interval, for the page's ROC chart.
#[test]
fn the_curves_carry_the_roc_curve_and_its_interval() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _) = start(options(&make_run(dir.path())));
    let v: serde_json::Value = serde_json::from_str(&get(addr, "/runs/run/curves").text()).unwrap();
    assert_eq!(
        v["roc"]["false_positive_rate"],
        serde_json::json!([0.0, 0.05, 1.0])
    );
    assert_eq!(
        v["roc"]["true_positive_rate"],
        serde_json::json!([0.0, 0.7, 1.0])
    );
    assert!(v["roc"]["score"][0].is_null());
    assert_eq!(
        v["summary"]["roc_auc_interval"],
        serde_json::json!([0.85, 0.95])
    );
}
