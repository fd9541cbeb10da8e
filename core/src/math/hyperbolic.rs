//! `sinh`, `cosh`, `tanh` (and `asinh`, `acosh`, `atanh`): e^x as a
//! double-double from a 32-entry table of 2^(j/32) and a Taylor polynomial,
//! e^x and e^-x combined without rounding, then one final rounding; small
//! |x| through the Taylor series of sinh with its a³/6 term exact.

use super::trig_tables::{
    EXP_POLY, EXP2_32, INV_LN2_32, LN2, LN2_32_1, LN2_32_2, LN2_32_3, LOG_32, LOG_POLY, SINH_POLY,
    SIXTH,
};
use super::twofold::{dd_div, dd_sqrt, fast_two_sum, horner, pow2, two_prod, two_sum};

/// Below this, sinh x = tanh x = x and cosh x = 1 after rounding.
const TINY: f64 = 7.450580596923828e-9; // 2^-27
/// Above this, sinh and cosh overflow (ln(2·f64::MAX) = 710.4758...).
const OVERFLOW: f64 = 710.475_860_073_943_9;
/// Above this, e^-x is below 2^-72 of e^x and is left out.
const NO_RECIPROCAL: f64 = 25.0;
/// Above this, tanh x rounds to 1.
const TANH_ONE: f64 = 22.0;
/// 1.5·2^52: adding and subtracting it rounds to an integer.
const SHIFTER: f64 = 6_755_399_441_055_744.0;

/// e^x = (h + l)·2^n for |x| <= 711, with h + l in about [0.7, 1.5] and a
/// relative error near 2^-70.
fn exp_dd(x: f64) -> (f64, f64, i32) {
    let kf = (x * INV_LN2_32 + SHIFTER) - SHIFTER;
    // k·L1 is exact (|k| < 2^16, L1 has 36 bits) and so is x - k·L1.
    let a = x - kf * LN2_32_1;
    let (p2, p2e) = two_prod(kf, LN2_32_2);
    let (rh, e) = two_sum(a, -p2);
    let (rh, rl) = fast_two_sum(rh, e - (p2e + kf * LN2_32_3));
    // e^r = 1 + r + r²/2 + r³·P(r), with r²/2 exact from rh.
    let (z, ze) = two_prod(rh, rh);
    let tail = rh * z * horner(rh, &EXP_POLY) + (rl * rh + (rl + ze * 0.5));
    let (s, se) = fast_two_sum(1.0, rh);
    let (s, se2) = two_sum(s, z * 0.5);
    let (s, lo) = fast_two_sum(s, tail + (se + se2));
    #[allow(clippy::cast_possible_truncation)]
    let k = kf as i32;
    #[allow(clippy::cast_sign_loss)]
    let (th, tl) = EXP2_32[(k & 31) as usize];
    let (p, pe) = two_prod(th, s);
    (p, pe + (th * lo + tl * s), k >> 5)
}

/// e^a ± e^-a for a >= 0, as (h + l)·2^n (sign +1.0 for 2·cosh, -1.0 for
/// 2·sinh); e^-a is the double-double reciprocal of e^a.
fn exp_pair(a: f64, sign: f64) -> (f64, f64, i32) {
    let (eh, el, en) = exp_dd(a);
    if a > NO_RECIPROCAL {
        return (eh, el, en);
    }
    let (fh, fl) = dd_div(1.0, 0.0, eh, el);
    let scale = pow2(-2 * en); // >= 2^-80: exact
    let (h, e) = two_sum(eh, sign * fh * scale);
    let (h, l) = fast_two_sum(h, e + (el + sign * fl * scale));
    (h, l, en)
}

/// sinh a for 2^-27 <= a < 0.125 as a double-double: a + a³/6 + a⁵·P(a²).
fn sinh_small(a: f64) -> (f64, f64) {
    let (z, ze) = two_prod(a, a);
    let (c, ce) = two_prod(z, a);
    let cl = ce + ze * a; // a³ = c + cl
    let (q, qe) = two_prod(c, SIXTH.0);
    let ql = qe + (c * SIXTH.1 + cl * SIXTH.0);
    let tail = a * z * z * horner(z, &SINH_POLY);
    let (s, se) = fast_two_sum(a, q);
    fast_two_sum(s, tail + (se + ql))
}

/// sinh a for 2^-27 <= a <= 711 as (h + l)·2^n.
fn sinh_dd(a: f64) -> (f64, f64, i32) {
    if a < 0.125 {
        let (h, l) = sinh_small(a);
        (h, l, 0)
    } else {
        let (h, l, n) = exp_pair(a, -1.0);
        (h, l, n - 1)
    }
}

