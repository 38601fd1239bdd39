//! Ordinary kriging with a moving neighbourhood (Matheron 1963; Cressie 1993, §3.2;
//! Isaaks & Srivastava 1989, ch. 12).
//!
//! At each location the `k` nearest samples (optionally within a search radius) give the
//! system, in semivariogram form,
//!
//! ```text
//! Σⱼ λⱼ γ(xᵢ − xⱼ) + μ = γ(xᵢ − x₀)   for every sample i
//! Σⱼ λⱼ            = 1
//! ```
//!
//! solved by LU decomposition with partial pivoting. The estimate is Σ λᵢ zᵢ and the kriging
//! (estimation) variance σ² = Σ λᵢ γ(xᵢ − x₀) + μ. With γ(0) = 0 kriging is an exact
//! interpolator: at a sample the estimate is the sample's value and the variance is 0, with
//! or without a nugget. Samples at identical coordinates are first replaced by one sample
//! with their mean value, which keeps the system non-singular.

use super::samples::{check_neighbourhood, Neighbour, SampleIndex};
use super::variogram::VariogramModel;
use super::Error;
use crate::linalg::{solve_in_place, Singular};
use crate::{Grid, Window};

/// The neighbourhood of ordinary kriging, as given by the user.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KrigingParams {
    /// Use the `k` nearest samples (16 by default).
    pub neighbours: usize,
    /// Use only samples within this distance, in CRS units, inclusive (no limit when `None`).
    pub search_radius: Option<f64>,
    /// Fewer qualifying samples than this leave the cell empty (NaN); at least 1.
    pub min_points: usize,
}

impl Default for KrigingParams {
    /// The 16 nearest samples, no radius, one sample suffices.
    fn default() -> Self {
        Self {
            neighbours: 16,
            search_radius: None,
            min_points: 1,
        }
    }
}

/// A kriged value and its kriging variance (squared value units).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KrigingEstimate {
    /// The estimate Σ λᵢ zᵢ.
    pub value: f64,
    /// The ordinary-kriging variance σ² ≥ 0.
    pub variance: f64,
}

/// The solution of one ordinary-kriging system.
#[derive(Debug, Clone, PartialEq)]
pub struct KrigingWeights {
    /// λᵢ, one per sample location given, summing to 1.
    pub weights: Vec<f64>,
    /// The Lagrange multiplier μ (squared value units).
    pub lagrange: f64,
    /// The kriging variance σ² = Σ λᵢ γ(xᵢ − x₀) + μ, clamped at 0.
    pub variance: f64,
}

/// Solves the ordinary-kriging system for samples at `locations` (distinct, CRS units) and
/// the target `target`.
///
/// # Errors
/// [`Error::TooFewSamples`] when `locations` is empty; [`Error::SingularSystem`] when the
/// system cannot be solved (duplicate locations, or a Gaussian model without nugget at
/// samples much closer than the range).
pub fn ordinary_kriging_weights(
    model: &VariogramModel,
    locations: &[[f64; 2]],
    target: [f64; 2],
) -> Result<KrigingWeights, Error> {
    if locations.is_empty() {
        return Err(Error::TooFewSamples {
            found: 0,
            needed: 1,
        });
    }
    let mut work = Workspace::default();
    work.solve(model, locations, target)
        .map_err(|Singular| Error::SingularSystem {
            reason: format!(
                "{} samples with a {} model (nugget {}, partial sill {}, range {})",
                locations.len(),
                model.kind.name(),
                model.nugget,
                model.partial_sill,
                model.range
            ),
        })?;
    let n = locations.len();
    let lagrange = work.rhs[n];
    let weights = work.rhs[..n].to_vec();
    let variance = work.variance(model, locations, target);
    Ok(KrigingWeights {
        weights,
        lagrange,
        variance,
    })
}

/// Buffers reused from one kriged location to the next.
#[derive(Debug, Default)]
struct Workspace {
    neighbours: Vec<Neighbour>,
    locations: Vec<[f64; 2]>,
    values: Vec<f64>,
    counts: Vec<usize>,
    matrix: Vec<f64>,
    rhs: Vec<f64>,
}

