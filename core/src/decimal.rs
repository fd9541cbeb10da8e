//! Numbers as text: the shortest decimal that parses back to the same
//! value, written as Rust's `{}` and `{:e}` write it, in little code.
//!
//! `{}` on a float links `core`'s `flt2dec` (Grisu with a Dragon fallback
//! and their tables: about 17 KB of the wasm module). Printing numbers is
//! rare (disassembly, printed trees, JSON), so this trades speed for size:
//!
//! 1. the value's exact decimal expansion, from a big integer on the stack
//!    (`m × 2^e` is `m × 5^-e × 10^e`, at most 767 significant digits);
//! 2. for a number of significant digits, the expansion cut there and
//!    that plus one unit in the last place, each parsed back with the
//!    crate's own literal parser; the least number of digits (found by
//!    bisection, at most 17) at which one of them gives the value back
//!    wins (the nearer one if both do, the upper one on a tie).
//!
//! The text is the same as Rust's (`tests/decimal.rs` compares them):
//! [`Plain`] is `{}` (`0.001`, `1e21` written out, `-0`, `NaN`, `inf`),
//! [`Scientific`] is `{:e}` (`1e-3`, `1.5e300`, `0e0`), [`Shortest`] the
//! shorter of the two.

use core::fmt;

use crate::real::Real;

/// `{}`: the shortest round-trip digits, without an exponent.
///
/// ```
/// assert_eq!(exp_rs::decimal::Plain(0.1f64).to_string(), "0.1");
/// assert_eq!(exp_rs::decimal::Plain(1e21f64).to_string(), "1000000000000000000000");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Plain<R>(pub R);

/// `{:e}`: the shortest round-trip digits with an exponent (`1.5e-7`).
///
/// ```
/// assert_eq!(exp_rs::decimal::Scientific(1.5e-7f64).to_string(), "1.5e-7");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Scientific<R>(pub R);

/// The shorter of [`Plain`] and [`Scientific`] (plain on a tie): what
/// printed trees use for numbers.
///
/// ```
/// assert_eq!(exp_rs::decimal::Shortest(1e21f64).to_string(), "1e21");
/// assert_eq!(exp_rs::decimal::Shortest(0.25f64).to_string(), "0.25");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Shortest<R>(pub R);

impl<R: Real> fmt::Display for Plain<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write(self.0.to_f64(), read_back::<R>, Style::Plain, f)
    }
}

impl<R: Real> fmt::Display for Scientific<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write(self.0.to_f64(), read_back::<R>, Style::Scientific, f)
    }
}

impl<R: Real> fmt::Display for Shortest<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write(self.0.to_f64(), read_back::<R>, Style::Shortest, f)
    }
}

/// Parses a literal in `R`, as `f64` bits (exact for both types).
type ReadBack = fn(&str) -> Option<u64>;

fn read_back<R: Real>(text: &str) -> Option<u64> {
    R::parse_literal(text).map(|v| v.to_f64().to_bits())
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    Scientific,
    Shortest,
}

/// At most 17 significant digits: `0.d₁d₂…dₙ × 10^point`.
struct Digits {
    digits: [u8; 17],
    len: usize,
    point: i32,
}

impl Digits {
    fn used(&self) -> &[u8] {
        self.digits.get(..self.len).unwrap_or(&self.digits)
    }
}

/// One copy for every type and style (the type only picks `read_back`).
#[inline(never)]
fn write(v: f64, read_back: ReadBack, style: Style, out: &mut dyn fmt::Write) -> fmt::Result {
    if v.is_nan() {
        return out.write_str("NaN");
    }
    if v.is_sign_negative() {
        out.write_char('-')?;
    }
    if v.is_infinite() {
        return out.write_str("inf");
    }
    let d = if v == 0.0 {
        Digits {
            digits: [b'0'; 17],
            len: 1,
            point: 1,
        }
    } else {
        shortest(v.abs(), read_back)
    };
    let style = match style {
        Style::Shortest if scientific_len(&d) < plain_len(&d) => Style::Scientific,
        Style::Shortest => Style::Plain,
        other => other,
    };
    if style == Style::Scientific {
        write_scientific(&d, out)
    } else {
        write_plain(&d, out)
    }
}

/// Length of the plain form (without sign).
fn plain_len(d: &Digits) -> usize {
    let (n, p) = (d.len as i64, i64::from(d.point));
    (if p <= 0 {
        2 - p + n
    } else if p < n {
        n + 1
    } else {
        p
    }) as usize
}

