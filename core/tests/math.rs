//! The special cases of exp-rs's own exp, ln, log2, log10 and pow (issue
//! 16), in both precisions: every pair of special values gives what C
//! (Annex F) gives. `libm` serves as the C reference here: where the
//! result is NaN, infinite, zero, ±1 or exact, the bits must match; where
//! it is an ordinary number, within 1 ulp (libm's own error; the ulp-level
//! accuracy is measured against mpmath by the `accuracy` xtask job).
//! The exponents of SPEC.md's exact rewrites must give exactly the
//! rewritten operation's bits.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

use exp_rs::Real;

const SPECIAL: &[f64] = &[
    0.0,
    -0.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    1.0,
    -1.0,
    2.0,
    -2.0,
    0.5,
    -0.5,
    3.0,
    -3.0,
    2.5,
    -2.5,
    0.3,
    10.0,
    1e300,
    -1e300,
    1e-300,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    1.5e-310,
    f64::MAX,
    f64::MIN,
    709.782712893384,
    709.79,
    -745.1332191019411,
    -745.14,
    -708.5,
    -740.0,
    1.0000000000000002,
    0.9999999999999999,
    9007199254740993.0,
    9007199254740992.0,
    -9007199254740991.0,
    1e19,
    -1e19,
    1e-20,
    -1e-20,
    0.75,
    1.25,
    100.0,
    -100.0,
    1024.0,
    -1075.0,
];

/// Same bits, any NaN matching any NaN.
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// `got` agrees with the reference `want` as the module doc says.
fn agrees(got: f64, want: f64) -> bool {
    if want.is_nan() || want.is_infinite() || want == 0.0 || want.abs() == 1.0 {
        return same(got, want);
    }
    if !got.is_finite() || got.is_sign_negative() != want.is_sign_negative() {
        return false;
    }
    let (a, b) = (got.abs().to_bits(), want.abs().to_bits());
    a.abs_diff(b) <= 1
}

/// [`agrees`] in f32 (1 ulp of f32).
fn agrees32(got: f32, want: f32) -> bool {
    if want.is_nan() || want.is_infinite() || want == 0.0 || want.abs() == 1.0 {
        return same(f64::from(got), f64::from(want));
    }
    if !got.is_finite() || got.is_sign_negative() != want.is_sign_negative() {
        return false;
    }
    got.abs().to_bits().abs_diff(want.abs().to_bits()) <= 1
}

fn check1(name: &str, ours: fn(f64) -> f64, c: fn(f64) -> f64) {
    for &x in SPECIAL {
        let (got, want) = (ours(x), c(x));
        assert!(
            agrees(got, want),
            "{name}({x:e}) = {got:e}, C says {want:e}"
        );
    }
}

#[test]
fn exp_and_logs_special_cases_f64() {
    check1("exp", Real::exp, libm::exp);
    check1("ln", Real::ln, libm::log);
    check1("log2", Real::log2, libm::log2);
    check1("log10", Real::log10, libm::log10);
}

#[test]
fn pow_special_cases_f64() {
    for &x in SPECIAL {
        for &y in SPECIAL {
            let (got, want) = (Real::pow(x, y), libm::pow(x, y));
            assert!(
                agrees(got, want),
                "pow({x:e}, {y:e}) = {got:e}, C says {want:e}"
            );
        }
    }
}

#[test]
#[allow(clippy::cast_possible_truncation)]
fn special_cases_f32() {
    for &x in SPECIAL {
        let x = x as f32;
        let pairs: [(f32, f32, &str); 4] = [
            (Real::exp(x), libm::expf(x), "exp"),
            (Real::ln(x), libm::logf(x), "ln"),
            (Real::log2(x), libm::log2f(x), "log2"),
            (Real::log10(x), libm::log10f(x), "log10"),
        ];
        for (got, want, name) in pairs {
            assert!(
                agrees32(got, want),
                "{name}({x:e}) = {got:e}, C says {want:e}"
            );
        }
        for &y in SPECIAL {
            let y = y as f32;
            let (got, want) = (Real::pow(x, y), libm::powf(x, y));
            assert!(
                agrees32(got, want),
                "powf({x:e}, {y:e}) = {got:e}, C says {want:e}"
            );
        }
    }
}

#[test]
fn exact_values() {
    for k in -1074..1024 {
        let x = libm::ldexp(1.0, k);
        assert_eq!(Real::log2(x), f64::from(k), "log2(2^{k})");
    }
    let mut p = 1.0;
    for k in 0..23 {
        assert_eq!(Real::log10(p), f64::from(k), "log10(1e{k})");
        p *= 10.0;
    }
    assert_eq!(Real::exp(0.0), 1.0);
    assert_eq!(Real::ln(1.0), 0.0);
    assert_eq!(Real::pow(2.0, 10.0), 1024.0);
    assert_eq!(Real::pow(-2.0, 3.0), -8.0);
    assert_eq!(Real::pow(10.0, 15.0), 1e15);
    assert_eq!(Real::pow(2.0, 1.5), 2.8284271247461903); // issue 16's example
    assert_eq!(Real::exp(1.0), core::f64::consts::E);
}

/// The exponents SPEC.md "Exact rewrites" lets the compiler replace: pow
/// itself must give the replacement's bits for every x.
#[test]
fn rewrite_exponents_are_exact() {
    let mut xs: Vec<f64> = SPECIAL.to_vec();
    let mut s = 0x1234_5678_9abc_def1u64;
    for _ in 0..20_000 {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        xs.push(f64::from_bits(s)); // every bit pattern: any sign, exponent
    }
    for &x in &xs {
        assert!(same(Real::pow(x, 2.0), x * x), "pow({x:e}, 2)");
        assert!(same(Real::pow(x, 1.0), x), "pow({x:e}, 1)");
        assert!(same(Real::pow(x, -1.0), 1.0 / x), "pow({x:e}, -1)");
        assert!(same(Real::pow(x, 0.0), 1.0), "pow({x:e}, 0)");
        let half = if x == 0.0 {
            0.0
        } else if x == f64::NEG_INFINITY {
            f64::INFINITY
        } else {
            x.sqrt()
        };
        assert!(same(Real::pow(x, 0.5), half), "pow({x:e}, 0.5)");
        #[allow(clippy::cast_possible_truncation)]
        let xf = x as f32;
        assert!(
            same(f64::from(Real::pow(xf, 2.0f32)), f64::from(xf * xf)),
            "powf({xf:e}, 2)"
        );
        assert!(
            same(f64::from(Real::pow(xf, -1.0f32)), f64::from(1.0 / xf)),
            "powf({xf:e}, -1)"
        );
    }
}
