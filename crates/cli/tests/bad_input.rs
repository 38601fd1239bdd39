//! The bad-input suite: every subcommand and the project file fed broken, empty, truncated,
//! wrong-type, out-of-range and inconsistent inputs. Each case runs the binary in a fixture
//! folder generated here and must
//! - exit with code 2 (bad input), never 0, 1 or a panic (101),
//! - name the right file, field or value in its message (the case's needles),
//! - leave the fixture folder exactly as it found it: no output, no temporary file, no input
//!   changed.
//!
//! Every failing case is reported at once, with its command and message.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use nedra_core::{Block, Grid};
use nedra_io::{crs, DataType, RasterWriter};

const X0: f64 = 500_000.0;
const Y0: f64 = 5_900_000.0;
/// Cells per side of the fixture grid (250 m cells: a 10 km square).
const N: usize = 40;

fn write_raster(path: &Path, grid: &Grid, f: impl Fn(usize, usize) -> Option<f64>) {
    let mut w = RasterWriter::create(path, grid, DataType::Float64).unwrap();
    for win in grid.windows(64) {
        let mut b = Block::empty(win);
        for r in 0..win.height {
            for c in 0..win.width {
                if let Some(v) = f(win.row_off + r, win.col_off + c) {
                    b.values[r * win.width + c] = v;
                    b.valid[r * win.width + c] = true;
                }
            }
        }
        w.write(&b).unwrap();
    }
    w.finish().unwrap();
}

/// A field with NaN, +Inf and −Inf in 3 of every 7 cells along diagonals.
fn non_finite_field(r: usize, c: usize) -> f64 {
    match (r + c) % 7 {
        0 => f64::INFINITY,
        1 => f64::NEG_INFINITY,
        2 => f64::NAN,
        _ => 1.0 - c as f64 / N as f64,
    }
}

/// A north-up Float64 raster of `n × n` 250 m cells in UTM 35N as raw little-endian values
/// under a GDAL VRT, so that any bit pattern can be stored.
fn write_raw_vrt(path: &Path, x0: f64, y0: f64, n: usize, f: impl Fn(usize, usize) -> f64) {
    let raw = path.with_extension("bin");
    let mut bytes = Vec::with_capacity(n * n * 8);
    for r in 0..n {
        for c in 0..n {
            bytes.extend_from_slice(&f(r, c).to_le_bytes());
        }
    }
    std::fs::write(&raw, bytes).unwrap();
    let vrt = format!(
        r#"<VRTDataset rasterXSize="{n}" rasterYSize="{n}">
  <SRS>EPSG:32635</SRS>
  <GeoTransform>{x0}, 250, 0, {top}, 0, -250</GeoTransform>
  <VRTRasterBand dataType="Float64" band="1" subClass="VRTRawRasterBand">
    <SourceFilename relativeToVRT="1">{name}</SourceFilename>
    <ImageOffset>0</ImageOffset>
    <PixelOffset>8</PixelOffset>
    <LineOffset>{line}</LineOffset>
    <ByteOrder>LSB</ByteOrder>
  </VRTRasterBand>
</VRTDataset>
"#,
        top = y0 + 250.0 * n as f64,
        name = raw.file_name().unwrap().to_str().unwrap(),
        line = 8 * n
    );
    std::fs::write(path, vrt).unwrap();
}

fn utm_grid(x0: f64, y0: f64, n: usize) -> Grid {
    let utm = crs::resolve("EPSG:32635", None).unwrap();
    Grid::new(
        utm,
        [x0, 250.0, 0.0, y0 + 250.0 * n as f64, 0.0, -250.0],
        n,
        n,
    )
    .unwrap()
}

fn feature_collection(features: &str) -> String {
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::32635"}}}},"features":[{features}]}}"#
    )
}

fn square(x0: f64, y0: f64, side: f64) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"id":1}},"geometry":{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]}}}}"#,
        x1 = x0 + side,
        y1 = y0 + side
    )
}

/// Deposit coordinates: 10 points in the west half, where class 1 lies.
fn deposit_points() -> Vec<(f64, f64)> {
    (0..10)
        .map(|k| {
            (
                X0 + 600.0 + 300.0 * (k % 3) as f64,
                Y0 + 700.0 + 900.0 * k as f64,
            )
        })
        .collect()
}

fn points_csv(points: &[(f64, f64)]) -> String {
    let mut s = String::from("id,x,y\n");
    for (k, (x, y)) in points.iter().enumerate() {
        s.push_str(&format!("{k},{x},{y}\n"));
    }
    s
}

