//! `nedra geochem`: rare-earth indices for a sample table (CSV with x/y and element columns).
//!
//! Reads the table, resolves censored values by the declared rule, and writes the table again
//! with the computed columns added (atomically: a temporary sibling, then a rename). The
//! science lives in [`nedra_core::geochem`]; this file maps columns and reports errors with
//! file, line and column.
//!
//! Columns:
//! - coordinates: the first of `x`, `easting`, `east`, `lon`, `longitude` (and `y`, `northing`,
//!   `north`, `lat`, `latitude`), ignoring case, unless named in the options. A bare `Y` column
//!   is therefore the y coordinate, never yttrium, unless yttrium is mapped explicitly;
//! - elements: a column whose name is an element symbol (any case) alone or followed by a
//!   separator and a unit token: `La`, `la_ppm`, `La_ppm_511`, `Ce (ppb)`, `Y_pct`. The unit is
//!   ppm unless a token says `ppb` or `pct`/`percent`/`wt`/`%`; values are converted to ppm.
//!   Other names (`La_ICP`) are mapped with [`GeochemOptions::element_columns`];
//! - censoring flags: `<El>_…_T`, `<El>_…_flag`, `<El>_…_qualifier` or `<El>_…_censored` beside
//!   an element column (GTK writes `Th_511P_T` = `<`), or named in the options.
//!
//! Added columns (each only when the table has what it needs): `<El>_value_ppm` (after the
//! censoring rule), `<El>_censored` (`<`, `>` or empty), `<El>_N` (normalised to the reference),
//! `<El>_anomaly` (1 above the median + k·MAD threshold, else 0), `sum_ree_ppm` and
//! `sum_ree_elements` (ΣREE over the elements present, and how many), `lree_hree`,
//! `eu_eu_star`, `ce_ce_star`, `la_yb_n`, `treo_ppm`, `treo_pct`. Empty cells are missing values.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use nedra_core::geochem::{
    self, light_heavy, normalise, reference_by_name, sum_rare_earths, total_rare_earth_oxides_ppm,
    CensoringCounts, CensoringRule, Concentrations, Element, LreeHreeSplit, MadRule, ParseOptions,
    Reading, TreoElements,
};
use nedra_io::columns::named_column;
use nedra_io::Axis;
use serde::Serialize;

/// What `nedra geochem` computes and how it reads the table.
#[derive(Debug, Clone)]
pub struct GeochemOptions {
    /// The x coordinate column; found by name when `None`.
    pub x_column: Option<String>,
    /// The y coordinate column; found by name when `None`.
    pub y_column: Option<String>,
    /// `(element symbol, column)` pairs that override the detection by name.
    pub element_columns: Vec<(String, String)>,
    /// `(element symbol, column)` pairs naming censoring-flag columns.
    pub flag_columns: Vec<(String, String)>,
    /// The elements to use (symbols); empty means every element column found.
    pub elements: Vec<String>,
    /// How cells are read (negative numbers as censored, missing-value markers).
    pub parse: ParseOptions,
    /// What censored values become.
    pub censoring: CensoringRule,
    /// `(element symbol, detection limit in ppm)` for cells flagged below the limit without one.
    pub detection_limits: Vec<(String, f64)>,
    /// The normalising reference (id or short name, see `reference_by_name`).
    pub reference: String,
    /// Whether ΣREE includes Y.
    pub sum_with_yttrium: bool,
    /// The light/heavy REE split.
    pub split: LreeHreeSplit,
    /// Which oxides TREO adds.
    pub treo: TreoElements,
    /// The anomaly threshold rule.
    pub anomaly: MadRule,
}

impl Default for GeochemOptions {
    /// Columns by name, DL/2 for censored values, CI chondrite of McDonough & Sun (1995),
    /// ΣREE without Y, LREE La–Eu, TREO with Y2O3, anomalies at median + 2·MAD (scaled) of log10.
    fn default() -> Self {
        Self {
            x_column: None,
            y_column: None,
            element_columns: Vec::new(),
            flag_columns: Vec::new(),
            elements: Vec::new(),
            parse: ParseOptions::default(),
            censoring: CensoringRule::default(),
            detection_limits: Vec::new(),
            reference: "Chondrite_MS95".to_string(),
            sum_with_yttrium: false,
            split: LreeHreeSplit::default(),
            treo: TreoElements::default(),
            anomaly: MadRule::default(),
        }
    }
}

