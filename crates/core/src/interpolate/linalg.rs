//! A small dense linear solver for kriging systems: LU decomposition with partial pivoting
//! (Golub & Van Loan 2013, §3.4).

/// A square system found numerically singular.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Singular;

/// Solves `a · x = b` in place: `a` is `n × n` row-major and is overwritten by its LU factors,
/// `b` becomes `x`.
///
/// A pivot smaller than `n · ε · max|aᵢⱼ|` marks the matrix singular.
pub(crate) fn solve_in_place(a: &mut [f64], b: &mut [f64]) -> Result<(), Singular> {
    let n = b.len();
    assert_eq!(a.len(), n * n, "the matrix is not n × n");
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if !(scale.is_finite() && scale > 0.0) {
        return Err(Singular);
    }
    let tiny = n as f64 * f64::EPSILON * scale;
    for k in 0..n {
        // Partial pivoting: the largest entry of column k at or below the diagonal.
        let (pivot_row, pivot_abs) =
            (k..n)
                .map(|r| (r, a[r * n + k].abs()))
                .fold(
                    (k, -1.0),
                    |best, cur| if cur.1 > best.1 { cur } else { best },
                );
        if pivot_abs.is_nan() || pivot_abs <= tiny {
            return Err(Singular);
        }
        if pivot_row != k {
            for c in 0..n {
                a.swap(k * n + c, pivot_row * n + c);
            }
            b.swap(k, pivot_row);
        }
        let pivot = a[k * n + k];
        for r in k + 1..n {
            let factor = a[r * n + k] / pivot;
            if factor == 0.0 {
                continue;
            }
            a[r * n + k] = factor;
            for c in k + 1..n {
                a[r * n + c] -= factor * a[k * n + c];
            }
            b[r] -= factor * b[k];
        }
    }
    // Back substitution.
    for k in (0..n).rev() {
        let mut s = b[k];
        for c in k + 1..n {
            s -= a[k * n + c] * b[c];
        }
        b[k] = s / a[k * n + k];
    }
    if b.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(Singular)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_system_that_needs_pivoting() {
        // A zero on the first diagonal entry: fails without pivoting.
        let mut a = vec![0.0, 2.0, 1.0, 1.0, 1.0, 1.0, 2.0, 1.0, 0.0];
        let x = [1.0, -2.0, 3.0];
        let a0 = a.clone();
        let mut b: Vec<f64> = (0..3)
            .map(|r| (0..3).map(|c| a0[r * 3 + c] * x[c]).sum())
            .collect();
        solve_in_place(&mut a, &mut b).unwrap();
        for (got, want) in b.iter().zip(x) {
            assert!((got - want).abs() < 1e-12);
        }
    }

    #[test]
    fn singular_matrices_are_reported() {
        let mut a = vec![1.0, 2.0, 2.0, 4.0];
        assert_eq!(solve_in_place(&mut a, &mut [1.0, 2.0]), Err(Singular));
        let mut z = vec![0.0; 4];
        assert_eq!(solve_in_place(&mut z, &mut [1.0, 2.0]), Err(Singular));
    }
}
