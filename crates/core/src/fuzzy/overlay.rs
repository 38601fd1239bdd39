//! Fuzzy overlay of membership layers and weighted index overlay, cell by cell.
//!
//! Operators after Zadeh (1965) and Bonham-Carter (1994), "Geographic Information Systems for
//! Geoscientists", ch. 9 (fuzzy logic and index overlay), for memberships μ₁ … μₙ of one cell:
//!
//! | overlay | value |
//! | --- | --- |
//! | AND | min μᵢ |
//! | OR | max μᵢ |
//! | algebraic product | ∏ μᵢ |
//! | algebraic sum | 1 − ∏ (1 − μᵢ) |
//! | gamma (γ ∈ [0, 1]) | (algebraic sum)^γ · (algebraic product)^(1−γ) |
//! | weighted index overlay | Σ wᵢ·xᵢ / Σ wᵢ |
//!
//! so product ≤ AND ≤ OR ≤ sum, and gamma runs from the product (γ = 0) to the sum (γ = 1).
//!
//! **NoData rule.** By default ([`MissingRule::Propagate`]) a cell missing in any input is
//! missing in the output. [`MissingRule::IgnoreMissing`] combines the inputs present in the
//! cell instead (for the weighted overlay, dividing by the weights of those inputs only); a
//! cell missing in every input stays missing.

use super::Error;
use crate::Block;

/// A fuzzy overlay operator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FuzzyOverlay {
    /// Fuzzy AND: the minimum.
    And,
    /// Fuzzy OR: the maximum.
    Or,
    /// Algebraic product.
    Product,
    /// Algebraic sum, 1 − ∏(1 − μ).
    Sum,
    /// Gamma: sum^γ · product^(1−γ), γ in [0, 1].
    Gamma(f64),
}

/// What a cell missing in some inputs becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingRule {
    /// Missing in any input → missing in the output (the default).
    #[default]
    Propagate,
    /// Combine the inputs present; missing only where every input is missing.
    IgnoreMissing,
}

/// Fuzzy AND (minimum) of one cell's memberships; 1 for no input.
pub fn fuzzy_and(memberships: &[f64]) -> f64 {
    memberships.iter().copied().fold(1.0, f64::min)
}

/// Fuzzy OR (maximum) of one cell's memberships; 0 for no input.
pub fn fuzzy_or(memberships: &[f64]) -> f64 {
    memberships.iter().copied().fold(0.0, f64::max)
}

/// Fuzzy algebraic product of one cell's memberships; 1 for no input.
pub fn fuzzy_product(memberships: &[f64]) -> f64 {
    memberships.iter().product()
}

/// Fuzzy algebraic sum, 1 − ∏(1 − μ), of one cell's memberships; 0 for no input.
pub fn fuzzy_sum(memberships: &[f64]) -> f64 {
    1.0 - memberships.iter().map(|m| 1.0 - m).product::<f64>()
}

/// Fuzzy gamma, sum^γ · product^(1−γ), of one cell's memberships (`0^0` is taken as 1, so
/// γ = 0 gives exactly the product and γ = 1 exactly the sum).
pub fn fuzzy_gamma(memberships: &[f64], gamma: f64) -> f64 {
    fuzzy_sum(memberships).powf(gamma) * fuzzy_product(memberships).powf(1.0 - gamma)
}

impl FuzzyOverlay {
    /// Checks the operator's parameter.
    ///
    /// # Errors
    /// [`Error::GammaOutOfRange`] for γ outside [0, 1] (or NaN).
    pub fn validate(&self) -> Result<(), Error> {
        match *self {
            FuzzyOverlay::Gamma(gamma) if !(0.0..=1.0).contains(&gamma) => {
                Err(Error::GammaOutOfRange { gamma })
            }
            _ => Ok(()),
        }
    }

    /// The operator applied to memberships without checks (see [`FuzzyOverlay::combine`]).
    #[inline]
    pub fn combine_unchecked(&self, memberships: &[f64]) -> f64 {
        match *self {
            FuzzyOverlay::And => fuzzy_and(memberships),
            FuzzyOverlay::Or => fuzzy_or(memberships),
            FuzzyOverlay::Product => fuzzy_product(memberships),
            FuzzyOverlay::Sum => fuzzy_sum(memberships),
            FuzzyOverlay::Gamma(gamma) => fuzzy_gamma(memberships, gamma),
        }
    }

