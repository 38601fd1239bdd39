//! Log-ratio transforms of compositions (Aitchison geometry) for multi-element work.
//!
//! Concentrations are parts of a whole: they carry relative information only, and raw
//! correlations between them are spurious (Aitchison 1986, *The Statistical Analysis of
//! Compositional Data*). Log-ratios move them to real space:
//! - **closure** rescales parts to a constant sum;
//! - **clr** (centred log-ratio, Aitchison 1986): `clr(x)_i = ln x_i − mean_j ln x_j`; the
//!   coordinates sum to zero;
//! - **ilr** (isometric log-ratio, Egozcue et al. 2003, Math. Geol. 35:279–300): `D − 1`
//!   orthonormal coordinates `ilr(x) = Vᵀ·clr(x)`. The default basis here is that of *pivot*
//!   coordinates (Filzmoser, Hron & Templ 2018, *Applied Compositional Data Analysis*,
//!   §4.2): `z_i = √((D−i)/(D−i+1)) · ln(x_i / g(x_{i+1}, …, x_D))`, `g` the geometric mean,
//!   so the first coordinate holds all the relative information about the first part.
//!
//! Every part must be positive: replace zeros and censored values first.

use super::Error;

fn check_parts(parts: &[f64]) -> Result<(), Error> {
    if parts.len() < 2 {
        return Err(Error::InvalidParameter {
            reason: format!(
                "a composition needs at least 2 parts, found {}",
                parts.len()
            ),
        });
    }
    for (index, &value) in parts.iter().enumerate() {
        if !(value.is_finite() && value > 0.0) {
            return Err(Error::NonPositivePart { index, value });
        }
    }
    Ok(())
}

fn check_finite(coords: &[f64], at_least: usize) -> Result<(), Error> {
    if coords.len() < at_least {
        return Err(Error::InvalidParameter {
            reason: format!(
                "expected at least {at_least} coordinates, found {}",
                coords.len()
            ),
        });
    }
    if let Some(v) = coords.iter().find(|v| !v.is_finite()) {
        return Err(Error::InvalidParameter {
            reason: format!("log-ratio coordinate {v} is not finite"),
        });
    }
    Ok(())
}

/// Rescales positive parts so that they add up to `total` (1, 100, 10⁶ for ppm…).
///
/// # Errors
/// [`Error::NonPositivePart`] for a part ≤ 0 or not finite; [`Error::InvalidParameter`] for
/// fewer than 2 parts or a total that is not positive and finite.
pub fn closure(parts: &[f64], total: f64) -> Result<Vec<f64>, Error> {
    check_parts(parts)?;
    if !(total.is_finite() && total > 0.0) {
        return Err(Error::InvalidParameter {
            reason: format!("closure total {total} must be a positive number"),
        });
    }
    let sum: f64 = parts.iter().sum();
    Ok(parts.iter().map(|p| p * total / sum).collect())
}

/// Centred log-ratio coordinates (natural log); they sum to zero.
///
/// # Errors
/// As [`closure`].
pub fn clr(parts: &[f64]) -> Result<Vec<f64>, Error> {
    check_parts(parts)?;
    let logs: Vec<f64> = parts.iter().map(|p| p.ln()).collect();
    let mean = logs.iter().sum::<f64>() / logs.len() as f64;
    Ok(logs.iter().map(|l| l - mean).collect())
}

