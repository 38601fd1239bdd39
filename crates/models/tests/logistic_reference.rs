//! Logistic regression (IRLS) against independent fits on a fixed data set, to 1e-6:
//! (1) plain gradient descent to convergence written here, with standard errors from a
//! finite-difference Hessian inverted by Gauss–Jordan elimination; (2) statsmodels and
//! scikit-learn, whose numbers are embedded below as literals.
//!
//! The literals were produced by `bash bench/models_compare.sh reference` (which runs
//! `target/venv-compare/bin/python bench/models_compare.py reference`) with numpy 2.2.6,
//! scikit-learn 1.6.1 (`LogisticRegression(solver="newton-cholesky", tol=1e-14)`) and
//! statsmodels 0.14.4 (`Logit(...).fit(method="newton", tol=1e-14)`); the script builds the
//! same data set with the same SplitMix64 stream.

use nedra_models::{ClassWeighting, LogisticOptions, TrainingSet};

struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// 300 samples, 3 features (one correlated, one with three levels), true
/// β = (−0.5, 1.2, −0.8, 0.4).
fn fixture() -> TrainingSet {
    let mut rng = SplitMix64(20240601);
    let (mut f, mut l) = (vec![], vec![]);
    for _ in 0..300 {
        let x1 = rng.unit() * 4.0 - 2.0;
        let x2 = rng.unit() * 2.0 - 1.0 + 0.3 * x1;
        let x3 = (rng.next_u64() % 3) as f64;
        let eta = -0.5 + 1.2 * x1 - 0.8 * x2 + 0.4 * x3;
        l.push(rng.unit() < 1.0 / (1.0 + (-eta).exp()));
        f.extend([x1, x2, x3]);
    }
    TrainingSet::new(3, f, l, vec![0.0; 300], vec![0.0; 300]).unwrap()
}

/// Gradient of the mean penalised negative log-likelihood (intercept first).
fn gradient(data: &TrainingSet, lambda: f64, beta: &[f64]) -> Vec<f64> {
    let n = data.len() as f64;
    let mut g = vec![0.0; beta.len()];
    for i in 0..data.len() {
        let row = data.row(i);
        let eta = beta[0] + row.iter().zip(&beta[1..]).map(|(x, b)| x * b).sum::<f64>();
        let p = 1.0 / (1.0 + (-eta).exp());
        let r = data.weights()[i] * (p - f64::from(u8::from(data.labels()[i])));
        g[0] += r / n;
        for j in 0..row.len() {
            g[j + 1] += r * row[j] / n;
        }
    }
    for j in 1..beta.len() {
        g[j] += lambda * beta[j] / n;
    }
    g
}

/// Plain gradient descent with step 1/L, L = ¼ Σ wᵢ‖zᵢ‖² / n + λ/n (a bound on the
/// Hessian's largest eigenvalue), until the gradient is below 1e-13.
fn gradient_descent(data: &TrainingSet, lambda: f64) -> Vec<f64> {
    let n = data.len() as f64;
    let lipschitz = (0..data.len())
        .map(|i| data.weights()[i] * (1.0 + data.row(i).iter().map(|x| x * x).sum::<f64>()))
        .sum::<f64>()
        / (4.0 * n)
        + lambda / n;
    let mut beta = vec![0.0; data.n_features() + 1];
    for _ in 0..2_000_000 {
        let g = gradient(data, lambda, &beta);
        if g.iter().all(|v| v.abs() < 1e-13) {
            return beta;
        }
        for (b, gj) in beta.iter_mut().zip(&g) {
            *b -= gj / lipschitz;
        }
    }
    panic!("gradient descent did not converge");
}

