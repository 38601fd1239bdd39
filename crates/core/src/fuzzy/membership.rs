//! Fuzzy membership functions: a continuous or categorical layer to memberships in [0, 1].
//!
//! Fuzzy sets after Zadeh (1965), "Fuzzy sets", Information and Control 8, 338–353. The
//! continuous functions follow the definitions of ArcGIS Spatial Analyst's Fuzzy Membership
//! tool (FuzzyLinear, FuzzyLarge, FuzzySmall, FuzzyGaussian, FuzzyNear), with `f1` the spread
//! and `f2` the midpoint:
//!
//! | function | μ(x) |
//! | --- | --- |
//! | linear (min, max) | 0 at and beyond `min`, 1 at and beyond `max`, linear between; decreasing when `min > max` |
//! | large (f2, f1) | 1 / (1 + (x / f2)^(−f1)) |
//! | small (f2, f1) | 1 / (1 + (x / f2)^f1) |
//! | Gaussian (f2, f1) | exp(−f1 · (x − f2)²) |
//! | near (f2, f1) | 1 / (1 + f1 · (x − f2)²) |
//!
//! Large and small need a positive midpoint; for `x ≤ 0` they take their limits as x → 0⁺
//! (large 0, small 1). Categorical memberships come from a table of category → membership.
//!
//! NoData: a NoData, NaN or infinite input gives a NoData output; a category missing from the
//! table gives NoData unless the table declares a default membership.

use super::Error;
use crate::Block;

/// Most rows of a categorical table (a safe default for untrusted input).
pub const MAX_CATEGORIES: usize = 65_536;

/// A fuzzy membership function.
#[derive(Debug, Clone, PartialEq)]
pub enum Membership {
    /// Linear from 0 at `min` to 1 at `max` (decreasing when `min > max`), clamped outside.
    Linear {
        /// Value with membership 0.
        min: f64,
        /// Value with membership 1.
        max: f64,
    },
    /// Large values favourable: μ = 1 / (1 + (x / midpoint)^(−spread)); μ(midpoint) = ½.
    Large {
        /// Value with membership ½ (> 0); ArcGIS proposes the layer's mean.
        midpoint: f64,
        /// Steepness (> 0); ArcGIS's default is 5.
        spread: f64,
    },
    /// Small values favourable: μ = 1 / (1 + (x / midpoint)^spread); μ(midpoint) = ½.
    Small {
        /// Value with membership ½ (> 0).
        midpoint: f64,
        /// Steepness (> 0); ArcGIS's default is 5.
        spread: f64,
    },
    /// Values near the midpoint favourable, bell-shaped: μ = exp(−spread · (x − midpoint)²).
    Gaussian {
        /// Value with membership 1.
        midpoint: f64,
        /// Narrowness (> 0, in 1 / value units²); ArcGIS's default is 0.1.
        spread: f64,
    },
    /// Values near the midpoint favourable, with wider tails: μ = 1 / (1 + spread · (x −
    /// midpoint)²).
    Near {
        /// Value with membership 1.
        midpoint: f64,
        /// Narrowness (> 0, in 1 / value units²); ArcGIS's default is 0.1.
        spread: f64,
    },
    /// Memberships looked up by category.
    Categorical(CategoryTable),
}

/// A table of category → membership, for categorical layers (lithology codes, classes).
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryTable {
    /// Sorted by category, categories unique.
    entries: Vec<(f64, f64)>,
    default: Option<f64>,
}

impl CategoryTable {
    /// A table from `(category, membership)` rows; categories not in it get `default` (NoData
    /// when `None`). Categories are matched by exact value (`-0.0` equals `0.0`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an empty or too long table, a category that is not
    /// finite or repeated, or a membership (or default) outside [0, 1].
    pub fn new(
        rows: impl IntoIterator<Item = (f64, f64)>,
        default: Option<f64>,
    ) -> Result<Self, Error> {
        let mut entries: Vec<(f64, f64)> = rows.into_iter().map(|(c, m)| (c + 0.0, m)).collect();
        let invalid = |reason: String| Err(Error::InvalidParameter { reason });
        if entries.is_empty() || entries.len() > MAX_CATEGORIES {
            return invalid(format!(
                "a categorical membership table needs 1 to {MAX_CATEGORIES} rows, not {}",
                entries.len()
            ));
        }
        for &(c, m) in &entries {
            if !c.is_finite() {
                return invalid(format!("category {c} is not a finite number"));
            }
            if !(0.0..=1.0).contains(&m) {
                return invalid(format!("membership {m} of category {c} must lie in [0, 1]"));
            }
        }
        if let Some(d) = default {
            if !(0.0..=1.0).contains(&d) {
                return invalid(format!("default membership {d} must lie in [0, 1]"));
            }
        }
        entries.sort_by(|a, b| a.0.total_cmp(&b.0));
        if let Some(p) = entries.windows(2).find(|p| p[0].0 == p[1].0) {
            return invalid(format!("category {} appears twice", p[0].0));
        }
        Ok(Self { entries, default })
    }

