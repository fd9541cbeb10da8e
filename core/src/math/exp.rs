//! `exp`: e^x = 2^(k/N) · e^r with N = 128 (a table of 2^(j/N) as a
//! high f64 and a low correction) and a degree-5 polynomial for e^r on
//! |r| ≤ 1.03 · ln 2 / 256 (error 2^-65: a sixth degree changed no
//! correct rounding in 200,000 random `exp` and `pow` inputs, and costs two
//! operations).
//!
//! The reduction `x - kd·ln2/N` is exact (ln 2 / N in two parts, the
//! first with 35 bits), and the last step is `scale + scale·tmp`, so the
//! only rounding of the size of the result is the final one: the error
//! before it is about 2^-62 of the result, which makes `exp` correctly
//! rounded on about 99.9 % of inputs (0.51 ulp at most).
//!
//! [`exp_tail`] is also `pow`'s last step: it takes the argument as an
//! unevaluated sum `x + tail` and the sign of the result; the tail may be
//! as large as 2^-24 |x| (it joins r before the polynomial, so `pow` can
//! start the reduction from its product's high part alone).

use super::tables::{
    EXP_BITS, EXP_INV_LN2_N, EXP_LN2_N_HI, EXP_LN2_N_LO, EXP_POLY as P, EXP_TABLE,
};

/// 1.5 · 2^52: adding it rounds a double below 2^51 to an integer, which
/// then sits in the low bits of the sum.
const SHIFT: f64 = 6_755_399_441_055_744.0;

/// Exponent field of 2^-54: below it e^x rounds to 1.
pub(super) const TOP_TINY: u32 = 0x3c9;
/// Exponent field of 512: from there the scale 2^k may leave the normal
/// range and the careful path runs.
pub(super) const TOP_BIG: u32 = 0x408;
/// Exponent field of 1024: from there e^x overflows or underflows for sure.
pub(super) const TOP_HUGE: u32 = 0x409;

/// The sign bit of a result, as `exp_tail` adds it to the table index.
pub(super) const SIGN_BIAS: u64 = 0x800 << EXP_BITS;

/// C `exp`.
pub(crate) fn exp(x: f64) -> f64 {
    let abstop = (x.to_bits() >> 52) as u32 & 0x7ff;
    if abstop.wrapping_sub(TOP_TINY) >= TOP_BIG - TOP_TINY {
        if abstop < TOP_TINY {
            // |x| < 2^-54: 1 + x rounds as e^x does (to 1).
            return 1.0 + x;
        }
        if abstop >= TOP_HUGE {
            if x == f64::NEG_INFINITY {
                return 0.0;
            }
            if abstop >= 0x7ff {
                return 1.0 + x; // +inf or NaN
            }
            return if x < 0.0 { 0.0 } else { f64::INFINITY };
        }
        if abstop >= TOP_BIG {
            return exp_tail_big(x, EXP_INV_LN2_N * x, -0.0, 0);
        }
    }
    exp_tail(x, EXP_INV_LN2_N * x, -0.0, 0)
}

/// e^(x + tail), with `sign_bias` ([`SIGN_BIAS`] or 0) giving the sign of
/// the result and z ≈ x · N/ln 2 (see [`reduce`]). Needs |x| < 512 (else
/// [`exp_tail_big`]) and |tail| ≤ 2^-24 |x|.
#[inline(always)]
pub(super) fn exp_tail(x: f64, z: f64, tail: f64, sign_bias: u64) -> f64 {
    let (tmp, sbits) = reduce(x, z, tail, sign_bias);
    let scale = f64::from_bits(sbits);
    scale + scale * tmp
}

/// [`exp_tail`] for 512 ≤ |x| < 1024, where 2^k may leave the normal
/// range.
#[cold]
#[inline(never)]
pub(super) fn exp_tail_big(x: f64, z: f64, tail: f64, sign_bias: u64) -> f64 {
    let (tmp, sbits) = reduce(x, z, tail, sign_bias);
    scaled(tmp, sbits, x > 0.0)
}

