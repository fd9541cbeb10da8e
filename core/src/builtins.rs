//! The built-in functions of SPEC.md, as small enums the compiler emits
//! directly into instructions (no function pointers, no name lookups).

use crate::real::Real;

/// A built-in function of one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub(crate) enum Func1 {
    Abs,
    Sign,
    Floor,
    Ceil,
    Trunc,
    Round,
    Sqrt,
    Cbrt,
    Exp,
    Ln,
    Log10,
    Log2,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
}

/// A built-in function of two arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub(crate) enum Func2 {
    Atan2,
    Pow,
    Hypot,
    Fmod,
    /// `fmin`, also the fold step of variadic `min`.
    Min,
    /// `fmax`, also the fold step of variadic `max`.
    Max,
}

impl Func1 {
    /// Applies the function.
    #[inline(always)]
    pub(crate) fn apply<R: Real>(self, x: R) -> R {
        match self {
            Func1::Abs => x.abs(),
            Func1::Sign => x.signum0(),
            Func1::Floor => x.floor(),
            Func1::Ceil => x.ceil(),
            Func1::Trunc => x.trunc(),
            Func1::Round => x.round(),
            Func1::Sqrt => x.sqrt(),
            Func1::Cbrt => x.cbrt(),
            Func1::Exp => x.exp(),
            Func1::Ln => x.ln(),
            Func1::Log10 => x.log10(),
            Func1::Log2 => x.log2(),
            Func1::Sin => x.sin(),
            Func1::Cos => x.cos(),
            Func1::Tan => x.tan(),
            Func1::Asin => x.asin(),
            Func1::Acos => x.acos(),
            Func1::Atan => x.atan(),
            Func1::Sinh => x.sinh(),
            Func1::Cosh => x.cosh(),
            Func1::Tanh => x.tanh(),
            Func1::Asinh => x.asinh(),
            Func1::Acosh => x.acosh(),
            Func1::Atanh => x.atanh(),
        }
    }

    /// The canonical name (`log` is an alias of `ln`).
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Func1::Abs => "abs",
            Func1::Sign => "sign",
            Func1::Floor => "floor",
            Func1::Ceil => "ceil",
            Func1::Trunc => "trunc",
            Func1::Round => "round",
            Func1::Sqrt => "sqrt",
            Func1::Cbrt => "cbrt",
            Func1::Exp => "exp",
            Func1::Ln => "ln",
            Func1::Log10 => "log10",
            Func1::Log2 => "log2",
            Func1::Sin => "sin",
            Func1::Cos => "cos",
            Func1::Tan => "tan",
            Func1::Asin => "asin",
            Func1::Acos => "acos",
            Func1::Atan => "atan",
            Func1::Sinh => "sinh",
            Func1::Cosh => "cosh",
            Func1::Tanh => "tanh",
            Func1::Asinh => "asinh",
            Func1::Acosh => "acosh",
            Func1::Atanh => "atanh",
        }
    }
}

impl Func2 {
    /// Applies the function to `(a, b)`.
    #[inline(always)]
    pub(crate) fn apply<R: Real>(self, a: R, b: R) -> R {
        match self {
            Func2::Atan2 => a.atan2(b),
            Func2::Pow => a.pow(b),
            Func2::Hypot => a.hypot(b),
            Func2::Fmod => a.fmod(b),
            Func2::Min => a.fmin(b),
            Func2::Max => a.fmax(b),
        }
    }

    /// The name as the disassembly prints it.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Func2::Atan2 => "atan2",
            Func2::Pow => "pow",
            Func2::Hypot => "hypot",
            Func2::Fmod => "fmod",
            Func2::Min => "fmin",
            Func2::Max => "fmax",
        }
    }
}

/// A built-in function as the context stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Builtin {
    /// One argument.
    F1(Func1),
    /// Two arguments.
    F2(Func2),
    /// `min(x, …)`: one or more arguments, folded left with `fmin`.
    Min,
    /// `max(x, …)`: one or more arguments, folded left with `fmax`.
    Max,
    /// `clamp(x, lo, hi)` = `min(max(x, lo), hi)`.
    Clamp,
}

/// Every built-in function under its SPEC.md name.
pub(crate) const BUILTINS: &[(&str, Builtin)] = &[
    ("abs", Builtin::F1(Func1::Abs)),
    ("sign", Builtin::F1(Func1::Sign)),
    ("floor", Builtin::F1(Func1::Floor)),
    ("ceil", Builtin::F1(Func1::Ceil)),
    ("trunc", Builtin::F1(Func1::Trunc)),
    ("round", Builtin::F1(Func1::Round)),
    ("sqrt", Builtin::F1(Func1::Sqrt)),
    ("cbrt", Builtin::F1(Func1::Cbrt)),
    ("exp", Builtin::F1(Func1::Exp)),
    ("ln", Builtin::F1(Func1::Ln)),
    ("log", Builtin::F1(Func1::Ln)),
    ("log10", Builtin::F1(Func1::Log10)),
    ("log2", Builtin::F1(Func1::Log2)),
    ("sin", Builtin::F1(Func1::Sin)),
    ("cos", Builtin::F1(Func1::Cos)),
    ("tan", Builtin::F1(Func1::Tan)),
    ("asin", Builtin::F1(Func1::Asin)),
    ("acos", Builtin::F1(Func1::Acos)),
    ("atan", Builtin::F1(Func1::Atan)),
    ("sinh", Builtin::F1(Func1::Sinh)),
    ("cosh", Builtin::F1(Func1::Cosh)),
    ("tanh", Builtin::F1(Func1::Tanh)),
    ("asinh", Builtin::F1(Func1::Asinh)),
    ("acosh", Builtin::F1(Func1::Acosh)),
    ("atanh", Builtin::F1(Func1::Atanh)),
    ("atan2", Builtin::F2(Func2::Atan2)),
    ("pow", Builtin::F2(Func2::Pow)),
    ("hypot", Builtin::F2(Func2::Hypot)),
    ("fmod", Builtin::F2(Func2::Fmod)),
    ("min", Builtin::Min),
    ("max", Builtin::Max),
    ("clamp", Builtin::Clamp),
];
