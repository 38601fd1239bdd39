//! PMTiles version 3 archives, read by the public specification
//! (<https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md>): the 127-byte header,
//! directories of varint-coded entries (optionally gzip-compressed), leaf directories, and
//! tiles addressed by their position on the Hilbert curves of zooms 0, 1, 2, …
//!
//! Only what a raster basemap needs is read; the archive is untrusted input, so every offset,
//! length and count is checked against the file and [`MAX_DIRECTORY_BYTES`] /
//! [`MAX_TILE_BYTES`] before use, and nothing in it can make the reader panic or loop.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The header's length, bytes.
pub const HEADER_BYTES: usize = 127;
/// The largest directory accepted, after decompression, bytes.
pub const MAX_DIRECTORY_BYTES: u64 = 64 << 20;
/// The largest tile accepted, bytes.
pub const MAX_TILE_BYTES: u64 = 16 << 20;
/// Leaf directories kept in memory at most.
const LEAF_CACHE: usize = 64;
/// Directory levels followed at most (the root, then leaves; writers use one level of leaves).
const MAX_DEPTH: usize = 4;
/// The deepest zoom a tile id can address here (ids stay below 2^63).
pub const MAX_ZOOM: u8 = 30;

/// How the archive's directories (internal) or tiles are compressed (header bytes 97 and 98).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// 0: not stated.
    Unknown,
    /// 1: not compressed.
    None,
    /// 2: gzip.
    Gzip,
    /// 3: Brotli.
    Brotli,
    /// 4: Zstandard.
    Zstd,
}

impl Compression {
    fn from_byte(b: u8) -> Option<Compression> {
        Some(match b {
            0 => Compression::Unknown,
            1 => Compression::None,
            2 => Compression::Gzip,
            3 => Compression::Brotli,
            4 => Compression::Zstd,
            _ => return None,
        })
    }

    /// The number written in the header.
    pub fn byte(self) -> u8 {
        match self {
            Compression::Unknown => 0,
            Compression::None => 1,
            Compression::Gzip => 2,
            Compression::Brotli => 3,
            Compression::Zstd => 4,
        }
    }
}

/// What the tiles are (header byte 99).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileType {
    /// 0: not stated.
    Unknown,
    /// 1: Mapbox vector tiles.
    Mvt,
    /// 2: PNG.
    Png,
    /// 3: JPEG.
    Jpeg,
    /// 4: WebP.
    Webp,
    /// 5: AVIF.
    Avif,
}

impl TileType {
    /// The type written as `b`, None for a number the specification does not define.
    pub fn from_byte(b: u8) -> Option<TileType> {
        Some(match b {
            0 => TileType::Unknown,
            1 => TileType::Mvt,
            2 => TileType::Png,
            3 => TileType::Jpeg,
            4 => TileType::Webp,
            5 => TileType::Avif,
            _ => return None,
        })
    }

    /// The number written in the header.
    pub fn byte(self) -> u8 {
        match self {
            TileType::Unknown => 0,
            TileType::Mvt => 1,
            TileType::Png => 2,
            TileType::Jpeg => 3,
            TileType::Webp => 4,
            TileType::Avif => 5,
        }
    }
}

/// The header's fields that a reader needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Header {
    /// Root directory: offset and length in the file, bytes.
    pub root: (u64, u64),
    /// JSON metadata: offset and length.
    pub metadata: (u64, u64),
    /// Leaf directories' section: offset and length.
    pub leaves: (u64, u64),
    /// Tile data section: offset and length.
    pub tile_data: (u64, u64),
    /// How directories are compressed.
    pub internal_compression: Compression,
    /// How tiles are compressed.
    pub tile_compression: Compression,
    /// What the tiles are.
    pub tile_type: TileType,
    /// Zooms held.
    pub min_zoom: u8,
    /// Zooms held.
    pub max_zoom: u8,
    /// `[west, south, east, north]` in degrees.
    pub bounds: [f64; 4],
}

