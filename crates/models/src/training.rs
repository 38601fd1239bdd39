//! Training data for the data-driven models: a feature matrix (rows = cells or sites, columns =
//! evidence layers) with map coordinates, deposits as positives, and unlabelled background
//! sampled with a declared, seeded strategy.
//!
//! Presence–background sampling follows Phillips et al. (2009) and the mineral-prospectivity
//! practice reviewed by Zuo & Carranza (2023): background cells are drawn at random from the
//! study area, optionally outside an exclusion buffer around every deposit (so that cells that
//! are likely mineralised are not labelled as background); class weighting as in King & Zeng
//! (2001) and scikit-learn's `class_weight="balanced"`: w_c = n / (2 n_c).
//!
//! Coordinates are map units of the project CRS (metres for a projected grid); the buffer is
//! a Euclidean distance in those units. A row with any non-finite feature is NoData: it is
//! never sampled as background, and a deposit on such a row is dropped and counted.

use nedra_core::random::SplitMix64;

use crate::Error;

/// A dense, row-major feature matrix with the map coordinates (x, y) of each row.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureMatrix {
    n_features: usize,
    values: Vec<f64>,
    x: Vec<f64>,
    y: Vec<f64>,
}

fn shape_error(name: &'static str, value: usize, requirement: &'static str) -> Error {
    Error::InvalidOption {
        name,
        value: value as f64,
        requirement,
    }
}

impl FeatureMatrix {
    /// A matrix of `x.len()` rows and `n_features` columns from row-major `values`, with the
    /// cell-centre (or site) coordinates `x`, `y` in map units.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] if `n_features` is 0, if `values.len() != x.len() * n_features`,
    /// if `x` and `y` differ in length, or if a coordinate is not finite.
    pub fn new(
        n_features: usize,
        values: Vec<f64>,
        x: Vec<f64>,
        y: Vec<f64>,
    ) -> Result<Self, Error> {
        if n_features == 0 {
            return Err(shape_error("n_features", 0, ">= 1"));
        }
        if x.len() != y.len() {
            return Err(shape_error("y.len()", y.len(), "equal to x.len()"));
        }
        if values.len() != x.len() * n_features {
            return Err(shape_error(
                "values.len()",
                values.len(),
                "x.len() × n_features",
            ));
        }
        if let Some(i) = x
            .iter()
            .zip(&y)
            .position(|(a, b)| !a.is_finite() || !b.is_finite())
        {
            return Err(shape_error(
                "row with a non-finite coordinate",
                i,
                "finite x and y",
            ));
        }
        Ok(Self {
            n_features,
            values,
            x,
            y,
        })
    }

    /// Number of rows (cells or sites).
    pub fn n_rows(&self) -> usize {
        self.x.len()
    }

    /// Number of features (evidence layers).
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// The features of row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.values[i * self.n_features..(i + 1) * self.n_features]
    }

    /// All values, row-major.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// x coordinates (map units).
    pub fn x(&self) -> &[f64] {
        &self.x
    }

    /// y coordinates (map units).
    pub fn y(&self) -> &[f64] {
        &self.y
    }

    /// Whether every feature of row `i` is finite (rows that are not are NoData).
    pub fn is_complete(&self, i: usize) -> bool {
        self.row(i).iter().all(|v| v.is_finite())
    }
}

/// How the two classes are weighted in training (King & Zeng 2001).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum ClassWeighting {
    /// Every sample weighs 1.
    #[default]
    None,
    /// Each class weighs half: w_c = n / (2 n_c), as scikit-learn's `class_weight="balanced"`.
    Balanced,
    /// Given weights per positive and per background sample.
    Explicit {
        /// Weight of each positive (deposit) sample.
        positive: f64,
        /// Weight of each background sample.
        background: f64,
    },
}

/// Options of [`sample_training_set`]: the declared background-sampling strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplingOptions {
    /// Background samples to draw, without replacement (all eligible rows if fewer).
    pub background_count: usize,
    /// Exclusion buffer in map units: no background within this distance of a deposit
    /// (0: only the deposit rows themselves are excluded).
    pub exclusion_buffer: f64,
    /// Class weighting.
    pub class_weighting: ClassWeighting,
    /// Seed of the draw.
    pub seed: u64,
}

impl Default for SamplingOptions {
    fn default() -> Self {
        Self {
            background_count: 1000,
            exclusion_buffer: 0.0,
            class_weighting: ClassWeighting::None,
            seed: 42,
        }
    }
}

