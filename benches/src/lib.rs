//! The benchmark cases and one adapter per library, shared by the criterion
//! bench (`benches/eval.rs`) and the agreement tests (`tests/agree.rs`).
//!
//! Every library gets its best API: compiled once, variables bound by slot
//! or pointer where it offers that. Where a peer lacks a feature or reads a
//! formula differently (tinyexpr's left-associative `^`, fasteval's missing
//! `sqrt`, evalexpr's integer division), the case carries a rewrite for it
//! that computes the same value, and the agreement tests prove it does.
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

pub mod cases;
pub mod firmware;
pub mod peers;
#[cfg(has_tinyexpr)]
pub mod tinyexpr;

pub use cases::{CASES, Case, Lib};
pub use peers::{Compiled, compile};

/// Whether the C tinyexpr was found and built (see `build.rs`).
pub const HAS_TINYEXPR: bool = cfg!(has_tinyexpr);

/// Why tinyexpr is missing, when it is.
pub const TINYEXPR_NOTE: &str = env!("EXP_RS_TINYEXPR_NOTE");

/// The rounds of an interleaved exp-rs/tinyexpr bench (`versus.rs`,
/// `tick.rs`): `EXP_RS_BENCH_ROUNDS`, default 101; `None` (after saying
/// why) when tinyexpr was not built.
pub fn interleaved_rounds() -> Option<usize> {
    if !HAS_TINYEXPR {
        println!("{TINYEXPR_NOTE}");
        return None;
    }
    let rounds = std::env::var("EXP_RS_BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(101);
    Some(usize::max(rounds, 1))
}
