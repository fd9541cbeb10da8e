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
use exp_rs_benches::firmware::{Tick, nudge};
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

/// The firmware shape ([`Tick`]): 7 expressions over 10 shared parameters
/// per tick.
fn batch_benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("batch-firmware-7");
    for lib in libs() {
        let mut tick = Tick::new(lib);
        let mut k = 0usize;
        group.bench_function(lib.name(), |b| {
            b.iter(|| {
                k = k.wrapping_add(1);
                tick.run(k)
            })
        });
    }
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
    targets = eval_benches, batch_benches, compile_benches
}
criterion_main!(benches);
