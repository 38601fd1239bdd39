//! Load test of `nedra serve` on loopback: starts the `nedra` binary over a run folder, then
//! sends tile requests from concurrent clients (keep-alive HTTP/1.1 over std TcpStream) and
//! reports tiles per second, latency percentiles and the server's peak resident memory
//! (VmHWM of /proc/PID/status).
//!
//! ```text
//! cargo run --release -p nedra-server --example load -- --nedra target/release/nedra \
//!     [--requests 10000] [--clients 32] [--cache-mib 256] [--zooms 7-11] RUN_DIR
//! ```
//! The tiles are every tile of the run's first layer (its score) at the zoom levels given,
//! requested in a fixed shuffled order, round and round until the count is reached. With
//! `--cache-mib 0` every request is warped from the COG; with a cache, repeats are served from
//! memory. Only 127.0.0.1 is contacted; the request count bounds the run.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Args {
    nedra: String,
    run: String,
    requests: usize,
    clients: usize,
    cache_mib: usize,
    zooms: (u32, u32),
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        nedra: "target/release/nedra".into(),
        run: String::new(),
        requests: 10_000,
        clients: 32,
        cache_mib: 256,
        zooms: (7, 11),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--nedra" => args.nedra = value()?,
            "--requests" => args.requests = value()?.parse().map_err(|e| format!("{e}"))?,
            "--clients" => args.clients = value()?.parse().map_err(|e| format!("{e}"))?,
            "--cache-mib" => args.cache_mib = value()?.parse().map_err(|e| format!("{e}"))?,
            "--zooms" => {
                let v = value()?;
                let (a, b) = v.split_once('-').ok_or("--zooms A-B")?;
                args.zooms = (
                    a.parse().map_err(|e| format!("{e}"))?,
                    b.parse().map_err(|e| format!("{e}"))?,
                );
            }
            _ if a.starts_with("--") => return Err(format!("unknown option {a}")),
            _ => args.run = a,
        }
    }
    if args.run.is_empty() {
        return Err("give a run folder".into());
    }
    Ok(args)
}

/// A keep-alive connection that sends GETs and reads whole responses.
struct Client {
    addr: SocketAddr,
    reader: Option<BufReader<TcpStream>>,
}

impl Client {
    fn get(&mut self, target: &str) -> std::io::Result<(u16, Vec<u8>)> {
        if self.reader.is_none() {
            let stream = TcpStream::connect(self.addr)?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(Duration::from_secs(120)))?;
            self.reader = Some(BufReader::new(stream));
        }
        let reader = self.reader.as_mut().expect("connected above");
        write!(
            reader.get_mut(),
            "GET {target} HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.addr
        )?;
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = 0usize;
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        Ok((status, body))
    }
}

/// Tiles `(z, x, y)` covering `[west, south, east, north]` (degrees) at zooms `z0..=z1`.
fn tiles(bounds: [f64; 4], (z0, z1): (u32, u32)) -> Vec<(u32, u32, u32)> {
    let tile_of = |lon: f64, lat: f64, z: u32| {
        let n = f64::from(1u32 << z);
        let x = ((lon + 180.0) / 360.0 * n).floor();
        let r = lat.to_radians();
        let y = ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
        (x.clamp(0.0, n - 1.0) as u32, y.clamp(0.0, n - 1.0) as u32)
    };
    let mut out = Vec::new();
    for z in z0..=z1 {
        let (x0, y0) = tile_of(bounds[0], bounds[3], z);
        let (x1, y1) = tile_of(bounds[2], bounds[1], z);
        for x in x0..=x1 {
            for y in y0..=y1 {
                out.push((z, x, y));
            }
        }
    }
    // A fixed shuffle (linear congruential), so runs are comparable.
    let mut state = 2026u64;
    for i in (1..out.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.swap(i, (state >> 33) as usize % (i + 1));
    }
    out
}

fn proc_status(pid: u32, key: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .map(|l| l[key.len()..].trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("load: {e}\nusage: load --nedra NEDRA [--requests N] [--clients N] [--cache-mib N] [--zooms A-B] RUN_DIR");
            std::process::exit(2);
        }
    };
    let mut server = Command::new(&args.nedra)
        .args([
            "serve",
            &args.run,
            "--bind",
            "127.0.0.1:0",
            "--rate-limit",
            "0",
        ])
        .args(["--cache-mib", &args.cache_mib.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", args.nedra));
    let pid = server.id();
    let mut url = String::new();
    BufReader::new(server.stdout.take().expect("piped"))
        .read_line(&mut url)
        .expect("the server's URL");
    let addr: SocketAddr = url
        .trim()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap_or_else(|_| panic!("no address in {url:?}"));
    let started_rss = proc_status(pid, "VmRSS:");
    let mut client = Client { addr, reader: None };
    let (_, body) = client.get("/api/runs").expect("GET /api/runs");
    let runs: serde_json::Value = serde_json::from_slice(&body).expect("runs JSON");
    let run = runs["runs"][0]["name"].as_str().expect("a run").to_string();
    let layer = &runs["runs"][0]["layers"][0];
    let id = layer["id"].as_str().expect("a layer").to_string();
    let b: Vec<f64> = layer["bounds"]
        .as_array()
        .expect("bounds")
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    let size = &layer["size"];
    let tile_list = Arc::new(tiles([b[0], b[1], b[2], b[3]], args.zooms));
    let next = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(args.requests)));
    let failures = Arc::new(AtomicUsize::new(0));
    let bytes = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let threads: Vec<_> = (0..args.clients)
        .map(|_| {
            let (tile_list, next, latencies, failures, bytes) = (
                tile_list.clone(),
                next.clone(),
                latencies.clone(),
                failures.clone(),
                bytes.clone(),
            );
            let (run, id, total) = (run.clone(), id.clone(), args.requests);
            std::thread::spawn(move || {
                let mut client = Client { addr, reader: None };
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break;
                    }
                    let (z, x, y) = tile_list[i % tile_list.len()];
                    let target = format!("/runs/{run}/tiles/{id}/{z}/{x}/{y}.png");
                    let t0 = Instant::now();
                    match client.get(&target) {
                        Ok((200, body)) if body.len() > 8 => {
                            bytes.fetch_add(body.len(), Ordering::Relaxed);
                        }
                        _ => {
                            failures.fetch_add(1, Ordering::Relaxed);
                            client.reader = None;
                        }
                    }
                    mine.push(t0.elapsed());
                }
                latencies.lock().expect("not poisoned").extend(mine);
            })
        })
        .collect();
    for t in threads {
        t.join().expect("client thread");
    }
    let wall = start.elapsed().as_secs_f64();
    let peak = proc_status(pid, "VmHWM:");
    let rss = proc_status(pid, "VmRSS:");
    let _ = server.kill();
    let _ = server.wait();
    let mut lat = latencies.lock().expect("not poisoned").clone();
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "run {} layer {id} ({}×{} cells), zooms {}-{}: {} distinct tiles",
        args.run,
        size[0],
        size[1],
        args.zooms.0,
        args.zooms.1,
        tile_list.len()
    );
    println!(
        "{} requests from {} clients, cache {} MiB: {:.1} s, {:.0} tiles/s, latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} failed; {:.1} KiB/tile",
        lat.len(),
        args.clients,
        args.cache_mib,
        wall,
        lat.len() as f64 / wall,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0),
        failures.load(Ordering::Relaxed),
        bytes.load(Ordering::Relaxed) as f64 / 1024.0 / lat.len().max(1) as f64
    );
    println!("server memory: {started_rss} at start, {rss} at end, peak (VmHWM) {peak}");
}