/// What was read for one element.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementSummary {
    /// The element symbol.
    pub element: String,
    /// The value column.
    pub column: String,
    /// The censoring-flag column, if any.
    pub flag_column: Option<String>,
    /// The column's unit (`ppm`, `ppb`, `pct`); values are reported in ppm.
    pub unit: String,
    /// Measured values.
    pub measured: usize,
    /// Values below the detection limit.
    pub below_limit: usize,
    /// Values above the upper limit.
    pub above_limit: usize,
    /// Cells not determined.
    pub not_determined: usize,
    /// Median of the values after the censoring rule, ppm.
    pub median_ppm: Option<f64>,
    /// Anomaly threshold, ppm (`None` when no value could enter the statistics).
    pub threshold_ppm: Option<f64>,
    /// Samples above the threshold.
    pub anomalies: usize,
}

/// What `nedra geochem` did: for the run record and the terminal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GeochemSummary {
    /// The input table.
    pub table: PathBuf,
    /// The output table.
    pub out_csv: PathBuf,
    /// Number of samples (data rows).
    pub samples: usize,
    /// The x coordinate column.
    pub x_column: String,
    /// The y coordinate column.
    pub y_column: String,
    /// The normalising reference id.
    pub reference: String,
    /// The rule for values below detection, by the name `--censored` takes (`half-dl`, `zero`, …).
    pub censoring: String,
    /// Per element, in La…Lu, Y, Sc, Th, U order.
    pub elements: Vec<ElementSummary>,
    /// The columns added to the table.
    pub added_columns: Vec<String>,
}

/// One element column of the table.
struct ElementColumn {
    element: Element,
    index: usize,
    flag: Option<usize>,
    unit: &'static str,
    /// The declared detection limit in the column's unit.
    declared_limit: Option<f64>,
}

/// A value in `unit` (`ppm`, `ppb`, `pct`) in ppm.
fn to_ppm(unit: &str, v: f64) -> f64 {
    match unit {
        "ppb" => v / 1e3,
        "pct" => v * 1e4,
        _ => v,
    }
}

/// A value in ppm in `unit`.
fn from_ppm(unit: &str, v: f64) -> f64 {
    match unit {
        "ppb" => v * 1e3,
        "pct" => v / 1e4,
        _ => v,
    }
}

/// The element and unit of a column named like `La`, `la_ppm`, `La_ppm_511`, `Ce (ppb)`.
fn element_of_column(name: &str) -> Option<(Element, &'static str)> {
    let t = name.trim();
    let split = t
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(t.len());
    let (symbol, rest) = t.split_at(split);
    let element = Element::from_symbol(symbol)?;
    if rest.is_empty() {
        return Some((element, "ppm"));
    }
    let rest = rest.to_ascii_lowercase();
    if rest.contains('%') {
        return Some((element, "pct"));
    }
    let tokens: Vec<&str> = rest
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
        .collect();
    for tok in tokens {
        match tok {
            "ppm" | "mgkg" => return Some((element, "ppm")),
            "ppb" | "ugkg" => return Some((element, "ppb")),
            "pct" | "percent" | "wt" => return Some((element, "pct")),
            _ => {}
        }
    }
    None
}

/// Whether `name` looks like the censoring-flag column of `element`.
fn is_flag_column_of(name: &str, element: Element) -> bool {
    let n = name.trim().to_ascii_lowercase();
    let prefix = format!("{}_", element.symbol().to_ascii_lowercase());
    n.starts_with(&prefix)
        && ["_t", "_flag", "_qualifier", "_censored"]
            .iter()
            .any(|s| n.ends_with(s))
}

fn parse_element(symbol: &str, what: &str) -> Result<Element> {
    symbol
        .parse::<Element>()
        .with_context(|| format!("{what} names an unknown element"))
}

fn column_index(headers: &[String], name: &str, table: &Path, what: &str) -> Result<usize> {
    named_column(headers, name).ok_or_else(|| {
        anyhow!(
            "{}: {what} column {name:?} is not in the table (columns: {})",
            table.display(),
            headers.join(", ")
        )
    })
}

