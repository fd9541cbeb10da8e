//! exp-rs against its peers and native Rust, side by side in one run:
//! evaluation after compile (inputs change every iteration so nothing is
//! hoisted), parse+compile, and heap allocations per evaluation.
//!
//! `cargo xtask bench` runs this and turns the results into BENCHMARKS.md.
//! Criterion's estimates land in `target/criterion/`; allocation counts in
//! `target/bench-allocations.tsv`.
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use exp_rs_benches::peers::CompileOnly;
use exp_rs_benches::{CASES, HAS_TINYEXPR, Lib, TINYEXPR_NOTE, compile};

/// Counts allocations, so each library's allocations per evaluation are
/// measured, not claimed.
struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to `System` unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract.
        unsafe { System.realloc(ptr, layout, size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn libs() -> Vec<Lib> {
    if !HAS_TINYEXPR {
        println!("{TINYEXPR_NOTE}");
    }
    Lib::ALL
        .into_iter()
        .filter(|&l| l != Lib::Tinyexpr || HAS_TINYEXPR)
        .collect()
}

/// Inputs that move a little every iteration.
fn nudge(vals: &mut [f64], base: &[f64], i: usize) {
    let d = (i & 1023) as f64 * 1e-6;
    for (v, b) in vals.iter_mut().zip(base) {
        *v = b + d;
    }
}

/// Allocations per evaluation over 1,000 evaluations, for every case and
/// library (and the firmware batch), written for xtask.
fn allocations(libs: &[Lib]) -> String {
    let mut out = String::new();
    for (i, case) in CASES.iter().enumerate() {
        for &lib in libs {
            let Ok(mut e) = compile(lib, case) else {
                continue;
            };
            let mut vals = case.at.to_vec();
            e.eval(&vals);
            let before = ALLOCATIONS.load(Ordering::Relaxed);
            for k in 0..1000 {
                nudge(&mut vals, case.at, k);
                black_box(e.eval(black_box(&vals)));
            }
            let n = ALLOCATIONS.load(Ordering::Relaxed) - before;
            writeln!(
                out,
                "{}-{i}\t{}\t{}\t{}",
                case.set,
                lib.name(),
                n as f64 / 1000.0,
                case.src
            )
            .unwrap();
        }
    }
    out
}

fn eval_benches(c: &mut Criterion) {
    let libs = libs();
    std::fs::write("../target/bench-allocations.tsv", allocations(&libs)).unwrap();
    for (i, case) in CASES.iter().enumerate() {
        let mut group = c.benchmark_group(format!("eval-{}-{i}", case.set));
        for &lib in &libs {
            let Ok(mut e) = compile(lib, case) else {
                continue;
            };
            let mut vals = case.at.to_vec();
            let mut k = 0usize;
            group.bench_function(lib.name(), |b| {
                b.iter(|| {
                    k = k.wrapping_add(1);
                    nudge(&mut vals, case.at, k);
                    e.eval(black_box(&vals))
                })
            });
        }
        group.finish();
    }
}

fn compile_benches(c: &mut Criterion) {
    for (i, case) in CASES.iter().enumerate() {
        let mut group = c.benchmark_group(format!("compile-{}-{i}", case.set));
        for lib in libs().into_iter().filter(|&l| l != Lib::Native) {
            let mut state = CompileOnly::default();
            group.bench_function(lib.name(), |b| b.iter(|| state.run(lib, black_box(case))));
        }
        group.finish();
    }
}

/// The firmware shape: 7 expressions over 10 shared parameters per tick.
/// exp-rs uses its `Batch`; every other library evaluates its 7 compiled
/// expressions one after the other.
fn batch_benches(c: &mut Criterion) {
    let firmware: Vec<_> = CASES.iter().filter(|c| c.set == "firmware").collect();
    let mut group = c.benchmark_group("batch-firmware-7");
    let ctx: &'static exp_rs::Context<f64> = Box::leak(Box::new(exp_rs::Context::new()));
    let arena: &'static exp_rs::bumpalo::Bump = Box::leak(Box::new(exp_rs::bumpalo::Bump::new()));
    let mut batch = exp_rs::Batch::new(ctx, arena);
    for case in &firmware {
        batch.add_expression(case.src).unwrap();
    }
    // Each parameter's sample value, by name.
    let base: Vec<f64> = batch
        .param_names()
        .iter()
        .map(|n| {
            firmware
                .iter()
                .find_map(|c| c.vars.iter().position(|v| v == n).map(|i| c.at[i]))
                .unwrap()
        })
        .collect();
    let mut vals = base.clone();
    let mut k = 0usize;
    group.bench_function("exp-rs", |b| {
        b.iter(|| {
            k = k.wrapping_add(1);
            nudge(&mut vals, &base, k);
            batch.set_params(black_box(&vals));
            batch.eval().unwrap();
            batch.result(6)
        })
    });
    for lib in libs().into_iter().filter(|&l| l != Lib::ExpRs) {
        let mut exprs: Vec<_> = firmware
            .iter()
            .map(|c| (compile(lib, c).unwrap(), c.at.to_vec(), c.at))
            .collect();
        let mut k = 0usize;
        group.bench_function(lib.name(), |b| {
            b.iter(|| {
                k = k.wrapping_add(1);
                let mut last = 0.0;
                for (e, vals, at) in exprs.iter_mut() {
                    nudge(vals, at, k);
                    last = e.eval(black_box(vals));
                }
                last
            })
        });
    }
    group.finish();
}

// The host C library (glibc on Linux; linked into every host binary).
unsafe extern "C" {
    fn pow(x: f64, y: f64) -> f64;
    fn exp(x: f64) -> f64;
    fn log(x: f64) -> f64;
    fn sin(x: f64) -> f64;
}

/// 1024 inputs from a fixed xorshift sequence, mapped by `f`.
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

/// exp-rs computes with its own functions (`Real`; pure Rust, the same
/// bits on the host, the Cortex-M7 and wasm); C and the Rust peers call the
/// platform's libm (glibc here). These rows compare them per call, on 1024
/// varied inputs each (so no branch or table entry is always the same).
fn math_benches(c: &mut Criterion) {
    use exp_rs::Real;
    let mut group = c.benchmark_group("math");
    // pow: x in [0.01, 100) log-uniformly, y in [-8, 8).
    let px = inputs(|u| 10f64.powf(4.0 * u - 2.0));
    let py = inputs(|u| 16.0 * (1.0 - u) - 8.0);
    // exp: [-20, 20); ln: log-uniform over [1e-6, 1e6); sin: [-10, 10).
    let ex = inputs(|u| 40.0 * u - 20.0);
    let lx = inputs(|u| 10f64.powf(12.0 * u - 6.0));
    let sx = inputs(|u| 20.0 * u - 10.0);
    let mut k = 0usize;
    let mut next = || {
        k = (k + 1) & 1023;
        k
    };
    group.bench_function("pow exp-rs", |b| {
        b.iter(|| {
            let i = next();
            Real::pow(black_box(px[i]), black_box(py[i]))
        })
    });
    // SAFETY (every glibc row): plain C math functions on doubles.
    group.bench_function("pow glibc", |b| {
        b.iter(|| {
            let i = next();
            unsafe { pow(black_box(px[i]), black_box(py[i])) }
        })
    });
    group.bench_function("exp exp-rs", |b| {
        b.iter(|| Real::exp(black_box(ex[next()])))
    });
    group.bench_function("exp glibc", |b| {
        b.iter(|| unsafe { exp(black_box(ex[next()])) })
    });
    group.bench_function("ln exp-rs", |b| b.iter(|| Real::ln(black_box(lx[next()]))));
    group.bench_function("ln glibc", |b| {
        b.iter(|| unsafe { log(black_box(lx[next()])) })
    });
    group.bench_function("sin exp-rs", |b| {
        b.iter(|| Real::sin(black_box(sx[next()])))
    });
    group.bench_function("sin glibc", |b| {
        b.iter(|| unsafe { sin(black_box(sx[next()])) })
    });
    group.finish();
}

fn config() -> Criterion {
    // Short by default (the whole run takes a few minutes on 2 cores);
    // EXP_RS_BENCH_SECONDS lengthens each measurement.
    let secs: f64 = std::env::var("EXP_RS_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.5);
    Criterion::default()
        .warm_up_time(Duration::from_secs_f64(secs / 2.0))
        .measurement_time(Duration::from_secs_f64(secs))
        .sample_size(20)
        .without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = eval_benches, batch_benches, compile_benches, math_benches
}
criterion_main!(benches);
