//! What can go wrong when starting `nedra serve`.

use std::path::PathBuf;

/// An error of `nedra serve` before it serves (requests never fail the server: a bad request
/// gets an HTTP error status).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The run folder is missing or holds no run.json.
    #[error("{path}: not a nedra run folder ({reason}). Give the folder that `nedra run` or `nedra demo` wrote (it holds run.json), e.g. `nedra serve nedra-demo/run`")]
    NotARun {
        /// The folder given.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// run.json could not be read as JSON.
    #[error("{path}: run.json is not valid JSON ({message}). Rerun `nedra run` to write it again")]
    Manifest {
        /// The run.json file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A raster of the run could not be opened.
    #[error(transparent)]
    Io(#[from] nedra_io::Error),
    /// The basemap file cannot be served.
    #[error("basemap {path}: {reason}. Give an MBTiles file or a PMTiles version 3 archive of raster tiles (PNG, JPEG or WebP) with --basemap, or leave --basemap out for a plain background")]
    Basemap {
        /// The file given.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// No run folder was given.
    #[error("no run folder given: `nedra serve RUN_DIR [RUN_DIR …]`")]
    NoRuns,
    /// Binding outside loopback needs a token, and none could be generated.
    #[error("binding to {bind} (not loopback) needs an access token: give one with --token, or check that /dev/urandom is readable ({message})")]
    Token {
        /// The address.
        bind: std::net::SocketAddr,
        /// Why no token could be made.
        message: String,
    },
    /// The address could not be bound.
    #[error("cannot listen on {bind}: {source}. Choose another address or port with --bind (port 0 picks a free one)")]
    Bind {
        /// The address.
        bind: std::net::SocketAddr,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The server stopped on an I/O error.
    #[error("the web server stopped: {0}")]
    Serve(std::io::Error),
}
