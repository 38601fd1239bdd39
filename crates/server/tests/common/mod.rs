//! Helpers of the server's integration tests: a small run folder made by code, a server on an
//! ephemeral loopback port, and raw HTTP/1.1 over a std TcpStream.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use nedra_core::{Block, Grid};
use nedra_io::{crs, DataType, RasterWriter};

/// The grid of the test run: UTM 35N, 250 m cells, 600 × 500 (as the demo's area).
pub fn grid() -> Grid {
    let utm = crs::resolve("EPSG:32635", None).unwrap();
    Grid::new(
        utm,
        [480_000.0, 250.0, 0.0, 5_950_000.0, 0.0, -250.0],
        600,
        500,
    )
    .unwrap()
}

/// Writes a COG on `grid()` whose value at each cell is `f(row, col)` (None: NoData).
pub fn write_raster(path: &Path, data_type: DataType, f: impl Fn(usize, usize) -> Option<f64>) {
    let grid = grid();
    let mut w = RasterWriter::create(path, &grid, data_type).unwrap();
    for win in grid.windows(256) {
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

/// A run folder `DIR/run` with run.json, score.tif (a smooth field with NoData in a corner),
/// classes.tif (classes 1–4) and validation files (validation.json, success_rate.csv, roc.csv); beside it `DIR/secret.txt`, and inside it
/// a symbolic link `link.txt` to that secret.
pub fn make_run(dir: &Path) -> PathBuf {
    let run = dir.join("run");
    std::fs::create_dir_all(run.join("evidence")).unwrap();
    std::fs::write(
        run.join("run.json"),
        r#"{"schema": "nedra-run/2", "synthetic": true,
            "project": {"project": {"name": "Test run"}},
            "maps": {"score": "score.tif", "uncertainty": "score_std.tif",
                     "score_label": "test score"}}"#,
    )
    .unwrap();
    write_raster(&run.join("score.tif"), DataType::Float32, |r, c| {
        (r + c > 40).then(|| ((r as f64) / 50.0).sin() * ((c as f64) / 70.0).cos())
    });
    write_raster(
        &run.join("evidence/classes.tif"),
        DataType::Int32,
        |r, c| Some((1 + (r / 125 + c / 150) % 4) as f64),
    );
    std::fs::write(
        run.join("validation.json"),
        r#"{"roc_auc": 0.9, "roc_auc_interval": [0.85, 0.95], "success_rate_auc": 0.89}"#,
    )
    .unwrap();
    std::fs::write(
        run.join("success_rate.csv"),
        "fraction_area,fraction_deposits,score\n0,0,inf\n0.1,0.6,0.9\n1,1,0\n",
    )
    .unwrap();
    std::fs::write(
        run.join("roc.csv"),
        "false_positive_rate,true_positive_rate,score\n0,0,inf\n0.05,0.7,0.9\n1,1,0\n",
    )
    .unwrap();
    std::fs::write(dir.join("secret.txt"), "SECRET outside the run\n").unwrap();
    std::os::unix::fs::symlink(dir.join("secret.txt"), run.join("link.txt")).unwrap();
    run
}

/// Starts a server with `options` (bind and runs set by the caller) on its own thread and
/// returns its address and token.
pub fn start(options: nedra_server::Options) -> (SocketAddr, Option<String>) {
    let server = nedra_server::Server::bind(options).unwrap();
    let (addr, token) = (server.local_addr(), server.token().map(str::to_string));
    std::thread::spawn(move || server.run());
    (addr, token)
}

/// Options for `run` on an ephemeral loopback port, without a rate limit.
pub fn options(run: &Path) -> nedra_server::Options {
    let mut o = nedra_server::Options::new(vec![run.to_path_buf()]);
    o.bind = "127.0.0.1:0".parse().unwrap();
    o.rate_limit_per_s = 0;
    o
}

/// An HTTP response: status, headers (lower-case names) and body.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request` (the whole raw request) and reads the response until the server closes.
pub fn raw(addr: SocketAddr, request: &[u8]) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    parse(&bytes)
}

/// `METHOD target` with `extra` header lines, `Connection: close`.
pub fn request(addr: SocketAddr, method: &str, target: &str, extra: &[&str]) -> Response {
    let mut text = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for line in extra {
        text.push_str(line);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    raw(addr, text.as_bytes())
}

/// GET `target`.
pub fn get(addr: SocketAddr, target: &str) -> Response {
    request(addr, "GET", target, &[])
}

fn parse(bytes: &[u8]) -> Response {
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP head in {:?}", String::from_utf8_lossy(bytes)));
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = bytes[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
}

/// Decodes an RGBA PNG into (width, height, pixels).
pub fn decode_png(png: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    assert_eq!(info.color_type, png::ColorType::Rgba);
    (info.width, info.height, buf)
}
