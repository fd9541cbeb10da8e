//! # exp-rs
//!
//! A math-expression engine for formulas evaluated thousands of times a
//! second on small machines. A formula such as `x * sin(y) + z` is parsed
//! **once** into a caller-owned [`bumpalo::Bump`] arena, compiled to a flat
//! [`Program`], and then evaluated again and again with **zero heap
//! allocations**.
//!
//! ```
//! use exp_rs::{Context, Expr};
//!
//! let ctx = Context::<f64>::new();                 // built-ins + pi, e, tau
//! let arena = bumpalo::Bump::new();
//! let expr = Expr::compile("x * sin(y) + z", &["x", "y", "z"], &ctx, &arena)?;
//! assert_eq!(expr.eval(&[2.0, 0.0, 1.5])?, 1.5);    // no allocation here
//!
//! // One-shot, for scripts and tests (allocates):
//! assert_eq!(exp_rs::eval("2 + x", &[("x", 1.0)])?, 3.0);
//! # Ok::<(), exp_rs::Error>(())
//! ```
//!
//! ## The contract
//!
//! * Parsing and compiling never panic: bad input is an [`Error`] with an
//!   [`ErrorKind`] and a byte [`Span`]; [`Error::render`] draws the caret.
//! * Once [`Expr::compile`] succeeded, [`Expr::eval`] cannot panic and does
//!   not allocate. It fails only for an out-of-bounds array index, a
//!   recursion or a step count past its limit, a failing native callback,
//!   or a wrong number of values (see [`Expr::eval`]).
//! * All parse and compile memory comes from the caller's arena; capping it
//!   with [`Bump::set_allocation_limit`](bumpalo::Bump::set_allocation_limit)
//!   turns exhaustion into [`ErrorKind::ArenaFull`], never an abort.
//! * Nesting deeper than [`Limits::max_depth`] (256) is
//!   [`ErrorKind::TooDeep`] and input longer than [`Limits::max_len`]
//!   (64 KiB) is [`ErrorKind::TooLong`], so no input can overflow the stack.
//! * `f64` and `f32` are both available in every build through the sealed
//!   [`Real`] trait; all math is pure Rust (exp-rs's own correctly rounded
//!   elementary functions, `libm` for the exact ones and `cbrt`), so every
//!   target computes the same bits.
//!
//! ## The pieces
//!
//! | step | entry point |
//! |---|---|
//! | parse to a tree | [`parse_expression_arena`], [`parse`] → [`Ast`] ([`Ast::sexpr`] prints it) |
//! | compile | [`Expr::compile`], [`Expr::compile_auto`], [`Batch::add_expression`] → [`Program`] ([`inspect`] shows it as data; `Display` is its disassembly) |
//! | evaluate | [`Expr::eval`], [`Batch::eval`]; the seed's tree walker [`eval_ast`] |
//! | names | [`Context`]: constants, native functions, expression functions, arrays, objects |
//!
//! The language itself is specified in SPEC.md.
#![no_std]
#![deny(unsafe_code)]
// allowed only for the FPU's `asm!` in fpu.rs, the arena vector (arena_vec.rs) and fallible heap allocation (fallible.rs)
#![deny(missing_docs)]

extern crate alloc;

mod arena_vec;
mod ast;
mod batch;
mod builtins;
mod compiler;
mod context;
pub mod decimal;
#[cfg(feature = "symbolic")]
mod derive;
mod error;
mod exec;
mod expr;
pub mod fallible;
mod fmod;
mod fpu;
pub mod inspect;
mod lexer;
mod literal;
mod math;
mod parser;
#[cfg(feature = "symbolic")]
mod print;
mod program;
mod real;
mod resolve;

#[cfg(feature = "symbolic")]
mod simplify;
mod walk;

pub use ast::{Ast, AstKind, BinaryOp, Children, SExpr, UnaryOp};
pub use batch::Batch;
pub use context::{Arity, CallbackError, Context, DefineError, Function, FunctionKind, NativeFn};
#[cfg(feature = "symbolic")]
pub use derive::derivative;
pub use error::{Error, ErrorKind, Rendered, Span};
pub use expr::{Expr, arena_used};
pub use fallible::AllocError;
#[doc(hidden)]
pub use fpu::fpu_mismatches;
pub use lexer::is_identifier;
pub use parser::{Definition, Limits, parse, parse_definition, parse_expression_arena};
pub use program::Program;
pub use real::Real;

#[cfg(feature = "symbolic")]
pub use simplify::simplify;
pub use walk::{WALK_LEVELS, eval_ast};

/// Re-export of the arena crate, so callers use the same version.
pub use bumpalo;

/// Evaluates `src` once with the built-in context and the given variables.
///
/// Convenient for scripts and tests; it allocates (a context and an arena
/// per call). To evaluate the same formula repeatedly, compile an [`Expr`].
///
/// # Example
/// ```
/// assert_eq!(exp_rs::eval("2 + x", &[("x", 1.0)]).unwrap(), 3.0);
/// let err = exp_rs::eval("2 + y", &[("x", 1.0)]).unwrap_err();
/// assert_eq!(err.kind, exp_rs::ErrorKind::UnknownVariable);
/// ```
pub fn eval(src: &str, vars: &[(&str, f64)]) -> Result<f64, Error> {
    eval_with(src, vars, &Context::new())
}

/// Evaluates `src` once against `ctx` with the given variables (in either
/// precision); see [`eval`]. Everything it allocates (the names, the
/// values, the compile) is in a scratch arena, so a full heap is
/// [`ErrorKind::ArenaFull`], never an abort.
pub fn eval_with<R: Real>(src: &str, vars: &[(&str, R)], ctx: &Context<R>) -> Result<R, Error> {
    let arena = bumpalo::Bump::new();
    let full = || Error::new(ErrorKind::ArenaFull, Span::default());
    let names = arena
        .try_alloc_slice_fill_iter(vars.iter().map(|v| v.0))
        .map_err(|_| full())?;
    let values = arena
        .try_alloc_slice_fill_iter(vars.iter().map(|v| v.1))
        .map_err(|_| full())?;
    Expr::compile(src, names, ctx, &arena)?.eval(values)
}

// The README's Rust examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
