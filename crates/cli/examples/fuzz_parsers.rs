//! Mutation fuzzing of every parser that reads a user's file, on stable Rust.
//!
//! For each parser — project TOML, deposit CSV, geochemistry sample CSV, weights tables,
//! experts' CSV (deposit-count and per-tract), assessment TOML, prospects TOML, grade–tonnage
//! JSON and run.json — valid seed files (nedra's own demo, templates and examples) are mutated
//! (bit flips, interesting bytes and numbers, tokens of the format, deletions, duplications,
//! truncations, line swaps and repeats, splices of two inputs; 1–6 stacked per input, as in
//! AFL's "havoc" stage) and fed to the parser through a file, exactly as a user's file would
//! be. Accepted inputs join a bounded pool that later inputs are mutated from, so mutations
//! reach past the first error.
//!
//! Three things fail a parser: a panic (caught; the input is saved under `--failures`), an
//! input that takes longer than `--timeout-ms` (a watchdog ends the process naming the input),
//! and an input during which the live heap grows by more than `--max-alloc-mb` (measured by a
//! counting allocator). An error returned to the user is the expected outcome, not a failure.
//!
//! ```text
//! cargo run --release -p nedra-cli --example fuzz_parsers -- --inputs 1000000
//! cargo run -p nedra-cli --example fuzz_parsers -- --inputs 2000 --only project,weights
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// The system allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size >= layout.size() {
                let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// SplitMix64: a small, seeded generator for the mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Tokens every format gets: numbers at the edges of their types, separators, quotes, unicode.
const TOKENS: &[&str] = &[
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "-1",
    "0",
    "-0",
    "1e308",
    "-1e308",
    "1e-320",
    "4294967296",
    "18446744073709551616",
    "9223372036854775807",
    "-9223372036854775808",
    "0.5",
    "1.4",
    "\"",
    "'",
    ",",
    ";",
    "\t",
    "\n",
    "\r\n",
    " ",
    "=",
    "[",
    "]",
    "{",
    "}",
    ":",
    "#",
    ".",
    "..",
    "/",
    "\\",
    "\0",
    "true",
    "false",
    "null",
    "NA",
    "<0.5",
    "ä",
    "😀",
    "\u{feff}",
    "\u{202e}",
    "EPSG:4326",
    "EPSG:999999",
];

/// Tokens of each format, added to [`TOKENS`] for its parsers.
const TOML_TOKENS: &[&str] = &[
    "[[",
    "]]",
    "[grid]",
    "[[evidence]]",
    "[model]",
    "[[play]]",
    "[[prospect]]",
    "[options]",
    "[assessment]",
    "\"\"\"",
    "'''",
    "= {",
    "= [",
    "inf",
    "+inf",
    "1979-05-27",
    "0x10",
    "1_000",
];
const CSV_TOKENS: &[&str] = &[
    ",,", "\"\"", "x,y", "X,Y", "\n,\n", "BDL", "<", "-999", "9e99",
];
const JSON_TOKENS: &[&str] = &[
    "[]",
    "{}",
    "\"schema\"",
    ":null",
    ":[",
    ":{",
    "1e999",
    "\\u0000",
];

/// Numbers that replace a run of digits.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "255",
    "256",
    "65535",
    "65536",
    "2147483647",
    "4294967295",
    "1000000000",
    "1e9",
    "1e12",
    "1e300",
    "NaN",
    "0.0000001",
    "-0.5",
];

/// A parser called on a file: `Ok` when it accepts the file, `Err` when it refuses it.
type Parser = Box<dyn Fn(&Path) -> Result<()>>;

/// One parser under test: its seeds, the file name it reads, and how to call it.
struct Target {
    name: &'static str,
    file: &'static str,
    tokens: &'static [&'static str],
    seeds: Vec<Vec<u8>>,
    parse: Parser,
}

