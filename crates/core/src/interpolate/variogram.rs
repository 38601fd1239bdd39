//! Experimental variograms and fitted variogram models (Matheron 1963; Cressie 1985, 1993).
//!
//! The experimental semivariance of lag bin `k` is γ̂ₖ = Σ (zᵢ − zⱼ)² / (2 Nₖ) over the Nₖ
//! pairs whose separation falls in `[k·w, (k+1)·w)` (the last bin also takes h = max lag),
//! reported at the mean separation of those pairs (Matheron's estimator; Cressie 1993, §2.4).
//!
//! Models are fitted by Cressie's (1985) weighted least squares: minimise
//! Σ Nₖ (γ̂ₖ − γ(hₖ))² / γ(hₖ)², the weights depending on the model itself. For each
//! candidate range the nugget and partial sill enter linearly, so they are found in closed
//! form (non-negative) and the weights re-computed from the model until they settle
//! (iteratively reweighted least squares), then polished by Gauss–Newton steps on the
//! criterion itself; the range is searched on a logarithmic grid and
//! refined by golden-section search (Kiefer 1953).

use rayon::prelude::*;

use super::Error;

/// Largest number of lag bins accepted: a guard against a lag width far too small.
pub const MAX_LAGS: usize = 10_000;

/// The shape of a bounded variogram model.
///
/// Ranges follow the *practical range* convention (Isaaks & Srivastava 1989, ch. 16;
/// Deutsch & Journel 1998): the spherical model reaches the sill at the range, the
/// exponential and Gaussian models reach 95 % of it there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ModelKind {
    /// γ = c₀ + c·(1.5 h/a − 0.5 (h/a)³) for h < a, c₀ + c beyond.
    Spherical,
    /// γ = c₀ + c·(1 − exp(−3h/a)).
    Exponential,
    /// γ = c₀ + c·(1 − exp(−3h²/a²)).
    Gaussian,
}

impl ModelKind {
    /// Every model kind, in the order tried by [`fit_best_variogram`].
    pub const ALL: [ModelKind; 3] = [
        ModelKind::Spherical,
        ModelKind::Exponential,
        ModelKind::Gaussian,
    ];

    /// The model's name in lower case (`spherical`, `exponential`, `gaussian`).
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Spherical => "spherical",
            ModelKind::Exponential => "exponential",
            ModelKind::Gaussian => "gaussian",
        }
    }

    /// The model named `name` (any case; `sph`, `exp`, `gau` accepted).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "spherical" | "sph" => Some(ModelKind::Spherical),
            "exponential" | "exp" => Some(ModelKind::Exponential),
            "gaussian" | "gau" => Some(ModelKind::Gaussian),
            _ => None,
        }
    }

    /// The structure's share of the partial sill at distance `h` for range `range`, in [0, 1].
    fn shape(self, h: f64, range: f64) -> f64 {
        let r = h / range;
        match self {
            ModelKind::Spherical => {
                if r < 1.0 {
                    1.5 * r - 0.5 * r * r * r
                } else {
                    1.0
                }
            }
            ModelKind::Exponential => 1.0 - (-3.0 * r).exp(),
            ModelKind::Gaussian => 1.0 - (-3.0 * r * r).exp(),
        }
    }
}

/// A variogram model: nugget c₀, partial sill c and (practical) range a, in the squared units
/// of the values and the CRS units of the coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VariogramModel {
    /// The model's shape.
    pub kind: ModelKind,
    /// Nugget c₀ (the jump at the origin), ≥ 0.
    pub nugget: f64,
    /// Partial sill c (the structured part), ≥ 0; the total sill is c₀ + c.
    pub partial_sill: f64,
    /// Practical range a in CRS units, > 0.
    pub range: f64,
}

