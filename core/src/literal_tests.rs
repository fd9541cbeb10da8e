//! `literal.rs` against `str::parse` (correctly rounded): random literals
//! of every shape, and the hard cases by construction.

use alloc::format;
use alloc::string::String;

use super::FromLiteral;

/// Same bits as `str::parse`, or both refuse (NaN: both NaN, same sign).
fn check(text: &str) {
    let ours = f64::from_literal(text);
    let std = text.parse::<f64>().ok();
    match (ours, std) {
        (Some(a), Some(b)) if a.is_nan() && b.is_nan() => {}
        (Some(a), Some(b)) => assert_eq!(a.to_bits(), b.to_bits(), "f64 {text}: {a:e} vs {b:e}"),
        (None, None) => {}
        _ => panic!("f64 {text}: {ours:?} vs {std:?}"),
    }
    let ours = f32::from_literal(text);
    let std = text.parse::<f32>().ok();
    match (ours, std) {
        (Some(a), Some(b)) if a.is_nan() && b.is_nan() => {}
        (Some(a), Some(b)) => assert_eq!(a.to_bits(), b.to_bits(), "f32 {text}: {a:e} vs {b:e}"),
        (None, None) => {}
        _ => panic!("f32 {text}: {ours:?} vs {std:?}"),
    }
}

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A random literal of the lexer's grammar: up to `max_digits` digits
/// around an optional point, an optional exponent in ±`max_exp`.
fn literal(rng: &mut Rng, max_digits: u64, max_exp: u64) -> String {
    let mut s = String::new();
    let n = 1 + rng.below(max_digits);
    let point = rng.below(n + 2);
    for i in 0..n {
        if i == point {
            s.push('.');
        }
        s.push(char::from(b'0' + rng.below(10) as u8));
    }
    if point == n {
        s.push('.');
    }
    if rng.below(2) == 0 {
        s.push(if rng.below(2) == 0 { 'e' } else { 'E' });
        match rng.below(3) {
            0 => s.push('-'),
            1 => s.push('+'),
            _ => {}
        }
        s.push_str(&format!("{}", rng.below(max_exp + 1)));
    }
    s
}

#[test]
fn grammar_edges() {
    for text in [
        "0",
        "00",
        "0.",
        ".0",
        "0.0",
        "-0",
        "+0",
        "1",
        "1.",
        ".5",
        "1e3",
        "1E3",
        "1e+3",
        "1e-3",
        "1.e5",
        ".5e-1",
        "inf",
        "-inf",
        "INF",
        "Infinity",
        "infinity",
        "nan",
        "NaN",
        "-nan",
        "",
        ".",
        "e",
        "e5",
        ".e5",
        "1e",
        "1e+",
        "1e-",
        "1.2.3",
        "1e2e3",
        "1x",
        "--1",
        "+-1",
        "1 ",
        " 1",
        "0x10",
        "1_0",
        "infinit",
        "nana",
        "1e99999999999999999999999",
        "1e-99999999999999999999999",
        "0e99999999999",
        "0.000e-99999999",
        "1,5",
        "١",
    ] {
        check(text);
    }
}

#[test]
fn extremes_and_subnormals() {
    for text in [
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174725632",
        "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174725631.9999",
        "2.2250738585072014e-308",
        "2.2250738585072011e-308",
        "2.2250738585072012e-308",
        "4.9406564584124654e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "2.47032822920623272088284396434110686182529901307162382212792841250337753635104375932649918180817996189898282347722858865463328355177969898199387398005390939063150356595155702263922908583924491051844359318028499365361525003193704576782492193656236698636584807570015857692699037063119282795585513329278343384093519780155312465972635795746227664652728272200563740064854999770965994704540208281662262378573934507363390079677619305775067401763246736009689513405355374585166611342237666786041621596804619144672918403005300575308490487653917113865916462395249126236538818796362393732804238910186723484976682350898633885879256283027559956575244555072551893136908362547791869486679949683240497058210285131854513962138377228261454376934125320985913276672363281255",
        "1e-400",
        "1e-324",
        "3e-324",
        "5e-324",
        "1e-323",
        "1e309",
        "1e308",
        "1e-45",
        "1.4e-45",
        "7.006492321624085e-46",
        "7.006492321624086e-46",
        "3.4028235e38",
        "3.4028236e38",
        "3.40282356779733661637539395458142568448e38",
        "1.17549435e-38",
        "1.1754942e-38",
        "9007199254740993",
        "9007199254740992.5",
        "9007199254740993.0000000000000000001",
        "16777217",
        "16777217.000000001",
        "16777216.99999999999",
        "0.1",
        "0.2",
        "0.3",
        "123456789012345678901234567890",
        "1e22",
        "1e23",
        "9.999999999999999e22",
        "8.988465674311579e307",
        "0.000000000000000000000000000000000000001",
    ] {
        check(text);
    }
}

