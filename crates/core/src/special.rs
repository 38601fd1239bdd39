//! Special functions: the standard normal distribution function and its inverse.
//!
//! The distribution function uses the complementary error function, computed by its
//! all-positive power series near zero and by its continued fraction in the tails
//! (Abramowitz & Stegun 1964, 7.1.6 and 7.1.14), which keeps relative accuracy in the tails.
//! The quantile function starts from Acklam's (2003) rational approximation and takes two
//! Newton steps on the distribution function, giving close to full double precision.

use std::f64::consts::{PI, SQRT_2};

/// Complementary error function erfc(x) = 1 − erf(x).
///
/// Series (A&S 7.1.6) for |x| < 2.5; Lentz continued fraction (A&S 7.1.14) beyond.
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x == 0.0 {
        return 1.0;
    }
    if x < 2.5 {
        // erf(x) = 2/√π · e^{−x²} · Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)); all terms positive.
        let x2 = x * x;
        let mut term = x;
        let mut sum = x;
        let mut n = 0.0;
        loop {
            n += 1.0;
            term *= 2.0 * x2 / (2.0 * n + 1.0);
            sum += term;
            if term <= sum * 1e-17 || n > 200.0 {
                break;
            }
        }
        1.0 - 2.0 / PI.sqrt() * (-x2).exp() * sum
    } else {
        // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))).
        let tiny = 1e-300;
        let mut f = x;
        let mut c = x;
        let mut d = 0.0;
        for k in 1..300 {
            let a = k as f64 / 2.0;
            d = x + a * d;
            if d.abs() < tiny {
                d = tiny;
            }
            c = x + a / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = c * d;
            f *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        (-x * x).exp() / PI.sqrt() / f
    }
}

/// Standard normal distribution function Φ(z) = P(Z ≤ z).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / SQRT_2)
}

/// Standard normal density φ(z).
pub fn normal_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * PI).sqrt()
}

/// Standard normal quantile Φ⁻¹(p) for 0 < p < 1 (non-exceedance probability p).
///
/// Acklam (2003) rational approximation (relative error < 1.2e-9) refined by two Newton
/// steps on [`normal_cdf`]. Returns ∓∞ at p = 0 or 1 and NaN outside [0, 1].
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p_low = 0.02425;
    let mut z = if p < p_low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - p_low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    for _ in 0..2 {
        // Newton on the tail that keeps relative precision.
        let density = normal_pdf(z);
        if density <= 0.0 {
            break;
        }
        let step = if z < 0.0 {
            (normal_cdf(z) - p) / density
        } else {
            ((1.0 - p) - normal_cdf(-z)) / density
        };
        z -= step;
    }
    z
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        // Reference values: Abramowitz & Stegun table 26.1 / standard tables.
        assert!((normal_quantile(0.9) - 1.281_551_565_544_600_5).abs() < 1e-14);
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-14);
        assert!((normal_quantile(0.5)).abs() < 1e-15);
        assert!((normal_cdf(1.0) - 0.841_344_746_068_542_9).abs() < 1e-15);
        assert!((normal_cdf(-5.0) - 2.866_515_718_791_939e-7).abs() < 1e-20);
        assert!((erfc(3.0) - 2.209_049_699_858_544e-5).abs() < 1e-18);
    }

    #[test]
    fn normal_cdf_matches_reference_values() {
        // Reference values from CPython's math.erfc (an independent implementation).
        for (x, p) in [
            (0.5, 0.6914624612740131),
            (1.0, 0.8413447460685429),
            (1.96, 0.9750021048517795),
            (3.0, 0.9986501019683699),
            (5.0, 0.9999997133484281),
            (-2.0, 0.02275013194817922),
            (8.0, 0.9999999999999993),
        ] {
            let got = normal_cdf(x);
            assert!((got - p).abs() < 1e-13, "Φ({x}) = {got}, expected {p}");
        }
        assert_eq!(normal_cdf(0.0), 0.5);
    }

    proptest! {
        #[test]
        fn quantile_inverts_cdf(p in 1e-12f64..(1.0 - 1e-12)) {
            let z = normal_quantile(p);
            let back = if z < 0.0 { normal_cdf(z) } else { 1.0 - normal_cdf(-z) };
            prop_assert!((back - p).abs() <= 1e-12 * p);
        }

        #[test]
        fn cdf_is_monotone(a in -10.0f64..10.0, d in 0.0f64..1.0) {
            prop_assert!(normal_cdf(a) <= normal_cdf(a + d));
        }
    }
}