impl VariogramModel {
    /// A checked model.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when the nugget or partial sill is negative or not finite,
    /// both are zero, or the range is not a positive finite distance.
    pub fn new(kind: ModelKind, nugget: f64, partial_sill: f64, range: f64) -> Result<Self, Error> {
        let model = Self {
            kind,
            nugget,
            partial_sill,
            range,
        };
        model.check()?;
        Ok(model)
    }

    /// The same checks as [`VariogramModel::new`], for a model built from its fields.
    ///
    /// # Errors
    /// As [`VariogramModel::new`].
    pub fn check(&self) -> Result<(), Error> {
        let bad = |name, value: f64, reason| {
            Err(Error::InvalidParameter {
                name,
                value: value.to_string(),
                reason,
            })
        };
        if !(self.nugget >= 0.0 && self.nugget.is_finite()) {
            return bad("nugget", self.nugget, "the nugget must be zero or positive");
        }
        if !(self.partial_sill >= 0.0 && self.partial_sill.is_finite()) {
            return bad(
                "partial sill",
                self.partial_sill,
                "the partial sill must be zero or positive",
            );
        }
        if self.nugget + self.partial_sill <= 0.0 {
            return bad(
                "sill",
                self.nugget + self.partial_sill,
                "the sill (nugget + partial sill) must be positive",
            );
        }
        if !(self.range > 0.0 && self.range.is_finite()) {
            return bad(
                "range",
                self.range,
                "the range must be a positive distance in CRS units",
            );
        }
        Ok(())
    }

    /// The total sill c₀ + c.
    pub fn sill(&self) -> f64 {
        self.nugget + self.partial_sill
    }

    /// γ(h) for a separation `h` (CRS units); γ(0) = 0, so the nugget is a jump just after 0.
    pub fn semivariance(&self, h: f64) -> f64 {
        if h == 0.0 {
            0.0
        } else {
            self.nugget + self.partial_sill * self.kind.shape(h, self.range)
        }
    }
}

/// Lag classes of an experimental variogram, in CRS units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LagBins {
    /// Width of each lag class.
    pub lag_width: f64,
    /// Largest separation counted.
    pub max_lag: f64,
}

impl LagBins {
    /// A common default: pairs up to half the diagonal of the samples' bounding box, in 15
    /// classes (Journel & Huijbregts 1978 advise trusting lags up to about half the field).
    /// `None` when all samples share one location or there is none.
    pub fn suggest(locations: &[[f64; 2]]) -> Option<Self> {
        let mut e = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in locations {
            e = [
                e[0].min(p[0]),
                e[1].min(p[1]),
                e[2].max(p[0]),
                e[3].max(p[1]),
            ];
        }
        let diagonal = (e[2] - e[0]).hypot(e[3] - e[1]);
        (diagonal > 0.0 && diagonal.is_finite()).then(|| LagBins {
            lag_width: diagonal / 2.0 / 15.0,
            max_lag: diagonal / 2.0,
        })
    }

    /// Number of lag classes.
    pub fn count(&self) -> usize {
        ((self.max_lag / self.lag_width).ceil() as usize).max(1)
    }

    fn check(&self) -> Result<(), Error> {
        if !(self.lag_width > 0.0 && self.lag_width.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "lag width",
                value: self.lag_width.to_string(),
                reason: "the lag width must be a positive distance in CRS units",
            });
        }
        if !(self.max_lag > 0.0 && self.max_lag.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "maximum lag",
                value: self.max_lag.to_string(),
                reason: "the maximum lag must be a positive distance in CRS units",
            });
        }
        if self.max_lag / self.lag_width > MAX_LAGS as f64 {
            return Err(Error::InvalidParameter {
                name: "lag width",
                value: self.lag_width.to_string(),
                reason: "the lag width gives more than 10 000 lag classes; use a wider lag",
            });
        }
        Ok(())
    }
}