impl Workspace {
    /// Builds and solves the system; `rhs` then holds λ₁…λₙ, μ.
    fn solve(
        &mut self,
        model: &VariogramModel,
        locations: &[[f64; 2]],
        target: [f64; 2],
    ) -> Result<(), Singular> {
        let n = locations.len();
        let m = n + 1;
        self.matrix.clear();
        self.matrix.resize(m * m, 0.0);
        self.rhs.clear();
        self.rhs.resize(m, 0.0);
        for i in 0..n {
            for j in i + 1..n {
                let h = distance(locations[i], locations[j]);
                let g = model.semivariance(h);
                self.matrix[i * m + j] = g;
                self.matrix[j * m + i] = g;
            }
            self.matrix[i * m + n] = 1.0;
            self.matrix[n * m + i] = 1.0;
            self.rhs[i] = model.semivariance(distance(locations[i], target));
        }
        self.rhs[n] = 1.0;
        solve_in_place(&mut self.matrix, &mut self.rhs)
    }

    /// σ² from the solved `rhs`.
    fn variance(&self, model: &VariogramModel, locations: &[[f64; 2]], target: [f64; 2]) -> f64 {
        let n = locations.len();
        let s: f64 = locations
            .iter()
            .zip(&self.rhs)
            .map(|(p, l)| l * model.semivariance(distance(*p, target)))
            .sum();
        (s + self.rhs[n]).max(0.0)
    }
}

fn distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// Why a location got no estimate.
enum Missing {
    TooFewSamples,
    Singular,
}

/// Validated ordinary kriging with a variogram model and a neighbourhood.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrdinaryKriging {
    model: VariogramModel,
    params: KrigingParams,
}

impl OrdinaryKriging {
    /// Checks the model and the neighbourhood.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an unusable model (see [`VariogramModel::check`]),
    /// zero neighbours, a non-positive radius, a zero minimum, or a minimum above `k`.
    pub fn new(model: VariogramModel, params: KrigingParams) -> Result<Self, Error> {
        model.check()?;
        check_neighbourhood(Some(params.neighbours), params.search_radius)?;
        if params.min_points == 0 || params.min_points > params.neighbours {
            return Err(Error::InvalidParameter {
                name: "minimum number of points",
                value: params.min_points.to_string(),
                reason: "the minimum must be between 1 and the number of neighbours",
            });
        }
        Ok(Self { model, params })
    }

    /// The variogram model.
    pub fn model(&self) -> &VariogramModel {
        &self.model
    }

    /// The neighbourhood.
    pub fn params(&self) -> &KrigingParams {
        &self.params
    }

    /// The estimate and kriging variance at `(x, y)`, or `None` when fewer than `min_points`
    /// samples qualify or the system is singular.
    pub fn estimate(&self, index: &SampleIndex, x: f64, y: f64) -> Option<KrigingEstimate> {
        self.estimate_with(index, x, y, &mut Workspace::default())
            .ok()
    }

    fn estimate_with(
        &self,
        index: &SampleIndex,
        x: f64,
        y: f64,
        work: &mut Workspace,
    ) -> Result<KrigingEstimate, Missing> {
        let p = &self.params;
        index.nearest(
            x,
            y,
            Some(p.neighbours),
            p.search_radius,
            &mut work.neighbours,
        );
        if work.neighbours.len() < p.min_points {
            return Err(Missing::TooFewSamples);
        }
        // Samples at identical coordinates become one sample with their mean value.
        work.locations.clear();
        work.values.clear();
        work.counts.clear();
        for nb in &work.neighbours {
            match work.locations.iter().position(|l| *l == nb.location) {
                Some(i) => {
                    work.values[i] += nb.value;
                    work.counts[i] += 1;
                }
                None => {
                    work.locations.push(nb.location);
                    work.values.push(nb.value);
                    work.counts.push(1);
                }
            }
        }
        for (v, c) in work.values.iter_mut().zip(&work.counts) {
            *v /= *c as f64;
        }
        if work.neighbours[0].distance == 0.0 {
            return Ok(KrigingEstimate {
                value: work.values[0],
                variance: 0.0,
            });
        }
        let locations = std::mem::take(&mut work.locations);
        let solved = work.solve(&self.model, &locations, [x, y]);
        let result = solved.map(|()| {
            let value = work.values.iter().zip(&work.rhs).map(|(z, l)| z * l).sum();
            let variance = work.variance(&self.model, &locations, [x, y]);
            KrigingEstimate { value, variance }
        });
        work.locations = locations;
        result.map_err(|Singular| Missing::Singular)
    }
}

