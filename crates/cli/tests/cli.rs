//! The `nedra` binary on small generated projects: a whole run, and bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use nedra_core::{Block, Grid};
use nedra_io::{crs, DataType, RasterWriter};

mod binary;
use binary::{nedra, read_all, run_ok};

fn write_raster(path: &Path, grid: &Grid, f: impl Fn(f64, f64) -> Option<f64>) {
    let mut w = RasterWriter::create(path, grid, DataType::Float64).unwrap();
    for win in grid.windows(64) {
        let mut b = Block::empty(win);
        for r in 0..win.height {
            for c in 0..win.width {
                let (x, y) = grid.cell_centre(win.row_off + r, win.col_off + c);
                if let Some(v) = f(x, y) {
                    b.values[r * win.width + c] = v;
                    b.valid[r * win.width + c] = true;
                }
            }
        }
        w.write(&b).unwrap();
    }
    w.finish().unwrap();
}

const X0: f64 = 500_000.0;
const Y0: f64 = 5_900_000.0;

/// A 20 km square project in UTM 35N: a "magnetic" raster in EPSG:4326 (to be warped), a
/// fault line, deposits near the fault where the field is high.
fn project(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let crs_block = r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32635"}}"#;
    std::fs::write(
        data.join("area.geojson"),
        format!(
            r#"{{"type":"FeatureCollection",{crs_block},"features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":[[[{a},{b}],[{c},{b}],[{c},{d}],[{a},{d}],[{a},{b}]]]}}}}]}}"#,
            a = X0,
            b = Y0,
            c = X0 + 20_000.0,
            d = Y0 + 20_000.0
        ),
    )
    .unwrap();
    std::fs::write(
        data.join("faults.geojson"),
        format!(
            r#"{{"type":"FeatureCollection",{crs_block},"features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"LineString","coordinates":[[{a},{b}],[{c},{d}]]}}}}]}}"#,
            a = X0 + 10_000.0,
            b = Y0 - 1_000.0,
            c = X0 + 10_000.0,
            d = Y0 + 21_000.0
        ),
    )
    .unwrap();
    let mut csv = String::from("id,x,y\n");
    for k in 0..12 {
        let x = X0 + 9_200.0 + 150.0 * (k % 4) as f64;
        let y = Y0 + 1_000.0 + 1_500.0 * k as f64;
        csv.push_str(&format!("{k},{x},{y}\n"));
    }
    std::fs::write(data.join("deposits.csv"), csv).unwrap();
    // Magnetic field in lon/lat: high along the meridian of the fault (~27.0 E).
    let geo = crs::resolve("EPSG:4326", None).unwrap();
    let g = Grid::new(geo, [26.9, 0.002, 0.0, 53.45, 0.0, -0.002], 150, 150).unwrap();
    write_raster(&data.join("mag.tif"), &g, |lon, _| {
        Some(100.0 - 2000.0 * (lon - 27.0).abs())
    });
    let p = dir.join("project.toml");
    std::fs::write(
        &p,
        r#"
[project]
name = "test"
[grid]
crs = "EPSG:32635"
cell_size_m = 250
study_area = "data/area.geojson"
[deposits]
path = "data/deposits.csv"
crs = "EPSG:32635"
[[evidence]]
name = "mag"
source = "data/mag.tif"
pattern = "descending"
class_width = 10
[[evidence]]
name = "faults"
source = "data/faults.geojson"
derive = "distance"
pattern = "ascending"
class_width = 500
"#,
    )
    .unwrap();
    p
}

/// Runs and expects exit code 2 with every `needles` in stderr, and no output folder.
fn run_fails(project: &Path, out: &Path, needles: &[&str]) {
    let o = nedra(&[
        "run",
        project.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in: {err}");
    }
    assert!(!out.exists(), "a failed run left {}", out.display());
    let parent = out.parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial") || n.contains(".tmp") || n.contains("nedra-lock"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "half-written files left: {leftovers:?}"
    );
}

