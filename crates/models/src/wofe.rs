//! Weights of evidence: weights tables from class histograms, and their CSV form.
//!
//! The statistics follow Bonham-Carter (1994), *Geographic Information Systems for
//! Geoscientists*, ch. 9 and the Fortran of App. II, with the edge patches and the
//! generalisation of ArcSDM's and Geoscience Australia's (GA, `MPM-WofE`) Calculate Weights.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::Error;

/// GEN_CLASS given to every row of a cumulative table when no row passes the
/// studentized-contrast threshold (ArcSDM convention).
pub const GEN_CLASS_NOT_SIGNIFICANT: i64 = 999;

/// GEN_CLASS of the pooled, not-significant classes of a categorical table when
/// [`WeightsOptions::categorical_pooling`] is on (ArcSDM convention).
pub const GEN_CLASS_POOLED: i64 = 99;

/// The CSV header of a weights table, in ArcSDM/GA column order.
const HEADER: &str = "CLASS,CLASS_AREA,AREA_SQ_KM,AREA_UNITS,NO_POINTS,WPLUS,S_WPLUS,WMINUS,\
S_WMINUS,CONTRAST,S_CONTRAST,STUDC,GEN_CLASS,WEIGHT,W_STD";

/// One class of an evidence layer: how many valid cells hold it and how many deposit points
/// fall on those cells (two points in one cell count twice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClassCount {
    /// Class value of the evidence raster.
    pub class: i64,
    /// Number of valid cells with this class.
    pub cells: u64,
    /// Number of deposit points on those cells.
    pub deposits: u64,
}

/// How the binary pattern of each table row is formed from the classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeightsType {
    /// Pattern = classes ≤ v, accumulated from the lowest class (e.g. distance to a feature).
    Ascending,
    /// Pattern = classes ≥ v, accumulated from the highest class (e.g. fault density).
    Descending,
    /// Pattern = the class alone (e.g. lithology).
    Categorical,
    /// A two-class (usually) map, treated exactly as a categorical table without pooling:
    /// GEN_CLASS = CLASS, WEIGHT = W+, W_STD = s(W+). This is how GA's `*_CT.csv` are made.
    Binary,
}

/// Which row of a cumulative table becomes the cut between GEN_CLASS 2 and 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Generalisation {
    /// ArcSDM: among rows whose studentized contrast ≥ threshold, the row of maximum contrast.
    #[default]
    ArcSdm,
    /// GA's R port: the row of maximum contrast overall, provided the table's maximum
    /// studentized contrast ≥ threshold.
    GaR,
}

/// Options of [`calculate_weights`].
#[derive(Debug, Clone, PartialEq)]
pub struct WeightsOptions {
    /// Area of the unit cell in km² (default 1.0); all formula areas are in unit cells.
    pub unit_cell_km2: f64,
    /// Area of one raster cell in km² (e.g. 0.01 for 100 m cells).
    pub cell_area_km2: f64,
    /// How patterns are formed from classes.
    pub kind: WeightsType,
    /// Studentized contrast needed for a cut or for a class to stand alone (default 2.0).
    pub studentized_contrast_threshold: f64,
    /// Which cut generalises a cumulative table (default [`Generalisation::ArcSdm`]).
    pub generalisation: Generalisation,
    /// Categorical tables only: pool classes with |STUDC| < threshold into
    /// [`GEN_CLASS_POOLED`] (ArcSDM) instead of keeping GEN_CLASS = CLASS (GA; default false).
    pub categorical_pooling: bool,
}

impl WeightsOptions {
    /// Options with the defaults: unit cell 1 km², threshold 2.0, ArcSDM generalisation,
    /// no categorical pooling.
    pub fn new(cell_area_km2: f64, kind: WeightsType) -> Self {
        Self {
            unit_cell_km2: 1.0,
            cell_area_km2,
            kind,
            studentized_contrast_threshold: 2.0,
            generalisation: Generalisation::ArcSdm,
            categorical_pooling: false,
        }
    }

    /// Sets the unit-cell area in km².
    pub fn unit_cell_km2(mut self, unit_cell_km2: f64) -> Self {
        self.unit_cell_km2 = unit_cell_km2;
        self
    }

    /// Sets the studentized-contrast threshold.
    pub fn studentized_contrast_threshold(mut self, threshold: f64) -> Self {
        self.studentized_contrast_threshold = threshold;
        self
    }

    /// Sets the generalisation rule for cumulative tables.
    pub fn generalisation(mut self, generalisation: Generalisation) -> Self {
        self.generalisation = generalisation;
        self
    }

    /// Sets whether not-significant categorical classes are pooled.
    pub fn categorical_pooling(mut self, pooling: bool) -> Self {
        self.categorical_pooling = pooling;
        self
    }

    fn validate(&self) -> Result<(), Error> {
        for (name, value) in [
            ("unit_cell_km2", self.unit_cell_km2),
            ("cell_area_km2", self.cell_area_km2),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(Error::InvalidOption {
                    name,
                    value,
                    requirement: "finite and > 0",
                });
            }
        }
        if !self.studentized_contrast_threshold.is_finite() {
            return Err(Error::InvalidOption {
                name: "studentized_contrast_threshold",
                value: self.studentized_contrast_threshold,
                requirement: "finite",
            });
        }
        Ok(())
    }
}

