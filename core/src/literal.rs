//! Number literals to `f64`/`f32`, correctly rounded, in little code.
//!
//! `str::parse` is correct but links `core`'s `dec2flt` (about 16 KB with
//! its tables) into every firmware. The literals people write are short, so
//! this takes two paths:
//!
//! * **fast**: at most 19 significant digits whose value `w` is exact in
//!   the format, and a power of ten that is exact too (`10^0..10^22` for
//!   `f64`, `10^0..10^10` for `f32`): `w * 10^e` or `w / 10^e` is one
//!   correctly rounded IEEE operation (Clinger's fast path);
//! * **slow** (anything else): exact big-integer arithmetic. The value is
//!   `N / D` with `N` the digits (the first 800 significant ones, plus a
//!   sticky `1` if any later digit is not zero) and `D` a power of ten (or
//!   the power on `N` when the exponent is positive); long division gives
//!   the format's bits plus two more and the remainder decides the rest, so
//!   rounding is exact, ties to even, subnormals included.
//!
//! Accepts what the lexer lets through (`12`, `1.5`, `.5`, `1.`, `1e3`,
//! `1E-3`), plus a leading sign and `inf`/`infinity`/`nan` in any case, as
//! `str::parse` does. `tests/literals.rs` checks it against `str::parse`.

/// A float format: `F` stored fraction bits, `BIAS` the exponent bias.
#[derive(Clone, Copy)]
struct Format {
    /// Stored fraction bits (52 for `f64`, 23 for `f32`).
    frac: u32,
    /// Exponent bias (1023, 127).
    bias: i32,
}

const F64: Format = Format {
    frac: 52,
    bias: 1023,
};
const F32: Format = Format {
    frac: 23,
    bias: 127,
};

/// Significant digits kept exactly; later ones only count as "not zero".
/// A tie between two `f64`s has at most 767 significant digits.
const MAX_DIGITS: usize = 800;

/// Implemented by `f64` and `f32`: the literal's correctly rounded value.
pub(crate) trait FromLiteral: Sized {
    /// `None` if `text` is not a literal of the grammar above.
    fn from_literal(text: &str) -> Option<Self>;
}

impl FromLiteral for f64 {
    fn from_literal(text: &str) -> Option<f64> {
        let lit = scan(text.as_bytes())?;
        let v = match lit.kind {
            Kind::Nan => f64::NAN,
            Kind::Inf => f64::INFINITY,
            Kind::Finite => fast_f64(&lit).unwrap_or_else(|| f64::from_bits(slow(&lit, F64))),
        };
        Some(if lit.negative { -v } else { v })
    }
}

impl FromLiteral for f32 {
    fn from_literal(text: &str) -> Option<f32> {
        let lit = scan(text.as_bytes())?;
        let v = match lit.kind {
            Kind::Nan => f32::NAN,
            Kind::Inf => f32::INFINITY,
            Kind::Finite => fast_f32(&lit).unwrap_or_else(|| {
                // `slow` gives `f32` bits in the low 32 bits.
                f32::from_bits(u32::try_from(slow(&lit, F32)).unwrap_or(0x7fc0_0000))
            }),
        };
        Some(if lit.negative { -v } else { v })
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Finite,
    Inf,
    Nan,
}

/// A scanned literal: `±0.d1d2…dn × 10^(point)` in spirit; concretely the
/// digits' text and the exponent of their last digit.
struct Literal<'t> {
    negative: bool,
    kind: Kind,
    /// The mantissa's digits and at most one `.`, as written.
    mantissa: &'t [u8],
    /// Value = (the mantissa's digits as an integer) × 10^exp10.
    exp10: i64,
    /// Significant digits (from the first non-zero one).
    digits: usize,
    /// The first up to 19 significant digits as an integer.
    head: u64,
}

/// Exponents beyond this are clamped: the value is 0 or infinite long
/// before, whatever the digits.
const EXP_CLAMP: i64 = 1_000_000_000;

