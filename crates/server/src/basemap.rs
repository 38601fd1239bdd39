//! An optional local basemap under the run's layers (`nedra serve --basemap FILE`): raster
//! tiles from an MBTiles file ([`crate::mbtiles`]) or a PMTiles v3 archive
//! ([`crate::pmtiles`]), served as stored at `/basemap/Z/X/Y`, so the map has a background
//! without a request leaving the server.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::mbtiles::MbTiles;
use crate::pmtiles::{Compression, PmTiles, TileType};
use crate::Error;

/// How the basemap's tiles are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileFormat {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// WebP.
    Webp,
}

impl TileFormat {
    /// The media type of a tile.
    pub fn content_type(self) -> &'static str {
        match self {
            TileFormat::Png => "image/png",
            TileFormat::Jpeg => "image/jpeg",
            TileFormat::Webp => "image/webp",
        }
    }
}

enum Source {
    MbTiles(MbTiles),
    PmTiles(PmTiles),
}

/// An open basemap.
pub struct Basemap {
    path: PathBuf,
    source: Source,
    /// How its tiles are encoded.
    pub format: TileFormat,
    /// The zooms it holds.
    pub min_zoom: u8,
    /// The zooms it holds.
    pub max_zoom: u8,
    /// `[west, south, east, north]` in degrees, when the file says.
    pub bounds: Option<[f64; 4]>,
    /// Its attribution, when the file gives one.
    pub attribution: Option<String>,
}

/// The format named by MBTiles metadata or PMTiles' tile type, or why it cannot be served.
fn raster_format(name: &str) -> Result<TileFormat, String> {
    match name {
        "png" => Ok(TileFormat::Png),
        "jpg" | "jpeg" => Ok(TileFormat::Jpeg),
        "webp" => Ok(TileFormat::Webp),
        "pbf" | "mvt" => Err(
            "it holds vector tiles; the basemap must be raster tiles (PNG, JPEG or WebP)".into(),
        ),
        other => Err(format!(
            "its tiles are {other:?}; the basemap must be raster tiles (PNG, JPEG or WebP)"
        )),
    }
}

/// A tile's format by its first bytes.
fn sniff(tile: &[u8]) -> Option<TileFormat> {
    if tile.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(TileFormat::Png)
    } else if tile.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(TileFormat::Jpeg)
    } else if tile.len() >= 12 && &tile[..4] == b"RIFF" && &tile[8..12] == b"WEBP" {
        Some(TileFormat::Webp)
    } else {
        None
    }
}

impl Basemap {
    /// Opens an MBTiles or PMTiles v3 file (told apart by their first bytes) and checks that it
    /// holds raster tiles it can serve.
    ///
    /// # Errors
    /// [`Error::Basemap`] naming the file and what is wrong with it.
    pub fn open(path: &Path) -> Result<Basemap, Error> {
        Self::try_open(path).map_err(|reason| Error::Basemap {
            path: path.into(),
            reason,
        })
    }

    fn try_open(path: &Path) -> Result<Basemap, String> {
        let mut magic = [0u8; 16];
        {
            use std::io::Read;
            let mut f = std::fs::File::open(path).map_err(|e| format!("cannot open it: {e}"))?;
            if !f.metadata().map_err(|e| e.to_string())?.is_file() {
                return Err("it is not a file".into());
            }
            let n = f
                .read(&mut magic)
                .map_err(|e| format!("cannot read it: {e}"))?;
            if n < 7 {
                return Err("it is too short to be MBTiles or PMTiles".into());
            }
        }
        if magic.starts_with(b"PMTiles") {
            let archive = PmTiles::open(path)?;
            let h = archive.header;
            let format = match h.tile_type {
                TileType::Png => TileFormat::Png,
                TileType::Jpeg => TileFormat::Jpeg,
                TileType::Webp => TileFormat::Webp,
                TileType::Mvt => return Err(raster_format("mvt").unwrap_err()),
                other => {
                    return Err(format!(
                        "its tile type is {other:?}; the basemap must be PNG, JPEG or WebP tiles"
                    ))
                }
            };
            if !matches!(h.tile_compression, Compression::None | Compression::Unknown) {
                return Err(format!(
                    "its tiles are compressed by {:?}; raster tiles are served as stored, uncompressed",
                    h.tile_compression
                ));
            }
            // The attribution of the JSON metadata (TileJSON's key), when it has one.
            let attribution = archive
                .metadata()?
                .get("attribution")
                .and_then(|a| a.as_str())
                .map(str::to_string);
            let bounds = h.bounds;
            let valid_bounds = bounds[0] < bounds[2]
                && bounds[1] < bounds[3]
                && bounds.iter().all(|b| b.is_finite() && b.abs() <= 180.0);
            return Ok(Basemap {
                path: path.into(),
                source: Source::PmTiles(archive),
                format,
                min_zoom: h.min_zoom.min(h.max_zoom),
                max_zoom: h.max_zoom,
                bounds: valid_bounds.then_some(bounds),
                attribution,
            });
        }
        if !magic.starts_with(b"SQLite format 3\0") {
            return Err("it is neither MBTiles (an SQLite database) nor PMTiles version 3".into());
        }
        let file = MbTiles::open(path)?;
        let (low, high) = file.zoom_range().ok_or("its tiles table holds no tiles")?;
        let zoom = |name: &str| {
            file.metadata(name)
                .and_then(|v| v.trim().parse::<u8>().ok())
        };
        let format = match file.metadata("format") {
            Some(name) => raster_format(name.trim().to_ascii_lowercase().as_str())?,
            // The metadata may omit the format: look at a tile.
            None => file
                .tile(low, 0, 0)
                .ok()
                .flatten()
                .and_then(|t| sniff(&t))
                .unwrap_or(TileFormat::Png),
        };
        let bounds = file.metadata("bounds").and_then(|b| {
            let v: Vec<f64> = b.split(',').filter_map(|x| x.trim().parse().ok()).collect();
            (v.len() == 4 && v[0] < v[2] && v[1] < v[3] && v.iter().all(|x| x.abs() <= 180.0))
                .then(|| [v[0], v[1], v[2], v[3]])
        });
        Ok(Basemap {
            path: path.into(),
            min_zoom: zoom("minzoom").unwrap_or(low),
            max_zoom: zoom("maxzoom").unwrap_or(high),
            attribution: file.metadata("attribution"),
            source: Source::MbTiles(file),
            format,
            bounds,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The bytes of tile `(z, x, y)` (XYZ), None when the basemap does not hold it.
    ///
    /// # Errors
    /// A message when the file cannot be read.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, String> {
        match &self.source {
            Source::MbTiles(m) => m.tile(z, x, y),
            Source::PmTiles(p) => p.tile(z, x, y),
        }
    }

    /// What the page is told: zooms, bounds, attribution (the file's name stays private).
    pub fn info(&self) -> Value {
        json!({
            "tiles": "/basemap/{z}/{x}/{y}",
            "minzoom": self.min_zoom,
            "maxzoom": self.max_zoom,
            "bounds": self.bounds,
            "attribution": self.attribution,
            "format": self.format.content_type(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_are_recognised_by_their_first_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(TileFormat::Png));
        assert_eq!(sniff(&[0xff, 0xd8, 0xff, 0xe0]), Some(TileFormat::Jpeg));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(TileFormat::Webp));
        assert_eq!(sniff(b"\x1f\x8b"), None);
        assert!(raster_format("pbf").unwrap_err().contains("vector"));
        assert_eq!(raster_format("jpg"), Ok(TileFormat::Jpeg));
    }
}
