//! exp-rs against tinyexpr on every benchmark expression, the two sides
//! alternating (issue 16's targets: `sqrt(a^1.5+a^2.5)` faster than
//! tinyexpr, geometric mean exp-rs/tinyexpr ≤ 0.6).
//!
//! Criterion (`benches/eval.rs`) measures one library after the other; on
//! a shared machine that compares two different loads. Here each round
//! times a run of evaluations with exp-rs and then the same run with
//! tinyexpr, and the fastest round of each side is kept (other work can
//! only slow a round down). Both go through the same `Compiled::eval`
//! adapter and the same input nudging as the criterion bench.
//!
//! `EXP_RS_BENCH_ROUNDS` sets the rounds (default 101);
//! `EXP_RS_BENCH_ONLY`, a substring of the group names (`firmware-18`),
//! limits the run to those expressions, for profiling one. A full run writes
//! `target/bench-versus.tsv` for `cargo xtask bench`: `group`, exp-rs ns,
//! tinyexpr ns, every round's ratio exp-rs/tinyexpr (comma-separated),
//! the math functions exp-rs's program calls per evaluation (read from
//! the program itself, comma-separated, `-` for none), its instruction
//! count, and the source. The firmware tick, timed the same way, is
//! `benches/tick.rs` (a binary of its own: a second caller of
//! `Compiled::eval` here changed what LLVM inlines into these loops).
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;

use exp_rs::inspect::Operand;
use exp_rs_benches::{CASES, Compiled, Lib, compile, interleaved_rounds};

/// Evaluations per timed run: long enough to dwarf the clock's overhead,
/// short enough that a burst of other work spoils few runs.
const EVALS: usize = 20_000;

/// The math functions exp-rs's compiled program for `case` calls (`pow`
/// for a `^` the compiler kept), and its instruction count.
fn calls(case: &exp_rs_benches::Case) -> (Vec<&'static str>, usize) {
    let ctx = exp_rs::Context::<f64>::new();
    let arena = exp_rs::bumpalo::Bump::new();
    let e = exp_rs::Expr::compile(case.src, case.vars, &ctx, &arena).unwrap();
    let mut names = Vec::new();
    for insn in e.program().instructions() {
        if insn.opcode == "^" {
            names.push("pow");
        }
        for op in insn.operands() {
            if let Operand::Builtin(name) = op {
                names.push(name);
            }
        }
    }
    (names, e.program().len())
}

/// ns per evaluation of one timed run of `e`.
fn time(e: &mut Compiled, vals: &mut [f64], base: &[f64]) -> f64 {
    let start = Instant::now();
    let mut acc = 0.0;
    for k in 0..EVALS {
        let d = (k & 1023) as f64 * 1e-6;
        for (v, b) in vals.iter_mut().zip(base) {
            *v = b + d;
        }
        acc += e.eval(black_box(vals));
    }
    black_box(acc);
    start.elapsed().as_secs_f64() * 1e9 / EVALS as f64
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is ignored.
    let Some(rounds) = interleaved_rounds() else {
        return;
    };
    let mut tsv = String::new();
    let mut logs = Vec::new();
    let only = std::env::var("EXP_RS_BENCH_ONLY").unwrap_or_default();
    for (i, case) in CASES.iter().enumerate() {
        if !format!("{}-{i}", case.set).contains(&only) {
            continue;
        }
        let mut ours = compile(Lib::ExpRs, case).unwrap();
        let mut theirs = compile(Lib::Tinyexpr, case).unwrap();
        let mut vals = case.at.to_vec();
        // One warm-up run each.
        time(&mut ours, &mut vals, case.at);
        time(&mut theirs, &mut vals, case.at);
        let (mut a, mut b) = (f64::INFINITY, f64::INFINITY);
        let mut ratios = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let x = time(&mut ours, &mut vals, case.at);
            let y = time(&mut theirs, &mut vals, case.at);
            a = a.min(x);
            b = b.min(y);
            ratios.push(x / y);
        }
        logs.push((a / b).ln());
        println!(
            "versus/{}-{i}: exp-rs {a:.2} ns, tinyexpr {b:.2} ns ({:.2} x)  {}",
            case.set,
            a / b,
            case.src
        );
        let per_round: Vec<String> = ratios.iter().map(|r| format!("{r:.4}")).collect();
        let (names, len) = calls(case);
        let _ = writeln!(
            tsv,
            "{}-{i}\t{a}\t{b}\t{}\t{}\t{len}\t{}",
            case.set,
            per_round.join(","),
            if names.is_empty() {
                "-".to_string()
            } else {
                names.join(",")
            },
            case.src
        );
    }
    if !logs.is_empty() {
        let geo = (logs.iter().sum::<f64>() / logs.len() as f64).exp();
        println!(
            "versus: geometric mean exp-rs/tinyexpr {geo:.3} over {} expressions",
            logs.len()
        );
    }
    // A partial run does not replace the table xtask reads.
    if only.is_empty() {
        std::fs::write("../target/bench-versus.tsv", tsv).unwrap();
    }
}
