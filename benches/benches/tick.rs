//! The firmware tick ([`Tick`]: exp-rs's `Batch` of the 7 demo expressions,
//! tinyexpr's 7 expressions in turn, the native formulas), the three
//! alternating round by round, the fastest round of each kept, as
//! `versus.rs` does for single expressions (criterion's batch row measures
//! one library after the other, so it moves with the machine's load).
//!
//! `EXP_RS_BENCH_ROUNDS` sets the rounds (default 101). Writes
//! `target/bench-versus-batch.tsv` for `cargo xtask bench`: library, ns per
//! tick. Its own binary: in `versus.rs` this second caller of
//! `Compiled::eval` changed what LLVM inlined into the per-expression loops
//! (measured: 15–25 % on the smallest expressions).
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;

use exp_rs_benches::firmware::Tick;
use exp_rs_benches::{Lib, interleaved_rounds};

/// Ticks per timed run.
const TICKS: usize = 20_000;

/// ns per tick of one timed run of `tick`.
fn time(tick: &mut Tick) -> f64 {
    let start = Instant::now();
    let mut acc = 0.0;
    for k in 0..TICKS {
        acc += tick.run(k);
    }
    black_box(acc);
    start.elapsed().as_secs_f64() * 1e9 / TICKS as f64
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is ignored.
    let Some(rounds) = interleaved_rounds() else {
        return;
    };
    let libs = [Lib::ExpRs, Lib::Tinyexpr, Lib::Native];
    let mut ticks: Vec<Tick> = libs.iter().map(|&l| Tick::new(l)).collect();
    for t in &mut ticks {
        time(t);
    }
    let mut best = [f64::INFINITY; 3];
    for _ in 0..rounds {
        for (t, b) in ticks.iter_mut().zip(&mut best) {
            *b = b.min(time(t));
        }
    }
    println!(
        "tick/batch-firmware-7: exp-rs {:.1} ns, tinyexpr {:.1} ns ({:.2} x), native {:.1} ns per tick",
        best[0],
        best[1],
        best[0] / best[1],
        best[2]
    );
    let mut tsv = String::new();
    for (lib, ns) in libs.iter().zip(best) {
        let _ = writeln!(tsv, "{}\t{ns}", lib.name());
    }
    std::fs::write("../target/bench-versus-batch.tsv", tsv).unwrap();
}