fn main() -> Result<()> {
    let options = Options::from_args()?;
    let scratch = options.work.clone();
    std::fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;
    eprintln!("fuzz_parsers: seeds from the demo (a run takes a few seconds)…");
    let targets = targets(&scratch.join("seeds"))?;
    let selected: Vec<&Target> = targets
        .iter()
        .filter(|t| options.only.is_empty() || options.only.iter().any(|o| o == t.name))
        .collect();
    if selected.is_empty() {
        bail!(
            "--only {:?}: no such parser (the parsers: {:?})",
            options.only,
            targets.iter().map(|t| t.name).collect::<Vec<_>>()
        );
    }

    // Panics are caught and counted; their messages are kept, not printed.
    static PANIC: Mutex<Option<String>> = Mutex::new(None);
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut p) = PANIC.lock() {
            *p = Some(info.to_string());
        }
    }));
    // The watchdog: an input running past the timeout ends the process, naming it.
    static STARTED_MS: AtomicU64 = AtomicU64::new(0);
    static BUSY: AtomicBool = AtomicBool::new(false);
    static CURRENT: Mutex<String> = Mutex::new(String::new());
    let clock = Instant::now();
    let timeout = options.timeout;
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(50));
        let started = STARTED_MS.load(Ordering::Relaxed);
        let now = clock.elapsed().as_millis() as u64;
        if BUSY.load(Ordering::Relaxed) && now.saturating_sub(started) > timeout.as_millis() as u64
        {
            let current = CURRENT.lock().map(|c| c.clone()).unwrap_or_default();
            eprintln!(
                "HANG: {current} ran for more than {} ms; the input is that file",
                timeout.as_millis()
            );
            std::process::exit(3);
        }
    });

    let mut rng = Rng(options.seed);
    let mut any_failure = false;
    println!(
        "{:<18} {:>9} {:>9} {:>9} {:>7} {:>9} {:>10} {:>11} {:>9}",
        "parser",
        "inputs",
        "accepted",
        "refused",
        "panics",
        "seconds",
        "inputs/s",
        "slowest_ms",
        "peak_MB"
    );
    for target in selected {
        let dir = scratch.join(target.name);
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(target.file);
        *CURRENT.lock().unwrap() = format!("{} ({})", path.display(), target.name);
        let mut pool: Vec<Vec<u8>> = target.seeds.clone();
        let seeds = target.seeds.len();
        let (mut accepted, mut refused, mut panics) = (0u64, 0u64, 0u64);
        let mut slowest = Duration::ZERO;
        let mut peak = 0usize;
        let started = Instant::now();
        for i in 0..options.inputs {
            let input = if i < seeds as u64 {
                target.seeds[i as usize].clone()
            } else {
                mutate(&mut rng, &pool, target.tokens, options.max_len)
            };
            std::fs::write(&path, &input)?;
            let baseline = LIVE.load(Ordering::Relaxed);
            PEAK.store(baseline, Ordering::Relaxed);
            STARTED_MS.store(clock.elapsed().as_millis() as u64, Ordering::Relaxed);
            BUSY.store(true, Ordering::Relaxed);
            let t0 = Instant::now();
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (target.parse)(&path)));
            let took = t0.elapsed();
            BUSY.store(false, Ordering::Relaxed);
            slowest = slowest.max(took);
            let grew = PEAK.load(Ordering::Relaxed).saturating_sub(baseline);
            peak = peak.max(grew);
            let failure = match outcome {
                Ok(Ok(())) => {
                    accepted += 1;
                    if pool.len() < 512 {
                        pool.push(input.clone());
                    } else {
                        let k = rng.below(pool.len() - seeds) + seeds;
                        pool[k] = input.clone();
                    }
                    None
                }
                Ok(Err(_)) => {
                    refused += 1;
                    None
                }
                Err(_) => {
                    panics += 1;
                    Some(PANIC.lock().unwrap().take().unwrap_or_default())
                }
            };
            let failure = failure.or_else(|| {
                (grew > options.max_alloc).then(|| {
                    format!(
                        "the heap grew by {} MB (limit {} MB)",
                        grew >> 20,
                        options.max_alloc >> 20
                    )
                })
            });
            if let Some(why) = failure {
                any_failure = true;
                std::fs::create_dir_all(&options.failures)?;
                let saved = options
                    .failures
                    .join(format!("{}-{i}-{}", target.name, target.file));
                std::fs::write(&saved, &input)?;
                eprintln!(
                    "FAIL {}: {why} — input saved as {}",
                    target.name,
                    saved.display()
                );
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "{:<18} {:>9} {:>9} {:>9} {:>7} {:>9.1} {:>10.0} {:>11.1} {:>9.1}",
            target.name,
            options.inputs,
            accepted,
            refused,
            panics,
            seconds,
            options.inputs as f64 / seconds,
            slowest.as_secs_f64() * 1e3,
            peak as f64 / 1048576.0
        );
    }
    if any_failure {
        bail!(
            "some inputs panicked or allocated without bound: see {}",
            options.failures.display()
        );
    }
    Ok(())
}