#[test]
fn a_whole_run_writes_every_output_and_finds_the_deposits() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let out = dir.path().join("run");
    let stdout = run_ok(&p, &out);
    for f in [
        "run.json",
        "mask.tif",
        "posterior.tif",
        "posterior_std.tif",
        "confidence.tif",
        "success_rate.csv",
        "validation.json",
        "pa_plot.csv",
        "roc.csv",
        "weights/mag.csv",
        "weights/faults.csv",
        "evidence/mag.tif",
        "evidence/mag_values.tif",
        "evidence/faults.tif",
    ] {
        assert!(out.join(f).exists(), "missing {f}");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(manifest["grid"]["width"], 80);
    assert_eq!(manifest["grid"]["study_area_cells"], 6400);
    assert_eq!(manifest["deposits"]["used"], 12);
    let prior = manifest["response"]["prior_probability"].as_f64().unwrap();
    assert!((prior - 12.0 / 400.0).abs() < 1e-15, "{prior}");
    assert!(
        manifest["inputs"][0]["files"][0]["sha256"]
            .as_str()
            .unwrap()
            .len()
            == 64
    );
    assert!(manifest["evidence"][0]["derivation"]
        .as_str()
        .unwrap()
        .contains("warped"));
    // The deposits sit next to the fault where the field is high: the model must see it.
    let auc = manifest["validation"]["success_rate_auc"].as_f64().unwrap();
    assert!(auc > 0.9, "success-rate AUC {auc}");
    assert!(stdout.contains("success-rate AUC"));
    // The rule in the command line's words, not Rust's (`TopPercent(5.0)`).
    assert_eq!(manifest["targets"]["rule"], "top-percent 5");
    // The near-fault weights: the first distance class (≤ 500 m) holds deposits, W+ > 0.
    let table = std::fs::read_to_string(out.join("weights/faults.csv")).unwrap();
    let first = table.lines().nth(1).unwrap();
    assert!(first.starts_with("500,"), "{first}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("validation.json")).unwrap())
            .unwrap();
    assert_eq!(
        v["success_rate_auc"],
        manifest["validation"]["success_rate_auc"]
    );
    let ci = &v["conditional_independence"];
    assert_eq!(ci["observed_deposits"], 12);
    assert!(ci["predicted_deposits"].as_f64().unwrap() > 0.0);
    assert!(ci["probability_not_independent"].as_f64().unwrap() >= 0.0);
    // Targets: top 5 % of the area (400 km² → at least 20 km² selected), ranked, with deposits.
    let targets = std::fs::read_to_string(out.join("targets.csv")).unwrap();
    let rows: Vec<Vec<String>> = targets
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert!(!rows.is_empty());
    let area: f64 = rows.iter().map(|r| r[1].parse::<f64>().unwrap()).sum();
    assert!((1.0..=400.0).contains(&area), "{area}");
    let ranks: Vec<usize> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert_eq!(ranks, (1..=rows.len()).collect::<Vec<_>>());
    let means: Vec<f64> = rows.iter().map(|r| r[4].parse().unwrap()).collect();
    assert!(
        means.windows(2).all(|m| m[0] >= m[1]),
        "ranked by mean score: {means:?}"
    );
    assert!(
        rows.iter()
            .map(|r| r[7].parse::<u64>().unwrap())
            .sum::<u64>()
            > 0
    );
    assert!(out.join("targets.gpkg").exists() && out.join("targets.geojson").exists());
    // The stage command on the run's posterior, by a fixed threshold: every target's peak is above it.
    let tdir = dir.path().join("targets");
    let o = nedra(&[
        "targets",
        out.join("posterior.tif").to_str().unwrap(),
        "--threshold",
        "0.05",
        "--min-area-km2",
        "0",
        "--out",
        tdir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = std::fs::read_to_string(tdir.join("targets.csv")).unwrap();
    assert!(t.lines().count() > 1);
    for row in t.lines().skip(1) {
        let f: Vec<&str> = row.split(',').collect();
        assert!(
            f[5].parse::<f64>().unwrap() >= 0.05 && f[4].parse::<f64>().unwrap() >= 0.05,
            "{row}"
        );
    }
    let o = nedra(&[
        "targets",
        out.join("posterior.tif").to_str().unwrap(),
        "--pa",
        "--out",
        tdir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--deposits"));
    // Running again replaces the previous run folder.
    run_ok(&p, &out);
}

#[test]
fn bad_inputs_get_a_clear_error_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let text = std::fs::read_to_string(&p).unwrap();
    let out = dir.path().join("out").join("run");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let variant = |name: &str, from: &str, to: &str| -> PathBuf {
        assert!(text.contains(from), "{from}");
        let q = dir.path().join(name);
        std::fs::write(&q, text.replace(from, to)).unwrap();
        q
    };
    // A missing file.
    run_fails(
        &variant("a.toml", "data/mag.tif", "data/nope.tif"),
        &out,
        &["nope.tif", "not found"],
    );
    // An unknown CRS.
    run_fails(
        &variant(
            "b.toml",
            "crs = \"EPSG:32635\"\ncell",
            "crs = \"EPSG:999999\"\ncell",
        ),
        &out,
        &["EPSG:999999", "unknown CRS"],
    );
    // A malformed project file.
    run_fails(
        &variant("c.toml", "[deposits]", "[deposits"),
        &out,
        &["c.toml", "not valid"],
    );
    // Deposits outside the study area.
    std::fs::write(
        dir.path().join("data/far.csv"),
        "x,y\n500100,5900100\n900000,5900000\n",
    )
    .unwrap();
    run_fails(
        &variant("d.toml", "data/deposits.csv", "data/far.csv"),
        &out,
        &["far.csv", "outside the study area", "outside = \"drop\""],
    );
    // Zero deposits.
    std::fs::write(dir.path().join("data/none.csv"), "x,y\n").unwrap();
    run_fails(
        &variant("e.toml", "data/deposits.csv", "data/none.csv"),
        &out,
        &["none.csv", "no point"],
    );
    // Continuous values without a classification.
    run_fails(
        &variant(
            "h.toml",
            "pattern = \"descending\"\nclass_width = 10",
            "pattern = \"descending\"",
        ),
        &out,
        &["not whole numbers", "class_width"],
    );
    // A layer that does not overlap the grid.
    let utm = crs::resolve("EPSG:32635", None).unwrap();
    let far = Grid::new(
        utm.clone(),
        [100_000.0, 250.0, 0.0, 1_000_000.0, 0.0, -250.0],
        10,
        10,
    )
    .unwrap();
    write_raster(&dir.path().join("data/far.tif"), &far, |_, _| Some(1.0));
    run_fails(
        &variant("f.toml", "data/mag.tif", "data/far.tif"),
        &out,
        &["far.tif", "does not overlap"],
    );
    // A layer that is all NoData inside the study area.
    let on = Grid::new(utm, [X0, 250.0, 0.0, Y0 + 20_000.0, 0.0, -250.0], 80, 80).unwrap();
    write_raster(&dir.path().join("data/empty.tif"), &on, |_, _| None);
    run_fails(
        &variant("g.toml", "data/mag.tif", "data/empty.tif"),
        &out,
        &["mag", "no cell of the study area has data"],
    );
}

#[test]
fn weights_stage_command_writes_an_arcsdm_table() {
    let dir = tempfile::tempdir().unwrap();
    let utm = crs::resolve("EPSG:32635", None).unwrap();
    let g = Grid::new(utm, [X0, 100.0, 0.0, Y0, 0.0, -100.0], 10, 10).unwrap();
    // Classes 1..=10 by column; deposits in columns 0 and 1 (classes 1 and 2).
    let r = dir.path().join("classes.tif");
    write_raster(&r, &g, |x, _| Some(((x - X0) / 100.0).floor() + 1.0));
    let d = dir.path().join("d.csv");
    std::fs::write(
        &d,
        format!(
            "x,y\n{},{}\n{},{}\n{},{}\n",
            X0 + 50.0,
            Y0 - 50.0,
            X0 + 150.0,
            Y0 - 450.0,
            X0 + 50.0,
            Y0 - 950.0
        ),
    )
    .unwrap();
    let out = dir.path().join("w.csv");
    let o = nedra(&[
        "weights",
        r.to_str().unwrap(),
        "--deposits",
        d.to_str().unwrap(),
        "--type",
        "ascending",
        "--unit-cell-km2",
        "0.01",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "CLASS,CLASS_AREA,AREA_SQ_KM,AREA_UNITS,NO_POINTS,WPLUS,S_WPLUS,WMINUS,S_WMINUS,CONTRAST,S_CONTRAST,STUDC,GEN_CLASS,WEIGHT,W_STD"
    );
    // Unit cell 0.01 km² = one cell: T = 100, D = 3. Class 1 (column 0): B = 10, b = 2.
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 10);
    let (t, n_dep, b_area, b) = (100.0f64, 3.0f64, 10.0f64, 2.0f64);
    let w_plus = ((b / n_dep) / ((b_area - b) / (t - n_dep))).ln();
    let w_minus = (((n_dep - b) / n_dep) / ((t - b_area - n_dep + b) / (t - n_dep))).ln();
    let s_w_plus = (1.0 / b + 1.0 / (b_area - b)).sqrt();
    assert!(
        (rows[0][5] - w_plus).abs() < 1e-12 * w_plus.abs(),
        "{} vs {w_plus}",
        rows[0][5]
    );
    assert!((rows[0][6] - s_w_plus).abs() < 1e-12, "{}", rows[0][6]);
    assert!(
        (rows[0][7] - w_minus).abs() < 1e-12 * w_minus.abs(),
        "{}",
        rows[0][7]
    );
    // Cumulative points and areas.
    assert_eq!((rows[0][4], rows[1][4], rows[9][4]), (2.0, 3.0, 3.0));
    assert!((rows[9][2] - 1.0).abs() < 1e-12);
    // The table counts areas in unit cells of 0.01 km²: `response` accepts it with that unit
    // cell and refuses it, naming both, with another.
    let response = |unit: &str| {
        nedra(&[
            "response",
            "--weights",
            out.to_str().unwrap(),
            "--evidence",
            r.to_str().unwrap(),
            "--deposits",
            d.to_str().unwrap(),
            "--unit-cell-km2",
            unit,
            "--out",
            dir.path()
                .join(format!("response_{unit}"))
                .to_str()
                .unwrap(),
        ])
    };
    let o = response("0.01");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = response("1");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("0.01 km²") && err.contains("--unit-cell-km2 is 1"),
        "{err}"
    );
    // A missing raster is named, exit code 2.
    let o = nedra(&[
        "weights",
        "/no/such.tif",
        "--deposits",
        d.to_str().unwrap(),
        "--type",
        "binary",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/no/such.tif"));
}

/// The built-in demo end to end: outputs, and the hidden (untrained) deposits found in targets.
#[test]
fn the_demo_runs_and_its_hidden_deposits_fall_in_targets() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let o = nedra(&["demo", "--out", out.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("success-rate AUC"), "{stdout}");
    let line = stdout.lines().find(|l| l.starts_with("hidden")).unwrap();
    assert!(line.contains("6 of 6"), "{line}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run/run.json")).unwrap()).unwrap();
    assert_eq!(v["synthetic"], true);
    assert!(v["validation"]["success_rate_auc"].as_f64().unwrap() > 0.85);
    // The example assessment ran over the targets and the report shows it.
    let a: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("run/assessment/assessment.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        a["tracts"].as_array().unwrap().len(),
        v["targets"]["count"].as_u64().unwrap() as usize
    );
    let report = std::fs::read_to_string(out.join("run/report.html")).unwrap();
    assert!(report.contains("Undiscovered resources"));
    // Gradient boosting on the same folds, and the comparison beside weights of evidence: each
    // model's row is its own run's held-out figure.
    let read = |p: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(out.join(p)).unwrap()).unwrap()
    };
    let (wofe, gbt, c) = (
        read("run/validation.json"),
        read("run-gbt/validation.json"),
        read("run/comparison.json"),
    );
    assert_eq!(
        read("run-gbt/run.json")["model"]["kind"],
        "gradient_boosting"
    );
    let models = c["models"].as_array().unwrap();
    assert_eq!(models.len(), 2, "{c}");
    for (kind, v) in [("weights_of_evidence", &wofe), ("gradient_boosting", &gbt)] {
        let m = models.iter().find(|m| m["kind"] == kind).unwrap();
        assert_eq!(m["mean_roc_auc"], v["spatial_cv"]["mean_roc_auc"], "{kind}");
        assert_eq!(m["fitted_roc_auc_optimistic"], v["roc_auc"], "{kind}");
    }
    assert!(stdout.contains("| gradient_boosting ("), "{stdout}");
    assert!(report.contains("Models on identical spatial folds"));
    assert!(
        report.contains("gradient boosting</td><td>run-gbt</td>"),
        "comparison row"
    );
}

/// `nedra distance --signed` and `nedra density` against geometry computed by hand.
#[test]
fn signed_distance_and_density_match_hand_geometry() {
    let dir = tempfile::tempdir().unwrap();
    let utm = crs::resolve("EPSG:32635", None).unwrap();
    // 20 × 20 cells of 100 m; a 1 km square polygon from (500 500, 5 900 500) to (501 500, 5 901 500).
    let g = Grid::new(utm, [X0, 100.0, 0.0, Y0 + 2000.0, 0.0, -100.0], 20, 20).unwrap();
    let like = dir.path().join("like.tif");
    write_raster(&like, &g, |_, _| Some(0.0));
    let crs_block = r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32635"}}"#;
    let (a, b, c, d) = (X0 + 500.0, Y0 + 500.0, X0 + 1500.0, Y0 + 1500.0);
    let poly = dir.path().join("square.geojson");
    std::fs::write(&poly, format!(r#"{{"type":"FeatureCollection",{crs_block},"features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":[[[{a},{b}],[{c},{b}],[{c},{d}],[{a},{d}],[{a},{b}]]]}}}}]}}"#)).unwrap();
    let out = dir.path().join("signed.tif");
    let o = nedra(&[
        "distance",
        poly.to_str().unwrap(),
        "--like",
        like.to_str().unwrap(),
        "--signed",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = nedra_io::RasterReader::open(&out).unwrap();
    let blk = r.read(g.windows(32)[0]).unwrap();
    for row in 0..20 {
        for col in 0..20 {
            let (x, y) = g.cell_centre(row, col);
            let inside = x > a && x < c && y > b && y < d;
            let dx = (a - x).max(x - c).max(0.0);
            let dy = (b - y).max(y - d).max(0.0);
            let expect = if inside {
                -((x - a).min(c - x).min(y - b).min(d - y))
            } else {
                (dx * dx + dy * dy).sqrt()
            };
            let got = blk.values[row * 20 + col];
            assert!((got - expect).abs() < 1e-3, "({x}, {y}): {got} vs {expect}");
        }
    }
    // Line density of the square's boundary within 300 m of the cell centre at (500 550, 5 901 050):
    // the west edge x = 500 500 lies 50 m away, so its chord is 2·√(300² − 50²) m long.
    let out = dir.path().join("density.tif");
    let o = nedra(&[
        "density",
        poly.to_str().unwrap(),
        "--like",
        like.to_str().unwrap(),
        "--radius",
        "300",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let blk = nedra_io::RasterReader::open(&out)
        .unwrap()
        .read(g.windows(32)[0])
        .unwrap();
    let (row, col) = g.cell_of(X0 + 550.0, Y0 + 1050.0).unwrap();
    let chord_km = 2.0 * (300.0f64.powi(2) - 50.0f64.powi(2)).sqrt() / 1000.0;
    let area_km2 = std::f64::consts::PI * 0.3 * 0.3;
    let got = blk.values[row * 20 + col];
    assert!(
        (got - chord_km / area_km2).abs() < 1e-4 * got,
        "{got} vs {}",
        chord_km / area_km2
    );
}

/// Data-driven classes and an interpolated geochemical layer from the project file.
#[test]
fn quantile_classes_and_interpolated_layers_run_from_the_project_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let mut samples = String::from("x,y,la_ppm\n");
    for i in 0..15 {
        for j in 0..15 {
            let (x, y) = (
                X0 + 700.0 + 1300.0 * i as f64,
                Y0 + 700.0 + 1300.0 * j as f64,
            );
            let la = 20.0 + 80.0 * (-((x - X0 - 10_000.0) / 3000.0).powi(2)).exp();
            samples.push_str(&format!("{x},{y},{la}\n"));
        }
    }
    std::fs::write(dir.path().join("data/till.csv"), samples).unwrap();
    let text = std::fs::read_to_string(&p).unwrap().replace("pattern = \"descending\"\nclass_width = 10", "pattern = \"descending\"\nclassify = \"quantiles:5\"")
        + "[[evidence]]\nname = \"la\"\nsource = \"data/till.csv\"\nderive = \"interpolate\"\nvalue_column = \"la_ppm\"\ninterpolation = \"kriging\"\npattern = \"descending\"\nclassify = \"quantiles:4\"\n"
        + "[[evidence]]\nname = \"mag_tilt\"\nsource = \"data/mag.tif\"\nderive = \"derivative\"\nderivative = \"tilt\"\npattern = \"descending\"\nclassify = \"quantiles:5\"\n";
    std::fs::write(&p, text).unwrap();
    let out = dir.path().join("run");
    run_ok(&p, &out);
    let mag = std::fs::read_to_string(out.join("weights/mag.csv")).unwrap();
    assert_eq!(mag.lines().count(), 1 + 5, "{mag}");
    assert!(
        out.join("evidence/la_values.tif").exists()
            && out.join("evidence/la_variance.tif").exists()
    );
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let la = m["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "la")
        .unwrap();
    assert!(
        la["derivation"].as_str().unwrap().contains("kriging"),
        "{la}"
    );
    assert!(
        la["classification"]
            .as_str()
            .unwrap()
            .starts_with("quantiles:4"),
        "{la}"
    );
    let tilt = m["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "mag_tilt")
        .unwrap();
    assert!(
        tilt["derivation"].as_str().unwrap().starts_with("Tilt"),
        "{tilt}"
    );
    // Tilt angles are radians in (−π/2, π/2).
    let r = nedra_io::RasterReader::open(&out.join("evidence/mag_tilt_values.tif")).unwrap();
    let g = r.grid().clone();
    let b = r.read(g.windows(128)[0]).unwrap();
    assert!((0..b.values.len())
        .filter_map(|i| b.get(i))
        .all(|v| v.abs() < std::f64::consts::FRAC_PI_2 + 1e-6));
}

/// Data-driven models from the project file (logistic, random forest, gradient boosting) by PU
/// bagging, spatial CV, prospectivity and uncertainty maps; the same seed gives the same bytes.
#[test]
fn data_driven_models_run_with_spatial_cv_and_are_reproducible() {
    for kind in ["logistic", "random_forest", "gradient_boosting"] {
        model_run_is_reproducible(kind);
    }
}

fn model_run_is_reproducible(kind: &str) {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let text = std::fs::read_to_string(&p).unwrap()
        + &format!("[model]\nkind = \"{kind}\"\nmodels = 5\nbackground_pool = 2000\nexclusion_buffer_m = 300\ncv_block_km = 5\ncv_folds = 4\n");
    std::fs::write(&p, text).unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let stdout = run_ok(&p, &a);
    assert!(stdout.contains("prospectivity.tif"), "{stdout}");
    // The held-out figure leads; the fitted one follows, labelled.
    let cv_line =
        stdout.find("spatial-CV ROC AUC (held-out blocks, every held-out cell; mean ± sd over");
    let fitted_line = stdout.find("ROC AUC (fitted, optimistic)");
    assert!(
        matches!((cv_line, fitted_line), (Some(c), Some(f)) if c < f),
        "{stdout}"
    );
    run_ok(&p, &b);
    for f in [
        "prospectivity.tif",
        "uncertainty.tif",
        "drivers.tif",
        "model.json",
        "training.csv",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{kind}: {f} differs between runs"
        );
    }
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("model.json")).unwrap()).unwrap();
    assert_eq!(saved["ensemble"]["method"], kind);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("validation.json")).unwrap()).unwrap();
    let folds = v["spatial_cv"]["folds"].as_array().unwrap();
    assert_eq!(folds.len(), 4);
    let held_out: u64 = folds
        .iter()
        .map(|f| f["test_positives"].as_u64().unwrap())
        .sum();
    assert_eq!(held_out, 12, "every deposit is held out exactly once");
    assert!(
        v["roc_auc"].as_f64().unwrap() > 0.8,
        "{kind}: {}",
        v["roc_auc"]
    );
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("run.json")).unwrap()).unwrap();
    assert_eq!(m["maps"]["score"], "prospectivity.tif");
    assert_eq!(m["model"]["members"], 5);
    // The learner's settings, by name (the project's or the defaults).
    let learner = &m["model"]["learner"];
    match kind {
        "logistic" => assert_eq!(learner["max_iterations"], 100, "{learner}"),
        "random_forest" => assert_eq!(learner["bootstrap"], true, "{learner}"),
        _ => assert_eq!(learner["learning_rate"], 0.05, "{learner}"),
    }
    assert!(learner["method"].is_string(), "{learner}");
    // Held-out permutation importance: one entry per layer, by decreasing AUC drop.
    let imp = m["model"]["permutation_importance"]["layers"]
        .as_array()
        .unwrap();
    assert_eq!(imp.len(), 2);
    let drops: Vec<f64> = imp
        .iter()
        .map(|r| r["mean_auc_drop"].as_f64().unwrap())
        .collect();
    assert!(drops[0] >= drops[1] && drops[0] > 0.0, "{kind}: {drops:?}");
    // Uncertainty is the spread of 5 members: non-negative everywhere.
    let r = nedra_io::RasterReader::open(&a.join("uncertainty.tif")).unwrap();
    let g = r.grid().clone();
    for w in g.windows(64) {
        let blk = r.read(w).unwrap();
        assert!((0..w.len()).filter_map(|i| blk.get(i)).all(|x| x >= 0.0));
    }
}

/// A geochemical table with censored values, processed and interpolated from the project file.
#[test]
fn censored_geochemistry_is_interpolated_from_the_project_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let mut samples = String::from("x,y,La_ppm\n");
    for i in 0..12 {
        for j in 0..12 {
            let (x, y) = (
                X0 + 800.0 + 1600.0 * i as f64,
                Y0 + 800.0 + 1600.0 * j as f64,
            );
            let near_fault = (x - X0 - 10_000.0).abs() < 2500.0;
            let la = if near_fault {
                format!("{}", 60 + i + j)
            } else {
                "<5".to_string()
            };
            samples.push_str(&format!("{x},{y},{la}\n"));
        }
    }
    std::fs::write(dir.path().join("data/till.csv"), samples).unwrap();
    let text = std::fs::read_to_string(&p).unwrap()
        + "[[evidence]]\nname = \"la\"\nsource = \"data/till.csv\"\nderive = \"interpolate\"\ncensored = \"half-dl\"\nvalue_column = \"La_value_ppm\"\npattern = \"descending\"\nclassify = \"quantiles:4\"\n";
    std::fs::write(&p, text).unwrap();
    let out = dir.path().join("run");
    run_ok(&p, &out);
    // The censored "<5" became 2.5 (half the detection limit) in the processed table.
    let table = std::fs::read_to_string(out.join("evidence/la_samples.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(table.as_bytes());
    let h = rows.headers().unwrap().clone();
    let col = h.iter().position(|c| c == "La_value_ppm").unwrap();
    let values: Vec<f64> = rows
        .records()
        .map(|r| r.unwrap()[col].parse().unwrap())
        .collect();
    assert_eq!(values.len(), 144);
    assert!(values.contains(&2.5) && values.iter().all(|v| *v == 2.5 || *v >= 60.0));
    assert!(out.join("evidence/la_values.tif").exists());
}

/// A knowledge-driven fuzzy network from the project file: every cell of prospectivity.tif
/// equals the memberships and operators applied by hand to the evidence values.
#[test]
fn fuzzy_inference_network_matches_hand_evaluation() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let text = std::fs::read_to_string(&p).unwrap()
        + r#"
[model]
kind = "fuzzy"
output = "target"
[[model.memberships]]
layer = "mag"
function = "linear:0,100"
[[model.memberships]]
layer = "faults"
function = "small:1000,2"
[[model.nodes]]
name = "target"
operator = "gamma"
gamma = 0.5
inputs = ["mag", "faults"]
"#;
    std::fs::write(&p, text).unwrap();
    let out = dir.path().join("run");
    run_ok(&p, &out);
    let read = |f: &str| {
        let r = nedra_io::RasterReader::open(&out.join(f)).unwrap();
        let g = r.grid().clone();
        r.read(g.windows(4096)[0]).unwrap()
    };
    let (mag, dist, pros, unc) = (
        read("evidence/mag_values.tif"),
        read("evidence/faults_values.tif"),
        read("prospectivity.tif"),
        read("uncertainty.tif"),
    );
    let mut checked = 0;
    for i in 0..pros.values.len() {
        let (Some(m), Some(d)) = (mag.get(i), dist.get(i)) else {
            continue;
        };
        let mu_m = (m / 100.0).clamp(0.0, 1.0);
        let mu_d = if d <= 0.0 {
            1.0
        } else {
            1.0 / (1.0 + (d / 1000.0).powi(2))
        };
        let sum = 1.0 - (1.0 - mu_m) * (1.0 - mu_d);
        let expect = sum.powf(0.5) * (mu_m * mu_d).powf(0.5);
        let got = pros.get(i).unwrap();
        assert!((got - expect).abs() < 1e-6, "cell {i}: {got} vs {expect}");
        assert!((unc.get(i).unwrap() - (mu_m - mu_d).abs()).abs() < 1e-6);
        checked += 1;
    }
    // The magnetic grid covers part of the study area only (the rest is NoData).
    assert!(checked > 3000, "{checked}");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(m["model"]["kind"], "fuzzy");
    assert_eq!(m["maps"]["score"], "prospectivity.tif");
}

/// A logistic model trained in a run is saved as model.json and applied by `nedra predict`
/// to layers of another area (one of them on another grid, so it is warped). Every cell's
/// prospectivity, spread, contributions and driver equal an independent evaluation of the
/// saved coefficients; on the run's own layers and mask the maps are byte-identical to the
/// run's; missing, unknown and duplicate layers are named errors.
#[test]
fn a_saved_model_predicts_another_area_and_explains_every_cell() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let text = std::fs::read_to_string(&p).unwrap()
        + "[model]\nkind = \"logistic\"\nmodels = 4\nbackground_pool = 2000\nexclusion_buffer_m = 300\ncv_block_km = 5\ncv_folds = 4\n";
    std::fs::write(&p, text).unwrap();
    let run = dir.path().join("run");
    run_ok(&p, &run);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("model.json")).unwrap()).unwrap();
    assert_eq!(m["format"], "nedra-model/2");
    let names: Vec<&str> = m["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["mag", "faults"]);
    // The cross-validation sample is exported with its folds.
    let training = std::fs::read_to_string(run.join("training.csv")).unwrap();
    assert!(training.starts_with("x,y,deposit,weight,fold,mag,faults\n"));
    assert_eq!(
        training
            .lines()
            .skip(1)
            .filter(|l| l.split(',').nth(2) == Some("1"))
            .count(),
        12
    );

    // Same layers, same mask: the same bytes as the run.
    let again = dir.path().join("again");
    let o = nedra(&[
        "predict",
        run.to_str().unwrap(),
        "--layer",
        &format!("mag={}", run.join("evidence/mag_values.tif").display()),
        "--layer",
        &format!(
            "faults={}",
            run.join("evidence/faults_values.tif").display()
        ),
        "--mask",
        run.join("mask.tif").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "prospectivity.tif",
        "uncertainty.tif",
        "drivers.tif",
        "contributions/mag.tif",
    ] {
        assert_eq!(
            std::fs::read(run.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f} differs from the run's"
        );
    }

    // Without explanations: the same maps, no drivers or contributions.
    let plain = dir.path().join("plain");
    let o = nedra(&[
        "predict",
        run.to_str().unwrap(),
        "--layer",
        &format!("mag={}", run.join("evidence/mag_values.tif").display()),
        "--layer",
        &format!(
            "faults={}",
            run.join("evidence/faults_values.tif").display()
        ),
        "--mask",
        run.join("mask.tif").to_str().unwrap(),
        "--no-explain",
        "--out",
        plain.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read(run.join("prospectivity.tif")).unwrap(),
        std::fs::read(plain.join("prospectivity.tif")).unwrap()
    );
    assert!(!plain.join("drivers.tif").exists() && !plain.join("contributions").exists());

    // Another area 40 km east: faults on its grid, magnetics on a coarser grid (warped).
    let utm = crs::resolve("EPSG:32635", None).unwrap();
    let (ax, ay) = (X0 + 40_000.0, Y0);
    let area = Grid::new(
        utm.clone(),
        [ax, 250.0, 0.0, ay + 10_000.0, 0.0, -250.0],
        40,
        40,
    )
    .unwrap();
    let fault_x = ax + 4_000.0;
    write_raster(&dir.path().join("faults_b.tif"), &area, |x, _| {
        Some((x - fault_x).abs())
    });
    let coarse = Grid::new(utm, [ax, 500.0, 0.0, ay + 10_000.0, 0.0, -500.0], 20, 20).unwrap();
    write_raster(&dir.path().join("mag_b.tif"), &coarse, |x, y| {
        Some(60.0 - 0.004 * (x - fault_x).abs() + 0.001 * (y - ay))
    });
    let pred = dir.path().join("pred");
    let o = nedra(&[
        "predict",
        run.join("model.json").to_str().unwrap(),
        "--layer",
        &format!("faults={}", dir.path().join("faults_b.tif").display()),
        "--layer",
        &format!("mag={}", dir.path().join("mag_b.tif").display()),
        "--grid",
        dir.path().join("faults_b.tif").to_str().unwrap(),
        "--out",
        pred.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (g, prob) = read_all(&pred.join("prospectivity.tif"));
    assert_eq!((g.width, g.height), (40, 40));
    let (_, spread) = read_all(&pred.join("uncertainty.tif"));
    let (_, drivers) = read_all(&pred.join("drivers.tif"));
    let (_, c_mag) = read_all(&pred.join("contributions/mag.tif"));
    let (_, c_faults) = read_all(&pred.join("contributions/faults.tif"));
    let (_, faults) = read_all(&dir.path().join("faults_b.tif"));
    // The magnetics the model saw: the coarse layer warped bilinearly, which reproduces a
    // function that is linear between coarse cell centres.
    let mag_at = |x: f64, y: f64| 60.0 - 0.004 * (x - fault_x).abs() + 0.001 * (y - ay);
    let feats = m["features"].as_array().unwrap();
    let (mu, sd): (Vec<f64>, Vec<f64>) = feats
        .iter()
        .map(|f| (f["mean"].as_f64().unwrap(), f["sd"].as_f64().unwrap()))
        .unzip();
    let members = m["ensemble"]["members"].as_array().unwrap();
    assert_eq!(members.len(), 4);
    let mut checked = 0;
    for r in 0..40 {
        for c in 0..40 {
            let i = r * 40 + c;
            let (x, y) = g.cell_centre(r, c);
            // Bilinear interpolation of a function that is linear away from the fault is
            // exact there: check cells more than one coarse cell from the fault and inside
            // the coarse grid's cell centres.
            let inside = x > ax + 250.0 && x < ax + 9_750.0 && y > ay + 250.0 && y < ay + 9_750.0;
            if (x - fault_x).abs() < 1_000.0 || !inside {
                continue;
            }
            let row = [
                (mag_at(x, y) - mu[0]) / sd[0],
                (faults[i].unwrap() - mu[1]) / sd[1],
            ];
            let mut ps = vec![];
            let mut contrib = [0.0; 2];
            for mem in members {
                let lr = &mem["model"];
                let b: Vec<f64> = lr["coefficients"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_f64().unwrap())
                    .collect();
                let eta = lr["intercept"].as_f64().unwrap() + b[0] * row[0] + b[1] * row[1];
                ps.push(1.0 / (1.0 + (-eta).exp()));
                contrib[0] += b[0] * row[0] / members.len() as f64;
                contrib[1] += b[1] * row[1] / members.len() as f64;
            }
            let mean = ps.iter().sum::<f64>() / ps.len() as f64;
            let var = ps.iter().map(|q| (q - mean).powi(2)).sum::<f64>() / (ps.len() - 1) as f64;
            let tol = 1e-5 * (1.0 + mean);
            assert!(
                (prob[i].unwrap() - mean).abs() < tol,
                "cell {r},{c}: {:?} vs {mean}",
                prob[i]
            );
            assert!(
                (spread[i].unwrap() - var.sqrt()).abs() < 1e-5,
                "cell {r},{c}"
            );
            assert!((c_mag[i].unwrap() - contrib[0]).abs() < 1e-4 * (1.0 + contrib[0].abs()));
            assert!((c_faults[i].unwrap() - contrib[1]).abs() < 1e-4 * (1.0 + contrib[1].abs()));
            let want = if contrib[0] <= 0.0 && contrib[1] <= 0.0 {
                0.0
            } else if contrib[0] >= contrib[1] {
                1.0
            } else {
                2.0
            };
            if (contrib[0] - contrib[1]).abs() > 1e-3 {
                assert_eq!(drivers[i], Some(want), "cell {r},{c}: {contrib:?}");
            }
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pred.join("predict.json")).unwrap()).unwrap();
    assert_eq!(manifest["prediction"]["predicted_cells"], 1600);
    assert_eq!(manifest["inputs"].as_array().unwrap().len(), 3);

    // Named errors, and no output folder (a model outside a run folder needs every layer).
    let bad = dir.path().join("bad");
    let lone_model = dir.path().join("lone_model.json");
    std::fs::copy(run.join("model.json"), &lone_model).unwrap();
    for (args, needle) in [
        (vec!["--layer", "mag=x.tif"], "missing --layer for: faults"),
        (vec!["--layer", "gravity=x.tif"], "no layer \"gravity\""),
        (
            vec!["--layer", "mag=x.tif", "--layer", "mag=y.tif"],
            "given twice",
        ),
        (vec!["--layer", "magx.tif"], "NAME=PATH"),
    ] {
        let mut all = vec!["predict", lone_model.to_str().unwrap()];
        all.extend(args);
        all.extend(["--out", bad.to_str().unwrap()]);
        let o = nedra(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(needle), "{needle:?} not in {err}");
        assert!(!bad.exists());
    }
    // A layer with no data on the grid is named as the cause of an empty prediction.
    let grid = nedra_io::RasterReader::open(&run.join("evidence/mag_values.tif"))
        .unwrap()
        .grid()
        .clone();
    let empty = dir.path().join("empty_mag.tif");
    let mut w = RasterWriter::create(&empty, &grid, DataType::Float64).unwrap();
    for win in grid.windows(256) {
        w.write(&Block::empty(win)).unwrap();
    }
    w.finish().unwrap();
    let faults = run.join("evidence/faults_values.tif");
    let o = nedra(&[
        "predict",
        run.to_str().unwrap(),
        "--layer",
        &format!("mag={}", empty.display()),
        "--layer",
        &format!("faults={}", faults.display()),
        "--out",
        bad.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "no cell has every layer: mag ({}) has no cell with data",
            empty.display()
        )),
        "{err}"
    );
    assert!(!bad.exists());
    let o = nedra(&[
        "predict",
        dir.path().to_str().unwrap(),
        "--layer",
        "mag=x.tif",
        "--out",
        bad.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("no model.json"));

    // run.json records the layers relative to the run folder, so `nedra predict RUN_DIR`
    // finds them with no --layer — also once the run folder has been moved.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    let recorded: Vec<&str> = manifest["model"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["raster"].as_str().unwrap())
        .collect();
    assert_eq!(
        recorded,
        ["evidence/mag_values.tif", "evidence/faults_values.tif"]
    );
    let moved = dir.path().join("moved/run");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    for (from, name) in [(&run, "own"), (&moved, "own_moved")] {
        if name == "own_moved" {
            std::fs::rename(&run, &moved).unwrap();
        }
        let own = dir.path().join(name);
        let o = nedra(&[
            "predict",
            from.to_str().unwrap(),
            "--mask",
            from.join("mask.tif").to_str().unwrap(),
            "--out",
            own.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        for f in ["prospectivity.tif", "uncertainty.tif", "drivers.tif"] {
            assert_eq!(
                std::fs::read(from.join(f)).unwrap(),
                std::fs::read(own.join(f)).unwrap(),
                "{f} of {name} differs from the run's"
            );
        }
        let p: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(own.join("predict.json")).unwrap())
                .unwrap();
        let layer = p["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["role"] == "layer mag")
            .unwrap_or_else(|| panic!("{p}"));
        assert!(
            layer.to_string().contains(&format!(
                "{}",
                from.join("evidence/mag_values.tif").display()
            )),
            "{layer}"
        );
    }
    // A run's layer that is gone is named, with the flag that replaces it.
    std::fs::remove_file(moved.join("evidence/faults_values.tif")).unwrap();
    let o = nedra(&[
        "predict",
        moved.to_str().unwrap(),
        "--out",
        bad.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--layer faults=PATH"), "{err}");
    assert!(!bad.exists());
}

#[test]
fn dry_run_prints_the_plan_and_reports_every_problem_before_any_computation() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let out = dir.path().join("out").join("run");
    // A sound project: the plan, no problem, nothing written.
    let o = nedra(&[
        "run",
        p.to_str().unwrap(),
        "--dry-run",
        "--out",
        out.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for needle in [
        "1. grid",
        "evidence:",
        "reads source",
        "writes run.json",
        "no problems found",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
    assert!(
        !dir.path().join("out").exists(),
        "a dry run wrote {}",
        out.display()
    );
    // A bad path, a bad option and an --out that cannot be written: all three at once.
    let bad = dir.path().join("bad.toml");
    let project_text = std::fs::read_to_string(&p).unwrap();
    assert!(project_text.contains("data/mag.tif") && !project_text.contains("min_area_km2"));
    std::fs::write(
        &bad,
        project_text.replace("data/mag.tif", "data/nope.tif") + "[targets]\nmin_area_km2 = -1\n",
    )
    .unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "x").unwrap();
    let unwritable = blocker.join("run");
    for extra in [&["--dry-run"][..], &[][..]] {
        let mut args = vec![
            "run",
            bad.to_str().unwrap(),
            "--out",
            unwritable.to_str().unwrap(),
        ];
        args.extend(extra);
        let o = nedra(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        for needle in [
            "3 problems",
            "nope.tif",
            "not found",
            "min_area_km2",
            "a-file, which is a file",
        ] {
            assert!(err.contains(needle), "{needle:?} not in: {err}");
        }
    }
}

/// The hidden entries (partial folders, old runs, locks) beside `out`.
fn hidden_beside(out: &Path) -> Vec<String> {
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

fn nedra_run(project: &Path, out: &Path) -> Output {
    nedra(&[
        "run",
        project.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

/// Sends `signal` (e.g. "STOP") to process `pid`.
#[cfg(unix)]
fn signal(signal: &str, pid: u32) {
    let s = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(s.success(), "kill -{signal} {pid}");
}

#[cfg(unix)]
#[test]
fn a_second_run_into_the_same_folder_fails_at_once_naming_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let out = dir.path().join("run");
    let lock = dir.path().join(".run.nedra-lock");
    // The first run is frozen (SIGSTOP) as soon as its lock holds its PID, so the second surely
    // starts while the first holds the lock. Should the first finish before it is frozen,
    // try again.
    let mut tries = 0;
    let first = loop {
        tries += 1;
        assert!(
            tries <= 5,
            "the first run never was caught holding its lock"
        );
        let mut first = Command::new(env!("CARGO_BIN_EXE_nedra"))
            .args(["run", p.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // The lock holds the PID once written (the file is created, then the PID written).
        let held = || std::fs::read_to_string(&lock).is_ok_and(|t| !t.trim().is_empty());
        while !held() && first.try_wait().unwrap().is_none() {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        signal("STOP", first.id());
        if held() {
            break first;
        }
        signal("CONT", first.id());
        assert!(first.wait().unwrap().success());
    };
    let pid = first.id();
    let holder = std::fs::read_to_string(&lock);
    let o = nedra_run(&p, &out);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    // Let the first run go on before any assertion can fail and leave it stopped.
    signal("CONT", pid);
    let mut first = first;
    let first_ok = first.wait().unwrap().success();
    assert_eq!(holder.unwrap().trim(), pid.to_string());
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "{}: another nedra (PID {pid}) is writing this run folder; wait for it or choose another --out",
            out.display()
        )),
        "{err}"
    );
    // Refused at once: before any work, and without touching the first run's lock or folder.
    assert!(!err.contains("grid and study area"), "{err}");
    assert!(
        first_ok,
        "the first run failed after the second was refused"
    );
    assert!(out.join("run.json").exists());
    assert!(hidden_beside(&out).is_empty(), "{:?}", hidden_beside(&out));
}

#[cfg(unix)]
#[test]
fn a_lock_of_a_live_process_is_respected_and_a_dead_ones_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let out = dir.path().join("run");
    let lock = dir.path().join(".run.nedra-lock");
    // This test process is alive: its PID in the lock file holds the folder.
    let me = std::process::id();
    std::fs::write(&lock, format!("{me}\n")).unwrap();
    let o = nedra_run(&p, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("another nedra (PID {me})")), "{err}");
    assert!(err.contains(&out.display().to_string()), "{err}");
    assert!(!err.contains("grid and study area"), "{err}");
    assert!(!out.exists());
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), format!("{me}\n"));
    // A process that has ended holds nothing: its lock is reported and taken over.
    let mut child = Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    std::fs::write(&lock, format!("{dead}\n")).unwrap();
    let o = nedra_run(&p, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(&format!("nedra PID {dead}")) && err.contains("no longer running"),
        "{err}"
    );
    assert!(out.join("run.json").exists());
    assert!(hidden_beside(&out).is_empty(), "{:?}", hidden_beside(&out));
}

#[test]
fn a_failing_run_keeps_the_previous_run_whole_and_leaves_nothing_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let out = dir.path().join("run");
    run_ok(&p, &out);
    let manifest = std::fs::read(out.join("run.json")).unwrap();
    let posterior = std::fs::read(out.join("posterior.tif")).unwrap();
    // A layer with no data in the study area fails the run half-way, after the grid and the
    // mask were written into the staged folder.
    let utm = crs::resolve("EPSG:32635", None).unwrap();
    let on = Grid::new(utm, [X0, 250.0, 0.0, Y0 + 20_000.0, 0.0, -250.0], 80, 80).unwrap();
    write_raster(&dir.path().join("data/empty.tif"), &on, |_, _| None);
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(&p)
            .unwrap()
            .replace("data/mag.tif", "data/empty.tif"),
    )
    .unwrap();
    let o = nedra_run(&bad, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("no cell of the study area has data"), "{err}");
    assert!(
        err.contains("grid and study area"),
        "it failed before starting: {err}"
    );
    assert_eq!(std::fs::read(out.join("run.json")).unwrap(), manifest);
    assert_eq!(std::fs::read(out.join("posterior.tif")).unwrap(), posterior);
    assert!(hidden_beside(&out).is_empty(), "{:?}", hidden_beside(&out));
}

#[test]
fn a_partial_folder_left_by_a_killed_run_is_removed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let out = dir.path().join("run");
    // What a killed run leaves: its half-written staged folder, and (killed while replacing
    // a run by the two-rename fallback) an old run moved aside.
    let partial = dir.path().join(".run.partial-4194305.tmp");
    std::fs::create_dir_all(partial.join("evidence")).unwrap();
    std::fs::write(partial.join("mask.tif"), "half").unwrap();
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("run.json"), "{}").unwrap();
    let old = dir.path().join(".run.old-4194306.tmp");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(old.join("run.json"), "{}").unwrap();
    let o = nedra_run(&p, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("removed 2 hidden partial folders left by interrupted runs"),
        "{err}"
    );
    assert!(hidden_beside(&out).is_empty(), "{:?}", hidden_beside(&out));
    assert!(out.join("posterior.tif").exists());
}

/// The `(stage, reused)` list of a run's manifest.
fn manifest_stages(out: &Path) -> Vec<(String, bool)> {
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    m["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["stage"].as_str().unwrap().to_string(),
                s["reused"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// The `(path, sha256)` list of a run's outputs.
fn manifest_outputs(out: &Path) -> Vec<(String, String)> {
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    m["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["path"].as_str().unwrap().to_string(),
                o["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn a_run_killed_with_sigkill_resumes_from_its_finished_stages() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    // A model stage slow enough that the kill lands while it runs.
    let text = std::fs::read_to_string(&p).unwrap()
        + "[model]\nkind = \"random_forest\"\nmodels = 10\ntrees = 1500\nbackground_pool = 4000\ncv_block_km = 4\n";
    std::fs::write(&p, text).unwrap();
    let out = dir.path().join("run");
    let mut child = Command::new(env!("CARGO_BIN_EXE_nedra"))
        .args(["run", p.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let partial = dir.path().join(format!(".run.partial-{}.tmp", child.id()));
    let record = partial.join(".stages").join("evidence.faults.json");
    let started = std::time::Instant::now();
    while !record.exists() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "no stage finished in two minutes"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before the kill"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    signal("KILL", child.id());
    child.wait().unwrap();
    assert!(!out.exists(), "a killed run published its folder");
    assert!(partial.is_dir(), "the killed run left no partial folder");

    // The next run resumes: both evidence layers come from the killed run, the model is
    // computed, nothing hidden is left, and the outputs equal a clean run's bytes.
    let o = nedra_run(&p, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("resuming from"), "{err}");
    assert_eq!(
        manifest_stages(&out),
        [
            ("model".to_string(), false),
            ("evidence:mag".to_string(), true),
            ("evidence:faults".to_string(), true)
        ]
    );
    assert!(hidden_beside(&out).is_empty(), "{:?}", hidden_beside(&out));
    let clean = dir.path().join("clean");
    let o = nedra_run(&p, &clean);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(manifest_outputs(&out), manifest_outputs(&clean));
}

#[test]
fn duplicate_deposits_follow_the_declared_rule_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    // Two of the twelve deposits listed a second time.
    let csv = dir.path().join("data/deposits.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let again: Vec<&str> = text.lines().skip(1).take(2).collect();
    std::fs::write(&csv, format!("{text}{}\n", again.join("\n"))).unwrap();
    let project_text = std::fs::read_to_string(&p).unwrap();
    let with_rule = |rule: &str| {
        let q = dir.path().join(format!("{rule}.toml"));
        std::fs::write(
            &q,
            project_text.replace(
                "[deposits]\n",
                &format!("[deposits]\nduplicates = \"{rule}\"\n"),
            ),
        )
        .unwrap();
        q
    };
    let deposits_of = |out: &Path| -> serde_json::Value {
        let m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
        m["deposits"].clone()
    };
    // keep (the default): every point counts, and the warning gives the counts.
    let out = dir.path().join("keep");
    let o = nedra_run(&p, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("warning: 2 deposits are listed twice (same coordinates) and 2 cells holding several deposits"),
        "{err}"
    );
    let d = deposits_of(&out);
    assert_eq!(
        (d["used"].as_u64(), d["exact_duplicates"].as_u64()),
        (Some(14), Some(2))
    );
    // one-per-cell: the twelve distinct deposits.
    let out = dir.path().join("one");
    let o = nedra_run(&with_rule("one-per-cell"), &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let d = deposits_of(&out);
    assert_eq!(
        (d["used"].as_u64(), d["merged"].as_u64()),
        (Some(12), Some(2))
    );
    assert_eq!(d["duplicates_rule"], "one-per-cell");
    // error: refused, naming a duplicate, and no folder.
    let out = dir.path().join("error");
    let o = nedra_run(&with_rule("error"), &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("2 deposits are listed twice") && err.contains("one-per-cell"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn progress_lines_report_every_block_pass_on_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let run = |lines: bool, out: &str| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_nedra"));
        c.args(["run", p.to_str().unwrap(), "--out"]);
        c.arg(dir.path().join(out));
        if lines {
            c.env("NEDRA_PROGRESS", "lines");
        } else {
            c.env_remove("NEDRA_PROGRESS");
        }
        let o = c.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (
            String::from_utf8(o.stdout).unwrap(),
            String::from_utf8(o.stderr).unwrap(),
        )
    };
    let (out_lines, err_lines) = run(true, "a");
    let (out_plain, err_plain) = run(false, "b");
    let passes: Vec<&str> = err_lines
        .lines()
        .filter(|l| l.starts_with("pass "))
        .collect();
    assert!(!passes.is_empty(), "no pass lines in: {err_lines}");
    // Every pass ends with a line DONE/TOTAL where DONE = TOTAL.
    let ended = passes.iter().filter(|l| {
        let counts = l.rsplit_once(": ").unwrap().1.trim_end_matches(" blocks");
        let (done, total) = counts.split_once('/').unwrap();
        done == total
    });
    assert_eq!(ended.count() * 2, passes.len(), "{passes:?}");
    assert!(err_lines.contains("[1/"), "{err_lines}");
    // Without the variable a pipe gets no pass lines; the rest is the same.
    assert!(!err_plain.contains("pass "), "{err_plain}");
    let rest: Vec<&str> = err_lines
        .lines()
        .filter(|l| !l.starts_with("pass "))
        .collect();
    assert_eq!(rest, err_plain.lines().collect::<Vec<_>>());
    assert_eq!(out_lines.replace("/a", "/b"), out_plain);
}

/// `nedra compare`: a weights-of-evidence run and a logistic run of one project on the same
/// folds, side by side with the paired fold differences; runs with other folds are refused.
#[test]
fn compare_puts_models_side_by_side_on_identical_folds() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let base = std::fs::read_to_string(&p).unwrap();
    let with_model = |kind: &str, block: u32| {
        format!("{base}[model]\nkind = \"{kind}\"\nmodels = 3\nbackground_pool = 2000\nexclusion_buffer_m = 300\ncv_block_km = {block}\ncv_folds = 3\n")
    };
    let (wofe, lr, other) = (
        dir.path().join("wofe"),
        dir.path().join("lr"),
        dir.path().join("other"),
    );
    std::fs::write(&p, with_model("weights_of_evidence", 4)).unwrap();
    run_ok(&p, &wofe);
    std::fs::write(&p, with_model("logistic", 4)).unwrap();
    run_ok(&p, &lr);
    std::fs::write(&p, with_model("logistic", 3)).unwrap();
    run_ok(&p, &other);
    let json_path = dir.path().join("compare.json");
    let o = nedra(&[
        "compare",
        wofe.to_str().unwrap(),
        lr.to_str().unwrap(),
        "--json",
        json_path.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("Paired fold differences"), "{stdout}");
    let c: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let models = c["models"].as_array().unwrap();
    // The WofE run is given: no second baseline row.
    assert_eq!(models.len(), 2, "{c}");
    // The figures are the runs' own, and the paired differences their fold-wise differences.
    let read = |d: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(d.join("validation.json")).unwrap()).unwrap()
    };
    let folds = |v: &serde_json::Value| -> Vec<Option<f64>> {
        v["spatial_cv"]["folds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["roc_auc"].as_f64())
            .collect()
    };
    let (fw, fl) = (folds(&read(&wofe)), folds(&read(&lr)));
    // The logistic run's WofE baseline is the WofE run's own cross-validation (same folds).
    assert_eq!(folds(&read(&lr)["weights_of_evidence_baseline"]), fw);
    let best_is_lr = models[0]["model"].as_str().unwrap().starts_with("logistic");
    let (best, rest) = if best_is_lr { (&fl, &fw) } else { (&fw, &fl) };
    let expected: Vec<f64> = best
        .iter()
        .zip(rest)
        .filter_map(|(a, b)| Some((*a)? - (*b)?))
        .collect();
    let got: Vec<f64> = c["paired_differences"][0]["per_fold"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(got, expected);
    // Other folds (3 km blocks) are refused, naming the run.
    let o = nedra(&["compare", wofe.to_str().unwrap(), other.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("other") && err.contains("3 km"), "{err}");
}

/// `[model] cv_fold_file`: every run writes its folds as `cv_folds.csv`; given back, they
/// reproduce the run's cross-validation; a user's folds are taken as given and recorded; a
/// file that leaves a block of the study area without a fold is refused.
#[test]
fn a_fold_file_sets_the_folds_of_every_model() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let base = std::fs::read_to_string(&p).unwrap()
        + "[model]\nkind = \"logistic\"\nmodels = 3\nbackground_pool = 2000\nexclusion_buffer_m = 300\ncv_block_km = 4\ncv_folds = 3\n";
    let read = |d: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(d.join("validation.json")).unwrap()).unwrap()
    };
    let (a, b, c, bad) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
        dir.path().join("bad"),
    );
    std::fs::write(&p, &base).unwrap();
    run_ok(&p, &a);
    let table = std::fs::read_to_string(a.join("cv_folds.csv")).unwrap();
    assert!(table.starts_with("block_row,block_col,fold,x_min,y_max,x_max,y_min\n"));
    // The run's own folds, given back: the same figures for both models.
    std::fs::copy(a.join("cv_folds.csv"), dir.path().join("folds.csv")).unwrap();
    std::fs::write(&p, base.clone() + "cv_fold_file = \"folds.csv\"\n").unwrap();
    run_ok(&p, &b);
    let (va, vb) = (read(&a), read(&b));
    for key in ["spatial_cv", "weights_of_evidence_baseline"] {
        let (x, y) = if key == "spatial_cv" {
            (&va[key], &vb[key])
        } else {
            (&va[key]["spatial_cv"], &vb[key]["spatial_cv"])
        };
        assert_eq!(x["folds"], y["folds"], "{key}");
        assert_eq!(x["pooled_roc_auc"], y["pooled_roc_auc"], "{key}");
    }
    assert!(vb["spatial_cv"]["scheme"]
        .as_str()
        .unwrap()
        .contains("by the fold file"));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.join("run.json")).unwrap()).unwrap();
    assert!(
        m["inputs"].to_string().contains("cv_fold_file"),
        "{}",
        m["inputs"]
    );
    // A user's folds: western blocks in fold 0, the rest in fold 1 (fold 2 unused).
    let mine: String = std::iter::once("block_row,block_col,fold\n".to_string())
        .chain(table.lines().skip(1).map(|l| {
            let v: Vec<&str> = l.split(',').collect();
            format!("{},{},{}\n", v[0], v[1], u8::from(v[1] != "0"))
        }))
        .collect();
    std::fs::write(dir.path().join("folds.csv"), &mine).unwrap();
    run_ok(&p, &c);
    let vc = read(&c);
    let blocks: Vec<u64> = vc["spatial_cv"]["folds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["blocks"].as_u64().unwrap())
        .collect();
    let west = mine.lines().skip(1).filter(|l| l.ends_with(",0")).count() as u64;
    assert_eq!(blocks[0], west);
    assert_eq!(blocks[2], 0);
    assert_eq!(
        read(&c)["weights_of_evidence_baseline"]["spatial_cv"]["folds"][0]["blocks"],
        west
    );
    // A block without a fold.
    let short: String = mine.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.path().join("folds.csv"), short).unwrap();
    run_fails(&p, &bad, &["folds.csv", "has no fold", "cv_folds.csv"]);
}

#[test]
fn the_jenks_limit_is_a_documented_flag_of_classify() {
    let dir = tempfile::tempdir().unwrap();
    let utm = crs::resolve("EPSG:32635", None).unwrap();
    let g = Grid::new(utm, [X0, 100.0, 0.0, Y0, 0.0, -100.0], 20, 10).unwrap();
    // 200 cells, 100 distinct values: three clusters around 10, 50 and 90.
    let raster = dir.path().join("v.tif");
    write_raster(&raster, &g, |x, y| {
        let j = (((x - X0) / 100.0) as usize + 20 * ((Y0 - y) / 100.0) as usize) / 2;
        Some(
            match j % 3 {
                0 => 10.0,
                1 => 50.0,
                _ => 90.0,
            } + j as f64 / 100.0,
        )
    });
    let help = String::from_utf8(nedra(&["classify", "--help"]).stdout).unwrap();
    assert!(help.contains("--jenks-limit <N>"), "{help}");
    assert!(help.contains("[default: 4096]"), "{help}");
    let classify = |method: &str, limit: Option<&str>| {
        let mut args = vec![
            "classify".to_string(),
            raster.to_str().unwrap().to_string(),
            "--method".to_string(),
            method.to_string(),
            "--out".to_string(),
            dir.path().join("c.tif").to_str().unwrap().to_string(),
            "--report".to_string(),
            dir.path().join("c.json").to_str().unwrap().to_string(),
        ];
        if let Some(l) = limit {
            args.extend(["--jenks-limit".to_string(), l.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        nedra(&args)
    };
    // Under the limit the breaks are exact and fall between the clusters.
    let o = classify("jenks:3", None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["distinct_values"], 100);
    assert_eq!(s["natural_breaks"]["exact"], true);
    assert_eq!(s["natural_breaks"]["units"], 100);
    let breaks: Vec<f64> = s["breaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_f64().unwrap())
        .collect();
    assert_eq!(breaks.len(), 2, "{breaks:?}");
    assert!(breaks[0] > 10.0 && breaks[0] < 50.0 && breaks[1] > 50.0 && breaks[1] < 90.0);
    // A lower limit refuses, naming the flag and the grouped form; nothing is written.
    std::fs::remove_file(dir.path().join("c.tif")).unwrap();
    std::fs::remove_file(dir.path().join("c.json")).unwrap();
    let o = classify("jenks:3", Some("50"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for needle in [
        "100 distinct values",
        "limit of 50",
        "--jenks-limit",
        "jenks:3:group",
    ] {
        assert!(err.contains(needle), "{needle:?} not in {err}");
    }
    assert!(!dir.path().join("c.tif").exists() && !dir.path().join("c.json").exists());
    // With :group the values are gathered into 50 runs.
    let o = classify("jenks:3:group", Some("50"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["natural_breaks"]["exact"], false);
    assert_eq!(s["natural_breaks"]["units"], 50);
    // Out of range, or given to another method: refused.
    let o = classify("jenks:3", Some("1"));
    assert_eq!(o.status.code(), Some(2));
    let o = classify("quantiles:3", Some("50"));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--jenks-limit 50 is for natural breaks"));
}

/// One rule for CSV points without a CRS, in every command: taken in the grid's CRS, with the
/// same note — deposits in `weights` and `nedra run`, samples in `interpolate`.
#[test]
fn csv_points_without_a_crs_are_taken_in_the_grids_crs_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path());
    let run = dir.path().join("run");
    run_ok(&p, &run);
    let note = "a CSV table carries no CRS and none is declared, so its x/y are taken in the grid's CRS (WGS 84 / UTM zone 35N)";
    // `nedra run` with [deposits] crs left out: the same run, and the note.
    let text = std::fs::read_to_string(&p).unwrap().replace(
        "path = \"data/deposits.csv\"\ncrs = \"EPSG:32635\"\n",
        "path = \"data/deposits.csv\"\n",
    );
    let bare_project = dir.path().join("bare.toml");
    std::fs::write(&bare_project, text).unwrap();
    let bare_run = dir.path().join("bare_run");
    let o = nedra(&[
        "run",
        bare_project.to_str().unwrap(),
        "--out",
        bare_run.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "note: {}: {note}",
            dir.path().join("data/deposits.csv").display()
        )),
        "{err}"
    );
    assert!(err.contains("`crs` under [deposits]"), "{err}");
    // The targets rule in the command line's words, not Rust's (`TopPercent(5.0)`).
    assert!(err.contains("(top-percent 5, min 1 km²)"), "{err}");
    assert_eq!(
        std::fs::read(run.join("posterior.tif")).unwrap(),
        std::fs::read(bare_run.join("posterior.tif")).unwrap()
    );
    // `nedra weights`: the same table with and without --deposits-crs, the note without.
    let deposits = dir.path().join("data/deposits.csv");
    let weights = |crs: Option<&str>, out: &str| {
        let out = dir.path().join(out);
        let mut args: Vec<String> = vec![
            "weights".into(),
            run.join("evidence/faults.tif").to_str().unwrap().into(),
            "--deposits".into(),
            deposits.to_str().unwrap().into(),
            "--type".into(),
            "ascending".into(),
            "--out".into(),
            out.to_str().unwrap().into(),
        ];
        if let Some(c) = crs {
            args.extend(["--deposits-crs".to_string(), c.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = nedra(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (
            std::fs::read_to_string(out).unwrap(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (declared, quiet) = weights(Some("EPSG:32635"), "declared.csv");
    let (taken, noted) = weights(None, "taken.csv");
    assert_eq!(declared, taken);
    assert_eq!(
        taken,
        std::fs::read_to_string(run.join("weights/faults.csv")).unwrap()
    );
    assert!(!quiet.contains("note:"), "{quiet}");
    assert!(
        noted.contains(&format!("note: {}: {note}", deposits.display())),
        "{noted}"
    );
    assert!(noted.contains("--deposits-crs"), "{noted}");
    // `nedra interpolate`: the samples likewise, the note in its summary.
    let o = nedra(&[
        "interpolate",
        deposits.to_str().unwrap(),
        "--value",
        "id",
        "--like",
        run.join("mask.tif").to_str().unwrap(),
        "--out",
        dir.path().join("id.tif").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(&format!("note: {}: {note}", deposits.display())),
        "{err}"
    );
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(s["samples_crs"].as_str().unwrap().contains(note), "{s}");
    assert_eq!(s["samples_outside_grid"], 0);
}

/// Samples given in EPSG:4326 with `--crs` interpolate to the grid the same samples give when
/// projected beforehand onto the grid's UTM zone.
#[test]
fn interpolation_samples_are_reprojected_from_their_own_crs() {
    let dir = tempfile::tempdir().unwrap();
    let utm = crs::resolve("EPSG:32635", None).unwrap();
    let geo = crs::resolve("EPSG:4326", None).unwrap();
    let g = Grid::new(
        utm.clone(),
        [X0, 500.0, 0.0, Y0 + 20_000.0, 0.0, -500.0],
        40,
        40,
    )
    .unwrap();
    let like = dir.path().join("like.tif");
    write_raster(&like, &g, |_, _| Some(0.0));
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for k in 0..30 {
        xs.push(X0 + 700.0 * k as f64 + 150.0);
        ys.push(Y0 + 19_000.0 - 613.0 * k as f64 + 1_000.0 * ((k * 7) % 5) as f64);
    }
    // A smooth field, so the variogram fit is well posed.
    let values: Vec<f64> = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| 50.0 + 20.0 * ((x - X0) / 6_000.0).sin() + 10.0 * ((y - Y0) / 9_000.0).cos())
        .collect();
    let (mut lons, mut lats) = (xs.clone(), ys.clone());
    crs::transform_points(&utm, &geo, &mut lons, &mut lats).unwrap();
    let (mut utm_csv, mut geo_csv) = (String::from("x,y,la\n"), String::from("lon,lat,la\n"));
    for k in 0..30 {
        utm_csv.push_str(&format!("{},{},{}\n", xs[k], ys[k], values[k]));
        geo_csv.push_str(&format!("{:.12},{:.12},{}\n", lons[k], lats[k], values[k]));
    }
    std::fs::write(dir.path().join("utm.csv"), utm_csv).unwrap();
    std::fs::write(dir.path().join("geo.csv"), geo_csv).unwrap();
    let interpolate = |table: &str, crs: Option<&str>, method: &str, out: &str| {
        let mut args = vec![
            "interpolate".to_string(),
            dir.path().join(table).to_str().unwrap().to_string(),
            "--value".into(),
            "la".into(),
            "--like".into(),
            like.to_str().unwrap().to_string(),
            "--method".into(),
            method.into(),
            "--out".into(),
            dir.path().join(out).to_str().unwrap().to_string(),
        ];
        if let Some(c) = crs {
            args.extend(["--crs".to_string(), c.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = nedra(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (read_all(&dir.path().join(out)).1, s)
    };
    for method in ["idw", "kriging"] {
        let (projected, p) = interpolate("utm.csv", Some("EPSG:32635"), method, "utm.tif");
        let (reprojected, s) = interpolate("geo.csv", Some("EPSG:4326"), method, "geo.tif");
        if method == "kriging" {
            // The same variogram, fitted to the same lags up to the reprojection's rounding.
            let (a, b) = (&p["variogram"], &s["variogram"]);
            assert_eq!(a["kind"], b["kind"]);
            for k in ["partial_sill", "range"] {
                let (a, b) = (a[k].as_f64().unwrap(), b[k].as_f64().unwrap());
                assert!((a - b).abs() < 1e-6 * a, "{k}: {a} vs {b}");
            }
        }
        assert_eq!(
            s["samples_crs"],
            "WGS 84, reprojected onto the grid's WGS 84 / UTM zone 35N"
        );
        assert_eq!(s["samples"], 30);
        assert_eq!(projected.len(), 1600);
        let mut largest = 0.0f64;
        for (a, b) in projected.iter().zip(&reprojected) {
            let (a, b) = (a.unwrap(), b.unwrap());
            largest = largest.max((a - b).abs() / a.abs().max(1.0));
        }
        // Float32 output; the coordinates agree to the 1e-12 degree of the table (≈ 1e-7 m).
        assert!(
            largest < 1e-5,
            "{method}: largest relative difference {largest}"
        );
        // Taken as metres in the grid's CRS, the same lon/lat table misses the grid entirely.
        let o = nedra(&[
            "interpolate",
            dir.path().join("geo.csv").to_str().unwrap(),
            "--value",
            "la",
            "--like",
            like.to_str().unwrap(),
            "--out",
            dir.path().join("wrong.tif").to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("lie outside the grid"));
    }
}

#[test]
fn templates_resolve_by_unique_prefix_and_commodities_propose_them() {
    let text = |o: &Output| String::from_utf8_lossy(&o.stdout).into_owned();
    let errors = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let exact = nedra(&["template", "carbonatite_ree"]);
    assert!(exact.status.success(), "{}", errors(&exact));
    assert!(text(&exact).contains("[[evidence]]") && text(&exact).contains("[grid]"));
    // A unique prefix prints the same template.
    let prefix = nedra(&["template", "carbonatite"]);
    assert!(prefix.status.success(), "{}", errors(&prefix));
    assert_eq!(prefix.stdout, exact.stdout);
    // An ambiguous prefix is refused with the candidates; an unknown name points to the list.
    let ambiguous = nedra(&["template", "p"]);
    assert!(!ambiguous.status.success());
    let e = errors(&ambiguous);
    for candidate in ["phosphorite_ree", "pegmatite_li", "pripyat_play"] {
        assert!(e.contains("ambiguous") && e.contains(candidate), "{e}");
    }
    let unknown = nedra(&["template", "kimberlite"]);
    assert!(!unknown.status.success());
    assert!(
        errors(&unknown).contains("nedra template"),
        "{}",
        errors(&unknown)
    );
    // The list: one line per template, the prospects template among them.
    let list = text(&nedra(&["template"]));
    assert_eq!(list.lines().count(), 9, "{list}");
    assert!(
        list.lines().any(|l| l.starts_with("pripyat_play ")),
        "{list}"
    );
    // A commodity: its lists, deposit models and templates.
    let nb = nedra(&["template", "--commodity", "Nb"]);
    assert!(nb.status.success(), "{}", errors(&nb));
    let nb = text(&nb);
    for want in [
        "Nb  niobium",
        "USGS 2022 critical minerals: niobium",
        "EU 2023 critical raw materials: niobium",
        "deposit models: carbonatite (pyrochlore)",
        "Templates for Nb:",
        "alkaline_ultramafic_ree_nb ",
        "carbonatite_ree ",
    ] {
        assert!(nb.contains(want), "{want:?} in\n{nb}");
    }
    assert!(!nb.contains("strategic"), "{nb}");
    let dy = text(&nedra(&["template", "--commodity", "dysprosium"]));
    assert!(
        dy.contains("(heavy rare earth)") && dy.contains("rare earth elements for magnets"),
        "{dy}"
    );
    let none = nedra(&["template", "--commodity", "unobtainium"]);
    assert!(!none.status.success());
    assert!(errors(&none).contains("--list-commodities"));
    // The table, with the lists' lengths.
    let table = text(&nedra(&["template", "--list-commodities"]));
    for want in [
        "(50 entries)",
        "(34 entries)",
        "(17 entries)",
        "87 FR 10381",
    ] {
        assert!(table.contains(want), "{want:?} in\n{table}");
    }
    assert!(table.lines().any(|l| l.starts_with("Nb ")), "{table}");
    // A name and a commodity together are refused.
    assert!(!nedra(&["template", "pegmatite_li", "--commodity", "Li"])
        .status
        .success());
}

/// Axis-aligned boxes `(xmin, ymin, xmax, ymax)` of a GeoJSON file's polygons, keyed by an
/// integer property.
fn boxes(path: &Path, field: &str) -> Vec<(i64, [f64; 4])> {
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let features = doc["features"].as_array().unwrap();
    features
        .iter()
        .map(|f| {
            let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
            let xy: Vec<(f64, f64)> = ring
                .iter()
                .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
                .collect();
            let (xs, ys): (Vec<f64>, Vec<f64>) = xy.into_iter().unzip();
            let lo = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (
                f["properties"][field].as_i64().unwrap(),
                [lo(&xs), lo(&ys), hi(&xs), hi(&ys)],
            )
        })
        .collect()
}

/// The shipped example files (`crates/assess/examples/assessment.toml` and `prospects.toml`)
/// run as the README prints them, on the example data beside them, and their numbers match an
/// independent computation from that data: each tract's expected deposits are the posterior
/// summed over the cells whose centres fall in its polygon × cell km² / unit cell km², less the
/// known occurrences in it; the play chance map is the product of the four element maps, and a
/// segment's common-risk chance the product of each element's minimum over its cells.
#[test]
fn every_example_file_runs_as_the_readme_prints_it() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assess/examples");
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    for line in [
        "nedra assess run crates/assess/examples/assessment.toml --out",
        "nedra prospects crates/assess/examples/prospects.toml --out",
    ] {
        assert!(readme.contains(line), "the README shows {line:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let (a_out, p_out) = (dir.path().join("assessment"), dir.path().join("prospects"));
    let toml = examples.join("assessment.toml");
    let o = nedra(&[
        "assess",
        "run",
        toml.to_str().unwrap(),
        "--out",
        a_out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let toml = examples.join("prospects.toml");
    let o = nedra(&[
        "prospects",
        toml.to_str().unwrap(),
        "--out",
        p_out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // The assessment: expected and known deposits per tract.
    let (grid, post) = read_all(&examples.join("data/posterior.tif"));
    let cell_km2 = grid.transform[1].abs() * grid.transform[5].abs() / 1e6;
    let occurrences: Vec<(f64, f64)> =
        std::fs::read_to_string(examples.join("data/occurrences.csv"))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[1].parse().unwrap(), f[2].parse().unwrap())
            })
            .collect();
    let inside = |b: &[f64; 4], (x, y): (f64, f64)| x > b[0] && x < b[2] && y > b[1] && y < b[3];
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a_out.join("assessment.json")).unwrap())
            .unwrap();
    let tracts = boxes(&examples.join("data/tracts.geojson"), "rank");
    assert_eq!(report["tracts"].as_array().unwrap().len(), tracts.len());
    for (id, b) in &tracts {
        let mut sum = 0.0;
        for r in 0..grid.height {
            for c in 0..grid.width {
                if inside(b, grid.cell_centre(r, c)) {
                    sum += post[r * grid.width + c].unwrap() * cell_km2 / 1.0;
                }
            }
        }
        let known = occurrences.iter().filter(|&&p| inside(b, p)).count();
        let t = report["tracts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == *id)
            .unwrap();
        let how = &t["deposit_count"]["how"];
        let expected = how["expected_deposits"].as_f64().unwrap();
        assert!(
            (expected - sum).abs() < 1e-9,
            "tract {id}: {expected} vs {sum}"
        );
        assert_eq!(how["known_deposits"], known as u64, "tract {id}");
        let mean = how["undiscovered_poisson_mean"].as_f64().unwrap();
        assert!(
            (mean - (sum - known as f64).max(0.0)).abs() < 1e-9,
            "tract {id}"
        );
    }
    assert!(tracts
        .iter()
        .any(|(_, b)| occurrences.iter().any(|&p| inside(b, p))));
    assert_eq!(report["known_deposits_outside_tracts"], 1);

    // The prospects: the play chance map and the segments' common risk.
    let maps = examples.join("data/maps");
    let elements: Vec<Vec<Option<f64>>> = ["source", "reservoir", "seal", "charge"]
        .iter()
        .map(|e| read_all(&maps.join(format!("{e}_chance.tif"))).1)
        .collect();
    let (g, chance) = read_all(&p_out.join("play-triassic-fluvial-chance.tif"));
    assert_eq!((g.width, g.height), (grid.width, grid.height));
    for (i, got) in chance.iter().enumerate() {
        let want: f64 = elements.iter().map(|e| e[i].unwrap()).product();
        assert!(
            (got.unwrap() - want).abs() < 1e-6,
            "cell {i}: {got:?} vs {want}"
        );
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p_out.join("prospects.json")).unwrap())
            .unwrap();
    let play = report["plays"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Triassic fluvial")
        .unwrap();
    for (id, b) in boxes(&maps.join("segments.geojson"), "segment") {
        let mut product = 1.0;
        for e in &elements {
            let mut lowest = f64::INFINITY;
            for r in 0..grid.height {
                for c in 0..grid.width {
                    if inside(&b, grid.cell_centre(r, c)) {
                        lowest = lowest.min(e[r * grid.width + c].unwrap());
                    }
                }
            }
            product *= lowest;
        }
        let s = play["maps"]["segments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap();
        let got = s["play_chance"].as_f64().unwrap();
        assert!(
            (got - product).abs() < 1e-9,
            "segment {id}: {got} vs {product}"
        );
    }
}