/// One directory entry: `run_length` tiles from `tile_id` on are the bytes at `offset` (from
/// the tile data section), or with `run_length` 0, a leaf directory at `offset` (from the leaf
/// section) whose first tile is `tile_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The first tile id covered.
    pub tile_id: u64,
    /// Offset, bytes, from its section's start.
    pub offset: u64,
    /// Length, bytes.
    pub length: u32,
    /// Tiles covered (0: a leaf directory).
    pub run_length: u32,
}

/// Leaf directories read, by (offset, length) in the leaf section.
type LeafCache = HashMap<(u64, u64), Arc<Vec<Entry>>>;

/// An open archive.
pub struct PmTiles {
    path: PathBuf,
    file: File,
    file_bytes: u64,
    /// The header.
    pub header: Header,
    root: Vec<Entry>,
    leaves: Mutex<LeafCache>,
}

/// The tile id of tile `(z, x, y)`: the tiles of all lower zooms, then the position of
/// `(x, y)` along zoom `z`'s Hilbert curve (Hilbert 1891; the `xy2d` walk). None when `z` is
/// above [`MAX_ZOOM`] or `x`, `y` are off the zoom's grid.
pub fn tile_id(z: u8, x: u32, y: u32) -> Option<u64> {
    if z > MAX_ZOOM {
        return None;
    }
    let n = 1u64 << z;
    let (mut x, mut y) = (u64::from(x), u64::from(y));
    if x >= n || y >= n {
        return None;
    }
    // Tiles of zooms 0..z: (4^z − 1) / 3.
    let below = ((1u64 << (2 * u32::from(z))) - 1) / 3;
    let mut d = 0u64;
    let mut s = n / 2;
    while s > 0 {
        let rx = u64::from(x & s > 0);
        let ry = u64::from(y & s > 0);
        d += s * s * ((3 * rx) ^ ry);
        // Rotate the quadrant so the curve's sub-square is in its standard orientation.
        if ry == 0 {
            if rx == 1 {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    Some(below + d)
}

fn read_varint(bytes: &[u8], at: &mut usize) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let Some(&b) = bytes.get(*at) else {
            return Err("a directory ends inside a number".into());
        };
        *at += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("a directory holds a number longer than 64 bits".into())
}

/// The entries of a decompressed directory.
///
/// # Errors
/// A message saying what is wrong with the bytes.
pub fn parse_directory(bytes: &[u8]) -> Result<Vec<Entry>, String> {
    let mut at = 0usize;
    let n = read_varint(bytes, &mut at)?;
    // Each entry takes at least 4 bytes (one per column).
    if n == 0 || n > (bytes.len() as u64) / 4 {
        return Err(format!(
            "a directory says it holds {n} entries in {} bytes",
            bytes.len()
        ));
    }
    let n = n as usize;
    let mut entries = vec![
        Entry {
            tile_id: 0,
            offset: 0,
            length: 0,
            run_length: 0,
        };
        n
    ];
    let mut last_id = 0u64;
    for e in entries.iter_mut() {
        last_id = last_id
            .checked_add(read_varint(bytes, &mut at)?)
            .ok_or("a directory's tile ids overflow")?;
        e.tile_id = last_id;
    }
    for e in entries.iter_mut() {
        e.run_length = u32::try_from(read_varint(bytes, &mut at)?)
            .map_err(|_| "a run length is larger than 32 bits")?;
    }
    for e in entries.iter_mut() {
        let length = u32::try_from(read_varint(bytes, &mut at)?)
            .map_err(|_| "a length is larger than 32 bits")?;
        if length == 0 {
            return Err("a directory entry has length 0".into());
        }
        e.length = length;
    }
    for i in 0..n {
        let v = read_varint(bytes, &mut at)?;
        entries[i].offset = if v == 0 && i > 0 {
            entries[i - 1]
                .offset
                .checked_add(u64::from(entries[i - 1].length))
                .ok_or("a directory's offsets overflow")?
        } else if v == 0 {
            return Err("the first entry of a directory has offset code 0".into());
        } else {
            v - 1
        };
    }
    Ok(entries)
}

/// The entry covering `id`: the last entry starting at or before it, when it is a leaf
/// directory or its run reaches `id`.
fn find(entries: &[Entry], id: u64) -> Option<Entry> {
    let n = entries.partition_point(|e| e.tile_id <= id);
    let e = *entries.get(n.checked_sub(1)?)?;
    (e.run_length == 0 || id - e.tile_id < u64::from(e.run_length)).then_some(e)
}

impl PmTiles {
    /// Opens the archive at `path`: reads and checks its header and root directory.
    ///
    /// # Errors
    /// A message saying what is wrong (not PMTiles v3, a section outside the file, a
    /// directory compression other than none or gzip, a directory that does not parse).
    pub fn open(path: &Path) -> Result<PmTiles, String> {
        let file = File::open(path).map_err(|e| format!("cannot open it: {e}"))?;
        let file_bytes = file
            .metadata()
            .map_err(|e| format!("cannot read its size: {e}"))?
            .len();
        let mut head = [0u8; HEADER_BYTES];
        file.read_exact_at(&mut head, 0)
            .map_err(|_| "it is shorter than a PMTiles header (127 bytes)".to_string())?;
        if &head[..7] != b"PMTiles" {
            return Err("it does not start with the PMTiles magic number".into());
        }
        if head[7] != 3 {
            return Err(format!(
                "it is PMTiles version {}, and only version 3 is read",
                head[7]
            ));
        }
        let u64_at = |i: usize| u64::from_le_bytes(head[i..i + 8].try_into().expect("8 bytes"));
        let degrees_at = |i: usize| {
            f64::from(i32::from_le_bytes(
                head[i..i + 4].try_into().expect("4 bytes"),
            )) / 1e7
        };
        let compression = |i: usize| {
            Compression::from_byte(head[i])
                .ok_or_else(|| format!("unknown compression number {} at byte {i}", head[i]))
        };
        let header = Header {
            root: (u64_at(8), u64_at(16)),
            metadata: (u64_at(24), u64_at(32)),
            leaves: (u64_at(40), u64_at(48)),
            tile_data: (u64_at(56), u64_at(64)),
            internal_compression: compression(97)?,
            tile_compression: compression(98)?,
            tile_type: TileType::from_byte(head[99])
                .ok_or_else(|| format!("unknown tile type number {}", head[99]))?,
            min_zoom: head[100],
            max_zoom: head[101],
            bounds: [
                degrees_at(102),
                degrees_at(106),
                degrees_at(110),
                degrees_at(114),
            ],
        };
        for (name, (offset, length)) in [
            ("root directory", header.root),
            ("metadata", header.metadata),
            ("leaf directories", header.leaves),
            ("tile data", header.tile_data),
        ] {
            if offset
                .checked_add(length)
                .is_none_or(|end| end > file_bytes)
            {
                return Err(format!(
                    "its {name} ({length} bytes at {offset}) lies beyond the end of the file ({file_bytes} bytes)"
                ));
            }
        }
        if !matches!(
            header.internal_compression,
            Compression::None | Compression::Gzip
        ) {
            return Err(format!(
                "its directories are compressed by {:?}; only uncompressed or gzip directories are read",
                header.internal_compression
            ));
        }
        let mut archive = PmTiles {
            path: path.into(),
            file,
            file_bytes,
            header,
            root: Vec::new(),
            leaves: Mutex::new(HashMap::new()),
        };
        archive.root = archive.directory(header.root.0, header.root.1)?;
        Ok(archive)
    }

    /// The archive's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self, offset: u64, length: u64, what: &str) -> Result<Vec<u8>, String> {
        if offset
            .checked_add(length)
            .is_none_or(|end| end > self.file_bytes)
        {
            return Err(format!("a {what} lies beyond the end of the file"));
        }
        let mut bytes = vec![0u8; length as usize];
        self.file
            .read_exact_at(&mut bytes, offset)
            .map_err(|e| format!("reading a {what}: {e}"))?;
        Ok(bytes)
    }

    /// A directory or the metadata (`what`): read, checked for size and decompressed by the
    /// archive's internal compression.
    fn internal(&self, offset: u64, length: u64, what: &str) -> Result<Vec<u8>, String> {
        if length > MAX_DIRECTORY_BYTES {
            return Err(format!("a {what} of {length} bytes is too large"));
        }
        let raw = self.read(offset, length, what)?;
        Ok(match self.header.internal_compression {
            Compression::Gzip => {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(raw.as_slice())
                    .take(MAX_DIRECTORY_BYTES + 1)
                    .read_to_end(&mut out)
                    .map_err(|e| format!("a {what} does not gunzip: {e}"))?;
                if out.len() as u64 > MAX_DIRECTORY_BYTES {
                    return Err(format!("a {what} is too large once decompressed"));
                }
                out
            }
            _ => raw,
        })
    }

    fn directory(&self, offset: u64, length: u64) -> Result<Vec<Entry>, String> {
        parse_directory(&self.internal(offset, length, "directory")?)
    }

    /// The archive's JSON metadata (a JSON object by the specification; `{}` when empty).
    ///
    /// # Errors
    /// A message when it cannot be read, decompressed or parsed as JSON.
    pub fn metadata(&self) -> Result<serde_json::Value, String> {
        let (offset, length) = self.header.metadata;
        if length == 0 {
            return Ok(serde_json::json!({}));
        }
        let bytes = self.internal(offset, length, "metadata")?;
        serde_json::from_slice(&bytes).map_err(|e| format!("its metadata is not JSON: {e}"))
    }

    fn leaf(&self, offset: u64, length: u64) -> Result<Arc<Vec<Entry>>, String> {
        let key = (offset, length);
        if let Some(d) = self
            .leaves
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(d.clone());
        }
        let start = self
            .header
            .leaves
            .0
            .checked_add(offset)
            .ok_or("a leaf directory's offset overflows")?;
        let d = Arc::new(self.directory(start, length)?);
        let mut cache = self.leaves.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= LEAF_CACHE {
            cache.clear();
        }
        cache.insert(key, d.clone());
        Ok(d)
    }

    /// The bytes of tile `(z, x, y)` as stored, None when the archive does not hold it.
    ///
    /// # Errors
    /// A message when the archive's directories or offsets are broken or the file cannot be
    /// read.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, String> {
        let Some(id) = tile_id(z, x, y) else {
            return Ok(None);
        };
        let mut leaf: Option<Arc<Vec<Entry>>> = None;
        for _ in 0..MAX_DEPTH {
            let entries = leaf.as_deref().map_or(self.root.as_slice(), Vec::as_slice);
            let Some(e) = find(entries, id) else {
                return Ok(None);
            };
            if e.run_length > 0 {
                if u64::from(e.length) > MAX_TILE_BYTES {
                    return Err(format!("a tile of {} bytes is too large", e.length));
                }
                let start = self
                    .header
                    .tile_data
                    .0
                    .checked_add(e.offset)
                    .ok_or("a tile's offset overflows")?;
                return self.read(start, u64::from(e.length), "tile").map(Some);
            }
            leaf = Some(self.leaf(e.offset, u64::from(e.length))?);
        }
        Err(format!(
            "leaf directories nest deeper than {MAX_DEPTH} levels"
        ))
    }
}