/// One lag class of an experimental variogram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lag {
    /// Lower bound of the class, CRS units.
    pub from: f64,
    /// Upper bound of the class, CRS units.
    pub to: f64,
    /// Mean separation of the pairs in the class (the class centre when it is empty).
    pub distance: f64,
    /// γ̂ = Σ (zᵢ − zⱼ)² / (2N), in squared value units; NaN when the class is empty.
    pub semivariance: f64,
    /// Number of pairs N.
    pub pairs: u64,
}

/// An experimental (sample) variogram: semivariance by lag class.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentalVariogram {
    /// The lag classes used.
    pub bins: LagBins,
    /// Every lag class, shortest first, empty ones included.
    pub lags: Vec<Lag>,
}

/// Points per parallel chunk of the pair loop (fixed, so sums are added in a fixed order).
const PAIR_CHUNK: usize = 256;

impl ExperimentalVariogram {
    /// The experimental variogram of samples at `locations` (CRS units) with `values`, over
    /// every pair of samples (isotropic, planar distances).
    ///
    /// The pair loop is O(n²) and runs in parallel; the result is the same on every run.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`], [`Error::TooFewSamples`] (fewer than 2),
    /// [`Error::NotFinite`], and [`Error::InvalidParameter`] for unusable lag classes.
    pub fn compute(locations: &[[f64; 2]], values: &[f64], bins: LagBins) -> Result<Self, Error> {
        if locations.len() != values.len() {
            return Err(Error::LengthMismatch {
                points: locations.len(),
                values: values.len(),
            });
        }
        if locations.len() < 2 {
            return Err(Error::TooFewSamples {
                found: locations.len(),
                needed: 2,
            });
        }
        for (index, (p, v)) in locations.iter().zip(values).enumerate() {
            for (x, what) in [
                (p[0], "x coordinate"),
                (p[1], "y coordinate"),
                (*v, "value"),
            ] {
                if !x.is_finite() {
                    return Err(Error::NotFinite { index, what });
                }
            }
        }
        bins.check()?;
        let count = bins.count();
        let n = locations.len();
        let max2 = bins.max_lag * bins.max_lag;
        // Per class: Σ distance, Σ squared difference, pairs.
        let partials: Vec<Vec<(f64, f64, u64)>> = (0..n.div_ceil(PAIR_CHUNK))
            .into_par_iter()
            .map(|chunk| {
                let mut acc = vec![(0.0, 0.0, 0u64); count];
                let end = ((chunk + 1) * PAIR_CHUNK).min(n);
                for i in chunk * PAIR_CHUNK..end {
                    let (p, zi) = (locations[i], values[i]);
                    for j in i + 1..n {
                        let q = locations[j];
                        let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
                        let d2 = dx * dx + dy * dy;
                        if d2 > max2 {
                            continue;
                        }
                        let h = d2.sqrt();
                        let k = ((h / bins.lag_width) as usize).min(count - 1);
                        let dz = values[j] - zi;
                        let a = &mut acc[k];
                        a.0 += h;
                        a.1 += dz * dz;
                        a.2 += 1;
                    }
                }
                acc
            })
            .collect();
        let mut total = vec![(0.0, 0.0, 0u64); count];
        for part in &partials {
            for (t, p) in total.iter_mut().zip(part) {
                t.0 += p.0;
                t.1 += p.1;
                t.2 += p.2;
            }
        }
        let lags = total
            .iter()
            .enumerate()
            .map(|(k, &(sum_h, sum_dz2, pairs))| {
                let from = k as f64 * bins.lag_width;
                let to = ((k + 1) as f64 * bins.lag_width).min(bins.max_lag);
                if pairs == 0 {
                    Lag {
                        from,
                        to,
                        distance: 0.5 * (from + to),
                        semivariance: f64::NAN,
                        pairs,
                    }
                } else {
                    Lag {
                        from,
                        to,
                        distance: sum_h / pairs as f64,
                        semivariance: sum_dz2 / (2.0 * pairs as f64),
                        pairs,
                    }
                }
            })
            .collect();
        Ok(Self { bins, lags })
    }

