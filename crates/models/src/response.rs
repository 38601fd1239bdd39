//! Weights-of-evidence response: posterior probability, its standard deviation and
//! confidence per cell.
//!
//! Sources: Bonham-Carter (1994), *Geographic Information Systems for Geoscientists*, ch. 9
//! (posterior logit = prior logit + Σ weights; variance of the posterior), and Agterberg,
//! Bonham-Carter & Wright (1990), "Statistical pattern integration for mineral exploration"
//! (variance due to missing evidence), as implemented by ArcSDM's Calculate Response
//! (`missingdatavar_func.py`) and GA's `MPM-WofE`.

use crate::{Error, WeightsTable};

/// The prior of a weights-of-evidence model: D deposits in a study area of T unit cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Response {
    total_deposits: u64,
    total_area_units: f64,
    prior_probability: f64,
    prior_logit: f64,
    deposit_variance: f64,
}

/// Posterior of one cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellResponse {
    /// PP = 1 / (1 + exp(−(logit(prior) + Σ WEIGHT))).
    pub posterior_probability: f64,
    /// STD = sqrt(PP² · (1/D + Σ W_STD²) + missing-data variance), over present layers.
    pub standard_deviation: f64,
    /// CONF = PP / STD.
    pub confidence: f64,
    /// Σ over missing layers of the variance due to the missing evidence (0 if none).
    pub missing_data_variance: f64,
}

/// What the response needs to know about one evidence layer to account for cells where its
/// evidence is missing (NoData): the weight and the area fraction of each generalised class.
///
/// Build it once per layer with [`LayerSummary::from_table`]; a layer without NoData can use
/// [`LayerSummary::default`], which adds no variance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LayerSummary {
    /// (WEIGHT, area fraction) per generalised class with a non-zero weight.
    classes: Vec<(f64, f64)>,
}

impl LayerSummary {
    /// Summarises a weights table: rows are grouped by GEN_CLASS; each group's area fraction
    /// is its summed CLASS_AREA over the table's total CLASS_AREA (the area where the layer
    /// has data, as in ArcSDM), and its weight is WEIGHT (equal within a group).
    ///
    /// For a generalised cumulative table this gives the two classes of the binary pattern
    /// (GEN_CLASS 2 with W+, GEN_CLASS 1 with W−) as in Agterberg et al. (1990). For a
    /// categorical table with more than two classes it gives one term per (generalised) class,
    /// the natural generalisation Σ_k (P(D|A_k) − P(D))² · P(A_k), which is also what
    /// ArcSDM computes (one term per distinct weight). Classes of weight 0 (e.g. GEN_CLASS 999)
    /// contribute nothing and are dropped.
    ///
    /// # Errors
    /// [`Error::MissingValue`] if a row lacks a finite, non-negative CLASS_AREA or a finite
    /// WEIGHT; [`Error::EmptyHistogram`] if the total CLASS_AREA is 0.
    pub fn from_table(table: &WeightsTable) -> Result<Self, Error> {
        // (gen_class, weight, area km²)
        let mut groups: Vec<(i64, f64, f64)> = Vec::new();
        let mut total = 0.0;
        for row in &table.rows {
            if !(row.class_area_km2.is_finite() && row.class_area_km2 >= 0.0) {
                return Err(Error::MissingValue {
                    class: row.class,
                    column: "CLASS_AREA",
                });
            }
            if !row.weight.is_finite() {
                return Err(Error::MissingValue {
                    class: row.class,
                    column: "WEIGHT",
                });
            }
            total += row.class_area_km2;
            match groups.iter_mut().find(|g| g.0 == row.gen_class) {
                Some(g) => g.2 += row.class_area_km2,
                None => groups.push((row.gen_class, row.weight, row.class_area_km2)),
            }
        }
        if total <= 0.0 {
            return Err(Error::EmptyHistogram);
        }
        Ok(Self {
            classes: groups
                .into_iter()
                .filter(|g| g.1 != 0.0)
                .map(|(_, weight, area)| (weight, area / total))
                .collect(),
        })
    }

    /// A summary from (WEIGHT, area fraction) pairs of the layer's generalised classes; the
    /// fractions should sum to 1.
    pub fn from_classes(classes: impl IntoIterator<Item = (f64, f64)>) -> Self {
        Self {
            classes: classes.into_iter().filter(|c| c.0 != 0.0).collect(),
        }
    }

    /// (WEIGHT, area fraction) of each generalised class with a non-zero weight.
    pub fn classes(&self) -> &[(f64, f64)] {
        &self.classes
    }