/// The rows eligible as background: complete rows that are not deposits and lie farther than
/// the exclusion buffer from every deposit.
#[derive(Debug, Clone, PartialEq)]
pub struct BackgroundPool {
    rows: Vec<usize>,
    exclusion_buffer: f64,
}

impl BackgroundPool {
    /// The pool of `matrix` for deposits on rows `positives`, excluding rows within
    /// `exclusion_buffer` map units (Euclidean, inclusive) of any deposit row.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] if the buffer is negative or not finite, or a positive row is
    /// out of range.
    pub fn new(
        matrix: &FeatureMatrix,
        positives: &[usize],
        exclusion_buffer: f64,
    ) -> Result<Self, Error> {
        if !(exclusion_buffer.is_finite() && exclusion_buffer >= 0.0) {
            return Err(Error::InvalidOption {
                name: "exclusion_buffer",
                value: exclusion_buffer,
                requirement: "finite and >= 0 (map units)",
            });
        }
        check_rows(matrix, positives)?;
        let mut is_positive = vec![false; matrix.n_rows()];
        for &p in positives {
            is_positive[p] = true;
        }
        // Deposits sorted by x, so each cell scans only deposits within the buffer in x.
        let mut deposits: Vec<(f64, f64)> = positives
            .iter()
            .map(|&p| (matrix.x[p], matrix.y[p]))
            .collect();
        deposits.sort_by(|a, b| a.0.total_cmp(&b.0));
        let r2 = exclusion_buffer * exclusion_buffer;
        let rows = (0..matrix.n_rows())
            .filter(|&i| {
                if is_positive[i] || !matrix.is_complete(i) {
                    return false;
                }
                if exclusion_buffer == 0.0 {
                    return true;
                }
                let (x, y) = (matrix.x[i], matrix.y[i]);
                let start = deposits.partition_point(|d| d.0 < x - exclusion_buffer);
                !deposits[start..]
                    .iter()
                    .take_while(|d| d.0 <= x + exclusion_buffer)
                    .any(|d| (d.0 - x).powi(2) + (d.1 - y).powi(2) <= r2)
            })
            .collect();
        Ok(Self {
            rows,
            exclusion_buffer,
        })
    }

    /// The eligible rows, increasing.
    pub fn rows(&self) -> &[usize] {
        &self.rows
    }

    /// The exclusion buffer (map units).
    pub fn exclusion_buffer(&self) -> f64 {
        self.exclusion_buffer
    }

    /// `count` rows drawn uniformly without replacement (partial Fisher–Yates), increasing;
    /// the whole pool if it is smaller. Same seed → same rows.
    pub fn sample(&self, count: usize, seed: u64) -> Vec<usize> {
        if count >= self.rows.len() {
            return self.rows.clone();
        }
        let mut rng = SplitMix64::new(seed);
        let mut pool = self.rows.clone();
        for i in 0..count {
            let j = i + rng.below(pool.len() - i);
            pool.swap(i, j);
        }
        pool.truncate(count);
        pool.sort_unstable();
        pool
    }
}

fn check_rows(matrix: &FeatureMatrix, rows: &[usize]) -> Result<(), Error> {
    match rows.iter().find(|&&r| r >= matrix.n_rows()) {
        Some(&r) => Err(shape_error("row index", r, "< the matrix's row count")),
        None => Ok(()),
    }
}

/// Labelled, weighted samples with their coordinates: the input of every [`crate::Learner`].
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingSet {
    n_features: usize,
    features: Vec<f64>,
    labels: Vec<bool>,
    weights: Vec<f64>,
    x: Vec<f64>,
    y: Vec<f64>,
    source_rows: Vec<usize>,
    dropped_positives: usize,
}

impl TrainingSet {
    /// Samples given directly: row-major `features`, labels (true = deposit), coordinates;
    /// every weight 1 and `source_rows` = 0, 1, 2, ….
    ///
    /// # Errors
    /// [`Error::InvalidOption`] on inconsistent lengths or a non-finite value.
    pub fn new(
        n_features: usize,
        features: Vec<f64>,
        labels: Vec<bool>,
        x: Vec<f64>,
        y: Vec<f64>,
    ) -> Result<Self, Error> {
        if n_features == 0 {
            return Err(shape_error("n_features", 0, ">= 1"));
        }
        let n = labels.len();
        if features.len() != n * n_features || x.len() != n || y.len() != n {
            return Err(shape_error(
                "features.len()",
                features.len(),
                "labels.len() × n_features, with one x and one y per label",
            ));
        }
        if let Some(i) = features
            .iter()
            .chain(&x)
            .chain(&y)
            .position(|v| !v.is_finite())
        {
            return Err(shape_error(
                "index of a non-finite value",
                i,
                "finite features and coordinates",
            ));
        }
        Ok(Self {
            n_features,
            features,
            labels,
            weights: vec![1.0; n],
            x,
            y,
            source_rows: (0..n).collect(),
            dropped_positives: 0,
        })
    }

