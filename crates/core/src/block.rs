//! Windows of the grid and the streaming loop that keeps peak memory bounded.

use rayon::prelude::*;

/// Cells per side of a processing block: every stage streams its rasters in windows of at
/// most `BLOCK_SIZE × BLOCK_SIZE` cells (see [`Grid::windows`](crate::Grid::windows)), which
/// bounds memory whatever the grid's size.
pub const BLOCK_SIZE: usize = 512;

/// A rectangular window of the grid, in cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    /// First column.
    pub col_off: usize,
    /// First row.
    pub row_off: usize,
    /// Number of columns.
    pub width: usize,
    /// Number of rows.
    pub height: usize,
}

impl Window {
    /// Number of cells in the window.
    pub fn len(&self) -> usize {
        self.width * self.height
    }

    /// Whether the window holds no cell.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether grid cell `(row, col)` lies inside the window.
    pub fn contains(&self, row: usize, col: usize) -> bool {
        row >= self.row_off
            && row < self.row_off + self.height
            && col >= self.col_off
            && col < self.col_off + self.width
    }

    /// Index of grid cell `(row, col)` inside the window's row-major buffer.
    pub fn index_of(&self, row: usize, col: usize) -> usize {
        debug_assert!(self.contains(row, col));
        (row - self.row_off) * self.width + (col - self.col_off)
    }
}

/// The values of one window with a validity mask: NoData is `valid[i] == false`, and the
/// matching entry of `values` is meaningless (it is never used in arithmetic).
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// Where the block lies in the grid.
    pub window: Window,
    /// Row-major values.
    pub values: Vec<f64>,
    /// Row-major validity.
    pub valid: Vec<bool>,
}

impl Block {
    /// A block with every cell invalid.
    pub fn empty(window: Window) -> Self {
        Self {
            window,
            values: vec![0.0; window.len()],
            valid: vec![false; window.len()],
        }
    }

    /// A block from raw values where `nodata` (if any), NaN and ±Inf mark missing cells.
    pub fn from_raw(window: Window, values: Vec<f64>, nodata: Option<f64>) -> Self {
        assert_eq!(values.len(), window.len(), "buffer does not match window");
        let valid = values
            .iter()
            .map(|v| v.is_finite() && Some(*v) != nodata)
            .collect();
        Self {
            window,
            values,
            valid,
        }
    }

    /// The value at index `i`, or `None` where the cell is NoData.
    pub fn get(&self, i: usize) -> Option<f64> {
        self.valid[i].then(|| self.values[i])
    }

    /// Number of valid cells.
    pub fn valid_count(&self) -> usize {
        self.valid.iter().filter(|v| **v).count()
    }
}