/// The coordinate column: the one named, or the first of the usual names present.
fn coordinate_column(
    headers: &[String],
    named: Option<&str>,
    axis: Axis,
    table: &Path,
) -> Result<usize> {
    if let Some(n) = named {
        return column_index(headers, n, table, &format!("{} coordinate", axis.name()));
    }
    nedra_io::coordinate_column(headers, None, axis).ok_or_else(|| {
        anyhow!(
            "{}: no {} coordinate column (looked for {}); a sample table needs x and y \
             columns, name them in the options (columns: {})",
            table.display(),
            axis.name(),
            axis.usual_names().join(", "),
            headers.join(", ")
        )
    })
}

/// Finds the element columns (by name or as the options say) and their flag columns.
fn element_columns(
    headers: &[String],
    coords: [usize; 2],
    options: &GeochemOptions,
    table: &Path,
) -> Result<Vec<ElementColumn>> {
    let mut found: Vec<Option<(usize, &'static str)>> = vec![None; Element::ALL.len()];
    for (i, h) in headers.iter().enumerate() {
        if coords.contains(&i) {
            continue;
        }
        if let Some((e, unit)) = element_of_column(h) {
            if let Some((j, _)) = found[e.index()] {
                bail!(
                    "{}: columns {:?} and {:?} both hold {e}; choose one in the options",
                    table.display(),
                    headers[j],
                    h
                );
            }
            found[e.index()] = Some((i, unit));
        }
    }
    for (symbol, column) in &options.element_columns {
        let e = parse_element(symbol, &format!("element column mapping {symbol}={column}"))?;
        let i = column_index(headers, column, table, &format!("{e}"))?;
        let unit = element_of_column(column).map_or("ppm", |(_, u)| u);
        found[e.index()] = Some((i, unit));
    }
    if !options.elements.is_empty() {
        let mut wanted = vec![false; Element::ALL.len()];
        for symbol in &options.elements {
            let e = parse_element(symbol, &format!("requested element {symbol:?}"))?;
            if found[e.index()].is_none() {
                bail!(
                    "{}: no column holds the requested element {e} (looked for {e}, {e}_ppm, \
                     …); name its column in the options (columns: {})",
                    table.display(),
                    headers.join(", ")
                );
            }
            wanted[e.index()] = true;
        }
        for (slot, w) in found.iter_mut().zip(wanted) {
            if !w {
                *slot = None;
            }
        }
    }
    let mut flags: Vec<Option<usize>> = vec![None; Element::ALL.len()];
    for (symbol, column) in &options.flag_columns {
        let e = parse_element(symbol, &format!("flag column mapping {symbol}={column}"))?;
        flags[e.index()] = Some(column_index(headers, column, table, "flag")?);
    }
    let mut limits: Vec<Option<f64>> = vec![None; Element::ALL.len()];
    for (symbol, dl) in &options.detection_limits {
        let e = parse_element(symbol, &format!("detection limit {symbol}={dl}"))?;
        if !(dl.is_finite() && *dl > 0.0) {
            bail!("the detection limit of {e} must be a positive number of ppm, not {dl}");
        }
        limits[e.index()] = Some(*dl);
    }
    let mut columns = Vec::new();
    for e in Element::ALL {
        let Some((index, unit)) = found[e.index()] else {
            continue;
        };
        let flag = match flags[e.index()] {
            Some(f) => Some(f),
            None => {
                let candidates: Vec<usize> = (0..headers.len())
                    .filter(|&i| i != index && is_flag_column_of(&headers[i], e))
                    .collect();
                match candidates[..] {
                    [] => None,
                    [one] => Some(one),
                    _ => bail!(
                        "{}: columns {} all look like the censoring flag of {e}; name one in \
                         the options",
                        table.display(),
                        candidates
                            .iter()
                            .map(|&i| headers[i].as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }
            }
        };
        columns.push(ElementColumn {
            element: e,
            index,
            flag,
            unit,
            declared_limit: limits[e.index()].map(|dl| from_ppm(unit, dl)),
        });
    }
    if columns.is_empty() {
        bail!(
            "{}: no element column found (expected names like La, La_ppm, Th_ppm_511); name \
             them in the options (columns: {})",
            table.display(),
            headers.join(", ")
        );
    }
    Ok(columns)
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(String::new, |x| x.to_string())
}

/// What values below detection become, from its name: `half-dl`, `dl`, `dl-sqrt2`, `zero`,
/// `missing` or `fraction=F` (F × detection limit, 0 < F ≤ 1).
///
/// # Errors
/// An unknown name.
pub fn parse_censoring(name: &str) -> Result<nedra_core::geochem::Substitution> {
    use nedra_core::geochem::Substitution;
    Ok(match name {
        "half-dl" => Substitution::HalfDetectionLimit,
        "dl" => Substitution::DetectionLimit,
        "dl-sqrt2" => Substitution::DL_OVER_SQRT2,
        "zero" => Substitution::Zero,
        "missing" => Substitution::Missing,
        other => match other.strip_prefix("fraction=").and_then(|f| f.parse::<f64>().ok()) {
            Some(f) if f > 0.0 && f <= 1.0 => Substitution::FractionOfLimit(f),
            _ => bail!(
                "censored-value rule {other:?}: use half-dl, dl, dl-sqrt2, zero, missing or fraction=F with 0 < F ≤ 1"
            ),
        },
    })
}

/// The name [`parse_censoring`] reads for a rule: `half-dl`, `dl`, `dl-sqrt2`, `zero`,
/// `missing` or `fraction=F`.
pub fn censoring_name(rule: nedra_core::geochem::Substitution) -> String {
    use nedra_core::geochem::Substitution;
    match rule {
        Substitution::HalfDetectionLimit => "half-dl".to_string(),
        Substitution::DetectionLimit => "dl".to_string(),
        r if r == Substitution::DL_OVER_SQRT2 => "dl-sqrt2".to_string(),
        Substitution::FractionOfLimit(f) => format!("fraction={f}"),
        Substitution::Zero => "zero".to_string(),
        Substitution::Missing => "missing".to_string(),
    }
}

/// Reads `table`, computes the REE indices and writes `out_csv` (input columns first).
///
/// # Errors
/// A table that cannot be read, has no coordinate or element column, a requested element
/// without a column or unknown, a cell that is not a number or a declared censored value
/// (negative concentrations included), a censored cell whose limit is unknown under a rule
/// that needs it, or an output that cannot be written; each names the file, line and column.
pub fn geochem(table: &Path, out_csv: &Path, options: &GeochemOptions) -> Result<GeochemSummary> {
    crate::run_folder::refuse_overwriting_input(table, out_csv)?;
    options.censoring.below.validate()?;
    options.anomaly.validate()?;
    let reference = reference_by_name(&options.reference)?;
    let mut reader = csv::ReaderBuilder::new()
        .from_path(table)
        .with_context(|| format!("reading {}", table.display()))?;
    let headers: Vec<String> = reader
        .headers()
        .with_context(|| format!("reading the header of {}", table.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    let xi = coordinate_column(&headers, options.x_column.as_deref(), Axis::X, table)?;
    let yi = coordinate_column(&headers, options.y_column.as_deref(), Axis::Y, table)?;
    let columns = element_columns(&headers, [xi, yi], options, table)?;

    let mut records = Vec::new();
    let mut samples: Vec<Concentrations> = Vec::new();
    let mut censored: Vec<Vec<Option<char>>> = Vec::new();
    let mut counts = vec![CensoringCounts::default(); columns.len()];
    for result in reader.records() {
        let record = result.with_context(|| format!("reading {}", table.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let at = |i: usize| {
            format!(
                "{}, line {line}, column {:?} (#{})",
                table.display(),
                headers[i],
                i + 1
            )
        };
        for i in [xi, yi] {
            let cell = record.get(i).unwrap_or("").trim();
            match cell.parse::<f64>() {
                Ok(v) if v.is_finite() => {}
                _ => bail!("{}: coordinate {cell:?} is not a number", at(i)),
            }
        }
        let mut sample = Concentrations::new();
        let mut marks = Vec::with_capacity(columns.len());
        for (col, count) in columns.iter().zip(counts.iter_mut()) {
            let cell = record.get(col.index).unwrap_or("");
            let reading = match col.flag {
                Some(f) => options
                    .parse
                    .parse_flagged(cell, record.get(f).unwrap_or("")),
                None => options.parse.parse(cell),
            }
            .with_context(|| at(col.index))?;
            count.add(&reading);
            let value = options
                .censoring
                .resolve(&reading, col.declared_limit)
                .with_context(|| at(col.index))?;
            sample.set(col.element, value.map(|v| to_ppm(col.unit, v)));
            marks.push(match reading {
                Reading::BelowLimit { .. } => Some('<'),
                Reading::AboveLimit { .. } => Some('>'),
                _ => None,
            });
        }
        samples.push(sample);
        censored.push(marks);
        records.push(record);
    }

    // Anomaly thresholds per element over all samples.
    let mut summaries = Vec::new();
    let mut thresholds = Vec::new();
    for (col, count) in columns.iter().zip(&counts) {
        let values: Vec<Option<f64>> = samples.iter().map(|s| s.get(col.element)).collect();
        let present: Vec<f64> = values.iter().flatten().copied().collect();
        let threshold = options.anomaly.threshold(&values).ok();
        let anomalies = threshold.map_or(0, |t| {
            present.iter().filter(|&&v| t.is_anomalous(v)).count()
        });
        summaries.push(ElementSummary {
            element: col.element.symbol().to_string(),
            column: headers[col.index].clone(),
            flag_column: col.flag.map(|f| headers[f].clone()),
            unit: col.unit.to_string(),
            measured: count.measured,
            below_limit: count.below_limit,
            above_limit: count.above_limit,
            not_determined: count.not_determined,
            median_ppm: geochem::anomalies::median(&present),
            threshold_ppm: threshold.map(|t| t.threshold),
            anomalies,
        });
        thresholds.push(threshold);
    }

    // Which indices the table supports.
    let has = |e: Element| columns.iter().any(|c| c.element == e);
    let has_ree = columns
        .iter()
        .any(|c| c.element.is_lanthanide() || c.element == Element::Y);
    let has_light = options.split.light().any(has);
    let has_heavy = options.split.heavy().any(has);
    let eu = has(Element::Eu) && has(Element::Sm) && has(Element::Gd);
    let ce = has(Element::Ce) && has(Element::La) && has(Element::Pr);
    let la_yb = has(Element::La) && has(Element::Yb);

    let mut added: Vec<String> = Vec::new();
    for col in &columns {
        let s = col.element.symbol();
        added.push(format!("{s}_value_ppm"));
        added.push(format!("{s}_censored"));
        if reference.ppm(col.element).is_some() {
            added.push(format!("{s}_N"));
        }
        added.push(format!("{s}_anomaly"));
    }
    if has_ree {
        added.extend(["sum_ree_ppm", "sum_ree_elements", "treo_ppm", "treo_pct"].map(String::from));
    }
    if has_light && has_heavy {
        added.push("lree_hree".into());
    }
    if eu {
        added.push("eu_eu_star".into());
    }
    if ce {
        added.push("ce_ce_star".into());
    }
    if la_yb {
        added.push("la_yb_n".into());
    }
    if let Some(clash) = added
        .iter()
        .find(|a| headers.iter().any(|h| h.eq_ignore_ascii_case(a)))
    {
        bail!(
            "{}: the table already has a column {clash:?}, which nedra geochem adds; rename it",
            table.display()
        );
    }

    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(headers.iter().chain(&added))?;
    for ((record, sample), marks) in records.iter().zip(&samples).zip(&censored) {
        let mut row: Vec<String> = record.iter().map(str::to_string).collect();
        row.resize(headers.len(), String::new());
        let n = normalise(sample, reference);
        for ((col, mark), threshold) in columns.iter().zip(marks).zip(&thresholds) {
            let v = sample.get(col.element);
            row.push(fmt_opt(v));
            row.push(mark.map(String::from).unwrap_or_default());
            if reference.ppm(col.element).is_some() {
                row.push(fmt_opt(n.get(col.element)));
            }
            row.push(match (v, threshold) {
                (Some(x), Some(t)) => u8::from(t.is_anomalous(x)).to_string(),
                _ => String::new(),
            });
        }
        if has_ree {
            let s = sum_rare_earths(sample, options.sum_with_yttrium);
            let t = total_rare_earth_oxides_ppm(sample, options.treo);
            row.push(fmt_opt(s.partial()));
            row.push(s.summed.to_string());
            row.push(fmt_opt(t.partial()));
            row.push(fmt_opt(
                t.partial().map(|p| p / geochem::oxides::PPM_PER_PERCENT),
            ));
        }
        if has_light && has_heavy {
            row.push(fmt_opt(light_heavy(sample, options.split).ratio()));
        }
        if eu {
            row.push(fmt_opt(n.europium_anomaly()));
        }
        if ce {
            row.push(fmt_opt(n.cerium_anomaly()));
        }
        if la_yb {
            row.push(fmt_opt(n.la_yb()));
        }
        writer.write_record(&row)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| anyhow!("writing {}: {e}", out_csv.display()))?;
    nedra_io::files::write_atomic(out_csv, &bytes)
        .with_context(|| format!("writing {}", out_csv.display()))?;

    Ok(GeochemSummary {
        table: table.to_path_buf(),
        out_csv: out_csv.to_path_buf(),
        samples: samples.len(),
        x_column: headers[xi].clone(),
        y_column: headers[yi].clone(),
        reference: reference.id.to_string(),
        censoring: censoring_name(options.censoring.below),
        elements: summaries,
        added_columns: added,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn censoring_rules_are_named_as_the_flag_takes_them() {
        for name in [
            "half-dl",
            "dl",
            "dl-sqrt2",
            "zero",
            "missing",
            "fraction=0.25",
        ] {
            assert_eq!(censoring_name(parse_censoring(name).unwrap()), name);
        }
    }
    use nedra_core::geochem::Substitution;

    fn run(csv_text: &str, options: &GeochemOptions) -> Result<(GeochemSummary, Vec<Vec<String>>)> {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("samples.csv");
        std::fs::write(&input, csv_text).unwrap();
        let out = dir.path().join("out.csv");
        let summary = geochem(&input, &out, options)?;
        let text = std::fs::read_to_string(&out).unwrap();
        let rows = text
            .lines()
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect();
        // Only the input and the result remain: no temporary file.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        Ok((summary, rows))
    }

    fn cell<'a>(rows: &'a [Vec<String>], row: usize, name: &str) -> &'a str {
        let c = rows[0].iter().position(|h| h == name).unwrap_or_else(|| {
            panic!("no column {name} in {:?}", rows[0]);
        });
        &rows[row][c]
    }

    /// Two samples with a full Sm–Eu–Gd set: the second is the CI chondrite × 10 with Eu
    /// halved (Eu/Eu* = 0.5 by construction).
    const TABLE: &str = "\
id,x,y,La_ppm,Ce_ppm,Pr_ppm,Sm_ppm,Eu_ppm,Gd_ppm,Yb_ppm
a,1,2,23.7,<5,0.928,1.48,0.563,1.99,1.61
b,3,4,2.37,6.13,0.928,1.48,0.2815,1.99,1.61
";

    #[test]
    fn indices_by_hand() {
        let (s, rows) = run(TABLE, &GeochemOptions::default()).unwrap();
        assert_eq!(s.samples, 2);
        assert_eq!((s.x_column.as_str(), s.y_column.as_str()), ("x", "y"));
        let ce = s.elements.iter().find(|e| e.element == "Ce").unwrap();
        assert_eq!((ce.below_limit, ce.measured), (1, 1));
        assert_eq!(cell(&rows, 1, "Ce_value_ppm"), "2.5");
        assert_eq!(cell(&rows, 1, "Ce_censored"), "<");
        let la_n: f64 = cell(&rows, 1, "La_N").parse().unwrap();
        assert!((la_n - 100.0).abs() < 1e-12);
        let eu: f64 = cell(&rows, 2, "eu_eu_star").parse().unwrap();
        assert!((eu - 0.5).abs() < 1e-12, "{eu}");
        let la_yb: f64 = cell(&rows, 1, "la_yb_n").parse().unwrap();
        assert!((la_yb - 10.0).abs() < 1e-12);
        let sum: f64 = cell(&rows, 2, "sum_ree_ppm").parse().unwrap();
        assert!((sum - (2.37 + 6.13 + 0.928 + 1.48 + 0.2815 + 1.99 + 1.61)).abs() < 1e-9);
        assert_eq!(cell(&rows, 2, "sum_ree_elements"), "7");
        // Input columns are kept first, unchanged.
        assert_eq!(rows[1][..3], ["a", "1", "2"]);
    }

    #[test]
    fn gtk_like_flags_with_a_declared_limit() {
        let t = "X,Y,Th_ppm_511,Th_511P_T,La_ppm_511,La_511P_T\n\
                 1,1,0,<,20,\n2,2,9.5,,30,\n3,3,1.7,!,25,\n";
        let no_limit = run(t, &GeochemOptions::default()).unwrap_err();
        assert!(format!("{no_limit:#}").contains("line 2"), "{no_limit:#}");
        let options = GeochemOptions {
            detection_limits: vec![("Th".into(), 1.0)],
            ..GeochemOptions::default()
        };
        let (s, rows) = run(t, &options).unwrap();
        let th = &s.elements[1];
        assert_eq!(th.element, "Th");
        assert_eq!(th.flag_column.as_deref(), Some("Th_511P_T"));
        assert_eq!((th.below_limit, th.measured), (1, 2));
        assert_eq!(cell(&rows, 1, "Th_value_ppm"), "0.5");
        assert_eq!(cell(&rows, 3, "Th_value_ppm"), "1.7");
        // Y here is the coordinate, not yttrium.
        assert!(s.elements.iter().all(|e| e.element != "Y"));
        let missing = GeochemOptions {
            censoring: CensoringRule::new(Substitution::Missing),
            ..GeochemOptions::default()
        };
        let (_, rows) = run(t, &missing).unwrap();
        assert_eq!(cell(&rows, 1, "Th_value_ppm"), "");
    }

    #[test]
    fn table_without_coordinates_is_an_error() {
        let e = run("id,La_ppm\na,1\n", &GeochemOptions::default()).unwrap_err();
        let m = format!("{e:#}");
        assert!(
            m.contains("samples.csv") && m.contains("no x coordinate column"),
            "{m}"
        );
    }

    #[test]
    fn unknown_or_absent_requested_element_is_an_error() {
        let unknown = GeochemOptions {
            elements: vec!["Xx".into()],
            ..GeochemOptions::default()
        };
        let m = format!("{:#}", run(TABLE, &unknown).unwrap_err());
        assert!(m.contains("unknown element") && m.contains("Xx"), "{m}");
        let absent = GeochemOptions {
            elements: vec!["Nd".into()],
            ..GeochemOptions::default()
        };
        let m = format!("{:#}", run(TABLE, &absent).unwrap_err());
        assert!(
            m.contains("no column holds the requested element Nd"),
            "{m}"
        );
    }

    #[test]
    fn negative_concentration_names_file_line_column_and_value() {
        let t = "x,y,La\n1,1,5\n2,2,-3.5\n";
        let m = format!("{:#}", run(t, &GeochemOptions::default()).unwrap_err());
        assert!(
            m.contains("samples.csv, line 3, column \"La\" (#3)") && m.contains("-3.5"),
            "{m}"
        );
        let declared = GeochemOptions {
            parse: ParseOptions::default().negative_means_below_limit(true),
            ..GeochemOptions::default()
        };
        let (s, rows) = run(t, &declared).unwrap();
        assert_eq!(s.elements[0].below_limit, 1);
        assert_eq!(cell(&rows, 2, "La_value_ppm"), "1.75");
    }

    #[test]
    fn units_and_explicit_columns() {
        let t = "lon,lat,La (ppb),Ce_ICP\n1,1,23700,61.3\n";
        let options = GeochemOptions {
            element_columns: vec![("Ce".into(), "Ce_ICP".into())],
            ..GeochemOptions::default()
        };
        let (s, rows) = run(t, &options).unwrap();
        assert_eq!(s.elements[0].unit, "ppb");
        assert_eq!(cell(&rows, 1, "La_value_ppm"), "23.7");
        let ce_n: f64 = cell(&rows, 1, "Ce_N").parse().unwrap();
        assert!((ce_n - 100.0).abs() < 1e-12);
        assert_eq!(element_of_column("Th_511P_T"), None);
        assert_eq!(element_of_column("La_ppm_511"), Some((Element::La, "ppm")));
        assert_eq!(element_of_column("Y_pct"), Some((Element::Y, "pct")));
    }

    #[test]
    fn anomaly_flags() {
        let mut t = String::from("x,y,La\n");
        for (i, v) in [10, 11, 12, 9, 10, 11, 500].iter().enumerate() {
            t.push_str(&format!("{i},{i},{v}\n"));
        }
        let (s, rows) = run(&t, &GeochemOptions::default()).unwrap();
        assert_eq!(s.elements[0].anomalies, 1);
        assert_eq!(cell(&rows, 7, "La_anomaly"), "1");
        assert_eq!(cell(&rows, 1, "La_anomaly"), "0");
    }
}
