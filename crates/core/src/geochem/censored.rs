//! Censored values: concentrations reported as below (or above) an analytical limit.
//!
//! A laboratory reports a value below its detection limit (DL) as `<5`, as a negative number
//! (`-5`, an old convention of some laboratories and databases) or as a number with a separate
//! flag column (the GTK till data: `Th_ppm_511 = 0`, `Th_511P_T = <`). Reading a cell gives a
//! [`Reading`]; a declared [`CensoringRule`] then turns it into a number or a missing value.
//! Substituting a fraction of the DL is the simple practice discussed by Helsel (2012),
//! *Statistics for Censored Environmental Data*, ch. 1: DL/2 is the most common choice,
//! DL/√2 (Hornung & Reed 1990) and 0.55·DL are others; the rule used should always be
//! reported with the results.

use std::fmt;

use super::Error;

/// One cell of a sample table, read but not yet resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reading {
    /// A measured concentration (≥ 0), in the table's unit.
    Measured(f64),
    /// Below the detection limit; the limit when the cell gives it.
    BelowLimit {
        /// The detection limit, when known.
        limit: Option<f64>,
    },
    /// Above the upper limit of quantification; the limit when the cell gives it.
    AboveLimit {
        /// The upper limit, when known.
        limit: Option<f64>,
    },
    /// Not determined: an empty cell or a missing-value marker (`NA`, `n.d.`, …).
    NotDetermined,
}

impl Reading {
    /// Whether the reading is censored (below or above a limit).
    pub fn is_censored(&self) -> bool {
        matches!(
            self,
            Reading::BelowLimit { .. } | Reading::AboveLimit { .. }
        )
    }
}

impl fmt::Display for Reading {
    /// Writes the reading as a laboratory would: `12.5`, `<5`, `<DL`, `>1000`, or nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reading::Measured(v) => write!(f, "{v}"),
            Reading::BelowLimit { limit: Some(l) } => write!(f, "<{l}"),
            Reading::BelowLimit { limit: None } => f.write_str("<DL"),
            Reading::AboveLimit { limit: Some(l) } => write!(f, ">{l}"),
            Reading::AboveLimit { limit: None } => f.write_str(">UL"),
            Reading::NotDetermined => Ok(()),
        }
    }
}

/// The markers that mean "not determined" unless a table declares others, compared ignoring
/// case and surrounding spaces.
pub const DEFAULT_MISSING_MARKERS: [&str; 11] = [
    "", "na", "n/a", "n.a.", "nd", "n.d.", "nan", "null", "-", "--", "—",
];

/// Markers that mean "below the detection limit, limit not given", ignoring case.
const BELOW_LIMIT_MARKERS: [&str; 4] = ["bdl", "b.d.l.", "<dl", "<lod"];

/// How cells are read: the declared conventions of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseOptions {
    /// Whether a negative number marks a value below the detection limit (`-5` reads as `<5`).
    /// When false (the default) a negative number is an error.
    pub negative_means_below_limit: bool,
    /// Cells that mean "not determined", compared ignoring case and surrounding spaces.
    pub missing_markers: Vec<String>,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            negative_means_below_limit: false,
            missing_markers: DEFAULT_MISSING_MARKERS
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

impl ParseOptions {
    /// Declares (or not) that negative numbers mark values below the detection limit.
    pub fn negative_means_below_limit(mut self, yes: bool) -> Self {
        self.negative_means_below_limit = yes;
        self
    }

    fn is_missing(&self, trimmed: &str) -> bool {
        self.missing_markers
            .iter()
            .any(|m| m.trim().eq_ignore_ascii_case(trimmed))
    }