/// A mutated copy of an input from the pool: 1–6 stacked mutations.
fn mutate(rng: &mut Rng, pool: &[Vec<u8>], tokens: &[&str], max_len: usize) -> Vec<u8> {
    let mut data = pool[rng.below(pool.len())].clone();
    let token = |rng: &mut Rng| -> &[u8] {
        let n = TOKENS.len() + tokens.len();
        let k = rng.below(n);
        if k < TOKENS.len() {
            TOKENS[k].as_bytes()
        } else {
            tokens[k - TOKENS.len()].as_bytes()
        }
    };
    for _ in 0..1 + rng.below(6) {
        let len = data.len();
        match rng.below(11) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = [
                    0u8, 0xff, 0x7f, 0x80, b'"', b',', b'\n', b'=', b'-', b'.', b'e',
                ][rng.below(11)];
            }
            2 => {
                let i = rng.below(len + 1);
                let t = token(rng).to_vec();
                data.splice(i..i, t);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                data.drain(i..i + n);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(256));
                let copy = data[i..i + n].to_vec();
                let at = rng.below(len + 1);
                data.splice(at..at, copy);
            }
            5 if len > 0 => data.truncate(rng.below(len)),
            6 => {
                let other = &pool[rng.below(pool.len())];
                let cut = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            7 => {
                // A run of digits becomes an interesting number.
                let starts: Vec<usize> = (0..len)
                    .filter(|&i| {
                        data[i].is_ascii_digit() && (i == 0 || !data[i - 1].is_ascii_digit())
                    })
                    .collect();
                if !starts.is_empty() {
                    let i = starts[rng.below(starts.len())];
                    let mut j = i;
                    while j < len && (data[j].is_ascii_digit() || data[j] == b'.') {
                        j += 1;
                    }
                    let n = NUMBERS[rng.below(NUMBERS.len())].as_bytes().to_vec();
                    data.splice(i..j, n);
                }
            }
            8 | 9 => {
                let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
                if lines.len() > 1 {
                    let a = rng.below(lines.len());
                    let b = rng.below(lines.len());
                    let mut out: Vec<Vec<u8>> = lines.iter().map(|l| l.to_vec()).collect();
                    if rng.below(2) == 0 {
                        out.swap(a, b);
                    } else {
                        // A line repeated: duplicate keys, rows, tables; long files.
                        let times = [1, 2, 10, 1000][rng.below(4)];
                        let line = out[a].clone();
                        for _ in 0..times {
                            out.insert(a, line.clone());
                        }
                    }
                    data = out.join(&b'\n');
                }
            }
            _ => {
                let i = rng.below(len + 1);
                let t = token(rng).to_vec();
                let end = (i + t.len()).min(len);
                data.splice(i..end, t);
            }
        }
    }
    data.truncate(max_len);
    data
}

/// Command-line options of the harness.
struct Options {
    inputs: u64,
    seed: u64,
    only: Vec<String>,
    timeout: Duration,
    max_alloc: usize,
    max_len: usize,
    work: PathBuf,
    failures: PathBuf,
}

