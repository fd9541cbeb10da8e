//! `sin`, `cos`, `tan`: x = k·π/64 + r with r a double-double (Cody–Waite
//! below 2^20, Payne–Hanek above), then sin(kπ/64 + r) from a 33-entry table
//! of sin(iπ/64) and short Taylor polynomials in r, evaluated so that only
//! terms below 2^-11 of the result are rounded; one final rounding.

use super::trig_tables::{
    COS_POLY, INV_PI_BITS, INV_PI64, PI64, PI64_1, PI64_2, PI64_3, PI64_4, SIN_PI64, SIN_POLY,
};
use super::twofold::{fast_two_sum, high_bits, pow2, two_prod, two_sum};

/// Below this, sin x = tan x = x and cos x = 1 after rounding.
const TINY: f64 = 7.450580596923828e-9; // 2^-27
/// Cody–Waite reduction is exact enough below this (|k| < 2^25).
const CW_LIMIT: f64 = 1_048_576.0; // 2^20
/// 1.5·2^52: adding and subtracting it rounds to an integer.
const SHIFTER: f64 = 6_755_399_441_055_744.0;
/// The leading 28 bits of P3: k·P3_HI is exact for |k| < 2^25, so the
/// reduction needs no Dekker product.
const PI64_3_HI: f64 = high_bits::<28>(PI64_3);
/// P3 - P3_HI (exact); k·P3_LO is below 2^-90, its rounding below 2^-140.
const PI64_3_LO: f64 = PI64_3 - PI64_3_HI;

/// Reduces a finite `x` with `|x| >= 2^-27`: returns `(k mod 128, rh, rl)`
/// with x = k·π/64 + rh + rl and |rh + rl| <= π/128 (plus a rounding).
#[inline(always)]
fn reduce(x: f64) -> (u32, f64, f64) {
    if x.abs() < CW_LIMIT {
        reduce_cw(x)
    } else {
        reduce_large(x)
    }
}

/// `reduce` for |x| < 2^20: Cody–Waite with π/64 in four parts.
#[inline(always)]
fn reduce_cw(x: f64) -> (u32, f64, f64) {
    let t = x * INV_PI64 + SHIFTER;
    let kf = t - SHIFTER;
    // t = 1.5·2^52 + k: its low significand bits are k mod 128 (two's
    // complement for k < 0), no float-integer conversion on the path
    // to the table.
    #[allow(clippy::cast_possible_truncation)]
    let k = (t.to_bits() & 127) as u32;
    // k·P1 and k·P2 are exact, x - k·P1 is exact (Sterbenz).
    let a = x - kf * PI64_1;
    let (s, se) = two_sum(a, -(kf * PI64_2));
    let (p3, p3e) = (kf * PI64_3_HI, kf * PI64_3_LO);
    let (rh, e) = two_sum(s, -p3);
    let rl = e + ((se - p3e) - kf * PI64_4);
    let (rh, rl) = fast_two_sum(rh, rl);
    (k, rh, rl)
}

