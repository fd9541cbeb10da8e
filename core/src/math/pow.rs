//! `pow`: x^y = e^(y · ln x), with ln x from `log_pow` as `hi + lo`
//! (about 2^-68 relative; |lo| ≤ 2^-25 |hi|), the product y · ln x formed
//! in two parts (y · hi rounded, and the rest to about 2^-77 relative: both
//! factors cut in 26-bit halves, no FMA), then `exp_tail` on that
//! unevaluated sum. Every special case follows C (Annex F).
//!
//! Speed: a loop of independent calls is bound by each call's latency, so
//! the order matters more than the count of operations. k (exp's
//! reduction) comes from y · hi, which is ready before log's polynomial
//! finishes; y · lo and the product's error arrive later and join exp's
//! reduced argument just before its polynomial.
//!
//! The exponents the compiler rewrites (SPEC.md "Exact rewrites": 2, 1,
//! -1, 0.5, 0) are answered by the rewritten operation itself, so a power
//! gives the same bits whether its exponent is a literal or a variable.

use super::exp::{SIGN_BIAS, TOP_BIG, TOP_HUGE, TOP_TINY, exp_tail, exp_tail_big};
use super::log::log_pow;
use super::tables::EXP_INV_LN2_N;

/// y as an exponent of a negative base: not an integer, odd, or even.
#[derive(PartialEq, Eq)]
enum Parity {
    NotInteger,
    Odd,
    Even,
}

/// Classifies finite nonzero y.
fn parity(iy: u64) -> Parity {
    let e = (iy >> 52) & 0x7ff;
    if e < 0x3ff {
        return Parity::NotInteger; // 0 < |y| < 1
    }
    if e > 0x3ff + 52 {
        return Parity::Even; // |y| ≥ 2^53
    }
    let unit = 1u64 << (0x3ff + 52 - e);
    if iy & (unit - 1) != 0 {
        Parity::NotInteger
    } else if iy & unit != 0 {
        Parity::Odd
    } else {
        Parity::Even
    }
}

/// C `pow`.
pub(crate) fn pow(x: f64, y: f64) -> f64 {
    let mut ix = x.to_bits();
    let iy = y.to_bits();
    // The exact rewrites' exponents first (`x^2` is `x*x` in the
    // compiler): all powers of two, so one test keeps the rest fast.
    if iy << 12 == 0 {
        if y == 2.0 {
            return x * x;
        }
        if y == 1.0 {
            return x;
        }
        if y == -1.0 {
            return 1.0 / x;
        }
        if y == 0.5 {
            return sqrt_with_pow_cases(x);
        }
    }
    let topx = (ix >> 52) as u32;
    let topy = (iy >> 52) as u32 & 0x7ff;
    let mut sign_bias = 0;
    // Everything but x positive normal and 2^-65 ≤ |y| < 2^63 (finite).
    if topx.wrapping_sub(1) >= 0x7fe || topy.wrapping_sub(0x3be) >= 0x43e - 0x3be {
        match special(x, y) {
            Special::Done(v) => return v,
            Special::Continue { bits, negate } => {
                ix = bits;
                if negate {
                    sign_bias = SIGN_BIAS;
                }
            }
        }
    }
    let (hi, lo) = log_pow(ix);
    // y · (hi + lo) = ehi + elo with ehi = y · hi rounded (ready early, so
    // exp's reduction starts before lo is known) and |elo| ≤ 2^-24 |ehi|,
    // which exp folds into its reduced argument. Cut y = yhi + ylo and
    // hi = lhi + (hi - lhi) at bit 26: yhi · lhi is exact and within a
    // factor 2 of ehi, so their difference is exact too (Sterbenz), and
    //   elo = (yhi·lhi - ehi) + ylo·lhi + y·((hi - lhi) + lo),
    // where the terms after the first are below 2^-24 |ehi| and round at
    // 2^-77 |ehi|. No FMA.
    let ehi = y * hi;
    let yhi = f64::from_bits(iy & (u64::MAX << 27));
    let ylo = y - yhi;
    let lhi = f64::from_bits(hi.to_bits() & (u64::MAX << 27));
    let elo = (((yhi * lhi - ehi) + ylo * lhi) + y * (hi - lhi)) + y * lo;
    // exp's k from hi · (y · N/ln 2), which does not wait for ehi.
    let z = hi * (y * EXP_INV_LN2_N);
    let e = ehi;
    let abstop = (e.to_bits() >> 52) as u32 & 0x7ff;
    if abstop.wrapping_sub(TOP_TINY) >= TOP_BIG - TOP_TINY {
        if abstop < TOP_TINY {
            // |y ln x| < 2^-54: the result rounds to ±1.
            let one = if sign_bias != 0 { -1.0 } else { 1.0 };
            return one + (ehi + elo);
        }
        if abstop >= TOP_HUGE {
            // Certain overflow or underflow (e is finite: |y| < 2^63).
            let mag = if ehi > 0.0 { f64::INFINITY } else { 0.0 };
            return if sign_bias != 0 { -mag } else { mag };
        }
        // 512 ≤ |e| < 1024: 2^k may leave the normal range.
        return exp_tail_big(ehi, z, elo, sign_bias);
    }
    exp_tail(ehi, z, elo, sign_bias)
}

