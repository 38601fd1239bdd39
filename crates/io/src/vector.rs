//! Points, lines and polygons from vector files, reprojected onto the grid's CRS.

use std::path::{Path, PathBuf};

use gdal::vector::{Geometry, LayerAccess, OGRwkbGeometryType};
use gdal::Dataset;
use nedra_core::Grid;

use crate::columns::{coordinate_column, Axis};
use crate::error::require_exists;
use crate::raster::{DataType, RasterWriter};
use crate::{crs, Error};

/// How to read points from a CSV table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CsvPoints {
    /// Column of x (easting or longitude); default: the first of `x`, `easting`, `east`, `lon`,
    /// `longitude` ([`coordinate_column`]).
    pub x: Option<String>,
    /// Column of y (northing or latitude); default: the first of `y`, `northing`, `north`,
    /// `lat`, `latitude`.
    pub y: Option<String>,
}

/// Where a vector layer comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorSource {
    /// The file (GeoPackage, Shapefile, GeoJSON, …, or CSV for points).
    pub path: PathBuf,
    /// The layer name inside the file (default: the first layer).
    pub layer: Option<String>,
    /// The CRS of the coordinates, overriding the file's own (needed for CSV).
    pub crs: Option<String>,
    /// Columns for CSV points.
    pub csv: CsvPoints,
}

impl VectorSource {
    /// A source with the file's own layer and CRS.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            layer: None,
            crs: None,
            csv: CsvPoints::default(),
        }
    }

    fn is_csv(&self) -> bool {
        self.path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    }
}

/// Geometry read from a vector source, in the grid's CRS.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Features {
    /// Points (from point and multipoint features).
    pub points: Vec<[f64; 2]>,
    /// Segments of lines and polygon boundaries.
    pub segments: Vec<([f64; 2], [f64; 2])>,
    /// Number of polygon features.
    pub polygons: usize,
    /// The segments of polygon rings only (also in `segments`), for inside/outside tests.
    pub polygon_segments: Vec<([f64; 2], [f64; 2])>,
}

/// Reads the features of a source, reprojected to `to_wkt`.
///
/// # Errors
/// [`Error::NotFound`], [`Error::Gdal`], [`Error::MissingCrs`] when neither the file nor the
/// source has a CRS, [`Error::Csv`] for a bad CSV table.
pub fn read_features(source: &VectorSource, to_wkt: &str) -> Result<Features, Error> {
    require_exists(&source.path)?;
    if source.is_csv() {
        let wkt = match &source.crs {
            Some(def) => crs::resolve(def, Some(&source.path))?,
            // Neither the points nor the grid has a CRS: the points are in the grid's own
            // coordinates (the caller has said so).
            None if to_wkt.is_empty() => String::new(),
            None => {
                return Err(Error::MissingCrs {
                    path: source.path.clone(),
                })
            }
        };
        let mut points = read_csv_points(source)?;
        if wkt.is_empty() {
            return Ok(Features {
                points,
                ..Features::default()
            });
        }
        let (mut xs, mut ys): (Vec<f64>, Vec<f64>) = points.iter().map(|p| (p[0], p[1])).unzip();
        crs::transform_points_of(&wkt, to_wkt, &mut xs, &mut ys, &source.path)?;
        for (p, (x, y)) in points.iter_mut().zip(xs.into_iter().zip(ys)) {
            *p = [x, y];
        }
        return Ok(Features {
            points,
            ..Features::default()
        });
    }
    let mut out = Features::default();
    for_each_geometry(source, to_wkt, |g, _| {
        collect(g, &mut out);
        Ok(())
    })?;
    Ok(out)
}

/// Calls `f` with every geometry of the source, reprojected to `to_wkt`, and its feature.
fn for_each_geometry(
    source: &VectorSource,
    to_wkt: &str,
    mut f: impl FnMut(&Geometry, &gdal::vector::Feature) -> Result<(), Error>,
) -> Result<(), Error> {
    let path = &source.path;
    let ds = Dataset::open(path).map_err(|e| Error::gdal(path, "opening the vector file", e))?;
    let mut layer = match &source.layer {
        Some(name) => ds
            .layer_by_name(name)
            .map_err(|e| Error::gdal(path, format!("opening layer {name:?}"), e))?,
        None => ds
            .layer(0)
            .map_err(|e| Error::gdal(path, "opening the first layer", e))?,
    };
    let from_wkt = match &source.crs {
        Some(def) => crs::resolve(def, Some(path))?,
        None => match layer.spatial_ref() {
            Some(srs) => srs
                .to_wkt()
                .map_err(|e| Error::gdal(path, "reading the layer's CRS", e))?,
            None => return Err(Error::MissingCrs { path: path.clone() }),
        },
    };
    if to_wkt.trim().is_empty() && !from_wkt.trim().is_empty() {
        return Err(Error::BadVector {
            path: path.clone(),
            reason: format!(
                "its features are in {}, but the grid they go onto has no CRS, so they cannot be placed on it. Give the raster a CRS (e.g. gdal_edit.py -a_srs EPSG:…)",
                crs::short(&from_wkt)
            ),
        });
    }
    let transform = if crs::same(&from_wkt, to_wkt) {
        None
    } else {
        Some(crs::transform(&from_wkt, to_wkt)?)
    };
    let trap = crate::gdal_errors::Trap::new();
    let mut count = 0u64;
    for feature in layer.features() {
        count += 1;
        check_feature_count(path, count)?;
        let Some(g) = feature.geometry() else {
            continue;
        };
        match &transform {
            Some(t) => {
                let g2 = g.transform(t).map_err(|_| {
                    let (x, y, _) = first_point(g);
                    Error::Reprojection {
                        path: path.clone(),
                        example: format!("({x}, {y})"),
                        from: crs::short(&from_wkt),
                        to: crs::short(to_wkt),
                    }
                })?;
                f(&g2, &feature)?;
            }
            None => f(g, &feature)?,
        }
    }
    trap.check(path, "reading the features")
}

