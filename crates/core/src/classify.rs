//! Turning continuous values into integer classes for weights of evidence.

use crate::Error;

/// How a continuous layer becomes classes.
///
/// Classes are labelled by the upper edge of their interval so that an ascending table reads
/// "distance ≤ label" (as in the ArcSDM/GA distance tables, e.g. classes 100, 200, … m).
#[derive(Debug, Clone, PartialEq)]
pub enum Classifier {
    /// Values are already integer classes; they are rounded to the nearest integer.
    Identity,
    /// Equal intervals of `width` starting at `origin`: a value `v` gets the label
    /// `origin + width·ceil((v − origin)/width)` (the upper edge of its interval, so `v = label`
    /// belongs to that class).
    EqualWidth {
        /// Where the first interval starts.
        origin: f64,
        /// Interval width, > 0.
        width: f64,
    },
    /// Explicit strictly increasing upper edges; a value `v` gets class `k + 1` where `k` is the
    /// number of edges strictly below `v` (values above the last edge get `edges.len() + 1`).
    Breaks(Vec<f64>),
    /// A binary pattern by a cutoff: class 2 (pattern present) where the value is at or above
    /// the cutoff (`favourable_above`) or at or below it, class 1 elsewhere.
    Binary {
        /// The cutoff value.
        cutoff: f64,
        /// Whether high values are favourable.
        favourable_above: bool,
    },
}

impl Classifier {
    /// Checks the parameters.
    ///
    /// # Errors
    /// [`Error::InvalidClasses`] when a width is not positive or breaks are not increasing.
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            Classifier::Identity => Ok(()),
            Classifier::Binary { cutoff, .. } => {
                if !cutoff.is_finite() {
                    return Err(Error::InvalidClasses {
                        reason: format!("cutoff {cutoff} must be a finite number"),
                    });
                }
                Ok(())
            }
            Classifier::EqualWidth { origin, width } => {
                if !(width.is_finite() && *width > 0.0 && origin.is_finite()) {
                    return Err(Error::InvalidClasses {
                        reason: format!("class width {width} must be a positive number"),
                    });
                }
                Ok(())
            }
            Classifier::Breaks(edges) => {
                if edges.is_empty()
                    || edges
                        .windows(2)
                        .any(|p| p[1].partial_cmp(&p[0]) != Some(std::cmp::Ordering::Greater))
                {
                    return Err(Error::InvalidClasses {
                        reason: format!(
                            "breaks {edges:?} must be a non-empty, strictly increasing list"
                        ),
                    });
                }
                Ok(())
            }
        }
    }

    /// Whether values must already be integers (no binning happens).
    pub fn expects_integers(&self) -> bool {
        matches!(self, Classifier::Identity)
    }

    /// The class of a value.
    pub fn class_of(&self, v: f64) -> i64 {
        match self {
            Classifier::Identity => v.round() as i64,
            Classifier::EqualWidth { origin, width } => {
                let k = ((v - origin) / width).ceil();
                (origin + width * k).round() as i64
            }
            Classifier::Breaks(edges) => edges.partition_point(|e| *e < v) as i64 + 1,
            Classifier::Binary {
                cutoff,
                favourable_above,
            } => {
                let present = if *favourable_above {
                    v >= *cutoff
                } else {
                    v <= *cutoff
                };
                if present {
                    2
                } else {
                    1
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_width_labels_by_upper_edge() {
        let c = Classifier::EqualWidth {
            origin: 0.0,
            width: 100.0,
        };
        assert_eq!(c.class_of(1.0), 100);
        assert_eq!(c.class_of(100.0), 100);
        assert_eq!(c.class_of(100.5), 200);
        assert_eq!(c.class_of(0.0), 0);
    }

    #[test]
    fn breaks_count_edges_below() {
        let c = Classifier::Breaks(vec![10.0, 20.0]);
        assert_eq!(c.class_of(5.0), 1);
        assert_eq!(c.class_of(10.0), 1);
        assert_eq!(c.class_of(15.0), 2);
        assert_eq!(c.class_of(25.0), 3);
        assert!(Classifier::Breaks(vec![2.0, 1.0]).validate().is_err());
        let b = Classifier::Binary {
            cutoff: 2000.0,
            favourable_above: false,
        };
        assert_eq!((b.class_of(2000.0), b.class_of(2000.5)), (2, 1));
        let b = Classifier::Binary {
            cutoff: 6.0,
            favourable_above: true,
        };
        assert_eq!((b.class_of(6.0), b.class_of(5.0)), (2, 1));
        assert!(Classifier::EqualWidth {
            origin: 0.0,
            width: 0.0
        }
        .validate()
        .is_err());
    }
}