    /// Reads one cell.
    ///
    /// Accepts a number (`12.5`, `1e3`, decimal point only), `<5` / `< 5` / `<=5` / `≤5`,
    /// `>1000` / `>=1000` / `≥1000`, the markers `BDL` / `<DL` (below, limit not given), a
    /// missing-value marker, and, when declared, a negative number (`-5` = `<5`). The Unicode
    /// minus sign (−) counts as a minus.
    ///
    /// # Errors
    /// [`Error::NegativeConcentration`] for a negative number that is not a declared
    /// convention (and for `<-5`); [`Error::UnparsableValue`] for anything else unreadable,
    /// including `inf` and `NaN`-like numbers that are not missing markers.
    pub fn parse(&self, cell: &str) -> Result<Reading, Error> {
        let t = cell.trim();
        if self.is_missing(t) {
            return Ok(Reading::NotDetermined);
        }
        if BELOW_LIMIT_MARKERS
            .iter()
            .any(|m| m.eq_ignore_ascii_case(t))
        {
            return Ok(Reading::BelowLimit { limit: None });
        }
        let below = ["<=", "≤", "<"].iter().find_map(|p| t.strip_prefix(p));
        if let Some(rest) = below {
            let limit = self.limit_number(rest, cell)?;
            return Ok(Reading::BelowLimit { limit: Some(limit) });
        }
        let above = [">=", "≥", ">"].iter().find_map(|p| t.strip_prefix(p));
        if let Some(rest) = above {
            let limit = self.limit_number(rest, cell)?;
            return Ok(Reading::AboveLimit { limit: Some(limit) });
        }
        let v = number(t, cell)?;
        if v < 0.0 {
            if self.negative_means_below_limit {
                return Ok(Reading::BelowLimit { limit: Some(-v) });
            }
            return Err(Error::NegativeConcentration {
                value: cell.to_string(),
            });
        }
        // -0 reads as 0.
        Ok(Reading::Measured(v.abs()))
    }

    /// Reads a cell together with its flag cell (e.g. GTK's `Th_ppm_511` and `Th_511P_T`).
    ///
    /// The flag `<` makes the reading [`Reading::BelowLimit`]; the value cell then holds the
    /// detection limit, or 0 / nothing when the limit is not given. The flag `>` makes it
    /// [`Reading::AboveLimit`] with the value as the limit. An empty flag, and any other mark
    /// (GTK's `!`, whose meaning the data does not state), leave the value as reported: see
    /// [`FlagMark`] to count such marks.
    ///
    /// # Errors
    /// As [`ParseOptions::parse`] for the value cell.
    pub fn parse_flagged(&self, cell: &str, flag: &str) -> Result<Reading, Error> {
        match FlagMark::parse(flag) {
            FlagMark::BelowLimit => match self.parse(cell)? {
                Reading::Measured(v) if v > 0.0 => Ok(Reading::BelowLimit { limit: Some(v) }),
                Reading::Measured(_) | Reading::NotDetermined => {
                    Ok(Reading::BelowLimit { limit: None })
                }
                below @ Reading::BelowLimit { .. } => Ok(below),
                Reading::AboveLimit { .. } => Err(Error::UnparsableValue {
                    value: format!("{cell} (flagged {flag})"),
                }),
            },
            FlagMark::AboveLimit => match self.parse(cell)? {
                Reading::Measured(v) if v > 0.0 => Ok(Reading::AboveLimit { limit: Some(v) }),
                Reading::Measured(_) | Reading::NotDetermined => {
                    Ok(Reading::AboveLimit { limit: None })
                }
                above @ Reading::AboveLimit { .. } => Ok(above),
                Reading::BelowLimit { .. } => Err(Error::UnparsableValue {
                    value: format!("{cell} (flagged {flag})"),
                }),
            },
            FlagMark::None | FlagMark::Other(_) => self.parse(cell),
        }
    }

    fn limit_number(&self, rest: &str, cell: &str) -> Result<f64, Error> {
        let v = number(rest.trim(), cell)?;
        if v < 0.0 {
            return Err(Error::NegativeConcentration {
                value: cell.to_string(),
            });
        }
        Ok(v.abs())
    }
}