/// Kriged estimates and variances of one window.
#[derive(Debug, Clone, PartialEq)]
pub struct KrigedWindow {
    /// Estimates at the cell centres, row-major; NaN where no estimate was made.
    pub estimate: Vec<f64>,
    /// Kriging variances, row-major; NaN where no estimate was made.
    pub variance: Vec<f64>,
    /// Cells left empty because their kriging system was singular (the rest of the NaNs had
    /// too few samples within reach).
    pub singular: usize,
}

/// Ordinary-kriging estimates and variances at the centres of the cells of `window`. Blocks
/// are independent, so windows can run in parallel over one shared index.
pub fn kriging_window(
    grid: &Grid,
    window: Window,
    index: &SampleIndex,
    kriging: &OrdinaryKriging,
) -> KrigedWindow {
    let mut out = KrigedWindow {
        estimate: Vec::with_capacity(window.len()),
        variance: Vec::with_capacity(window.len()),
        singular: 0,
    };
    let mut work = Workspace::default();
    for row in window.row_off..window.row_off + window.height {
        for col in window.col_off..window.col_off + window.width {
            let (x, y) = grid.cell_centre(row, col);
            match kriging.estimate_with(index, x, y, &mut work) {
                Ok(e) => {
                    out.estimate.push(e.value);
                    out.variance.push(e.variance);
                }
                Err(why) => {
                    if matches!(why, Missing::Singular) {
                        out.singular += 1;
                    }
                    out.estimate.push(f64::NAN);
                    out.variance.push(f64::NAN);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interpolate::ModelKind;
    use proptest::prelude::*;

    fn spherical() -> VariogramModel {
        VariogramModel::new(ModelKind::Spherical, 0.0, 1.0, 4.0).unwrap()
    }

    #[test]
    fn two_samples_midpoint_by_hand() {
        // λ = ½ each by symmetry; σ² = 2γ(1) − ½γ(2) with γ(1) = 0.3671875, γ(2) = 0.6875.
        let w =
            ordinary_kriging_weights(&spherical(), &[[0.0, 0.0], [2.0, 0.0]], [1.0, 0.0]).unwrap();
        assert!((w.weights[0] - 0.5).abs() < 1e-14 && (w.weights[1] - 0.5).abs() < 1e-14);
        assert!((w.lagrange - (0.3671875 - 0.5 * 0.6875)).abs() < 1e-14);
        assert!((w.variance - 0.390625).abs() < 1e-14, "{}", w.variance);
    }

    #[test]
    fn two_samples_off_centre_by_hand() {
        // λ₁ = ½ − (γ₁₀ − γ₂₀) / (2γ₁₂), μ = γ₁₀ − λ₂γ₁₂, σ² = λ₁γ₁₀ + λ₂γ₂₀ + μ.
        let m = VariogramModel::new(ModelKind::Exponential, 0.2, 0.8, 6.0).unwrap();
        let (a, b, t) = ([0.0, 0.0], [3.0, 0.0], [0.5, 1.0]);
        let g12 = m.semivariance(3.0);
        let g10 = m.semivariance(distance(a, t));
        let g20 = m.semivariance(distance(b, t));
        let l1 = 0.5 - (g10 - g20) / (2.0 * g12);
        let l2 = 1.0 - l1;
        let mu = g10 - l2 * g12;
        let var = l1 * g10 + l2 * g20 + mu;
        let w = ordinary_kriging_weights(&m, &[a, b], t).unwrap();
        assert!((w.weights[0] - l1).abs() < 1e-14);
        assert!((w.weights[1] - l2).abs() < 1e-14);
        assert!((w.lagrange - mu).abs() < 1e-14);
        assert!((w.variance - var).abs() < 1e-14);
        assert!(l1 > 0.5, "the nearer sample weighs more");
    }

    #[test]
    fn three_samples_against_an_independent_solver() {
        // Solved with numpy.linalg.solve (LAPACK gesv) on the same system: samples (0,0),
        // (4,0), (0,3), target (1,1), exponential model c₀ = 0.1, c = 0.9, a = 5.
        let m = VariogramModel::new(ModelKind::Exponential, 0.1, 0.9, 5.0).unwrap();
        let w = ordinary_kriging_weights(&m, &[[0.0, 0.0], [4.0, 0.0], [0.0, 3.0]], [1.0, 1.0])
            .unwrap();
        let expect = THREE_SAMPLE_REFERENCE;
        for (got, want) in w.weights.iter().zip(&expect[..3]) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        assert!((w.lagrange - expect[3]).abs() < 1e-12);
        assert!((w.variance - expect[4]).abs() < 1e-12);
    }

    /// λ₁, λ₂, λ₃, μ, σ² from numpy for `three_samples_against_an_independent_solver`.
    const THREE_SAMPLE_REFERENCE: [f64; 5] = [
        0.468_189_500_670_556_3,
        0.229_848_700_782_838_23,
        0.301_961_798_546_605_43,
        0.146_638_276_557_099_85,
        0.864_207_023_887_627_6,
    ];

    #[test]
    fn symmetric_square_weights_equally() {
        let pts = [[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]];
        for kind in ModelKind::ALL {
            let m = VariogramModel::new(kind, 0.1, 1.0, 5.0).unwrap();
            let w = ordinary_kriging_weights(&m, &pts, [1.0, 1.0]).unwrap();
            for l in &w.weights {
                assert!((l - 0.25).abs() < 1e-12, "{kind:?}: {:?}", w.weights);
            }
        }
    }

    #[test]
    fn exact_at_samples_with_zero_variance() {
        let pts = [[0.0, 0.0], [4.0, 0.0], [0.0, 3.0]];
        let vals = [1.0, 5.0, -2.0];
        // Through the solver itself (no shortcut): weight 1 on the sample, variance 0.
        let w = ordinary_kriging_weights(&spherical(), &pts, [4.0, 0.0]).unwrap();
        assert!((w.weights[1] - 1.0).abs() < 1e-12, "{:?}", w.weights);
        assert!(w.weights[0].abs() < 1e-12 && w.weights[2].abs() < 1e-12);
        assert!(w.variance.abs() < 1e-12);
        // Through the estimator, with a nugget too.
        let idx = SampleIndex::new(&pts, &vals).unwrap();
        let with_nugget = VariogramModel::new(ModelKind::Spherical, 0.5, 1.0, 4.0).unwrap();
        let ok = OrdinaryKriging::new(with_nugget, KrigingParams::default()).unwrap();
        for (p, v) in pts.iter().zip(vals) {
            let e = ok.estimate(&idx, p[0], p[1]).unwrap();
            assert_eq!((e.value, e.variance), (v, 0.0));
        }
        let off = ok.estimate(&idx, 1.0, 1.0).unwrap();
        assert!(off.variance > 0.5, "at least the nugget away from samples");
    }

    #[test]
    fn duplicate_locations_are_averaged() {
        let idx =
            SampleIndex::new(&[[0.0, 0.0], [0.0, 0.0], [2.0, 0.0]], &[1.0, 3.0, 4.0]).unwrap();
        let ok = OrdinaryKriging::new(spherical(), KrigingParams::default()).unwrap();
        // Midpoint between the averaged sample (value 2) and 4: their mean.
        let e = ok.estimate(&idx, 1.0, 0.0).unwrap();
        assert!((e.value - 3.0).abs() < 1e-12);
        assert!(
            ordinary_kriging_weights(&spherical(), &[[0.0, 0.0], [0.0, 0.0]], [1.0, 0.0]).is_err()
        );
    }

    #[test]
    fn one_sample_gives_its_value_and_twice_the_semivariance() {
        let idx = SampleIndex::new(&[[0.0, 0.0]], &[7.0]).unwrap();
        let ok = OrdinaryKriging::new(spherical(), KrigingParams::default()).unwrap();
        let e = ok.estimate(&idx, 1.0, 0.0).unwrap();
        assert_eq!(e.value, 7.0);
        assert!((e.variance - 2.0 * 0.3671875).abs() < 1e-14);
    }

    #[test]
    fn window_counts_empty_cells() {
        let grid = Grid::new("", [0.0, 1.0, 0.0, 3.0, 0.0, -1.0], 3, 3).unwrap();
        let idx = SampleIndex::new(&[[0.5, 2.5], [2.5, 0.5]], &[1.0, 2.0]).unwrap();
        let ok = OrdinaryKriging::new(
            spherical(),
            KrigingParams {
                search_radius: Some(1.0),
                ..Default::default()
            },
        )
        .unwrap();
        let w = kriging_window(&grid, grid.windows(3)[0], &idx, &ok);
        assert_eq!(w.estimate[0], 1.0);
        assert_eq!(w.estimate[8], 2.0);
        assert!(w.estimate[4].is_nan() && w.variance[4].is_nan());
        assert_eq!(w.singular, 0);
        assert_eq!(w.variance[0], 0.0);
        assert!(w.variance[1] > 0.0);
    }

    #[test]
    fn bad_parameters_are_rejected() {
        let m = spherical();
        for p in [
            KrigingParams {
                neighbours: 0,
                ..Default::default()
            },
            KrigingParams {
                min_points: 0,
                ..Default::default()
            },
            KrigingParams {
                min_points: 17,
                ..Default::default()
            },
            KrigingParams {
                search_radius: Some(0.0),
                ..Default::default()
            },
        ] {
            assert!(OrdinaryKriging::new(m, p).is_err(), "{p:?}");
        }
        let bad_model = VariogramModel { range: -1.0, ..m };
        assert!(OrdinaryKriging::new(bad_model, KrigingParams::default()).is_err());
    }

    proptest! {
        /// Ordinary-kriging weights sum to 1, so a constant field is reproduced exactly.
        #[test]
        fn weights_sum_to_one(
            samples in prop::collection::btree_set((-50i32..50, -50i32..50), 1..20),
            target in (-60.0..60.0f64, -60.0..60.0f64),
            kind in 0usize..3,
            nugget in 0.0..1.0f64,
            range in 5.0..100.0f64,
        ) {
            let pts: Vec<[f64; 2]> = samples.iter().map(|(x, y)| [*x as f64, *y as f64]).collect();
            let kind = ModelKind::ALL[kind];
            // A Gaussian model without nugget is numerically singular for close samples.
            let nugget = if kind == ModelKind::Gaussian { nugget.max(0.05) } else { nugget };
            let m = VariogramModel::new(kind, nugget, 1.0, range).unwrap();
            let w = ordinary_kriging_weights(&m, &pts, [target.0, target.1]).unwrap();
            let sum: f64 = w.weights.iter().sum();
            prop_assert!((sum - 1.0).abs() < 1e-9, "sum {}", sum);
            prop_assert!(w.variance >= 0.0);
            let idx = SampleIndex::new(&pts, &vec![3.5; pts.len()]).unwrap();
            let ok = OrdinaryKriging::new(m, KrigingParams::default()).unwrap();
            let e = ok.estimate(&idx, target.0, target.1).unwrap();
            prop_assert!((e.value - 3.5).abs() < 1e-9);
        }
    }
}