/// Weights of one binary pattern: W+, W−, contrast, their standard deviations and the
/// studentized contrast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PatternWeights {
    /// W+ = ln[(b/D) / ((B−b)/(T−D))].
    pub w_plus: f64,
    /// s(W+) = sqrt(1/b + 1/(B−b)).
    pub s_w_plus: f64,
    /// W− = ln[((D−b)/D) / ((T−B−D+b)/(T−D))].
    pub w_minus: f64,
    /// s(W−) = sqrt(1/(D−b) + 1/(T−B−D+b)).
    pub s_w_minus: f64,
    /// C = W+ − W−.
    pub contrast: f64,
    /// s(C) = sqrt(s(W+)² + s(W−)²).
    pub s_contrast: f64,
    /// C / s(C).
    pub studentized_contrast: f64,
}

impl PatternWeights {
    const ZERO: Self = Self {
        w_plus: 0.0,
        s_w_plus: 0.0,
        w_minus: 0.0,
        s_w_minus: 0.0,
        contrast: 0.0,
        s_contrast: 0.0,
        studentized_contrast: 0.0,
    };

    /// Weights of a pattern of area B = `pattern_area_units` holding b = `pattern_deposits`
    /// points, in a study area of T = `total_area_units` holding D = `total_deposits` points.
    /// Areas are in unit cells.
    ///
    /// Formulas: Bonham-Carter (1994), ch. 9 and App. II. Edge patches, applied in this order
    /// as in GA's `CalculateWeights.R`: (1) b = 0 → every statistic is 0; (2) b = D →
    /// b := D − 0.99 (ArcSDM issue #66); (3) T − B ≤ D − b → B := T + b − D − 0.99;
    /// (4) B − b ≤ 0 → B := b + 1.
    ///
    /// # Panics
    /// If `pattern_deposits > total_deposits` (a caller bug). Results are finite whenever
    /// T > D + 1, which [`calculate_weights`] checks.
    pub fn compute(
        pattern_area_units: f64,
        pattern_deposits: u64,
        total_area_units: f64,
        total_deposits: u64,
    ) -> Self {
        assert!(
            pattern_deposits <= total_deposits,
            "pattern holds {pattern_deposits} deposits of {total_deposits}"
        );
        if pattern_deposits == 0 {
            return Self::ZERO;
        }
        let t = total_area_units;
        let d = total_deposits as f64;
        let mut b = pattern_deposits as f64;
        let mut area = pattern_area_units;
        if pattern_deposits == total_deposits {
            b = d - 0.99;
        }
        if t - area <= d - b {
            area = t + b - d - 0.99;
        }
        if area - b <= 0.0 {
            area = b + 1.0;
        }
        let w_plus = ((b / d) / ((area - b) / (t - d))).ln();
        let var_plus = 1.0 / b + 1.0 / (area - b);
        let w_minus = (((d - b) / d) / ((t - area - d + b) / (t - d))).ln();
        let var_minus = 1.0 / (d - b) + 1.0 / (t - area - d + b);
        let contrast = w_plus - w_minus;
        let s_contrast = (var_plus + var_minus).sqrt();
        Self {
            w_plus,
            s_w_plus: var_plus.sqrt(),
            w_minus,
            s_w_minus: var_minus.sqrt(),
            contrast,
            s_contrast,
            studentized_contrast: contrast / s_contrast,
        }
    }
}

/// One row of a weights table, with exactly ArcSDM/GA's columns.
///
/// Rows read from a file lacking optional columns hold NaN for those floats and `None`
/// for the deposit count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightsRow {
    /// CLASS: class value.
    pub class: i64,
    /// CLASS_AREA: area of this class alone, km².
    pub class_area_km2: f64,
    /// AREA_SQ_KM: pattern area, km² (cumulative for cumulative tables).
    pub area_km2: f64,
    /// AREA_UNITS: pattern area in unit cells.
    pub area_units: f64,
    /// NO_POINTS: deposit points in the pattern (cumulative for cumulative tables), before
    /// any edge patch.
    pub deposits: Option<u64>,
    /// WPLUS: W+.
    pub w_plus: f64,
    /// S_WPLUS: s(W+).
    pub s_w_plus: f64,
    /// WMINUS: W−.
    pub w_minus: f64,
    /// S_WMINUS: s(W−).
    pub s_w_minus: f64,
    /// CONTRAST: C = W+ − W−.
    pub contrast: f64,
    /// S_CONTRAST: s(C).
    pub s_contrast: f64,
    /// STUDC: C / s(C).
    pub studentized_contrast: f64,
    /// GEN_CLASS: generalised class (2/1/999 for cumulative tables, the class or 99 for
    /// categorical ones).
    pub gen_class: i64,
    /// WEIGHT: the weight a cell of this class receives in the response.
    pub weight: f64,
    /// W_STD: standard deviation of WEIGHT.
    pub w_std: f64,
}

/// A weights table: one row per class, in the row order of its type (ascending:
/// increasing class; descending: decreasing class; categorical and binary: increasing class).
#[derive(Debug, Clone, PartialEq)]
pub struct WeightsTable {
    /// How the table's patterns were formed. For a table read from CSV this is inferred
    /// (see [`WeightsTable::read_csv`]).
    pub kind: WeightsType,
    /// The rows.
    pub rows: Vec<WeightsRow>,
}