impl Options {
    fn from_args() -> Result<Self> {
        let mut o = Options {
            inputs: 10_000,
            seed: 1,
            only: vec![],
            timeout: Duration::from_millis(5_000),
            max_alloc: 256 << 20,
            max_len: 64 << 10,
            work: std::env::temp_dir().join(format!("nedra-fuzz-{}", std::process::id())),
            failures: PathBuf::from("fuzz-failures"),
        };
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || {
                it.next()
                    .with_context(|| format!("{flag} needs a value"))
                    .cloned()
            };
            let number = |v: String| -> Result<u64> {
                v.parse::<u64>()
                    .with_context(|| format!("{flag} {v}: not a whole number"))
            };
            match flag.as_str() {
                "--inputs" => o.inputs = number(value()?)?,
                "--seed" => o.seed = number(value()?)?,
                "--only" => o.only = value()?.split(',').map(str::to_string).collect(),
                "--timeout-ms" => o.timeout = Duration::from_millis(number(value()?)?),
                "--max-alloc-mb" => o.max_alloc = (number(value()?)? as usize) << 20,
                "--max-len" => o.max_len = number(value()?)? as usize,
                "--work" => o.work = PathBuf::from(value()?),
                "--failures" => o.failures = PathBuf::from(value()?),
                other => bail!(
                    "unknown option {other}: use --inputs N, --seed S, --only a,b, --timeout-ms T, \
                     --max-alloc-mb M, --max-len BYTES, --work DIR, --failures DIR"
                ),
            }
        }
        Ok(o)
    }
}