/// Parses a finite decimal number, accepting the Unicode minus sign.
fn number(t: &str, cell: &str) -> Result<f64, Error> {
    let unparsable = || Error::UnparsableValue {
        value: cell.to_string(),
    };
    let owned;
    let t = if t.contains('−') {
        owned = t.replace('−', "-");
        owned.as_str()
    } else {
        t
    };
    // Rust accepts "inf", "infinity" and "nan"; a concentration is a finite number.
    if t.is_empty()
        || t.chars()
            .any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
    {
        return Err(unparsable());
    }
    let v: f64 = t.parse().map_err(|_| unparsable())?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(unparsable())
    }
}

/// The meaning of a censoring-flag cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagMark {
    /// No flag (an empty cell).
    None,
    /// `<`: below the detection limit.
    BelowLimit,
    /// `>`: above the upper limit.
    AboveLimit,
    /// Any other mark, kept as written (GTK uses `!`, meaning not stated in the data).
    Other(String),
}

impl FlagMark {
    /// Reads a flag cell, ignoring surrounding spaces.
    pub fn parse(flag: &str) -> FlagMark {
        match flag.trim() {
            "" => FlagMark::None,
            "<" | "<=" | "≤" => FlagMark::BelowLimit,
            ">" | ">=" | "≥" => FlagMark::AboveLimit,
            other => FlagMark::Other(other.to_string()),
        }
    }
}

/// What a value below the detection limit becomes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Substitution {
    /// The detection limit itself (an upper bound: biases means upwards).
    DetectionLimit,
    /// Half the detection limit, DL/2 (the most common convention).
    HalfDetectionLimit,
    /// A declared fraction of the detection limit, in [0, 1] (e.g. 0.55, or 1/√2 with
    /// [`Substitution::DL_OVER_SQRT2`]).
    FractionOfLimit(f64),
    /// Zero.
    Zero,
    /// A missing value: the sample is left out of what needs this element.
    Missing,
}

impl Substitution {
    /// DL/√2 (Hornung & Reed 1990, Appl. Occup. Environ. Hyg. 5:46–51).
    pub const DL_OVER_SQRT2: Substitution =
        Substitution::FractionOfLimit(std::f64::consts::FRAC_1_SQRT_2);

    /// A fraction of the detection limit.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless `0 ≤ fraction ≤ 1`.
    pub fn fraction(fraction: f64) -> Result<Substitution, Error> {
        let s = Substitution::FractionOfLimit(fraction);
        s.validate()?;
        Ok(s)
    }

    /// The multiple of the detection limit this rule substitutes, or `None` for
    /// [`Substitution::Missing`].
    pub fn factor(self) -> Option<f64> {
        match self {
            Substitution::DetectionLimit => Some(1.0),
            Substitution::HalfDetectionLimit => Some(0.5),
            Substitution::FractionOfLimit(f) => Some(f),
            Substitution::Zero => Some(0.0),
            Substitution::Missing => None,
        }
    }

    /// Checks the fraction.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a fraction outside [0, 1] or not finite.
    pub fn validate(self) -> Result<(), Error> {
        if let Substitution::FractionOfLimit(f) = self {
            if !(f.is_finite() && (0.0..=1.0).contains(&f)) {
                return Err(Error::InvalidParameter {
                    reason: format!("detection-limit fraction {f} must be between 0 and 1"),
                });
            }
        }
        Ok(())
    }
}

/// What a value above the upper limit becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AboveLimitRule {
    /// The upper limit itself (a lower bound of the true value).
    Limit,
    /// A missing value.
    Missing,
}

/// The declared rule that turns [`Reading`]s into numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CensoringRule {
    /// What a value below the detection limit becomes.
    pub below: Substitution,
    /// What a value above the upper limit becomes.
    pub above: AboveLimitRule,
}

impl Default for CensoringRule {
    /// DL/2 below the detection limit, the limit itself above the upper limit.
    fn default() -> Self {
        Self {
            below: Substitution::HalfDetectionLimit,
            above: AboveLimitRule::Limit,
        }
    }
}

