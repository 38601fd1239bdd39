//! The CRS of point tables: one rule for every command that reads points.
//!
//! A CSV table of points (deposits, geochemical samples, points for a density) carries no CRS.
//! When none is declared for it — `crs` in the project file, `--crs` or `--deposits-crs` on the
//! command line — its x/y are taken in the CRS of the grid they go onto, and a note says so
//! (printed, and returned for the command's record). When the grid has no CRS either, the x/y
//! are the grid's own coordinates. A declared CRS is always honoured: the points are
//! reprojected from it onto the grid. Vector files (GeoPackage, Shapefile, GeoJSON, FlatGeobuf)
//! carry their own CRS, which a declared one overrides.

use std::path::Path;

use crate::progress::say;

/// Whether `path` is read as a CSV table of points (by its extension).
pub fn is_csv(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// The CRS to read a points file in, by the rule of this module.
#[derive(Debug, Clone, PartialEq)]
pub struct PointsCrs {
    /// The CRS definition to read the file with (`None`: the file's own CRS, or — for a CSV
    /// table on a grid without a CRS — the grid's coordinates as they are).
    pub crs: Option<String>,
    /// The note when a CSV table without a declared CRS was taken in the grid's CRS.
    pub note: Option<String>,
}

/// The CRS of the points in `path` on a grid whose CRS is `grid_wkt` (empty: none), given the
/// CRS `declared` for them; `declare` says how a user declares it for this command (e.g.
/// `--deposits-crs`, or "`crs` under `[deposits]`"). A CSV table without a declared CRS is taken
/// in the grid's CRS, and the note saying so is printed (as `note: …`) and returned.
pub fn points_crs(path: &Path, declared: Option<&str>, grid_wkt: &str, declare: &str) -> PointsCrs {
    if let Some(d) = declared {
        return PointsCrs {
            crs: Some(d.to_string()),
            note: None,
        };
    }
    if !is_csv(path) {
        return PointsCrs {
            crs: None,
            note: None,
        };
    }
    let (crs, taken_as) = if grid_wkt.trim().is_empty() {
        (
            None,
            "the grid's own coordinates (the grid has no CRS either)".to_string(),
        )
    } else {
        (
            Some(grid_wkt.to_string()),
            format!("the grid's CRS ({})", nedra_io::crs::short(grid_wkt)),
        )
    };
    let note = format!(
        "{}: a CSV table carries no CRS and none is declared, so its x/y are taken in {taken_as}; if they are in another CRS, declare it with {declare} (e.g. EPSG:4326)",
        path.display()
    );
    say(&format!("note: {note}"));
    PointsCrs {
        crs,
        note: Some(note),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_without_a_crs_takes_the_grids_and_says_so() {
        let utm = nedra_io::crs::resolve("EPSG:32635", None).unwrap();
        let p = points_crs(Path::new("d/deposits.csv"), None, &utm, "--deposits-crs");
        assert_eq!(p.crs.as_deref(), Some(utm.as_str()));
        let note = p.note.unwrap();
        assert!(note.contains("d/deposits.csv"), "{note}");
        assert!(note.contains("UTM zone 35N"), "{note}");
        assert!(note.contains("--deposits-crs"), "{note}");
        // On a grid without a CRS: the grid's coordinates as they are.
        let bare = points_crs(Path::new("d/deposits.CSV"), None, "", "--crs");
        assert_eq!(bare.crs, None);
        assert!(bare.note.unwrap().contains("has no CRS either"));
    }

    #[test]
    fn a_declared_crs_and_a_vector_files_own_are_kept() {
        let utm = nedra_io::crs::resolve("EPSG:32635", None).unwrap();
        let declared = points_crs(Path::new("s.csv"), Some("EPSG:4326"), &utm, "--crs");
        assert_eq!(
            declared,
            PointsCrs {
                crs: Some("EPSG:4326".to_string()),
                note: None
            }
        );
        let own = points_crs(Path::new("s.gpkg"), None, &utm, "--crs");
        assert_eq!(
            own,
            PointsCrs {
                crs: None,
                note: None
            }
        );
    }
}
