//! Inverse-distance weighting (Shepard 1968).
//!
//! The estimate at a location is Σ wᵢ zᵢ / Σ wᵢ with wᵢ = 1 / dᵢ^p over the qualifying
//! samples: the `k` nearest (all when not limited), only those within the search radius when
//! one is given. A location that coincides with a sample takes that sample's value (the mean
//! of the samples there, when several coincide): the limit of the weights as dᵢ → 0. The
//! estimate is a convex combination, so it always lies within the range of the samples used.

use super::samples::{check_neighbourhood, Neighbour, SampleIndex};
use super::Error;
use crate::{Grid, Window};

/// Parameters of inverse-distance weighting, as given by the user.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IdwParams {
    /// Exponent `p` of the distance in the weights 1/dᵖ (2 in Shepard 1968); positive.
    pub power: f64,
    /// Use only the `k` nearest samples (all when `None`).
    pub neighbours: Option<usize>,
    /// Use only samples within this distance, in CRS units, inclusive (no limit when `None`).
    pub search_radius: Option<f64>,
    /// Fewer qualifying samples than this leave the cell empty (NaN); at least 1.
    pub min_points: usize,
}

impl Default for IdwParams {
    /// Power 2, every sample, no radius, one sample suffices.
    fn default() -> Self {
        Self {
            power: 2.0,
            neighbours: None,
            search_radius: None,
            min_points: 1,
        }
    }
}

/// Validated inverse-distance weighting, ready to estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Idw {
    params: IdwParams,
}

impl Idw {
    /// Checks the parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when the power is not a positive finite number, `k` is 0,
    /// the search radius is not positive and finite, `min_points` is 0, or `min_points`
    /// exceeds `k`.
    pub fn new(params: IdwParams) -> Result<Self, Error> {
        if !(params.power > 0.0 && params.power.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "power",
                value: params.power.to_string(),
                reason: "the power must be a positive number",
            });
        }
        check_neighbourhood(params.neighbours, params.search_radius)?;
        if params.min_points == 0 {
            return Err(Error::InvalidParameter {
                name: "minimum number of points",
                value: "0".into(),
                reason: "at least one sample is needed for an estimate",
            });
        }
        if params.neighbours.is_some_and(|k| params.min_points > k) {
            return Err(Error::InvalidParameter {
                name: "minimum number of points",
                value: params.min_points.to_string(),
                reason: "the minimum cannot exceed the number of neighbours",
            });
        }
        Ok(Self { params })
    }

    /// The parameters.
    pub fn params(&self) -> &IdwParams {
        &self.params
    }

    /// The estimate at `(x, y)`, or `None` when fewer than `min_points` samples qualify.
    pub fn estimate(&self, index: &SampleIndex, x: f64, y: f64) -> Option<f64> {
        let mut scratch = Vec::new();
        self.estimate_with(index, x, y, &mut scratch)
    }

    /// [`Idw::estimate`] reusing a buffer.
    fn estimate_with(
        &self,
        index: &SampleIndex,
        x: f64,
        y: f64,
        scratch: &mut Vec<Neighbour>,
    ) -> Option<f64> {
        let p = &self.params;
        index.nearest(x, y, p.neighbours, p.search_radius, scratch);
        if scratch.len() < p.min_points {
            return None;
        }
        weighted_mean(scratch, p.power)
    }
}

/// Σ wᵢ zᵢ / Σ wᵢ with wᵢ = (d_min / dᵢ)ᵖ over `neighbours` (closest first): the weights are
/// scaled by the nearest distance so that they stay in (0, 1] for any power and distance.
fn weighted_mean(neighbours: &[Neighbour], power: f64) -> Option<f64> {
    let nearest = neighbours.first()?.distance;
    if nearest == 0.0 {
        let at: Vec<f64> = neighbours
            .iter()
            .take_while(|n| n.distance == 0.0)
            .map(|n| n.value)
            .collect();
        return Some(at.iter().sum::<f64>() / at.len() as f64);
    }
    let (mut sum_w, mut sum_wz) = (0.0, 0.0);
    for n in neighbours {
        let w = if power == 2.0 {
            let r = nearest / n.distance;
            r * r
        } else {
            (nearest / n.distance).powf(power)
        };
        sum_w += w;
        sum_wz += w * n.value;
    }
    Some(sum_wz / sum_w)
}

