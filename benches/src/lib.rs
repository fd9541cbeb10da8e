//! The benchmark cases and one adapter per library, shared by the criterion
//! bench (`benches/eval.rs`) and the agreement tests (`tests/agree.rs`).
//!
//! Every library gets its best API: compiled once, variables bound by slot
//! or pointer where it offers that. Where a peer lacks a feature or reads a
//! formula differently (tinyexpr's left-associative `^`, fasteval's missing
//! `sqrt`, evalexpr's integer division), the case carries a rewrite for it
//! that computes the same value, and the agreement tests prove it does.
#![allow(clippy::unwrap_used, missing_docs)]

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
