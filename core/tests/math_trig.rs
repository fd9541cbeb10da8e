//! The trigonometric, inverse trigonometric, hyperbolic and hypot functions
//! against correctly rounded results (`trig_golden.txt`, written by
//! `scripts/trig_golden.py` with mpmath): hard inputs (the doubles nearest
//! multiples of π/2 and π/64, huge arguments, inputs next to 1, overflow,
//! subnormals) and a fixed random sample, in f64 and f32, bit for bit.
#![allow(clippy::unwrap_used)]

use exp_rs::Real;

const GOLDEN: &str = include_str!("trig_golden.txt");

fn f64_call(name: &str, a: &[f64]) -> f64 {
    match (name, a) {
        ("sin", [x]) => Real::sin(*x),
        ("cos", [x]) => Real::cos(*x),
        ("tan", [x]) => Real::tan(*x),
        ("asin", [x]) => Real::asin(*x),
        ("acos", [x]) => Real::acos(*x),
        ("atan", [x]) => Real::atan(*x),
        ("sinh", [x]) => Real::sinh(*x),
        ("cosh", [x]) => Real::cosh(*x),
        ("tanh", [x]) => Real::tanh(*x),
        ("asinh", [x]) => Real::asinh(*x),
        ("acosh", [x]) => Real::acosh(*x),
        ("atanh", [x]) => Real::atanh(*x),
        ("atan2", [y, x]) => Real::atan2(*y, *x),
        ("hypot", [x, y]) => Real::hypot(*x, *y),
        _ => panic!("unknown row {name}"),
    }
}

fn f32_call(name: &str, a: &[f32]) -> f32 {
    match (name, a) {
        ("sin", [x]) => Real::sin(*x),
        ("cos", [x]) => Real::cos(*x),
        ("tan", [x]) => Real::tan(*x),
        ("asin", [x]) => Real::asin(*x),
        ("acos", [x]) => Real::acos(*x),
        ("atan", [x]) => Real::atan(*x),
        ("sinh", [x]) => Real::sinh(*x),
        ("cosh", [x]) => Real::cosh(*x),
        ("tanh", [x]) => Real::tanh(*x),
        ("asinh", [x]) => Real::asinh(*x),
        ("acosh", [x]) => Real::acosh(*x),
        ("atanh", [x]) => Real::atanh(*x),
        ("atan2", [y, x]) => Real::atan2(*y, *x),
        ("hypot", [x, y]) => Real::hypot(*x, *y),
        _ => panic!("unknown row {name}"),
    }
}

#[test]
fn correctly_rounded_on_the_golden_rows() {
    let mut failures = Vec::new();
    let mut rows = 0;
    for line in GOLDEN.lines().filter(|l| !l.starts_with('#')) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let (prec, name, args, want) = (
            parts[0],
            parts[1],
            &parts[2..parts.len() - 1],
            parts[parts.len() - 1],
        );
        rows += 1;
        let got = if prec == "64" {
            let a: Vec<f64> = args
                .iter()
                .map(|h| f64::from_bits(u64::from_str_radix(h, 16).unwrap()))
                .collect();
            format!("{:016x}", f64_call(name, &a).to_bits())
        } else {
            let a: Vec<f32> = args
                .iter()
                .map(|h| f32::from_bits(u32::from_str_radix(h, 16).unwrap()))
                .collect();
            format!("{:08x}", f32_call(name, &a).to_bits())
        };
        if got != want {
            failures.push(format!("{line}: got {got}"));
        }
    }
    assert!(rows > 3000, "only {rows} rows");
    assert!(
        failures.is_empty(),
        "{} of {rows} rows differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
