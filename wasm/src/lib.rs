//! # exp-rs-wasm
//!
//! The JavaScript door of exp-rs, published to npm as `exp-rs`: a thin
//! wasm-bindgen layer that converts values and errors and calls the core
//! crate, which alone knows the language.
//!
//! * [`evaluate`], [`compile`] and [`Context`] are the entry points;
//!   [`Expression`] is a compiled expression.
//! * Every failure is thrown as an `ExpRsError` (`js/glue.js`) with the
//!   core error's kind, span and caret message. Nothing traps: core never
//!   panics on any input, and this crate does not either.
//! * On wasm32 a counting global allocator measures what `eval` and
//!   `evalBatch` allocate (`stats()`), so "zero" is measured.
//!
//! `cargo xtask wasm` builds the npm package into `wasm/pkg/`; see
//! `wasm/README.md`.
#![deny(unsafe_code)]

mod ast_json;
mod context;
mod error;
mod expression;
mod js;
#[allow(unsafe_code)]
mod owned;

use std::rc::Rc;

use wasm_bindgen::prelude::*;

pub use context::Context;
pub use expression::Expression;

thread_local! {
    /// The context of [`evaluate`] and [`compile`]: the built-ins and
    /// `pi`, `e`, `tau`, built once.
    static DEFAULT: Rc<exp_rs::Context<f64>> = Rc::new(exp_rs::Context::new());
}

/// The default context, with no arena limit.
fn default_context() -> (Rc<exp_rs::Context<f64>>, Option<usize>) {
    (DEFAULT.with(Rc::clone), None)
}

/// Installs the panic hook (which prints a Rust panic to the console) and
/// hands the memory to the JS glue, once; called by every entry point that
/// creates something. (Not a `#[wasm_bindgen(start)]` function, which would
/// become part of the JS API.) Panics are bugs: core never panics on any
/// input.
pub(crate) fn init() {
    #[cfg(feature = "console_error_panic_hook")]
    console_error_panic_hook::set_once();
    js::register_memory();
}

/// Evaluates `src` once with the built-in functions and constants and the
/// given variables (own properties of `vars`). Compiles each time; to
/// evaluate a formula repeatedly, `compile` it.
///
/// ```js
/// evaluate('2 * x + sin(pi / 2)', { x: 3 }); // 7
/// ```
#[wasm_bindgen]
pub fn evaluate(
    #[wasm_bindgen(unchecked_param_type = "string")] src: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Record<string, number> | null")] vars: &JsValue,
) -> Result<f64, JsValue> {
    let ctx = default_context();
    let src = js::source(src, "evaluate: src", ctx.0.limits().max_len)?;
    expression::evaluate_in(ctx, &src, vars)
}

/// Compiles `src` with the built-in functions and constants. `params` names
/// the values `eval` takes, in order; without it, every free name is a
/// parameter, in order of first appearance (`b - a * pi` → `["b", "a"]`).
///
/// ```js
/// const f = compile('x * sin(y) + z');
/// f.params;            // ["x", "y", "z"]
/// f.eval([2, 0, 1.5]); // 1.5
/// ```
#[wasm_bindgen]
pub fn compile(
    #[wasm_bindgen(unchecked_param_type = "string")] src: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string[] | null")] params: &JsValue,
) -> Result<Expression, JsValue> {
    let ctx = default_context();
    let src = js::source(src, "compile: src", ctx.0.limits().max_len)?;
    let params = js::strings(params, "compile: params")?;
    expression::compile_in(ctx, &src, params)
}

/// Every error kind's name, in code order (`code` 1 is the first).
#[wasm_bindgen(js_name = errorKinds, unchecked_return_type = "ErrorKind[]")]
pub fn error_kinds() -> Vec<String> {
    exp_rs::ErrorKind::ALL
        .iter()
        .map(|k| k.name().to_owned())
        .collect()
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** What went wrong: core's `ErrorKind` names. */
export type ErrorKind =
  | "InvalidCharacter" | "InvalidNumber" | "ExpectedOperand" | "UnexpectedToken"
  | "UnclosedDelimiter" | "ExpectedName" | "TooDeep" | "TooLong" | "ArenaFull"
  | "UnknownVariable" | "UnknownFunction" | "Arity" | "UnknownField" | "NotAValue"
  | "NotAnArray" | "DuplicateName" | "IndexOutOfBounds" | "RecursionLimit"
  | "Callback" | "ParamCount" | "Reentrant";

/**
 * Every exp-rs failure. `message` is the caret rendering
 * ("sin(x +* 2)\n       ^ expected an operand, found `*`"); `start`/`end`
 * are JS string indices (UTF-16 code units) into the source the error is
 * about; `code` is the kind's stable number (1 = InvalidCharacter).
 * A `Callback` error has what the native function threw as `cause`; an
 * `evalBatch` error has the failing point's index as `row`.
 */
export class ExpRsError extends Error {
  readonly name: "ExpRsError";
  readonly kind: ErrorKind;
  readonly code: number;
  readonly start: number;
  readonly end: number;
  readonly row?: number;
}

/** `[start, end)` as JS string indices. */
export type Span = [number, number];

/** A syntax-tree node, as `Expression.ast()` returns it. */
export type AstNode =
  | { kind: "number"; value: number; text: string; span: Span; children: [] }
  | { kind: "name"; name: string; span: Span; children: [] }
  | { kind: "unary"; op: "-" | "+" | "!"; span: Span; children: [AstNode] }
  | { kind: "binary"; op: "," | "||" | "&&" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%" | "^"; span: Span; children: [AstNode, AstNode] }
  | { kind: "conditional"; span: Span; children: [AstNode, AstNode, AstNode] }
  | { kind: "call"; name: string; nameSpan: Span; span: Span; children: AstNode[] }
  | { kind: "index"; name: string; nameSpan: Span; span: Span; children: [AstNode] }
  | { kind: "field"; name: string; field: string; nameSpan: Span; fieldSpan: Span; span: Span; children: [] };

/** What `Expression.stats()` reports. */
export interface Stats {
  /** Bytes of the expression's arena: tree, program, value stack, names. */
  arenaBytes: number;
  /** Instructions in the compiled program. */
  programLength: number;
  /** Value-stack slots an evaluation uses at most. */
  maxStack: number;
  /** Heap allocations made by the last `eval`/`evalBatch` (counted). */
  allocationsLastEval: number;
  /** Bytes those allocations asked for. */
  bytesAllocatedLastEval: number;
}

/** A context's limits (`Context.setLimits`). */
export interface Limits {
  /** Deepest nesting of the expression tree (default 256). */
  maxDepth: number;
  /** Longest source in bytes (default 65536). */
  maxLen: number;
  /** Deepest chain of expression-function calls (default 256). */
  maxCalls: number;
  /**
   * Most expression-function calls in one evaluation (default 1000000);
   * this bounds an evaluation's running time.
   */
  maxTotalCalls: number;
  /**
   * Most bytes one compiled expression's arena may take (`null`: no
   * limit, the default); more is an `ArenaFull` error.
   */
  maxArenaBytes: number | null;
}
"#;