/// Standard errors from the Hessian of the total penalised negative log-likelihood by
/// central differences of the gradient, inverted by Gauss–Jordan elimination.
fn finite_difference_standard_errors(data: &TrainingSet, lambda: f64, beta: &[f64]) -> Vec<f64> {
    let k = beta.len();
    let n = data.len() as f64;
    let h = 1e-5;
    let mut a = vec![vec![0.0; 2 * k]; k];
    for j in 0..k {
        let (mut up, mut down) = (beta.to_vec(), beta.to_vec());
        up[j] += h;
        down[j] -= h;
        let (gu, gd) = (gradient(data, lambda, &up), gradient(data, lambda, &down));
        for i in 0..k {
            a[i][j] = n * (gu[i] - gd[i]) / (2.0 * h);
        }
        a[j][k + j] = 1.0;
    }
    for c in 0..k {
        let pivot = (c..k)
            .max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs()))
            .unwrap();
        a.swap(c, pivot);
        let d = a[c][c];
        a[c].iter_mut().for_each(|v| *v /= d);
        for r in 0..k {
            if r != c {
                let f = a[r][c];
                let row_c = a[c].clone();
                a[r].iter_mut().zip(&row_c).for_each(|(v, w)| *v -= f * w);
            }
        }
    }
    (0..k).map(|j| a[j][k + j].sqrt()).collect()
}

fn coefficients(m: &nedra_models::LogisticModel) -> Vec<f64> {
    std::iter::once(m.intercept)
        .chain(m.coefficients.iter().copied())
        .collect()
}

fn assert_close(label: &str, got: &[f64], want: &[f64], tolerance: f64) {
    assert_eq!(got.len(), want.len());
    for (j, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tolerance,
            "{label}[{j}]: {g} vs {w} (tolerance {tolerance})"
        );
    }
}

#[test]
fn unpenalised_fit_equals_gradient_descent_and_statsmodels() {
    let data = fixture();
    let m = LogisticOptions::default().fit(&data).unwrap();
    assert!(m.converged);
    let beta = gradient_descent(&data, 0.0);
    assert_close("IRLS vs gradient descent", &coefficients(&m), &beta, 1e-6);
    let se = finite_difference_standard_errors(&data, 0.0, &beta);
    assert_close("se vs finite differences", &m.standard_errors, &se, 1e-6);
    // statsmodels 0.14.4 Logit (see the header); scikit-learn 1.6.1 penalty=None agrees to
    // the last digit except β₃ = 0.47681971643577176.
    let statsmodels = [
        -0.5571598262774611,
        1.351754362000748,
        -0.5843536850678899,
        0.4768197164357719,
    ];
    let statsmodels_se = [
        0.22847627561474765,
        0.16663248841219772,
        0.24062484217918603,
        0.1768807978745747,
    ];
    assert_close("IRLS vs statsmodels", &coefficients(&m), &statsmodels, 1e-6);
    assert_close(
        "se vs statsmodels",
        &m.standard_errors,
        &statsmodels_se,
        1e-6,
    );
}

#[test]
fn penalised_fits_equal_gradient_descent_and_scikit_learn() {
    let data = fixture();
    let options = LogisticOptions {
        l2_penalty: 2.0,
        ..Default::default()
    };
    let m = options.fit(&data).unwrap();
    assert_close(
        "λ = 2 vs gradient descent",
        &coefficients(&m),
        &gradient_descent(&data, 2.0),
        1e-6,
    );
    // scikit-learn LogisticRegression(C=0.5): λ = 1/C, intercept unpenalised.
    let sklearn = [
        -0.5113725785312577,
        1.2603611660720389,
        -0.47476014764138197,
        0.43373681297756134,
    ];
    assert_close("λ = 2 vs scikit-learn", &coefficients(&m), &sklearn, 1e-6);

    let balanced = data.with_class_weighting(ClassWeighting::Balanced).unwrap();
    let m = options.fit(&balanced).unwrap();
    assert_close(
        "balanced vs gradient descent",
        &coefficients(&m),
        &gradient_descent(&balanced, 2.0),
        1e-6,
    );
    // scikit-learn LogisticRegression(C=0.5, class_weight="balanced").
    let sklearn_balanced = [
        -0.4734702218504416,
        1.2611094686555349,
        -0.47481709768041763,
        0.4351019869817552,
    ];
    assert_close(
        "balanced vs scikit-learn",
        &coefficients(&m),
        &sklearn_balanced,
        1e-6,
    );
}