    /// Positives on rows `positives` and background on rows `background` of `matrix`
    /// (positives first), weighted by `weighting`. Positives on incomplete rows are dropped
    /// and counted in [`TrainingSet::dropped_positives`].
    ///
    /// # Errors
    /// [`Error::InvalidOption`] if a row is out of range, a background row is incomplete, or
    /// an explicit weight is not finite and > 0.
    pub fn from_rows(
        matrix: &FeatureMatrix,
        positives: &[usize],
        background: &[usize],
        weighting: ClassWeighting,
    ) -> Result<Self, Error> {
        check_rows(matrix, positives)?;
        check_rows(matrix, background)?;
        if let Some(&r) = background.iter().find(|&&r| !matrix.is_complete(r)) {
            return Err(shape_error(
                "background row",
                r,
                "a row with finite features",
            ));
        }
        let kept: Vec<usize> = positives
            .iter()
            .copied()
            .filter(|&r| matrix.is_complete(r))
            .collect();
        let dropped_positives = positives.len() - kept.len();
        let n = kept.len() + background.len();
        let mut set = Self {
            n_features: matrix.n_features,
            features: Vec::with_capacity(n * matrix.n_features),
            labels: Vec::with_capacity(n),
            weights: vec![1.0; n],
            x: Vec::with_capacity(n),
            y: Vec::with_capacity(n),
            source_rows: Vec::with_capacity(n),
            dropped_positives,
        };
        for (rows, label) in [(&kept[..], true), (background, false)] {
            for &r in rows {
                set.features.extend_from_slice(matrix.row(r));
                set.labels.push(label);
                set.x.push(matrix.x[r]);
                set.y.push(matrix.y[r]);
                set.source_rows.push(r);
            }
        }
        set.with_class_weighting(weighting)
    }

    /// This set with its weights replaced according to `weighting`.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] if an explicit weight is not finite and > 0.
    pub fn with_class_weighting(mut self, weighting: ClassWeighting) -> Result<Self, Error> {
        let n = self.labels.len() as f64;
        let n_pos = self.positives() as f64;
        let (wp, wb) = match weighting {
            ClassWeighting::None => (1.0, 1.0),
            ClassWeighting::Balanced => (
                if n_pos > 0.0 { n / (2.0 * n_pos) } else { 1.0 },
                if n > n_pos {
                    n / (2.0 * (n - n_pos))
                } else {
                    1.0
                },
            ),
            ClassWeighting::Explicit {
                positive,
                background,
            } => {
                for (name, v) in [
                    ("positive weight", positive),
                    ("background weight", background),
                ] {
                    if !(v.is_finite() && v > 0.0) {
                        return Err(Error::InvalidOption {
                            name,
                            value: v,
                            requirement: "finite and > 0",
                        });
                    }
                }
                (positive, background)
            }
        };
        for (w, &l) in self.weights.iter_mut().zip(&self.labels) {
            *w = if l { wp } else { wb };
        }
        Ok(self)
    }

