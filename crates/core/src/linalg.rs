//! Small dense linear algebra on row-major `n × n` slices: the one solver every crate uses.
//!
//! - Symmetric positive definite systems (logistic regression's Hessian, covariance matrices):
//!   [`cholesky`], [`cholesky_solve`], [`cholesky_inverse`] (Golub & Van Loan 2013, §4.2).
//! - General square systems (kriging): [`solve_in_place`], LU decomposition with partial
//!   pivoting (Golub & Van Loan 2013, §3.4).

/// A symmetric matrix found not numerically positive definite (a pivot of its Cholesky
/// factorisation is not positive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotPositiveDefinite;

/// Factors `a` (symmetric positive definite, row-major `n × n`) in place into its lower
/// Cholesky factor L (A = L Lᵀ); the strict upper triangle is zeroed.
///
/// # Errors
/// [`NotPositiveDefinite`] when a pivot is not positive; `a` is then partly overwritten.
pub fn cholesky(a: &mut [f64], n: usize) -> Result<(), NotPositiveDefinite> {
    assert_eq!(a.len(), n * n);
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if !d.is_finite() || d <= 0.0 {
            return Err(NotPositiveDefinite);
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
        for k in j + 1..n {
            a[j * n + k] = 0.0;
        }
    }
    Ok(())
}

/// Solves L Lᵀ x = b in place, given the factor from [`cholesky`].
pub fn cholesky_solve(l: &[f64], n: usize, b: &mut [f64]) {
    assert_eq!(b.len(), n);
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * n + k] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= l[k * n + i] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
}

/// The inverse (row-major) of L Lᵀ, column by column.
pub fn cholesky_inverse(l: &[f64], n: usize) -> Vec<f64> {
    let mut inv = vec![0.0; n * n];
    let mut e = vec![0.0; n];
    for j in 0..n {
        e.iter_mut().for_each(|v| *v = 0.0);
        e[j] = 1.0;
        cholesky_solve(l, n, &mut e);
        for i in 0..n {
            inv[i * n + j] = e[i];
        }
    }
    inv
}

/// A square system found numerically singular.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Singular;

/// Solves `a · x = b` in place: `a` is `n × n` row-major and is overwritten by its LU factors,
/// `b` becomes `x`.
///
/// A pivot smaller than `n · ε · max|aᵢⱼ|` marks the matrix singular.
pub fn solve_in_place(a: &mut [f64], b: &mut [f64]) -> Result<(), Singular> {
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
    fn solves_and_inverts_a_known_matrix() {
        let a = [4.0, 12.0, -16.0, 12.0, 37.0, -43.0, -16.0, -43.0, 98.0];
        let mut l = a;
        assert_eq!(cholesky(&mut l, 3), Ok(()));
        assert_eq!(l, [2.0, 0.0, 0.0, 6.0, 1.0, 0.0, -8.0, 5.0, 3.0]);
        let inv = cholesky_inverse(&l, 3);
        for i in 0..3 {
            for j in 0..3 {
                let v: f64 = (0..3).map(|k| a[i * 3 + k] * inv[k * 3 + j]).sum();
                assert!((v - f64::from(u8::from(i == j))).abs() < 1e-12);
            }
        }
        let mut not_pd = [1.0, 2.0, 2.0, 1.0];
        assert_eq!(cholesky(&mut not_pd, 2), Err(NotPositiveDefinite));
    }

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
