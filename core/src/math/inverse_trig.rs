//! `atan`, `atan2`, `asin`, `acos`: one kernel, atan(y/x) for 0 <= y <= x
//! given as double-doubles, with atan(y/x) = atan(c) + atan(t),
//! c = i/32 the nearest table point and t = (y - c·x)/(x + c·y) formed
//! exactly enough that the quotient is never rounded before the end.
//! asin and acos go through sqrt(1 - x²) as a double-double.

use super::trig_tables::{ATAN_32, ATAN_POLY, PI, PIO2, THREE_PIO4};
use super::twofold::{dd_sqrt, fast_two_sum, high_bits, two_prod, two_sum};

/// Below this, atan x = asin x = x after rounding.
const TINY: f64 = 7.450580596923828e-9; // 2^-27
/// Ratios below 2^-60 give atan(z) = z after rounding (and its complements).
const TWO_POW_60: f64 = 1_152_921_504_606_846_976.0;

/// c[0] + c[1]·z + ... + c[4]·z⁴ in independent parts (Estrin): a shorter
/// dependency chain than Horner's, after the division that precedes it; the
/// high parts are far below the result, so their rounding does not matter.
#[inline(always)]
fn estrin5(z: f64, c: &[f64; 5]) -> f64 {
    let z2 = z * z;
    (c[0] + c[1] * z) + z2 * ((c[2] + c[3] * z) + z2 * c[4])
}

/// `c·a` as an exact unevaluated sum of two doubles, for a table point
/// c = i/32 (at most 6 significant bits): cutting `a` (known early, off the
/// critical path) at 47 bits makes both partial products exact, a shorter
/// chain than a Dekker product.
#[inline(always)]
fn short_prod(c: f64, a: f64) -> (f64, f64) {
    let a_hi = high_bits::<47>(a);
    (c * a_hi, c * (a - a_hi))
}

/// 1.5·2^52: adding and subtracting it rounds to an integer.
const SHIFTER: f64 = 6_755_399_441_055_744.0;

/// The nearest table point to `q` in [0, 1] (plus a rounding): (i, i/32),
/// rounded in the floating-point unit (no float-integer round trip on the
/// critical path).
#[inline(always)]
fn table_point(q: f64) -> (usize, f64) {
    let t = q.min(1.0) * 32.0 + SHIFTER;
    #[allow(clippy::cast_possible_truncation)]
    let i = (t.to_bits() & 63) as usize;
    (i.min(32), (t - SHIFTER) * 0.03125)
}

/// atan((yh + yl)/(xh + xl)) for 0 <= y <= x (y may exceed x by a rounding),
/// as an unnormalised double-double. Needs 2^-500 < x < 2^500 and
/// y = 0 or y > 2^-60·x, so no product overflows or loses bits.
#[inline(never)]
fn atan_ratio(yh: f64, yl: f64, xh: f64, xl: f64) -> (f64, f64) {
    let (i, c) = table_point(yh / xh);
    // n = y - c·x: c·xh exactly as p + pe, and yh - p is exact (Sterbenz).
    let (p, pe) = short_prod(c, xh);
    let (nh, nl) = two_sum(yh - p, (yl - pe) - c * xl);
    // d = x + c·y
    let (p2, p2e) = short_prod(c, yh);
    let (dh, de) = two_sum(xh, p2);
    let (dh, dl) = fast_two_sum(dh, de + p2e + xl + c * yl);
    // t = n/d as a double-double, |t| <= 1/64: th need not be RN(n/d), the
    // exact remainder n - th·d carries what it misses.
    let inv = 1.0 / dh;
    let th = nh * inv;
    let (m, me) = two_prod(th, dh);
    let tl = ((((nh - m) - me) + nl) - th * dl) * inv;
    let z = th * th;
    let tail = th * z * estrin5(z, &ATAN_POLY);
    let (ah, al) = ATAN_32[i];
    let (s, se) = two_sum(ah, th);
    (s, tail + (se + al + tl))
}

/// `atan_ratio(a, 0, 1, 0)` with the products by x = 1 left out, for
/// 2^-27 <= a <= 1 (atan's common case).
#[inline]
fn atan_unit(a: f64) -> (f64, f64) {
    let (i, c) = table_point(a);
    let nh = a - c; // exact (Sterbenz, or c = 0)
    let (p, pe) = short_prod(c, a);
    let (dh, dl) = fast_two_sum(1.0, p);
    let dl = dl + pe;
    let inv = 1.0 / dh;
    let th = nh * inv;
    let (m, me) = two_prod(th, dh);
    let tl = (((nh - m) - me) - th * dl) * inv;
    let z = th * th;
    let tail = th * z * estrin5(z, &ATAN_POLY);
    let (ah, al) = ATAN_32[i];
    let (s, se) = two_sum(ah, th);
    (s, tail + (se + al + tl))
}

/// k + s·(bh + bl) rounded once, for a double-double constant k.
#[inline(always)]
fn add_to(k: (f64, f64), s: f64, b: (f64, f64)) -> f64 {
    let (h, e) = two_sum(k.0, s * b.0);
    h + (e + (k.1 + s * b.1))
}

/// `r` (>= 0) with the sign of `s`, without a branch (the sign of a random
/// argument is unpredictable).
#[inline(always)]
fn with_sign_of(r: f64, s: f64) -> f64 {
    f64::from_bits(r.to_bits() | (s.to_bits() & (1u64 << 63)))
}