    /// The membership of a category (the default, or `None`, when it is not in the table).
    pub fn membership(&self, category: f64) -> Option<f64> {
        let c = category + 0.0;
        match self.entries.binary_search_by(|e| e.0.total_cmp(&c)) {
            Ok(i) => Some(self.entries[i].1),
            Err(_) => self.default,
        }
    }

    /// The rows, sorted by category.
    pub fn rows(&self) -> &[(f64, f64)] {
        &self.entries
    }

    /// The membership of categories not in the table.
    pub fn default_membership(&self) -> Option<f64> {
        self.default
    }
}

fn positive(name: &str, what: &str, v: f64) -> Result<(), Error> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            reason: format!("the {what} of fuzzy {name} must be a positive number, not {v}"),
        })
    }
}

fn finite(name: &str, what: &str, v: f64) -> Result<(), Error> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            reason: format!("the {what} of fuzzy {name} must be a finite number, not {v}"),
        })
    }
}

impl Membership {
    /// Checks the parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`]: linear `min == max` or not finite; large/small midpoint or
    /// spread not positive; Gaussian/near midpoint not finite or spread not positive.
    pub fn validate(&self) -> Result<(), Error> {
        match *self {
            Membership::Linear { min, max } => {
                finite("linear", "minimum", min)?;
                finite("linear", "maximum", max)?;
                if min == max {
                    return Err(Error::InvalidParameter {
                        reason: format!(
                            "fuzzy linear needs different minimum and maximum, both are {min}"
                        ),
                    });
                }
                Ok(())
            }
            Membership::Large { midpoint, spread } => {
                positive("large", "midpoint", midpoint)?;
                positive("large", "spread", spread)
            }
            Membership::Small { midpoint, spread } => {
                positive("small", "midpoint", midpoint)?;
                positive("small", "spread", spread)
            }
            Membership::Gaussian { midpoint, spread } => {
                finite("Gaussian", "midpoint", midpoint)?;
                positive("Gaussian", "spread", spread)
            }
            Membership::Near { midpoint, spread } => {
                finite("near", "midpoint", midpoint)?;
                positive("near", "spread", spread)
            }
            Membership::Categorical(_) => Ok(()),
        }
    }

    /// The membership of a value, in [0, 1]; `None` (NoData) for a NaN or infinite value or a
    /// category without membership. Parameters are assumed valid ([`Membership::validate`]).
    #[inline]
    pub fn membership(&self, x: f64) -> Option<f64> {
        if !x.is_finite() {
            return None;
        }
        let mu = match *self {
            Membership::Linear { min, max } => ((x - min) / (max - min)).clamp(0.0, 1.0),
            Membership::Large { midpoint, spread } => {
                if x <= 0.0 {
                    0.0
                } else {
                    1.0 / (1.0 + (x / midpoint).powf(-spread))
                }
            }
            Membership::Small { midpoint, spread } => {
                if x <= 0.0 {
                    1.0
                } else {
                    1.0 / (1.0 + (x / midpoint).powf(spread))
                }
            }
            Membership::Gaussian { midpoint, spread } => (-spread * (x - midpoint).powi(2)).exp(),
            Membership::Near { midpoint, spread } => 1.0 / (1.0 + spread * (x - midpoint).powi(2)),
            Membership::Categorical(ref table) => return table.membership(x),
        };
        Some(mu)
    }