/// Builds the fixture folder: good inputs, and bad ones beside them.
fn fixture(dir: &Path) {
    let w = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    let grid = utm_grid(X0, Y0, N);
    // Good rasters: classes 1–4 west to east, a continuous field, an uncertainty.
    write_raster(&dir.join("classes.tif"), &grid, |_, c| {
        Some((1 + c * 4 / N) as f64)
    });
    write_raster(&dir.join("field.tif"), &grid, |r, c| {
        Some(100.0 - c as f64 * 2.0 + (r % 5) as f64)
    });
    write_raster(&dir.join("score.tif"), &grid, |r, c| {
        Some(1.0 - c as f64 / N as f64 + r as f64 * 1e-4)
    });
    // Bad rasters.
    write_raster(&dir.join("const.tif"), &grid, |_, _| Some(3.0));
    write_raster(&dir.join("allnodata.tif"), &grid, |_, _| None);
    // A raster without a CRS.
    let bare = Grid::new("", grid.transform, N, N).unwrap();
    write_raster(&dir.join("nocrs.tif"), &bare, |_, c| {
        Some((1 + c * 4 / N) as f64)
    });
    // NoData over the west half, where every deposit lies; over a strip, where some lie.
    write_raster(&dir.join("west_nodata.tif"), &grid, |r, c| {
        (c >= N / 2).then_some(1.0 - c as f64 / N as f64 + r as f64 * 1e-4)
    });
    write_raster(&dir.join("strip_nodata.tif"), &grid, |r, c| {
        (r >= 10).then_some(1.0 - c as f64 / N as f64 + r as f64 * 1e-4)
    });
    // NaN and ±Inf cells: a raw Float64 file under a VRT (nedra's writer never writes them).
    write_raw_vrt(&dir.join("inf.vrt"), X0, Y0, N, |r, c| {
        non_finite_field(r, c)
    });
    write_raster(&dir.join("far.tif"), &utm_grid(X0 + 1e6, Y0, 10), |_, _| {
        Some(1.0)
    });
    write_raster(&dir.join("coarse.tif"), &utm_grid(X0, Y0, N / 2), |_, _| {
        Some(1.0)
    });
    let geo = crs::resolve("EPSG:4326", None).unwrap();
    let g = Grid::new(geo, [27.0, 0.01, 0.0, 53.3, 0.0, -0.01], 30, 30).unwrap();
    write_raster(&dir.join("degrees.tif"), &g, |r, c| Some((r * c) as f64));
    let good = std::fs::read(dir.join("field.tif")).unwrap();
    std::fs::write(dir.join("truncated.tif"), &good[..good.len() / 3]).unwrap();
    w("empty.tif", "");
    w("text.tif", "this is not a raster\n");

    // Deposits.
    let pts = deposit_points();
    w("deposits.csv", &points_csv(&pts));
    w("header_only.csv", "id,x,y\n");
    w("empty.csv", "");
    w("no_xy.csv", "id,east_ish,north_ish\n1,500100,5900100\n");
    w(
        "bad_number.csv",
        "id,x,y\n1,500100,5900100\n2,five hundred,5900100\n",
    );
    w("nan_xy.csv", "id,x,y\n1,500100,5900100\n2,NaN,5900300\n");
    w("inf_xy.csv", "id,x,y\n1,500100,5900100\n2,inf,5900300\n");
    w("short_row.csv", "id,x,y\n1,500100,5900100\n2,500200\n");
    w(
        "outside.csv",
        &points_csv(&[(X0 + 500.0, Y0 + 500.0), (X0 + 5e5, Y0 + 500.0)]),
    );
    w("latlon.csv", "id,x,y\n1,27.1,53.3\n2,27.2,53.31\n");
    let lines = format!(
        r#"{{"type":"Feature","properties":{{}},"geometry":{{"type":"LineString","coordinates":[[{a},{b}],[{c},{d}]]}}}}"#,
        a = X0 + 100.0,
        b = Y0 + 100.0,
        c = X0 + 9000.0,
        d = Y0 + 9000.0
    );
    w("lines.geojson", &feature_collection(&lines));
    w("no_features.geojson", &feature_collection(""));
    w(
        "broken.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"#,
    );
    // A Shapefile cut short: GDAL reports fread errors and returns the features before.
    let st = Command::new("ogr2ogr")
        .args(["-q", "-f", "ESRI Shapefile", "-a_srs", "EPSG:32635"])
        .args(["-oo", "X_POSSIBLE_NAMES=x", "-oo", "Y_POSSIBLE_NAMES=y"])
        .arg(dir.join("cut.shp"))
        .arg(dir.join("deposits.csv"))
        .status()
        .expect("ogr2ogr (gdal-bin, installed by scripts/setup.sh)");
    assert!(st.success());
    let shp = std::fs::read(dir.join("cut.shp")).unwrap();
    std::fs::write(dir.join("cut.shp"), &shp[..shp.len() - 60]).unwrap();

    // Vectors for distance and density.
    w("faults.geojson", &feature_collection(&lines));
    w(
        "area.geojson",
        &feature_collection(&square(X0, Y0, 250.0 * N as f64)),
    );
    w(
        "far_area.geojson",
        &feature_collection(&square(X0 + 1e6, Y0, 1000.0)),
    );

    // Weights tables.
    let st = Command::new(env!("CARGO_BIN_EXE_nedra"))
        .args(["weights", "classes.tif", "--deposits", "deposits.csv"])
        .args(["--type", "categorical", "--out", "weights.csv"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    // Small tables: columns CLASS, CLASS_AREA, NO_POINTS, GEN_CLASS, then WEIGHT, W_STD.
    let table = |name: &str, rows: &[&str]| {
        let mut t = String::from("CLASS,CLASS_AREA,NO_POINTS,GEN_CLASS,WEIGHT,W_STD\n");
        for r in rows {
            t.push_str(r);
            t.push('\n');
        }
        w(name, &t);
    };
    w(
        "weights_no_weight.csv",
        "CLASS,CLASS_AREA,NO_POINTS,GEN_CLASS,W_STD\n1,25,10,1,0.3\n",
    );
    table(
        "weights_text.csv",
        &["1,25,10,1,high,0.3", "2,75,0,2,-0.5,0.4"],
    );
    table(
        "weights_nan.csv",
        &["1,25,10,1,NaN,0.3", "2,75,0,2,-0.5,0.4"],
    );
    table(
        "weights_dup.csv",
        &[
            "1,25,10,1,1.2,0.3",
            "1,25,0,1,-0.5,0.4",
            "2,50,0,2,-0.5,0.4",
        ],
    );
    table(
        "weights_negstd.csv",
        &["1,25,10,1,1.2,-0.3", "2,75,0,2,-0.5,0.4"],
    );

    // Geochemistry tables.
    w(
        "samples.csv",
        "id,x,y,La_ppm,Ce_ppm\n1,500500,5900500,30,60\n2,502500,5902500,40,80\n3,505500,5905500,50,100\n4,508500,5908500,20,45\n",
    );
    w(
        "samples_noelem.csv",
        "id,x,y,colour\n1,500500,5900500,red\n",
    );
    w(
        "samples_text.csv",
        "id,x,y,La_ppm\n1,500500,5900500,30\n2,502500,5902500,lots\n",
    );
    w(
        "samples_far.csv",
        "id,x,y,La_ppm\n1,900500,5900500,30\n2,902500,5902500,40\n3,905500,5905500,50\n",
    );

    // Assessment inputs.
    w(
        "experts.csv",
        "name,weight,n90,n50,n10\nA,0.5,1,3,8\nB,0.5,2,4,10\n",
    );
    w("experts_empty.csv", "name,weight,n90,n50,n10\n");
    w("experts_order.csv", "name,weight,n90,n50,n10\nA,1,8,3,1\n");
    w(
        "experts_negative.csv",
        "name,weight,n90,n50,n10\nA,-1,1,3,8\nB,2,1,3,8\n",
    );
    w("experts_nan.csv", "name,weight,n90,n50,n10\nA,1,NaN,3,8\n");
    w("experts_missing.csv", "name,weight,n90,n10\nA,1,1,8\n");
    w(
        "experts_weights.csv",
        "name,weight,n90,n50,n10\nA,inf,1,3,8\nB,0.5,2,4,10\n",
    );
    w("not_toml.toml", "[[play]\nname = \n");
    let prospect = |body: &str| {
        format!(
            "[options]\nseed = 1\ntrials = 1000\n[[prospect]]\nname = \"A\"\nfluid = \"oil\"\n\
             gross_rock_volume_mm3 = {{ kind = \"fixed\", value = 10.0 }}\n\
             net_to_gross = {{ kind = \"fixed\", value = 0.5 }}\n\
             porosity = {{ kind = \"fixed\", value = 0.2 }}\n\
             water_saturation = {{ kind = \"fixed\", value = 0.3 }}\n\
             formation_volume_factor = {{ kind = \"fixed\", value = 1.2 }}\n{body}"
        )
    };
    w("prospects_ok.toml", &prospect(""));
    w("prospects_chance.toml", &prospect("seal = 1.4\n"));
    w("prospects_negchance.toml", &prospect("charge = -0.2\n"));
    w(
        "prospects_triangle.toml",
        &prospect("").replace(
            "net_to_gross = { kind = \"fixed\", value = 0.5 }",
            "net_to_gross = { kind = \"triangular\", min = 0.8, mode = 0.6, max = 0.4 }",
        ),
    );
    w(
        "prospects_lognormal.toml",
        &prospect("").replace(
            "gross_rock_volume_mm3 = { kind = \"fixed\", value = 10.0 }",
            "gross_rock_volume_mm3 = { kind = \"log_normal\", p90 = 100.0, p10 = 10.0 }",
        ),
    );
    w(
        "prospects_kind.toml",
        &prospect("").replace(
            "kind = \"fixed\", value = 0.2",
            "kind = \"uniformish\", value = 0.2",
        ),
    );
    w(
        "prospects_porosity.toml",
        &prospect("").replace("value = 0.2 }", "value = 1.7 }"),
    );
    w(
        "prospects_unknown_play.toml",
        &prospect("play = \"No such play\"\n"),
    );
    w(
        "prospects_trials.toml",
        &prospect("").replace("trials = 1000", "trials = 0"),
    );
    w(
        "prospects_many_trials.toml",
        &prospect("").replace("trials = 1000", "trials = 1000000000"),
    );

    // A project.
    w("project.toml", PROJECT);
}

const PROJECT: &str = r#"[project]
name = "bad-input"
[grid]
crs = "EPSG:32635"
cell_size_m = 250
study_area = "area.geojson"
[deposits]
path = "deposits.csv"
crs = "EPSG:32635"
[[evidence]]
name = "field"
source = "field.tif"
pattern = "descending"
class_width = 10
[[evidence]]
name = "faults"
source = "faults.geojson"
derive = "distance"
pattern = "ascending"
class_width = 1000
"#;

/// The fixture folder's files and their bytes, for "nothing changed".
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    b"<dir>".to_vec(),
                );
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

/// One bad-input case: arguments (`{d}` stands for the fixture folder) and the texts the
/// message must hold.
struct Case {
    args: Vec<String>,
    needles: Vec<&'static str>,
    /// Project-file text written to `{d}/case.toml` before the case runs (removed after).
    project: Option<String>,
}

fn case(args: &str, needles: &[&'static str]) -> Case {
    Case {
        args: args.split_whitespace().map(str::to_string).collect(),
        needles: needles.to_vec(),
        project: None,
    }
}

/// A `nedra run` case on the fixture project with `from` replaced by `to`.
fn project_case(from: &str, to: &str, needles: &[&'static str]) -> Case {
    assert!(PROJECT.contains(from), "{from:?} is not in the project");
    Case {
        args: vec![
            "run".into(),
            "{d}/case.toml".into(),
            "--out".into(),
            "{d}/out/run".into(),
        ],
        needles: needles.to_vec(),
        project: Some(PROJECT.replace(from, to)),
    }
}

/// Runs every case; returns the failures, each with its command and output.
fn run_cases(dir: &Path, cases: &[Case]) -> Vec<String> {
    let before = snapshot(dir);
    let mut failures = vec![];
    for (i, c) in cases.iter().enumerate() {
        let d = dir.to_str().unwrap();
        let args: Vec<String> = c.args.iter().map(|a| a.replace("{d}", d)).collect();
        let project = dir.join("case.toml");
        if let Some(text) = &c.project {
            std::fs::write(&project, text).unwrap();
        }
        let o = Command::new(env!("CARGO_BIN_EXE_nedra"))
            .args(&args)
            .current_dir(dir)
            .output()
            .unwrap();
        if c.project.is_some() {
            std::fs::remove_file(&project).unwrap();
        }
        let err = String::from_utf8_lossy(&o.stderr);
        let mut wrong = vec![];
        if o.status.code() != Some(2) {
            wrong.push(format!("exit code {:?}, not 2", o.status.code()));
        }
        for n in &c.needles {
            let n = n.replace("{d}", d);
            if !err.contains(&n) {
                wrong.push(format!("message lacks {n:?}"));
            }
        }
        let after = snapshot(dir);
        if after != before {
            let changed: Vec<_> = after
                .keys()
                .chain(before.keys())
                .filter(|k| after.get(*k) != before.get(*k))
                .map(|k| k.display().to_string())
                .collect();
            wrong.push(format!("left the folder changed: {changed:?}"));
            // Put it back so that later cases start from the fixture.
            for k in after.keys().filter(|k| !before.contains_key(*k)) {
                let p = dir.join(k);
                let _ = std::fs::remove_dir_all(&p).or_else(|_| std::fs::remove_file(&p));
            }
            for (k, v) in &before {
                if v != b"<dir>" && after.get(k) != Some(v) {
                    std::fs::write(dir.join(k), v).unwrap();
                }
            }
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "case {i}: nedra {}\n  {}\n  stderr: {}",
                args.join(" ").replace(d, "{d}"),
                wrong.join("; "),
                err.trim().replace(d, "{d}")
            ));
        }
    }
    failures
}

fn check(cases: Vec<Case>) {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let n = cases.len();
    // Shown with `--nocapture`: the suite's size, for the README.
    eprintln!("bad-input cases: {n}");
    let failures = run_cases(dir.path(), &cases);
    assert!(
        failures.is_empty(),
        "{} of {n} bad-input cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn weights_refuses_bad_rasters_deposits_and_options() {
    let ok = "--type ascending --out {d}/out.csv";
    let r = |raster: &str, needles: &[&'static str]| {
        case(
            &format!("weights {{d}}/{raster} --deposits {{d}}/deposits.csv {ok}"),
            needles,
        )
    };
    let dep = |deposits: &str, needles: &[&'static str]| {
        case(
            &format!("weights {{d}}/classes.tif --deposits {{d}}/{deposits} {ok}"),
            needles,
        )
    };
    check(vec![
        r("missing.tif", &["missing.tif", "not found"]),
        r("empty.tif", &["empty.tif"]),
        r("text.tif", &["text.tif"]),
        r("truncated.tif", &["truncated.tif"]),
        r("const.tif", &["const.tif", "one class"]),
        r("allnodata.tif", &["allnodata.tif", "no cell has data"]),
        r("far.tif", &["none of the 10 deposits", "CRS"]),
        dep("missing.csv", &["missing.csv", "not found"]),
        dep("empty.csv", &["empty.csv"]),
        dep("header_only.csv", &["header_only.csv", "no point"]),
        dep("no_xy.csv", &["no_xy.csv", "x"]),
        dep("bad_number.csv", &["bad_number.csv", "line 3", "five hundred"]),
        dep("nan_xy.csv", &["nan_xy.csv", "line 3"]),
        dep("inf_xy.csv", &["inf_xy.csv", "line 3"]),
        dep("short_row.csv", &["short_row.csv", "line 3"]),
        dep("outside.csv", &["outside.csv", "outside"]),
        dep("latlon.csv", &["latlon.csv", "none of the 2 deposits", "CRS"]),
        dep("lines.geojson", &["lines.geojson", "point"]),
        dep("no_features.geojson", &["no_features.geojson", "no point"]),
        dep("broken.geojson", &["broken.geojson"]),
        dep("cut.shp", &["cut.shp", "fread"]),
        case(
            "weights {d}/classes.tif --deposits {d}/deposits.csv --type ascending --unit-cell-km2 0 --out {d}/out.csv",
            &["--unit-cell-km2", "'0'", "> 0"],
        ),
        case(
            "weights {d}/classes.tif --deposits {d}/deposits.csv --type ascending --unit-cell-km2 NaN --out {d}/out.csv",
            &["--unit-cell-km2", "NaN"],
        ),
        case(
            "weights {d}/classes.tif --deposits {d}/deposits.csv --type ascending --unit-cell-km2 -1 --out {d}/out.csv",
            &["--unit-cell-km2", "-1"],
        ),
        case(
            "weights {d}/classes.tif --deposits {d}/deposits.csv --type ascending --threshold NaN --out {d}/out.csv",
            &["--threshold", "NaN"],
        ),
        case(
            "weights {d}/classes.tif --deposits {d}/deposits.csv --deposits-crs EPSG:999999 --type ascending --out {d}/out.csv",
            &["EPSG:999999"],
        ),
        case(
            "weights {d}/nocrs.tif --deposits {d}/deposits.csv --deposits-crs EPSG:32635 --type ascending --out {d}/out.csv",
            &["deposits.csv", "in WGS 84 / UTM zone 35N", "the grid they go onto has no CRS"],
        ),
        case(
            "distance {d}/faults.geojson --like {d}/nocrs.tif --out {d}/d.tif",
            &["nocrs.tif", "has no CRS", "Give it a CRS"],
        ),
        // A valid CRS whose coordinates do not fit it (metres declared as degrees).
        case(
            "weights {d}/classes.tif --deposits {d}/deposits.csv --deposits-crs EPSG:4326 --type ascending --out {d}/out.csv",
            &["deposits.csv", "(500600, 5900700) cannot be transformed from WGS 84", "do not fit WGS 84", "Check the CRS"],
        ),
        case(
            "weights {d}/classes.tif --deposits {d}/deposits.csv --type sideways --out {d}/out.csv",
            &["sideways", "ascending"],
        ),
        case(
            "weights {d}/classes.tif --deposits {d}/deposits.csv --type ascending --out {d}/no/such/dir/out.csv",
            &["no/such/dir", "does not exist"],
        ),
        case(
            "weights {d}/classes.tif --deposits {d}/deposits.csv --type ascending --out {d}",
            &["is a folder"],
        ),
    ]);
}

#[test]
fn response_validate_and_targets_refuse_bad_inputs() {
    let resp = |weights: &str, evidence: &str, extra: &str, needles: &[&'static str]| {
        case(
            &format!(
                "response --weights {weights} --evidence {evidence} --deposits {{d}}/deposits.csv {extra} --out {{d}}/resp"
            ),
            needles,
        )
    };
    let val = |score: &str, extra: &str, needles: &[&'static str]| {
        case(
            &format!(
                "validate {{d}}/{score} --deposits {{d}}/deposits.csv {extra} --out {{d}}/val"
            ),
            needles,
        )
    };
    let tgt = |score: &str, extra: &str, needles: &[&'static str]| {
        case(
            &format!("targets {{d}}/{score} {extra} --out {{d}}/tgt"),
            needles,
        )
    };
    check(vec![
        resp(
            "{d}/weights.csv {d}/weights.csv",
            "{d}/classes.tif",
            "",
            &["2 weights tables", "1 evidence"],
        ),
        resp(
            "{d}/missing.csv",
            "{d}/classes.tif",
            "",
            &["missing.csv", "No such file"],
        ),
        resp(
            "{d}/weights_no_weight.csv",
            "{d}/classes.tif",
            "",
            &["weights_no_weight.csv", "WEIGHT"],
        ),
        resp(
            "{d}/weights_text.csv",
            "{d}/classes.tif",
            "",
            &["weights_text.csv", "high"],
        ),
        resp(
            "{d}/weights_nan.csv",
            "{d}/classes.tif",
            "",
            &["weights_nan.csv", "NaN"],
        ),
        resp(
            "{d}/weights_dup.csv",
            "{d}/classes.tif",
            "",
            &["weights_dup.csv", "class 1 appears more than once"],
        ),
        resp(
            "{d}/weights_negstd.csv",
            "{d}/classes.tif",
            "",
            &["weights_negstd.csv", "-0.3"],
        ),
        resp("{d}/weights.csv", "{d}/empty.tif", "", &["empty.tif"]),
        resp(
            "{d}/weights.csv {d}/weights.csv",
            "{d}/classes.tif {d}/coarse.tif",
            "",
            &["coarse.tif", "grid"],
        ),
        resp(
            "{d}/weights.csv",
            "{d}/classes.tif",
            "--unit-cell-km2 0",
            &["--unit-cell-km2"],
        ),
        val("missing.tif", "", &["missing.tif", "not found"]),
        val("allnodata.tif", "", &["allnodata.tif"]),
        val(
            "west_nodata.tif",
            "",
            &[
                "deposits.csv",
                "all 10 deposits",
                "outside the study area",
                "west_nodata.tif",
            ],
        ),
        val(
            "strip_nodata.tif",
            "",
            &[
                "deposits.csv",
                "0 beyond the grid's extent",
                "on cells of the grid outside the study area",
                "strip_nodata.tif",
            ],
        ),
        val(
            "score.tif",
            "--bootstrap 100000000",
            &["--bootstrap", "100000000"],
        ),
        val("score.tif", "--bootstrap -5", &["--bootstrap", "-5"]),
        val(
            "score.tif",
            "--outside sideways",
            &["--outside", "sideways", "error", "drop"],
        ),
        val(
            "score.tif",
            "--test-deposits {d}/outside.csv",
            &["outside.csv", "outside"],
        ),
        val(
            "score.tif",
            "--test-deposits {d}/missing.csv",
            &["missing.csv", "not found"],
        ),
        case(
            "validate {d}/score.tif --deposits {d}/outside.csv --out {d}/val",
            &["outside.csv", "outside"],
        ),
        case(
            "validate {d}/score.tif --deposits {d}/deposits.csv --out {d}/field.tif",
            &["field.tif"],
        ),
        tgt("score.tif", "--threshold NaN", &["--threshold", "NaN"]),
        tgt("score.tif", "--threshold inf", &["--threshold", "inf"]),
        tgt("score.tif", "--top-percent 0", &["--top-percent", "0"]),
        tgt("score.tif", "--top-percent 150", &["--top-percent", "150"]),
        tgt("score.tif", "--top-percent NaN", &["--top-percent", "NaN"]),
        tgt("score.tif", "--min-area-km2 -1", &["--min-area-km2", "-1"]),
        tgt("score.tif", "--pa", &["--pa", "--deposits"]),
        tgt(
            "score.tif",
            "--top-percent 5 --threshold 0.5",
            &["--threshold"],
        ),
        tgt(
            "score.tif",
            "--uncertainty {d}/coarse.tif",
            &["coarse.tif", "grid"],
        ),
        tgt("allnodata.tif", "", &["allnodata.tif"]),
        tgt("text.tif", "", &["text.tif"]),
        tgt(
            "score.tif",
            "--deposits {d}/outside.csv",
            &["outside.csv", "outside"],
        ),
    ]);
}

#[test]
fn evidence_commands_refuse_bad_inputs() {
    check(vec![
        case(
            "distance {d}/missing.geojson --like {d}/field.tif --out {d}/d.tif",
            &["missing.geojson", "not found"],
        ),
        case(
            "distance {d}/faults.geojson --like {d}/missing.tif --out {d}/d.tif",
            &["missing.tif", "not found"],
        ),
        case(
            "distance {d}/no_features.geojson --like {d}/field.tif --out {d}/d.tif",
            &["no_features.geojson"],
        ),
        case(
            "distance {d}/broken.geojson --like {d}/field.tif --out {d}/d.tif",
            &["broken.geojson"],
        ),
        case(
            "distance {d}/faults.geojson --like {d}/field.tif --crs EPSG:999999 --out {d}/d.tif",
            &["EPSG:999999"],
        ),
        case(
            "distance {d}/faults.geojson --like {d}/field.tif --max-distance -5 --out {d}/d.tif",
            &["--max-distance", "-5"],
        ),
        case(
            "distance {d}/faults.geojson --like {d}/field.tif --layer nope --out {d}/d.tif",
            &["nope"],
        ),
        case(
            "distance {d}/faults.geojson --like {d}/text.tif --out {d}/d.tif",
            &["text.tif"],
        ),
        case(
            "density {d}/faults.geojson --like {d}/field.tif --radius 0 --out {d}/d.tif",
            &["--radius", "0"],
        ),
        case(
            "density {d}/faults.geojson --like {d}/field.tif --radius -100 --out {d}/d.tif",
            &["--radius", "-100"],
        ),
        case(
            "density {d}/faults.geojson --like {d}/field.tif --radius NaN --out {d}/d.tif",
            &["--radius", "NaN"],
        ),
        case(
            "density {d}/no_features.geojson --like {d}/field.tif --radius 500 --out {d}/d.tif",
            &["no_features.geojson"],
        ),
        case(
            "density {d}/cut.shp --like {d}/field.tif --radius 500 --points --out {d}/d.tif",
            &["cut.shp", "fread"],
        ),
        case(
            "derivative {d}/degrees.tif --kind tilt --out {d}/d.tif",
            &["degrees.tif", "degree"],
        ),
        case(
            "derivative {d}/allnodata.tif --kind gradient --out {d}/d.tif",
            &["allnodata.tif"],
        ),
        case(
            "derivative {d}/truncated.tif --kind gradient --out {d}/d.tif",
            &["truncated.tif"],
        ),
        case(
            "derivative {d}/field.tif --kind curl --out {d}/d.tif",
            &["curl", "gradient"],
        ),
        case(
            "classify {d}/field.tif --method manual:5,3,1 --out {d}/c.tif --report {d}/c.json",
            &["manual", "increasing"],
        ),
        case(
            "classify {d}/field.tif --method quantiles:0 --out {d}/c.tif --report {d}/c.json",
            &["quantiles", "0"],
        ),
        case(
            "classify {d}/field.tif --method quantiles:1000000 --out {d}/c.tif --report {d}/c.json",
            &["1000000"],
        ),
        case(
            "classify {d}/allnodata.tif --method quantiles:4 --out {d}/c.tif --report {d}/c.json",
            &["allnodata.tif"],
        ),
        case(
            "classify {d}/const.tif --method jenks:4 --out {d}/c.tif --report {d}/c.json",
            &["const.tif"],
        ),
        case(
            "classify {d}/field.tif --method ferret:2 --out {d}/c.tif --report {d}/c.json",
            &["ferret"],
        ),
        case(
            "fuzzify {d}/field.tif --membership linear:5,5 --out {d}/f.tif",
            &["linear", "5"],
        ),
        case(
            "fuzzify {d}/field.tif --membership large:50,0 --out {d}/f.tif",
            &["spread", "0"],
        ),
        case(
            "fuzzify {d}/field.tif --membership gaussian:NaN,3 --out {d}/f.tif",
            &["NaN"],
        ),
        case(
            "fuzzify {d}/field.tif --membership categorical:1=1.5 --out {d}/f.tif",
            &["1.5"],
        ),
        case(
            "fuzzify {d}/field.tif --membership wobbly:1,2 --out {d}/f.tif",
            &["wobbly"],
        ),
        case(
            "fuzzify {d}/empty.tif --membership linear:1,5 --out {d}/f.tif",
            &["empty.tif"],
        ),
    ]);
}

#[test]
fn sample_commands_refuse_bad_inputs() {
    let interp = |extra: &str, needles: &[&'static str]| {
        case(
            &format!("interpolate {{d}}/samples.csv --value La_ppm --like {{d}}/field.tif {extra} --out {{d}}/i.tif"),
            needles,
        )
    };
    check(vec![
        interp("--power -1", &["--power", "-1"]),
        interp("--power NaN", &["--power", "NaN"]),
        interp("--neighbours 0", &["--neighbours", "0"]),
        interp("--min-points 10", &["--min-points", "10", "4 samples"]),
        interp("--min-points 0", &["--min-points", "0"]),
        interp("--search-radius -10", &["--search-radius", "-10"]),
        interp("--method kriging --nugget 0", &["--partial-sill", "--range"]),
        interp("--method kriging --nugget -1 --partial-sill 1 --range 100", &["nugget", "-1"]),
        interp("--method kriging --nugget 0 --partial-sill 1 --range 0", &["range", "0"]),
        case("interpolate {d}/samples.csv --value Nd_ppm --like {d}/field.tif --out {d}/i.tif", &["Nd_ppm", "La_ppm"]),
        case("interpolate {d}/samples_text.csv --value La_ppm --like {d}/field.tif --out {d}/i.tif", &["samples_text.csv", "line 3", "lots"]),
        case("interpolate {d}/samples_far.csv --value La_ppm --like {d}/field.tif --out {d}/i.tif", &["samples_far.csv", "outside"]),
        case("interpolate {d}/missing.csv --value La_ppm --like {d}/field.tif --out {d}/i.tif", &["missing.csv", "No such file"]),
        case("interpolate {d}/samples.csv --value La_ppm --x-column easting --like {d}/field.tif --out {d}/i.tif", &["easting"]),
        case("geochem {d}/samples_noelem.csv --out {d}/g.csv", &["samples_noelem.csv", "element"]),
        case("geochem {d}/samples_text.csv --out {d}/g.csv", &["samples_text.csv", "line 3", "lots"]),
        case("geochem {d}/samples.csv --anomaly-k NaN --out {d}/g.csv", &["--anomaly-k", "NaN"]),
        case("geochem {d}/samples.csv --anomaly-k -2 --out {d}/g.csv", &["--anomaly-k", "-2"]),
        case("geochem {d}/samples.csv --censored fraction=2 --out {d}/g.csv", &["fraction", "2"]),
        case("geochem {d}/samples.csv --reference moon --out {d}/g.csv", &["moon"]),
        case("geochem {d}/samples.csv --element Xx --out {d}/g.csv", &["Xx"]),
        case("geochem {d}/samples.csv --detection-limit La=-1 --out {d}/g.csv", &["La", "-1"]),
        case("geochem {d}/empty.csv --out {d}/g.csv", &["empty.csv"]),
        case("geochem {d}/samples.csv --out {d}/samples.csv", &["samples.csv", "never modifies its inputs"]),
    ]);
}

#[test]
fn assessment_commands_refuse_bad_inputs() {
    let pmf = |experts: &str, extra: &str, needles: &[&'static str]| {
        case(
            &format!("assess deposits-pmf --experts {{d}}/{experts} {extra} --out {{d}}/pmf.json"),
            needles,
        )
    };
    let prospects = |file: &str, needles: &[&'static str]| {
        case(&format!("prospects {{d}}/{file} --out {{d}}/p"), needles)
    };
    check(vec![
        pmf("missing.csv", "", &["missing.csv"]),
        pmf("experts_empty.csv", "", &["experts_empty.csv", "no expert"]),
        pmf(
            "experts_order.csv",
            "",
            &["experts_order.csv", "N90 ≤ N50 ≤ N10"],
        ),
        pmf(
            "experts_negative.csv",
            "",
            &["experts_negative.csv", "weight"],
        ),
        pmf("experts_nan.csv", "", &["experts_nan.csv", "NaN"]),
        pmf("experts_missing.csv", "", &["experts_missing.csv", "n50"]),
        pmf(
            "experts_weights.csv",
            "",
            &["experts_weights.csv", "weight", "inf"],
        ),
        pmf(
            "experts.csv",
            "--rule mark3",
            &["experts.csv", "Mark3", "negative-binomial"],
        ),
        pmf("experts.csv", "--rule guess", &["guess"]),
        prospects("missing.toml", &["missing.toml"]),
        prospects("not_toml.toml", &["not_toml.toml"]),
        prospects(
            "prospects_chance.toml",
            &["prospects_chance.toml", "seal", "1.4"],
        ),
        prospects(
            "prospects_negchance.toml",
            &["prospects_negchance.toml", "charge", "-0.2"],
        ),
        prospects(
            "prospects_triangle.toml",
            &["prospects_triangle.toml", "net_to_gross"],
        ),
        prospects(
            "prospects_lognormal.toml",
            &["prospects_lognormal.toml", "P90 ≤ P10"],
        ),
        prospects(
            "prospects_kind.toml",
            &["prospects_kind.toml", "uniformish"],
        ),
        prospects(
            "prospects_porosity.toml",
            &["prospects_porosity.toml", "porosity", "1.7"],
        ),
        prospects(
            "prospects_unknown_play.toml",
            &["prospects_unknown_play.toml", "No such play"],
        ),
        prospects(
            "prospects_trials.toml",
            &["prospects_trials.toml", "trials"],
        ),
        case("assess run {d}/missing.toml", &["missing.toml"]),
        case("assess run {d}/not_toml.toml", &["not_toml.toml"]),
        case(
            "assess run {d}/prospects_ok.toml",
            &["prospects_ok.toml", "assessment"],
        ),
        case("report {d}/missing_run", &["missing_run"]),
        // A language the report is not written in: named, with the ones it is.
        case("report {d} --lang de", &["\"de\"", "en, ru or be"]),
        case(
            "run {d}/project.toml --out {d}/out/run --lang klingon",
            &["\"klingon\"", "en, ru or be"],
        ),
        case("demo --out {d}/demo --lang e", &["\"e\"", "en, ru or be"]),
        project_case(
            "name = \"bad-input\"",
            "name = \"bad-input\"\nlang = \"fr\"",
            &["case.toml", "\"fr\"", "en, ru or be"],
        ),
        case("report {d}", &["run.json"]),
        case(
            "predict {d}/missing_run --layer field={d}/field.tif --out {d}/pred",
            &["missing_run"],
        ),
        case(
            "predict {d}/weights.csv --layer field={d}/field.tif --out {d}/pred",
            &["weights.csv"],
        ),
    ]);
}

#[test]
fn the_project_file_refuses_bad_inputs() {
    check(vec![
        project_case("[deposits]", "[deposits", &["case.toml"]),
        project_case(
            "name = \"bad-input\"",
            "name = \"bad-input\"\ncolour = \"red\"",
            &["case.toml", "colour"],
        ),
        project_case(
            "source = \"field.tif\"",
            "source = \"nocrs.tif\"",
            &["nocrs.tif", "no coordinate reference system"],
        ),
        project_case(
            "pattern = \"ascending\"\nclass_width = 1000",
            "pattern = \"ascending\"\nclass_width = 1000\n[targets]\nrank = \"sideways\"",
            &[
                "case.toml",
                "sideways",
                "mean_score",
                "expected",
                "deposit_density",
            ],
        ),
        project_case(
            "class_width = 10\n",
            "class_width = 10\ntransform = \"log10\"\noffset = -50\n",
            &[
                "\"field\"",
                "log10",
                "552 cells are outside it",
                "smallest value 22",
                "nonpositive = \"nodata\"",
            ],
        ),
        project_case(
            "class_width = 10\n",
            "class_width = 10\noffset = 1\n",
            &[
                "case.toml",
                "\"field\"",
                "`offset` and `nonpositive` belong to a `transform`",
            ],
        ),
        project_case(
            "class_width = 10\n",
            "class_width = 10\ntransform = \"cube\"\n",
            &["case.toml", "cube", "log10", "zscore"],
        ),
        project_case(
            "cell_size_m = 250",
            "cell_size_m = 0",
            &["cell_size_m", "0"],
        ),
        project_case(
            "cell_size_m = 250",
            "cell_size_m = -250",
            &["cell_size_m", "-250"],
        ),
        project_case(
            "cell_size_m = 250",
            "cell_size_m = nan",
            &["cell_size_m", "NaN"],
        ),
        project_case(
            "cell_size_m = 250",
            "cell_size_m = 0.001",
            &["cell_size_m", "cells"],
        ),
        project_case(
            "cell_size_m = 250",
            "cell_size_m = \"250\"",
            &["cell_size_m"],
        ),
        project_case(
            "study_area = \"area.geojson\"",
            "study_area = \"nope.geojson\"",
            &["nope.geojson", "not found"],
        ),
        project_case(
            "study_area = \"area.geojson\"",
            "study_area = \"no_features.geojson\"",
            &["no_features.geojson"],
        ),
        project_case(
            "study_area = \"area.geojson\"",
            "study_area = \"broken.geojson\"",
            &["broken.geojson"],
        ),
        project_case(
            "crs = \"EPSG:32635\"\ncell",
            "crs = \"EPSG:999999\"\ncell",
            &["EPSG:999999"],
        ),
        project_case(
            "path = \"deposits.csv\"",
            "path = \"header_only.csv\"",
            &["header_only.csv", "no point"],
        ),
        project_case(
            "path = \"deposits.csv\"",
            "path = \"outside.csv\"",
            &["outside.csv", "outside"],
        ),
        project_case(
            "path = \"deposits.csv\"",
            "path = \"cut.shp\"",
            &["cut.shp", "fread"],
        ),
        project_case(
            "path = \"deposits.csv\"",
            "path = \"bad_number.csv\"",
            &["bad_number.csv", "line 3"],
        ),
        project_case(
            "source = \"field.tif\"",
            "source = \"const.tif\"",
            &["field", "const.tif", "one class"],
        ),
        project_case(
            "source = \"field.tif\"",
            "source = \"allnodata.tif\"",
            &["field", "allnodata.tif"],
        ),
        project_case(
            "source = \"field.tif\"",
            "source = \"truncated.tif\"",
            &["truncated.tif"],
        ),
        project_case(
            "source = \"field.tif\"",
            "source = \"text.tif\"",
            &["text.tif"],
        ),
        project_case(
            "source = \"field.tif\"",
            "source = \"far.tif\"",
            &["far.tif", "does not overlap"],
        ),
        project_case(
            "pattern = \"descending\"",
            "pattern = \"downhill\"",
            &["downhill", "descending"],
        ),
        project_case("class_width = 10", "class_width = 0", &["class_width", "0"]),
        project_case(
            "class_width = 10",
            "class_width = -10",
            &["class_width", "-10"],
        ),
        project_case(
            "class_width = 1000",
            "class_width = 1000\nclass_width = 10",
            &["case.toml", "class_width"],
        ),
        project_case(
            "derive = \"distance\"",
            "derive = \"telepathy\"",
            &["telepathy"],
        ),
        project_case(
            "name = \"faults\"",
            "name = \"field\"",
            &["\"field\"", "two layers have this name"],
        ),
    ]);
}

/// NaN and ±Inf are NoData everywhere: counted, reported, never written and never a score.
#[test]
fn limits_refuse_work_above_them_and_name_the_flag() {
    let weights =
        "weights {d}/classes.tif --deposits {d}/deposits.csv --type ascending --out {d}/out.csv";
    let cases = vec![
        case(
            &format!("{weights} --max-cells 1000"),
            &["classes.tif", "max_cells = 1000", "--max-cells"],
        ),
        case(
            &format!("{weights} --max-features 2"),
            &["deposits.csv", "max_features = 2", "--max-features"],
        ),
        case(
            &format!("{weights} --max-classes 2"),
            &["classes", "max_classes = 2", "--max-classes"],
        ),
        case(
            "validate {d}/score.tif --deposits {d}/deposits.csv --bootstrap 11 --max-bootstrap 10 --out {d}/v",
            &["--bootstrap", "11", "max_bootstrap = 10", "--max-bootstrap"],
        ),
        case(
            "prospects {d}/prospects_many_trials.toml --out {d}/p",
            &["prospects_many_trials.toml", "trials", "1000000000", "--max-trials"],
        ),
        case(
            "prospects {d}/prospects_ok.toml --max-trials 999 --out {d}/p",
            &["prospects_ok.toml", "trials", "max_trials = 999"],
        ),
        case(
            "run {d}/project.toml --max-cells 100 --out {d}/out/run",
            &["max_cells = 100", "--max-cells"],
        ),
        case(&format!("--max-cells 0 {weights}"), &["--max-cells", "0"]),
        case(&format!("--max-classes 1 {weights}"), &["--max-classes", "1"]),
        case(
            &format!("--max-cells 200000000000 {weights}"),
            &["--max-cells", "200000000000"],
        ),
    ];
    check(cases);
}

#[test]
fn non_finite_cells_are_nodata_counted_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_raw_vrt(&d.join("inf.vrt"), X0, Y0, N, non_finite_field);
    let expected = (0..N)
        .flat_map(|r| (0..N).map(move |c| (r, c)))
        .filter(|(r, c)| !non_finite_field(*r, *c).is_finite())
        .count();
    let o = Command::new(env!("CARGO_BIN_EXE_nedra"))
        .args([
            "targets",
            "inf.vrt",
            "--top-percent",
            "10",
            "--min-area-km2",
            "0",
        ])
        .args(["--out", "tgt"])
        .current_dir(d)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "inf.vrt: {expected} cells held NaN or ±Inf; they were taken as NoData"
        )),
        "{err}"
    );
    let table = std::fs::read_to_string(d.join("tgt/targets.csv")).unwrap();
    assert!(table.lines().count() > 1, "{table}");
    assert!(
        !table.to_lowercase().contains("inf") && !table.to_lowercase().contains("nan"),
        "{table}"
    );
    // The target raster holds no non-finite value and covers only finite cells.
    let reader = nedra_io::RasterReader::open(&d.join("tgt/targets.tif")).unwrap();
    let block = reader
        .read(nedra_core::Window {
            row_off: 0,
            col_off: 0,
            width: N,
            height: N,
        })
        .unwrap();
    for r in 0..N {
        for c in 0..N {
            if let Some(v) = block.get(r * N + c) {
                assert!(v.is_finite());
                if v > 0.0 {
                    assert!(non_finite_field(r, c).is_finite(), "target on ({r}, {c})");
                }
            }
        }
    }
}