/// Length of the scientific form (without sign).
fn scientific_len(d: &Digits) -> usize {
    let mut exp = [0; 12];
    let mantissa = if d.len > 1 { d.len + 1 } else { 1 };
    mantissa + 1 + int_text(i64::from(d.point) - 1, &mut exp).len()
}

fn write_plain(d: &Digits, out: &mut dyn fmt::Write) -> fmt::Result {
    let digits = d.used();
    let point = d.point;
    if point <= 0 {
        out.write_str("0.")?;
        for _ in point..0 {
            out.write_char('0')?;
        }
        out.write_str(text(digits))
    } else {
        let p = usize::try_from(point).unwrap_or(usize::MAX);
        match (digits.get(..p), digits.get(p..)) {
            (Some(int), Some(frac)) if !frac.is_empty() => {
                out.write_str(text(int))?;
                out.write_char('.')?;
                out.write_str(text(frac))
            }
            _ => {
                out.write_str(text(digits))?;
                for _ in digits.len()..p {
                    out.write_char('0')?;
                }
                Ok(())
            }
        }
    }
}

fn write_scientific(d: &Digits, out: &mut dyn fmt::Write) -> fmt::Result {
    let digits = d.used();
    let (first, rest) = digits.split_at(1.min(digits.len()));
    out.write_str(text(first))?;
    if !rest.is_empty() {
        out.write_char('.')?;
        out.write_str(text(rest))?;
    }
    out.write_char('e')?;
    let mut buf = [0; 12];
    out.write_str(text(int_text(i64::from(d.point) - 1, &mut buf)))
}

/// ASCII digits as `&str` (they always are ASCII).
fn text(ascii: &[u8]) -> &str {
    core::str::from_utf8(ascii).unwrap_or("")
}

/// `v` in decimal, into the end of `buf`.
fn int_text(v: i64, buf: &mut [u8; 12]) -> &[u8] {
    let mut i = buf.len();
    let mut m = v.unsigned_abs();
    loop {
        i -= 1;
        if let Some(b) = buf.get_mut(i) {
            *b = b'0' + (m % 10) as u8;
        }
        m /= 10;
        if m == 0 || i == 1 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        if let Some(b) = buf.get_mut(i) {
            *b = b'-';
        }
    }
    buf.get(i..).unwrap_or(&[])
}

/// Room for the exact expansion: at most 767 significant digits (the
/// odd multiples of 2^-1074), written 9 at a time.
const EXACT_DIGITS: usize = 792;

