//! Anomaly thresholds by the median and the median absolute deviation (MAD).
//!
//! The threshold separating background from anomalous samples is `median + k·MAD`, computed
//! on the values or on their base-10 logarithms; on logs the threshold is transformed back to
//! concentration units. Reimann, Filzmoser & Garrett (2005), *Background and threshold:
//! critical comparison of methods of determination*, Sci. Total Environ. 346:1–16, recommend
//! median ± 2·MAD on (usually log-transformed) data: robust to the outliers a mean and
//! standard deviation would chase. The MAD is scaled by 1.4826 by default so that it
//! estimates the standard deviation of normally distributed data (Rousseeuw & Croux 1993);
//! the scaling can be turned off.

use super::Error;

/// The factor making the MAD a consistent estimator of σ for normal data: 1/Φ⁻¹(3/4).
pub const MAD_NORMAL_CONSISTENCY: f64 = 1.4826;

/// Whether statistics are taken on the values or on their base-10 logarithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// The values as they are.
    Linear,
    /// log10 of the values (positive values only).
    Log10,
}

/// How an anomaly threshold is computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MadRule {
    /// The multiple of the MAD above the median (k).
    pub k: f64,
    /// Linear or log10 statistics.
    pub scale: Scale,
    /// Multiply the MAD by [`MAD_NORMAL_CONSISTENCY`].
    pub scaled_mad: bool,
}

impl Default for MadRule {
    /// k = 2 on log10 values with the MAD scaled by 1.4826 (Reimann et al. 2005).
    fn default() -> Self {
        Self {
            k: 2.0,
            scale: Scale::Log10,
            scaled_mad: true,
        }
    }
}

/// An anomaly threshold and the statistics behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MadThreshold {
    /// The median, on the rule's scale (log10 units for [`Scale::Log10`]).
    pub median: f64,
    /// The MAD (scaled if the rule says so), on the rule's scale.
    pub mad: f64,
    /// The threshold in the values' own units (10^(median + k·MAD) on the log scale).
    pub threshold: f64,
    /// How many values entered the statistics.
    pub used: usize,
    /// How many values were left out: missing (`None`), not finite, or — on the log scale —
    /// not positive.
    pub left_out: usize,
}

impl MadThreshold {
    /// Whether `value` is above the threshold (strictly).
    pub fn is_anomalous(&self, value: f64) -> bool {
        value > self.threshold
    }

    /// Flags each value: `Some(true)` above the threshold, `None` where the value is missing.
    pub fn flag(&self, values: &[Option<f64>]) -> Vec<Option<bool>> {
        values
            .iter()
            .map(|v| v.map(|x| self.is_anomalous(x)))
            .collect()
    }
}

/// The median of `values` (average of the two middle ones for an even count); `None` when
/// empty. NaNs must not be present.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    })
}

/// The median absolute deviation from the median, unscaled; `None` when empty.
pub fn median_absolute_deviation(values: &[f64]) -> Option<f64> {
    let m = median(values)?;
    let dev: Vec<f64> = values.iter().map(|v| (v - m).abs()).collect();
    median(&dev)
}

impl MadRule {
    /// Checks k.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless k is finite and ≥ 0.
    pub fn validate(&self) -> Result<(), Error> {
        if !(self.k.is_finite() && self.k >= 0.0) {
            return Err(Error::InvalidParameter {
                reason: format!("the MAD multiple k = {} must be a number ≥ 0", self.k),
            });
        }
        Ok(())
    }

    /// The threshold of `values` (missing values allowed and left out).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a bad k; [`Error::NoValues`] when no usable value is
    /// left (e.g. all missing, or none positive on the log scale).
    pub fn threshold(&self, values: &[Option<f64>]) -> Result<MadThreshold, Error> {
        self.validate()?;
        let usable: Vec<f64> = values
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite() && (self.scale == Scale::Linear || *v > 0.0))
            .map(|v| match self.scale {
                Scale::Linear => v,
                Scale::Log10 => v.log10(),
            })
            .collect();
        let (Some(median), Some(mad)) = (median(&usable), median_absolute_deviation(&usable))
        else {
            return Err(Error::NoValues {
                reason: match self.scale {
                    Scale::Linear => "every value is missing".to_string(),
                    Scale::Log10 => {
                        "no positive value to take the logarithm of; use the linear scale"
                            .to_string()
                    }
                },
            });
        };
        let mad = if self.scaled_mad {
            mad * MAD_NORMAL_CONSISTENCY
        } else {
            mad
        };
        let t = median + self.k * mad;
        Ok(MadThreshold {
            median,
            mad,
            threshold: match self.scale {
                Scale::Linear => t,
                Scale::Log10 => 10f64.powf(t),
            },
            used: usable.len(),
            left_out: values.len() - usable.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_mad_by_hand() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        // 1 2 3 4 100: median 3, deviations 2 1 0 1 97 → MAD 1.
        assert_eq!(
            median_absolute_deviation(&[1.0, 2.0, 3.0, 4.0, 100.0]),
            Some(1.0)
        );
    }

    #[test]
    fn linear_threshold() {
        let v: Vec<Option<f64>> = [1.0, 2.0, 3.0, 4.0, 100.0].map(Some).to_vec();
        let rule = MadRule {
            k: 2.0,
            scale: Scale::Linear,
            scaled_mad: false,
        };
        let t = rule.threshold(&v).unwrap();
        assert_eq!((t.median, t.mad, t.threshold), (3.0, 1.0, 5.0));
        assert_eq!(
            t.flag(&[Some(5.0), Some(5.1), None]),
            vec![Some(false), Some(true), None]
        );
        let scaled = MadRule {
            scaled_mad: true,
            ..rule
        };
        assert!((scaled.threshold(&v).unwrap().threshold - (3.0 + 2.0 * 1.4826)).abs() < 1e-12);
    }

    #[test]
    fn log_threshold_leaves_out_non_positive() {
        // log10: 0 1 2 3 4 → median 2, MAD 1 → 10^(2 + 2·1) = 10^4 unscaled.
        let mut v: Vec<Option<f64>> = [1.0, 10.0, 100.0, 1000.0, 10000.0].map(Some).to_vec();
        v.push(Some(0.0));
        v.push(None);
        let rule = MadRule {
            scaled_mad: false,
            ..MadRule::default()
        };
        let t = rule.threshold(&v).unwrap();
        assert!((t.threshold - 1e4).abs() < 1e-8);
        assert_eq!((t.used, t.left_out), (5, 2));
        assert!(matches!(
            rule.threshold(&[Some(0.0), None]),
            Err(Error::NoValues { .. })
        ));
        assert!(MadRule { k: -1.0, ..rule }.threshold(&v).is_err());
    }
}