/// Features that all lie beyond the grid still give distances (a coastline outside the study
/// area is legitimate), but never silently: the warning names the file and the gap.
#[test]
fn features_beyond_the_grid_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let o = Command::new(env!("CARGO_BIN_EXE_nedra"))
        .args([
            "distance",
            "far_area.geojson",
            "--like",
            "field.tif",
            "--out",
            "d.tif",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("warning: far_area.geojson: no feature lies within the grid's extent"),
        "{err}"
    );
    assert!(err.contains("Check the layer's CRS"), "{err}");
}

/// A full disk: on a small tmpfs (mounting needs root; elsewhere the test says so and stops),
/// every size of disk either gives a complete, readable output or fails saying the disk is
/// full, leaving the disk empty — never a truncated file or a blame on the input.
#[test]
fn a_full_disk_is_reported_as_full_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4k", "tmpfs"])
        .arg(&mnt)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("a_full_disk…: cannot mount a tmpfs here (needs root); not run");
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(&mnt);
    let commands: [&[&str]; 3] = [
        &[
            "distance",
            "faults.geojson",
            "--like",
            "field.tif",
            "--out",
            "mnt/out.tif",
        ],
        &[
            "weights",
            "classes.tif",
            "--deposits",
            "deposits.csv",
            "--type",
            "ascending",
            "--out",
            "mnt/out.csv",
        ],
        &["run", "project.toml", "--out", "mnt/run"],
    ];
    let mut full = 0;
    for args in commands {
        let mut succeeded = false;
        for kib in (4..=512).step_by(4) {
            let remount = Command::new("mount")
                .args(["-o", &format!("remount,size={kib}k")])
                .arg(&mnt)
                .status()
                .unwrap();
            assert!(remount.success());
            let o = Command::new(env!("CARGO_BIN_EXE_nedra"))
                .args(args)
                .current_dir(dir.path())
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            let left: Vec<_> = std::fs::read_dir(&mnt)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            if o.status.success() {
                // The output is whole: every raster reads to the end.
                for entry in walk(&mnt) {
                    if entry.extension().is_some_and(|e| e == "tif") {
                        let r = nedra_io::RasterReader::open(&entry)
                            .unwrap_or_else(|e| panic!("{kib} KiB: {e}"));
                        for w in r.grid().windows(256) {
                            r.read(w).unwrap_or_else(|e| panic!("{kib} KiB: {e}"));
                        }
                    }
                }
                succeeded = true;
                break;
            }
            assert_eq!(o.status.code(), Some(2), "{args:?} at {kib} KiB: {err}");
            assert!(
                err.contains("the disk is full"),
                "{args:?} at {kib} KiB: {err}"
            );
            assert!(
                !err.contains(".tmp"),
                "{args:?} at {kib} KiB names a temporary file: {err}"
            );
            assert!(left.is_empty(), "{args:?} at {kib} KiB left {left:?}");
            full += 1;
        }
        assert!(succeeded, "{args:?} never succeeded up to 512 KiB");
        for e in std::fs::read_dir(&mnt).unwrap() {
            let p = e.unwrap().path();
            let _ = std::fs::remove_dir_all(&p).or_else(|_| std::fs::remove_file(&p));
        }
    }
    eprintln!("full-disk cases: {full}");
    assert!(full >= 3, "only {full} runs met a full disk");
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A raster without a CRS takes CSV points without one in its own coordinates (with a
/// warning): the weights equal those of the same raster with its CRS.
#[test]
fn a_raster_without_a_crs_takes_csv_points_in_its_own_coordinates() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let weights = |raster: &str, out: &str| {
        Command::new(env!("CARGO_BIN_EXE_nedra"))
            .args([
                "weights",
                raster,
                "--deposits",
                "deposits.csv",
                "--type",
                "ascending",
            ])
            .args(["--out", out])
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let bare = weights("nocrs.tif", "bare.csv");
    let err = String::from_utf8_lossy(&bare.stderr);
    assert!(bare.status.success(), "{err}");
    assert!(
        err.contains("deposits.csv: a CSV table carries no CRS and none is declared, so its x/y are taken in the grid's own coordinates (the grid has no CRS either)"),
        "{err}"
    );
    let with_crs = weights("classes.tif", "with_crs.csv");
    assert!(with_crs.status.success());
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    assert_eq!(read("bare.csv"), read("with_crs.csv"));
}

/// `--outside drop` leaves out the points beyond the study area, with a warning giving their
/// count: the validation equals that of the points inside alone.
#[test]
fn validate_and_targets_drop_outside_deposits_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    std::fs::write(
        dir.path().join("inside.csv"),
        points_csv(&[(X0 + 500.0, Y0 + 500.0)]),
    )
    .unwrap();
    let nedra = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_nedra"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let dropped = nedra(&[
        "validate",
        "score.tif",
        "--deposits",
        "outside.csv",
        "--outside",
        "drop",
        "--out",
        "v1",
    ]);
    let err = String::from_utf8_lossy(&dropped.stderr);
    assert!(dropped.status.success(), "{err}");
    assert!(
        err.contains("outside.csv: 1 of 2 points lie outside the study area"),
        "{err}"
    );
    let inside = nedra(&[
        "validate",
        "score.tif",
        "--deposits",
        "inside.csv",
        "--out",
        "v2",
    ]);
    assert!(inside.status.success());
    let auc = |d: &str| {
        let v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(d).join("validation.json")).unwrap(),
        )
        .unwrap();
        (
            v["roc_auc"].as_f64().unwrap(),
            v["success_rate_auc"].as_f64().unwrap(),
        )
    };
    assert_eq!(auc("v1"), auc("v2"));
    let refused = nedra(&[
        "validate",
        "score.tif",
        "--deposits",
        "outside.csv",
        "--out",
        "v3",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    let targets = nedra(&[
        "targets",
        "score.tif",
        "--deposits",
        "outside.csv",
        "--outside",
        "drop",
        "--out",
        "t",
    ]);
    let err = String::from_utf8_lossy(&targets.stderr);
    assert!(targets.status.success(), "{err}");
    assert!(err.contains("left out (--outside drop)"), "{err}");
}

/// A class the weights table lacks gets weight 0 (as missing evidence) with a warning giving
/// its cells: with one layer its cells take the prior probability.
#[test]
fn unseen_classes_get_weight_zero_with_a_count() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fixture(d);
    // Classes 1–4 as in classes.tif, and a class 9 in the last 5 columns.
    write_raster(&d.join("classes9.tif"), &utm_grid(X0, Y0, N), |_, c| {
        Some(if c >= N - 5 {
            9.0
        } else {
            (1 + c * 4 / N) as f64
        })
    });
    let nedra = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_nedra"))
            .args(args)
            .current_dir(d)
            .output()
            .unwrap()
    };
    let w = nedra(&[
        "weights",
        "classes.tif",
        "--deposits",
        "deposits.csv",
        "--type",
        "categorical",
        "--out",
        "w.csv",
    ]);
    assert!(w.status.success(), "{}", String::from_utf8_lossy(&w.stderr));
    let r = nedra(&[
        "response",
        "--weights",
        "w.csv",
        "--evidence",
        "classes9.tif",
        "--deposits",
        "deposits.csv",
        "--out",
        "r",
    ]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(r.status.success(), "{err}");
    let cells = 5 * N;
    assert!(
        err.contains(&format!(
            "{cells} cells of class [9] that has no row in w.csv were given weight 0"
        )),
        "{err}"
    );
    let out = String::from_utf8_lossy(&r.stdout);
    let prior: f64 = out
        .lines()
        .find_map(|l| l.strip_prefix("prior probability: "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .parse()
        .unwrap();
    let post = nedra_io::RasterReader::open(&d.join("r/posterior.tif")).unwrap();
    let block = post
        .read(nedra_core::Window {
            row_off: 0,
            col_off: N - 1,
            width: 1,
            height: 1,
        })
        .unwrap();
    assert!(block.valid[0]);
    assert!(
        ((block.values[0] - prior) / prior).abs() < 1e-6,
        "{} vs {prior}",
        block.values[0]
    );
}

/// Reads targets.csv as (rank, area_km2) rows.
fn target_rows(dir: &Path) -> Vec<(usize, f64)> {
    let text = std::fs::read_to_string(dir.join("targets.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (rank, area) = (col("rank"), col("area_km2"));
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[rank].parse().unwrap(), f[area].parse().unwrap())
        })
        .collect()
}

/// A top-percent threshold inside a large tie moves above the tie, with a warning, instead of
/// turning "the top 5 %" into half of the map.
#[test]
fn a_tie_at_the_top_percent_threshold_does_not_take_the_whole_tie() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 4 cells at 0.9, half the map tied at 0.5, the rest distinct and low.
    write_raster(&d.join("tied.tif"), &utm_grid(X0, Y0, N), |r, c| {
        Some(if r < 2 && c < 2 {
            0.9
        } else if c < N / 2 {
            0.5
        } else {
            0.1 + (r * N + c) as f64 * 1e-6
        })
    });
    let o = Command::new(env!("CARGO_BIN_EXE_nedra"))
        .args([
            "targets",
            "tied.tif",
            "--top-percent",
            "5",
            "--min-area-km2",
            "0",
            "--out",
            "t",
        ])
        .current_dir(d)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("the top 5 % of the area ends inside a tie: 796 cells"),
        "{err}"
    );
    let cell_km2 = 0.25 * 0.25;
    assert_eq!(target_rows(&d.join("t")), vec![(1, 4.0 * cell_km2)]);
}