    /// The lag classes holding at least one pair.
    pub fn non_empty(&self) -> impl Iterator<Item = &Lag> + '_ {
        self.lags.iter().filter(|l| l.pairs > 0)
    }
}

/// A fitted model and how well it fits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FittedVariogram {
    /// The model.
    pub model: VariogramModel,
    /// Cressie's criterion Σ Nₖ (γ̂ₖ / γ(hₖ) − 1)² at the fit (smaller is better; comparable
    /// between model kinds fitted to the same experimental variogram).
    pub criterion: f64,
}

/// The lags a fit uses: (distance, semivariance, pairs).
fn fit_points(experimental: &ExperimentalVariogram) -> Result<Vec<(f64, f64, f64)>, Error> {
    let pts: Vec<(f64, f64, f64)> = experimental
        .non_empty()
        .map(|l| (l.distance, l.semivariance, l.pairs as f64))
        .collect();
    if pts.len() < 3 {
        return Err(Error::VariogramFit {
            reason: format!(
                "only {} lag class(es) hold pairs of samples; at least 3 are needed",
                pts.len()
            ),
        });
    }
    if pts.iter().any(|(h, g, _)| !h.is_finite() || !g.is_finite()) {
        return Err(Error::VariogramFit {
            reason: "the experimental semivariance is not finite (values too large?)".into(),
        });
    }
    if pts.iter().all(|(_, g, _)| *g == 0.0) {
        return Err(Error::VariogramFit {
            reason: "the semivariance is zero at every lag (all sample values are equal)".into(),
        });
    }
    Ok(pts)
}

/// The best non-negative nugget and partial sill for `kind` at `range`, and Cressie's
/// criterion there (iteratively reweighted least squares).
fn fit_at_range(pts: &[(f64, f64, f64)], kind: ModelKind, range: f64) -> (f64, f64, f64) {
    let shapes: Vec<f64> = pts.iter().map(|(h, _, _)| kind.shape(*h, range)).collect();
    let max_gamma = pts.iter().fold(0.0f64, |m, p| m.max(p.1));
    let floor = 1e-12 * max_gamma;
    // First pass weights by pairs only; later passes by Nₖ / γ(hₖ)².
    let mut weights: Vec<f64> = pts.iter().map(|p| p.2).collect();
    let (mut nugget, mut sill) = (0.0, 0.0);
    for _ in 0..30 {
        let (mut sw, mut sf, mut sff, mut sg, mut sfg) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for ((_, g, _), (f, w)) in pts.iter().zip(shapes.iter().zip(&weights)) {
            sw += w;
            sf += w * f;
            sff += w * f * f;
            sg += w * g;
            sfg += w * f * g;
        }
        let det = sw * sff - sf * sf;
        let (mut c0, mut c) = if det > 1e-12 * sw * sff {
            let c = (sw * sfg - sf * sg) / det;
            ((sg - c * sf) / sw, c)
        } else {
            // Every lag sees the same share of the sill (range below the first lag):
            // nugget and partial sill cannot be told apart; call it all partial sill.
            (0.0, if sff > 0.0 { sfg / sff } else { 0.0 })
        };
        if c0 < 0.0 {
            c0 = 0.0;
            c = if sff > 0.0 { sfg / sff } else { 0.0 };
        }
        if c < 0.0 {
            c = 0.0;
            c0 = sg / sw;
        }
        let settled =
            (c0 - nugget).abs() <= 1e-12 * (c0 + c) && (c - sill).abs() <= 1e-12 * (c0 + c);
        nugget = c0;
        sill = c;
        if settled {
            break;
        }
        for ((p, f), w) in pts.iter().zip(&shapes).zip(weights.iter_mut()) {
            let model = (nugget + sill * f).max(floor);
            *w = p.2 / (model * model);
        }
    }
    let criterion = |c0: f64, c: f64| -> f64 {
        pts.iter()
            .zip(&shapes)
            .map(|((_, g, n), f)| {
                let model = (c0 + c * f).max(floor);
                n * (g / model - 1.0).powi(2)
            })
            .sum()
    };
    // The reweighting settles at a point where the weights are consistent with the model,
    // which is close to but not exactly the minimum of the criterion (the weights' own
    // derivative is ignored). Gauss–Newton steps on the criterion itself finish the job.
    let mut best = criterion(nugget, sill);
    for _ in 0..30 {
        let (mut a11, mut a12, mut a22, mut b1, mut b2) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for ((_, g, n), f) in pts.iter().zip(&shapes) {
            let model = (nugget + sill * f).max(floor);
            let r = n.sqrt() * (g / model - 1.0);
            // ∂r/∂c₀ and ∂r/∂c.
            let j1 = -n.sqrt() * g / (model * model);
            let j2 = j1 * f;
            a11 += j1 * j1;
            a12 += j1 * j2;
            a22 += j2 * j2;
            b1 -= j1 * r;
            b2 -= j2 * r;
        }
        let det = a11 * a22 - a12 * a12;
        if !(det > 0.0 && det.is_finite()) {
            break;
        }
        let (d0, d1) = ((a22 * b1 - a12 * b2) / det, (a11 * b2 - a12 * b1) / det);
        let mut step = 1.0;
        let mut improved = false;
        for _ in 0..30 {
            let (c0, c) = ((nugget + step * d0).max(0.0), (sill + step * d1).max(0.0));
            let value = criterion(c0, c);
            if value < best {
                (nugget, sill, best) = (c0, c, value);
                improved = true;
                break;
            }
            step *= 0.5;
        }
        if !improved {
            break;
        }
    }
    (nugget, sill, best)
}