/// The shortest digits of the finite, positive `v` that read back as `v`.
fn shortest(v: f64, read_back: ReadBack) -> Digits {
    let mut exact = [0u8; EXACT_DIGITS];
    let (all, point) = expand(v, &mut exact);
    let cut = |p: usize| {
        let mut d = Digits {
            digits: [b'0'; 17],
            len: p,
            point,
        };
        if let (Some(to), Some(from)) = (d.digits.get_mut(..p), all.get(..p)) {
            to.copy_from_slice(from);
        }
        d
    };
    // Whether `p` digits suffice is monotone in `p` (the cuts close in on
    // `v` from both sides), so search for the least `p`: 17 always does,
    // and so does the whole expansion.
    let fits = |p: usize| {
        let down = cut(p);
        p >= all.len()
            || parses_back(&down, v, read_back)
            || parses_back(&next_up(&down), v, read_back)
    };
    let (mut lo, mut hi) = (1, all.len().min(17));
    while lo < hi {
        let mid = (lo + hi) / 2;
        if fits(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let down = cut(lo);
    if lo >= all.len() {
        return trimmed(down);
    }
    let up = next_up(&down);
    // Both may read back: then the nearer, up when the rest is half a unit
    // or more (a tie goes up, as Rust's `flt2dec` does).
    let nearer_up = all.get(lo).is_some_and(|&b| b >= b'5');
    let take_up = if parses_back(&down, v, read_back) {
        nearer_up && parses_back(&up, v, read_back)
    } else {
        true
    };
    trimmed(if take_up { up } else { down })
}

/// `d` plus one unit in its last place.
fn next_up(d: &Digits) -> Digits {
    let mut up = Digits {
        digits: d.digits,
        len: d.len,
        point: d.point,
    };
    for b in up.digits.iter_mut().take(d.len).rev() {
        if *b == b'9' {
            *b = b'0';
        } else {
            *b += 1;
            return up;
        }
    }
    // All nines: 99…9 + 1 = 100…0, one more integer digit.
    up.digits = [b'0'; 17];
    if let Some(first) = up.digits.first_mut() {
        *first = b'1';
    }
    up.len = 1;
    up.point += 1;
    up
}

/// Without trailing zeros.
fn trimmed(mut d: Digits) -> Digits {
    while d.len > 1 && d.digits.get(d.len - 1) == Some(&b'0') {
        d.len -= 1;
    }
    d
}

/// Whether `0.digits e point` reads back as `v`.
fn parses_back(d: &Digits, v: f64, read_back: ReadBack) -> bool {
    // "0." + 17 digits + "e" + exponent.
    let mut buf = [0u8; 40];
    let mut exp = [0; 12];
    let exp = int_text(i64::from(d.point), &mut exp);
    let parts: [&[u8]; 4] = [b"0.", d.used(), b"e", exp];
    let mut len = 0;
    for part in parts {
        if let Some(to) = buf.get_mut(len..len + part.len()) {
            to.copy_from_slice(part);
        }
        len += part.len();
    }
    read_back(text(buf.get(..len).unwrap_or(&[]))) == Some(v.to_bits())
}

/// The exact decimal expansion of the finite, positive `v`: its
/// significant digits (no leading or trailing zeros) in `buf`, and the
/// position of the decimal point (value = 0.digits × 10^point).
fn expand(v: f64, buf: &mut [u8; EXACT_DIGITS]) -> (&[u8], i32) {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1 << 52) - 1);
    let (mant, exp2) = if biased == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), biased - 1075)
    };
    // value = n × 10^exp10.
    let mut n = Big {
        limbs: [0; LIMBS],
        len: 2,
    };
    n.limbs[0] = mant as u32;
    n.limbs[1] = (mant >> 32) as u32;
    let exp10 = if exp2 >= 0 {
        let mut k = exp2.unsigned_abs();
        while k >= 31 {
            n.mul(1 << 31);
            k -= 31;
        }
        n.mul(1 << k);
        0
    } else {
        let mut k = exp2.unsigned_abs();
        while k >= 13 {
            n.mul(1_220_703_125); // 5^13
            k -= 13;
        }
        n.mul(5u32.pow(k));
        exp2
    };
    // Decimal digits, nine at a time from the low end.
    let mut end = buf.len();
    while !n.is_zero() && end >= 9 {
        let mut chunk = n.div(1_000_000_000);
        for i in (end - 9..end).rev() {
            if let Some(b) = buf.get_mut(i) {
                *b = b'0' + (chunk % 10) as u8;
            }
            chunk /= 10;
        }
        end -= 9;
    }
    let all = buf.get(end..).unwrap_or(&[]);
    let start = all.iter().position(|&b| b != b'0').unwrap_or(0);
    let stop = all.iter().rposition(|&b| b != b'0').map_or(0, |i| i + 1);
    let len = (all.len() - start) as i32;
    (all.get(start..stop).unwrap_or(&[]), len + exp10)
}

/// 32-bit limbs: `m × 5^1074` (the smallest subnormals) has 2,547 bits.
const LIMBS: usize = 80;

/// A non-negative integer, little-endian limbs, on the stack; limbs at
/// `len` and above are zero. (Not `literal.rs`'s: sharing it changed how
/// the literal parser inlines on the M7.)
struct Big {
    limbs: [u32; LIMBS],
    len: usize,
}

impl Big {
    /// `self *= m` (a carry out of the last limb is dropped: the callers
    /// stay within `LIMBS`).
    fn mul(&mut self, m: u32) {
        let mut carry = 0u64;
        for limb in self.limbs.iter_mut().take(self.len) {
            let v = u64::from(*limb) * u64::from(m) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            if let Some(top) = self.limbs.get_mut(self.len) {
                *top = carry as u32;
                self.len += 1;
            }
        }
    }

    /// `self /= d`, returning the remainder (`d` not zero).
    fn div(&mut self, d: u32) -> u32 {
        let d = u64::from(d.max(1));
        let mut rem = 0u64;
        for limb in self.limbs.iter_mut().take(self.len).rev() {
            let v = (rem << 32) | u64::from(*limb);
            *limb = (v / d) as u32;
            rem = v % d;
        }
        while self.len > 0 && self.limbs.get(self.len - 1) == Some(&0) {
            self.len -= 1;
        }
        rem as u32
    }

    fn is_zero(&self) -> bool {
        self.len == 0
    }
}
