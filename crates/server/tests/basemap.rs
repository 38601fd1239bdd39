//! `--basemap`: an MBTiles file made by `gdal_translate -of MBTILES` (gdal-bin) and PMTiles v3
//! archives written here from known tiles are served byte for byte at /basemap/Z/X/Y, under
//! the same rules as every route; a missing tile is 404 and a bad file stops the server at
//! start with a message naming it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{get, make_run, options, request, start};
use nedra_server::pmtiles::{write, TileType};
use nedra_server::security::CONTENT_SECURITY_POLICY;

/// Web Mercator's half width, metres.
const HALF: f64 = 20_037_508.342_789_244;

/// A 512 × 512 RGB GeoTIFF over the whole Web Mercator square (a pattern in each band), made
/// into MBTiles at zoom 1 by `gdal_translate` and given zoom 0 by `gdaladdo`.
fn make_mbtiles(dir: &Path) -> PathBuf {
    let tif = dir.join("world.tif");
    let driver = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
    let mut ds = driver
        .create_with_band_type::<u8, _>(&tif, 512, 512, 3)
        .unwrap();
    ds.set_geo_transform(&[
        -HALF,
        2.0 * HALF / 512.0,
        0.0,
        HALF,
        0.0,
        -2.0 * HALF / 512.0,
    ])
    .unwrap();
    ds.set_spatial_ref(&gdal::spatial_ref::SpatialRef::from_epsg(3857).unwrap())
        .unwrap();
    for b in 1..=3usize {
        let data: Vec<u8> = (0..512 * 512)
            .map(|i| ((i % 512) / 2 + (i / 512) * b / 3) as u8)
            .collect();
        let mut buffer = gdal::raster::Buffer::new((512, 512), data);
        ds.rasterband(b)
            .unwrap()
            .write((0, 0), (512, 512), &mut buffer)
            .unwrap();
    }
    drop(ds);
    let mbtiles = dir.join("world.mbtiles");
    let run = |program: &str, args: &[&str]| {
        let out = Command::new(program).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(
        "gdal_translate",
        &[
            "-q",
            "-of",
            "MBTILES",
            tif.to_str().unwrap(),
            mbtiles.to_str().unwrap(),
        ],
    );
    run("gdaladdo", &["-q", mbtiles.to_str().unwrap(), "2"]);
    mbtiles
}

/// Every tile of an MBTiles file as (z, x, y from the north, bytes), read by Debian's Python
/// and its sqlite3 module (not by nedra's reader).
fn tiles_by_python(mbtiles: &Path) -> Vec<(u8, u32, u32, Vec<u8>)> {
    let script = "import sqlite3, sys\n\
        for z, x, row, data in sqlite3.connect(sys.argv[1]).execute('SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles'):\n\
        \x20   print(z, x, (1 << z) - 1 - row, data.hex())\n";
    let out = Command::new("/usr/bin/python3")
        .args(["-c", script, mbtiles.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            let bytes = (0..f[3].len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&f[3][i..i + 2], 16).unwrap())
                .collect();
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                bytes,
            )
        })
        .collect()
}

/// A server over a test run with `basemap`.
fn serve_with(dir: &Path, basemap: &Path) -> std::net::SocketAddr {
    let mut o = options(&make_run(dir));
    o.basemap = Some(basemap.to_path_buf());
    start(o).0
}

/// Known tiles: PNG signatures followed by bytes that differ per tile (the server serves
/// bytes as stored and never decodes them), two of them equal (stored once), over zooms 0–3.
fn known_tiles() -> Vec<(u8, u32, u32, Vec<u8>)> {
    let mut tiles = Vec::new();
    for z in 0..=3u8 {
        for x in 0..1u32 << z {
            for y in 0..1u32 << z {
                if (x + y) % 3 == 2 {
                    continue; // some tiles are missing
                }
                let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
                b.extend(format!("tile {z}/{x}/{y}").bytes());
                b.extend((0..(37 * (x + 1) + y) as u8).map(|i| i ^ z));
                tiles.push((z, x, y, b));
            }
        }
    }
    // A run of equal tiles and a tile stored twice.
    let same = b"\x89PNG\r\n\x1a\nthe same".to_vec();
    tiles.retain(|t| !(t.0 == 3 && t.1 < 2));
    for y in 0..8 {
        tiles.push((3, 0, y, same.clone()));
    }
    tiles
}

