//! Region rasters to polygons with attributes: GeoPackage and GeoJSON, written atomically.

use std::collections::BTreeMap;
use std::path::Path;

use gdal::vector::{
    Feature, Geometry, LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType,
};
use gdal::{Dataset, DriverManager};

use crate::files::{atomic_rename, temporary_sibling};
use crate::warp::last_gdal_message;
use crate::{crs, Error};

/// An attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum Attribute {
    /// An integer.
    Integer(i64),
    /// A real number (a non-finite one is written as null).
    Real(f64),
    /// Text.
    Text(String),
}

/// One output feature: the region id in the label raster and its attributes (same names and
/// types for every record).
#[derive(Debug, Clone, PartialEq)]
pub struct RegionRecord {
    /// Region id as burnt in the label raster.
    pub id: i64,
    /// Attributes in output order.
    pub attributes: Vec<(String, Attribute)>,
}

/// Polygonises the label raster (8-connectivity; NoData cells are background) and writes one
/// multipolygon feature per record, in record order, to a GeoPackage (layer `layer`) and,
/// when given, a GeoJSON file — each written to a temporary file and renamed.
///
/// # Errors
/// [`Error::Gdal`] when GDAL fails, [`Error::BadVector`] when a record's region is absent.
pub fn write_regions(
    label_raster: &Path,
    records: &[RegionRecord],
    layer: &str,
    gpkg: &Path,
    geojson: Option<&Path>,
) -> Result<(), Error> {
    let shapes = polygonize(label_raster)?;
    let wkt = Dataset::open(label_raster)
        .map_err(|e| Error::gdal(label_raster, "opening the region raster", e))?
        .projection();
    for (driver, path) in std::iter::once(("GPKG", gpkg)).chain(geojson.map(|g| ("GeoJSON", g))) {
        let tmp = temporary_sibling(path, "vector");
        let _ = std::fs::remove_file(&tmp);
        let result = write_layer(driver, &tmp, layer, &wkt, records, &shapes);
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        atomic_rename(&tmp, path)?;
    }
    Ok(())
}

/// Region id → its polygons.
fn polygonize(label_raster: &Path) -> Result<BTreeMap<i64, Vec<Geometry>>, Error> {
    let ctx = |e| Error::gdal(label_raster, "polygonising regions", e);
    let src = Dataset::open(label_raster).map_err(ctx)?;
    let band = src.rasterband(1).map_err(ctx)?;
    let mem = DriverManager::get_driver_by_name("Memory").map_err(ctx)?;
    let mut out = mem.create_vector_only("regions").map_err(ctx)?;
    let lyr = out
        .create_layer(LayerOptions {
            name: "regions",
            srs: None,
            ty: OGRwkbGeometryType::wkbPolygon,
            options: None,
        })
        .map_err(ctx)?;
    lyr.create_defn_fields(&[("id", OGRFieldType::OFTInteger64)])
        .map_err(ctx)?;
    let options = gdal::cpl::CslStringList::from_iter(["8CONNECTED=8"]);
    // SAFETY: the band, its mask band and the layer are valid for the call; the options list
    // outlives it; no progress callback.
    let rv = unsafe {
        let c_band = band.c_rasterband();
        gdal_sys::GDALPolygonize(
            c_band,
            gdal_sys::GDALGetMaskBand(c_band),
            lyr.c_layer(),
            0,
            options.as_ptr(),
            None,
            std::ptr::null_mut(),
        )
    };
    if rv != gdal_sys::CPLErr::CE_None {
        return Err(Error::Gdal {
            path: label_raster.into(),
            action: "polygonising regions".into(),
            message: last_gdal_message("GDALPolygonize failed"),
        });
    }
    let mut shapes: BTreeMap<i64, Vec<Geometry>> = BTreeMap::new();
    let mut lyr = out.layer(0).map_err(ctx)?;
    for f in lyr.features() {
        let id = f.field_as_integer64(0).map_err(ctx)?.unwrap_or(0);
        if let Some(g) = f.geometry() {
            shapes.entry(id).or_default().push(g.clone());
        }
    }
    Ok(shapes)
}

