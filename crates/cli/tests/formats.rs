//! The survey's own vector formats end to end: the demo project with its study area, units and
//! deposits in a GeoPackage and its faults in FlatGeobuf gives the same maps and targets as the
//! GeoJSON/CSV original, and the targets GeoPackage nedra writes passes GDAL's GeoPackage
//! validator (`validate_gpkg.py`, shipped with Debian's python3-gdal).

use std::path::Path;
use std::process::Command;

mod binary;
use binary::{read_all, run_ok};

/// `ogr2ogr` (gdal-bin, installed by scripts/setup.sh) converting `src` into `dst`.
fn ogr2ogr(args: &[&str]) {
    let o = Command::new("ogr2ogr").args(args).output().unwrap();
    assert!(
        o.status.success(),
        "ogr2ogr {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn geopackage_and_flatgeobuf_inputs_give_the_runs_of_geojson_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = nedra_engine::demo::generate(d, 2026).unwrap();
    let data = d.join("data");
    let gpkg = data.join("survey.gpkg");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    ogr2ogr(&[
        "-f",
        "GPKG",
        &s(&gpkg),
        &s(&data.join("study_area.geojson")),
        "-nln",
        "study_area",
    ]);
    ogr2ogr(&[
        "-f",
        "GPKG",
        "-update",
        &s(&gpkg),
        &s(&data.join("units.geojson")),
        "-nln",
        "units",
    ]);
    ogr2ogr(&[
        "-f",
        "GPKG",
        "-update",
        &s(&gpkg),
        &s(&data.join("occurrences.csv")),
        "-nln",
        "occurrences",
        "-oo",
        "X_POSSIBLE_NAMES=x",
        "-oo",
        "Y_POSSIBLE_NAMES=y",
        "-a_srs",
        "EPSG:32635",
    ]);
    ogr2ogr(&[
        "-f",
        "FlatGeobuf",
        &s(&data.join("faults.fgb")),
        &s(&data.join("faults.geojson")),
    ]);
    let text = std::fs::read_to_string(&project).unwrap();
    let converted = text
        .replace(
            "study_area = \"data/study_area.geojson\"",
            "study_area = \"data/survey.gpkg\"\nstudy_area_layer = \"study_area\"",
        )
        .replace(
            "path = \"data/occurrences.csv\"",
            "path = \"data/survey.gpkg\"\nlayer = \"occurrences\"",
        )
        .replace(
            "crs = \"EPSG:32635\"\nx_column = \"x\"\ny_column = \"y\"\n",
            "",
        )
        .replace("data/faults.geojson", "data/faults.fgb")
        .replace(
            "source = \"data/units.geojson\"",
            "source = \"data/survey.gpkg\"\nlayer = \"units\"",
        );
    for gone in ["geojson", "occurrences.csv", "x_column"] {
        assert!(!converted.contains(gone), "{gone} left in:\n{converted}");
    }
    let vector_project = d.join("project_vector.toml");
    std::fs::write(&vector_project, converted).unwrap();

    let (a, b) = (d.join("run-geojson"), d.join("run-gpkg"));
    let out_a = run_ok(&project, &a);
    let out_b = run_ok(&vector_project, &b);
    // The same deposits, study area and evidence: the same maps, cell for cell, and the same
    // targets and figures.
    for raster in [
        "mask.tif",
        "posterior.tif",
        "posterior_std.tif",
        "targets.tif",
    ] {
        assert_eq!(
            read_all(&a.join(raster)).1,
            read_all(&b.join(raster)).1,
            "{raster}"
        );
    }
    let figures = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.contains("AUC") || l.starts_with("deposits used"))
            .map(String::from)
            .collect()
    };
    assert!(!figures(&out_a).is_empty());
    assert_eq!(figures(&out_a), figures(&out_b));
    assert_eq!(
        std::fs::read_to_string(a.join("targets.csv")).unwrap(),
        std::fs::read_to_string(b.join("targets.csv")).unwrap()
    );
    // The manifest records the GeoPackage and FlatGeobuf inputs with their hashes.
    let manifest = std::fs::read_to_string(b.join("run.json")).unwrap();
    assert!(
        manifest.contains("survey.gpkg") && manifest.contains("faults.fgb"),
        "inputs"
    );

    // The targets GeoPackage is a valid GeoPackage (GDAL's validator: exit 0, no error), with
    // one feature per target.
    let validator = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py";
    assert!(
        Path::new(validator).exists(),
        "{validator}: install python3-gdal (bash scripts/setup.sh does)"
    );
    let o = Command::new("/usr/bin/python3")
        .arg(validator)
        .arg(b.join("targets.gpkg"))
        .output()
        .unwrap();
    assert!(
        o.status.success() && o.stderr.is_empty(),
        "validate_gpkg.py: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let o = Command::new("ogrinfo")
        .args(["-so", "-al"])
        .arg(b.join("targets.gpkg"))
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&o.stdout);
    let rows = std::fs::read_to_string(b.join("targets.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert!(
        info.contains(&format!("Feature Count: {rows}")),
        "{rows} targets: {info}"
    );
}
