//! The in-memory tile cache: least recently used tiles are dropped first, and the total size
//! of the cached PNGs never exceeds a bound in bytes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use axum::body::Bytes;

/// Which tile: run, layer (indices in the catalogue) and the XYZ address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileKey {
    /// Index of the run in the catalogue.
    pub run: usize,
    /// Index of the layer in its run.
    pub layer: usize,
    /// Zoom level.
    pub z: u32,
    /// Column of the tile.
    pub x: u32,
    /// Row of the tile (from the top).
    pub y: u32,
}

/// A least-recently-used cache of encoded tiles bounded in bytes.
pub struct TileCache {
    capacity_bytes: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    tiles: HashMap<TileKey, (Bytes, u64)>,
    by_use: BTreeMap<u64, TileKey>,
    clock: u64,
    bytes: usize,
}

impl TileCache {
    /// An empty cache holding at most `capacity_bytes` of tiles (0: cache nothing).
    pub fn new(capacity_bytes: usize) -> TileCache {
        TileCache {
            capacity_bytes,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// The cached tile, marked as just used.
    pub fn get(&self, key: &TileKey) -> Option<Bytes> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.clock += 1;
        let now = inner.clock;
        let (bytes, used) = inner.tiles.get_mut(key)?;
        let (bytes, before) = (bytes.clone(), std::mem::replace(used, now));
        inner.by_use.remove(&before);
        inner.by_use.insert(now, *key);
        Some(bytes)
    }

    /// Keeps `tile`, dropping the least recently used tiles until it fits; a tile larger than
    /// the whole cache is not kept.
    pub fn insert(&self, key: TileKey, tile: Bytes) {
        if tile.len() > self.capacity_bytes {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((old, used)) = inner.tiles.remove(&key) {
            inner.bytes -= old.len();
            inner.by_use.remove(&used);
        }
        while inner.bytes + tile.len() > self.capacity_bytes {
            let Some((_, oldest)) = inner.by_use.pop_first() else {
                break;
            };
            if let Some((dropped, _)) = inner.tiles.remove(&oldest) {
                inner.bytes -= dropped.len();
            }
        }
        inner.clock += 1;
        let now = inner.clock;
        inner.bytes += tile.len();
        inner.by_use.insert(now, key);
        inner.tiles.insert(key, (tile, now));
    }

    /// Bytes of tiles held now.
    pub fn bytes(&self) -> usize {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).bytes
    }

    /// Tiles held now.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .tiles
            .len()
    }

    /// Whether no tile is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(x: u32) -> TileKey {
        TileKey {
            run: 0,
            layer: 0,
            z: 5,
            x,
            y: 1,
        }
    }

    #[test]
    fn the_least_recently_used_tile_goes_first_and_the_bound_holds() {
        let cache = TileCache::new(300);
        for x in 0..3 {
            cache.insert(key(x), Bytes::from(vec![x as u8; 100]));
        }
        assert_eq!(cache.bytes(), 300);
        assert!(cache.get(&key(0)).is_some()); // 1 is now the oldest
        cache.insert(key(3), Bytes::from(vec![3; 100]));
        assert!(cache.get(&key(1)).is_none());
        assert!(cache.get(&key(0)).is_some() && cache.get(&key(3)).is_some());
        assert_eq!((cache.len(), cache.bytes()), (3, 300));
        cache.insert(key(4), Bytes::from(vec![4; 250]));
        assert_eq!((cache.len(), cache.bytes()), (1, 250));
        cache.insert(key(5), Bytes::from(vec![5; 301]));
        assert!(cache.get(&key(5)).is_none());
        cache.insert(key(4), Bytes::from(vec![4; 10]));
        assert_eq!((cache.len(), cache.bytes()), (1, 10));
    }
}