#[test]
fn an_mbtiles_basemap_serves_the_tiles_gdal_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let mbtiles = make_mbtiles(dir.path());
    let tiles = tiles_by_python(&mbtiles);
    assert_eq!(tiles.iter().filter(|t| t.0 == 1).count(), 4, "zoom 1");
    assert_eq!(tiles.iter().filter(|t| t.0 == 0).count(), 1, "zoom 0");
    let addr = serve_with(dir.path(), &mbtiles);
    for (z, x, y, bytes) in &tiles {
        let r = get(addr, &format!("/basemap/{z}/{x}/{y}"));
        assert_eq!(r.status, 200, "{z}/{x}/{y}");
        assert_eq!(r.header("content-type"), Some("image/png"));
        assert_eq!(&r.body, bytes, "{z}/{x}/{y}");
        assert_eq!(
            r.header("content-security-policy"),
            Some(CONTENT_SECURITY_POLICY)
        );
        assert_eq!(get(addr, &format!("/basemap/{z}/{x}/{y}.png")).body, *bytes);
    }
    // Rows count from the south in MBTiles: 1/0/0 (north-west) is not 1/0/1.
    let nw = get(addr, "/basemap/1/0/0").body;
    assert_ne!(nw, get(addr, "/basemap/1/0/1").body);
    for missing in [
        "/basemap/2/0/0",
        "/basemap/1/2/0",
        "/basemap/40/0/0",
        "/basemap/a/0/0",
    ] {
        assert_eq!(get(addr, missing).status, 404, "{missing}");
    }
    let runs = get(addr, "/api/runs").text();
    let v: serde_json::Value = serde_json::from_str(&runs).unwrap();
    assert_eq!(v["basemap"]["minzoom"], 0);
    assert_eq!(v["basemap"]["maxzoom"], 1);
    assert_eq!(v["basemap"]["tiles"], "/basemap/{z}/{x}/{y}");
    assert!(
        !runs.contains("world.mbtiles"),
        "the file's name stays private"
    );
}

#[test]
fn pmtiles_basemaps_serve_the_tiles_put_in() {
    let dir = tempfile::tempdir().unwrap();
    let tiles = known_tiles();
    for (name, gzip, leaves) in [
        ("plain.pmtiles", false, None),
        ("gzip.pmtiles", true, None),
        ("leaves.pmtiles", true, Some(7)),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, write::archive(&tiles, TileType::Png, gzip, leaves)).unwrap();
        let sub = dir.path().join(name.replace('.', "-"));
        std::fs::create_dir(&sub).unwrap();
        let addr = serve_with(&sub, &path);
        for (z, x, y, bytes) in &tiles {
            let r = get(addr, &format!("/basemap/{z}/{x}/{y}"));
            assert_eq!(r.status, 200, "{name} {z}/{x}/{y}");
            assert_eq!(&r.body, bytes, "{name} {z}/{x}/{y}");
            assert_eq!(r.header("content-type"), Some("image/png"));
        }
        for z in 0..=4u8 {
            for x in 0..1u32 << z {
                for y in 0..1u32 << z {
                    if !tiles.iter().any(|t| (t.0, t.1, t.2) == (z, x, y)) {
                        let r = get(addr, &format!("/basemap/{z}/{x}/{y}"));
                        assert_eq!(r.status, 404, "{name} {z}/{x}/{y}");
                    }
                }
            }
        }
        let v: serde_json::Value = serde_json::from_str(&get(addr, "/api/runs").text()).unwrap();
        assert_eq!(
            (
                v["basemap"]["minzoom"].as_u64(),
                v["basemap"]["maxzoom"].as_u64()
            ),
            (Some(0), Some(3))
        );
    }
}

/// A PMTiles archive's attribution (its JSON metadata, gzip-compressed like its directories)
/// reaches the page, markup and all (the page shows it as text; an MBTiles file's, from its
/// metadata table, is checked in Chromium by scripts/serve_check.sh).
#[test]
fn the_attribution_of_a_pmtiles_archive_reaches_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let said = "Survey <b>basemap</b> © 2026 \"quoted\"";
    let path = dir.path().join("b.pmtiles");
    let metadata = serde_json::json!({ "attribution": said, "name": "x" }).to_string();
    std::fs::write(
        &path,
        write::archive_with_metadata(&known_tiles(), TileType::Png, true, None, &metadata),
    )
    .unwrap();
    let sub = dir.path().join("pm");
    std::fs::create_dir(&sub).unwrap();
    let addr = serve_with(&sub, &path);
    let v: serde_json::Value = serde_json::from_str(&get(addr, "/api/runs").text()).unwrap();
    assert_eq!(v["basemap"]["attribution"], said);
    // Without one: none.
    let plain = dir.path().join("plain.pmtiles");
    std::fs::write(
        &plain,
        write::archive(&known_tiles(), TileType::Png, false, None),
    )
    .unwrap();
    let sub = dir.path().join("plain");
    std::fs::create_dir(&sub).unwrap();
    let addr = serve_with(&sub, &plain);
    let v: serde_json::Value = serde_json::from_str(&get(addr, "/api/runs").text()).unwrap();
    assert!(v["basemap"]["attribution"].is_null(), "{v}");
    // Metadata that is not JSON stops the server at start, naming the file.
    let broken = dir.path().join("broken.pmtiles");
    std::fs::write(
        &broken,
        write::archive_with_metadata(&known_tiles(), TileType::Png, false, None, "{not json"),
    )
    .unwrap();
    let Err(e) = nedra_server::basemap::Basemap::open(&broken) else {
        panic!("metadata that is not JSON was accepted")
    };
    let e = e.to_string();
    assert!(
        e.contains("broken.pmtiles") && e.contains("metadata is not JSON"),
        "{e}"
    );
}