/// Checks the grammar and reads the parts; `None` if it is not a literal.
fn scan(text: &[u8]) -> Option<Literal<'_>> {
    let (negative, rest) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let named = |kind| {
        Some(Literal {
            negative,
            kind,
            mantissa: &[],
            exp10: 0,
            digits: 0,
            head: 0,
        })
    };
    if rest.eq_ignore_ascii_case(b"inf") || rest.eq_ignore_ascii_case(b"infinity") {
        return named(Kind::Inf);
    }
    if rest.eq_ignore_ascii_case(b"nan") {
        return named(Kind::Nan);
    }
    let mut i = 0;
    let (mut seen_digit, mut seen_point) = (false, false);
    let (mut digits, mut head, mut frac_len) = (0usize, 0u64, 0i64);
    while let Some(&b) = rest.get(i) {
        if b.is_ascii_digit() {
            seen_digit = true;
            if seen_point {
                frac_len = frac_len.saturating_add(1);
            }
            if digits > 0 || b != b'0' {
                if digits < 19 {
                    head = head * 10 + u64::from(b - b'0');
                }
                digits = digits.saturating_add(1);
            }
        } else if b == b'.' && !seen_point {
            seen_point = true;
        } else {
            break;
        }
        i += 1;
    }
    if !seen_digit {
        return None;
    }
    let mantissa = rest.get(..i)?;
    let mut exp: i64 = 0;
    if let Some(&(b'e' | b'E')) = rest.get(i) {
        i += 1;
        let negative_exp = match rest.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        while let Some(&b) = rest.get(i).filter(|b| b.is_ascii_digit()) {
            exp = (exp * 10 + i64::from(b - b'0')).min(EXP_CLAMP);
            i += 1;
        }
        if i == start {
            return None;
        }
        if negative_exp {
            exp = -exp;
        }
    }
    if i != rest.len() {
        return None;
    }
    Some(Literal {
        negative,
        kind: Kind::Finite,
        mantissa,
        exp10: exp - frac_len,
        digits,
        head,
    })
}

/// `10^0..=10^22`, each exact in `f64`.
const POW10_F64: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Clinger's fast path for `f64`: `None` when it does not apply.
fn fast_f64(lit: &Literal<'_>) -> Option<f64> {
    if lit.digits > 19 || lit.head > 1 << 53 {
        return None;
    }
    // Exact: at most 2^53.
    #[allow(clippy::cast_precision_loss)]
    let w = lit.head as f64;
    let p = |e: i64| POW10_F64.get(usize::try_from(e).ok()?).copied();
    if lit.exp10 >= 0 {
        Some(w * p(lit.exp10)?)
    } else {
        Some(w / p(-lit.exp10)?)
    }
}

/// Clinger's fast path for `f32` (in `f32` arithmetic, so one rounding).
fn fast_f32(lit: &Literal<'_>) -> Option<f32> {
    if lit.digits > 19 || lit.head > 1 << 24 || lit.exp10.abs() > 10 {
        return None;
    }
    // Exact: at most 2^24, and 10^10 = 2^10 * 5^10 with 5^10 < 2^24.
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let (w, p) = (
        lit.head as f32,
        POW10_F64.get(lit.exp10.unsigned_abs() as usize)?,
    );
    #[allow(clippy::cast_possible_truncation)]
    let p = *p as f32;
    Some(if lit.exp10 >= 0 { w * p } else { w / p })
}

/// 32-bit limbs of the big integers: 4,096 bits, enough for
/// `10^(324 + 801)` shifted by the 56 quotient bits.
const LIMBS: usize = 128;

/// A non-negative integer, little-endian 32-bit limbs, fixed size (no
/// allocation: the slow path runs on the stack). Limbs at `len` and above
/// are zero, so each operation touches only the used ones.
#[derive(Clone)]
struct Big {
    limbs: [u32; LIMBS],
    len: usize,
}

