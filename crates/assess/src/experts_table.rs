//! Experts' estimates per permissive tract, read from CSV.
//!
//! Columns (any order, names case-insensitive; other columns are ignored):
//! `tract, name, weight, n90, n50, n10` — one row per expert and tract, at the USGS
//! elicitation levels (N90: a 90 % chance of N90 or more undiscovered deposits).

use std::path::Path;

use crate::elicitation::ExpertEstimate;
use crate::error::Error;

/// The columns of a per-tract experts table.
pub const TRACT_EXPERT_COLUMNS: [&str; 6] = ["tract", "name", "weight", "n90", "n50", "n10"];

/// One row of a per-tract experts table.
#[derive(Debug, Clone, PartialEq)]
pub struct TractEstimate {
    /// The tract id as written.
    pub tract: String,
    /// Line number in the file (1 is the header).
    pub line: u64,
    /// The expert's estimates.
    pub estimate: ExpertEstimate,
}

/// Reads and checks a per-tract experts table.
///
/// # Errors
/// [`Error::Csv`] for unreadable CSV; [`Error::Table`] naming line and column for a missing
/// column, an empty tract, a non-numeric weight, a count that is not a whole number, or
/// estimates that fail [`ExpertEstimate::validate`] (out of order, negative, zero weight);
/// [`Error::NoEstimates`] for a table without rows.
pub fn read_tract_estimates(path: &Path) -> Result<Vec<TractEstimate>, Error> {
    let csv_error = |source| Error::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(csv_error)?;
    let headers = reader.headers().map_err(csv_error)?.clone();
    let table = |line: u64, column: &str, detail: String| Error::Table {
        path: path.to_path_buf(),
        line,
        column: column.to_string(),
        detail,
    };
    let mut index = [0usize; 6];
    for (k, column) in TRACT_EXPERT_COLUMNS.iter().enumerate() {
        index[k] = headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(column))
            .ok_or_else(|| {
                table(
                    1,
                    column,
                    format!(
                        "no such column (the columns must be {}; found {:?})",
                        TRACT_EXPERT_COLUMNS.join(", "),
                        headers.iter().collect::<Vec<_>>()
                    ),
                )
            })?;
    }
    let mut rows = vec![];
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |k: usize| record.get(index[k]).unwrap_or("");
        let tract = cell(0).to_string();
        if tract.is_empty() {
            return Err(table(line, "tract", "empty tract id".into()));
        }
        let weight: f64 = cell(2)
            .parse()
            .map_err(|_| table(line, "weight", format!("{:?} is not a number", cell(2))))?;
        let count = |k: usize| -> Result<i64, Error> {
            let text = cell(k);
            let value: f64 = text.parse().map_err(|_| {
                table(
                    line,
                    TRACT_EXPERT_COLUMNS[k],
                    format!("{text:?} is not a number"),
                )
            })?;
            if value.fract() != 0.0 || !value.is_finite() || value.abs() > 1e9 {
                return Err(table(
                    line,
                    TRACT_EXPERT_COLUMNS[k],
                    format!("{text:?} is not a whole number of deposits"),
                ));
            }
            Ok(value as i64)
        };
        let estimate = ExpertEstimate {
            name: cell(1).to_string(),
            weight,
            n90: count(3)?,
            n50: count(4)?,
            n10: count(5)?,
        };
        estimate
            .validate()
            .map_err(|e| table(line, "n90/n50/n10/weight", e.to_string()))?;
        rows.push(TractEstimate {
            tract,
            line,
            estimate,
        });
    }
    if rows.is_empty() {
        return Err(Error::NoEstimates);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_and_errors_name_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("experts.csv");
        std::fs::write(
            &path,
            "Tract,name,weight,n90,n50,n10,comment\n1,a,1,1,2,4,x\n2,a,2,0,1,3,\n",
        )
        .unwrap();
        let rows = read_tract_estimates(&path).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[1].tract.as_str(), rows[1].line), ("2", 3));
        assert_eq!(rows[1].estimate.weight, 2.0);
        std::fs::write(&path, "tract,name,weight,n90,n50,n10\n1,a,1,4,2,1\n").unwrap();
        let err = read_tract_estimates(&path).unwrap_err().to_string();
        assert!(
            err.contains("line 2") && err.contains("out of order"),
            "{err}"
        );
        std::fs::write(&path, "tract,name,weight,n90,n50,n10\n1,a,1,1,2.5,4\n").unwrap();
        let err = read_tract_estimates(&path).unwrap_err().to_string();
        assert!(
            err.contains("\"n50\"") && err.contains("whole number"),
            "{err}"
        );
        std::fs::write(&path, "name,weight,n90,n50,n10\na,1,1,2,4\n").unwrap();
        let err = read_tract_estimates(&path).unwrap_err().to_string();
        assert!(err.contains("\"tract\""), "{err}");
        std::fs::write(&path, "tract,name,weight,n90,n50,n10\n").unwrap();
        assert!(matches!(
            read_tract_estimates(&path),
            Err(Error::NoEstimates)
        ));
    }
}
