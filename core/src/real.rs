//! The number type: [`Real`], implemented by `f64` and `f32`.
//!
//! Every math function is pure Rust (`crate::math`, or `libm` for the exact
//! and already correctly rounded ones), so the host, the Cortex-M7 and wasm
//! compute bit-identical results for the same program; `sqrt`, `floor`,
//! `ceil`, `trunc` and `round` use the hardware instruction where there is
//! one (`fpu.rs`: exact or correctly rounded, so the same bits).

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
    ($t:ty, $name:literal, $pi:expr, $e:expr, $tau:expr,
     { $($method:ident => $f:path),* $(,)? },
     { $($method2:ident => $f2:path),* $(,)? }) => {
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
            $(
                #[inline]
                fn $method(self) -> Self {
                    $f(self)
                }
            )*
            $(
                #[inline]
                fn $method2(self, y: Self) -> Self {
                    $f2(self, y)
                }
            )*
        }
    };
}

// `crate::math` holds the engine's own correctly rounded functions
// (core/src/math/mod.rs lists them); the rest are libm's, which are exact
// (fabs, fmin, fmax) or already correctly rounded (cbrt, a CORE-MATH
// port); `sqrt` (correctly rounded), `floor`, `ceil`, `trunc` and
// `round` (exact) are crate::fpu (libm's, or the FPU's VSQRT and VRINT on the M7) and `fmod`
// (exact too) is crate::fmod (small, no panic path).
impl_real!(f64, "f64", core::f64::consts::PI, core::f64::consts::E, core::f64::consts::TAU,
{
    abs => libm::fabs, floor => crate::fpu::floor, ceil => crate::fpu::ceil, trunc => crate::fpu::trunc,
    round => crate::fpu::round, sqrt => crate::fpu::sqrt, cbrt => libm::cbrt,
    exp => crate::math::exp, ln => crate::math::log, log10 => crate::math::log10,
    log2 => crate::math::log2,
    sin => crate::math::sin, cos => crate::math::cos, tan => crate::math::tan, asin => crate::math::asin,
    acos => crate::math::acos, atan => crate::math::atan,
    sinh => crate::math::sinh, cosh => crate::math::cosh, tanh => crate::math::tanh, asinh => crate::math::asinh,
    acosh => crate::math::acosh, atanh => crate::math::atanh,
},
{
    fmod => crate::fmod::fmod, pow => crate::math::pow, atan2 => crate::math::atan2,
    hypot => crate::math::hypot, fmin => libm::fmin, fmax => libm::fmax,
});

impl_real!(f32, "f32", core::f32::consts::PI, core::f32::consts::E, core::f32::consts::TAU,
{
    abs => libm::fabsf, floor => crate::fpu::floorf, ceil => crate::fpu::ceilf, trunc => crate::fpu::truncf,
    round => crate::fpu::roundf, sqrt => crate::fpu::sqrtf, cbrt => libm::cbrtf,
    exp => crate::math::expf, ln => crate::math::logf, log10 => crate::math::log10f,
    log2 => crate::math::log2f,
    sin => crate::math::sinf, cos => crate::math::cosf, tan => crate::math::tanf, asin => crate::math::asinf,
    acos => crate::math::acosf, atan => crate::math::atanf,
    sinh => crate::math::sinhf, cosh => crate::math::coshf, tanh => crate::math::tanhf, asinh => crate::math::asinhf,
    acosh => crate::math::acoshf, atanh => crate::math::atanhf,
},
{
    fmod => crate::fmod::fmodf, pow => crate::math::powf, atan2 => crate::math::atan2f,
    hypot => crate::math::hypotf, fmin => libm::fminf, fmax => libm::fmaxf,
});
