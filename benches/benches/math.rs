//! exp-rs's math functions (`Real`: pure Rust, the same bits on the host,
//! the Cortex-M7 and wasm) against the host C library's (glibc on Linux,
//! called through `extern "C"`), per call on 1024 varied inputs each, so no
//! branch or table entry is always the same (issue 16: pow, exp and ln
//! each ≤ 1.1 × glibc; the other functions the benchmark expressions
//! call, for the "Why" of BENCHMARKS.md).
//!
//! On a shared machine a long measurement of one function and then of the
//! other compares two different loads. So the two sides alternate: 101
//! rounds, each timing 60 passes over the inputs for exp-rs and then for
//! glibc; the fastest round of each side is kept (a round can only be
//! slowed down, never sped up, by other work). Writes
//! `target/bench-math.tsv` (`function`, exp-rs ns, glibc ns), which
//! `cargo xtask bench` puts into BENCHMARKS.md.
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;

use exp_rs::Real;

// The host C library (linked into every host binary).
unsafe extern "C" {
    fn pow(x: f64, y: f64) -> f64;
    fn exp(x: f64) -> f64;
    fn log(x: f64) -> f64;
    fn log10(x: f64) -> f64;
    fn sin(x: f64) -> f64;
    fn cos(x: f64) -> f64;
    fn tan(x: f64) -> f64;
    fn atan(x: f64) -> f64;
    fn atan2(y: f64, x: f64) -> f64;
    fn sinh(x: f64) -> f64;
    fn tanh(x: f64) -> f64;
    fn hypot(x: f64, y: f64) -> f64;
    fn cbrt(x: f64) -> f64;
}

/// 1024 inputs from a fixed xorshift sequence, mapped from [0, 1) by `f`.
fn inputs(f: impl Fn(f64) -> f64) -> Vec<f64> {
    let mut s = 0x2545_f491_4f6c_dd1du64;
    (0..1024)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            f((s >> 11) as f64 / (1u64 << 53) as f64)
        })
        .collect()
}

/// ns per call of `f` over every index, fastest of the rounds, for both
/// sides in alternation.
fn race(ours: &dyn Fn(usize) -> f64, theirs: &dyn Fn(usize) -> f64) -> (f64, f64) {
    const ROUNDS: usize = 101;
    const PASSES: usize = 60;
    let time = |f: &dyn Fn(usize) -> f64| {
        let start = Instant::now();
        let mut acc = 0.0;
        for _ in 0..PASSES {
            for i in 0..1024 {
                acc += f(black_box(i));
            }
        }
        black_box(acc);
        start.elapsed().as_secs_f64() * 1e9 / (PASSES * 1024) as f64
    };
    let (mut a, mut b) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..ROUNDS {
        a = a.min(time(ours));
        b = b.min(time(theirs));
    }
    (a, b)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is ignored.
    // pow: x in [0.01, 100) log-uniformly, y in [-8, 8).
    let px = inputs(|u| 10f64.powf(4.0 * u - 2.0));
    let py = inputs(|u| 16.0 * (1.0 - u) - 8.0);
    // exp: [-20, 20); logarithms: log-uniform over [1e-6, 1e6);
    // trigonometry and two-argument functions: [-10, 10) (the second
    // argument from the reversed sequence); hyperbolic: [-5, 5).
    let ex = inputs(|u| 40.0 * u - 20.0);
    let lx = inputs(|u| 10f64.powf(12.0 * u - 6.0));
    let sx = inputs(|u| 20.0 * u - 10.0);
    let sy = inputs(|u| 10.0 - 20.0 * u);
    let hx = inputs(|u| 10.0 * u - 5.0);
    let cx = inputs(|u| 2000.0 * u - 1000.0);
    // SAFETY (every C call): plain C math functions on doubles.
    let rows = [
        (
            "pow",
            race(&|i| Real::pow(px[i], py[i]), &|i| unsafe {
                pow(px[i], py[i])
            }),
        ),
        (
            "exp",
            race(&|i| Real::exp(ex[i]), &|i| unsafe { exp(ex[i]) }),
        ),
        ("ln", race(&|i| Real::ln(lx[i]), &|i| unsafe { log(lx[i]) })),
        (
            "log10",
            race(&|i| Real::log10(lx[i]), &|i| unsafe { log10(lx[i]) }),
        ),
        (
            "sin",
            race(&|i| Real::sin(sx[i]), &|i| unsafe { sin(sx[i]) }),
        ),
        (
            "cos",
            race(&|i| Real::cos(sx[i]), &|i| unsafe { cos(sx[i]) }),
        ),
        (
            "tan",
            race(&|i| Real::tan(sx[i]), &|i| unsafe { tan(sx[i]) }),
        ),
        (
            "atan",
            race(&|i| Real::atan(sx[i]), &|i| unsafe { atan(sx[i]) }),
        ),
        (
            "atan2",
            race(&|i| Real::atan2(sx[i], sy[i]), &|i| unsafe {
                atan2(sx[i], sy[i])
            }),
        ),
        (
            "sinh",
            race(&|i| Real::sinh(hx[i]), &|i| unsafe { sinh(hx[i]) }),
        ),
        (
            "tanh",
            race(&|i| Real::tanh(hx[i]), &|i| unsafe { tanh(hx[i]) }),
        ),
        (
            "hypot",
            race(&|i| Real::hypot(sx[i], sy[i]), &|i| unsafe {
                hypot(sx[i], sy[i])
            }),
        ),
        (
            "cbrt",
            race(&|i| Real::cbrt(cx[i]), &|i| unsafe { cbrt(cx[i]) }),
        ),
    ];
    let mut tsv = String::new();
    for (name, (ours, c)) in rows {
        println!(
            "math/{name}: exp-rs {ours:.2} ns, glibc {c:.2} ns ({:.2} x)",
            ours / c
        );
        let _ = writeln!(tsv, "{name}\t{ours}\t{c}");
    }
    std::fs::write("../target/bench-math.tsv", tsv).unwrap();
}