/// Fits a model of `kind` to `experimental` by Cressie's (1985) weighted least squares.
///
/// The range is searched between half the shortest and twice the longest lag distance.
///
/// # Errors
/// [`Error::VariogramFit`] when fewer than 3 lag classes hold pairs, every semivariance is
/// zero (all values equal), or a semivariance or the fit is not finite.
pub fn fit_variogram(
    experimental: &ExperimentalVariogram,
    kind: ModelKind,
) -> Result<FittedVariogram, Error> {
    let pts = fit_points(experimental)?;
    let h_min = pts.iter().fold(f64::INFINITY, |m, p| m.min(p.0));
    let h_max = pts.iter().fold(0.0f64, |m, p| m.max(p.0));
    let lo = (0.5 * h_min).max(1e-9 * h_max);
    let hi = 2.0 * h_max;
    if !(lo > 0.0 && hi > lo) {
        return Err(Error::VariogramFit {
            reason: "the lag distances do not span a usable range".into(),
        });
    }
    const STEPS: usize = 120;
    let ratio = (hi / lo).ln();
    let candidate = |i: usize| lo * (ratio * i as f64 / STEPS as f64).exp();
    let objective = |a: f64| fit_at_range(&pts, kind, a).2;
    let (mut best_i, mut best) = (0, f64::INFINITY);
    for i in 0..=STEPS {
        let c = objective(candidate(i));
        if c < best {
            best = c;
            best_i = i;
        }
    }
    // Golden-section refinement in log(range) between the neighbouring candidates.
    let (mut a, mut b) = (
        candidate(best_i.saturating_sub(1)).ln(),
        candidate((best_i + 1).min(STEPS)).ln(),
    );
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    let mut x1 = b - phi * (b - a);
    let mut x2 = a + phi * (b - a);
    let (mut f1, mut f2) = (objective(x1.exp()), objective(x2.exp()));
    for _ in 0..60 {
        if f1 <= f2 {
            b = x2;
            x2 = x1;
            f2 = f1;
            x1 = b - phi * (b - a);
            f1 = objective(x1.exp());
        } else {
            a = x1;
            x1 = x2;
            f1 = f2;
            x2 = a + phi * (b - a);
            f2 = objective(x2.exp());
        }
    }
    let refined = if f1 <= f2 { x1.exp() } else { x2.exp() };
    let range = if objective(refined) <= best {
        refined
    } else {
        candidate(best_i)
    };
    let (nugget, partial_sill, criterion) = fit_at_range(&pts, kind, range);
    if !(criterion.is_finite() && nugget.is_finite() && partial_sill.is_finite()) {
        return Err(Error::VariogramFit {
            reason: format!("the {} fit did not converge to finite values", kind.name()),
        });
    }
    let model = VariogramModel::new(kind, nugget, partial_sill, range).map_err(|e| {
        Error::VariogramFit {
            reason: format!("the {} fit gave an unusable model ({e})", kind.name()),
        }
    })?;
    Ok(FittedVariogram { model, criterion })
}