/// IDW estimates at the centres of the cells of `window` (row-major), NaN where fewer than
/// `min_points` samples qualify. Blocks are independent, so windows can run in parallel over
/// one shared index.
pub fn idw_window(grid: &Grid, window: Window, index: &SampleIndex, idw: &Idw) -> Vec<f64> {
    let mut out = Vec::with_capacity(window.len());
    let mut scratch = Vec::new();
    for row in window.row_off..window.row_off + window.height {
        for col in window.col_off..window.col_off + window.width {
            let (x, y) = grid.cell_centre(row, col);
            out.push(
                idw.estimate_with(index, x, y, &mut scratch)
                    .unwrap_or(f64::NAN),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn idw(params: IdwParams) -> Idw {
        Idw::new(params).unwrap()
    }

    #[test]
    fn hand_computed_values() {
        // Samples 10 at (0,0) and 20 at (3,0), 40 at (0,4); estimate at (0,0)+(1,0).
        let idx =
            SampleIndex::new(&[[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]], &[10.0, 20.0, 40.0]).unwrap();
        let p2 = idw(IdwParams::default());
        // d = 1, 2, √17: w = 1, 1/4, 1/17.
        let expect = (10.0 + 20.0 / 4.0 + 40.0 / 17.0) / (1.0 + 0.25 + 1.0 / 17.0);
        let got = p2.estimate(&idx, 1.0, 0.0).unwrap();
        assert!((got - expect).abs() < 1e-12, "{got} vs {expect}");
        // Power 1: w = 1, 1/2, 1/√17.
        let p1 = idw(IdwParams {
            power: 1.0,
            ..Default::default()
        });
        let s = 17f64.sqrt();
        let expect = (10.0 + 10.0 + 40.0 / s) / (1.5 + 1.0 / s);
        assert!((p1.estimate(&idx, 1.0, 0.0).unwrap() - expect).abs() < 1e-12);
        // Two nearest only: (10 + 20/4) / 1.25 = 12.
        let k2 = idw(IdwParams {
            neighbours: Some(2),
            ..Default::default()
        });
        assert!((k2.estimate(&idx, 1.0, 0.0).unwrap() - 12.0).abs() < 1e-12);
        // Radius 2 includes (0,0) and (3,0) (inclusive), excludes (0,4).
        let r2 = idw(IdwParams {
            search_radius: Some(2.0),
            ..Default::default()
        });
        assert!((r2.estimate(&idx, 1.0, 0.0).unwrap() - 12.0).abs() < 1e-12);
        // Midpoint of two samples at equal distance: their mean.
        let mid = idw(IdwParams {
            neighbours: Some(2),
            ..Default::default()
        });
        assert!((mid.estimate(&idx, 1.5, 0.0).unwrap() - 15.0).abs() < 1e-12);
    }

    #[test]
    fn exact_hit_returns_the_sample_and_coincident_samples_average() {
        let idx =
            SampleIndex::new(&[[0.0, 0.0], [0.0, 0.0], [5.0, 5.0]], &[1.0, 3.0, 100.0]).unwrap();
        let p = idw(IdwParams::default());
        assert_eq!(p.estimate(&idx, 5.0, 5.0), Some(100.0));
        assert_eq!(p.estimate(&idx, 0.0, 0.0), Some(2.0));
    }

    #[test]
    fn min_points_and_radius_leave_cells_empty() {
        let idx = SampleIndex::new(&[[0.0, 0.0], [10.0, 0.0]], &[1.0, 2.0]).unwrap();
        let p = idw(IdwParams {
            search_radius: Some(1.0),
            ..Default::default()
        });
        assert_eq!(p.estimate(&idx, 5.0, 0.0), None);
        let two = idw(IdwParams {
            search_radius: Some(6.0),
            min_points: 2,
            ..Default::default()
        });
        assert_eq!(two.estimate(&idx, 1.0, 0.0), None);
        assert!(two.estimate(&idx, 5.0, 0.0).is_some());
    }

    #[test]
    fn window_uses_cell_centres() {
        let grid = Grid::new("", [0.0, 1.0, 0.0, 2.0, 0.0, -1.0], 2, 2).unwrap();
        // A sample at the centre of cell (0, 1) = (1.5, 1.5).
        let idx = SampleIndex::new(&[[1.5, 1.5], [0.5, 0.5]], &[7.0, 3.0]).unwrap();
        let w = grid.windows(2)[0];
        let p = idw(IdwParams {
            search_radius: Some(0.9),
            ..Default::default()
        });
        let v = idw_window(&grid, w, &idx, &p);
        assert_eq!(v[1], 7.0);
        assert_eq!(v[2], 3.0);
        assert!(v[0].is_nan() && v[3].is_nan());
    }

    #[test]
    fn bad_parameters_are_rejected() {
        for bad in [
            IdwParams {
                power: 0.0,
                ..Default::default()
            },
            IdwParams {
                power: f64::NAN,
                ..Default::default()
            },
            IdwParams {
                neighbours: Some(0),
                ..Default::default()
            },
            IdwParams {
                search_radius: Some(-1.0),
                ..Default::default()
            },
            IdwParams {
                min_points: 0,
                ..Default::default()
            },
            IdwParams {
                neighbours: Some(2),
                min_points: 3,
                ..Default::default()
            },
        ] {
            assert!(
                matches!(Idw::new(bad), Err(Error::InvalidParameter { .. })),
                "{bad:?}"
            );
        }
    }

    proptest! {
        /// IDW is a convex combination: every estimate lies within the samples' range.
        #[test]
        fn estimates_lie_within_the_sample_range(
            samples in prop::collection::vec((-100.0..100.0f64, -100.0..100.0f64, -50.0..50.0f64), 1..30),
            queries in prop::collection::vec((-150.0..150.0f64, -150.0..150.0f64), 1..20),
            power in 0.5..4.0f64,
            k in prop::option::of(1usize..10),
        ) {
            let pts: Vec<[f64; 2]> = samples.iter().map(|s| [s.0, s.1]).collect();
            let vals: Vec<f64> = samples.iter().map(|s| s.2).collect();
            let idx = SampleIndex::new(&pts, &vals).unwrap();
            let (lo, hi) = idx.value_range();
            let p = idw(IdwParams { power, neighbours: k, ..Default::default() });
            for (x, y) in queries {
                let v = p.estimate(&idx, x, y).unwrap();
                prop_assert!(v >= lo - 1e-9 * lo.abs().max(1.0) && v <= hi + 1e-9 * hi.abs().max(1.0));
            }
        }
    }
}
