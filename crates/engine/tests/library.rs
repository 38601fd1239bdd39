//! The engine as a library: the demo project runs from Rust with no process and no terminal,
//! progress reaches the caller's observer, and `run.json` is a valid `nedra-run/2` manifest.

use std::path::Path;
use std::sync::{Arc, Mutex};

use nedra_engine::manifest::RunManifest;
use nedra_engine::progress::{Observer, Pass};
use serde_json::Value;

#[derive(Default)]
struct Recorder {
    lines: Mutex<Vec<String>>,
    passes: Mutex<Vec<(String, u64)>>,
}

struct NoBar;

impl Pass for NoBar {
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}

impl Observer for Recorder {
    fn message(&self, line: &str) {
        self.lines.lock().unwrap().push(line.to_string());
    }
    fn result(&self, line: &str) {
        self.lines.lock().unwrap().push(format!("result: {line}"));
    }
    fn begin(&self, what: &str, total: u64) -> Box<dyn Pass> {
        self.passes.lock().unwrap().push((what.to_string(), total));
        Box::new(NoBar)
    }
}

/// A small JSON Schema check: type, const, enum, pattern (anchored hex only), required,
/// properties, additionalProperties, items, minItems/maxItems, minimum. Returns every
/// violation with its JSON path.
fn violations(schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    let type_ok = |t: &str| match t {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        other => panic!("schema type {other} not handled"),
    };
    match &schema["type"] {
        Value::String(t) if !type_ok(t) => out.push(format!("{path}: not {t}: {value}")),
        Value::Array(ts) if !ts.iter().any(|t| type_ok(t.as_str().unwrap())) => {
            out.push(format!("{path}: not any of {ts:?}: {value}"))
        }
        _ => {}
    }
    if let Some(c) = schema.get("const") {
        if c != value {
            out.push(format!("{path}: {value} is not {c}"));
        }
    }
    if let Some(Value::Array(options)) = schema.get("enum") {
        if !options.contains(value) {
            out.push(format!("{path}: {value} not in {options:?}"));
        }
    }
    if let (Some(p), Some(s)) = (schema.get("pattern"), value.as_str()) {
        assert_eq!(p, "^[0-9a-f]{64}$", "only the SHA-256 pattern is handled");
        if s.len() != 64
            || !s
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_uppercase())
        {
            out.push(format!("{path}: {s:?} is not a SHA-256"));
        }
    }
    if let (Some(m), Some(x)) = (schema.get("minimum"), value.as_f64()) {
        if x < m.as_f64().unwrap() {
            out.push(format!("{path}: {x} < {m}"));
        }
    }
    if let Some(obj) = value.as_object() {
        for r in schema["required"].as_array().into_iter().flatten() {
            if !obj.contains_key(r.as_str().unwrap()) {
                out.push(format!("{path}: missing {}", r.as_str().unwrap()));
            }
        }
        let props = schema["properties"].as_object();
        for (k, v) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => violations(s, v, &format!("{path}.{k}"), out),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => out.push(format!("{path}: unexpected key {k}")),
                    Some(s @ Value::Object(_)) => violations(s, v, &format!("{path}.{k}"), out),
                    _ => {}
                },
            }
        }
    }
    if let Some(items) = value.as_array() {
        if let Some(n) = schema.get("minItems").and_then(Value::as_u64) {
            if (items.len() as u64) < n {
                out.push(format!("{path}: fewer than {n} items"));
            }
        }
        if let Some(n) = schema.get("maxItems").and_then(Value::as_u64) {
            if (items.len() as u64) > n {
                out.push(format!("{path}: more than {n} items"));
            }
        }
        if let Some(s) = schema.get("items") {
            for (i, v) in items.iter().enumerate() {
                violations(s, v, &format!("{path}[{i}]"), out);
            }
        }
    }
}

