//! MBTiles files (<https://github.com/mapbox/mbtiles-spec>, 1.3): SQLite databases with a
//! `tiles` table (`zoom_level`, `tile_column`, `tile_row` counted from the south, `tile_data`)
//! and a `metadata` table of names and values. Read through the system's SQLite library — the
//! one GDAL itself links (GDAL's own SQLite driver declines files named `.mbtiles`, and its
//! MBTiles driver decodes tiles to pixels rather than returning their bytes) — opened
//! read-only, one prepared statement per call.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[repr(C)]
struct Sqlite3 {
    _private: [u8; 0],
}

#[repr(C)]
struct Statement {
    _private: [u8; 0],
}

#[link(name = "sqlite3")]
extern "C" {
    fn sqlite3_open_v2(
        filename: *const c_char,
        db: *mut *mut Sqlite3,
        flags: c_int,
        vfs: *const c_char,
    ) -> c_int;
    fn sqlite3_close(db: *mut Sqlite3) -> c_int;
    fn sqlite3_errmsg(db: *mut Sqlite3) -> *const c_char;
    fn sqlite3_prepare_v2(
        db: *mut Sqlite3,
        sql: *const c_char,
        bytes: c_int,
        statement: *mut *mut Statement,
        tail: *mut *const c_char,
    ) -> c_int;
    fn sqlite3_bind_int64(statement: *mut Statement, index: c_int, value: i64) -> c_int;
    fn sqlite3_step(statement: *mut Statement) -> c_int;
    fn sqlite3_column_blob(statement: *mut Statement, column: c_int) -> *const c_void;
    fn sqlite3_column_text(statement: *mut Statement, column: c_int) -> *const u8;
    fn sqlite3_column_bytes(statement: *mut Statement, column: c_int) -> c_int;
    fn sqlite3_finalize(statement: *mut Statement) -> c_int;
}

const SQLITE_OK: c_int = 0;
const SQLITE_ROW: c_int = 100;
const SQLITE_DONE: c_int = 101;
const SQLITE_OPEN_READONLY: c_int = 0x0000_0001;
const SQLITE_OPEN_FULLMUTEX: c_int = 0x0001_0000;

/// The largest tile accepted, bytes.
pub const MAX_TILE_BYTES: usize = 16 << 20;

/// An open connection (read-only).
struct Connection {
    db: *mut Sqlite3,
}

// SAFETY: the connection is opened with SQLITE_OPEN_FULLMUTEX (SQLite's serialized mode), in
// which one connection may be used from any thread; it is also only used behind a Mutex.
unsafe impl Send for Connection {}

impl Drop for Connection {
    fn drop(&mut self) {
        // SAFETY: `db` came from sqlite3_open_v2 and every statement is finalised before its
        // call returns.
        unsafe {
            sqlite3_close(self.db);
        }
    }
}

/// What one query returns from its first row's first column.
enum Column {
    Blob,
    Text,
}

/// A value of the first row's first column.
enum Value {
    Blob(Vec<u8>),
    Text(String),
}