/// C `sinh`.
pub(crate) fn sinh(x: f64) -> f64 {
    let a = x.abs();
    if a.is_nan() || a < TINY {
        return x + x * 0.0;
    }
    let r = if a > OVERFLOW + 1.0 {
        f64::INFINITY
    } else {
        let (h, l, n) = sinh_dd(a);
        libm::scalbn(h + l, n)
    };
    if x < 0.0 { -r } else { r }
}

/// C `cosh`.
pub(crate) fn cosh(x: f64) -> f64 {
    let a = x.abs();
    if a.is_nan() {
        return x + x;
    }
    if a < TINY {
        return 1.0;
    }
    if a > OVERFLOW + 1.0 {
        return f64::INFINITY;
    }
    if a < COSH_SERIES {
        return cosh_small(a);
    }
    let (h, l, n) = exp_pair(a, 1.0);
    libm::scalbn(h + l, n - 1)
}

/// Below this, cosh a = 1 + a²/2 + a⁴/24 to 2^-99.
const COSH_SERIES: f64 = 3.0517578125e-5; // 2^-15

/// cosh a for 2^-27 <= a < 2^-15, rounded correctly also where 1 + a²/2 is
/// exactly a midpoint (a = m·2^-26, m odd): the a⁴/24 beyond it decides.
fn cosh_small(a: f64) -> f64 {
    let (z, ze) = two_prod(a, a);
    let (s, e) = fast_two_sum(1.0, 0.5 * z);
    let (e1, f) = two_sum(e, 0.5 * ze + z * z * (1.0 / 24.0));
    // The value is r + g + f, each part exact; r = RN(s + e1).
    let (r, g) = two_sum(s, e1);
    let half_ulp = 1.110_223_024_625_156_5e-16; // 2^-53, r in [1, 2)
    if g.abs() == half_ulp && f != 0.0 && (g > 0.0) == (f > 0.0) {
        r + 2.0 * g // a tie broken the wrong way by RN: f is beyond it
    } else {
        r
    }
}

/// C `tanh`: (e^2a - 1)/(e^2a + 1) from one double-double e^2a; below
/// 0.125, sinh a / sqrt(1 + sinh² a) with sinh from its series.
pub(crate) fn tanh(x: f64) -> f64 {
    let a = x.abs();
    if a.is_nan() || a < TINY {
        return x + x * 0.0;
    }
    let r = if a > TANH_ONE {
        1.0
    } else if a < 0.125 {
        let (sh, sl) = sinh_small(a);
        let (p, pe) = two_prod(sh, sh);
        let (c, ce) = fast_two_sum(1.0, p);
        let (ch, cl) = dd_sqrt(c, ce + (pe + 2.0 * sh * sl));
        let (h, l) = dd_div(sh, sl, ch, cl);
        h + l
    } else {
        // In units of 2^n: e^2a = h + l, 1 = 2^-n (exact, n <= 64).
        let (h, l, n) = exp_dd(2.0 * a);
        let one = pow2(-n);
        let (nh, ne) = two_sum(h, -one);
        let (nh, nl) = fast_two_sum(nh, ne + l);
        let (dh, de) = two_sum(h, one);
        let (dh, dl) = fast_two_sum(dh, de + l);
        let (q, ql) = dd_div(nh, nl, dh, dl);
        q + ql
    };
    if x < 0.0 { -r } else { r }
}