impl CensoringRule {
    /// A rule with the given substitution below the detection limit (above: the limit).
    pub fn new(below: Substitution) -> Self {
        Self {
            below,
            above: AboveLimitRule::Limit,
        }
    }

    /// Resolves one reading to a value (`None` = missing).
    ///
    /// `declared_limit` is the detection limit of the element when the table does not give it
    /// in the cell (GTK writes 0 with a `<` flag); a limit in the cell takes precedence.
    ///
    /// # Errors
    /// [`Error::UnknownDetectionLimit`] when the reading is censored, its limit is unknown,
    /// and the rule needs one; [`Error::InvalidParameter`] for an invalid fraction.
    pub fn resolve(
        &self,
        reading: &Reading,
        declared_limit: Option<f64>,
    ) -> Result<Option<f64>, Error> {
        self.below.validate()?;
        match *reading {
            Reading::Measured(v) => Ok(Some(v)),
            Reading::NotDetermined => Ok(None),
            Reading::BelowLimit { limit } => match self.below {
                Substitution::Missing => Ok(None),
                Substitution::Zero => Ok(Some(0.0)),
                rule => {
                    let dl =
                        limit
                            .or(declared_limit)
                            .ok_or_else(|| Error::UnknownDetectionLimit {
                                value: reading.to_string(),
                            })?;
                    Ok(rule.factor().map(|f| f * dl))
                }
            },
            Reading::AboveLimit { limit } => match self.above {
                AboveLimitRule::Missing => Ok(None),
                AboveLimitRule::Limit => {
                    limit.map(Some).ok_or_else(|| Error::UnknownDetectionLimit {
                        value: reading.to_string(),
                    })
                }
            },
        }
    }
}

/// How many readings of a column fell in each class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CensoringCounts {
    /// Measured values.
    pub measured: usize,
    /// Values below the detection limit.
    pub below_limit: usize,
    /// Values above the upper limit.
    pub above_limit: usize,
    /// Not determined (empty or a missing-value marker).
    pub not_determined: usize,
}

