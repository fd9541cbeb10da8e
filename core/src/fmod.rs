//! `fmod` (the `%` operator and the `fmod` built-in) in a few hundred
//! bytes of code, with no panic path.
//!
//! C's `fmod(x, y)` is exact: the result `x - n*y` (with `n` = `x / y`
//! truncated) is always representable, so any correct implementation gives
//! the same bits as `libm::fmod`. `libm`'s generic version is 2.5 KB on a
//! Cortex-M7 and reaches `core`'s panic formatting (a `%` by zero and an
//! `ilog2` check it cannot prove away); this one is the classic
//! long division on the integer significands, a machine word per step
//! (issue 14).
//!
//! The `f32` version widens to `f64`: both operands are exact in `f64`,
//! the `f64` remainder is exact, and an exact remainder of two `f32`
//! values is itself an `f32` value, so narrowing it is exact too.

use core::num::NonZeroU64;

/// Bits of the `f64` significand's fraction.
const FRACTION_BITS: u32 = 52;
/// The implicit leading bit of a normal `f64`.
const IMPLICIT: u64 = 1 << FRACTION_BITS;
/// The exponent field's mask, once shifted down.
const EXPONENT_MASK: u64 = 0x7ff;

/// `fmod` in `f64`: `x - trunc(x / y) * y`, exactly, with `x`'s sign.
/// NaN when `x` is infinite or `y` is zero or either is NaN.
///
/// Never inlined: the evaluator loop calls it from several arms, and with
/// LTO each got a copy, which made the loop 4 KB larger and the benchmark
/// expressions that never use `%` about 4 % slower (geometric mean
/// against tinyexpr 0.612 inlined, 0.586–0.594 not; benches/versus.rs).
#[inline(never)]
pub(crate) fn fmod(x: f64, y: f64) -> f64 {
    let (ux, uy) = (x.to_bits(), y.to_bits());
    let sign = ux & (1 << 63);
    let (ax, ay) = (ux & !(1 << 63), uy & !(1 << 63));
    let ex = ((ax >> FRACTION_BITS) & EXPONENT_MASK) as i32;
    if ay == 0 || y.is_nan() || ex == EXPONENT_MASK as i32 {
        return f64::NAN;
    }
    if ax <= ay {
        // |x| < |y|: x itself; |x| == |y|: a zero of x's sign.
        return if ax == ay { x * 0.0 } else { x };
    }
    let ey = ((ay >> FRACTION_BITS) & EXPONENT_MASK) as i32;
    let (mx, ex) = significand(ax, ex);
    let (my, ey) = significand(ay, ey);
    // x = mx·2^(ex-1075) and y = my·2^(ey-1075). Dropping y's trailing
    // zero bits makes the divisor smaller, so each remainder step below
    // takes more bits of the quotient at once (`% 2`, `% 10`, `% 360`:
    // one or two steps for any x).
    let tz = my.trailing_zeros();
    let (my, ey) = (my >> tz, ey + tz as i32);
    let Some(divisor) = NonZeroU64::new(my) else {
        return f64::NAN; // not reached: y is not zero
    };
    let (mut mx, mut ex) = if ex >= ey {
        (shifted_rem(mx, (ex - ey) as u32, divisor), ey)
    } else {
        // x has the finer unit. |y| < |x| < 2^53 units of x, so y counted
        // in x's units still fits (the shift is below 53).
        match NonZeroU64::new(my.wrapping_shl((ey - ex) as u32)) {
            Some(y_in_x_units) => (mx % y_in_x_units, ex),
            None => return f64::NAN, // not reached
        }
    };
    if mx == 0 {
        return x * 0.0;
    }
    // Normalise the remainder (mx < 2^53, mx != 0) back into a float.
    let shift = mx.leading_zeros() as i32 - (63 - FRACTION_BITS as i32);
    mx <<= shift;
    ex -= shift;
    let bits = if ex > 0 {
        (mx - IMPLICIT) | ((ex as u64) << FRACTION_BITS)
    } else {
        // Subnormal: the remainder is smaller than y, so it is exact.
        mx >> (1 - ex)
    };
    f64::from_bits(bits | sign)
}

/// `(m · 2^d) mod y`, the long division done a machine word at a time:
/// each step shifts the remainder (below `y` < 2^53) as far as `u64`
/// allows, at least 11 bits, and takes one integer remainder. At most
/// about 190 steps for the widest exponent gap (2^1023 against 2^-1074);
/// far fewer when `y` has few significant bits.
fn shifted_rem(m: u64, mut d: u32, y: NonZeroU64) -> u64 {
    let mut r = m % y;
    while d > 0 && r != 0 {
        let s = d.min(r.leading_zeros());
        r = (r << s) % y;
        d -= s;
    }
    r
}

/// The significand with its leading bit at bit 52, and the exponent that
/// goes with it (below 1 for subnormals, which are normalised here).
fn significand(abs_bits: u64, exponent: i32) -> (u64, i32) {
    if exponent == 0 {
        // Subnormal (not zero: the callers ruled it out).
        let shift = abs_bits.leading_zeros() as i32 - (63 - FRACTION_BITS as i32);
        (abs_bits << shift, 1 - shift)
    } else {
        ((abs_bits & (IMPLICIT - 1)) | IMPLICIT, exponent)
    }
}

/// `fmod` in `f32`, through the exact `f64` one (see the module's doc).
pub(crate) fn fmodf(x: f32, y: f32) -> f32 {
    fmod(f64::from(x), f64::from(y)) as f32
}

#[cfg(test)]
mod tests {
    use super::{fmod, fmodf};

    /// Same bits as `libm` (NaN: any NaN).
    fn same64(x: f64, y: f64) {
        let (a, b) = (fmod(x, y), libm::fmod(x, y));
        assert!(
            a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            "fmod({x:e}, {y:e}) = {a:e}, libm {b:e}"
        );
    }

    fn same32(x: f32, y: f32) {
        let (a, b) = (fmodf(x, y), libm::fmodf(x, y));
        assert!(
            a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            "fmodf({x:e}, {y:e}) = {a:e}, libm {b:e}"
        );
    }

    const SPECIAL: [f64; 16] = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        3.0,
        -7.5,
        1e300,
        -1e-300,
        5e-324,
        -2.2250738585072014e-308,
        1.7976931348623157e308,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        core::f64::consts::PI,
    ];

    #[test]
    fn special_values_match_libm() {
        for &x in &SPECIAL {
            for &y in &SPECIAL {
                same64(x, y);
                same32(x as f32, y as f32);
            }
        }
    }

    #[test]
    fn random_bits_match_libm() {
        // xorshift: every exponent and significand, subnormals included.
        let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for _ in 0..200_000 {
            let (a, b) = (next(), next());
            same64(f64::from_bits(a), f64::from_bits(b));
            // Close exponents: many quotient bits, remainders near y.
            let near = (b & !(0x7ff << 52)) | (a & (0x7ff << 52));
            same64(f64::from_bits(a), f64::from_bits(near ^ (1 << 55)));
            // Divisors with few significant bits (small integers, short
            // significands): the trailing-zero and finer-unit paths.
            same64(f64::from_bits(a), ((b % 1000) + 1) as f64);
            same64(f64::from_bits(a), f64::from_bits(near & !((1 << 40) - 1)));
            same32(f32::from_bits(a as u32), f32::from_bits(b as u32));
            same32(f32::from_bits(a as u32), f32::from_bits((a >> 32) as u32));
        }
    }
}
