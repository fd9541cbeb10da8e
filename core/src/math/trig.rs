//! `sin`, `cos`, `tan`: x = k·π/64 + r with r a double-double (Cody–Waite
//! below 2^20, Payne–Hanek above), then sin(kπ/64 + r) from a 33-entry table
//! of sin(iπ/64) and short Taylor polynomials in r, evaluated so that only
//! terms below 2^-11 of the result are rounded; one final rounding.

use super::trig_tables::{
    COS_POLY, INV_PI_BITS, INV_PI64, PI64, PI64_1, PI64_2, PI64_3, PI64_4, SIN_PI64, SIN_POLY,
};
use super::twofold::{dd_div, fast_two_sum, horner, pow2, two_prod, two_sum};

/// Below this, sin x = tan x = x and cos x = 1 after rounding.
const TINY: f64 = 7.450580596923828e-9; // 2^-27
/// Cody–Waite reduction is exact enough below this (|k| < 2^25).
const CW_LIMIT: f64 = 1_048_576.0; // 2^20
/// 1.5·2^52: adding and subtracting it rounds to an integer.
const SHIFTER: f64 = 6_755_399_441_055_744.0;

/// Reduces a finite `x` with `|x| >= 2^-27`: returns `(k mod 128, rh, rl)`
/// with x = k·π/64 + rh + rl and |rh + rl| <= π/128 (plus a rounding).
fn reduce(x: f64) -> (u32, f64, f64) {
    if x.abs() < CW_LIMIT {
        let kf = (x * INV_PI64 + SHIFTER) - SHIFTER;
        // k·P1 and k·P2 are exact, x - k·P1 is exact (Sterbenz).
        let a = x - kf * PI64_1;
        let (s, se) = two_sum(a, -(kf * PI64_2));
        let (p3, p3e) = two_prod(kf, PI64_3);
        let (rh, e) = two_sum(s, -p3);
        let rl = e + ((se - p3e) - kf * PI64_4);
        let (rh, rl) = fast_two_sum(rh, rl);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let k = ((kf as i64) & 127) as u32;
        (k, rh, rl)
    } else {
        let (k, rh, rl) = payne_hanek(x.abs());
        if x < 0.0 {
            ((128 - k) & 127, -rh, -rl)
        } else {
            (k, rh, rl)
        }
    }
}

/// Payne–Hanek reduction of a finite `ax >= 2^20`: multiplies the 53-bit
/// significand by a 192-bit window of the bits of 1/π chosen by the
/// exponent, so x·64/π mod 128 comes out with 128 fraction bits.
fn payne_hanek(ax: f64) -> (u32, f64, f64) {
    let bits = ax.to_bits();
    let m = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    #[allow(clippy::cast_possible_truncation)]
    let e = ((bits >> 52) & 0x7ff) as i32 - 1075; // ax = m·2^e, e >= -32
    // x·64/π = m·2^(e+6)·Σ b_j 2^-j; the bits j < e only add multiples of
    // 128, so the window starts at bit j = e, which is position e + 63.
    #[allow(clippy::cast_sign_loss)]
    let start = (e + 63) as usize;
    let (q, sh) = (start / 64, start % 64);
    let word = |i: usize| INV_PI_BITS.get(i).copied().unwrap_or(0);
    let limb = |i: usize| {
        if sh == 0 {
            word(i)
        } else {
            (word(i) << sh) | (word(i + 1) >> (64 - sh))
        }
    };
    let (w0, w1, w2) = (limb(q), limb(q + 1), limb(q + 2));
    // m·W mod 2^192; bit 185 has weight 1 (m·W·2^-185).
    let m = u128::from(m);
    let t2 = m * u128::from(w2);
    let t1 = m * u128::from(w1) + (t2 >> 64);
    let t0 = m * u128::from(w0) + (t1 >> 64);
    #[allow(clippy::cast_possible_truncation)]
    let (r0, r1, r2) = (t2 as u64, t1 as u64, t0 as u64);
    #[allow(clippy::cast_possible_truncation)]
    let mut k = (r2 >> 57) as u32;
    let frac = (u128::from((r2 << 7) | (r1 >> 57)) << 64) | u128::from((r1 << 7) | (r0 >> 57));
    // Round to the nearest k: a fraction >= 1/2 becomes negative.
    let (neg, mag) = if frac >> 127 == 1 {
        k += 1;
        (true, frac.wrapping_neg())
    } else {
        (false, frac)
    };
    if mag == 0 {
        return (k & 127, 0.0, 0.0);
    }
    let lz = mag.leading_zeros();
    let norm = mag << lz;
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let hi = (norm >> 75) as u64 as f64;
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let lo = ((norm >> 22) as u64 & ((1u64 << 53) - 1)) as f64;
    #[allow(clippy::cast_possible_wrap)]
    let lz = lz as i32;
    // mag·2^-128 = hi·2^(-53-lz) + lo·2^(-106-lz) + (bits below)
    let (fh, fl) = (hi * pow2(-53 - lz), lo * pow2(-106 - lz));
    let (fh, fl) = if neg { (-fh, -fl) } else { (fh, fl) };
    // r = f·π/64
    let (p, pe) = two_prod(fh, PI64.0);
    let (rh, rl) = fast_two_sum(p, pe + (fh * PI64.1 + fl * PI64.0));
    (k & 127, rh, rl)
}

