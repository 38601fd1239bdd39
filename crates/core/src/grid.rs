//! The canonical grid: one CRS, one affine transform, one shape per project.

use crate::block::Window;
use crate::Error;

/// A north-up raster grid: CRS, GDAL-style affine transform and shape.
///
/// The transform follows GDAL's order `[x0, pixel_width, row_rotation, y0, col_rotation,
/// pixel_height]`; map x = x0 + col·pixel_width + row·row_rotation, map y = y0 + col·col_rotation
/// + row·pixel_height. Cell `(row, col)` covers `[col, col+1) × [row, row+1)` in pixel space.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Coordinate reference system as WKT (empty when unknown).
    pub crs_wkt: String,
    /// GDAL geotransform.
    pub transform: [f64; 6],
    /// Number of columns.
    pub width: usize,
    /// Number of rows.
    pub height: usize,
}

impl Grid {
    /// A grid from a transform and shape.
    ///
    /// # Errors
    /// [`Error::InvalidGrid`] when the shape is empty or too large, or the transform is
    /// degenerate or not finite.
    pub fn new(
        crs_wkt: impl Into<String>,
        transform: [f64; 6],
        width: usize,
        height: usize,
    ) -> Result<Self, Error> {
        if width == 0 || height == 0 {
            return Err(Error::InvalidGrid {
                reason: format!("the grid has {width} × {height} cells"),
            });
        }
        crate::limits::check(
            "max_cells",
            format!("the number of cells of the grid ({width} × {height})"),
            (width as u64).saturating_mul(height as u64),
        )
        .map_err(|e| Error::InvalidGrid {
            reason: e.to_string(),
        })?;
        if transform.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidGrid {
                reason: format!("the transform {transform:?} is not finite"),
            });
        }
        let det = transform[1] * transform[5] - transform[2] * transform[4];
        if det == 0.0 {
            return Err(Error::InvalidGrid {
                reason: format!("the transform {transform:?} has zero cell area"),
            });
        }
        Ok(Self {
            crs_wkt: crs_wkt.into(),
            transform,
            width,
            height,
        })
    }

    /// A north-up grid covering the extent `[min_x, max_x] × [min_y, max_y]` with square cells
    /// of `cell_size` CRS units, snapped outwards to whole multiples of the cell size.
    ///
    /// # Errors
    /// [`Error::InvalidGrid`] when the cell size is not positive or the extent is empty.
    pub fn covering(
        crs_wkt: impl Into<String>,
        extent: [f64; 4],
        cell_size: f64,
    ) -> Result<Self, Error> {
        let [min_x, min_y, max_x, max_y] = extent;
        if !(cell_size > 0.0 && cell_size.is_finite()) {
            return Err(Error::InvalidGrid {
                reason: format!("cell size {cell_size} must be a positive number"),
            });
        }
        if !(max_x > min_x && max_y > min_y) {
            return Err(Error::InvalidGrid {
                reason: format!("the extent {extent:?} is empty"),
            });
        }
        let x0 = (min_x / cell_size).floor() * cell_size;
        let y_top = (max_y / cell_size).ceil() * cell_size;
        let width = ((max_x - x0) / cell_size).ceil().max(1.0);
        let height = ((y_top - min_y) / cell_size).ceil().max(1.0);
        // Checked here, before the sizes become integers: an absurd cell size must not wrap.
        crate::limits::check(
            "max_cells",
            format!(
                "the number of cells of the grid ({width} × {height}) at cell size {cell_size}"
            ),
            (width * height).min(u64::MAX as f64) as u64,
        )
        .map_err(|e| Error::InvalidGrid {
            reason: e.to_string(),
        })?;
        Self::new(
            crs_wkt,
            [x0, cell_size, 0.0, y_top, 0.0, -cell_size],
            width as usize,
            height as usize,
        )
    }

    /// Number of cells.
    pub fn cell_count(&self) -> u64 {
        self.width as u64 * self.height as u64
    }

    /// Area of one cell in squared CRS units (m² for projected CRSs in metres).
    pub fn cell_area(&self) -> f64 {
        let t = &self.transform;
        (t[1] * t[5] - t[2] * t[4]).abs()
    }

    /// Area of one cell in km², assuming CRS units of metres.
    pub fn cell_area_km2(&self) -> f64 {
        self.cell_area() / 1.0e6
    }

    /// Whether the grid is north-up (no rotation terms).
    pub fn is_north_up(&self) -> bool {
        self.transform[2] == 0.0 && self.transform[4] == 0.0
    }

    /// Map coordinates of the centre of cell `(row, col)`.
    pub fn cell_centre(&self, row: usize, col: usize) -> (f64, f64) {
        let t = &self.transform;
        let (c, r) = (col as f64 + 0.5, row as f64 + 0.5);
        (t[0] + c * t[1] + r * t[2], t[3] + c * t[4] + r * t[5])
    }

    /// The fractional pixel position `(col, row)` of a map coordinate.
    pub fn pixel_of(&self, x: f64, y: f64) -> (f64, f64) {
        let t = &self.transform;
        let det = t[1] * t[5] - t[2] * t[4];
        let dx = x - t[0];
        let dy = y - t[3];
        let col = (dx * t[5] - dy * t[2]) / det;
        let row = (dy * t[1] - dx * t[4]) / det;
        (col, row)
    }

    /// The cell `(row, col)` containing the map coordinate, or `None` outside the grid.
    ///
    /// A point on a shared edge belongs to the cell to its right / below (pixel space), as in GDAL.
    pub fn cell_of(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let (col, row) = self.pixel_of(x, y);
        if !(col >= 0.0 && row >= 0.0) {
            return None;
        }
        let (c, r) = (col.floor() as usize, row.floor() as usize);
        (c < self.width && r < self.height).then_some((r, c))
    }

    /// The extent `[min_x, min_y, max_x, max_y]` of the grid's corners.
    pub fn extent(&self) -> [f64; 4] {
        let t = &self.transform;
        let corners = [
            (0.0, 0.0),
            (self.width as f64, 0.0),
            (0.0, self.height as f64),
            (self.width as f64, self.height as f64),
        ];
        let mut e = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for (c, r) in corners {
            let x = t[0] + c * t[1] + r * t[2];
            let y = t[3] + c * t[4] + r * t[5];
            e[0] = e[0].min(x);
            e[1] = e[1].min(y);
            e[2] = e[2].max(x);
            e[3] = e[3].max(y);
        }
        e
    }

    /// The grid cut into windows of at most `block_size × block_size` cells, row-major.
    pub fn windows(&self, block_size: usize) -> Vec<Window> {
        assert!(block_size > 0, "block size must be positive");
        let mut out = Vec::new();
        for row_off in (0..self.height).step_by(block_size) {
            for col_off in (0..self.width).step_by(block_size) {
                out.push(Window {
                    col_off,
                    row_off,
                    width: block_size.min(self.width - col_off),
                    height: block_size.min(self.height - row_off),
                });
            }
        }
        out
    }

    /// Whether two grids have the same shape and transform (to `rel_tol` of a cell) — the CRS
    /// is compared by the caller, who can ask GDAL whether two WKTs are the same CRS.
    pub fn same_geometry(&self, other: &Grid, rel_tol: f64) -> bool {
        if self.width != other.width || self.height != other.height {
            return false;
        }
        let scale = self.transform[1].abs().max(self.transform[5].abs());
        self.transform
            .iter()
            .zip(other.transform.iter())
            .all(|(a, b)| (a - b).abs() <= rel_tol * scale)
    }

    /// A one-line description for messages and manifests.
    pub fn describe(&self) -> String {
        format!(
            "{} × {} cells of {} × {} at ({}, {})",
            self.width,
            self.height,
            self.transform[1],
            self.transform[5].abs(),
            self.transform[0],
            self.transform[3]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        Grid::new("", [1000.0, 100.0, 0.0, 5000.0, 0.0, -100.0], 30, 20).unwrap()
    }

    #[test]
    fn cell_centre_and_cell_of_are_inverse() {
        let g = grid();
        for row in 0..g.height {
            for col in 0..g.width {
                let (x, y) = g.cell_centre(row, col);
                assert_eq!(g.cell_of(x, y), Some((row, col)));
            }
        }
        assert_eq!(g.cell_of(999.0, 4999.0), None);
        assert_eq!(g.cell_of(1000.0 + 3000.0, 4999.0), None);
        assert_eq!(g.cell_of(1000.0, 5000.0), Some((0, 0)));
    }

    #[test]
    fn windows_tile_the_grid_exactly() {
        let g = grid();
        let ws = g.windows(7);
        let total: usize = ws.iter().map(|w| w.width * w.height).sum();
        assert_eq!(total, 600);
        assert_eq!(ws.len(), 5 * 3);
        assert_eq!(ws.last().unwrap().width, 2);
        assert_eq!(ws.last().unwrap().height, 6);
    }

    #[test]
    fn covering_snaps_outwards() {
        let g = Grid::covering("", [1050.0, 2010.0, 1960.0, 2990.0], 100.0).unwrap();
        assert_eq!(g.transform, [1000.0, 100.0, 0.0, 3000.0, 0.0, -100.0]);
        assert_eq!((g.width, g.height), (10, 10));
        assert!((g.cell_area_km2() - 0.01).abs() < 1e-15);
        assert_eq!(g.extent(), [1000.0, 2000.0, 2000.0, 3000.0]);
    }

    #[test]
    fn bad_grids_are_rejected() {
        assert!(Grid::new("", [0.0, 1.0, 0.0, 0.0, 0.0, -1.0], 0, 5).is_err());
        assert!(Grid::new("", [0.0, 0.0, 0.0, 0.0, 0.0, -1.0], 5, 5).is_err());
        assert!(Grid::covering("", [0.0, 0.0, 1.0, 1.0], -1.0).is_err());
        assert!(Grid::covering("", [0.0, 0.0, 1e9, 1e9], 0.001).is_err());
    }
}
