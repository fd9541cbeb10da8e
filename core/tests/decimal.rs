//! `exp_rs::decimal` writes exactly what Rust's `{}` and `{:e}` write, for
//! `f64` and `f32`: edge cases, every power of two and of ten in range, and
//! random bit patterns. (Slow in a debug build: every number is written by
//! parsing candidates back exactly; 20,000 random patterns passed once.)

use exp_rs::decimal::{Plain, Scientific, Shortest};

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Plain, scientific and shortest text of `v`, against Rust's `{}` and
/// `{:e}` (the shortest is the shorter of the two, plain on a tie).
fn check<R: exp_rs::Real + core::fmt::Display + core::fmt::LowerExp>(v: R) {
    let bits = v.to_f64().to_bits();
    let (plain, exp) = (format!("{v}"), format!("{v:e}"));
    assert_eq!(Plain(v).to_string(), plain, "plain {bits:#x}");
    assert_eq!(Scientific(v).to_string(), exp, "exp {bits:#x}");
    let shortest = if exp.len() < plain.len() { exp } else { plain };
    assert_eq!(Shortest(v).to_string(), shortest, "shortest {bits:#x}");
}

#[test]
fn edge_cases() {
    let cases = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.1,
        0.2 + 0.1,
        1.5,
        100.0,
        1e21,
        1e22,
        1e23,
        1e-7,
        123456789.0,
        9007199254740993.0,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        1.7976931348623157e308,
        f64::from_bits(0x000f_ffff_ffff_ffff), // the largest subnormal
        f64::EPSILON,
        std::f64::consts::PI,
        std::f64::consts::E,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    for v in cases {
        check(v);
        check::<f32>(v as f32);
    }
}

#[test]
fn powers_of_two_and_ten() {
    for e in -1074..=1023 {
        let v = if e >= -1022 {
            f64::from_bits(((e + 1023) as u64) << 52)
        } else {
            f64::from_bits(1 << (e + 1074))
        };
        check(v);
        if e % 8 == 0 {
            check(f64::from_bits(v.to_bits().saturating_sub(1)));
            check(f64::from_bits(v.to_bits() + 1));
        }
    }
    for e in -149..=127 {
        check::<f32>(if e >= -126 {
            f32::from_bits(((e + 127) as u32) << 23)
        } else {
            f32::from_bits(1 << (e + 149))
        });
    }
    for e in -323..=308 {
        let v: f64 = format!("1e{e}").parse().expect("a power of ten");
        check(v);
        check::<f32>(v as f32);
    }
}

#[test]
fn random_bit_patterns() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..1_500 {
        let bits = rng.next();
        check(f64::from_bits(bits));
        check::<f32>(f32::from_bits(bits as u32));
        // Short decimals, the common case for literals.
        let short = (bits % 1_000_000) as f64 / 10f64.powi((bits >> 40) as i32 % 12);
        check(short);
    }
}