/// `reduce` for |x| >= 2^20: rare, so out of line.
#[cold]
#[inline(never)]
fn reduce_large(x: f64) -> (u32, f64, f64) {
    let (k, rh, rl) = payne_hanek(x.abs());
    if x < 0.0 {
        ((128 - k) & 127, -rh, -rl)
    } else {
        (k, rh, rl)
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

/// The Taylor parts of sin r and cos r for r = rh + rl, shared by sin, cos
/// and tan: `rh` cut in two so that a product by a 26-bit number is exact.
struct Parts {
    /// Leading 27 bits of rh.
    r_hi: f64,
    /// rh - r_hi (exact).
    r_lo: f64,
    /// rh and rl.
    rh: f64,
    rl: f64,
    /// sin r - r, without the rl terms.
    sin_tail: f64,
    /// cos r - 1.
    cos_tail: f64,
}

impl Parts {
    #[inline(always)]
    fn new(rh: f64, rl: f64) -> Self {
        let z = rh * rh;
        let z2 = z * z;
        let r_hi = high_bits::<27>(rh);
        Parts {
            r_hi,
            r_lo: rh - r_hi,
            rh,
            rl,
            sin_tail: rh * z * estrin4(z, z2, &SIN_POLY),
            cos_tail: z * estrin4(z, z2, &COS_POLY) - rh * rl,
        }
    }

    /// s·cos r + c·sin r for double-doubles s (0 or |s| >= sin(π/64)) and
    /// c, as an unnormalised double-double: s + c·r is formed exactly up to
    /// terms 2^-26 below it, the rest in plain doubles.
    #[inline(always)]
    fn rotate(&self, s: (f64, f64), c: (f64, f64)) -> (f64, f64) {
        let c_hi = high_bits::<26>(c.0);
        let c_lo = c.0 - c_hi;
        // |s| >= |c·r| (|r| <= π/128) or s = 0, so fast_two_sum is exact;
        // c_hi·r_hi has 26 + 27 bits, exact.
        let (h, he) = fast_two_sum(s.0, c_hi * self.r_hi);
        let cr_rest = c_hi * self.r_lo + c_lo * self.rh;
        let lo = s.0 * self.cos_tail
            + c.0 * self.sin_tail
            + (he + cr_rest + c.0 * self.rl + c.1 * self.rh + s.1);
        (h, lo)
    }
}

/// c[0] + c[1]·z + c[2]·z² + c[3]·z³ in two independent halves (Estrin):
/// a shorter dependency chain than Horner's; the rounding of the small high
/// half is far below the result's.
#[inline(always)]
fn estrin4(z: f64, z2: f64, c: &[f64; 4]) -> f64 {
    (c[0] + c[1] * z) + z2 * (c[2] + c[3] * z)
}

/// (sin, cos) of k·π/64 (k mod 128) from the quarter-wave table, without
/// branches (the quadrant of a random argument is unpredictable): the
/// quadrant picks the two indices and flips the signs bitwise.
#[inline(always)]
fn table(k: u32) -> ((f64, f64), (f64, f64)) {
    let q = (k >> 5) & 3;
    let i = k & 31;
    // q even: (sin, cos) = (T[i], T[32 - i]); odd: (T[32 - i], T[i])
    // (a select, not a jump).
    let is = if q & 1 == 1 { 32 - i } else { i } as usize;
    let a = SIN_PI64[is];
    let b = SIN_PI64[32 - is];
    // sin < 0 in quadrants 2, 3; cos < 0 in quadrants 1, 2.
    let sign = |v: (f64, f64), neg: u32| {
        let m = u64::from(neg) << 63;
        (
            f64::from_bits(v.0.to_bits() ^ m),
            f64::from_bits(v.1.to_bits() ^ m),
        )
    };
    (sign(a, q >> 1), sign(b, ((q + 1) >> 1) & 1))
}

/// sin(k·π/64 + rh + rl) as an unnormalised double-double (k mod 128).
#[inline(never)]
fn sin_dd(k: u32, rh: f64, rl: f64) -> (f64, f64) {
    let (s, c) = table(k);
    Parts::new(rh, rl).rotate(s, c)
}

/// C `sin`.
pub(crate) fn sin(x: f64) -> f64 {
    if !moderate(x) {
        return rare(x, 0);
    }
    let (k, rh, rl) = reduce_cw(x);
    let (h, l) = sin_dd(k, rh, rl);
    h + l
}

/// 2^-27 <= |x| < 2^20, in one integer comparison (the common case).
#[inline(always)]
fn moderate(x: f64) -> bool {
    const LO: u64 = TINY.to_bits();
    const HI: u64 = CW_LIMIT.to_bits();
    (x.to_bits() & !(1u64 << 63)).wrapping_sub(LO) < HI - LO
}

/// sin (`quarter` 0) or cos (`quarter` 32) outside [`moderate`]: tiny,
/// huge or not finite; one out-of-line function for both (flash).
#[cold]
#[inline(never)]
fn rare(x: f64, quarter: u32) -> f64 {
    if x.abs() < TINY {
        return if quarter == 0 { x } else { 1.0 };
    }
    if !x.is_finite() {
        return x * 0.0; // NaN for ±inf and NaN
    }
    let (k, rh, rl) = reduce_large(x); // |x| >= 2^20 here
    let (h, l) = sin_dd(k + quarter, rh, rl);
    h + l
}

/// C `cos`.
pub(crate) fn cos(x: f64) -> f64 {
    if !moderate(x) {
        return rare(x, 32);
    }
    let (k, rh, rl) = reduce_cw(x);
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
    // sin and cos of the same r share the polynomials.
    let (s, c) = table(k);
    let parts = Parts::new(rh, rl);
    let (sh, sl) = parts.rotate(s, c);
    let (ch, cl) = parts.rotate(c, (-s.0, -s.1));
    let (sh, sl) = fast_two_sum(sh, sl);
    let (ch, cl) = fast_two_sum(ch, cl);
    // (sh + sl)/(ch + cl) with one division: q need not be RN(sh/ch), the
    // exact remainder sh - q·ch carries what it misses.
    let inv = 1.0 / ch;
    let q = sh * inv;
    let (p, pe) = two_prod(q, ch);
    let r = (((sh - p) - pe) + sl) - q * cl;
    q + r * inv
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