fn write_layer(
    driver: &str,
    path: &Path,
    layer: &str,
    wkt: &str,
    records: &[RegionRecord],
    shapes: &BTreeMap<i64, Vec<Geometry>>,
) -> Result<(), Error> {
    let ctx = |e| crate::files::or_disk_full(path, Error::gdal(path, "writing target polygons", e));
    let drv = DriverManager::get_driver_by_name(driver).map_err(ctx)?;
    let mut ds = drv.create_vector_only(path).map_err(ctx)?;
    let srs = if wkt.is_empty() {
        None
    } else {
        Some(crs::spatial_ref(wkt)?)
    };
    let lyr = ds
        .create_layer(LayerOptions {
            name: layer,
            srs: srs.as_ref(),
            ty: OGRwkbGeometryType::wkbMultiPolygon,
            options: None,
        })
        .map_err(ctx)?;
    if let Some(first) = records.first() {
        let defs: Vec<(&str, OGRFieldType::Type)> = first
            .attributes
            .iter()
            .map(|(name, value)| {
                let ty = match value {
                    Attribute::Integer(_) => OGRFieldType::OFTInteger64,
                    Attribute::Real(_) => OGRFieldType::OFTReal,
                    Attribute::Text(_) => OGRFieldType::OFTString,
                };
                (name.as_str(), ty)
            })
            .collect();
        lyr.create_defn_fields(&defs).map_err(ctx)?;
    }
    for r in records {
        let parts = shapes.get(&r.id).ok_or_else(|| Error::BadVector {
            path: path.into(),
            reason: format!("region {} has no cell in the region raster", r.id),
        })?;
        let mut multi = Geometry::empty(OGRwkbGeometryType::wkbMultiPolygon).map_err(ctx)?;
        for p in parts {
            multi.add_geometry(p.clone()).map_err(ctx)?;
        }
        let mut f = Feature::new(lyr.defn()).map_err(ctx)?;
        for (i, (_, value)) in r.attributes.iter().enumerate() {
            match value {
                Attribute::Integer(v) => f.set_field_integer64(i, *v),
                // A value that is not there (NaN) is a null field, not the text "NaN".
                Attribute::Real(v) if !v.is_finite() => f.set_field_null(i),
                Attribute::Real(v) => f.set_field_double(i, *v),
                Attribute::Text(v) => f.set_field_string(i, v),
            }
            .map_err(ctx)?;
        }
        f.set_geometry(multi).map_err(ctx)?;
        f.create(&lyr).map_err(ctx)?;
    }
    ds.close().map_err(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DataType, RasterWriter};
    use nedra_core::{Block, Grid};

    #[test]
    fn two_regions_become_two_ranked_features_with_their_areas() {
        let dir = tempfile::tempdir().unwrap();
        let utm = crs::resolve("EPSG:32635", None).unwrap();
        let grid = Grid::new(utm, [0.0, 100.0, 0.0, 1000.0, 0.0, -100.0], 10, 10).unwrap();
        let labels = dir.path().join("labels.tif");
        let mut w = RasterWriter::create(&labels, &grid, DataType::Int32).unwrap();
        let win = grid.windows(16)[0];
        let mut b = Block::empty(win);
        // Region 7: a 2 × 3 block. Region 3: a 2 × 2 block at (6..8, 6..8) and the cell (8, 8),
        // which touches it only at a corner (8-connectivity joins them).
        let region_3 = [(6, 6), (6, 7), (7, 6), (7, 7), (8, 8)];
        for r in 0..10 {
            for c in 0..10 {
                let id = if (1..3).contains(&r) && (1..4).contains(&c) {
                    Some(7.0)
                } else if region_3.contains(&(r, c)) {
                    Some(3.0)
                } else {
                    None
                };
                if let Some(v) = id {
                    b.values[r * 10 + c] = v;
                    b.valid[r * 10 + c] = true;
                }
            }
        }
        w.write(&b).unwrap();
        w.finish().unwrap();
        let records = vec![
            RegionRecord {
                id: 7,
                attributes: vec![
                    ("rank".into(), Attribute::Integer(1)),
                    ("name".into(), Attribute::Text("a".into())),
                ],
            },
            RegionRecord {
                id: 3,
                attributes: vec![
                    ("rank".into(), Attribute::Integer(2)),
                    ("name".into(), Attribute::Text("b".into())),
                ],
            },
        ];
        let gpkg = dir.path().join("t.gpkg");
        let json = dir.path().join("t.geojson");
        write_regions(&labels, &records, "targets", &gpkg, Some(&json)).unwrap();
        for path in [&gpkg, &json] {
            let ds = Dataset::open(path).unwrap();
            let mut lyr = ds.layer(0).unwrap();
            let feats: Vec<(i64, f64)> = lyr
                .features()
                .map(|f| {
                    (
                        f.field_as_integer64(0).unwrap().unwrap(),
                        f.geometry().unwrap().area(),
                    )
                })
                .collect();
            // 6 cells and 5 cells of 1 ha each, in record order.
            assert_eq!(
                feats,
                vec![(1, 60_000.0), (2, 50_000.0)],
                "{}",
                path.display()
            );
        }
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
    }
}
