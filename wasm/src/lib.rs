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
mod codegen;
mod context;
mod error;
mod expression;
mod js;
#[allow(unsafe_code)]
mod owned;
mod program_view;

use wasm_bindgen::prelude::*;

pub use context::Context;
pub use expression::Expression;

thread_local! {
    /// The context of [`evaluate`] and [`compile`]: the built-ins and
    /// `pi`, `e`, `tau`, built once (it has no callbacks, so nothing can
    /// re-enter it).
    static DEFAULT: Context = Context::new();
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
/// evaluate a formula repeatedly, `compile` it. A property may also be an
/// object of numbers (for `p.x`) or an array of numbers (for `a[i]`).
///
/// ```js
/// evaluate('2 * x + sin(pi / 2)', { x: 3 }); // 7
/// evaluate('p.x * a[1]', { p: { x: 2 }, a: [1, 5] }); // 10
/// ```
#[wasm_bindgen]
pub fn evaluate(
    #[wasm_bindgen(unchecked_param_type = "string")] src: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Scope | null")] vars: &JsValue,
) -> Result<f64, JsValue> {
    DEFAULT.with(|ctx| ctx.evaluate(src, vars))
}

/// Compiles `src` with the built-in functions and constants. `params` names
/// the values `eval` takes, in order; without it, every free name is a
/// parameter, in order of first appearance (`b - a * pi` → `["b", "a"]`).
/// `options.tier` picks how it runs: `'auto'` (the default) generates a
/// small WebAssembly module for it when the runtime allows, else uses the
/// interpreter; `'interpreter'` never generates one; `'codegen'` asks for
/// one (and still falls back). `stats().tier` says which one runs.
///
/// ```js
/// const f = compile('x * sin(y) + z');
/// f.params;            // ["x", "y", "z"]
/// f.eval([2, 0, 1.5]); // 1.5
/// ```
#[wasm_bindgen]
pub fn compile(
    #[wasm_bindgen(unchecked_param_type = "string")] src: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "readonly string[] | null")] params: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CompileOptions | null")] options: &JsValue,
) -> Result<Expression, JsValue> {
    // The tier is chosen by the JS layer (`npm/tier.js`), which wraps this.
    DEFAULT.with(|ctx| ctx.compile(src, params, options))
}

/// Simplifies `src` and returns the canonical source of the result:
/// constants folded where exact in every precision, `a*1`, `a+0`, `--a`,
/// `x^1`, constant factors first (`simplify('x * 3 * 2 + 0')` is
/// `"6 * x"`). The rewrites are mathematical (`x * 0` is `0`), as for
/// derivatives. Throws the syntax errors of `src`.
#[wasm_bindgen]
pub fn simplify(src: &str) -> Result<String, JsValue> {
    init();
    let arena = exp_rs::bumpalo::Bump::new();
    let limits = exp_rs::Limits::DEFAULT;
    let ast = exp_rs::parse(src, &arena, &limits).map_err(|e| error::to_js(e, src))?;
    let simple = exp_rs::simplify(ast, &arena, &limits).map_err(|e| error::to_js(e, src))?;
    Ok(simple.to_string())
}

/// Every error kind's name, in code order (`code` 1 is the first).
#[wasm_bindgen(js_name = errorKinds, unchecked_return_type = "ErrorKind[]")]
pub fn error_kinds() -> Vec<String> {
    exp_rs::ErrorKind::ALL
        .iter()
        .map(|k| k.name().to_owned())
        .collect()
}

/// Every error kind, in code order: `{ code, name, message }` with core's
/// stable number, name and short message (the text after the caret).
#[wasm_bindgen(js_name = errorKindTable, unchecked_return_type = "ErrorKindInfo[]")]
pub fn error_kind_table() -> js_sys::Array {
    exp_rs::ErrorKind::ALL
        .iter()
        .map(|k| {
            let row = js_sys::Object::new();
            context::set(&row, "code", JsValue::from(k.code()));
            context::set(&row, "name", JsValue::from_str(k.name()));
            context::set(&row, "message", JsValue::from_str(k.message()));
            JsValue::from(row)
        })
        .collect()
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
// BEGIN generated by cargo xtask gen: error kinds
/** What went wrong: core's `ErrorKind` names. */
export type ErrorKind =
  | "InvalidCharacter"
  | "InvalidNumber"
  | "ExpectedOperand"
  | "UnexpectedToken"
  | "UnclosedDelimiter"
  | "ExpectedName"
  | "TooDeep"
  | "TooLong"
  | "ArenaFull"
  | "UnknownVariable"
  | "UnknownFunction"
  | "Arity"
  | "UnknownField"
  | "NotAValue"
  | "NotAnArray"
  | "DuplicateName"
  | "IndexOutOfBounds"
  | "RecursionLimit"
  | "Callback"
  | "ParamCount"
  | "Reentrant"
  | "StepLimit"
  | "NotDifferentiable";
// END generated

/** One row of `errorKindTable()`: a kind's stable number, name and message. */
export interface ErrorKindInfo {
  code: number;
  name: ErrorKind;
  message: string;
}

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

/**
 * Values by name (`{ x: 1, y: 2 }`), for `evaluate`, `eval` and
 * `addObject`. Any object type, so an `interface` is accepted too
 * (TypeScript gives interfaces no index signature, which
 * `Record<string, number>` would demand).
 */
export type Scope = object;

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

/** One operand of a program instruction (`Expression.programView()`). */
export type Operand =
  | { kind: "acc" }
  | { kind: "pop" }
  | { kind: "const"; value: number }
  | { kind: "param"; name: string; slot: number }
  | { kind: "arg"; index: number; name: string }
  | { kind: "builtin"; name: string }
  | { kind: "native"; name: string; argc: number }
  | { kind: "function"; name: string; index: number; argc: number }
  | { kind: "array"; name: string }
  | { kind: "target"; value: number };

/** One instruction of the compiled program. */
export interface Instruction {
  /** Its index (what jump targets name). */
  pc: number;
  /** `const load arg push neg square not bool + - * / % ^ == != < <= > >= call native index ret jump jfalse and or`. */
  opcode: string;
  operands: Operand[];
  /**
   * The span of the node it came from: into the expression's source, or
   * into its function's `source` when `function` is not null.
   */
  start: number;
  end: number;
  /** Index into `functions` of the block it belongs to; null: main code. */
  function: number | null;
}

/** An expression function compiled into the program. */
export interface ProgramFunction {
  name: string;
  params: string[];
  /** Its definition, `name(params) = body`. */
  source: string;
  /** The pc of its first instruction. */
  entry: number;
}

/** The compiled program as data, as `Expression.programView()` returns it. */
export interface ProgramView {
  instructions: Instruction[];
  /** Spans of the main expression's nodes folded into constants (literals not listed). */
  folded: Span[];
  functions: ProgramFunction[];
  /** Value-stack slots an evaluation uses at most. */
  stackSize: number;
  /** Deepest expression-function call chain the program can need (0: none). */
  callDepth: number;
}

/** How `compile` runs an expression (`options.tier`). */
export type Tier = "auto" | "codegen" | "interpreter";

/** `compile`'s options. */
export interface CompileOptions {
  /**
   * `'auto'` (default): a generated WebAssembly module when the runtime
   * allows it (not under a CSP without `'wasm-unsafe-eval'`), else the
   * interpreter; `'codegen'`: the same (a program code generation cannot
   * handle still runs on the interpreter); `'interpreter'`: never generate.
   */
  tier?: Tier;
}

/** What `Expression.stats()` reports. */
export interface Stats {
  /** Which tier runs `eval` and `evalBatch`. */
  tier: "codegen" | "interpreter";
  /** Bytes of the generated WebAssembly module (0 on the interpreter). */
  moduleSize: number;
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
  /** Most expression-function calls in one evaluation (default 1000000). */
  maxTotalCalls: number;
  /**
   * Most instructions one evaluation runs (default 10000000); past it, a
   * `StepLimit` error spanning the whole expression. This bounds an
   * evaluation's running time.
   */
  maxSteps: number;
  /**
   * Most bytes one compiled expression's arena may take (`null`: no
   * limit, the default); more is an `ArenaFull` error.
   */
  maxArenaBytes: number | null;
}
"#;

/// Lets the code-generation tier's batch loop use 128-bit SIMD (`f64x2`)
/// in the modules generated from now on; off until called. The JS layer
/// (`tier.js`) turns it on when the runtime validates a SIMD module. Not
/// part of the API.
#[wasm_bindgen(js_name = __useSimd, skip_typescript)]
pub fn use_simd(on: bool) {
    codegen::set_simd(on);
}
