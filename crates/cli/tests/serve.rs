//! `nedra serve` as a user starts it: the URL on stdout, a token outside loopback, and clear
//! errors for a folder that is not a run.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use nedra_core::{Block, Grid};
use nedra_io::{crs, DataType, RasterWriter};

/// A run folder with run.json and one small score raster.
fn run_folder(dir: &Path) -> PathBuf {
    let run = dir.join("run");
    std::fs::create_dir_all(&run).unwrap();
    std::fs::write(
        run.join("run.json"),
        r#"{"schema": "nedra-run/2", "maps": {"score": "score.tif"},
            "project": {"project": {"lang": "ru"}}}"#,
    )
    .unwrap();
    let grid = Grid::new(
        crs::resolve("EPSG:32635", None).unwrap(),
        [480_000.0, 250.0, 0.0, 5_950_000.0, 0.0, -250.0],
        40,
        30,
    )
    .unwrap();
    let mut w = RasterWriter::create(&run.join("score.tif"), &grid, DataType::Float32).unwrap();
    for win in grid.windows(64) {
        let mut b = Block::empty(win);
        b.values
            .iter_mut()
            .enumerate()
            .for_each(|(i, v)| *v = i as f64);
        b.valid.iter_mut().for_each(|v| *v = true);
        w.write(&b).unwrap();
    }
    w.finish().unwrap();
    run
}

/// A server process, stopped when dropped (also when a test fails).
struct Served(std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `nedra serve ARGS`, returns the server and the first line it printed on stdout.
fn serve(args: &[&str]) -> (Served, String, BufReader<std::process::ChildStderr>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nedra"))
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    (Served(child), url.trim().to_string(), stderr)
}

fn get(port: u16, target: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn port_of(url: &str) -> u16 {
    let rest = url.trim_start_matches("http://");
    let host_port = rest.split('/').next().unwrap();
    host_port.rsplit(':').next().unwrap().parse().unwrap()
}

#[test]
fn serve_prints_its_url_and_serves_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_folder(dir.path());
    let (_server, url, _) = serve(&[run.to_str().unwrap(), "--bind", "127.0.0.1:0"]);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(url.ends_with('/'), "{url}");
    let page = get(port_of(&url), "/");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("maplibre-gl.js"));
    let tile = get(port_of(&url), "/runs/run/tiles/score/9/293/166.png");
    assert!(
        tile.starts_with("HTTP/1.1 200"),
        "{}",
        &tile[..80.min(tile.len())]
    );
    // The run's report language, which the page takes unless ?lang= or the reader chose.
    let runs = get(port_of(&url), "/api/runs");
    assert!(runs.contains(r#""lang":"ru""#), "{runs}");
}

#[test]
fn serve_outside_loopback_prints_a_generated_token() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_folder(dir.path());
    let (_server, url, mut stderr) = serve(&[run.to_str().unwrap(), "--bind", "0.0.0.0:0"]);
    let (_, token) = url.split_once("/?token=").expect("a token in the URL");
    assert_eq!(token.len(), 32);
    let mut lines = String::new();
    for _ in 0..2 {
        stderr.read_line(&mut lines).unwrap();
    }
    assert!(lines.contains(token), "{lines}");
    let port = port_of(url.split("/?").next().unwrap());
    assert!(get(port, "/").starts_with("HTTP/1.1 401"));
    assert!(get(port, &format!("/?token={token}")).starts_with("HTTP/1.1 200"));
}

#[test]
fn serve_refuses_a_folder_without_run_json_and_a_weak_token() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_nedra"))
        .args([
            "serve",
            dir.path().to_str().unwrap(),
            "--bind",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&dir.path().display().to_string()), "{err}");
    assert!(err.contains("run.json"), "{err}");
    let run = run_folder(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_nedra"))
        .args(["serve", run.to_str().unwrap(), "--token", "abc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("token"));
}