fn schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/run.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_demo_runs_from_the_library_and_writes_a_valid_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let project = nedra_engine::demo::generate(dir.path(), 2026).unwrap();
    let out = dir.path().join("run");
    let recorder = Arc::new(Recorder::default());
    let summary =
        nedra_engine::observe(recorder.clone(), || nedra_engine::run(&project, &out)).unwrap();

    // The demo's figures (README: success-rate AUC 0.9508 with seed 2026).
    assert_eq!(summary.deposits, 61);
    assert!(
        (summary.success_rate_auc - 0.9508).abs() < 5e-5,
        "{}",
        summary.success_rate_auc
    );
    assert!(!summary.targets.is_empty());
    // Progress reached the observer: every stage line and one pass per block sweep.
    let lines = recorder.lines.lock().unwrap().clone();
    assert!(
        lines.iter().any(|l| l.starts_with("[1/7] grid")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("posterior probability")),
        "{lines:?}"
    );
    let passes = recorder.passes.lock().unwrap().clone();
    assert!(
        passes.iter().any(|(what, n)| what == "magnetic" && *n > 0),
        "{passes:?}"
    );

    // run.json: valid against docs/run.schema.json, read back through the one type, and
    // written back byte for byte.
    let text = std::fs::read_to_string(out.join("run.json")).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    let mut problems = Vec::new();
    violations(&schema(), &value, "run.json", &mut problems);
    assert!(problems.is_empty(), "{problems:#?}");
    let manifest = RunManifest::read(&out).unwrap();
    assert_eq!(
        serde_json::to_string_pretty(&manifest).unwrap() + "\n",
        text
    );
    assert_eq!(manifest.deposits.used, 61);
    assert_eq!(manifest.response.unit_cell_km2, 1.0);
    // No `lang` in the project: English, recorded.
    assert_eq!(value["project"]["project"]["lang"], "en");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("<html lang=\"en\">"));
    assert_eq!(manifest.evidence.len(), 4);
    // The demo's layers are not conditionally independent (n/T well below 0.85): said on the
    // console, in run.json and in the summary.
    let ratio = manifest.validation.conditional_independence_ratio;
    assert!(ratio < 0.85, "{ratio}");
    assert_eq!(manifest.warnings.len(), 1, "{:?}", manifest.warnings);
    assert_eq!(manifest.warnings[0].code, "conditional_independence");
    assert!(manifest.warnings[0]
        .message
        .contains(&format!("n/T = {ratio:.3}")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("warning: conditional independence fails")));
    assert_eq!(summary.warnings, manifest.warnings);

    // `predict` reads the manifest: a weights-of-evidence run has no model to apply.
    let e = format!(
        "{:#}",
        nedra_engine::saved_model::SavedModel::load(&out).unwrap_err()
    );
    assert!(e.contains("weights_of_evidence (run.json)"), "{e}");

    // The assessment takes the unit cell from run.json: none in the file, and a different
    // one is refused with both numbers named.
    let assessment = nedra_engine::assessment::write_demo_assessment(
        dir.path(),
        &out.join("posterior.tif"),
        &out.join("targets.gpkg"),
    )
    .unwrap();
    let text = std::fs::read_to_string(&assessment).unwrap();
    assert!(!text.contains("unit_cell_km2"), "{text}");
    let assessed = nedra_engine::assessment::run(&assessment, &dir.path().join("a1")).unwrap();
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(&assessed.json).unwrap()).unwrap();
    assert_eq!(json["options"]["unit_cell_km2"], 1.0);
    let disagreeing = dir.path().join("assessment_2.toml");
    std::fs::write(
        &disagreeing,
        text.replace(
            "method = \"posterior\"",
            "method = \"posterior\"\nunit_cell_km2 = 2.0",
        ),
    )
    .unwrap();
    let e = format!(
        "{:#}",
        nedra_engine::assessment::run(&disagreeing, &dir.path().join("a2")).unwrap_err()
    );
    assert!(
        e.contains("unit_cell_km2 = 2") && e.contains("1 km²"),
        "{e}"
    );
}

/// The report's language: the project's `lang`, overridden by the caller's, recorded in
/// run.json; `write_report_in` rewrites the report in another.
#[test]
fn the_report_is_written_in_the_language_asked_and_run_json_records_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = nedra_engine::demo::generate(dir.path(), 2026).unwrap();
    let text = std::fs::read_to_string(&project).unwrap();
    assert!(text.contains("[project]\n"), "{text}");
    std::fs::write(
        &project,
        text.replace("[project]\n", "[project]\nlang = \"be\"\n"),
    )
    .unwrap();
    let report = |out: &Path| std::fs::read_to_string(out.join("report.html")).unwrap();
    let recorded = |out: &Path| RunManifest::read(out).unwrap().project.project.lang.code();

    let be = dir.path().join("be");
    nedra_engine::run(&project, &be).unwrap();
    assert_eq!(recorded(&be), "be");
    let html = report(&be);
    assert!(html.contains("<html lang=\"be\">"));
    assert!(html.contains("Плошча даследавання") && html.contains("Вагі прыкмет"));

    let ru = dir.path().join("ru");
    let lang = "ru".parse().unwrap();
    nedra_engine::run::run_with_lang(&project, &ru, Some(lang)).unwrap();
    assert_eq!(recorded(&ru), "ru");
    let html = report(&ru);
    assert!(html.contains("<html lang=\"ru\">"));
    assert!(html.contains("Площадь исследования") && html.contains("25\u{202f}122,5000 км²"));

    nedra_engine::report::write_report_in(&ru, Some(nedra_engine::locale::Lang::ENGLISH)).unwrap();
    let html = report(&ru);
    assert!(html.contains("<html lang=\"en\">") && html.contains("25,122.5000 km²"));
    // The language written into the project file must be one of the catalogues'.
    std::fs::write(
        &project,
        text.replace("[project]\n", "[project]\nlang = \"fr\"\n"),
    )
    .unwrap();
    let e = format!(
        "{:#}",
        nedra_engine::run(&project, &dir.path().join("fr")).unwrap_err()
    );
    assert!(
        e.contains("unknown language \"fr\"") && e.contains("en, ru or be"),
        "{e}"
    );
}