#[test]
fn halfway_cases_both_formats() {
    // Exactly halfway between two neighbours, and a hair either side, for
    // f64 and f32, at many magnitudes (normal and subnormal).
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for _ in 0..300 {
        let bits = rng.next() & !(1 << 63);
        let a = f64::from_bits(bits);
        if !a.is_finite() {
            continue;
        }
        // a + ulp/2 written exactly: a's exact decimal, then halfway via
        // the next float. Printed with enough digits by Rust's `{:e}` of
        // both neighbours is not exact, so build the exact decimal of the
        // midpoint from the integer mantissa instead.
        let b = f64::from_bits(bits + 1);
        if !b.is_finite() {
            continue;
        }
        for text in [exact_mid_f64(a), format!("{a:e}"), format!("{b:e}")] {
            check(&text);
            let bump = format!("{}1", text.split('e').next().unwrap_or("0"));
            let exp = text.split_once('e').map_or("", |(_, e)| e);
            check(&format!("{bump}e{exp}"));
        }
    }
    for _ in 0..300 {
        let bits = (rng.next() as u32) & !(1 << 31);
        let a = f32::from_bits(bits);
        if !a.is_finite() || !f32::from_bits(bits + 1).is_finite() {
            continue;
        }
        check(&exact_mid_f64(f64::from(a)));
        check(&format!("{a:e}"));
    }
}

/// The exact decimal of `(a + next_up(a)) / 2` for a finite `f64` `a >= 0`
/// (a dyadic rational: `m * 2^e` printed as an exact decimal with enough
/// digits), as "digits e exponent".
fn exact_mid_f64(a: f64) -> String {
    let bits = a.to_bits();
    let (exp, frac) = ((bits >> 52) as i64, bits & ((1 << 52) - 1));
    let (mut m, mut e) = if exp == 0 {
        (frac, -1074i64)
    } else {
        (frac | 1 << 52, exp - 1075)
    };
    // Midpoint: (2m + 1) * 2^(e-1).
    m = 2 * m + 1;
    e -= 1;
    if e >= 0 {
        // m * 2^e: an integer; big decimal by repeated doubling.
        let mut digits = alloc::vec::Vec::new();
        let mut mm = m;
        while mm > 0 {
            digits.push((mm % 10) as u8);
            mm /= 10;
        }
        for _ in 0..e {
            let mut carry = 0;
            for x in &mut digits {
                let v = *x * 2 + carry;
                *x = v % 10;
                carry = v / 10;
            }
            if carry > 0 {
                digits.push(carry);
            }
        }
        digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
    } else {
        // m * 2^e = m * 5^-e / 10^-e.
        let mut digits = alloc::vec::Vec::new();
        let mut mm = m;
        while mm > 0 {
            digits.push((mm % 10) as u8);
            mm /= 10;
        }
        for _ in 0..-e {
            let mut carry = 0;
            for x in &mut digits {
                let v = *x * 5 + carry;
                *x = v % 10;
                carry = v / 10;
            }
            while carry > 0 {
                digits.push(carry % 10);
                carry /= 10;
            }
        }
        let s: String = digits.iter().rev().map(|d| char::from(b'0' + d)).collect();
        format!("{s}e{e}")
    }
}

#[test]
fn random_literals() {
    // Short literals (what people write) by the million in release builds,
    // fewer unoptimised; long and extreme ones by the thousand.
    let short = if cfg!(debug_assertions) {
        50_000
    } else {
        2_000_000
    };
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    for _ in 0..short {
        check(&literal(&mut rng, 20, 40));
    }
    for _ in 0..(short / 50) {
        check(&literal(&mut rng, 30, 330));
    }
    for _ in 0..(short / 200) {
        check(&literal(&mut rng, 900, 400));
    }
}

#[test]
fn random_bit_patterns_round_trip() {
    // Rust prints the shortest digits that round-trip; and 17 digits.
    let mut rng = Rng(0x0bad_5eed_0bad_5eed);
    let n = if cfg!(debug_assertions) {
        10_000
    } else {
        500_000
    };
    for _ in 0..n {
        let a = f64::from_bits(rng.next());
        check(&format!("{a:e}"));
        check(&format!("{a:.16e}"));
        let b = f32::from_bits(rng.next() as u32);
        check(&format!("{b:e}"));
    }
}