/// e^(x + tail) = scale · (1 + tmp): returns tmp and the bits of scale
/// (2^(k/N) with the sign bias; its exponent may be out of range when
/// |x| ≥ 512).
///
/// k is round(z): any z within a few units of x · N/ln 2 in its last
/// place will do (`pow` passes one that is ready before x). The tail
/// (`pow`'s, up to 2^-15 below 512 and 2^-14 on the big path; `exp` passes -0, which the compiler drops) joins
/// r before the polynomial, whose interval covers the slightly larger |r|;
/// the two roundings of r are kept in rl, off the critical path, so nothing
/// of the size of r is rounded before the last step.
#[inline(always)]
fn reduce(x: f64, z: f64, tail: f64, sign_bias: u64) -> (f64, u64) {
    let n = 1u64 << EXP_BITS;
    // k = round(z), read from the low bits of kd + SHIFT.
    let shifted = z + SHIFT;
    let ki = shifted.to_bits();
    let kd = shifted - SHIFT;
    // x - kd · ln2/N + tail = r + rl: rh is exact (kd · HI is exact and
    // close to x).
    let rh = x - kd * EXP_LN2_N_HI;
    let rm = kd * EXP_LN2_N_LO;
    let (tbits, tlo) = EXP_TABLE[(ki & (n - 1)) as usize];
    // The table entry's bits plus k << (52 - EXP_BITS) scale it by 2^(k div N).
    let sbits = tbits.wrapping_add(ki.wrapping_add(sign_bias) << (52 - EXP_BITS));
    let r0 = rh - rm;
    let r = r0 + tail;
    // Both roundings (the second by Fast2Sum: exact when |r0| ≥ |tail|,
    // else within 2^-66 anyway).
    let rl = ((rh - r0) - rm) + ((r0 - r) + tail);
    let r2 = r * r;
    // e^(r + rl) · 2^(j/N) / scale - 1 = tlo + r + rl + poly(r) (|rl| <
    // 2^-62: rl · r is negligible); the polynomial split so that its
    // lowest term joins the small ones early.
    let r3 = r2 * r;
    let small = (tlo + rl) + r2 * P[0];
    let rest = r3 * ((P[1] + r * P[2]) + r2 * P[3]);
    (r + (small + rest), sbits)
}

/// `scale · (1 + tmp)` when `scale`'s exponent is outside the normal range:
/// computed with the exponent moved into range, then scaled back; a
/// subnormal result is rounded once, at its own precision.
#[cold]
#[inline(never)]
fn scaled(tmp: f64, sbits: u64, up: bool) -> f64 {
    if up {
        // k > 0: 2^1009 · (scale / 2^1009) overflows only if the result does.
        let scale = f64::from_bits(sbits.wrapping_sub(1009 << 52));
        let y = scale + scale * tmp;
        return y * f64::from_bits(0x7f00_0000_0000_0000); // 2^1009
    }
    // k < 0: work at scale · 2^1022.
    let scale = f64::from_bits(sbits.wrapping_add(1022 << 52));
    let mut y = scale + scale * tmp;
    if y.abs() < 1.0 {
        // The result is subnormal after the final · 2^-1022. Rounding y to
        // 53 bits first would round twice; instead add ±1, so that the one
        // rounding happens at the subnormal's last bit (2^-52 relative to
        // 1 is 2^-1074 after the scaling), keeping the error term exactly.
        let one = if y < 0.0 { -1.0 } else { 1.0 };
        let lo = (scale - y) + scale * tmp;
        let hi = one + y;
        let lo = ((one - hi) + y) + lo;
        y = (hi + lo) - one;
        if y == 0.0 {
            // An underflowed result keeps the sign (pow's sign bias).
            y = f64::from_bits(scale.to_bits() & (1 << 63));
        }
    }
    y * f64::from_bits(0x0010_0000_0000_0000) // 2^-1022
}

/// C `expf`: `exp` in f64, rounded once to f32.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn expf(x: f32) -> f32 {
    exp(f64::from(x)) as f32
}
