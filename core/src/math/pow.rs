//! `pow`: x^y = e^(y · ln x), with ln x from `log_ext` as `hi + lo`
//! (about 2^-68 relative), the product y · ln x formed exactly in two
//! parts (both factors split in 26-bit halves, no FMA), then `exp_tail` on
//! that unevaluated sum. Every special case follows C (Annex F).
//!
//! The exponents the compiler rewrites (SPEC.md "Exact rewrites": 2, 1,
//! -1, 0.5, 0) are answered by the rewritten operation itself, so a power
//! gives the same bits whether its exponent is a literal or a variable.

use super::exp::{SIGN_BIAS, TOP_BIG, TOP_HUGE, TOP_TINY, exp_tail};
use super::log::log_ext;

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
    // The exact rewrites' exponents first (`x^2` is `x*x` in the compiler).
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
    let mut ix = x.to_bits();
    let iy = y.to_bits();
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
    let (hi, lo) = log_ext(ix);
    let lh = hi + lo;
    let ll = (hi - lh) + lo;
    // y · (lh + ll) = ehi + elo, ehi = y · lh rounded (ready early, so
    // exp's reduction and polynomial start at once), elo its exact error
    // (Dekker: both factors cut into 26-bit halves, every partial product
    // exact) plus y · ll: |elo| ≤ 2^-52 |ehi|.
    let ehi = y * lh;
    let yhi = f64::from_bits(iy & (u64::MAX << 27));
    let ylo = y - yhi;
    let lhi = f64::from_bits(lh.to_bits() & (u64::MAX << 27));
    let llo = lh - lhi;
    let err = (((yhi * lhi - ehi) + yhi * llo) + ylo * lhi) + ylo * llo;
    let elo = err + y * ll;
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
        // 512 ≤ |e| < 1024: exp_tail takes its careful path.
    }
    exp_tail(ehi, elo, sign_bias)
}

/// `pow(x, 0.5)`: sqrt, except pow(-0, 0.5) = +0 and pow(-inf, 0.5) = +inf.
#[inline]
fn sqrt_with_pow_cases(x: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else if x == f64::NEG_INFINITY {
        f64::INFINITY
    } else {
        libm::sqrt(x)
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