/// Calculates a weights-of-evidence table from a class histogram (ArcSDM/GA "Calculate
/// Weights").
///
/// Duplicate classes in `classes` are merged. T is the area of all classes given, D the
/// number of deposit points on them; class area km² = cells × `cell_area_km2`, and every
/// formula area is in unit cells (km² / `unit_cell_km2`). Statistics: see
/// [`PatternWeights::compute`] (Bonham-Carter 1994, ch. 9, App. II).
///
/// Generalisation: cumulative tables get GEN_CLASS 2 (WEIGHT = W+, W_STD = s(W+) of the cut
/// row) up to and including the cut row chosen by [`Generalisation`], and GEN_CLASS 1
/// (W−, s(W−) of the cut row) after it; with no cut every row gets
/// [`GEN_CLASS_NOT_SIGNIFICANT`], WEIGHT 0 and W_STD 0. Categorical and binary tables get
/// GEN_CLASS = CLASS, WEIGHT = W+, W_STD = s(W+); with
/// [`WeightsOptions::categorical_pooling`] (categorical only), classes with
/// |STUDC| < threshold get [`GEN_CLASS_POOLED`] and the W+ and s(W+) of their union.
///
/// # Errors
/// [`Error::InvalidOption`] for a non-positive or non-finite area or a non-finite threshold;
/// [`Error::EmptyHistogram`] if there are no cells; [`Error::ZeroDeposits`] if no deposit
/// falls on the classes; [`Error::AreaTooSmall`] if T ≤ D + 1 unit cells.
pub fn calculate_weights(
    classes: &[ClassCount],
    options: &WeightsOptions,
) -> Result<WeightsTable, Error> {
    options.validate()?;
    let mut merged: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
    for c in classes {
        let entry = merged.entry(c.class).or_insert((0, 0));
        entry.0 = entry.0.saturating_add(c.cells);
        entry.1 = entry.1.saturating_add(c.deposits);
    }
    let total_cells: u64 = merged.values().fold(0, |acc, v| acc.saturating_add(v.0));
    let total_deposits: u64 = merged.values().fold(0, |acc, v| acc.saturating_add(v.1));
    if total_cells == 0 {
        return Err(Error::EmptyHistogram);
    }
    if total_deposits == 0 {
        return Err(Error::ZeroDeposits);
    }
    let to_km2 = |cells: u64| cells as f64 * options.cell_area_km2;
    let to_units = |cells: u64| to_km2(cells) / options.unit_cell_km2;
    let total_units = to_units(total_cells);
    if total_units <= total_deposits as f64 + 1.0 {
        return Err(Error::AreaTooSmall {
            total_area_units: total_units,
            deposits: total_deposits,
        });
    }

    let mut ordered: Vec<(i64, u64, u64)> = merged.iter().map(|(&k, &(c, d))| (k, c, d)).collect();
    let cumulative = matches!(
        options.kind,
        WeightsType::Ascending | WeightsType::Descending
    );
    if options.kind == WeightsType::Descending {
        ordered.reverse();
    }

    let mut rows = Vec::with_capacity(ordered.len());
    let (mut cum_cells, mut cum_deposits) = (0u64, 0u64);
    for &(class, cells, deposits) in &ordered {
        let (pattern_cells, pattern_deposits) = if cumulative {
            cum_cells += cells;
            cum_deposits += deposits;
            (cum_cells, cum_deposits)
        } else {
            (cells, deposits)
        };
        let area_units = to_units(pattern_cells);
        let w = PatternWeights::compute(area_units, pattern_deposits, total_units, total_deposits);
        rows.push(WeightsRow {
            class,
            class_area_km2: to_km2(cells),
            area_km2: to_km2(pattern_cells),
            area_units,
            deposits: Some(pattern_deposits),
            w_plus: w.w_plus,
            s_w_plus: w.s_w_plus,
            w_minus: w.w_minus,
            s_w_minus: w.s_w_minus,
            contrast: w.contrast,
            s_contrast: w.s_contrast,
            studentized_contrast: w.studentized_contrast,
            gen_class: class,
            weight: w.w_plus,
            w_std: w.s_w_plus,
        });
    }

    let threshold = options.studentized_contrast_threshold;
    if cumulative {
        generalise_cumulative(&mut rows, options.generalisation, threshold);
    } else if options.kind == WeightsType::Categorical && options.categorical_pooling {
        let pooled = |r: &WeightsRow| r.studentized_contrast.abs() < threshold;
        let (mut pooled_cells, mut pooled_deposits, mut any) = (0u64, 0u64, false);
        for (row, &(_, cells, deposits)) in rows.iter().zip(&ordered) {
            if pooled(row) {
                pooled_cells += cells;
                pooled_deposits += deposits;
                any = true;
            }
        }
        if any {
            let w = PatternWeights::compute(
                to_units(pooled_cells),
                pooled_deposits,
                total_units,
                total_deposits,
            );
            for row in rows.iter_mut().filter(|r| pooled(r)) {
                row.gen_class = GEN_CLASS_POOLED;
                row.weight = w.w_plus;
                row.w_std = w.s_w_plus;
            }
        }
    }
    Ok(WeightsTable {
        kind: options.kind,
        rows,
    })
}