    /// Variance of the posterior probability due to this layer's missing evidence at a cell
    /// whose posterior logit, from the layers present there, is `posterior_logit`:
    /// Σ_k (P(D|A_k) − P(D))² · P(A_k), where P(D) = logistic(`posterior_logit`) and
    /// P(D|A_k) = logistic(`posterior_logit` + W_k) (Agterberg et al. 1990; ArcSDM).
    ///
    /// Pass the prior logit to get the per-layer constant of the textbook two-class form
    /// (P(D|A) − P(D))²·P(A) + (P(D|Ā) − P(D))²·P(Ā) with P(D) the prior.
    pub fn missing_data_variance(&self, posterior_logit: f64) -> f64 {
        let p = logistic(posterior_logit);
        self.classes
            .iter()
            .map(|&(weight, fraction)| {
                let diff = logistic(posterior_logit + weight) - p;
                diff * diff * fraction
            })
            .sum()
    }
}

/// 1 / (1 + exp(−x)), written as in GA's and ArcSDM's response.
#[inline]
fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl Response {
    /// The model prior: prior probability D/T and its logit ln(D / (T − D)), with
    /// D = `total_deposits` points and T = `total_area_units` unit cells.
    ///
    /// # Errors
    /// [`Error::ZeroDeposits`] if D = 0; [`Error::AreaTooSmall`] unless T > D + 1 (the same
    /// condition as [`crate::calculate_weights`]).
    pub fn new(total_deposits: u64, total_area_units: f64) -> Result<Self, Error> {
        if total_deposits == 0 {
            return Err(Error::ZeroDeposits);
        }
        let d = total_deposits as f64;
        if !(total_area_units.is_finite() && total_area_units > d + 1.0) {
            return Err(Error::AreaTooSmall {
                total_area_units,
                deposits: total_deposits,
            });
        }
        Ok(Self {
            total_deposits,
            total_area_units,
            prior_probability: d / total_area_units,
            prior_logit: (d / (total_area_units - d)).ln(),
            deposit_variance: 1.0 / d,
        })
    }

    /// D, the number of deposit points.
    pub fn total_deposits(&self) -> u64 {
        self.total_deposits
    }

    /// T, the study area in unit cells.
    pub fn total_area_units(&self) -> f64 {
        self.total_area_units
    }

    /// Prior probability D/T (deposits per unit cell).
    pub fn prior_probability(&self) -> f64 {
        self.prior_probability
    }

    /// logit(prior) = ln(D / (T − D)).
    pub fn prior_logit(&self) -> f64 {
        self.prior_logit
    }

    /// Posterior of one cell from the (WEIGHT, W_STD) of each layer there, `None` where a
    /// layer's evidence is missing (NoData).
    ///
    /// PP = 1/(1+exp(−(logit(prior) + Σ WEIGHT))) and
    /// STD = sqrt(PP² · (1/D + Σ W_STD²) + Σ_missing Var_j), CONF = PP/STD (Bonham-Carter
    /// 1994, ch. 9). A missing layer has weight 0, and adds
    /// `layers[j].missing_data_variance(logit PP)` (Agterberg et al. 1990), where logit PP is
    /// the cell's posterior logit from its present layers, as in ArcSDM. Allocation-free.
    ///
    /// # Panics
    /// If `layers` and `evidence` differ in length (one summary per layer, in the same order).
    #[inline]
    pub fn cell(&self, layers: &[LayerSummary], evidence: &[Option<(f64, f64)>]) -> CellResponse {
        assert_eq!(
            layers.len(),
            evidence.len(),
            "one LayerSummary per evidence layer"
        );
        let mut logit = self.prior_logit;
        let mut variance = self.deposit_variance;
        let mut any_missing = false;
        for e in evidence {
            match *e {
                Some((weight, w_std)) => {
                    logit += weight;
                    variance += w_std * w_std;
                }
                None => any_missing = true,
            }
        }
        let posterior_probability = logistic(logit);
        let mut missing_data_variance = 0.0;
        if any_missing {
            for (layer, e) in layers.iter().zip(evidence) {
                if e.is_none() {
                    missing_data_variance += layer.missing_data_variance(logit);
                }
            }
        }
        let standard_deviation = (posterior_probability * posterior_probability * variance
            + missing_data_variance)
            .sqrt();
        CellResponse {
            posterior_probability,
            standard_deviation,
            confidence: posterior_probability / standard_deviation,
            missing_data_variance,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{WeightsRow, WeightsType};

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * a.abs().max(b.abs())
    }

    const T: f64 = 31311.33;

    #[test]
    fn cloncurry_prior() {
        let r = Response::new(258, T).unwrap();
        assert!(close(r.prior_probability(), 0.0082398288, 1e-8));
        assert!(close(r.prior_logit(), -4.790501743, 1e-9));
    }

    #[test]
    fn hand_computed_cell() {
        // FaultDensity class 2 and StratNo class 2 of the published binary tables.
        let r = Response::new(258, T).unwrap();
        let ev = [
            Some((0.612572419636479, 0.0736856387755134)),
            Some((1.33464258007767, 0.160589552693209)),
        ];
        let layers = [LayerSummary::default(), LayerSummary::default()];
        let c = r.cell(&layers, &ev);
        // logit = ln(258/31053.33) + 0.612572419636479 + 1.33464258007767
        //       = -4.790501743066337 + 1.94721500771415 = -2.843286743352188
        // PP = 1/(1+exp(2.843286743352188)) = 0.05502937320266147
        let pp = 0.05502937320266147;
        assert!(close(c.posterior_probability, pp, 1e-12));
        let var = 1.0 / 258.0 + 0.0736856387755134f64.powi(2) + 0.160589552693209f64.powi(2);
        assert!(close(c.standard_deviation, pp * var.sqrt(), 1e-12));
        assert!(close(c.confidence, 1.0 / var.sqrt(), 1e-12));
        assert_eq!(c.missing_data_variance, 0.0);
    }

    #[test]
    fn missing_layer_variance_two_class() {
        // One layer (StratNo binary), missing at the cell: weight 0 and the textbook
        // (P(D|A)−P(D))²P(A) + (P(D|Ā)−P(D))²P(Ā) with P(D) the prior.
        let table = WeightsTable {
            kind: WeightsType::Binary,
            rows: vec![
                row(1, 30003.91, -0.126793936032072),
                row(2, 1307.42, 1.33464258007767),
            ],
        };
        let summary = LayerSummary::from_table(&table).unwrap();
        let r = Response::new(258, T).unwrap();
        let c = r.cell(&[summary], &[None]);
        let p = 258.0 / T;
        let odds = 258.0 / (T - 258.0);
        let post = |w: f64| odds * w.exp() / (1.0 + odds * w.exp());
        let md = (post(1.33464258007767) - p).powi(2) * (1307.42 / T)
            + (post(-0.126793936032072) - p).powi(2) * (30003.91 / T);
        assert!(close(c.posterior_probability, p, 1e-12));
        assert!(close(c.missing_data_variance, md, 1e-9));
        assert!(close(
            c.standard_deviation,
            (p * p / 258.0 + md).sqrt(),
            1e-9
        ));
    }

    #[test]
    fn generalised_table_groups_by_gen_class() {
        let mut rows = vec![row(10, 1.0, 0.5), row(9, 2.0, 0.5), row(8, 7.0, -0.3)];
        rows[0].gen_class = 2;
        rows[1].gen_class = 2;
        rows[2].gen_class = 1;
        let s = LayerSummary::from_table(&WeightsTable {
            kind: WeightsType::Descending,
            rows,
        })
        .unwrap();
        assert_eq!(s.classes(), &[(0.5, 0.3), (-0.3, 0.7)]);
        // 999 tables (weight 0) add nothing.
        let mut flat = row(1, 5.0, 0.0);
        flat.gen_class = 999;
        let s = LayerSummary::from_table(&WeightsTable {
            kind: WeightsType::Ascending,
            rows: vec![flat],
        })
        .unwrap();
        assert_eq!(s.missing_data_variance(-3.0), 0.0);
        let mut nan = row(1, f64::NAN, 0.0);
        nan.gen_class = 1;
        assert!(matches!(
            LayerSummary::from_table(&WeightsTable {
                kind: WeightsType::Ascending,
                rows: vec![nan],
            }),
            Err(Error::MissingValue {
                column: "CLASS_AREA",
                ..
            })
        ));
    }

    #[test]
    fn new_rejects_bad_priors() {
        assert!(matches!(Response::new(0, 10.0), Err(Error::ZeroDeposits)));
        assert!(matches!(
            Response::new(10, 10.5),
            Err(Error::AreaTooSmall { .. })
        ));
        assert!(matches!(
            Response::new(10, f64::NAN),
            Err(Error::AreaTooSmall { .. })
        ));
    }

    fn row(class: i64, area: f64, weight: f64) -> WeightsRow {
        WeightsRow {
            class,
            class_area_km2: area,
            area_km2: area,
            area_units: area,
            deposits: None,
            w_plus: weight,
            s_w_plus: 0.1,
            w_minus: f64::NAN,
            s_w_minus: f64::NAN,
            contrast: f64::NAN,
            s_contrast: f64::NAN,
            studentized_contrast: f64::NAN,
            gen_class: class,
            weight,
            w_std: 0.1,
        }
    }
}
