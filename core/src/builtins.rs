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
            #[cfg(feature = "exp-log")]
            Func1::Exp => x.exp(),
            #[cfg(feature = "exp-log")]
            Func1::Ln => x.ln(),
            #[cfg(feature = "exp-log")]
            Func1::Log10 => x.log10(),
            #[cfg(feature = "exp-log")]
            Func1::Log2 => x.log2(),
            #[cfg(feature = "trig")]
            Func1::Sin => x.sin(),
            #[cfg(feature = "trig")]
            Func1::Cos => x.cos(),
            #[cfg(feature = "trig")]
            Func1::Tan => x.tan(),
            #[cfg(feature = "trig")]
            Func1::Asin => x.asin(),
            #[cfg(feature = "trig")]
            Func1::Acos => x.acos(),
            #[cfg(feature = "trig")]
            Func1::Atan => x.atan(),
            #[cfg(feature = "hyperbolic")]
            Func1::Sinh => x.sinh(),
            #[cfg(feature = "hyperbolic")]
            Func1::Cosh => x.cosh(),
            #[cfg(feature = "hyperbolic")]
            Func1::Tanh => x.tanh(),
            #[cfg(feature = "hyperbolic")]
            Func1::Asinh => x.asinh(),
            #[cfg(feature = "hyperbolic")]
            Func1::Acosh => x.acosh(),
            #[cfg(feature = "hyperbolic")]
            Func1::Atanh => x.atanh(),
            // A group left out by its feature: the name is never bound
            // (`Builtin::available`), so this is not reached.
            #[allow(unreachable_patterns)]
            _ => R::NAN,
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
            #[cfg(feature = "trig")]
            Func2::Atan2 => a.atan2(b),
            Func2::Pow => a.pow(b),
            Func2::Hypot => a.hypot(b),
            Func2::Fmod => a.fmod(b),
            Func2::Min => a.fmin(b),
            Func2::Max => a.fmax(b),
            #[allow(unreachable_patterns)]
            _ => R::NAN,
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

impl Builtin {
    /// False for a function whose group a Cargo feature left out (`trig`,
    /// `hyperbolic`, `exp-log`; all on by default): a context does not
    /// bind it, so using it is `UnknownFunction`, and its code is not
    /// linked.
    pub(crate) const fn available(self) -> bool {
        let (trig, hyperbolic, exp_log) = (
            cfg!(feature = "trig"),
            cfg!(feature = "hyperbolic"),
            cfg!(feature = "exp-log"),
        );
        match self {
            Builtin::F1(Func1::Exp | Func1::Ln | Func1::Log10 | Func1::Log2) => exp_log,
            Builtin::F1(
                Func1::Sin | Func1::Cos | Func1::Tan | Func1::Asin | Func1::Acos | Func1::Atan,
            )
            | Builtin::F2(Func2::Atan2) => trig,
            Builtin::F1(
                Func1::Sinh
                | Func1::Cosh
                | Func1::Tanh
                | Func1::Asinh
                | Func1::Acosh
                | Func1::Atanh,
            ) => hyperbolic,
            _ => true,
        }
    }
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

#[cfg(test)]
mod tests {
    use crate::{Context, ErrorKind, Expr};

    #[test]
    fn groups_follow_their_features() {
        let ctx = Context::<f64>::new();
        for (name, on) in [
            ("sin", cfg!(feature = "trig")),
            ("atan2", cfg!(feature = "trig")),
            ("tanh", cfg!(feature = "hyperbolic")),
            ("exp", cfg!(feature = "exp-log")),
            ("log10", cfg!(feature = "exp-log")),
            ("sqrt", true),
            ("hypot", true),
            ("clamp", true),
        ] {
            assert_eq!(ctx.function(name).is_some(), on, "{name}");
        }
        let arena = bumpalo::Bump::new();
        let compiled = Expr::compile("sin(x)", &["x"], &ctx, &arena);
        assert_eq!(compiled.is_ok(), cfg!(feature = "trig"));
        match compiled {
            Ok(e) => assert_eq!(e.eval(&[0.0]).ok(), Some(0.0)),
            Err(e) => assert_eq!(e.kind, ErrorKind::UnknownFunction),
        }
    }
}