/// Runs `read → work → sink` over `items` in order, the three overlapping: while `work` runs
/// on one item's data on a helper thread, the calling thread sinks the result of the item
/// before and reads the item after. `read` and `sink` stay on the calling thread (GDAL handles
/// are not shared between threads); `work` may itself fan out on rayon's pool. At most three
/// items are held at once: one being sunk, one worked on, one read.
///
/// # Errors
/// The first error returned by `read` or `sink`; processing stops there (after a failed
/// read, every item read before it has been sunk, as when processing one at a time).
pub fn pipeline<T, D, R, E>(
    items: &[T],
    mut read: impl FnMut(&T) -> Result<D, E>,
    mut work: impl FnMut(D) -> R + Send,
    mut sink: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E>
where
    D: Send,
    R: Send,
{
    let mut rest = items.iter();
    let mut next = match rest.next() {
        Some(item) => Some(read(item)?),
        None => return Ok(()),
    };
    let mut done: Option<R> = None;
    while let Some(data) = next.take() {
        let work = &mut work;
        let (result, io) = std::thread::scope(|scope| {
            let working = scope.spawn(move || work(data));
            // Meanwhile, on this thread: sink the item before, read the item after.
            // The error, and whether it came from a read (true) or a sink.
            type Io<D, E> = Result<Option<D>, (E, bool)>;
            let io = (|| -> Io<D, E> {
                if let Some(r) = done.take() {
                    sink(r).map_err(|e| (e, false))?;
                }
                rest.next()
                    .map(&mut read)
                    .transpose()
                    .map_err(|e| (e, true))
            })();
            let result = match working.join() {
                Ok(result) => result,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            (result, io)
        });
        next = match io {
            Ok(next) => next,
            Err((e, true)) => {
                // A read failed. As one item at a time would: every item read before it is
                // sunk.
                sink(result)?;
                return Err(e);
            }
            Err((e, false)) => return Err(e),
        };
        done = Some(result);
    }
    match done {
        Some(r) => sink(r),
        None => Ok(()),
    }
}

/// Runs `read → compute → sink` over `windows` with at most `in_flight` windows in each of
/// three stages at once ([`pipeline`] over chunks of `in_flight` windows).
///
/// Reading and writing stay on the calling thread (GDAL handles are not shared between
/// threads); `compute` runs in parallel on rayon's pool. The three overlap: while the pool
/// computes one chunk of `in_flight` windows, the calling thread sinks the chunk before it
/// and reads the chunk after it, so decompressing inputs and compressing outputs (most of a
/// per-cell stage's time) no longer leave the other cores idle. Results reach `sink` in window
/// order, so the output is deterministic and the same as computing one window at a time. Peak
/// memory is bounded by 3 × `in_flight` × (input + output of one window), not by the grid size.
///
/// # Errors
/// The first error returned by `read` or `sink`; processing stops there (after a failed
/// read, every window read before it has been sunk, as when processing one at a time).
pub fn stream_blocks<I, O, E>(
    windows: &[Window],
    in_flight: usize,
    mut read: impl FnMut(Window) -> Result<I, E>,
    compute: impl Fn(Window, I) -> O + Sync,
    mut sink: impl FnMut(Window, O) -> Result<(), E>,
) -> Result<(), E>
where
    I: Send,
    O: Send,
{
    let chunks: Vec<&[Window]> = windows.chunks(in_flight.max(1)).collect();
    let compute = &compute;
    pipeline(
        &chunks,
        |chunk| -> Result<Vec<(Window, I)>, E> {
            chunk.iter().map(|w| read(*w).map(|i| (*w, i))).collect()
        },
        |inputs| -> Vec<(Window, O)> {
            inputs
                .into_par_iter()
                .map(|(w, i)| (w, compute(w, i)))
                .collect()
        },
        |outputs| outputs.into_iter().try_for_each(|(w, o)| sink(w, o)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Grid;

    #[test]
    fn stream_blocks_visits_every_window_once_in_order() {
        let g = Grid::new("", [0.0, 1.0, 0.0, 0.0, 0.0, -1.0], 50, 33).unwrap();
        let ws = g.windows(8);
        let mut seen = Vec::new();
        let mut sum = 0u64;
        stream_blocks::<_, _, ()>(
            &ws,
            3,
            |w| Ok(w.len() as u64),
            |_, n| n * 2,
            |w, o| {
                seen.push(w);
                sum += o;
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, ws);
        assert_eq!(sum, 2 * 50 * 33);
    }

    #[test]
    fn stream_blocks_stops_at_the_first_error() {
        let g = Grid::new("", [0.0, 1.0, 0.0, 0.0, 0.0, -1.0], 10, 10).unwrap();
        let ws = g.windows(2);
        let mut count = 0;
        let r = stream_blocks(
            &ws,
            2,
            |w| if w.row_off >= 4 { Err("boom") } else { Ok(()) },
            |_, _| (),
            |_, _| {
                count += 1;
                Ok(())
            },
        );
        assert_eq!(r, Err("boom"));
        assert_eq!(count, 10);
    }

    /// A failing sink stops the stream: no window after it is sunk, and its error is returned.
    #[test]
    fn stream_blocks_stops_at_a_failing_sink() {
        let g = Grid::new("", [0.0, 1.0, 0.0, 0.0, 0.0, -1.0], 10, 10).unwrap();
        let ws = g.windows(2);
        for in_flight in [1, 2, 3, 7] {
            let mut sunk = Vec::new();
            let r = stream_blocks(
                &ws,
                in_flight,
                Ok::<_, &str>,
                |_, w| w,
                |_, w| {
                    if w.row_off >= 4 {
                        return Err("full disk");
                    }
                    sunk.push(w);
                    Ok(())
                },
            );
            assert_eq!(r, Err("full disk"));
            assert_eq!(sunk, ws[..10].to_vec(), "in flight {in_flight}");
        }
    }

    /// Results reach the sink in window order whatever the chunking, each computed once.
    #[test]
    fn stream_blocks_keeps_the_window_order_with_any_chunk() {
        let g = Grid::new("", [0.0, 1.0, 0.0, 0.0, 0.0, -1.0], 37, 29).unwrap();
        let ws = g.windows(4);
        for in_flight in [1, 2, 5, ws.len(), ws.len() + 3] {
            let mut seen = Vec::new();
            stream_blocks::<_, _, ()>(
                &ws,
                in_flight,
                |w| Ok(w.row_off * 1000 + w.col_off),
                |w, key| (w, key * 2),
                |w, (cw, k)| {
                    assert_eq!(w, cw);
                    seen.push(k / 2);
                    Ok(())
                },
            )
            .unwrap();
            let want: Vec<usize> = ws.iter().map(|w| w.row_off * 1000 + w.col_off).collect();
            assert_eq!(seen, want, "in flight {in_flight}");
        }
    }

    #[test]
    fn nodata_and_nan_are_masked() {
        let w = Window {
            col_off: 0,
            row_off: 0,
            width: 3,
            height: 1,
        };
        let b = Block::from_raw(w, vec![1.0, -9999.0, f64::NAN], Some(-9999.0));
        let inf = Block::from_raw(w, vec![f64::INFINITY, 2.0, f64::NEG_INFINITY], None);
        assert_eq!(inf.valid, vec![false, true, false]);
        assert_eq!(b.valid, vec![true, false, false]);
        assert_eq!(b.get(0), Some(1.0));
        assert_eq!(b.get(1), None);
        assert_eq!(b.valid_count(), 1);
    }
}