impl Big {
    fn from_u32(v: u32) -> Big {
        let mut limbs = [0; LIMBS];
        limbs[0] = v;
        Big { limbs, len: 1 }
    }

    /// The used limbs.
    fn used(&self) -> &[u32] {
        self.limbs.get(..self.len).unwrap_or(&self.limbs)
    }

    /// `self = self * m + a` (a carry out of the top limb cannot occur
    /// within the bounds the caller keeps, and would be dropped).
    fn mul_add(&mut self, m: u32, a: u32) {
        let mut carry = u64::from(a);
        let len = (self.len + 1).min(LIMBS);
        for limb in self.limbs.iter_mut().take(len) {
            let v = u64::from(*limb) * u64::from(m) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        self.len = len;
    }

    /// `self *= 10^e`.
    fn mul_pow10(&mut self, mut e: u64) {
        while e >= 9 {
            self.mul_add(1_000_000_000, 0);
            e -= 9;
        }
        let mut m = 1u32;
        for _ in 0..e {
            m *= 10;
        }
        self.mul_add(m, 0);
    }

    /// Number of significant bits (0 for zero).
    fn bit_len(&self) -> u32 {
        let top = self.used().iter().rposition(|&l| l != 0);
        top.map_or(0, |i| {
            i as u32 * 32 + (32 - self.limbs.get(i).map_or(32, |l| l.leading_zeros()))
        })
    }

    fn is_zero(&self) -> bool {
        self.used().iter().all(|&l| l == 0)
    }

    /// `self <<= n` (bits shifted out of the top are dropped).
    fn shl(&mut self, n: u32) {
        let (words, bits) = ((n / 32) as usize, n % 32);
        let len = (self.len + words + 1).min(LIMBS);
        for i in (0..len).rev() {
            let at = |j: Option<usize>| j.and_then(|j| self.limbs.get(j)).copied().unwrap_or(0);
            let mut v = at(i.checked_sub(words)) << bits;
            if bits > 0 {
                v |= at(i.checked_sub(words + 1)) >> (32 - bits);
            }
            if let Some(limb) = self.limbs.get_mut(i) {
                *limb = v;
            }
        }
        self.len = len;
    }

    /// `self >>= 1`.
    fn shr1(&mut self) {
        let mut carry = 0;
        for limb in self.limbs.iter_mut().take(self.len).rev() {
            let v = *limb;
            *limb = (v >> 1) | (carry << 31);
            carry = v & 1;
        }
    }

    /// `self >= other`.
    fn ge(&self, other: &Big) -> bool {
        let len = self.len.max(other.len);
        for (a, b) in self.limbs.iter().zip(&other.limbs).take(len).rev() {
            if a != b {
                return a > b;
            }
        }
        true
    }

    /// `self -= other` (requires `self >= other`).
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0u64;
        let len = self.len.max(other.len);
        for (a, &b) in self.limbs.iter_mut().zip(&other.limbs).take(len) {
            let v = u64::from(*a)
                .wrapping_sub(u64::from(b))
                .wrapping_sub(borrow);
            *a = v as u32;
            borrow = (v >> 63) & 1;
        }
        self.len = len;
    }
}