    /// The samples at `indices` (in that order), keeping their weights and source rows.
    pub fn subset(&self, indices: &[usize]) -> Self {
        let p = self.n_features;
        let mut s = Self {
            n_features: p,
            features: Vec::with_capacity(indices.len() * p),
            labels: Vec::with_capacity(indices.len()),
            weights: Vec::with_capacity(indices.len()),
            x: Vec::with_capacity(indices.len()),
            y: Vec::with_capacity(indices.len()),
            source_rows: Vec::with_capacity(indices.len()),
            dropped_positives: 0,
        };
        for &i in indices {
            s.features.extend_from_slice(self.row(i));
            s.labels.push(self.labels[i]);
            s.weights.push(self.weights[i]);
            s.x.push(self.x[i]);
            s.y.push(self.y[i]);
            s.source_rows.push(self.source_rows[i]);
        }
        s
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Features of sample `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.features[i * self.n_features..(i + 1) * self.n_features]
    }

    /// All features, row-major.
    pub fn features(&self) -> &[f64] {
        &self.features
    }

    /// Labels (true = deposit).
    pub fn labels(&self) -> &[bool] {
        &self.labels
    }

    /// Sample weights.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// x coordinates (map units).
    pub fn x(&self) -> &[f64] {
        &self.x
    }

    /// y coordinates (map units).
    pub fn y(&self) -> &[f64] {
        &self.y
    }

    /// The matrix row each sample came from.
    pub fn source_rows(&self) -> &[usize] {
        &self.source_rows
    }

    /// Number of positive samples.
    pub fn positives(&self) -> usize {
        self.labels.iter().filter(|&&l| l).count()
    }

    /// Deposits dropped because their row had a non-finite feature.
    pub fn dropped_positives(&self) -> usize {
        self.dropped_positives
    }
}

/// Deposits on rows `positives` and `background_count` background rows drawn at random
/// (outside the exclusion buffer) from `matrix`, weighted as declared.
///
/// # Errors
/// As [`BackgroundPool::new`] and [`TrainingSet::from_rows`].
pub fn sample_training_set(
    matrix: &FeatureMatrix,
    positives: &[usize],
    options: &SamplingOptions,
) -> Result<TrainingSet, Error> {
    let pool = BackgroundPool::new(matrix, positives, options.exclusion_buffer)?;
    let background = pool.sample(options.background_count, options.seed);
    TrainingSet::from_rows(matrix, positives, &background, options.class_weighting)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 10 × 10 grid of 1-unit cells, features (col, row), one NoData cell.
    fn grid() -> FeatureMatrix {
        let (mut v, mut x, mut y) = (vec![], vec![], vec![]);
        for r in 0..10 {
            for c in 0..10 {
                v.extend([c as f64, if (r, c) == (9, 9) { f64::NAN } else { r as f64 }]);
                x.push(c as f64 + 0.5);
                y.push(r as f64 + 0.5);
            }
        }
        FeatureMatrix::new(2, v, x, y).unwrap()
    }

    #[test]
    fn pool_excludes_deposits_buffer_and_nodata() {
        let m = grid();
        let pool = BackgroundPool::new(&m, &[0, 55], 1.0).unwrap();
        // Brute force.
        let expected: Vec<usize> = (0..100)
            .filter(|&i| {
                i != 99
                    && [0usize, 55].iter().all(|&d| {
                        let dx = m.x()[i] - m.x()[d];
                        let dy = m.y()[i] - m.y()[d];
                        dx * dx + dy * dy > 1.0
                    })
            })
            .collect();
        assert_eq!(pool.rows(), &expected[..]);
        assert_eq!(pool.rows().len(), 100 - 1 - 3 - 5);
        assert!(BackgroundPool::new(&m, &[0], -1.0).is_err());
        assert!(BackgroundPool::new(&m, &[100], 0.0).is_err());
    }

    #[test]
    fn sampling_is_seeded_and_weighted() {
        let m = grid();
        let options = SamplingOptions {
            background_count: 20,
            exclusion_buffer: 1.5,
            class_weighting: ClassWeighting::Balanced,
            seed: 3,
        };
        let a = sample_training_set(&m, &[11, 99], &options).unwrap();
        let b = sample_training_set(&m, &[11, 99], &options).unwrap();
        assert_eq!(a, b);
        let c = sample_training_set(
            &m,
            &[11, 99],
            &SamplingOptions {
                seed: 4,
                ..options.clone()
            },
        )
        .unwrap();
        assert_ne!(a.source_rows(), c.source_rows());
        assert_eq!((a.len(), a.positives(), a.dropped_positives()), (21, 1, 1));
        let total_pos: f64 = a
            .weights()
            .iter()
            .zip(a.labels())
            .filter(|p| *p.1)
            .map(|p| p.0)
            .sum();
        let total: f64 = a.weights().iter().sum();
        assert!((total_pos - total / 2.0).abs() < 1e-12);
        let mut rows = a.source_rows()[1..].to_vec();
        rows.dedup();
        assert_eq!(rows.len(), 20, "without replacement");
        assert_eq!(a.row(0), &[1.0, 1.0]);
        assert_eq!((a.x()[0], a.y()[0]), (1.5, 1.5));
    }
}
