//! The built-in math functions as raw exports of the main module, which
//! generated modules import (a wasm-to-wasm call, no JS in between). Each
//! calls the very function the interpreter calls (core's [`Real`]), so
//! both tiers give the same bits.
//!
//! `#[unsafe(no_mangle)]` (what `unsafe_code` flags here) only gives each
//! function a fixed export name; none of them does anything unsafe.
#![allow(unsafe_code)]

use exp_rs::Real;

/// Every function generated code may import, by the name the program
/// view gives it (`Operand::Builtin`, `fmod` and `pow` for `%` and `^`),
/// with its argument count. The main module exports each as
/// `exprs_math_<name>`.
pub(crate) const NAMES: &[(&str, u32)] = &[
    ("abs", 1),
    ("sign", 1),
    ("floor", 1),
    ("ceil", 1),
    ("trunc", 1),
    ("round", 1),
    ("sqrt", 1),
    ("cbrt", 1),
    ("exp", 1),
    ("ln", 1),
    ("log10", 1),
    ("log2", 1),
    ("sin", 1),
    ("cos", 1),
    ("tan", 1),
    ("asin", 1),
    ("acos", 1),
    ("atan", 1),
    ("sinh", 1),
    ("cosh", 1),
    ("tanh", 1),
    ("asinh", 1),
    ("acosh", 1),
    ("atanh", 1),
    ("atan2", 2),
    ("pow", 2),
    ("hypot", 2),
    ("fmod", 2),
    ("fmin", 2),
    ("fmax", 2),
];

/// The built-ins WebAssembly computes itself with the bits core's functions
/// give: IEEE 754 requires `sqrt` correctly rounded (core's is too), and
/// `abs`, `floor`, `ceil`, `trunc` are exact, -0 included. Generated code
/// uses the instruction instead of a call into the main module (a NaN may
/// carry other payload bits; every NaN is the same result to exp-rs).
pub(crate) fn instruction(name: &str) -> Option<u8> {
    exact(name).map(|e| e.1)
}

/// The built-ins of [`instruction`]: name, the scalar `f64` opcode and the
/// `f64x2` opcode (after the 0xFD prefix) that two-row SIMD code uses.
const EXACT: [(&str, u8, u32); 5] = [
    ("sqrt", 0x9F, 0xEF),
    ("abs", 0x99, 0xEC),
    ("floor", 0x9C, 0x75),
    ("ceil", 0x9B, 0x74),
    ("trunc", 0x9D, 0x7A),
];

/// The row of [`EXACT`] for built-in `name`.
fn exact(name: &str) -> Option<(&'static str, u8, u32)> {
    EXACT.iter().copied().find(|e| e.0 == name)
}

/// The `f64x2` opcode for built-in `name`, for the same built-ins as
/// [`instruction`].
pub(crate) fn vector_instruction(name: &str) -> Option<u32> {
    exact(name).map(|e| e.2)
}

macro_rules! one {
    ($($export:ident => $method:ident),* $(,)?) => {$(
        #[doc = concat!("`", stringify!($method), "` for generated code.")]
        #[unsafe(no_mangle)]
        pub extern "C" fn $export(x: f64) -> f64 {
            Real::$method(x)
        }
    )*};
}

macro_rules! two {
    ($($export:ident => $method:ident),* $(,)?) => {$(
        #[doc = concat!("`", stringify!($method), "` for generated code.")]
        #[unsafe(no_mangle)]
        pub extern "C" fn $export(x: f64, y: f64) -> f64 {
            Real::$method(x, y)
        }
    )*};
}

one! {
    exprs_math_abs => abs,
    exprs_math_sign => signum0,
    exprs_math_floor => floor,
    exprs_math_ceil => ceil,
    exprs_math_trunc => trunc,
    exprs_math_round => round,
    exprs_math_sqrt => sqrt,
    exprs_math_cbrt => cbrt,
    exprs_math_exp => exp,
    exprs_math_ln => ln,
    exprs_math_log10 => log10,
    exprs_math_log2 => log2,
    exprs_math_sin => sin,
    exprs_math_cos => cos,
    exprs_math_tan => tan,
    exprs_math_asin => asin,
    exprs_math_acos => acos,
    exprs_math_atan => atan,
    exprs_math_sinh => sinh,
    exprs_math_cosh => cosh,
    exprs_math_tanh => tanh,
    exprs_math_asinh => asinh,
    exprs_math_acosh => acosh,
    exprs_math_atanh => atanh,
}

two! {
    exprs_math_atan2 => atan2,
    exprs_math_pow => pow,
    exprs_math_hypot => hypot,
    exprs_math_fmod => fmod,
    exprs_math_fmin => fmin,
    exprs_math_fmax => fmax,
}