impl CensoringCounts {
    /// Counts `readings`.
    pub fn tally<'a>(readings: impl IntoIterator<Item = &'a Reading>) -> Self {
        let mut c = Self::default();
        for r in readings {
            c.add(r);
        }
        c
    }

    /// Counts one more reading.
    pub fn add(&mut self, reading: &Reading) {
        match reading {
            Reading::Measured(_) => self.measured += 1,
            Reading::BelowLimit { .. } => self.below_limit += 1,
            Reading::AboveLimit { .. } => self.above_limit += 1,
            Reading::NotDetermined => self.not_determined += 1,
        }
    }

    /// All readings counted.
    pub fn total(&self) -> usize {
        self.measured + self.below_limit + self.above_limit + self.not_determined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Reading, Error> {
        ParseOptions::default().parse(s)
    }

    #[test]
    fn numbers_and_markers() {
        assert_eq!(p("12.5"), Ok(Reading::Measured(12.5)));
        assert_eq!(p(" 1e3 "), Ok(Reading::Measured(1000.0)));
        assert_eq!(p("-0"), Ok(Reading::Measured(0.0)));
        for m in ["", "NA", "n.d.", "N/A", "nd", "-", "NaN"] {
            assert_eq!(p(m), Ok(Reading::NotDetermined), "{m:?}");
        }
        assert_eq!(p("BDL"), Ok(Reading::BelowLimit { limit: None }));
    }

    #[test]
    fn less_and_greater_than() {
        assert_eq!(p("<5"), Ok(Reading::BelowLimit { limit: Some(5.0) }));
        assert_eq!(p("< 0.5"), Ok(Reading::BelowLimit { limit: Some(0.5) }));
        assert_eq!(p("≤2"), Ok(Reading::BelowLimit { limit: Some(2.0) }));
        assert_eq!(
            p(">1000"),
            Ok(Reading::AboveLimit {
                limit: Some(1000.0)
            })
        );
        assert!(matches!(p("<-5"), Err(Error::NegativeConcentration { .. })));
        assert!(matches!(p("<abc"), Err(Error::UnparsableValue { .. })));
    }

    #[test]
    fn negatives_are_errors_unless_declared() {
        assert_eq!(
            p("-5"),
            Err(Error::NegativeConcentration { value: "-5".into() })
        );
        let e = p("−2.5").unwrap_err();
        assert!(e.to_string().contains("−2.5"), "{e}");
        let declared = ParseOptions::default().negative_means_below_limit(true);
        assert_eq!(
            declared.parse("-5"),
            Ok(Reading::BelowLimit { limit: Some(5.0) })
        );
    }

    #[test]
    fn non_numbers_are_errors() {
        for s in ["inf", "infinity", "abc", "1,5", "5 ppm"] {
            assert!(matches!(p(s), Err(Error::UnparsableValue { .. })), "{s:?}");
        }
    }

    #[test]
    fn flag_column_like_gtk() {
        let o = ParseOptions::default();
        assert_eq!(
            o.parse_flagged("0", "<"),
            Ok(Reading::BelowLimit { limit: None })
        );
        assert_eq!(
            o.parse_flagged("2", "<"),
            Ok(Reading::BelowLimit { limit: Some(2.0) })
        );
        assert_eq!(o.parse_flagged("1.74", "!"), Ok(Reading::Measured(1.74)));
        assert_eq!(o.parse_flagged("9.1", ""), Ok(Reading::Measured(9.1)));
        assert_eq!(
            o.parse_flagged("500", ">"),
            Ok(Reading::AboveLimit { limit: Some(500.0) })
        );
        assert_eq!(FlagMark::parse(" ! "), FlagMark::Other("!".into()));
    }

    #[test]
    fn substitution_rules() {
        let below = Reading::BelowLimit { limit: Some(5.0) };
        let r = |s| CensoringRule::new(s).resolve(&below, None).unwrap();
        assert_eq!(r(Substitution::HalfDetectionLimit), Some(2.5));
        assert_eq!(r(Substitution::DetectionLimit), Some(5.0));
        assert_eq!(r(Substitution::Zero), Some(0.0));
        assert_eq!(r(Substitution::Missing), None);
        assert_eq!(r(Substitution::fraction(0.55).unwrap()), Some(0.55 * 5.0));
        let sqrt2 = r(Substitution::DL_OVER_SQRT2).unwrap();
        assert!((sqrt2 - 5.0 / 2f64.sqrt()).abs() < 1e-12);
        assert!(Substitution::fraction(1.5).is_err());
    }

    #[test]
    fn unknown_limit_needs_a_declared_one() {
        let below = Reading::BelowLimit { limit: None };
        let half = CensoringRule::default();
        assert!(matches!(
            half.resolve(&below, None),
            Err(Error::UnknownDetectionLimit { .. })
        ));
        assert_eq!(half.resolve(&below, Some(0.4)), Ok(Some(0.2)));
        // A limit in the cell wins over the declared one.
        let given = Reading::BelowLimit { limit: Some(1.0) };
        assert_eq!(half.resolve(&given, Some(0.4)), Ok(Some(0.5)));
        assert_eq!(
            CensoringRule::new(Substitution::Zero).resolve(&below, None),
            Ok(Some(0.0))
        );
    }

    #[test]
    fn above_limit_and_counts() {
        let above = Reading::AboveLimit {
            limit: Some(1000.0),
        };
        assert_eq!(
            CensoringRule::default().resolve(&above, None),
            Ok(Some(1000.0))
        );
        let missing = CensoringRule {
            above: AboveLimitRule::Missing,
            ..CensoringRule::default()
        };
        assert_eq!(missing.resolve(&above, None), Ok(None));
        let readings = [above, Reading::Measured(1.0), Reading::NotDetermined];
        let c = CensoringCounts::tally(&readings);
        assert_eq!(
            (c.above_limit, c.measured, c.not_determined, c.total()),
            (1, 1, 1, 3)
        );
    }
}
