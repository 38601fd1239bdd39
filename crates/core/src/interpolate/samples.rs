//! Point samples in an R-tree shared by every block of an interpolation.

use rstar::primitives::GeomWithData;
use rstar::RTree;

use super::Error;

/// One indexed sample: its location and its value.
type Entry = GeomWithData<[f64; 2], f64>;

/// Point samples (location in CRS units, value) in an R-tree (Guttman 1984; bulk-loaded),
/// queried by every block for its nearest samples.
///
/// Distances are planar Euclidean in the units of the coordinates: give projected
/// coordinates in metres, or accept that degrees of longitude and latitude are treated as
/// equal lengths.
#[derive(Debug, Clone)]
pub struct SampleIndex {
    tree: RTree<Entry>,
    min_value: f64,
    max_value: f64,
}

/// A sample selected for one estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    /// The sample's location.
    pub location: [f64; 2],
    /// The sample's value.
    pub value: f64,
    /// Distance from the estimated location, in CRS units.
    pub distance: f64,
}

impl SampleIndex {
    /// Indexes samples at `locations` (`[x, y]`, CRS units) with `values`.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when the lists differ in length, [`Error::TooFewSamples`]
    /// when there is none, [`Error::NotFinite`] for a NaN or infinite coordinate or value.
    pub fn new(locations: &[[f64; 2]], values: &[f64]) -> Result<Self, Error> {
        if locations.len() != values.len() {
            return Err(Error::LengthMismatch {
                points: locations.len(),
                values: values.len(),
            });
        }
        if locations.is_empty() {
            return Err(Error::TooFewSamples {
                found: 0,
                needed: 1,
            });
        }
        let mut entries = Vec::with_capacity(locations.len());
        let (mut min_value, mut max_value) = (f64::INFINITY, f64::NEG_INFINITY);
        for (index, (p, v)) in locations.iter().zip(values).enumerate() {
            let what = if !p[0].is_finite() {
                Some("x coordinate")
            } else if !p[1].is_finite() {
                Some("y coordinate")
            } else if !v.is_finite() {
                Some("value")
            } else {
                None
            };
            if let Some(what) = what {
                return Err(Error::NotFinite { index, what });
            }
            min_value = min_value.min(*v);
            max_value = max_value.max(*v);
            entries.push(Entry::new(*p, *v));
        }
        Ok(Self {
            tree: RTree::bulk_load(entries),
            min_value,
            max_value,
        })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// Whether the index holds no sample (never true for an index built by [`SampleIndex::new`]).
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// The smallest and largest sample value.
    pub fn value_range(&self) -> (f64, f64) {
        (self.min_value, self.max_value)
    }

    /// The samples nearest to `(x, y)`, closest first, into `out` (cleared first): at most
    /// `neighbours` of them (all when `None`), and only those within `search_radius` (CRS
    /// units, inclusive) when given. Ties at equal distance are broken by the tree's order.
    pub fn nearest(
        &self,
        x: f64,
        y: f64,
        neighbours: Option<usize>,
        search_radius: Option<f64>,
        out: &mut Vec<Neighbour>,
    ) {
        out.clear();
        let q = [x, y];
        let limit = neighbours.unwrap_or(usize::MAX);
        if limit == 0 {
            return;
        }
        let radius2 = search_radius.map(|r| r * r);
        for (e, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&q) {
            if radius2.is_some_and(|r2| d2 > r2) {
                break;
            }
            out.push(Neighbour {
                location: *e.geom(),
                value: e.data,
                distance: d2.sqrt(),
            });
            if out.len() >= limit {
                break;
            }
        }
    }

    /// Every sample as `(location, value)`, in the tree's order.
    pub fn samples(&self) -> impl Iterator<Item = ([f64; 2], f64)> + '_ {
        self.tree.iter().map(|e| (*e.geom(), e.data))
    }
}

/// Checks a search neighbourhood shared by IDW and kriging: at least one neighbour (when a
/// count is given) and a positive, finite search radius (when one is given).
///
/// # Errors
/// [`Error::InvalidParameter`] naming the offending parameter.
pub(crate) fn check_neighbourhood(
    neighbours: Option<usize>,
    search_radius: Option<f64>,
) -> Result<(), Error> {
    if neighbours == Some(0) {
        return Err(Error::InvalidParameter {
            name: "number of neighbours",
            value: "0".into(),
            reason: "at least one neighbour is needed",
        });
    }
    if let Some(r) = search_radius {
        if !(r > 0.0 && r.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "search radius",
                value: r.to_string(),
                reason: "the radius must be a positive distance in CRS units",
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_respects_count_and_radius() {
        let pts = [[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [10.0, 0.0]];
        let idx = SampleIndex::new(&pts, &[1.0, 2.0, 3.0, 4.0]).unwrap();
        let mut out = Vec::new();
        idx.nearest(0.1, 0.0, Some(2), None, &mut out);
        assert_eq!(out.iter().map(|n| n.value).collect::<Vec<_>>(), [1.0, 2.0]);
        idx.nearest(0.0, 0.0, None, Some(3.0), &mut out);
        assert_eq!(out.len(), 3, "the radius is inclusive");
        idx.nearest(0.0, 0.0, None, None, &mut out);
        assert_eq!(out.len(), 4);
        assert!((out[3].distance - 10.0).abs() < 1e-12);
        assert_eq!(idx.value_range(), (1.0, 4.0));
    }

    #[test]
    fn bad_samples_are_rejected() {
        assert_eq!(
            SampleIndex::new(&[], &[]).unwrap_err(),
            Error::TooFewSamples {
                found: 0,
                needed: 1
            }
        );
        assert!(matches!(
            SampleIndex::new(&[[0.0, 0.0]], &[1.0, 2.0]),
            Err(Error::LengthMismatch { .. })
        ));
        assert_eq!(
            SampleIndex::new(&[[0.0, 0.0], [1.0, f64::NAN]], &[1.0, 2.0]).unwrap_err(),
            Error::NotFinite {
                index: 1,
                what: "y coordinate"
            }
        );
        assert!(matches!(
            SampleIndex::new(&[[0.0, 0.0]], &[f64::INFINITY]),
            Err(Error::NotFinite { what: "value", .. })
        ));
    }
}