/// Every parser, with seeds from the demo (generated and run in `seeds`), the templates and the
/// examples.
fn targets(seeds: &Path) -> Result<Vec<Target>> {
    let project = nedra_engine::demo::generate(seeds, 7)?;
    let run = seeds.join("run");
    if !run.join("run.json").exists() {
        nedra_engine::observe(std::sync::Arc::new(nedra_engine::Silent), || {
            nedra_engine::run(&project, &run)
        })?;
    }
    let read = |p: &Path| std::fs::read(p).with_context(|| format!("reading seed {}", p.display()));
    let files_with = |dir: &Path, ext: &str| -> Result<Vec<Vec<u8>>> {
        let mut out = vec![];
        for e in std::fs::read_dir(dir)? {
            let p = e?.path();
            if p.extension().is_some_and(|x| x == ext) {
                out.push(read(&p)?);
            }
        }
        out.sort();
        Ok(out)
    };

    let mut project_seeds = vec![read(&project)?];
    for t in nedra_engine::templates::TEMPLATES
        .iter()
        .filter(|t| t.kind == nedra_engine::templates::TemplateKind::Project)
    {
        project_seeds.push(t.text.as_bytes().to_vec());
    }
    let data = seeds.join("data");
    let utm = nedra_io::crs::resolve("EPSG:32635", None)?;
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assess/examples");
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assess/models");

    let targets = vec![
        Target {
            name: "project",
            file: "project.toml",
            tokens: TOML_TOKENS,
            seeds: project_seeds,
            parse: Box::new(|p| nedra_engine::project::Project::load(p).map(drop)),
        },
        Target {
            name: "deposits_csv",
            file: "deposits.csv",
            tokens: CSV_TOKENS,
            seeds: files_with(&data, "csv")?,
            parse: Box::new(move |p| {
                let source = nedra_io::vector::VectorSource {
                    crs: Some("EPSG:32635".into()),
                    ..nedra_io::vector::VectorSource::new(p)
                };
                nedra_io::vector::read_features(&source, &utm).map(drop)?;
                Ok(())
            }),
        },
        Target {
            name: "samples_csv",
            file: "samples.csv",
            tokens: CSV_TOKENS,
            seeds: vec![
                b"id,x,y,La_ppm,Ce_ppm,Nd_ppm,Eu_ppm,Sm_ppm,Gd_ppm,Y_ppm\n\
                  1,500500,5900500,30,60,25,1.1,5,4.5,20\n\
                  2,502500,5902500,<2,80,33,-0.5,6.1,5,22\n\
                  3,505500,5905500,50,100,41,1.8,7.7,6.6,30\n"
                    .to_vec(),
            ],
            parse: Box::new(|p| {
                let out = p.with_file_name("geochem_out.csv");
                let options = nedra_engine::geochem::GeochemOptions::default();
                nedra_engine::geochem::geochem(p, &out, &options).map(drop)
            }),
        },
        Target {
            name: "weights_table",
            file: "weights.csv",
            tokens: CSV_TOKENS,
            seeds: files_with(&run.join("weights"), "csv")?,
            parse: Box::new(|p| {
                let f = std::fs::File::open(p)?;
                nedra_models::WeightsTable::read_csv(f, p)?;
                Ok(())
            }),
        },
        Target {
            name: "experts_csv",
            file: "experts.csv",
            tokens: CSV_TOKENS,
            seeds: vec![
                b"name,weight,n90,n50,n10\nA,1,0,2,5\nB,2,1,3,8\nC,0.5,0,0,1\n".to_vec(),
            ],
            parse: Box::new(|p| nedra_engine::deposits_pmf::read_experts(p).map(drop)),
        },
        Target {
            name: "tract_experts_csv",
            file: "tract_experts.csv",
            tokens: CSV_TOKENS,
            seeds: vec![b"tract,name,weight,n90,n50,n10\n1,A,1,0,1,3\n1,B,2,1,2,6\n2,A,1,0,0,2\n".to_vec()],
            parse: Box::new(|p| {
                nedra_assess::read_tract_estimates(p)?;
                Ok(())
            }),
        },
        Target {
            name: "assessment_toml",
            file: "assessment.toml",
            tokens: TOML_TOKENS,
            seeds: vec![read(&examples.join("assessment.toml"))?],
            parse: Box::new(|p| nedra_engine::assessment::read_spec(p).map(drop)),
        },
        Target {
            name: "prospects_toml",
            file: "prospects.toml",
            tokens: TOML_TOKENS,
            seeds: vec![
                read(&examples.join("prospects.toml"))?,
                b"[options]\nseed = 1\ntrials = 1000\n[[play]]\nname = \"P\"\nsource = 0.8\n\
                  reservoir = 0.9\nseal = 0.7\ncharge = 0.85\n[[prospect]]\nname = \"A\"\n\
                  play = \"P\"\nfluid = \"oil\"\nseal = 0.6\n\
                  gross_rock_volume_mm3 = { kind = \"triangular\", min = 10, mode = 20, max = 40 }\n\
                  net_to_gross = { kind = \"fixed\", value = 0.6 }\n\
                  porosity = { kind = \"pert\", min = 0.1, mode = 0.18, max = 0.25 }\n\
                  water_saturation = { kind = \"fixed\", value = 0.3 }\n\
                  formation_volume_factor = { kind = \"fixed\", value = 1.2 }\n"
                    .to_vec(),
                nedra_engine::templates::TEMPLATES
                    .iter()
                    .filter(|t| t.kind == nedra_engine::templates::TemplateKind::Prospects)
                    .map(|t| t.text)
                    .collect::<String>()
                    .into_bytes(),
            ],
            parse: Box::new(|p| nedra_engine::prospects::check(p).map(drop)),
        },
        Target {
            name: "grade_tonnage_json",
            file: "model.json",
            tokens: JSON_TOKENS,
            seeds: files_with(&models, "json")?,
            parse: Box::new(|p| {
                nedra_assess::GradeTonnageModel::from_json_file(p)?;
                Ok(())
            }),
        },
        Target {
            name: "run_json",
            file: "run.json",
            tokens: JSON_TOKENS,
            seeds: vec![read(&run.join("run.json"))?],
            parse: Box::new(|p| {
                nedra_engine::manifest::RunManifest::read(p.parent().unwrap_or(Path::new(".")))
                    .map(drop)
            }),
        },
    ];
    for t in &targets {
        if t.seeds.is_empty() {
            bail!("no seed for the parser {}", t.name);
        }
    }
    Ok(targets)
}