/// `pow(x, 0.5)`: sqrt, except pow(-0, 0.5) = +0 and pow(-inf, 0.5) = +inf.
#[inline]
fn sqrt_with_pow_cases(x: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else if x == f64::NEG_INFINITY {
        f64::INFINITY
    } else {
        crate::fpu::sqrt(x)
    }
}

/// The outcome of the special-case analysis.
enum Special {
    /// The answer.
    Done(f64),
    /// Compute |x|^y by the main path from these bits of |x| (normalised
    /// when subnormal), negating the result when `negate`.
    Continue { bits: u64, negate: bool },
}

/// C's special cases of `pow`: y zero, tiny, huge, infinite or NaN; x
/// zero, subnormal, negative, infinite or NaN.
#[cold]
#[inline(never)]
fn special(x: f64, y: f64) -> Special {
    use Special::{Continue, Done};
    let iy = y.to_bits();
    if y == 0.0 || x == 1.0 {
        return Done(1.0); // even for a NaN on the other side
    }
    if x.is_nan() || y.is_nan() {
        return Done(x + y);
    }
    let ax = x.abs();
    if y.is_infinite() {
        if ax == 1.0 {
            return Done(1.0); // pow(-1, ±inf)
        }
        return Done(if (ax < 1.0) == (y < 0.0) {
            f64::INFINITY
        } else {
            0.0
        });
    }
    // y is finite and nonzero from here.
    let par = parity(iy);
    let odd_neg = x.is_sign_negative() && par == Parity::Odd;
    if x == 0.0 || x.is_infinite() {
        // x = ±0 or ±inf: 0^y and inf^-y are 0 or inf; the sign is x's when
        // y is an odd integer.
        let big = (x == 0.0) == (y < 0.0);
        let mag = if big { f64::INFINITY } else { 0.0 };
        return Done(if odd_neg { -mag } else { mag });
    }
    if x < 0.0 && par == Parity::NotInteger {
        return Done(f64::NAN);
    }
    let aiy = iy & !(1 << 63);
    if aiy >= 0x43e0_0000_0000_0000 {
        // |y| ≥ 2^63 (an even integer): |ln x| ≥ 2^-53 so |y ln x| ≥ 1024.
        if ax == 1.0 {
            return Done(1.0);
        }
        return Done(if (ax > 1.0) == (y > 0.0) {
            f64::INFINITY
        } else {
            0.0
        });
    }
    if aiy < 0x3be0_0000_0000_0000 {
        // |y| < 2^-65 (so not an integer and x > 0): |y ln x| < 2^-55.
        return Done(1.0);
    }
    let mut bits = ax.to_bits();
    if bits >> 52 == 0 {
        // Subnormal: normalised, the exponent carried in the wrap-around.
        bits = (ax * f64::from_bits(0x4330_0000_0000_0000))
            .to_bits()
            .wrapping_sub(52 << 52);
    }
    Continue {
        bits,
        negate: odd_neg,
    }
}

/// C `powf`: `pow` in f64, rounded once to f32.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn powf(x: f32, y: f32) -> f32 {
    pow(f64::from(x), f64::from(y)) as f32
}