/// The first vertex of a geometry (through collections and rings).
fn first_point(g: &Geometry) -> (f64, f64, f64) {
    if g.geometry_count() > 0 {
        return first_point(&g.get_geometry(0));
    }
    if g.point_count() > 0 {
        g.get_point(0)
    } else {
        (f64::NAN, f64::NAN, 0.0)
    }
}

/// Refuses a file with more features than [`nedra_core::limits::Limits::max_features`].
fn check_feature_count(path: &Path, count: u64) -> Result<(), Error> {
    nedra_core::limits::check("max_features", "the number of features", count).map_err(|e| {
        Error::BadVector {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    })
}

/// Appends the points and segments of a geometry (recursively through collections).
fn collect(g: &Geometry, out: &mut Features) {
    use OGRwkbGeometryType::*;
    let ty = gdal::vector::geometry_type_flatten(g.geometry_type());
    match ty {
        x if x == wkbPoint => {
            let (px, py, _) = g.get_point(0);
            out.points.push([px, py]);
        }
        x if x == wkbLineString || x == wkbLinearRing => {
            let mut pts = Vec::new();
            g.get_points(&mut pts);
            for pair in pts.windows(2) {
                out.segments
                    .push(([pair[0].0, pair[0].1], [pair[1].0, pair[1].1]));
            }
            if pts.len() == 1 {
                out.points.push([pts[0].0, pts[0].1]);
            }
        }
        x if x == wkbPolygon => {
            out.polygons += 1;
            let before = out.segments.len();
            for i in 0..g.geometry_count() {
                collect(&g.get_geometry(i), out);
            }
            let rings = out.segments[before..].to_vec();
            out.polygon_segments.extend(rings);
        }
        _ => {
            for i in 0..g.geometry_count() {
                collect(&g.get_geometry(i), out);
            }
        }
    }
}

/// Reads x/y columns of a CSV table (coordinates as given, no reprojection).
fn read_csv_points(source: &VectorSource) -> Result<Vec<[f64; 2]>, Error> {
    let path = &source.path;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| Error::Csv {
            path: path.clone(),
            line: 0,
            reason: e.to_string(),
        })?;
    let headers = reader
        .headers()
        .map_err(|e| Error::Csv {
            path: path.clone(),
            line: 1,
            reason: e.to_string(),
        })?
        .clone();
    let names: Vec<&str> = headers.iter().collect();
    let find = |given: &Option<String>, axis: Axis| -> Result<usize, Error> {
        coordinate_column(&names, given.as_deref(), axis).ok_or_else(|| {
            let looked_for = match given {
                Some(g) => vec![g.as_str()],
                None => axis.usual_names().to_vec(),
            };
            Error::Csv {
                path: path.clone(),
                line: 1,
                reason: format!(
                    "no {} column: looked for {looked_for:?} among {names:?}. Name the column with `{}_column` in the project file",
                    axis.name(),
                    axis.name()
                ),
            }
        })
    };
    let xi = find(&source.csv.x, Axis::X)?;
    let yi = find(&source.csv.y, Axis::Y)?;
    let mut points = Vec::new();
    for (n, rec) in reader.records().enumerate() {
        let line = n as u64 + 2;
        let rec = rec.map_err(|e| Error::Csv {
            path: path.clone(),
            line,
            reason: e.to_string(),
        })?;
        let parse = |i: usize| -> Result<f64, Error> {
            let s = rec.get(i).unwrap_or("").trim();
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| Error::Csv {
                    path: path.clone(),
                    line,
                    reason: format!(
                        "column {:?} holds {s:?}, not a number. Fix or remove the row",
                        &headers[i]
                    ),
                })
        };
        points.push([parse(xi)?, parse(yi)?]);
        check_feature_count(path, points.len() as u64)?;
    }
    Ok(points)
}

