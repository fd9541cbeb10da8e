//! The number type: [`Real`], implemented by `f64` and `f32`.
//!
//! Every math function goes through `libm`, so the host, the Cortex-M7 and
//! wasm compute bit-identical results for the same program; `sqrt` uses the
//! hardware instruction where there is one (`sqrt.rs`: correctly rounded,
//! so the same bits).

use core::fmt::{Debug, Display};
use core::ops::{Add, Div, Mul, Neg, Sub};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A floating-point type the engine can compute in: `f64` or `f32`.
///
/// The trait is sealed; both precisions are always available in the same
/// build (no feature flag changes a public type).
pub trait Real:
    sealed::Sealed
    + Copy
    + PartialEq
    + PartialOrd
    + Debug
    + Display
    + Default
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + 'static
{
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// A quiet NaN.
    const NAN: Self;
    /// π.
    const PI: Self;
    /// Euler's number.
    const E: Self;
    /// τ = 2π.
    const TAU: Self;
    /// The type's name as the disassembly and errors print it.
    const NAME: &'static str;

    /// Converts from `f64` (rounding to nearest for `f32`).
    fn from_f64(v: f64) -> Self;
    /// Converts to `f64` (exact for both types).
    fn to_f64(self) -> f64;
    /// Parses a number literal of the language (already validated by the
    /// lexer), rounding once, directly to this precision.
    fn parse_literal(text: &str) -> Option<Self>;
    /// Converts a truth value to 1 or 0.
    #[inline]
    fn from_bool(b: bool) -> Self {
        if b { Self::ONE } else { Self::ZERO }
    }
    /// True when the value is not equal to 0 (so NaN is true).
    #[inline]
    fn truthy(self) -> bool {
        self != Self::ZERO
    }
    /// True for NaN.
    #[inline]
    #[allow(clippy::eq_op)]
    fn is_nan(self) -> bool {
        self != self
    }

    /// C `fmod`.
    fn fmod(self, y: Self) -> Self;
    /// C `pow`.
    fn pow(self, y: Self) -> Self;
    /// C `fabs`.
    fn abs(self) -> Self;
    /// C `floor`.
    fn floor(self) -> Self;
    /// C `ceil`.
    fn ceil(self) -> Self;
    /// C `trunc`.
    fn trunc(self) -> Self;
    /// C `round` (half away from zero).
    fn round(self) -> Self;
    /// C `sqrt`.
    fn sqrt(self) -> Self;
    /// C `cbrt`.
    fn cbrt(self) -> Self;
    /// C `exp`.
    fn exp(self) -> Self;
    /// C `log` (natural logarithm).
    fn ln(self) -> Self;
    /// C `log10`.
    fn log10(self) -> Self;
    /// C `log2`.
    fn log2(self) -> Self;
    /// C `sin`.
    fn sin(self) -> Self;
    /// C `cos`.
    fn cos(self) -> Self;
    /// C `tan`.
    fn tan(self) -> Self;
    /// C `asin`.
    fn asin(self) -> Self;
    /// C `acos`.
    fn acos(self) -> Self;
    /// C `atan`.
    fn atan(self) -> Self;
    /// C `sinh`.
    fn sinh(self) -> Self;
    /// C `cosh`.
    fn cosh(self) -> Self;
    /// C `tanh`.
    fn tanh(self) -> Self;
    /// C `asinh`.
    fn asinh(self) -> Self;
    /// C `acosh`.
    fn acosh(self) -> Self;
    /// C `atanh`.
    fn atanh(self) -> Self;
    /// C `atan2(self, x)`.
    fn atan2(self, x: Self) -> Self;
    /// C `hypot`.
    fn hypot(self, y: Self) -> Self;
    /// C `fmin` (a NaN argument is ignored unless both are NaN).
    fn fmin(self, y: Self) -> Self;
    /// C `fmax` (a NaN argument is ignored unless both are NaN).
    fn fmax(self, y: Self) -> Self;
    /// `sign(x)`: -1, 0 or 1; NaN stays NaN; the sign of zero is kept.
    #[inline]
    fn signum0(self) -> Self {
        if self > Self::ZERO {
            Self::ONE
        } else if self < Self::ZERO {
            -Self::ONE
        } else {
            self
        }
    }
}

macro_rules! impl_real {
    ($t:ty, $name:literal, $pi:expr, $e:expr, $tau:expr, sqrt => $sqrt:path,
     { $($method:ident => $libm:ident),* $(,)? },
     { $($method2:ident => $libm2:ident),* $(,)? }) => {
        impl Real for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const NAN: Self = <$t>::NAN;
            const PI: Self = $pi;
            const E: Self = $e;
            const TAU: Self = $tau;
            const NAME: &'static str = $name;

            #[inline]
            #[allow(clippy::cast_possible_truncation)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                f64::from(self)
            }
            #[inline]
            fn parse_literal(text: &str) -> Option<Self> {
                // Correctly rounded, without `core`'s `dec2flt`.
                crate::literal::FromLiteral::from_literal(text)
            }
            #[inline]
            fn sqrt(self) -> Self {
                $sqrt(self)
            }
            $(
                #[inline]
                fn $method(self) -> Self {
                    libm::$libm(self)
                }
            )*
            $(
                #[inline]
                fn $method2(self, y: Self) -> Self {
                    libm::$libm2(self, y)
                }
            )*
        }
    };
}

impl_real!(f64, "f64", core::f64::consts::PI, core::f64::consts::E, core::f64::consts::TAU,
    sqrt => crate::sqrt::sqrt,
    {
        abs => fabs, floor => floor, ceil => ceil, trunc => trunc, round => round,
        cbrt => cbrt, exp => exp, ln => log, log10 => log10, log2 => log2,
        sin => sin, cos => cos, tan => tan, asin => asin, acos => acos, atan => atan,
        sinh => sinh, cosh => cosh, tanh => tanh, asinh => asinh, acosh => acosh, atanh => atanh,
    },
    { fmod => fmod, pow => pow, atan2 => atan2, hypot => hypot, fmin => fmin, fmax => fmax });

impl_real!(f32, "f32", core::f32::consts::PI, core::f32::consts::E, core::f32::consts::TAU,
    sqrt => crate::sqrt::sqrtf,
    {
        abs => fabsf, floor => floorf, ceil => ceilf, trunc => truncf, round => roundf,
        cbrt => cbrtf, exp => expf, ln => logf, log10 => log10f, log2 => log2f,
        sin => sinf, cos => cosf, tan => tanf, asin => asinf, acos => acosf, atan => atanf,
        sinh => sinhf, cosh => coshf, tanh => tanhf, asinh => asinhf, acosh => acoshf, atanh => atanhf,
    },
    { fmod => fmodf, pow => powf, atan2 => atan2f, hypot => hypotf, fmin => fminf, fmax => fmaxf });