/// Index of the first row of maximum contrast among the rows `eligible` accepts.
fn max_contrast_row(rows: &[WeightsRow], eligible: impl Fn(&WeightsRow) -> bool) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, row) in rows.iter().enumerate() {
        if eligible(row) && best.is_none_or(|b| row.contrast > rows[b].contrast) {
            best = Some(i);
        }
    }
    best
}

fn generalise_cumulative(rows: &mut [WeightsRow], rule: Generalisation, threshold: f64) {
    let cut = match rule {
        Generalisation::ArcSdm => max_contrast_row(rows, |r| r.studentized_contrast >= threshold),
        Generalisation::GaR => {
            let max_studc = rows
                .iter()
                .map(|r| r.studentized_contrast)
                .fold(f64::NEG_INFINITY, f64::max);
            if max_studc >= threshold {
                max_contrast_row(rows, |_| true)
            } else {
                None
            }
        }
    };
    match cut {
        Some(cut) => {
            let c = rows[cut];
            for (i, row) in rows.iter_mut().enumerate() {
                if i <= cut {
                    (row.gen_class, row.weight, row.w_std) = (2, c.w_plus, c.s_w_plus);
                } else {
                    (row.gen_class, row.weight, row.w_std) = (1, c.w_minus, c.s_w_minus);
                }
            }
        }
        None => {
            for row in rows.iter_mut() {
                (row.gen_class, row.weight, row.w_std) = (GEN_CLASS_NOT_SIGNIFICANT, 0.0, 0.0);
            }
        }
    }
}

impl WeightsTable {
    /// WEIGHT, W_STD and GEN_CLASS of `class`, or `None` if the table has no such class.
    ///
    /// A linear scan; build a map once if you look up per cell.
    pub fn lookup(&self, class: i64) -> Option<(f64, f64, i64)> {
        self.rows
            .iter()
            .find(|r| r.class == class)
            .map(|r| (r.weight, r.w_std, r.gen_class))
    }

    /// Writes the table as CSV with the header
    /// `CLASS,CLASS_AREA,AREA_SQ_KM,AREA_UNITS,NO_POINTS,WPLUS,S_WPLUS,WMINUS,S_WMINUS,CONTRAST,S_CONTRAST,STUDC,GEN_CLASS,WEIGHT,W_STD`.
    ///
    /// Floats are written in Rust's shortest round-trip form, so reading the file back with
    /// [`WeightsTable::read_csv`] gives bit-identical values; a missing NO_POINTS is an empty
    /// field and a missing float is `NaN`.
    ///
    /// # Errors
    /// Any I/O error of `writer`.
    pub fn write_csv<W: io::Write>(&self, mut writer: W) -> io::Result<()> {
        writeln!(writer, "{HEADER}")?;
        for r in &self.rows {
            let deposits = r.deposits.map(|d| d.to_string()).unwrap_or_default();
            writeln!(
                writer,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                r.class,
                r.class_area_km2,
                r.area_km2,
                r.area_units,
                deposits,
                r.w_plus,
                r.s_w_plus,
                r.w_minus,
                r.s_w_minus,
                r.contrast,
                r.s_contrast,
                r.studentized_contrast,
                r.gen_class,
                r.weight,
                r.w_std
            )?;
        }
        writer.flush()
    }

    /// Reads a weights table written by [`WeightsTable::write_csv`], by ArcSDM (exported to
    /// CSV) or by GA's R scripts (quoted headers and an unnamed first column of row numbers).
    ///
    /// Columns are found by name, ignoring case, surrounding spaces and quotes; unnamed
    /// columns are ignored. CLASS, GEN_CLASS, WEIGHT and W_STD are required; the others are
    /// optional (missing → NaN, or `None` for NO_POINTS). `STUD_CNT` (ArcSDM's dBASE name) is
    /// accepted for STUDC. Empty fields and R's `NA` read as missing. `path` is used only in
    /// error messages.
    ///
    /// The [`WeightsType`] is not stored in the file and is inferred: if GEN_CLASS = CLASS on
    /// every row, [`WeightsType::Categorical`] (binary tables read as categorical); otherwise,
    /// if every GEN_CLASS is 1, 2 or 999 and CLASS is strictly decreasing,
    /// [`WeightsType::Descending`], strictly increasing, [`WeightsType::Ascending`]; else
    /// categorical. The response uses only WEIGHT, W_STD, GEN_CLASS and CLASS_AREA, so the
    /// inference does not affect it.
    ///
    /// # Errors
    /// [`Error::Csv`] for unreadable or malformed CSV, [`Error::MissingColumn`],
    /// [`Error::MalformedField`] (with line and column), [`Error::DuplicateClass`] and
    /// [`Error::EmptyTable`].
    pub fn read_csv<R: io::Read>(reader: R, path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let csv_err = |source| Error::Csv {
            path: path.to_path_buf(),
            source,
        };
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(reader);
        let headers: Vec<String> = rdr
            .headers()
            .map_err(csv_err)?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let find = |names: &[&str]| {
            names.iter().find_map(|name| {
                headers
                    .iter()
                    .position(|h| !h.is_empty() && h.eq_ignore_ascii_case(name))
            })
        };
        let required = |name: &'static str| {
            find(&[name]).ok_or_else(|| Error::MissingColumn {
                path: path.to_path_buf(),
                column: name,
            })
        };
        let class_col = required("CLASS")?;
        let gen_col = required("GEN_CLASS")?;
        let weight_col = required("WEIGHT")?;
        let w_std_col = required("W_STD")?;
        let optional = [
            find(&["CLASS_AREA"]),
            find(&["AREA_SQ_KM"]),
            find(&["AREA_UNITS"]),
            find(&["WPLUS"]),
            find(&["S_WPLUS"]),
            find(&["WMINUS"]),
            find(&["S_WMINUS"]),
            find(&["CONTRAST"]),
            find(&["S_CONTRAST"]),
            find(&["STUDC", "STUD_CNT"]),
        ];
        let points_col = find(&["NO_POINTS"]);

