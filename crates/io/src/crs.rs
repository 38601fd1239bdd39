//! Coordinate reference systems, as WKT strings handled by GDAL's OSR.

use std::path::Path;

use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};

use crate::Error;

/// Turns a CRS definition (`EPSG:32635`, WKT, PROJ string) into WKT.
///
/// # Errors
/// [`Error::UnknownCrs`] when GDAL cannot interpret the definition.
pub fn resolve(definition: &str, origin: Option<&Path>) -> Result<String, Error> {
    let unknown = || Error::UnknownCrs {
        definition: definition.to_string(),
        origin: origin.map(Path::to_path_buf),
    };
    if definition.trim().is_empty() {
        return Err(unknown());
    }
    let srs = SpatialRef::from_definition(definition).map_err(|_| unknown())?;
    srs.to_wkt().map_err(|_| unknown())
}

/// A spatial reference with x = easting / longitude whatever the authority's axis order.
///
/// # Errors
/// [`Error::UnknownCrs`] when the WKT is not understood.
pub fn spatial_ref(wkt: &str) -> Result<SpatialRef, Error> {
    let mut srs = SpatialRef::from_wkt(wkt).map_err(|_| Error::UnknownCrs {
        definition: wkt.chars().take(200).collect(),
        origin: None,
    })?;
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    Ok(srs)
}

/// Whether a CRS (WKT) is geographic, with coordinates in degrees; `false` for an empty or
/// unreadable definition.
pub fn is_geographic(wkt: &str) -> bool {
    !wkt.is_empty() && spatial_ref(wkt).is_ok_and(|s| s.is_geographic())
}

/// Whether two WKTs describe the same CRS (GDAL's `OSRIsSame`, ignoring axis-order metadata).
pub fn same(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (spatial_ref(a), spatial_ref(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// A transformation between two CRSs (x/y in traditional GIS order).
///
/// # Errors
/// [`Error::UnknownCrs`] when either CRS is not understood or no transformation exists.
pub fn transform(from_wkt: &str, to_wkt: &str) -> Result<CoordTransform, Error> {
    let from = spatial_ref(from_wkt)?;
    let to = spatial_ref(to_wkt)?;
    CoordTransform::new(&from, &to).map_err(|_| Error::UnknownCrs {
        definition: format!(
            "no transformation from {} to {}",
            short(from_wkt),
            short(to_wkt)
        ),
        origin: None,
    })
}

/// The first words of a WKT, for messages.
pub fn short(wkt: &str) -> String {
    let name = wkt
        .split('"')
        .nth(1)
        .map(str::to_string)
        .unwrap_or_else(|| wkt.chars().take(40).collect());
    name
}

/// Transforms points in place from one CRS to another (errors name them "points"; see
/// [`transform_points_of`] to name their file).
///
/// # Errors
/// Those of [`transform_points_of`].
pub fn transform_points(
    from_wkt: &str,
    to_wkt: &str,
    xs: &mut [f64],
    ys: &mut [f64],
) -> Result<(), Error> {
    transform_points_of(from_wkt, to_wkt, xs, ys, std::path::Path::new("points"))
}

/// Transforms points in place from one CRS to another; `source` (the file the points come
/// from) is named in errors.
///
/// # Errors
/// [`Error::UnknownCrs`] when no transformation between the two CRSs exists,
/// [`Error::Reprojection`] (with a failing point) when some points do not fit `from_wkt`.
pub fn transform_points_of(
    from_wkt: &str,
    to_wkt: &str,
    xs: &mut [f64],
    ys: &mut [f64],
    source: &std::path::Path,
) -> Result<(), Error> {
    if same(from_wkt, to_wkt) || xs.is_empty() {
        return Ok(());
    }
    if to_wkt.trim().is_empty() {
        return Err(Error::BadVector {
            path: source.to_path_buf(),
            reason: format!(
                "its coordinates are in {}, but the grid they go onto has no CRS, so they cannot be placed on it. Give the raster a CRS (e.g. gdal_edit.py -a_srs EPSG:…), or leave out the points' CRS to take them in the raster's own coordinates",
                short(from_wkt)
            ),
        });
    }
    let t = transform(from_wkt, to_wkt)?;
    let (x0, y0) = (xs.to_vec(), ys.to_vec());
    let mut zs = vec![0.0; xs.len()];
    if t.transform_coords(xs, ys, &mut zs).is_ok()
        && xs.iter().chain(ys.iter()).all(|v| v.is_finite())
    {
        return Ok(());
    }
    // Find one point that fails, for the message.
    let failing = x0.iter().zip(&y0).find(|(x, y)| {
        let (mut px, mut py, mut pz) = ([**x], [**y], [0.0]);
        t.transform_coords(&mut px, &mut py, &mut pz).is_err()
            || !(px[0].is_finite() && py[0].is_finite())
    });
    let (x, y) = failing.map_or((x0[0], y0[0]), |(x, y)| (*x, *y));
    Err(Error::Reprojection {
        path: source.to_path_buf(),
        example: format!("({x}, {y})"),
        from: short(from_wkt),
        to: short(to_wkt),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epsg_resolves_and_compares() {
        let a = resolve("EPSG:32635", None).unwrap();
        assert!(a.contains("UTM zone 35N"));
        assert!(same(&a, &resolve("EPSG:32635", None).unwrap()));
        assert!(!same(&a, &resolve("EPSG:4326", None).unwrap()));
        assert!(matches!(
            resolve("EPSG:999999", None),
            Err(Error::UnknownCrs { .. })
        ));
        assert!(matches!(resolve("", None), Err(Error::UnknownCrs { .. })));
    }

    #[test]
    fn lon_lat_go_to_utm_in_gis_order() {
        let utm = resolve("EPSG:32635", None).unwrap();
        let geo = resolve("EPSG:4326", None).unwrap();
        // 27° E is the central meridian of zone 35: easting 500 000 m; the northing of 53° N is
        // k0 · (meridian arc), 5 872 270.5276 m by Krüger's series (computed independently).
        let (mut xs, mut ys) = (vec![27.0], vec![53.0]);
        transform_points(&geo, &utm, &mut xs, &mut ys).unwrap();
        assert!((xs[0] - 500_000.0).abs() < 1e-6, "{}", xs[0]);
        assert!((ys[0] - 5_872_270.527_6).abs() < 1e-3, "{}", ys[0]);
    }
}