#[test]
fn the_schema_check_catches_a_broken_manifest() {
    let schema = schema();
    let good = serde_json::json!({"versions": {"nedra": "0.1.0", "gdal": "3.6.2"}});
    let mut problems = Vec::new();
    violations(
        &schema["properties"]["versions"],
        &good["versions"],
        "v",
        &mut problems,
    );
    assert!(problems.is_empty(), "{problems:?}");
    let bad = serde_json::json!({
        "schema": "nedra-run/1",
        "versions": {"nedra": 1},
        "outputs": [{"path": "a.tif", "sha256": "XYZ"}],
        "surprise": true
    });
    violations(&schema, &bad, "run.json", &mut problems);
    let text = problems.join("\n");
    for needle in [
        "is not \"nedra-run/2\"",
        "v.nedra: not string",
        "missing grid",
        "not a SHA-256",
        "unexpected key surprise",
    ] {
        let needle = needle.replace("v.nedra", "run.json.versions.nedra");
        assert!(text.contains(&needle), "{needle:?} not in:\n{text}");
    }
}

#[test]
fn a_manifest_of_an_older_nedra_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("run.json"), r#"{"nedra_run": 1}"#).unwrap();
    let e = format!("{:#}", RunManifest::read(dir.path()).unwrap_err());
    assert!(
        e.contains("older nedra") && e.contains("Run the project again"),
        "{e}"
    );
    let e = format!(
        "{:#}",
        RunManifest::read(&dir.path().join("nowhere")).unwrap_err()
    );
    assert!(e.contains("not a nedra run folder"), "{e}");
}

fn outputs(out: &Path) -> Vec<(String, String)> {
    RunManifest::read(out)
        .unwrap()
        .outputs
        .into_iter()
        .map(|o| (o.path, o.sha256))
        .collect()
}

fn stages(out: &Path) -> Vec<(String, bool)> {
    RunManifest::read(out)
        .unwrap()
        .stages
        .into_iter()
        .map(|s| (s.stage, s.reused))
        .collect()
}

#[test]
fn a_rerun_recomputes_only_the_stages_that_depend_on_a_change_and_gives_a_clean_runs_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let project = nedra_engine::demo::generate(dir.path(), 2026).unwrap();
    let out = dir.path().join("run");
    let layers = ["magnetic", "thorium", "faults", "units"].map(|l| format!("evidence:{l}"));
    let first = nedra_engine::run(&project, &out).unwrap();
    assert!(first.reused_stages.is_empty());
    assert!(stages(&out).iter().all(|(_, reused)| !reused));

    // Nothing changed: every evidence layer is reused, the maps are the same bytes.
    let before = outputs(&out);
    let again = nedra_engine::run(&project, &out).unwrap();
    assert_eq!(again.reused_stages, layers);
    assert_eq!(outputs(&out), before);

    // One layer's options change: that layer is recomputed, the other three are reused, and
    // every output equals a clean run's.
    let text = std::fs::read_to_string(&project).unwrap();
    let edited = text.replacen("class_width = 1.0 ", "class_width = 2.0 ", 1);
    assert_ne!(edited, text, "the demo's thorium class width moved");
    std::fs::write(&project, &edited).unwrap();
    let changed = nedra_engine::run(&project, &out).unwrap();
    assert_eq!(
        changed.reused_stages,
        ["evidence:magnetic", "evidence:faults", "evidence:units"]
    );
    assert_eq!(
        stages(&out)
            .into_iter()
            .filter(|(_, reused)| !reused)
            .collect::<Vec<_>>(),
        [("evidence:thorium".to_string(), false)]
    );
    let clean = dir.path().join("clean");
    nedra_engine::run(&project, &clean).unwrap();
    assert_ne!(outputs(&out), before, "the change reached the maps");
    assert_eq!(outputs(&out), outputs(&clean));

    // A data-driven model: its stage is reused when only the targets rule changes.
    std::fs::write(
        &project,
        edited.clone() + "\n[model]\nkind = \"logistic\"\nmodels = 3\n",
    )
    .unwrap();
    nedra_engine::run(&project, &out).unwrap();
    assert!(stages(&out).contains(&("model".to_string(), false)));
    std::fs::write(
        &project,
        edited + "\n[model]\nkind = \"logistic\"\nmodels = 3\n[targets]\nvalue = 2.0\n",
    )
    .unwrap();
    let targets_only = nedra_engine::run(&project, &out).unwrap();
    assert!(targets_only.reused_stages.contains(&"model".to_string()));
    assert_eq!(targets_only.reused_stages.len(), 5);
    nedra_engine::run(&project, &clean).unwrap();
    assert_eq!(outputs(&out), outputs(&clean));
}