#[test]
fn the_basemap_keeps_the_security_rules() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.pmtiles");
    std::fs::write(
        &path,
        write::archive(&known_tiles(), TileType::Png, true, None),
    )
    .unwrap();
    let mut o = options(&make_run(dir.path()));
    o.basemap = Some(path);
    o.token = Some("s3cret-token_1".into());
    let (addr, _) = start(o);
    assert_eq!(get(addr, "/basemap/0/0/0").status, 401);
    let bearer = "Authorization: Bearer s3cret-token_1";
    assert_eq!(
        request(addr, "GET", "/basemap/0/0/0", &[bearer]).status,
        200
    );
    assert_eq!(
        request(addr, "HEAD", "/basemap/0/0/0", &[bearer]).status,
        200
    );
    for method in ["POST", "PUT", "DELETE"] {
        assert_eq!(
            request(addr, method, "/basemap/0/0/0", &[bearer]).status,
            405,
            "{method}"
        );
    }
    // Paths are numbers: nothing else is read.
    for target in [
        "/basemap/0/0/..%2f..%2fsecret.txt",
        "/basemap/0/0",
        "/basemap/../run.json",
    ] {
        assert_eq!(
            request(addr, "GET", target, &[bearer]).status,
            404,
            "{target}"
        );
    }
}

#[test]
fn without_a_basemap_there_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, _) = start(options(&make_run(dir.path())));
    assert_eq!(get(addr, "/basemap/0/0/0").status, 404);
    let v: serde_json::Value = serde_json::from_str(&get(addr, "/api/runs").text()).unwrap();
    assert!(v["basemap"].is_null());
}

#[test]
fn a_bad_basemap_stops_the_server_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let run = make_run(dir.path());
    let good = write::archive(&known_tiles(), TileType::Png, true, Some(5));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "notes.mbtiles",
            b"just some text, not a database".to_vec(),
            "neither MBTiles",
        ),
        ("empty.pmtiles", Vec::new(), "too short"),
        (
            "short.pmtiles",
            good[..60].to_vec(),
            "shorter than a PMTiles header",
        ),
        (
            "cut.pmtiles",
            good[..good.len() - 40].to_vec(),
            "beyond the end",
        ),
        (
            "v2.pmtiles",
            [&b"PMTiles\x02"[..], &good[8..]].concat(),
            "version 2",
        ),
        (
            "vector.pmtiles",
            write::archive(&known_tiles(), TileType::Mvt, false, None),
            "vector tiles",
        ),
        (
            "sqlite.mbtiles",
            b"SQLite format 3\0 and then garbage".to_vec(),
            "no readable MBTiles",
        ),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let mut o = options(&run);
        o.basemap = Some(path.clone());
        let error = match nedra_server::Server::bind(o) {
            Ok(_) => panic!("{name} was accepted"),
            Err(e) => e.to_string(),
        };
        assert!(
            error.contains(path.to_str().unwrap()) && error.contains(expected),
            "{name}: {error}"
        );
    }
    // A broken root directory inside a well-formed header.
    let mut broken = good.clone();
    let root_at = u64::from_le_bytes(broken[8..16].try_into().unwrap()) as usize;
    broken[root_at..root_at + 10].fill(0xff);
    let path = dir.path().join("broken.pmtiles");
    std::fs::write(&path, broken).unwrap();
    let mut o = options(&run);
    o.basemap = Some(path.clone());
    let error = nedra_server::Server::bind(o).err().unwrap().to_string();
    assert!(
        error.contains("broken.pmtiles") && error.contains("gunzip"),
        "{error}"
    );
    let mut o = options(&run);
    o.basemap = Some(dir.path().join("absent.mbtiles"));
    let error = nedra_server::Server::bind(o).err().unwrap().to_string();
    assert!(
        error.contains("absent.mbtiles") && error.contains("cannot open"),
        "{error}"
    );
}