    /// The operator applied to one cell's memberships.
    ///
    /// # Errors
    /// [`Error::NoInputs`] for an empty slice; [`Error::MembershipOutOfRange`] for a value
    /// outside [0, 1] (NaN included); as [`FuzzyOverlay::validate`].
    pub fn combine(&self, memberships: &[f64]) -> Result<f64, Error> {
        self.validate()?;
        if memberships.is_empty() {
            return Err(Error::NoInputs);
        }
        check_memberships(memberships.iter().copied().enumerate())?;
        Ok(self.combine_unchecked(memberships))
    }

    /// The operator applied to one cell whose inputs may be missing (`None`), under `rule`.
    ///
    /// # Errors
    /// As [`FuzzyOverlay::combine`] (missing inputs are not errors).
    pub fn combine_cell(
        &self,
        cell: &[Option<f64>],
        rule: MissingRule,
    ) -> Result<Option<f64>, Error> {
        self.validate()?;
        if cell.is_empty() {
            return Err(Error::NoInputs);
        }
        let mut present = Vec::with_capacity(cell.len());
        for (layer, v) in cell.iter().enumerate() {
            match (v, rule) {
                (Some(v), _) => present.push((layer, *v)),
                (None, MissingRule::Propagate) => return Ok(None),
                (None, MissingRule::IgnoreMissing) => {}
            }
        }
        if present.is_empty() {
            return Ok(None);
        }
        self.combine_present(&present, &mut Vec::with_capacity(cell.len()))
            .map(Some)
    }

    /// The operator applied cell by cell to blocks of memberships covering the same window.
    ///
    /// # Errors
    /// [`Error::NoInputs`], [`Error::WindowMismatch`], and as [`FuzzyOverlay::combine`] for a
    /// valid cell outside [0, 1].
    pub fn apply(&self, blocks: &[&Block], rule: MissingRule) -> Result<Block, Error> {
        self.validate()?;
        let mut scratch = Vec::with_capacity(blocks.len());
        apply_blocks(blocks, rule, |values| {
            self.combine_present(values, &mut scratch)
        })
    }

    /// Checks and combines `(layer, membership)` pairs, using `scratch` as the buffer.
    fn combine_present(
        &self,
        values: &[(usize, f64)],
        scratch: &mut Vec<f64>,
    ) -> Result<f64, Error> {
        check_memberships(values.iter().copied())?;
        scratch.clear();
        scratch.extend(values.iter().map(|&(_, v)| v));
        Ok(self.combine_unchecked(scratch))
    }
}

fn check_memberships(values: impl Iterator<Item = (usize, f64)>) -> Result<(), Error> {
    for (layer, value) in values {
        if !(0.0..=1.0).contains(&value) {
            return Err(Error::MembershipOutOfRange { layer, value });
        }
    }
    Ok(())
}

/// Runs `combine` on the `(layer, value)` pairs present in each cell of same-window blocks.
fn apply_blocks(
    blocks: &[&Block],
    rule: MissingRule,
    mut combine: impl FnMut(&[(usize, f64)]) -> Result<f64, Error>,
) -> Result<Block, Error> {
    let first = blocks.first().ok_or(Error::NoInputs)?;
    if let Some(b) = blocks.iter().find(|b| b.window != first.window) {
        return Err(Error::WindowMismatch {
            expected: format!("{:?}", first.window),
            found: format!("{:?}", b.window),
        });
    }
    let mut out = Block::empty(first.window);
    let mut values = Vec::with_capacity(blocks.len());
    'cells: for i in 0..out.values.len() {
        values.clear();
        for (layer, b) in blocks.iter().enumerate() {
            match (b.get(i), rule) {
                (Some(v), _) => values.push((layer, v)),
                (None, MissingRule::Propagate) => continue 'cells,
                (None, MissingRule::IgnoreMissing) => {}
            }
        }
        if values.is_empty() {
            continue;
        }
        out.values[i] = combine(&values)?;
        out.valid[i] = true;
    }
    Ok(out)
}

/// Weighted index overlay (Bonham-Carter 1994, ch. 9): Σ wᵢ·xᵢ / Σ wᵢ over the inputs of a
/// cell — a weighted mean, so memberships in [0, 1] give a value in [0, 1], and class scores
/// on any scale give a value within their range.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedIndexOverlay {
    weights: Vec<f64>,
}