/// The declared ranking rules: mean score puts a small high patch first, the expected
/// deposits (Σ score) and the deposit density put the large region holding the deposits first.
#[test]
fn targets_are_ranked_by_the_declared_rule() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fixture(d);
    // Patch A: 4 cells at 0.9 in the north-east; region B: 200 cells at 0.6 in the west,
    // where the fixture's deposits lie (columns 2–4, rows 2–38).
    write_raster(&d.join("two.tif"), &utm_grid(X0, Y0, N), |r, c| {
        Some(if r < 2 && (30..32).contains(&c) {
            0.9
        } else if c < 6 {
            0.6
        } else {
            0.1
        })
    });
    let run = |rank: &str, out: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_nedra"))
            .args([
                "targets",
                "two.tif",
                "--threshold",
                "0.5",
                "--min-area-km2",
                "0",
            ])
            .args(["--deposits", "deposits.csv", "--rank", rank, "--out", out])
            .current_dir(d)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        target_rows(&d.join(out))
    };
    let cell_km2 = 0.25 * 0.25;
    let (a, b) = (4.0 * cell_km2, 6.0 * N as f64 * cell_km2);
    assert_eq!(run("mean_score", "m"), vec![(1, a), (2, b)]);
    assert_eq!(run("expected", "e"), vec![(1, b), (2, a)]);
    assert_eq!(run("deposit_density", "dd"), vec![(1, b), (2, a)]);
}