    /// Memberships of a block's cells; NoData cells (and values without membership) stay
    /// NoData.
    ///
    /// # Errors
    /// As [`Membership::validate`].
    pub fn apply(&self, block: &Block) -> Result<Block, Error> {
        self.validate()?;
        let mut out = Block::empty(block.window);
        for i in 0..block.values.len() {
            if let Some(mu) = block.get(i).and_then(|x| self.membership(x)) {
                out.values[i] = mu;
                out.valid[i] = true;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Window;
    use proptest::prelude::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn hand_computed_values() {
        let lin = Membership::Linear {
            min: 10.0,
            max: 20.0,
        };
        assert!(close(lin.membership(5.0), 0.0));
        assert!(close(lin.membership(12.5), 0.25));
        assert!(close(lin.membership(25.0), 1.0));
        let dec = Membership::Linear {
            min: 20.0,
            max: 10.0,
        };
        assert!(close(dec.membership(12.5), 0.75));

        let large = Membership::Large {
            midpoint: 10.0,
            spread: 5.0,
        };
        assert!(close(large.membership(10.0), 0.5));
        // (20/10)^−5 = 1/32 → 32/33.
        assert!(close(large.membership(20.0), 32.0 / 33.0));
        assert!(close(large.membership(5.0), 1.0 / 33.0));
        assert!(close(large.membership(0.0), 0.0));
        assert!(close(large.membership(-3.0), 0.0));

        let small = Membership::Small {
            midpoint: 10.0,
            spread: 5.0,
        };
        assert!(close(small.membership(20.0), 1.0 / 33.0));
        assert!(close(small.membership(0.0), 1.0));

        let gauss = Membership::Gaussian {
            midpoint: 3.0,
            spread: 0.1,
        };
        assert!(close(gauss.membership(3.0), 1.0));
        assert!(close(gauss.membership(5.0), (-0.4f64).exp()));
        let near = Membership::Near {
            midpoint: 3.0,
            spread: 0.1,
        };
        assert!(close(near.membership(5.0), 1.0 / 1.4));
        assert_eq!(near.membership(f64::NAN), None);
    }

    #[test]
    fn categorical_table() {
        let t = CategoryTable::new([(3.0, 0.9), (1.0, 0.2), (-0.0, 0.5)], None).unwrap();
        let m = Membership::Categorical(t.clone());
        assert_eq!(m.membership(1.0), Some(0.2));
        assert_eq!(m.membership(0.0), Some(0.5));
        assert_eq!(m.membership(2.0), None);
        let with_default = CategoryTable::new(t.rows().iter().copied(), Some(0.1)).unwrap();
        assert_eq!(with_default.membership(2.0), Some(0.1));
        assert!(CategoryTable::new([(1.0, 0.2), (1.0, 0.3)], None).is_err());
        assert!(CategoryTable::new([(1.0, 1.2)], None).is_err());
        assert!(CategoryTable::new([(f64::NAN, 0.2)], None).is_err());
        assert!(CategoryTable::new([], None).is_err());
        assert!(CategoryTable::new([(1.0, 0.2)], Some(-0.1)).is_err());
    }

    #[test]
    fn invalid_parameters() {
        let bad = [
            Membership::Linear { min: 1.0, max: 1.0 },
            Membership::Linear {
                min: f64::NAN,
                max: 1.0,
            },
            Membership::Large {
                midpoint: 0.0,
                spread: 5.0,
            },
            Membership::Small {
                midpoint: 1.0,
                spread: -1.0,
            },
            Membership::Gaussian {
                midpoint: 1.0,
                spread: 0.0,
            },
            Membership::Near {
                midpoint: f64::INFINITY,
                spread: 1.0,
            },
        ];
        for m in bad {
            assert!(
                matches!(m.validate(), Err(Error::InvalidParameter { .. })),
                "{m:?}"
            );
        }
    }

    #[test]
    fn blocks_keep_nodata() {
        let w = Window {
            col_off: 0,
            row_off: 0,
            width: 3,
            height: 1,
        };
        let b = Block::from_raw(w, vec![15.0, -9999.0, f64::NAN], Some(-9999.0));
        let m = Membership::Linear {
            min: 10.0,
            max: 20.0,
        };
        let out = m.apply(&b).unwrap();
        assert_eq!(out.valid, vec![true, false, false]);
        assert_eq!(out.values[0], 0.5);
        assert!(Membership::Linear { min: 1.0, max: 1.0 }.apply(&b).is_err());
    }

    fn any_membership() -> impl Strategy<Value = Membership> {
        let p = -1e3f64..1e3;
        let s = 1e-3f64..20.0;
        prop_oneof![
            (p.clone(), p.clone())
                .prop_filter("distinct", |(a, b)| a != b)
                .prop_map(|(min, max)| Membership::Linear { min, max }),
            (s.clone(), s.clone())
                .prop_map(|(midpoint, spread)| Membership::Large { midpoint, spread }),
            (s.clone(), s.clone())
                .prop_map(|(midpoint, spread)| Membership::Small { midpoint, spread }),
            (p.clone(), s.clone())
                .prop_map(|(midpoint, spread)| Membership::Gaussian { midpoint, spread }),
            (p, s).prop_map(|(midpoint, spread)| Membership::Near { midpoint, spread }),
        ]
    }

    proptest! {
        #[test]
        fn memberships_lie_in_unit_interval(m in any_membership(), x in -1e6f64..1e6) {
            prop_assert!(m.validate().is_ok());
            let mu = m.membership(x).unwrap();
            prop_assert!((0.0..=1.0).contains(&mu), "{m:?}({x}) = {mu}");
        }

        #[test]
        fn large_increases_and_small_decreases(
            midpoint in 1e-2f64..1e3, spread in 0.1f64..10.0, x in 1e-3f64..1e4, dx in 0.0f64..1e3,
        ) {
            let large = Membership::Large { midpoint, spread };
            let small = Membership::Small { midpoint, spread };
            prop_assert!(large.membership(x + dx) >= large.membership(x));
            prop_assert!(small.membership(x + dx) <= small.membership(x));
            // Large and small with the same parameters are complements.
            let sum = large.membership(x).unwrap() + small.membership(x).unwrap();
            prop_assert!((sum - 1.0).abs() < 1e-12);
        }
    }
}