/// ln(vh + vl) as a double-double, for a normal positive `vh` and
/// `|vl| <= ulp(vh)`; relative error near 2^-65, also next to 1 (where the
/// table entry is r = 1 and only log1p(t) is left).
fn log_dd(vh: f64, vl: f64) -> (f64, f64) {
    let bits = vh.to_bits();
    #[allow(clippy::cast_possible_truncation)]
    let mut m = ((bits >> 52) & 0x7ff) as i32 - 1023;
    let mut yh = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    let mut yl = vl * pow2(-m);
    if yh > core::f64::consts::SQRT_2 {
        yh *= 0.5;
        yl *= 0.5;
        m += 1;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = ((yh * 32.0 + 0.5) as usize).clamp(22, 46);
    let (r, lh, ll) = LOG_32[i - 22];
    // t = y·r - 1 exactly enough: y·r in [0.97, 1.03], so p - 1 is exact.
    let (p, pe) = two_prod(yh, r);
    let (th, tl) = two_sum(p - 1.0, pe + yl * r);
    // log1p(t) = t - t²/2 + t³·P(t), with t²/2 exact from th.
    let (z, ze) = two_prod(th, th);
    let tail = th * z * horner(th, &LOG_POLY) + (tl - (0.5 * ze + th * tl));
    let mf = f64::from(m);
    let (a1, e1) = two_sum(mf * LN2.0, lh);
    let (a2, e2) = two_sum(a1, th);
    let (a3, e3) = two_sum(a2, -0.5 * z);
    fast_two_sum(a3, tail + ((e1 + e2 + e3) + (mf * LN2.1 + ll)))
}

/// Above this, asinh x = ln 2x + 1/(4x²) and acosh x = ln 2x - 1/(4x²) to
/// 2^-117 (the next terms are ±3/(32x⁴)).
const LOG_ONLY: f64 = 268_435_456.0; // 2^28

/// ln(2) + ln(a) + c, rounded once, for a small correction c.
fn ln2_plus_ln(a: f64, c: f64) -> f64 {
    let (h, l) = log_dd(a, 0.0);
    let (s, e) = two_sum(LN2.0, h);
    s + (e + (l + (LN2.1 + c)))
}

/// C `asinh`: ln(a + sqrt(a² + 1)) with the argument as a double-double.
pub(crate) fn asinh(x: f64) -> f64 {
    let a = x.abs();
    if a.is_nan() || a.is_infinite() || a < TINY {
        return x;
    }
    let r = if a > LOG_ONLY {
        ln2_plus_ln(a, 0.25 / a / a)
    } else {
        let (p, pe) = two_prod(a, a);
        let (h, l) = two_sum(1.0, p);
        let (sh, sl) = dd_sqrt(h, l + pe);
        let (vh, ve) = two_sum(a, sh);
        let (vh, vl) = fast_two_sum(vh, ve + sl);
        let (h, l) = log_dd(vh, vl);
        h + l
    };
    if x < 0.0 { -r } else { r }
}

/// C `acosh`: ln(x + sqrt(x² - 1)) with the argument as a double-double.
pub(crate) fn acosh(x: f64) -> f64 {
    if x.is_nan() {
        return x + x;
    }
    if x < 1.0 {
        return f64::NAN;
    }
    if x.is_infinite() {
        return x;
    }
    if x > LOG_ONLY {
        return ln2_plus_ln(x, -0.25 / x / x);
    }
    // x² - 1 exactly (two_prod), then sqrt as a double-double.
    let (p, pe) = two_prod(x, x);
    let (h, l) = two_sum(p, -1.0);
    let (h, l) = fast_two_sum(h, l + pe);
    if h == 0.0 {
        return 0.0; // x == 1
    }
    let (sh, sl) = dd_sqrt(h, l);
    let (vh, ve) = two_sum(x, sh);
    let (vh, vl) = fast_two_sum(vh, ve + sl);
    let (h, l) = log_dd(vh, vl);
    h + l
}

/// C `atanh`: ½·ln((1 + a)/(1 - a)) with the quotient as a double-double.
pub(crate) fn atanh(x: f64) -> f64 {
    let a = x.abs();
    if a.is_nan() || a < TINY {
        return x + x * 0.0;
    }
    if a >= 1.0 {
        return if a == 1.0 { x / 0.0 } else { f64::NAN };
    }
    let (nh, nl) = two_sum(1.0, a);
    let (dh, dl) = two_sum(1.0, -a);
    let (qh, ql) = dd_div(nh, nl, dh, dl);
    let (h, l) = log_dd(qh, ql);
    let r = 0.5 * (h + l);
    if x < 0.0 { -r } else { r }
}

/// C `sinhf`: computed in f64, rounded once.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn sinhf(x: f32) -> f32 {
    sinh(f64::from(x)) as f32
}

/// C `coshf`: computed in f64, rounded once.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn coshf(x: f32) -> f32 {
    cosh(f64::from(x)) as f32
}

/// C `tanhf`: computed in f64, rounded once.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn tanhf(x: f32) -> f32 {
    tanh(f64::from(x)) as f32
}

/// C `asinhf`: computed in f64, rounded once.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn asinhf(x: f32) -> f32 {
    asinh(f64::from(x)) as f32
}

/// C `acoshf`: computed in f64, rounded once.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn acoshf(x: f32) -> f32 {
    acosh(f64::from(x)) as f32
}

/// C `atanhf`: computed in f64, rounded once.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn atanhf(x: f32) -> f32 {
    atanh(f64::from(x)) as f32
}