/// Fits every [`ModelKind`] and keeps the one with the smallest Cressie criterion.
///
/// # Errors
/// As [`fit_variogram`], when no kind can be fitted.
pub fn fit_best_variogram(experimental: &ExperimentalVariogram) -> Result<FittedVariogram, Error> {
    let mut best: Option<FittedVariogram> = None;
    let mut last_error = None;
    for kind in ModelKind::ALL {
        match fit_variogram(experimental, kind) {
            Ok(f) => {
                if best.is_none_or(|b| f.criterion < b.criterion) {
                    best = Some(f);
                }
            }
            Err(e) => last_error = Some(e),
        }
    }
    best.ok_or_else(|| last_error.expect("at least one kind was tried"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_have_their_textbook_values() {
        let sph = VariogramModel::new(ModelKind::Spherical, 1.0, 2.0, 10.0).unwrap();
        assert_eq!(sph.semivariance(0.0), 0.0);
        assert!((sph.semivariance(5.0) - (1.0 + 2.0 * (0.75 - 0.0625))).abs() < 1e-15);
        assert_eq!(sph.semivariance(10.0), 3.0);
        assert_eq!(sph.semivariance(50.0), 3.0);
        let exp = VariogramModel::new(ModelKind::Exponential, 0.0, 1.0, 10.0).unwrap();
        assert!((exp.semivariance(10.0) - 0.950_212_931_632_136).abs() < 1e-12);
        let gau = VariogramModel::new(ModelKind::Gaussian, 0.0, 1.0, 10.0).unwrap();
        assert!((gau.semivariance(10.0) - 0.950_212_931_632_136).abs() < 1e-12);
        assert!((gau.semivariance(5.0) - (1.0 - (-0.75f64).exp())).abs() < 1e-15);
        assert!(VariogramModel::new(ModelKind::Gaussian, -1.0, 1.0, 1.0).is_err());
        assert!(VariogramModel::new(ModelKind::Gaussian, 0.0, 0.0, 1.0).is_err());
        assert!(VariogramModel::new(ModelKind::Gaussian, 0.0, 1.0, 0.0).is_err());
        assert_eq!(ModelKind::from_name("Sph"), Some(ModelKind::Spherical));
        assert_eq!(ModelKind::from_name("linear"), None);
    }

    #[test]
    fn experimental_variogram_by_hand() {
        // Four samples on a line, spacing 1: values 0, 1, 3, 6.
        let pts = [[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [3.0, 0.0]];
        let z = [0.0, 1.0, 3.0, 6.0];
        let bins = LagBins {
            lag_width: 1.0,
            max_lag: 3.0,
        };
        let v = ExperimentalVariogram::compute(&pts, &z, bins).unwrap();
        assert_eq!(v.lags.len(), 3);
        // h = 1 lands in class [1, 2): pairs (0,1),(1,2),(2,3): diffs 1, 2, 3 → 14 / 6.
        assert_eq!(v.lags[0].pairs, 0);
        assert!(v.lags[0].semivariance.is_nan());
        assert_eq!(v.lags[1].pairs, 3);
        assert!((v.lags[1].semivariance - 14.0 / 6.0).abs() < 1e-15);
        assert!((v.lags[1].distance - 1.0).abs() < 1e-15);
        // h = 2 and h = 3 (the max lag, kept in the last class): diffs 3, 5 and 6.
        assert_eq!(v.lags[2].pairs, 3);
        assert!((v.lags[2].semivariance - (9.0 + 25.0 + 36.0) / 6.0).abs() < 1e-12);
        assert!((v.lags[2].distance - 7.0 / 3.0).abs() < 1e-15);
    }

    /// An experimental variogram whose lags lie exactly on `model`.
    fn on_model(model: &VariogramModel, lags: &[f64]) -> ExperimentalVariogram {
        ExperimentalVariogram {
            bins: LagBins {
                lag_width: 1.0,
                max_lag: lags.len() as f64,
            },
            lags: lags
                .iter()
                .enumerate()
                .map(|(i, h)| Lag {
                    from: i as f64,
                    to: i as f64 + 1.0,
                    distance: *h,
                    semivariance: model.semivariance(*h),
                    pairs: 50 + 10 * i as u64,
                })
                .collect(),
        }
    }

    #[test]
    fn fit_recovers_exact_models() {
        let lags: Vec<f64> = (1..=20).map(|i| i as f64 * 5.0 - 2.5).collect();
        for kind in ModelKind::ALL {
            let truth = VariogramModel::new(kind, 0.3, 1.7, 42.0).unwrap();
            let fit = fit_variogram(&on_model(&truth, &lags), kind).unwrap();
            let m = fit.model;
            assert!((m.range - 42.0).abs() < 1e-4 * 42.0, "{kind:?}: {m:?}");
            assert!((m.nugget - 0.3).abs() < 1e-4, "{kind:?}: {m:?}");
            assert!((m.partial_sill - 1.7).abs() < 1e-4, "{kind:?}: {m:?}");
            assert!(fit.criterion < 1e-8);
            let best = fit_best_variogram(&on_model(&truth, &lags)).unwrap();
            assert_eq!(best.model.kind, kind);
        }
    }

    #[test]
    fn fit_failures_are_clear() {
        let pts = [[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [3.0, 0.0], [4.0, 0.0]];
        let bins = LagBins {
            lag_width: 1.0,
            max_lag: 4.0,
        };
        let flat = ExperimentalVariogram::compute(&pts, &[2.0; 5], bins).unwrap();
        let e = fit_variogram(&flat, ModelKind::Spherical).unwrap_err();
        assert!(matches!(e, Error::VariogramFit { .. }));
        assert!(e.to_string().contains("all sample values are equal"), "{e}");
        let two_lags = ExperimentalVariogram::compute(
            &pts[..3],
            &[1.0, 2.0, 4.0],
            LagBins {
                lag_width: 1.0,
                max_lag: 2.0,
            },
        )
        .unwrap();
        let e = fit_best_variogram(&two_lags).unwrap_err();
        assert!(e.to_string().contains("at least 3"), "{e}");
        assert!(matches!(
            ExperimentalVariogram::compute(&pts[..1], &[1.0], bins),
            Err(Error::TooFewSamples { .. })
        ));
        assert!(matches!(
            ExperimentalVariogram::compute(
                &pts,
                &[1.0; 5],
                LagBins {
                    lag_width: 0.0,
                    max_lag: 1.0
                }
            ),
            Err(Error::InvalidParameter { .. })
        ));
    }

    #[test]
    fn suggested_bins_span_half_the_field() {
        let b = LagBins::suggest(&[[0.0, 0.0], [30.0, 40.0]]).unwrap();
        assert_eq!(b.max_lag, 25.0);
        assert_eq!(b.count(), 15);
        assert!(LagBins::suggest(&[[1.0, 1.0], [1.0, 1.0]]).is_none());
    }
}
