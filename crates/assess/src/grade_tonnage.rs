//! Grade–tonnage models: how big an undiscovered deposit is and what it grades.
//!
//! Ore tonnage is log-normal: log₁₀(tonnage in Mt) is normal (base-10 logarithms throughout,
//! as in the USGS grade–tonnage literature, Singer & Menzie 2010). Grades are compositional:
//! the grades (in %) and the gangue remainder (100 % minus their sum) are mapped to
//! isometric log-ratio (ilr) coordinates with the pivot basis of Egozcue et al. (2003), which
//! are multivariate normal, as in MapMark4 (Ellefsen 2017). log₁₀ tonnage and the ilr
//! coordinates are jointly normal; their cross-covariance carries an optional tonnage–grade
//! correlation (zero for independent grades).
//!
//! A model is a data file (JSON) holding either a table of deposits (name, ore tonnage in
//! Mt, grades in %) from which the parameters are fitted, or the fitted parameters, and
//! always a `source` saying where it comes from.

use std::path::Path;

use nedra_core::linalg::cholesky;
use nedra_core::random::Stream;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The shipped EXAMPLE grade–tonnage model (carbonatite-hosted REE; invented values, not a
/// published model), as JSON — for demonstrations and tests only.
pub const EXAMPLE_CARBONATITE_REE_MODEL: &str =
    include_str!("../models/example_carbonatite_ree.json");

/// A discovered deposit of a grade–tonnage table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deposit {
    /// Deposit name.
    pub name: String,
    /// Ore tonnage in millions of metric tons (Mt).
    pub tonnage_mt: f64,
    /// Grades in percent, in the order of the model's `grade_names`.
    pub grades_percent: Vec<f64>,
}

/// Fitted parameters: the joint normal law of (log₁₀ tonnage in Mt, ilr coordinates).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedParameters {
    /// Mean of log₁₀(ore tonnage in Mt).
    pub log10_tonnage_mt_mean: f64,
    /// Standard deviation of log₁₀(ore tonnage in Mt).
    pub log10_tonnage_mt_sd: f64,
    /// Means of the ilr coordinates (one fewer than grades + gangue).
    pub ilr_mean: Vec<f64>,
    /// Covariance matrix of the ilr coordinates.
    pub ilr_covariance: Vec<Vec<f64>>,
    /// Covariances of log₁₀ tonnage with each ilr coordinate (zeros: independent grades).
    pub tonnage_ilr_covariance: Vec<f64>,
}

/// A grade–tonnage model as stored in a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeTonnageModel {
    /// Model name (e.g. "carbonatite REE").
    pub name: String,
    /// Where the model comes from (publication, database, or "EXAMPLE — not a published model").
    pub source: String,
    /// Names of the graded commodities (e.g. "TREO", "Nb2O5"); grades are in percent.
    pub grade_names: Vec<String>,
    /// Discovered deposits (used when `fitted` is absent).
    #[serde(default)]
    pub deposits: Vec<Deposit>,
    /// Fitted parameters (take precedence over `deposits`).
    #[serde(default)]
    pub fitted: Option<FittedParameters>,
    /// Whether a fit from deposits keeps the tonnage–grade covariance (default true).
    #[serde(default = "default_true")]
    pub correlate_tonnage_and_grades: bool,
}

fn default_true() -> bool {
    true
}

/// Pivot ilr coordinates (Egozcue et al. 2003) of a composition with positive parts.
pub fn ilr(parts: &[f64]) -> Vec<f64> {
    let d = parts.len();
    let logs: Vec<f64> = parts.iter().map(|x| x.ln()).collect();
    (0..d - 1)
        .map(|i| {
            let rest = (d - i - 1) as f64;
            let mean_rest = logs[i + 1..].iter().sum::<f64>() / rest;
            (rest / (rest + 1.0)).sqrt() * (logs[i] - mean_rest)
        })
        .collect()
}

/// Inverse of [`ilr`]: the composition (closed to sum 1) with these coordinates.
pub fn ilr_inverse(coordinates: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; coordinates.len() + 1];
    ilr_inverse_into(coordinates, &mut out);
    out
}