/// The composition (closed to 1) whose clr coordinates are `coords`: `closure(exp(coords))`.
///
/// # Errors
/// [`Error::InvalidParameter`] for fewer than 2 coordinates or one that is not finite.
pub fn clr_inverse(coords: &[f64]) -> Result<Vec<f64>, Error> {
    check_finite(coords, 2)?;
    // Subtracting the largest coordinate changes nothing after closure and avoids overflow.
    let max = coords.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = coords.iter().map(|c| (c - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    Ok(e.iter().map(|v| v / sum).collect())
}

/// The orthonormal pivot basis of the clr plane for `parts` parts: `parts − 1` vectors of
/// length `parts`; vector `i` (0-based) is `√((D−i−1)/(D−i))` at `i`,
/// `−1/√((D−i−1)(D−i))` after it, 0 before it.
///
/// # Errors
/// [`Error::InvalidParameter`] for fewer than 2 parts.
pub fn pivot_basis(parts: usize) -> Result<Vec<Vec<f64>>, Error> {
    if parts < 2 {
        return Err(Error::InvalidParameter {
            reason: format!("a composition needs at least 2 parts, found {parts}"),
        });
    }
    let d = parts as f64;
    Ok((0..parts - 1)
        .map(|i| {
            let rest = d - i as f64 - 1.0; // parts after the pivot
            let head = (rest / (rest + 1.0)).sqrt();
            let tail = -1.0 / (rest * (rest + 1.0)).sqrt();
            (0..parts)
                .map(|j| match j.cmp(&i) {
                    std::cmp::Ordering::Less => 0.0,
                    std::cmp::Ordering::Equal => head,
                    std::cmp::Ordering::Greater => tail,
                })
                .collect()
        })
        .collect())
}

/// Isometric log-ratio coordinates in the pivot basis ([`pivot_basis`]): `D − 1` numbers.
///
/// # Errors
/// As [`closure`].
pub fn ilr(parts: &[f64]) -> Result<Vec<f64>, Error> {
    let c = clr(parts)?;
    let basis = pivot_basis(parts.len())?;
    Ok(basis
        .iter()
        .map(|v| v.iter().zip(&c).map(|(a, b)| a * b).sum())
        .collect())
}

/// The composition (closed to 1) whose pivot ilr coordinates are `coords`:
/// `clr⁻¹(V·coords)`.
///
/// # Errors
/// [`Error::InvalidParameter`] for no coordinate or one that is not finite.
pub fn ilr_inverse(coords: &[f64]) -> Result<Vec<f64>, Error> {
    check_finite(coords, 1)?;
    let basis = pivot_basis(coords.len() + 1)?;
    let mut c = vec![0.0; coords.len() + 1];
    for (v, z) in basis.iter().zip(coords) {
        for (cj, vj) in c.iter_mut().zip(v) {
            *cj += vj * z;
        }
    }
    clr_inverse(&c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn two_part_ilr_is_the_scaled_log_ratio() {
        // D = 2: z = √(1/2)·ln(x1/x2).
        let z = ilr(&[4.0, 1.0]).unwrap();
        assert!((z[0] - 4f64.ln() / 2f64.sqrt()).abs() < 1e-14);
    }

    #[test]
    fn first_pivot_coordinate_by_hand() {
        // D = 3: z1 = √(2/3)·ln(x1/√(x2·x3)); (8, 2, 8) → √(2/3)·ln 2.
        let z = ilr(&[8.0, 2.0, 8.0]).unwrap();
        assert!((z[0] - (2.0f64 / 3.0).sqrt() * 2f64.ln()).abs() < 1e-14);
        // z2 = √(1/2)·ln(2/8).
        assert!((z[1] - 0.25f64.ln() / 2f64.sqrt()).abs() < 1e-14);
    }

    #[test]
    fn basis_is_orthonormal_and_in_the_clr_plane() {
        for d in 2..8 {
            let b = pivot_basis(d).unwrap();
            for (i, u) in b.iter().enumerate() {
                assert!(u.iter().sum::<f64>().abs() < 1e-14);
                for (j, v) in b.iter().enumerate() {
                    let dot: f64 = u.iter().zip(v).map(|(a, b)| a * b).sum();
                    let want = if i == j { 1.0 } else { 0.0 };
                    assert!((dot - want).abs() < 1e-14, "d {d} i {i} j {j}");
                }
            }
        }
    }

    #[test]
    fn bad_parts_are_errors() {
        assert_eq!(
            clr(&[1.0, 0.0, 2.0]),
            Err(Error::NonPositivePart {
                index: 1,
                value: 0.0
            })
        );
        assert!(clr(&[1.0]).is_err());
        assert!(closure(&[1.0, 2.0], 0.0).is_err());
        assert!(ilr_inverse(&[f64::NAN]).is_err());
        assert!(ilr_inverse(&[]).is_err());
    }

    fn composition() -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec(1e-3f64..1e4, 2..12)
    }

    proptest! {
        #[test]
        fn clr_sums_to_zero(x in composition()) {
            let c = clr(&x).unwrap();
            let scale = c.iter().map(|v| v.abs()).fold(1.0, f64::max);
            prop_assert!(c.iter().sum::<f64>().abs() < 1e-12 * scale * x.len() as f64);
        }

        #[test]
        fn closure_sums_to_total(x in composition(), total in 1e-3f64..1e6) {
            let c = closure(&x, total).unwrap();
            prop_assert!((c.iter().sum::<f64>() - total).abs() <= 1e-12 * total);
        }

        #[test]
        fn clr_inverse_recovers_the_closed_composition(x in composition()) {
            let back = clr_inverse(&clr(&x).unwrap()).unwrap();
            let closed = closure(&x, 1.0).unwrap();
            for (a, b) in back.iter().zip(&closed) {
                prop_assert!((a - b).abs() <= 1e-10 * b.max(1e-300) + 1e-15);
            }
        }

        #[test]
        fn ilr_of_ilr_inverse_is_identity(z in prop::collection::vec(-5.0f64..5.0, 1..11)) {
            let back = ilr(&ilr_inverse(&z).unwrap()).unwrap();
            prop_assert_eq!(back.len(), z.len());
            for (a, b) in back.iter().zip(&z) {
                prop_assert!((a - b).abs() < 1e-9, "{} vs {}", a, b);
            }
        }

        #[test]
        fn ilr_inverse_of_ilr_is_closure(x in composition()) {
            let back = ilr_inverse(&ilr(&x).unwrap()).unwrap();
            let closed = closure(&x, 1.0).unwrap();
            for (a, b) in back.iter().zip(&closed) {
                prop_assert!((a - b).abs() <= 1e-9 * b + 1e-15);
            }
        }

        #[test]
        fn ilr_is_an_isometry_of_clr(x in composition(), y in composition()) {
            // ‖ilr(x) − ilr(y)‖ = ‖clr(x) − clr(y)‖ (Aitchison distance) for equal lengths.
            let n = x.len().min(y.len());
            let (x, y) = (&x[..n], &y[..n]);
            let d = |a: &[f64], b: &[f64]| -> f64 {
                a.iter().zip(b).map(|(p, q)| (p - q).powi(2)).sum::<f64>().sqrt()
            };
            let di = d(&ilr(x).unwrap(), &ilr(y).unwrap());
            let dc = d(&clr(x).unwrap(), &clr(y).unwrap());
            prop_assert!((di - dc).abs() < 1e-9 * dc.max(1.0));
        }
    }
}