        let mut rows: Vec<WeightsRow> = Vec::new();
        let mut seen: BTreeMap<i64, ()> = BTreeMap::new();
        let mut record = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_err(e)),
            }
            let line = record.position().map_or(0, |p| p.line());
            let field = Field {
                path,
                line,
                headers: &headers,
                record: &record,
            };
            let class = field.int(class_col)?;
            if seen.insert(class, ()).is_some() {
                return Err(Error::DuplicateClass {
                    path: path.to_path_buf(),
                    line,
                    class,
                });
            }
            let mut floats = [f64::NAN; 10];
            for (value, col) in floats.iter_mut().zip(optional) {
                if let Some(col) = col {
                    *value = field.float(col)?;
                }
            }
            let deposits = match points_col {
                Some(col) => field.count(col)?,
                None => None,
            };
            rows.push(WeightsRow {
                class,
                class_area_km2: floats[0],
                area_km2: floats[1],
                area_units: floats[2],
                deposits,
                w_plus: floats[3],
                s_w_plus: floats[4],
                w_minus: floats[5],
                s_w_minus: floats[6],
                contrast: floats[7],
                s_contrast: floats[8],
                studentized_contrast: floats[9],
                gen_class: field.int(gen_col)?,
                weight: field.finite(weight_col)?,
                w_std: field.non_negative(w_std_col)?,
            });
        }
        if rows.is_empty() {
            return Err(Error::EmptyTable {
                path: path.to_path_buf(),
            });
        }
        Ok(Self {
            kind: infer_kind(&rows),
            rows,
        })
    }
}

fn infer_kind(rows: &[WeightsRow]) -> WeightsType {
    if rows.iter().all(|r| r.gen_class == r.class) {
        return WeightsType::Categorical;
    }
    let cumulative_classes = rows
        .iter()
        .all(|r| matches!(r.gen_class, 1 | 2 | GEN_CLASS_NOT_SIGNIFICANT));
    if cumulative_classes {
        if rows.windows(2).all(|w| w[0].class > w[1].class) {
            return WeightsType::Descending;
        }
        if rows.windows(2).all(|w| w[0].class < w[1].class) {
            return WeightsType::Ascending;
        }
    }
    WeightsType::Categorical
}

/// Field access for one CSV record, producing errors that name path, line and column.
struct Field<'a> {
    path: &'a Path,
    line: u64,
    headers: &'a [String],
    record: &'a csv::StringRecord,
}

