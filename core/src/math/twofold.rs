//! Double-double building blocks for the trigonometric and hyperbolic
//! functions: error-free transformations with plain `+` and `*` only
//! (Dekker's splitting instead of FMA, so every target gives the same bits
//! at hardware speed).

/// `a + b` = `s + e` exactly, with `s = RN(a + b)` (Knuth).
#[inline(always)]
pub(crate) fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// `a + b` = `s + e` exactly when `|a| >= |b|` or `a == 0` (Dekker).
#[inline(always)]
pub(crate) fn fast_two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    (s, b - (s - a))
}

/// Splits `a` into two halves of 26 bits each (Veltkamp); `|a| < 2^995`.
#[inline(always)]
fn split(a: f64) -> (f64, f64) {
    let c = 134_217_729.0 * a; // 2^27 + 1
    let hi = c - (c - a);
    (hi, a - hi)
}

/// `a · b` = `p + e` exactly, with `p = RN(a · b)` (Dekker), as long as
/// nothing overflows or underflows.
#[inline(always)]
pub(crate) fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    let (ah, al) = split(a);
    let (bh, bl) = split(b);
    (p, ((ah * bh - p) + ah * bl + al * bh) + al * bl)
}

/// `(nh + nl) / (dh + dl)` as a double-double (relative error about 2^-100).
#[inline(always)]
pub(crate) fn dd_div(nh: f64, nl: f64, dh: f64, dl: f64) -> (f64, f64) {
    let q = nh / dh;
    let (p, pe) = two_prod(q, dh);
    let r = (((nh - p) - pe) + nl) - q * dl;
    fast_two_sum(q, r / dh)
}

/// `sqrt(h + l)` as a double-double, for `h > 0` normal and `|l| <= ulp(h)`.
#[inline(always)]
pub(crate) fn dd_sqrt(h: f64, l: f64) -> (f64, f64) {
    let s = crate::fpu::sqrt(h);
    let (p, pe) = two_prod(s, s);
    fast_two_sum(s, (((h - p) - pe) + l) / (2.0 * s))
}

/// Horner evaluation of `c[0] + c[1]·z + c[2]·z² + ...`.
#[inline(always)]
pub(crate) fn horner(z: f64, c: &[f64]) -> f64 {
    // Starting from the last coefficient rather than from 0 saves a multiply
    // and an add (0·z + c is c for every finite z, so the bits are the same).
    let Some((&last, rest)) = c.split_last() else {
        return 0.0;
    };
    let mut acc = last;
    for &k in rest.iter().rev() {
        acc = acc * z + k;
    }
    acc
}

/// `a` with its significand cut to its leading `BITS` bits (toward zero),
/// so `a - high_bits(a)` is exact and a product of a `p`-bit and a
/// `(53 - p)`-bit number is exact: a split for two bitwise operations,
/// cheaper than Veltkamp's when only one side of a product needs cutting.
#[inline(always)]
pub(crate) const fn high_bits<const BITS: u32>(a: f64) -> f64 {
    f64::from_bits(a.to_bits() & !((1u64 << (53 - BITS)) - 1))
}

/// 2^n as an f64, for -1022 <= n <= 1023.
#[inline(always)]
pub(crate) fn pow2(n: i32) -> f64 {
    f64::from_bits(((n + 1023) as u64) << 52)
}
