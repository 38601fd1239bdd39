//! nedra-server: `nedra serve`, a read-only web map over nedra run folders, for a survey's own
//! network (nothing the page needs comes from anywhere else).
//!
//! What it offers:
//! - **Server**: [`Server`] — binds (loopback by default; elsewhere only with a token), then
//!   serves the page and its API until stopped.
//! - **Runs**: [`catalog::Catalog`] — run folders opened read-only: run.json and every raster.
//! - **Tiles**: [`tiles`] — XYZ tiles in Web Mercator warped from a run's COGs by GDAL's warper
//!   (the matching overview, never the whole raster), coloured by [`legend`]'s named ramps,
//!   kept in [`cache::TileCache`] (least recently used first out, bounded in bytes).
//! - **Features**: [`features`] — targets and the study-area outline as GeoJSON in EPSG:4326.
//! - **Security**: [`security`] — token, files only from inside a run folder, GET/HEAD only,
//!   size and rate limits, a same-origin Content-Security-Policy.
//! - **Page**: [`assets`] — MapLibre GL JS and the page, embedded at build time.
//! - **Basemap**: [`basemap::Basemap`] — optional raster tiles from a local MBTiles
//!   ([`mbtiles`]) or PMTiles v3 ([`pmtiles`]) file, served as stored.
//!
//! Routes (every one GET or HEAD): `/` (the page), `/assets/NAME`, `/api/runs`,
//! `/basemap/Z/X/Y` (with `--basemap`),
//! `/runs/RUN/layers`, `/runs/RUN/legend/LAYER`, `/runs/RUN/tiles/LAYER/Z/X/Y.png`,
//! `/runs/RUN/targets.geojson`, `/runs/RUN/outline.geojson`, `/runs/RUN/point?lon=&lat=`,
//! `/runs/RUN/curves`, `/runs/RUN/manifest`, `/runs/RUN/files/PATH`.

pub mod assets;
pub mod basemap;
pub mod cache;
pub mod catalog;
pub mod error;
pub mod features;
pub mod http;
pub mod legend;
pub mod mbtiles;
pub mod pmtiles;
pub mod security;
pub mod tiles;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

pub use error::Error;

/// The address `nedra serve` listens on unless told otherwise.
pub const DEFAULT_BIND: &str = "127.0.0.1:8765";

/// How to serve.
#[derive(Debug, Clone)]
pub struct Options {
    /// The run folders.
    pub runs: Vec<PathBuf>,
    /// Where to listen (port 0: any free port).
    pub bind: SocketAddr,
    /// The access token; generated when binding outside loopback without one.
    pub token: Option<String>,
    /// Requests a second per client address, on average (0: no limit).
    pub rate_limit_per_s: u32,
    /// The tile cache's bound, MiB.
    pub cache_mib: usize,
    /// A local basemap (MBTiles or PMTiles v3 of raster tiles) under the layers.
    pub basemap: Option<PathBuf>,
}

impl Options {
    /// Serving `runs` on [`DEFAULT_BIND`], no token, 200 requests/s per client, 256 MiB of
    /// cached tiles.
    pub fn new(runs: Vec<PathBuf>) -> Options {
        Options {
            runs,
            bind: DEFAULT_BIND.parse().expect("the default address parses"),
            token: None,
            rate_limit_per_s: 200,
            cache_mib: 256,
            basemap: None,
        }
    }
}

/// A server bound to its address, ready to [`run`](Server::run).
pub struct Server {
    listener: std::net::TcpListener,
    app: Arc<http::App>,
    guard: Arc<security::Guard>,
    addr: SocketAddr,
    token_generated: bool,
}

impl Server {
    /// Opens the run folders and binds the address.
    ///
    /// # Errors
    /// [`Error::NoRuns`], [`Error::NotARun`], [`Error::Manifest`] or [`Error::Io`] for the run
    /// folders; [`Error::Basemap`] for a basemap that cannot be served; [`Error::Token`] for a token that is unusable or cannot be made;
    /// [`Error::Bind`] when the address cannot be bound.
    pub fn bind(options: Options) -> Result<Server, Error> {
        nedra_engine::init();
        let catalog = catalog::Catalog::open(&options.runs)?;
        let basemap = options
            .basemap
            .as_deref()
            .map(basemap::Basemap::open)
            .transpose()?;
        let token_error = |message: String| Error::Token {
            bind: options.bind,
            message,
        };
        let (token, token_generated) = match &options.token {
            Some(t) => {
                if t.len() < 8
                    || !t
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
                {
                    return Err(token_error(
                        "a token has at least 8 characters, each a letter, digit, '-', '.', '_' or '~'"
                            .into(),
                    ));
                }
                (Some(t.clone()), false)
            }
            None if !security::is_loopback(&options.bind) => (
                Some(security::generate_token().map_err(|e| token_error(e.to_string()))?),
                true,
            ),
            None => (None, false),
        };
        let listener = std::net::TcpListener::bind(options.bind).map_err(|source| Error::Bind {
            bind: options.bind,
            source,
        })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            bind: options.bind,
            source,
        })?;
        let renders = std::thread::available_parallelism().map_or(2, |n| n.get()) * 2;
        Ok(Server {
            listener,
            app: Arc::new(http::App {
                catalog,
                basemap,
                cache: cache::TileCache::new(options.cache_mib * 1024 * 1024),
                renders: tokio::sync::Semaphore::new(renders),
            }),
            guard: Arc::new(security::Guard {
                token,
                rate: security::RateLimit::new(options.rate_limit_per_s),
            }),
            addr,
            token_generated,
        })
    }

    /// The address bound (with the port chosen when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The access token, if one is required.
    pub fn token(&self) -> Option<&str> {
        self.guard.token.as_deref()
    }

    /// Whether the token was generated (no --token was given for a non-loopback address).
    pub fn token_generated(&self) -> bool {
        self.token_generated
    }

    /// The page's URL, with the token when one is required.
    pub fn url(&self) -> String {
        match self.token() {
            Some(t) => format!("http://{}/?token={t}", self.addr),
            None => format!("http://{}/", self.addr),
        }
    }

    /// The basemap's file, when one is served.
    pub fn basemap(&self) -> Option<&std::path::Path> {
        self.app.basemap.as_ref().map(basemap::Basemap::path)
    }

    /// The runs served, as `(name in URLs, folder)`.
    pub fn runs(&self) -> Vec<(String, PathBuf)> {
        self.app
            .catalog
            .runs
            .iter()
            .map(|r| (r.name.clone(), r.root.clone()))
            .collect()
    }

    /// Serves until the process ends.
    ///
    /// # Errors
    /// [`Error::Serve`] when the runtime cannot start or the listener fails.
    pub fn run(self) -> Result<(), Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(Error::Serve)?;
        runtime.block_on(async move {
            self.listener.set_nonblocking(true).map_err(Error::Serve)?;
            let listener =
                tokio::net::TcpListener::from_std(self.listener).map_err(Error::Serve)?;
            axum::serve(listener, http::make_service(self.app, self.guard))
                .await
                .map_err(Error::Serve)
        })
    }
}