/// C `atan2(y, x)`.
pub(crate) fn atan2(y: f64, x: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        return x + y;
    }
    let (ay, ax) = (y.abs(), x.abs());
    let x_neg = x.is_sign_negative();
    let r = if ay == 0.0 {
        if x_neg { PI.0 } else { 0.0 }
    } else if ax.is_infinite() {
        match (ay.is_infinite(), x_neg) {
            (true, false) => PIO2.0 * 0.5,
            (true, true) => THREE_PIO4,
            (false, false) => 0.0,
            (false, true) => PI.0,
        }
    } else if ay.is_infinite() || ax == 0.0 {
        PIO2.0
    } else {
        atan2_finite(ay, ax, x_neg)
    };
    with_sign_of(r, y)
}

/// atan2 for finite, non-zero `ay`, `ax` (absolute values); x < 0 if `x_neg`.
#[inline(always)]
fn atan2_finite(ay: f64, ax: f64, x_neg: bool) -> f64 {
    let swap = ay > ax;
    let (mut mn, mut mx) = if swap { (ax, ay) } else { (ay, ax) };
    if mn * TWO_POW_60 < mx {
        // atan(z) = z - z³/3 rounds like z itself.
        let z = mn / mx;
        return match (swap, x_neg) {
            (false, false) => z,
            (false, true) => PI.0 + (PI.1 - z),
            (true, false) => PIO2.0 + (PIO2.1 - z),
            (true, true) => PIO2.0 + (PIO2.1 + z),
        };
    }
    if !(1e-150..=1e150).contains(&mx) {
        // Scale both by the same power of two (exact: mn >= 2^-60·mx).
        let e = libm::ilogb(mx);
        mn = libm::scalbn(mn, -e);
        mx = libm::scalbn(mx, -e);
    }
    let b = atan_ratio(mn, 0.0, mx, 0.0);
    match (swap, x_neg) {
        (false, false) => b.0 + b.1,
        (false, true) => add_to(PI, -1.0, b),
        (true, false) => add_to(PIO2, -1.0, b),
        (true, true) => add_to(PIO2, 1.0, b),
    }
}

/// C `atan`.
pub(crate) fn atan(x: f64) -> f64 {
    let a = x.abs();
    let r = if a.is_nan() || a < TINY {
        return x + 0.0 * x; // NaN stays NaN, ±0 and tiny x stay x
    } else if a <= 1.0 {
        let (h, l) = atan_unit(a);
        h + l
    } else if a < TWO_POW_60 {
        add_to(PIO2, -1.0, atan_ratio(1.0, 0.0, a, 0.0))
    } else {
        PIO2.0 + (PIO2.1 - 1.0 / a)
    };
    with_sign_of(r, x)
}

/// sqrt(1 - a²) as a double-double, for 2^-27 <= a < 1.
#[inline]
fn sqrt_one_minus_sq(a: f64) -> (f64, f64) {
    let (p, pe) = two_prod(a, a);
    let (h, l) = two_sum(1.0, -p);
    let (h, l) = fast_two_sum(h, l - pe);
    dd_sqrt(h, l)
}

/// C `asin`: atan2(x, sqrt(1 - x²)).
pub(crate) fn asin(x: f64) -> f64 {
    let a = x.abs();
    if a.is_nan() || a < TINY {
        return x + 0.0 * x;
    }
    let r = if a >= 1.0 {
        if a > 1.0 {
            return f64::NAN;
        }
        PIO2.0
    } else {
        let s = sqrt_one_minus_sq(a);
        if a <= s.0 {
            let (h, l) = atan_ratio(a, 0.0, s.0, s.1);
            h + l
        } else {
            add_to(PIO2, -1.0, atan_ratio(s.0, s.1, a, 0.0))
        }
    };
    if x < 0.0 { -r } else { r }
}

/// C `acos`: atan2(sqrt(1 - x²), x).
pub(crate) fn acos(x: f64) -> f64 {
    let a = x.abs();
    if a.is_nan() {
        return x + x;
    }
    if a < TINY {
        return PIO2.0 + (PIO2.1 - x);
    }
    if a >= 1.0 {
        return if a > 1.0 {
            f64::NAN
        } else if x > 0.0 {
            0.0
        } else {
            PI.0
        };
    }
    let s = sqrt_one_minus_sq(a);
    match (x < 0.0, s.0 <= a) {
        (false, true) => {
            let (h, l) = atan_ratio(s.0, s.1, a, 0.0);
            h + l
        }
        (false, false) => add_to(PIO2, -1.0, atan_ratio(a, 0.0, s.0, s.1)),
        (true, true) => add_to(PI, -1.0, atan_ratio(s.0, s.1, a, 0.0)),
        (true, false) => add_to(PIO2, 1.0, atan_ratio(a, 0.0, s.0, s.1)),
    }
}

/// C `atanf`: computed in f64, rounded once.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn atanf(x: f32) -> f32 {
    atan(f64::from(x)) as f32
}

/// C `atan2f`: computed in f64, rounded once.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn atan2f(y: f32, x: f32) -> f32 {
    atan2(f64::from(y), f64::from(x)) as f32
}

/// C `asinf`: computed in f64, rounded once.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn asinf(x: f32) -> f32 {
    asin(f64::from(x)) as f32
}

/// C `acosf`: computed in f64, rounded once.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn acosf(x: f32) -> f32 {
    acos(f64::from(x)) as f32
}