/// sin(k·π/64 + rh + rl) as an unnormalised double-double (k mod 128).
#[inline(never)]
fn sin_dd(k: u32, rh: f64, rl: f64) -> (f64, f64) {
    let k = k & 127;
    let i = (k & 31) as usize;
    let a = SIN_PI64[i];
    let b = SIN_PI64[32 - i];
    let neg = |v: (f64, f64)| (-v.0, -v.1);
    // (sin, cos) of k·π/64 from the quarter-wave table.
    let (s, c) = match k >> 5 {
        0 => (a, b),
        1 => (b, neg(a)),
        2 => (neg(a), neg(b)),
        _ => (neg(b), a),
    };
    let z = rh * rh;
    let sin_tail = rh * z * horner(z, &SIN_POLY); // sin r - r
    let cos_tail = z * horner(z, &COS_POLY) - rh * rl; // cos r - 1
    // s·cos r + c·sin r = s + c·rh + (s·cos_tail + c·(rl + sin_tail) + ...)
    let (p, pe) = two_prod(c.0, rh);
    let (h, he) = two_sum(s.0, p);
    let lo = s.0 * cos_tail + c.0 * sin_tail + (he + pe + c.0 * rl + c.1 * rh + s.1);
    (h, lo)
}

/// C `sin`.
pub(crate) fn sin(x: f64) -> f64 {
    if x.abs() < TINY {
        return x;
    }
    if !x.is_finite() {
        return x * 0.0; // NaN for ±inf and NaN
    }
    let (k, rh, rl) = reduce(x);
    let (h, l) = sin_dd(k, rh, rl);
    h + l
}

/// C `cos`.
pub(crate) fn cos(x: f64) -> f64 {
    if x.abs() < TINY {
        return 1.0;
    }
    if !x.is_finite() {
        return x * 0.0; // NaN for ±inf and NaN
    }
    let (k, rh, rl) = reduce(x);
    let (h, l) = sin_dd(k + 32, rh, rl);
    h + l
}

/// C `tan`: sin/cos, both as double-doubles, divided once.
pub(crate) fn tan(x: f64) -> f64 {
    if x.abs() < TINY {
        return x;
    }
    if !x.is_finite() {
        return x * 0.0; // NaN for ±inf and NaN
    }
    let (k, rh, rl) = reduce(x);
    let (sh, sl) = sin_dd(k, rh, rl);
    let (ch, cl) = sin_dd(k + 32, rh, rl);
    let (sh, sl) = fast_two_sum(sh, sl);
    let (ch, cl) = fast_two_sum(ch, cl);
    let (h, l) = dd_div(sh, sl, ch, cl);
    h + l
}

/// C `sinf`: computed in f64, rounded once.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn sinf(x: f32) -> f32 {
    sin(f64::from(x)) as f32
}

/// C `cosf`: computed in f64, rounded once.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn cosf(x: f32) -> f32 {
    cos(f64::from(x)) as f32
}

/// C `tanf`: computed in f64, rounded once.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn tanf(x: f32) -> f32 {
    tan(f64::from(x)) as f32
}