impl Connection {
    fn open(path: &Path) -> Result<Connection, String> {
        let c_path = CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| "its path holds a NUL byte".to_string())?;
        let mut db: *mut Sqlite3 = std::ptr::null_mut();
        // SAFETY: a NUL-terminated path and a pointer to receive the handle; the handle is
        // closed by Drop even when opening fails (SQLite asks for that).
        let rc = unsafe {
            sqlite3_open_v2(
                c_path.as_ptr(),
                &mut db,
                SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX,
                std::ptr::null(),
            )
        };
        if db.is_null() {
            return Err("SQLite could not allocate a connection".into());
        }
        let connection = Connection { db };
        if rc != SQLITE_OK {
            return Err(connection.message());
        }
        Ok(connection)
    }

    fn message(&self) -> String {
        // SAFETY: `db` is a live handle; the message is NUL-terminated and copied at once.
        unsafe { CStr::from_ptr(sqlite3_errmsg(self.db)) }
            .to_string_lossy()
            .into_owned()
    }

    /// The first column of the first row of `sql` with `params` bound to ?1, ?2, …; None
    /// without a row or when the value is NULL.
    fn query(&self, sql: &str, params: &[i64], column: Column) -> Result<Option<Value>, String> {
        let c_sql = CString::new(sql).map_err(|_| "SQL with a NUL byte".to_string())?;
        let mut statement: *mut Statement = std::ptr::null_mut();
        // SAFETY: a live connection, NUL-terminated SQL (-1: read to the NUL).
        let rc = unsafe {
            sqlite3_prepare_v2(
                self.db,
                c_sql.as_ptr(),
                -1,
                &mut statement,
                std::ptr::null_mut(),
            )
        };
        if rc != SQLITE_OK || statement.is_null() {
            return Err(self.message());
        }
        // SAFETY: `statement` is live until sqlite3_finalize below; blob and text pointers
        // are read (their lengths from sqlite3_column_bytes, after the pointer as SQLite
        // asks) and copied before the statement is stepped again or finalised.
        let result = unsafe {
            let mut bound = Ok(());
            for (i, &p) in params.iter().enumerate() {
                if sqlite3_bind_int64(statement, i as c_int + 1, p) != SQLITE_OK {
                    bound = Err(self.message());
                }
            }
            match bound {
                Err(e) => Err(e),
                Ok(()) => match sqlite3_step(statement) {
                    SQLITE_ROW => {
                        let pointer = match column {
                            Column::Blob => sqlite3_column_blob(statement, 0).cast::<u8>(),
                            Column::Text => sqlite3_column_text(statement, 0),
                        };
                        let len = sqlite3_column_bytes(statement, 0).max(0) as usize;
                        if pointer.is_null() {
                            Ok(None)
                        } else if len > MAX_TILE_BYTES {
                            Err(format!("a value of {len} bytes is too large"))
                        } else {
                            let bytes = std::slice::from_raw_parts(pointer, len).to_vec();
                            Ok(Some(match column {
                                Column::Blob => Value::Blob(bytes),
                                Column::Text => {
                                    Value::Text(String::from_utf8_lossy(&bytes).into_owned())
                                }
                            }))
                        }
                    }
                    SQLITE_DONE => Ok(None),
                    _ => Err(self.message()),
                },
            }
        };
        // SAFETY: finalised once; not used afterwards.
        unsafe {
            sqlite3_finalize(statement);
        }
        result
    }
}

/// An open MBTiles file.
pub struct MbTiles {
    path: PathBuf,
    connection: Mutex<Connection>,
}

impl MbTiles {
    /// Opens `path` read-only and checks that it has a `tiles` table.
    ///
    /// # Errors
    /// A message when it is not an SQLite database or has no `tiles` table.
    pub fn open(path: &Path) -> Result<MbTiles, String> {
        let connection = Connection::open(path)?;
        connection
            .query(
                "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 1",
                &[],
                Column::Blob,
            )
            .map_err(|e| format!("it has no readable MBTiles `tiles` table ({e})"))?;
        Ok(MbTiles {
            path: path.into(),
            connection: Mutex::new(connection),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The `metadata` table's value for `name`, None when absent (or without the table).
    pub fn metadata(&self, name: &str) -> Option<String> {
        let c = self.connection.lock().unwrap_or_else(|e| e.into_inner());
        // The name is one of a few constants, never a request's text.
        match c.query(
            &format!(
                "SELECT value FROM metadata WHERE name = '{}'",
                name.replace('\'', "''")
            ),
            &[],
            Column::Text,
        ) {
            Ok(Some(Value::Text(t))) => Some(t),
            _ => None,
        }
    }

    /// The lowest and highest zoom of the tiles table.
    pub fn zoom_range(&self) -> Option<(u8, u8)> {
        let c = self.connection.lock().unwrap_or_else(|e| e.into_inner());
        let zoom = |sql: &str| match c.query(sql, &[], Column::Text) {
            Ok(Some(Value::Text(t))) => t.parse::<u8>().ok(),
            _ => None,
        };
        Some((
            zoom("SELECT MIN(zoom_level) FROM tiles")?,
            zoom("SELECT MAX(zoom_level) FROM tiles")?,
        ))
    }

    /// The bytes of tile `(z, x, y)` (XYZ, counted from the north) as stored, None when the
    /// file does not hold it.
    ///
    /// # Errors
    /// SQLite's message when the query fails.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, String> {
        if z > 30 || x >= 1 << z || y >= 1 << z {
            return Ok(None);
        }
        // MBTiles rows count from the south (TMS).
        let row = (1i64 << z) - 1 - i64::from(y);
        let c = self.connection.lock().unwrap_or_else(|e| e.into_inner());
        match c.query(
            "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
            &[i64::from(z), i64::from(x), row],
            Column::Blob,
        )? {
            Some(Value::Blob(b)) if !b.is_empty() => Ok(Some(b)),
            _ => Ok(None),
        }
    }
}