/// The exact path: the IEEE bits of the literal's magnitude in `fmt`.
#[inline(never)]
fn slow(lit: &Literal<'_>, fmt: Format) -> u64 {
    let inf = ((2 * fmt.bias as u64) + 1) << fmt.frac;
    if lit.digits == 0 {
        return 0;
    }
    // The digits: the first MAX_DIGITS significant ones exactly, then one
    // `1` if any later digit is not zero (see the module doc).
    let mut n = Big::from_u32(0);
    let (mut kept, mut dropped, mut sticky) = (0usize, 0i64, false);
    let (mut chunk, mut chunk_len) = (0u32, 0u32);
    for &b in lit.mantissa.iter().filter(|b| b.is_ascii_digit()) {
        if kept == 0 && b == b'0' {
            continue;
        }
        if kept < MAX_DIGITS {
            chunk = chunk * 10 + u32::from(b - b'0');
            chunk_len += 1;
            kept += 1;
            if chunk_len == 9 {
                n.mul_add(1_000_000_000, chunk);
                (chunk, chunk_len) = (0, 0);
            }
        } else {
            dropped += 1;
            sticky |= b != b'0';
        }
    }
    let mut pow = 1u32;
    for _ in 0..chunk_len {
        pow *= 10;
    }
    n.mul_add(pow, chunk);
    let mut exp10 = lit.exp10.saturating_add(dropped);
    let mut digits = kept as i64;
    if sticky {
        n.mul_add(10, 1);
        exp10 -= 1;
        digits += 1;
    }
    // Magnitude in [10^(digits-1+exp10), 10^(digits+exp10)).
    let magnitude = digits.saturating_add(exp10);
    if magnitude > 310 {
        return inf;
    }
    if magnitude < -324 {
        return 0;
    }
    // value = n / d.
    let mut d = Big::from_u32(1);
    if exp10 >= 0 {
        n.mul_pow10(exp10.unsigned_abs());
    } else {
        d.mul_pow10(exp10.unsigned_abs());
    }
    // Quotient bits: the format's precision (frac + 1) plus a round bit
    // and one more, so that `q` has `p` bits with the top one set.
    let p = fmt.frac + 3;
    // Scale so that n / d lies in [2^(p-1), 2^(p+1)): value = q * 2^k.
    let shift = i64::from(d.bit_len()) + i64::from(p) - i64::from(n.bit_len());
    let mut k = -shift;
    if shift >= 0 {
        n.shl(shift as u32);
    } else {
        d.shl((-shift) as u32);
    }
    // Restoring division, one quotient bit at a time (p + 1 bits).
    d.shl(p);
    let mut q = 0u64;
    for _ in 0..=p {
        q <<= 1;
        if n.ge(&d) {
            n.sub(&d);
            q |= 1;
        }
        d.shr1();
    }
    let mut sticky = !n.is_zero();
    if q >> p != 0 {
        sticky |= q & 1 != 0;
        q >>= 1;
        k += 1;
    }
    round(q, k, sticky, fmt)
}

/// Rounds `q * 2^k` (`q` has exactly `frac + 3` bits; `sticky`: the true
/// value is a little more) to `fmt`, ties to even; returns the bits.
fn round(q: u64, k: i64, sticky: bool, fmt: Format) -> u64 {
    let frac = i64::from(fmt.frac);
    let bias = i64::from(fmt.bias);
    let inf = ((2 * fmt.bias as u64) + 1) << fmt.frac;
    // Exponent of q's top bit.
    let mut e2 = k + frac + 2;
    if e2 > bias {
        return inf;
    }
    // Bits to drop: 2 for a normal result, more below the normal range
    // (the last subnormal bit weighs 2^(1 - bias - frac)).
    let drop = if e2 >= 1 - bias {
        2
    } else {
        (1 - bias - frac) - k
    };
    if drop > frac + 3 {
        return 0; // below half the smallest subnormal
    }
    let drop = drop as u32;
    let mut m = q >> drop;
    let rest = q & ((1 << drop) - 1);
    let half = 1 << (drop - 1);
    if rest > half || (rest == half && (sticky || m & 1 == 1)) {
        m += 1;
    }
    if drop > 2 {
        // Subnormal: m < 2^frac, or exactly 2^frac when rounding reached
        // the smallest normal, which the same bit pattern encodes.
        return m;
    }
    if m >> (fmt.frac + 1) != 0 {
        m >>= 1;
        e2 += 1;
        if e2 > bias {
            return inf;
        }
    }
    (((e2 + bias) as u64) << fmt.frac) | (m & ((1 << fmt.frac) - 1))
}

#[cfg(test)]
#[path = "literal_tests.rs"]
mod tests;