impl Field<'_> {
    fn text(&self, col: usize) -> &str {
        self.record.get(col).unwrap_or("")
    }

    fn error(&self, col: usize, expected: &'static str) -> Error {
        Error::MalformedField {
            path: PathBuf::from(self.path),
            line: self.line,
            column: self.headers[col].clone(),
            value: self.text(col).to_string(),
            expected,
        }
    }

    fn is_missing(text: &str) -> bool {
        text.is_empty() || text == "NA"
    }

    fn int(&self, col: usize) -> Result<i64, Error> {
        let text = self.text(col);
        if let Ok(v) = text.parse::<i64>() {
            return Ok(v);
        }
        match text.parse::<f64>() {
            // Integral and within i64's range [-2^63, 2^63).
            Ok(v) if v.fract() == 0.0 && (i64::MIN as f64..i64::MAX as f64).contains(&v) => {
                Ok(v as i64)
            }
            _ => Err(self.error(col, "an integer")),
        }
    }

    fn float(&self, col: usize) -> Result<f64, Error> {
        let text = self.text(col);
        if Self::is_missing(text) {
            return Ok(f64::NAN);
        }
        text.parse::<f64>().map_err(|_| self.error(col, "a number"))
    }

    /// A number that must be given and finite (a weight).
    fn finite(&self, col: usize) -> Result<f64, Error> {
        match self.text(col).parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.error(col, "a finite number")),
        }
    }

    /// A standard deviation: missing (`NA`, empty) reads as NaN — unknown, so
    /// the uncertainty of cells in that class is unknown too — otherwise it
    /// must be finite and ≥ 0.
    fn non_negative(&self, col: usize) -> Result<f64, Error> {
        let text = self.text(col);
        if Self::is_missing(text) {
            return Ok(f64::NAN);
        }
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(self.error(col, "a finite number ≥ 0")),
        }
    }

    fn count(&self, col: usize) -> Result<Option<u64>, Error> {
        let text = self.text(col);
        if Self::is_missing(text) {
            return Ok(None);
        }
        if let Ok(v) = text.parse::<u64>() {
            return Ok(Some(v));
        }
        match text.parse::<f64>() {
            Ok(v) if v.fract() == 0.0 && (0.0..u64::MAX as f64).contains(&v) => Ok(Some(v as u64)),
            _ => Err(self.error(col, "a non-negative integer")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn opts(kind: WeightsType) -> WeightsOptions {
        WeightsOptions::new(0.01, kind)
    }

    #[test]
    fn zero_deposit_pattern_is_all_zero() {
        let w = PatternWeights::compute(100.0, 0, 1000.0, 10);
        assert_eq!(w, PatternWeights::ZERO);
    }

    #[test]
    fn full_pattern_uses_patches_2_and_3() {
        // B = T and b = D: b := D − 0.99, then B := T + b − D − 0.99 = T − 1.98.
        let (t, d) = (31311.33, 258u64);
        let w = PatternWeights::compute(t, d, t, d);
        let expected = ((t - 258.0) / 258.0).ln();
        assert!((w.w_minus - expected).abs() < 1e-12 * expected);
    }

    #[test]
    fn patch_4_small_pattern() {
        // B − b ≤ 0: B := b + 1, so s(W+) = sqrt(1/b + 1).
        let w = PatternWeights::compute(2.0, 3, 1000.0, 10);
        assert!((w.s_w_plus - (1.0f64 / 3.0 + 1.0).sqrt()).abs() < 1e-15);
    }

    #[test]
    fn errors_are_reported() {
        let none = [ClassCount {
            class: 1,
            cells: 100,
            deposits: 0,
        }];
        assert!(matches!(
            calculate_weights(&none, &opts(WeightsType::Binary)),
            Err(Error::ZeroDeposits)
        ));
        assert!(matches!(
            calculate_weights(&[], &opts(WeightsType::Binary)),
            Err(Error::EmptyHistogram)
        ));
        let tiny = [ClassCount {
            class: 1,
            cells: 100,
            deposits: 5,
        }];
        assert!(matches!(
            calculate_weights(&tiny, &opts(WeightsType::Binary)),
            Err(Error::AreaTooSmall { .. })
        ));
        let bad = opts(WeightsType::Binary).unit_cell_km2(0.0);
        assert!(matches!(
            calculate_weights(&tiny, &bad),
            Err(Error::InvalidOption {
                name: "unit_cell_km2",
                ..
            })
        ));
    }

    #[test]
    fn no_significant_cut_gives_999() {
        let classes = [
            ClassCount {
                class: 1,
                cells: 100_000,
                deposits: 5,
            },
            ClassCount {
                class: 2,
                cells: 100_000,
                deposits: 5,
            },
        ];
        for rule in [Generalisation::ArcSdm, Generalisation::GaR] {
            let t = calculate_weights(&classes, &opts(WeightsType::Ascending).generalisation(rule))
                .unwrap();
            for r in &t.rows {
                assert_eq!((r.gen_class, r.weight, r.w_std), (999, 0.0, 0.0));
            }
        }
    }

    #[test]
    fn arcsdm_and_gar_cuts_differ() {
        // With threshold 3, row 1 has the larger contrast but STUDC below 3 (one deposit on a
        // small area); row 2 passes. GA's R cuts at row 1, ArcSDM at row 2.
        let classes = [
            ClassCount {
                class: 1,
                cells: 2_000,
                deposits: 1,
            },
            ClassCount {
                class: 2,
                cells: 300_000,
                deposits: 40,
            },
            ClassCount {
                class: 3,
                cells: 3_000_000,
                deposits: 60,
            },
        ];
        let arc = calculate_weights(
            &classes,
            &opts(WeightsType::Ascending).studentized_contrast_threshold(3.0),
        )
        .unwrap();
        let ga = calculate_weights(
            &classes,
            &opts(WeightsType::Ascending)
                .studentized_contrast_threshold(3.0)
                .generalisation(Generalisation::GaR),
        )
        .unwrap();
        assert!(arc.rows[0].contrast > arc.rows[1].contrast);
        assert!(arc.rows[0].studentized_contrast < 3.0);
        assert!(arc.rows[1].studentized_contrast >= 3.0);
        let gens = |t: &WeightsTable| t.rows.iter().map(|r| r.gen_class).collect::<Vec<_>>();
        assert_eq!(gens(&arc), [2, 2, 1]);
        assert_eq!(gens(&ga), [2, 1, 1]);
        assert_eq!(arc.rows[0].weight, arc.rows[1].w_plus);
        assert_eq!(arc.rows[2].weight, arc.rows[1].w_minus);
    }

    #[test]
    fn categorical_pooling_recomputes_pooled_weight() {
        let classes = [
            ClassCount {
                class: 5,
                cells: 1_000_000,
                deposits: 30,
            },
            ClassCount {
                class: 7,
                cells: 1_000_000,
                deposits: 31,
            },
            ClassCount {
                class: 9,
                cells: 100_000,
                deposits: 10,
            },
        ];
        let ga = calculate_weights(&classes, &opts(WeightsType::Categorical)).unwrap();
        assert_eq!(
            ga.rows.iter().map(|r| r.gen_class).collect::<Vec<_>>(),
            [5, 7, 9]
        );
        let arc = calculate_weights(
            &classes,
            &opts(WeightsType::Categorical).categorical_pooling(true),
        )
        .unwrap();
        let pooled = PatternWeights::compute(20_000.0, 61, 21_000.0, 71);
        for r in &arc.rows {
            if r.class == 9 {
                assert_eq!((r.gen_class, r.weight), (9, r.w_plus));
            } else {
                assert!(r.studentized_contrast.abs() < 2.0, "{r:?}");
                assert_eq!(r.gen_class, GEN_CLASS_POOLED);
                assert!((r.weight - pooled.w_plus).abs() < 1e-12);
                assert!((r.w_std - pooled.s_w_plus).abs() < 1e-12);
            }
        }
        // Binary tables never pool.
        let binary = calculate_weights(
            &classes,
            &opts(WeightsType::Binary).categorical_pooling(true),
        )
        .unwrap();
        assert_eq!(binary.rows, ga.rows);
    }

    #[test]
    fn duplicate_classes_are_merged_and_descending_order() {
        let classes = [
            ClassCount {
                class: 1,
                cells: 50_000,
                deposits: 1,
            },
            ClassCount {
                class: 3,
                cells: 60_000,
                deposits: 9,
            },
            ClassCount {
                class: 1,
                cells: 50_000,
                deposits: 2,
            },
        ];
        let t = calculate_weights(&classes, &opts(WeightsType::Descending)).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!((t.rows[0].class, t.rows[1].class), (3, 1));
        assert_eq!(t.rows[1].class_area_km2, 100_000.0 * 0.01);
        assert_eq!(t.rows[1].deposits, Some(12));
    }

    #[test]
    fn read_ga_quoted_csv() {
        let text = r#""","CLASS","CLASS_AREA","AREA_SQ_KM","AREA_UNITS","NO_POINTS","WPLUS","S_WPLUS","WMINUS","S_WMINUS","CONTRAST","S_CONTRAST","STUDC","GEN_CLASS","WEIGHT","W_STD"
"1",1,30003.91,30003.91,30003.91,218,-0.126793936032072,0.0679759434225853,1.33464258007767,0.160589552693209,-1.46143651610974,0.174383867712571,-8.38057175402577,1,-0.126793936032072,0.0679759434225853
"2",2,1307.42,1307.42,1307.42,40,1.33464258007767,0.160589552693209,-0.126793936032072,0.0679759434225853,1.46143651610974,0.174383867712571,8.38057175402577,2,1.33464258007767,0.160589552693209
"#;
        let t = WeightsTable::read_csv(text.as_bytes(), "StratNo_CT.csv").unwrap();
        assert_eq!(t.kind, WeightsType::Categorical);
        assert_eq!(t.rows.len(), 2);
        let r = t.rows[1];
        assert_eq!(r.class, 2);
        assert_eq!(r.class_area_km2, 1307.42);
        assert_eq!(r.deposits, Some(40));
        assert_eq!(r.studentized_contrast, 8.38057175402577);
        assert_eq!(t.lookup(2), Some((1.33464258007767, 0.160589552693209, 2)));
        assert_eq!(
            t.lookup(1),
            Some((-0.126793936032072, 0.0679759434225853, 1))
        );
        assert_eq!(t.lookup(3), None);
    }

    #[test]
    fn read_minimal_columns_and_errors() {
        let t = WeightsTable::read_csv(
            "class, gen_class ,WEIGHT,W_STD\n3,2,0.5,0.1\n1,1,-0.2,NA\n".as_bytes(),
            "m.csv",
        )
        .unwrap();
        assert_eq!(t.kind, WeightsType::Descending);
        assert!(t.rows[0].w_plus.is_nan());
        assert!(t.rows[1].w_std.is_nan());
        assert_eq!(t.rows[0].deposits, None);

        let err =
            WeightsTable::read_csv("CLASS,WEIGHT,W_STD\n1,0,0\n".as_bytes(), "a.csv").unwrap_err();
        assert!(matches!(
            err,
            Error::MissingColumn {
                column: "GEN_CLASS",
                ..
            }
        ));

        let err = WeightsTable::read_csv(
            "CLASS,GEN_CLASS,WEIGHT,W_STD\n1,1,0,0\n2,2,abc,0\n".as_bytes(),
            "b.csv",
        )
        .unwrap_err();
        match &err {
            Error::MalformedField {
                path, line, column, ..
            } => {
                assert_eq!(path, Path::new("b.csv"));
                assert_eq!(*line, 3);
                assert_eq!(column, "WEIGHT");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            err.to_string(),
            "b.csv: line 3, column WEIGHT: cannot read \"abc\" as a finite number"
        );
        for (row, column) in [("1,1,inf,0", "WEIGHT"), ("1,1,0,-0.1", "W_STD")] {
            let text = format!("CLASS,GEN_CLASS,WEIGHT,W_STD\n{row}\n");
            match WeightsTable::read_csv(text.as_bytes(), "e.csv").unwrap_err() {
                Error::MalformedField { column: c, .. } => assert_eq!(c, column),
                other => panic!("unexpected {other:?}"),
            }
        }

        let err = WeightsTable::read_csv(
            "CLASS,GEN_CLASS,WEIGHT,W_STD\n1,1,0,0\n1,1,0,0\n".as_bytes(),
            "c.csv",
        )
        .unwrap_err();
        assert!(matches!(
            err,
            Error::DuplicateClass {
                line: 3,
                class: 1,
                ..
            }
        ));

        let err = WeightsTable::read_csv("CLASS,GEN_CLASS,WEIGHT,W_STD\n".as_bytes(), "d.csv")
            .unwrap_err();
        assert!(matches!(err, Error::EmptyTable { .. }));
    }

    fn class_counts(max_classes: usize) -> impl Strategy<Value = Vec<ClassCount>> {
        prop::collection::vec((1u64..50_000, 0u64..40), 2..max_classes).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (cells, deposits))| ClassCount {
                    class: i as i64 * 3 - 5,
                    cells,
                    deposits,
                })
                .collect()
        })
    }

    fn total_ok(classes: &[ClassCount]) -> bool {
        let cells: u64 = classes.iter().map(|c| c.cells).sum();
        let deposits: u64 = classes.iter().map(|c| c.deposits).sum();
        deposits > 0 && cells as f64 * 0.01 > deposits as f64 + 1.0
    }

    fn bits(x: f64) -> u64 {
        x.to_bits()
    }

    proptest! {
        #[test]
        fn binary_complement_swaps_weights(
            cells in (1u64..2_000_000, 1u64..2_000_000),
            deposits in (0u64..200, 0u64..200),
        ) {
            let classes = [
                ClassCount { class: 1, cells: cells.0, deposits: deposits.0 },
                ClassCount { class: 2, cells: cells.1, deposits: deposits.1 },
            ];
            prop_assume!(total_ok(&classes));
            // Patches make the swap inexact when a class holds none or all of the deposits,
            // or when a class area (unit cells) does not exceed its deposit count.
            prop_assume!(deposits.0 > 0 && deposits.1 > 0);
            prop_assume!(cells.0 as f64 * 0.01 > deposits.0 as f64 + 1.0);
            prop_assume!(cells.1 as f64 * 0.01 > deposits.1 as f64 + 1.0);
            let t = calculate_weights(&classes, &opts(WeightsType::Binary)).unwrap();
            let (a, b) = (t.rows[0], t.rows[1]);
            let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1e-300);
            prop_assert!(close(a.w_plus, b.w_minus));
            prop_assert!(close(a.w_minus, b.w_plus));
            prop_assert!(close(a.s_w_plus, b.s_w_minus));
            prop_assert!(close(a.s_w_minus, b.s_w_plus));
            prop_assert!(close(a.contrast, -b.contrast));
            prop_assert!(close(a.studentized_contrast, -b.studentized_contrast));
        }

        #[test]
        fn cumulative_columns_are_monotone(classes in class_counts(12), descending: bool) {
            prop_assume!(total_ok(&classes));
            let kind = if descending { WeightsType::Descending } else { WeightsType::Ascending };
            let t = calculate_weights(&classes, &opts(kind)).unwrap();
            for w in t.rows.windows(2) {
                prop_assert!(w[1].area_km2 >= w[0].area_km2);
                prop_assert!(w[1].deposits >= w[0].deposits);
                if descending {
                    prop_assert!(w[1].class < w[0].class);
                } else {
                    prop_assert!(w[1].class > w[0].class);
                }
            }
            let last = t.rows.last().unwrap();
            let total_cells: u64 = classes.iter().map(|c| c.cells).sum();
            prop_assert_eq!(last.area_km2, total_cells as f64 * 0.01);
            prop_assert_eq!(last.deposits, Some(classes.iter().map(|c| c.deposits).sum()));
            for r in &t.rows {
                prop_assert!(r.w_plus.is_finite() && r.w_minus.is_finite());
                prop_assert!(matches!(r.gen_class, 1 | 2 | 999));
            }
        }

        #[test]
        fn csv_round_trip_is_bit_identical(classes in class_counts(20), kind in 0usize..4) {
            prop_assume!(total_ok(&classes));
            let kind = [
                WeightsType::Ascending,
                WeightsType::Descending,
                WeightsType::Categorical,
                WeightsType::Binary,
            ][kind];
            let t = calculate_weights(&classes, &opts(kind).unit_cell_km2(0.37)).unwrap();
            let mut buf = Vec::new();
            t.write_csv(&mut buf).unwrap();
            let back = WeightsTable::read_csv(buf.as_slice(), "round-trip.csv").unwrap();
            prop_assert_eq!(back.rows.len(), t.rows.len());
            for (a, b) in t.rows.iter().zip(&back.rows) {
                prop_assert_eq!((a.class, a.gen_class, a.deposits), (b.class, b.gen_class, b.deposits));
                let fa = [a.class_area_km2, a.area_km2, a.area_units, a.w_plus, a.s_w_plus,
                    a.w_minus, a.s_w_minus, a.contrast, a.s_contrast, a.studentized_contrast,
                    a.weight, a.w_std];
                let fb = [b.class_area_km2, b.area_km2, b.area_units, b.w_plus, b.s_w_plus,
                    b.w_minus, b.s_w_minus, b.contrast, b.s_contrast, b.studentized_contrast,
                    b.weight, b.w_std];
                prop_assert_eq!(fa.map(bits), fb.map(bits));
            }
        }
    }
}