/// A declared transform reaches the layer's values: `evidence/field_transformed.tif` holds
/// sqrt(x) of the layer (already on the grid, so read as it is), cell for cell.
#[test]
fn a_transform_is_applied_to_the_layer_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fixture(d);
    let project = PROJECT.replace(
        "class_width = 10\n",
        "class_width = 1\ntransform = \"sqrt\"\n",
    );
    std::fs::write(d.join("sqrt.toml"), project).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_nedra"))
        .args(["run", "sqrt.toml", "--out", "run"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let window = nedra_core::Window {
        row_off: 0,
        col_off: 0,
        width: N,
        height: N,
    };
    let values = nedra_io::RasterReader::open(&d.join("field.tif"))
        .unwrap()
        .read(window)
        .unwrap();
    let sqrt = nedra_io::RasterReader::open(&d.join("run/evidence/field_transformed.tif"))
        .unwrap()
        .read(window)
        .unwrap();
    let mut n = 0;
    for i in 0..N * N {
        assert_eq!(values.valid[i], sqrt.valid[i]);
        if values.valid[i] {
            assert!((sqrt.values[i] - values.values[i].sqrt()).abs() < 1e-12);
            n += 1;
        }
    }
    assert!(n > 0);
    let manifest = std::fs::read_to_string(d.join("run/run.json")).unwrap();
    assert!(
        manifest.contains("then sqrt(x)"),
        "the derivation names the transform"
    );
}