fn ilr_inverse_into(z: &[f64], out: &mut [f64]) {
    let d = z.len() + 1;
    // clr_j = Σ_i z_i e_i(j): e_i(i) = √((d−i−1)/(d−i)), e_i(j>i) = −1/√((d−i−1)(d−i)).
    out.iter_mut().for_each(|v| *v = 0.0);
    for (i, zi) in z.iter().enumerate() {
        let rest = (d - i - 1) as f64;
        out[i] += zi * (rest / (rest + 1.0)).sqrt();
        let other = -zi / (rest * (rest + 1.0)).sqrt();
        for v in out.iter_mut().skip(i + 1) {
            *v += other;
        }
    }
    let max = out.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    for v in out.iter_mut() {
        *v = (*v - max).exp();
        total += *v;
    }
    out.iter_mut().for_each(|v| *v /= total);
}

impl GradeTonnageModel {
    /// Reads a model from a JSON file and checks it.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::Json`], and the errors of [`GradeTonnageModel::parameters`].
    pub fn from_json_file(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let model: Self = serde_json::from_str(&text).map_err(|source| Error::Json {
            path: path.to_path_buf(),
            source,
        })?;
        model.parameters()?;
        Ok(model)
    }

    /// Reads a table of deposits from CSV: columns `name`, `tonnage_mt`, then one column per
    /// grade in percent (its header is the commodity name).
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::Csv`] (names the line), [`Error::InvalidModel`] for a missing
    /// column or a non-numeric cell, and the errors of [`GradeTonnageModel::parameters`].
    pub fn from_deposit_csv(path: &Path, name: &str, source: &str) -> Result<Self, Error> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|source| Error::Csv {
                path: path.to_path_buf(),
                source,
            })?;
        let headers = reader
            .headers()
            .map_err(|source| Error::Csv {
                path: path.to_path_buf(),
                source,
            })?
            .clone();
        let invalid = |detail: String| Error::InvalidModel {
            model: name.to_string(),
            detail: format!("{}: {detail}", path.display()),
        };
        if headers.len() < 3 || &headers[0] != "name" || &headers[1] != "tonnage_mt" {
            return Err(invalid(
                "columns must be name, tonnage_mt, then one grade column (%) per commodity".into(),
            ));
        }
        let grade_names: Vec<String> = headers.iter().skip(2).map(str::to_string).collect();
        let mut deposits = vec![];
        for (row, record) in reader.records().enumerate() {
            let record = record.map_err(|source| Error::Csv {
                path: path.to_path_buf(),
                source,
            })?;
            let line = row + 2;
            let number = |column: usize| -> Result<f64, Error> {
                record[column].parse::<f64>().map_err(|_| {
                    invalid(format!(
                        "line {line}, column {:?}: {:?} is not a number",
                        &headers[column], &record[column]
                    ))
                })
            };
            deposits.push(Deposit {
                name: record[0].to_string(),
                tonnage_mt: number(1)?,
                grades_percent: (2..headers.len()).map(number).collect::<Result<_, _>>()?,
            });
        }
        let model = GradeTonnageModel {
            name: name.to_string(),
            source: source.to_string(),
            grade_names,
            deposits,
            fitted: None,
            correlate_tonnage_and_grades: true,
        };
        model.parameters()?;
        Ok(model)
    }

    fn invalid(&self, detail: impl Into<String>) -> Error {
        Error::InvalidModel {
            model: self.name.clone(),
            detail: detail.into(),
        }
    }

    /// The fitted parameters: as given, or fitted from the deposits (sample means and
    /// covariances with divisor n − 1 of log₁₀ tonnage and the ilr coordinates of
    /// grades + gangue).
    ///
    /// # Errors
    /// [`Error::EmptyGradeTonnageModel`] with neither deposits nor parameters;
    /// [`Error::InvalidModel`] for non-positive tonnage, grades outside (0, 100) or summing to
    /// 100 % or more, dimension mismatches, fewer deposits than coordinates + 2, or a
    /// covariance that is not positive definite.
    pub fn parameters(&self) -> Result<FittedParameters, Error> {
        if self.grade_names.is_empty() {
            return Err(self.invalid("no grade columns: at least one commodity is needed"));
        }
        let k = self.grade_names.len();
        let parameters = if let Some(fitted) = &self.fitted {
            fitted.clone()
        } else {
            if self.deposits.is_empty() {
                return Err(Error::EmptyGradeTonnageModel {
                    model: self.name.clone(),
                });
            }
            let mut rows = Vec::with_capacity(self.deposits.len());
            for deposit in &self.deposits {
                if !(deposit.tonnage_mt > 0.0 && deposit.tonnage_mt.is_finite()) {
                    return Err(self.invalid(format!(
                        "deposit {:?}: tonnage {} Mt is not positive",
                        deposit.name, deposit.tonnage_mt
                    )));
                }
                if deposit.grades_percent.len() != k {
                    return Err(self.invalid(format!(
                        "deposit {:?}: {} grades for {} commodities",
                        deposit.name,
                        deposit.grades_percent.len(),
                        k
                    )));
                }
                let sum: f64 = deposit.grades_percent.iter().sum();
                if deposit
                    .grades_percent
                    .iter()
                    .any(|g| !(*g > 0.0 && *g < 100.0))
                    || sum >= 100.0
                {
                    return Err(self.invalid(format!(
                        "deposit {:?}: grades must lie in (0, 100) % and sum below 100 %",
                        deposit.name
                    )));
                }
                let mut parts = deposit.grades_percent.clone();
                parts.push(100.0 - sum);
                let mut row = vec![deposit.tonnage_mt.log10()];
                row.extend(ilr(&parts));
                rows.push(row);
            }
            let dims = k + 1;
            if rows.len() < dims + 1 {
                return Err(self.invalid(format!(
                    "{} deposits are too few to fit {} parameters' covariance; give at least {}",
                    rows.len(),
                    dims,
                    dims + 1
                )));
            }
            let n = rows.len() as f64;
            let mean: Vec<f64> = (0..dims)
                .map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / n)
                .collect();
            let cov = |a: usize, b: usize| {
                rows.iter()
                    .map(|r| (r[a] - mean[a]) * (r[b] - mean[b]))
                    .sum::<f64>()
                    / (n - 1.0)
            };
            FittedParameters {
                log10_tonnage_mt_mean: mean[0],
                log10_tonnage_mt_sd: cov(0, 0).sqrt(),
                ilr_mean: mean[1..].to_vec(),
                ilr_covariance: (1..dims)
                    .map(|a| (1..dims).map(|b| cov(a, b)).collect())
                    .collect(),
                tonnage_ilr_covariance: (1..dims)
                    .map(|b| {
                        if self.correlate_tonnage_and_grades {
                            cov(0, b)
                        } else {
                            0.0
                        }
                    })
                    .collect(),
            }
        };
        if parameters.ilr_mean.len() != k
            || parameters.ilr_covariance.len() != k
            || parameters.ilr_covariance.iter().any(|r| r.len() != k)
            || parameters.tonnage_ilr_covariance.len() != k
        {
            return Err(self.invalid(format!(
                "fitted parameters need {k} ilr coordinates for {k} grades + gangue"
            )));
        }
        if joint_factor(&parameters).is_none() {
            return Err(self.invalid(
                "the joint covariance of log10 tonnage and ilr grades is not positive definite",
            ));
        }
        Ok(parameters)
    }

    /// A sampler of undiscovered deposits for this model.
    ///
    /// # Errors
    /// The errors of [`GradeTonnageModel::parameters`].
    pub fn sampler(&self) -> Result<DepositSampler, Error> {
        let parameters = self.parameters()?;
        let factor = joint_factor(&parameters).expect("checked in parameters()");
        let mut mean = vec![parameters.log10_tonnage_mt_mean];
        mean.extend(&parameters.ilr_mean);
        Ok(DepositSampler {
            grade_names: self.grade_names.clone(),
            mean,
            factor,
            log10_sd: parameters.log10_tonnage_mt_sd,
        })
    }
}

/// The lower Cholesky factor (row-major) of the joint covariance of (log₁₀ tonnage, ilr
/// coordinates); `None` if the parameters do not make a positive-definite covariance.
fn joint_factor(p: &FittedParameters) -> Option<Vec<f64>> {
    let k = p.ilr_mean.len();
    if p.ilr_covariance.len() != k || p.tonnage_ilr_covariance.len() != k {
        return None;
    }
    let n = k + 1;
    let mut c = vec![0.0; n * n];
    c[0] = p.log10_tonnage_mt_sd.powi(2);
    for a in 0..k {
        c[a + 1] = p.tonnage_ilr_covariance[a];
        c[(a + 1) * n] = p.tonnage_ilr_covariance[a];
        for b in 0..k {
            c[(a + 1) * n + b + 1] = *p.ilr_covariance[a].get(b)?;
        }
    }
    cholesky(&mut c, n).ok()?;
    Some(c)
}

/// Draws undiscovered deposits (ore tonnage and contained commodities) from a model.
#[derive(Debug, Clone)]
pub struct DepositSampler {
    grade_names: Vec<String>,
    mean: Vec<f64>,
    /// Lower Cholesky factor of the joint covariance, row-major `mean.len()²`.
    factor: Vec<f64>,
    log10_sd: f64,
}

impl DepositSampler {
    /// Commodity names, in the order of the contained amounts.
    pub fn grade_names(&self) -> &[String] {
        &self.grade_names
    }

    /// Number of quantities per deposit: ore plus one per commodity.
    pub fn quantity_count(&self) -> usize {
        self.grade_names.len() + 1
    }

    /// Length of the scratch buffer [`DepositSampler::draw`] needs.
    pub fn scratch_len(&self) -> usize {
        3 * self.mean.len()
    }

    /// Draws one deposit into `out`: `out[0]` ore tonnage (Mt), `out[1 + i]` contained
    /// commodity i (Mt) = ore × grade / 100. `scratch` must hold
    /// [`DepositSampler::scratch_len`] values.
    pub fn draw(&self, rng: &mut Stream, out: &mut [f64], scratch: &mut [f64]) {
        let dims = self.mean.len();
        let (normals, rest) = scratch.split_at_mut(dims);
        let (z, parts) = rest.split_at_mut(dims);
        for v in normals.iter_mut() {
            *v = rng.normal();
        }
        // z = mean + L·ε (L lower triangular).
        for i in 0..dims {
            let row = &self.factor[i * dims..(i + 1) * dims];
            z[i] = self.mean[i]
                + normals[..=i]
                    .iter()
                    .zip(row)
                    .map(|(e, l)| e * l)
                    .sum::<f64>();
        }
        let ore = 10f64.powf(z[0]);
        ilr_inverse_into(&z[1..], &mut parts[..dims]);
        out[0] = ore;
        for i in 0..dims - 1 {
            out[i + 1] = ore * parts[i];
        }
    }

    /// Closed-form mean and variance of one deposit's ore tonnage (Mt):
    /// E\[T\] = 10^m · exp(s²/2), Var\[T\] = E\[T\]² (exp(s²) − 1) with s = σ₁₀ ln 10.
    pub fn ore_tonnage_moments(&self) -> (f64, f64) {
        let s = self.log10_sd * std::f64::consts::LN_10;
        let mean = 10f64.powf(self.mean[0]) * (0.5 * s * s).exp();
        (mean, mean * mean * ((s * s).exp() - 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn example_model_loads() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("models/example_carbonatite_ree.json");
        let model = GradeTonnageModel::from_json_file(&path).unwrap();
        assert!(model.source.starts_with("EXAMPLE"));
        let p = model.parameters().unwrap();
        assert_eq!(p.ilr_mean.len(), 2);
    }

    #[test]
    fn empty_model_is_an_error() {
        let model = GradeTonnageModel {
            name: "empty".into(),
            source: "test".into(),
            grade_names: vec!["Cu".into()],
            deposits: vec![],
            fitted: None,
            correlate_tonnage_and_grades: true,
        };
        assert!(matches!(
            model.parameters(),
            Err(Error::EmptyGradeTonnageModel { .. })
        ));
    }

    #[test]
    fn csv_table_is_read_and_bad_cells_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gt.csv");
        std::fs::write(
            &path,
            "name,tonnage_mt,TREO\na,10,2.0\nb,40,1.5\nc,3,3.1\nd,25,0.9\n",
        )
        .unwrap();
        let model = GradeTonnageModel::from_deposit_csv(&path, "t", "test").unwrap();
        assert_eq!(model.deposits.len(), 4);
        std::fs::write(&path, "name,tonnage_mt,TREO\na,10,two\n").unwrap();
        let err = GradeTonnageModel::from_deposit_csv(&path, "t", "test").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    proptest! {
        #[test]
        fn ilr_round_trips(a in 0.01f64..10.0, b in 0.01f64..10.0, c in 50.0f64..99.0) {
            let total = a + b + c;
            let parts = [a / total, b / total, c / total];
            let back = ilr_inverse(&ilr(&parts));
            for (x, y) in parts.iter().zip(back) {
                prop_assert!((x - y).abs() < 1e-12);
            }
        }
    }
}