/// Burns the polygons of a source onto `grid` and writes the result as a COG at `dst`.
///
/// Each polygon burns the value of its numeric attribute `field` (or 1 when `field` is `None`);
/// cells whose centre lies in no polygon are NoData. Later features overwrite earlier ones.
///
/// # Errors
/// [`Error::BadVector`] when the field is missing or not numeric or no polygon overlaps,
/// and the errors of [`read_features`].
pub fn rasterize(
    source: &VectorSource,
    field: Option<&str>,
    grid: &Grid,
    data_type: DataType,
    dst: &Path,
) -> Result<(), Error> {
    require_exists(&source.path)?;
    let path = &source.path;
    let mut geometries = Vec::new();
    let mut burn = Vec::new();
    for_each_geometry(source, &grid.crs_wkt, |g, feature| {
        let value = match field {
            None => 1.0,
            Some(name) => {
                let idx = feature.field_index(name).map_err(|_| Error::BadVector {
                    path: path.clone(),
                    reason: format!("no attribute {name:?}. Check the `field` of this layer in the project file"),
                })?;
                feature
                    .field_as_double(idx)
                    .ok()
                    .flatten()
                    .ok_or_else(|| Error::BadVector {
                        path: path.clone(),
                        reason: format!(
                            "attribute {name:?} of feature {} is empty or not numeric. Use a numeric class code",
                            feature.fid().map(|f| f.to_string()).unwrap_or_default()
                        ),
                    })?
            }
        };
        geometries.push(g.clone());
        burn.push(value);
        Ok(())
    })?;
    if geometries.is_empty() {
        return Err(Error::BadVector {
            path: path.clone(),
            reason: "the layer holds no geometry".into(),
        });
    }
    let mut writer = RasterWriter::create(dst, grid, data_type)?;
    {
        let ds = writer.dataset_mut();
        let ctx = |e| Error::gdal(path, "rasterising polygons", e);
        ds.rasterband(1)
            .and_then(|mut b| b.fill(data_type.nodata(), None))
            .map_err(ctx)?;
        gdal::raster::rasterize(ds, &[1], &geometries, &burn, None).map_err(ctx)?;
    }
    writer.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RasterReader;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn geojson_lines_and_polygons_become_segments() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "f.geojson",
            r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32635"}},"features":[
            {"type":"Feature","properties":{"u":3},"geometry":{"type":"LineString","coordinates":[[0,0],[10,0],[10,10]]}},
            {"type":"Feature","properties":{"u":5},"geometry":{"type":"Polygon","coordinates":[[[20,20],[30,20],[30,30],[20,20]]]}},
            {"type":"Feature","properties":{"u":7},"geometry":{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}}]}"#,
        );
        let utm = crs::resolve("EPSG:32635", None).unwrap();
        let f = read_features(&VectorSource::new(&p), &utm).unwrap();
        assert_eq!(f.segments.len(), 2 + 3);
        assert_eq!(f.points, vec![[1.0, 2.0], [3.0, 4.0]]);
        assert_eq!(f.polygons, 1);
        assert_eq!(f.polygon_segments.len(), 3);
    }

    #[test]
    fn csv_points_are_reprojected_and_bad_rows_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "d.csv", "name,Lon,Lat\na,27.0,53.0\n");
        let mut s = VectorSource::new(&p);
        s.crs = Some("EPSG:4326".into());
        let utm = crs::resolve("EPSG:32635", None).unwrap();
        let f = read_features(&s, &utm).unwrap();
        assert!((f.points[0][0] - 500_000.0).abs() < 1e-6);
        let bad = write(dir.path(), "e.csv", "x,y\n1,2\n3,abc\n");
        let mut s = VectorSource::new(&bad);
        s.crs = Some("EPSG:32635".into());
        let e = read_features(&s, &utm).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("abc"), "{e}");
        s.crs = None;
        assert!(matches!(
            read_features(&s, &utm),
            Err(Error::MissingCrs { .. })
        ));
    }

    #[test]
    fn polygons_burn_their_attribute() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "u.geojson",
            r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32635"}},"features":[
            {"type":"Feature","properties":{"unit":4},"geometry":{"type":"Polygon","coordinates":[[[0,0],[50,0],[50,100],[0,100],[0,0]]]}}]}"#,
        );
        let utm = crs::resolve("EPSG:32635", None).unwrap();
        let grid = Grid::new(utm, [0.0, 10.0, 0.0, 100.0, 0.0, -10.0], 10, 10).unwrap();
        let dst = dir.path().join("u.tif");
        rasterize(
            &VectorSource::new(&p),
            Some("unit"),
            &grid,
            DataType::Int32,
            &dst,
        )
        .unwrap();
        let b = RasterReader::open(&dst)
            .unwrap()
            .read(grid.windows(10)[0])
            .unwrap();
        for r in 0..10 {
            for c in 0..10 {
                let i = r * 10 + c;
                assert_eq!(b.get(i), (c < 5).then_some(4.0), "cell {r},{c}");
            }
        }
        let e = rasterize(
            &VectorSource::new(&p),
            Some("nope"),
            &grid,
            DataType::Int32,
            &dst,
        )
        .unwrap_err();
        assert!(e.to_string().contains("nope"));
    }
}
