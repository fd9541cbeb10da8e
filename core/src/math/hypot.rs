//! `hypot`: exact power-of-two scaling, a² + b² as a double-double, and a
//! double-double square root rounded once (also on the subnormal grid).

use super::twofold::{dd_sqrt, two_prod, two_sum};

/// If b < 2^-60·a then sqrt(a² + b²) rounds to a.
const TWO_POW_60: f64 = 1_152_921_504_606_846_976.0;

/// C `hypot`.
pub(crate) fn hypot(x: f64, y: f64) -> f64 {
    let (ax, ay) = (x.abs(), y.abs());
    if ax.is_infinite() || ay.is_infinite() {
        return f64::INFINITY;
    }
    if ax.is_nan() || ay.is_nan() {
        return x + y;
    }
    let (mut a, mut b) = if ax >= ay { (ax, ay) } else { (ay, ax) };
    if b * TWO_POW_60 < a || b == 0.0 {
        return a;
    }
    // Unscaled, a² and b² neither overflow nor lose bits of their error terms.
    let e = if (1e-140..=1e140).contains(&a) {
        0
    } else {
        let e = libm::ilogb(a);
        a = libm::scalbn(a, -e);
        b = libm::scalbn(b, -e);
        e
    };
    let (a2, a2e) = two_prod(a, a);
    let (b2, b2e) = two_prod(b, b);
    let (s, se) = two_sum(a2, b2);
    let (h, l) = dd_sqrt(s, se + (a2e + b2e));
    if e >= -1000 {
        // The scaled result is in [1, 2): scaling back is exact or overflows.
        libm::scalbn(h + l, e)
    } else {
        round_subnormal(h, l, e)
    }
}

/// (h + l)·2^e rounded once to the subnormal grid, for h in [1, 2) and
/// e < -1000 (a plain scaling of RN(h + l) would round twice).
fn round_subnormal(h: f64, l: f64, e: i32) -> f64 {
    // In units of the smallest subnormal 2^-1074, the value is (h + l)·2^(e+1074).
    let sh = libm::scalbn(h, e + 1074);
    let sl = libm::scalbn(l, e + 1074);
    if sh >= 4_503_599_627_370_496.0 {
        // Normal after all (2^52 units = 2^-1022): one rounding suffices.
        return libm::scalbn(h + l, e);
    }
    // sh < 2^52 has at most 52 integer bits: n = nearest integer to sh.
    let n = (sh + 6_755_399_441_055_744.0) - 6_755_399_441_055_744.0;
    let d = (sh - n) + sl;
    let n = if d > 0.5 || (d == 0.5 && n % 2.0 != 0.0) {
        n + 1.0
    } else if d < -0.5 || (d == -0.5 && n % 2.0 != 0.0) {
        n - 1.0
    } else {
        n
    };
    n * f64::from_bits(1)
}

/// C `hypotf`: sqrt(a² + b²) in f64 (error below 1 ulp of f64), rounded
/// once to f32; that can only go wrong within 2^-28 f32-ulp of a midpoint.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn hypotf(x: f32, y: f32) -> f32 {
    let (ax, ay) = (f64::from(x).abs(), f64::from(y).abs());
    if ax.is_infinite() || ay.is_infinite() {
        return f32::INFINITY;
    }
    crate::fpu::sqrt(ax * ax + ay * ay) as f32
}
