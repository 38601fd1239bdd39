//! Vector features for the page, in EPSG:4326 (longitude, latitude): the run's targets as
//! GeoJSON with their attributes, and the study area's outline traced from its mask.

use std::path::Path;

use gdal::vector::{FieldValue, LayerAccess};
use gdal::Dataset;
use nedra_io::crs;
use serde_json::{json, Map, Value};

use crate::catalog::Run;

/// Cells across the mask read for the outline at most (the mask is read at a coarser
/// resolution when larger, so the outline's size is bounded).
pub const OUTLINE_CELLS: usize = 400;

/// The targets of `run` (targets.gpkg, or targets.geojson) as a GeoJSON FeatureCollection in
/// EPSG:4326 with every attribute; an empty collection when the run has no targets.
///
/// # Errors
/// A message naming the file when it cannot be read or reprojected.
pub fn targets_geojson(run: &Run, geographic: &str) -> Result<Value, String> {
    let file = ["targets.gpkg", "targets.geojson"]
        .iter()
        .map(|f| run.root.join(f))
        .find(|p| p.is_file());
    let Some(file) = file else {
        return Ok(json!({"type": "FeatureCollection", "features": []}));
    };
    read_features(&file, geographic).map_err(|e| format!("{}: {e}", file.display()))
}

fn read_features(file: &Path, geographic: &str) -> Result<Value, String> {
    let ds = Dataset::open(file).map_err(|e| e.to_string())?;
    let mut layer = ds.layer(0).map_err(|e| e.to_string())?;
    let from = layer
        .spatial_ref()
        .ok_or("the layer has no CRS")?
        .to_wkt()
        .map_err(|e| e.to_string())?;
    let transform = crs::transform(&from, geographic).map_err(|e| e.to_string())?;
    let mut features = Vec::new();
    for feature in layer.features() {
        let Some(geometry) = feature.geometry() else {
            continue;
        };
        let geometry = geometry.transform(&transform).map_err(|e| e.to_string())?;
        let geometry: Value = serde_json::from_str(&geometry.json().map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        let mut properties = Map::new();
        for (name, value) in feature.fields() {
            let value = match value {
                Some(FieldValue::IntegerValue(v)) => json!(v),
                Some(FieldValue::Integer64Value(v)) => json!(v),
                Some(FieldValue::RealValue(v)) => json!(v),
                Some(FieldValue::StringValue(v)) => json!(v),
                Some(other) => json!(format!("{other:?}")),
                None => Value::Null,
            };
            properties.insert(name, value);
        }
        features.push(json!({"type": "Feature", "geometry": geometry, "properties": properties}));
    }
    Ok(json!({"type": "FeatureCollection", "features": features}))
}

/// The outline of the study area of `run` — the edges between cells in and out of mask.tif
/// (or of the first layer, where it has data), read at most [`OUTLINE_CELLS`] across — as a
/// GeoJSON MultiLineString feature in EPSG:4326.
///
/// # Errors
/// A message naming the raster when it cannot be read.
pub fn outline_geojson(run: &Run, geographic: &str) -> Result<Value, String> {
    let Some(layer) = run
        .layer("mask")
        .map(|(_, l)| l)
        .or_else(|| run.layers.first())
    else {
        return Ok(json!({"type": "FeatureCollection", "features": []}));
    };
    let grid = &layer.grid;
    let step = grid.width.max(grid.height).div_ceil(OUTLINE_CELLS).max(1);
    let (w, h) = (grid.width.div_ceil(step), grid.height.div_ceil(step));
    let values = layer
        .with_dataset(|ds| {
            let band = ds.rasterband(1).map_err(|e| nedra_io::Error::Gdal {
                path: layer.path.clone(),
                action: "reading the mask".into(),
                message: e.to_string(),
            })?;
            band.read_as::<f64>((0, 0), (grid.width, grid.height), (w, h), None)
                .map(|b| b.into_shape_and_vec().1)
                .map_err(|e| nedra_io::Error::Gdal {
                    path: layer.path.clone(),
                    action: "reading the mask".into(),
                    message: e.to_string(),
                })
        })
        .map_err(|e| e.to_string())?;
    let inside = |r: isize, c: isize| -> bool {
        if r < 0 || c < 0 || r >= h as isize || c >= w as isize {
            return false;
        }
        let v = values[r as usize * w + c as usize];
        v.is_finite() && layer.nodata.is_none_or(|nd| v != nd) && v != 0.0
    };
    // Edges in cell-corner coordinates (col, row) of the coarse grid, merged along rows and
    // columns into runs.
    let mut lines: Vec<[(f64, f64); 2]> = Vec::new();
    for r in 0..=h as isize {
        let mut start: Option<isize> = None;
        for c in 0..=w as isize {
            let edge = c < w as isize && inside(r - 1, c) != inside(r, c);
            match (edge, start) {
                (true, None) => start = Some(c),
                (false, Some(s)) => {
                    lines.push([(s as f64, r as f64), (c as f64, r as f64)]);
                    start = None;
                }
                _ => {}
            }
        }
    }
    for c in 0..=w as isize {
        let mut start: Option<isize> = None;
        for r in 0..=h as isize {
            let edge = r < h as isize && inside(r, c - 1) != inside(r, c);
            match (edge, start) {
                (true, None) => start = Some(r),
                (false, Some(s)) => {
                    lines.push([(c as f64, s as f64), (c as f64, r as f64)]);
                    start = None;
                }
                _ => {}
            }
        }
    }
    let t = &grid.transform;
    let scale_c = grid.width as f64 / w as f64;
    let scale_r = grid.height as f64 / h as f64;
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for line in &lines {
        for (c, r) in line {
            let (c, r) = (c * scale_c, r * scale_r);
            xs.push(t[0] + c * t[1] + r * t[2]);
            ys.push(t[3] + c * t[4] + r * t[5]);
        }
    }
    crs::transform_points(&grid.crs_wkt, geographic, &mut xs, &mut ys)
        .map_err(|e| e.to_string())?;
    let coordinates: Vec<Value> = xs
        .chunks(2)
        .zip(ys.chunks(2))
        .map(|(x, y)| json!([[x[0], y[0]], [x[1], y[1]]]))
        .collect();
    Ok(json!({"type": "FeatureCollection", "features": [{
        "type": "Feature",
        "properties": {"source": layer.path.strip_prefix(&run.root).unwrap_or(&layer.path)},
        "geometry": {"type": "MultiLineString", "coordinates": coordinates},
    }]}))
}
