//! The trigonometric, inverse trigonometric, hyperbolic and hypot functions
//! against correctly rounded results (`trig_golden.txt`, written by
//! `scripts/trig_golden.py` with mpmath): hard inputs (the doubles nearest
//! multiples of π/2 and π/64, huge arguments, inputs next to 1, overflow,
//! subnormals) and a fixed random sample, in f64 and f32, bit for bit.
#![allow(clippy::unwrap_used)]

use exp_rs::Real;

const GOLDEN: &str = include_str!("trig_golden.txt");

/// Row `name` of the golden table, in either precision.
fn call<R: Real>(name: &str, a: &[R]) -> R {
    match (name, a) {
        ("sin", [x]) => x.sin(),
        ("cos", [x]) => x.cos(),
        ("tan", [x]) => x.tan(),
        ("asin", [x]) => x.asin(),
        ("acos", [x]) => x.acos(),
        ("atan", [x]) => x.atan(),
        ("sinh", [x]) => x.sinh(),
        ("cosh", [x]) => x.cosh(),
        ("tanh", [x]) => x.tanh(),
        ("asinh", [x]) => x.asinh(),
        ("acosh", [x]) => x.acosh(),
        ("atanh", [x]) => x.atanh(),
        ("atan2", [y, x]) => y.atan2(*x),
        ("hypot", [x, y]) => x.hypot(*y),
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
            format!("{:016x}", call::<f64>(name, &a).to_bits())
        } else {
            let a: Vec<f32> = args
                .iter()
                .map(|h| f32::from_bits(u32::from_str_radix(h, 16).unwrap()))
                .collect();
            format!("{:08x}", call::<f32>(name, &a).to_bits())
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