impl WeightedIndexOverlay {
    /// An overlay with one weight per input layer.
    ///
    /// # Errors
    /// [`Error::NoInputs`] for no weight; [`Error::InvalidParameter`] for a negative or
    /// non-finite weight, or weights summing to 0.
    pub fn new(weights: Vec<f64>) -> Result<Self, Error> {
        if weights.is_empty() {
            return Err(Error::NoInputs);
        }
        if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
            return Err(Error::InvalidParameter {
                reason: format!("index-overlay weight {w} must be a non-negative number"),
            });
        }
        if weights.iter().sum::<f64>() <= 0.0 {
            return Err(Error::InvalidParameter {
                reason: "index-overlay weights must not all be zero".into(),
            });
        }
        Ok(Self { weights })
    }

    /// The weights, one per input layer.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    fn weighted_mean(
        &self,
        values: impl Iterator<Item = (usize, f64)>,
    ) -> Result<Option<f64>, Error> {
        let (mut num, mut den) = (0.0, 0.0);
        for (layer, x) in values {
            if !x.is_finite() {
                return Err(Error::NotFinite { layer, value: x });
            }
            num += self.weights[layer] * x;
            den += self.weights[layer];
        }
        // Inputs present may all carry weight 0 under IgnoreMissing: no information.
        Ok((den > 0.0).then(|| num / den))
    }

    /// The overlay of one cell's values (one per weight).
    ///
    /// # Errors
    /// [`Error::LengthMismatch`]; [`Error::NotFinite`].
    pub fn combine(&self, values: &[f64]) -> Result<f64, Error> {
        self.check_len(values.len())?;
        Ok(self
            .weighted_mean(values.iter().copied().enumerate())?
            .expect("weights sum to a positive number"))
    }

    /// The overlay of one cell whose inputs may be missing, under `rule` (with
    /// [`MissingRule::IgnoreMissing`] the weights of the inputs present are renormalised; a
    /// cell whose present inputs all weigh 0 is missing).
    ///
    /// # Errors
    /// As [`WeightedIndexOverlay::combine`].
    pub fn combine_cell(
        &self,
        cell: &[Option<f64>],
        rule: MissingRule,
    ) -> Result<Option<f64>, Error> {
        self.check_len(cell.len())?;
        if rule == MissingRule::Propagate && cell.iter().any(Option::is_none) {
            return Ok(None);
        }
        self.weighted_mean(
            cell.iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i, v))),
        )
    }

    /// The overlay cell by cell on blocks covering the same window (one per weight).
    ///
    /// # Errors
    /// [`Error::LengthMismatch`], [`Error::WindowMismatch`], [`Error::NotFinite`].
    pub fn apply(&self, blocks: &[&Block], rule: MissingRule) -> Result<Block, Error> {
        self.check_len(blocks.len())?;
        let mut out = apply_blocks(blocks, rule, |values| {
            Ok(self
                .weighted_mean(values.iter().copied())?
                .unwrap_or(f64::NAN))
        })?;
        for (v, ok) in out.values.iter().zip(out.valid.iter_mut()) {
            if v.is_nan() {
                *ok = false;
            }
        }
        Ok(out)
    }

    fn check_len(&self, found: usize) -> Result<(), Error> {
        if found == self.weights.len() {
            Ok(())
        } else {
            Err(Error::LengthMismatch {
                what: "inputs",
                expected: self.weights.len(),
                found,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Window;
    use proptest::prelude::*;

    // The two 3×3 membership grids and expected overlays asserted by EIS Toolkit v1.1.6
    // (GispoCoding/eis_toolkit a445a51, tests/prediction/fuzzy_test.py), as transcribed in
    // ../shared/data/eis_toolkit_testdata/README.md. Published to 2 decimals (gamma 4 dp).
    const A: [f64; 9] = [1.0, 0.5, 0.2, 0.7, 0.6, 0.5, 1.0, 0.2, 0.5];
    const B: [f64; 9] = [0.7, 0.3, 0.1, 0.4, 0.9, 0.7, 0.9, 0.2, 1.0];
    const EIS_AND: [f64; 9] = [0.7, 0.3, 0.1, 0.4, 0.6, 0.5, 0.9, 0.2, 0.5];
    const EIS_OR: [f64; 9] = [1.0, 0.5, 0.2, 0.7, 0.9, 0.7, 1.0, 0.2, 1.0];
    const EIS_PRODUCT: [f64; 9] = [0.7, 0.15, 0.02, 0.28, 0.54, 0.35, 0.9, 0.04, 0.5];
    const EIS_SUM: [f64; 9] = [1.0, 0.65, 0.28, 0.82, 0.96, 0.85, 1.0, 0.36, 1.0];
    const EIS_GAMMA_06: [f64; 9] = [
        0.8670, 0.3616, 0.0974, 0.5335, 0.7626, 0.5960, 0.9587, 0.1495, 0.7579,
    ];

    fn window() -> Window {
        Window {
            col_off: 0,
            row_off: 0,
            width: 3,
            height: 3,
        }
    }

    fn block(values: &[f64]) -> Block {
        Block::from_raw(window(), values.to_vec(), None)
    }

    fn assert_overlay(op: FuzzyOverlay, expected: &[f64; 9], tolerance: f64) {
        let out = op
            .apply(&[&block(&A), &block(&B)], MissingRule::Propagate)
            .unwrap();
        for i in 0..9 {
            assert!(out.valid[i]);
            assert!(
                (out.values[i] - expected[i]).abs() <= tolerance,
                "{op:?} cell {i}: {} vs published {}",
                out.values[i],
                expected[i]
            );
            let cell = op.combine(&[A[i], B[i]]).unwrap();
            assert_eq!(cell, out.values[i]);
        }
    }

    #[test]
    fn eis_and_or_exact() {
        assert_overlay(FuzzyOverlay::And, &EIS_AND, 0.0);
        assert_overlay(FuzzyOverlay::Or, &EIS_OR, 0.0);
    }

    #[test]
    fn eis_product_and_sum_to_1e12() {
        assert_overlay(FuzzyOverlay::Product, &EIS_PRODUCT, 1e-12);
        assert_overlay(FuzzyOverlay::Sum, &EIS_SUM, 1e-12);
    }

    #[test]
    fn eis_gamma_06_to_4_decimals() {
        assert_overlay(FuzzyOverlay::Gamma(0.6), &EIS_GAMMA_06, 0.5e-4);
    }

    #[test]
    fn eis_gamma_ends_equal_product_and_sum() {
        assert_overlay(FuzzyOverlay::Gamma(0.0), &EIS_PRODUCT, 1e-12);
        assert_overlay(FuzzyOverlay::Gamma(1.0), &EIS_SUM, 1e-12);
        for i in 0..9 {
            let m = [A[i], B[i]];
            assert_eq!(fuzzy_gamma(&m, 0.0), fuzzy_product(&m));
            assert_eq!(fuzzy_gamma(&m, 1.0), fuzzy_sum(&m));
        }
    }

    #[test]
    fn eis_out_of_range_gamma_and_memberships_are_errors() {
        for gamma in [-0.1, 1.1, f64::NAN] {
            assert!(matches!(
                FuzzyOverlay::Gamma(gamma).combine(&[0.5]),
                Err(Error::GammaOutOfRange { .. })
            ));
        }
        let mut bad = A;
        bad[4] = 1.5;
        assert_eq!(
            FuzzyOverlay::And.apply(&[&block(&B), &block(&bad)], MissingRule::Propagate),
            Err(Error::MembershipOutOfRange {
                layer: 1,
                value: 1.5
            })
        );
        assert!(matches!(
            FuzzyOverlay::Sum.combine(&[-0.2]),
            Err(Error::MembershipOutOfRange { .. })
        ));
        assert!(matches!(
            FuzzyOverlay::Sum.combine(&[f64::NAN]),
            Err(Error::MembershipOutOfRange { .. })
        ));
        assert_eq!(FuzzyOverlay::Or.combine(&[]), Err(Error::NoInputs));
    }

    #[test]
    fn hand_computed_three_inputs() {
        let m = [0.2, 0.5, 0.8];
        assert_eq!(fuzzy_and(&m), 0.2);
        assert_eq!(fuzzy_or(&m), 0.8);
        assert!((fuzzy_product(&m) - 0.08).abs() < 1e-15);
        // 1 − 0.8·0.5·0.2 = 0.92.
        assert!((fuzzy_sum(&m) - 0.92).abs() < 1e-15);
        // 0.92^0.5 · 0.08^0.5 = √0.0736.
        assert!((fuzzy_gamma(&m, 0.5) - 0.0736f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn nodata_rule() {
        let a = Block::from_raw(window(), vec![0.5; 9], None);
        let mut b = Block::from_raw(window(), vec![0.4; 9], None);
        b.valid[0] = false;
        let mut c = b.clone();
        c.valid[1] = false;
        let mut a2 = a.clone();
        a2.valid[1] = false;
        let out = FuzzyOverlay::Product
            .apply(&[&a, &b], MissingRule::Propagate)
            .unwrap();
        assert!(!out.valid[0] && out.valid[1]);
        let out = FuzzyOverlay::Product
            .apply(&[&a2, &c], MissingRule::IgnoreMissing)
            .unwrap();
        assert_eq!((out.valid[0], out.values[0]), (true, 0.5));
        assert!(!out.valid[1], "missing in every input stays missing");
        assert!((out.values[2] - 0.2).abs() < 1e-15);
        assert_eq!(
            FuzzyOverlay::Or.combine_cell(&[Some(0.3), None], MissingRule::Propagate),
            Ok(None)
        );
        assert_eq!(
            FuzzyOverlay::Or.combine_cell(&[Some(0.3), None], MissingRule::IgnoreMissing),
            Ok(Some(0.3))
        );
        let mut other = Block::empty(Window {
            col_off: 3,
            ..window()
        });
        other.valid.fill(true);
        assert!(matches!(
            FuzzyOverlay::And.apply(&[&a, &other], MissingRule::Propagate),
            Err(Error::WindowMismatch { .. })
        ));
    }

    #[test]
    fn weighted_index_overlay() {
        let w = WeightedIndexOverlay::new(vec![1.0, 3.0]).unwrap();
        // (1·0.2 + 3·0.6) / 4 = 0.5.
        assert!((w.combine(&[0.2, 0.6]).unwrap() - 0.5).abs() < 1e-15);
        assert_eq!(
            w.combine_cell(&[Some(0.2), None], MissingRule::Propagate),
            Ok(None)
        );
        assert_eq!(
            w.combine_cell(&[Some(0.2), None], MissingRule::IgnoreMissing),
            Ok(Some(0.2))
        );
        assert!(matches!(
            w.combine(&[0.2]),
            Err(Error::LengthMismatch { .. })
        ));
        assert!(matches!(
            w.combine(&[0.2, f64::NAN]),
            Err(Error::NotFinite { layer: 1, .. })
        ));
        assert!(WeightedIndexOverlay::new(vec![]).is_err());
        assert!(WeightedIndexOverlay::new(vec![0.0, 0.0]).is_err());
        assert!(WeightedIndexOverlay::new(vec![1.0, -1.0]).is_err());
        let zero_weight = WeightedIndexOverlay::new(vec![0.0, 1.0]).unwrap();
        assert_eq!(
            zero_weight.combine_cell(&[Some(0.7), None], MissingRule::IgnoreMissing),
            Ok(None)
        );
        let a = block(&A);
        let mut b = block(&B);
        b.valid[2] = false;
        let out = w.apply(&[&a, &b], MissingRule::Propagate).unwrap();
        assert!(!out.valid[2]);
        assert!((out.values[0] - (1.0 + 3.0 * 0.7) / 4.0).abs() < 1e-15);
        let out = zero_weight
            .apply(&[&a, &b], MissingRule::IgnoreMissing)
            .unwrap();
        assert!(
            !out.valid[2],
            "present inputs of weight 0 carry no information"
        );
        assert!(out.valid[0]);
    }

    proptest! {
        #[test]
        fn operators_are_ordered_and_bounded(
            m in prop::collection::vec(0.0f64..=1.0, 1..8),
            g1 in 0.0f64..=1.0,
            g2 in 0.0f64..=1.0,
        ) {
            let (p, and, or, s) = (fuzzy_product(&m), fuzzy_and(&m), fuzzy_or(&m), fuzzy_sum(&m));
            let eps = 1e-12;
            prop_assert!(p <= and + eps && and <= or && or <= s + eps, "{p} {and} {or} {s}");
            for v in [p, and, or, s, fuzzy_gamma(&m, g1)] {
                prop_assert!((0.0..=1.0).contains(&v));
            }
            let (lo, hi) = (g1.min(g2), g1.max(g2));
            let (a, b) = (fuzzy_gamma(&m, lo), fuzzy_gamma(&m, hi));
            prop_assert!(p - eps <= a && a <= b + eps && b <= s + eps);
        }

        #[test]
        fn weighted_overlay_is_a_weighted_mean(
            cells in prop::collection::vec((0.0f64..=1.0, 0.0f64..10.0), 1..8),
        ) {
            let weights: Vec<f64> = cells.iter().map(|c| c.1 + 1e-3).collect();
            let values: Vec<f64> = cells.iter().map(|c| c.0).collect();
            let v = WeightedIndexOverlay::new(weights).unwrap().combine(&values).unwrap();
            let (lo, hi) = (fuzzy_and(&values), fuzzy_or(&values));
            prop_assert!(lo - 1e-12 <= v && v <= hi + 1e-12);
        }
    }
}
