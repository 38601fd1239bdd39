//! `nedra assess deposits-pmf`: experts' estimates of the number of undiscovered deposits
//! (CSV) → the probability mass function and its statistics (JSON).
//!
//! Input columns: `name, weight, n90, n50, n10` (USGS elicitation levels: N90 is the number
//! with a 90 % chance of that many or more). Rules: `negative-binomial` (MapMark4's weighted
//! fit, Ellefsen 2017; any number of experts) and `mark3` (Root, Menzie & Scott 1992; one
//! consensus row). The JSON is written atomically: a temporary sibling, then a rename.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use nedra_assess::{
    fit_negative_binomial, mark3_pmf, DepositCountPmf, ExpertEstimate, Mark3Estimates,
    NegativeBinomialOptions,
};
use serde_json::json;

use crate::options::PmfRule;

/// The columns the experts' CSV must have (any order, names case-insensitive).
pub const EXPERT_COLUMNS: [&str; 5] = ["name", "weight", "n90", "n50", "n10"];

/// Reads the experts' estimates from CSV, naming file, line and column in every error.
///
/// # Errors
/// A missing column, a cell that is not a number, a count that is not a whole number.
pub fn read_experts(path: &Path) -> Result<Vec<ExpertEstimate>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("reading {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("reading the header line of {}", path.display()))?
        .clone();
    let mut index = [0usize; 5];
    for (k, column) in EXPERT_COLUMNS.iter().enumerate() {
        index[k] = headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(column))
            .with_context(|| {
                format!(
                    "{}: line 1: no column {column:?} (the columns must be {}; found {:?})",
                    path.display(),
                    EXPERT_COLUMNS.join(", "),
                    headers.iter().collect::<Vec<_>>()
                )
            })?;
    }
    let mut experts = vec![];
    for record in reader.records() {
        let record = record.with_context(|| format!("reading {}", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |k: usize| record.get(index[k]).unwrap_or("");
        let weight: f64 = cell(1).parse().map_err(|_| {
            anyhow::anyhow!(
                "{}: line {line}, column \"weight\": {:?} is not a number",
                path.display(),
                cell(1)
            )
        })?;
        let count = |k: usize| -> Result<i64> {
            let text = cell(k);
            let value: f64 = text.parse().map_err(|_| {
                anyhow::anyhow!(
                    "{}: line {line}, column {:?}: {text:?} is not a number",
                    path.display(),
                    EXPERT_COLUMNS[k]
                )
            })?;
            if value.fract() != 0.0 || !value.is_finite() || value.abs() > 1e9 {
                bail!(
                    "{}: line {line}, column {:?}: {text:?} is not a whole number of deposits",
                    path.display(),
                    EXPERT_COLUMNS[k]
                );
            }
            Ok(value as i64)
        };
        let expert = ExpertEstimate {
            name: cell(0).to_string(),
            weight,
            n90: count(2)?,
            n50: count(3)?,
            n10: count(4)?,
        };
        expert
            .validate()
            .with_context(|| format!("{}: line {line}", path.display()))?;
        experts.push(expert);
    }
    if experts.is_empty() {
        bail!("{}: no expert rows below the header", path.display());
    }
    Ok(experts)
}

fn pmf_json(pmf: &DepositCountPmf) -> serde_json::Value {
    json!({
        "pmf": pmf.entries(),
        "mean": pmf.mean(),
        "variance": pmf.variance(),
        "sd": pmf.sd(),
        "mode": pmf.mode(),
        "min": pmf.n_min(),
        "max": pmf.n_max(),
        "entropy": pmf.entropy_nats(),
        "entropy_units": "nats (natural logarithm)",
    })
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .with_context(|| format!("{}: not a file path", path.display()))?
        .to_string_lossy()
        .into_owned();
    let temporary = folder.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| -> Result<()> {
        let mut file = std::fs::File::create(&temporary)
            .with_context(|| format!("creating {}", temporary.display()))?;
        file.write_all(bytes)
            .with_context(|| format!("writing {}", temporary.display()))?;
        file.sync_all()
            .with_context(|| format!("writing {}", temporary.display()))?;
        std::fs::rename(&temporary, path)
            .with_context(|| format!("renaming {} to {}", temporary.display(), path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// `nedra assess deposits-pmf`: reads the experts' CSV, builds the pmf by `rule`
/// (`"negative-binomial"` or `"mark3"`) and writes JSON with the pmf (list of {n, p}), its
/// mean, variance, sd, mode, min, max and entropy, the rule and the inputs.
///
/// # Errors
/// Unreadable or malformed CSV (file, line and column named), estimates out of order,
/// negative counts, non-positive weights, more than one row for `mark3`,
/// an unwritable output.
pub fn deposits_pmf(experts_csv: &Path, out_json: &Path, rule: PmfRule) -> Result<()> {
    let experts = read_experts(experts_csv)?;
    let mut document = match rule {
        PmfRule::NegativeBinomial => {
            let options = NegativeBinomialOptions::default();
            let fit = fit_negative_binomial(&experts, &options)
                .with_context(|| format!("fitting the estimates in {}", experts_csv.display()))?;
            let mut d = pmf_json(&fit.pmf);
            d["fit"] = json!({
                "probability": fit.distribution.probability,
                "size": fit.distribution.size,
                "weighted_cost": fit.cost,
                "fitted_n90_n50_n10": fit.fitted_counts,
                "options": options,
            });
            d["method"] = json!(
                "negative binomial fitted to all experts' 90/50/10 % estimates by minimising \
                 the weighted sum of absolute quantile differences, truncated where the right \
                 tail is below 0.001 and renormalised (MapMark4, Ellefsen 2017)"
            );
            d
        }
        PmfRule::Mark3 => {
            if experts.len() != 1 {
                bail!(
                    "{}: the Mark3 rule takes one consensus row of estimates, found {} rows; \
                     use --rule negative-binomial to combine experts",
                    experts_csv.display(),
                    experts.len()
                );
            }
            let e = &experts[0];
            let pmf = mark3_pmf(&Mark3Estimates {
                n90: e.n90,
                n50: e.n50,
                n10: e.n10,
                n05_n01: None,
            })
            .with_context(|| format!("applying the Mark3 rule to {}", experts_csv.display()))?;
            let mut d = pmf_json(&pmf);
            d["method"] = json!(
                "legacy Mark3 rule (Root, Menzie & Scott 1992): piecewise pmf from the \
                 90/50/10 % estimates; never more deposits than N10"
            );
            d
        }
    };
    document["rule"] = json!(rule);
    document["convention"] = json!("USGS elicitation: N90 = 90 % chance of N90 or more deposits");
    document["inputs"] = json!({
        "file": experts_csv.display().to_string(),
        "experts": experts,
    });
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    write_atomic(out_json, text.as_bytes())
        .with_context(|| format!("writing {}", out_json.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE_DEP_EST1: &str = "name,weight,n90,n50,n10
person1,0.50,3,10,25
person2,1.00,2,5,10
person3,1.00,5,7,10
person4,1.00,2,10,20
person5,1.00,1,2,4
person6,3.00,3,10,20
person7,1.00,5,10,20
person8,1.00,3,5,7
person9,1.00,1,2,5
person10,0.01,10,20,60
";

    #[test]
    fn negative_binomial_json_reproduces_mapmark4() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("experts.csv");
        let out = dir.path().join("pmf.json");
        std::fs::write(&csv, EXAMPLE_DEP_EST1).unwrap();
        deposits_pmf(&csv, &out, PmfRule::NegativeBinomial).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        assert!((v["mean"].as_f64().unwrap() - 10.6613).abs() < 1e-4);
        assert!((v["variance"].as_f64().unwrap() - 43.0923).abs() < 1e-4);
        assert_eq!(v["max"], 42);
        assert_eq!(v["rule"], "negative-binomial");
        assert_eq!(v["inputs"]["experts"].as_array().unwrap().len(), 10);
        let total: f64 = v["pmf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["p"].as_f64().unwrap())
            .sum();
        assert!((total - 1.0).abs() < 1e-12);
        // No temporary file is left beside the output.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn mark3_json_stops_at_n10() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("experts.csv");
        let out = dir.path().join("pmf.json");
        std::fs::write(&csv, "name,weight,n90,n50,n10\nteam,1,1,2,4\n").unwrap();
        deposits_pmf(&csv, &out, PmfRule::Mark3).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        assert_eq!(v["max"], 4);
        assert!((v["pmf"][0]["p"].as_f64().unwrap() - 0.1 * 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("experts.csv");
        let out = dir.path().join("pmf.json");
        std::fs::write(&csv, "name,weight,n90,n50,n10\na,1,1,2,4\nb,1,3,x,9\n").unwrap();
        let err = format!(
            "{:#}",
            deposits_pmf(&csv, &out, PmfRule::NegativeBinomial).unwrap_err()
        );
        assert!(
            err.contains("experts.csv") && err.contains("line 3") && err.contains("n50"),
            "{err}"
        );
        std::fs::write(&csv, "name,weight,n90,n50,n10\na,1,5,2,4\n").unwrap();
        let err = format!(
            "{:#}",
            deposits_pmf(&csv, &out, PmfRule::NegativeBinomial).unwrap_err()
        );
        assert!(
            err.contains("line 2") && err.contains("out of order"),
            "{err}"
        );
        std::fs::write(&csv, "name,weight,n90,n50\na,1,5,2\n").unwrap();
        let err = format!(
            "{:#}",
            deposits_pmf(&csv, &out, PmfRule::Mark3).unwrap_err()
        );
        assert!(err.contains("n10"), "{err}");
        std::fs::write(&csv, "name,weight,n90,n50,n10\na,0,1,2,4\n").unwrap();
        let err = format!(
            "{:#}",
            deposits_pmf(&csv, &out, PmfRule::Mark3).unwrap_err()
        );
        assert!(err.contains("weight"), "{err}");
        std::fs::write(&csv, "name,weight,n90,n50,n10\na,1,1,2,4\n").unwrap();
        let e = crate::options::parse::<PmfRule>("poisson").unwrap_err();
        assert!(e.contains("negative-binomial, mark3"), "{e}");
        assert!(!out.exists());
    }
}
