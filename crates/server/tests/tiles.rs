//! Tiles from a real server, checked against an independent warp of the same tile by GDAL's
//! `gdalwarp` command (gdal-bin), coloured with the layer's legend.

mod common;

use std::path::Path;
use std::process::Command;

use common::{decode_png, get, make_run, options, start};
use nedra_server::legend::{Legend, Painter, CLASS_COLOURS, VIRIDIS};
use nedra_server::tiles::tile_extent;

/// `gdalwarp -t_srs EPSG:3857 -te … -ts 256 256 -r METHOD -ot Float64 -dstnodata nan` of
/// `src` for tile z/x/y, read back.
fn gdalwarp_tile(src: &Path, out: &Path, (z, x, y): (u32, u32, u32), method: &str) -> Vec<f64> {
    let e = tile_extent(z, x, y).unwrap();
    let status = Command::new("gdalwarp")
        .args(["-q", "-of", "GTiff", "-t_srs", "EPSG:3857", "-te"])
        .args(e.iter().map(|v| v.to_string()))
        .args(["-ts", "256", "256", "-r", method, "-ot", "Float64"])
        .args(["-dstnodata", "nan", "-overwrite"])
        .arg(src)
        .arg(out)
        .status()
        .expect("gdalwarp (Debian's gdal-bin; bash scripts/setup.sh installs it)");
    assert!(status.success());
    let ds = gdal::Dataset::open(out).unwrap();
    let band = ds.rasterband(1).unwrap();
    band.read_as::<f64>((0, 0), (256, 256), (256, 256), None)
        .unwrap()
        .into_shape_and_vec()
        .1
}

/// Pixels of `png` that differ from `expected` by more than `tolerance` in any channel.
fn differing(png: &[u8], expected: &[[u8; 4]], tolerance: u8) -> usize {
    let (w, h, rgba) = decode_png(png);
    assert_eq!((w, h), (256, 256));
    rgba.chunks(4)
        .zip(expected)
        .filter(|(got, want)| {
            got.iter()
                .zip(*want)
                .any(|(a, b)| a.abs_diff(*b) > tolerance)
        })
        .count()
}

#[test]
fn score_tiles_match_gdalwarp_at_several_zooms() {
    let dir = tempfile::tempdir().unwrap();
    let run = make_run(dir.path());
    let (addr, _) = start(options(&run));
    let legend: serde_json::Value =
        serde_json::from_slice(&get(addr, "/runs/run/legend/score").body).unwrap();
    assert_eq!(legend["kind"], "continuous");
    assert_eq!(legend["ramp"], "viridis");
    let (min, max) = (
        legend["min"].as_f64().unwrap(),
        legend["max"].as_f64().unwrap(),
    );
    assert!(min < -0.9 && max > 0.9, "{min} {max}");
    let painter = Painter::new(&Legend::continuous(VIRIDIS, min, max));
    // The raster covers about 26.7–28.9° E, 52.6–53.7° N; z5 reads its overview, z11 a few
    // of its cells; the z9 tile straddles its western edge.
    for (z, x, y) in [(5, 18, 10), (7, 73, 41), (9, 293, 166), (11, 1182, 665)] {
        let response = get(addr, &format!("/runs/run/tiles/score/{z}/{x}/{y}.png"));
        assert_eq!(response.status, 200, "{}", response.text());
        assert_eq!(response.header("content-type"), Some("image/png"));
        let values = gdalwarp_tile(
            &run.join("score.tif"),
            &dir.path().join("expected.tif"),
            (z, x, y),
            "bilinear",
        );
        let painted = values.iter().filter(|v| v.is_finite()).count();
        assert!(
            painted > 1000,
            "tile {z}/{x}/{y} has {painted} cells with data"
        );
        let expected: Vec<[u8; 4]> = values.iter().map(|v| painter.paint(*v)).collect();
        let off = differing(&response.body, &expected, 1);
        assert_eq!(
            off, 0,
            "tile {z}/{x}/{y}: {off} of 65536 pixels differ from gdalwarp"
        );
    }
}

#[test]
fn class_tiles_use_nearest_cells_and_class_colours() {
    let dir = tempfile::tempdir().unwrap();
    let run = make_run(dir.path());
    let (addr, _) = start(options(&run));
    let legend: serde_json::Value =
        serde_json::from_slice(&get(addr, "/runs/run/legend/evidence.classes").body).unwrap();
    assert_eq!(legend["kind"], "classes");
    assert_eq!(legend["classes"].as_array().unwrap().len(), 4);
    let painter = Painter::new(&Legend::classes(1, 4));
    let (z, x, y) = (8, 147, 83);
    let response = get(
        addr,
        &format!("/runs/run/tiles/evidence.classes/{z}/{x}/{y}.png"),
    );
    assert_eq!(response.status, 200);
    let values = gdalwarp_tile(
        &run.join("evidence/classes.tif"),
        &dir.path().join("expected.tif"),
        (z, x, y),
        "near",
    );
    let expected: Vec<[u8; 4]> = values.iter().map(|v| painter.paint(*v)).collect();
    assert!(expected.iter().any(|p| p[..3] == CLASS_COLOURS[0]));
    assert!(expected.iter().any(|p| p[..3] == CLASS_COLOURS[3]));
    assert_eq!(differing(&response.body, &expected, 0), 0);
}

#[test]
fn tiles_away_from_the_raster_are_transparent_and_bad_addresses_are_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let run = make_run(dir.path());
    let (addr, _) = start(options(&run));
    let away = get(addr, "/runs/run/tiles/score/6/0/0.png");
    assert_eq!(away.status, 200);
    let (_, _, rgba) = decode_png(&away.body);
    assert!(rgba.chunks(4).all(|p| p[3] == 0));
    for bad in [
        "/runs/run/tiles/score/25/0/0.png",
        "/runs/run/tiles/score/3/8/0.png",
        "/runs/run/tiles/score/3/0/0.jpg",
        "/runs/run/tiles/score/3/0/-1.png",
        "/runs/run/tiles/score/x/0/0.png",
        "/runs/run/tiles/nothing/3/0/0.png",
        "/runs/other/tiles/score/3/0/0.png",
    ] {
        assert_eq!(get(addr, bad).status, 404, "{bad}");
    }
}

#[test]
fn the_layer_list_holds_every_raster_with_its_legend() {
    let dir = tempfile::tempdir().unwrap();
    let run = make_run(dir.path());
    let (addr, _) = start(options(&run));
    let layers: serde_json::Value =
        serde_json::from_slice(&get(addr, "/runs/run/layers").body).unwrap();
    let ids: Vec<&str> = layers
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["score", "evidence.classes"]);
    assert_eq!(layers[0]["title"], "test score (score.tif)");
    assert_eq!(layers[1]["file"], "evidence/classes.tif");
    let bounds = layers[0]["bounds"].as_array().unwrap();
    assert!((26.0..27.0).contains(&bounds[0].as_f64().unwrap()));
    let point: serde_json::Value =
        serde_json::from_slice(&get(addr, "/runs/run/point?lon=27.8&lat=53.2").body).unwrap();
    let values = point["values"].as_array().unwrap();
    assert_eq!(values.len(), 2);
    assert!(values[0]["value"].is_f64());
    assert!(values[1]["label"].as_str().unwrap().starts_with("class "));
}
