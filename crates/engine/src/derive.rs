//! Evidence values derived from vector features, computed window by window: distance, signed
//! distance (negative inside polygons), line density and point density.

use std::path::Path;

use anyhow::{bail, Result};
use nedra_core::density::DensityIndex;
use nedra_core::distance::{PolygonInterior, SegmentIndex};
use nedra_core::{Block, Grid, Window};
use nedra_io::vector::{read_features, VectorSource};

/// A per-window field: values (NaN = NoData) for the cells of a window of the grid.
pub type FieldFn = Box<dyn Fn(&Grid, Window) -> Vec<f64> + Send + Sync>;

/// What to derive from features.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldKind {
    /// Distance to the nearest feature, CRS units.
    Distance,
    /// Distance to the nearest polygon boundary, negative inside polygons.
    SignedDistance,
    /// Line length per area in a circle of this radius (CRS units), in km/km² for metres.
    LineDensity(f64),
    /// Points per area in a circle of this radius (CRS units), per km² for metres.
    PointDensity(f64),
}

/// A warning when no feature of a layer lies within the grid's extent (a CRS or coordinate
/// mistake, most often: distances are then all large and densities all zero), with the gap.
pub fn far_features_warning(
    path: &str,
    f: &nedra_io::vector::Features,
    grid: &Grid,
) -> Option<String> {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut add = |p: &[f64; 2]| {
        b = [
            b[0].min(p[0]),
            b[1].min(p[1]),
            b[2].max(p[0]),
            b[3].max(p[1]),
        ];
    };
    f.points.iter().for_each(&mut add);
    for (a, c) in &f.segments {
        add(a);
        add(c);
    }
    if b[0] > b[2] {
        return None;
    }
    let [x0, y0, x1, y1] = grid.extent();
    let dx = (b[0] - x1).max(x0 - b[2]).max(0.0);
    let dy = (b[1] - y1).max(y0 - b[3]).max(0.0);
    if dx == 0.0 && dy == 0.0 {
        return None;
    }
    Some(format!(
        "{path}: no feature lies within the grid's extent — the features span x {:.1}..{:.1}, y {:.1}..{:.1}, \
         {:.1} (CRS units) from the grid's extent x {x0:.1}..{x1:.1}, y {y0:.1}..{y1:.1}, in the grid's CRS. \
         Check the layer's CRS; if the features really lie outside, distances are measured to them all the same",
        b[0],
        b[2],
        b[1],
        b[3],
        dx.hypot(dy)
    ))
}

/// Reads the features of `source` onto `grid`'s CRS and builds the field with a description.
///
/// # Errors
/// Read failures, and a source without the features the kind needs.
pub fn field(
    source: &VectorSource,
    grid: &Grid,
    kind: FieldKind,
    max_distance: Option<f64>,
) -> Result<(FieldFn, String)> {
    let f = read_features(source, &grid.crs_wkt)?;
    let path = source.path.display().to_string();
    if let Some(w) = far_features_warning(&path, &f, grid) {
        crate::progress::say(&format!("warning: {w}"));
    }
    let cap = move |mut v: Vec<f64>| {
        if let Some(m) = max_distance {
            v.iter_mut()
                .filter(|x| x.abs() > m)
                .for_each(|x| *x = f64::NAN);
        }
        v
    };
    Ok(match kind {
        FieldKind::Distance => {
            let index = SegmentIndex::new(&f.segments, &f.points);
            if index.is_empty() {
                bail!("{path}: the layer holds no feature to measure distance to");
            }
            let text = format!(
                "exact Euclidean distance (CRS units) from cell centres to {} segments and {} points",
                f.segments.len(),
                f.points.len()
            );
            (
                Box::new(move |g: &Grid, w: Window| cap(index.distances_for(g, w))),
                text,
            )
        }
        FieldKind::SignedDistance => {
            if f.polygon_segments.is_empty() {
                bail!("{path}: signed distance needs polygons (distance to contacts, negative inside); the layer has none");
            }
            let index = SegmentIndex::new(&f.polygon_segments, &[]);
            let interior = PolygonInterior::new(&f.polygon_segments);
            let text = format!(
                "exact signed distance (CRS units) to the boundaries of {} polygons, negative inside",
                f.polygons
            );
            (
                Box::new(move |g: &Grid, w: Window| {
                    let inside = interior.inside_for(g, w);
                    let d = index.distances_for(g, w);
                    cap(d
                        .iter()
                        .zip(inside)
                        .map(|(d, i)| if i { -d } else { *d })
                        .collect())
                }),
                text,
            )
        }
        FieldKind::LineDensity(r) | FieldKind::PointDensity(r) => {
            if !(r > 0.0 && r.is_finite()) {
                bail!("density radius {r} must be a positive number (CRS units)");
            }
            let lines = matches!(kind, FieldKind::LineDensity(_));
            if lines && f.segments.is_empty() {
                bail!("{path}: line density needs lines or polygon boundaries; the layer has none");
            }
            if !lines && f.points.is_empty() {
                bail!("{path}: point density needs points; the layer has none");
            }
            let index = DensityIndex::new(&f.segments, &f.points);
            // Per km² for metre CRSs: lengths in km per km² = (m / m²) · 1000; counts · 10⁶.
            let (text, scale) = if lines {
                (format!("line length per area (km/km² for metre CRSs) within {r} of each cell centre, {} segments", f.segments.len()), 1.0e3)
            } else {
                (
                    format!(
                        "points per km² (metre CRSs) within {r} of each cell centre, {} points",
                        f.points.len()
                    ),
                    1.0e6,
                )
            };
            (
                Box::new(move |g: &Grid, w: Window| {
                    let v = if lines {
                        index.line_density_for(g, w, r)
                    } else {
                        index.point_density_for(g, w, r)
                    };
                    v.into_iter().map(|x| x * scale).collect()
                }),
                text,
            )
        }
    })
}

/// Computes a field over the whole grid in parallel blocks and writes it as a COG (Float32).
///
/// # Errors
/// Write failures.
pub fn write_field(grid: &Grid, f: &FieldFn, out: &Path, label: &str) -> Result<()> {
    crate::pipeline::write_streamed(
        grid,
        out,
        label,
        |_| Ok(()),
        |w, ()| Block::from_raw(w, f(grid, w), None),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_beyond_the_grid_are_warned_about_with_the_gap() {
        let grid = Grid::new("", [0.0, 10.0, 0.0, 100.0, 0.0, -10.0], 10, 10).unwrap();
        let near = nedra_io::vector::Features {
            points: vec![[50.0, 50.0], [5000.0, 50.0]],
            ..Default::default()
        };
        assert_eq!(far_features_warning("a", &near, &grid), None);
        // Segments only, 300 east and 400 north of the grid's corner (100, 100): 500 away.
        let far = nedra_io::vector::Features {
            segments: vec![([400.0, 500.0], [900.0, 800.0])],
            ..Default::default()
        };
        let w = far_features_warning("far.gpkg", &far, &grid).unwrap();
        assert!(w.starts_with("far.gpkg: no feature lies within"), "{w}");
        assert!(w.contains("500.0 (CRS units)"), "{w}");
        assert_eq!(far_features_warning("e", &Default::default(), &grid), None);
    }
}