/// Writing archives: for tests and small tools (one root directory, or a root of leaves).
pub mod write {
    use super::{tile_id, Compression, Entry, TileType, HEADER_BYTES};
    use std::io::Write;

    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8 & 0x7f) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    /// A directory's bytes, uncompressed, from entries in tile-id order.
    pub fn directory(entries: &[Entry]) -> Vec<u8> {
        let mut out = Vec::new();
        varint(&mut out, entries.len() as u64);
        let mut last = 0;
        for e in entries {
            varint(&mut out, e.tile_id - last);
            last = e.tile_id;
        }
        for e in entries {
            varint(&mut out, u64::from(e.run_length));
        }
        for e in entries {
            varint(&mut out, u64::from(e.length));
        }
        for (i, e) in entries.iter().enumerate() {
            let follows =
                i > 0 && e.offset == entries[i - 1].offset + u64::from(entries[i - 1].length);
            varint(&mut out, if follows { 0 } else { e.offset + 1 });
        }
        out
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(bytes).expect("writing to memory");
        z.finish().expect("writing to memory")
    }

    /// An archive of `tiles` (`(z, x, y, bytes)`, any order; equal bytes stored once, runs of
    /// equal consecutive tiles as one entry) of type `tile_type`; directories gzip-compressed
    /// when `gzip`, and split into leaves of at most `leaf_entries` entries when given.
    pub fn archive(
        tiles: &[(u8, u32, u32, Vec<u8>)],
        tile_type: TileType,
        gzip_directories: bool,
        leaf_entries: Option<usize>,
    ) -> Vec<u8> {
        archive_with_metadata(tiles, tile_type, gzip_directories, leaf_entries, "{}")
    }

    /// [`archive`] with `metadata` as its JSON metadata.
    pub fn archive_with_metadata(
        tiles: &[(u8, u32, u32, Vec<u8>)],
        tile_type: TileType,
        gzip_directories: bool,
        leaf_entries: Option<usize>,
        metadata: &str,
    ) -> Vec<u8> {
        let mut by_id: Vec<(u64, &[u8])> = tiles
            .iter()
            .map(|(z, x, y, b)| {
                (
                    tile_id(*z, *x, *y).expect("a tile on its zoom's grid"),
                    b.as_slice(),
                )
            })
            .collect();
        by_id.sort_by_key(|t| t.0);
        let mut data: Vec<u8> = Vec::new();
        let mut stored: Vec<(&[u8], u64)> = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        for (id, bytes) in by_id {
            if let Some(last) = entries.last_mut() {
                let same = &data[last.offset as usize..last.offset as usize + last.length as usize]
                    == bytes;
                if same && last.tile_id + u64::from(last.run_length) == id {
                    last.run_length += 1;
                    continue;
                }
            }
            let offset = match stored.iter().find(|s| s.0 == bytes) {
                Some(s) => s.1,
                None => {
                    let o = data.len() as u64;
                    data.extend_from_slice(bytes);
                    stored.push((bytes, o));
                    o
                }
            };
            entries.push(Entry {
                tile_id: id,
                offset,
                length: bytes.len() as u32,
                run_length: 1,
            });
        }
        let pack = |b: Vec<u8>| if gzip_directories { gzip(&b) } else { b };
        let (root, leaves) = match leaf_entries {
            None => (pack(directory(&entries)), Vec::new()),
            Some(k) => {
                let mut leaves = Vec::new();
                let mut root_entries = Vec::new();
                for chunk in entries.chunks(k.max(1)) {
                    let bytes = pack(directory(chunk));
                    root_entries.push(Entry {
                        tile_id: chunk[0].tile_id,
                        offset: leaves.len() as u64,
                        length: bytes.len() as u32,
                        run_length: 0,
                    });
                    leaves.extend_from_slice(&bytes);
                }
                (pack(directory(&root_entries)), leaves)
            }
        };
        let metadata = pack(metadata.as_bytes().to_vec());
        let root_at = HEADER_BYTES as u64;
        let metadata_at = root_at + root.len() as u64;
        let leaves_at = metadata_at + metadata.len() as u64;
        let data_at = leaves_at + leaves.len() as u64;
        let zooms = tiles.iter().map(|t| t.0);
        let (min_zoom, max_zoom) = (zooms.clone().min().unwrap_or(0), zooms.max().unwrap_or(0));
        let mut out = Vec::with_capacity(data_at as usize + data.len());
        out.extend_from_slice(b"PMTiles");
        out.push(3);
        for v in [
            root_at,
            root.len() as u64,
            metadata_at,
            metadata.len() as u64,
            leaves_at,
            leaves.len() as u64,
            data_at,
            data.len() as u64,
            entries.iter().map(|e| u64::from(e.run_length)).sum(),
            entries.len() as u64,
            stored.len() as u64,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.push(1); // clustered
        out.push(
            if gzip_directories {
                Compression::Gzip
            } else {
                Compression::None
            }
            .byte(),
        );
        out.push(Compression::None.byte());
        out.push(tile_type.byte());
        out.push(min_zoom);
        out.push(max_zoom);
        for degrees in [-180.0f64, -85.0511, 180.0, 85.0511] {
            out.extend_from_slice(&((degrees * 1e7) as i32).to_le_bytes());
        }
        out.push(min_zoom);
        out.extend_from_slice(&0i32.to_le_bytes());
        out.extend_from_slice(&0i32.to_le_bytes());
        assert_eq!(out.len(), HEADER_BYTES);
        out.extend_from_slice(&root);
        out.extend_from_slice(&metadata);
        out.extend_from_slice(&leaves);
        out.extend_from_slice(&data);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specification's reference implementations' values: 0/0/0 → 0, 1/1/0 → 4,
    /// 2/1/3 → 11, 3/3/0 → 26; and every tile of zooms 0–6 has its own id, the ids of zoom z
    /// filling [(4^z − 1)/3, (4^(z+1) − 1)/3).
    #[test]
    fn tile_ids_follow_the_hilbert_curves() {
        assert_eq!(tile_id(0, 0, 0), Some(0));
        assert_eq!(tile_id(1, 0, 0), Some(1));
        assert_eq!(tile_id(1, 1, 0), Some(4));
        assert_eq!(tile_id(2, 1, 3), Some(11));
        assert_eq!(tile_id(3, 3, 0), Some(26));
        assert_eq!(tile_id(1, 2, 0), None);
        assert_eq!(tile_id(31, 0, 0), None);
        for z in 0..=6u8 {
            let n = 1u32 << z;
            let mut ids: Vec<u64> = (0..n)
                .flat_map(|x| (0..n).map(move |y| tile_id(z, x, y).unwrap()))
                .collect();
            ids.sort_unstable();
            let first = ((1u64 << (2 * z)) - 1) / 3;
            assert_eq!(
                ids,
                (first..first + u64::from(n) * u64::from(n)).collect::<Vec<_>>()
            );
        }
        assert!(tile_id(MAX_ZOOM, (1 << 30) - 1, 0).is_some());
    }

    #[test]
    fn directories_round_trip_and_broken_ones_are_errors() {
        let entries = vec![
            Entry {
                tile_id: 0,
                offset: 0,
                length: 10,
                run_length: 1,
            },
            Entry {
                tile_id: 1,
                offset: 10,
                length: 5,
                run_length: 3,
            },
            Entry {
                tile_id: 9,
                offset: 0,
                length: 10,
                run_length: 1,
            },
            Entry {
                tile_id: 300,
                offset: 4000,
                length: 70000,
                run_length: 0,
            },
        ];
        let bytes = write::directory(&entries);
        assert_eq!(parse_directory(&bytes).unwrap(), entries);
        assert!(parse_directory(&[]).is_err());
        assert!(parse_directory(&[0]).is_err());
        assert!(parse_directory(&bytes[..bytes.len() - 1]).is_err());
        assert!(parse_directory(&[0xff; 12]).is_err());
        assert_eq!(find(&entries, 2).unwrap().tile_id, 1);
        assert_eq!(find(&entries, 4), None);
        assert_eq!(find(&entries, 9).unwrap().tile_id, 9);
        assert_eq!(find(&entries, 5000).unwrap().tile_id, 300);
    }
}
